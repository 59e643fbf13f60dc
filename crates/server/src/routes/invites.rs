//! The recipient's side: invitations, and "Others' Devices".

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use camshare_api::{ApiError, ShareId, ShareStatus, SharedDevice, routes};

use super::AppState;
use super::extract::{Caller, IdPath};
use crate::error::{Result, ServerError};
use crate::sharing;
use crate::store::shares;

/// Invitations waiting for my answer.
#[utoipa::path(get, path = routes::INVITES, tag = "recipient", security(("bearer" = [])),
    responses((status = 200, body = Vec<SharedDevice>), (status = 401, body = ApiError)))]
pub async fn list_invites(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<SharedDevice>>> {
    let mut list = shares::reaching(&state.db, caller.account, ShareStatus::Pending, state.now()).await?;
    list.iter_mut().for_each(|device| state.health.annotate_shared(device, state.now()));
    Ok(Json(list))
}

/// Accept an invitation: the device appears in my list.
#[utoipa::path(post, path = routes::INVITE_ACCEPT, tag = "recipient", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SharedDevice), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 410, body = ApiError)))]
pub async fn accept_invite(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<ShareId>,
) -> Result<Json<SharedDevice>> {
    let shared = sharing::answer(&state.db, caller.account, id, true, state.now()).await?;
    shared.map(Json).ok_or_else(|| ServerError::internal("accepted share has no view"))
}

/// Reject an invitation.
#[utoipa::path(post, path = routes::INVITE_REJECT, tag = "recipient", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 410, body = ApiError)))]
pub async fn reject_invite(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<ShareId>,
) -> Result<StatusCode> {
    sharing::answer(&state.db, caller.account, id, false, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Devices others share with me, with exactly the functions I have per channel.
#[utoipa::path(get, path = routes::SHARED_DEVICES, tag = "recipient", security(("bearer" = [])),
    responses((status = 200, body = Vec<SharedDevice>), (status = 401, body = ApiError)))]
pub async fn list_shared_devices(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<SharedDevice>>> {
    let mut list = shares::reaching(&state.db, caller.account, ShareStatus::Accepted, state.now()).await?;
    list.iter_mut().for_each(|device| state.health.annotate_shared(device, state.now()));
    Ok(Json(list))
}

/// Remove a shared device from my list; the share ends.
#[utoipa::path(delete, path = routes::SHARED_DEVICE, tag = "recipient", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ApiError)))]
pub async fn remove_shared_device(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<ShareId>,
) -> Result<StatusCode> {
    sharing::remove_received(&state.db, caller.account, id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
