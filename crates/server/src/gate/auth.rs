//! The gate's RTSP authentication: every request must carry a ticket (Basic credentials: the
//! account id and the ticket). The first request of a connection claims the ticket; the rest of
//! that connection's requests present the same one. Nothing reaches a media factory, and no media
//! byte is sent, before this says yes. A refused ticket ends its connection (a guess costs a
//! connection), and a made-up one costs a shape check and at most one indexed read — never a
//! database write. Caps: connections per client address (`addresses`), viewers per account,
//! camera connections per device owner.

use std::sync::Arc;

use camshare_api::{DeviceId, StreamKind};
use gstreamer::glib;
use gstreamer::glib::subclass::prelude::*;
use gstreamer_rtsp::{RTSPHeaderField, RTSPStatusCode};
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;
use gstreamer_rtsp_server::subclass::prelude::*;

use super::GateShared;
use super::relay::CameraStream;
use crate::camera;
use crate::permits::{self, Permit, Purpose};
use crate::secrets::token_hash;
use crate::store::devices;
use crate::store::tickets::{self, Claim};

glib::wrapper! {
    /// The gate's `GstRTSPAuth`.
    pub struct GateAuth(ObjectSubclass<imp::GateAuth>) @extends rtsp::RTSPAuth;
}

impl GateAuth {
    pub(crate) fn new(shared: Arc<GateShared>) -> GateAuth {
        let auth: GateAuth = glib::Object::new();
        let _ = auth.imp().shared.set(shared);
        auth
    }
}

/// Why a request is refused; each maps to an RTSP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// No credentials: the challenge every player expects before it sends its ticket. The
    /// connection stays open for the retry.
    NoCredentials,
    /// A ticket that is missing, malformed, used, expired or not this account's.
    BadTicket,
    /// A valid ticket for another stream than the one asked for, or a second ticket on one
    /// connection.
    Forbidden,
    /// Not a gate path.
    NotFound,
    /// The account already has `MAX_VIEWERS_PER_ACCOUNT` viewers open, or the device's owner
    /// `MAX_UPSTREAMS_PER_OWNER` camera connections.
    TooMany,
}

impl Refusal {
    /// Whether the connection is closed after the answer: every refusal of a presented ticket
    /// is final, so guessing tickets costs a connection per guess.
    fn closes(self) -> bool {
        self != Refusal::NoCredentials
    }
}

/// Viewers one account may have open at once (a 16-tile grid on two screens).
pub const MAX_VIEWERS_PER_ACCOUNT: usize = 32;
/// Camera connections the devices of one owner may have open at once (every channel of a
/// 32-channel NVR, main and sub): an account that adds many "cameras" and watches them cannot
/// make the server open connections without end.
pub const MAX_UPSTREAMS_PER_OWNER: usize = 64;

/// Reads `Authorization: Basic base64(user:ticket)`.
fn basic_credentials(request: &gstreamer_rtsp::rtsp_message::RTSPMessage) -> Option<(String, String)> {
    let credentials = request.parse_auth_credentials();
    let encoded = credentials
        .iter()
        .filter(|c| c.scheme() == gstreamer_rtsp::RTSPAuthMethod::Basic)
        .find_map(|c| c.authorization().map(|a| a.to_string()))?;
    decode_basic(&encoded)
}

/// The user and password of a Basic authorization's base64 part (`dXNlcjpwYXNz`); `None` for
/// anything else. Pure, so the fuzz target `gate_request` can feed it anything.
pub fn decode_basic(encoded: &str) -> Option<(String, String)> {
    let decoded = data_encoding::BASE64.decode(encoded.trim().as_bytes()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, ticket) = text.split_once(':')?;
    Some((user.to_string(), ticket.to_string()))
}

mod imp {
    use std::sync::OnceLock;

    use super::*;

    #[derive(Default)]
    pub struct GateAuth {
        pub(super) shared: OnceLock<Arc<GateShared>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for GateAuth {
        const NAME: &'static str = "CamshareGateAuth";
        type Type = super::GateAuth;
        type ParentType = rtsp::RTSPAuth;
    }

