//! `rating_metrics`: 好差评 satisfaction and the rectification of bad ratings.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::RATING_METRICS;
use anyhow::{Context, Result};
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "ratings",
    outputs: &[RATING_METRICS],
    inputs: &["ratings", "cases", "windows"],
    draws_on: &[],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    if !run.has("ratings")? {
        return Ok(None);
    }
    let s = run.settings();
    let need = |table: &str, columns: &[&str]| {
        run.read_columns(table, Some(columns))?
            .with_context(|| format!("the store has no {table} yet: ingest them first"))
    };
    let df = crate::metrics::ratings::rating_metrics(
        &need("ratings", &crate::metrics::ratings::RATING_COLUMNS)?,
        &need("cases", &crate::metrics::ratings::CASE_COLUMNS)?,
        &run.need("windows")?,
        &s.calendar,
        &s.ratings,
        run.as_of,
    )?;
    Ok(Some(vec![df]))
}
