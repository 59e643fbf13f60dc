//! Device commands: add, list, show, edit, remove, access.

use camshare_api::{Device, DeviceKind, DeviceUpdate, NewDevice};

use super::Context;
use crate::args::{DeviceAddArgs, DeviceCommand, DeviceEditArgs};
use crate::error::CliError;
use crate::output::{self, Table};
use crate::secret::{read_secret, read_stdin_line};

pub async fn run(ctx: &Context, command: DeviceCommand) -> Result<(), CliError> {
    match command {
        DeviceCommand::Add(args) => add(ctx, args).await,
        DeviceCommand::List => {
            let devices = ctx.client.list_devices().await?;
            output::list(ctx.json, &devices, "No devices yet. Add one with `camshare device add`.", device_table)
        }
        DeviceCommand::Show { id } => show(ctx, &ctx.client.get_device(id).await?),
        DeviceCommand::Edit(args) => edit(ctx, args).await,
        DeviceCommand::Remove { id } => {
            ctx.client.remove_device(id).await?;
            if ctx.json {
                return Ok(());
            }
            output::line(format!("Removed device {id}; every share of it has ended."))
        }
        DeviceCommand::Access { id } => {
            let access = ctx.client.device_access(id).await?;
            let empty = format!(
                "Nobody else can see device {id}. Share it with `camshare share create --to ADDRESS --device {id}`."
            );
            output::list(ctx.json, &access, &empty, |access| {
                let mut table = Table::new(&["SHARE", "RECIPIENT", "REMARK", "STATUS", "CHANNELS", "TERMS"]);
                for a in access {
                    table.row(vec![
                        a.share.to_string(),
                        a.recipient_address.clone(),
                        output::or_dash(a.remark.as_deref()),
                        a.status.to_string(),
                        output::grants(&a.channels),
                        output::terms(&a.terms),
                    ]);
                }
                table
            })
        }
    }
}

async fn add(ctx: &Context, args: DeviceAddArgs) -> Result<(), CliError> {
    let kind: DeviceKind = args.kind.parse().map_err(|e: String| CliError::invalid("kind", e))?;
    if let Some(count) = args.channels
        && !kind.allows_channels(count)
    {
        let rule = match kind {
            DeviceKind::Nvr => format!("an NVR has 1 to {} channels", DeviceKind::MAX_NVR_CHANNELS),
            other => format!("a {other} has exactly one channel"),
        };
        return Err(CliError::invalid("channels", rule));
    }
    let password = read_secret("Camera password: ")?;
    let new = NewDevice {
        name: args.name,
        kind,
        rtsp_url: args.rtsp,
        username: args.username,
        password,
        channel_names: args.channel_names,
        channel_count: args.channels,
    };
    let device = ctx.client.add_device(&new).await?;
    if ctx.json {
        return output::json(&device);
    }
    output::line(format!("Added device {} “{}” ({}).", device.id, device.name, channel_count(&device)))
}

async fn edit(ctx: &Context, args: DeviceEditArgs) -> Result<(), CliError> {
    let password = if args.password_stdin {
        Some(read_stdin_line("device password")?)
    } else if args.new_password {
        Some(read_secret("New camera password: ")?)
    } else {
        None
    };
    let update = DeviceUpdate {
        name: args.name,
        rtsp_url: args.rtsp,
        username: args.username,
        password,
        channel_names: (!args.channel_names.is_empty()).then_some(args.channel_names),
    };
    let nothing = update.name.is_none()
        && update.rtsp_url.is_none()
        && update.username.is_none()
        && update.password.is_none()
        && update.channel_names.is_none();
    if nothing {
        return Err(CliError::invalid(
            "device",
            "nothing to change: give --name, --rtsp, --username, --password-stdin, --new-password or --channel-name",
        ));
    }
    let device = ctx.client.edit_device(args.id, &update).await?;
    if ctx.json {
        return output::json(&device);
    }
    output::line(format!("Changed device {} “{}”.", device.id, device.name))
}

fn show(ctx: &Context, device: &Device) -> Result<(), CliError> {
    if ctx.json {
        return output::json(device);
    }
    let mut text = format!(
        "Device {} “{}”\nKind:           {}\nRTSP address:   {}\nUser name:      {}\nReachable:      {}\nActive shares:  {}\nAdded:          {}\n\n",
        device.id,
        device.name,
        device.kind,
        device.rtsp_url,
        device.username,
        reachable(device),
        device.active_shares,
        output::when(device.created_at),
    );
    let mut channels = Table::new(&["CHANNEL", "NAME"]);
    for channel in &device.channels {
        channels.row(vec![channel.number.to_string(), channel.name.clone()]);
    }
    text.push_str(&channels.render());
    output::emit(&text)
}

fn device_table(devices: &[Device]) -> Table {
    let mut table = Table::new(&["ID", "NAME", "KIND", "CHANNELS", "STATE", "SHARES", "RTSP"]);
    for d in devices {
        table.row(vec![
            d.id.to_string(),
            d.name.clone(),
            d.kind.to_string(),
            d.channels.len().to_string(),
            d.reachability.label().to_string(),
            d.active_shares.to_string(),
            d.rtsp_url.clone(),
        ]);
    }
    table
}

/// `online (checked 2026-11-21 20:40)`, or `not checked yet`.
fn reachable(device: &Device) -> String {
    match device.checked_at {
        Some(at) => format!("{} (checked {})", device.reachability.label(), output::when(at)),
        None => device.reachability.label().to_string(),
    }
}

/// `1 channel` or `16 channels`.
fn channel_count(device: &Device) -> String {
    match device.channels.len() {
        1 => "1 channel".to_string(),
        n => format!("{n} channels"),
    }
}
