//! A circuit breaker per endpoint: after `THRESHOLD` failures in a row, requests fail at
//! once for a cool-down instead of each waiting for its own timeout (and an endpoint's
//! `Retry-After` holds requests back as long); after it, requests go
//! through again, and the first failure re-opens the circuit.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// Failures in a row that open the circuit.
const THRESHOLD: u32 = 3;

/// What the server shows the user: one message when the circuit opens, one when it closes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CircuitState {
    Closed,
    /// Failing; `reason` is the failure that opened the circuit.
    Open {
        reason: String,
    },
}

pub(crate) struct Breaker {
    cooldown: Duration,
    tally: Mutex<Tally>,
    state: watch::Sender<CircuitState>,
}

#[derive(Default)]
struct Tally {
    failures: u32,
    open_until: Option<Instant>,
}

impl Breaker {
    pub(crate) fn new(cooldown: Duration) -> Self {
        Breaker {
            cooldown,
            tally: Mutex::new(Tally::default()),
            state: watch::Sender::new(CircuitState::Closed),
        }
    }

    /// `Err(remaining)` while the circuit is open.
    pub(crate) fn admit(&self) -> Result<(), Duration> {
        let tally = self.lock();
        match tally.open_until {
            Some(until) => match until.checked_duration_since(Instant::now()) {
                Some(remaining) if !remaining.is_zero() => Err(remaining),
                _ => Ok(()),
            },
            None => Ok(()),
        }
    }

    pub(crate) fn success(&self) {
        let mut tally = self.lock();
        tally.failures = 0;
        tally.open_until = None;
        self.state.send_if_modified(|state| {
            let changed = *state != CircuitState::Closed;
            *state = CircuitState::Closed;
            changed
        });
    }

    /// No request goes out for `wait` (an endpoint's `Retry-After`), without opening the
    /// circuit: the endpoint is busy, not broken.
    pub(crate) fn hold(&self, wait: Duration) {
        let mut tally = self.lock();
        let until = Instant::now() + wait;
        if tally.open_until.is_none_or(|open| open < until) {
            tally.open_until = Some(until);
        }
    }

    pub(crate) fn failure(&self, reason: &str) {
        let mut tally = self.lock();
        tally.failures = tally.failures.saturating_add(1);
        if tally.failures < THRESHOLD {
            return;
        }
        tally.open_until = Some(Instant::now() + self.cooldown);
        // Still open after a failed trial: the same outage, so watchers hear nothing new.
        self.state.send_if_modified(|state| {
            if *state != CircuitState::Closed {
                return false;
            }
            *state = CircuitState::Open {
                reason: reason.to_string(),
            };
            true
        });
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<CircuitState> {
        self.state.subscribe()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tally> {
        // The tally is two plain numbers: one left by a panicking thread is still usable.
        self.tally
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_repeated_failures_and_closes_after_a_success() {
        let breaker = Breaker::new(Duration::from_secs(60));
        let mut watcher = breaker.subscribe();
        breaker.failure("one");
        breaker.failure("two");
        assert!(breaker.admit().is_ok());
        assert!(!watcher.has_changed().unwrap());
        breaker.failure("three");
        assert!(breaker.admit().is_err());
        assert!(watcher.has_changed().unwrap());
        assert_eq!(
            *watcher.borrow_and_update(),
            CircuitState::Open {
                reason: "three".into()
            }
        );
        breaker.failure("four");
        assert!(!watcher.has_changed().unwrap(), "one message per outage");
        breaker.success();
        assert!(breaker.admit().is_ok());
        assert_eq!(*watcher.borrow_and_update(), CircuitState::Closed);
    }

    #[test]
    fn a_hold_keeps_requests_back_without_opening_the_circuit() {
        let breaker = Breaker::new(Duration::from_secs(60));
        let watcher = breaker.subscribe();
        breaker.hold(Duration::from_secs(30));
        assert!(breaker.admit().is_err());
        assert!(!watcher.has_changed().unwrap(), "busy is not broken");
        // A shorter hold does not shorten a longer one.
        breaker.hold(Duration::from_millis(1));
        let remaining = breaker.admit().unwrap_err();
        assert!(remaining > Duration::from_secs(20), "{remaining:?}");
    }

    #[test]
    fn lets_a_trial_through_after_the_cooldown_and_reopens_on_its_failure() {
        let breaker = Breaker::new(Duration::from_millis(300));
        for _ in 0..THRESHOLD {
            breaker.failure("down");
        }
        assert!(breaker.admit().is_err());
        std::thread::sleep(Duration::from_millis(400));
        assert!(breaker.admit().is_ok());
        breaker.failure("still down");
        assert!(breaker.admit().is_err());
    }
}
