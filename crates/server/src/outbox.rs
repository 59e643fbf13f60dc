//! Where the server's mails and text messages go: verification codes and links. Mail goes to an
//! SMTP relay (`--smtp-url`, sent with lettre) and text messages to an operator's SMS webhook
//! (`--sms-webhook`: a JSON `POST {"to", "text"}` their SMS provider's bridge turns into a
//! message). Without one of them, that kind of message is written to a folder instead
//! (`<data-dir>/outbox/`, mode 0700, each message a file of mode 0600), and the server says so
//! when it starts: the demo and a single-household server need no mail relay, and whoever runs
//! the server reads the codes there.

use std::path::{Path, PathBuf};
use std::time::Duration;

use camshare_api::{Email, Phone};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// How long one message may take to hand over.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a message could not be handed over.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the mail relay refused or failed: {0}")]
    Smtp(String),
    #[error("the SMS webhook failed: {0}")]
    Webhook(String),
    #[error("cannot write to the outbox folder: {0}")]
    Folder(#[from] std::io::Error),
    #[error("handing the message over took longer than {} s", SEND_TIMEOUT.as_secs())]
    Timeout,
}

/// Why the outbox settings cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("--smtp-url: {0}")]
    SmtpUrl(String),
    #[error("--mail-from is not a mailbox (e.g. `Camshare <camshare@example.org>`): {0}")]
    From(String),
    #[error("--sms-webhook must be an http:// or https:// URL")]
    Webhook,
}

#[derive(Clone)]
enum MailRoute {
    Smtp { transport: Box<AsyncSmtpTransport<Tokio1Executor>>, from: Mailbox, relay: String },
    Folder(PathBuf),
}

#[derive(Clone)]
enum TextRoute {
    Webhook { url: String, http: reqwest::Client },
    Folder(PathBuf),
}

/// The server's way out for mails and text messages.
#[derive(Clone)]
pub struct Outbox {
    mail: MailRoute,
    text: TextRoute,
}

impl Outbox {
    /// Mail through `smtp_url` (`smtp://host:port`, `smtp://user:pass@host:587?tls=required`,
    /// `smtps://host`), from `from`; text messages to `sms_webhook`; either one, when not given,
    /// to `folder`.
    pub fn new(
        smtp_url: Option<&str>,
        from: &str,
        sms_webhook: Option<&str>,
        folder: &Path,
    ) -> Result<Outbox, OutboxError> {
        let mail = match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| OutboxError::SmtpUrl(e.to_string()))?
                    .timeout(Some(SEND_TIMEOUT))
                    .build()
                    .into();
                let from: Mailbox =
                    from.parse().map_err(|e: lettre::address::AddressError| OutboxError::From(e.to_string()))?;
                // The relay as the log may show it: without a user name or password.
                let relay = url.split_once('@').map_or(url, |(_, host)| host).to_string();
                MailRoute::Smtp { transport, from, relay }
            }
            None => MailRoute::Folder(folder.to_path_buf()),
        };
        let text = match sms_webhook {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
                let http =
                    reqwest::Client::builder().timeout(SEND_TIMEOUT).build().map_err(|_| OutboxError::Webhook)?;
                TextRoute::Webhook { url: url.to_string(), http }
            }
            Some(_) => return Err(OutboxError::Webhook),
            None => TextRoute::Folder(folder.to_path_buf()),
        };
        Ok(Outbox { mail, text })
    }

    /// Where mails and texts go, in a sentence for the start-up log.
    pub fn describe(&self) -> String {
        let mail = match &self.mail {
            MailRoute::Smtp { relay, .. } => format!("mail goes to the relay {relay}"),
            MailRoute::Folder(folder) => {
                format!("no mail relay (--smtp-url): verification mails are written to {}", folder.display())
            }
        };
        let text = match &self.text {
            TextRoute::Webhook { .. } => "text messages go to the SMS webhook".to_string(),
            TextRoute::Folder(folder) => {
                format!("no SMS webhook (--sms-webhook): text messages are written to {}", folder.display())
            }
        };
        format!("{mail}; {text}")
    }

    /// Sends one plain-text mail.
    pub async fn send_mail(&self, to: &Email, subject: &str, body: &str) -> Result<(), SendError> {
        match &self.mail {
            MailRoute::Smtp { transport, from, .. } => {
                let to: Mailbox =
                    to.as_str().parse().map_err(|e: lettre::address::AddressError| SendError::Smtp(e.to_string()))?;
                let message = lettre::Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(subject)
                    .header(lettre::message::header::ContentType::TEXT_PLAIN)
                    .body(plain_body(body))
                    .map_err(|e| SendError::Smtp(e.to_string()))?;
                match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(e)) => Err(SendError::Smtp(e.to_string())),
                    Err(_) => Err(SendError::Timeout),
                }
            }
            MailRoute::Folder(folder) => {
                let text = format!("To: {to}\nSubject: {subject}\n\n{body}\n", to = to.as_str());
                write_private(folder, "mail", &text).await
            }
        }
    }

    /// Sends one text message.
    pub async fn send_text(&self, to: &Phone, body: &str) -> Result<(), SendError> {
        match &self.text {
            TextRoute::Webhook { url, http } => {
                let sent = http.post(url).json(&serde_json::json!({"to": to.as_str(), "text": body})).send().await;
                match sent.and_then(reqwest::Response::error_for_status) {
                    Ok(_) => Ok(()),
                    Err(e) if e.is_timeout() => Err(SendError::Timeout),
                    Err(e) => Err(SendError::Webhook(e.without_url().to_string())),
                }
            }
            TextRoute::Folder(folder) => {
                write_private(folder, "text", &format!("To: {}\n\n{body}\n", to.as_str())).await
            }
        }
    }
}

