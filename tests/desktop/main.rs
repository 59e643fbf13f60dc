//! Real-window end-to-end test of the desktop app: two app instances (owner and recipient), each
//! in its own WebKit window on a private Xvfb display, against one real server. Screenshots of
//! the main screens on the way go to docs/screenshots.

mod harness;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use camshare_api::{
    ChannelGrants, CreateShares, DeviceGrant, DeviceKind, FunctionSet, NewDevice, ShareStatus, ShareTerms,
};
use camshare_testkit::world::{PASSWORD, account, camsim_device};
use camshare_testkit::{Engine, spawn_app, spawn_app_with};
use fantoccini::Locator;
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use harness::App;

const OLGA: &str = "olga@example.com";
const BOB: &str = "bob@example.com";
/// How long a change may take to reach the other window.
const LIVE: Duration = Duration::from_secs(1);

fn shot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots").join(format!("{name}.png"))
}

fn device(name: &str, kind: DeviceKind, channel_names: &[&str]) -> NewDevice {
    NewDevice {
        name: name.into(),
        kind,
        // Loopback, with nothing listening: the server's reachability check finds it offline.
        rtsp_url: "rtsp://127.0.0.1:9/".into(),
        username: "admin".into(),
        password: "CameraSecret99".into(),
        channel_names: channel_names.iter().map(|n| n.to_string()).collect(),
        channel_count: None,
    }
}

async fn sign_in(app: &App, server_url: &str, login: &str) {
    app.fill("server-url", server_url).await;
    app.fill("sign-in-login", login).await;
    app.fill("sign-in-password", PASSWORD).await;
    app.click("sign-in-submit").await;
    // Signed in: the sidebar shows who (the device page is a list or its empty state).
    app.find("nav-sign-out").await;
}

/// Swipes an element left with a real pointer drag: press in its middle, move left, release.
async fn swipe_left(app: &App, css: &str, by: f64) {
    let element = app.client.wait().for_element(Locator::Css(css)).await.unwrap();
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element, duration: None, x: 0.0, y: 0.0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::MoveBy { duration: Some(Duration::from_millis(150)), x: by / 4.0, y: 0.0 })
        .then(PointerAction::MoveBy { duration: Some(Duration::from_millis(150)), x: by * 3.0 / 4.0, y: 0.0 })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    app.client.perform_actions(drag).await.unwrap();
    let _ = app.client.release_actions().await;
}

/// Prints a step of the scenario (shown with `--nocapture` and when the test fails).
macro_rules! step {
    ($($arg:tt)*) => { eprintln!("[desktop e2e] {}", format!($($arg)*)) };
}

