//! The rules of accounts: what a sign-up must contain and how it proves its address (no account
//! exists until a code or link sent there comes back, so nobody can claim invites sent to an
//! address that is not theirs), the sign-in limit (slowed after a few
//! failures, refused after more), the decoy hash that makes an unknown login take as long as a
//! wrong password, refresh-token rotation, and what an account shows of itself. Route handlers
//! call these and only translate to HTTP; the SQL is in `store::{accounts, sessions}`.

use std::sync::LazyLock;
use std::time::Duration;

use camshare_api::{
    Account, AccountCode, AccountId, ApiError, Email, ErrorKind, Phone, RecipientAddress, ResendSignUpCode, Secret,
    Session, SignIn, SignUp, SignUpStarted, Timestamp, Tokens, VerifiedAccountCode, VerifySignUp,
};
use jiff::SignedDuration;

use crate::codes::{self, OneTimeCode};
use crate::error::{Result, ServerError};
use crate::hashing;
use crate::outbox::Outbox;
use crate::secrets::{self, ACCOUNT_CODE_ID_LEN, ServerKey};
use crate::store::{Db, accounts, is_unique_violation, pending_sign_ups, sessions};

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

fn check_display_name(name: &str) -> Result<String, ApiError> {
    crate::text::check_name("display_name", name, 64)
}

/// What a valid sign-up stores, checked field by field.
struct CheckedSignUp {
    address: SignUpAddress,
    display_name: String,
    password: Secret,
    time_zone: String,
}

/// The one address a sign-up proves to hold.
#[derive(Debug, Clone)]
enum SignUpAddress {
    Email(Email),
    Phone(Phone),
}

impl SignUpAddress {
    fn as_str(&self) -> &str {
        match self {
            SignUpAddress::Email(e) => e.as_str(),
            SignUpAddress::Phone(p) => p.as_str(),
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            SignUpAddress::Email(_) => "email",
            SignUpAddress::Phone(_) => "phone",
        }
    }

    fn from_row(row: &pending_sign_ups::PendingRow) -> Result<SignUpAddress> {
        Ok(match row.kind.as_str() {
            "email" => SignUpAddress::Email(Email::parse(&row.address).map_err(ServerError::internal)?),
            _ => SignUpAddress::Phone(Phone::parse(&row.address).map_err(ServerError::internal)?),
        })
    }
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
    let address = match (email, phone) {
        (Some(email), None) => SignUpAddress::Email(email),
        (None, Some(phone)) => SignUpAddress::Phone(phone),
        (None, None) => return Err(ApiError::invalid("email", "sign up with an email address or a mobile number")),
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid("phone", "sign up with an email address or a mobile number, not both"));
        }
    };
    let display_name = check_display_name(&req.display_name)?;
    if req.password.expose().chars().count() < 8 || req.password.expose().len() > 256 {
        return Err(ApiError::invalid("password", "the password must have at least 8 characters"));
    }
    let time_zone = req.time_zone.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("UTC").to_string();
    if jiff::tz::TimeZone::get(&time_zone).is_err() {
        return Err(ApiError::invalid("time_zone", format!("`{time_zone}` is not a known time zone")));
    }
    Ok(CheckedSignUp { address, display_name, password: req.password, time_zone })
}

/// The least time between two messages to one sign-up's address, and how many it gets in all.
pub const RESEND_AFTER: SignedDuration = SignedDuration::from_secs(60);
pub const SENDS_PER_SIGN_UP: i64 = 5;

/// What the server needs to send a sign-up's code: the outbox and the base of the mail's link.
pub struct Messenger<'a> {
    pub outbox: &'a Outbox,
    /// The server's public base URL, e.g. `https://cams.example.org`.
    pub public_url: &'a str,
}

