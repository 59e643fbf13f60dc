//! The rules of sharing: creating invites, answering them, editing, revoking (one share, or
//! everything at once), resending, cancelling, removing, deleting recipients. Each operation is one transaction that changes the
//! share, writes the owner's activity line and the parties' events together.

use camshare_api::{
    AccountId, ActivityKind, ApiError, CreateShares, CreatedShares, EditShare, EndReason, EndedShare, ErrorKind,
    EventKind, RecipientAddress, RecipientId, ShareId, ShareStatus, ShareTerms, SharedDevice, Timestamp,
};
use jiff::SignedDuration;

use crate::access::ResolvedSchedule;
use crate::error::{Result, ServerError};
use crate::secrets::ServerKey;
use crate::store::activity::{self, NewActivity};
use crate::store::shares::{self, ShareRow};
use crate::store::{Db, WriteTx, accounts, blocked_owners, devices, events, is_unique_violation, recipients};

/// How long an invite waits for an answer.
pub const INVITE_TTL: SignedDuration = SignedDuration::from_hours(24 * 7);
/// The least time between two sendings of one invite (each is a notification to the recipient).
pub const RESEND_AFTER: SignedDuration = SignedDuration::from_hours(1);
/// The most devices one request may share.
pub const MAX_DEVICES_PER_REQUEST: usize = 64;

/// Checks terms that need the server: the schedule's time zone exists, the expiry is ahead.
fn check_terms(terms: &ShareTerms, now: Timestamp) -> Result<(), ApiError> {
    terms.validate()?;
    if let Some(schedule) = &terms.schedule
        && ResolvedSchedule::resolve(schedule).is_none()
    {
        return Err(ApiError::invalid(
            "schedule",
            format!("`{}` is not a known time zone; use a name such as Europe/Berlin", schedule.time_zone),
        ));
    }
    if terms.expires_at.is_some_and(|end| end <= now) {
        return Err(ApiError::invalid("expires_at", "the expiry time must be in the future"));
    }
    Ok(())
}

/// Turns a typed address into the account it names, if that account exists. Account codes are
/// checked for their signature first. Never tells the caller whether an email or phone exists.
async fn resolve_recipient(
    tx: &mut WriteTx<'_>,
    key: &ServerKey,
    address: &RecipientAddress,
) -> Result<Option<AccountId>> {
    match address {
        RecipientAddress::AccountCode(code) => {
            let code_id = key.verify_account_code(code)?;
            let row = accounts::find_by_code_id(tx, &data_encoding::HEXLOWER.encode(&code_id)).await?;
            row.map(|r| Some(r.account_id())).ok_or_else(|| {
                ApiError::new(ErrorKind::InvalidAccountCode, format!("`{code}` is not a valid Camshare account code"))
                    .into()
            })
        }
        other => Ok(accounts::find_by_login(&mut *tx.tx, other.as_str()).await?.map(|r| r.account_id())),
    }
}

pub(crate) fn describe(address: &str, remark: Option<&str>) -> String {
    match remark {
        Some(r) => format!("{address} ({r})"),
        None => address.to_string(),
    }
}

