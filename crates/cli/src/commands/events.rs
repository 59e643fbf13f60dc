//! What happened: the live event stream (`events`) and the activity log (`activity`).

use std::time::Duration;

use camshare_api::{EndReason, Event, EventId, EventKind};
use futures::StreamExt;

use super::Context;
use crate::error::CliError;
use crate::output::{self, Table};

/// Without `--follow`, the command ends once no event arrived for this long.
const QUIET: Duration = Duration::from_secs(1);

pub async fn events(ctx: &Context, follow: bool, since: Option<EventId>) -> Result<(), CliError> {
    let mut stream = ctx.client.events(since);
    if !follow {
        loop {
            match tokio::time::timeout(QUIET, stream.next()).await {
                // Quiet for a second, or the stream ended: everything pending was printed.
                Err(_) | Ok(None) => return Ok(()),
                Ok(Some(Ok(event))) => print_event(ctx, &event)?,
                Ok(Some(Err(e))) => return Err(e.into()),
            }
        }
    }
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            _ = &mut interrupted => return Ok(()),
            item = stream.next() => match item {
                None => return Ok(()),
                Some(Ok(event)) => print_event(ctx, &event)?,
                // The stream keeps trying by itself; say so and wait.
                Some(Err(e)) if e.is_transient() => eprintln!("warning: {e}; still trying"),
                Some(Err(e)) => return Err(e.into()),
            },
        }
    }
}

/// One line per event: the wire JSON with `--json`, else a sentence.
fn print_event(ctx: &Context, event: &Event) -> Result<(), CliError> {
    if ctx.json {
        let line = serde_json::to_string(event).map_err(|e| CliError::new("io", e.to_string()))?;
        return output::line(line);
    }
    output::line(format!("#{}  {}  {}", event.id, output::when(event.at), describe(&event.kind)))
}

fn describe(kind: &EventKind) -> String {
    match kind {
        EventKind::InviteReceived { share, device_name, owner_name, .. } => {
            format!("{owner_name} invites you to “{device_name}” (accept with `camshare invite accept {share}`)")
        }
        EventKind::InviteSent { share, device } => format!("you invited someone to device {device} (share {share})"),
        EventKind::InviteAnswered { share, device, accepted } => {
            let answer = if *accepted { "accepted" } else { "rejected" };
            format!("share {share} of device {device} was {answer}")
        }
        EventKind::InviteCancelled { share, device } => {
            format!("the invitation to device {device} was withdrawn (share {share})")
        }
        EventKind::ShareChanged { share, device } => format!("share {share} of device {device} changed"),
        EventKind::ShareRevoked { share, device, reason } => {
            let why = match reason {
                EndReason::Revoked => "the owner stopped sharing",
                EndReason::RecipientDeleted => "the owner removed the recipient",
            };
            format!("share {share} of device {device} ended: {why}")
        }
        EventKind::ShareRemoved { share, device } => {
            format!("share {share} of device {device} was removed from the recipient's list")
        }
        EventKind::DeviceRemoved { share, device } => {
            format!("device {device} was removed by its owner (share {share} ended)")
        }
    }
}

pub async fn activity(ctx: &Context, limit: Option<u32>) -> Result<(), CliError> {
    let entries = ctx.client.activity(limit).await?;
    output::list(ctx.json, &entries, "Nothing has happened on your devices yet.", |entries| {
        let mut table = Table::new(&["TIME", "WHAT", "DEVICE", "RECIPIENT", "DETAIL"]);
        for e in entries {
            table.row(vec![
                output::when(e.at),
                e.kind.to_string(),
                e.device_name.clone(),
                output::or_dash(e.recipient.as_deref()),
                output::or_dash(e.detail.as_deref()),
            ]);
        }
        table
    })
}

#[cfg(test)]
mod tests {
    use camshare_api::{DeviceId, ShareId};

    use super::*;

    #[test]
    fn events_read_as_sentences() {
        let revoked = EventKind::ShareRevoked { share: ShareId(4), device: DeviceId(2), reason: EndReason::Revoked };
        assert_eq!(describe(&revoked), "share 4 of device 2 ended: the owner stopped sharing");
        let invite = EventKind::InviteReceived {
            share: ShareId(9),
            device: DeviceId(2),
            device_name: "Gate".into(),
            owner_name: "Ann".into(),
        };
        assert_eq!(describe(&invite), "Ann invites you to “Gate” (accept with `camshare invite accept 9`)");
    }
}