/// Starts a sign-up: checks it, keeps it waiting (no account yet) and sends a code — and, by
/// mail, a link — to its address. An address that already has an account is refused; one that
/// has had `codes::PER_ADDRESS_PER_HOUR` sign-ups this hour is rate-limited. If the message
/// cannot be sent, the sign-up is forgotten and the answer is `unavailable`.
pub async fn sign_up(db: &Db, messenger: &Messenger<'_>, req: SignUp, now: Timestamp) -> Result<SignUpStarted> {
    let req = check_sign_up(req)?;
    let password_hash = hashing::hash(req.password).await?;
    let fresh = OneTimeCode::new();
    let token_hash = fresh.token_hash();
    let expires_at = now + codes::VALID_FOR;
    let mut tx = db.write().await?;
    if accounts::find_by_login(&mut *tx, req.address.as_str()).await?.is_some() {
        return Err(ServerError::conflict(
            "an account with this email address or mobile number already exists; sign in instead",
        ));
    }
    let hour_ago = now - SignedDuration::from_hours(1);
    if pending_sign_ups::started_since(&mut tx, req.address.as_str(), hour_ago).await? >= codes::PER_ADDRESS_PER_HOUR {
        return Err(ApiError::new(
            ErrorKind::RateLimited,
            "this address has had several sign-ups in the last hour; try again later",
        )
        .into());
    }
    let new = pending_sign_ups::NewPending {
        address: req.address.as_str(),
        kind: req.address.kind(),
        display_name: &req.display_name,
        password_hash: &password_hash,
        time_zone: &req.time_zone,
        token_hash: &token_hash,
        link_hash: &fresh.link_hash(),
        code_hash: &codes::code_hash(&token_hash, &fresh.code),
        expires_at,
    };
    let id = pending_sign_ups::insert(&mut tx, &new, now).await?;
    tx.commit().await?;
    if let Err(e) = send_code(messenger, &req.address, &fresh).await {
        pending_sign_ups::delete(&db.pool, id).await?;
        return Err(e);
    }
    Ok(SignUpStarted { verification: Secret::from(fresh.token), sent_to: req.address.as_str().to_string(), expires_at })
}

/// Mails the code and the link, or texts the code.
async fn send_code(messenger: &Messenger<'_>, address: &SignUpAddress, fresh: &OneTimeCode) -> Result<()> {
    let minutes = codes::VALID_FOR.as_mins();
    let sent = match address {
        SignUpAddress::Email(email) => {
            let link = format!("{}/verify/{}", messenger.public_url.trim_end_matches('/'), fresh.link);
            let body = format!(
                "Your Camshare code is {code}.\n\n\
                 Type it into the app, or open this link to verify {address}:\n{link}\n\n\
                 The code and the link work for {minutes} minutes. If you did not sign up for \
                 Camshare, ignore this mail: no account is made without them.",
                code = fresh.code,
                address = email.as_str(),
            );
            messenger.outbox.send_mail(email, &format!("Your Camshare code: {}", fresh.code), &body).await
        }
        SignUpAddress::Phone(phone) => {
            let body = format!("Your Camshare code is {}. It works for {minutes} minutes.", fresh.code);
            messenger.outbox.send_text(phone, &body).await
        }
    };
    sent.map_err(|e| {
        tracing::warn!(error = %e, "cannot send a sign-up code");
        ApiError::new(ErrorKind::Unavailable, "the code could not be sent just now; nothing was saved, try again later")
            .into()
    })
}

/// Finishes a sign-up with its code: the account is made (the address now verified), the
/// invites waiting for the address become its own, the other sign-ups waiting for the address
/// go, and it is signed in — one transaction. A wrong code counts; after `codes::ATTEMPTS` only a
/// new code helps.
pub async fn verify_sign_up(db: &Db, key: &ServerKey, req: VerifySignUp, now: Timestamp) -> Result<Session> {
    let token_hash = secrets::token_hash(req.verification.expose());
    let mut tx = db.write().await?;
    let Some(pending) = pending_sign_ups::by_token(&mut tx, &token_hash, now).await? else {
        return Err(ApiError::invalid("verification", "this sign-up has expired or was finished; sign up again").into());
    };
    if pending.attempts >= codes::ATTEMPTS {
        return Err(ApiError::new(ErrorKind::RateLimited, "too many wrong codes; ask for a new code")
            .on_field("code")
            .into());
    }
    if !codes::matches(&token_hash, &req.code, &pending.code_hash) {
        pending_sign_ups::count_attempt(&mut tx, pending.id).await?;
        tx.commit().await?;
        let left = codes::ATTEMPTS - pending.attempts - 1;
        return Err(ApiError::invalid("code", format!("that is not the code that was sent ({left} tries left)")).into());
    }
    let id = create_account(&mut tx, &pending, now).await?;
    let tokens = sessions::create(&mut tx, id, now).await?;
    tx.commit().await?;
    let row = accounts::get(&db.pool, id).await?.ok_or_else(|| ServerError::internal("account vanished"))?;
    Ok(Session { account: view(key, &row)?, tokens })
}

