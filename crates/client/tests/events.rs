//! The client's live event stream against a real server, on SQLite and on Postgres: each sharing
//! event reaches exactly the parties of its share and no one else, and a stream whose connection
//! drops picks up where it stopped, losing and repeating nothing, refreshing an expired session
//! on the way if it must.

// Each step's expectations read as literal lists of events per party (`&[accepted.clone()]`).
#![allow(clippy::cloned_ref_to_slice_refs)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use camshare_api::{
    AccountId, ChannelGrants, CreateShares, CreatedShares, DeviceGrant, DeviceId, DeviceKind, DeviceUpdate, EditShare,
    EndReason, Event, EventId, EventKind, FunctionSet, NewDevice, ShareTerms, SignUp, Timestamp,
};
use camshare_client::{Client, ClientError};
use camshare_server::store::events::latest_id;
use camshare_testkit::on_both_engines;
use camshare_testkit::{Engine, TestApp, outbox, spawn_app};
use futures::StreamExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How long one expected event may take to arrive before the test fails.
const EVENT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to listen for stragglers before concluding that nothing more is coming.
const QUIET: Duration = Duration::from_millis(300);

on_both_engines!(each_event_reaches_exactly_its_parties, super::each_event_reaches_exactly_its_parties);
on_both_engines!(resume_after_dropped_connection_loses_nothing, super::resume_after_dropped_connection_loses_nothing);
on_both_engines!(stream_refreshes_an_expired_token, super::stream_refreshes_an_expired_token);
on_both_engines!(
    stream_dropped_before_its_first_event_still_resumes,
    super::stream_dropped_before_its_first_event_still_resumes
);

