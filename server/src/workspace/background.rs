//! Background work that follows opens and edits (rule checks, re-indexing a document) runs
//! on at most one blocking thread per core. An editor that restores 200 files starts 200
//! checks at once; unbounded, tokio's blocking pool grew to 200 threads on a 2-core machine,
//! each holding a parse alive at the same moment. Queued work waits for a slot instead,
//! in the order it was scheduled. Requests the user waits for (completions, code actions)
//! do not go through here, so they never queue behind a burst of checks.

use std::sync::Arc;

use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct BackgroundPool {
    slots: Arc<Semaphore>,
}

impl BackgroundPool {
    pub fn new(slots: usize) -> BackgroundPool {
        BackgroundPool {
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }

    /// One slot per core.
    pub fn for_this_machine() -> BackgroundPool {
        BackgroundPool::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `work` on a blocking thread once a slot is free; `None` if it panicked.
    pub async fn run<R: Send + 'static>(
        &self,
        work: impl FnOnce() -> R + Send + 'static,
    ) -> Option<R> {
        let _slot = self.slots.clone().acquire_owned().await.ok()?;
        tokio::task::spawn_blocking(work).await.ok()
    }
}

impl Default for BackgroundPool {
    fn default() -> BackgroundPool {
        BackgroundPool::for_this_machine()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_work_runs_at_once_than_there_are_slots() {
        let pool = BackgroundPool::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..16)
            .map(|_| {
                let pool = pool.clone();
                let running = running.clone();
                let most = most.clone();
                tokio::spawn(async move {
                    pool.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for job in jobs {
            assert_eq!(job.await.ok(), Some(Some(())));
        }
        assert!(most.load(Ordering::SeqCst) <= 2);
    }
}
