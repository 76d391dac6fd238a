//! An in-memory [`SirApi`] with scripted answers and a record of every call, for
//! component and state tests that must not depend on a server.

use std::cell::RefCell;
use std::collections::VecDeque;

use super::{
    ApiError, ApiFuture, CreateLinkRequest, CreateLinkResponse, DonationStatusResponse, Organization, PartnerConfig,
    SirApi,
};

/// Scripted answers: `organizations` by slug; create-link and status answers are
/// consumed in order, the last one repeating.
#[derive(Default)]
pub struct FakeSirApi {
    pub config: RefCell<Option<Result<PartnerConfig, ApiError>>>,
    pub organizations: RefCell<Vec<Organization>>,
    pub create_link_answers: RefCell<VecDeque<Result<CreateLinkResponse, ApiError>>>,
    pub status_answers: RefCell<VecDeque<Result<DonationStatusResponse, ApiError>>>,
    /// Every call, as `"config"`, `"organization <slug>"`, `"create-link <slug> <amount>"`, `"status <id>"`.
    pub calls: RefCell<Vec<String>>,
}

impl FakeSirApi {
    fn record(&self, call: String) {
        self.calls.borrow_mut().push(call);
    }
}

fn next_answer<T: Clone>(queue: &RefCell<VecDeque<Result<T, ApiError>>>) -> Result<T, ApiError> {
    let mut queue = queue.borrow_mut();
    match queue.len() {
        0 => Err(ApiError::ServerError { status: 500 }),
        1 => queue.front().cloned().unwrap_or(Err(ApiError::ServerError { status: 500 })),
        _ => queue.pop_front().unwrap_or(Err(ApiError::ServerError { status: 500 })),
    }
}

impl SirApi for FakeSirApi {
    fn config(&self) -> ApiFuture<'_, PartnerConfig> {
        self.record("config".into());
        let answer = self.config.borrow().clone().unwrap_or_else(|| Ok(PartnerConfig::default()));
        Box::pin(async move { answer })
    }

    fn organization<'a>(&'a self, slug: &'a str) -> ApiFuture<'a, Organization> {
        self.record(format!("organization {slug}"));
        let found = self.organizations.borrow().iter().find(|o| o.slug.as_deref() == Some(slug)).cloned();
        Box::pin(async move { found.ok_or(ApiError::OrganizationNotFound) })
    }

    fn create_link<'a>(&'a self, request: &'a CreateLinkRequest) -> ApiFuture<'a, CreateLinkResponse> {
        self.record(format!("create-link {} {}", request.nonprofit_slug, request.amount));
        let answer = next_answer(&self.create_link_answers);
        Box::pin(async move { answer })
    }

    fn status<'a>(&'a self, partner_donation_id: &'a str) -> ApiFuture<'a, DonationStatusResponse> {
        self.record(format!("status {partner_donation_id}"));
        let answer = next_answer(&self.status_answers);
        Box::pin(async move { answer })
    }
}
