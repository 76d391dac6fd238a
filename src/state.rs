//! The widget's state machine: the only place that turns async API work into signals.
//!
//! ```text
//! Editing ──submit──▶ Creating ──ok──▶ Redirecting ──(checkout, reload)──▶ Following ──▶ terminal
//!    ▲                   │err                                                  │
//!    └───────────────────┴──────────────────── donate again ◀──────────────────┘
//! ```

mod loaded;

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;

pub use loaded::Loaded;

use crate::api::partner::PartnerClient;
use crate::api::session::{self, PendingDonation};
use crate::api::{ApiError, CreateLinkRequest, CreateLinkResponse, Organization, PartnerConfig, SirApi};
use crate::domain::{AmountError, DonationStatus, Frequency, WidgetOptions, tip_minor, validate_email};

/// Status polling: first waits, then the last one repeats, until the deadline.
const POLL_DELAYS_MS: [u32; 5] = [1_000, 2_000, 3_000, 5_000, 8_000];
const POLL_DEADLINE_MS: f64 = 30.0 * 60.0 * 1000.0;
/// Looks at a completed donation's reward with the partner server, 2 s apart: it follows
/// SIR's signed webhook, which can land a few seconds after the donor is back.
const REWARD_ATTEMPTS: u32 = 6;

/// What the widget tells the page around it (embed turns these into DOM events).
#[derive(Clone, Debug, PartialEq)]
pub enum WidgetEvent {
    Ready,
    Organization(Organization),
    /// The donor's choice changed: amount in minor units (`None` while invalid).
    Change {
        amount: Option<u64>,
        currency: String,
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

/// Where the donor is in the flow.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Editing,
    Creating,
    Redirecting,
    Following { donation: PendingDonation, status: DonationStatus },
}

/// The donor's amount choice: a preset, or what they typed.
#[derive(Clone, Debug, PartialEq)]
pub enum AmountInput {
    Preset(u64),
    Custom(String),
}

/// What the partner server reported about the donor's SIR reward.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RewardInfo {
    pub status: RewardStatus,
    /// Tokens earned by this donation.
    pub tokens: Option<u64>,
    /// The signed-in donor's balance, when the partner server knows the donor.
    pub balance: Option<u64>,
}

/// Where the reward is, in the donor's terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RewardStatus {
    /// SIR accepted it (`issued`, `confirmed`).
    #[default]
    Earned,
    /// The partner server is still getting SIR to accept it.
    Pending,
    Reversed,
    Failed,
}

