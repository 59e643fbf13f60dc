//! The page a verification mail's link opens, in a browser: HTML, not JSON, and not in the
//! OpenAPI document. `GET` only shows a button — mail scanners fetch links, and a fetch must
//! not verify anything — and the button's `POST` finishes the sign-up. The pages load nothing
//! (a strict Content-Security-Policy) and show the address escaped.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::accounts;
use crate::error::ServerError;

/// The confirmation button.
pub async fn show(Path(token): Path<String>) -> Response {
    let form = format!(
        "<p>Finish signing up for Camshare with this address?</p>\
         <form method=\"post\" action=\"/verify/{}\"><button type=\"submit\">Verify my address</button></form>",
        escape(&token)
    );
    page(StatusCode::OK, "Verify your address", &form)
}

/// Finishes the sign-up the link names.
pub async fn confirm(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match accounts::verify_sign_up_link(&state.db, &token, state.now()).await {
        Ok(address) => page(
            StatusCode::OK,
            "Address verified",
            &format!(
                "<p><strong>{}</strong> is verified and your Camshare account is ready.</p>\
                 <p>Go back to the Camshare app and sign in.</p>",
                escape(&address)
            ),
        ),
        Err(ServerError::Api(e)) if e.kind == camshare_api::ErrorKind::Conflict => page(
            StatusCode::CONFLICT,
            "Already signed up",
            "<p>This address already has a Camshare account. Sign in in the app.</p>",
        ),
        Err(ServerError::Api(_)) => page(
            StatusCode::NOT_FOUND,
            "This link no longer works",
            "<p>The link has expired or was used already. Sign up again in the Camshare app to get a new one.</p>",
        ),
        Err(e) => {
            tracing::warn!(error = %e, "cannot finish a sign-up from its link");
            page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "<p>Try the link again in a minute.</p>")
        }
    }
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} — Camshare</title>\
         <style>body{{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1d2430}}\
         button{{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#2563eb;color:#fff}}</style>\
         </head><body><h1>{title}</h1>{body}</body></html>"
    );
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    (status, headers, html).into_response()
}

/// HTML-escapes text.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '&' => "&amp;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}
