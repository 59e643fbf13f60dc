//! The recipient's side: invitations, Others' Devices, and the owners I blocked.

use camshare_api::{AccountId, BlockedOwner, ShareId, SharedDevice};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn list_invites(state: State<'_, AppState>) -> CommandResult<Vec<SharedDevice>> {
    Ok(state.client().await?.list_invites().await?)
}

#[tauri::command]
pub async fn accept_invite(state: State<'_, AppState>, id: ShareId) -> CommandResult<SharedDevice> {
    Ok(state.client().await?.accept_invite(id).await?)
}

#[tauri::command]
pub async fn reject_invite(state: State<'_, AppState>, id: ShareId) -> CommandResult<()> {
    Ok(state.client().await?.reject_invite(id).await?)
}

#[tauri::command]
pub async fn list_shared_devices(state: State<'_, AppState>) -> CommandResult<Vec<SharedDevice>> {
    Ok(state.client().await?.list_shared_devices().await?)
}

#[tauri::command]
pub async fn remove_shared_device(state: State<'_, AppState>, id: ShareId) -> CommandResult<()> {
    Ok(state.client().await?.remove_shared_device(id).await?)
}

#[tauri::command]
pub async fn list_blocked_owners(state: State<'_, AppState>) -> CommandResult<Vec<BlockedOwner>> {
    Ok(state.client().await?.list_blocked_owners().await?)
}

#[tauri::command]
pub async fn block_owner(state: State<'_, AppState>, owner: AccountId) -> CommandResult<BlockedOwner> {
    Ok(state.client().await?.block_owner(owner).await?)
}

#[tauri::command]
pub async fn unblock_owner(state: State<'_, AppState>, owner: AccountId) -> CommandResult<()> {
    Ok(state.client().await?.unblock_owner(owner).await?)
}
