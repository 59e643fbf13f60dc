//! The owner's shares, and the decision function asked directly.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use camshare_api::{
    AccessDecision, AccessQuery, ApiError, CreateShares, CreatedShares, EditShare, OutgoingShare, RevokedEverything,
    ShareId, routes,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::extract::{Body, Caller, IdPath, Params};
use crate::error::{Result, ServerError};
use crate::permits::{self, Purpose, Refusal};
use crate::sharing;
use crate::store::shares;

/// Share devices with one recipient (email, phone or account code). The answer reads the same
/// whether or not the address has an account.
#[utoipa::path(post, path = routes::SHARES, request_body = CreateShares, tag = "shares", security(("bearer" = [])),
    responses((status = 201, body = CreatedShares), (status = 400, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn share_devices(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<CreateShares>,
) -> Result<impl IntoResponse> {
    let created = sharing::create(&state.db, &state.key, caller.account, req, state.now()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Query of `GET /api/shares`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListSharesQuery {
    /// Include ended shares (rejected, cancelled, revoked, removed). Default: false.
    #[serde(default)]
    #[param(required = false)]
    pub all: bool,
}

/// The shares I made.
#[utoipa::path(get, path = routes::SHARES, tag = "shares", security(("bearer" = [])), params(ListSharesQuery),
    responses((status = 200, body = Vec<OutgoingShare>), (status = 401, body = ApiError)))]
pub async fn list_shares(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ListSharesQuery>,
) -> Result<Json<Vec<OutgoingShare>>> {
    Ok(Json(shares::outgoing(&state.db.pool, caller.account, q.all, state.now()).await?))
}

async fn outgoing(state: &AppState, caller: Caller, id: ShareId) -> Result<OutgoingShare> {
    let mut conn = state.db.pool.acquire().await?;
    let row = shares::row(&mut conn, id)
        .await?
        .filter(|r| r.owner() == caller.account)
        .ok_or_else(|| ServerError::not_found("share"))?;
    row.outgoing(state.now())
}

/// One share I made.
#[utoipa::path(get, path = routes::SHARE, tag = "shares", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutgoingShare), (status = 404, body = ApiError)))]
pub async fn get_share(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<ShareId>,
) -> Result<Json<OutgoingShare>> {
    Ok(Json(outgoing(&state, caller, id).await?))
}

/// Change channels, functions or terms of a share; effective immediately.
#[utoipa::path(patch, path = routes::SHARE, request_body = EditShare, tag = "shares", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutgoingShare), (status = 400, body = ApiError), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn edit_share(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<ShareId>,
    Body(edit): Body<EditShare>,
) -> Result<Json<OutgoingShare>> {
    sharing::edit(&state.db, caller.account, id, edit, state.now()).await?;
    Ok(Json(outgoing(&state, caller, id).await?))
}

/// Stop sharing (a pending invite is cancelled).
#[utoipa::path(delete, path = routes::SHARE, tag = "shares", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn revoke_share(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<ShareId>,
) -> Result<StatusCode> {
    sharing::revoke(&state.db, caller.account, id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send a pending invite again with a fresh 7-day deadline (at most once an hour).
#[utoipa::path(post, path = routes::SHARE_RESEND, tag = "shares", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutgoingShare), (status = 404, body = ApiError), (status = 409, body = ApiError), (status = 429, body = ApiError)))]
pub async fn resend_share(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<ShareId>,
) -> Result<Json<OutgoingShare>> {
    sharing::resend(&state.db, caller.account, id, state.now()).await?;
    Ok(Json(outgoing(&state, caller, id).await?))
}

/// Withdraw a pending invite.
#[utoipa::path(post, path = routes::SHARE_CANCEL, tag = "shares", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutgoingShare), (status = 404, body = ApiError), (status = 409, body = ApiError)))]
pub async fn cancel_share(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<ShareId>,
) -> Result<Json<OutgoingShare>> {
    sharing::cancel(&state.db, caller.account, id, state.now()).await?;
    Ok(Json(outgoing(&state, caller, id).await?))
}

/// The emergency button: end every share and invite of my devices and every stream open on them,
/// in one step. The answer lists what ended.
#[utoipa::path(post, path = routes::SHARES_REVOKE_EVERYTHING, tag = "shares", security(("bearer" = [])),
    responses((status = 200, body = RevokedEverything), (status = 401, body = ApiError)))]
pub async fn revoke_everything(State(state): State<AppState>, caller: Caller) -> Result<Json<RevokedEverything>> {
    let ended = sharing::revoke_everything(&state.db, caller.account, state.now()).await?;
    // The enforcer would close the recipients' streams within moments of the commit; closing
    // them here makes it now, and ends the owner's own as well.
    let streams = state.gate.as_ref().map_or(0, |gate| gate.end_viewers_of_owner(caller.account));
    Ok(Json(RevokedEverything { ended, streams_ended: u32::try_from(streams).unwrap_or(u32::MAX) }))
}

/// Ask the authority: may I use this function on this channel now? A device that is neither
/// mine nor shared with me (accepted) is `not_found`; any other refusal is `allowed: false`.
#[utoipa::path(get, path = routes::ACCESS, tag = "shares", security(("bearer" = [])), params(AccessQuery),
    responses((status = 200, body = AccessDecision), (status = 404, body = ApiError)))]
pub async fn check_access(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<AccessQuery>,
) -> Result<Json<AccessDecision>> {
    let now = state.now();
    let purpose = Purpose::probing(q.function, now);
    Ok(Json(match permits::decide(&state.db.pool, caller.account, q.device, q.channel, purpose, now).await? {
        Ok(permit) => AccessDecision { allowed: true, as_owner: permit.as_owner(), playback_since: permit.earliest() },
        Err(Refusal::UnknownDevice) => return Err(Refusal::UnknownDevice.into_api_error().into()),
        Err(_) => AccessDecision { allowed: false, as_owner: false, playback_since: None },
    }))
}
