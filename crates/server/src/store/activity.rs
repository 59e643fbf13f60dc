//! The owner's activity log, written in the same transaction as the change it records.

use camshare_api::{AccountId, ActivityEntry, ActivityId, ActivityKind, DeviceId, ShareId, Timestamp};
use sqlx::{AnyConnection, AnyPool};

use crate::clock::{from_millis, to_millis};
use crate::error::Result;

/// One line to add to an owner's log.
pub struct NewActivity<'a> {
    pub owner: AccountId,
    pub kind: ActivityKind,
    pub device: Option<DeviceId>,
    pub device_name: &'a str,
    pub share: Option<ShareId>,
    pub recipient: Option<String>,
    pub detail: Option<String>,
}

/// The activity detail of an action that ended shares: "ended 1 share", "ended 3 shares".
pub fn ended_shares(n: usize) -> String {
    match n {
        1 => "ended 1 share".to_string(),
        n => format!("ended {n} shares"),
    }
}

pub async fn insert(conn: &mut AnyConnection, entry: NewActivity<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO activity (owner_id, at_ms, kind, device_id, device_name, share_id, recipient, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(entry.owner.0)
    .bind(to_millis(now))
    .bind(entry.kind.as_str())
    .bind(entry.device.map(|d| d.0))
    .bind(entry.device_name)
    .bind(entry.share.map(|s| s.0))
    .bind(entry.recipient)
    .bind(entry.detail)
    .execute(conn)
    .await?;
    Ok(())
}

type ActivityRow = (i64, i64, String, Option<i64>, String, Option<i64>, Option<String>, Option<String>);

/// The owner's log, newest first; `before` pages further back.
pub async fn list(
    pool: &AnyPool,
    owner: AccountId,
    limit: i64,
    before: Option<ActivityId>,
) -> Result<Vec<ActivityEntry>> {
    let rows: Vec<ActivityRow> = sqlx::query_as(
        "SELECT id, at_ms, kind, device_id, device_name, share_id, recipient, detail FROM activity \
         WHERE owner_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(owner.0)
    .bind(before.map_or(i64::MAX, |b| b.0))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, at_ms, kind, device, device_name, share, recipient, detail)| {
            Some(ActivityEntry {
                id: ActivityId(id),
                at: from_millis(at_ms),
                kind: ActivityKind::parse(&kind)?,
                device: device.map(DeviceId),
                device_name,
                share: share.map(ShareId),
                recipient,
                detail,
            })
        })
        .collect())
}
