//! Regions the user edited recently, across files: a short, bounded list the builder
//! offers as context for completions in other files.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::prompt::Snippet;

/// How many regions are remembered.
const CAPACITY: usize = 8;
/// Edits this close (in lines) to a remembered one replace it.
const SAME_REGION_LINES: u32 = 8;

struct Region {
    path: String,
    line: u32,
    text: String,
}

#[derive(Default)]
pub struct RecentEdits {
    regions: Mutex<VecDeque<Region>>,
}

impl RecentEdits {
    pub fn new() -> RecentEdits {
        RecentEdits::default()
    }

    /// Remembers that `path` was edited around `line`, where the text now reads `text`.
    pub fn record(&self, path: &str, line: u32, text: String) {
        let Ok(mut regions) = self.regions.lock() else {
            return;
        };
        regions
            .retain(|region| region.path != path || region.line.abs_diff(line) > SAME_REGION_LINES);
        regions.push_front(Region {
            path: path.to_string(),
            line,
            text,
        });
        regions.truncate(CAPACITY);
    }

    /// Forgets a file (closed, deleted or excluded).
    pub fn forget(&self, path: &str) {
        if let Ok(mut regions) = self.regions.lock() {
            regions.retain(|region| region.path != path);
        }
    }

    /// The remembered regions of files other than `path`, newest first.
    pub fn snippets(&self, path: &str) -> Vec<Snippet> {
        let Ok(regions) = self.regions.lock() else {
            return Vec::new();
        };
        regions
            .iter()
            .filter(|region| region.path != path)
            .map(|region| Snippet {
                path: region.path.clone(),
                text: region.text.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_bounded_and_one_per_region() {
        let recent = RecentEdits::new();
        recent.record("a.py", 10, "old".into());
        recent.record("a.py", 12, "new".into());
        recent.record("b.py", 1, "b".into());
        let texts: Vec<String> = recent
            .snippets("c.py")
            .into_iter()
            .map(|s| s.text)
            .collect();
        assert_eq!(texts, ["b", "new"]);
        assert!(recent.snippets("b.py").iter().all(|s| s.path == "a.py"));
        for line in 0..20 {
            recent.record("c.py", line * 100, String::new());
        }
        assert_eq!(recent.snippets("z.py").len(), CAPACITY);
    }
}
