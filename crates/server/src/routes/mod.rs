//! The HTTP API: one `app()` that builds every route together with its OpenAPI description,
//! so the document at `/api/openapi.json` can never miss a route.

mod accounts;
mod blocked_owners;
mod devices;
mod events;
pub mod extract;
mod invites;
mod link_pages;
mod recipients;
mod shares;
mod streams;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router};
use camshare_api::{ApiError, ErrorKind, Timestamp, routes};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes as r;

use crate::clock::Clock;
use crate::secrets::ServerKey;
use crate::store::Db;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub key: ServerKey,
    pub clock: Arc<dyn Clock>,
    /// The media gate, running beside the HTTP server; `None` when the server runs without it.
    pub gate: Option<Arc<crate::gate::Gate>>,
    /// Whether each device answered at its last check.
    pub health: crate::health::DeviceHealth,
    /// Which networks cameras may be on (checked when an address is entered, and again at every
    /// connection).
    pub camera_policy: Arc<crate::camera::NetworkPolicy>,
    /// The per-account limits.
    pub limits: crate::limits::Limits,
    /// Where verification mails and text messages go.
    pub outbox: crate::outbox::Outbox,
    /// The server's base URL as people reach it, for links in mails.
    pub public_url: String,
    /// Cancelled when the server stops: open event streams end.
    pub shutdown: tokio_util::sync::CancellationToken,
}

impl AppState {
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// What sending a sign-up's code needs.
    pub fn messenger(&self) -> crate::accounts::Messenger<'_> {
        crate::accounts::Messenger { outbox: &self.outbox, public_url: &self.public_url }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Camshare API", description = "Share cameras and NVR channels, function by function."),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The answers the extractors give on every route that uses them, added to each operation's
/// documented responses so the document lists every status a route can answer: 401 where a
/// token is required (`Caller`), 400 where there is a body or a query (`Body`, `Params`: bad
/// JSON, wrong types, a failed rule), 413 where there is a body (over the size limit), 404 where
/// there is an id in the path (`IdPath`: not a number, or not yours).
struct CommonAnswers;

impl utoipa::Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{RefOr, ResponseBuilder};
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                let has = |place: ParameterIn| {
                    operation.parameters.iter().flatten().any(|p| match p {
                        RefOr::T(p) => p.parameter_in == place,
                        RefOr::Ref(_) => false,
                    })
                };
                let mut answers = Vec::new();
                if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                    answers.push(("401", "No valid access token: sign in first (`unauthorized`)."));
                }
                if operation.request_body.is_some() || has(ParameterIn::Query) {
                    answers.push(("400", "The request is malformed or a field is invalid (`invalid_input` and kin)."));
                }
                if operation.request_body.is_some() {
                    answers.push(("413", "The body is larger than the server accepts (`payload_too_large`)."));
                }
                if has(ParameterIn::Path) {
                    answers.push(("404", "No such object, or not yours to see (`not_found`)."));
                }
                for (status, description) in answers {
                    operation.responses.responses.entry(status.to_string()).or_insert_with(|| {
                        let error = utoipa::openapi::Ref::from_schema_name("ApiError");
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(description)
                                .content_ref("application/json", error)
                                .build(),
                        )
                    });
                }
            }
        }
    }
}

/// Every route with its OpenAPI description.
fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(r!(accounts::sign_up))
        .routes(r!(accounts::verify_sign_up))
        .routes(r!(accounts::resend_sign_up_code))
        .routes(r!(accounts::start_password_reset))
        .routes(r!(accounts::finish_password_reset))
        .routes(r!(accounts::change_password))
        .routes(r!(accounts::sign_in, accounts::sign_out_everywhere))
        .routes(r!(accounts::refresh))
        .routes(r!(accounts::sign_out))
        .routes(r!(accounts::me, accounts::delete_account))
        .routes(r!(accounts::verify_account_code))
        .routes(r!(devices::list_devices, devices::add_device))
        .routes(r!(devices::get_device, devices::edit_device, devices::remove_device))
        .routes(r!(devices::device_access))
        .routes(r!(shares::share_devices, shares::list_shares))
        .routes(r!(shares::get_share, shares::edit_share, shares::revoke_share))
        .routes(r!(shares::resend_share))
        .routes(r!(shares::cancel_share))
        .routes(r!(shares::revoke_everything))
        .routes(r!(shares::check_access))
        .routes(r!(streams::create_stream_ticket))
        .routes(r!(recipients::list_recipients))
        .routes(r!(recipients::get_recipient, recipients::edit_recipient, recipients::delete_recipient))
        .routes(r!(recipients::recipient_history))
        .routes(r!(invites::list_invites))
        .routes(r!(invites::accept_invite))
        .routes(r!(invites::reject_invite))
        .routes(r!(invites::list_shared_devices))
        .routes(r!(invites::remove_shared_device))
        .routes(r!(blocked_owners::list_blocked_owners, blocked_owners::block_owner))
        .routes(r!(blocked_owners::unblock_owner))
        .routes(r!(events::events_stream))
        .routes(r!(events::list_activity))
}

/// Every route, and the whole OpenAPI document: what the routes' annotations say, and the
/// answers their extractors add (`CommonAnswers`).
fn routes_and_document() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = api_router().split_for_parts();
    utoipa::Modify::modify(&CommonAnswers, &mut doc);
    (router, doc)
}

/// The OpenAPI document of the whole API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes_and_document().1
}

/// The server's router. `max_body_bytes` bounds every request body.
pub fn app(state: AppState, max_body_bytes: usize) -> Router {
    let (router, doc) = routes_and_document();
    let doc = Arc::new(doc);
    router
        .route(routes::OPENAPI, axum::routing::get(move || async move { Json(doc.as_ref().clone()) }))
        .route(routes::HEALTH, axum::routing::get(|| async { Json(serde_json::json!({ "status": "ok" })) }))
        .route(routes::VERIFY_LINK, axum::routing::get(link_pages::show_verify).post(link_pages::verify))
        .route(routes::RESET_LINK, axum::routing::get(link_pages::show_reset).post(link_pages::reset))
        .fallback(|| async { error(ErrorKind::NotFound, "no such API route") })
        .method_not_allowed_fallback(|| async {
            error(ErrorKind::InvalidInput, "this route does not take that HTTP method")
        })
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state)
}

fn error(kind: ErrorKind, message: &str) -> impl IntoResponse {
    let status = if kind == ErrorKind::InvalidInput {
        StatusCode::METHOD_NOT_ALLOWED
    } else {
        StatusCode::from_u16(kind.http_status()).unwrap_or(StatusCode::NOT_FOUND)
    };
    (status, Json(ApiError::new(kind, message)))
}
