//! Reads: `metrics`, `rank`, `staff`, `steps`, `cards`, `attendance`,
//! `report`, `query`, `tables`. They open the store read-only and never
//! commit. A metric table is taken from the store when its stamp says it
//! is current as of the read's date (same date, same last ingest, same
//! configuration and calendar); otherwise it is computed in memory, and
//! the read says so in one line.

use super::as_of::AsOf;
use super::stamp::{self, Stamp};
use super::Run;
use crate::config::Settings;
use crate::store::Store;
use anyhow::{Context, Result};
use polars::prelude::{DataFrame, Expr, IntoLazy};
use std::collections::{BTreeMap, BTreeSet};

/// A read of the metric tables as of one date.
pub struct Reading<'a> {
    run: Run<'a>,
    pub as_of: AsOf,
    /// Why each stale stored table could not be used (missing: absent).
    stale: BTreeMap<&'static str, String>,
}

impl<'a> Reading<'a> {
    /// A read of `store` as of `as_of`.
    pub fn new(store: &'a Store, settings: &'a Settings, as_of: AsOf) -> Result<Self> {
        let want = Stamp::now(store, settings, as_of.date)?;
        let stamps = stamp::load(store)?;
        let mut trusted = BTreeSet::new();
        let mut stale = BTreeMap::new();
        for table in super::family::metric_tables() {
            let why = match stamps.get(table) {
                None if store.files(table)?.is_empty() => "the store has no such table".to_string(),
                None => "the stored table has no stamp (computed by an older version)".to_string(),
                Some(s) => match s.differs(&want) {
                    None => {
                        trusted.insert(table);
                        continue;
                    }
                    Some(why) => why,
                },
            };
            stale.insert(table, why);
        }
        Ok(Reading {
            run: Run::new(store, settings, as_of.date).trusting(trusted),
            as_of,
            stale,
        })
    }

    /// A metric table as of the read's date (`None`: the store has none of
    /// the data it is computed from).
    pub fn table(&mut self, name: &str) -> Result<Option<DataFrame>> {
        self.run.table(name)
    }

    /// The rows of a metric table that `keep` holds (`None`: the store has
    /// none of the data it is computed from). A stored table that is
    /// current is read so, the other rows never held; one computed in
    /// memory is computed whole and filtered.
    pub fn table_where(&mut self, name: &str, keep: Expr) -> Result<Option<DataFrame>> {
        if self.run.trusts(name) {
            if let Some(rows) = self.run.store().scan(name)? {
                return Ok(Some(rows.filter(keep).collect()?));
            }
        }
        Ok(match self.run.table(name)? {
            Some(df) => Some(df.lazy().filter(keep).collect()?),
            None => None,
        })
    }

    /// [`Reading::table_where`] of a table that must exist.
    pub fn need_table_where(&mut self, name: &str, keep: Expr) -> Result<DataFrame> {
        self.table_where(name, keep)?
            .with_context(|| super::run::absent(name))
    }

    /// A metric table that must exist.
    pub fn need_table(&mut self, name: &str) -> Result<DataFrame> {
        self.run.need_table(name)
    }

    /// The read with the facts a run of the same date already found
    /// ([`Run::with_facts`]).
    pub fn with_facts(mut self, facts: super::run::Facts) -> Self {
        self.run = self.run.with_facts(facts);
        self
    }

    /// The read with the card history through its date that a card run
    /// of that date brought up ([`Run::with_card_history`]).
    pub fn with_card_history(
        mut self,
        history: std::sync::Arc<Vec<crate::metrics::cards::CardRecord>>,
    ) -> Self {
        self.run = self.run.with_card_history(history);
        self
    }

    /// The run behind the read (case and step facts for the cards).
    pub fn run(&mut self) -> &mut Run<'a> {
        &mut self.run
    }

    /// The one line that says which tables were computed in memory and
    /// why (`None`: every table read was stored and current).
    pub fn note(&self) -> Option<String> {
        let computed = self.run.computed();
        let first = computed.first()?;
        let why = self.stale.get(first).map_or("", String::as_str).to_string();
        Some(format!(
            "computed in memory as of {}: {} ({why}); `xiaoneng compute` stores them",
            self.as_of.date,
            computed.join(", "),
        ))
    }
}
