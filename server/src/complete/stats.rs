//! Counters since start and server-side latency, for `keel/status`.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

/// Latency samples kept for the percentiles: the most recent ones.
const SAMPLES: usize = 4096;

#[derive(Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub provider_calls: AtomicU64,
    pub cache_hits: AtomicU64,
    pub typing_through: AtomicU64,
    pub cancellations: AtomicU64,
    pub errors: AtomicU64,
    latencies: Mutex<VecDeque<Duration>>,
}

pub fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// What `keel/status` reports.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    pub provider: Option<String>,
    /// The configured model, or the file the embedded model runs.
    pub model: Option<String>,
    /// `ok`, `failing: <why>`, or `unavailable: <why>` when no provider could be built.
    pub health: String,
    pub requests: u64,
    pub provider_calls: u64,
    pub cache_hits: u64,
    pub typing_through_hits: u64,
    pub cancellations: u64,
    pub errors: u64,
    /// Time in Keel per answered request, excluding the debounce and the model's own time:
    /// what Keel adds to the model's latency.
    pub latency_ms: Latency,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub samples: usize,
}

impl Stats {
    pub fn record(&self, latency: Duration) {
        if let Ok(mut samples) = self.latencies.lock() {
            if samples.len() == SAMPLES {
                samples.pop_front();
            }
            samples.push_back(latency);
        }
    }

    pub fn status(
        &self,
        provider: Option<String>,
        model: Option<String>,
        health: String,
    ) -> Status {
        let mut samples: Vec<Duration> = self
            .latencies
            .lock()
            .map(|samples| samples.iter().copied().collect())
            .unwrap_or_default();
        samples.sort();
        let percentile = |p: f64| {
            let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
            samples
                .get(index)
                .map_or(0.0, |latency| latency.as_secs_f64() * 1000.0)
        };
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        Status {
            provider,
            model,
            health,
            requests: load(&self.requests),
            provider_calls: load(&self.provider_calls),
            cache_hits: load(&self.cache_hits),
            typing_through_hits: load(&self.typing_through),
            cancellations: load(&self.cancellations),
            errors: load(&self.errors),
            latency_ms: Latency {
                p50: percentile(0.5),
                p99: percentile(0.99),
                samples: samples.len(),
            },
        }
    }
}
