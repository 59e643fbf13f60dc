//! Sending one request: the bearer token, one refresh-and-retry when the server says the access
//! token expired, and turning answers into values or `ClientError`s.

use std::time::Duration;

use camshare_api::{ApiError, ErrorKind, EventId, Refresh, Secret, Tokens, routes};
use reqwest::{Method, Response, StatusCode, header};
use serde::{Serialize, de::DeserializeOwned};

use crate::error::network_error;
use crate::{Client, ClientError, Credentials};

pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Ordinary calls answer in milliseconds; this only bounds a hung server. The event stream has
/// no such limit.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// One request, kept whole so it can be sent a second time after a refresh.
pub(crate) struct Request {
    pub method: Method,
    /// Path and query, starting with `/`.
    pub path: String,
    pub body: Option<Vec<u8>>,
    /// Whether to send the bearer token. Sign-up, sign-in, refresh and health do not.
    pub auth: bool,
    /// Only for the event stream: resume after this event, and do not time out.
    pub stream_after: Option<Option<EventId>>,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Request {
        Request { method, path: path.into(), body: None, auth: true, stream_after: None }
    }

    pub fn json(mut self, body: &impl Serialize) -> Request {
        // The wire types serialise infallibly (string keys, no custom serialisers that fail).
        self.body = Some(serde_json::to_vec(body).expect("wire types always serialise"));
        self
    }

    pub fn without_auth(mut self) -> Request {
        self.auth = false;
        self
    }
}

impl Client {
    /// A reqwest failure as a `ClientError`: a refused certificate names its fingerprint.
    pub(crate) fn network_error(&self, err: &reqwest::Error) -> ClientError {
        if err.is_connect()
            && let Some(presented) = self.inner.verifier.take_refused()
        {
            return ClientError::UntrustedCertificate {
                url: self.base_url().to_string(),
                presented,
                pinned: self.inner.trust.pinned,
            };
        }
        network_error(self.base_url(), err)
    }

    /// Sends and decodes a JSON answer.
    pub(crate) async fn fetch<T: DeserializeOwned>(&self, request: Request) -> Result<T, ClientError> {
        let response = self.send(&request).await?;
        self.decode(response).await
    }

