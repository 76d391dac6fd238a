use thiserror::Error;

/// Why the widget refuses to send a donor to a `donationLink`.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("the checkout link is not a safe https address")]
pub struct LinkError;

/// Accepts only `https:` links, or `http:` to a loopback host (the local sandbox).
///
/// The API response is not trusted: a `javascript:` or plain-http link would let a
/// compromised or misconfigured host run script in the partner's page or leak the donor.
///
/// # Errors
/// [`LinkError`] for any other scheme, control characters or whitespace, user info in
/// an http authority (`http://127.0.0.1@evil.example`), or a missing host.
pub fn check_https_or_loopback(link: &str) -> Result<(), LinkError> {
    if link.is_empty() || link.len() > 4096 || link.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(LinkError);
    }
    let lower = link.to_ascii_lowercase();
    let (rest, https) = if let Some(rest) = lower.strip_prefix("https://") {
        (rest, true)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (rest, false)
    } else {
        return Err(LinkError);
    };
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err(LinkError);
    }
    if https {
        return Ok(());
    }
    let host = if let Some(bracketed) = authority.strip_prefix('[') {
        bracketed.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    match host {
        "localhost" | "::1" => Ok(()),
        _ if is_ipv4_loopback(host) => Ok(()),
        _ => Err(LinkError),
    }
}

fn is_ipv4_loopback(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts[0] == "127"
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}
