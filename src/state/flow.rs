//! Where the donor is in the flow ([`Phase`]), and what the donor sees of it ([`Flow`]).

use super::host::CheckoutPlace;
use super::pending::PendingDonation;
use super::read_only::ReadOnly;
use crate::api::ApiError;
use crate::domain::DonationStatus;

/// Where the donor is in the flow.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Editing,
    Creating,
    Redirecting,
    Following { donation: PendingDonation, status: DonationStatus },
}

/// Where the flow is, read-only: only the state's own moves write it.
#[derive(Clone, Copy)]
pub struct Flow {
    pub phase: ReadOnly<Phase>,
    /// The last failure that the donor can act on (retry, fix input).
    pub error: ReadOnly<Option<ApiError>>,
    pub checkout: ReadOnly<CheckoutPlace>,
    /// Set (again) on each donation this widget saw completed: the goal meter reads its totals
    /// again then. A bool: its signal code is already there for the tip.
    pub completed: ReadOnly<bool>,
}

impl Flow {
    pub(super) fn new() -> Self {
        Self {
            phase: ReadOnly::new(Phase::Editing),
            error: ReadOnly::new(None),
            checkout: ReadOnly::new(CheckoutPlace::ThisTab),
            completed: ReadOnly::new(false),
        }
    }
}
