//! The routes under `/v1/partner`: the publishable-key ("widget") endpoints (API
//! reference §2), with the two read-only ones here (config and organization lookup),
//! and the secret-key endpoints (§3), in `actions` and `webhooks`.

use axum::extract::{Path, State};
use axum::routing::{MethodRouter, any, get, post};
use axum::{Extension, Json, Router, middleware};
use serde::Serialize;

use crate::error::{ApiError, ErrorCode};
use crate::gate::{self, AuthedPartner, Endpoint};
use crate::seed::{self, Nonprofit};
use crate::state::AppState;
use crate::{actions, donations, webhooks};

/// All of `/v1/partner`, behind the gate. Unknown paths and wrong methods get the
/// standard error body *and* the rate-limit headers, like every response here.
pub fn routes(state: AppState) -> Router<AppState> {
    let wrong_method = |route: MethodRouter<AppState>| route.fallback(sir_server_kit::method_not_allowed::<ApiError>);
    Router::new()
        .route(Endpoint::CONFIG, wrong_method(get(config)))
        .route(Endpoint::ORGANIZATION, wrong_method(get(organization)))
        .route(Endpoint::CREATE_LINK, wrong_method(post(donations::create_link)))
        .route(Endpoint::STATUS, wrong_method(get(donations::status)))
        .route(Endpoint::BALANCE, wrong_method(get(actions::balance)))
        .route(Endpoint::SUBMIT_ACTION, wrong_method(post(actions::submit)))
        .route(Endpoint::WEBHOOKS, wrong_method(post(webhooks::register)))
        .route("/v1/partner", any(sir_server_kit::not_found::<ApiError>))
        .route("/v1/partner/{*rest}", any(sir_server_kit::not_found::<ApiError>))
        .layer(middleware::from_fn_with_state(state, gate::gate))
}

/// `GET /v1/partner/config`: exactly the fields of the docs' example (r10).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerConfig {
    pub id: &'static str,
    pub name: &'static str,
    pub slug: &'static str,
    pub enabled_features: &'static [&'static str],
    pub rate_limit: u32,
    pub is_active: bool,
    pub webhook_url: Option<String>,
    pub tip_config: TipConfig,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TipConfig {
    pub enabled: bool,
    pub default_percent: u32,
}

/// An inactive partner still gets its config (with `isActive: false`), so a widget
/// can show a notice instead of a generic error.
pub async fn config(
    State(state): State<AppState>,
    Extension(AuthedPartner(partner)): Extension<AuthedPartner>,
) -> Json<PartnerConfig> {
    Json(PartnerConfig {
        id: partner.id,
        name: partner.name,
        slug: partner.slug,
        enabled_features: partner.enabled_features,
        rate_limit: state.config.rate_limit,
        is_active: partner.is_active,
        // The partner's first registered webhook (or the --webhook-url one); none by default.
        webhook_url: state.lock().hooks.first_url(partner.id),
        tip_config: TipConfig { enabled: partner.tip_enabled, default_percent: partner.tip_default_percent },
    })
}

/// Decision: the docs name the fields (id, name, logo, EIN, status) but not the keys
/// (§2.2); these are `logoUrl` (absolute) and `ein`, status `active` | `inactive`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: &'static str,
    pub slug: &'static str,
    pub name: &'static str,
    pub ein: &'static str,
    pub logo_url: String,
    pub status: &'static str,
}

impl Organization {
    pub fn new(nonprofit: &'static Nonprofit, public_url: &str) -> Self {
        Self {
            id: nonprofit.id,
            slug: nonprofit.slug,
            name: nonprofit.name,
            ein: nonprofit.ein,
            logo_url: format!("{public_url}/logos/{}.svg", nonprofit.slug),
            status: if nonprofit.active { "active" } else { "inactive" },
        }
    }
}

/// `GET /v1/partner/organizations/{slug}`: an exact-slug lookup. Inactive nonprofits
/// are found too (status says so); only create-link refuses them.
pub async fn organization(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Organization>, ApiError> {
    let nonprofit = seed::nonprofit(&slug).ok_or_else(|| {
        ApiError::not_found(ErrorCode::OrganizationNotFound, format!("No nonprofit with slug {slug:?}"))
    })?;
    Ok(Json(Organization::new(nonprofit, &state.config.public_url)))
}
