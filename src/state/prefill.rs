//! A choice made from outside the form (the page URL, `handle.open()`), put into the form.

use leptos::prelude::*;

use super::flow::Phase;
use super::form::AmountInput;
use super::widget::WidgetState;
use crate::domain::{Prefill, plain_amount};

impl WidgetState {
    /// Puts the checked choice into the form, as the donor would have: a preset when it is
    /// one, else the "Other amount" field. Nothing changes while a donation is under way.
    pub fn prefill(&self, prefill: &Prefill, decimal_separator: char) {
        if self.flow.phase.get_untracked() != Phase::Editing {
            return;
        }
        if let Some(org) = &prefill.org {
            self.inputs.selected_org.set(org.clone());
        }
        if let Some(minor) = prefill.amount {
            let (presets, currency) = self.options.with_untracked(|o| (o.amounts.presets.clone(), o.amounts.currency));
            self.inputs.amount.set(if presets.contains(&minor) {
                AmountInput::Preset(minor)
            } else {
                AmountInput::Custom(plain_amount(minor, currency, decimal_separator))
            });
        }
        if let Some(frequency) = prefill.frequency {
            self.inputs.frequency.set(frequency);
        }
    }
}
