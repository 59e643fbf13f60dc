//! What the root package's end-to-end tests and benchmarks share: an account signed up through
//! the client, and a camera simulator registered as a device.

use camshare_api::{DeviceKind, NewDevice, SignUp};
use camshare_camsim::Camsim;
use camshare_client::Client;

/// Every test account's password.
pub const PASSWORD: &str = "password123";

/// Signs up `name` with `email` and returns the signed-in client.
pub async fn account(base_url: &str, name: &str, email: &str) -> Client {
    let client = Client::new(base_url).unwrap();
    let body = SignUp {
        email: Some(email.into()),
        phone: None,
        display_name: name.into(),
        password: PASSWORD.into(),
        time_zone: None,
    };
    client.sign_up(&body).await.unwrap_or_else(|e| panic!("sign up {name}: {e}"));
    client
}

/// The simulator as its owner adds it: its address, its login, its channel names (an NVR when it
/// has more than one channel).
pub fn camsim_device(camsim: &Camsim, name: &str) -> NewDevice {
    let config = &camsim.config;
    NewDevice {
        name: name.into(),
        kind: if config.channel_names.len() > 1 { DeviceKind::Nvr } else { DeviceKind::Camera },
        rtsp_url: camsim.rtsp_url(),
        username: config.username.clone(),
        password: config.password.clone(),
        channel_names: config.channel_names.clone(),
        channel_count: None,
    }
}
