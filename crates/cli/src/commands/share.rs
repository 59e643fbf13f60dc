//! Share commands: create, list, show, edit, revoke, resend, cancel, revoke everything.

use camshare_api::{
    ChannelGrants, CreateShares, DeviceGrant, EditShare, FunctionSet, OutgoingShare, RecipientAddress, ShareTerms,
};

use super::Context;
use super::share_input::{TermsChange, edit_needs_current_grants, edited_grants, functions, parse_grants};
use crate::args::{ShareCommand, ShareCreateArgs, ShareEditArgs};
use crate::error::CliError;
use crate::output::{self, Table};

pub async fn run(ctx: &Context, command: ShareCommand) -> Result<(), CliError> {
    match command {
        ShareCommand::Create(args) => create(ctx, args).await,
        ShareCommand::List => {
            let shares = ctx.client.list_shares().await?;
            let empty = "You have not shared anything yet. Share a device with `camshare share create --to ADDRESS --device ID`.";
            output::list(ctx.json, &shares, empty, share_table)
        }
        ShareCommand::Show { id } => show(ctx, &ctx.client.get_share(id).await?),
        ShareCommand::Edit(args) => edit(ctx, args).await,
        ShareCommand::Revoke { id } => {
            ctx.client.revoke_share(id).await?;
            if ctx.json {
                return Ok(());
            }
            output::line(format!("Revoked share {id}; the recipient can no longer see the device."))
        }
        ShareCommand::Resend { id } => {
            let share = ctx.client.resend_share(id).await?;
            if ctx.json {
                return output::json(&share);
            }
            output::line(format!(
                "Sent the invite for share {id} to {} again; it can be accepted until {}.",
                share.recipient_address,
                output::when(share.invite_expires_at)
            ))
        }
        ShareCommand::Cancel { id } => {
            let share = ctx.client.cancel_share(id).await?;
            if ctx.json {
                return output::json(&share);
            }
            output::line(format!("Withdrew the invite for share {id} to {}.", share.recipient_address))
        }
        ShareCommand::RevokeEverything { yes } => revoke_everything(ctx, yes).await,
    }
}

/// Shows what would end, asks for `revoke` to be typed (unless `--yes`), then ends it all and
/// lists what ended.
async fn revoke_everything(ctx: &Context, yes: bool) -> Result<(), CliError> {
    if !yes {
        let active = ctx.client.list_shares().await?;
        eprintln!(
            "This ends all {} share(s) and invite(s) of your devices and every stream open on them, at once:",
            active.len()
        );
        for share in &active {
            eprintln!("  {} — {} ({})", share.device_name, share.recipient_address, share.status);
        }
        let typed = crate::secret::read_line("Type `revoke` to end them all: ")?;
        if typed.expose().trim() != "revoke" {
            return Err(CliError::new("cancelled", "nothing was revoked").with_hint("type `revoke`, or pass --yes"));
        }
    }
    let done = ctx.client.revoke_everything().await?;
    if ctx.json {
        return output::json(&done);
    }
    if done.ended.is_empty() && done.streams_ended == 0 {
        return output::line("Nothing was shared and no stream was open; nothing to end.");
    }
    let mut table = Table::new(&["SHARE", "DEVICE", "RECIPIENT", "ENDED"]);
    for share in &done.ended {
        let what = if share.was == camshare_api::ShareStatus::Accepted { "revoked" } else { "invite cancelled" };
        table.row(vec![
            share.share.to_string(),
            share.device_name.clone(),
            share.recipient_address.clone(),
            what.into(),
        ]);
    }
    output::emit(&table.render())?;
    output::line(format!("Ended {} share(s) and {} open stream(s).", done.ended.len(), done.streams_ended))
}

