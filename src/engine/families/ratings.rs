//! `rating_metrics`: 好差评 satisfaction and the rectification of bad ratings.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::RATING_METRICS;
use anyhow::Result;
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
    let df = crate::metrics::ratings::rating_metrics(
        &run.need("ratings")?,
        &run.need("cases")?,
        &run.need("windows")?,
        &s.calendar,
        &s.ratings,
        run.as_of,
    )?;
    Ok(Some(vec![df]))
}
