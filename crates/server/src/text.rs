//! The one rule for text people type that others will read — names of accounts, devices and
//! channels, remarks: trimmed, not empty, not too long, and nothing that is not shown as itself.
//! Control characters are refused, and so are Unicode format characters (bidi overrides and
//! isolates that reorder what a reader sees, zero-width spaces and joiners that hide inside a
//! name, tags), so "Bob" cannot be shown for a name that is not "Bob". A zero-width joiner or
//! non-joiner between two letters of a script that needs them (emoji sequences, Persian, the
//! Indic scripts) is not hidden and is kept.

use camshare_api::ApiError;

/// `value`, trimmed, if it is 1 to `max` characters of showable text; the refusal names `field`
/// and says what is wrong.
pub fn check_name(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::invalid(field, format!("the {} must not be empty", field.replace('_', " "))));
    }
    if v.chars().count() > max {
        return Err(ApiError::invalid(
            field,
            format!("the {} is longer than {max} characters", field.replace('_', " ")),
        ));
    }
    if let Some(c) = first_hidden(v) {
        let what = if c.is_control() { "a control character" } else { "an invisible formatting character" };
        return Err(ApiError::invalid(
            field,
            format!("the {} contains {what} (U+{:04X})", field.replace('_', " "), c as u32),
        ));
    }
    Ok(v.to_string())
}

/// The first character of `text` that would not be shown as itself.
fn first_hidden(text: &str) -> Option<char> {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().find_map(|(i, &c)| {
        if c.is_control() {
            return Some(c);
        }
        if c == '\u{200C}' || c == '\u{200D}' {
            // A joiner is fine between two non-ASCII characters (🧑‍🦰, فارسی); next to ASCII or
            // at an edge it only hides.
            let before = i.checked_sub(1).and_then(|j| chars.get(j));
            let after = chars.get(i + 1);
            let joins = matches!((before, after), (Some(b), Some(a)) if !b.is_ascii() && !a.is_ascii() && !is_format(*b) && !is_format(*a));
            return (!joins).then_some(c);
        }
        is_format(c).then_some(c)
    })
}

/// Unicode's format characters (general category Cf), listed.
fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}' | '\u{0890}'..='\u{0891}'
        | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_show_as_themselves_are_kept() {
        for name in
            ["Bob", "  Front door ", "Ана", "李小龙", "محمد", "Family 👨\u{200D}👩\u{200D}👧", "می\u{200C}خواهم", "Zoë"]
        {
            assert_eq!(check_name("name", name, 64).as_deref(), Ok(name.trim()), "{name:?}");
        }
    }

    #[test]
    fn hidden_and_reordering_characters_are_refused() {
        for name in [
            "Bob\u{202E}evil",
            "Bo\u{200B}b",
            "Bo\u{200C}b",
            "\u{200D}Bob",
            "Bob\u{2066}",
            "\u{FEFF}Bob",
            "Bob\u{E0041}",
            "Bo\u{00AD}b",
            "Bob\u{7}",
            "Bob\nAlice",
            "🧑\u{200D}",
        ] {
            let e = check_name("display_name", name, 64).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("display_name"), "{name:?}");
        }
        assert!(check_name("name", "   ", 64).is_err());
        assert!(check_name("name", &"x".repeat(65), 64).is_err());
    }
}
