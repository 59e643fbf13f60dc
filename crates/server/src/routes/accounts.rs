//! Sign up (and its verification), sign in, sessions, passwords (reset, change), "My QR Code".
//! The pages the links in mails open are `link_pages.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, response::IntoResponse};
use camshare_api::{
    Account, ApiError, ChangePassword, DeleteAccount, FinishPasswordReset, PasswordResetStarted, Refresh,
    ResendSignUpCode, Session, SignIn, SignUp, SignUpStarted, StartPasswordReset, Tokens, VerifiedAccountCode,
    VerifyAccountCode, VerifySignUp, routes,
};

use super::AppState;
use super::extract::{Body, Caller, ClientAddr};
use crate::error::Result;
use crate::store::sessions;
use crate::{accounts, passwords};

/// Start a sign-up with an email address or a mobile number: a code (and by mail a link) goes
/// there; the account is made when it comes back (`/api/accounts/verify`, or the link).
#[utoipa::path(post, path = routes::SIGN_UP, request_body = SignUp, tag = "accounts",
    responses((status = 202, body = SignUpStarted), (status = 400, body = ApiError), (status = 409, body = ApiError),
              (status = 429, body = ApiError), (status = 503, body = ApiError)))]
pub async fn sign_up(State(state): State<AppState>, Body(req): Body<SignUp>) -> Result<impl IntoResponse> {
    let started = accounts::sign_up(&state.db, &state.messenger(), req, state.now()).await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

/// Finish a sign-up with the code that was sent: the account is made and signed in.
#[utoipa::path(post, path = routes::SIGN_UP_VERIFY, request_body = VerifySignUp, tag = "accounts",
    responses((status = 201, body = Session), (status = 400, body = ApiError), (status = 409, body = ApiError),
              (status = 429, body = ApiError)))]
pub async fn verify_sign_up(State(state): State<AppState>, Body(req): Body<VerifySignUp>) -> Result<impl IntoResponse> {
    let session = accounts::verify_sign_up(&state.db, &state.key, req, state.now()).await?;
    Ok((StatusCode::CREATED, Json(session)))
}

/// Send a waiting sign-up a new code; the old one stops working.
#[utoipa::path(post, path = routes::SIGN_UP_RESEND, request_body = ResendSignUpCode, tag = "accounts",
    responses((status = 200, body = SignUpStarted), (status = 400, body = ApiError), (status = 429, body = ApiError),
              (status = 503, body = ApiError)))]
pub async fn resend_sign_up_code(
    State(state): State<AppState>,
    Body(req): Body<ResendSignUpCode>,
) -> Result<Json<SignUpStarted>> {
    Ok(Json(accounts::resend_sign_up_code(&state.db, &state.messenger(), req, state.now()).await?))
}

/// Forgot password: a code (and by mail a link) goes to the account's address, if the login has
/// an account; the answer is the same either way.
#[utoipa::path(post, path = routes::PASSWORD_RESETS, request_body = StartPasswordReset, tag = "accounts",
    responses((status = 202, body = PasswordResetStarted), (status = 400, body = ApiError), (status = 429, body = ApiError),
              (status = 503, body = ApiError)))]
pub async fn start_password_reset(
    State(state): State<AppState>,
    Body(req): Body<StartPasswordReset>,
) -> Result<impl IntoResponse> {
    let started = passwords::start_reset(&state.db, &state.messenger(), req, state.now()).await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

/// Set a new password with the code that was sent; every session of the account ends.
#[utoipa::path(post, path = routes::PASSWORD_RESET_FINISH, request_body = FinishPasswordReset, tag = "accounts",
    responses((status = 204), (status = 400, body = ApiError), (status = 429, body = ApiError)))]
pub async fn finish_password_reset(
    State(state): State<AppState>,
    Body(req): Body<FinishPasswordReset>,
) -> Result<StatusCode> {
    passwords::finish_reset(&state.db, req, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Change my password; my other sessions end, this one stays.
#[utoipa::path(post, path = routes::ME_PASSWORD, request_body = ChangePassword, tag = "accounts",
    security(("bearer" = [])), responses((status = 204), (status = 400, body = ApiError), (status = 429, body = ApiError)))]
pub async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ClientAddr(client): ClientAddr,
    Body(req): Body<ChangePassword>,
) -> Result<StatusCode> {
    passwords::change(&state.db, caller.account, caller.session.id, req, client, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete my account (my password again): every share both ways ends, my devices and history
/// are removed, every session and stream ends.
#[utoipa::path(delete, path = routes::ME, request_body = DeleteAccount, tag = "accounts",
    security(("bearer" = [])), responses((status = 204), (status = 400, body = ApiError), (status = 429, body = ApiError)))]
pub async fn delete_account(
    State(state): State<AppState>,
    caller: Caller,
    ClientAddr(client): ClientAddr,
    Body(req): Body<DeleteAccount>,
) -> Result<StatusCode> {
    crate::account_deletion::delete(&state.db, caller.account, req, client, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sign in with email or phone and password. Repeated failures are slowed, then refused.
#[utoipa::path(post, path = routes::SESSIONS, request_body = SignIn, tag = "accounts",
    responses((status = 200, body = Session), (status = 401, body = ApiError), (status = 429, body = ApiError)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Body(req): Body<SignIn>,
) -> Result<Json<Session>> {
    Ok(Json(accounts::sign_in(&state.db, &state.key, req, client, state.now()).await?))
}

/// Trade a refresh token for a new pair; the old refresh token stops working.
#[utoipa::path(post, path = routes::SESSION_REFRESH, request_body = Refresh, tag = "accounts",
    responses((status = 200, body = Tokens), (status = 401, body = ApiError)))]
pub async fn refresh(State(state): State<AppState>, Body(req): Body<Refresh>) -> Result<Json<Tokens>> {
    Ok(Json(accounts::refresh(&state.db, &req.refresh_token, state.now()).await?))
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
    Ok(Json(accounts::me(&state.db, &state.key, caller.account).await?))
}

/// Check a scanned or typed account code; answers with the name its holder shows.
#[utoipa::path(post, path = routes::ACCOUNT_CODE_VERIFY, request_body = VerifyAccountCode, tag = "accounts",
    security(("bearer" = [])), responses((status = 200, body = VerifiedAccountCode), (status = 400, body = ApiError)))]
pub async fn verify_account_code(
    State(state): State<AppState>,
    _caller: Caller,
    Body(req): Body<VerifyAccountCode>,
) -> Result<Json<VerifiedAccountCode>> {
    Ok(Json(accounts::verify_code(&state.db, &state.key, &req.code).await?))
}
