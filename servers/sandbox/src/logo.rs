//! Nonprofit logos, generated: the initials on a coloured rounded square.
//! Served by the sandbox itself so the widget's images never leave the machine.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::html::escape;
use crate::seed::{self, Nonprofit};

/// `GET /logos/{slug}.svg`.
pub async fn logo(Path(file): Path<String>) -> Response {
    let Some(nonprofit) = file.strip_suffix(".svg").and_then(seed::nonprofit) else {
        return ApiError::route_not_found().into_response();
    };
    let mut response = svg(nonprofit).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    // Partner pages on other origins embed it, even under Cross-Origin-Embedder-Policy.
    headers.insert("cross-origin-resource-policy", HeaderValue::from_static("cross-origin"));
    response
}

/// Up to two initials: the first alphanumeric character of the first two words that have one.
pub fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|word| word.chars().find(|c| c.is_alphanumeric())).take(2).collect()
}

pub fn svg(nonprofit: &Nonprofit) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"64\" height=\"64\" viewBox=\"0 0 64 64\" role=\"img\" \
aria-label=\"{name}\"><title>{name}</title><rect width=\"64\" height=\"64\" rx=\"12\" fill=\"{color}\"/>\
<text x=\"32\" y=\"41\" font-family=\"sans-serif\" font-size=\"24\" font-weight=\"700\" fill=\"#fff\" \
text-anchor=\"middle\">{initials}</text></svg>",
        name = escape(nonprofit.name),
        color = escape(nonprofit.color),
        initials = escape(&initials(nonprofit.name)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_skip_punctuation() {
        assert_eq!(initials("American Red Cross"), "AR");
        assert_eq!(initials(r#"Kids & Arts <Fund> "Create" 'Now'"#), "KA");
        assert_eq!(initials("Water.org"), "W");
    }
}
