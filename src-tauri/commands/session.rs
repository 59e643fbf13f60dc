//! Signing up (and verifying the address), in and out, passwords (forgotten, changed); what the
//! app knows at start.

use camshare_api::Fingerprint;
use camshare_api::{
    Account, ChangePassword, DeleteAccount, FinishPasswordReset, PasswordResetStarted, Secret, SignIn, SignUp,
    SignUpStarted, VerifiedAccountCode,
};
use camshare_client::Client;
use camshare_client::keychain::SessionStore;
use serde::Serialize;
use tauri::{AppHandle, State};

use crate::error::{CommandError, CommandResult};
use crate::state::AppState;

/// Whether the OS keychain can keep the session.
#[derive(Debug, Serialize)]
pub struct KeychainStatus {
    pub available: bool,
    pub message: Option<String>,
}

/// What the UI needs at start.
#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub profile: Option<String>,
    pub server_url: String,
    /// The account of a session restored from the keychain.
    pub account: Option<Account>,
    pub keychain: KeychainStatus,
}

/// Trusts the self-signed certificate the server at `server_url` presented, with this
/// fingerprint, from now on: the person compared it with the one the server printed.
#[tauri::command]
pub fn trust_server_certificate(
    state: State<'_, AppState>,
    server_url: String,
    fingerprint: String,
) -> CommandResult<()> {
    let fingerprint: Fingerprint = fingerprint
        .parse()
        .map_err(|e: camshare_api::NotAFingerprint| CommandError::new("invalid_input", e.to_string()))?;
    state.pin_server(&server_url, fingerprint)
}

/// Allows plain `http://` to the server at `server_url` (another machine) from now on.
#[tauri::command]
pub fn allow_plain_server(state: State<'_, AppState>, server_url: String) -> CommandResult<()> {
    state.allow_plain(&server_url)
}

/// The profile, the server, and the account of a remembered session (restored here).
#[tauri::command]
pub async fn app_info(app: AppHandle, state: State<'_, AppState>) -> CommandResult<AppInfo> {
    let server_url = state.server_url();
    let keychain = state.keychain(&server_url);
    let status = KeychainStatus {
        available: keychain.is_available(),
        message: (!keychain.is_available()).then(|| keychain.problems()),
    };
    let account = match state.client().await {
        Ok(client) => client.me().await.ok(),
        Err(_) => match restore(&app, &state, &server_url, &keychain).await {
            Some(account) => Some(account),
            None => sign_in_from_launch(&app, &state, &server_url).await,
        },
    };
    Ok(AppInfo { profile: state.options.profile.clone(), server_url, account, keychain: status })
}

/// Signs in again with the tokens the keychain kept, if they still work.
async fn restore(app: &AppHandle, state: &AppState, server_url: &str, keychain: &SessionStore) -> Option<Account> {
    let client = state.connect(server_url).ok()?.with_tokens(keychain.load()?);
    let account = client.me().await.ok()?;
    state.start(app, client).await;
    Some(account)
}

/// `--sign-in LOGIN` with `CAMSHARE_PASSWORD`: signs in once, at start.
async fn sign_in_from_launch(app: &AppHandle, state: &AppState, server_url: &str) -> Option<Account> {
    let login = state.options.sign_in.clone()?;
    let password = std::env::var("CAMSHARE_PASSWORD").ok()?;
    let client = state.connect(server_url).ok()?;
    match client.sign_in(&SignIn { login, password: password.into() }).await {
        Ok(_) => begin(app, state, client).await.ok(),
        Err(e) => {
            eprintln!("camshare-desktop: --sign-in failed: {e}");
            None
        }
    }
}

async fn begin(app: &AppHandle, state: &AppState, client: Client) -> CommandResult<Account> {
    let account = client.me().await?;
    if let Some(problem) = state.start(app, client).await {
        // Signed in all the same; the UI shows why it will ask again next time.
        eprintln!("camshare-desktop: the session cannot be remembered: {problem}");
    }
    Ok(account)
}

