//! `case_metrics`: every case measured as of the run's date, rolled up.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::CASE_METRICS;
use anyhow::Result;
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "cases",
    outputs: &[CASE_METRICS],
    inputs: &["cases", "items", "windows", "suspensions"],
    draws_on: &[],
    scoped: true,
    compute,
};

/// Every grain and level, or those of the run's scope.
fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    let scope = run.scope();
    let df = crate::metrics::cases::case_metrics_of(
        &run.case_facts()?,
        &run.settings().calendar,
        run.as_of,
        &scope.grains(),
        &scope.levels(),
    )?;
    Ok(Some(vec![df]))
}
