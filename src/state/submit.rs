//! The donor's click and the create-link step: from the form to the checkout.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::analytics::Tracked;
use super::flow::Phase;
use super::host::{CheckoutPlace, WidgetEvent};
use super::pending::PendingDonation;
use super::widget::WidgetState;
use crate::api::{ApiError, CreateLinkRequest, CreateLinkResponse};
use crate::domain::{Currency, Frequency, tip_minor};

/// What a submit asked for, typed, for the donation it creates.
struct Choice {
    nonprofit_name: String,
    currency: Currency,
    frequency: Frequency,
}

impl WidgetState {
    /// Starts one donation. A second call while one is under way does nothing, so a
    /// double click, Enter mashing or a slow network make at most one create-link.
    pub fn submit(&self) {
        let (inputs, checks, flow) = (self.inputs, self.checks, self.flow);
        if flow.phase.get_untracked() != Phase::Editing || self.blocking_error.get_untracked().is_some() {
            return;
        }
        checks.show_field_errors.writable().set(true);
        let donor_ok = checks.email_valid.get_untracked() && checks.names_valid.get_untracked();
        let (Ok(amount), true) = (checks.amount_minor.get_untracked(), donor_ok) else {
            return;
        };
        let Some(Ok(org)) = self.organization.get_untracked() else { return };
        let (currency, referral_code, campaign, attribution) = self
            .options
            .with_untracked(|o| (o.amounts.currency, o.referral_code.clone(), o.campaign.clone(), o.landing.clone()));
        let frequency = inputs.frequency.get_untracked();
        let optional = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let request = CreateLinkRequest {
            nonprofit_slug: inputs.selected_org.get_untracked(),
            amount,
            currency: currency.code().to_owned(),
            frequency: frequency.as_str().to_owned(),
            donor_email: optional(inputs.email),
            first_name: optional(inputs.first_name),
            last_name: optional(inputs.last_name),
            referral_code,
            campaign,
            attribution,
            ..CreateLinkRequest::default()
        };
        let request = match checks.chosen_tip(inputs) {
            Some(percent) => CreateLinkRequest {
                tip_amount: Some(tip_minor(amount, percent)),
                tip_percent: Some(percent),
                ..request
            },
            None => request,
        };
        self.track(Tracked::Donate);
        flow.error.writable().set(None);
        flow.phase.writable().set(Phase::Creating);
        self.host.with_value(|host| host.prepare_checkout());
        if self.api.get_value().is_some() {
            let choice = Choice { nonprofit_name: org.name, currency, frequency };
            spawn_local(create_link_step(*self, request, choice));
        }
    }

    /// Leaves for the checkout, or goes back to the form with the error. Every access
    /// is a `try_`: the widget may have been destroyed while the request ran.
    fn link_answered(self, request: CreateLinkRequest, choice: Choice, result: Result<CreateLinkResponse, ApiError>) {
        let (host, flow) = (self.host, self.flow);
        match result {
            Ok(created) => {
                let donation = PendingDonation {
                    partner_donation_id: created.partner_donation_id,
                    nonprofit_slug: request.nonprofit_slug,
                    nonprofit_name: choice.nonprofit_name,
                    amount: request.amount,
                    currency: choice.currency,
                    frequency: choice.frequency,
                };
                // Saved before leaving, so the id survives the checkout round trip.
                if let Some(slot) = self.storage_slot.try_get_value() {
                    self.storage.try_with_value(|storage| donation.save(storage.as_ref(), &slot));
                }
                flow.phase.writable().try_set(Phase::Redirecting);
                self.emit(WidgetEvent::LinkCreated {
                    donation: donation.clone(),
                    donation_link: created.donation_link.clone(),
                });
                let place = host.try_with_value(|host| host.navigate(&created.donation_link));
                if let Some(place) = place.filter(|place| *place != CheckoutPlace::ThisTab) {
                    flow.checkout.writable().try_set(place);
                    self.follow(donation);
                }
            }
            Err(ApiError::Aborted) => {
                host.try_with_value(|host| host.cancel_checkout());
            }
            Err(failure) => {
                host.try_with_value(|host| host.cancel_checkout());
                flow.phase.writable().try_set(Phase::Editing);
                flow.error.writable().try_set(Some(failure.clone()));
                self.emit(WidgetEvent::Error(failure));
            }
        }
    }

    /// Forgets the finished donation and shows the form again.
    pub fn donate_again(&self) {
        let slot = self.storage_slot.get_value();
        self.storage.with_value(|storage| storage.remove(&slot));
        self.flow.checkout.writable().set(CheckoutPlace::ThisTab);
        self.flow.error.writable().set(None);
        self.checks.show_field_errors.writable().set(false);
        self.flow.phase.writable().set(Phase::Editing);
    }
}

/// The create-link step of a submit: the request, then checkout or the error. Sent through
/// the partner server when there is one (it ties the donation to the signed-in donor), else,
/// or when nobody is signed in there, to SIR. Never retried (see
/// [`SirApi::create_link`](crate::api::SirApi::create_link)).
///
/// Split into its own chunk (`split`), which the loader preloads once the form is ready
/// (js/src/chunks.js); the donor's click itself (validation, opening a new tab or popup)
/// stays synchronous.
#[cfg_attr(feature = "split", lazy)]
async fn create_link_step(state: WidgetState, request: CreateLinkRequest, choice: Choice) {
    let Some(api) = state.api.try_get_value().flatten() else { return };
    let partner = state.partner.try_get_value().flatten();
    let result = match &partner {
        Some(partner) => match partner.create_donation(&request).await {
            // Nobody signed in: the partner server refused before asking SIR, so the
            // link is SIR's to make (an anonymous donation, with no reward here).
            Err(ApiError::Unauthorized) => api.create_link(&request).await,
            created => created,
        },
        None => api.create_link(&request).await,
    };
    state.link_answered(request, choice, result);
}