/// Olga shares with Bob and Carol through every step a share can take; Eve, who has nothing to
/// do with Olga, listens too. After each step every stream must have heard exactly its events,
/// and the server must have stored nothing more for anyone.
async fn each_event_reaches_exactly_its_parties(engine: Engine) {
    let app = spawn_app(engine).await;
    let olga = sign_up(&app, &app.base_url, "Olga").await;
    let bob = sign_up(&app, &app.base_url, "Bob").await;
    let carol = sign_up(&app, &app.base_url, "Carol").await;
    let eve = sign_up(&app, &app.base_url, "Eve").await;
    // Walt only helps the streams prove they are connected.
    let walt = sign_up(&app, &app.base_url, "Walt").await;
    let porch = add_camera(&olga, "Porch").await;
    let garage = add_camera(&olga, "Garage").await;
    let hall = add_camera(&walt, "Hall").await;

    let mut everyone = Everyone {
        olga: Follower::open(&olga, None),
        bob: Follower::open(&bob, None),
        carol: Follower::open(&carol, None),
        eve: Follower::open(&eve, None),
    };
    let mut warm_up_shares = Vec::new();
    for (person, follower) in [
        (&olga, &mut everyone.olga),
        (&bob, &mut everyone.bob),
        (&carol, &mut everyone.carol),
        (&eve, &mut everyone.eve),
    ] {
        let walts_share = share(&walt, &person.email, hall).await.shares[0].id;
        let walts_invite = EventKind::InviteReceived {
            share: walts_share,
            device: hall,
            device_name: "Hall".into(),
            owner_name: "Walt".into(),
        };
        until_connected(&app, follower, &walts_invite, async || {
            // An invite is sent again at most once an hour: move the clock on first.
            app.clock.advance(camshare_server::sharing::RESEND_AFTER);
            walt.client.resend_share(walts_share).await.expect("Walt resends his invite");
        })
        .await;
        warm_up_shares.push(walts_share);
    }
    let invited = |share, device, device_name: &str| EventKind::InviteReceived {
        share,
        device,
        device_name: device_name.into(),
        owner_name: "Olga".into(),
    };
    let answered = |share, device, accepted| EventKind::InviteAnswered { share, device, accepted };
    let sent = |share, device| EventKind::InviteSent { share, device };

    // Olga invites Bob, then Carol, to the porch camera.
    let bob_porch = share(&olga, &bob.email, porch).await.shares[0].id;
    everyone
        .expect(&app, "Olga invites Bob", &[sent(bob_porch, porch)], &[invited(bob_porch, porch, "Porch")], &[])
        .await;
    let carol_porch = share(&olga, &carol.email, porch).await.shares[0].id;
    everyone
        .expect(&app, "Olga invites Carol", &[sent(carol_porch, porch)], &[], &[invited(carol_porch, porch, "Porch")])
        .await;

    bob.client.accept_invite(bob_porch).await.unwrap();
    let accepted = answered(bob_porch, porch, true);
    everyone.expect(&app, "Bob accepts", &[accepted.clone()], &[accepted], &[]).await;

    carol.client.reject_invite(carol_porch).await.unwrap();
    let rejected = answered(carol_porch, porch, false);
    everyone.expect(&app, "Carol rejects", &[rejected.clone()], &[], &[rejected]).await;

    let all_functions = EditShare { channels: Some(ChannelGrants::uniform([1], FunctionSet::ADMIN)), terms: None };
    olga.client.edit_share(bob_porch, &all_functions).await.unwrap();
    let changed = EventKind::ShareChanged { share: bob_porch, device: porch };
    everyone.expect(&app, "Olga edits Bob's share", &[changed.clone()], &[changed.clone()], &[]).await;

    let rename = DeviceUpdate { name: Some("Front door".into()), ..DeviceUpdate::default() };
    olga.client.edit_device(porch, &rename).await.unwrap();
    everyone.expect(&app, "Olga renames the camera", &[], &[changed], &[]).await;

    // An address without an account hears nothing; the owner hears the invite end.
    let dave_porch = share(&olga, "dave@example.com", porch).await.shares[0].id;
    everyone.expect(&app, "Olga invites Dave, who has no account", &[sent(dave_porch, porch)], &[], &[]).await;
    olga.client.cancel_share(dave_porch).await.unwrap();
    let cancelled = EventKind::InviteCancelled { share: dave_porch, device: porch };
    everyone.expect(&app, "Olga cancels Dave's invite", &[cancelled], &[], &[]).await;

    bob.client.remove_shared_device(bob_porch).await.unwrap();
    let removed = EventKind::ShareRemoved { share: bob_porch, device: porch };
    everyone.expect(&app, "Bob removes the camera", &[removed.clone()], &[removed], &[]).await;

    let bob_again = share(&olga, &bob.email, porch).await.shares[0].id;
    everyone
        .expect(
            &app,
            "Olga invites Bob again",
            &[sent(bob_again, porch)],
            &[invited(bob_again, porch, "Front door")],
            &[],
        )
        .await;
    bob.client.accept_invite(bob_again).await.unwrap();
    let accepted = answered(bob_again, porch, true);
    everyone.expect(&app, "Bob accepts again", &[accepted.clone()], &[accepted], &[]).await;
    olga.client.revoke_share(bob_again).await.unwrap();
    let revoked = EventKind::ShareRevoked { share: bob_again, device: porch, reason: EndReason::Revoked };
    everyone.expect(&app, "Olga revokes", &[revoked.clone()], &[revoked], &[]).await;

    let third_time = share(&olga, &bob.email, porch).await;
    let (bob_third, bob_as_recipient) = (third_time.shares[0].id, third_time.recipient);
    everyone
        .expect(
            &app,
            "Olga invites Bob a third time",
            &[sent(bob_third, porch)],
            &[invited(bob_third, porch, "Front door")],
            &[],
        )
        .await;
    bob.client.accept_invite(bob_third).await.unwrap();
    let accepted = answered(bob_third, porch, true);
    everyone.expect(&app, "Bob accepts a third time", &[accepted.clone()], &[accepted], &[]).await;
    olga.client.delete_recipient(bob_as_recipient).await.unwrap();
    let ended = EventKind::ShareRevoked { share: bob_third, device: porch, reason: EndReason::RecipientDeleted };
    everyone.expect(&app, "Olga deletes Bob as a recipient", &[ended.clone()], &[ended], &[]).await;

    let carol_garage = share(&olga, &carol.email, garage).await.shares[0].id;
    everyone
        .expect(
            &app,
            "Olga invites Carol to the garage",
            &[sent(carol_garage, garage)],
            &[],
            &[invited(carol_garage, garage, "Garage")],
        )
        .await;
    carol.client.accept_invite(carol_garage).await.unwrap();
    let accepted = answered(carol_garage, garage, true);
    everyone.expect(&app, "Carol accepts the garage", &[accepted.clone()], &[], &[accepted]).await;
    olga.client.remove_device(garage).await.unwrap();
    let gone = EventKind::DeviceRemoved { share: carol_garage, device: garage };
    everyone.expect(&app, "Olga deletes the garage camera", &[], &[], &[gone]).await;

    // Nothing more arrives, and each stream heard everything stored for it, each event once.
    tokio::time::sleep(QUIET).await;
    for follower in [&mut everyone.olga, &mut everyone.bob, &mut everyone.carol, &mut everyone.eve] {
        follower.assert_nothing_more();
        follower.assert_each_event_once_in_order();
        assert_eq!(follower.transient_errors, 0, "{}: the stream reported connection trouble", follower.who);
        let stored = replay(&app, follower).await;
        let first_heard = follower.received[0].id;
        let stored_since: Vec<Event> = stored.into_iter().filter(|e| e.id >= first_heard).collect();
        assert_eq!(follower.received, stored_since, "{}: the stream differs from the server's record", follower.who);
    }
    // Eve, a stranger to all of Olga's sharing, heard of Walt's invite and of nothing else.
    let eves_invite = EventKind::InviteReceived {
        share: warm_up_shares[3],
        device: hall,
        device_name: "Hall".into(),
        owner_name: "Walt".into(),
    };
    let eve_stored = replay(&app, &everyone.eve).await;
    assert!(!eve_stored.is_empty());
    for event in everyone.eve.received.iter().chain(&eve_stored) {
        assert_eq!(event.kind, eves_invite, "Eve heard of something that is not hers");
    }
}

