//! The rules of accounts: what a sign-up must contain, the sign-in limit (slowed after a few
//! failures, refused after more), the decoy hash that makes an unknown login take as long as a
//! wrong password, refresh-token rotation, and what an account shows of itself. Route handlers
//! call these and only translate to HTTP; the SQL is in `store::{accounts, sessions}`.

use std::sync::LazyLock;
use std::time::Duration;

use camshare_api::{
    Account, AccountCode, AccountId, ApiError, Email, ErrorKind, Phone, RecipientAddress, Secret, Session, SignIn,
    SignUp, Timestamp, Tokens, VerifiedAccountCode,
};

use crate::error::{Result, ServerError};
use crate::secrets::{self, ACCOUNT_CODE_ID_LEN, ServerKey};
use crate::store::{Db, accounts, is_unique_violation, sessions};

/// A hash to verify against when the login is unknown, so both cases take the same time.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| secrets::hash_password(&secrets::new_token()).expect("hashing a random password"));

/// The account as its holder sees it, with the account code made from its code id.
pub fn view(key: &ServerKey, row: &accounts::AccountRow) -> Result<Account> {
    let code_id: [u8; ACCOUNT_CODE_ID_LEN] = data_encoding::HEXLOWER
        .decode(row.code_id.as_bytes())
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| ServerError::internal("malformed code id"))?;
    Ok(Account {
        id: row.account_id(),
        display_name: row.display_name.clone(),
        email: row.email.clone(),
        phone: row.phone.clone(),
        time_zone: row.time_zone.clone(),
        account_code: key.account_code(&code_id),
        created_at: row.created_at(),
    })
}

async fn hash_password(password: Secret) -> Result<String> {
    tokio::task::spawn_blocking(move || secrets::hash_password(password.expose()))
        .await
        .map_err(ServerError::internal)?
}

async fn verify_password(password: Secret, stored: String) -> bool {
    tokio::task::spawn_blocking(move || secrets::verify_password(password.expose(), &stored)).await.unwrap_or(false)
}

fn check_display_name(name: &str) -> Result<String, ApiError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 64 || n.chars().any(char::is_control) {
        return Err(ApiError::invalid("display_name", "the name must have 1 to 64 characters"));
    }
    Ok(n.to_string())
}

/// What a valid sign-up stores, checked field by field.
struct CheckedSignUp {
    email: Option<Email>,
    phone: Option<Phone>,
    display_name: String,
    password: Secret,
    time_zone: String,
}

/// An optional sign-up address: absent or blank is `None`, anything else must parse.
fn optional<T>(
    value: Option<&str>,
    field: &str,
    parse: fn(&str) -> Result<T, ApiError>,
) -> Result<Option<T>, ApiError> {
    value.filter(|v| !v.trim().is_empty()).map(parse).transpose().map_err(|e| e.on_field(field))
}

fn check_sign_up(req: SignUp) -> Result<CheckedSignUp, ApiError> {
    let email = optional(req.email.as_deref(), "email", Email::parse)?;
    let phone = optional(req.phone.as_deref(), "phone", Phone::parse)?;
    if email.is_none() && phone.is_none() {
        return Err(ApiError::invalid("email", "sign up with an email address or a mobile number"));
    }
    let display_name = check_display_name(&req.display_name)?;
    if req.password.expose().chars().count() < 8 || req.password.expose().len() > 256 {
        return Err(ApiError::invalid("password", "the password must have at least 8 characters"));
    }
    let time_zone = req.time_zone.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("UTC").to_string();
    if jiff::tz::TimeZone::get(&time_zone).is_err() {
        return Err(ApiError::invalid("time_zone", format!("`{time_zone}` is not a known time zone")));
    }
    Ok(CheckedSignUp { email, phone, display_name, password: req.password, time_zone })
}

/// Creates an account with an email and/or a phone number, claims the invites waiting for those
/// addresses, and signs in: one transaction.
pub async fn sign_up(db: &Db, key: &ServerKey, req: SignUp, now: Timestamp) -> Result<Session> {
    let req = check_sign_up(req)?;
    let password_hash = hash_password(req.password).await?;
    let code_id = data_encoding::HEXLOWER.encode(&secrets::random_bytes::<ACCOUNT_CODE_ID_LEN>());
    let mut tx = db.write().await?;
    let new = accounts::NewAccount {
        email: req.email.as_ref().map(Email::as_str),
        phone: req.phone.as_ref().map(Phone::as_str),
        display_name: &req.display_name,
        password_hash: &password_hash,
        code_id: &code_id,
        time_zone: &req.time_zone,
    };
    let id = match accounts::insert(&mut tx, &new, now).await {
        Ok(id) => id,
        Err(ServerError::Database(e)) if is_unique_violation(&e) => {
            return Err(ServerError::conflict(
                "an account with this email address or mobile number already exists; sign in instead",
            ));
        }
        Err(e) => return Err(e),
    };
    let addresses: Vec<&str> = [new.email, new.phone].into_iter().flatten().collect();
    accounts::claim_recipient_addresses(&mut tx, id, &addresses).await?;
    let tokens = sessions::create(&mut tx, id, now).await?;
    tx.commit().await?;
    let row = accounts::get(&db.pool, id).await?.ok_or_else(|| ServerError::internal("account vanished"))?;
    Ok(Session { account: view(key, &row)?, tokens })
}