/// The scenarios take the machine's cores; one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_shares_two_channels_by_swiping_and_recipient_follows_live() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // Dropping the scenario on timeout ends every process it started (Xvfb, D-Bus, drivers, apps).
    tokio::time::timeout(Duration::from_secs(150), scenario()).await.expect("the desktop scenario took over 150 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_view_grid_draws_four_channels() {
    let _turn = ONE_AT_A_TIME.lock().await;
    tokio::time::timeout(Duration::from_secs(120), live_grid()).await.expect("the live-view scenario took over 120 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tls_the_app_trusts_the_fingerprint_it_was_shown_and_plays_rtsps() {
    let _turn = ONE_AT_A_TIME.lock().await;
    tokio::time::timeout(Duration::from_secs(90), over_tls()).await.expect("the TLS scenario took over 90 s");
}

/// A server with a self-signed certificate: the app shows its fingerprint before anything is
/// sent, keeps it once trusted, and then live view plays over RTSPS with the same pin.
async fn over_tls() {
    let server = camshare_testkit::spawn_app_tls(Engine::Sqlite).await;
    let url = server.base_url.clone();
    assert!(url.starts_with("https://"), "{url}");
    let fingerprint = server.trust.pinned.unwrap().to_string();
    let mut config = camshare_camsim::Config::nvr(&["Front door"]);
    config.password = "CameraSecret99".into();
    let camsim = camshare_camsim::Camsim::start(config).await.unwrap();
    let olga = account(&server, "Olga", OLGA).await;
    let camera = olga.add_device(&camsim_device(&camsim, "Porch")).await.unwrap();

    let app = App::launch(&url, "tls", 1280, 800).await;
    app.fill("server-url", &url).await;
    app.fill("sign-in-login", OLGA).await;
    app.fill("sign-in-password", PASSWORD).await;
    app.click("sign-in-submit").await;
    assert_eq!(app.text("trust-fingerprint").await.trim(), fingerprint, "the app shows the server's own fingerprint");
    assert!(!app.exists("nav-sign-out").await, "signed in before the certificate was trusted");
    app.screenshot(&shot_path("trust-server")).await;
    step!("the app shows the self-signed server's fingerprint");
    app.click("trust-server").await;
    app.find("trust-note").await;
    app.click("sign-in-submit").await;
    app.find("nav-sign-out").await;
    step!("trusted and signed in over HTTPS");
    app.click(&format!("live-button-{}", camera.id)).await;
    wait_frames(&app, &[1], 5, Duration::from_secs(30), "live view over RTSPS does not draw").await;
    step!("live view plays over RTSPS");
    app.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_account_signs_up_with_the_code_from_its_mail_and_resets_its_password() {
    let _turn = ONE_AT_A_TIME.lock().await;
    tokio::time::timeout(Duration::from_secs(90), sign_up_and_reset())
        .await
        .expect("the sign-up scenario took over 90 s");
}

/// Signing up in the window: the form, then the code the server "mailed" (its outbox folder,
/// as on a server without a mail relay), then signed in; then "Forgot your password?" with the
/// next mail's code, and a sign-in with the new password.
async fn sign_up_and_reset() {
    const NIA: &str = "nia@example.com";
    let server = spawn_app(Engine::Sqlite).await;
    let url = server.base_url.clone();
    let app = App::launch(&url, "newcomer", 1280, 800).await;
    app.fill("server-url", &url).await;
    app.click("tab-sign-up").await;
    app.fill("sign-up-name", "Nia").await;
    app.fill("sign-up-email", NIA).await;
    app.fill("sign-up-password", PASSWORD).await;
    app.click("sign-up-submit").await;
    assert!(app.text("verify-sent-to").await.contains(NIA));
    let mail = camshare_testkit::outbox::wait_for_message(&server.outbox(), NIA, 0).await;
    app.fill("verify-code", "000000").await;
    app.click("verify-submit").await;
    app.find("error-code").await;
    app.screenshot(&shot_path("sign-up-code")).await;
    app.fill("verify-code", &camshare_testkit::outbox::code_in(&mail)).await;
    app.click("verify-submit").await;
    app.find("nav-sign-out").await;
    step!("signed up with the mailed code");
    app.click("nav-sign-out").await;

    app.fill("server-url", &url).await;
    app.click("forgot-password").await;
    app.fill("forgot-login", NIA).await;
    app.click("forgot-send").await;
    app.find("forgot-sent").await;
    let mail = camshare_testkit::outbox::wait_for_message(&server.outbox(), NIA, 1).await;
    app.fill("forgot-code", &camshare_testkit::outbox::code_in(&mail)).await;
    app.fill("forgot-new-password", "a-new-password").await;
    app.screenshot(&shot_path("forgot-password")).await;
    app.click("forgot-set").await;
    assert!(app.text("reset-done").await.contains("Your new password is set"));
    app.fill("sign-in-login", NIA).await;
    app.fill("sign-in-password", "a-new-password").await;
    app.click("sign-in-submit").await;
    app.find("nav-sign-out").await;
    step!("reset the password with the mailed code and signed in with it");

    // Delete the account: a wrong password is named and deletes nothing; the right one signs
    // the app out with a notice, and the login no longer signs in.
    app.click("nav-account").await;
    app.click("delete-account").await;
    app.fill("delete-account-password", "not-the-password").await;
    app.click("delete-account-confirm").await;
    app.find("error-password").await;
    app.screenshot(&shot_path("delete-account")).await;
    app.fill("delete-account-password", "a-new-password").await;
    app.click("delete-account-confirm").await;
    assert!(app.text("session-notice").await.contains("Your account was deleted"));
    let me = camshare_client::Client::new(&url).unwrap();
    let refused = me
        .sign_in(&camshare_api::SignIn { login: NIA.into(), password: "a-new-password".to_string().into() })
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), "invalid_credentials", "the deleted account still signs in");
    step!("deleted the account from the app");
    app.close().await;
}

/// Frames drawn so far by each tile of the grid.
async fn tile_frames(app: &App, channels: &[u16]) -> Vec<u64> {
    let mut out = Vec::new();
    for n in channels {
        let frames = app.find(&format!("tile-{n}")).await.attr("data-frames").await.unwrap();
        out.push(frames.and_then(|f| f.parse().ok()).unwrap_or(0));
    }
    out
}

