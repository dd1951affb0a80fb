//! `rating_metrics`: 好差评 satisfaction and the rectification of bad
//! ratings; `rating_loop`: the closed loop per channel.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::{RATING_LOOP, RATING_METRICS};
use anyhow::Result;
use polars::prelude::{col, lit, DataFrame, IntoLazy};

pub const FAMILY: MetricFamily = MetricFamily {
    name: "ratings",
    outputs: &[RATING_METRICS, RATING_LOOP],
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
    let need = |table: &str, columns: &[&str]| run.need_of(table, Some(columns));
    // Ratings an appeal ruled 误评 or 不实 leave the satisfaction figures.
    let mut columns = crate::metrics::ratings::RATING_COLUMNS.to_vec();
    columns.extend(["appeal_result", "channel"]);
    // One read for both: the loop's columns too (the bad ratings are cut
    // from the same rows; a city year's ratings read twice took 110 ms
    // more).
    let loop_columns = crate::metrics::rating_loop::LOOP_COLUMNS;
    let mut read = columns.clone();
    read.extend(loop_columns.iter().filter(|c| !columns.contains(c)));
    let all = need("ratings", &read)?;
    let kept = crate::metrics::rating_loop::kept(all.select(columns)?)?;
    // The loop follows the bad ratings only: the others are let go first.
    let bad = all
        .select(loop_columns)?
        .lazy()
        .filter(col("level").lt_eq(lit(2)))
        .collect()?;
    drop(all);
    let df = crate::metrics::ratings::rating_metrics(
        &kept,
        &need("cases", &crate::metrics::ratings::CASE_COLUMNS)?,
        &run.need("windows")?,
        &s.calendar,
        &s.ratings,
        run.as_of,
    )?;
    let looped = crate::metrics::rating_loop::rating_loop(
        &bad,
        &kept,
        &run.need("windows")?,
        &s.calendar,
        &s.ratings,
        run.as_of,
    )?;
    Ok(Some(vec![df, looped]))
}
