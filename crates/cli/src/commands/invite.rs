//! The recipient's commands: invites to answer, devices shared with me, owners I blocked.

use camshare_api::SharedDevice;

use super::Context;
use crate::args::{BlockedCommand, InviteCommand, SharedCommand};
use crate::error::CliError;
use crate::output::{self, Table};

pub async fn invite(ctx: &Context, command: InviteCommand) -> Result<(), CliError> {
    match command {
        InviteCommand::List => {
            let invites = ctx.client.list_invites().await?;
            output::list(ctx.json, &invites, "No invitations waiting for you.", |invites| {
                let mut table = Table::new(&["ID", "DEVICE", "KIND", "FROM", "CHANNELS", "TERMS", "ANSWER BY"]);
                for i in invites {
                    table.row(vec![
                        i.share.to_string(),
                        i.device_name.clone(),
                        i.kind.to_string(),
                        i.owner.display_name.clone(),
                        channels(i),
                        output::terms(&i.terms),
                        output::when(i.invite_expires_at),
                    ]);
                }
                table
            })
        }
        InviteCommand::Accept { id } => {
            let shared = ctx.client.accept_invite(id).await?;
            if ctx.json {
                return output::json(&shared);
            }
            output::line(format!(
                "Accepted: “{}” from {} is now among your shared devices (`camshare shared list`).",
                shared.device_name, shared.owner.display_name
            ))
        }
        InviteCommand::Reject { id } => {
            ctx.client.reject_invite(id).await?;
            if ctx.json {
                return Ok(());
            }
            output::line(format!("Rejected invitation {id}."))
        }
    }
}

pub async fn shared(ctx: &Context, command: SharedCommand) -> Result<(), CliError> {
    match command {
        SharedCommand::List => {
            let devices = ctx.client.list_shared_devices().await?;
            let empty = "Nobody shares a device with you yet. Give them your account code (see `camshare whoami`).";
            output::list(ctx.json, &devices, empty, |devices| {
                let mut table = Table::new(&["ID", "DEVICE", "KIND", "OWNER", "STATUS", "STATE", "CHANNELS", "TERMS"]);
                for d in devices {
                    table.row(vec![
                        d.share.to_string(),
                        d.device_name.clone(),
                        d.kind.to_string(),
                        d.owner.display_name.clone(),
                        d.status.to_string(),
                        d.reachability.label().to_string(),
                        channels(d),
                        output::terms(&d.terms),
                    ]);
                }
                table
            })
        }
        SharedCommand::Show { id } => {
            let devices = ctx.client.list_shared_devices().await?;
            let Some(device) = devices.into_iter().find(|d| d.share == id) else {
                return Err(CliError::new("not_found", format!("no device shared with you has share id {id}")));
            };
            if ctx.json {
                return output::json(&device);
            }
            let mut table = Table::new(&["CHANNEL", "CAMERA", "YOU MAY"]);
            for c in &device.channels {
                table.row(vec![c.number.to_string(), c.name.clone(), c.functions.to_string()]);
            }
            output::emit(&format!(
                "{} ({})
Shared by: {}
Terms:     {}

{}",
                device.device_name,
                device.kind,
                device.owner.display_name,
                output::terms(&device.terms),
                table.render()
            ))
        }
        SharedCommand::Remove { id } => {
            ctx.client.remove_shared_device(id).await?;
            if ctx.json {
                return Ok(());
            }
            output::line(format!("Removed share {id} from your list; its owner has been told."))
        }
    }
}

pub async fn blocked(ctx: &Context, command: BlockedCommand) -> Result<(), CliError> {
    match command {
        BlockedCommand::List => {
            let blocked = ctx.client.list_blocked_owners().await?;
            output::list(ctx.json, &blocked, "You have not blocked anyone.", |blocked| {
                let mut table = Table::new(&["ID", "NAME", "BLOCKED"]);
                for b in blocked {
                    table.row(vec![b.owner.id.to_string(), b.owner.display_name.clone(), output::when(b.blocked_at)]);
                }
                table
            })
        }
        BlockedCommand::Add { share } => {
            // The owner is whoever sent this invitation or shares this device.
            let mut reaching = ctx.client.list_invites().await?;
            reaching.extend(ctx.client.list_shared_devices().await?);
            let Some(owner) = reaching.into_iter().find(|d| d.share == share).map(|d| d.owner) else {
                return Err(CliError::new(
                    "not_found",
                    format!("no invitation or shared device of yours has share id {share}"),
                ));
            };
            let blocked = ctx.client.block_owner(owner.id).await?;
            if ctx.json {
                return output::json(&blocked);
            }
            output::line(format!(
                "Blocked {} (id {}): their invitations are rejected and their devices left your list. \
                 Undo with `camshare blocked remove {}`.",
                blocked.owner.display_name, blocked.owner.id, blocked.owner.id
            ))
        }
        BlockedCommand::Remove { owner } => {
            ctx.client.unblock_owner(owner).await?;
            if ctx.json {
                return Ok(());
            }
            output::line(format!("Unblocked owner {owner}; what they share reaches you again."))
        }
    }
}

/// `1 Gate: live_view,ptz; 2 Yard: live_view`.
fn channels(device: &SharedDevice) -> String {
    let parts: Vec<String> =
        device.channels.iter().map(|c| format!("{} {}: {}", c.number, c.name, c.functions)).collect();
    output::or_dash(Some(&parts.join("; ")))
}
