//! What a stored metric table is current for. Every commit of metric
//! tables also writes `_metrics.json` (in the same commit): per table, the
//! date it is as of, the last ingest run it counts, and hashes of the
//! configuration and of the working-day calendar it was computed with. A
//! read takes a stored table only when its stamp equals what a table
//! computed now as of the same date would carry; otherwise it computes the
//! table in memory and says why.

use crate::config::Settings;
use crate::store::{Store, Transaction};
use anyhow::Result;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the metric tables this build writes: the package's
/// version and a hash of every declared table's name and columns. A build
/// whose tables gained (or lost) a column does not take tables stored by
/// another as current, though the package version did not change: a read
/// computes them, the next nightly run recomputes everything.
pub fn tables_version() -> String {
    use sha2::{Digest, Sha256};
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION
        .get_or_init(|| {
            let mut h = Sha256::new();
            for t in crate::metrics::schema::TABLES {
                h.update(t.name.as_bytes());
                for c in t.columns() {
                    h.update(b"\0");
                    h.update(c.as_bytes());
                }
                h.update(b"\n");
            }
            let hash = hex::encode(h.finalize());
            format!("{}+{}", env!("CARGO_PKG_VERSION"), &hash[..12])
        })
        .clone()
}

/// The control file of the stamps.
pub const STAMPS: &str = "_metrics.json";

/// See the module documentation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamp {
    pub as_of: NaiveDate,
    /// The last ingest run counted: its counter and id.
    pub seq: i64,
    pub run: String,
    /// `engine::incremental::settings_hash`.
    pub settings: String,
    /// `engine::incremental::calendar_hash`.
    pub calendar: String,
    pub version: String,
    /// Only some grains or levels were computed (`compute --grain`).
    #[serde(default)]
    pub partial: bool,
}

impl Stamp {
    /// The stamp of a table computed now, as of `as_of`.
    pub fn now(store: &Store, settings: &Settings, as_of: NaiveDate) -> Result<Stamp> {
        let (seq, run) = crate::ingest::ingest_runs(store)?
            .last()
            .map_or((0, String::new()), |r| (r.seq, r.run_id.clone()));
        Ok(Stamp {
            as_of,
            seq,
            run,
            settings: super::incremental::settings_hash(settings),
            calendar: super::incremental::calendar_hash(&settings.calendar),
            version: tables_version(),
            partial: false,
        })
    }

    /// Why a stored table with this stamp is not what `want` asks for
    /// (`None`: it is).
    pub fn differs(&self, want: &Stamp) -> Option<String> {
        if self.partial {
            Some("the stored table holds some grains or levels only".into())
        } else if (self.seq, &self.run) != (want.seq, &want.run) {
            Some("the stored table is older than the last ingest".into())
        } else if self.as_of != want.as_of {
            Some(format!("the stored table is as of {}", self.as_of))
        } else if self.settings != want.settings {
            Some("the configuration changed since it was stored".into())
        } else if self.calendar != want.calendar {
            Some("the working-day calendar changed since it was stored".into())
        } else if self.version != want.version {
            Some(format!(
                "the stored table was computed by version {}",
                self.version
            ))
        } else {
            None
        }
    }
}

/// The stamps of the stored metric tables.
pub fn load(store: &Store) -> Result<BTreeMap<String, Stamp>> {
    Ok(store
        .read_control(STAMPS)?
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default())
}

/// Stage the stamps of `tables` (the others kept) in a commit.
pub fn stage(txn: &mut Transaction, tables: &[&str], stamp: &Stamp) -> Result<()> {
    if tables.is_empty() {
        return Ok(());
    }
    let mut all = load(txn.store())?;
    for t in tables {
        all.insert(t.to_string(), stamp.clone());
    }
    txn.put_control(STAMPS, &serde_json::to_vec_pretty(&all)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_version_names_the_package_and_the_tables_shapes() {
        let v = tables_version();
        let (package, shapes) = v.split_once('+').unwrap();
        let (package, shapes) = (package.to_string(), shapes.to_string());
        assert_eq!(package, env!("CARGO_PKG_VERSION"));
        assert_eq!(shapes.len(), 12);
        assert_eq!(v, tables_version());
        // A table stored by a build with other shapes is not current.
        let want = Stamp {
            as_of: NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            seq: 1,
            run: "r".into(),
            settings: String::new(),
            calendar: String::new(),
            version: v.clone(),
            partial: false,
        };
        let stored = Stamp {
            version: format!("{package}+000000000000"),
            ..want.clone()
        };
        assert!(stored
            .differs(&want)
            .unwrap()
            .contains("computed by version"));
        assert_eq!(want.differs(&want), None);
    }
}
