//! The findings of each open document, kept until its text or the rules change, so that
//! a pull, a push and a code-action request at the same version check the file once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;

use super::Finding;

/// The findings of one document at one version of its text and one generation of the rules.
struct Checked {
    version: i32,
    generation: u64,
    findings: Arc<Vec<Finding>>,
}

/// Findings per document (by its URI or path), valid for one document version and one
/// generation of the rules and their configuration.
#[derive(Default)]
pub struct FindingsCache {
    /// Bumped when the rules or their configuration change, so every entry expires.
    generation: AtomicU64,
    checked: DashMap<String, Checked>,
}

impl FindingsCache {
    /// The findings of `document` at `version`: cached ones if neither the text nor the
    /// rules changed since, else `check()`'s, which are kept for next time. A result
    /// computed while the rules changed is kept under the old generation, so it is never
    /// served afterwards.
    pub fn get_or_check(
        &self,
        document: &str,
        version: i32,
        check: impl FnOnce() -> Vec<Finding>,
    ) -> Arc<Vec<Finding>> {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some(checked) = self.checked.get(document)
            && checked.version == version
            && checked.generation == generation
        {
            return checked.findings.clone();
        }
        let findings = Arc::new(check());
        self.checked.insert(
            document.to_string(),
            Checked {
                version,
                generation,
                findings: findings.clone(),
            },
        );
        findings
    }

    /// The rules or their configuration changed: every cached result is stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.checked.clear();
    }

    /// The document was closed.
    pub fn forget(&self, document: &str) {
        self.checked.remove(document);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Severity;
    use std::cell::Cell;

    fn finding(rule_id: &str) -> Finding {
        Finding {
            rule_id: rule_id.to_string(),
            severity: Severity::Warning,
            message: String::new(),
            start_byte: 0,
            end_byte: 1,
            fix: None,
            related: Vec::new(),
        }
    }

    /// Looks `document` up at `version`; returns the rule ids and whether it was checked.
    fn look_up(cache: &FindingsCache, version: i32, rule_id: &str) -> (Vec<String>, bool) {
        let checked = Cell::new(false);
        let findings = cache.get_or_check("file:///a.py", version, || {
            checked.set(true);
            vec![finding(rule_id)]
        });
        let ids = findings.iter().map(|f| f.rule_id.clone()).collect();
        (ids, checked.get())
    }

    #[test]
    fn the_same_version_is_checked_once_and_a_new_one_again() {
        let cache = FindingsCache::default();
        assert_eq!(look_up(&cache, 1, "first"), (vec!["first".into()], true));
        assert_eq!(look_up(&cache, 1, "second"), (vec!["first".into()], false));
        assert_eq!(look_up(&cache, 2, "second"), (vec!["second".into()], true));
    }

    #[test]
    fn new_rules_and_closing_the_document_drop_what_was_cached() {
        let cache = FindingsCache::default();
        look_up(&cache, 1, "old-rules");
        cache.invalidate();
        assert_eq!(
            look_up(&cache, 1, "new-rules"),
            (vec!["new-rules".into()], true)
        );
        cache.forget("file:///a.py");
        assert_eq!(
            look_up(&cache, 1, "reopened"),
            (vec!["reopened".into()], true)
        );
    }

    #[test]
    fn a_result_computed_while_the_rules_changed_is_not_served_later() {
        let cache = FindingsCache::default();
        cache.get_or_check("file:///a.py", 1, || {
            // The rules change while this check runs.
            cache.invalidate();
            vec![finding("stale")]
        });
        assert_eq!(look_up(&cache, 1, "fresh"), (vec!["fresh".into()], true));
    }
}
