#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
//! Component tests in headless Chromium, through the public `mount` surface, against
//! a real sir-sandbox (`make test-wasm` starts one; SIR_SANDBOX_URL says where).
//! They never complete a donation: that would navigate the test page away.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use js_sys::{Object, Reflect};
use sir_donate::embed::{WidgetHandle, mount};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

const SANDBOX: &str = match option_env!("SIR_SANDBOX_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8792",
};
const DEMO_KEY: &str = "pk_test_f40ae06e2cfeb3cb6ce6bbcfa2617d6b8452aff0221c5281ba74b1183db4d378";

/// A widget mounted on a fresh host element, with every event it dispatched.
struct Widget {
    host: HtmlElement,
    handle: WidgetHandle,
    events: Rc<RefCell<Vec<(String, JsValue)>>>,
    _listeners: Vec<Closure<dyn FnMut(web_sys::CustomEvent)>>,
}

fn options(pairs: &[(&str, &str)]) -> JsValue {
    let object = Object::new();
    for (name, value) in pairs {
        Reflect::set(&object, &(*name).into(), &(*value).into()).unwrap();
    }
    object.into()
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

impl Widget {
    fn mount(pairs: &[(&str, &str)]) -> Self {
        Self::mount_with_reads(pairs, JsValue::NULL)
    }

    /// Mounts with `reads`, as the loader hands over the API reads it started.
    fn mount_with_reads(pairs: &[(&str, &str)], reads: JsValue) -> Self {
        let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
        document().body().unwrap().append_child(&host).unwrap();
        let events = Rc::new(RefCell::new(Vec::new()));
        let listeners = ["ready", "organization", "error", "link-created"]
            .into_iter()
            .map(|kind| {
                let events = events.clone();
                let listener = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |event: web_sys::CustomEvent| {
                    events.borrow_mut().push((kind.to_owned(), event.detail()));
                });
                host.add_event_listener_with_callback(&format!("sir-donate:{kind}"), listener.as_ref().unchecked_ref())
                    .unwrap();
                listener
            })
            .collect();
        let handle = mount(host.clone(), options(pairs), reads, JsValue::UNDEFINED).expect("mount");
        Self { host, handle, events, _listeners: listeners }
    }

    fn demo(org: &str) -> Self {
        Self::mount(&[("key", DEMO_KEY), ("org", org), ("apiBase", SANDBOX)])
    }

    fn root(&self) -> ShadowRoot {
        self.host.shadow_root().expect("the widget renders into a shadow root")
    }

    fn text(&self) -> String {
        self.root().text_content().unwrap_or_default()
    }

    /// Waits until the widget shows `text`, or fails after five seconds.
    async fn see(&self, text: &str) {
        for _ in 0..100 {
            if self.text().contains(text) {
                return;
            }
            TimeoutFuture::new(50).await;
        }
        panic!("never saw {text:?}; the widget shows {:?}", self.text());
    }

    fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.root().query_selector_all(selector).unwrap();
        (0..list.length()).filter_map(|i| list.item(i)).map(|n| n.unchecked_into()).collect()
    }

    /// The input whose `<label>` contains `label`, as a donor finds it.
    fn field(&self, label: &str) -> HtmlInputElement {
        let label = self
            .all("label")
            .into_iter()
            .find(|l| l.text_content().unwrap_or_default().contains(label))
            .unwrap_or_else(|| panic!("no field labelled {label:?}"));
        let id = label.get_attribute("for").expect("labels point at their inputs");
        self.root().get_element_by_id(&id).expect("the labelled input").unchecked_into()
    }

    /// The preset or choice whose visible label is `label`.
    fn choice(&self, label: &str) -> HtmlInputElement {
        self.all("label")
            .into_iter()
            .find(|l| l.text_content().unwrap_or_default().trim() == label)
            .and_then(|l| l.query_selector("input").unwrap())
            .unwrap_or_else(|| panic!("no choice {label:?}"))
            .unchecked_into()
    }

    fn button(&self, starts_with: &str) -> HtmlElement {
        self.all("button")
            .into_iter()
            .find(|b| b.text_content().unwrap_or_default().trim().starts_with(starts_with))
            .unwrap_or_else(|| panic!("no button {starts_with:?} in {:?}", self.text()))
            .unchecked_into()
    }

    fn type_into(&self, label: &str, text: &str) {
        let input = self.field(label);
        input.set_value(text);
        input.dispatch_event(&web_sys::Event::new("input").unwrap()).unwrap();
    }

    fn pick(&self, label: &str) {
        self.choice(label).click();
    }

    fn error_codes(&self) -> Vec<String> {
        self.events
            .borrow()
            .iter()
            .filter(|(kind, _)| kind == "error")
            .map(|(_, detail)| Reflect::get(detail, &"code".into()).unwrap().as_string().unwrap())
            .collect()
    }

    /// Waits until an `error` event with `code` was dispatched (events follow renders).
    async fn saw_error(&self, code: &str) -> Vec<String> {
        for _ in 0..100 {
            if self.error_codes().iter().any(|c| c == code) {
                break;
            }
            TimeoutFuture::new(50).await;
        }
        self.error_codes()
    }

    fn count(&self, kind: &str) -> usize {
        self.events.borrow().iter().filter(|(k, _)| k == kind).count()
    }
}

