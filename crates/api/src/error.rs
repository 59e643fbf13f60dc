//! The error every API call can answer with: `{ "kind": "...", "message": "..." }`.
//! Clients branch on `kind`, never on the message text.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What went wrong, as a stable machine-readable word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request is malformed or a field is invalid; `field` names it when known.
    InvalidInput,
    /// An email address that is not one.
    InvalidEmail,
    /// A phone number that is not in international form (`+<country code> <number>`).
    InvalidPhone,
    /// An account code that does not verify.
    InvalidAccountCode,
    /// No valid access token was presented, or it expired.
    Unauthorized,
    /// Email/phone and password do not match an account.
    InvalidCredentials,
    /// Too many failed attempts; try again later.
    RateLimited,
    /// The object does not exist, or is not yours to see. The two are never told apart.
    NotFound,
    /// The device is shared with you, but not this: the channel or function is not granted, or
    /// not now (the share expired, or it is outside the share's schedule).
    Forbidden,
    /// The request conflicts with the current state (e.g. the device is already shared with
    /// that recipient, or an invite was already answered).
    Conflict,
    /// The invitation expired before it was answered.
    InviteExpired,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// Something failed on the server; details are in the server's log, not here.
    Internal,
    /// A service the server needs for this (the mail relay, the SMS webhook) did not take the
    /// message; nothing was changed. Try again later.
    Unavailable,
}

impl ErrorKind {
    /// The HTTP status this kind travels with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorKind::InvalidInput
            | ErrorKind::InvalidEmail
            | ErrorKind::InvalidPhone
            | ErrorKind::InvalidAccountCode => 400,
            ErrorKind::Unauthorized | ErrorKind::InvalidCredentials => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::InviteExpired => 410,
            ErrorKind::PayloadTooLarge => 413,
            ErrorKind::RateLimited => 429,
            ErrorKind::Internal => 500,
            ErrorKind::Unavailable => 503,
        }
    }

    /// The wire name, e.g. `not_found`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::InvalidEmail => "invalid_email",
            ErrorKind::InvalidPhone => "invalid_phone",
            ErrorKind::InvalidAccountCode => "invalid_account_code",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::InvalidCredentials => "invalid_credentials",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Conflict => "conflict",
            ErrorKind::InviteExpired => "invite_expired",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::Internal => "internal",
            ErrorKind::Unavailable => "unavailable",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct ApiError {
    pub kind: ErrorKind,
    /// A sentence for a person, in plain words.
    pub message: String,
    /// The request field the error is about, when there is one (e.g. `recipient`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ApiError { kind, message: message.into(), field: None }
    }

    /// An `invalid_input` error about one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError { kind: ErrorKind::InvalidInput, message: message.into(), field: Some(field.to_string()) }
    }

    /// Names the field this error is about.
    pub fn on_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::new(ErrorKind::NotFound, format!("{what} not found"))
    }
}
