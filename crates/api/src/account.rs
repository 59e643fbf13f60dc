//! Accounts and sessions: sign up (and proving the address is yours), sign in, tokens,
//! "My QR Code".

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{AccountCode, AccountId, Secret, Timestamp};

/// Sign up with an email address or a mobile number (one of them). No account exists until the
/// address is verified: the server sends a code (and, by email, a link) there; see
/// [`SignUpStarted`] and [`VerifySignUp`].
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignUp {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// International form: `+86 189 1234 5678`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[schema(min_length = 1, max_length = 64)]
    pub display_name: String,
    /// At least 8 characters.
    #[schema(value_type = String, min_length = 8, max_length = 256)]
    pub password: Secret,
    /// IANA time zone used for share schedules, e.g. `Europe/Berlin`. Defaults to UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// Sign in by email or phone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignIn {
    /// The email or mobile number the account was created with.
    #[schema(min_length = 1, max_length = 320)]
    pub login: String,
    #[schema(value_type = String, max_length = 256)]
    pub password: Secret,
}

/// Exchange a refresh token for a new pair (the old refresh token stops working).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Refresh {
    pub refresh_token: Secret,
}

/// A session's tokens. The access token goes in `Authorization: Bearer`; it lives minutes. The
/// refresh token lives weeks and rotates on every use.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Tokens {
    pub access_token: Secret,
    pub access_expires_at: Timestamp,
    pub refresh_token: Secret,
    pub refresh_expires_at: Timestamp,
}

/// The signed-in account, as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Account {
    pub id: AccountId,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub time_zone: String,
    /// The code behind "My QR Code": give it to someone who wants to share with you.
    pub account_code: AccountCode,
    pub created_at: Timestamp,
}

/// A sign-up waiting for its address to be verified.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SignUpStarted {
    /// Names this sign-up in [`VerifySignUp`]; only the one who signed up has it.
    #[schema(value_type = String)]
    pub verification: Secret,
    /// Where the code went, as it was given (an email address or a phone number).
    pub sent_to: String,
    /// After this, the code and the link stop working; sign up again.
    pub expires_at: Timestamp,
}

/// Finish a sign-up with the code that was sent to its address.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VerifySignUp {
    #[schema(value_type = String, max_length = 128)]
    pub verification: Secret,
    /// The six digits from the mail or text message.
    #[schema(max_length = 32)]
    pub code: String,
}

/// Send a sign-up's code again (at most once a minute, a few times in all).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ResendSignUpCode {
    #[schema(value_type = String, max_length = 128)]
    pub verification: Secret,
}

/// "Forgot password": a code (and by mail a link) goes to the account's address.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StartPasswordReset {
    /// The email address or mobile number the account signs in with.
    #[schema(max_length = 256)]
    pub login: String,
}

/// A reset request. It reads the same whether or not the login has an account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasswordResetStarted {
    /// Names this request in [`FinishPasswordReset`]; only the one who asked has it.
    #[schema(value_type = String)]
    pub verification: Secret,
    pub expires_at: Timestamp,
}

/// Set a new password with the code that was sent. Every session of the account ends.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FinishPasswordReset {
    #[schema(value_type = String, max_length = 128)]
    pub verification: Secret,
    #[schema(max_length = 32)]
    pub code: String,
    /// At least 8 characters.
    #[schema(value_type = String, min_length = 8, max_length = 256)]
    pub new_password: Secret,
}

/// Change the password while signed in. The account's other sessions end.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangePassword {
    #[schema(value_type = String, max_length = 256)]
    pub current_password: Secret,
    /// At least 8 characters.
    #[schema(value_type = String, min_length = 8, max_length = 256)]
    pub new_password: Secret,
}

/// Delete my account, given its password: every share both ways ends, and its devices, sessions
/// and history are removed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeleteAccount {
    #[schema(value_type = String, max_length = 256)]
    pub password: Secret,
}

/// What verifying a sign-up, and signing in, return.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Session {
    pub account: Account,
    pub tokens: Tokens,
}

/// Ask whether a scanned or typed account code is genuine.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VerifyAccountCode {
    pub code: String,
}

/// A genuine account code and the name its holder chose to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VerifiedAccountCode {
    pub code: AccountCode,
    pub display_name: String,
}
