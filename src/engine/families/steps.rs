//! `step_metrics`: the steps (环节) of the cases.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::STEP_METRICS;
use anyhow::Result;
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "steps",
    outputs: &[STEP_METRICS],
    inputs: &[
        "case_steps",
        "item_steps",
        "cases",
        "items",
        "windows",
        "suspensions",
    ],
    draws_on: &[],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    let Some(facts) = run.step_facts()? else {
        return Ok(None);
    };
    Ok(Some(vec![crate::metrics::steps::step_metrics(
        &facts, run.as_of,
    )?]))
}
