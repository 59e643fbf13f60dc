//! What a client call can fail with: the server said no, the server could not be reached, or the
//! server said something this client cannot read.

use camshare_api::ApiError;

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
}

impl ClientError {
    /// A stable word to branch on: the `ApiError` kind (`not_found`, `unauthorized`, …),
    /// `network` or `protocol`. A missing session reads `unauthorized` and a bad server address
    /// `invalid_input`, the same as the server's own answers for such mistakes.
    pub fn kind(&self) -> &str {
        match self {
            ClientError::Api(e) => e.kind.as_str(),
            ClientError::Network { .. } => "network",
            ClientError::Protocol { .. } => "protocol",
            ClientError::NotSignedIn(_) => "unauthorized",
            ClientError::InvalidServerUrl { .. } => "invalid_input",
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
        matches!(self.kind(), "network" | "protocol" | "internal" | "rate_limited")
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
        assert_eq!(api.kind(), "invalid_input");
        assert_eq!(api.field(), Some("recipient"));
        assert_eq!(api.to_string(), "bad");
        let network = ClientError::Network { url: "http://x".into(), reason: "Connection refused".into() };
        assert_eq!(network.kind(), "network");
        assert!(network.to_string().contains("http://x"));
        assert_eq!(ClientError::Protocol { url: "u".into(), detail: "d".into() }.kind(), "protocol");
        assert_eq!(ClientError::NotSignedIn("no").kind(), "unauthorized");
        assert_eq!(ClientError::from(ApiError::new(ErrorKind::InviteExpired, "late")).kind(), "invite_expired");
    }

    #[test]
    fn refusals_are_not_transient_but_outages_are() {
        assert!(!ClientError::Api(ApiError::not_found("share")).is_transient());
        assert!(ClientError::Api(ApiError::new(ErrorKind::Internal, "x")).is_transient());
        assert!(ClientError::Network { url: String::new(), reason: String::new() }.is_transient());
    }
}
