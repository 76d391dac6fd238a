/// How often a donation repeats. The API knows `once` and `monthly`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Frequency {
    #[default]
    Once,
    Monthly,
}

impl Frequency {
    /// The wire value of the create-link `frequency` field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Frequency::Once => "once",
            Frequency::Monthly => "monthly",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "once" | "one-time" => Some(Frequency::Once),
            "monthly" => Some(Frequency::Monthly),
            _ => None,
        }
    }
}

/// Where a donation stands, as far as the widget shows it.
///
/// The status endpoint's values are undocumented (API reference §7.1, §7.8), so
/// unknown strings map to the neutral [`DonationStatus::Processing`] rather than to
/// an error or a guess.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DonationStatus {
    Pending,
    Processing,
    Completed,
    Failed,
    Cancelled,
    Expired,
}

impl DonationStatus {
    pub fn from_api(value: &str) -> Self {
        match value.trim().to_ascii_lowercase().as_str() {
            "pending" | "created" | "open" => DonationStatus::Pending,
            "completed" | "complete" | "succeeded" | "paid" | "rewarded" | "success" => DonationStatus::Completed,
            "failed" | "failure" | "declined" | "error" => DonationStatus::Failed,
            "cancelled" | "canceled" => DonationStatus::Cancelled,
            "expired" => DonationStatus::Expired,
            _ => DonationStatus::Processing,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            DonationStatus::Pending => "pending",
            DonationStatus::Processing => "processing",
            DonationStatus::Completed => "completed",
            DonationStatus::Failed => "failed",
            DonationStatus::Cancelled => "cancelled",
            DonationStatus::Expired => "expired",
        }
    }

    /// A terminal status never changes again, so polling stops there.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            DonationStatus::Completed | DonationStatus::Failed | DonationStatus::Cancelled | DonationStatus::Expired
        )
    }
}

/// The donor's email as typed: surrounding spaces forgiven, then the rule the servers
/// apply too ([`sir_rules::well_formed_email`], where its test table lives). The checkout
/// re-validates; this only catches typos early.
pub fn validate_email(email: &str) -> bool {
    sir_rules::well_formed_email(email.trim())
}
