//! `GET /sir/totals?org=…[&campaign=…]`: what a goal meter shows, for anyone (no session):
//! the money raised for a nonprofit (and campaign) through this server, from donations
//! signed webhooks confirmed, reversed ones subtracted; the tip is never in a donation's
//! amount. Cached per nonprofit and campaign for [`FRESH_FOR`] in each instance (the
//! database is the same for all), and rate-limited per client like every `/sir/*` route.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::donations::{rfc3339, url_token};
use crate::error::{ApiError, ErrorCode};
use crate::store::{Totals, now_ms};

/// How long a total is reused: a goal meter need not be exact to the second.
pub const FRESH_FOR: Duration = Duration::from_secs(10);
/// Keys kept in the cache at most: a stranger asking for made-up slugs can't grow it.
const CACHED_KEYS: usize = 1_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotalsQuery {
    org: String,
    campaign: Option<String>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TotalsView {
    nonprofit_slug: String,
    campaign: Option<String>,
    #[serde(flatten)]
    totals: Totals,
    /// RFC 3339 UTC: when these totals were read.
    as_of: String,
}

/// A nonprofit's slug and, when given, a campaign code.
type Scope = (String, Option<String>);

/// Totals read recently, per nonprofit and campaign, with when they were read; and a
/// generation, bumped by every change, so a read that raced a change is not kept.
#[derive(Default)]
pub struct TotalsCache(Mutex<HashMap<Scope, (Instant, TotalsView)>>, AtomicU64);

pub async fn totals(
    State(state): State<AppState>,
    Query(query): Query<TotalsQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let campaign = query.campaign.filter(|code| !code.is_empty());
    if !url_token(&query.org, 100) || campaign.as_deref().is_some_and(|code| !url_token(code, 100)) {
        return Err(ApiError::bad_request(
            ErrorCode::InvalidBody,
            "org and campaign must be 1 to 100 of A-Z a-z 0-9 _ -",
        ));
    }
    let key = (query.org, campaign);
    let cached = {
        let cache = state.totals.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.get(&key).filter(|(at, _)| at.elapsed() < FRESH_FOR).map(|(_, view)| view.clone())
    };
    let view = match cached {
        Some(view) => view,
        None => {
            let generation = state.totals.1.load(Ordering::SeqCst);
            let totals = state.store.totals(&key.0, key.1.as_deref()).await?;
            let view =
                TotalsView { nonprofit_slug: key.0.clone(), campaign: key.1.clone(), totals, as_of: rfc3339(now_ms()) };
            let mut cache = state.totals.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if cache.len() >= CACHED_KEYS {
                cache.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
            }
            if cache.len() < CACHED_KEYS && state.totals.1.load(Ordering::SeqCst) == generation {
                cache.insert(key, (Instant::now(), view.clone()));
            }
            view
        }
    };
    let max_age = format!("public, max-age={}", FRESH_FOR.as_secs());
    Ok(([(header::CACHE_CONTROL, max_age)], Json(view)))
}

/// Forgets every cached total (a donation of this instance's just changed them).
pub fn forget(state: &AppState) {
    let mut cache = state.totals.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    state.totals.1.fetch_add(1, Ordering::SeqCst);
    cache.clear();
}
