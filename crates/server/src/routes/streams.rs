//! Live view: tickets for the media gate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use camshare_api::{ApiError, ErrorKind, StreamTicket, StreamTicketRequest, routes};

use super::AppState;
use super::extract::{Body, Caller};
use crate::error::Result;
use crate::gate;
use crate::permits::{self, Purpose, Refusal};
use crate::store::tickets;

/// A one-time ticket to watch one stream of one channel through the gate, if the authority
/// permits live view now. A device that is neither mine nor shared with me is `not_found`; one
/// shared with me, but not this channel or not now, is `forbidden`; a channel that does not
/// exist is `invalid_input`.
#[utoipa::path(post, path = routes::STREAM_TICKETS, request_body = StreamTicketRequest, tag = "live view",
    security(("bearer" = [])),
    responses((status = 201, body = StreamTicket), (status = 400, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError), (status = 429, body = ApiError)))]
pub async fn create_stream_ticket(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<StreamTicketRequest>,
) -> Result<impl IntoResponse> {
    let Some(gate) = &state.gate else {
        return Err(ApiError::new(ErrorKind::NotFound, "this server runs without its media gate: no live view").into());
    };
    let now = state.now();
    let purpose = Purpose::Live(req.stream);
    let permit = permits::decide(&state.db.pool, caller.account, req.device, req.channel, purpose, now)
        .await?
        .map_err(Refusal::into_api_error)?;
    let Some((ticket, expires_at)) = tickets::issue(&state.db.pool, &permit, Some(caller.session.id), now).await?
    else {
        let most = tickets::OPEN_PER_ACCOUNT;
        return Err(ApiError::new(
            ErrorKind::RateLimited,
            format!("you hold {most} unused stream tickets, the most at once; use them or wait 30 s"),
        )
        .into());
    };
    let url = format!("{}{}", gate.url_base, gate::stream_path(req.device, req.channel, req.stream));
    let body =
        StreamTicket { url, username: caller.account.0.to_string(), ticket, expires_at, purpose: purpose.to_wire() };
    Ok((StatusCode::CREATED, Json(body)))
}
