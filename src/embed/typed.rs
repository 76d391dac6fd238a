//! What the donor did in the loader's first view before the wasm arrived
//! (js/src/first-view.js): the widget starts from it, so nothing typed is lost.

use js_sys::Reflect;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::domain::Frequency;
use crate::state::{AmountInput, WidgetState};

/// `{ preset?: number, custom?: string, frequency?: string, email?, firstName?, lastName?, tip?: boolean }`.
pub struct Typed {
    preset: Option<usize>,
    custom: Option<String>,
    frequency: Option<Frequency>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    tip: bool,
}

/// `None` for anything but an object (no first view was painted).
pub fn read(typed: &JsValue) -> Option<Typed> {
    if !typed.is_object() {
        return None;
    }
    let field = |name: &str| Reflect::get(typed, &JsValue::from_str(name)).ok().filter(|v| !v.is_undefined());
    // Text is bounded like the inputs it came from: a page script could have set anything.
    let text = |name: &str| field(name).and_then(|v| v.as_string()).map(|t| t.chars().take(320).collect::<String>());
    Some(Typed {
        preset: field("preset").and_then(|v| v.as_f64()).filter(|i| i.fract() == 0.0 && *i >= 0.0).map(|i| i as usize),
        custom: text("custom"),
        frequency: text("frequency").and_then(|f| Frequency::parse(&f)),
        email: text("email"),
        first_name: text("firstName"),
        last_name: text("lastName"),
        tip: field("tip").and_then(|v| v.as_bool()).unwrap_or(false),
    })
}

impl Typed {
    /// Seeds the donor's inputs, as if they had typed into the wasm's own form. A preset
    /// is an index into this widget's presets; a locked amount or frequency stays locked.
    pub fn apply(self, state: &WidgetState) {
        let (presets, lock_amount, lock_frequency) =
            state.options.with_untracked(|o| (o.amounts.presets.clone(), o.lock_amount, o.lock_frequency));
        if !lock_amount {
            match (self.custom.filter(|c| !c.trim().is_empty()), self.preset.and_then(|i| presets.get(i))) {
                (Some(custom), _) => state.inputs.amount.set(AmountInput::Custom(custom)),
                (None, Some(minor)) => state.inputs.amount.set(AmountInput::Preset(*minor)),
                (None, None) => {}
            }
        }
        if let (false, Some(frequency)) = (lock_frequency, self.frequency) {
            state.inputs.frequency.set(frequency);
        }
        // Offered by the config before the takeover, and chosen by the donor: never pre-chosen.
        if self.tip {
            state.inputs.tip_on.set(true);
        }
        for (signal, value) in [
            (state.inputs.email, self.email),
            (state.inputs.first_name, self.first_name),
            (state.inputs.last_name, self.last_name),
        ] {
            if let Some(value) = value {
                signal.set(value);
            }
        }
    }
}