/// Shares devices with one recipient: one pending invite per device.
pub async fn create(
    db: &Db,
    key: &ServerKey,
    owner: AccountId,
    req: CreateShares,
    now: Timestamp,
) -> Result<CreatedShares> {
    let address = RecipientAddress::parse(&req.recipient).map_err(|e| e.on_field("recipient"))?;
    let remark = recipients::check_remark(req.remark.as_deref())?;
    if req.devices.is_empty() {
        return Err(ApiError::invalid("devices", "choose at least one device to share").into());
    }
    if req.devices.len() > MAX_DEVICES_PER_REQUEST {
        return Err(
            ApiError::invalid("devices", format!("share at most {MAX_DEVICES_PER_REQUEST} devices at once")).into()
        );
    }
    for (i, grant) in req.devices.iter().enumerate() {
        if req.devices[..i].iter().any(|g| g.device == grant.device) {
            return Err(ApiError::invalid("devices", format!("device {} is listed twice", grant.device)).into());
        }
    }
    check_terms(&req.terms, now)?;

    let mut tx = db.write().await?;
    let mut device_names = Vec::new();
    for grant in &req.devices {
        let facts = devices::facts(&mut tx, grant.device).await?.filter(|(f, _)| crate::access::is_owner(owner, f));
        let Some((facts, name)) = facts else {
            return Err(ApiError::not_found("device").on_field("devices").into());
        };
        grant.channels.validate(facts.channel_count)?;
        device_names.push(name);
    }
    let account = resolve_recipient(&mut tx, key, &address).await?;
    if account == Some(owner) {
        return Err(ApiError::invalid("recipient", "you cannot share with yourself").into());
    }
    let recipient = recipients::upsert(&mut tx, owner, &address, account, remark.as_deref(), now).await?;
    // An account that blocked the owner gets the invite stored (the owner sees it pending, as
    // for any address) but never hears of it.
    let notify = match account {
        Some(a) if !blocked_owners::is_blocked(&mut tx, a, owner).await? => Some(a),
        _ => None,
    };
    let owner_name = accounts::display_name(&mut tx, owner).await?;
    let terms_json = serde_json::to_string(&req.terms).map_err(ServerError::internal)?;
    let mut ids = Vec::new();
    for (grant, device_name) in req.devices.iter().zip(&device_names) {
        let inserted =
            shares::insert_pending(&mut tx, grant, owner, recipient, &terms_json, now, now + INVITE_TTL).await;
        let id = match inserted {
            Ok(id) => id,
            Err(ServerError::Database(e)) if is_unique_violation(&e) => {
                return Err(ServerError::conflict(format!(
                    "{device_name} is already shared with {}; edit that share instead",
                    address.as_str()
                )));
            }
            Err(e) => return Err(e),
        };
        events::insert(&mut tx, owner, &EventKind::InviteSent { share: id, device: grant.device }, now).await?;
        if let Some(account) = notify {
            let kind = EventKind::InviteReceived {
                share: id,
                device: grant.device,
                device_name: device_name.clone(),
                owner_name: owner_name.clone(),
            };
            events::insert(&mut tx, account, &kind, now).await?;
        }
        let entry = NewActivity {
            owner,
            kind: ActivityKind::Shared,
            device: Some(grant.device),
            device_name,
            share: Some(id),
            recipient: Some(describe(address.as_str(), remark.as_deref())),
            detail: Some(describe_grants(&grant.channels)),
        };
        activity::insert(&mut tx, entry, now).await?;
        ids.push(id);
    }
    let mut shares = Vec::new();
    for id in ids {
        shares.push(
            shares::row(&mut tx, id).await?.ok_or_else(|| ServerError::internal("share vanished"))?.outgoing(now)?,
        );
    }
    tx.commit().await?;
    Ok(CreatedShares { recipient, shares })
}

/// The grants as the activity log words them: `channel 1: Live View; channel 3: Live View, Playback`.
fn describe_grants(grants: &camshare_api::ChannelGrants) -> String {
    let channel = |(c, f): (&u16, &camshare_api::FunctionSet)| {
        let labels: Vec<&str> = f.iter().map(camshare_api::Function::label).collect();
        format!("channel {c}: {}", labels.join(", "))
    };
    grants.0.iter().map(channel).collect::<Vec<_>>().join("; ")
}

/// Loads a share the owner owns, inside the transaction; `not_found` otherwise.
async fn owned(tx: &mut WriteTx<'_>, owner: AccountId, id: ShareId) -> Result<ShareRow> {
    shares::row(tx, id).await?.filter(|r| r.owner() == owner).ok_or_else(|| ServerError::not_found("share"))
}

/// Loads a share that reaches this recipient account; `not_found` otherwise.
async fn received(tx: &mut WriteTx<'_>, account: AccountId, id: ShareId) -> Result<ShareRow> {
    shares::row(tx, id)
        .await?
        .filter(|r| r.recipient_account() == Some(account))
        .ok_or_else(|| ServerError::not_found("share"))
}

/// Moves a share on from the stored status its row was read with; a share someone else changed
/// in the meantime is a conflict, and the caller's transaction is dropped whole.
async fn set_status(tx: &mut WriteTx<'_>, row: &ShareRow, status: ShareStatus, now: Timestamp) -> Result<()> {
    let (answered, ended) = match status {
        ShareStatus::Accepted | ShareStatus::Rejected => (Some(now), None),
        _ => (None, Some(now)),
    };
    if !shares::set_status(tx, row.share_id(), row.stored_status()?, status, answered, ended).await? {
        return Err(ServerError::conflict("this share changed in the meantime; look again"));
    }
    Ok(())
}