/// Bob follows his events through a proxy; the proxy cuts the connection and refuses new ones
/// while Olga invites and cancels, then comes back on the same port. Bob's stream must yield
/// every event exactly once, in id order, without a gap, and must have reconnected to do so.
async fn resume_after_dropped_connection_loses_nothing(engine: Engine) {
    let app = spawn_app(engine).await;
    let mut proxy = Proxy::start(app.addr);
    let olga = sign_up(&app, &app.base_url, "Olga").await;
    let bob = sign_up(&app, &proxy.base_url(), "Bob").await;
    let mut cameras = Vec::new();
    for n in 1..=7 {
        cameras.push(add_camera(&olga, &format!("Camera {n}")).await);
    }
    let invited = |share, n: usize| EventKind::InviteReceived {
        share,
        device: cameras[n - 1],
        device_name: format!("Camera {n}"),
        owner_name: "Olga".into(),
    };
    let invite = async |n: usize| share(&olga, &bob.email, cameras[n - 1]).await.shares[0].id;

    let mut bob_events = Follower::open(&bob, None);
    let first = invite(1).await;
    until_connected(&app, &mut bob_events, &invited(first, 1), async || {
        // An invite is sent again at most once an hour: move the clock on first.
        app.clock.advance(camshare_server::sharing::RESEND_AFTER);
        olga.client.resend_share(first).await.expect("Olga resends her invite");
    })
    .await;
    for n in 2..=3 {
        let id = invite(n).await;
        assert_eq!(bob_events.next_event().await.kind, invited(id, n), "live invite {n}");
    }

    // The connection drops and the port refuses; the stream keeps trying.
    let accepted_before_cut = proxy.accepted();
    proxy.go_down().await;
    let refused = bob_events.next_error().await;
    assert_eq!(refused.kind(), "network", "a refused reconnection is reported as a network error: {refused}");
    // Meanwhile Olga invites three more times and cancels one.
    let fourth = invite(4).await;
    let fifth = invite(5).await;
    let sixth = invite(6).await;
    olga.client.cancel_share(fifth).await.unwrap();
    proxy.come_back();

    let missed = [
        invited(fourth, 4),
        invited(fifth, 5),
        invited(sixth, 6),
        EventKind::InviteCancelled { share: fifth, device: cameras[4] },
    ];
    for (i, expected) in missed.iter().enumerate() {
        assert_eq!(&bob_events.next_event().await.kind, expected, "event {i} from while the connection was down");
    }
    let seventh = invite(7).await;
    assert_eq!(bob_events.next_event().await.kind, invited(seventh, 7), "live invite after reconnecting");

    assert!(proxy.accepted() > accepted_before_cut, "the stream reconnected through the proxy");
    assert!(proxy.accepted() >= 2, "the proxy saw {} connection(s)", proxy.accepted());
    tokio::time::sleep(QUIET).await;
    bob_events.assert_nothing_more();
    bob_events.assert_each_event_once_in_order();
    let stored = replay(&app, &bob_events).await;
    let first_heard = bob_events.received[0].id;
    let stored_since: Vec<Event> = stored.into_iter().filter(|e| e.id >= first_heard).collect();
    assert_eq!(bob_events.received, stored_since, "Bob's stream differs from the server's record");
}

