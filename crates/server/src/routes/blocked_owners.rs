//! The recipient's list of blocked owners: block one who shared with me, see whom I blocked,
//! unblock. The rules are in `crate::blocking`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use camshare_api::{AccountId, ApiError, BlockOwner, BlockedOwner, routes};

use super::AppState;
use super::extract::{Body, Caller, IdPath};
use crate::blocking;
use crate::error::Result;
use crate::store::blocked_owners;

/// Owners I blocked, most recent first.
#[utoipa::path(get, path = routes::BLOCKED_OWNERS, tag = "recipient", security(("bearer" = [])),
    responses((status = 200, body = Vec<BlockedOwner>), (status = 401, body = ApiError)))]
pub async fn list_blocked_owners(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<BlockedOwner>>> {
    Ok(Json(blocked_owners::list(&state.db.pool, caller.account).await?))
}

/// Block an owner who shared with me: their open invites are rejected, their shared devices
/// removed (open streams end), and nothing they share reaches me until I unblock them. They are
/// not told of the block. Blocking again answers the same.
#[utoipa::path(post, path = routes::BLOCKED_OWNERS, request_body = BlockOwner, tag = "recipient", security(("bearer" = [])),
    responses((status = 200, body = BlockedOwner), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn block_owner(
    State(state): State<AppState>,
    caller: Caller,
    Body(req): Body<BlockOwner>,
) -> Result<impl IntoResponse> {
    Ok(Json(blocking::block(&state.db, caller.account, req.owner, state.now()).await?))
}

/// Unblock an owner: invites they sent meanwhile that are still open reach me now.
#[utoipa::path(delete, path = routes::BLOCKED_OWNER, tag = "recipient", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ApiError)))]
pub async fn unblock_owner(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(owner): IdPath<AccountId>,
) -> Result<StatusCode> {
    blocking::unblock(&state.db, caller.account, owner, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
