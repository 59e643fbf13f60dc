//! Live view end to end, without a window: a simulated NVR, the server with its media gate, and
//! the viewer pipeline of `camshare-media`. Checks that the right people see the right channel,
//! that every kind of bad ticket is refused before any media byte, and that a revoke ends an open
//! stream for good.

mod support;

use std::time::Duration;

use camshare_api::StreamKind;
use camshare_camsim::stamp;
use camshare_media::StreamError;
use camshare_server::clock::Clock;
use camshare_server::permits::{AccessFacts, Purpose};
use camshare_server::store::tickets;
use support::*;

async fn bob_id(bob: &camshare_client::Client) -> camshare_api::AccountId {
    bob.me().await.unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recipient_with_live_view_on_channel_2_sees_channel_2() {
    let w = world().await;
    let bob = account(&w.server, "bob@example.com").await;
    w.share_live_view(&bob, "bob@example.com", &[2]).await;
    let ticket = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    assert!(ticket.ticket.expose().len() >= 22, "a ticket carries at least 128 random bits");
    assert!(!ticket.url.contains(ticket.ticket.expose()), "the ticket is not in the URL");
    let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
    let (_, frame, stamp) = tokio::task::spawn_blocking(move || first_stamped_frame(&config, Duration::from_secs(15)))
        .await
        .unwrap()
        .expect("frames of channel 2");
    assert_eq!(stamp.channel, 2);
    assert_eq!(stamp.name_hash, stamp::name_hash("Garage"), "the picture is Garage's");
    assert_eq!((frame.width, frame.height), (640, 360), "the sub stream");
}

/// Attack 6 on the media plane: over RTSPS the app's player pins the server's certificate; a
/// gate with any other certificate gets nothing, not even the ticket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_rtsps_the_player_accepts_the_pinned_certificate_only() {
    let w = World::with_tls().await;
    let bob = account(&w.server, "bob@example.com").await;
    w.share_live_view(&bob, "bob@example.com", &[2]).await;
    let pinned = bob.trust().pinned.expect("the test server's certificate is pinned");
    let ticket = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    assert!(ticket.url.starts_with("rtsps://"), "{}", ticket.url);

    // Another pin: refused at the handshake, naming what was presented…
    let mut config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
    config.pinned = Some(camshare_api::Fingerprint::of_der(b"another server"));
    let wrong = config.clone();
    let refused =
        tokio::task::spawn_blocking(move || first_stamped_frame(&wrong, Duration::from_secs(15))).await.unwrap();
    assert_eq!(refused.err(), Some(StreamError::UntrustedCertificate(pinned)));
    // …and no pin at all (the system's authorities do not know a self-signed certificate).
    let mut unpinned = config.clone();
    unpinned.pinned = None;
    let refused =
        tokio::task::spawn_blocking(move || first_stamped_frame(&unpinned, Duration::from_secs(15))).await.unwrap();
    assert!(refused.is_err(), "an unpinned player accepted a self-signed gate");
    // The ticket never left: with the right pin it still opens, and it is channel 2.
    config.pinned = Some(pinned);
    let (_, _, stamp) = tokio::task::spawn_blocking(move || first_stamped_frame(&config, Duration::from_secs(15)))
        .await
        .unwrap()
        .expect("frames over RTSPS");
    assert_eq!(stamp.channel, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gate_refuses_bad_tickets_before_any_media_byte() {
    let w = world().await;
    let bob = account(&w.server, "bob@example.com").await;
    let mallory = account(&w.server, "mallory@example.com").await;
    w.share_live_view(&bob, "bob@example.com", &[2]).await;
    let gate = w.server.state.gate.as_ref().expect("the gate runs").url_base.clone();
    let path = |channel: u16| format!("{gate}/live/{}/{channel}/sub", w.nvr.id.0);

    // No ticket at all.
    let answer = raw_describe(&path(2), None);
    assert_eq!(answer.status, 401);
    assert!(!answer.carries_media());
    assert!(!answer.closed, "the challenge keeps the connection for the player's retry");

    // Without the grant: the API gives Mallory no ticket, and a made-up one does not open.
    let refused = mallory.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap_err();
    assert_eq!(refused.kind(), "not_found");
    let mallory_id = mallory.me().await.unwrap().id.0.to_string();
    let answer = raw_describe(&path(2), Some((&mallory_id, "made-up-ticket")));
    assert_eq!(answer.status, 401);
    assert!(!answer.carries_media());
    assert!(answer.closed, "a refused ticket ends its connection");

    // Another account's ticket: Bob's ticket under Mallory's name is refused (and burnt).
    let bobs = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    let answer = raw_describe(&bobs.url, Some((&mallory_id, bobs.ticket.expose())));
    assert_eq!(answer.status, 401);
    assert!(!answer.carries_media());

    // A replayed ticket: the first use opens, the second is refused.
    let once = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    let first = raw_describe(&once.url, Some((&once.username, once.ticket.expose())));
    assert_eq!(first.status, 200, "the first use opens: {}", String::from_utf8_lossy(&first.bytes));
    let again = raw_describe(&once.url, Some((&once.username, once.ticket.expose())));
    assert_eq!(again.status, 401);
    assert!(!again.carries_media());

    // An expired ticket: 30 s to first use.
    let late = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    w.server.clock.advance(jiff::SignedDuration::from_secs(31));
    let answer = raw_describe(&late.url, Some((&late.username, late.ticket.expose())));
    assert_eq!(answer.status, 401);
    assert!(!answer.carries_media());

    // A channel not shared: no ticket from the API, and a ticket for channel 2 does not open 3.
    let refused = bob.stream_ticket(w.nvr.id, 3, StreamKind::Sub).await.unwrap_err();
    assert_eq!(refused.kind(), "forbidden");
    let two = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    let answer = raw_describe(&path(3), Some((&two.username, two.ticket.expose())));
    assert_eq!(answer.status, 403);
    assert!(!answer.carries_media());

    // A genuine ticket for another purpose (the owner's PTZ on channel 2, issued from a real
    // permit) does not open channel 2's live stream: the gate opens only what a ticket names.
    let owner_id = w.owner.me().await.unwrap().id;
    let now = w.server.clock.now();
    let mut conn = w.server.db().pool.acquire().await.unwrap();
    let facts = AccessFacts::load(&mut conn, w.nvr.id).await.unwrap().unwrap();
    drop(conn);
    assert!(facts.decide(bob_id(&bob).await, 2, Purpose::Ptz, now).is_err(), "Bob has no PTZ");
    let ptz = facts.decide(owner_id, 2, Purpose::Ptz, now).unwrap();
    let (ticket, _) = tickets::issue(&w.server.db().pool, &ptz, None, now).await.unwrap().expect("under the cap");
    let answer = raw_describe(&path(2), Some((&owner_id.0.to_string(), ticket.expose())));
    assert_eq!(answer.status, 403, "{}", String::from_utf8_lossy(&answer.bytes));
    assert!(!answer.carries_media());

    // The viewer pipeline reports a refusal as such.
    let config = gray(&path(2), &two.username, "not-a-ticket");
    let outcome =
        tokio::task::spawn_blocking(move || first_stamped_frame(&config, Duration::from_secs(10)).err()).await.unwrap();
    assert!(matches!(outcome, Some(StreamError::Refused(_))), "{outcome:?}");
}

/// Issue 10, item 7: the gate fails closed. While a recipient watches, the shares can no longer
/// be read (the table is renamed away under the server: every read of it fails, as when the
/// database is unreachable). The enforcer cannot tell whether access still holds, so within
/// about 2 s it closes the stream rather than keep it open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_whose_access_cannot_be_checked_is_closed() {
    let w = world().await;
    let bob = account(&w.server, "bob@example.com").await;
    w.share_live_view(&bob, "bob@example.com", &[1]).await;
    let ticket = bob.stream_ticket(w.nvr.id, 1, StreamKind::Sub).await.unwrap();
    let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
    let (mut viewer, _, _) = tokio::task::spawn_blocking(move || first_stamped_frame(&config, Duration::from_secs(15)))
        .await
        .unwrap()
        .unwrap();
    sqlx::query("ALTER TABLE shares RENAME TO shares_unreadable").execute(&w.server.db().pool).await.unwrap();
    let (ended, after) =
        tokio::task::spawn_blocking(move || until_ended(&mut viewer, Duration::from_secs(6))).await.unwrap();
    assert_eq!(ended, StreamError::Closed, "the gate closed it");
    eprintln!("shares unreadable → stream closed after {after:?}");
    assert!(after >= Duration::from_millis(1500), "closed before the 2 s of grace: {after:?}");
    sqlx::query("ALTER TABLE shares_unreadable RENAME TO shares").execute(&w.server.db().pool).await.unwrap();
}

/// Issue 10, attack 4: guessing tickets is cheap for the gate. Every guess gets its 401 and the
/// connection is closed; a guess of the right shape costs one read and never a write — shown by
/// holding SQLite's write lock the whole time (a claim that wrote would wait for it and answer
/// nothing within 500 ms).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessed_tickets_cost_a_read_and_their_connection() {
    let w = world().await;
    let bob = account(&w.server, "bob@example.com").await;
    w.share_live_view(&bob, "bob@example.com", &[2]).await;
    let gate = w.server.state.gate.as_ref().expect("the gate runs").url_base.clone();
    let url = format!("{gate}/live/{}/2/sub", w.nvr.id.0);
    let bob_id = bob_id(&bob).await.0.to_string();

    let mut writer = w.server.db().pool.begin().await.unwrap();
    sqlx::query("DELETE FROM stream_tickets WHERE hash = 'none'").execute(&mut *writer).await.unwrap();
    let guesses = tokio::task::spawn_blocking(move || {
        (0..20)
            .map(|i| {
                let guess = camshare_server::secrets::new_token();
                let shaped = if i % 2 == 0 { guess } else { format!("{guess}!") };
                raw_describe(&url, Some((&bob_id, &shaped)))
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    writer.rollback().await.unwrap();
    for answer in guesses {
        assert_eq!(answer.status, 401, "{}", String::from_utf8_lossy(&answer.bytes));
        assert!(answer.closed, "the connection stays open after a refused ticket");
        assert!(!answer.carries_media());
    }
}

/// Issue 10, item 4: one account holds at most 32 viewers open; the 33rd is refused (503, and
/// its connection closed) before any media byte, and a viewer that leaves makes room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_holds_at_most_32_viewers() {
    let w = world().await;
    let bob = account(&w.server, "bob@example.com").await;
    w.share_live_view(&bob, "bob@example.com", &[2]).await;
    let mut open = Vec::new();
    for _ in 0..32 {
        let t = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
        let (answer, connection) =
            tokio::task::spawn_blocking(move || open_describe(&t.url, Some((&t.username, t.ticket.expose()))))
                .await
                .unwrap();
        assert_eq!(answer.status, 200, "{}", String::from_utf8_lossy(&answer.bytes));
        open.push(connection);
    }
    let t = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    let refused = tokio::task::spawn_blocking(move || raw_describe(&t.url, Some((&t.username, t.ticket.expose()))))
        .await
        .unwrap();
    assert_eq!(refused.status, 503, "{}", String::from_utf8_lossy(&refused.bytes));
    assert!(refused.closed && !refused.carries_media());
    drop(open.pop());
    let gate = w.server.state.gate.clone().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while gate.open_viewers() > 31 {
        assert!(std::time::Instant::now() < deadline, "the closed viewer is still counted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let t = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    let again = tokio::task::spawn_blocking(move || raw_describe(&t.url, Some((&t.username, t.ticket.expose()))))
        .await
        .unwrap();
    assert_eq!(again.status, 200, "{}", String::from_utf8_lossy(&again.bytes));
}

/// A flood from one machine: connections that never send a request hold at most 64 of the
/// gate's descriptors; the 65th is closed before a byte is read, and a closed one makes room.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_at_most_64_gate_connections() {
    use camshare_server::gate::addresses::MAX_CONNECTIONS_PER_ADDRESS;
    let w = world().await;
    let bob = account(&w.server, "bob@example.com").await;
    w.share_live_view(&bob, "bob@example.com", &[2]).await;
    let port = w.server.state.gate.as_ref().unwrap().port;
    let mut idle: Vec<std::net::TcpStream> =
        (0..MAX_CONNECTIONS_PER_ADDRESS).map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    let t = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    let refused = tokio::task::spawn_blocking(move || raw_describe(&t.url, Some((&t.username, t.ticket.expose()))))
        .await
        .unwrap();
    assert!(refused.closed && refused.bytes.is_empty(), "the 65th connection was served: {}", refused.status);
    // One idle connection leaves: a viewer gets in.
    drop(idle.pop());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let t = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
        let answer = tokio::task::spawn_blocking(move || raw_describe(&t.url, Some((&t.username, t.ticket.expose()))))
            .await
            .unwrap();
        if answer.status == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no room after a connection closed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_while_streaming_ends_the_stream_for_good() {
    let w = world().await;
    let bob = account(&w.server, "bob@example.com").await;
    let share = w.share_live_view(&bob, "bob@example.com", &[2]).await;
    let ticket = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
    let (mut viewer, _, _) = tokio::task::spawn_blocking(move || first_stamped_frame(&config, Duration::from_secs(15)))
        .await
        .unwrap()
        .unwrap();
    // The owner watches too; her session must outlive the revoke.
    let own = w.owner.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    let config = gray(&own.url, &own.username, own.ticket.expose());
    let (mut owners, _, _) = tokio::task::spawn_blocking(move || first_stamped_frame(&config, Duration::from_secs(15)))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(w.server.state.gate.as_ref().expect("the gate runs").open_viewers(), 2);

    w.owner.revoke_share(share).await.unwrap();
    let (ended, after) =
        tokio::task::spawn_blocking(move || until_ended(&mut viewer, Duration::from_secs(5))).await.unwrap();
    assert_eq!(ended, StreamError::Closed, "the gate closed it");
    eprintln!("revoke → stream closed after {after:?}");
    // No way back: the API gives no new ticket.
    assert_eq!(bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap_err().kind(), "not_found");
    // The owner's own stream goes on.
    let still = tokio::task::spawn_blocking(move || owners.next_frame(Duration::from_secs(3)).map(|f| f.is_some()))
        .await
        .unwrap();
    assert_eq!(still, Ok(true), "the owner's stream was cut");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let activity = w.owner.activity(Some(50)).await.unwrap();
    let kinds: Vec<_> = activity.iter().map(|a| a.kind.as_str()).collect();
    assert!(kinds.contains(&"stream_opened") && kinds.contains(&"stream_closed"), "{kinds:?}");
}

/// Issue 10, item 5: a stream lives no longer than the session that asked for its ticket. Bob
/// watches and signs out (on another device, a password change would do the same): his stream
/// closes, while the owner's, from a session that goes on, keeps running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_sessions_streams() {
    let w = world().await;
    let bob = account(&w.server, "bob@example.com").await;
    w.share_live_view(&bob, "bob@example.com", &[2]).await;
    let open = |t: camshare_api::StreamTicket| {
        let config = gray(&t.url, &t.username, t.ticket.expose());
        tokio::task::spawn_blocking(move || first_stamped_frame(&config, Duration::from_secs(15)))
    };
    let (mut bobs, _, _) = open(bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap()).await.unwrap().unwrap();
    let (mut owners, _, _) =
        open(w.owner.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap()).await.unwrap().unwrap();
    bob.sign_out().await.unwrap();
    let (ended, after) =
        tokio::task::spawn_blocking(move || until_ended(&mut bobs, Duration::from_secs(5))).await.unwrap();
    assert_eq!(ended, StreamError::Closed);
    eprintln!("sign-out → stream closed after {after:?}");
    let still = tokio::task::spawn_blocking(move || owners.next_frame(Duration::from_secs(3)).map(|f| f.is_some()))
        .await
        .unwrap();
    assert_eq!(still, Ok(true), "the owner's stream was cut");
}

/// Issue 10: "Revoke everything". Bob watches channel 2 live and Carol holds an open invite for
/// channel 3; one call from the owner ends both shares and Bob's stream within 250 ms, and the
/// activity log lists them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_everything_ends_shares_invites_and_streams_at_once() {
    use camshare_api::{ChannelGrants, CreateShares, DeviceGrant, FunctionSet, ShareTerms};
    let w = world().await;
    let bob = account(&w.server, "bob@example.com").await;
    let carol = account(&w.server, "carol@example.com").await;
    w.share_live_view(&bob, "bob@example.com", &[2]).await;
    w.owner
        .share_devices(&CreateShares {
            recipient: "carol@example.com".into(),
            remark: None,
            devices: vec![DeviceGrant { device: w.nvr.id, channels: ChannelGrants::uniform([3], FunctionSet::GUEST) }],
            terms: ShareTerms::default(),
        })
        .await
        .unwrap();
    assert_eq!(carol.list_invites().await.unwrap().len(), 1);
    let ticket = bob.stream_ticket(w.nvr.id, 2, StreamKind::Sub).await.unwrap();
    let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
    let (mut viewer, _, _) = tokio::task::spawn_blocking(move || first_stamped_frame(&config, Duration::from_secs(15)))
        .await
        .unwrap()
        .unwrap();
    let watcher = tokio::task::spawn_blocking(move || {
        let (ended, _) = until_ended(&mut viewer, Duration::from_secs(5));
        (ended, std::time::Instant::now())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pressed = std::time::Instant::now();
    let done = w.owner.revoke_everything().await.unwrap();
    let (ended, at) = watcher.await.unwrap();
    let took = at.saturating_duration_since(pressed);
    eprintln!("revoke everything → stream closed after {took:?}");
    assert_eq!(ended, StreamError::Closed);
    assert!(took <= Duration::from_millis(250), "the stream ran on for {took:?}");
    assert_eq!(done.ended.len(), 2, "{done:?}");
    assert_eq!(done.streams_ended, 1);
    assert!(bob.list_shared_devices().await.unwrap().is_empty());
    assert!(carol.list_invites().await.unwrap().is_empty());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let activity = w.owner.activity(Some(50)).await.unwrap();
    let kinds: Vec<_> = activity.iter().map(|a| a.kind.as_str()).collect();
    for kind in ["everything_revoked", "revoked", "cancelled", "stream_closed"] {
        assert!(kinds.contains(&kind), "no `{kind}` in the activity log: {kinds:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_through_the_gate_keeps_up_with_the_camera() {
    let w = world().await;
    let bob = account(&w.server, "bob@example.com").await;
    w.share_live_view(&bob, "bob@example.com", &[1]).await;
    let ticket = bob.stream_ticket(w.nvr.id, 1, StreamKind::Sub).await.unwrap();
    let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
    let (frames, newest) = tokio::task::spawn_blocking(move || {
        let (mut viewer, _, _) = first_stamped_frame(&config, Duration::from_secs(15)).unwrap();
        let start = std::time::Instant::now();
        let mut frames = 0;
        let mut stamped = 0;
        let mut newest = 0;
        while start.elapsed() < Duration::from_secs(4) {
            if let Some(frame) = viewer.next_frame(Duration::from_millis(200)).unwrap() {
                frames += 1;
                let s = stamp::read(&frame.data, frame.stride as usize, frame.width as usize, frame.height as usize);
                stamped += usize::from(s.is_some());
                newest = s.map(|s| s.unix_ms).unwrap_or(newest);
            }
        }
        eprintln!("{frames} frames in 4 s, {stamped} with a readable stamp");
        assert!(stamped * 10 >= frames * 9, "smeared pictures: only {stamped} of {frames} frames readable");
        (frames, newest)
    })
    .await
    .unwrap();
    // The sub stream runs at 15 fps: 60 frames in 4 s; allow for a slow machine.
    assert!(frames >= 45, "only {frames} frames in 4 s");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    assert!(now - newest < 1000, "the newest frame is {} ms old", now - newest);
}

/// The camera goes away mid-stream: the viewer hears so within seconds (not after a network
/// timeout), a viewer that connects while it is away is told at once, and as soon as the camera
/// is back on its address a new viewer gets pictures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_camera_that_goes_away_and_comes_back() {
    let World { server: _server, camsim, owner, nvr } = world().await;
    let watch = |owner: &camshare_client::Client| {
        let owner = owner.clone();
        async move {
            let ticket = owner.stream_ticket(nvr.id, 1, StreamKind::Sub).await.unwrap();
            gray(&ticket.url, &ticket.username, ticket.ticket.expose())
        }
    };
    let config = watch(&owner).await;
    let (mut viewer, _, _) =
        tokio::task::spawn_blocking(move || first_stamped_frame(&config, Duration::from_secs(15)).expect("frames"))
            .await
            .unwrap();

    let mut camera = camsim.config.as_ref().clone();
    camera.rtsp_port = camsim.rtsp_port;
    camera.http_port = 0;
    drop(camsim);
    let (ended, after) =
        tokio::task::spawn_blocking(move || until_ended(&mut viewer, Duration::from_secs(30))).await.unwrap();
    eprintln!("camera stopped → viewer ended ({ended:?}) after {after:?}");
    assert!(after < Duration::from_secs(3), "the viewer heard of the camera's end only after {after:?}");

    let config = watch(&owner).await;
    let (away, after) = tokio::task::spawn_blocking(move || {
        let start = std::time::Instant::now();
        let result = first_stamped_frame(&config, Duration::from_secs(30));
        (result.err(), start.elapsed())
    })
    .await
    .unwrap();
    eprintln!("camera away → a new viewer told {away:?} after {after:?}");
    assert!(matches!(away, Some(StreamError::Unavailable(_))), "{away:?}");
    assert!(after < Duration::from_secs(3), "a viewer of an absent camera waited {after:?}");

    let _camsim = camshare_camsim::Camsim::start(camera).await.unwrap();
    let config = watch(&owner).await;
    let after = tokio::task::spawn_blocking(move || {
        let start = std::time::Instant::now();
        first_stamped_frame(&config, Duration::from_secs(30)).expect("pictures once the camera is back");
        start.elapsed()
    })
    .await
    .unwrap();
    eprintln!("camera back → a new viewer's first picture after {after:?}");
    assert!(after < Duration::from_secs(5), "the first picture after the camera came back took {after:?}");
}

/// A camera that takes the connection but never answers (hung firmware, say): the viewer is
/// told it cannot be reached within seconds, not after a 20 s network timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_camera_that_never_answers_reads_as_unavailable() {
    let server = camshare_testkit::spawn_app(camshare_testkit::Engine::Sqlite).await;
    let owner = account(&server, "olga@example.com").await;
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = silent.local_addr().unwrap().port();
    let _held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket); // accepted, never answered
        }
    });
    let device = owner
        .add_device(&camshare_api::NewDevice {
            name: "Hung camera".into(),
            kind: camshare_api::DeviceKind::Camera,
            rtsp_url: format!("rtsp://127.0.0.1:{port}"),
            username: "admin".into(),
            password: "CameraSecret99".into(),
            channel_names: vec![],
            channel_count: None,
        })
        .await
        .unwrap();
    let ticket = owner.stream_ticket(device.id, 1, StreamKind::Sub).await.unwrap();
    let config = gray(&ticket.url, &ticket.username, ticket.ticket.expose());
    let (outcome, after) = tokio::task::spawn_blocking(move || {
        let start = std::time::Instant::now();
        let result = first_stamped_frame(&config, Duration::from_secs(40));
        (result.err(), start.elapsed())
    })
    .await
    .unwrap();
    eprintln!("silent camera → viewer told {outcome:?} after {after:?}");
    assert!(matches!(outcome, Some(StreamError::Unavailable(_))), "{outcome:?}");
    assert!(after < Duration::from_secs(8), "a viewer of a silent camera waited {after:?}");
}