/// Bob's access token expires while his stream is open. When the connection drops, the server
/// refuses the old token; the stream refreshes the session by itself, reconnects and resumes.
async fn stream_refreshes_an_expired_token(engine: Engine) {
    let app = spawn_app(engine).await;
    let mut proxy = Proxy::start(app.addr);
    let olga = sign_up(&app, &app.base_url, "Olga").await;
    let bob = sign_up(&app, &proxy.base_url(), "Bob").await;
    let garden = add_camera(&olga, "Garden").await;
    let shed = add_camera(&olga, "Shed").await;
    let invited = |share, device, device_name: &str| EventKind::InviteReceived {
        share,
        device,
        device_name: device_name.into(),
        owner_name: "Olga".into(),
    };
    let mut bob_events = Follower::open(&bob, None);
    let first = share(&olga, &bob.email, garden).await.shares[0].id;
    until_connected(&app, &mut bob_events, &invited(first, garden, "Garden"), async || {
        // An invite is sent again at most once an hour: move the clock on first.
        app.clock.advance(camshare_server::sharing::RESEND_AFTER);
        olga.client.resend_share(first).await.expect("Olga resends her invite");
    })
    .await;

    let old_tokens = bob.client.tokens().expect("signed in");
    let expired = old_tokens.access_expires_at.as_millisecond() + 60_000;
    app.clock.set(Timestamp::from_millisecond(expired).unwrap());
    proxy.go_down().await;
    bob_events.next_error().await;
    // Olga's client refreshes its own session the same way.
    let second = share(&olga, &bob.email, shed).await.shares[0].id;
    proxy.come_back();

    assert_eq!(bob_events.next_event().await.kind, invited(second, shed, "Shed"), "the invite made while down");
    let new_tokens = bob.client.tokens().expect("still signed in");
    assert_ne!(new_tokens.access_token, old_tokens.access_token, "the stream refreshed the session");
    assert_ne!(new_tokens.refresh_token, old_tokens.refresh_token, "the refresh token rotated");
    tokio::time::sleep(QUIET).await;
    bob_events.assert_nothing_more();
    bob_events.assert_each_event_once_in_order();
}

