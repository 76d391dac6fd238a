//! The page around the widget: [`WidgetHost`] receives [`WidgetEvent`]s and does the
//! navigation (embed implements it with DOM events and windows).

use super::analytics::AnalyticsEvent;
use super::pending::PendingDonation;
use crate::api::{ApiError, Organization};
use crate::domain::{Currency, DonationStatus, Frequency};

/// What the widget tells the page around it (embed turns these into DOM events).
#[derive(Clone, Debug, PartialEq)]
pub enum WidgetEvent {
    Ready,
    Organization(Organization),
    /// The donor's choice changed: amount in minor units (`None` while invalid).
    Change {
        amount: Option<u64>,
        currency: Currency,
        frequency: Frequency,
        valid: bool,
    },
    LinkCreated {
        donation: PendingDonation,
        donation_link: String,
    },
    Status {
        partner_donation_id: String,
        status: DonationStatus,
    },
    Completed {
        partner_donation_id: String,
    },
    Error(ApiError),
}

/// Where the donor finishes checkout.
#[derive(Clone, Debug, PartialEq)]
pub enum CheckoutPlace {
    /// This page navigates to the checkout.
    ThisTab,
    /// A new tab or popup shows it; this widget follows the status meanwhile.
    OtherWindow,
    /// The browser blocked the new window: the donor gets this link to open it.
    Blocked(String),
}

/// What state needs from the page: a place to send events, and navigation.
pub trait WidgetHost {
    fn emit(&self, event: WidgetEvent);
    /// Hands an event to the page's tag manager (the `analytics` option).
    fn track(&self, _event: AnalyticsEvent) {}
    /// Called in the donor's click, before any await: a new tab or popup must be
    /// opened while the browser still counts the click as the user's.
    fn prepare_checkout(&self) {}
    /// The create-link request failed: close whatever `prepare_checkout` opened.
    fn cancel_checkout(&self) {}
    /// Sends the donor to the (already checked) checkout link.
    fn navigate(&self, donation_link: &str) -> CheckoutPlace;
    /// Whether the page is in a background tab; status polling pauses meanwhile.
    fn page_hidden(&self) -> bool {
        false
    }
}
