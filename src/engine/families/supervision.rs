//! `supervision_metrics`: the 督办 notices red cards open, their replies
//! and escalations, by period.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::SUPERVISION_METRICS;
use anyhow::Result;
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "supervision",
    outputs: &[SUPERVISION_METRICS],
    inputs: &[
        "replies",
        "windows",
        "cases",
        "suspensions",
        "case_steps",
        "item_steps",
    ],
    draws_on: &[],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    if !run.has("cases")? {
        return Ok(None);
    }
    let notices = run.notices()?;
    let df = crate::metrics::supervision::supervision_metrics(
        &notices,
        &run.need("windows")?,
        run.as_of,
    )?;
    Ok(Some(vec![df]))
}
