//! The SQL of shares: the owner's outgoing view, the recipient's view, the facts the decision
//! function needs, and the single-row writes `crate::sharing` composes (it owns the rules).

use std::collections::HashMap;

use camshare_api::{
    AccountId, AnsweredBy, ChannelGrants, DeviceAccess, DeviceId, OutgoingShare, RecipientId, ShareId, ShareOwner,
    ShareStatus, ShareTerms, SharedChannel, SharedDevice, Timestamp,
};
use sqlx::{AnyConnection, AnyPool};

use super::recipients::parse_kind;
use super::{Backend, Db};
use crate::access::{ResolvedSchedule, ShareFacts};
use crate::clock::{from_millis, to_millis};
use crate::error::{Result, ServerError};

/// A share joined with its device, recipient and owner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShareRow {
    pub id: i64,
    pub device_id: i64,
    pub owner_id: i64,
    pub recipient_id: i64,
    pub status: String,
    pub grants: String,
    pub terms: String,
    pub created_ms: i64,
    pub invite_expires_ms: i64,
    pub answered_ms: Option<i64>,
    pub device_name: String,
    pub device_kind: String,
    pub address: String,
    pub address_kind: String,
    pub remark: Option<String>,
    pub recipient_account: Option<i64>,
    pub owner_name: String,
    /// The recipient's account, when the address has one (verified: only then does it exist).
    pub recipient_name: Option<String>,
    pub recipient_since_ms: Option<i64>,
    /// 1 when the recipient's account blocked this share's owner (`blocked_owners`).
    pub recipient_blocked: i64,
}

/// SQL that is true when the recipient's account (`r`) blocked the share's owner (`s`): the one
/// definition of a block every share query uses.
macro_rules! recipient_blocks_owner {
    () => {
        "EXISTS (SELECT 1 FROM blocked_owners b WHERE b.account_id = r.account_id AND b.owner_id = s.owner_id)"
    };
}
pub(crate) use recipient_blocks_owner;

pub const SELECT_SHARE: &str = concat!(
    "SELECT s.id, s.device_id, s.owner_id, s.recipient_id, s.status, s.grants, s.terms, \
     s.created_ms, s.invite_expires_ms, s.answered_ms, d.name AS device_name, d.kind AS device_kind, \
     r.address, r.address_kind, r.remark, r.account_id AS recipient_account, o.display_name AS owner_name, \
     ra.display_name AS recipient_name, ra.created_ms AS recipient_since_ms, CAST(CASE WHEN ",
    recipient_blocks_owner!(),
    " THEN 1 ELSE 0 END AS BIGINT) AS recipient_blocked \
     FROM shares s JOIN devices d ON d.id = s.device_id JOIN recipients r ON r.id = s.recipient_id \
     JOIN accounts o ON o.id = s.owner_id LEFT JOIN accounts ra ON ra.id = r.account_id"
);

/// Stored statuses; `invite_expired` is never stored, it is `pending` past its deadline.
pub fn parse_status(s: &str) -> Result<ShareStatus> {
    Ok(match s {
        "pending" => ShareStatus::Pending,
        "accepted" => ShareStatus::Accepted,
        "rejected" => ShareStatus::Rejected,
        "cancelled" => ShareStatus::Cancelled,
        "revoked" => ShareStatus::Revoked,
        "removed" => ShareStatus::Removed,
        other => return Err(ServerError::internal(format!("unknown share status `{other}` in the database"))),
    })
}

impl ShareRow {
    pub fn share_id(&self) -> ShareId {
        ShareId(self.id)
    }
    pub fn device(&self) -> DeviceId {
        DeviceId(self.device_id)
    }
    pub fn owner(&self) -> AccountId {
        AccountId(self.owner_id)
    }
    /// The account the share reaches: none while the address has no account, and none while
    /// that account blocks the owner (then nothing of the share reaches it: no event, no answer).
    pub fn recipient_account(&self) -> Option<AccountId> {
        self.recipient_account.filter(|_| self.recipient_blocked == 0).map(AccountId)
    }
    pub fn stored_status(&self) -> Result<ShareStatus> {
        parse_status(&self.status)
    }
    /// The status a person sees: a pending invite past its deadline reads `invite_expired`.
    pub fn status(&self, now: Timestamp) -> Result<ShareStatus> {
        let stored = self.stored_status()?;
        Ok(if stored == ShareStatus::Pending && to_millis(now) >= self.invite_expires_ms {
            ShareStatus::InviteExpired
        } else {
            stored
        })
    }
    pub fn grants(&self) -> Result<ChannelGrants> {
        serde_json::from_str(&self.grants).map_err(ServerError::internal)
    }
    pub fn terms(&self) -> Result<ShareTerms> {
        serde_json::from_str(&self.terms).map_err(ServerError::internal)
    }