/// Signs in with email or phone and password. From the `SLOW_AFTER`th recent failure each
/// further one is answered more slowly; after `REFUSE_AFTER` the login is refused for a while,
/// also when the attempts come all at once.
pub async fn sign_in(db: &Db, key: &ServerKey, req: SignIn, now: Timestamp) -> Result<Session> {
    let login = match RecipientAddress::parse(&req.login).map_err(|e| e.on_field("login"))? {
        RecipientAddress::AccountCode(_) => {
            return Err(ApiError::invalid("login", "sign in with your email address or mobile number").into());
        }
        address => address.as_str().to_string(),
    };
    // The attempt is counted before the (slow) password check and forgotten only if it
    // succeeds: concurrent attempts cannot all pass a count read before any of them failed.
    let mut tx = db.write().await?;
    let (attempts, until) = sessions::record_failure(&mut tx, &login, now).await?;
    tx.commit().await?;
    if attempts > sessions::REFUSE_AFTER {
        let minutes = (until - now).get_seconds().div_euclid(60) + 1;
        return Err(ApiError::new(
            ErrorKind::RateLimited,
            format!("too many failed sign-ins; try again in {minutes} minute(s)"),
        )
        .into());
    }
    let account = accounts::find_by_login(&db.pool, &login).await?;
    let stored = account.as_ref().map_or_else(|| DECOY_HASH.clone(), |a| a.password_hash.clone());
    // `|`, not `||`: the password is checked even for an unknown login, so timing tells nothing.
    if account.is_none() | !verify_password(req.password, stored).await {
        if attempts >= sessions::SLOW_AFTER {
            // 100 ms, 200 ms, 400 ms, then 800 ms per further failure until refusal.
            let exponent = (attempts - sessions::SLOW_AFTER).min(3) as u32;
            tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(exponent))).await;
        }
        return Err(ApiError::new(ErrorKind::InvalidCredentials, "the sign-in details are not right").into());
    }
    let account = account.expect("checked above");
    sessions::clear_failures(&db.pool, &login).await?;
    let mut tx = db.write().await?;
    let tokens = sessions::create(&mut tx, account.account_id(), now).await?;
    tx.commit().await?;
    Ok(Session { account: view(key, &account)?, tokens })
}

/// Trades a refresh token for a new pair; the old refresh token stops working.
pub async fn refresh(db: &Db, refresh_token: &Secret, now: Timestamp) -> Result<Tokens> {
    let mut tx = db.write().await?;
    let tokens = sessions::rotate(db, &mut tx, refresh_token.expose(), now).await?;
    tx.commit().await?;
    tokens.ok_or_else(|| ApiError::new(ErrorKind::Unauthorized, "this session has ended; sign in again").into())
}

/// The signed-in account; `unauthorized` if it no longer exists.
pub async fn me(db: &Db, key: &ServerKey, account: AccountId) -> Result<Account> {
    let row = accounts::get(&db.pool, account).await?.ok_or_else(ServerError::unauthorized)?;
    view(key, &row)
}

/// Checks a scanned or typed account code; answers with the name its holder shows.
pub async fn verify_code(db: &Db, key: &ServerKey, code: &str) -> Result<VerifiedAccountCode> {
    let code = AccountCode::parse(code).map_err(|e| e.on_field("code"))?;
    let code_id = key.verify_account_code(&code).map_err(|e| e.on_field("code"))?;
    let mut conn = db.pool.acquire().await?;
    let row =
        accounts::find_by_code_id(&mut conn, &data_encoding::HEXLOWER.encode(&code_id)).await?.ok_or_else(|| {
            ApiError::new(ErrorKind::InvalidAccountCode, format!("`{code}` is not a valid Camshare account code"))
        })?;
    Ok(VerifiedAccountCode { code, display_name: row.display_name })
}
