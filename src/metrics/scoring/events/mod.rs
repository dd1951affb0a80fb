//! The score events: one row per point-bearing event, dated by the day it
//! happened (attendance, cases, steps, corrections, ratings, queue jumps,
//! incidents) or by the end of a period (open overdue cases, late
//! rectification, missed targets, the commendation cap); and the vetoes.

use super::{ints, late_rectification_period, texts, ScoringInputs, ScoringRules};
use crate::metrics::dates_of;
use crate::metrics::period::{period_of, Grain, Period};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// One event row before it is placed in periods.
pub(super) struct Event {
    pub(super) date: NaiveDate,
    pub(super) window_id: String,
    pub(super) staff_id: Option<String>,
    pub(super) source: &'static str,
    pub(super) row_key: String,
    pub(super) kind: &'static str,
    pub(super) points: f64,
}

/// Events that belong to the day they happened on, whatever the grain.
pub(super) fn dated_events(
    z: &ScoringInputs,
    r: &ScoringRules,
    as_of: NaiveDate,
) -> Result<Vec<Event>> {
    let mut out = Vec::new();
    let mut push = |date: Option<NaiveDate>,
                    window: &Option<String>,
                    staff: &Option<String>,
                    source,
                    key: String,
                    kind,
                    points: f64,
                    times: i64| {
        if let (Some(date), Some(window)) = (date, window) {
            for _ in 0..times.max(0) {
                out.push(Event {
                    date,
                    window_id: window.clone(),
                    staff_id: staff.clone(),
                    source,
                    row_key: key.clone(),
                    kind,
                    points,
                });
            }
        }
    };
    if let Some(a) = z.attendance_days {
        let (date, window, staff) = (
            dates_of(a.column("date")?)?,
            texts(a, "window_id")?,
            texts(a, "staff_id")?,
        );
        let (late, early, missing, absent) = (
            ints(a, "late_minutes")?,
            ints(a, "early_minutes")?,
            ints(a, "missing_punches")?,
            ints(a, "absent_half_days")?,
        );
        let (overlong, uncovered) = (
            ints(a, "overlong_departures")?,
            ints(a, "departures_without_cover")?,
        );
        for i in 0..a.height() {
            let key = format!(
                "{}/{}",
                staff[i].as_deref().unwrap_or(""),
                date[i].map(|d| d.to_string()).unwrap_or_default()
            );
            let p = |kind, points, n| (kind, points, n);
            for (kind, points, n) in [
                p("late", r.late, i64::from(late[i] > 0)),
                p("early", r.early, i64::from(early[i] > 0)),
                p("missing_punch", r.missing_punch, missing[i]),
                p("absence", r.absence_half_day, absent[i]),
                p("overlong_departure", r.overlong_departure, overlong[i]),
                p(
                    "departure_without_cover",
                    r.departure_without_cover,
                    uncovered[i],
                ),
            ] {
                push(
                    date[i],
                    &window[i],
                    &staff[i],
                    "attendance_days",
                    key.clone(),
                    kind,
                    points,
                    n,
                );
            }
        }
    }
    let c = z.cases;
    let (id, window, staff, comp) = (
        texts(c, "case_id")?,
        texts(c, "window_id")?,
        texts(c, "staff_id")?,
        dates_of(c.column("comp")?)?,
    );
    let (n, elapsed) = (c.column("n")?.i64()?, c.column("elapsed")?.i64()?);
    for i in 0..c.height() {
        if let (Some(n), Some(e)) = (n.get(i), elapsed.get(i)) {
            if e > n {
                push(
                    comp[i],
                    &window[i],
                    &staff[i],
                    "cases",
                    id[i].clone().unwrap_or_default(),
                    "overdue_completed",
                    r.overdue_completed,
                    1,
                );
            }
        }
    }
    if let Some(st) = z.steps {
        let (cid, window, staff) = (
            texts(st, "case_id")?,
            texts(st, "window_id")?,
            texts(st, "staff_id")?,
        );
        let (seq, finish) = (ints(st, "seq")?, dates_of(st.column("finish")?)?);
        let overdue = st.column("overdue")?.bool()?;
        for i in 0..st.height() {
            if overdue.get(i) == Some(true) && finish[i].is_some() {
                push(
                    finish[i],
                    &window[i],
                    &staff[i],
                    "case_steps",
                    format!("{}/{}", cid[i].as_deref().unwrap_or(""), seq[i]),
                    "overdue_step",
                    r.overdue_step,
                    1,
                );
            }
        }
    }
    if let Some(cor) = z.corrections {
        let by_case: HashMap<String, (Option<String>, Option<String>)> = id
            .iter()
            .zip(window.iter().zip(&staff))
            .filter_map(|(i, (w, s))| Some((i.clone()?, (w.clone(), s.clone()))))
            .collect();
        let (cid, at) = (
            texts(cor, "case_id")?,
            dates_of(&cor.column("at")?.cast(&DataType::Date)?)?,
        );
        for i in 0..cor.height() {
            let Some((w, s)) = cid[i].as_ref().and_then(|k| by_case.get(k)) else {
                continue;
            };
            let key = format!(
                "{}/{}",
                cid[i].as_deref().unwrap_or(""),
                at[i].map(|d| d.to_string()).unwrap_or_default()
            );
            push(
                at[i].filter(|d| *d <= as_of),
                w,
                s,
                "corrections",
                key,
                "correction",
                r.correction,
                1,
            );
        }
    }
    if let Some(rt) = z.ratings {
        let (rid, w, s, level) = (
            texts(rt, "rating_id")?,
            texts(rt, "window_id")?,
            texts(rt, "staff_id")?,
            ints(rt, "level")?,
        );
        let rated = dates_of(&rt.column("rated_at")?.cast(&DataType::Date)?)?;
        for i in 0..rt.height() {
            if level[i] <= 2 {
                push(
                    rated[i].filter(|d| *d <= as_of),
                    &w[i],
                    &s[i],
                    "ratings",
                    rid[i].clone().unwrap_or_default(),
                    "bad_rating",
                    r.bad_rating,
                    1,
                );
            }
        }
    }
    if let Some(j) = z.queue_jumps {
        let (tid, w, s, d) = (
            texts(j, "ticket_id")?,
            texts(j, "window_id")?,
            texts(j, "staff_id")?,
            dates_of(j.column("date")?)?,
        );
        for i in 0..j.height() {
            push(
                d[i].filter(|x| *x <= as_of),
                &w[i],
                &s[i],
                "tickets",
                tid[i].clone().unwrap_or_default(),
                "queue_jump",
                r.queue_jump,
                1,
            );
        }
    }
    if let Some(inc) = z.incidents {
        let (iid, w, s, cat, src) = (
            texts(inc, "incident_id")?,
            texts(inc, "window_id")?,
            texts(inc, "staff_id")?,
            texts(inc, "category")?,
            texts(inc, "source")?,
        );
        let d = dates_of(inc.column("date")?)?;
        let sub: Vec<bool> = inc
            .column("substantiated")?
            .bool()?
            .iter()
            .map(|v| v.unwrap_or(true))
            .collect();
        let pts: Vec<Option<f64>> = inc
            .column("points")?
            .cast(&DataType::Float64)?
            .f64()?
            .iter()
            .collect();
        for i in 0..inc.height() {
            if !sub[i] {
                continue;
            }
            let points = pts[i]
                .or_else(|| {
                    z.incident_rules
                        .default_for(cat[i].as_deref(), src[i].as_deref())
                })
                .unwrap_or(0.0);
            push(
                d[i].filter(|x| *x <= as_of),
                &w[i],
                &s[i],
                "incidents",
                iid[i].clone().unwrap_or_default(),
                "incident",
                points,
                1,
            );
        }
    }
    Ok(out)
}

