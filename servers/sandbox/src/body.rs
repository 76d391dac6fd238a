//! What the handlers share for reading request bodies: the one JSON extractor, a typed
//! reader of a JSON object's fields, and the API's money rules.

use axum::extract::FromRequest;
use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode};

/// $1,000,000 in cents. Decision: the docs state no maximum (§7.4); a cap lets tests
/// check that the widget surfaces a server-side amount error.
pub const MAX_AMOUNT_CENTS: u64 = 100_000_000;
/// Decision: the docs show only USD (§7.4); the sandbox accepts these.
pub const CURRENCIES: [&str; 5] = ["USD", "EUR", "GBP", "CAD", "AUD"];

/// A JSON body of type `T` (axum's `Json`), its failures in the sandbox's envelope (see
/// `From<JsonRejection> for ApiError`).
///
/// Decision: `Content-Type: application/json` is required, as the docs send it; a widget
/// that forgets it would skip the CORS preflight in a browser, a bug worth catching here.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct AppJson<T>(pub T);

/// Typed reads of optional body fields, each failing with its own code.
pub struct Fields<'a>(pub &'a Map<String, Value>);

impl<'a> Fields<'a> {
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|value| !value.is_null())
    }

    pub fn string(&self, name: &str, max_chars: usize, code: ErrorCode) -> Result<Option<&'a str>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max_chars => Ok(Some(s)),
            Some(_) => {
                Err(ApiError::bad_request(code, format!("{name} must be a string of at most {max_chars} characters")))
            }
        }
    }

    /// A JSON integer from 0 to the maximum amount: no floats (`25.5`, `25.0`), strings or negatives.
    pub fn cents(&self, name: &str, code: ErrorCode) -> Result<Option<u64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value.as_u64().filter(|cents| *cents <= MAX_AMOUNT_CENTS).map(Some).ok_or_else(|| {
                ApiError::bad_request(
                    code,
                    format!("{name} must be a whole number of cents (an integer), at most {MAX_AMOUNT_CENTS}"),
                )
            }),
        }
    }

    pub fn percent(&self, name: &str) -> Result<Option<f64>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => value.as_f64().filter(|p| (0.0..=100.0).contains(p)).map(Some).ok_or_else(|| {
                ApiError::bad_request(ErrorCode::InvalidTip, format!("{name} must be a number from 0 to 100"))
            }),
        }
    }
}
