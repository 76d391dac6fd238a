//! `PARTNER_STATIC_DIR`, served at `/` (tower-http's `ServeDir`), with two refusals it does
//! not make itself: no dotfile or dot-directory (`/.env`, `/.git/config`), and nothing a
//! symbolic link leads to outside the directory. Both answer the same 404 as a missing
//! file, so the answer tells nothing about what is there.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::HandlerWithoutStateExt as _;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse as _, Response};
use tower_http::services::ServeDir;

use crate::error::ApiError;

/// The directory's files as a fallback service.
pub fn router(dir: &Path) -> Router {
    let root = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    // ServeDir guesses types from extensions: `.wasm` is `application/wasm`, which
    // `WebAssembly.instantiateStreaming` requires.
    let files = ServeDir::new(dir)
        .append_index_html_on_directories(true)
        .not_found_service(sir_server_kit::not_found::<ApiError>.into_service());
    Router::new().fallback_service(files).layer(middleware::from_fn_with_state(root, inside_only))
}

async fn inside_only(State(root): State<PathBuf>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let decoded = percent_decode(&path);
    let hidden = decoded.split(['/', '\\']).any(|segment| segment.starts_with('.'));
    if hidden || !stays_inside(&root, &decoded).await {
        return sir_server_kit::not_found::<ApiError>().await.into_response();
    }
    next.run(request).await
}

/// Whether the file a path names (if it exists) is inside `root` once links are followed.
async fn stays_inside(root: &Path, path: &str) -> bool {
    let candidate = root.join(path.trim_start_matches('/'));
    match tokio::fs::canonicalize(&candidate).await {
        Ok(real) => real.starts_with(root),
        // Missing: ServeDir answers 404 itself.
        Err(_) => true,
    }
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_finds_hidden_segments() {
        assert_eq!(percent_decode("/%2eenv"), "/.env");
        assert_eq!(percent_decode("/a%2Fb"), "/a/b");
        assert_eq!(percent_decode("/%zz"), "/%zz");
    }
}
