//! Extractors that gate requests with types: `Caller` proves a valid access token, `Body`
//! and `IdPath` turn malformed input into clear `invalid_input` / `not_found` errors,
//! `ClientAddr` is the client's address (the peer's, or the one a trusted proxy forwarded).

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use camshare_api::{AccountId, ApiError, ErrorKind};
use serde::de::DeserializeOwned;
use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;

use super::AppState;
use crate::error::ServerError;
use crate::store::sessions::{self, SessionRef};

/// The signed-in account making the request. A handler that takes a `Caller` can only run for
/// a valid, unexpired access token.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub account: AccountId,
    pub session: SessionRef,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(ServerError::unauthorized)?;
        let session =
            sessions::authenticate(&state.db, token, state.now()).await?.ok_or_else(ServerError::unauthorized)?;
        Ok(Caller { account: session.account, session })
    }
}

/// The address the request came from, when the server was started with connection info
/// (`Server::run` always is; a router used on its own may not be): the TCP peer, or — when the
/// peer is one of the operator's reverse proxies (`--trusted-proxy`) — the client address that
/// proxy put in `X-Forwarded-For`. Sign-in budgets are kept per address, so an attacker's
/// address is refused while the owner signs in from theirs.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

/// The networks of the reverse proxies whose `X-Forwarded-For` is believed; `http.rs` puts it on
/// every request. Empty: the header is ignored, whoever sends it.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Arc<[IpNet]>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())
        else {
            return Ok(ClientAddr(None));
        };
        let trusted = parts.extensions.get::<TrustedProxies>().map(|t| &t.0[..]).unwrap_or(&[]);
        Ok(ClientAddr(Some(client_behind_proxies(peer, &parts.headers, trusted))))
    }
}

/// The client a request stands for. A peer that is not a trusted proxy is the client, whatever
/// it says in `X-Forwarded-For` (a client can write anything there). From a trusted proxy, the
/// header is read from the right — each proxy appends the address it got the request from — and
/// the first address that is not itself a trusted proxy is the client; a header that is missing
/// or unreadable leaves the proxy as the client.
pub fn client_behind_proxies(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpNet]) -> IpAddr {
    // On a dual-stack listener an IPv4 peer arrives as `::ffff:a.b.c.d`: compare it as IPv4.
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Split the raw bytes: what the client wrote (left) may be anything, the proxies' hops
    // (right) are addresses; reading stops at the first hop that is not a proxy.
    let mut hops: Vec<&[u8]> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        hops.extend(value.as_bytes().split(|b| *b == b','));
    }
    for hop in hops.iter().rev() {
        let Some(ip) = std::str::from_utf8(hop).ok().and_then(|h| h.trim().parse::<IpAddr>().ok()) else {
            return peer;
        };
        let ip = ip.to_canonical();
        if !is_trusted(&ip) {
            return ip;
        }
    }
    peer
}

/// A JSON object body whose every failure (not JSON, not an object, truncated, wrong field,
/// too large) is an `ApiError` naming what was wrong. Every request body of the API is an
/// object; an array is refused even where serde could read a struct from one.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ServerError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        if !content_type.is_some_and(is_json) {
            let message = "send the body as JSON with `Content-Type: application/json`";
            return Err(ApiError::new(ErrorKind::InvalidInput, message).into());
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorKind::PayloadTooLarge, "the request body is too large")
            } else {
                ApiError::new(ErrorKind::InvalidInput, format!("the request body could not be read: {e}"))
            }
        })?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::new(ErrorKind::InvalidInput, "the request body must be a JSON object").into());
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(rejection) => Err(json_rejection(rejection).into()),
        }
    }
}

/// `application/json` or `application/…+json`, with any parameters.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(ErrorKind::PayloadTooLarge, "the request body is too large");
    }
    let message = match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON with `Content-Type: application/json`".to_string()
        }
        JsonRejection::JsonSyntaxError(e) => format!("the request body is not valid JSON: {}", inner_message(e)),
        JsonRejection::JsonDataError(e) => {
            format!("the request body has a wrong or missing field: {}", inner_message(e))
        }
        other => format!("the request body could not be read: {other}"),
    };
    ApiError::new(ErrorKind::InvalidInput, message)
}

fn inner_message(e: &dyn std::error::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// An id in the path; anything that is not an id is simply `not_found`.
pub struct IdPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for IdPath<T> {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(IdPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(_)) => Err(ServerError::not_found("object")),
            Err(other) => Err(ServerError::internal(other)),
        }
    }
}

/// Query parameters with a clear `invalid_input` on failure.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ServerError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Params(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::new(ErrorKind::InvalidInput, format!("bad query parameters: {}", inner_message(&e)))
                    .into())
            }
            Err(other) => Err(ServerError::internal(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x_forwarded_for_counts_only_from_a_trusted_proxy_and_only_its_last_untrusted_hop() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let headers = |values: &[&str]| {
            let mut map = axum::http::HeaderMap::new();
            for v in values {
                map.append("x-forwarded-for", v.parse().unwrap());
            }
            map
        };
        let client = |peer: IpAddr, h: &[&str], t: &[IpNet]| client_behind_proxies(peer, &headers(h), t);
        // The client's own claim before the proxy's is ignored: the proxy appended the real one.
        assert_eq!(client(proxy, &["1.1.1.1, 203.0.113.5"], &trusted).to_string(), "203.0.113.5");
        // Two of our proxies in a row.
        assert_eq!(client(proxy, &["203.0.113.5", "10.0.0.7"], &trusted).to_string(), "203.0.113.5");
        // Not from a proxy: the header means nothing.
        let stranger: IpAddr = "198.51.100.9".parse().unwrap();
        assert_eq!(client(stranger, &["203.0.113.5"], &trusted), stranger);
        assert_eq!(client(proxy, &["203.0.113.5"], &[]), proxy, "no proxies configured");
        // Missing or unreadable: the proxy itself.
        assert_eq!(client(proxy, &[], &trusted), proxy);
        assert_eq!(client(proxy, &["203.0.113.5, not-an-address"], &trusted), proxy);
        assert_eq!(client(proxy, &["10.0.0.9"], &trusted), proxy, "only proxies in the header");
        // A dual-stack listener's IPv4-mapped peer is the IPv4 proxy.
        let mapped: IpAddr = "::ffff:10.0.0.2".parse().unwrap();
        assert_eq!(client(mapped, &["203.0.113.5"], &trusted).to_string(), "203.0.113.5");
        // Bytes the client wrote that are not text do not hide the proxy's hop.
        let mut raw = axum::http::HeaderMap::new();
        raw.append("x-forwarded-for", axum::http::HeaderValue::from_bytes(b"\xe9t\xe9, 203.0.113.5").unwrap());
        assert_eq!(client_behind_proxies(proxy, &raw, &trusted).to_string(), "203.0.113.5");
    }
}
