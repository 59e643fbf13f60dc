//! Passwords after sign-up: "forgot password" (a code and a link sent to the account's
//! address) and changing it while signed in. Setting a password ends the account's other
//! sessions — all of them after a reset, since whoever asked may not be the one who holds them.
//! A reset asked for a login with no account is stored and answered the same way (nothing is
//! sent, and its code is never right), so the answers do not tell whether the login exists.

use camshare_api::{
    AccountId, ApiError, ChangePassword, ErrorKind, FinishPasswordReset, PasswordResetStarted, RecipientAddress,
    Secret, StartPasswordReset, Timestamp,
};
use jiff::SignedDuration;

use crate::accounts::Messenger;
use crate::codes::{self, OneTimeCode};
use crate::error::{Result, ServerError};
use crate::hashing;
use crate::secrets;
use crate::store::password_resets::{self, NewReset, ResetRow};
use crate::store::{Db, accounts, sessions};

/// A new password: 8 to 256 characters.
fn check_new_password(password: &Secret) -> Result<(), ApiError> {
    let p = password.expose();
    if p.chars().count() < 8 || p.len() > 256 {
        return Err(ApiError::invalid("new_password", "the password must have at least 8 characters"));
    }
    Ok(())
}

/// A login as typed (email or phone), normalised; an account code is not a login.
fn login_of(typed: &str) -> Result<String, ApiError> {
    match RecipientAddress::parse(typed).map_err(|e| e.on_field("login"))? {
        RecipientAddress::AccountCode(_) => Err(ApiError::invalid("login", "give your email address or mobile number")),
        address => Ok(address.as_str().to_string()),
    }
}

/// Asks for a reset: the code and link go to the account's address, if there is an account.
/// At most `codes::PER_ADDRESS_PER_HOUR` requests per login an hour, with or without an account.
pub async fn start_reset(
    db: &Db,
    messenger: &Messenger<'_>,
    req: StartPasswordReset,
    now: Timestamp,
) -> Result<PasswordResetStarted> {
    let login = login_of(&req.login)?;
    let fresh = OneTimeCode::new();
    let token_hash = fresh.token_hash();
    let expires_at = now + codes::VALID_FOR;
    let mut tx = db.write().await?;
    if password_resets::asked_since(&mut tx, &login, now - SignedDuration::from_hours(1)).await?
        >= codes::PER_ADDRESS_PER_HOUR
    {
        return Err(
            ApiError::new(ErrorKind::RateLimited, "several resets were asked for this login; try again later").into()
        );
    }
    let account = accounts::find_by_login(&mut *tx, &login).await?;
    let new = NewReset {
        account: account.as_ref().map(accounts::AccountRow::account_id),
        login: &login,
        token_hash: &token_hash,
        link_hash: &fresh.link_hash(),
        code_hash: &codes::code_hash(&token_hash, &fresh.code),
        expires_at,
    };
    let id = password_resets::insert(&mut tx, &new, now).await?;
    tx.commit().await?;
    if let Some(account) = account
        && let Err(e) = send_reset(messenger, &account, &fresh).await
    {
        password_resets::delete(&db.pool, id).await?;
        return Err(e);
    }
    Ok(PasswordResetStarted { verification: Secret::from(fresh.token), expires_at })
}

async fn send_reset(messenger: &Messenger<'_>, account: &accounts::AccountRow, fresh: &OneTimeCode) -> Result<()> {
    let minutes = codes::VALID_FOR.as_mins();
    let sent = match (&account.email, &account.phone) {
        (Some(email), _) => {
            let link = format!("{}/reset/{}", messenger.public_url.trim_end_matches('/'), fresh.link);
            let body = format!(
                "Someone asked to reset the password of your Camshare account.\n\n\
                 Your Camshare code is {code}.\n\nType it into the app, or choose a new password here:\n{link}\n\n\
                 The code and the link work for {minutes} minutes. If it was not you, ignore this \
                 mail: your password stays as it is.",
                code = fresh.code,
            );
            let email = camshare_api::Email::parse(email).map_err(ServerError::internal)?;
            messenger.outbox.send_mail(&email, "Reset your Camshare password", &body).await
        }
        (None, Some(phone)) => {
            let phone = camshare_api::Phone::parse(phone).map_err(ServerError::internal)?;
            let body = format!(
                "Your Camshare code is {}. It resets your password; it works for {minutes} minutes.",
                fresh.code
            );
            messenger.outbox.send_text(&phone, &body).await
        }
        (None, None) => return Err(ServerError::internal("an account without an address")),
    };
    sent.map_err(|e| {
        tracing::warn!(error = %e, "cannot send a password reset");
        ApiError::new(ErrorKind::Unavailable, "the code could not be sent just now; try again later").into()
    })
}

