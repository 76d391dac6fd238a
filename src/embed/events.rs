//! Widget events as DOM `CustomEvent`s named `sir-donate:<type>`, bubbling and
//! `composed` so they cross the shadow boundary.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use std::cell::RefCell;

use web_sys::Window;

use crate::domain::{Analytics, Target};
use crate::state::{AnalyticsEvent, CheckoutPlace, WidgetEvent, WidgetHost};

/// Sends events to the host element and navigates the page (or another window).
pub struct DomHost {
    element: HtmlElement,
    target: Target,
    /// What the new tab or popup says until the checkout link arrives, in the widget's language.
    checkout_loading: &'static str,
    /// The blank tab or popup opened in the donor's click, waiting for the link.
    pending_window: RefCell<Option<Window>>,
    analytics: Analytics,
}

impl DomHost {
    pub fn new(element: HtmlElement, target: Target, checkout_loading: &'static str, analytics: Analytics) -> Self {
        Self { element, target, checkout_loading, pending_window: RefCell::new(None), analytics }
    }

    fn dispatch(&self, kind: &str, detail: &Object) {
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(detail);
        if let Ok(event) = CustomEvent::new_with_event_init_dict(&format!("sir-donate:{kind}"), &init) {
            let _ = self.element.dispatch_event(&event);
        }
    }
}

/// A detail object from `(name, value)` pairs.
fn detail(fields: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (name, value) in fields {
        let _ = Reflect::set(&object, &JsValue::from_str(name), value);
    }
    object
}

fn text(value: &str) -> JsValue {
    JsValue::from_str(value)
}

fn optional_text(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

impl WidgetHost for DomHost {
    fn emit(&self, event: WidgetEvent) {
        match event {
            WidgetEvent::Ready => self.dispatch("ready", &Object::new()),
            WidgetEvent::Organization(org) => self.dispatch(
                "organization",
                &detail(&[
                    ("slug", optional_text(org.slug.as_deref())),
                    ("name", text(&org.name)),
                    ("ein", optional_text(org.ein.as_deref())),
                    ("logoUrl", optional_text(org.logo_url.as_deref())),
                ]),
            ),
            WidgetEvent::Change { amount, currency, frequency, valid } => self.dispatch(
                "change",
                &detail(&[
                    ("amount", amount.map_or(JsValue::NULL, |a| JsValue::from_f64(a as f64))),
                    ("currency", text(currency.code())),
                    ("frequency", text(frequency.as_str())),
                    ("valid", JsValue::from_bool(valid)),
                ]),
            ),
            WidgetEvent::LinkCreated { donation, donation_link } => self.dispatch(
                "link-created",
                &detail(&[
                    ("partnerDonationId", text(&donation.partner_donation_id)),
                    ("donationLink", text(&donation_link)),
                    ("amount", JsValue::from_f64(donation.amount as f64)),
                    ("currency", text(donation.currency.code())),
                    ("frequency", text(donation.frequency.as_str())),
                    ("nonprofit", text(&donation.nonprofit_slug)),
                ]),
            ),
            WidgetEvent::Status { partner_donation_id, status } => self.dispatch(
                "status",
                &detail(&[("partnerDonationId", text(&partner_donation_id)), ("status", text(status.as_str()))]),
            ),
            WidgetEvent::Completed { partner_donation_id } => {
                self.dispatch("completed", &detail(&[("partnerDonationId", text(&partner_donation_id))]))
            }
            WidgetEvent::Error(error) => self.dispatch(
                "error",
                &detail(&[
                    ("code", text(error.code())),
                    ("message", text(&error.to_string())),
                    ("retryable", JsValue::from_bool(error.retryable())),
                ]),
            ),
        }
    }

    fn track(&self, event: AnalyticsEvent) {
        leptos::task::spawn_local(super::analytics::forward(self.analytics, event));
    }

    fn prepare_checkout(&self) {
        let Some(window) = web_sys::window() else { return };
        let opened = match self.target {
            Target::SameTab => return,
            Target::NewTab => window.open_with_url_and_target("", "_blank"),
            Target::Popup => window.open_with_url_and_target_and_features("", "_blank", "popup,width=520,height=760"),
        };
        if let Ok(Some(checkout)) = opened {
            // The checkout must not script this page through window.opener.
            let _ = checkout.set_opener(&JsValue::NULL);
            if let Some(body) = checkout.document().and_then(|d| d.body()) {
                body.set_text_content(Some(self.checkout_loading));
            }
            *self.pending_window.borrow_mut() = Some(checkout);
        }
    }

    fn cancel_checkout(&self) {
        if let Some(checkout) = self.pending_window.borrow_mut().take() {
            let _ = checkout.close();
        }
    }

    fn navigate(&self, donation_link: &str) -> CheckoutPlace {
        if self.target == Target::SameTab {
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign(donation_link);
            }
            return CheckoutPlace::ThisTab;
        }
        match self.pending_window.borrow_mut().take() {
            Some(checkout) if checkout.location().set_href(donation_link).is_ok() => CheckoutPlace::OtherWindow,
            // Blocked by the browser (or closed already): give the donor a link instead.
            _ => CheckoutPlace::Blocked(donation_link.to_owned()),
        }
    }

    fn page_hidden(&self) -> bool {
        web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
    }
}
