//! Reading requests: the one JSON body extractor, cookies, and the client's IP address.

use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, FromRequest};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::error::ApiError;

/// A JSON body of type `T`, with every failure in the contract's envelope (axum's
/// `customize-extractor-error` way: axum's `Json`, this server's error).
///
/// Decision: `Content-Type: application/json` is required (else 415), so a cross-origin
/// call always needs a CORS preflight, which other origins fail: a simple form post from
/// another site can't act on the donor's cookie.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct AppJson<T>(pub T);

/// The value of cookie `name`, among all `Cookie` headers; `None` when it is sent twice: a
/// browser sends two of one name only when someone else (a sibling subdomain) planted one,
/// and which is whose can't be told.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut values = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='));
    let first = values.next()?;
    values.next().is_none().then_some(first)
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
        match hop_address(hop) {
            Some(ip) if trusted.contains(&ip) => continue,
            Some(ip) => return Some(ip),
            // Garbage where an address belongs: stop believing the header here.
            None => return Some(peer),
        }
    }
    Some(peer)
}

/// An `X-Forwarded-For` entry's address: `1.2.3.4`, `1.2.3.4:5678`, `::1` or `[::1]:5678`
/// (some load balancers add the port).
fn hop_address(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    hop.rsplit_once(':').and_then(|(ip, port)| port.parse::<u16>().ok().and(ip.parse().ok()))
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
        headers.insert("x-forwarded-for", HeaderValue::from_static("198.51.100.4:5000, 10.0.0.1"));
        assert_eq!(client_ip(&headers, Some(proxy), &[proxy]), "198.51.100.4".parse().ok(), "with a port");
        headers.insert("x-forwarded-for", HeaderValue::from_static("[2001:db8::7]:443"));
        assert_eq!(client_ip(&headers, Some(proxy), &[proxy]), "2001:db8::7".parse().ok());
        headers.insert("x-forwarded-for", HeaderValue::from_static("nonsense"));
        assert_eq!(client_ip(&headers, Some(proxy), &[proxy]), Some(proxy));
        assert_eq!(client_ip(&HeaderMap::new(), None, &[]), None);
    }
}
