//! The server process's use of the C allocator: how many glibc malloc arenas it may keep,
//! and giving freed heap back to the system once background work goes quiet.
//!
//! Owns: `limit_arenas` (called once at server start, before any thread exists) and
//! `IdleTrim`. Must never run on a request's path: trimming takes the allocator's lock, so
//! it only happens after a quiet period with no background work in flight. `keel check`
//! does not use any of this (it parses on every core and exits).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// How long the background work must stay quiet before the heap is trimmed: longer than the
/// diagnostics debounce, so a typing burst is trimmed once at its end, not per check.
const QUIET: Duration = Duration::from_secs(1);

/// Opening a document runs a rule check on tokio's blocking pool. glibc gives each of the
/// pool's threads a malloc arena of its own (up to eight per core), and every arena keeps
/// what its checks freed: 200 opened files held 70 MB (55 MB with two arenas, 48 MB with
/// one). One arena suits a server whose hot paths are single requests.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator parameter; the caller runs it before any
    // other thread of this process exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

/// Counts background work in flight; when the last piece ends and nothing new starts for
/// `QUIET`, returns the heap's free pages to the system. glibc only gives back memory at the
/// top of the heap by itself, so what 200 files' rule checks freed in the middle stayed
/// resident (7 MB of the 51 MB measured with 200 files open).
#[derive(Default)]
pub struct IdleTrim {
    busy: AtomicUsize,
    /// Bumped whenever work starts, so a trim scheduled before it is dropped.
    started: AtomicU64,
}

/// Held while a piece of background work runs; dropping it may schedule a trim.
pub struct Busy(Arc<IdleTrim>);

impl IdleTrim {
    pub fn begin(self: &Arc<Self>) -> Busy {
        self.started.fetch_add(1, Ordering::SeqCst);
        self.busy.fetch_add(1, Ordering::SeqCst);
        Busy(self.clone())
    }

    fn quiet_since(&self, started: u64) -> bool {
        self.busy.load(Ordering::SeqCst) == 0 && self.started.load(Ordering::SeqCst) == started
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if self.0.busy.fetch_sub(1, Ordering::SeqCst) != 1 {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let started = self.0.started.load(Ordering::SeqCst);
        let trim = self.0.clone();
        runtime.spawn(async move {
            tokio::time::sleep(QUIET).await;
            if trim.quiet_since(started) {
                let _ = tokio::task::spawn_blocking(release_free_heap).await;
            }
        });
    }
}

fn release_free_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free pages to the kernel; it takes the allocator's
    // own locks and touches no memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}
