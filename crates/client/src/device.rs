//! The owner's devices: add, list, change, remove, and who can see each one.

use camshare_api::{Device, DeviceAccess, DeviceId, DeviceUpdate, NewDevice, routes};
use reqwest::Method;

use crate::transport::Request;
use crate::{Client, ClientError};

impl Client {
    /// The devices this account owns.
    pub async fn list_devices(&self) -> Result<Vec<Device>, ClientError> {
        self.fetch(Request::new(Method::GET, routes::DEVICES)).await
    }

    /// Adds a device. Its address and credentials stay on the server from now on.
    pub async fn add_device(&self, device: &NewDevice) -> Result<Device, ClientError> {
        self.fetch(Request::new(Method::POST, routes::DEVICES).json(device)).await
    }

    pub async fn get_device(&self, id: DeviceId) -> Result<Device, ClientError> {
        self.fetch(Request::new(Method::GET, routes::with_id(routes::DEVICE, id))).await
    }

    /// Changes the fields that are `Some`; the rest stay.
    pub async fn edit_device(&self, id: DeviceId, update: &DeviceUpdate) -> Result<Device, ClientError> {
        self.fetch(Request::new(Method::PATCH, routes::with_id(routes::DEVICE, id)).json(update)).await
    }

    /// Removes the device; every share of it ends and its recipients are told.
    pub async fn remove_device(&self, id: DeviceId) -> Result<(), ClientError> {
        self.fetch_nothing(Request::new(Method::DELETE, routes::with_id(routes::DEVICE, id))).await
    }

    /// "Who can see this camera?": every pending or accepted share of the device.
    pub async fn device_access(&self, id: DeviceId) -> Result<Vec<DeviceAccess>, ClientError> {
        self.fetch(Request::new(Method::GET, routes::with_id(routes::DEVICE_ACCESS, id))).await
    }
}