    /// The owner's view, remark included.
    pub fn outgoing(&self, now: Timestamp) -> Result<OutgoingShare> {
        Ok(OutgoingShare {
            id: self.share_id(),
            device: self.device(),
            device_name: self.device_name.clone(),
            recipient: RecipientId(self.recipient_id),
            recipient_address: self.address.clone(),
            recipient_kind: parse_kind(&self.address_kind),
            remark: self.remark.clone(),
            channels: self.grants()?,
            terms: self.terms()?,
            status: self.status(now)?,
            created_at: from_millis(self.created_ms),
            invite_expires_at: from_millis(self.invite_expires_ms),
            answered_at: self.answered_ms.map(from_millis),
            answered_by: self.answered_by(),
        })
    }

    /// The account that answered the invite, once it is answered (before, nothing tells the
    /// owner whether the address has an account).
    fn answered_by(&self) -> Option<AnsweredBy> {
        self.answered_ms?;
        Some(AnsweredBy {
            display_name: self.recipient_name.clone()?,
            account_since: from_millis(self.recipient_since_ms?),
        })
    }

    /// The recipient's view: names and functions, never the remark or the camera's address.
    pub fn shared(&self, channel_names: &[camshare_api::Channel], now: Timestamp) -> Result<SharedDevice> {
        let grants = self.grants()?;
        let channels = grants
            .0
            .iter()
            .map(|(number, functions)| SharedChannel {
                number: *number,
                name: channel_names
                    .iter()
                    .find(|c| c.number == *number)
                    .map_or_else(|| format!("Channel {number}"), |c| c.name.clone()),
                functions: *functions,
            })
            .collect();
        Ok(SharedDevice {
            share: self.share_id(),
            device: self.device(),
            device_name: self.device_name.clone(),
            kind: self.device_kind.parse().map_err(ServerError::internal)?,
            owner: ShareOwner { id: self.owner(), display_name: self.owner_name.clone() },
            channels,
            terms: self.terms()?,
            status: self.status(now)?,
            created_at: from_millis(self.created_ms),
            invite_expires_at: from_millis(self.invite_expires_ms),
            // Filled in from `crate::health` by the routes.
            reachability: camshare_api::Reachability::Unchecked,
            checked_at: None,
        })
    }
}

/// One share, found by id whoever it belongs to; callers check who may see it.
pub async fn row(conn: &mut AnyConnection, id: ShareId) -> Result<Option<ShareRow>> {
    Ok(sqlx::query_as(&format!("{SELECT_SHARE} WHERE s.id = $1")).bind(id.0).fetch_optional(conn).await?)
}

/// The owner's shares; ended ones only when asked.
pub async fn outgoing(
    pool: &AnyPool,
    owner: AccountId,
    include_ended: bool,
    now: Timestamp,
) -> Result<Vec<OutgoingShare>> {
    let filter = if include_ended { "" } else { " AND s.status IN ('pending', 'accepted')" };
    let rows: Vec<ShareRow> = sqlx::query_as(&format!("{SELECT_SHARE} WHERE s.owner_id = $1{filter} ORDER BY s.id"))
        .bind(owner.0)
        .fetch_all(pool)
        .await?;
    rows.iter().map(|r| r.outgoing(now)).collect()
}

/// Shares of the given recipients that still mean something to the owner (active or rejected).
pub async fn of_recipients(
    pool: &AnyPool,
    ids: &[i64],
    now: Timestamp,
) -> Result<HashMap<RecipientId, Vec<OutgoingShare>>> {
    let mut map: HashMap<RecipientId, Vec<OutgoingShare>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let rows: Vec<ShareRow> = sqlx::query_as(&format!(
        "{SELECT_SHARE} WHERE s.recipient_id IN ({list}) AND s.status IN ('pending', 'accepted', 'rejected') ORDER BY s.id"
    ))
    .fetch_all(pool)
    .await?;
    for r in rows {
        map.entry(RecipientId(r.recipient_id)).or_default().push(r.outgoing(now)?);
    }
    Ok(map)
}

