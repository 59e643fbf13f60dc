//! The server's one error type, and the one place that turns errors into HTTP answers.
//! Database and other internal errors are logged here and reach clients only as `internal`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use camshare_api::{ApiError, ErrorKind};

/// Everything a route can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// An error the client may see as it is.
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

impl ServerError {
    pub fn internal(what: impl std::fmt::Display) -> ServerError {
        ServerError::Internal(what.to_string())
    }

    pub fn not_found(what: &str) -> ServerError {
        ServerError::Api(ApiError::not_found(what))
    }

    pub fn conflict(message: impl Into<String>) -> ServerError {
        ServerError::Api(ApiError::new(ErrorKind::Conflict, message))
    }

    pub fn unauthorized() -> ServerError {
        ServerError::Api(ApiError::new(
            ErrorKind::Unauthorized,
            "sign in first: the access token is missing, invalid or expired",
        ))
    }

    /// The kind a client sees.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ServerError::Api(e) => e.kind,
            _ => ErrorKind::Internal,
        }
    }
}

/// Results of routes and store functions.
pub type Result<T, E = ServerError> = std::result::Result<T, E>;

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let body = match self {
            ServerError::Api(e) => e,
            other => {
                tracing::error!(error = %other, "request failed");
                ApiError::new(ErrorKind::Internal, "something went wrong on the server; it has been logged")
            }
        };
        let status = StatusCode::from_u16(body.kind.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, axum::Json(body)).into_response()
    }
}
