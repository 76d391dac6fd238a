#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
//! The state machine with the in-memory API ([`FakeSirApi`]) swapped in at its one seam,
//! in the browser (state uses timers), each over its own in-memory storage.

use std::cell::RefCell;
use std::rc::Rc;

use any_spawner::Executor;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use sir_donate::api::fake::FakeSirApi;
use sir_donate::api::storage::{MemoryStorage, Storage};
use sir_donate::api::{ApiError, CreateLinkResponse, DonationStatusResponse, Organization, SirApi};
use sir_donate::domain::{Currency, DonationStatus, Frequency, RawOptions, WidgetOptions};
use sir_donate::state::{CheckoutPlace, PendingDonation, Phase, Seams, WidgetEvent, WidgetHost, WidgetState};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Default)]
struct RecordingHost {
    events: RefCell<Vec<WidgetEvent>>,
    navigations: RefCell<Vec<String>>,
    cancelled: RefCell<u32>,
}

impl WidgetHost for RecordingHost {
    fn emit(&self, event: WidgetEvent) {
        self.events.borrow_mut().push(event);
    }
    fn cancel_checkout(&self) {
        *self.cancelled.borrow_mut() += 1;
    }
    fn navigate(&self, donation_link: &str) -> CheckoutPlace {
        self.navigations.borrow_mut().push(donation_link.to_owned());
        CheckoutPlace::ThisTab
    }
}

fn fake_with_org(slug: &str) -> Rc<FakeSirApi> {
    let fake = FakeSirApi::default();
    fake.organizations.borrow_mut().push(Organization {
        slug: Some(slug.to_owned()),
        name: "Water.org".into(),
        ..Organization::default()
    });
    Rc::new(fake)
}

/// The next create-link makes donation `id`, with its checkout at `https://checkout.example/<id>`.
fn answer_create_link(fake: &FakeSirApi, id: &str) {
    fake.create_link_answers.borrow_mut().push_back(Ok(CreateLinkResponse {
        donation_link: format!("https://checkout.example/{id}"),
        partner_donation_id: id.to_owned(),
    }));
}

fn options(org: &str) -> WidgetOptions {
    let raw: RawOptions =
        [("key", "pk_test_fake"), ("org", org)].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    WidgetOptions::from_raw(&raw).unwrap()
}

async fn until(condition: impl Fn() -> bool) {
    for _ in 0..100 {
        if condition() {
            return;
        }
        TimeoutFuture::new(20).await;
    }
    panic!("condition never held");
}

/// A fresh reactive owner and a widget state over `fake`, with storage of its own.
fn state_over(fake: &Rc<FakeSirApi>, host: &Rc<RecordingHost>, org: &str) -> WidgetState {
    state_with_storage(fake, host, org, Rc::new(MemoryStorage::default()))
}

fn state_with_storage(
    fake: &Rc<FakeSirApi>,
    host: &Rc<RecordingHost>,
    org: &str,
    storage: Rc<dyn Storage>,
) -> WidgetState {
    let _ = Executor::init_wasm_bindgen();
    Owner::new().set();
    let api: Rc<dyn SirApi> = fake.clone();
    let host: Rc<dyn WidgetHost> = host.clone();
    WidgetState::new(options(org), Seams { api: Ok(api), partner: None, host, storage }, '.')
}

#[wasm_bindgen_test]
async fn repeated_submits_make_exactly_one_create_link_call() {
    let fake = fake_with_org("state-test-once");
    answer_create_link(&fake, "d1");
    let host = Rc::new(RecordingHost::default());
    let state = state_over(&fake, &host, "state-test-once");
    until(|| matches!(state.organization.get_untracked(), Some(Ok(_)))).await;

    state.submit();
    state.submit();
    state.submit();
    until(|| !host.navigations.borrow().is_empty()).await;

    let creates = fake.calls.borrow().iter().filter(|c| c.starts_with("create-link")).count();
    assert_eq!(creates, 1);
    assert_eq!(*host.navigations.borrow(), ["https://checkout.example/d1"]);
    assert_eq!(state.flow.phase.get_untracked(), Phase::Redirecting);
    assert!(host.events.borrow().iter().any(|e| matches!(e, WidgetEvent::LinkCreated { .. })));
}

#[wasm_bindgen_test]
async fn a_failed_create_link_returns_to_the_form_with_the_error() {
    let fake = fake_with_org("state-test-fail");
    fake.create_link_answers.borrow_mut().push_back(Err(ApiError::RateLimited { retry_after_secs: Some(3) }));
    let host = Rc::new(RecordingHost::default());
    let state = state_over(&fake, &host, "state-test-fail");
    until(|| matches!(state.organization.get_untracked(), Some(Ok(_)))).await;

    state.submit();
    until(|| state.flow.error.get_untracked().is_some()).await;

    assert_eq!(state.flow.phase.get_untracked(), Phase::Editing);
    assert_eq!(state.flow.error.get_untracked(), Some(ApiError::RateLimited { retry_after_secs: Some(3) }));
    assert_eq!(*host.cancelled.borrow(), 1, "a pre-opened checkout window is closed");
    assert!(host.navigations.borrow().is_empty());
}

#[wasm_bindgen_test]
async fn an_invalid_amount_sends_nothing() {
    let fake = fake_with_org("state-test-invalid");
    let host = Rc::new(RecordingHost::default());
    let state = state_over(&fake, &host, "state-test-invalid");
    until(|| matches!(state.organization.get_untracked(), Some(Ok(_)))).await;

    state.inputs.amount.set(sir_donate::state::AmountInput::Custom("0".into()));
    state.submit();
    TimeoutFuture::new(50).await;

    assert!(fake.calls.borrow().iter().all(|c| !c.starts_with("create-link")));
    assert!(state.checks.show_field_errors.get_untracked());
    assert_eq!(state.flow.phase.get_untracked(), Phase::Editing);
}

#[wasm_bindgen_test]
async fn a_created_donation_is_followed_again_after_a_reload_until_donate_again() {
    let fake = fake_with_org("state-test-reload");
    answer_create_link(&fake, "d2");
    fake.status_answers.borrow_mut().push_back(Ok(DonationStatusResponse { status: Some("processing".into()) }));
    let storage: Rc<dyn Storage> = Rc::new(MemoryStorage::default());
    let host = Rc::new(RecordingHost::default());
    let state = state_with_storage(&fake, &host, "state-test-reload", storage.clone());
    until(|| matches!(state.organization.get_untracked(), Some(Ok(_)))).await;
    state.inputs.frequency.set(Frequency::Monthly);
    state.submit();
    until(|| !host.navigations.borrow().is_empty()).await;

    // The page comes back from the checkout: a new widget over the same storage.
    let back = state_with_storage(&fake, &host, "state-test-reload", storage.clone());
    let Phase::Following { donation, status } = back.flow.phase.get_untracked() else {
        panic!("the saved donation is followed again");
    };
    assert_eq!(status, DonationStatus::Pending);
    assert_eq!(
        donation,
        PendingDonation {
            partner_donation_id: "d2".into(),
            nonprofit_slug: "state-test-reload".into(),
            nonprofit_name: "Water.org".into(),
            amount: 2_500,
            currency: Currency::USD,
            frequency: Frequency::Monthly,
        }
    );

    back.donate_again();
    let again = state_with_storage(&fake, &host, "state-test-reload", storage);
    assert_eq!(again.flow.phase.get_untracked(), Phase::Editing, "donate again forgets the donation");
}