/// Shares reaching an account in one stored status: `Pending` lists invites still open,
/// `Accepted` the devices shared with the account. One query: each share comes with its device's
/// channel names folded into one column (names never hold control characters, so the unit
/// separator U+001F cannot occur in them).
pub async fn reaching(db: &Db, account: AccountId, status: ShareStatus, now: Timestamp) -> Result<Vec<SharedDevice>> {
    let channel_list = match db.backend {
        Backend::Sqlite => "group_concat(c.number || ':' || c.name, char(31))",
        Backend::Postgres => "string_agg(c.number || ':' || c.name, chr(31))",
    };
    let select = SELECT_SHARE.replacen(
        " FROM shares s",
        &format!(
            ", (SELECT {channel_list} FROM channels c WHERE c.device_id = s.device_id) AS channel_list FROM shares s"
        ),
        1,
    );
    // Pending invites past their deadline are left out, so only that query binds "now" ($3).
    let pending = status == ShareStatus::Pending;
    let mut sql =
        format!(concat!("{} WHERE r.account_id = $1 AND s.status = $2 AND NOT ", recipient_blocks_owner!()), select);
    if pending {
        sql.push_str(" AND s.invite_expires_ms > $3");
    }
    sql.push_str(" ORDER BY s.id");
    let (account, status_name, now_ms) = (account.0, status.as_str(), to_millis(now));
    let rows: Vec<ShareWithChannels> = match &db.sqlite_reads {
        Some(reads) => reads.with(|conn| {
            let mut statement = conn.prepare_cached(&sql)?;
            let rows = if pending {
                statement.query_map(rusqlite::params![account, status_name, now_ms], ShareWithChannels::from_sqlite)?
            } else {
                statement.query_map(rusqlite::params![account, status_name], ShareWithChannels::from_sqlite)?
            };
            rows.collect()
        })?,
        None => {
            let query = sqlx::query_as(&sql).bind(account).bind(status_name);
            let query = if pending { query.bind(now_ms) } else { query };
            query.fetch_all(&db.pool).await?
        }
    };
    rows.iter().map(|r| r.share.shared(&r.channels(), now)).collect()
}

/// A share with its device's channels as `number:name` items separated by U+001F.
#[derive(Debug, sqlx::FromRow)]
struct ShareWithChannels {
    #[sqlx(flatten)]
    share: ShareRow,
    channel_list: Option<String>,
}

impl ShareWithChannels {
    /// The same row read through a synchronous SQLite connection (`sqlite_reads`).
    fn from_sqlite(row: &rusqlite::Row) -> rusqlite::Result<ShareWithChannels> {
        Ok(ShareWithChannels {
            share: ShareRow {
                id: row.get("id")?,
                device_id: row.get("device_id")?,
                owner_id: row.get("owner_id")?,
                recipient_id: row.get("recipient_id")?,
                status: row.get("status")?,
                grants: row.get("grants")?,
                terms: row.get("terms")?,
                created_ms: row.get("created_ms")?,
                invite_expires_ms: row.get("invite_expires_ms")?,
                answered_ms: row.get("answered_ms")?,
                device_name: row.get("device_name")?,
                device_kind: row.get("device_kind")?,
                address: row.get("address")?,
                address_kind: row.get("address_kind")?,
                remark: row.get("remark")?,
                recipient_account: row.get("recipient_account")?,
                owner_name: row.get("owner_name")?,
                recipient_name: row.get("recipient_name")?,
                recipient_since_ms: row.get("recipient_since_ms")?,
                recipient_blocked: row.get("recipient_blocked")?,
            },
            channel_list: row.get("channel_list")?,
        })
    }

    fn channels(&self) -> Vec<camshare_api::Channel> {
        let mut channels: Vec<camshare_api::Channel> = self
            .channel_list
            .as_deref()
            .unwrap_or("")
            .split('\u{1f}')
            .filter_map(|item| {
                let (number, name) = item.split_once(':')?;
                Some(camshare_api::Channel { number: number.parse().ok()?, name: name.to_string() })
            })
            .collect();
        channels.sort_by_key(|c| c.number);
        channels
    }
}

/// "Who can see this camera?": active shares of one device.
pub async fn of_device(pool: &AnyPool, device: DeviceId, now: Timestamp) -> Result<Vec<DeviceAccess>> {
    let rows: Vec<ShareRow> = sqlx::query_as(&format!(
        "{SELECT_SHARE} WHERE s.device_id = $1 AND s.status IN ('pending', 'accepted') ORDER BY s.id"
    ))
    .bind(device.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DeviceAccess {
                share: r.share_id(),
                recipient: RecipientId(r.recipient_id),
                recipient_address: r.address.clone(),
                remark: r.remark.clone(),
                status: r.status(now)?,
                channels: r.grants()?,
                terms: r.terms()?,
            })
        })
        .collect()
}

/// Accepted shares of a device, as facts for the decision function.
pub async fn facts(conn: &mut AnyConnection, device: DeviceId) -> Result<Vec<ShareFacts>> {
    let rows: Vec<(Option<i64>, String, String, String, i64)> = sqlx::query_as(
        "SELECT r.account_id, s.status, s.grants, s.terms, s.created_ms FROM shares s \
         JOIN recipients r ON r.id = s.recipient_id WHERE s.device_id = $1 AND s.status = 'accepted'",
    )
    .bind(device.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(account, status, grants, terms, created_ms)| {
            let terms: ShareTerms = serde_json::from_str(&terms).map_err(ServerError::internal)?;
            Ok(ShareFacts {
                recipient: account.map(AccountId),
                status: parse_status(&status)?,
                grants: serde_json::from_str(&grants).map_err(ServerError::internal)?,
                expires_at: terms.expires_at,
                schedule: terms.schedule.as_ref().map(ResolvedSchedule::resolve_or_closed),
                lookback: terms.lookback,
                created_at: from_millis(created_ms),
            })
        })
        .collect()
}