/// Finishes a sign-up from its mail's link (whoever holds the mail holds the address): the
/// account is made as with the code, without signing in. Answers the verified address.
pub async fn verify_sign_up_link(db: &Db, link: &str, now: Timestamp) -> Result<String> {
    let mut tx = db.write().await?;
    let Some(pending) = pending_sign_ups::by_link(&mut tx, &secrets::token_hash(link), now).await? else {
        return Err(ServerError::not_found("sign-up"));
    };
    create_account(&mut tx, &pending, now).await?;
    tx.commit().await?;
    Ok(pending.address)
}

/// Sends a waiting sign-up a new code (and link), at most once a `RESEND_AFTER` and
/// `SENDS_PER_SIGN_UP` times in all; the old code and link stop working.
pub async fn resend_sign_up_code(
    db: &Db,
    messenger: &Messenger<'_>,
    req: ResendSignUpCode,
    now: Timestamp,
) -> Result<SignUpStarted> {
    let token_hash = secrets::token_hash(req.verification.expose());
    let fresh = OneTimeCode::new();
    let mut tx = db.write().await?;
    let Some(pending) = pending_sign_ups::by_token(&mut tx, &token_hash, now).await? else {
        return Err(ApiError::invalid("verification", "this sign-up has expired or was finished; sign up again").into());
    };
    if pending.sends >= SENDS_PER_SIGN_UP {
        return Err(ApiError::new(ErrorKind::RateLimited, "no more codes for this sign-up; sign up again later").into());
    }
    let wait = now.duration_until(pending.last_sent_at() + RESEND_AFTER);
    if wait.is_positive() {
        let seconds = wait.as_secs() + 1;
        return Err(ApiError::new(ErrorKind::RateLimited, format!("a new code can be sent in {seconds} s")).into());
    }
    let new_code = codes::code_hash(&token_hash, &fresh.code);
    pending_sign_ups::replace_secrets(&mut tx, pending.id, &fresh.link_hash(), &new_code, now).await?;
    tx.commit().await?;
    send_code(messenger, &SignUpAddress::from_row(&pending)?, &fresh).await?;
    let expires_at = pending.expires_at();
    Ok(SignUpStarted { verification: req.verification, sent_to: pending.address, expires_at })
}

/// Makes the account of a verified sign-up inside `tx`: the address is now proved, so the
/// invites waiting for it become the account's, and every other sign-up for it goes.
async fn create_account(
    tx: &mut sqlx::AnyConnection,
    pending: &pending_sign_ups::PendingRow,
    now: Timestamp,
) -> Result<AccountId> {
    let code_id = data_encoding::HEXLOWER.encode(&secrets::random_bytes::<ACCOUNT_CODE_ID_LEN>());
    let is_email = pending.kind == "email";
    let new = accounts::NewAccount {
        email: is_email.then_some(pending.address.as_str()),
        phone: (!is_email).then_some(pending.address.as_str()),
        display_name: &pending.display_name,
        password_hash: &pending.password_hash,
        code_id: &code_id,
        time_zone: &pending.time_zone,
    };
    let id = match accounts::insert(tx, &new, now).await {
        Ok(id) => id,
        Err(ServerError::Database(e)) if is_unique_violation(&e) => {
            return Err(ServerError::conflict(
                "an account with this email address or mobile number already exists; sign in instead",
            ));
        }
        Err(e) => return Err(e),
    };
    accounts::claim_recipient_addresses(tx, id, &[pending.address.as_str()]).await?;
    pending_sign_ups::delete_for_address(tx, &pending.address).await?;
    Ok(id)
}