/// Sets the new password with the code: every session of the account ends, and the sign-in
/// limit of the login is lifted (the real owner proved the address). A wrong code counts.
pub async fn finish_reset(db: &Db, req: FinishPasswordReset, now: Timestamp) -> Result<()> {
    check_new_password(&req.new_password)?;
    let token_hash = secrets::token_hash(req.verification.expose());
    let password_hash = hashing::hash(req.new_password).await?;
    let mut tx = db.write().await?;
    let Some(reset) = password_resets::by_token(&mut tx, &token_hash, now).await? else {
        return Err(ApiError::invalid("verification", "this reset has expired or was used; ask for a new one").into());
    };
    if reset.attempts >= codes::ATTEMPTS {
        return Err(ApiError::new(ErrorKind::RateLimited, "too many wrong codes; ask for a new one")
            .on_field("code")
            .into());
    }
    let account = match reset.account() {
        Some(account) if codes::matches(&token_hash, &req.code, &reset.code_hash) => account,
        _ => {
            password_resets::count_attempt(&mut tx, reset.id).await?;
            tx.commit().await?;
            let left = codes::ATTEMPTS - reset.attempts - 1;
            return Err(
                ApiError::invalid("code", format!("that is not the code that was sent ({left} tries left)")).into()
            );
        }
    };
    set_password(db, tx, &reset, account, &password_hash).await
}

/// Sets the new password from the mail's link (whoever holds the mail holds the address).
pub async fn finish_reset_by_link(db: &Db, link: &str, new_password: Secret, now: Timestamp) -> Result<()> {
    check_new_password(&new_password)?;
    let password_hash = hashing::hash(new_password).await?;
    let mut tx = db.write().await?;
    let reset = password_resets::by_link(&mut tx, &secrets::token_hash(link), now).await?;
    let Some((reset, account)) = reset.and_then(|r| r.account().map(|a| (r, a))) else {
        return Err(ServerError::not_found("password reset"));
    };
    set_password(db, tx, &reset, account, &password_hash).await
}

async fn set_password(
    db: &Db,
    mut tx: crate::store::WriteTx<'_>,
    reset: &ResetRow,
    account: AccountId,
    password_hash: &str,
) -> Result<()> {
    accounts::set_password(&mut tx, account, password_hash).await?;
    sessions::delete_others(&mut tx, account, None).await?;
    password_resets::delete_for_account(&mut tx, account).await?;
    tx.commit().await?;
    db.sessions.evict_account(account);
    sessions::clear_login_everywhere(&db.pool, &reset.login).await?;
    Ok(())
}

/// Checks the signed-in account's current password before a change that needs it (a new
/// password, deleting the account), held to the same sign-in limit as signing in, from the
/// caller's address. Answers the account's row.
pub(crate) async fn check_current(
    db: &Db,
    account: AccountId,
    password: Secret,
    field: &str,
    client: Option<std::net::IpAddr>,
    now: Timestamp,
) -> Result<accounts::AccountRow> {
    let row = accounts::get(&db.pool, account).await?.ok_or_else(ServerError::unauthorized)?;
    let login = row.email.clone().or_else(|| row.phone.clone()).ok_or_else(|| ServerError::internal("no address"))?;
    let counter = sessions::login_from(&login, client);
    let mut tx = db.write().await?;
    let (attempts, _) = sessions::record_failure(&mut tx, &counter, now).await?;
    tx.commit().await?;
    if attempts > sessions::REFUSE_AFTER {
        return Err(ApiError::new(ErrorKind::RateLimited, "too many wrong passwords; try again later").into());
    }
    if !hashing::verify(password, row.password_hash.clone()).await? {
        return Err(ApiError::invalid(field, "that is not your current password").into());
    }
    sessions::clear_failures(&db.pool, &counter).await?;
    Ok(row)
}

/// Changes the password of the signed-in account, given the current one. Every other session of
/// the account ends (and the streams they opened); this one stays.
pub async fn change(
    db: &Db,
    account: AccountId,
    session: i64,
    req: ChangePassword,
    client: Option<std::net::IpAddr>,
    now: Timestamp,
) -> Result<()> {
    check_new_password(&req.new_password)?;
    check_current(db, account, req.current_password, "current_password", client, now).await?;
    let password_hash = hashing::hash(req.new_password).await?;
    let mut tx = db.write().await?;
    accounts::set_password(&mut tx, account, &password_hash).await?;
    sessions::delete_others(&mut tx, account, Some(session)).await?;
    password_resets::delete_for_account(&mut tx, account).await?;
    tx.commit().await?;
    db.sessions.evict_account(account);
    Ok(())
}
