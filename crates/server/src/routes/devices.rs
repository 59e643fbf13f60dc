//! The owner's devices, and "Who can see this camera?".

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use camshare_api::{ApiError, Device, DeviceAccess, DeviceId, DeviceUpdate, NewDevice, Reachability, routes};

use super::AppState;
use super::extract::{Body, Caller, IdPath};
use crate::devices;
use crate::error::Result;
use crate::store::{self, shares};

/// My devices.
#[utoipa::path(get, path = routes::DEVICES, tag = "devices", security(("bearer" = [])),
    responses((status = 200, body = Vec<Device>), (status = 401, body = ApiError)))]
pub async fn list_devices(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<Device>>> {
    let mut list = store::devices::list(&state.db, &state.key, caller.account).await?;
    list.iter_mut().for_each(|device| state.health.annotate(device));
    Ok(Json(list))
}

/// Add a device; its credentials are encrypted and never shown again.
#[utoipa::path(post, path = routes::DEVICES, request_body = NewDevice, tag = "devices", security(("bearer" = [])),
    responses((status = 201, body = Device), (status = 400, body = ApiError)))]
pub async fn add_device(
    State(state): State<AppState>,
    caller: Caller,
    Body(new): Body<NewDevice>,
) -> Result<impl IntoResponse> {
    let device =
        devices::add(&state.db, &state.key, &state.camera_policy, &state.limits, caller.account, new, state.now())
            .await?;
    state.health.check_soon(caller.account, device.id, device.rtsp_url.clone(), state.clock.clone());
    Ok((StatusCode::CREATED, Json(device)))
}

/// One of my devices.
#[utoipa::path(get, path = routes::DEVICE, tag = "devices", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Device), (status = 404, body = ApiError)))]
pub async fn get_device(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<DeviceId>,
) -> Result<Json<Device>> {
    let mut device = store::devices::get(&state.db, &state.key, caller.account, id).await?;
    state.health.annotate(&mut device);
    Ok(Json(device))
}

/// Change a device's name, address, credentials or channel names.
#[utoipa::path(patch, path = routes::DEVICE, request_body = DeviceUpdate, tag = "devices", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Device), (status = 400, body = ApiError), (status = 404, body = ApiError)))]
pub async fn edit_device(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<DeviceId>,
    Body(update): Body<DeviceUpdate>,
) -> Result<Json<Device>> {
    let mut device =
        devices::edit(&state.db, &state.key, &state.camera_policy, caller.account, id, update, state.now()).await?;
    state.health.annotate(&mut device);
    if device.reachability == Reachability::Unchecked {
        // New address (or never checked): knock now rather than at the next round.
        state.health.check_soon(caller.account, device.id, device.rtsp_url.clone(), state.clock.clone());
    }
    Ok(Json(device))
}

/// Delete a device; every share of it ends and its recipients are told.
#[utoipa::path(delete, path = routes::DEVICE, tag = "devices", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ApiError)))]
pub async fn remove_device(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<DeviceId>,
) -> Result<StatusCode> {
    devices::remove(&state.db, caller.account, id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who can see this camera: each recipient with pending or accepted access, and what they may do.
#[utoipa::path(get, path = routes::DEVICE_ACCESS, tag = "devices", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Vec<DeviceAccess>), (status = 404, body = ApiError)))]
pub async fn device_access(
    State(state): State<AppState>,
    caller: Caller,
    IdPath(id): IdPath<DeviceId>,
) -> Result<Json<Vec<DeviceAccess>>> {
    store::devices::get(&state.db, &state.key, caller.account, id).await?;
    Ok(Json(shares::of_device(&state.db.pool, id, state.now()).await?))
}
