//! The one list of the store's datasets, each with its kind: the inputs
//! (the ingest registry's tables), the metric tables (the families'
//! outputs), and the records the program keeps of its own work. `tables`
//! prints the kind beside each dataset; a dataset on disk that is in no
//! list is a stray the program did not write.

use crate::metrics::schema::CARDS;
use crate::store::{INGEST_RUNS, LEDGER, REJECTS};

/// What a dataset holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Rows of the center's exports, stored by `ingest`.
    Input,
    /// A metric table, written by `compute` and `nightly`.
    Metric,
    /// The program's own records: the card history, rejected rows, the
    /// ledger of ingested files, the ingest runs.
    Record,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Input => "input",
            Kind::Metric => "metric",
            Kind::Record => "record",
        }
    }
}

/// The records the program keeps.
pub const RECORDS: [&str; 4] = [CARDS, REJECTS, LEDGER, INGEST_RUNS];

/// Every dataset the program writes, with its kind.
pub fn all() -> Vec<(&'static str, Kind)> {
    crate::ingest::table::TABLES
        .iter()
        .map(|t| (t.name, Kind::Input))
        .chain(super::family::metric_tables().map(|t| (t, Kind::Metric)))
        .chain(RECORDS.iter().map(|t| (*t, Kind::Record)))
        .collect()
}

/// The kind of a dataset (`None`: not one the program writes).
pub fn kind_of(name: &str) -> Option<Kind> {
    all().into_iter().find(|(n, _)| *n == name).map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dataset_is_listed_once() {
        let all = all();
        let mut names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "a dataset listed twice");
        assert_eq!(kind_of("cases"), Some(Kind::Input));
        assert_eq!(kind_of("three_zeros"), Some(Kind::Metric));
        assert_eq!(kind_of("cards"), Some(Kind::Record));
        assert_eq!(kind_of("nonsense"), None);
    }
}