async fn log(
    tx: &mut WriteTx<'_>,
    row: &ShareRow,
    kind: ActivityKind,
    detail: Option<String>,
    now: Timestamp,
) -> Result<()> {
    let entry = NewActivity {
        owner: row.owner(),
        kind,
        device: Some(row.device()),
        device_name: &row.device_name,
        share: Some(row.share_id()),
        recipient: Some(describe(&row.address, row.remark.as_deref())),
        detail,
    };
    activity::insert(tx, entry, now).await
}

/// Sends an event to both parties of a share (the recipient only once it has an account).
async fn tell_both(tx: &mut WriteTx<'_>, row: &ShareRow, kind: &EventKind, now: Timestamp) -> Result<()> {
    events::insert(tx, row.owner(), kind, now).await?;
    if let Some(account) = row.recipient_account() {
        events::insert(tx, account, kind, now).await?;
    }
    Ok(())
}

fn ended(row: &ShareRow, now: Timestamp) -> Result<ServerError> {
    Ok(ServerError::conflict(format!("this share is {} and can no longer change", row.status(now)?)))
}

/// Changes channels, functions or terms; takes effect at once.
pub async fn edit(db: &Db, owner: AccountId, id: ShareId, edit: EditShare, now: Timestamp) -> Result<()> {
    if let Some(terms) = &edit.terms {
        check_terms(terms, now)?;
    }
    let mut tx = db.write().await?;
    let row = owned(&mut tx, owner, id).await?;
    if !row.stored_status()?.is_active() {
        return Err(ended(&row, now)?);
    }
    if edit.channels.is_none() && edit.terms.is_none() {
        return Err(ApiError::invalid("channels", "nothing to change: give channels or terms").into());
    }
    // Only what really differs is written, announced and logged; the same values again are a no-op.
    let mut changes = Vec::new();
    if let Some(channels) = edit.channels.as_ref().filter(|c| row.grants().ok().as_ref() != Some(*c)) {
        let (facts, _) =
            devices::facts(&mut tx, row.device()).await?.ok_or_else(|| ServerError::not_found("device"))?;
        channels.validate(facts.channel_count)?;
        shares::set_grants(&mut tx, id, channels).await?;
        changes.push(describe_grants(channels));
    }
    if let Some(terms) = edit.terms.as_ref().filter(|t| row.terms().ok().as_ref() != Some(*t)) {
        shares::set_terms(&mut tx, id, terms).await?;
        changes.push("expiry, schedule or lookback changed".to_string());
    }
    if changes.is_empty() {
        return Ok(());
    }
    tell_both(&mut tx, &row, &EventKind::ShareChanged { share: id, device: row.device() }, now).await?;
    log(&mut tx, &row, ActivityKind::Edited, Some(changes.join("; ")), now).await?;
    tx.commit().await
}

/// Stops sharing. A pending invite is cancelled instead, which the recipient hears as such.
pub async fn revoke(db: &Db, owner: AccountId, id: ShareId, now: Timestamp) -> Result<()> {
    let mut tx = db.write().await?;
    let row = owned(&mut tx, owner, id).await?;
    match row.stored_status()? {
        ShareStatus::Accepted => {
            set_status(&mut tx, &row, ShareStatus::Revoked, now).await?;
            let kind = EventKind::ShareRevoked { share: id, device: row.device(), reason: EndReason::Revoked };
            tell_both(&mut tx, &row, &kind, now).await?;
            log(&mut tx, &row, ActivityKind::Revoked, None, now).await?;
        }
        ShareStatus::Pending => cancel_in(&mut tx, &row, now).await?,
        _ => return Err(ended(&row, now)?),
    }
    tx.commit().await
}

async fn cancel_in(tx: &mut WriteTx<'_>, row: &ShareRow, now: Timestamp) -> Result<()> {
    set_status(tx, row, ShareStatus::Cancelled, now).await?;
    tell_both(tx, row, &EventKind::InviteCancelled { share: row.share_id(), device: row.device() }, now).await?;
    log(tx, row, ActivityKind::Cancelled, None, now).await
}

