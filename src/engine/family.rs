//! The metric families, declared: what each reads, what it writes, how it
//! computes. The engine's [`Run`](super::Run) finds the family of a table
//! here; `compute`, the nightly job and the reads walk [`FAMILIES`]. A new
//! family is one file under `engine/families/` and one line below.

use super::families;
use super::Run;
use anyhow::Result;
use polars::prelude::DataFrame;

/// How a family computes its tables: the frames of [`MetricFamily::outputs`]
/// in that order, or `None` when the store has none of its data (a center
/// without a queue system has no `queue_metrics`).
pub type Compute = fn(&mut Run) -> Result<Option<Vec<DataFrame>>>;

/// A metric family.
pub struct MetricFamily {
    /// Its name on the command line (`compute --only cases`).
    pub name: &'static str,
    /// The metric tables it writes (their shapes: `metrics::schema`).
    pub outputs: &'static [&'static str],
    /// The stored input tables it reads (each read under its since rule,
    /// `engine::incremental::SINCE_RULES`, in a nightly run).
    pub inputs: &'static [&'static str],
    /// The metric tables of other families it draws on.
    pub draws_on: &'static [&'static str],
    /// Whether it computes some grains and levels only when the run is
    /// scoped (`compute --only <name> --grain … --level …`).
    pub scoped: bool,
    pub compute: Compute,
}

/// Every family, in an order where each comes after those it draws on.
pub const FAMILIES: &[MetricFamily] = &[
    families::cases::FAMILY,
    families::attendance::FAMILY,
    families::ratings::FAMILY,
    families::queue::FAMILY,
    families::incidents::FAMILY,
    families::complaints::FAMILY,
    families::services::FAMILY,
    families::zeros::FAMILY,
    families::supervision::FAMILY,
    families::scores::FAMILY,
    families::steps::FAMILY,
    families::staff::FAMILY,
    families::assessment::FAMILY,
];

/// The family that writes `table`.
pub fn family_of(table: &str) -> Option<&'static MetricFamily> {
    FAMILIES.iter().find(|f| f.outputs.contains(&table))
}

/// The family named `name` (`cases`, `ratings` …).
pub fn family_named(name: &str) -> Option<&'static MetricFamily> {
    FAMILIES.iter().find(|f| f.name == name)
}

/// Every metric table, in the families' order.
pub fn metric_tables() -> impl Iterator<Item = &'static str> {
    FAMILIES.iter().flat_map(|f| f.outputs.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_one_family_that_comes_after_what_it_draws_on() {
        let mut seen: Vec<&str> = Vec::new();
        for f in FAMILIES {
            for d in f.draws_on {
                assert!(seen.contains(d), "{} draws on {d} before it", f.name);
            }
            for o in f.outputs {
                assert!(!seen.contains(o), "{o} written by two families");
                assert_eq!(family_of(o).unwrap().name, f.name);
            }
            seen.extend(f.outputs.iter().copied());
            for i in f.inputs {
                assert!(
                    crate::ingest::table::table(i).is_some(),
                    "{}: {i} is not an input table",
                    f.name
                );
            }
        }
    }
}
