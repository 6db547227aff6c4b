//! Work that follows a burst of edits to a document (re-checking it, re-indexing it) runs
//! once, for the last edit, after the edits stop for a moment. Here because the bursts are
//! a document's: the checker and the indexer both key it by the document, and neither
//! should own the other's scheduling.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use dashmap::DashMap;

/// Per document, the number of the latest piece of work asked for.
#[derive(Default)]
pub struct Debounce {
    latest: DashMap<String, u64>,
    /// One counter for all documents, so a ticket never matches a document's earlier life
    /// (closed and opened again).
    next: AtomicU64,
}

/// One piece of work asked for one document; a later ticket for it supersedes this one.
#[derive(Debug)]
pub struct Ticket {
    document: String,
    number: u64,
}

impl Debounce {
    /// Asks for work on `document`; every earlier ticket for it is superseded.
    pub fn ticket(&self, document: &str) -> Ticket {
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        self.latest.insert(document.to_string(), number);
        Ticket {
            document: document.to_string(),
            number,
        }
    }

    /// Whether no later ticket was taken for the same document (and it was not forgotten).
    pub fn is_current(&self, ticket: &Ticket) -> bool {
        self.latest
            .get(&ticket.document)
            .is_some_and(|latest| *latest == ticket.number)
    }

    /// Waits `delay`, then says whether `ticket` is still the latest: the edits stopped.
    pub async fn settled(&self, ticket: &Ticket, delay: Duration) -> bool {
        tokio::time::sleep(delay).await;
        self.is_current(ticket)
    }

    /// The document was closed: its pending work is superseded.
    pub fn forget(&self, document: &str) {
        self.latest.remove(document);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_the_latest_ticket_of_a_document_runs() {
        let debounce = Debounce::default();
        let first = debounce.ticket("a.py");
        let other = debounce.ticket("b.py");
        let second = debounce.ticket("a.py");
        assert!(!debounce.settled(&first, Duration::ZERO).await);
        assert!(debounce.settled(&second, Duration::ZERO).await);
        assert!(
            debounce.is_current(&other),
            "documents do not supersede each other"
        );
    }

    #[test]
    fn a_forgotten_document_runs_nothing_and_a_reopened_one_starts_afresh() {
        let debounce = Debounce::default();
        let before = debounce.ticket("a.py");
        debounce.forget("a.py");
        assert!(!debounce.is_current(&before));
        let after = debounce.ticket("a.py");
        assert!(debounce.is_current(&after));
        assert!(!debounce.is_current(&before));
    }
}