/// Waits until each of these tiles has drawn at least `at_least` frames; panics with `what` after
/// `limit`. Returns the counts.
async fn wait_frames(app: &App, channels: &[u16], at_least: u64, limit: Duration, what: &str) -> Vec<u64> {
    let start = Instant::now();
    loop {
        let frames = tile_frames(app, channels).await;
        if frames.iter().all(|f| *f >= at_least) {
            return frames;
        }
        assert!(start.elapsed() < limit, "{what}: frames {frames:?} after {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn live_grid() {
    let server = spawn_app(Engine::Sqlite).await;
    let url = server.base_url.clone();
    let names = ["Front door", "Garage", "Garden", "Hallway"];
    let mut config = camshare_camsim::Config::nvr(&names);
    config.password = "CameraSecret99".into();
    let camsim = camshare_camsim::Camsim::start(config).await.unwrap();
    let olga = account(&server, "Olga", OLGA).await;
    let nvr = olga.add_device(&camsim_device(&camsim, "Home NVR")).await.unwrap();

    let owner = App::launch(&url, "owner", 1280, 800).await;
    sign_in(&owner, &url, OLGA).await;
    owner.click(&format!("live-button-{}", nvr.id)).await;
    let grid = owner.find("live-grid").await;
    assert_eq!(grid.attr("data-cells").await.unwrap().as_deref(), Some("4"), "four channels open as a 2×2 grid");
    // Every tile draws, and keeps drawing.
    let channels = [1, 2, 3, 4];
    let before = wait_frames(&owner, &channels, 5, Duration::from_secs(30), "not every tile draws").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = tile_frames(&owner, &channels).await;
    eprintln!("frames drawn per tile in 2 s: {:?}", after.iter().zip(&before).map(|(a, b)| a - b).collect::<Vec<_>>());
    for (i, (a, b)) in after.iter().zip(&before).enumerate() {
        assert!(a - b >= 10, "tile {} drew only {} frames in 2 s", i + 1, a - b);
    }
    owner.screenshot(&shot_path("live-grid")).await;
    // One channel on its own: the main stream.
    owner.click("layout-1").await;
    owner.find("tile-1").await;
    wait_frames(&owner, &[1], 5, Duration::from_secs(20), "the single view does not draw").await;
    owner.screenshot(&shot_path("live-single")).await;

    // The camera goes away mid-stream: the tile says it is offline; when the camera comes back
    // on its address, the picture returns by itself.
    let mut config = camsim.config.as_ref().clone();
    config.rtsp_port = camsim.rtsp_port;
    config.http_port = 0;
    drop(camsim);
    let start = Instant::now();
    loop {
        let state = owner.find("tile-1").await.attr("data-state").await.unwrap().unwrap_or_default();
        if state == "offline" {
            break;
        }
        // The gate ends the stream the moment the camera's does (measured: about 0.2 s).
        assert!(start.elapsed() < Duration::from_secs(5), "no offline state after the camera stopped: {state}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("camera stopped → tile offline after {:?}", start.elapsed());
    assert!(owner.text("tile-1-status").await.contains("Camera offline"));
    owner.screenshot(&shot_path("live-offline")).await;
    let _camsim = camshare_camsim::Camsim::start(config).await.unwrap();
    let start = Instant::now();
    let drawn = tile_frames(&owner, &[1]).await[0];
    // The tile retries at most every 5 s; the gate tells at once whether the camera answers
    // (measured: pictures again after about 0.8 s).
    let limit = Duration::from_secs(10);
    wait_frames(&owner, &[1], drawn + 10, limit, "the picture did not come back with the camera").await;
    eprintln!("camera back → pictures again after {:?}", start.elapsed());
    owner.close().await;
}

async fn scenario() {
    let started = Instant::now();
    // Device checks on: the NVR is the camera simulator (online), the porch camera is a closed
    // loopback port (offline).
    let server = spawn_app_with(Engine::Sqlite, &["--device-check-secs", "2"]).await;
    let url = server.base_url.clone();
    let names = ["Front door", "Garage", "Garden", "Hallway"];
    let mut camera = camshare_camsim::Config::nvr(&names);
    camera.password = "CameraSecret99".into();
    let camsim = camshare_camsim::Camsim::start(camera).await.unwrap();

    // Seed: Olga owns an NVR with four named channels and a camera; Bob is in her recipient
    // history because she once shared the camera with him and he turned it down.
    let olga = account(&server, "Olga", OLGA).await;
    let bob = account(&server, "Bob", BOB).await;
    let nvr = olga.add_device(&camsim_device(&camsim, "Home NVR")).await.unwrap();
    let porch = olga.add_device(&device("Porch", DeviceKind::Camera, &[])).await.unwrap();
    let old = olga
        .share_devices(&CreateShares {
            recipient: BOB.into(),
            remark: None,
            devices: vec![DeviceGrant { device: porch.id, channels: ChannelGrants::uniform([1], FunctionSet::GUEST) }],
            terms: ShareTerms::default(),
        })
        .await
        .unwrap();
    bob.reject_invite(old.shares[0].id).await.unwrap();

    step!("{:?} seeded; starting two app instances, each on its own display", started.elapsed());
    let (mut owner, mut recipient) =
        tokio::join!(App::launch(&url, "owner", 1280, 800), App::launch(&url, "recipient", 1280, 800));
    step!("{:?} both apps under WebDriver control", started.elapsed());

    // Sign in through the UI.
    step!("{:?} Sign in through the UI.", started.elapsed());
    owner.find("sign-in-submit").await;
    step!("{:?} sign-in form shown", started.elapsed());
    owner.screenshot(&shot_path("sign-in")).await;
    step!("{:?} screenshot taken", started.elapsed());
    sign_in(&owner, &url, OLGA).await;
    sign_in(&recipient, &url, BOB).await;
    recipient.click("nav-others").await;
    recipient.find("others-empty").await;

    // Owner: swipe the NVR row open and share it.
    step!("{:?} Owner: swipe the NVR row open and share it.", started.elapsed());
    let row = format!("device-row-{}", nvr.id);
    owner.find(&row).await;
    for (device, want) in [(nvr.id, "Online"), (porch.id, "Offline")] {
        let testid = format!("device-status-{device}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while owner.text(&testid).await != want {
            assert!(Instant::now() < deadline, "device {device} never showed {want}: {}", owner.text(&testid).await);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    owner.screenshot(&shot_path("device-list")).await;
    swipe_left(&owner, &format!("[data-testid=\"{row}\"] .content"), -160.0).await;
    let open = owner.find(&row).await.attr("data-open").await.unwrap();
    assert_eq!(open.as_deref(), Some("true"), "the swipe did not open the row");
    owner.screenshot(&shot_path("device-list-swiped")).await;
    owner.click(&format!("share-action-{}", nvr.id)).await;

    // Recipient step: Bob comes from the history.
    step!("{:?} Recipient step: Bob comes from the history.", started.elapsed());
    owner.fill("recipient-search", "bo").await;
    owner.find(&format!("history-match-{BOB}")).await;
    owner.screenshot(&shot_path("share-recipient-history")).await;
    owner.click(&format!("history-match-{BOB}")).await;
    assert_eq!(owner.text("chosen-address").await, BOB);
    owner.fill("remark-input", "Neighbour Bob").await;
    owner.click("next").await;

    // Select cameras: channels 1 and 3 only.
    step!("{:?} Select cameras: channels 1 and 3 only.", started.elapsed());
    owner.find(&format!("channels-{}", nvr.id)).await;
    for (n, on) in [(1, true), (2, false), (3, true), (4, false)] {
        owner.set_checked(&format!("channel-check-{n}"), on).await;
    }
    owner.screenshot(&shot_path("share-select-cameras")).await;
    owner.click("next").await;

    // Permissions: live view only on both.
    step!("{:?} Permissions: live view only on both.", started.elapsed());
    owner.click("preset-guest").await;
    for n in [1, 3] {
        assert!(owner.find(&format!("perm-{n}-live_view")).await.is_selected().await.unwrap());
        assert!(!owner.find(&format!("perm-{n}-playback")).await.is_selected().await.unwrap());
    }
    assert!(!owner.exists("perm-row-2").await, "channel 2 was not chosen but is in the matrix");
    owner.screenshot(&shot_path("share-permissions")).await;
    owner.click("finish").await;
    owner.find("share-sent").await;
    owner.screenshot(&shot_path("share-sent")).await;

    let share = olga
        .list_shares()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.device == nvr.id)
        .expect("the NVR share exists on the server");
    let recipient_id = share.recipient;
    let share = share.id;

    // Recipient: the invitation arrives as an event, without a reload.
    step!("{:?} Recipient: the invitation arrives as an event, without a reload.", started.elapsed());
    recipient.find("invite-dialog").await;
    recipient.screenshot(&shot_path("invite-dialog")).await;
    recipient.click("invite-go").await;
    recipient.find(&format!("invite-{share}")).await;
    recipient.screenshot(&shot_path("others-invite")).await;
    recipient.click(&format!("invite-accept-{share}")).await;
    recipient.find(&format!("shared-device-{share}")).await;
    recipient.find(&format!("shared-{share}-channel-1-live_view")).await;
    recipient.find(&format!("shared-{share}-channel-3-live_view")).await;
    assert!(!recipient.exists(&format!("shared-{share}-channel-2")).await, "channel 2 was not shared");
    assert!(!recipient.exists(&format!("shared-{share}-channel-3-playback")).await, "playback was not granted");
    recipient.screenshot(&shot_path("others-accepted")).await;

    // Owner: grant playback on channel 3 from Manage Sharing; it reaches Bob's window live.
    step!(
        "{:?} Owner: grant playback on channel 3 from Manage Sharing; it reaches Bob's window live.",
        started.elapsed()
    );
    owner.click("nav-sharing").await;
    owner.find(&format!("recipient-row-{recipient_id}")).await;
    owner.screenshot(&shot_path("manage-sharing")).await;
    owner.click(&format!("recipient-row-{recipient_id}")).await;
    owner.find(&format!("share-{share}")).await;
    owner.find(&format!("share-status-{share}")).await;
    owner.screenshot(&shot_path("sharing-details")).await;
    owner.click(&format!("edit-share-{share}")).await;
    owner.find("edit-share-dialog").await;
    owner.set_checked("perm-3-playback", true).await;
    owner.screenshot(&shot_path("edit-share")).await;
    let clicked = Instant::now();
    owner.click("save-share").await;
    owner.wait_gone("edit-share-dialog", Duration::from_secs(10)).await;
    let saved = clicked.elapsed();
    let arrived = recipient.wait_present(&format!("shared-{share}-channel-3-playback"), LIVE).await;
    eprintln!("playback grant: save took {saved:?}, shown to the recipient {arrived:?} after the save returned");
    assert!(!recipient.exists(&format!("shared-{share}-channel-1-playback")).await);
    owner.find(&format!("share-{share}-grants-channel-3-playback")).await;

    // Bob watches what he was given: channels 1 and 3, live.
    step!("{:?} Bob opens live view of the shared NVR.", started.elapsed());
    recipient.click(&format!("shared-live-{share}")).await;
    let grid = recipient.find("live-grid").await;
    assert_eq!(grid.attr("data-cells").await.unwrap().as_deref(), Some("4"));
    assert!(!recipient.exists("tile-2").await && !recipient.exists("tile-4").await, "channels 2 and 4 were not shared");
    wait_frames(&recipient, &[1, 3], 3, Duration::from_secs(20), "Bob's tiles do not draw").await;
    recipient.screenshot(&shot_path("recipient-live")).await;

    // Owner deletes the recipient: Bob's stream ends and says so, and the device leaves his list.
    step!("{:?} Owner deletes the recipient; Bob's live view ends, the device leaves his list.", started.elapsed());
    owner.click("delete-recipient").await;
    owner.find("confirm-dialog").await;
    let clicked = Instant::now();
    owner.click("confirm").await;
    owner.wait_gone("confirm-dialog", Duration::from_secs(10)).await;
    let deleted = clicked.elapsed();
    let ended = recipient.wait_present("live-gone", LIVE).await;
    eprintln!("delete recipient: took {deleted:?}; Bob's live view said it ended {ended:?} after it returned");
    recipient.screenshot(&shot_path("recipient-live-ended")).await;
    recipient.click("nav-others").await;
    recipient.find("others-empty").await;
    assert!(!recipient.exists(&format!("shared-device-{share}")).await, "the device is still in Bob's list");

    // Revoke everything: Olga shares the NVR with Bob again (he accepts) and the porch camera
    // with Carol (no answer yet); one confirmed press in Manage Sharing ends both, and says so.
    step!("{:?} Owner presses Revoke everything; both shares end.", started.elapsed());
    let again = olga
        .share_devices(&CreateShares {
            recipient: BOB.into(),
            remark: None,
            devices: vec![DeviceGrant { device: nvr.id, channels: ChannelGrants::uniform([1], FunctionSet::GUEST) }],
            terms: ShareTerms::default(),
        })
        .await
        .unwrap();
    bob.accept_invite(again.shares[0].id).await.unwrap();
    olga.share_devices(&CreateShares {
        recipient: "carol@example.com".into(),
        remark: None,
        devices: vec![DeviceGrant { device: porch.id, channels: ChannelGrants::uniform([1], FunctionSet::GUEST) }],
        terms: ShareTerms::default(),
    })
    .await
    .unwrap();
    recipient.find(&format!("shared-device-{}", again.shares[0].id)).await;
    owner.click("nav-sharing").await;
    owner.find("recipient-list").await;
    owner.click("revoke-everything").await;
    owner.find("revoke-preview").await;
    let preview = owner.text("revoke-preview").await;
    assert!(preview.contains("bob@example.com") && preview.contains("carol@example.com"), "the preview: {preview}");
    owner.screenshot(&shot_path("revoke-everything")).await;
    owner.click("revoke-everything-confirm").await;
    owner.find("revoked-list").await;
    let listed = owner.text("revoked-list").await;
    assert!(listed.contains("Home NVR") && listed.contains("carol@example.com"), "{listed}");
    owner.screenshot(&shot_path("revoked-everything")).await;
    owner.click("revoked-close").await;
    owner.wait_gone("revoked-everything", Duration::from_secs(10)).await;
    recipient.find("others-empty").await;

    // Bob blocks Olga from her next invitation: it goes, and her next share never shows; in
    // Account he unblocks her, and the invitation still open arrives, announced.
    step!("{:?} Bob blocks Olga from an invitation, then unblocks her in Account.", started.elapsed());
    let porch_grant = || CreateShares {
        recipient: BOB.into(),
        remark: None,
        devices: vec![DeviceGrant { device: porch.id, channels: ChannelGrants::uniform([1], FunctionSet::GUEST) }],
        terms: ShareTerms::default(),
    };
    let unwanted = olga.share_devices(&porch_grant()).await.unwrap().shares[0].id;
    recipient.find("invite-dialog").await;
    recipient.click("invite-go").await;
    recipient.click(&format!("invite-block-{unwanted}")).await;
    recipient.find("confirm-dialog").await;
    let warning = recipient.text("confirm-dialog").await;
    assert!(warning.contains("Block Olga?") && warning.contains("not told"), "the block dialog: {warning}");
    recipient.screenshot(&shot_path("block-owner")).await;
    recipient.click("confirm").await;
    recipient.wait_gone(&format!("invite-{unwanted}"), LIVE).await;
    recipient.find("others-empty").await;
    assert_eq!(olga.get_share(unwanted).await.unwrap().status, ShareStatus::Rejected);
    olga.cancel_share(unwanted).await.expect_err("a rejected invite cannot be cancelled");
    let hidden = olga.share_devices(&porch_grant()).await.unwrap().shares[0].id;
    assert!(bob.list_invites().await.unwrap().is_empty(), "a blocked owner's invite reached Bob");
    let olga_id = olga.me().await.unwrap().id;
    recipient.click("nav-account").await;
    recipient.find(&format!("blocked-{olga_id}")).await;
    assert!(recipient.text(&format!("blocked-{olga_id}")).await.contains("Olga"));
    recipient.screenshot(&shot_path("blocked-people")).await;
    recipient.click(&format!("unblock-{olga_id}")).await;
    recipient.find("blocked-notice").await;
    recipient.find("invite-dialog").await;
    recipient.click("invite-go").await;
    recipient.find(&format!("invite-{hidden}")).await;
    olga.cancel_share(hidden).await.unwrap();
    recipient.wait_gone(&format!("invite-{hidden}"), LIVE).await;
    recipient.find("others-empty").await;

    owner.click("nav-activity").await;
    owner.find("activity-list").await;
    owner.screenshot(&shot_path("activity")).await;

    // A few screens again in a small window.
    step!("{:?} A few screens again in a small window.", started.elapsed());
    owner.resize(800, 600).await;
    recipient.resize(800, 600).await;
    owner.screenshot(&shot_path("small-activity")).await;
    owner.click("nav-devices").await;
    owner.find(&row).await;
    owner.screenshot(&shot_path("small-device-list")).await;
    owner.click("nav-sharing").await;
    owner.find("recipient-list").await;
    owner.screenshot(&shot_path("small-manage-sharing")).await;
    recipient.find("others-empty").await;
    recipient.screenshot(&shot_path("small-others-empty")).await;

    tokio::join!(owner.close(), recipient.close());
    eprintln!("desktop test took {:?}", started.elapsed());
}
