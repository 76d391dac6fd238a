//! Pure donation logic: keys and environments, money in integer minor units,
//! donor-field validation, donation statuses and link safety.
//!
//! Nothing here knows about Leptos or the browser, so all of it is tested natively.

mod campaign;
mod donation;
mod keys;
mod link;
mod money;
mod options;
mod retry_after;

pub use campaign::{
    ATTRIBUTION_PARAMS, Analytics, Attribution, IMPACT_MAX_CHARS, PREFILL_AMOUNT, PREFILL_FRAGMENT, PREFILL_FREQUENCY,
    PREFILL_ORG, Prefill, attribution_value_ok, major_units, plain_amount,
};
pub use donation::{DonationStatus, Frequency, validate_email};
pub use keys::{Environment, KeyError, PublishableKey};
pub use link::{LinkError, check_https_or_loopback};
pub use money::{AmountError, Currency, CurrencyError, parse_amount, tip_minor};
pub use options::{
    AmountRules, Mode, OPTION_NAMES, OptionError, RawOptions, RequiredFields, Target, Theme, WidgetOptions,
};
pub use retry_after::parse_retry_after;