    async fn decode<T: DeserializeOwned>(&self, response: Response) -> Result<T, ClientError> {
        let url = response.url().to_string();
        let bytes = response.bytes().await.map_err(|e| self.network_error(&e))?;
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol { url, detail: e.to_string() })
    }

    /// Sends a request whose answer has no body worth reading (204).
    pub(crate) async fn fetch_nothing(&self, request: Request) -> Result<(), ClientError> {
        self.send(&request).await.map(drop)
    }

    /// Sends, refreshing and retrying once if the access token was refused. Answers only with
    /// a 2xx response; every other answer becomes an error.
    pub(crate) async fn send(&self, request: &Request) -> Result<Response, ClientError> {
        if !request.auth {
            return self.checked(self.execute(request, None).await?).await;
        }
        let token = self
            .access_token()
            .ok_or(ClientError::NotSignedIn("not signed in: sign in first, or give an access token"))?;
        let response = self.execute(request, Some(&token)).await?;
        if response.status() != StatusCode::UNAUTHORIZED {
            return self.checked(response).await;
        }
        let refusal = self.checked(response).await.err().unwrap_or(ClientError::NotSignedIn("unauthorized"));
        if refusal.kind() != crate::ErrorKind::Api(ErrorKind::Unauthorized)
            || !self.refresh_after_refusal(&token).await?
        {
            return Err(refusal);
        }
        let token = self.access_token().ok_or(ClientError::NotSignedIn("signed out while refreshing"))?;
        self.checked(self.execute(request, Some(&token)).await?).await
    }

    /// Refreshes because `refused_token` was refused, unless another call already did. Answers
    /// whether a retry has a new token to try.
    async fn refresh_after_refusal(&self, refused_token: &str) -> Result<bool, ClientError> {
        let _gate = self.inner.refresh_gate.lock().await;
        match self.credentials() {
            Credentials::Session(tokens) if tokens.access_token.expose() != refused_token => Ok(true),
            Credentials::Session(tokens) => self.refresh_with(tokens.refresh_token).await.map(|_| true),
            Credentials::AccessToken(_) | Credentials::None => Ok(false),
        }
    }

    /// Exchanges the held refresh token for a new pair. Also what [`Client::refresh`] does.
    pub(crate) async fn refresh_session(&self) -> Result<Tokens, ClientError> {
        let _gate = self.inner.refresh_gate.lock().await;
        match self.credentials() {
            Credentials::Session(tokens) => self.refresh_with(tokens.refresh_token).await,
            _ => Err(ClientError::NotSignedIn("no refresh token is held: sign in first")),
        }
    }

    /// Call only while holding the refresh gate.
    async fn refresh_with(&self, refresh_token: Secret) -> Result<Tokens, ClientError> {
        let request =
            Request::new(Method::POST, routes::SESSION_REFRESH).json(&Refresh { refresh_token }).without_auth();
        // Sent directly, not through `send`: a refused refresh must not trigger another refresh.
        let response = self.checked(self.execute(&request, None).await?).await?;
        let tokens: Tokens = self.decode(response).await?;
        self.store_tokens(&tokens);
        Ok(tokens)
    }

    async fn execute(&self, request: &Request, token: Option<&str>) -> Result<Response, ClientError> {
        let url = format!("{}{}", self.base_url(), request.path);
        let accept = if request.stream_after.is_some() { "text/event-stream" } else { "application/json" };
        let mut builder = self.inner.http.request(request.method.clone(), url).header(header::ACCEPT, accept);
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        if let Some(body) = &request.body {
            builder = builder.header(header::CONTENT_TYPE, "application/json").body(body.clone());
        }
        match request.stream_after {
            Some(after) => {
                builder = builder.header(header::CACHE_CONTROL, "no-cache");
                if let Some(id) = after {
                    builder = builder.header("Last-Event-ID", id.to_string());
                }
            }
            None => builder = builder.timeout(CALL_TIMEOUT),
        }
        builder.send().await.map_err(|e| self.network_error(&e))
    }

    /// Passes a 2xx response through; reads any other as the server's `ApiError`.
    async fn checked(&self, response: Response) -> Result<Response, ClientError> {
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let url = response.url().to_string();
        let bytes = response.bytes().await.map_err(|e| self.network_error(&e))?;
        Err(match serde_json::from_slice::<ApiError>(&bytes) {
            Ok(api_error) => ClientError::Api(api_error),
            Err(_) => ClientError::Protocol {
                url,
                detail: format!("HTTP {status} with a body that is not a Camshare error: {}", snippet(&bytes)),
            },
        })
    }
}

/// The start of an unexpected body, on one line, for an error message.
fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "(empty)".to_string();
    }
    match one_line.char_indices().nth(120) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// Appends `?name=value` pairs, percent-encoded, leaving out absent values.
pub(crate) fn with_query(path: &str, pairs: &[(&str, Option<String>)]) -> String {
    let mut url = reqwest::Url::parse("http://query.invalid").expect("constant URL parses");
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in pairs {
            if let Some(value) = value {
                query.append_pair(name, value);
            }
        }
    }
    match url.query() {
        Some(query) if !query.is_empty() => format!("{path}?{query}"),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_encoded_and_absent_values_are_left_out() {
        assert_eq!(with_query("/api/activity", &[("limit", None)]), "/api/activity");
        assert_eq!(with_query("/api/activity", &[("limit", Some("5".into()))]), "/api/activity?limit=5");
        assert_eq!(
            with_query("/api/recipient-history", &[("q", Some("+86 1&x".into()))]),
            "/api/recipient-history?q=%2B86+1%26x"
        );
    }

    #[test]
    fn snippet_keeps_one_short_line() {
        assert_eq!(snippet(b""), "(empty)");
        assert_eq!(snippet(b"<html>\n  <body>Bad Gateway</body>\n</html>"), "<html> <body>Bad Gateway</body> </html>");
        assert_eq!(snippet("é".repeat(200).as_bytes()).chars().count(), 121);
    }
}
