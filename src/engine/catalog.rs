//! The item catalog's versions compared (流程再造 round), from the store.

use crate::store::Store;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::DataFrame;

/// The catalog round between the versions in force on two dates.
pub fn catalog_round(
    store: &Store,
    before: NaiveDate,
    after: NaiveDate,
) -> Result<(crate::metrics::catalog::CatalogRound, DataFrame)> {
    use crate::metrics::catalog::{compare_items, round_totals};
    let items = store
        .read("items")?
        .context("the store has no items yet: ingest the item catalog first")?;
    let per_item = compare_items(&items, before, after)?;
    Ok((round_totals(&per_item)?, per_item))
}

/// The latest 流程再造 round: the catalog in force on its last two
/// effective dates, or `None` while the catalog has a single version.
pub fn latest_catalog_round(
    store: &Store,
) -> Result<Option<(NaiveDate, NaiveDate, crate::metrics::catalog::CatalogRound)>> {
    let Some(items) = store.read("items")? else {
        return Ok(None);
    };
    let mut dates: Vec<NaiveDate> = crate::polars_ext::dates_of(items.column("effective_from")?)?
        .into_iter()
        .flatten()
        .collect();
    dates.sort_unstable();
    dates.dedup();
    let [.., before, after] = dates[..] else {
        return Ok(None);
    };
    let (round, _) = catalog_round(store, before, after)?;
    Ok(Some((before, after, round)))
}
