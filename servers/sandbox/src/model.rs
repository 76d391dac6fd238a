//! The sandbox's data: what `state` holds and the handlers read and change. It depends on
//! no handler, so the handlers depend on it and on `state`, never the other way round.

pub mod donation;
pub mod hooks;
pub mod ledger;

pub use donation::{Donation, DonationStatus, Donor, Frequency, Provider};
pub use hooks::{DeliveryRecord, Hooks, PresetWebhook, Webhook};
pub use ledger::{Ledger, User};
