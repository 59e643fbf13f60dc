//! Runs the `camshare` binary as a user would, against a test server.

use camshare_testkit::{Engine, TestApp, outbox, spawn_app, spawn_app_tls};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

/// A test server and a way to run the CLI against it.
pub struct Cli {
    pub app: TestApp,
    /// Whether runs get the server's fingerprint in `CAMSHARE_PIN` (a TLS server's, when it has one).
    pub pin: bool,
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Waits for the process and keeps what it printed.
    async fn of(child: tokio::process::Child) -> Run {
        let out = child.wait_with_output().await.unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// A signed-in person: their access token for `CAMSHARE_TOKEN`.
#[derive(Debug, Clone)]
pub struct User {
    pub token: String,
}

impl Cli {
    pub async fn start(engine: Engine) -> Cli {
        Cli { app: spawn_app(engine).await, pin: false }
    }

    /// A test server with a self-signed certificate (HTTPS and RTSPS); the CLI runs pin its
    /// fingerprint through `CAMSHARE_PIN`.
    pub async fn start_tls(engine: Engine) -> Cli {
        Cli { app: spawn_app_tls(engine).await, pin: true }
    }

    /// Starts `camshare ARGS…` against the test server as `user` (or signed out), its stdin,
    /// stdout and stderr piped.
    fn spawn(&self, user: Option<&User>, args: &[&str]) -> tokio::process::Child {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_camshare"));
        cmd.args(args)
            .env("CAMSHARE_SERVER", &self.app.base_url)
            .env_remove("CAMSHARE_TOKEN")
            .env_remove("CAMSHARE_PIN")
            .env_remove("CAMSHARE_INSECURE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        if let Some(user) = user {
            cmd.env("CAMSHARE_TOKEN", &user.token);
        }
        if let Some(pin) = self.app.trust.pinned
            && self.pin
        {
            cmd.env("CAMSHARE_PIN", pin.to_string());
        }
        cmd.spawn().expect("the camshare binary runs")
    }

    /// Runs `camshare ARGS…` as `user` (or signed out), with `stdin` piped in.
    pub async fn run(&self, user: Option<&User>, args: &[&str], stdin: &str) -> Run {
        let mut child = self.spawn(user, args);
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.as_bytes()).await.unwrap();
        drop(pipe);
        Run::of(child).await
    }

    /// Runs a command that must succeed; returns its output.
    pub async fn ok(&self, user: &User, args: &[&str]) -> Run {
        let run = self.run(Some(user), args, "").await;
        assert_eq!(run.code, 0, "camshare {} failed: {}", args.join(" "), run.stderr);
        run
    }

    /// Runs a command with `--json` that must succeed; returns the JSON.
    pub async fn json(&self, user: &User, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        self.ok(user, &all).await.json()
    }

    /// Runs a command that must fail with this exit code and error kind.
    pub async fn fails(&self, user: Option<&User>, args: &[&str], code: i32, kind: &str) -> Run {
        let run = self.run(user, args, "").await;
        assert_eq!(run.code, code, "camshare {}: {} {}", args.join(" "), run.stdout, run.stderr);
        assert!(
            run.stderr.contains(&format!("error[{kind}]")),
            "camshare {}: stderr lacks error[{kind}]: {}",
            args.join(" "),
            run.stderr
        );
        run
    }

    /// `camshare signup … --print-token`: the password on stdin, then — once the server has sent
    /// it — the code from the server's outbox, as a person types it after reading the mail.
    pub async fn sign_up(&self, name: &str, login_flag: &str, login: &str) -> User {
        let run = self
            .run_with_code(None, &["signup", login_flag, login, "--name", name, "--print-token"], "password123\n", "")
            .await;
        assert_eq!(run.code, 0, "signup {login}: {}", run.stderr);
        assert!(run.stderr.contains("A code was sent to"), "{}", run.stderr);
        User { token: run.stdout.trim().to_string() }
    }

    /// Runs a command that waits for a code the server sends: `before` on stdin first, then —
    /// once a new message is in the server's outbox — its code and `after`.
    pub async fn run_with_code(&self, user: Option<&User>, args: &[&str], before: &str, after: &str) -> Run {
        let outbox = self.app.outbox();
        let seen = outbox::messages(&outbox).len();
        let mut child = self.spawn(user, args);
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(before.as_bytes()).await.unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let message = loop {
            if let Some(newest) = outbox::messages(&outbox).get(seen).cloned() {
                break newest;
            }
            assert!(std::time::Instant::now() < deadline, "camshare {}: no code was sent", args.join(" "));
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        };
        pipe.write_all(format!("{}\n{after}", outbox::code_in(&message)).as_bytes()).await.unwrap();
        drop(pipe);
        Run::of(child).await
    }

    /// Adds a device; the camera password comes on stdin. Returns its id.
    pub async fn add_device(&self, user: &User, args: &[&str]) -> i64 {
        let mut all = vec!["--json", "device", "add"];
        all.extend_from_slice(args);
        let run = self.run(Some(user), &all, "CameraSecret99\n").await;
        assert_eq!(run.code, 0, "device add: {}", run.stderr);
        run.json()["id"].as_i64().unwrap()
    }
}
