//! Sign up, sign in, sessions, "My QR Code".

use std::sync::LazyLock;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, response::IntoResponse};
use camshare_api::{
    Account, AccountCode, ApiError, Email, ErrorKind, Phone, RecipientAddress, Refresh, Session, SignIn, SignUp,
    Tokens, VerifiedAccountCode, VerifyAccountCode, routes,
};

use super::AppState;
use super::extract::{Body, Caller};
use crate::error::{Result, ServerError};
use crate::secrets::{self, ACCOUNT_CODE_ID_LEN};
use crate::store::{accounts, is_unique_violation, sessions};

fn account_view(state: &AppState, row: &accounts::AccountRow) -> Result<Account> {
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
        account_code: state.key.account_code(&code_id),
        created_at: row.created_at(),
    })
}

async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || secrets::hash_password(&password)).await.map_err(ServerError::internal)?
}

async fn verify_password(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || secrets::verify_password(&password, &stored)).await.unwrap_or(false)
}

/// A hash to verify against when the login is unknown, so both cases take the same time.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| secrets::hash_password(&secrets::new_token()).expect("hashing a random password"));

fn check_display_name(name: &str) -> Result<String, ApiError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 64 || n.chars().any(char::is_control) {
        return Err(ApiError::invalid("display_name", "the name must have 1 to 64 characters"));
    }
    Ok(n.to_string())
}

/// Create an account with an email and/or a phone number, and sign in.
#[utoipa::path(post, path = routes::SIGN_UP, request_body = SignUp, tag = "accounts",
    responses((status = 201, body = Session), (status = 400, body = ApiError), (status = 409, body = ApiError)))]
pub async fn sign_up(State(state): State<AppState>, Body(req): Body<SignUp>) -> Result<impl IntoResponse> {
    let email = req
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(Email::parse)
        .transpose()
        .map_err(|e| e.on_field("email"))?;
    let phone = req
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(Phone::parse)
        .transpose()
        .map_err(|e| e.on_field("phone"))?;
    if email.is_none() && phone.is_none() {
        return Err(ApiError::invalid("email", "sign up with an email address or a mobile number").into());
    }
    let display_name = check_display_name(&req.display_name)?;
    if req.password.chars().count() < 8 || req.password.len() > 256 {
        return Err(ApiError::invalid("password", "the password must have at least 8 characters").into());
    }
    let time_zone = req.time_zone.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("UTC").to_string();
    if jiff::tz::TimeZone::get(&time_zone).is_err() {
        return Err(ApiError::invalid("time_zone", format!("`{time_zone}` is not a known time zone")).into());
    }
    let password_hash = hash_password(req.password).await?;
    let code_id = data_encoding::HEXLOWER.encode(&secrets::random_bytes::<ACCOUNT_CODE_ID_LEN>());
    let now = state.now();
    let mut tx = state.db.write().await?;
    let new = accounts::NewAccount {
        email: email.as_ref().map(Email::as_str),
        phone: phone.as_ref().map(Phone::as_str),
        display_name: &display_name,
        password_hash: &password_hash,
        code_id: &code_id,
        time_zone: &time_zone,
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
    let row = accounts::get(&state.db.pool, id).await?.ok_or_else(|| ServerError::internal("account vanished"))?;
    Ok((StatusCode::CREATED, Json(Session { account: account_view(&state, &row)?, tokens })))
}

/// Sign in with email or phone and password. Repeated failures are slowed, then refused.
#[utoipa::path(post, path = routes::SESSIONS, request_body = SignIn, tag = "accounts",
    responses((status = 200, body = Session), (status = 401, body = ApiError), (status = 429, body = ApiError)))]
