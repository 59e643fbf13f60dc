//! A recipient blocks an owner: in one transaction the owner's open invites to the account are
//! rejected and their shared devices removed (the owner hears it as a rejection and a removal,
//! never as a block), and from then on nothing that owner shares with the account reaches it —
//! `ShareRow::recipient_account` is `None` for such shares, so no event is sent, the invite is
//! not listed and cannot be answered. Unblocking lets what is still open through again.

use camshare_api::{AccountId, ApiError, BlockedOwner, ShareStatus, Timestamp};

use crate::error::{Result, ServerError};
use crate::sharing;
use crate::store::{Db, blocked_owners, events, shares};

/// Blocks `owner` for `account`. Only an owner who shared with the account at some time can be
/// blocked (anyone else is `not_found`, so ids tell nothing); blocking again changes nothing.
pub async fn block(db: &Db, account: AccountId, owner: AccountId, now: Timestamp) -> Result<BlockedOwner> {
    let mut tx = db.write().await?;
    if owner == account || !blocked_owners::ever_shared(&mut tx, owner, account).await? {
        return Err(ApiError::not_found("owner").on_field("owner").into());
    }
    // Read before the block is stored, while the shares still reach the account, so both
    // parties hear of what ends (the recipient's other windows update too).
    let rows = shares::active_between(&mut tx, owner, account).await?;
    if blocked_owners::insert(&mut tx, account, owner, now).await? {
        for row in &rows {
            sharing::end_by_recipient(&mut tx, row, None, now).await?;
        }
    }
    let blocked = blocked_owners::get(&mut tx, account, owner)
        .await?
        .ok_or_else(|| ServerError::internal("a block just stored is missing"))?;
    tx.commit().await?;
    Ok(blocked)
}

/// Lifts a block. Invites the owner sent meanwhile that are still open now reach the account,
/// each announced as a new invite.
pub async fn unblock(db: &Db, account: AccountId, owner: AccountId, now: Timestamp) -> Result<()> {
    let mut tx = db.write().await?;
    if !blocked_owners::delete(&mut tx, account, owner).await? {
        return Err(ServerError::not_found("blocked owner"));
    }
    for row in shares::active_between(&mut tx, owner, account).await? {
        if row.status(now)? == ShareStatus::Pending {
            events::insert(&mut tx, account, &sharing::invite_received(&row), now).await?;
        }
    }
    tx.commit().await
}