impl Drop for Widget {
    fn drop(&mut self) {
        self.handle.destroy();
        self.host.remove();
    }
}

async fn sandbox_stat(name: &str) -> f64 {
    let window = web_sys::window().unwrap();
    let response: web_sys::Response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str(&format!("{SANDBOX}/__sandbox/stats")))
            .await
            .unwrap()
            .unchecked_into();
    let json = wasm_bindgen_futures::JsFuture::from(response.json().unwrap()).await.unwrap();
    Reflect::get(&Reflect::get(&json, &"requests".into()).unwrap(), &name.into()).unwrap().as_f64().unwrap()
}

#[wasm_bindgen_test]
async fn shows_the_nonprofit_with_logo_and_ein_and_announces_ready() {
    let widget = Widget::demo("st-jude");
    widget.see("St. Jude Children's Research Hospital").await;
    widget.see("EIN 62-0646012").await;
    let logo = widget.all("img").pop().expect("a logo");
    assert!(logo.get_attribute("src").unwrap().ends_with("/logos/st-jude.svg"));
    assert_eq!(logo.get_attribute("alt").as_deref(), Some(""), "the name is next to it, so the logo is decorative");
    TimeoutFuture::new(300).await;
    assert_eq!(widget.error_codes(), Vec::<String>::new());
    assert_eq!(widget.count("ready"), 1);
    assert_eq!(widget.count("organization"), 1);
}

#[wasm_bindgen_test]
async fn the_donate_button_says_exactly_what_will_be_charged() {
    let widget = Widget::demo("american-red-cross");
    widget.see("American Red Cross").await;
    assert_eq!(widget.button("Donate").text_content().unwrap(), "Donate $25");
    widget.pick("$100");
    widget.see("Donate $100").await;
    widget.type_into("Other amount", "12.34");
    widget.see("Donate $12.34").await;
    widget.pick("Monthly");
    widget.see("Donate $12.34 monthly").await;
    // Whole amounts drop the cents, as peers show them; a fraction keeps both digits.
    widget.type_into("Other amount", "12.5");
    widget.see("Donate $12.50 monthly").await;
}

#[wasm_bindgen_test]
async fn a_test_key_wears_a_badge_and_a_live_key_none() {
    let test = Widget::demo("water-org");
    test.see("Water.org").await;
    let badge = test.root().query_selector("[part~='test-badge']").unwrap().expect("a badge");
    assert_eq!(badge.text_content().unwrap(), "Test mode");
    let live = Widget::mount(&[("key", "pk_live_0123456789abcdef"), ("org", "water-org"), ("apiBase", SANDBOX)]);
    live.see("Donate").await;
    assert!(live.root().query_selector("[part~='test-badge']").unwrap().is_none());
    assert!(!live.text().contains("Test mode"));
}

#[wasm_bindgen_test]
async fn a_bad_amount_is_explained_next_to_its_field() {
    let widget = Widget::mount(&[("key", DEMO_KEY), ("org", "water-org"), ("apiBase", SANDBOX), ("min", "5")]);
    widget.see("Water.org").await;
    widget.type_into("Other amount", "2");
    widget.see("The minimum is $5.").await;
    let input = widget.field("Other amount");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described_by = input.get_attribute("aria-describedby").unwrap();
    let message = widget.root().get_element_by_id(&described_by).unwrap();
    assert_eq!(message.text_content().unwrap(), "The minimum is $5.");
    widget.type_into("Other amount", "twelve");
    widget.see("Enter the amount as a number").await;
}

