//! Addresses a person types to name an account: an email, a mobile number in international form,
//! or an account code (from "My QR Code"). Parsing normalises them, so `Ann@Example.COM` and
//! `ann@example.com` are one address, and `+86 189-1234 5678` is `+8618912345678`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorKind};

/// A syntactically valid email address, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, ApiError> {
        let s = input.trim().to_lowercase();
        let bad = |why: &str| {
            ApiError::new(ErrorKind::InvalidEmail, format!("`{}` is not an email address: {why}", input.trim()))
        };
        if s.is_empty() {
            return Err(bad("it is empty"));
        }
        if s.len() > 254 {
            return Err(bad("it is longer than 254 characters"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(bad("it has no @"));
        };
        if local.is_empty() || local.len() > 64 {
            return Err(bad("the part before @ must have 1 to 64 characters"));
        }
        if domain.contains('@') {
            return Err(bad("it has more than one @"));
        }
        let local_ok = local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        if !local_ok || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(bad("the part before @ has characters an address cannot have"));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(bad("the domain needs a dot, as in example.com"));
        }
        for label in &labels {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                return Err(bad("the domain is not valid"));
            }
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A mobile number in E.164 form: `+`, country code, number; 8 to 15 digits in all.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Phone, ApiError> {
        let trimmed = input.trim();
        let bad =
            |why: &str| ApiError::new(ErrorKind::InvalidPhone, format!("`{trimmed}` is not a mobile number: {why}"));
        let compact: String = trimmed.chars().filter(|c| !" -().".contains(*c)).collect();
        let Some(digits) = compact.strip_prefix('+') else {
            return Err(bad("it needs its country code, as in +86 189 1234 5678"));
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad("after the + only digits may follow"));
        }
        if digits.starts_with('0') {
            return Err(bad("a country code never starts with 0"));
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(bad("with its country code it must have 8 to 15 digits"));
        }
        Ok(Phone(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The prefix every account code starts with, so a code is never mistaken for anything else.
pub const ACCOUNT_CODE_PREFIX: &str = "CS-";

/// An account code as typed or scanned: `CS-` and 24 base32 characters, in groups of four.
/// Only its shape is checked here; the server checks its signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct AccountCode(String);

impl AccountCode {
    /// Number of base32 characters after the prefix.
    pub const BODY_LEN: usize = 24;

    pub fn parse(input: &str) -> Result<AccountCode, ApiError> {
        let upper = input.trim().to_ascii_uppercase();
        let bad = || {
            ApiError::new(ErrorKind::InvalidAccountCode, format!("`{}` is not a Camshare account code", input.trim()))
        };
        let body = upper.strip_prefix(ACCOUNT_CODE_PREFIX).ok_or_else(bad)?;
        let body: String = body.chars().filter(|c| *c != '-' && *c != ' ').collect();
        if body.len() != Self::BODY_LEN || !body.chars().all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)) {
            return Err(bad());
        }
        Ok(AccountCode::from_body(&body))
    }

    /// Builds the grouped form from the 24 base32 characters.
    pub fn from_body(body: &str) -> AccountCode {
        let groups: Vec<String> = body.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        AccountCode(format!("{ACCOUNT_CODE_PREFIX}{}", groups.join("-")))
    }

    /// The 24 base32 characters without prefix or dashes.
    pub fn body(&self) -> String {
        self.0[ACCOUNT_CODE_PREFIX.len()..].replace('-', "")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AccountCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which of the three forms an address took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddressKind {
    Email,
    Phone,
    AccountCode,
}

impl AddressKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AddressKind::Email => "email",
            AddressKind::Phone => "phone",
            AddressKind::AccountCode => "account_code",
        }
    }
}

/// Whom to share with, as the owner typed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RecipientAddress {
    Email(Email),
    Phone(Phone),
    AccountCode(AccountCode),
}

impl RecipientAddress {
    /// Recognises the form by its shape: `@` means email, a leading `+` or digits mean phone,
    /// `CS-` means account code.
    pub fn parse(input: &str) -> Result<RecipientAddress, ApiError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(ApiError::new(
                ErrorKind::InvalidInput,
                "enter an email address, a mobile number with its country code, or an account code",
            ));
        }
        if s.to_ascii_uppercase().starts_with(ACCOUNT_CODE_PREFIX) {
            return AccountCode::parse(s).map(RecipientAddress::AccountCode);
        }
        if s.contains('@') {
            return Email::parse(s).map(RecipientAddress::Email);
        }
        if s.starts_with('+') || s.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '(') {
            return Phone::parse(s).map(RecipientAddress::Phone);
        }
        Err(ApiError::new(
            ErrorKind::InvalidInput,
            format!("`{s}` is neither an email address, a mobile number with its country code, nor an account code"),
        ))
    }

    pub fn kind(&self) -> AddressKind {
        match self {
            RecipientAddress::Email(_) => AddressKind::Email,
            RecipientAddress::Phone(_) => AddressKind::Phone,
            RecipientAddress::AccountCode(_) => AddressKind::AccountCode,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            RecipientAddress::Email(e) => e.as_str(),
            RecipientAddress::Phone(p) => p.as_str(),
            RecipientAddress::AccountCode(c) => c.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_lower_cased_and_checked() {
        assert_eq!(Email::parse(" Ann@Example.COM ").unwrap().as_str(), "ann@example.com");
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "ann@@example.com",
            "ann@exa_mple.com",
            "ann@-x.com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidEmail, "{bad}");
        }
    }

    #[test]
    fn phone_needs_a_country_code() {
        assert_eq!(Phone::parse("+86 189-1234 5678").unwrap().as_str(), "+8618912345678");
        assert_eq!(Phone::parse("18912345678").unwrap_err().kind, ErrorKind::InvalidPhone);
        assert_eq!(Phone::parse("+0 123 456 789").unwrap_err().kind, ErrorKind::InvalidPhone);
        assert_eq!(Phone::parse("+1 23").unwrap_err().kind, ErrorKind::InvalidPhone);
        assert_eq!(Phone::parse("+1 555 CALL ME").unwrap_err().kind, ErrorKind::InvalidPhone);
    }

    #[test]
    fn address_form_is_recognised_by_shape() {
        assert_eq!(RecipientAddress::parse("bob@example.com").unwrap().kind(), AddressKind::Email);
        assert_eq!(RecipientAddress::parse("+44 7700 900123").unwrap().kind(), AddressKind::Phone);
        let code = "cs-abcd-efgh-ijkl-mnop-qrst-uvwx";
        let parsed = RecipientAddress::parse(code).unwrap();
        assert_eq!(parsed.as_str(), "CS-ABCD-EFGH-IJKL-MNOP-QRST-UVWX");
        assert_eq!(RecipientAddress::parse("07700 900123").unwrap_err().kind, ErrorKind::InvalidPhone);
        assert_eq!(RecipientAddress::parse("bob").unwrap_err().kind, ErrorKind::InvalidInput);
        assert_eq!(RecipientAddress::parse("CS-1234").unwrap_err().kind, ErrorKind::InvalidAccountCode);
    }
}
