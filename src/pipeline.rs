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
