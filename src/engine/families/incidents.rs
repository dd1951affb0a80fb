//! `incident_metrics`: supervision incidents by source and category.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::INCIDENT_METRICS;
use anyhow::Result;
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "incidents",
    outputs: &[INCIDENT_METRICS],
    inputs: &["incidents", "windows"],
    draws_on: &[],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    if !run.has("incidents")? {
        return Ok(None);
    }
    let df = crate::metrics::zeros::incident_metrics(
        &run.need("incidents")?,
        &run.need("windows")?,
        &run.settings().incidents,
        run.as_of,
    )?;
    Ok(Some(vec![df]))
}
