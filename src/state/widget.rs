//! [`WidgetState`]: every signal of one mounted widget, and what it talks to. Its moves are
//! in the files of their concepts (`submit`, `following`), its construction in `state.rs`.

use std::rc::Rc;

use leptos::prelude::*;

use super::analytics::Tracked;
use super::flow::Flow;
use super::form::{DonorInputs, FormChecks};
use super::host::{WidgetEvent, WidgetHost};
use super::loaded::Loaded;
use super::read_only::ReadOnly;
use super::reward::Reward;
use crate::api::partner::PartnerClient;
use crate::api::storage::Storage;
use crate::api::{ApiError, Organization, PartnerConfig, SirApi};
use crate::domain::WidgetOptions;

/// All reactive state of one mounted widget. `Copy`: every field is an arena handle.
#[derive(Clone, Copy)]
pub struct WidgetState {
    pub options: ReadOnly<WidgetOptions>,
    pub config: Loaded<Result<PartnerConfig, ApiError>>,
    pub organization: Loaded<Result<Organization, ApiError>>,
    /// A failure that stops donating altogether (bad key, unknown nonprofit, …).
    pub blocking_error: Memo<Option<ApiError>>,
    pub inputs: DonorInputs,
    pub checks: FormChecks,
    pub flow: Flow,
    pub reward: Reward,
    pub(super) api: StoredValue<Option<Rc<dyn SirApi>>, LocalStorage>,
    pub(super) host: StoredValue<Rc<dyn WidgetHost>, LocalStorage>,
    pub(super) partner: StoredValue<Option<Rc<PartnerClient>>, LocalStorage>,
    pub(super) storage: StoredValue<Rc<dyn Storage>, LocalStorage>,
    /// The storage key of this widget's donation: one per key and nonprofit list.
    pub(super) storage_slot: StoredValue<String>,
    /// Whether the donor made their first move (analytics' `sir_donate_start`). Read untracked
    /// only; a signal because its code for `bool` is there already (a `StoredValue` isn't).
    pub(super) started: ReadOnly<bool>,
}

/// What a widget talks to: the API (or the setup error when the key or base URL was refused:
/// the widget then shows it and sends nothing), the partner server, the page, and storage.
pub struct Seams {
    pub api: Result<Rc<dyn SirApi>, ApiError>,
    pub partner: Option<Rc<PartnerClient>>,
    pub host: Rc<dyn WidgetHost>,
    pub storage: Rc<dyn Storage>,
}

impl WidgetState {
    /// Sends `event` to the page, and to its tag manager when asked, unless the widget is gone.
    pub(super) fn emit(&self, event: WidgetEvent) {
        self.track(Tracked::Event(event.clone()));
        self.host.try_with_value(|host| host.emit(event));
    }
}