#[wasm_bindgen_test]
async fn an_invalid_email_blocks_the_donation_before_any_request() {
    let widget = Widget::demo("feeding-america");
    widget.see("Feeding America").await;
    let before = sandbox_stat("createLink").await;
    widget.type_into("Email", "jane@");
    widget.button("Donate").click();
    widget.see("Enter an email address like name@example.com.").await;
    TimeoutFuture::new(300).await;
    assert_eq!(sandbox_stat("createLink").await, before);
    assert_eq!(widget.field("Email").get_attribute("aria-invalid").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
async fn a_secret_key_is_refused_without_a_request() {
    let before = sandbox_stat("organization").await;
    let widget = Widget::mount(&[
        ("key", "sk_test_c324ca5be4ee54c387386da622872f2a9eb5d1ed549a534a0c77236730a939b7"),
        ("org", "american-red-cross"),
        ("apiBase", SANDBOX),
    ]);
    widget.see("a secret key was used").await;
    assert_eq!(widget.saw_error("secret_key_refused").await, ["secret_key_refused"]);
    assert!(!widget.text().contains("c324ca5b"), "the secret key is never shown");
    TimeoutFuture::new(200).await;
    assert_eq!(sandbox_stat("organization").await, before);
}

#[wasm_bindgen_test]
async fn a_live_key_is_refused_against_a_non_production_host() {
    let widget = Widget::mount(&[("key", "pk_live_abc123"), ("org", "american-red-cross"), ("apiBase", SANDBOX)]);
    widget.see("only works with the production API host").await;
    assert_eq!(widget.saw_error("invalid_key").await, ["invalid_key"]);
}

#[wasm_bindgen_test]
async fn a_test_key_is_refused_against_the_production_host() {
    let widget =
        Widget::mount(&[("key", DEMO_KEY), ("org", "american-red-cross"), ("apiBase", "https://api.sirgiving.org")]);
    widget.see("can't be used with the production API host").await;
    assert_eq!(widget.saw_error("invalid_key").await, ["invalid_key"]);
}

#[wasm_bindgen_test]
async fn an_inactive_nonprofit_is_shown_as_not_accepting_donations() {
    let widget = Widget::demo("defunct-relief-fund");
    widget.see("This nonprofit isn't accepting donations right now.").await;
    assert!(widget.saw_error("organization_inactive").await.contains(&"organization_inactive".to_owned()));
}

#[wasm_bindgen_test]
async fn update_switches_nonprofit_and_destroy_removes_everything() {
    let mut widget = Widget::demo("american-red-cross");
    widget.see("American Red Cross").await;
    widget.handle.update(options(&[("org", "water-org")])).unwrap();
    widget.see("Water.org").await;
    widget.handle.destroy();
    assert_eq!(widget.root().child_nodes().length(), 0);
    widget.handle.destroy(); // twice is harmless
}

/// `publishableKey` is the key under the name every framework passes on; a later `key` replaces it.
#[wasm_bindgen_test]
async fn publishable_key_is_the_key_by_another_name() {
    let mut widget =
        Widget::mount(&[("publishableKey", DEMO_KEY), ("org", "american-red-cross"), ("apiBase", SANDBOX)]);
    widget.see("American Red Cross").await;
    // Folded into `key`: a change under either name replaces it, with no clash between the two.
    widget.handle.update(options(&[("key", DEMO_KEY), ("org", "water-org")])).unwrap();
    widget.see("Water.org").await;
    widget.handle.update(options(&[("publishableKey", "sk_test_x")])).unwrap();
    assert!(widget.saw_error("secret_key_refused").await.contains(&"secret_key_refused".to_owned()));
}

#[wasm_bindgen_test]
fn unknown_or_bad_options_are_rejected_by_name() {
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    for (pairs, option) in [
        (vec![("key", DEMO_KEY), ("org", "x"), ("colour", "red")], "colour"),
        (vec![("key", DEMO_KEY), ("org", "x"), ("frequency", "weekly")], "frequency"),
        (vec![("key", DEMO_KEY)], "org"),
        (vec![("key", DEMO_KEY), ("publishableKey", "pk_test_other"), ("org", "x")], "publishableKey"),
    ] {
        let error = mount(host.clone(), options(&pairs), JsValue::NULL, JsValue::UNDEFINED).err().expect("rejected");
        assert_eq!(Reflect::get(&error, &"name".into()).unwrap(), "SirDonateOptionError");
        assert_eq!(Reflect::get(&error, &"code".into()).unwrap(), "invalid_option");
        assert_eq!(Reflect::get(&error, &"option".into()).unwrap(), option);
    }
}

/// Error bodies are read with the browser's JSON parser: NestJS validation arrays,
/// plain messages, `error` fallbacks, and bodies that are not JSON at all.
#[wasm_bindgen_test]
fn error_bodies_are_read_with_the_browsers_json_parser() {
    use sir_donate::api::ErrorBody;
    let read = |text: &str| {
        let body = ErrorBody::parse(text);
        (body.code, body.message)
    };
    let some = |text: &str| Some(text.to_owned());
    assert_eq!(read(r#"{"statusCode":401,"code":"UNAUTHORIZED"}"#), (some("UNAUTHORIZED"), None));
    assert_eq!(
        read(r#"{"statusCode":400,"message":["amount must be an integer","currency must be USD"]}"#),
        (None, some("amount must be an integer; currency must be USD"))
    );
    assert_eq!(read(r#"{"message":"amount must be positive"}"#), (None, some("amount must be positive")));
    assert_eq!(read(r#"{"error":"Bad Request"}"#), (None, some("Bad Request")));
    assert_eq!(read(r#"{"code":42,"message":{"nested":true}}"#), (None, None), "wrong types are ignored");
    for not_an_object in ["not json", "<html>", "", "[1,2]", "\"text\"", "null"] {
        assert_eq!(read(not_an_object), (None, None), "{not_an_object}");
    }
    let long = format!(r#"{{"message":"{}"}}"#, "é".repeat(500));
    assert_eq!(read(&long).1.map(|m| m.chars().count()), Some(200), "a donor sees at most 200 characters");
}

/// The reads object the loader hands to `mount` (js/src/reads.js): one read of the
/// water-org nonprofit, answered by `response`, sent with `key`.
fn reads(key: &str, response: js_sys::Promise) -> (JsValue, web_sys::AbortController) {
    let controller = web_sys::AbortController::new().unwrap();
    let request = Object::new();
    let url = format!("{SANDBOX}/v1/partner/organizations/water-org");
    Reflect::set(&request, &"url".into(), &url.into()).unwrap();
    Reflect::set(&request, &"response".into(), &response).unwrap();
    let reads = Object::new();
    Reflect::set(&reads, &"key".into(), &key.into()).unwrap();
    Reflect::set(&reads, &"controller".into(), &controller).unwrap();
    Reflect::set(&reads, &"requests".into(), &js_sys::Array::of1(&request)).unwrap();
    (reads.into(), controller)
}

fn answer(status: u16, body: &str) -> js_sys::Promise {
    let init = web_sys::ResponseInit::new();
    init.set_status(status);
    let response = web_sys::Response::new_with_opt_str_and_init(Some(body), &init).unwrap();
    let response: JsValue = response.into();
    js_sys::Promise::resolve(&response)
}

const WATER_ORG: [(&str, &str); 3] = [("key", DEMO_KEY), ("org", "water-org"), ("apiBase", SANDBOX)];

#[wasm_bindgen_test]
async fn the_loaders_read_answers_the_widgets_first_request() {
    // A name the sandbox never sends: it can only come from the handed-over answer.
    let (reads, _) = reads(DEMO_KEY, answer(200, r#"{"slug":"water-org","name":"Water.org, as read by the loader"}"#));
    let widget = Widget::mount_with_reads(&WATER_ORG, reads);
    widget.see("Water.org, as read by the loader").await;
}

#[wasm_bindgen_test]
async fn a_read_with_another_key_is_cancelled_and_the_widget_reads_its_own() {
    let (reads, controller) =
        reads("pk_test_someoneelse", answer(200, r#"{"slug":"water-org","name":"Not this one"}"#));
    let widget = Widget::mount_with_reads(&WATER_ORG, reads);
    widget.see("Water.org").await;
    assert!(!widget.text().contains("Not this one"));
    assert!(controller.signal().aborted(), "reads the widget does not adopt are cancelled");
}

/// Mounts with a read that ends in `response`, and expects the widget to show the nonprofit
/// in the end, with no error on the way: it read again on its own.
async fn recovers_from_a_read_that(response: js_sys::Promise) {
    let (reads, _) = reads(DEMO_KEY, response);
    let widget = Widget::mount_with_reads(&WATER_ORG, reads);
    widget.see("Water.org").await;
    assert!(widget.error_codes().is_empty(), "{:?}", widget.error_codes());
}

#[wasm_bindgen_test]
async fn a_read_the_loader_cancelled_is_replaced_by_the_widgets_own() {
    let cancelled = web_sys::DomException::new_with_message_and_name("cancelled", "AbortError").unwrap();
    recovers_from_a_read_that(js_sys::Promise::reject(&cancelled)).await;
}

#[wasm_bindgen_test]
async fn a_failed_read_is_the_first_attempt_and_is_retried() {
    recovers_from_a_read_that(answer(503, r#"{"message":"busy"}"#)).await;
}

#[wasm_bindgen_test]
async fn a_read_with_a_permanent_error_is_the_answer() {
    let (reads, _) = reads(DEMO_KEY, answer(404, r#"{"code":"ORGANIZATION_NOT_FOUND"}"#));
    let widget = Widget::mount_with_reads(&WATER_ORG, reads);
    assert_eq!(widget.saw_error("organization_not_found").await, ["organization_not_found"]);
}
