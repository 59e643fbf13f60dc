//! What a client call can fail with: the server said no, the server could not be reached, or the
//! server said something this client cannot read.

use camshare_api::ApiError;

/// What kind of failure it was, to branch on: the server's own kinds, and the ways a call can
/// fail before or after the server (network, an unreadable answer, the keychain, no session).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The server refused with this kind (a bad server address reads `InvalidInput`, the same
    /// as the server's answer to such a mistake).
    Api(camshare_api::ErrorKind),
    /// No connection, a dropped connection or no answer in time.
    Network,
    /// An answer this client cannot read.
    Protocol,
    /// The OS keychain could not keep or give back the session.
    Keychain,
    /// No session is held (or no refresh token); nothing was sent.
    NotSignedIn,
    /// The server's certificate is neither signed by an authority this system trusts nor the
    /// one pinned; nothing was sent.
    UntrustedCertificate,
    /// A plain `http://` address for another machine, without `allow_plain`; nothing was sent.
    InsecureConnection,
}

impl ErrorKind {
    /// The word shown to the UI and in the CLI's JSON: the API's kind (`not_found`, …),
    /// `network`, `protocol` or `keychain`. Not being signed in reads `unauthorized`, as the
    /// server's answer to a missing token does.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Api(kind) => kind.as_str(),
            ErrorKind::Network => "network",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Keychain => "keychain",
            ErrorKind::NotSignedIn => "unauthorized",
            ErrorKind::UntrustedCertificate => "untrusted_certificate",
            ErrorKind::InsecureConnection => "insecure_connection",
        }
    }

    /// Whether the server's answer, or the lack of a session, means "sign in (again)".
    pub fn is_signed_out(self) -> bool {
        matches!(self, ErrorKind::NotSignedIn | ErrorKind::Api(camshare_api::ErrorKind::Unauthorized))
    }
}

/// Lets checks read `error.kind() == "not_found"`, comparing the shown word.
impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every way a [`crate::Client`] call can fail. Callers branch on [`ClientError::kind`], as the
/// UI branches on an `ApiError`'s `kind`; the `Display` text is for people.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server refused the request with its own error; kind, message and field are kept.
    #[error("{}", .0.message)]
    Api(ApiError),
    /// No connection, a dropped connection or no answer in time. The request may be retried.
    #[error("cannot reach the Camshare server at {url}: {reason}")]
    Network { url: String, reason: String },
    /// The server answered, but not with something this client understands (wrong content,
    /// a proxy's error page, an unknown field value from a newer server).
    #[error("the server at {url} sent an answer this client cannot read: {detail}")]
    Protocol { url: String, detail: String },
    /// The call needs a session and there is none, or a refresh was asked for without a refresh
    /// token. Reported before anything is sent.
    #[error("{0}")]
    NotSignedIn(&'static str),
    /// The server address given to [`crate::Client::new`] is not an http(s) URL.
    #[error("`{url}` is not a server address: {reason}")]
    InvalidServerUrl { url: String, reason: String },
    /// The server presented a certificate the client does not trust: not signed by a known
    /// authority (a self-signed server, or someone in between), or not the pinned one.
    #[error(
        "the server at {url} presented a certificate that is not trusted{}; its SHA-256 fingerprint is {presented}. \
         If this is the fingerprint the server printed when it started, pin it (--pin {presented})",
        match .pinned { Some(pinned) => format!(" (the pinned one is {pinned})"), None => String::new() }
    )]
    UntrustedCertificate {
        url: String,
        presented: camshare_api::Fingerprint,
        pinned: Option<camshare_api::Fingerprint>,
    },
    /// `http://` to another machine: passwords and tokens would cross the network in clear.
    #[error(
        "{url} is not encrypted and is not on this machine: passwords and tokens would cross the network in clear. \
         Use https://, or allow it with --insecure if this network is yours alone"
    )]
    InsecureConnection { url: String },
}

impl ClientError {
    /// What kind of failure it was, to branch on.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ClientError::Api(e) => ErrorKind::Api(e.kind),
            ClientError::Network { .. } => ErrorKind::Network,
            ClientError::Protocol { .. } => ErrorKind::Protocol,
            ClientError::NotSignedIn(_) => ErrorKind::NotSignedIn,
            ClientError::InvalidServerUrl { .. } => ErrorKind::Api(camshare_api::ErrorKind::InvalidInput),
            ClientError::UntrustedCertificate { .. } => ErrorKind::UntrustedCertificate,
            ClientError::InsecureConnection { .. } => ErrorKind::InsecureConnection,
        }
    }

    /// The server's error, when the server refused.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The request field the error is about, when the server named one.
    pub fn field(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.field.as_deref())
    }

    /// Whether trying again later may succeed: network trouble, a server-side failure or a rate
    /// limit, as opposed to a refusal that will repeat.
    pub fn is_transient(&self) -> bool {
        use camshare_api::ErrorKind as Api;
        matches!(
            self.kind(),
            ErrorKind::Network | ErrorKind::Protocol | ErrorKind::Api(Api::Internal | Api::RateLimited)
        )
    }
}

impl From<ApiError> for ClientError {
    fn from(e: ApiError) -> Self {
        ClientError::Api(e)
    }
}

/// Turns a reqwest failure into a plain sentence. reqwest's own text ("error sending request")
/// hides the useful part, such as "Connection refused", in its source chain.
pub(crate) fn network_error(url: &str, err: &reqwest::Error) -> ClientError {
    let reason = if err.is_timeout() {
        "the server did not answer in time".to_string()
    } else {
        let mut innermost: &dyn std::error::Error = err;
        while let Some(source) = innermost.source() {
            innermost = source;
        }
        innermost.to_string()
    };
    ClientError::Network { url: url.to_string(), reason }
}

#[cfg(test)]
mod tests {
    use camshare_api::ErrorKind;

    use super::*;

    #[test]
    fn kind_names_the_api_error_or_the_failure_class() {
        let api = ClientError::Api(ApiError::invalid("recipient", "bad"));
        assert_eq!(api.kind(), super::ErrorKind::Api(ErrorKind::InvalidInput));
        assert_eq!(api.kind().as_str(), "invalid_input");
        assert_eq!(api.field(), Some("recipient"));
        assert_eq!(api.to_string(), "bad");
        let network = ClientError::Network { url: "http://x".into(), reason: "Connection refused".into() };
        assert_eq!(network.kind(), super::ErrorKind::Network);
        assert!(network.to_string().contains("http://x"));
        assert_eq!(ClientError::Protocol { url: "u".into(), detail: "d".into() }.kind().as_str(), "protocol");
        let signed_out = ClientError::NotSignedIn("no").kind();
        assert_eq!((signed_out, signed_out.as_str()), (super::ErrorKind::NotSignedIn, "unauthorized"));
        assert!(signed_out.is_signed_out());
        let late = ClientError::from(ApiError::new(ErrorKind::InviteExpired, "late")).kind();
        assert_eq!(late.as_str(), "invite_expired");
        assert!(!late.is_signed_out());
    }

    #[test]
    fn refusals_are_not_transient_but_outages_are() {
        assert!(!ClientError::Api(ApiError::not_found("share")).is_transient());
        assert!(ClientError::Api(ApiError::new(ErrorKind::Internal, "x")).is_transient());
        assert!(ClientError::Network { url: String::new(), reason: String::new() }.is_transient());
    }
}
