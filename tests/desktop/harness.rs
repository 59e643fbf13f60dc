//! Real-window test harness: app instances driven through tauri-driver + WebKitWebDriver, each on
//! its own Xvfb display with its own D-Bus session bus (one driver per instance: WebKit's driver
//! holds one session at a time). A display per app means a capture of the display's root window
//! (ImageMagick's `import`) is exactly that app's window, as a person would see it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A child process killed (with its process group) when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let group = self.0.id() as libc::pid_t;
        // The child was started in its own process group: end it and everything it started.
        // Called directly, not through /bin/kill: Debian 12's procps 4.0.2 misreads
        // `kill -TERM -PGID` and can signal every process on the machine.
        assert!(group > 1, "not a process group of ours: {group}");
        // SAFETY: kill(2) has no memory effects; a negative pid names exactly our child's group.
        unsafe { libc::kill(-group, libc::SIGTERM) };
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_group(cmd: &mut Command) -> Guard {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
    Guard(cmd.spawn().unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e} (run ./scripts/setup.sh)")))
}

/// An X display (Xvfb) and a D-Bus session bus for the apps.
pub struct Desktop {
    _xvfb: Guard,
    _bus: Guard,
    pub display: String,
    pub bus_address: String,
    pub width: u32,
    pub height: u32,
}

impl Desktop {
    pub fn start(width: u32, height: u32) -> Desktop {
        // Xvfb picks a free display number itself and writes it to stdout (-displayfd).
        let mut xvfb = Command::new("Xvfb");
        xvfb.args(["-displayfd", "1", "-screen", "0", &format!("{width}x{height}x24"), "-nolisten", "tcp"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut xvfb = spawn_group(&mut xvfb);
        let mut number = String::new();
        {
            use std::io::BufRead;
            let out = xvfb.0.stdout.as_mut().unwrap();
            std::io::BufReader::new(out).read_line(&mut number).unwrap();
        }
        let number = number.trim();
        assert!(!number.is_empty(), "Xvfb did not start");
        let display = format!(":{number}");
        let mut bus = Command::new("dbus-daemon");
        bus.args(["--session", "--nofork", "--print-address=1"]).stdout(Stdio::piped()).stderr(Stdio::null());
        let mut bus = spawn_group(&mut bus);
        let mut address = String::new();
        {
            use std::io::BufRead;
            let out = bus.0.stdout.as_mut().unwrap();
            std::io::BufReader::new(out).read_line(&mut address).unwrap();
        }
        Desktop { _xvfb: xvfb, _bus: bus, display, bus_address: address.trim().to_string(), width, height }
    }

    /// Saves a PNG of the top-left `width`×`height` of the screen: the app window, which sits at
    /// the origin (there is no window manager to move or decorate it).
    pub fn capture(&self, path: &Path, width: u32, height: u32) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let status = Command::new("import")
            .args(["-display", &self.display, "-window", "root", "-crop", &format!("{width}x{height}+0+0")])
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .expect("cannot run ImageMagick's import (run ./scripts/setup.sh)");
        assert!(status.success(), "import could not capture {}", self.display);
    }
}

/// The app binary under test.
pub fn app_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_camshare-desktop"))
}

fn tauri_driver() -> PathBuf {
    let home = PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo/bin/tauri-driver");
    if home.exists() { home } else { PathBuf::from("tauri-driver") }
}

/// One running app instance under WebDriver control.
pub struct App {
    pub client: Client,
    _driver: Guard,
    /// The display this app runs on (dropped after the driver: fields drop in order).
    pub desktop: Desktop,
    pub home: PathBuf,
    size: (u32, u32),
}

