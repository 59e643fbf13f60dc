//! Reading the messages the server sent: its outbox folder (`<data-dir>/outbox/`, where a
//! server without a mail relay writes mails and text messages) or the Maildir of the test's
//! real SMTP server ([`crate::smtp`]). Every file is one message; the newest is last.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Every message in `dir` (searched to any depth), oldest first, as text.
pub fn messages(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort_by_key(|path| std::fs::metadata(path).and_then(|m| m.modified()).ok());
    files.iter().filter_map(|path| std::fs::read_to_string(path).ok()).map(|m| unfold_quoted_printable(&m)).collect()
}

/// A quoted-printable mail's soft line breaks and `=3D` undone (enough for codes and links).
fn unfold_quoted_printable(message: &str) -> String {
    if !message.contains("Content-Transfer-Encoding: quoted-printable") {
        return message.to_string();
    }
    message.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=")
}

fn collect(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, into);
        } else {
            into.push(path);
        }
    }
}

/// The messages to `to` (an email address or phone number, as the server writes it).
pub fn messages_to(dir: &Path, to: &str) -> Vec<String> {
    let header = format!("To: {to}");
    messages(dir).into_iter().filter(|m| m.lines().any(|line| line.trim_end() == header)).collect()
}

/// Waits (up to 10 s) until `to` has more than `seen` messages; answers the newest.
pub async fn wait_for_message(dir: &Path, to: &str, seen: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut found = messages_to(dir, to);
        if found.len() > seen {
            return found.pop().unwrap();
        }
        assert!(Instant::now() < deadline, "no message for {to} arrived in {}", dir.display());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The six-digit code in a message ("Your Camshare code is 123456").
pub fn code_in(message: &str) -> String {
    let at = message.find("code is ").unwrap_or_else(|| panic!("no code in: {message}")) + "code is ".len();
    message[at..].chars().take_while(char::is_ascii_digit).collect()
}

/// The link in a mail (to verify a sign-up, or to reset a password).
pub fn link_in(message: &str) -> String {
    message
        .split_whitespace()
        .find(|word| word.starts_with("http://") || word.starts_with("https://"))
        .unwrap_or_else(|| panic!("no link in: {message}"))
        .to_string()
}
