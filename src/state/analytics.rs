//! The analytics bridge (`analytics` option): what the page's own tag manager hears of the
//! widget's events, under documented names (docs/events.md). The widget sends nothing
//! anywhere itself, and never the donor's email or name: only these fields exist.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::flow::Phase;
use super::host::WidgetEvent;
use super::widget::WidgetState;
use crate::domain::{Analytics, Currency, Frequency, major_units};

/// One event for the page's tag manager.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalyticsEvent {
    /// `sir_donate_view`, `sir_donate_start`, `sir_donate_link_created`,
    /// `sir_donate_completed` or `sir_donate_error`.
    pub name: &'static str,
    /// Major units (`25.5`); `None` while the amount is invalid.
    pub value: Option<f64>,
    pub currency: Currency,
    /// The nonprofit's slug.
    pub nonprofit: String,
    pub frequency: Frequency,
    /// The donation's `partnerDonationId`, once there is one.
    pub transaction_id: Option<String>,
    /// The `error` event's code.
    pub error_code: Option<&'static str>,
}

/// What the tag manager hears about: a widget event, or the donor's Donate as the form stood.
pub(super) enum Tracked {
    Event(WidgetEvent),
    Donate,
}

impl WidgetState {
    /// Hands `tracked` to the page's tag manager, if the partner asked for one. The mapping
    /// loads as a chunk of its own (`split`), with the first event: a page without analytics
    /// loads none of it. Events keep their order (one task each, run in turn).
    pub(super) fn track(&self, tracked: Tracked) {
        if self.options.try_with_untracked(|o| o.analytics != Analytics::Off).unwrap_or(false) {
            spawn_local(track_step(*self, tracked));
        }
    }

    /// The tag manager's event for `event`, when the partner asked for one.
    fn analytics_event(&self, event: &WidgetEvent) -> Option<AnalyticsEvent> {
        let (analytics, currency) = self.options.try_with_untracked(|o| (o.analytics, o.amounts.currency))?;
        if analytics == Analytics::Off {
            return None;
        }
        // The form as it stands, for the events before a donation exists.
        let form = |name| AnalyticsEvent {
            name,
            value: self.checks.amount_minor.try_get_untracked().and_then(Result::ok).map(|m| major_units(m, currency)),
            currency,
            nonprofit: self.inputs.selected_org.try_get_untracked().unwrap_or_default(),
            frequency: self.inputs.frequency.try_get_untracked().unwrap_or_default(),
            transaction_id: None,
            error_code: None,
        };
        match event {
            WidgetEvent::Ready => Some(form("sir_donate_view")),
            WidgetEvent::Change { .. } => self.first_start().then(|| form("sir_donate_start")),
            WidgetEvent::LinkCreated { donation, .. } => Some(AnalyticsEvent {
                name: "sir_donate_link_created",
                value: Some(major_units(donation.amount, donation.currency)),
                currency: donation.currency,
                nonprofit: donation.nonprofit_slug.clone(),
                frequency: donation.frequency,
                transaction_id: Some(donation.partner_donation_id.clone()),
                error_code: None,
            }),
            WidgetEvent::Completed { partner_donation_id } => {
                let donation = self.flow.phase.try_with_untracked(|phase| match phase {
                    Phase::Following { donation, .. } => Some(donation.clone()),
                    _ => None,
                });
                let donation = donation.flatten().filter(|d| d.partner_donation_id == *partner_donation_id)?;
                Some(AnalyticsEvent {
                    name: "sir_donate_completed",
                    value: Some(major_units(donation.amount, donation.currency)),
                    currency: donation.currency,
                    nonprofit: donation.nonprofit_slug,
                    frequency: donation.frequency,
                    transaction_id: Some(donation.partner_donation_id),
                    error_code: None,
                })
            }
            WidgetEvent::Error(error) => {
                Some(AnalyticsEvent { error_code: Some(error.code()), ..form("sir_donate_error") })
            }
            WidgetEvent::Organization(_) | WidgetEvent::Status { .. } => None,
        }
    }

    /// True the first time it is asked.
    fn first_start(&self) -> bool {
        let started = self.started.try_with_untracked(|started| *started).unwrap_or(true);
        self.started.writable().try_set(true);
        !started
    }
}

/// [`WidgetState::track`]'s work: the event's fields, read from the state as it stands.
#[cfg_attr(feature = "split", lazy)]
async fn track_step(state: WidgetState, tracked: Tracked) {
    let event = match tracked {
        Tracked::Event(event) => state.analytics_event(&event),
        // The donor's first move (a change, or Donate as the form stood): `sir_donate_start`, once.
        Tracked::Donate => state
            .first_start()
            .then(|| state.analytics_event(&WidgetEvent::Ready))
            .flatten()
            .map(|event| AnalyticsEvent { name: "sir_donate_start", ..event }),
    };
    if let Some(event) = event {
        state.host.try_with_value(|host| host.track(event));
    }
}
