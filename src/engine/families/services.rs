//! `service_metrics` and `service_channels`: the special services (特色服务)
//! and refusals (不予受理 / 不予许可) of the cases, rolled up.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::{SERVICE_CHANNELS, SERVICE_METRICS};
use anyhow::Result;
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "services",
    outputs: &[SERVICE_METRICS, SERVICE_CHANNELS],
    inputs: &["cases", "windows"],
    draws_on: &[],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    let Some(facts) = run.service_facts()? else {
        return Ok(None);
    };
    let metrics = crate::metrics::services::service_metrics(
        &facts,
        run.as_of,
        &crate::metrics::period::Grain::ALL,
        &crate::metrics::rollup::every_level(),
    )?;
    let channels = crate::metrics::services::service_channels(&facts, run.as_of)?;
    Ok(Some(vec![metrics, channels]))
}
