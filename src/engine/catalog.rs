//! The item catalog's versions compared (流程再造 round), from the store.

use crate::metrics::catalog::{compare_items, round_totals, CatalogRound};
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::DataFrame;

/// A 流程再造 round: the catalog in force on `before` against the one in
/// force on `after`, item by item and in total.
pub struct Round {
    pub before: NaiveDate,
    pub after: NaiveDate,
    pub totals: CatalogRound,
    /// `metrics::catalog::compare_items`: one row per item.
    pub per_item: DataFrame,
}

/// The catalog round between the versions of `items` in force on two dates.
pub fn catalog_round(items: &DataFrame, before: NaiveDate, after: NaiveDate) -> Result<Round> {
    let per_item = compare_items(items, before, after)?;
    Ok(Round {
        before,
        after,
        totals: round_totals(&per_item)?,
        per_item,
    })
}

/// The store's `items`, or an error saying to ingest them.
pub fn stored_items(store: &Store) -> Result<DataFrame> {
    store
        .read("items")?
        .context("the store has no items yet: ingest the item catalog first")
}

/// The latest 流程再造 round of `items`: the catalog in force on its last
/// two effective dates, or `None` while it has a single version.
pub fn latest_catalog_round(items: &DataFrame) -> Result<Option<Round>> {
    let mut dates: Vec<NaiveDate> = crate::polars_ext::dates_of(items.column("effective_from")?)?
        .into_iter()
        .flatten()
        .collect();
    dates.sort_unstable();
    dates.dedup();
    let [.., before, after] = dates[..] else {
        return Ok(None);
    };
    catalog_round(items, before, after).map(Some)
}
