//! Storage: one schema on SQLite or Postgres through sqlx's `Any` driver. Each submodule owns
//! the SQL of one domain noun. Writes that touch several rows run in one transaction
//! (`Db::write`), so nothing half-done is ever stored.

pub mod accounts;
pub mod activity;
pub mod blocked_owners;
pub mod devices;
pub mod events;
pub mod password_resets;
pub mod pending_sign_ups;
pub mod recipients;
pub mod session_cache;
pub mod sessions;
pub mod shares;
pub mod sqlite_reads;
pub mod tickets;

use std::sync::Arc;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::error::{Result, ServerError};

/// Which database engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle every route shares.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite allows one writer at a time; taking this lock before `BEGIN` turns what would be
    /// `SQLITE_BUSY` failures under load into a short queue. Unused on Postgres.
    write_lock: Arc<Mutex<()>>,
    /// Wakes open event streams when their account gets an event.
    pub hub: events::EventHub,
    /// Recently validated access tokens.
    pub sessions: session_cache::SessionCache,
    /// Synchronous read connections for the hottest read route; SQLite files only (not
    /// Postgres, not `:memory:`, which a second connection could not see).
    pub sqlite_reads: Option<Arc<sqlite_reads::SqliteReads>>,
}

/// A write transaction, holding the SQLite write lock while it lives.
pub struct WriteTx<'a> {
    pub tx: Transaction<'static, Any>,
    pub backend: Backend,
    /// Whether this transaction already holds the events lock (Postgres only).
    pub(crate) events_locked: bool,
    /// Accounts that got events in this transaction; woken after commit.
    pub(crate) notify: Vec<camshare_api::AccountId>,
    hub: events::EventHub,
    _guard: Option<MutexGuard<'a, ()>>,
}

impl std::ops::Deref for WriteTx<'_> {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl WriteTx<'_> {
    /// Commits, then wakes the event streams of every account that got an event.
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        self.hub.notify(&self.notify);
        self.hub.committed();
        Ok(())
    }
}

impl Db {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`, and migrates.
    pub async fn connect(url: &str) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(ServerError::internal(format!(
                "unsupported database URL `{url}`: use sqlite://PATH or postgres://USER@HOST/DB"
            )));
        };
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let sqlite_file = match backend {
            Backend::Sqlite => sqlite_file(&url),
            Backend::Postgres => None,
        };
        if let Some(file) = &sqlite_file {
            make_private(file)?;
        }
        let options: AnyConnectOptions = url.parse()?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            // sqlx pings every idle connection before lending it out, to weed out connections a
            // database server dropped. A SQLite connection is a file in this process that nothing
            // can drop, and the ping is a round trip to its worker thread on every query (about
            // a fifth of the time of `GET /api/shared-devices`; docs/BENCHMARKS.md).
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        use sqlx::Executor;
                        for pragma in SQLITE_PRAGMAS {
                            conn.execute(*pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let db = Db {
            pool,
            backend,
            write_lock: Arc::new(Mutex::new(())),
            hub: events::EventHub::default(),
            sessions: session_cache::SessionCache::default(),
            sqlite_reads: sqlite_file.map(|file| Arc::new(sqlite_reads::SqliteReads::new(&file))),
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.run(&self.pool).await.map_err(|e| ServerError::internal(format!("migration failed: {e}")))
    }

    /// Begins a write transaction (see `events::insert` for how event ids stay ordered).
    pub async fn write(&self) -> Result<WriteTx<'_>> {
        let guard = match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().await),
            Backend::Postgres => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx {
            tx,
            backend: self.backend,
            events_locked: false,
            notify: Vec::new(),
            hub: self.hub.clone(),
            _guard: guard,
        })
    }
}

/// Per-connection SQLite settings: write-ahead log (readers never wait for the writer),
/// enforced foreign keys (deleting a device deletes its shares), and a wait instead of an
/// immediate `SQLITE_BUSY`.
const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
];

/// Makes sure the SQLite file's folder exists and asks sqlx to create the file.
fn sqlite_url(url: &str) -> Result<String> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    if path != ":memory:"
        && !path.is_empty()
        && let Some(parent) = std::path::Path::new(path).parent()
    {
        std::fs::create_dir_all(parent)
            .map_err(|e| ServerError::internal(format!("cannot create {}: {e}", parent.display())))?;
    }
    let query = if query.is_empty() { "mode=rwc".to_string() } else { query.to_string() };
    Ok(format!("sqlite://{path}?{query}"))
}

/// The database holds hashed tokens and encrypted camera logins: only the server's own user may
/// read it. The file is created (or tightened) to mode 0600 before SQLite opens it; SQLite gives
/// its `-wal` and `-shm` files the database file's mode, and any left from before are tightened.
fn make_private(file: &std::path::Path) -> Result<()> {
    let denied = |e: std::io::Error| ServerError::internal(format!("cannot make {} private: {e}", file.display()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(file).map_err(denied)?;
        for suffix in ["", "-wal", "-shm"] {
            let path = std::path::PathBuf::from(format!("{}{suffix}", file.display()));
            if path.exists() {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).map_err(denied)?;
            }
        }
    }
    #[cfg(not(unix))]
    std::fs::OpenOptions::new().create(true).append(true).open(file).map_err(denied)?;
    Ok(())
}

/// The file behind a `sqlite://PATH?…` URL, read the way sqlx reads it (percent-decoded);
/// `None` for an in-memory database, which no second connection could see.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.trim_start_matches("sqlite://");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path.is_empty() || path == ":memory:" || query.split('&').any(|pair| pair == "mode=memory") {
        return None;
    }
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().ok()?;
    Some(options.get_filename().to_path_buf())
}

/// Whether a database error is a unique-constraint violation (a duplicate email, an already
/// active share), which callers turn into a `conflict`.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

#[cfg(test)]
mod tests {
    use super::sqlite_file;
    use std::path::PathBuf;

    #[test]
    fn the_sqlite_file_is_read_like_sqlx_reads_it() {
        assert_eq!(sqlite_file("sqlite:///data/camshare.db?mode=rwc"), Some(PathBuf::from("/data/camshare.db")));
        assert_eq!(sqlite_file("sqlite:///my%20data/a.db?mode=rwc"), Some(PathBuf::from("/my data/a.db")));
        assert_eq!(sqlite_file("sqlite://rel.db"), Some(PathBuf::from("rel.db")));
        assert_eq!(sqlite_file("sqlite://:memory:?mode=rwc"), None);
        assert_eq!(sqlite_file("sqlite:///x.db?mode=memory"), None);
    }
}
