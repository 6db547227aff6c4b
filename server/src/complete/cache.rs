//! The model's answers, keyed by the prompt that produced them: returning to the same spot
//! costs nothing.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::llm::FimRequest;

/// A prompt's identity: everything in the request that changes the model's answer.
pub fn key(request: &FimRequest) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    request.prefix.hash(&mut hasher);
    request.suffix.hash(&mut hasher);
    for snippet in &request.snippets {
        snippet.path.hash(&mut hasher);
        snippet.text.hash(&mut hasher);
    }
    request.stop.hash(&mut hasher);
    request.max_tokens.hash(&mut hasher);
    request.temperature.to_bits().hash(&mut hasher);
    hasher.finish()
}

/// Least-recently-used answers, at most `capacity` of them.
pub struct Lru {
    capacity: usize,
    clock: u64,
    entries: HashMap<u64, (String, u64)>,
}

impl Lru {
    pub fn new(capacity: usize) -> Lru {
        Lru {
            capacity: capacity.max(1),
            clock: 0,
            entries: HashMap::new(),
        }
    }

    pub fn get(&mut self, key: u64) -> Option<String> {
        self.clock += 1;
        let clock = self.clock;
        self.entries.get_mut(&key).map(|(text, used)| {
            *used = clock;
            text.clone()
        })
    }

    pub fn insert(&mut self, key: u64, text: String) {
        self.clock += 1;
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            // A linear scan: the cache is small, and inserts happen once per model call.
            if let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(key, _)| *key)
            {
                self.entries.remove(&oldest);
            }
        }
        self.entries.insert(key, (text, self.clock));
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_answer_goes_first() {
        let mut lru = Lru::new(2);
        lru.insert(1, "one".into());
        lru.insert(2, "two".into());
        assert_eq!(lru.get(1).as_deref(), Some("one"));
        lru.insert(3, "three".into());
        assert_eq!(lru.get(2), None);
        assert_eq!(lru.get(1).as_deref(), Some("one"));
        assert_eq!(lru.get(3).as_deref(), Some("three"));
    }
}
