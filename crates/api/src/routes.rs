//! Every path of the HTTP API, in one place, so server and client cannot drift apart.
//! `{id}` segments are filled in with `format!`-style helpers below.

pub const SIGN_UP: &str = "/api/accounts";
pub const SIGN_UP_VERIFY: &str = "/api/accounts/verify";
pub const SIGN_UP_RESEND: &str = "/api/accounts/resend-code";
/// The page a verification mail's link opens (HTML, not JSON): `/verify/{token}`.
pub const VERIFY_LINK: &str = "/verify/{token}";
pub const PASSWORD_RESETS: &str = "/api/password-resets";
pub const PASSWORD_RESET_FINISH: &str = "/api/password-resets/finish";
/// The page a reset mail's link opens (HTML): a form for the new password.
pub const RESET_LINK: &str = "/reset/{token}";
pub const ME_PASSWORD: &str = "/api/me/password";
pub const ME: &str = "/api/me";
pub const SESSIONS: &str = "/api/sessions";
pub const SESSION_REFRESH: &str = "/api/sessions/refresh";
pub const SESSION_CURRENT: &str = "/api/sessions/current";
pub const ACCOUNT_CODE_VERIFY: &str = "/api/account-codes/verify";
pub const DEVICES: &str = "/api/devices";
pub const DEVICE: &str = "/api/devices/{id}";
pub const DEVICE_ACCESS: &str = "/api/devices/{id}/access";
pub const SHARES: &str = "/api/shares";
pub const SHARE: &str = "/api/shares/{id}";
pub const SHARE_RESEND: &str = "/api/shares/{id}/resend";
pub const SHARE_CANCEL: &str = "/api/shares/{id}/cancel";
pub const SHARES_REVOKE_EVERYTHING: &str = "/api/shares/revoke-everything";
pub const RECIPIENTS: &str = "/api/recipients";
pub const RECIPIENT: &str = "/api/recipients/{id}";
pub const RECIPIENT_HISTORY: &str = "/api/recipient-history";
pub const INVITES: &str = "/api/invites";
pub const INVITE_ACCEPT: &str = "/api/invites/{id}/accept";
pub const INVITE_REJECT: &str = "/api/invites/{id}/reject";
pub const SHARED_DEVICES: &str = "/api/shared-devices";
pub const SHARED_DEVICE: &str = "/api/shared-devices/{id}";
/// Owners this account blocked (the recipient's side); `{id}` is the owner's account id.
pub const BLOCKED_OWNERS: &str = "/api/blocked-owners";
pub const BLOCKED_OWNER: &str = "/api/blocked-owners/{id}";
pub const EVENTS: &str = "/api/events";
pub const ACTIVITY: &str = "/api/activity";
pub const OPENAPI: &str = "/api/openapi.json";
pub const HEALTH: &str = "/api/health";
pub const ACCESS: &str = "/api/access";
/// Ask for a one-time ticket to watch a channel through the media gate.
pub const STREAM_TICKETS: &str = "/api/stream-tickets";

/// Fills the `{id}` segment of a path template.
pub fn with_id(template: &str, id: impl std::fmt::Display) -> String {
    template.replace("{id}", &id.to_string())
}
