//! How the CLI fails: one error shape, `error[<kind>]: <message>`, and the exit code that
//! belongs to its kind (the table in `camshare --help`).

use camshare_api::ApiError;
use camshare_client::{ClientError, ErrorKind};

/// A failed command. `kind` is the server's error kind when the server refused, `network` or
/// `protocol` when it could not be asked, and `invalid_input`, `keychain` or `io` for what went
/// wrong on this side.
#[derive(Debug)]
pub struct CliError {
    pub kind: String,
    pub message: String,
    pub field: Option<String>,
    /// A second line telling what to do about it.
    pub hint: Option<String>,
}

impl CliError {
    pub fn new(kind: &str, message: impl Into<String>) -> CliError {
        CliError { kind: kind.to_string(), message: message.into(), field: None, hint: None }
    }

    /// A mistake in what was typed; `field` names the flag.
    pub fn invalid(field: &str, message: impl Into<String>) -> CliError {
        CliError { field: Some(field.to_string()), ..CliError::new("invalid_input", message) }
    }

    pub fn keychain(message: impl Into<String>) -> CliError {
        CliError::new("keychain", message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }

    pub fn exit_code(&self) -> u8 {
        match self.kind.as_str() {
            "invalid_input" | "invalid_email" | "invalid_phone" | "invalid_account_code" | "payload_too_large" => 2,
            "unauthorized" | "invalid_credentials" => 3,
            "not_found" | "forbidden" => 4,
            "conflict" | "invite_expired" => 5,
            "rate_limited" => 6,
            "network" => 7,
            "untrusted_certificate" | "insecure_connection" => 8,
            _ => 1,
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.kind, self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field: {field})")?;
        }
        Ok(())
    }
}

impl From<ClientError> for CliError {
    fn from(e: ClientError) -> CliError {
        let hint = match e.kind() {
            kind if kind.is_signed_out() => {
                Some("sign in with `camshare login`, or set CAMSHARE_TOKEN to a valid access token".to_string())
            }
            ErrorKind::Network => {
                Some("is the server running? Choose another with --server or CAMSHARE_SERVER".to_string())
            }
            _ => None,
        };
        let kind = e.kind().as_str().to_string();
        CliError { kind, message: e.to_string(), field: e.field().map(str::to_string), hint }
    }
}

/// Input parsed with `camshare_api`'s parsers fails the same way the server would answer.
impl From<ApiError> for CliError {
    fn from(e: ApiError) -> CliError {
        CliError { kind: e.kind.as_str().to_string(), message: e.message, field: e.field, hint: None }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        CliError::new("io", e.to_string())
    }
}

/// The keychain could not keep or forget the session; scripts can use `CAMSHARE_TOKEN` instead.
impl From<camshare_client::keychain::KeychainError> for CliError {
    fn from(e: camshare_client::keychain::KeychainError) -> CliError {
        CliError::keychain(e.message)
            .with_hint("set CAMSHARE_TOKEN to an access token instead; `camshare login LOGIN --print-token` prints one")
    }
}

#[cfg(test)]
mod tests {
    use camshare_api::ErrorKind;

    use super::*;

    #[test]
    fn exit_codes_follow_the_documented_table() {
        let code = |kind: ErrorKind| CliError::from(ApiError::new(kind, "x")).exit_code();
        assert_eq!(code(ErrorKind::InvalidPhone), 2);
        assert_eq!(code(ErrorKind::InvalidCredentials), 3);
        assert_eq!(code(ErrorKind::NotFound), 4);
        assert_eq!(code(ErrorKind::InviteExpired), 5);
        assert_eq!(code(ErrorKind::RateLimited), 6);
        assert_eq!(code(ErrorKind::Internal), 1);
        let network = ClientError::Network { url: "http://h".into(), reason: "refused".into() };
        assert_eq!(CliError::from(network).exit_code(), 7);
        assert_eq!(CliError::keychain("locked").exit_code(), 1);
        let plain = ClientError::InsecureConnection { url: "http://cams.example".into() };
        assert_eq!(CliError::from(plain).exit_code(), 8);
    }

    #[test]
    fn message_names_kind_and_field() {
        let e = CliError::from(ApiError::invalid("recipient", "bad address"));
        assert_eq!(e.to_string(), "error[invalid_input]: bad address (field: recipient)");
    }
}
