//! Live view: tickets for the media gate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use camshare_api::{ApiError, ErrorKind, Function, StreamTicket, StreamTicketRequest, routes};

use super::AppState;
use super::extract::{Body, Caller};
use super::shares::decide;
use crate::access::{Decision, Denial};
use crate::error::Result;
use crate::gate;
use crate::store::tickets::{self, TicketGrant};

/// A one-time ticket to watch one stream of one channel through the gate, if the decision
/// function allows live view now. A device that is neither mine nor shared with me is
/// `not_found`; one shared with me, but not this channel or not now, is `forbidden`.
#[utoipa::path(post, path = routes::STREAM_TICKETS, request_body = StreamTicketRequest, tag = "live view",
    security(("bearer" = [])),
    responses((status = 201, body = StreamTicket), (status = 400, body = ApiError), (status = 403, body = ApiError),
        (status = 404, body = ApiError)))]
pub async fn create_stream_ticket(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<StreamTicketRequest>,
) -> Result<impl IntoResponse> {
    let (device, name, decision) = decide(&state, caller, req.device, req.channel, Function::LiveView).await?;
    match decision {
        Decision::Owner | Decision::Granted { .. } => {}
        Decision::Denied(Denial::NoSuchChannel) => {
            let message = match device.channel_count {
                1 => format!("{name} has one channel: channel 1"),
                n => format!("{name} has channels 1 to {n}"),
            };
            return Err(ApiError::invalid("channel", message).into());
        }
        Decision::Denied(denial) => {
            let message = match denial {
                Denial::Expired => "this share has expired",
                Denial::OutsideSchedule => "this share does not allow viewing at this time of day",
                Denial::ChannelNotShared => "this channel is not shared with you",
                _ => "live view is not shared with you on this channel",
            };
            return Err(ApiError::new(ErrorKind::Forbidden, message).into());
        }
    }
    let grant = TicketGrant { account: caller.account, device: req.device, channel: req.channel, stream: req.stream };
    let (ticket, expires_at) = tickets::issue(&state.db.pool, grant, state.now()).await?;
    let url = format!("{}{}", state.gate.url_base, gate::stream_path(req.device, req.channel, req.stream));
    let body = StreamTicket { url, username: caller.account.0.to_string(), ticket, expires_at };
    Ok((StatusCode::CREATED, Json(body)))
}