    impl ObjectImpl for GateAuth {}

    impl RTSPAuthImpl for GateAuth {
        fn authenticate(&self, ctx: &rtsp::RTSPContext) -> bool {
            self.admit(ctx).is_ok()
        }

        fn check(&self, ctx: &rtsp::RTSPContext, check: &glib::GString) -> bool {
            // A new connection needs no ticket, only room under its address's cap; the parent's
            // connect check is where its TLS is set up, when the gate has a certificate.
            if check.as_str() == rtsp::RTSP_AUTH_CHECK_CONNECT.as_str() {
                let ip = super::super::addresses::connecting_ip();
                if let Some(ip) = &ip
                    && !self.shared().per_address.admit(ip)
                {
                    tracing::debug!("gate: a connection over its address's cap refused");
                    return false;
                }
                let configured = self.parent_check(ctx, check);
                if !configured && let Some(ip) = &ip {
                    self.shared().per_address.release(ip);
                }
                return configured;
            }
            // Transport settings need no ticket; everything that names a URL does.
            if check.as_str() == rtsp::RTSP_AUTH_CHECK_TRANSPORT_CLIENT_SETTINGS.as_str() {
                return true;
            }
            match self.admit(ctx) {
                Ok(()) => true,
                Err(refusal) => {
                    // The URL check comes first for every request; answer once, there.
                    if check.as_str() == rtsp::RTSP_AUTH_CHECK_URL.as_str() {
                        refuse(self.shared(), ctx, refusal);
                    }
                    false
                }
            }
        }
    }

    impl GateAuth {
        fn shared(&self) -> &Arc<GateShared> {
            self.shared.get().expect("the gate auth is built with GateAuth::new")
        }

