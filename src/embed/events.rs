//! Widget events as DOM `CustomEvent`s named `sir-donate:<type>`, bubbling and
//! `composed` so they cross the shadow boundary.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::state::{WidgetEvent, WidgetHost};

/// Sends events to the host element and navigates the page.
pub struct DomHost {
    element: HtmlElement,
}

impl DomHost {
    pub fn new(element: HtmlElement) -> Self {
        Self { element }
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
                    ("currency", text(&currency)),
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
                    ("currency", text(&donation.currency)),
                    ("frequency", text(&donation.frequency)),
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

    fn navigate(&self, donation_link: &str) {
        if let Some(window) = web_sys::window() {
            let _ = window.location().assign(donation_link);
        }
    }

    fn page_hidden(&self) -> bool {
        web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
    }
}