async fn create(ctx: &Context, args: ShareCreateArgs) -> Result<(), CliError> {
    let address = RecipientAddress::parse(&args.to).map_err(|e| e.on_field("to"))?;
    let terms = TermsChange::parse(&args.terms, false, false, false)?;
    let time_zone = if terms.sets_schedule() { Some(ctx.client.me().await?.time_zone) } else { None };
    let terms = terms.apply(&ShareTerms::default(), time_zone.as_deref())?;

    let per_channel = if args.grant.grants.is_empty() { None } else { Some(parse_grants(&args.grant.grants)?) };
    let functions = functions(&args.grant)?.unwrap_or(FunctionSet::GUEST);
    let mut devices = Vec::new();
    for device in args.devices {
        let channels = match (&per_channel, &args.grant.channels) {
            (Some(grants), _) => grants.clone(),
            (None, Some(channels)) => ChannelGrants::uniform(channels.iter().copied(), functions),
            // No channels named: every channel the device has.
            (None, None) => {
                let numbers = ctx.client.get_device(device).await?.channels.into_iter().map(|c| c.number);
                ChannelGrants::uniform(numbers, functions)
            }
        };
        devices.push(DeviceGrant { device, channels });
    }

    let request = CreateShares { recipient: address.as_str().to_string(), remark: args.remark, devices, terms };
    let created = ctx.client.share_devices(&request).await?;
    if ctx.json {
        return output::json(&created);
    }
    let mut text = format!("Shared with {} (recipient {}):\n\n", address.as_str(), created.recipient);
    text.push_str(&share_table(&created.shares).render());
    if let Some(first) = created.shares.first() {
        text.push_str(&format!(
            "\nThey can accept until {}; until they do, they see nothing.\n",
            output::when(first.invite_expires_at)
        ));
    }
    output::emit(&text)
}

async fn edit(ctx: &Context, args: ShareEditArgs) -> Result<(), CliError> {
    let terms = TermsChange::parse(&args.terms, args.no_expiry, args.no_schedule, args.no_lookback)?;
    let grants_given = !args.grant.grants.is_empty()
        || args.grant.channels.is_some()
        || args.grant.functions.is_some()
        || args.grant.preset.is_some();
    if !grants_given && terms.is_keep() {
        return Err(CliError::invalid(
            "share",
            "nothing to change: give --channels, --functions, --preset, --grant, or a term such as --expires",
        ));
    }
    // The server replaces all terms at once, and half a grant needs the other half: read the
    // share only when the flags do not say everything.
    let current = if edit_needs_current_grants(&args.grant) || !terms.is_keep() {
        Some(ctx.client.get_share(args.id).await?)
    } else {
        None
    };
    let empty = ChannelGrants::default();
    let channels = edited_grants(&args.grant, current.as_ref().map_or(&empty, |s| &s.channels))?;
    let terms = if terms.is_keep() {
        None
    } else {
        let time_zone = if terms.sets_schedule() { Some(ctx.client.me().await?.time_zone) } else { None };
        let current_terms = current.as_ref().map(|s| s.terms.clone()).unwrap_or_default();
        Some(terms.apply(&current_terms, time_zone.as_deref())?)
    };
    let share = ctx.client.edit_share(args.id, &EditShare { channels, terms }).await?;
    if ctx.json {
        return output::json(&share);
    }
    output::emit(&format!(
        "Changed share {}.\nChannels:  {}\nTerms:     {}\n",
        share.id,
        output::grants(&share.channels),
        output::terms(&share.terms)
    ))
}

fn show(ctx: &Context, share: &OutgoingShare) -> Result<(), CliError> {
    if ctx.json {
        return output::json(share);
    }
    let rows = [
        ("Device", format!("{} “{}”", share.device, share.device_name)),
        (
            "Recipient",
            format!("{} ({}, recipient {})", share.recipient_address, share.recipient_kind.as_str(), share.recipient),
        ),
        ("Remark", output::or_dash(share.remark.as_deref())),
        ("Status", share.status.to_string()),
        ("Channels", output::grants(&share.channels)),
        ("Terms", output::terms(&share.terms)),
        ("Created", output::when(share.created_at)),
        ("Invite until", output::when(share.invite_expires_at)),
        ("Answered", share.answered_at.map(output::when).unwrap_or_else(|| "-".to_string())),
    ];
    let mut text = format!("Share {}\n", share.id);
    for (label, value) in rows {
        text.push_str(&format!("{:<14}{value}\n", format!("{label}:")));
    }
    output::emit(&text)
}

pub fn share_table(shares: &[OutgoingShare]) -> Table {
    let mut table = Table::new(&["ID", "DEVICE", "RECIPIENT", "REMARK", "STATUS", "CHANNELS", "TERMS"]);
    for s in shares {
        table.row(vec![
            s.id.to_string(),
            format!("{} {}", s.device, s.device_name),
            s.recipient_address.clone(),
            output::or_dash(s.remark.as_deref()),
            s.status.to_string(),
            output::grants(&s.channels),
            output::terms(&s.terms),
        ]);
    }
    table
}
