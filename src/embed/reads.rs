//! The API reads the loader started while the wasm downloaded (js/src/reads.js).

use js_sys::{Array, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortController;

use crate::api::http::StartedReads;

/// Reads `{ key, controller, requests: [{ url, response }] }`; `None` for anything else
/// (no reads, or a shape this wasm doesn't know: its client then sends its own requests).
pub fn read(reads: &JsValue) -> Option<StartedReads> {
    let field = |object: &JsValue, name: &str| Reflect::get(object, &JsValue::from_str(name)).ok();
    let key = field(reads, "key")?.as_string()?;
    let controller = field(reads, "controller")?.dyn_into::<AbortController>().ok()?;
    let requests = field(reads, "requests")?
        .dyn_into::<Array>()
        .ok()?
        .iter()
        .filter_map(|request| {
            let url = field(&request, "url")?.as_string()?;
            let response = field(&request, "response")?.dyn_into::<Promise>().ok()?;
            Some((url, response))
        })
        .collect();
    Some(StartedReads { key, controller, requests })
}
