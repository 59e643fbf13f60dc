//! Deleting an account: after its password is checked again, one transaction ends every share
//! both ways — the owners who shared with it hear that it left (their activity log says so), the
//! people it shared with lose those devices — and removes the account with everything that hangs
//! off it (devices, channels, sessions, tickets, events, its activity log, reset codes). The
//! owners' own records (their recipient lists and histories) keep the address they typed.
//! Open streams end with the shares and the sessions (`gate::viewers`).

use camshare_api::{AccountId, DeleteAccount, EventKind, Timestamp};

use crate::error::Result;
use crate::passwords;
use crate::sharing;
use crate::store::{Db, devices, events, sessions, shares};

/// What the owners' activity logs say about a recipient who deleted their account.
const LEFT: &str = "the recipient deleted their Camshare account";

/// Deletes the signed-in account, given its password.
pub async fn delete(
    db: &Db,
    account: AccountId,
    req: DeleteAccount,
    client: Option<std::net::IpAddr>,
    now: Timestamp,
) -> Result<()> {
    let row = passwords::check_current(db, account, req.password, "password", client, now).await?;
    let mut tx = db.write().await?;

    // As a recipient: accepted shares are removed, open invites rejected; each owner is told.
    for share in shares::active_received_by(&mut tx, account).await? {
        sharing::end_by_recipient(&mut tx, &share, Some(LEFT), now).await?;
    }

    // As an owner: the people it shared with lose the devices, as when a device is removed.
    let owned: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM devices WHERE owner_id = $1").bind(account.0).fetch_all(&mut *tx).await?;
    for id in owned {
        let device = camshare_api::DeviceId(id);
        for (share, recipient, _) in devices::active_recipients(&mut tx, device).await? {
            if let Some(recipient) = recipient {
                events::insert(&mut tx, recipient, &EventKind::DeviceRemoved { share, device }, now).await?;
            }
        }
    }

    // Everything else goes with the account row (foreign keys cascade; recipients entries of
    // other owners that pointed at it point at nobody).
    sqlx::query("DELETE FROM accounts WHERE id = $1").bind(account.0).execute(&mut *tx).await?;
    tx.commit().await?;
    db.sessions.evict_account(account);
    let login = row.email.or(row.phone).unwrap_or_default();
    sessions::clear_login_everywhere(&db.pool, &login).await?;
    tracing::info!(account = account.0, "an account was deleted");
    Ok(())
}
