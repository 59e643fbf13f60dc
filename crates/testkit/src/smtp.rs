//! A real SMTP server for mail tests: Python's aiosmtpd (Debian's `python3-aiosmtpd`, installed
//! by `scripts/setup.sh`) on a loopback port, storing every mail it receives in a Maildir. The
//! server under test sends to it with its real SMTP client; nothing of the sender is mocked.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running SMTP server; stopped when dropped.
pub struct SmtpSink {
    pub port: u16,
    /// Where received mails are (a Maildir: `new/` holds one file per mail).
    pub maildir: PathBuf,
    child: Child,
}

impl SmtpSink {
    /// Starts aiosmtpd on 127.0.0.1 and waits until it takes connections.
    pub fn start() -> SmtpSink {
        let maildir = crate::temp_dir("camshare-smtp");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Debian's Python, which has Debian's aiosmtpd (a python3 earlier on PATH may not).
        let python = if std::path::Path::new("/usr/bin/python3").exists() { "/usr/bin/python3" } else { "python3" };
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd runs (scripts/setup.sh installs python3-aiosmtpd)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpSink { port, maildir, child }
    }

    /// The `--smtp-url` that reaches it.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
