//! The form: what the donor edits ([`DonorInputs`], writable) and what follows from it
//! ([`FormChecks`], read-only).

use leptos::prelude::*;

use super::loaded::Loaded;
use super::read_only::ReadOnly;
use crate::api::{ApiError, PartnerConfig};
use crate::domain::{AmountError, Frequency, WidgetOptions, tip_minor, validate_email};

/// The donor's amount choice: a preset, or what they typed.
#[derive(Clone, Debug, PartialEq)]
pub enum AmountInput {
    Preset(u64),
    Custom(String),
}

/// What the donor edits: the only writable signals components get.
#[derive(Clone, Copy)]
pub struct DonorInputs {
    /// The nonprofit's slug, from the chooser when there are several.
    pub selected_org: RwSignal<String>,
    pub amount: RwSignal<AmountInput>,
    pub frequency: RwSignal<Frequency>,
    pub email: RwSignal<String>,
    pub first_name: RwSignal<String>,
    pub last_name: RwSignal<String>,
    /// Whether the donor keeps the offered tip.
    pub tip_on: RwSignal<bool>,
}

impl DonorInputs {
    pub(super) fn new(options: &WidgetOptions) -> Self {
        Self {
            selected_org: RwSignal::new(options.organizations.first().cloned().unwrap_or_default()),
            amount: RwSignal::new(match options.amounts.default {
                Some(minor) => AmountInput::Preset(minor),
                None => AmountInput::Custom(String::new()),
            }),
            frequency: RwSignal::new(options.frequency),
            email: RwSignal::new(String::new()),
            first_name: RwSignal::new(String::new()),
            last_name: RwSignal::new(String::new()),
            // Decision: the tip is offered, never pre-selected: a pre-checked tip is a
            // well-known dark pattern, and the donor should choose what they pay.
            tip_on: RwSignal::new(false),
        }
    }
}

/// What the inputs come to, read-only.
#[derive(Clone, Copy)]
pub struct FormChecks {
    pub amount_minor: Signal<Result<u64, AmountError>>,
    /// The email is well formed, or empty where it is optional.
    pub email_valid: Memo<bool>,
    /// Both names are given, where names are required.
    pub names_valid: Memo<bool>,
    /// The tip the partner config offers, in percent (`None`: no tip UI).
    pub tip_offer: Signal<Option<u32>>,
    /// What the donor pays in all: amount plus tip, in minor units.
    pub total_minor: Signal<Result<u64, AmountError>>,
    /// Field errors show only after the first submit attempt, not while typing.
    pub show_field_errors: ReadOnly<bool>,
}

impl FormChecks {
    pub(super) fn new(
        inputs: DonorInputs,
        options: ReadOnly<WidgetOptions>,
        config: Loaded<Result<PartnerConfig, ApiError>>,
        decimal_separator: char,
    ) -> Self {
        let DonorInputs { amount, email, first_name, last_name, tip_on, .. } = inputs;
        // Derived, not memos: they are cheap to compute, and each memo value type costs its own
        // copy of the memo code (about 2.5 KB raw each, twiggy). `announce_changes` drops repeats.
        let amount_minor = Signal::derive(move || {
            let rules = options.with(|o| o.amounts.clone());
            match amount.get() {
                AmountInput::Preset(minor) => rules.check(minor),
                AmountInput::Custom(text) => rules.check_entry(&text, decimal_separator),
            }
        });
        let required = options.with_untracked(|o| o.required);
        let email_valid =
            Memo::new(move |_| email.with(|e| if e.trim().is_empty() { !required.email } else { validate_email(e) }));
        let names_valid = Memo::new(move |_| {
            !required.name || (first_name.with(|f| !f.trim().is_empty()) && last_name.with(|l| !l.trim().is_empty()))
        });
        // Decision (§7.11): the tip UI shows only when the config says `enabled` with a
        // positive default; the percent is rounded to a whole number.
        let tip_offer = Signal::derive(move || match config.get() {
            Some(Ok(PartnerConfig { tip_config: Some(tip), .. })) if tip.enabled => {
                tip.default_percent.map(|p| p.round().clamp(0.0, 100.0) as u32).filter(|p| *p > 0)
            }
            _ => None,
        });
        let total_minor = Signal::derive(move || {
            let amount = amount_minor.get()?;
            let tip = tip_offer.get().filter(|_| tip_on.get()).map_or(0, |p| tip_minor(amount, p));
            Ok(amount + tip)
        });
        let show_field_errors = ReadOnly::new(false);
        Self { amount_minor, email_valid, names_valid, tip_offer, total_minor, show_field_errors }
    }

    /// The tip the donor chose to add, in percent, untracked.
    pub(super) fn chosen_tip(&self, inputs: DonorInputs) -> Option<u32> {
        self.tip_offer.get_untracked().filter(|_| inputs.tip_on.get_untracked())
    }
}
