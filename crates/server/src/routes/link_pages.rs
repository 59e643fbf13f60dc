//! The pages the links in the server's mails open, in a browser: HTML, not JSON, and not in the
//! OpenAPI document. `GET` only shows a form — mail scanners fetch links, and a fetch must not
//! change anything — and the form's `POST` acts: it finishes a sign-up (`/verify/{token}`) or
//! sets a new password (`/reset/{token}`). The pages load nothing (a strict
//! Content-Security-Policy) and show what they show escaped.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::accounts;
use crate::error::ServerError;

/// The confirmation button of a sign-up's link.
pub async fn show_verify(Path(token): Path<String>) -> Response {
    let form = format!(
        "<p>Finish signing up for Camshare with this address?</p>\
         <form method=\"post\" action=\"/verify/{}\"><button type=\"submit\">Verify my address</button></form>",
        escape(&token)
    );
    page(StatusCode::OK, "Verify your address", &form)
}

/// Finishes the sign-up the link names.
pub async fn verify(State(state): State<AppState>, Path(token): Path<String>) -> Response {
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

/// The new-password form of a reset link.
pub async fn show_reset(Path(token): Path<String>) -> Response {
    let form = format!(
        "<form method=\"post\" action=\"/reset/{}\"><p><label>New password (at least 8 characters)<br>\
         <input type=\"password\" name=\"password\" minlength=\"8\" maxlength=\"256\" required \
         autocomplete=\"new-password\"></label></p><button type=\"submit\">Set the new password</button></form>",
        escape(&token)
    );
    page(StatusCode::OK, "Choose a new password", &form)
}

/// What the reset form sends.
#[derive(serde::Deserialize)]
pub struct NewPassword {
    password: String,
}

/// Sets the new password the form sent, for the reset the link names.
pub async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<NewPassword>,
) -> Response {
    match crate::passwords::finish_reset_by_link(&state.db, &token, form.password.into(), state.now()).await {
        Ok(()) => page(
            StatusCode::OK,
            "Password changed",
            "<p>Your new password is set, and every device signed in to your account was signed out.</p>\
             <p>Go back to the Camshare app and sign in with it.</p>",
        ),
        Err(ServerError::Api(e)) if e.kind == camshare_api::ErrorKind::InvalidInput => page(
            StatusCode::BAD_REQUEST,
            "Choose a longer password",
            "<p>A password needs at least 8 characters. Go back and try again.</p>",
        ),
        Err(ServerError::Api(_)) => page(
            StatusCode::NOT_FOUND,
            "This link no longer works",
            "<p>The link has expired or was used already. Ask for a new one in the Camshare app.</p>",
        ),
        Err(e) => {
            tracing::warn!(error = %e, "cannot reset a password from its link");
            page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", "<p>Try the link again in a minute.</p>")
        }
    }
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} — Camshare</title>\
         <style>body{{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1d2430}}\
         button{{font:inherit;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#2563eb;color:#fff}}\
         input{{font:inherit;padding:.5rem;width:100%;box-sizing:border-box}}</style>\
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
