//! Synchronous SQLite reads for the hottest read route (`GET /api/shared-devices`).
//!
//! sqlx runs every SQLite connection on a thread of its own, so each query is a hand-over
//! between a tokio worker and that thread and back, and every column value is copied into an
//! `AnyRow`. Under load that hand-over, not SQLite, was most of the time (docs/BENCHMARKS.md
//! §2). These connections run the query on the calling thread instead. It blocks the tokio
//! worker for the length of one indexed read (tens of microseconds); in write-ahead-log mode a
//! reader never waits for the writer, so it cannot block longer than the read itself.
//!
//! Writes never go through here: each connection is `query_only`. A read sees every
//! transaction committed before it started, the same as a read through the pool.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Result, ServerError};

/// How many idle connections are kept; more are opened when needed and closed after use.
const MAX_IDLE: usize = 8;

/// A small pool of synchronous, read-only connections to one SQLite file.
pub struct SqliteReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl SqliteReads {
    /// Reads from the database file at `path`, which the sqlx pool has already created and
    /// migrated. Connections are opened on first use.
    pub fn new(path: &Path) -> SqliteReads {
        SqliteReads { path: path.to_path_buf(), idle: Mutex::new(Vec::new()) }
    }

    /// Runs `read` on an idle connection (opening one if there is none), on this thread.
    pub fn with<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let taken = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        let conn = match taken {
            Some(conn) => conn,
            None => self.open().map_err(read_error)?,
        };
        let result = read(&conn).map_err(read_error);
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
        result
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.execute_batch("PRAGMA query_only = ON")?;
        conn.set_prepared_statement_cache_capacity(16);
        Ok(conn)
    }
}

/// Database errors never reach clients: they become an internal error, logged by `ServerError`.
fn read_error(e: rusqlite::Error) -> ServerError {
    ServerError::internal(format!("database read failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_see_committed_writes_and_cannot_write() {
        let dir = std::env::temp_dir().join(format!("camshare-reads-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let file = dir.join("camshare.db");
        let db = crate::store::Db::connect(&format!("sqlite://{}", file.display())).await.unwrap();
        let reads = SqliteReads::new(&file);
        let count = |reads: &SqliteReads| {
            reads.with(|conn| conn.query_row("SELECT count(*) FROM accounts", [], |row| row.get::<_, i64>(0)))
        };
        assert_eq!(count(&reads).unwrap(), 0);
        sqlx::query(
            "INSERT INTO accounts (display_name, password_hash, code_id, time_zone, created_ms) \
             VALUES ('A', 'x', 'c', 'UTC', 0)",
        )
        .execute(&db.pool)
        .await
        .unwrap();
        assert_eq!(count(&reads).unwrap(), 1, "a committed write is visible to the next read");
        let write = reads.with(|conn| conn.execute("DELETE FROM accounts", []));
        assert!(write.is_err(), "read connections refuse writes");
        assert_eq!(count(&reads).unwrap(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
