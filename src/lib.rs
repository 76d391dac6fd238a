//! **sir-donate**: an embeddable donation widget for the SIR Giving Partner API.
//!
//! Layers, with dependencies pointing one way:
//! [`domain`] (pure logic) → [`api`] (I/O behind a trait, one error type) →
//! [`state`] (reactive state machine) → [`components`] (Leptos views) →
//! [`embed`] (the JS-facing surface: options, events, the handle). Below it, only the I/O
//! edges touch JS values: `api::http` (fetch), `api::json` (`JSON.parse`) and `i18n` (`Intl`).

// The build-time render (tools/first-view) computes tachys's async render
// path over the whole widget type, which nests deeper than the default limit.
#![cfg_attr(feature = "first-view", recursion_limit = "256")]

pub mod api;
pub mod components;
pub mod domain;
pub mod embed;
pub mod i18n;
pub mod state;
