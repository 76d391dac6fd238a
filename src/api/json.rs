//! JSON read and written by the browser's own `JSON.parse` and `JSON.stringify`.
//!
//! The browser's parser costs no wasm, and the readers stay tolerant: a missing field, or a
//! field of the wrong JSON type, is `None` (the docs leave the shapes open, §7). Why not
//! serde: docs/decisions/2026-11-25-no-serde-in-the-widget.md.

use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// Largest integer JavaScript (and so JSON in a browser) represents exactly: 2^53.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

/// One parsed JSON value, read field by field.
pub struct Json(JsValue);

impl Json {
    /// Parses a response body that must be a JSON object (not an array or a scalar).
    /// `None` for anything else: the caller reports an unreadable answer.
    pub fn parse_object(text: &str) -> Option<Self> {
        JSON::parse(text).ok().map(Json).filter(Json::is_object)
    }

    /// The field `name`, or an absent value when there is none (or this is no object).
    pub fn get(&self, name: &str) -> Json {
        if !self.0.is_object() {
            return Json(JsValue::UNDEFINED);
        }
        Json(Reflect::get(&self.0, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED))
    }

    pub fn is_object(&self) -> bool {
        self.0.is_object() && !Array::is_array(&self.0)
    }

    pub fn text(&self) -> Option<String> {
        self.0.as_string()
    }

    pub fn flag(&self) -> Option<bool> {
        self.0.as_bool()
    }

    pub fn number(&self) -> Option<f64> {
        self.0.as_f64()
    }

    /// A whole, non-negative number that JSON carries exactly (amounts, token counts).
    pub fn count(&self) -> Option<u64> {
        self.number().filter(|n| *n >= 0.0 && *n <= MAX_EXACT_INTEGER && n.fract() == 0.0).map(|n| n as u64)
    }

    /// The items of an array; `None` when this is no array.
    pub fn items(&self) -> Option<Vec<Json>> {
        self.0.dyn_ref::<Array>().map(|array| array.iter().map(Json).collect())
    }
}

/// A JSON object under construction, for request bodies and `sessionStorage`.
pub struct JsonWriter(Object);

impl Default for JsonWriter {
    fn default() -> Self {
        Self(Object::new())
    }
}

impl JsonWriter {
    pub fn text(self, name: &str, value: &str) -> Self {
        self.set(name, &JsValue::from_str(value))
    }

    /// Left out when `None`, as the optional create-link fields are.
    pub fn optional_text(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.text(name, value),
            None => self,
        }
    }

    /// Exact up to 2^53, which amount validation guarantees.
    pub fn count(self, name: &str, value: u64) -> Self {
        self.set(name, &JsValue::from_f64(value as f64))
    }

    pub fn optional_count(self, name: &str, value: Option<u64>) -> Self {
        match value {
            Some(value) => self.count(name, value),
            None => self,
        }
    }

    /// A nested object, as written so far.
    pub fn object(self, name: &str, value: JsonWriter) -> Self {
        let value: JsValue = value.0.into();
        self.set(name, &value)
    }

    fn set(self, name: &str, value: &JsValue) -> Self {
        let _ = Reflect::set(&self.0, &JsValue::from_str(name), value);
        self
    }

    /// The JSON text. Stringifying an object of strings and numbers can't fail.
    pub fn finish(self) -> String {
        JSON::stringify(&self.0).ok().and_then(|text| text.as_string()).unwrap_or_else(|| "{}".to_owned())
    }
}
