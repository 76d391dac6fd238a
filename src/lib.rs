//! **sir-donate**: an embeddable donation widget for the SIR Giving Partner API.
//!
//! Layers, with dependencies pointing one way:
//! [`domain`] (pure logic) → [`api`] (I/O behind a trait, one error type) →
//! [`state`] (reactive state machine) → [`components`] (Leptos views) →
//! [`embed`] (the only code that touches JS values).

pub mod api;
pub mod components;
pub mod domain;
pub mod embed;
pub mod i18n;
pub mod state;
