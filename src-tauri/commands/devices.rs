//! The owner's devices.

use camshare_api::{Device, DeviceAccess, DeviceId, DeviceUpdate, NewDevice};
use tauri::State;

use crate::error::CommandResult;
use crate::state::AppState;

#[tauri::command]
pub async fn list_devices(state: State<'_, AppState>) -> CommandResult<Vec<Device>> {
    Ok(state.client().await?.list_devices().await?)
}

#[tauri::command]
pub async fn add_device(state: State<'_, AppState>, device: NewDevice) -> CommandResult<Device> {
    Ok(state.client().await?.add_device(&device).await?)
}

#[tauri::command]
pub async fn get_device(state: State<'_, AppState>, id: DeviceId) -> CommandResult<Device> {
    Ok(state.client().await?.get_device(id).await?)
}

#[tauri::command]
pub async fn edit_device(state: State<'_, AppState>, id: DeviceId, update: DeviceUpdate) -> CommandResult<Device> {
    Ok(state.client().await?.edit_device(id, &update).await?)
}

#[tauri::command]
pub async fn remove_device(state: State<'_, AppState>, id: DeviceId) -> CommandResult<()> {
    Ok(state.client().await?.remove_device(id).await?)
}

#[tauri::command]
pub async fn device_access(state: State<'_, AppState>, id: DeviceId) -> CommandResult<Vec<DeviceAccess>> {
    Ok(state.client().await?.device_access(id).await?)
}
