//! Request extractors: the one JSON body extractor, and the client's IP address.

use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, FromRequest, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorCode};

/// A JSON body of type `T`, with every failure in the contract's envelope.
///
/// Decision: `Content-Type: application/json` is required (else 415), so a cross-origin
/// call always needs a CORS preflight, which other origins fail: a simple form post from
/// another site can't act on the donor's cookie.
pub struct AppJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(request.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Send Content-Type: application/json",
            ));
        }
        let body = Bytes::from_request(request, state).await.map_err(|rejection| {
            ApiError::new(rejection.status(), ErrorCode::PayloadTooLarge, "The body could not be read")
        })?;
        serde_json::from_slice(&body).map(AppJson).map_err(|error| {
            ApiError::bad_request(ErrorCode::InvalidBody, format!("The body is not what this call takes: {error}"))
        })
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// The TCP peer: from the connection, or from `MockConnectInfo` in tests.
pub fn peer_ip(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip())
        .or_else(|| extensions.get::<MockConnectInfo<SocketAddr>>().map(|MockConnectInfo(address)| address.ip()))
}

/// The client's IP: the peer, unless the peer is one of `trusted` proxies; then the
/// nearest `X-Forwarded-For` entry that is not itself a trusted proxy. A client can put
/// anything at the *start* of that header, so it is read from the right.
pub fn client_ip(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in forwarded.into_iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return Some(ip),
            // Garbage where an address belongs: stop believing the header here.
            Err(_) => return Some(peer),
        }
    }
    Some(peer)
}

/// [`client_ip`] for request parts.
pub fn client_ip_of(parts: &Parts, trusted: &[IpAddr]) -> Option<IpAddr> {
    client_ip(&parts.headers, peer_ip(&parts.extensions), trusted)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_client_ip_is_read_from_the_right_behind_trusted_proxies_only() {
        let proxy: IpAddr = "10.0.0.1".parse().expect("ip");
        let client: IpAddr = "203.0.113.7".parse().expect("ip");
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("1.2.3.4, 203.0.113.7, 10.0.0.1"));
        assert_eq!(client_ip(&headers, Some(proxy), &[proxy]), Some(client), "spoofed first entry ignored");
        assert_eq!(client_ip(&headers, Some(client), &[proxy]), Some(client), "not a proxy: the header is ignored");
        headers.insert("x-forwarded-for", HeaderValue::from_static("nonsense"));
        assert_eq!(client_ip(&headers, Some(proxy), &[proxy]), Some(proxy));
        assert_eq!(client_ip(&HeaderMap::new(), None, &[]), None);
    }
}