/// Regression: a stream that dropped before hearing any event used to reconnect "from now" and
/// lose what happened while it was down. The server's opening id-only message fixes its position.
async fn stream_dropped_before_its_first_event_still_resumes(engine: Engine) {
    let app = spawn_app(engine).await;
    let mut proxy = Proxy::start(app.addr);
    let olga = sign_up(&app, &app.base_url, "Olga").await;
    let bob = sign_up(&app, &proxy.base_url(), "Bob").await;
    let camera = add_camera(&olga, "Camera").await;
    let mut bob_events = Follower::open(&bob, None);
    tokio::time::sleep(Duration::from_millis(500)).await; // connected, nothing heard yet
    proxy.go_down().await;
    bob_events.next_error().await; // a reconnect was refused
    let while_down = share(&olga, &bob.email, camera).await.shares[0].id;
    proxy.come_back();
    let event = bob_events.next_event_within(Duration::from_secs(5)).await.expect("the invite made while down arrives");
    assert!(matches!(event.kind, EventKind::InviteReceived { share, .. } if share == while_down), "{event:?}");
    bob_events.assert_each_event_once_in_order();
}

/// A signed-up account with its own client.
struct Person {
    name: &'static str,
    email: String,
    account: AccountId,
    client: Client,
}

/// Signs up through `base_url` (the server, or a proxy in front of it), with the code from the
/// server's outbox.
async fn sign_up(app: &TestApp, base_url: &str, name: &'static str) -> Person {
    let client = Client::new(base_url).unwrap();
    let email = format!("{}@example.com", name.to_lowercase());
    let body = SignUp {
        email: Some(email.clone()),
        phone: None,
        display_name: name.into(),
        password: "password123".into(),
        time_zone: None,
    };
    let seen = outbox::messages_to(&app.outbox(), &email).len();
    let started = client.sign_up(&body).await.unwrap_or_else(|e| panic!("sign up {name}: {e}"));
    let code = outbox::code_in(&outbox::wait_for_message(&app.outbox(), &email, seen).await);
    let session = client.verify_sign_up(&started.verification, &code).await.unwrap_or_else(|e| panic!("{name}: {e}"));
    Person { name, email, account: session.account.id, client }
}

async fn add_camera(owner: &Person, name: &str) -> DeviceId {
    let device = NewDevice {
        name: name.into(),
        kind: DeviceKind::Camera,
        rtsp_url: "rtsp://192.0.2.10:554".into(),
        username: "admin".into(),
        password: "CameraSecret99".into(),
        channel_names: Vec::new(),
        channel_count: None,
    };
    owner.client.add_device(&device).await.unwrap_or_else(|e| panic!("{} adds {name}: {e}", owner.name)).id
}

/// Shares live view of the device's one channel.
async fn share(owner: &Person, recipient: &str, device: DeviceId) -> CreatedShares {
    let request = CreateShares {
        recipient: recipient.into(),
        remark: None,
        devices: vec![DeviceGrant { device, channels: ChannelGrants::uniform([1], FunctionSet::GUEST) }],
        terms: ShareTerms::default(),
    };
    owner.client.share_devices(&request).await.unwrap_or_else(|e| panic!("{} shares with {recipient}: {e}", owner.name))
}

/// One account's event stream, polled by its own task from the moment it is opened (a stream
/// connects only once polled), with what it yields kept for the test to take.
struct Follower {
    who: &'static str,
    account: AccountId,
    items: mpsc::UnboundedReceiver<Result<Event, ClientError>>,
    task: JoinHandle<()>,
    /// Every event taken so far, in arrival order.
    received: Vec<Event>,
    /// Transient errors the stream reported and carried on after.
    transient_errors: usize,
}

impl Follower {
    fn open(person: &Person, last_event_id: Option<EventId>) -> Follower {
        Follower::open_as(person.name, person.account, person.client.clone(), last_event_id)
    }