        /// Lets the request through if its connection holds (or now claims) a ticket for exactly
        /// this stream, and the decision function still says yes.
        fn admit(&self, ctx: &rtsp::RTSPContext) -> Result<(), Refusal> {
            let shared = self.shared();
            let client = ctx.client().ok_or(Refusal::NoCredentials)?;
            let request = ctx.request().ok_or(Refusal::NoCredentials)?;
            let path = ctx.uri().map(|u| u.request_uri().to_string()).unwrap_or_default();
            let path = path.split_once("://").map(|(_, rest)| rest).unwrap_or(&path);
            let path = path.find('/').map(|i| &path[i..]).unwrap_or("/");
            // OPTIONS may name `*`; it reveals nothing, but still needs a ticket below.
            let wanted = super::super::parse_stream_path(path);
            let (user, ticket) = basic_credentials(request).ok_or(Refusal::NoCredentials)?;
            if !tickets::looks_like_ticket(&ticket) {
                return Err(Refusal::BadTicket);
            }
            let ticket_hash = token_hash(&ticket);

            // A connection that already claimed this ticket: the same stream only.
            if let Some(permit) = shared.viewers.permit_of(client, &ticket_hash) {
                return match wanted {
                    Some(w) if names(w, permit.device(), permit.channel(), permit.purpose()) => Ok(()),
                    None if path == "/" || path.is_empty() || path == "*" => Ok(()),
                    _ => Err(Refusal::Forbidden),
                };
            }
            if shared.viewers.is_bound(client) {
                // One connection, one ticket.
                return Err(Refusal::Forbidden);
            }
            let wanted = wanted.ok_or(Refusal::NotFound)?;
            let now = shared.clock.now();
            let claim = shared
                .runtime
                .block_on(tickets::claim(&shared.db.pool, &ticket, now))
                .map_err(|e| {
                    tracing::warn!(error = %e, "gate: cannot claim a ticket");
                    Refusal::BadTicket
                })?
                .ok_or(Refusal::BadTicket)?;
            if user != claim.account.0.to_string() {
                return Err(Refusal::BadTicket);
            }
            if !names(wanted, claim.device, claim.channel, claim.purpose) {
                return Err(Refusal::Forbidden);
            }
            if shared.viewers.count_of(claim.account) >= MAX_VIEWERS_PER_ACCOUNT {
                tracing::warn!(account = claim.account.0, "gate: too many viewers for one account");
                return Err(Refusal::TooMany);
            }
            let session = claim.session;
            let (permit, login) = shared.runtime.block_on(permit_now(shared, claim)).ok_or(Refusal::BadTicket)?;
            let key = super::super::relay::StreamKey::of(&permit);
            if key.is_some_and(|k| !shared.relays.may_open(k, permit.owner(), MAX_UPSTREAMS_PER_OWNER)) {
                tracing::warn!(owner = permit.owner().0, "gate: too many camera connections for one owner");
                return Err(Refusal::TooMany);
            }
            super::super::relay::ensure_factory(shared, &permit, login);
            shared.viewers.open(shared, client, ticket_hash, permit, session);
            Ok(())
        }
    }
}

/// Whether a ticket's or permit's device, channel and purpose are live view of exactly this
/// gate path's stream.
fn names(
    (path_device, path_channel, path_stream): (DeviceId, u16, StreamKind),
    device: DeviceId,
    channel: u16,
    purpose: Purpose,
) -> bool {
    device == path_device && channel == path_channel && purpose == Purpose::Live(path_stream)
}

/// The authority's permit for what the claimed ticket names, decided now (the same authority
/// the gate's enforcer holds open viewers to), with the camera stream to open: the device's login
/// and its address as the camera network policy resolved and pinned it. An address the policy
/// refuses (a name that now resolves to this server, say) opens nothing.
async fn permit_now(shared: &GateShared, claim: Claim) -> Option<(Permit, CameraStream)> {
    let now = shared.clock.now();
    let mut conn = shared.db.pool.acquire().await.ok()?;
    let decided = permits::decide_on(&mut conn, claim.account, claim.device, claim.channel, claim.purpose, now);
    let permit = decided.await.ok()?.ok()?;
    let login = devices::camera_login(&mut conn, &shared.key, claim.device).await.ok()??;
    drop(conn);
    let Purpose::Live(stream) = permit.purpose() else { return None };
    let camera = match camera::reach(&shared.camera_policy, login.address).await {
        Ok(camera) => camera,
        Err(why) => {
            tracing::warn!(device = claim.device.0, %why, "gate: not connecting to the camera");
            return None;
        }
    };
    let url = camera.stream_url(permit.channel(), stream);
    Some((permit, CameraStream { url, username: login.username, password: login.password }))
}

/// Sends the refusal's RTSP answer and, for a refused ticket, closes the connection a moment
/// later (on the gate's main loop, once the answer has gone out).
fn refuse(shared: &GateShared, ctx: &rtsp::RTSPContext, refusal: Refusal) {
    let (Some(response), Some(client)) = (ctx.response(), ctx.client()) else { return };
    let status = match refusal {
        Refusal::NoCredentials | Refusal::BadTicket => RTSPStatusCode::Unauthorized,
        Refusal::Forbidden => RTSPStatusCode::Forbidden,
        Refusal::NotFound => RTSPStatusCode::NotFound,
        Refusal::TooMany => RTSPStatusCode::ServiceUnavailable,
    };
    response.init_response(status, ctx.request());
    if status == RTSPStatusCode::Unauthorized {
        response.add_header(RTSPHeaderField::WwwAuthenticate, "Basic realm=\"Camshare gate\"");
    }
    if refusal.closes() {
        response.add_header(RTSPHeaderField::Connection, "close");
    }
    client.send_message(response, ctx.session());
    if refusal.closes() {
        let client = client.clone();
        let after = std::time::Duration::from_millis(50);
        let source = glib::source::timeout_source_new(
            after,
            Some("camshare-gate-refused"),
            glib::Priority::DEFAULT,
            move || {
                client.close();
                glib::ControlFlow::Break
            },
        );
        source.attach(Some(&shared.context));
    }
}
