//! `attendance_days` and `attendance_metrics`, from the first punch.

use crate::engine::{MetricFamily, Run};
use crate::metrics::attendance::{attendance_metrics, attendance_table, AttendanceTables};
use crate::metrics::schema::{ATTENDANCE_DAYS, ATTENDANCE_METRICS};
use anyhow::{Context, Result};
use polars::prelude::*;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "attendance",
    outputs: &[ATTENDANCE_DAYS, ATTENDANCE_METRICS],
    inputs: &["staff", "windows", "punches", "leaves", "departures"],
    draws_on: &[],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    let Some(first) = first_punch(run)? else {
        return Ok(None);
    };
    let read = |t: &str| run.read(t);
    let tables = AttendanceTables {
        staff: read("staff")?.context("the store has no staff roster yet: ingest it first")?,
        windows: read("windows")?.context("the store has no windows yet: ingest them first")?,
        punches: read("punches")?,
        leaves: read("leaves")?,
        departures: read("departures")?,
    };
    let s = run.settings();
    let days = attendance_table(
        &tables,
        &s.calendar,
        &s.attendance,
        first.min(run.as_of),
        run.as_of,
    )?;
    let metrics = attendance_metrics(&days, run.as_of)?;
    Ok(Some(vec![days, metrics]))
}

/// The day of the first punch the run reads (in a nightly run, not before
/// the first day it reads).
fn first_punch(run: &Run) -> Result<Option<chrono::NaiveDate>> {
    let first = crate::store::day_bound(&run.store().files("punches")?, "punched_at", false)?;
    Ok(first.map(|f| f.max(run.since_date().unwrap_or(f))))
}
