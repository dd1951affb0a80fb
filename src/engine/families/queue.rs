//! `queue_metrics`, `queue_jumps` and `queue_hours`, from the queue tickets.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::{QUEUE_HOURS, QUEUE_JUMPS, QUEUE_METRICS};
use anyhow::Result;
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "queue",
    outputs: &[QUEUE_METRICS, QUEUE_JUMPS, QUEUE_HOURS],
    inputs: &["tickets", "windows"],
    draws_on: &[],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    if !run.has("tickets")? {
        return Ok(None);
    }
    let tickets = run.need("tickets")?;
    let jumps = crate::metrics::queue::queue_jumps(&tickets)?;
    let metrics = crate::metrics::queue::queue_metrics(
        &tickets,
        &run.need("windows")?,
        &jumps,
        &run.settings().queue,
        run.as_of,
    )?;
    let hours =
        crate::metrics::queue_hours::queue_hours(&tickets, &run.settings().queue, run.as_of)?;
    Ok(Some(vec![metrics, jumps, hours]))
}
