//! Recipient commands: list, show, remark, delete, history.

use camshare_api::{EditRecipient, Recipient};

use super::Context;
use super::share::share_table;
use crate::args::RecipientCommand;
use crate::error::CliError;
use crate::output::{self, Table};

pub async fn run(ctx: &Context, command: RecipientCommand) -> Result<(), CliError> {
    match command {
        RecipientCommand::List => {
            let recipients = ctx.client.list_recipients().await?;
            let empty = "You do not share with anyone yet. Share a device with `camshare share create --to ADDRESS --device ID`.";
            output::list(ctx.json, &recipients, empty, |recipients| {
                let mut table = Table::new(&["ID", "ADDRESS", "KIND", "REMARK", "ACTIVE SHARES", "SINCE"]);
                for r in recipients {
                    table.row(vec![
                        r.id.to_string(),
                        r.address.clone(),
                        r.address_kind.as_str().to_string(),
                        output::or_dash(r.remark.as_deref()),
                        r.shares.iter().filter(|s| s.status.is_active()).count().to_string(),
                        output::when(r.created_at),
                    ]);
                }
                table
            })
        }
        RecipientCommand::Show { id } => show(ctx, &ctx.client.get_recipient(id).await?),
        RecipientCommand::Remark { id, text } => {
            let remark = Some(text.trim().to_string()).filter(|t| !t.is_empty());
            let recipient = ctx.client.edit_recipient(id, &EditRecipient { remark }).await?;
            if ctx.json {
                return output::json(&recipient);
            }
            match &recipient.remark {
                Some(remark) => output::line(format!("Noted “{remark}” for {}.", recipient.address)),
                None => output::line(format!("Cleared the remark for {}.", recipient.address)),
            }
        }
        RecipientCommand::Delete { id } => {
            ctx.client.delete_recipient(id).await?;
            if ctx.json {
                return Ok(());
            }
            output::line(format!("Deleted recipient {id}; all sharing with them has ended."))
        }
        RecipientCommand::History { prefix } => {
            let entries = ctx.client.recipient_history(prefix.as_deref()).await?;
            let empty = match &prefix {
                Some(prefix) => format!("No address you shared with starts with `{prefix}`."),
                None => "You have not shared with anyone yet.".to_string(),
            };
            output::list(ctx.json, &entries, &empty, |entries| {
                let mut table = Table::new(&["ID", "ADDRESS", "KIND", "REMARK", "LAST SHARED", "DELETED"]);
                for e in entries {
                    table.row(vec![
                        e.id.to_string(),
                        e.address.clone(),
                        e.address_kind.as_str().to_string(),
                        output::or_dash(e.remark.as_deref()),
                        output::when(e.last_shared_at),
                        if e.deleted { "yes" } else { "no" }.to_string(),
                    ]);
                }
                table
            })
        }
    }
}

fn show(ctx: &Context, recipient: &Recipient) -> Result<(), CliError> {
    if ctx.json {
        return output::json(recipient);
    }
    let mut text = format!(
        "Recipient {}\nAddress:  {} ({})\nRemark:   {}\nSince:    {}\n\n",
        recipient.id,
        recipient.address,
        recipient.address_kind.as_str(),
        output::or_dash(recipient.remark.as_deref()),
        output::when(recipient.created_at),
    );
    if recipient.shares.is_empty() {
        text.push_str("No shares with this recipient.\n");
    } else {
        text.push_str(&share_table(&recipient.shares).render());
    }
    output::emit(&text)
}