/// Per window and period of one grain: the events of the period, and the
/// events that depend on the period's end (open overdue cases, late
/// rectification, missed targets, the commendation cap).
pub(super) fn period_events(
    z: &ScoringInputs,
    r: &ScoringRules,
    dated: &[Event],
    grain: Grain,
    as_of: NaiveDate,
) -> Result<Vec<(Period, Event)>> {
    let mut out: Vec<(Period, Event)> = dated
        .iter()
        .map(|e| (period_of(grain, e.date), clone_event(e)))
        .collect();
    let state_day = |p: &Period| crate::metrics::state_day(p.end, as_of);
    // Open overdue cases at the period's end: only the rows of state days
    // (a case open all year has a row every day).
    let days: Vec<NaiveDate> = dates_of(z.overdue_open.column("date")?)?
        .into_iter()
        .flatten()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|d| *d == state_day(&period_of(grain, *d)))
        .collect();
    let o = &z
        .overdue_open
        .clone()
        .lazy()
        .filter(
            col("date").is_in(
                lit(
                    crate::metrics::date_series("d", days.into_iter().map(Some))?
                        .take_materialized_series(),
                )
                .implode(false),
                false,
            ),
        )
        .collect()?;
    let (id, w, s, d) = (
        texts(o, "case_id")?,
        texts(o, "window_id")?,
        texts(o, "staff_id")?,
        dates_of(o.column("date")?)?,
    );
    for i in 0..o.height() {
        let (Some(day), Some(window)) = (d[i], w[i].clone()) else {
            continue;
        };
        let p = period_of(grain, day);
        if day == state_day(&p) {
            out.push((
                p,
                event(
                    day,
                    window,
                    s[i].clone(),
                    "cases",
                    id[i].clone().unwrap_or_default(),
                    "overdue_open",
                    r.overdue_open,
                ),
            ));
        }
    }
    // Bad ratings rectified late or never: in the period of each grain in
    // which the rectification deadline falls (once per grain, whatever the
    // rating's own period).
    if let Some(rt) = z.ratings {
        let (rid, w, s, level) = (
            texts(rt, "rating_id")?,
            texts(rt, "window_id")?,
            texts(rt, "staff_id")?,
            ints(rt, "level")?,
        );
        let rated = dates_of(&rt.column("rated_at")?.cast(&DataType::Date)?)?;
        let rectified = dates_of(&rt.column("rectified_at")?.cast(&DataType::Date)?)?;
        let deadline = dates_of(rt.column("deadline")?)?;
        for i in 0..rt.height() {
            let (Some(day), Some(window), Some(limit)) = (rated[i], w[i].clone(), deadline[i])
            else {
                continue;
            };
            if level[i] > 2 || day > as_of {
                continue;
            }
            if let Some(p) = late_rectification_period(grain, limit, rectified[i], as_of) {
                out.push((
                    p,
                    event(
                        limit,
                        window,
                        s[i].clone(),
                        "ratings",
                        rid[i].clone().unwrap_or_default(),
                        "late_rectification",
                        r.late_rectification,
                    ),
                ));
            }
        }
    }
    // Missed targets on the window's rates of the period.
    let m = z
        .case_metrics
        .clone()
        .lazy()
        .filter(
            col("grain")
                .eq(lit(grain.name()))
                .and(col("level").eq(lit("window"))),
        )
        .collect()?;
    let (period, key) = (texts(&m, "period")?, texts(&m, "key")?);
    let start = dates_of(m.column("period_start")?)?;
    let rate = |c: &str| -> Result<Vec<Option<f64>>> { Ok(m.column(c)?.f64()?.iter().collect()) };
    let (on_time, compression, speedup) = (
        rate("on_time_rate")?,
        rate("promise_compression")?,
        rate("actual_speedup")?,
    );
    let targets = z.targets;
    for i in 0..m.height() {
        let (Some(label), Some(window), Some(first)) = (&period[i], &key[i], start[i]) else {
            continue;
        };
        let p = period_of(grain, first);
        let day = state_day(&p);
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
                    event(
                        day,
                        window.clone(),
                        None,
                        "case_metrics",
                        format!("{window}/{label}"),
                        kind,
                        points,
                    ),
                ));
            }
        }
    }
    // The commendation cap: positive incident points above it are taken back.
    let mut positive: BTreeMap<(String, String), (Period, f64)> = BTreeMap::new();
    for (p, e) in &out {
        if e.kind == "incident" && e.points > 0.0 {
            positive
                .entry((p.label.clone(), e.window_id.clone()))
                .or_insert((p.clone(), 0.0))
                .1 += e.points;
        }
    }
    for ((label, window), (p, total)) in positive {
        if total > r.commendation_cap {
            let day = state_day(&p);
            out.push((
                p,
                event(
                    day,
                    window.clone(),
                    None,
                    "score",
                    format!("{window}/{label}"),
                    "commendation_cap",
                    r.commendation_cap - total,
                ),
            ));
        }
    }
    Ok(out)
}

