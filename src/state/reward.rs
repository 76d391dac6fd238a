//! The SIR reward of a completed donation, as the partner server reports it.

use super::read_only::ReadOnly;

/// What the partner server reported about the donor's SIR reward.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RewardInfo {
    pub status: RewardStatus,
    /// Tokens earned by this donation.
    pub tokens: Option<u64>,
    /// The signed-in donor's balance, when the partner server knows the donor.
    pub balance: Option<u64>,
}

/// Where the reward is, in the donor's terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RewardStatus {
    /// SIR accepted it (`issued`, `confirmed`).
    #[default]
    Earned,
    /// The partner server is still getting SIR to accept it.
    Pending,
    Reversed,
    Failed,
}

impl RewardStatus {
    /// For `data-reward` (styling hooks and tests).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Earned => "earned",
            Self::Pending => "pending",
            Self::Reversed => "reversed",
            Self::Failed => "failed",
        }
    }

    /// The contract's `state`; an unknown one reads as pending, the cautious word.
    pub fn from_contract(state: Option<&str>) -> Self {
        match state {
            Some("issued" | "confirmed") => Self::Earned,
            Some("reversed") => Self::Reversed,
            Some("failed") => Self::Failed,
            _ => Self::Pending,
        }
    }
}

/// The reward of the donation followed, read-only (set after completion when a partner
/// endpoint is configured).
#[derive(Clone, Copy)]
pub struct Reward {
    pub info: ReadOnly<Option<RewardInfo>>,
}

impl Reward {
    pub(super) fn new() -> Self {
        Self { info: ReadOnly::new(None) }
    }
}
