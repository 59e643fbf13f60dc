//! The server's long-running background tasks, kept in one place so that stopping the server
//! stops them all, and a test can see that they ended.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;

/// One task and the name it is reported by.
type Named = (&'static str, JoinHandle<()>);

/// Named background tasks; cloning shares the same set.
#[derive(Clone, Default)]
pub struct BackgroundTasks {
    running: Arc<Mutex<Vec<Named>>>,
}

impl BackgroundTasks {
    /// Starts `task` on the current runtime and keeps its handle.
    pub fn spawn(&self, name: &'static str, task: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(task);
        self.running.lock().expect("tasks lock").push((name, handle));
    }

    /// The names of the tasks that have not finished.
    pub fn running(&self) -> Vec<&'static str> {
        let running = self.running.lock().expect("tasks lock");
        running.iter().filter(|(_, h)| !h.is_finished()).map(|(name, _)| *name).collect()
    }

    /// Cancels every task and waits until each has ended.
    pub async fn stop_all(&self) {
        let mut all: Vec<_> = std::mem::take(&mut *self.running.lock().expect("tasks lock"));
        for (_, handle) in &all {
            handle.abort();
        }
        for (name, handle) in &mut all {
            if let Err(e) = handle.await
                && !e.is_cancelled()
            {
                tracing::warn!(task = *name, error = %e, "a background task failed");
            }
        }
        // Kept, finished, so `running` tells the truth about them.
        self.running.lock().expect("tasks lock").extend(all);
    }
}
