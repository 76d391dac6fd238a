#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
//! The state machine with the in-memory API ([`FakeSirApi`]) swapped in at its one seam,
//! in the browser (state uses timers and sessionStorage).

use std::cell::RefCell;
use std::rc::Rc;

use any_spawner::Executor;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use sir_donate::api::fake::FakeSirApi;
use sir_donate::api::{ApiError, CreateLinkResponse, Organization, SirApi};
use sir_donate::domain::{RawOptions, WidgetOptions};
use sir_donate::state::{CheckoutPlace, Phase, WidgetEvent, WidgetHost, WidgetState};
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

/// A fresh reactive owner and a widget state over `fake`.
fn state_over(fake: &Rc<FakeSirApi>, host: &Rc<RecordingHost>, org: &str) -> WidgetState {
    let _ = Executor::init_wasm_bindgen();
    Owner::new().set();
    let api: Rc<dyn SirApi> = fake.clone();
    let host: Rc<dyn WidgetHost> = host.clone();
    WidgetState::new(options(org), Ok(api), None, host, '.')
}

#[wasm_bindgen_test]
async fn repeated_submits_make_exactly_one_create_link_call() {
    let fake = fake_with_org("state-test-once");
    fake.create_link_answers.borrow_mut().push_back(Ok(CreateLinkResponse {
        donation_link: "https://checkout.example/d1".into(),
        partner_donation_id: "d1".into(),
    }));
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
    assert_eq!(state.phase.get_untracked(), Phase::Redirecting);
    assert!(host.events.borrow().iter().any(|e| matches!(e, WidgetEvent::LinkCreated { .. })));
    state.donate_again(); // clears the stored donation for the next test
}

#[wasm_bindgen_test]
async fn a_failed_create_link_returns_to_the_form_with_the_error() {
    let fake = fake_with_org("state-test-fail");
    fake.create_link_answers.borrow_mut().push_back(Err(ApiError::RateLimited { retry_after_secs: Some(3) }));
    let host = Rc::new(RecordingHost::default());
    let state = state_over(&fake, &host, "state-test-fail");
    until(|| matches!(state.organization.get_untracked(), Some(Ok(_)))).await;

    state.submit();
    until(|| state.error.get_untracked().is_some()).await;

    assert_eq!(state.phase.get_untracked(), Phase::Editing);
    assert_eq!(state.error.get_untracked(), Some(ApiError::RateLimited { retry_after_secs: Some(3) }));
    assert_eq!(*host.cancelled.borrow(), 1, "a pre-opened checkout window is closed");
    assert!(host.navigations.borrow().is_empty());
}

#[wasm_bindgen_test]
async fn an_invalid_amount_sends_nothing() {
    let fake = fake_with_org("state-test-invalid");
    let host = Rc::new(RecordingHost::default());
    let state = state_over(&fake, &host, "state-test-invalid");
    until(|| matches!(state.organization.get_untracked(), Some(Ok(_)))).await;

    state.amount.set(sir_donate::state::AmountInput::Custom("0".into()));
    state.submit();
    TimeoutFuture::new(50).await;

    assert!(fake.calls.borrow().iter().all(|c| !c.starts_with("create-link")));
    assert!(state.show_field_errors.get_untracked());
    assert_eq!(state.phase.get_untracked(), Phase::Editing);
}
