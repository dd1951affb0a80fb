//! The pipeline's I/O edge: load the stored tables a metric family needs,
//! run the pure metric code, persist the result. The metric modules never
//! touch the store; the commands never compute.

use crate::calendar::Calendar;
use crate::metrics::cases::{case_metrics, CaseTables};
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;

/// Name of the persisted case metrics dataset.
pub const CASE_METRICS: &str = "case_metrics";

/// Load the tables of the case engine.
pub fn case_tables(store: &Store) -> Result<CaseTables> {
    let need = |t: &str| -> Result<DataFrame> {
        store
            .read(t)?
            .with_context(|| format!("the store has no {t} yet: ingest the {t} exports first"))
    };
    Ok(CaseTables {
        cases: need("cases")?,
        items: need("items")?,
        windows: need("windows")?,
        suspensions: store.read("suspensions")?,
    })
}

/// The evaluation date to use when none is given: the last date on which
/// a case was accepted or completed, so that a rerun over the same data
/// gives the same figures whatever the clock says.
pub fn default_as_of(tables: &CaseTables) -> Result<NaiveDate> {
    let last = tables
        .cases
        .clone()
        .lazy()
        .select([max_horizontal_dates()])
        .collect()?;
    let d = crate::metrics::dates_of(last.column("last")?)?;
    d.first()
        .copied()
        .flatten()
        .context("the store has no cases: nothing to measure")
}

fn max_horizontal_dates() -> Expr {
    let acc = col("accepted_at").cast(DataType::Date).max();
    let comp = col("completed_at").cast(DataType::Date).max();
    when(comp.clone().gt(acc.clone()).fill_null(lit(false)))
        .then(comp)
        .otherwise(acc)
        .alias("last")
}

/// Compute `case_metrics` as of `as_of` and persist it (replacing the
/// previous computation).
pub fn compute_case_metrics(
    store: &Store,
    cal: &Calendar,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let tables = case_tables(store)?;
    let as_of = match as_of {
        Some(d) => d,
        None => default_as_of(&tables)?,
    };
    let mut metrics = case_metrics(&tables, cal, as_of)?;
    let mut txn = store.begin()?;
    store.replace(&mut txn, CASE_METRICS, &mut metrics)?;
    txn.commit()?;
    Ok((metrics, as_of))
}

/// Name of the card history dataset.
pub const CARDS: &str = "cards";

/// The cards of a run date, and the history brought up to it.
pub struct CardRun {
    pub due: Vec<crate::metrics::cards::Card>,
    pub history: Vec<crate::metrics::cards::CardRecord>,
    pub changes: crate::metrics::cards::CardChanges,
}

/// Raise the cards of `as_of` and persist the history.
pub fn run_cards(
    store: &Store,
    cal: &Calendar,
    as_of: NaiveDate,
    rules: &crate::metrics::cards::CardRules,
) -> Result<CardRun> {
    use crate::metrics::cards::{cards_due, history_frame, history_rows, update_history};
    let tables = case_tables(store)?;
    let facts = crate::metrics::cases::case_facts(&tables, cal, as_of)?;
    let due = cards_due(&facts, cal, as_of, rules)?;
    // Completion dates of every case (not only up to as_of: the history
    // clears a card on the completion date once the run reaches it).
    let done = tables
        .cases
        .clone()
        .lazy()
        .filter(col("completed_at").is_not_null())
        .select([col("case_id"), col("completed_at").cast(DataType::Date)])
        .collect()?;
    let ids = done.column("case_id")?.str()?;
    let dates = crate::metrics::dates_of(done.column("completed_at")?)?;
    let completed = ids
        .iter()
        .zip(dates)
        .filter_map(|(id, d)| Some((id?.to_string(), d?)))
        .collect();
    let before = match store.read(CARDS)? {
        Some(df) => history_rows(&df)?,
        None => Vec::new(),
    };
    let (history, changes) = update_history(before, &due, &completed, as_of);
    let mut frame = history_frame(&history)?;
    let mut txn = store.begin()?;
    store.replace(&mut txn, CARDS, &mut frame)?;
    txn.commit()?;
    Ok(CardRun {
        due,
        history,
        changes,
    })
}

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
    let mut dates: Vec<NaiveDate> = crate::metrics::dates_of(items.column("effective_from")?)?
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