/// Stores a new pending share (an invite); a second active share of the same device for the
/// same recipient fails with a unique violation (`shares_one_active`).
pub async fn insert_pending(
    conn: &mut AnyConnection,
    grant: &camshare_api::DeviceGrant,
    owner: AccountId,
    recipient: RecipientId,
    terms_json: &str,
    now: Timestamp,
    invite_expires: Timestamp,
) -> Result<ShareId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO shares (device_id, owner_id, recipient_id, status, grants, terms, created_ms, invite_expires_ms) \
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7) RETURNING id",
    )
    .bind(grant.device.0)
    .bind(owner.0)
    .bind(recipient.0)
    .bind(serde_json::to_string(&grant.channels).map_err(ServerError::internal)?)
    .bind(terms_json)
    .bind(to_millis(now))
    .bind(to_millis(invite_expires))
    .fetch_one(conn)
    .await?;
    Ok(ShareId(id))
}

/// Moves the share from status `from` to `to`, noting when it was answered or ended (each kept
/// if `None`). Conditional: if another transaction changed the status since `from` was read (an
/// owner's cancel racing a recipient's accept on Postgres), nothing changes and the answer is
/// `false`.
pub async fn set_status(
    conn: &mut AnyConnection,
    id: ShareId,
    from: ShareStatus,
    to: ShareStatus,
    answered: Option<Timestamp>,
    ended: Option<Timestamp>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE shares SET status = $1, answered_ms = COALESCE($2, answered_ms), ended_ms = COALESCE($3, ended_ms) \
         WHERE id = $4 AND status = $5",
    )
    .bind(to.as_str())
    .bind(answered.map(to_millis))
    .bind(ended.map(to_millis))
    .bind(id.0)
    .bind(from.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_grants(conn: &mut AnyConnection, id: ShareId, grants: &ChannelGrants) -> Result<()> {
    sqlx::query("UPDATE shares SET grants = $1 WHERE id = $2")
        .bind(serde_json::to_string(grants).map_err(ServerError::internal)?)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_terms(conn: &mut AnyConnection, id: ShareId, terms: &ShareTerms) -> Result<()> {
    sqlx::query("UPDATE shares SET terms = $1 WHERE id = $2")
        .bind(serde_json::to_string(terms).map_err(ServerError::internal)?)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// A resent invite's new deadline.
pub async fn set_invite_deadline(conn: &mut AnyConnection, id: ShareId, deadline: Timestamp) -> Result<()> {
    sqlx::query("UPDATE shares SET invite_expires_ms = $1 WHERE id = $2")
        .bind(to_millis(deadline))
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every active share (pending or accepted) of the owner's devices, oldest first.
pub async fn active_of_owner(conn: &mut AnyConnection, owner: AccountId) -> Result<Vec<ShareRow>> {
    active_where(conn, "s.owner_id = $1", owner.0).await
}

/// Every active share made to the account, by any owner (blocked ones included).
pub async fn active_received_by(conn: &mut AnyConnection, account: AccountId) -> Result<Vec<ShareRow>> {
    active_where(conn, "r.account_id = $1", account.0).await
}

/// Every active share of one of an owner's recipients.
pub async fn active_of_recipient(conn: &mut AnyConnection, recipient: RecipientId) -> Result<Vec<ShareRow>> {
    active_where(conn, "s.recipient_id = $1", recipient.0).await
}

/// Every active share from one owner to one account (blocked ones included).
pub async fn active_between(conn: &mut AnyConnection, owner: AccountId, account: AccountId) -> Result<Vec<ShareRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT_SHARE} WHERE s.owner_id = $1 AND r.account_id = $2 AND s.status IN ('pending', 'accepted') ORDER BY s.id"
    ))
    .bind(owner.0)
    .bind(account.0)
    .fetch_all(conn)
    .await?)
}

/// Active shares (pending or accepted) matching one condition on `$1`, oldest first.
async fn active_where(conn: &mut AnyConnection, condition: &str, id: i64) -> Result<Vec<ShareRow>> {
    Ok(sqlx::query_as(&format!(
        "{SELECT_SHARE} WHERE {condition} AND s.status IN ('pending', 'accepted') ORDER BY s.id"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?)
}
