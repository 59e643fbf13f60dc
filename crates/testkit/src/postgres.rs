//! A throwaway Postgres cluster for the tests: `initdb` in a temp folder, listening on loopback
//! only, started once per test binary and stopped by a watchdog when the binary exits. As root,
//! the cluster runs as the `postgres` system user (Postgres refuses to run as root).
//! `CAMSHARE_TEST_POSTGRES_URL` points the tests at an existing server instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

static ADMIN_URL: OnceLock<String> = OnceLock::new();

/// The URL of a database where tests may `CREATE DATABASE`.
pub fn admin_url() -> &'static str {
    ADMIN_URL.get_or_init(|| std::env::var("CAMSHARE_TEST_POSTGRES_URL").unwrap_or_else(|_| start_cluster()))
}

fn bin_dir() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("Postgres is not installed: run ./scripts/setup.sh (Debian package `postgresql`)")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop().expect("no /usr/lib/postgresql/*/bin/initdb: install the Debian package `postgresql`")
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// Runs a Postgres tool, as the `postgres` user when we are root.
fn pg_command(root: bool, program: &Path) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn run(mut cmd: Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn start_cluster() -> String {
    let bin = bin_dir();
    let root = is_root();
    let dir = std::env::temp_dir().join(format!("camshare-pg-{}-{}", std::process::id(), free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    if root {
        let mut chown = Command::new("chown");
        chown.args(["-R", "postgres:postgres"]).arg(&dir);
        run(chown, "chown of the Postgres test folder");
    }
    let data = dir.join("data");
    let mut initdb = pg_command(root, &bin.join("initdb"));
    initdb.arg("-D").arg(&data).args([
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync",
        "--no-instructions",
    ]);
    run(initdb, "initdb");
    let port = free_port();
    let options = format!(
        "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=500 -c shared_buffers=64MB",
        dir.display()
    );
    let mut start = pg_command(root, &bin.join("pg_ctl"));
    start.arg("-D").arg(&data).arg("-l").arg(dir.join("log")).arg("-o").arg(options).args(["-w", "start"]);
    run(start, "pg_ctl start");
    // Stop the cluster and delete its folder once this test binary has exited. The watchdog is
    // deliberately never waited for: it must outlive us.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {prefix}{pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        prefix = if root { "runuser -u postgres -- " } else { "" },
        pg_ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.display(),
    );
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .arg("-c")
        .arg(stop)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("watchdog for the Postgres test cluster");
    format!("postgres://postgres@127.0.0.1:{port}/postgres")
}

/// A new empty database on the test cluster; returns its URL.
pub async fn fresh_database() -> String {
    use sqlx::Connection;
    let admin = admin_url();
    let name = format!("t_{}", &camshare_server::secrets::new_token().to_lowercase().replace(['-', '_'], "")[..16]);
    let mut conn = sqlx::PgConnection::connect(admin).await.expect("connect to the Postgres test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    let base = admin.rsplit_once('/').expect("URL with a database").0;
    format!("{base}/{name}")
}