fn event(
    date: NaiveDate,
    window_id: String,
    staff_id: Option<String>,
    source: &'static str,
    row_key: String,
    kind: &'static str,
    points: f64,
) -> Event {
    Event {
        date,
        window_id,
        staff_id,
        source,
        row_key,
        kind,
        points,
    }
}

fn clone_event(e: &Event) -> Event {
    event(
        e.date,
        e.window_id.clone(),
        e.staff_id.clone(),
        e.source,
        e.row_key.clone(),
        e.kind,
        e.points,
    )
}

pub(super) fn events_frame(all: &[(Period, Event)]) -> Result<DataFrame> {
    let col_of = |name: &str, f: &dyn Fn(&(Period, Event)) -> Option<String>| {
        Column::new(name.into(), all.iter().map(f).collect::<Vec<_>>())
    };
    Ok(DataFrame::new(
        all.len(),
        vec![
            col_of("grain", &|(p, _)| Some(p.grain.name().to_string())),
            col_of("period", &|(p, _)| Some(p.label.clone())),
            crate::metrics::date_series("period_start", all.iter().map(|(p, _)| Some(p.start)))?,
            crate::metrics::date_series("period_end", all.iter().map(|(p, _)| Some(p.end)))?,
            col_of("window_id", &|(_, e)| Some(e.window_id.clone())),
            col_of("staff_id", &|(_, e)| e.staff_id.clone()),
            col_of("source", &|(_, e)| Some(e.source.to_string())),
            col_of("row_key", &|(_, e)| Some(e.row_key.clone())),
            col_of("kind", &|(_, e)| Some(e.kind.to_string())),
            Column::new(
                "points".into(),
                all.iter().map(|(_, e)| e.points).collect::<Vec<_>>(),
            ),
        ],
    )?)
}

/// A substantiated incident in a veto category (一票否决).
pub(super) struct Veto {
    pub(super) date: NaiveDate,
    pub(super) window_id: String,
    pub(super) staff_id: Option<String>,
    pub(super) category: String,
}

pub(super) fn vetoes(z: &ScoringInputs, as_of: NaiveDate) -> Result<Vec<Veto>> {
    let Some(inc) = z.incidents else {
        return Ok(Vec::new());
    };
    let (w, s, cat) = (
        texts(inc, "window_id")?,
        texts(inc, "staff_id")?,
        texts(inc, "category")?,
    );
    let d = dates_of(inc.column("date")?)?;
    let sub: Vec<bool> = inc
        .column("substantiated")?
        .bool()?
        .iter()
        .map(|v| v.unwrap_or(true))
        .collect();
    Ok((0..inc.height())
        .filter(|&i| {
            sub[i]
                && cat[i]
                    .as_ref()
                    .is_some_and(|c| z.veto_categories.contains(c))
        })
        .filter_map(|i| {
            Some(Veto {
                date: d[i].filter(|x| *x <= as_of)?,
                window_id: w[i].clone()?,
                staff_id: s[i].clone(),
                category: cat[i].clone()?,
            })
        })
        .collect())
}
