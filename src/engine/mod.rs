//! The engine: between the store and the pure metric code. It declares the
//! metric families ([`family`], one file each under `families/`), runs
//! them once per evaluation ([`Run`]) and commits their tables with a
//! stamp ([`stamp`]); it brings them up to date incrementally for the
//! nightly job ([`incremental`]); it resolves the one "as of" date
//! ([`as_of`]); and it serves reads that never write ([`read`]).
//!
//! Layers, lowest first: `calendar`, `store`, `ingest`, `metrics`,
//! `engine`, `report`, then `nightly`, `province`, `commands`. A module
//! uses only those below it (`tests/layers.rs`).

pub mod as_of;
pub mod cards;
pub mod catalog;
pub mod datasets;
pub mod families;
pub mod family;
pub mod incremental;
pub mod names;
pub mod read;
pub mod run;
pub mod stamp;

pub use as_of::AsOf;
pub use family::{MetricFamily, FAMILIES};
pub use read::Reading;
pub use run::Run;

use crate::config::Settings;
use crate::store::Store;
use anyhow::Result;
use chrono::NaiveDate;

/// The store of the settings, opened by a writing command (`ingest`,
/// `compute`, `nightly`, `calendar import`): the whole store, or one
/// center's part of it (`--center-id`).
pub fn open_store(settings: &Settings) -> Result<Store> {
    match &settings.center_id {
        Some(id) => Store::open_center(&settings.store, id),
        None => Store::open(&settings.store),
    }
}

/// The store of the settings opened for reading only.
pub fn open_store_read(settings: &Settings) -> Result<Store> {
    match &settings.center_id {
        Some(id) => Store::open_center_read(&settings.store, id),
        None => Store::open_read(&settings.store),
    }
}

/// Compute every table of `families` (all: `None`) as of `as_of` and
/// commit them, stamped (`compute`); with a `scope`, some grains and
/// levels only, stamped partial. A full compute then commits the card
/// history through `as_of` found from the facts ([`Run::card_history`]).
/// The nightly job's state is dropped: its next run recomputes
/// everything. Returns the date and where the time went (the commits
/// last).
pub fn compute(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
    families: Option<&[&'static MetricFamily]>,
    scope: Option<run::Scope>,
) -> Result<(AsOf, run::Timings)> {
    let as_of = as_of::resolve(store, as_of)?;
    let full = families.is_none() && scope.is_none();
    let mut run = Run::new(store, settings, as_of.date);
    if full {
        // Saved after the families: found once, for the notices and the save.
        run = run.keeping_card_history();
    }
    if let Some(scope) = scope {
        run = run.scoped(scope);
    }
    let mut finished = std::time::Instant::now();
    let (mut times, history) = run.commit_with(|run| {
        match families {
            Some(fs) => run.families(fs.iter().copied())?,
            None => run.everything()?,
        }
        let history = match full {
            true => Some(run.card_history()?),
            false => None,
        };
        finished = std::time::Instant::now();
        Ok((run.timings().clone(), history))
    })?;
    // What the commit waited for: the last tables' writing, the files' move.
    times.0.push(("commit", finished.elapsed()));
    if let Some(history) = history {
        let start = std::time::Instant::now();
        cards::save_history(store, &history)?;
        times.0.push(("cards commit", start.elapsed()));
    }
    Ok((as_of, times))
}
