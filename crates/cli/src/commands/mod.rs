//! The commands, one module per noun, and what they share: the client, signed in from
//! `CAMSHARE_TOKEN` or the keychain, and whether to print JSON.

mod account;
mod device;
mod events;
mod invite;
mod recipient;
mod share;
mod share_input;
mod stream;

use std::sync::Arc;

use camshare_client::Client;
use camshare_client::keychain::SessionStore;

use crate::args::{Cli, Command, PasswordCommand};
use crate::error::CliError;

/// What every command gets.
pub struct Context {
    pub client: Client,
    pub json: bool,
    /// The access token from `CAMSHARE_TOKEN`, which replaces the keychain when set.
    pub env_token: Option<String>,
}

impl Context {
    /// The keychain entries of this server's session.
    pub fn session_store(&self) -> SessionStore {
        SessionStore::open(self.client.base_url())
    }
}

/// Signs the client in from `CAMSHARE_TOKEN`, else from the keychain. When the keychain session
/// is used, rotated tokens are written back as soon as the client receives them, so an
/// interrupted command (Ctrl-C on `events --follow`) cannot lose them.
fn resume_session(client: Client, env_token: Option<&str>) -> Client {
    if let Some(token) = env_token {
        return client.with_access_token(token.to_string());
    }
    let store = Arc::new(SessionStore::open(client.base_url()));
    if let Some(tokens) = store.load() {
        client.set_tokens(Some(tokens));
        client.on_tokens_changed(Box::new(move |tokens| {
            if let Err(e) = store.save(tokens) {
                eprintln!("warning: the renewed session could not be saved: {}", e.message);
            }
        }));
    }
    client
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    let trust = camshare_client::Trust { allow_plain: cli.insecure, pinned: cli.pin };
    let client = Client::with_trust(&cli.server, trust)?;
    let env_token = std::env::var("CAMSHARE_TOKEN").ok().map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    // Signing in starts a new session; everything else continues the saved one.
    let signs_in = matches!(
        cli.command,
        Command::Signup(_) | Command::Login(_) | Command::Password(PasswordCommand::Reset { .. })
    );
    let client = if signs_in { client } else { resume_session(client, env_token.as_deref()) };
    let ctx = Context { client, json: cli.json, env_token };
    match cli.command {
        Command::Signup(args) => account::signup(&ctx, args).await,
        Command::Login(args) => account::login(&ctx, args).await,
        Command::Logout { everywhere } => account::logout(&ctx, everywhere).await,
        Command::Whoami => account::whoami(&ctx).await,
        Command::DeleteAccount { yes } => account::delete_account(&ctx, yes).await,
        Command::Code(command) => account::code(&ctx, command).await,
        Command::Password(command) => account::password(&ctx, command).await,
        Command::Device(command) => device::run(&ctx, command).await,
        Command::Share(command) => share::run(&ctx, command).await,
        Command::Recipient(command) => recipient::run(&ctx, command).await,
        Command::Invite(command) => invite::invite(&ctx, command).await,
        Command::Shared(command) => invite::shared(&ctx, command).await,
        Command::Blocked(command) => invite::blocked(&ctx, command).await,
        Command::Events { follow, since } => events::events(&ctx, follow, since).await,
        Command::Activity { limit } => events::activity(&ctx, limit).await,
        Command::StreamUrl { device, channel, sub } => stream::stream_url(&ctx, device, channel, sub).await,
    }
}
