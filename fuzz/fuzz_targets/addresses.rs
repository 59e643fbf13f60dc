//! Recipient addresses as a person types them (email, mobile number, account code): parsing
//! never panics, and what parses reads back to itself.
#![no_main]

use camshare_api::{AccountCode, Email, Phone, RecipientAddress};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(address) = RecipientAddress::parse(text) {
        let again = RecipientAddress::parse(address.as_str()).expect("a parsed address parses again");
        assert_eq!(again, address);
    }
    if let Ok(email) = Email::parse(text) {
        assert_eq!(Email::parse(email.as_str()).expect("again"), email);
    }
    if let Ok(phone) = Phone::parse(text) {
        assert_eq!(Phone::parse(phone.as_str()).expect("again"), phone);
    }
    if let Ok(code) = AccountCode::parse(text) {
        assert_eq!(AccountCode::parse(code.as_str()).expect("again"), code);
    }
});