impl RewardStatus {
    /// For `data-reward` (styling hooks and tests).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Earned => "earned",
            Self::Pending => "pending",
            Self::Reversed => "reversed",
            Self::Failed => "failed",
        }
    }

    /// The contract's `state`; an unknown one reads as pending, the cautious word.
    pub fn from_contract(state: Option<&str>) -> Self {
        match state {
            Some("issued" | "confirmed") => Self::Earned,
            Some("reversed") => Self::Reversed,
            Some("failed") => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// All reactive state of one mounted widget. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct WidgetState {
    pub options: RwSignal<WidgetOptions>,
    pub config: Loaded<Result<PartnerConfig, ApiError>>,
    pub selected_org: RwSignal<String>,
    pub organization: Loaded<Result<Organization, ApiError>>,
    pub amount: RwSignal<AmountInput>,
    pub frequency: RwSignal<Frequency>,
    pub email: RwSignal<String>,
    pub first_name: RwSignal<String>,
    pub last_name: RwSignal<String>,
    /// Field errors show only after the first submit attempt, not while typing.
    pub show_field_errors: RwSignal<bool>,
    pub phase: RwSignal<Phase>,
    /// The last failure that the donor can act on (retry, fix input).
    pub error: RwSignal<Option<ApiError>>,
    /// A failure that stops donating altogether (bad key, unknown nonprofit, …).
    pub blocking_error: Memo<Option<ApiError>>,
    pub amount_minor: Signal<Result<u64, AmountError>>,
    /// The email is well formed, or empty where it is optional.
    pub email_valid: Memo<bool>,
    /// Both names are given, where names are required.
    pub names_valid: Memo<bool>,
    /// Set after completion when a partner endpoint is configured.
    pub reward: RwSignal<Option<RewardInfo>>,
    pub checkout: RwSignal<CheckoutPlace>,
    /// The tip the partner config offers, in percent (`None`: no tip UI).
    pub tip_offer: Signal<Option<u32>>,
    /// Whether the donor keeps the offered tip.
    pub tip_on: RwSignal<bool>,
    /// What the donor pays in all: amount plus tip, in minor units.
    pub total_minor: Signal<Result<u64, AmountError>>,
    api: StoredValue<Option<Rc<dyn SirApi>>, LocalStorage>,
    host: StoredValue<Rc<dyn WidgetHost>, LocalStorage>,
    partner: StoredValue<Option<Rc<PartnerClient>>, LocalStorage>,
    /// Scope of the session-storage slot: the key plus the nonprofit list.
    storage_scope: StoredValue<String>,
}

impl WidgetState {
    /// Builds the state for one widget. `api` is the setup error instead when the key
    /// or base URL was refused: the widget then shows it and sends nothing.
    pub fn new(
        options: WidgetOptions,
        api: Result<Rc<dyn SirApi>, ApiError>,
        partner: Option<Rc<PartnerClient>>,
        host: Rc<dyn WidgetHost>,
        decimal_separator: char,
    ) -> Self {
        let setup_error = api.as_ref().err().cloned();
        let api = StoredValue::new_local(api.ok());
        let host = StoredValue::new_local(host);
        let partner = StoredValue::new_local(partner);
        let storage_scope = StoredValue::new(format!("{}:{}", options.key, options.organizations.join(",")));
        let selected_org = RwSignal::new(options.organizations.first().cloned().unwrap_or_default());
        let amount = RwSignal::new(match options.amounts.default {
            Some(minor) => AmountInput::Preset(minor),
            None => AmountInput::Custom(String::new()),
        });
        let frequency = RwSignal::new(options.frequency);
        let options = RwSignal::new(options);

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

        // Derived, not memos: they are cheap to compute, and each memo value type costs its own
        // copy of the memo code (about 2.5 KB raw each, twiggy). `announce_changes` drops repeats.
        let amount_minor = Signal::derive(move || {
            let rules = options.with(|o| o.amounts.clone());
            match amount.get() {
                AmountInput::Preset(minor) => rules.check(minor),
                AmountInput::Custom(text) => rules.check_entry(&text, decimal_separator),
            }
        });
        let email = RwSignal::new(String::new());
        let required = options.with_untracked(|o| o.required);
        let email_valid =
            Memo::new(move |_| email.with(|e| if e.trim().is_empty() { !required.email } else { validate_email(e) }));
        let (first_name, last_name) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
        let names_valid = Memo::new(move |_| {
            !required.name || (first_name.with(|f| !f.trim().is_empty()) && last_name.with(|l| !l.trim().is_empty()))
        });

        // Decision (§7.11): the tip UI shows only when the config says `enabled` with a
        // positive default; the percent is rounded to a whole number.
        let tip_offer = Signal::derive(move || match config.get() {
            Some(Ok(PartnerConfig { tip_config: Some(tip), .. })) if tip.enabled => {
                tip.default_percent.map(|p| p.round().clamp(0.0, 100.0) as u32).filter(|p| *p > 0)
            }
            _ => None,
        });
        // Decision: the tip is offered, never pre-selected: a pre-checked tip is a
        // well-known dark pattern, and the donor should choose what they pay.
        let tip_on = RwSignal::new(false);
        let total_minor = Signal::derive(move || {
            let amount = amount_minor.get()?;
            let tip = tip_offer.get().filter(|_| tip_on.get()).map_or(0, |p| tip_minor(amount, p));
            Ok(amount + tip)
        });
        let checkout = RwSignal::new(CheckoutPlace::ThisTab);

        let phase = RwSignal::new(Phase::Editing);
        let error = RwSignal::new(None);
        let state = Self {
            options,
            config,
            selected_org,
            organization,
            amount,
            frequency,
            email,
            first_name,
            last_name,
            names_valid,
            show_field_errors: RwSignal::new(false),
            phase,
            error,
            blocking_error,
            amount_minor,
            email_valid,
            reward: RwSignal::new(None),
            checkout,
            tip_offer,
            tip_on,
            total_minor,
            api,
            host,
            partner,
            storage_scope,
        };
        state.announce_loading();
        state.announce_changes();
        if let Some(pending) = session::load(&state.storage_scope.get_value()) {
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
    fn announce_loading(&self) {
        let host = self.host;
        let organization = self.organization;
        let blocking_error = self.blocking_error;
        Effect::new(move |announced: Option<bool>| {
            if let Some(error) = blocking_error.get() {
                host.with_value(|h| h.emit(WidgetEvent::Error(error)));
                return true;
            }
            match organization.get() {
                Some(Ok(org)) => {
                    if announced != Some(true) {
                        host.with_value(|h| h.emit(WidgetEvent::Ready));
                    }
                    host.with_value(|h| h.emit(WidgetEvent::Organization(org)));
                    true
                }
                Some(Err(error)) if error != ApiError::Aborted => {
                    host.with_value(|h| h.emit(WidgetEvent::Error(error)));
                    announced.unwrap_or(false)
                }
                _ => announced.unwrap_or(false),
            }
        });
    }

    /// Emits `change` whenever the amount, frequency or validity changes (not on
    /// the first render: `ready` covers the initial state).
    fn announce_changes(&self) {
        let (host, options, amount_minor, frequency, email_valid, names_valid) =
            (self.host, self.options, self.amount_minor, self.frequency, self.email_valid, self.names_valid);
        Effect::new(move |previous: Option<(Option<u64>, Frequency, bool)>| {
            let amount = amount_minor.get().ok();
            let valid = amount.is_some() && email_valid.get() && names_valid.get();
            let frequency = frequency.get();
            // The amount is derived on every keystroke: only a change the page can see counts.
            if previous.is_some_and(|previous| previous != (amount, frequency, valid)) {
                let currency = options.with_untracked(|o| o.amounts.currency.code().to_owned());
                host.with_value(|h| h.emit(WidgetEvent::Change { amount, currency, frequency, valid }));
            }
            (amount, frequency, valid)
        });
    }

    /// Starts one donation. A second call while one is under way does nothing, so a
    /// double click, Enter mashing or a slow network make at most one create-link.
    pub fn submit(&self) {
        if self.phase.get_untracked() != Phase::Editing || self.blocking_error.get_untracked().is_some() {
            return;
        }
        self.show_field_errors.set(true);
        let donor_ok = self.email_valid.get_untracked() && self.names_valid.get_untracked();
        let (Ok(amount), true) = (self.amount_minor.get_untracked(), donor_ok) else {
            return;
        };
        let Some(Ok(org)) = self.organization.get_untracked() else { return };
        let options = self.options.get_untracked();
        let optional = |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|s| !s.is_empty());
        let request = CreateLinkRequest {
            nonprofit_slug: self.selected_org.get_untracked(),
            amount,
            currency: options.amounts.currency.code().to_owned(),
            frequency: self.frequency.get_untracked().as_str().to_owned(),
            donor_email: optional(self.email),
            first_name: optional(self.first_name),
            last_name: optional(self.last_name),
            referral_code: options.referral_code.clone(),
            ..CreateLinkRequest::default()
        };
        let request = match self.tip_offer.get_untracked().filter(|_| self.tip_on.get_untracked()) {
            Some(percent) => CreateLinkRequest {
                tip_amount: Some(tip_minor(amount, percent)),
                tip_percent: Some(percent),
                ..request
            },
            None => request,
        };
        self.error.set(None);
        self.phase.set(Phase::Creating);
        self.host.with_value(|host| host.prepare_checkout());
        self.create_link(request, org.name);
    }

    /// Sends the one create-link request of a submit, through the partner server when
    /// there is one (it ties the donation to the signed-in donor), else, or when nobody is
    /// signed in there, to SIR. Never retried (see [`SirApi::create_link`]).
    fn create_link(self, request: CreateLinkRequest, nonprofit_name: String) {
        if self.api.get_value().is_none() {
            return;
        }
        spawn_local(create_link_step(self, request, nonprofit_name));
    }

    /// Leaves for the checkout, or goes back to the form with the error. Every access
    /// is a `try_`: the widget may have been destroyed while the request ran.
    fn link_answered(
        self,
        request: CreateLinkRequest,
        nonprofit_name: String,
        result: Result<CreateLinkResponse, ApiError>,
    ) {
        let host = self.host;
        match result {
            Ok(created) => {
                let donation = PendingDonation {
                    partner_donation_id: created.partner_donation_id,
                    nonprofit_slug: request.nonprofit_slug,
                    nonprofit_name,
                    amount: request.amount,
                    currency: request.currency,
                    frequency: request.frequency,
                };
                // Saved before leaving, so the id survives the checkout round trip.
                if let Some(scope) = self.storage_scope.try_get_value() {
                    session::save(&scope, &donation);
                }
                self.phase.try_set(Phase::Redirecting);
                let place = host.try_with_value(|host| {
                    host.emit(WidgetEvent::LinkCreated {
                        donation: donation.clone(),
                        donation_link: created.donation_link.clone(),
                    });
                    host.navigate(&created.donation_link)
                });
                if let Some(place) = place.filter(|place| *place != CheckoutPlace::ThisTab) {
                    self.checkout.try_set(place);
                    self.follow(donation);
                }
            }
            Err(ApiError::Aborted) => {
                host.try_with_value(|host| host.cancel_checkout());
            }
            Err(failure) => {
                host.try_with_value(|host| host.cancel_checkout());
                self.phase.try_set(Phase::Editing);
                self.error.try_set(Some(failure.clone()));
                host.try_with_value(|host| host.emit(WidgetEvent::Error(failure)));
            }
        }
    }

    /// Follows a created donation's status until it is final, the deadline passes or
    /// the widget is destroyed (its signals are then gone, and every `try_` says so).
    pub fn follow(&self, donation: PendingDonation) {
        if self.api.try_get_value().flatten().is_none() {
            return;
        }
        self.phase.try_set(Phase::Following { donation: donation.clone(), status: DonationStatus::Pending });
        spawn_local(follow_status(*self, donation));
    }

    /// Forgets the finished donation and shows the form again.
    pub fn donate_again(&self) {
        session::clear(&self.storage_scope.get_value());
        self.checkout.set(CheckoutPlace::ThisTab);
        self.error.set(None);
        self.show_field_errors.set(false);
        self.phase.set(Phase::Editing);
    }
}

/// The create-link step of a submit: the request, then checkout or the error. Split into its
/// own chunk (`split`), which the loader preloads once the form is ready (js/src/chunks.js);
/// the donor's click itself (validation, opening a new tab or popup) stays synchronous.
#[cfg_attr(feature = "split", lazy)]
async fn create_link_step(state: WidgetState, request: CreateLinkRequest, nonprofit_name: String) {
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
    state.link_answered(request, nonprofit_name, result);
}

/// The polling of [`WidgetState::follow`], in its own chunk (`split`).
#[cfg_attr(feature = "split", lazy)]
async fn follow_status(state: WidgetState, donation: PendingDonation) {
    let Some(api) = state.api.try_get_value().flatten() else { return };
    let partner = state.partner.try_get_value().flatten();
    let (phase, host, reward) = (state.phase, state.host, state.reward);
    let started = js_sys::Date::now();
    let id = donation.partner_donation_id.clone();
    let mut last = None;
    for round in 0usize.. {
        let still_following = phase
            .try_with_untracked(
                |p| matches!(p, Phase::Following { donation, .. } if donation.partner_donation_id == id),
            )
            .unwrap_or(false);
        if !still_following || js_sys::Date::now() - started > POLL_DEADLINE_MS {
            return;
        }
        // No polling from a background tab; resume as soon as it is shown.
        while host.try_with_value(|h| h.page_hidden()).unwrap_or(false) {
            gloo_timers::future::TimeoutFuture::new(1_000).await;
        }
        match current_status(api.as_ref(), partner.as_deref(), &id).await {
            Ok(status) => {
                if last != Some(status) {
                    last = Some(status);
                    phase.try_set(Phase::Following { donation: donation.clone(), status });
                    host.try_with_value(|h| {
                        h.emit(WidgetEvent::Status { partner_donation_id: id.clone(), status });
                        if status == DonationStatus::Completed {
                            h.emit(WidgetEvent::Completed { partner_donation_id: id.clone() });
                        }
                    });
                    if let (DonationStatus::Completed, Some(partner)) = (status, &partner) {
                        let info = fetch_reward(partner, &id).await;
                        reward.try_set(info);
                    }
                }
                if status.is_terminal() {
                    return;
                }
            }
            Err(ApiError::Aborted) => return,
            // A transient failure was already retried by the client; keep polling.
            Err(error) if error.retryable() => {}
            Err(error) => {
                host.try_with_value(|h| h.emit(WidgetEvent::Error(error)));
                return;
            }
        }
        let delay = POLL_DELAYS_MS[round.min(POLL_DELAYS_MS.len() - 1)];
        gloo_timers::future::TimeoutFuture::new(delay).await;
    }
}

/// The donation's status: from the partner server when one is configured (it is
/// webhook-driven, so authoritative), else, or when it can't answer, from SIR.
async fn current_status(
    api: &dyn SirApi,
    partner: Option<&PartnerClient>,
    id: &str,
) -> Result<DonationStatus, ApiError> {
    if let Some(partner) = partner {
        match partner.donation(id).await {
            Ok(answer) if answer.status.is_some() => {
                return Ok(answer.status.as_deref().map_or(DonationStatus::Processing, DonationStatus::from_api));
            }
            Err(ApiError::Aborted) => return Err(ApiError::Aborted),
            // A partner server that is down or doesn't know the donation yet: degrade to SIR.
            _ => {}
        }
    }
    let answer = api.status(id).await?;
    Ok(answer.status.as_deref().map_or(DonationStatus::Processing, DonationStatus::from_api))
}

/// The donation's reward as the partner server has it, and the donor's new balance once
/// it is earned. `None` when there is none to show: nobody signed in, not this donor's
/// donation, or the partner server can't say.
///
/// A few looks: the partner server rewards on SIR's signed webhook, which can land
/// seconds after SIR's status said "completed", and then asks SIR for the tokens.
async fn fetch_reward(partner: &PartnerClient, id: &str) -> Option<RewardInfo> {
    let mut seen = None;
    for attempt in 0..REWARD_ATTEMPTS {
        match partner.reward(id).await {
            Ok(reward) => {
                let status = RewardStatus::from_contract(reward.state.as_deref());
                seen = Some(RewardInfo { status, tokens: reward.tokens_distributed, balance: None });
                if status != RewardStatus::Pending {
                    break;
                }
            }
            // Nobody signed in, or not this donor's: there is no reward to show.
            Err(ApiError::Aborted | ApiError::Unauthorized | ApiError::DonationNotFound) => return None,
            // Not completed by the webhook yet, or a hiccup: look again.
            Err(_) => {}
        }
        if attempt + 1 < REWARD_ATTEMPTS {
            gloo_timers::future::TimeoutFuture::new(2_000).await;
        }
    }
    let mut info = seen?;
    if info.status == RewardStatus::Earned {
        info.balance = partner.rewards().await.ok().filter(|r| r.signed_in).and_then(|r| r.balance);
    }
    Some(info)
}
