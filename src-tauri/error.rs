//! The one place that turns failures into what the UI receives: `{kind, message, field?}`.
//! The UI branches on `kind`, never on the message.

use camshare_client::ClientError;
use camshare_client::keychain::KeychainError;
use serde::Serialize;

/// The error every command rejects with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandError {
    pub kind: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `untrusted_certificate`: the SHA-256 fingerprint of the certificate presented, for
    /// the person to compare with the one the server printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// For `untrusted_certificate` from a server already trusted: the fingerprint pinned for it
    /// (its certificate changed — someone may be in between).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pinned: Option<String>,
}

impl CommandError {
    pub fn new(kind: &str, message: impl Into<String>) -> CommandError {
        CommandError { kind: kind.to_string(), message: message.into(), field: None, fingerprint: None, pinned: None }
    }

    /// Not signed in: the UI goes to the sign-in page.
    pub fn signed_out() -> CommandError {
        CommandError::new("unauthorized", "Sign in first.")
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> CommandError {
        let message = match e.api_error() {
            Some(api) => api.message.clone(),
            None => e.to_string(),
        };
        let (fingerprint, pinned) = match &e {
            ClientError::UntrustedCertificate { presented, pinned, .. } => {
                (Some(presented.to_string()), pinned.map(|p| p.to_string()))
            }
            _ => (None, None),
        };
        let field = e.field().map(str::to_string);
        CommandError { kind: e.kind().as_str().to_string(), message, field, fingerprint, pinned }
    }
}

impl From<KeychainError> for CommandError {
    fn from(e: KeychainError) -> CommandError {
        CommandError::new(e.kind().as_str(), e.message)
    }
}

/// What commands return.
pub type CommandResult<T> = Result<T, CommandError>;
