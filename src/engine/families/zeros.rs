//! `three_zeros`: every period of every grain with case data.

use crate::engine::{MetricFamily, Run};
use crate::metrics::period::Period;
use crate::metrics::schema::{CASE_METRICS, QUEUE_METRICS, RATING_METRICS, THREE_ZEROS};
use anyhow::Result;
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "zeros",
    outputs: &[THREE_ZEROS],
    inputs: &["windows", "cases", "incidents", "complaints", "corrections"],
    draws_on: &[CASE_METRICS, RATING_METRICS, QUEUE_METRICS],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    // Of the metric tables, the rows and columns the zeros read: the
    // center's periods, the windows' activity and counts.
    let case_metrics = run.need_level_rows(
        CASE_METRICS,
        &["center", "window"],
        &["accepted", "completed", "overdue_open", "overdue_completed"],
    )?;
    let periods = crate::metrics::zeros::periods_with_cases(&case_metrics)?;
    Ok(Some(vec![three_zeros(run, &periods, &case_metrics)?]))
}

/// The three zeros of `periods`, from the center and window rows of the
/// case metrics.
fn three_zeros(run: &mut Run, periods: &[Period], case_metrics: &DataFrame) -> Result<DataFrame> {
    let ratings = run.level_rows(RATING_METRICS, &["window"], &["bad_ratings", "ratings"])?;
    let queue = run.level_rows(QUEUE_METRICS, &["window"], &["queue_jumps", "tickets"])?;
    let windows = run.need("windows")?;
    // A correction counts against its case's window: the cases' ids and
    // windows are all it needs of them.
    let cases = run.need_of("cases", Some(&crate::metrics::zeros::CASE_COLUMNS))?;
    // A complaint counts once: as a complaint, not also as its incident row.
    let (incidents, corrections) = (run.incidents_with_complaints()?, run.read("corrections")?);
    let inputs = crate::metrics::zeros::ZeroInputs {
        windows: &windows,
        incidents: incidents.as_ref(),
        corrections: corrections.as_ref(),
        cases: &cases,
        case_metrics,
        rating_metrics: ratings.as_ref(),
        queue_metrics: queue.as_ref(),
    };
    crate::metrics::zeros::three_zeros_of(&inputs, &run.settings().incidents, periods, run.as_of)
}
