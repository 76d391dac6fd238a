//! The one place that knows SIR's URLs, headers, JSON shapes and error mapping.
//!
//! Components and state talk to [`SirApi`], so tests swap [`http::HttpSirApi`] for
//! [`fake::FakeSirApi`] at exactly one point; likewise [`storage::Storage`] for `sessionStorage`.

mod error;
pub mod fake;
pub mod http;
pub(crate) mod json;
pub mod partner;
pub mod storage;
mod types;

use std::future::Future;
use std::pin::Pin;

pub use error::{ApiError, Endpoint, ErrorBody};
pub use types::{
    CampaignTotals, CreateLinkRequest, CreateLinkResponse, DonationStatusResponse, Organization, PartnerConfig,
    TipConfig,
};

/// A boxed, single-threaded future: the browser has one thread, and boxing keeps
/// [`SirApi`] object-safe so state can hold an `Rc<dyn SirApi>`.
pub type ApiFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + 'a>>;

/// The four publishable-key endpoints of the SIR Giving Partner API (reference §2).
pub trait SirApi {
    /// `GET /v1/partner/config`: the partner's widget configuration.
    fn config(&self) -> ApiFuture<'_, PartnerConfig>;
    /// `GET /v1/partner/organizations/:slug`: one nonprofit, by exact slug.
    fn organization<'a>(&'a self, slug: &'a str) -> ApiFuture<'a, Organization>;
    /// `POST /v1/partner/donations/create-link`. Never retried: the API has no
    /// idempotency key, so a retry could create a second donation (§7.5).
    fn create_link<'a>(&'a self, request: &'a CreateLinkRequest) -> ApiFuture<'a, CreateLinkResponse>;
    /// `GET /v1/partner/donations/status/:partnerDonationId`.
    fn status<'a>(&'a self, partner_donation_id: &'a str) -> ApiFuture<'a, DonationStatusResponse>;
}