/// Withdraws a pending invite.
pub async fn cancel(db: &Db, owner: AccountId, id: ShareId, now: Timestamp) -> Result<()> {
    let mut tx = db.write().await?;
    let row = owned(&mut tx, owner, id).await?;
    if row.stored_status()? != ShareStatus::Pending {
        return Err(ServerError::conflict(format!(
            "only a pending invite can be cancelled; this one is {}",
            row.status(now)?
        )));
    }
    cancel_in(&mut tx, &row, now).await?;
    tx.commit().await
}

/// Sends a pending (or expired) invite again, with a fresh 7-day deadline.
pub async fn resend(db: &Db, owner: AccountId, id: ShareId, now: Timestamp) -> Result<()> {
    let mut tx = db.write().await?;
    let row = owned(&mut tx, owner, id).await?;
    if row.stored_status()? != ShareStatus::Pending {
        return Err(ServerError::conflict(format!(
            "only a pending invite can be resent; this one is {}",
            row.status(now)?
        )));
    }
    // Each sending set the deadline to its time + INVITE_TTL, so the last one was then.
    let next_allowed = crate::clock::from_millis(row.invite_expires_ms) - INVITE_TTL + RESEND_AFTER;
    if now < next_allowed {
        let minutes = now.duration_until(next_allowed).as_mins() + 1;
        return Err(ApiError::new(
            ErrorKind::RateLimited,
            format!("an invitation can be sent again once an hour; try again in {minutes} minute(s)"),
        )
        .into());
    }
    shares::set_invite_deadline(&mut tx, id, now + INVITE_TTL).await?;
    if let Some(account) = row.recipient_account() {
        events::insert(&mut tx, account, &invite_received(&row), now).await?;
    }
    log(&mut tx, &row, ActivityKind::Resent, None, now).await?;
    tx.commit().await
}

/// The event that tells a recipient of an invite (resent, or reaching them after an unblock).
pub(crate) fn invite_received(row: &ShareRow) -> EventKind {
    EventKind::InviteReceived {
        share: row.share_id(),
        device: row.device(),
        device_name: row.device_name.clone(),
        owner_name: row.owner_name.clone(),
    }
}

/// The recipient accepts or rejects an invite.
pub async fn answer(
    db: &Db,
    account: AccountId,
    id: ShareId,
    accept: bool,
    now: Timestamp,
) -> Result<Option<SharedDevice>> {
    let mut tx = db.write().await?;
    let row = received(&mut tx, account, id).await?;
    match row.status(now)? {
        ShareStatus::Pending => {}
        ShareStatus::InviteExpired => {
            return Err(ApiError::new(
                ErrorKind::InviteExpired,
                "this invitation expired; ask the owner to send it again",
            )
            .into());
        }
        other => return Err(ServerError::conflict(format!("this invitation was already {other}"))),
    }
    let (status, kind) = if accept {
        (ShareStatus::Accepted, ActivityKind::Accepted)
    } else {
        (ShareStatus::Rejected, ActivityKind::Rejected)
    };
    set_status(&mut tx, &row, status, now).await?;
    let event = EventKind::InviteAnswered { share: id, device: row.device(), accepted: accept };
    tell_both(&mut tx, &row, &event, now).await?;
    log(&mut tx, &row, kind, None, now).await?;
    let answered = if accept {
        let row = shares::row(&mut tx, id).await?.ok_or_else(|| ServerError::internal("share vanished"))?;
        let channels = devices::channels_by_device(&db.pool, &[row.device()]).await?;
        Some(row.shared(channels.get(&row.device()).map_or(&[][..], Vec::as_slice), now)?)
    } else {
        None
    };
    tx.commit().await?;
    Ok(answered)
}

/// The recipient removes a shared device from their list, ending the share.
pub async fn remove_received(db: &Db, account: AccountId, id: ShareId, now: Timestamp) -> Result<()> {
    let mut tx = db.write().await?;
    let row = received(&mut tx, account, id).await?;
    if row.stored_status()? != ShareStatus::Accepted {
        return Err(ServerError::not_found("shared device"));
    }
    end_by_recipient(&mut tx, &row, None, now).await?;
    tx.commit().await
}

