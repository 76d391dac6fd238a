//! Donor-facing text and number formatting.
//!
//! All copy comes from one [`Messages`] table per locale; amounts are formatted by the
//! browser's `Intl.NumberFormat`, so no float formatting code ships in the wasm.

use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::api::ApiError;
use crate::domain::{AmountError, Currency, DonationStatus, Frequency};

/// One locale's copy.
pub struct Messages {
    pub loading: &'static str,
    pub choose_nonprofit: &'static str,
    pub amount_legend: &'static str,
    pub other_amount: &'static str,
    pub frequency_legend: &'static str,
    pub once: &'static str,
    pub monthly: &'static str,
    pub email: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub optional: &'static str,
    pub ein: &'static str,
    pub donate: &'static str,
    pub creating_link: &'static str,
    pub redirecting: &'static str,
    pub email_invalid: &'static str,
    pub donate_again: &'static str,
    pub try_again: &'static str,
    pub secure_note: &'static str,
}

pub const EN: Messages = Messages {
    loading: "Loading…",
    choose_nonprofit: "Nonprofit",
    amount_legend: "Amount",
    other_amount: "Other amount",
    frequency_legend: "Frequency",
    once: "One-time",
    monthly: "Monthly",
    email: "Email",
    first_name: "First name",
    last_name: "Last name",
    optional: "optional",
    ein: "EIN",
    donate: "Donate",
    creating_link: "Preparing secure checkout…",
    redirecting: "Taking you to secure checkout…",
    email_invalid: "Enter an email address like name@example.com.",
    donate_again: "Make another donation",
    try_again: "Try again",
    secure_note: "You'll finish on a secure checkout page.",
};

/// The table for a BCP 47 locale. Only English ships so far.
pub fn messages(_locale: &str) -> &'static Messages {
    &EN
}

/// The submit button's label, saying exactly what will be charged.
pub fn donate_label(formatted_amount: &str, frequency: Frequency) -> String {
    match frequency {
        Frequency::Once => format!("{} {formatted_amount}", EN.donate),
        Frequency::Monthly => format!("{} {formatted_amount} monthly", EN.donate),
    }
}

pub fn amount_error(error: &AmountError, locale: &str, currency: Currency) -> String {
    match error {
        AmountError::Empty => "Enter an amount.".into(),
        AmountError::NotANumber => "Enter the amount as a number, like 25 or 25.50.".into(),
        AmountError::TooPrecise => format!("Use at most {} digits after the decimal point.", currency.minor_digits()),
        AmountError::Overflow => "That amount is too large.".into(),
        AmountError::Zero => "Enter an amount above zero.".into(),
        AmountError::BelowMinimum { min } => format!("The minimum is {}.", format_money(*min, currency, locale)),
        AmountError::AboveMaximum { max } => format!("The maximum is {}.", format_money(*max, currency, locale)),
    }
}

pub fn error_message(error: &ApiError) -> String {
    error.to_string()
}

pub fn status_title(status: DonationStatus) -> &'static str {
    match status {
        DonationStatus::Pending | DonationStatus::Processing => "Your donation is processing",
        DonationStatus::Completed => "Thank you! Your donation is complete",
        DonationStatus::Failed => "The payment didn't go through",
        DonationStatus::Cancelled => "The donation was cancelled",
        DonationStatus::Expired => "The checkout link expired",
    }
}

pub fn status_detail(status: DonationStatus) -> &'static str {
    match status {
        DonationStatus::Pending | DonationStatus::Processing => {
            "If you finished checkout, this updates by itself in a few seconds."
        }
        DonationStatus::Completed => "A receipt is on its way to your inbox.",
        DonationStatus::Failed => "No money was taken. You can try again.",
        DonationStatus::Cancelled => "No money was taken.",
        DonationStatus::Expired => "No money was taken. Start again to get a fresh checkout link.",
    }
}

/// Formats minor units as money in `locale`, e.g. `2500` USD → `$25.00`.
///
/// The amount reaches `Intl` as an exact decimal string, never as a float.
pub fn format_money(minor: u64, currency: Currency, locale: &str) -> String {
    let digits = currency.minor_digits() as usize;
    let unit = currency.minor_per_major();
    let decimal = if digits == 0 { minor.to_string() } else { format!("{}.{:0digits$}", minor / unit, minor % unit) };
    let options = Object::new();
    let _ = Reflect::set(&options, &"style".into(), &"currency".into());
    let _ = Reflect::set(&options, &"currency".into(), &currency.code().into());
    let formatter = Intl::NumberFormat::new(&locales(locale), &options);
    formatter
        .format()
        .call1(&JsValue::UNDEFINED, &JsValue::from_str(&decimal))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| format!("{} {decimal}", currency.code()))
}

/// The locale's decimal separator (`.` or `,`), for reading what donors type.
pub fn decimal_separator(locale: &str) -> char {
    let formatter = Intl::NumberFormat::new(&locales(locale), &Object::new());
    formatter
        .format()
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(1.5))
        .ok()
        .and_then(|v| v.as_string())
        .and_then(|s| s.chars().find(|c| !c.is_ascii_digit()))
        .unwrap_or('.')
}

#[wasm_bindgen]
extern "C" {
    /// js-sys' binding does not catch the `RangeError` an invalid tag throws.
    #[wasm_bindgen(js_namespace = Intl, js_name = getCanonicalLocales, catch)]
    fn canonical_locales(tag: &str) -> Result<Array, JsValue>;
}

/// `[locale]` when it is a valid BCP 47 tag, else `[]` (the browser's default),
/// because Intl throws on an invalid tag.
fn locales(locale: &str) -> Array {
    canonical_locales(locale).unwrap_or_else(|_| Array::new())
}
