//! Passwords, tokens and tickets as a type of their own. A [`Secret`] travels as a plain JSON
//! string (it has to reach the other side), but its `Debug` prints nothing of it, so a log line,
//! a `{:?}` of a request or a panic message never carries one. Reading it takes a deliberate
//! [`Secret::expose`].

use serde::{Deserialize, Serialize};

/// A password, access or refresh token, camera login or stream ticket.
#[derive(Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send, hash or compare it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret(value.to_string())
    }
}

/// For tests and checks against a known value; the server compares hashes, never secrets.
impl PartialEq<&str> for Secret {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl utoipa::PartialSchema for Secret {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <String as utoipa::PartialSchema>::schema()
    }
}

impl utoipa::ToSchema for Secret {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_it_and_json_carries_it() {
        let s = Secret::from("hunter2-hunter2");
        assert_eq!(format!("{s:?}"), "Secret(..)");
        assert!(!format!("{:?}", Some(&s)).contains("hunter2"));
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""hunter2-hunter2""#);
        assert_eq!(serde_json::from_str::<Secret>(r#""x""#).unwrap().expose(), "x");
    }
}