/// The owner's emergency button: revokes every accepted share and cancels every open invite of
/// the owner's devices, and forgets their unused stream tickets, in one transaction; the
/// recipients hear of it as of any revoke. The activity log gets one line for it all and one per
/// share. Open streams are closed by the caller right after (`Gate::end_viewers_of_owner`).
pub async fn revoke_everything(db: &Db, owner: AccountId, now: Timestamp) -> Result<Vec<EndedShare>> {
    let mut tx = db.write().await?;
    let rows = shares::active_of_owner(&mut tx, owner).await?;
    let mut ended = Vec::with_capacity(rows.len());
    for row in &rows {
        let was = row.stored_status()?;
        let (status, event, kind) = if was == ShareStatus::Accepted {
            let reason = EndReason::Revoked;
            let event = EventKind::ShareRevoked { share: row.share_id(), device: row.device(), reason };
            (ShareStatus::Revoked, event, ActivityKind::Revoked)
        } else {
            let event = EventKind::InviteCancelled { share: row.share_id(), device: row.device() };
            (ShareStatus::Cancelled, event, ActivityKind::Cancelled)
        };
        set_status(&mut tx, row, status, now).await?;
        tell_both(&mut tx, row, &event, now).await?;
        log(&mut tx, row, kind, Some("revoke everything".to_string()), now).await?;
        ended.push(EndedShare {
            share: row.share_id(),
            device: row.device(),
            device_name: row.device_name.clone(),
            recipient_address: row.address.clone(),
            was,
        });
    }
    crate::store::tickets::forget_unused_of_owner(&mut tx, owner).await?;
    let entry = NewActivity {
        owner,
        kind: ActivityKind::EverythingRevoked,
        device: None,
        device_name: "",
        share: None,
        recipient: None,
        detail: Some(activity::ended_shares(rows.len())),
    };
    activity::insert(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(ended)
}

/// Ends an active share from the recipient's side: an accepted share is removed, an open invite
/// rejected; both parties hear it as such and the owner's log says so, with `why` when given
/// (account deletion says why; a block does not, the owner is not told of blocks).
pub(crate) async fn end_by_recipient(
    tx: &mut WriteTx<'_>,
    row: &ShareRow,
    why: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let (status, event, kind) = if row.stored_status()? == ShareStatus::Accepted {
        let event = EventKind::ShareRemoved { share: row.share_id(), device: row.device() };
        (ShareStatus::Removed, event, ActivityKind::RemovedByRecipient)
    } else {
        let event = EventKind::InviteAnswered { share: row.share_id(), device: row.device(), accepted: false };
        (ShareStatus::Rejected, event, ActivityKind::Rejected)
    };
    set_status(tx, row, status, now).await?;
    tell_both(tx, row, &event, now).await?;
    log(tx, row, kind, why.map(str::to_string), now).await
}

/// Deletes a recipient and all its sharing at once; the address stays in the history.
pub async fn delete_recipient(db: &Db, owner: AccountId, id: RecipientId, now: Timestamp) -> Result<()> {
    let mut tx = db.write().await?;
    let recipient = recipients::get(&mut tx, owner, id)
        .await?
        .filter(|r| r.deleted_ms.is_none())
        .ok_or_else(|| ServerError::not_found("recipient"))?;
    let rows = shares::active_of_recipient(&mut tx, id).await?;
    for row in &rows {
        let (status, event) = if row.stored_status()? == ShareStatus::Accepted {
            let reason = EndReason::RecipientDeleted;
            (ShareStatus::Revoked, EventKind::ShareRevoked { share: row.share_id(), device: row.device(), reason })
        } else {
            (ShareStatus::Cancelled, EventKind::InviteCancelled { share: row.share_id(), device: row.device() })
        };
        set_status(&mut tx, row, status, now).await?;
        tell_both(&mut tx, row, &event, now).await?;
    }
    recipients::mark_deleted(&mut tx, id, now).await?;
    let entry = NewActivity {
        owner,
        kind: ActivityKind::RecipientDeleted,
        device: None,
        device_name: "",
        share: None,
        recipient: Some(describe(&recipient.address, recipient.remark.as_deref())),
        detail: Some(activity::ended_shares(rows.len())),
    };
    activity::insert(&mut tx, entry, now).await?;
    tx.commit().await
}