/// Starts a sign-up: the server sends a code to the address; the account exists once
/// `verify_sign_up` brings it back (or the mail's link is opened, and then `sign_in`).
#[tauri::command]
pub async fn sign_up(
    state: State<'_, AppState>,
    server_url: String,
    email: Option<String>,
    phone: Option<String>,
    display_name: String,
    password: String,
    time_zone: Option<String>,
) -> CommandResult<SignUpStarted> {
    let client = state.connect(&server_url)?;
    Ok(client.sign_up(&SignUp { email, phone, display_name, password: password.into(), time_zone }).await?)
}

/// Finishes a sign-up with its code, and signs in.
#[tauri::command]
pub async fn verify_sign_up(
    app: AppHandle,
    state: State<'_, AppState>,
    server_url: String,
    verification: String,
    code: String,
) -> CommandResult<Account> {
    let client = state.connect(&server_url)?;
    client.verify_sign_up(&Secret::from(verification), &code).await?;
    begin(&app, &state, client).await
}

/// Asks for a new code for a waiting sign-up.
#[tauri::command]
pub async fn resend_sign_up_code(
    state: State<'_, AppState>,
    server_url: String,
    verification: String,
) -> CommandResult<SignUpStarted> {
    let client = state.connect(&server_url)?;
    Ok(client.resend_sign_up_code(&Secret::from(verification)).await?)
}

/// "Forgot password": asks for a code at the login's address.
#[tauri::command]
pub async fn start_password_reset(
    state: State<'_, AppState>,
    server_url: String,
    login: String,
) -> CommandResult<PasswordResetStarted> {
    let client = state.connect(&server_url)?;
    Ok(client.start_password_reset(&login).await?)
}

/// Sets a new password with the code; every session of the account ends (so the app signs in
/// again afterwards, with the new password).
#[tauri::command]
pub async fn finish_password_reset(
    state: State<'_, AppState>,
    server_url: String,
    verification: String,
    code: String,
    new_password: String,
) -> CommandResult<()> {
    let client = state.connect(&server_url)?;
    let body = FinishPasswordReset { verification: verification.into(), code, new_password: new_password.into() };
    Ok(client.finish_password_reset(&body).await?)
}

/// Changes the signed-in account's password; its other sessions end.
#[tauri::command]
pub async fn change_password(
    state: State<'_, AppState>,
    current_password: String,
    new_password: String,
) -> CommandResult<()> {
    let body = ChangePassword { current_password: current_password.into(), new_password: new_password.into() };
    Ok(state.client().await?.change_password(&body).await?)
}

/// Deletes the signed-in account (its password again), then ends this app's session as signing
/// out does: open tiles close, the kept sign-in is forgotten.
#[tauri::command]
pub async fn delete_account(
    state: State<'_, AppState>,
    live: State<'_, crate::live::LiveStreams>,
    password: String,
) -> CommandResult<()> {
    state.client().await?.delete_account(&DeleteAccount { password: password.into() }).await?;
    live.close_all();
    state.stop().await
}

#[tauri::command]
pub async fn sign_in(
    app: AppHandle,
    state: State<'_, AppState>,
    server_url: String,
    login: String,
    password: String,
) -> CommandResult<Account> {
    let client = state.connect(&server_url)?;
    client.sign_in(&SignIn { login, password: password.into() }).await?;
    begin(&app, &state, client).await
}

/// Signs out on the server (an already-ended session is fine) and forgets the local session.
#[tauri::command]
pub async fn sign_out(state: State<'_, AppState>, live: State<'_, crate::live::LiveStreams>) -> CommandResult<()> {
    // Open live tiles end with the session.
    live.close_all();
    if let Ok(client) = state.client().await {
        match client.sign_out().await {
            Ok(()) => {}
            Err(e) if e.kind().is_signed_out() || e.is_transient() => {}
            Err(e) => return Err(e.into()),
        }
    }
    state.stop().await
}

#[tauri::command]
pub async fn me(state: State<'_, AppState>) -> CommandResult<Account> {
    Ok(state.client().await?.me().await?)
}

#[tauri::command]
pub async fn verify_account_code(state: State<'_, AppState>, code: String) -> CommandResult<VerifiedAccountCode> {
    Ok(state.client().await?.verify_account_code(&code).await?)
}
