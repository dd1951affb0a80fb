//! `window_scores`, `score_events` and `staff_scores`: the rankings with
//! every event behind them.

use crate::engine::{MetricFamily, Run};
use crate::metrics::schema::{
    ATTENDANCE_DAYS, CASE_METRICS, QUEUE_JUMPS, RATING_METRICS, SCORE_EVENTS, STAFF_SCORES,
    WINDOW_SCORES,
};
use anyhow::Result;
use polars::prelude::DataFrame;

pub const FAMILY: MetricFamily = MetricFamily {
    name: "scores",
    outputs: &[WINDOW_SCORES, SCORE_EVENTS, STAFF_SCORES],
    inputs: &[
        "windows",
        "cases",
        "ratings",
        "corrections",
        "incidents",
        "complaints",
        "case_steps",
        "item_steps",
        "suspensions",
        "replies",
    ],
    draws_on: &[CASE_METRICS, ATTENDANCE_DAYS, RATING_METRICS, QUEUE_JUMPS],
    scoped: false,
    compute,
};

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    use crate::metrics::scoring::{CASE_FIGURES, RATING_FIGURES};
    // Of the metric tables, the window rows only, before the inputs are read.
    let case_metrics = run.need_level_rows(CASE_METRICS, &["window"], &CASE_FIGURES)?;
    let s = run.settings();
    let windows = run.need("windows")?;
    let facts = run.case_facts()?;
    let overdue_open = crate::metrics::cases::overdue_open_cases(&facts, &s.calendar, run.as_of)?;
    let attendance = run.table(ATTENDANCE_DAYS)?;
    let rating_metrics = run.level_rows(RATING_METRICS, &["window"], &RATING_FIGURES)?;
    // Only bad ratings make score events (a rating without a level counts
    // as one, as the scoring rules read it): the others are let go before
    // the deadlines are worked out. The order of the rows stays.
    let columns = [
        "rating_id",
        "window_id",
        "staff_id",
        "rated_at",
        "level",
        "rectified_at",
        "appeal_result",
    ];
    let ratings = match run.read_columns("ratings", Some(&columns))? {
        Some(r) => {
            use polars::prelude::{col, lit, IntoLazy};
            // A rating an appeal excluded costs nothing.
            let bad = crate::metrics::rating_loop::kept(r)?
                .lazy()
                .filter(col("level").is_null().or(col("level").lt_eq(lit(2))))
                .collect()?;
            Some(crate::metrics::ratings::with_deadlines(
                &bad,
                &s.calendar,
                &s.ratings,
            )?)
        }
        None => None,
    };
    let jumps = run.table(QUEUE_JUMPS)?;
    let (incidents, corrections) = (run.incidents_with_complaints()?, run.read("corrections")?);
    let complaint_ids: std::collections::HashSet<String> = run
        .complaints()?
        .into_iter()
        .map(|c| c.complaint_id)
        .collect();
    let steps = run.step_facts()?;
    let notices = run.notices()?;
    let inputs = crate::metrics::scoring::ScoringInputs {
        windows: &windows,
        attendance_days: attendance.as_ref(),
        cases: &facts.cases,
        overdue_open: &overdue_open,
        corrections: corrections.as_ref(),
        steps: steps.as_ref(),
        ratings: ratings.as_ref(),
        queue_jumps: jumps.as_ref(),
        incidents: incidents.as_ref(),
        complaint_ids: &complaint_ids,
        notices: &notices,
        case_metrics: &case_metrics,
        rating_metrics: rating_metrics.as_ref(),
        veto_categories: &s.incidents.veto_categories,
        incident_rules: &s.incidents,
        targets: &s.targets,
    };
    let scores = crate::metrics::scoring::score(&inputs, &s.scoring, run.as_of)?;
    Ok(Some(vec![scores.windows, scores.events, scores.staff]))
}