pub async fn sign_in(State(state): State<AppState>, Body(req): Body<SignIn>) -> Result<Json<Session>> {
    let login = match RecipientAddress::parse(&req.login).map_err(|e| e.on_field("login"))? {
        RecipientAddress::AccountCode(_) => {
            return Err(ApiError::invalid("login", "sign in with your email address or mobile number").into());
        }
        address => address.as_str().to_string(),
    };
    let now = state.now();
    let (failures, until) = sessions::recent_failures(&state.db.pool, &login, now).await?;
    if failures >= sessions::REFUSE_AFTER {
        let minutes = (until - now).get_seconds().div_euclid(60) + 1;
        return Err(ApiError::new(
            ErrorKind::RateLimited,
            format!("too many failed sign-ins; try again in {minutes} minute(s)"),
        )
        .into());
    }
    let account = accounts::find_by_login(&state.db.pool, &login).await?;
    let stored = account.as_ref().map_or_else(|| DECOY_HASH.clone(), |a| a.password_hash.clone());
    // `|`, not `||`: the password is checked even for an unknown login, so timing tells nothing.
    if account.is_none() | !verify_password(req.password, stored).await {
        let mut tx = state.db.write().await?;
        sessions::record_failure(&mut tx, &login, now).await?;
        tx.commit().await?;
        if failures + 1 >= sessions::SLOW_AFTER {
            // 100 ms, 200 ms, 400 ms, then 800 ms per further failure until refusal.
            let exponent = (failures + 1 - sessions::SLOW_AFTER).min(3) as u32;
            tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(exponent))).await;
        }
        return Err(ApiError::new(ErrorKind::InvalidCredentials, "the sign-in details are not right").into());
    }
    let account = account.expect("checked above");
    sessions::clear_failures(&state.db.pool, &login).await?;
    let mut tx = state.db.write().await?;
    let tokens = sessions::create(&mut tx, account.account_id(), now).await?;
    tx.commit().await?;
    Ok(Json(Session { account: account_view(&state, &account)?, tokens }))
}

/// Trade a refresh token for a new pair; the old refresh token stops working.
#[utoipa::path(post, path = routes::SESSION_REFRESH, request_body = Refresh, tag = "accounts",
    responses((status = 200, body = Tokens), (status = 401, body = ApiError)))]
pub async fn refresh(State(state): State<AppState>, Body(req): Body<Refresh>) -> Result<Json<Tokens>> {
    let mut tx = state.db.write().await?;
    let tokens = sessions::rotate(&state.db, &mut tx, &req.refresh_token, state.now()).await?;
    tx.commit().await?;
    tokens
        .map(Json)
        .ok_or_else(|| ApiError::new(ErrorKind::Unauthorized, "this session has ended; sign in again").into())
}

/// Sign out this session.
#[utoipa::path(delete, path = routes::SESSION_CURRENT, tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ApiError)))]
pub async fn sign_out(State(state): State<AppState>, caller: Caller) -> Result<StatusCode> {
    sessions::delete(&state.db, caller.session).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign out every session of this account, on every device.
#[utoipa::path(delete, path = routes::SESSIONS, tag = "accounts", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ApiError)))]
pub async fn sign_out_everywhere(State(state): State<AppState>, caller: Caller) -> Result<StatusCode> {
    sessions::delete_all(&state.db, caller.account).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in account, with its account code.
#[utoipa::path(get, path = routes::ME, tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Account), (status = 401, body = ApiError)))]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Account>> {
    let row = accounts::get(&state.db.pool, caller.account).await?.ok_or_else(ServerError::unauthorized)?;
    Ok(Json(account_view(&state, &row)?))
}

/// Check a scanned or typed account code; answers with the name its holder shows.
#[utoipa::path(post, path = routes::ACCOUNT_CODE_VERIFY, request_body = VerifyAccountCode, tag = "accounts",
    security(("bearer" = [])), responses((status = 200, body = VerifiedAccountCode), (status = 400, body = ApiError)))]
pub async fn verify_account_code(
    State(state): State<AppState>,
    _caller: Caller,
    Body(req): Body<VerifyAccountCode>,
) -> Result<Json<VerifiedAccountCode>> {
    let code = AccountCode::parse(&req.code).map_err(|e| e.on_field("code"))?;
    let code_id = state.key.verify_account_code(&code).map_err(|e| e.on_field("code"))?;
    let mut conn = state.db.pool.acquire().await?;
    let row =
        accounts::find_by_code_id(&mut conn, &data_encoding::HEXLOWER.encode(&code_id)).await?.ok_or_else(|| {
            ApiError::new(ErrorKind::InvalidAccountCode, format!("`{code}` is not a valid Camshare account code"))
        })?;
    Ok(Json(VerifiedAccountCode { code, display_name: row.display_name }))
}
