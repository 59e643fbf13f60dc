//! One-time codes sent to an address — to verify a sign-up, to reset a password. Each request
//! gets three secrets: a token that names it to whoever made the request (returned to them,
//! never sent), a link for the mail, and six digits to type. Only their hashes are stored; the
//! code is hashed with the token's hash, so equal codes of two requests differ.

use jiff::SignedDuration;

use crate::secrets;

/// How long a code and its link work.
pub const VALID_FOR: SignedDuration = SignedDuration::from_mins(30);
/// Wrong codes one request may be given before only a new request helps.
pub const ATTEMPTS: i64 = 5;
/// Requests one address may get in an hour (each sends it a message).
pub const PER_ADDRESS_PER_HOUR: u64 = 5;

/// A new request's secrets.
pub struct OneTimeCode {
    pub token: String,
    pub link: String,
    pub code: String,
}

impl Default for OneTimeCode {
    fn default() -> OneTimeCode {
        OneTimeCode::new()
    }
}

impl OneTimeCode {
    pub fn new() -> OneTimeCode {
        let code = format!("{:06}", rand::random_range(0..1_000_000u32));
        OneTimeCode { token: secrets::new_token(), link: secrets::new_token(), code }
    }

    pub fn token_hash(&self) -> String {
        secrets::token_hash(&self.token)
    }

    pub fn link_hash(&self) -> String {
        secrets::token_hash(&self.link)
    }
}

/// The stored form of a code of the request whose token hashes to `token_hash`.
pub fn code_hash(token_hash: &str, code: &str) -> String {
    secrets::token_hash(&format!("{token_hash}:{code}"))
}

/// Whether `typed` (spaces and dashes allowed) is the code stored as `stored`.
pub fn matches(token_hash: &str, typed: &str, stored: &str) -> bool {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    secrets::constant_time_eq(code_hash(token_hash, &digits).as_bytes(), stored.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_match_only_their_own_request() {
        let one = OneTimeCode::new();
        assert!(one.code.len() == 6 && one.code.chars().all(|c| c.is_ascii_digit()), "{}", one.code);
        let stored = code_hash(&one.token_hash(), &one.code);
        let spaced = format!("{} {}", &one.code[..3], &one.code[3..]);
        assert!(matches(&one.token_hash(), &spaced, &stored));
        assert!(!matches(&OneTimeCode::new().token_hash(), &one.code, &stored), "another request's token");
        assert!(!matches(&one.token_hash(), "", &stored));
    }
}