impl App {
    /// Starts the app with `--profile PROFILE --server URL` in a fresh home folder, on a display
    /// of its own.
    pub async fn launch(server_url: &str, profile: &str, width: u32, height: u32) -> App {
        let desktop = Desktop::start(width, height);
        let home = std::env::temp_dir().join(format!("camshare-e2e-{profile}-{}", free_port()));
        let runtime = home.join("runtime");
        std::fs::create_dir_all(&runtime).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let (port, native_port) = (free_port(), free_port());
        let mut cmd = Command::new(tauri_driver());
        cmd.args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("DISPLAY", &desktop.display)
            .env("DBUS_SESSION_BUS_ADDRESS", &desktop.bus_address)
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("GDK_BACKEND", "x11")
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1")
            .env("NO_AT_BRIDGE", "1")
            .env("CAMSHARE_KEYCHAIN", "mock")
            .stdout(std::fs::File::create(home.join("driver.log")).unwrap())
            .stderr(std::fs::File::create(home.join("driver.err.log")).unwrap());
        let driver = spawn_group(&mut cmd);
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({"application": app_binary(), "args": ["--profile", profile, "--server", server_url]}),
        );
        caps.insert("browserName".into(), "wry".into());
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            match ClientBuilder::rustls().expect("rustls").capabilities(caps.clone()).connect(&url).await {
                Ok(client) => {
                    client.set_window_rect(0, 0, width, height).await.unwrap();
                    return App { client, _driver: driver, desktop, home, size: (width, height) };
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("could not start a WebDriver session on {url}: {last:?}");
    }

    /// Resizes the window (kept at the screen's origin); screenshots are cropped to it.
    pub async fn resize(&mut self, width: u32, height: u32) {
        assert!(width <= self.desktop.width && height <= self.desktop.height, "bigger than the screen");
        self.client.set_window_rect(0, 0, width, height).await.unwrap();
        self.size = (width, height);
        // Let the page lay itself out again before anyone captures it.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// Ends the WebDriver session (WebKitWebDriver then ends the app); the driver goes on drop.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        let _ = std::fs::remove_dir_all(&self.home);
    }

    pub fn css(testid: &str) -> Locator<'static> {
        Locator::Css(Box::leak(format!("[data-testid=\"{testid}\"]").into_boxed_str()))
    }

    /// Waits (up to 15 s) for the element with this `data-testid`. On failure, the screen as it
    /// was goes to the system temp folder, named in the panic message.
    pub async fn find(&self, testid: &str) -> Element {
        match self.client.wait().at_most(Duration::from_secs(15)).for_element(Self::css(testid)).await {
            Ok(element) => element,
            Err(e) => {
                let shot = self.home.with_extension("failure.png");
                self.desktop.capture(&shot, self.size.0, self.size.1);
                panic!("no element [data-testid={testid}]: {e}; the screen then: {}", shot.display())
            }
        }
    }

    pub async fn click(&self, testid: &str) {
        self.find(testid).await.click().await.unwrap_or_else(|e| panic!("click {testid}: {e}"));
    }

    pub async fn fill(&self, testid: &str, text: &str) {
        let field = self.find(testid).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap_or_else(|e| panic!("type into {testid}: {e}"));
    }

    pub async fn text(&self, testid: &str) -> String {
        self.find(testid).await.text().await.unwrap()
    }

    /// Ticks or unticks a checkbox / switch.
    pub async fn set_checked(&self, testid: &str, on: bool) {
        let field = self.find(testid).await;
        if field.is_selected().await.unwrap() != on {
            field.click().await.unwrap_or_else(|e| panic!("click {testid}: {e}"));
        }
        assert_eq!(self.find(testid).await.is_selected().await.unwrap(), on, "{testid} did not switch");
    }

    /// Waits until the element is there, or panics after `limit`; returns how long it took.
    pub async fn wait_present(&self, testid: &str, limit: Duration) -> Duration {
        let start = std::time::Instant::now();
        while !self.exists(testid).await {
            assert!(start.elapsed() < limit, "[data-testid={testid}] not there after {limit:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        start.elapsed()
    }

    /// Whether an element is on the page right now (no waiting).
    pub async fn exists(&self, testid: &str) -> bool {
        self.client.find(Self::css(testid)).await.is_ok()
    }

    /// Waits until the element is gone, or panics after `limit`.
    pub async fn wait_gone(&self, testid: &str, limit: Duration) -> Duration {
        let start = std::time::Instant::now();
        while self.exists(testid).await {
            assert!(start.elapsed() < limit, "[data-testid={testid}] still there after {limit:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        start.elapsed()
    }

    /// Saves a PNG of the window as it is on screen, after the page has painted twice.
    pub async fn screenshot(&self, path: &Path) {
        let script = "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));";
        self.client.execute_async(script, vec![]).await.unwrap();
        self.desktop.capture(path, self.size.0, self.size.1);
    }
}
