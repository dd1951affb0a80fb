//! `staff_review`: 三在 / 三问 of every staff member.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::{
    ATTENDANCE_DAYS, ATTENDANCE_METRICS, CASE_METRICS, STAFF_REVIEW, STAFF_SCORES,
};
use anyhow::Result;
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "staff",
    outputs: &[STAFF_REVIEW],
    inputs: &["staff", "cases", "corrections", "tickets", "case_steps"],
    draws_on: &[
        CASE_METRICS,
        ATTENDANCE_DAYS,
        ATTENDANCE_METRICS,
        STAFF_SCORES,
    ],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    use crate::metrics::staff::{ATTENDANCE_FIGURES, CASE_FIGURES};
    // Of the metric tables, the staff rows only, before the inputs are read.
    let case_metrics = run.need_level_rows(CASE_METRICS, &["staff"], &CASE_FIGURES)?;
    let attendance = run.table(ATTENDANCE_DAYS)?;
    let attendance_metrics = run.level_rows(ATTENDANCE_METRICS, &["staff"], &ATTENDANCE_FIGURES)?;
    let facts = run.step_facts()?;
    let staff_scores = run.need_table(STAFF_SCORES)?;
    let staff = run.need("staff")?;
    let cases = run.need_of("cases", Some(&crate::metrics::staff::CASE_COLUMNS))?;
    let corrections = run.read("corrections")?;
    let tickets = run.read_columns("tickets", Some(&crate::metrics::staff::TICKET_COLUMNS))?;
    let inputs = crate::metrics::staff::StaffInputs {
        staff: &staff,
        cases: &cases,
        corrections: corrections.as_ref(),
        tickets: tickets.as_ref(),
        step_facts: facts.as_ref(),
        attendance_days: attendance.as_ref(),
        attendance_metrics: attendance_metrics.as_ref(),
        case_metrics: &case_metrics,
        staff_scores: Some(&staff_scores),
    };
    Ok(Some(vec![crate::metrics::staff::staff_review(
        &inputs, run.as_of,
    )?]))
}
