//! Account commands: signup (with the code sent to the address), login, logout, whoami, code
//! verify, password change / reset.

use camshare_api::{
    Account, AccountCode, ChangePassword, DeleteAccount, Email, FinishPasswordReset, Phone, Session, SignIn, SignUp,
};

use super::Context;
use crate::args::{CodeCommand, LoginArgs, PasswordCommand, SignupArgs};
use crate::error::CliError;
use crate::output;
use crate::secret::{read_line, read_new_secret, read_secret};

pub async fn signup(ctx: &Context, args: SignupArgs) -> Result<(), CliError> {
    let email = args.email.as_deref().map(Email::parse).transpose()?;
    let phone = args.phone.as_deref().map(Phone::parse).transpose()?;
    if args.name.trim().is_empty() {
        return Err(CliError::invalid("name", "give the name others will see, e.g. --name \"Ann Lee\""));
    }
    let password = read_new_secret("Password: ")?;
    let body = SignUp {
        email: email.map(|e| e.to_string()),
        phone: phone.map(|p| p.to_string()),
        display_name: args.name.trim().to_string(),
        password,
        time_zone: args.time_zone,
    };
    let started = ctx.client.sign_up(&body).await?;
    eprintln!("A code was sent to {}. It works until {}.", started.sent_to, output::when(started.expires_at));
    let code = read_line("Code: ")?;
    let session = ctx.client.verify_sign_up(&started.verification, code.expose().trim()).await?;
    keep_session(ctx, &session, args.print_token, true).await
}

pub async fn login(ctx: &Context, args: LoginArgs) -> Result<(), CliError> {
    let password = read_secret("Password: ")?;
    let session = ctx.client.sign_in(&SignIn { login: args.login.trim().to_string(), password }).await?;
    keep_session(ctx, &session, args.print_token, false).await
}

/// After signing in: print the access token, or keep the session in the keychain. A login
/// whose session cannot be kept fails (and ends that session on the server); a signup still
/// succeeds, since the account now exists, and says how to sign in.
async fn keep_session(ctx: &Context, session: &Session, print_token: bool, is_signup: bool) -> Result<(), CliError> {
    let done = if is_signup { "Signed up" } else { "Signed in" };
    let who = describe(&session.account);
    if print_token {
        eprintln!(
            "{done} as {who}. The access token below lasts until {}.",
            output::when(session.tokens.access_expires_at)
        );
        return output::line(session.tokens.access_token.expose());
    }
    if ctx.env_token.is_some() {
        eprintln!("note: CAMSHARE_TOKEN is set, so later commands use it instead of this session.");
    }
    if let Err(e) = ctx.session_store().save(&session.tokens) {
        // The session can be used by nobody: end it rather than leave it alive on the server.
        let _ = ctx.client.sign_out().await;
        if !is_signup {
            return Err(e.into());
        }
        eprintln!("warning: {}", e.message);
        eprintln!("hint: `camshare login LOGIN --print-token` prints an access token to use as CAMSHARE_TOKEN");
    }
    if ctx.json {
        output::json(&session.account)
    } else {
        output::line(format!("{done} to {} as {who}.", ctx.client.base_url()))
    }
}

pub async fn logout(ctx: &Context, everywhere: bool) -> Result<(), CliError> {
    if ctx.env_token.is_none() && ctx.client.tokens().is_none() {
        return output::line(format!("Not signed in to {}.", ctx.client.base_url()));
    }
    let result = if everywhere { ctx.client.sign_out_everywhere().await } else { ctx.client.sign_out().await };
    match result {
        Ok(()) => {}
        // Already over on the server: only the local copy is left to forget.
        Err(e) if e.kind().is_signed_out() => {}
        Err(e) => return Err(e.into()),
    }
    if ctx.env_token.is_none() {
        ctx.session_store().delete()?;
    }
    if ctx.json {
        return Ok(());
    }
    output::line(if everywhere { "Signed out everywhere." } else { "Signed out." })
}

/// `delete-account`: says what goes, asks for `delete` typed (unless `--yes`) and the password,
/// deletes the account and forgets the local session.
pub async fn delete_account(ctx: &Context, yes: bool) -> Result<(), CliError> {
    let account = ctx.client.me().await?;
    if !yes {
        eprintln!(
            "This deletes the account {} for good: everything you share and everything shared with you ends, \
             and your devices and history are removed.",
            describe(&account)
        );
        let typed = crate::secret::read_line("Type `delete` to go on: ")?;
        if typed.expose().trim() != "delete" {
            return Err(CliError::new("cancelled", "nothing was deleted").with_hint("type `delete`, or pass --yes"));
        }
    }
    let password = read_secret("Password: ")?;
    ctx.client.delete_account(&DeleteAccount { password }).await?;
    if ctx.env_token.is_none() {
        ctx.session_store().delete()?;
    }
    if ctx.json {
        return Ok(());
    }
    output::line(format!("Deleted the account {}. You are signed out.", describe(&account)))
}

pub async fn whoami(ctx: &Context) -> Result<(), CliError> {
    let account = ctx.client.me().await?;
    if ctx.json {
        return output::json(&account);
    }
    let rows = [
        ("Name", account.display_name.clone()),
        ("Email", output::or_dash(account.email.as_deref())),
        ("Phone", output::or_dash(account.phone.as_deref())),
        ("Time zone", account.time_zone.clone()),
        ("Account code", account.account_code.to_string()),
        ("Account id", account.id.to_string()),
        ("Server", ctx.client.base_url().to_string()),
        ("Member since", output::when(account.created_at)),
    ];
    let mut text = String::new();
    for (label, value) in rows {
        text.push_str(&format!("{:<14}{value}\n", format!("{label}:")));
    }
    text.push_str("\nGive your account code to people who want to share a camera with you.\n");
    output::emit(&text)
}

pub async fn code(ctx: &Context, command: CodeCommand) -> Result<(), CliError> {
    let CodeCommand::Verify { code } = command;
    let code = AccountCode::parse(&code)?;
    let verified = ctx.client.verify_account_code(code.as_str()).await?;
    if ctx.json {
        return output::json(&verified);
    }
    output::line(format!("{} is genuine: it belongs to {}.", verified.code, verified.display_name))
}

/// `Ann (ann@example.com)`.
fn describe(account: &Account) -> String {
    let address = account.email.as_deref().or(account.phone.as_deref()).unwrap_or("");
    if address.is_empty() { account.display_name.clone() } else { format!("{} ({address})", account.display_name) }
}

/// `password change` and `password reset LOGIN`.
pub async fn password(ctx: &Context, command: PasswordCommand) -> Result<(), CliError> {
    match command {
        PasswordCommand::Change => {
            let current_password = read_secret("Current password: ")?;
            let new_password = read_new_secret("New password: ")?;
            ctx.client.change_password(&ChangePassword { current_password, new_password }).await?;
            output::line("Password changed. Your other sessions were signed out.")
        }
        PasswordCommand::Reset { login } => {
            let started = ctx.client.start_password_reset(login.trim()).await?;
            eprintln!(
                "If {} has an account, a code is on its way there. It works until {}.",
                login.trim(),
                output::when(started.expires_at)
            );
            let code = read_line("Code: ")?;
            let new_password = read_new_secret("New password: ")?;
            let body = FinishPasswordReset {
                verification: started.verification,
                code: code.expose().trim().to_string(),
                new_password,
            };
            ctx.client.finish_password_reset(&body).await?;
            output::line("Password reset. Every session of the account was signed out; sign in with the new one.")
        }
    }
}