/// A mail body with its lines wrapped at 72 characters between words, so that plain 7-bit text
/// carries it (a line over 76 makes lettre choose quoted-printable, whose soft line breaks a
/// reader copying a link by hand would trip over); a word longer than a line, such as a link,
/// stays whole on a line of its own.
fn plain_body(text: &str) -> String {
    const WIDTH: usize = 72;
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut used = 0;
        for word in line.split(' ').filter(|w| !w.is_empty()) {
            let len = word.chars().count();
            if used > 0 && used + 1 + len > WIDTH {
                out.push('\n');
                used = 0;
            } else if used > 0 {
                out.push(' ');
                used += 1;
            }
            out.push_str(word);
            used += len;
        }
    }
    out
}

/// Writes one message as a new file only its owner can read, in a folder only its owner can
/// enter.
async fn write_private(folder: &Path, kind: &str, text: &str) -> Result<(), SendError> {
    let folder = folder.to_path_buf();
    let name = format!(
        "{}-{kind}-{}.txt",
        jiff::Timestamp::now().as_millisecond(),
        data_encoding::HEXLOWER.encode(&crate::secrets::random_bytes::<4>())
    );
    let text = text.to_string();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        #[cfg(unix)]
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        let mut dir = std::fs::DirBuilder::new();
        dir.recursive(true);
        #[cfg(unix)]
        dir.mode(0o700);
        dir.create(&folder)?;
        #[cfg(unix)]
        std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o700))?;
        let mut file = std::fs::OpenOptions::new();
        file.write(true).create_new(true);
        #[cfg(unix)]
        file.mode(0o600);
        file.open(folder.join(name))?.write_all(text.as_bytes())
    })
    .await
    .map_err(|e| SendError::Folder(std::io::Error::other(e)))??;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_lines_wrap_between_words_and_links_stay_whole() {
        let link = format!("https://cams.example.org/verify/{}", "x".repeat(60));
        let text = format!("{} {link} done.\n\nShort line.", "word ".repeat(30));
        let wrapped = plain_body(&text);
        assert!(wrapped.lines().all(|l| l.chars().count() <= 72 || l == link), "{wrapped}");
        assert!(wrapped.lines().any(|l| l == link), "the link was split: {wrapped}");
        assert!(wrapped.ends_with("\n\nShort line."), "{wrapped}");
    }
}
