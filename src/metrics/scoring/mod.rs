//! Scoring and rankings (红旗窗口评比): every window starts a period at 100
//! points; each event (a late arrival, an overdue case, a bad rating, a
//! queue jump, an incident, a missed target …) adds or takes points by the
//! rules of `[scoring]`. Every point is an event row (`score_events`), so a
//! score can always be explained: 100 + Σ points = score.
//!
//! `rules`: the points and counts of `[scoring]` and when a point is due;
//! `events`: the score events, placed in the periods of each grain;
//! `windows`: window scores and ranking (红旗窗口, 末位, 约谈);
//! `staff`: staff scores (服务之星).

mod events;
mod rules;
mod staff;
mod windows;

pub use rules::{late_rectification_period, ScoringRules};
pub use windows::bands;

use super::period::{Grain, Period};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

/// The grains rankings exist for.
pub const RANKING_GRAINS: [Grain; 4] = [Grain::Month, Grain::Bimonth, Grain::Quarter, Grain::Year];

/// What scoring reads (all already computed as of the same date).
pub struct ScoringInputs<'a> {
    pub windows: &'a DataFrame,
    /// `attendance_days`, if punches exist.
    pub attendance_days: Option<&'a DataFrame>,
    /// Case facts (`case_id, window_id, staff_id, comp, n, elapsed`).
    pub cases: &'a DataFrame,
    /// `case_id, window_id, staff_id, date` of open overdue case-days.
    pub overdue_open: &'a DataFrame,
    pub corrections: Option<&'a DataFrame>,
    /// `step_facts`, if there are steps.
    pub steps: Option<&'a DataFrame>,
    /// Ratings with a `deadline` (Date) column for bad ones.
    pub ratings: Option<&'a DataFrame>,
    pub queue_jumps: Option<&'a DataFrame>,
    /// The incidents, with the complaints that have a result in place of
    /// the incident rows repeating them (`Run::incidents_with_complaints`).
    pub incidents: Option<&'a DataFrame>,
    /// The ids among `incidents` that are complaints (their events come
    /// from the `complaints` table).
    pub complaint_ids: &'a std::collections::HashSet<String>,
    /// The 督办 notices (their escalations cost points).
    pub notices: &'a [crate::metrics::supervision::Notice],
    pub case_metrics: &'a DataFrame,
    pub rating_metrics: Option<&'a DataFrame>,
    pub veto_categories: &'a [String],
    /// Points of incidents without their own (`[incidents]`).
    pub incident_rules: &'a crate::metrics::zeros::IncidentRules,
    /// The targets whose miss costs points (`[targets]`).
    pub targets: &'a crate::metrics::compare::Targets,
}

/// The outcome of scoring: the events, the window ranking, the staff ranking.
pub struct Scores {
    pub events: DataFrame,
    pub windows: DataFrame,
    pub staff: DataFrame,
}

/// Score and rank every window and staff member for every period of the
/// ranking grains in which cases were accepted or completed.
pub fn score(z: &ScoringInputs, r: &ScoringRules, as_of: NaiveDate) -> Result<Scores> {
    let all = events::scored_events(z, r, as_of)?;
    // Three readings of the same events, side by side.
    let (events, windows, staff) = std::thread::scope(|scope| {
        let events = scope.spawn(|| events::events_frame(&all));
        let staff = scope.spawn(|| staff::rank_staff(z, r, &all, as_of));
        let windows = windows::rank_windows(z, r, &all, as_of);
        let join = "a scoring thread panicked";
        (
            events.join().expect(join),
            windows,
            staff.join().expect(join),
        )
    });
    let (events, windows, staff) = (events?, windows?, staff?);
    Ok(Scores {
        events,
        windows,
        staff,
    })
}

/// The windows of one period, ranked ones first in rank order.
pub fn ranking_of(windows: &DataFrame, period: &Period) -> Result<DataFrame> {
    Ok(windows
        .clone()
        .lazy()
        .filter(period.holds_row())
        .sort(
            ["rank", "window_id"],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()?)
}

/// The 服务之星 of one period.
pub fn stars_of(staff: &DataFrame, period: &Period) -> Result<DataFrame> {
    Ok(staff
        .clone()
        .lazy()
        .filter(period.holds_row().and(col("star")))
        .sort(["rank"], SortMultipleOptions::default())
        .collect()?)
}

/// One line saying how a window's score follows from its events.
pub fn explain_summary(
    windows: &DataFrame,
    events: &DataFrame,
    period: &Period,
    window: &str,
    r: &ScoringRules,
) -> Result<String> {
    let total: f64 = events.column("points")?.f64()?.iter().flatten().sum();
    let row = ranking_of(windows, period)?
        .lazy()
        .filter(col("window_id").eq(lit(window)))
        .collect()?;
    let score = row.column("score")?.f64()?.get(0);
    Ok(match score {
        None => format!("{window}: no such window in {}", period.label),
        Some(s) if r.per_head => format!("{window}: {} + {total} / headcount = {s}", r.base),
        Some(s) => format!("{window}: {} + {total} = {s}", r.base),
    })
}

/// The events behind one window's score in one period.
pub fn explain(events: &DataFrame, period: &Period, window: &str) -> Result<DataFrame> {
    Ok(events
        .clone()
        .lazy()
        .filter(period.holds_row().and(col("window_id").eq(lit(window))))
        // The period is given: its dates add nothing to the listing.
        .drop(by_name(["period_start", "period_end"], true, false))
        .collect()?)
}

/// The window-level rows of a metric table in the periods of `grain`.
/// The figures the scoring reads of `case_metrics` and of
/// `rating_metrics`, at the window level.
pub const CASE_FIGURES: [&str; 5] = [
    "accepted",
    "completed",
    "on_time_rate",
    "promise_compression",
    "actual_speedup",
];
pub const RATING_FIGURES: [&str; 1] = ["satisfaction_rate"];

fn window_rows(table: &DataFrame, grain: Grain) -> Result<DataFrame> {
    Ok(table
        .clone()
        .lazy()
        .filter(
            col("grain")
                .eq(lit(grain.name()))
                .and(col("level").eq(lit("window"))),
        )
        .collect()?)
}
