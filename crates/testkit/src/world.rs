//! Accounts signed up (and verified) through the client, the camera simulator registered as a device, and the
//! world most media tests start from: a server, a 4-channel camsim NVR, and its owner.

use camshare_api::{
    ChannelGrants, CreateShares, Device, DeviceGrant, DeviceKind, FunctionSet, NewDevice, ShareId, ShareTerms, SignUp,
};
use camshare_camsim::{Camsim, Config};
use camshare_client::Client;

use crate::{Engine, TestApp, spawn_app};

/// Every test account's password.
pub const PASSWORD: &str = "password123";

/// The channel names of the world's NVR.
pub const CHANNELS: [&str; 4] = ["Front door", "Garage", "Garden", "Hallway"];

/// Signs up `name` with `email` on the test server, verifying the address with the code the
/// server wrote to its outbox folder, and returns the signed-in client.
pub async fn account(server: &TestApp, name: &str, email: &str) -> Client {
    sign_up_verified(server.client(), &server.outbox(), name, email).await
}

/// As [`account`], on a server at `base_url` (a separate process, say) whose outbox folder is
/// `outbox`.
pub async fn account_at(base_url: &str, outbox: &std::path::Path, name: &str, email: &str) -> Client {
    sign_up_verified(Client::new(base_url).unwrap(), outbox, name, email).await
}

/// Signs up through `client` and verifies the address with the code found in `outbox`.
async fn sign_up_verified(client: Client, outbox: &std::path::Path, name: &str, email: &str) -> Client {
    let body = SignUp {
        email: Some(email.into()),
        phone: None,
        display_name: name.into(),
        password: PASSWORD.into(),
        time_zone: None,
    };
    let seen = crate::outbox::messages_to(outbox, email).len();
    let started = client.sign_up(&body).await.unwrap_or_else(|e| panic!("sign up {name}: {e}"));
    let code = crate::outbox::code_in(&crate::outbox::wait_for_message(outbox, email, seen).await);
    client.verify_sign_up(&started.verification, &code).await.unwrap_or_else(|e| panic!("verify {name}: {e}"));
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
        password: config.password.clone().into(),
        channel_names: config.channel_names.clone(),
        channel_count: None,
    }
}

/// A server on SQLite, a camsim NVR with [`CHANNELS`], and Olga, who owns it.
pub struct World {
    pub server: TestApp,
    /// Kept running for the world's life.
    pub camsim: Camsim,
    pub owner: Client,
    pub nvr: Device,
}

impl World {
    pub async fn new() -> World {
        World::on(spawn_app(Engine::Sqlite).await).await
    }

    /// The same world on a server with a self-signed certificate: HTTPS, and `rtsps://` tickets.
    pub async fn with_tls() -> World {
        World::on(crate::spawn_app_tls(Engine::Sqlite).await).await
    }

    async fn on(server: TestApp) -> World {
        let camsim = Camsim::start(Config::nvr(&CHANNELS)).await.unwrap();
        let owner = World::account_on(&server, "olga@example.com").await;
        let nvr = owner.add_device(&camsim_device(&camsim, "Home NVR")).await.unwrap();
        World { server, camsim, owner, nvr }
    }

    /// Signs up an account on `server` named after its email address.
    pub async fn account_on(server: &TestApp, email: &str) -> Client {
        account(server, email.split('@').next().unwrap(), email).await
    }

    /// Signs up an account on this world's server.
    pub async fn account(&self, email: &str) -> Client {
        World::account_on(&self.server, email).await
    }

    /// Shares these channels of the NVR with live view (the Guest preset) and has the recipient
    /// accept.
    pub async fn share_live_view(&self, recipient: &Client, email: &str, channels: &[u16]) -> ShareId {
        let created = self
            .owner
            .share_devices(&CreateShares {
                recipient: email.into(),
                remark: None,
                devices: vec![DeviceGrant {
                    device: self.nvr.id,
                    channels: ChannelGrants::uniform(channels.iter().copied(), FunctionSet::GUEST),
                }],
                terms: ShareTerms::default(),
            })
            .await
            .unwrap();
        let share = created.shares[0].id;
        recipient.accept_invite(share).await.unwrap();
        share
    }
}
