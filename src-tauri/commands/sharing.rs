//! The owner's sharing: shares, recipients, history, activity.

use camshare_api::{
    ActivityEntry, CreateShares, CreatedShares, EditRecipient, EditShare, HistoryEntry, OutgoingShare, Recipient,
    RecipientId, RevokedEverything, ShareId,
};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn share_devices(state: State<'_, AppState>, request: CreateShares) -> CommandResult<CreatedShares> {
    Ok(state.client().await?.share_devices(&request).await?)
}

#[tauri::command]
pub async fn list_shares(state: State<'_, AppState>) -> CommandResult<Vec<OutgoingShare>> {
    Ok(state.client().await?.list_shares().await?)
}

#[tauri::command]
pub async fn get_share(state: State<'_, AppState>, id: ShareId) -> CommandResult<OutgoingShare> {
    Ok(state.client().await?.get_share(id).await?)
}

#[tauri::command]
pub async fn edit_share(state: State<'_, AppState>, id: ShareId, edit: EditShare) -> CommandResult<OutgoingShare> {
    Ok(state.client().await?.edit_share(id, &edit).await?)
}

#[tauri::command]
pub async fn revoke_share(state: State<'_, AppState>, id: ShareId) -> CommandResult<()> {
    Ok(state.client().await?.revoke_share(id).await?)
}

#[tauri::command]
pub async fn resend_share(state: State<'_, AppState>, id: ShareId) -> CommandResult<OutgoingShare> {
    Ok(state.client().await?.resend_share(id).await?)
}

#[tauri::command]
pub async fn cancel_share(state: State<'_, AppState>, id: ShareId) -> CommandResult<OutgoingShare> {
    Ok(state.client().await?.cancel_share(id).await?)
}

#[tauri::command]
pub async fn revoke_everything(state: State<'_, AppState>) -> CommandResult<RevokedEverything> {
    Ok(state.client().await?.revoke_everything().await?)
}

#[tauri::command]
pub async fn list_recipients(state: State<'_, AppState>) -> CommandResult<Vec<Recipient>> {
    Ok(state.client().await?.list_recipients().await?)
}

#[tauri::command]
pub async fn get_recipient(state: State<'_, AppState>, id: RecipientId) -> CommandResult<Recipient> {
    Ok(state.client().await?.get_recipient(id).await?)
}

#[tauri::command]
pub async fn edit_recipient(
    state: State<'_, AppState>,
    id: RecipientId,
    edit: EditRecipient,
) -> CommandResult<Recipient> {
    Ok(state.client().await?.edit_recipient(id, &edit).await?)
}

#[tauri::command]
pub async fn delete_recipient(state: State<'_, AppState>, id: RecipientId) -> CommandResult<()> {
    Ok(state.client().await?.delete_recipient(id).await?)
}

#[tauri::command]
pub async fn recipient_history(state: State<'_, AppState>, prefix: String) -> CommandResult<Vec<HistoryEntry>> {
    Ok(state.client().await?.recipient_history(Some(&prefix)).await?)
}

#[tauri::command]
pub async fn activity(state: State<'_, AppState>, limit: Option<u32>) -> CommandResult<Vec<ActivityEntry>> {
    Ok(state.client().await?.activity(limit).await?)
}