/// Signs in with email or phone and password. Failures are counted per login *and client
/// address*, and per address over all logins: from the `SLOW_AFTER`th recent failure each
/// further one is answered more slowly; after `REFUSE_AFTER` that login is refused from that
/// address for a while (also when the attempts come all at once), and after
/// `ADDRESS_REFUSE_AFTER` the address is refused for every login. So an attacker's flood does
/// not lock the real owner out: from their own address they still sign in.
pub async fn sign_in(
    db: &Db,
    key: &ServerKey,
    req: SignIn,
    client: Option<std::net::IpAddr>,
    now: Timestamp,
) -> Result<Session> {
    let login = match RecipientAddress::parse(&req.login).map_err(|e| e.on_field("login"))? {
        RecipientAddress::AccountCode(_) => {
            return Err(ApiError::invalid("login", "sign in with your email address or mobile number").into());
        }
        address => address.as_str().to_string(),
    };
    // The attempt is counted before the (slow) password check and forgotten only if it
    // succeeds: concurrent attempts cannot all pass a count read before any of them failed.
    let counter = sessions::login_from(&login, client);
    let mut tx = db.write().await?;
    let (attempts, until) = sessions::record_failure(&mut tx, &counter, now).await?;
    let (from_address, address_until) = match client {
        Some(ip) => sessions::record_failure(&mut tx, &sessions::from_address(ip), now).await?,
        None => (0, now),
    };
    tx.commit().await?;
    if from_address > sessions::ADDRESS_REFUSE_AFTER {
        let minutes = (address_until - now).get_seconds().div_euclid(60) + 1;
        return Err(ApiError::new(
            ErrorKind::RateLimited,
            format!("too many failed sign-ins from this address; try again in {minutes} minute(s)"),
        )
        .into());
    }
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
    if account.is_none() | !hashing::verify(req.password, stored).await? {
        if attempts >= sessions::SLOW_AFTER {
            // 100 ms, 200 ms, 400 ms, then 800 ms per further failure until refusal.
            let exponent = (attempts - sessions::SLOW_AFTER).min(3) as u32;
            tokio::time::sleep(Duration::from_millis(100 * 2u64.pow(exponent))).await;
        }
        return Err(ApiError::new(ErrorKind::InvalidCredentials, "the sign-in details are not right").into());
    }
    let account = account.expect("checked above");
    sessions::clear_failures(&db.pool, &counter).await?;
    if let Some(ip) = client {
        sessions::forgive_one(&db.pool, &sessions::from_address(ip)).await?;
    }
    let mut tx = db.write().await?;
    let tokens = sessions::create(&mut tx, account.account_id(), now).await?;
    tx.commit().await?;
    Ok(Session { account: view(key, &account)?, tokens })
}

/// Trades a refresh token for a new pair; the old refresh token stops working. The token is
/// looked up before anything is written (a made-up token costs a read, not the write lock). A
/// token the session already rotated away from means someone else holds this session too: the
/// whole session ends, for both of them.
pub async fn refresh(db: &Db, refresh_token: &Secret, now: Timestamp) -> Result<Tokens> {
    let ended = || ApiError::new(ErrorKind::Unauthorized, "this session has ended; sign in again").into();
    match sessions::find_refresh(&db.pool, refresh_token.expose(), now).await? {
        sessions::RefreshToken::Current { session, created } => {
            let mut tx = db.write().await?;
            let tokens = sessions::rotate(db, &mut tx, session, created, refresh_token.expose(), now).await?;
            tx.commit().await?;
            tokens.ok_or_else(ended)
        }
        sessions::RefreshToken::Retired { session, account } => {
            tracing::warn!(account = account.0, "a rotated refresh token was used again: ending that session");
            sessions::delete(db, sessions::SessionRef { id: session, account }).await?;
            Err(ApiError::new(
                ErrorKind::Unauthorized,
                "this session was ended because an older copy of its sign-in was used; sign in again",
            )
            .into())
        }
        sessions::RefreshToken::Unknown => Err(ended()),
    }
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
