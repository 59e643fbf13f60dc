//! "Manage Sharing Settings": the owner's recipients, their Sharing Details, and the history
//! behind the Recipient page's search box.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use camshare_api::{ApiError, EditRecipient, HistoryEntry, Recipient, RecipientId, routes};
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::extract::{Body, Caller, IdPath, Params};
use crate::clock::from_millis;
use crate::error::{Result, ServerError};
use crate::sharing;
use crate::store::recipients::{self, RecipientRow};
use crate::store::shares;

async fn with_shares(state: &AppState, rows: Vec<RecipientRow>) -> Result<Vec<Recipient>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut by_recipient = shares::of_recipients(&state.db.pool, &ids, state.now()).await?;
    Ok(rows
        .into_iter()
        .map(|r| Recipient {
            id: RecipientId(r.id),
            address_kind: recipients::parse_kind(&r.address_kind),
            shares: by_recipient.remove(&RecipientId(r.id)).unwrap_or_default(),
            address: r.address,
            remark: r.remark,
            created_at: from_millis(r.created_ms),
        })
        .collect())
}

async fn current(state: &AppState, caller: Caller, id: RecipientId) -> Result<RecipientRow> {
    let mut conn = state.db.pool.acquire().await?;
    recipients::get(&mut conn, caller.account, id)
        .await?
        .filter(|r| r.deleted_ms.is_none())
        .ok_or_else(|| ServerError::not_found("recipient"))
}

/// Everyone I share with, with their shares.
#[utoipa::path(get, path = routes::RECIPIENTS, tag = "recipients", security(("bearer" = [])),
    responses((status = 200, body = Vec<Recipient>), (status = 401, body = ApiError)))]
pub async fn list_recipients(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<Recipient>>> {
    let rows = recipients::list_current(&state.db.pool, caller.account).await?;
    Ok(Json(with_shares(&state, rows).await?))
}

/// One recipient's Sharing Details.
#[utoipa::path(get, path = routes::RECIPIENT, tag = "recipients", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Recipient), (status = 404, body = ApiError)))]
pub async fn get_recipient(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<RecipientId>,
) -> Result<Json<Recipient>> {
    let row = current(&state, caller, id).await?;
    let mut list = with_shares(&state, vec![row]).await?;
    Ok(Json(list.remove(0)))
}

/// Change the remark only I see.
#[utoipa::path(patch, path = routes::RECIPIENT, request_body = EditRecipient, tag = "recipients", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Recipient), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn edit_recipient(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<RecipientId>,
    Body(edit): Body<EditRecipient>,
) -> Result<Json<Recipient>> {
    let remark = recipients::check_remark(edit.remark.as_deref())?;
    current(&state, caller, id).await?;
    let mut tx = state.db.write().await?;
    recipients::set_remark(&mut tx, id, remark.as_deref()).await?;
    tx.commit().await?;
    get_recipient(State(state), caller, IdPath(id)).await
}

/// Delete a recipient and all its sharing at once.
#[utoipa::path(delete, path = routes::RECIPIENT, tag = "recipients", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ApiError)))]
pub async fn delete_recipient(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<RecipientId>,
) -> Result<StatusCode> {
    sharing::delete_recipient(&state.db, caller.account, id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of the recipient history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Prefix of an address or remark, as typed in the search box. Empty: everything.
    #[serde(default)]
    #[param(required = false)]
    pub q: String,
    /// At most this many entries (1..=100). Default: 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// Addresses I shared with before, deleted ones included, matching a typed prefix.
#[utoipa::path(get, path = routes::RECIPIENT_HISTORY, tag = "recipients", security(("bearer" = [])), params(HistoryQuery),
    responses((status = 200, body = Vec<HistoryEntry>), (status = 401, body = ApiError)))]
pub async fn recipient_history(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<HistoryQuery>,
) -> Result<Json<Vec<HistoryEntry>>> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit", "limit must be 1 to 100").into());
    }
    Ok(Json(recipients::history(&state.db.pool, caller.account, &q.q, limit).await?))
}
