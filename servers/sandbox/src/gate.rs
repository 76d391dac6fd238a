//! The middleware every `/v1/partner` request goes through, in this order:
//! count it, rate-limit it, authenticate it (a publishable key, or for the secret-key
//! routes a secret key and a valid HMAC signature over the body), apply an armed fault,
//! run the handler, then add the rate-limit headers and log it. CORS preflights never get here: the
//! CORS layer outside answers them, so they work even while faults are armed.

use axum::body::Body;
use axum::extract::{MatchedPath, OriginalUri, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{self, Credential};
use crate::error::{ApiError, ErrorCode};
use crate::faults::{self, Effect, FaultEndpoint};
use crate::peer_ip;
use crate::rate_limit::{Bucket, REMAINING_HEADER};
use crate::seed::Partner;
use crate::state::{AppState, RequestRecord, unix_now};

/// The partner the request's publishable key belongs to, for the handlers.
#[derive(Clone, Copy, Debug)]
pub struct AuthedPartner(pub &'static Partner);

/// Set by a `link` fault: create-link answers with this link instead of the checkout URL.
#[derive(Clone, Debug)]
pub struct LinkOverride(pub String);

/// A signed request's body is read whole before its signature is checked; this caps it,
/// like axum's default limit for the other endpoints.
pub const MAX_SIGNED_BODY: usize = 2 * 1024 * 1024;

/// The four widget endpoints (API reference §2) and the three secret-key ones (§3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    Config,
    Organization,
    CreateLink,
    Status,
    Balance,
    SubmitAction,
    RegisterWebhook,
}

impl Endpoint {
    pub const CONFIG: &str = "/v1/partner/config";
    pub const ORGANIZATION: &str = "/v1/partner/organizations/{slug}";
    pub const CREATE_LINK: &str = "/v1/partner/donations/create-link";
    pub const STATUS: &str = "/v1/partner/donations/status/{partner_donation_id}";
    pub const BALANCE: &str = "/v1/partner/users/{external_id}/balance";
    pub const SUBMIT_ACTION: &str = "/v1/partner/actions/submit";
    pub const WEBHOOKS: &str = "/v1/partner/webhooks";

    /// The endpoint a request reaches; a wrong method reaches none (it gets a 405).
    fn of(method: &Method, route: &str) -> Option<Self> {
        let read = method == Method::GET || method == Method::HEAD;
        Some(match route {
            Self::CONFIG if read => Self::Config,
            Self::ORGANIZATION if read => Self::Organization,
            Self::CREATE_LINK if method == Method::POST => Self::CreateLink,
            Self::STATUS if read => Self::Status,
            Self::BALANCE if read => Self::Balance,
            Self::SUBMIT_ACTION if method == Method::POST => Self::SubmitAction,
            Self::WEBHOOKS if method == Method::POST => Self::RegisterWebhook,
            _ => return None,
        })
    }

    /// Routes that take the secret key and a signature, whatever the method: a wrong
    /// method is authenticated the same way before its 405.
    fn signed_route(route: &str) -> bool {
        matches!(route, Self::BALANCE | Self::SUBMIT_ACTION | Self::WEBHOOKS)
    }

    fn fault_target(self) -> FaultEndpoint {
        match self {
            Self::Config => FaultEndpoint::Config,
            Self::Organization => FaultEndpoint::Organization,
            Self::CreateLink => FaultEndpoint::CreateLink,
            Self::Status => FaultEndpoint::Status,
            Self::Balance => FaultEndpoint::Balance,
            Self::SubmitAction => FaultEndpoint::SubmitAction,
            Self::RegisterWebhook => FaultEndpoint::RegisterWebhook,
        }
    }
}

pub async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = match request.extensions().get::<OriginalUri>() {
        Some(OriginalUri(uri)) => uri.path().to_owned(),
        None => request.uri().path().to_owned(),
    };
    let origin = request.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let key = auth::key_from(request.headers()).map(str::to_owned);
    let route = request.extensions().get::<MatchedPath>().map(|route| route.as_str().to_owned());
    let endpoint = route.as_deref().and_then(|route| Endpoint::of(request.method(), route));
    let signed = route.as_deref().is_some_and(Endpoint::signed_route);
    let credential = key.as_deref().and_then(auth::lookup);
    let bucket = match (credential, peer_ip(request.extensions())) {
        (Some(Credential { partner, kind }), _) => Bucket::Key(match kind {
            auth::KeyKind::Publishable => partner.publishable_key,
            auth::KeyKind::Secret => partner.secret_key,
        }),
        (None, Some(ip)) => Bucket::Ip(ip),
        (None, None) => Bucket::Anonymous,
    };

    let quota = {
        let mut inner = state.lock();
        // Counted before anything can refuse or fault it: "requests that reached the endpoint".
        if let Some(endpoint) = endpoint {
            let stats = &mut inner.stats;
            match endpoint {
                Endpoint::Config => stats.config += 1,
                Endpoint::Organization => stats.organization += 1,
                Endpoint::CreateLink => stats.create_link += 1,
                Endpoint::Status => stats.status += 1,
                // `GET /__sandbox/stats` keeps its documented shape: widget endpoints only.
                Endpoint::Balance | Endpoint::SubmitAction | Endpoint::RegisterWebhook => {}
            }
        }
        inner.limiter.hit(bucket, state.config.rate_limit, unix_now())
    };

    let response = if quota.retry_after.is_some() {
        Some(ApiError::rate_limited().into_response())
    } else {
        let authenticated = if signed {
            authenticate_signed(credential, key.as_deref(), request).await
        } else {
            auth::authenticate(credential, key.as_deref()).map(|partner| (partner, request))
        };
        match authenticated {
            Err(error) => Some(error.into_response()),
            Ok((partner, mut request)) => {
                request.extensions_mut().insert(AuthedPartner(partner));
                // Faults hit authenticated calls only, so a stray probe can't use up a fault a test armed.
                let fault = endpoint.and_then(|e| state.lock().faults.take(e.fault_target()));
                handle(fault.map(Effect::from), request, next).await
            }
        }
    };

    let status = response.as_ref().map(|r| r.status().as_u16());
    state.lock().record(RequestRecord { method, path, key_prefix: auth::key_prefix(key.as_deref()), origin, status });
    let Some(mut response) = response else {
        tracing::warn!("injected fault: dropping the connection without a response");
        return faults::dropped_connection();
    };
    quota.write_headers(response.headers_mut());
    // An injected 429 should not claim budget is left.
    if response.status() == StatusCode::TOO_MANY_REQUESTS {
        response.headers_mut().insert(REMAINING_HEADER, HeaderValue::from(0));
    }
    response
}

