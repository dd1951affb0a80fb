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
pub mod read;
pub mod run;
pub mod stamp;

pub use as_of::AsOf;
pub use family::{MetricFamily, FAMILIES};
pub use read::Reading;
pub use run::Run;

use crate::config::Settings;
use crate::store::Store;
use anyhow::{Context, Result};
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
/// commit them, stamped (`compute`). The nightly job's state is dropped:
/// its next run recomputes everything.
pub fn compute(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
    families: Option<&[&MetricFamily]>,
) -> Result<AsOf> {
    let as_of = as_of::resolve(store, as_of)?;
    let mut run = Run::new(store, settings, as_of.date);
    match families {
        Some(fs) => {
            for f in fs {
                run.table(f.outputs[0])?;
            }
        }
        None => run.everything()?,
    }
    run.commit()?;
    Ok(as_of)
}

/// Compute and commit `case_metrics` for some grains and levels only
/// (`compute --only cases --grain … --level …`); stamped partial, so that
/// reads compute the other grains and levels in memory.
pub fn compute_case_metrics_for(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
    grains: &[crate::metrics::period::Grain],
    levels: &[&str],
) -> Result<AsOf> {
    use crate::metrics::schema::CASE_METRICS;
    let as_of = as_of::resolve(store, as_of)?;
    let mut df = crate::metrics::cases::case_metrics_for(
        &run::case_tables(store)?,
        &settings.calendar,
        as_of.date,
        grains,
        levels,
    )
    .context("cannot compute case_metrics")?;
    incremental::forget(store)?;
    let mut stamp = stamp::Stamp::now(store, settings, as_of.date)?;
    stamp.partial = true;
    let mut txn = store.begin()?;
    store.replace(&mut txn, CASE_METRICS, &mut df)?;
    stamp::stage(&mut txn, &[CASE_METRICS], &stamp)?;
    txn.commit()?;
    Ok(as_of)
}
