//! Server-sent events per account, resumable with `Last-Event-ID`; and the activity log.

use std::collections::VecDeque;
use std::convert::Infallible;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use camshare_api::{AccountId, ActivityEntry, ActivityId, ApiError, ErrorKind, Event, EventId, routes};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::watch;
use utoipa::IntoParams;

use super::AppState;
use super::extract::{Caller, Params};
use crate::error::Result;
use crate::store::sessions::{self, SessionRef};
use crate::store::{Db, activity, events};

/// Event streams one account may hold open at once (its apps on several devices, with room
/// for reconnects whose old connection has not been noticed gone yet). Each holds a connection
/// and a task; an account cannot open them without end.
pub const STREAMS_PER_ACCOUNT: usize = 16;

/// Query of the event stream.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Resume after this event id (same as the `Last-Event-ID` header, which wins).
    pub last_event_id: Option<i64>,
}

struct Follow {
    db: Db,
    account: AccountId,
    session: SessionRef,
    last: EventId,
    wake: watch::Receiver<u64>,
    pending: VecDeque<Event>,
}

/// My events as `text/event-stream`: `id`, `event` (the type) and `data` (the JSON event).
/// Without `Last-Event-ID` the stream starts with the next event. The first message has only an
/// `id:` (the start position) and a comment.
#[utoipa::path(get, path = routes::EVENTS, tag = "events", security(("bearer" = [])), params(EventsQuery),
    responses((status = 200, description = "text/event-stream of Event", body = Event), (status = 401, body = ApiError),
        (status = 429, body = ApiError)))]
pub async fn events_stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Params(q): Params<EventsQuery>,
) -> Result<Sse<impl Stream<Item = std::result::Result<SseEvent, Infallible>>>> {
    let from_header = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
    // Subscribe before reading the start position, so nothing committed after it is missed.
    let Some(wake) = state.db.hub.subscribe(caller.account, STREAMS_PER_ACCOUNT) else {
        return Err(ApiError::new(
            ErrorKind::RateLimited,
            format!("this account has {STREAMS_PER_ACCOUNT} event streams open, the most at once; close an app first"),
        )
        .into());
    };
    let last = match from_header.or(q.last_event_id) {
        Some(id) => EventId(id),
        None => events::latest_id(&state.db.pool, caller.account).await?,
    };
    let follow = Follow {
        db: state.db.clone(),
        account: caller.account,
        session: caller.session,
        last,
        wake,
        pending: VecDeque::new(),
    };
    let stream = futures::stream::unfold(follow, |mut f| async move {
        loop {
            if let Some(event) = f.pending.pop_front() {
                f.last = event.id;
                let sse = SseEvent::default()
                    .id(event.id.to_string())
                    .event(event.kind.name())
                    .json_data(&event)
                    .unwrap_or_else(|_| SseEvent::default().comment("unserialisable event"));
                return Some((Ok(sse), f));
            }
            // A signed-out session hears nothing more: the stream ends. Asked after reading the
            // batch, not before: an event written after the sign-out committed is then seen
            // together with the ended session, never delivered past it.
            let batch = events::after(&f.db.pool, f.account, Some(f.last), 256).await;
            if !sessions::exists(&f.db.pool, f.session).await.unwrap_or(false) {
                return None;
            }
            match batch {
                Ok(batch) if !batch.is_empty() => {
                    f.pending.extend(batch);
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "event stream ends after a database error; the client resumes");
                    return None;
                }
            }
            if f.wake.changed().await.is_err() {
                return None;
            }
        }
    });
    // The first message carries only the start position, so a client that drops before any
    // event arrives still knows where to resume.
    let opening = SseEvent::default().id(last.to_string()).comment("connected");
    let stream = futures::stream::once(async move { Ok(opening) })
        .chain(stream)
        .take_until(state.shutdown.clone().cancelled_owned());
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// Query of the activity log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// At most this many entries (1..=500). Default: 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Only entries older than this id, to page back.
    pub before: Option<i64>,
}

/// What happened on my devices, newest first.
#[utoipa::path(get, path = routes::ACTIVITY, tag = "events", security(("bearer" = [])), params(ActivityQuery),
    responses((status = 200, body = Vec<ActivityEntry>), (status = 400, body = ApiError)))]
pub async fn list_activity(
    State(state): State<AppState>,
    caller: Caller,
    Params(q): Params<ActivityQuery>,
) -> Result<Json<Vec<ActivityEntry>>> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid("limit", "limit must be 1 to 500").into());
    }
    Ok(Json(activity::list(&state.db.pool, caller.account, limit, q.before.map(ActivityId)).await?))
}