/// A secret-key route's partner: the key must be a seeded `sk_` (else 401 / 403
/// `SECRET_KEY_REQUIRED`), the signature must match the body and the *original* path
/// and query (a nested router would have stripped its prefix from `request.uri()`),
/// and the partner must be active. Hands back the request with its body restored.
async fn authenticate_signed(
    credential: Option<Credential>,
    key: Option<&str>,
    request: Request,
) -> Result<(&'static Partner, Request), ApiError> {
    let partner = auth::secret_key_partner(credential, key)?;
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, MAX_SIGNED_BODY).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, "The body is over 2 MB or was cut off")
    })?;
    let uri = parts.extensions.get::<OriginalUri>().map_or(&parts.uri, |OriginalUri(uri)| uri);
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    auth::verify_signature(partner, &parts.headers, parts.method.as_str(), path_and_query, &body, unix_now())?;
    // The docs: API calls work once the partner is ACTIVE.
    if !partner.is_active {
        return Err(ApiError::forbidden(ErrorCode::PartnerInactive, "This partner account is not active"));
    }
    Ok((partner, Request::from_parts(parts, Body::from(body))))
}

/// Runs the handler under an armed fault's effect; `None` means drop the connection.
async fn handle(effect: Option<Effect>, mut request: Request, next: Next) -> Option<Response> {
    Some(match effect {
        None => next.run(request).await,
        Some(Effect::Replace(response)) => response,
        Some(Effect::Drop) => return None,
        Some(Effect::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Some(Effect::LateAnswer(delay)) => {
            let response = next.run(request).await;
            tokio::time::sleep(delay).await;
            response
        }
        Some(Effect::Pad) => faults::oversized(next.run(request).await).await,
        Some(Effect::Link(link)) => {
            request.extensions_mut().insert(LinkOverride(link));
            next.run(request).await
        }
    })
}
