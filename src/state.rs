//! The widget's state machine: the only place that turns async API work into signals.
//!
//! ```text
//! Editing ──submit──▶ Creating ──ok──▶ Redirecting ──(checkout, reload)──▶ Following ──▶ terminal
//!    ▲                   │err                                                  │
//!    └───────────────────┴──────────────────── donate again ◀──────────────────┘
//! ```
//!
//! One concept per file, none importing a file that imports it back: `loaded` and `read_only`
//! (signal helpers), `pending` (the donation kept across the checkout), `host` (the page around
//! the widget: events, navigation), `form` (what the donor edits, and what follows from it),
//! `flow` (the phase), `reward`, `widget` (`WidgetState`'s fields and seams), and its moves:
//! `submit` (the click and the create-link step) and `following` (status and reward polling).
//! This file builds the state and announces it to the page. Components get writable signals
//! only for what the donor edits ([`DonorInputs`]); the rest is [`ReadOnly`] to them.

mod analytics;
mod flow;
mod following;
mod form;
mod goal;
mod host;
mod loaded;
mod pending;
mod prefill;
mod read_only;
mod reward;
mod submit;
mod widget;

use leptos::prelude::*;

pub use analytics::AnalyticsEvent;
pub use flow::{Flow, Phase};
pub use form::{AmountInput, DonorInputs, FormChecks};
pub use host::{CheckoutPlace, WidgetEvent, WidgetHost};
pub use loaded::Loaded;
pub use pending::PendingDonation;
pub use read_only::ReadOnly;
pub use reward::{Reward, RewardInfo, RewardStatus};
pub use widget::{Seams, WidgetState};

use crate::api::ApiError;
use crate::domain::{Frequency, WidgetOptions};

impl WidgetState {
    /// Builds the state for one widget, and picks up the donation it was following
    /// before a checkout round trip or a reload.
    pub fn new(options: WidgetOptions, seams: Seams, decimal_separator: char) -> Self {
        let Seams { api, partner, host, storage } = seams;
        let setup_error = api.as_ref().err().cloned();
        let api = StoredValue::new_local(api.ok());
        let storage_slot = StoredValue::new(pending::slot(&options.key, &options.organizations));
        let inputs = DonorInputs::new(&options);
        let options = ReadOnly::new(options);
        let selected_org = inputs.selected_org;

        let config = Loaded::new(move || {
            let api = api.get_value();
            async move {
                match api {
                    Some(api) => api.config().await,
                    None => Err(ApiError::Aborted),
                }
            }
        });
        let organization = Loaded::new(move || {
            let slug = selected_org.get();
            let api = api.get_value();
            async move {
                match api {
                    Some(api) => api.organization(&slug).await,
                    None => Err(ApiError::Aborted),
                }
            }
        });
        let blocking_error = Memo::new(move |_| {
            if let Some(error) = &setup_error {
                return Some(error.clone());
            }
            if let Some(Ok(config)) = config.get()
                && (!config.is_active() || !config.donations_enabled())
            {
                return Some(ApiError::DonationsDisabled);
            }
            match organization.get() {
                Some(Ok(org)) if !org.is_active() => Some(ApiError::OrganizationInactive),
                Some(Err(error)) if !error.retryable() && error != ApiError::Aborted => Some(error),
                _ => None,
            }
        });

        let state = Self {
            options,
            config,
            organization,
            blocking_error,
            inputs,
            checks: FormChecks::new(inputs, options, config, decimal_separator),
            flow: Flow::new(),
            reward: Reward::new(),
            api,
            host: StoredValue::new_local(host),
            partner: StoredValue::new_local(partner),
            storage: StoredValue::new_local(storage),
            storage_slot,
            started: ReadOnly::new(false),
        };
        state.announce_loading();
        state.announce_changes();
        let saved = state.storage.with_value(|s| PendingDonation::load(s.as_ref(), &state.storage_slot.get_value()));
        if let Some(pending) = saved {
            state.follow(pending);
        }
        state
    }

    /// The nonprofits to choose from, as (slug, name once known), read one after the other.
    /// Only the chooser (several slugs) asks, so this code loads with its chunk.
    pub fn nonprofit_choices(&self) -> Loaded<Vec<(String, Option<String>)>> {
        let api = self.api;
        let slugs = self.options.with_untracked(|o| o.organizations.clone());
        Loaded::new(move || {
            let api = api.get_value();
            let slugs = slugs.clone();
            async move {
                let mut named = Vec::with_capacity(slugs.len());
                for slug in slugs {
                    let name = match &api {
                        Some(api) => api.organization(&slug).await.ok().map(|o| o.name),
                        None => None,
                    };
                    named.push((slug, name));
                }
                named
            }
        })
    }

    /// Emits `ready`/`organization` once the nonprofit is shown, and setup errors once.
    pub(super) fn announce_loading(&self) {
        let (state, organization, blocking_error) = (*self, self.organization, self.blocking_error);
        Effect::new(move |announced: Option<bool>| {
            if let Some(error) = blocking_error.get() {
                state.emit(WidgetEvent::Error(error));
                return true;
            }
            match organization.get() {
                Some(Ok(org)) => {
                    if announced != Some(true) {
                        state.emit(WidgetEvent::Ready);
                    }
                    state.emit(WidgetEvent::Organization(org));
                    true
                }
                Some(Err(error)) if error != ApiError::Aborted => {
                    state.emit(WidgetEvent::Error(error));
                    announced.unwrap_or(false)
                }
                _ => announced.unwrap_or(false),
            }
        });
    }

    /// Emits `change` whenever the amount, frequency or validity changes (not on
    /// the first render: `ready` covers the initial state).
    pub(super) fn announce_changes(&self) {
        let (state, checks, frequency) = (*self, self.checks, self.inputs.frequency);
        Effect::new(move |previous: Option<(Option<u64>, Frequency, bool)>| {
            let amount = checks.amount_minor.get().ok();
            let valid = amount.is_some() && checks.email_valid.get() && checks.names_valid.get();
            let frequency = frequency.get();
            // The amount is derived on every keystroke: only a change the page can see counts.
            if previous.is_some_and(|previous| previous != (amount, frequency, valid)) {
                let currency = state.options.with_untracked(|o| o.amounts.currency);
                state.emit(WidgetEvent::Change { amount, currency, frequency, valid });
            }
            (amount, frequency, valid)
        });
    }
}
