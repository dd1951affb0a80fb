//! Events that depend on the end of a period of one grain: cases open and
//! overdue on the period's state day, bad ratings rectified late in the
//! period of their deadline, targets missed on the period's rates, and the
//! commendation cap on the period's positive incident points. A period's
//! state is read on its last day, or on the evaluation date before then.

use super::{BadRatings, Event, PeriodsOf, Placed};
use crate::metrics::period::Period;
use crate::metrics::scoring::{late_rectification_period, ScoringInputs, ScoringRules};
use crate::metrics::state_day;
use crate::polars_ext::{date_series, dates_of, opt_f64s, opt_strings, Texts};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The day a period's state is read on.
fn state_day_of(p: &Period, as_of: NaiveDate) -> NaiveDate {
    state_day(p.end, as_of)
}

/// Open overdue cases (`cases`) on the state day of each period: only the
/// rows of state days count (a case open all year has a row every day).
pub(super) fn overdue_open(
    z: &ScoringInputs,
    r: &ScoringRules,
    periods: &mut PeriodsOf,
    as_of: NaiveDate,
) -> Result<Vec<Placed>> {
    let days: Vec<NaiveDate> = dates_of(z.overdue_open.column("date")?)?
        .into_iter()
        .flatten()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|d| *d == state_day_of(&periods.of(*d), as_of))
        .collect();
    let o = &z
        .overdue_open
        .clone()
        .lazy()
        .filter(
            col("date").is_in(
                lit(date_series("d", days.into_iter().map(Some))?.take_materialized_series())
                    .implode(false),
                false,
            ),
        )
        .collect()?;
    let (id, w, s, d) = (
        Texts::of(o, "case_id")?,
        Texts::of(o, "window_id")?,
        Texts::of(o, "staff_id")?,
        dates_of(o.column("date")?)?,
    );
    let mut out = Vec::new();
    for (i, day) in d.into_iter().enumerate() {
        let (Some(day), Some(window)) = (day, w.get(i)) else {
            continue;
        };
        let p = periods.of(day);
        if day == state_day_of(&p, as_of) {
            out.push((
                p,
                Event::new(
                    day,
                    window,
                    s.get(i),
                    "cases",
                    id.get(i).unwrap_or_default(),
                    "overdue_open",
                    r.overdue_open,
                ),
            ));
        }
    }
    Ok(out)
}

/// Bad ratings (`ratings`) rectified late or never: in the period of the
/// grain in which the rectification deadline falls (once per grain,
/// whatever the rating's own period), dated on the deadline.
pub(super) fn late_rectifications(
    z: &ScoringInputs,
    r: &ScoringRules,
    periods: &mut PeriodsOf,
    as_of: NaiveDate,
) -> Result<Vec<Placed>> {
    let mut out = Vec::new();
    let Some(rt) = z.ratings else {
        return Ok(out);
    };
    let bad = BadRatings::of(rt, as_of)?;
    let rectified = dates_of(&rt.column("rectified_at")?.cast(&DataType::Date)?)?;
    let deadline = dates_of(rt.column("deadline")?)?;
    for &i in &bad.rows {
        let (Some(window), Some(limit)) = (bad.window.get(i), deadline[i]) else {
            continue;
        };
        if let Some(p) = late_rectification_period(periods.grain, limit, rectified[i], as_of) {
            out.push((
                periods.shared(p),
                Event::new(
                    limit,
                    window,
                    bad.staff.get(i),
                    "ratings",
                    bad.id.get(i).unwrap_or_default(),
                    "late_rectification",
                    r.late_rectification,
                ),
            ));
        }
    }
    Ok(out)
}

/// Targets (`[targets]`) missed on a window's rates of the period
/// (`case_metrics`), on the period's state day.
pub(super) fn missed_targets(
    z: &ScoringInputs,
    r: &ScoringRules,
    periods: &mut PeriodsOf,
    as_of: NaiveDate,
) -> Result<Vec<Placed>> {
    let m = crate::metrics::scoring::window_rows(z.case_metrics, periods.grain)?;
    let (period, key) = (opt_strings(&m, "period")?, opt_strings(&m, "key")?);
    let start = dates_of(m.column("period_start")?)?;
    let rate = |c: &str| opt_f64s(&m, c);
    let (on_time, compression, speedup) = (
        rate("on_time_rate")?,
        rate("promise_compression")?,
        rate("actual_speedup")?,
    );
    let targets = z.targets;
    let mut out = Vec::new();
    for i in 0..m.height() {
        let (Some(label), Some(window), Some(first)) = (&period[i], &key[i], start[i]) else {
            continue;
        };
        let p = periods.of(first);
        let day = state_day_of(&p, as_of);
        let row_key = format!("{window}/{label}");
        for (kind, value, target, points) in [
            (
                "missed_on_time",
                on_time[i],
                targets.on_time_rate,
                r.missed_on_time,
            ),
            (
                "missed_compression",
                compression[i],
                targets.promise_compression,
                r.missed_compression,
            ),
            (
                "missed_speedup",
                speedup[i],
                targets.actual_speedup,
                r.missed_speedup,
            ),
        ] {
            if value.is_some_and(|v| v < target) {
                out.push((
                    p.clone(),
                    Event::new(day, window, None, "case_metrics", &row_key, kind, points),
                ));
            }
        }
    }
    Ok(out)
}

/// The commendation cap: a window's positive incident points of a period
/// (among `placed`) above the cap are taken back, on the state day.
pub(super) fn commendation_cap(
    r: &ScoringRules,
    placed: &[Placed],
    as_of: NaiveDate,
) -> Vec<Placed> {
    let mut positive: BTreeMap<(String, Arc<str>), (Arc<Period>, f64)> = BTreeMap::new();
    for (p, e) in placed {
        if e.kind == "incident" && e.points > 0.0 {
            positive
                .entry((p.label.clone(), e.window_id.clone()))
                .or_insert((p.clone(), 0.0))
                .1 += e.points;
        }
    }
    let mut out = Vec::new();
    for ((label, window), (p, total)) in positive {
        if total > r.commendation_cap {
            let day = state_day_of(&p, as_of);
            out.push((
                p,
                Event::new(
                    day,
                    &window,
                    None,
                    "score",
                    &format!("{window}/{label}"),
                    "commendation_cap",
                    r.commendation_cap - total,
                ),
            ));
        }
    }
    out
}
