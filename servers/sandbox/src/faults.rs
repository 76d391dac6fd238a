//! Faults that tests arm on purpose, per endpoint, consumed in order.

use serde::Deserialize;

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum FaultEndpoint {
    Config,
    Organization,
    CreateLink,
    Status,
    Any,
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "kebab-case", rename_all_fields = "camelCase")]
pub enum FaultKind {
    /// That HTTP status, with the standard error body.
    Status { status: u16 },
    /// 429 with `Retry-After` verbatim (seconds or an HTTP date).
    RateLimit { retry_after: String },
    /// Waits, then answers normally.
    Delay { delay_ms: u64 },
    /// 200 with truncated JSON.
    Malformed,
    /// 200 with a valid JSON object of about 3 MiB.
    Oversized,
    /// The connection breaks before a response body arrives.
    Drop,
    /// create-link succeeds but answers with this `donationLink`.
    Link { link: String },
}

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct FaultRequest {
    pub endpoint: FaultEndpoint,
    #[serde(flatten)]
    pub kind: FaultKind,
    /// How many requests it applies to; 0 means until cleared.
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fault {
    pub kind: FaultKind,
    pub remaining: Option<u32>,
}
