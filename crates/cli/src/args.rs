//! The command line: every command, flag and help text. Values are kept as typed here only
//! where clap's parsing is enough (ids, numbers); domain values (addresses, functions,
//! schedules, times) are parsed by the commands with `camshare_api`'s parsers, so a mistake is
//! reported the same way as the server would report it.

use camshare_api::{AccountId, DeviceId, EventId, RecipientId, ShareId};
use clap::{ArgGroup, Args, Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  any other error (server failure, unreadable answer, keychain trouble)
  2  invalid input: invalid_input, invalid_email, invalid_phone, invalid_account_code,
     payload_too_large, or a mistake on the command line
  3  not signed in or wrong credentials: unauthorized, invalid_credentials
  4  not_found
  5  conflict with the current state: conflict, invite_expired
  6  rate_limited: too many attempts, try again later
  7  network: the server cannot be reached
  8  the connection would not be safe: untrusted_certificate (pin the server's fingerprint
     with --pin), insecure_connection (http:// to another machine; --insecure allows it)

Errors go to stderr as `error[<kind>]: <message>`.

Passwords are never arguments: they are prompted for, or read from the first line of stdin
when stdin is not a terminal. The session is kept in the OS keychain (Secret Service, else
the kernel keyring). Scripts may set CAMSHARE_TOKEN to an access token instead
(`camshare login LOGIN --print-token` prints one).";

/// Share IP cameras and NVRs, channel by channel and function by function.
#[derive(Debug, Parser)]
#[command(name = "camshare", version, after_long_help = EXIT_CODES, after_help = EXIT_CODES)]
pub struct Cli {
    /// The Camshare server.
    #[arg(long, global = true, env = "CAMSHARE_SERVER", default_value = "http://127.0.0.1:7878")]
    pub server: String,

    /// Trust the server's certificate with this SHA-256 fingerprint (and no other), as the
    /// server prints it when it starts with a self-signed certificate: `AB:CD:…`.
    #[arg(long, global = true, env = "CAMSHARE_PIN", value_name = "FINGERPRINT")]
    pub pin: Option<camshare_api::Fingerprint>,

    /// Allow a plain http:// server address for another machine: passwords, tokens and video
    /// then cross the network in clear.
    #[arg(long, global = true, env = "CAMSHARE_INSECURE")]
    pub insecure: bool,

    /// Print the JSON the server sent instead of tables and sentences.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an account and sign in to it. The password is prompted for (or read from stdin).
    Signup(SignupArgs),
    /// Sign in with the email or mobile number of an account.
    Login(LoginArgs),
    /// Sign out of this session.
    Logout {
        /// End every session of the account, on every device.
        #[arg(long)]
        everywhere: bool,
    },
    /// Show the signed-in account, with its account code ("My QR Code").
    Whoami,
    /// Delete the signed-in account for good: every share both ways ends, your devices and
    /// history are removed. Asks you to type `delete` (unless --yes), then for the password.
    DeleteAccount {
        /// Do not ask for `delete` (the password is still asked for).
        #[arg(long)]
        yes: bool,
    },
    /// Account codes: what others share with.
    #[command(subcommand)]
    Code(CodeCommand),
    /// Your password: change it, or reset a forgotten one with a code sent to your address.
    #[command(subcommand)]
    Password(PasswordCommand),
    /// Your devices: cameras, NVRs, doorbells, control panels.
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Shares of your devices with other people.
    #[command(subcommand)]
    Share(ShareCommand),
    /// The people you share with.
    #[command(subcommand)]
    Recipient(RecipientCommand),
    /// Invitations others sent you.
    #[command(subcommand)]
    Invite(InviteCommand),
    /// Devices others share with you.
    #[command(subcommand)]
    Shared(SharedCommand),
    /// People you blocked: nothing they share reaches you.
    #[command(subcommand)]
    Blocked(BlockedCommand),
    /// Live events: invites, answers, changed and ended shares.
    Events {
        /// Keep listening until Ctrl-C (otherwise stop once nothing arrives for a second).
        #[arg(long)]
        follow: bool,
        /// Start after this event id; the server replays everything after it.
        #[arg(long, value_name = "ID")]
        since: Option<EventId>,
    },
    /// Print a one-time rtsp:// (rtsps:// with TLS) URL to watch one channel through the media gate, for VLC,
    /// ffplay or gst-launch. The URL carries a ticket as its credentials: use it within 30 seconds,
    /// for one connection.
    StreamUrl {
        /// The device (yours, or one shared with you).
        device: DeviceId,
        /// The channel number (1 for a single camera).
        #[arg(long, default_value_t = 1)]
        channel: u16,
        /// The sub stream (smaller picture) instead of the main stream.
        #[arg(long)]
        sub: bool,
    },
    /// What happened to your devices and shares, newest first.
    Activity {
        /// How many lines to show.
        #[arg(long, value_name = "N")]
        limit: Option<u32>,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("address").required(true).multiple(false).args(["email", "phone"])))]
pub struct SignupArgs {
    #[arg(long)]
    pub email: Option<String>,
    /// Mobile number with its country code, e.g. "+86 189 1234 5678".
    #[arg(long)]
    pub phone: Option<String>,
    /// The name others see when you share with them.
    #[arg(long)]
    pub name: String,
    /// IANA time zone for share schedules, e.g. Europe/Berlin (the server's default: UTC).
    #[arg(long)]
    pub time_zone: Option<String>,
    /// Print the access token to stdout instead of keeping the session in the keychain.
    #[arg(long)]
    pub print_token: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Email or mobile number.
    pub login: String,
    /// Print the access token to stdout instead of keeping the session in the keychain.
    #[arg(long)]
    pub print_token: bool,
}

#[derive(Debug, Subcommand)]
pub enum CodeCommand {
    /// Check that an account code is genuine and see whose it is.
    Verify { code: String },
}

#[derive(Debug, Subcommand)]
pub enum PasswordCommand {
    /// Change the signed-in account's password: the current one, then the new one (prompted
    /// for, or two lines of stdin). Your other sessions end.
    Change,
    /// Reset a forgotten password: a code goes to LOGIN's address; then the code and the new
    /// password (prompted for, or two lines of stdin). Every session of the account ends.
    Reset {
        /// Email or mobile number.
        login: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Add a device. Its password is prompted for (or read from stdin), never an argument.
    Add(DeviceAddArgs),
    /// List your devices.
    List,
    /// Show one device with its channels.
    Show { id: DeviceId },
    /// Change a device's name, address, credentials or channel names.
    Edit(DeviceEditArgs),
    /// Remove a device; every share of it ends.
    Remove { id: DeviceId },
    /// Who can see this camera: every pending or accepted share of it.
    Access { id: DeviceId },
}

#[derive(Debug, Args)]
pub struct DeviceAddArgs {
    #[arg(long)]
    pub name: String,
    /// camera, nvr, doorbell or control_panel.
    #[arg(long)]
    pub kind: String,
    /// The device's RTSP address, e.g. rtsp://192.168.1.64:554.
    #[arg(long, value_name = "URL")]
    pub rtsp: String,
    /// The user name the device accepts.
    #[arg(long)]
    pub username: String,
    /// For an NVR without --channel-name: how many channels it has.
    #[arg(long, value_name = "N")]
    pub channels: Option<u16>,
    /// A channel's name, once per channel in order (their number is the channel count).
    #[arg(long = "channel-name", value_name = "NAME")]
    pub channel_names: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DeviceEditArgs {
    pub id: DeviceId,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long, value_name = "URL")]
    pub rtsp: Option<String>,
    #[arg(long)]
    pub username: Option<String>,
    /// Read the new device password from the first line of stdin.
    #[arg(long, conflicts_with = "new_password")]
    pub password_stdin: bool,
    /// Prompt for a new device password.
    #[arg(long)]
    pub new_password: bool,
    /// New channel names, once per channel in order (the channel count cannot change).
    #[arg(long = "channel-name", value_name = "NAME")]
    pub channel_names: Vec<String>,
}

/// Which channels and functions a share grants.
#[derive(Debug, Args, Default, Clone)]
pub struct GrantArgs {
    /// Channels to share, e.g. 1,3 (default when creating: every channel of each device).
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub channels: Option<Vec<u16>>,
    /// Functions on those channels: live_view, playback, alarm_push, two_way_audio, ptz.
    #[arg(long, value_delimiter = ',', value_name = "LIST", conflicts_with = "preset")]
    pub functions: Option<Vec<String>>,
    /// guest (live view only; the default when creating) or admin (every function).
    #[arg(long)]
    pub preset: Option<String>,
    /// Per-channel functions, e.g. --grant 1=live_view,ptz --grant 3=live_view (or 3=admin).
    #[arg(long = "grant", value_name = "CHANNEL=FUNCTIONS", conflicts_with_all = ["channels", "functions", "preset"])]
    pub grants: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ShareCommand {
    /// Share one or more devices with someone (by email, mobile number or account code).
    Create(ShareCreateArgs),
    /// List the shares you made.
    List,
    /// Show one share.
    Show { id: ShareId },
    /// Change a share's channels, functions or terms; what you leave out stays.
    Edit(ShareEditArgs),
    /// Stop sharing; the recipient's open streams close at once.
    Revoke { id: ShareId },
    /// Send an unanswered or expired invite again.
    Resend { id: ShareId },
    /// Withdraw an invite that was not answered yet.
    Cancel { id: ShareId },
    /// Emergency: end every share and invite of your devices and every stream open on them, at
    /// once. Asks you to type `revoke` first, unless --yes.
    RevokeEverything {
        /// Do not ask (for scripts).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct ShareCreateArgs {
    /// Email, mobile number with country code, or account code (CS-…).
    #[arg(long, value_name = "ADDRESS")]
    pub to: String,
    /// A device to share; repeat for several.
    #[arg(long = "device", value_name = "ID", required = true)]
    pub devices: Vec<DeviceId>,
    #[command(flatten)]
    pub grant: GrantArgs,
    /// A note about the recipient that only you see, e.g. their name.
    #[arg(long, value_name = "TEXT")]
    pub remark: Option<String>,
    #[command(flatten)]
    pub terms: TermsArgs,
}

/// Limits of a share beyond channels and functions.
#[derive(Debug, Args, Default, Clone)]
pub struct TermsArgs {
    /// When the share ends, as RFC 3339, e.g. 2026-12-31T23:00:00Z.
    #[arg(long, value_name = "TIME")]
    pub expires: Option<String>,
    /// A weekly window in your account's time zone, e.g. "mon-fri 09:00-17:00"; repeatable.
    #[arg(long = "schedule", value_name = "WINDOW")]
    pub schedules: Vec<String>,
    /// How far back playback may reach: since-share, or hours such as 48h.
    #[arg(long, value_name = "LIMIT")]
    pub lookback: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShareEditArgs {
    pub id: ShareId,
    #[command(flatten)]
    pub grant: GrantArgs,
    #[command(flatten)]
    pub terms: TermsArgs,
    /// Remove the expiry.
    #[arg(long, conflicts_with = "expires")]
    pub no_expiry: bool,
    /// Remove the schedule: usable at any time.
    #[arg(long, conflicts_with = "schedules")]
    pub no_schedule: bool,
    /// Remove the playback lookback limit.
    #[arg(long, conflicts_with = "lookback")]
    pub no_lookback: bool,
}

#[derive(Debug, Subcommand)]
pub enum RecipientCommand {
    /// List the people you share with.
    List,
    /// Show one recipient with their shares.
    Show { id: RecipientId },
    /// Set the note only you see about a recipient (an empty TEXT clears it).
    Remark { id: RecipientId, text: String },
    /// Delete a recipient and end all sharing with them.
    Delete { id: RecipientId },
    /// Addresses you shared with before, deleted ones included.
    History {
        /// Only addresses starting with this.
        prefix: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum InviteCommand {
    /// Invitations waiting for your answer.
    List,
    /// Accept an invitation (ID is the share id).
    Accept { id: ShareId },
    /// Reject an invitation (ID is the share id).
    Reject { id: ShareId },
}

#[derive(Debug, Subcommand)]
pub enum SharedCommand {
    /// Devices others share with you.
    List,
    /// Sharing Details of one shared device (ID is the share id): who shares it, its cameras and
    /// exactly what you may do on each.
    Show { id: ShareId },
    /// Remove a shared device from your list (ID is the share id); its owner is told.
    Remove { id: ShareId },
}

#[derive(Debug, Subcommand)]
pub enum BlockedCommand {
    /// The owners you blocked (ID is the owner's account id).
    List,
    /// Block the owner of an invitation or shared device (ID is the share id): their
    /// invitations are rejected, their devices leave your list, and nothing they share reaches
    /// you until you unblock them. They are not told you blocked them.
    Add { share: ShareId },
    /// Unblock an owner (ID from `camshare blocked list`).
    Remove { owner: AccountId },
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn grant_flag_conflicts_with_uniform_channels() {
        let parsed = Cli::try_parse_from([
            "camshare",
            "share",
            "create",
            "--to",
            "a@b.co",
            "--device",
            "1",
            "--grant",
            "1=ptz",
            "--channels",
            "1",
        ]);
        assert!(parsed.is_err());
    }

    #[test]
    fn signup_needs_an_email_or_a_phone() {
        assert!(Cli::try_parse_from(["camshare", "signup", "--name", "Ann"]).is_err());
        assert!(Cli::try_parse_from(["camshare", "signup", "--name", "Ann", "--phone", "+4477009001"]).is_ok());
    }

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let cli = Cli::try_parse_from(["camshare", "device", "list", "--json", "--server", "http://x:1"]).unwrap();
        assert!(cli.json);
        assert_eq!(cli.server, "http://x:1");
    }
}
