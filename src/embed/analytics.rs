//! The analytics bridge's last step: the page's own `dataLayer` or `gtag`. Nothing leaves
//! the page from here; the page's tag manager decides what to send, and under which consent.

use js_sys::{Array, Function, Object, Reflect};
#[cfg(feature = "split")]
use leptos::prelude::lazy;
use wasm_bindgen::{JsCast, JsValue};

use crate::domain::Analytics;
use crate::state::AnalyticsEvent;

/// `dataLayer.push({ event, value, currency, nonprofit, frequency, transaction_id, error_code })`,
/// or `gtag("event", name, { … })`. Every field is set, `null` where absent, so that a
/// tag manager's merged data model keeps nothing of an earlier event.
/// In a chunk of its own (`split`), which only a page with analytics loads.
#[cfg_attr(feature = "split", lazy)]
pub async fn forward(target: Analytics, event: AnalyticsEvent) {
    let Some(window) = web_sys::window() else { return };
    let fields = Object::new();
    let set = |name: &str, value: JsValue| {
        let _ = Reflect::set(&fields, &JsValue::from_str(name), &value);
    };
    let text = |value: Option<&str>| value.map_or(JsValue::NULL, JsValue::from_str);
    set("value", event.value.map_or(JsValue::NULL, JsValue::from_f64));
    set("currency", JsValue::from_str(event.currency.code()));
    set("nonprofit", JsValue::from_str(&event.nonprofit));
    set("frequency", JsValue::from_str(event.frequency.as_str()));
    set("transaction_id", text(event.transaction_id.as_deref()));
    set("error_code", text(event.error_code));
    let global = |name: &str| Reflect::get(&window, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    match target {
        Analytics::Off => {}
        Analytics::DataLayer => {
            // The tag manager's snippet may come after the widget: start the queue it reads, as its snippet does.
            let mut layer = global("dataLayer");
            if layer.is_undefined() || layer.is_null() {
                layer = Array::new().into();
                let _ = Reflect::set(&window, &JsValue::from_str("dataLayer"), &layer);
            }
            set("event", JsValue::from_str(event.name));
            // The layer's own push: a tag manager replaces Array's with its own.
            let push = Reflect::get(&layer, &JsValue::from_str("push")).unwrap_or(JsValue::UNDEFINED);
            if push.is_function() {
                let _ = push.unchecked_into::<Function>().call1(&layer, &fields);
            }
        }
        Analytics::Gtag => match global("gtag") {
            gtag if gtag.is_function() => {
                let _ = gtag.unchecked_into::<Function>().call3(
                    &JsValue::UNDEFINED,
                    &JsValue::from_str("event"),
                    &JsValue::from_str(event.name),
                    &fields,
                );
            }
            _ => web_sys::console::warn_1(&JsValue::from_str(
                "sir-donate: analytics=\"gtag\" but the page has no gtag(): the event was not forwarded",
            )),
        },
    }
}