    fn open_as(who: &'static str, account: AccountId, client: Client, last_event_id: Option<EventId>) -> Follower {
        let mut stream = client.events(last_event_id);
        let (sender, items) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            while let Some(item) = stream.next().await {
                if sender.send(item).is_err() {
                    break;
                }
            }
        });
        Follower { who, account, items, task, received: Vec::new(), transient_errors: 0 }
    }

    /// The next event; fails the test if none comes within [`EVENT_TIMEOUT`].
    async fn next_event(&mut self) -> Event {
        let who = self.who;
        self.next_event_within(EVENT_TIMEOUT)
            .await
            .unwrap_or_else(|| panic!("{who}: no event within {EVENT_TIMEOUT:?}"))
    }

    /// The next event, or `None` when none comes within `limit`. Transient errors are counted
    /// and skipped, as the stream itself carries on after them; any other error fails the test.
    async fn next_event_within(&mut self, limit: Duration) -> Option<Event> {
        let deadline = Instant::now() + limit;
        loop {
            match tokio::time::timeout_at(deadline, self.items.recv()).await {
                Err(_) => return None,
                Ok(None) => panic!("{}: the event stream ended", self.who),
                Ok(Some(Ok(event))) => {
                    self.received.push(event.clone());
                    return Some(event);
                }
                Ok(Some(Err(error))) if error.is_transient() => self.transient_errors += 1,
                Ok(Some(Err(error))) => panic!("{}: the event stream gave up: {error}", self.who),
            }
        }
    }

    /// The next item, which must be an error the stream carries on after.
    async fn next_error(&mut self) -> ClientError {
        match tokio::time::timeout(EVENT_TIMEOUT, self.items.recv()).await {
            Ok(Some(Err(error))) if error.is_transient() => {
                self.transient_errors += 1;
                error
            }
            other => panic!("{}: expected a transient error, got {other:?}", self.who),
        }
    }

    /// The id of the last event taken; 0 before any.
    fn last_id(&self) -> EventId {
        self.received.last().map_or(EventId(0), |e| e.id)
    }

    /// Takes as many events as `expected` lists and compares them; then checks that the server
    /// stored nothing for this account beyond the last event taken.
    async fn expect(&mut self, app: &TestApp, step: &str, expected: &[EventKind]) {
        let mut heard = Vec::new();
        for _ in expected {
            match self.next_event_within(EVENT_TIMEOUT).await {
                Some(event) => heard.push(event.kind),
                None => break,
            }
        }
        assert_eq!(heard, expected, "{step}: what {} heard", self.who);
        let stored = latest_id(&app.db().pool, self.account).await.expect("newest event id");
        assert_eq!(stored, self.last_id(), "{step}: {} has more events stored than were expected", self.who);
    }

    /// Nothing, not even an error, is waiting.
    fn assert_nothing_more(&mut self) {
        if let Ok(item) = self.items.try_recv() {
            panic!("{}: unexpected {item:?}", self.who);
        }
    }

    fn assert_each_event_once_in_order(&self) {
        let ids: Vec<i64> = self.received.iter().map(|e| e.id.0).collect();
        assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{}: event ids not strictly rising: {ids:?}", self.who);
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Everyone in the first test who listens to Olga's sharing.
struct Everyone {
    olga: Follower,
    bob: Follower,
    carol: Follower,
    eve: Follower,
}

impl Everyone {
    /// Checks one step: what Olga, Bob and Carol heard, and that Eve heard nothing.
    async fn expect(&mut self, app: &TestApp, step: &str, olga: &[EventKind], bob: &[EventKind], carol: &[EventKind]) {
        self.olga.expect(app, step, olga).await;
        self.bob.expect(app, step, bob).await;
        self.carol.expect(app, step, carol).await;
        self.eve.expect(app, step, &[]).await;
    }
}

/// Returns once `follower`'s stream is connected. A stream opened without `Last-Event-ID` hears
/// only what happens after it connects, and the client does not say when that is; so `poke`
/// makes an event for the account (`expected`) until one arrives. Then every copy up to the
/// newest stored is taken, so the test goes on from a quiet stream.
async fn until_connected(app: &TestApp, follower: &mut Follower, expected: &EventKind, poke: impl AsyncFn()) {
    let deadline = Instant::now() + EVENT_TIMEOUT;
    loop {
        if let Some(event) = follower.next_event_within(Duration::from_millis(100)).await {
            assert_eq!(&event.kind, expected, "{}: first event", follower.who);
            break;
        }
        assert!(Instant::now() < deadline, "{}: the stream did not connect within {EVENT_TIMEOUT:?}", follower.who);
        poke().await;
    }
    let stored = latest_id(&app.db().pool, follower.account).await.expect("newest event id");
    while follower.last_id() < stored {
        assert_eq!(&follower.next_event().await.kind, expected, "{}: a repeated first event", follower.who);
    }
}

/// Everything the server stored for the follower's account, read through a fresh stream that
/// resumes after id 0 over a direct connection, in a session of its own: two clients holding
/// one session would both refresh it with the same refresh token once it expired, and the
/// server takes the second for a stolen copy and ends the session.
async fn replay(app: &TestApp, follower: &Follower) -> Vec<Event> {
    let direct = Client::new(&app.base_url).unwrap();
    let login = format!("{}@example.com", follower.who.to_lowercase());
    direct
        .sign_in(&camshare_api::SignIn { login, password: "password123".into() })
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", follower.who));
    let mut replayed = Follower::open_as(follower.who, follower.account, direct, Some(EventId(0)));
    let stored = latest_id(&app.db().pool, follower.account).await.expect("newest event id");
    while replayed.last_id() < stored {
        replayed.next_event().await;
    }
    std::mem::take(&mut replayed.received)
}

/// A TCP proxy between a client and the server that the test can take down (every open
/// connection cut, new ones refused) and bring back on the same port.
struct Proxy {
    addr: SocketAddr,
    upstream: SocketAddr,
    /// Connections accepted so far.
    accepted: Arc<AtomicUsize>,
    /// Bumped to cut every open connection.
    cut: watch::Sender<u64>,
    /// The accept loop, which owns the listener; `None` while down.
    accepting: Option<JoinHandle<()>>,
}

impl Proxy {
    fn start(upstream: SocketAddr) -> Proxy {
        let listener = listen("127.0.0.1:0".parse().unwrap());
        let addr = listener.local_addr().unwrap();
        let mut proxy = Proxy { addr, upstream, accepted: Arc::default(), cut: watch::channel(0).0, accepting: None };
        proxy.accept_on(listener);
        proxy
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// Stops listening, so that new connections are refused, then cuts the open ones.
    async fn go_down(&mut self) {
        let accepting = self.accepting.take().expect("the proxy is up");
        accepting.abort();
        // The listener is closed once the aborted task is gone.
        let _ = accepting.await;
        self.cut.send_modify(|generation| *generation += 1);
    }

    /// Listens again on the same port.
    fn come_back(&mut self) {
        assert!(self.accepting.is_none(), "the proxy is already up");
        let listener = listen(self.addr);
        self.accept_on(listener);
    }

    fn accept_on(&mut self, listener: TcpListener) {
        let (upstream, accepted, cut) = (self.upstream, self.accepted.clone(), self.cut.subscribe());
        self.accepting = Some(tokio::spawn(async move {
            loop {
                let (mut inbound, _) = listener.accept().await.expect("the proxy accepts");
                accepted.fetch_add(1, Ordering::SeqCst);
                let mut cut = cut.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(upstream).await else { return };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        }));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(accepting) = &self.accepting {
            accepting.abort();
        }
    }
}

/// Listens with `SO_REUSEADDR`, so the proxy can take its port again right after closing it.
fn listen(addr: SocketAddr) -> TcpListener {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    socket.bind(addr).unwrap_or_else(|e| panic!("the proxy cannot listen on {addr}: {e}"));
    socket.listen(64).unwrap()
}
