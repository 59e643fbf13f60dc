//! The recipient's side: invitations and Others' Devices.

use camshare_api::{ShareId, SharedDevice};
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
