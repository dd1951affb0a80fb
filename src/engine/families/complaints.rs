//! `complaint_metrics`: complaints followed to their close, by period.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::COMPLAINT_METRICS;
use anyhow::Result;
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "complaints",
    outputs: &[COMPLAINT_METRICS],
    inputs: &["complaints", "windows"],
    draws_on: &[],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    if !run.has("complaints")? {
        return Ok(None);
    }
    let complaints = run.complaints()?;
    let df = crate::metrics::complaints::complaint_metrics(
        &complaints,
        &run.need("windows")?,
        run.as_of,
    )?;
    Ok(Some(vec![df]))
}
