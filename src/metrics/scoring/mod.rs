//! Scoring and rankings (红旗窗口评比): every window starts a period at 100
//! points; each event (a late arrival, an overdue case, a bad rating, a
//! queue jump, an incident, a missed target …) adds or takes points by the
//! rules of `[scoring]`. Every point is an event row (`score_events`), so a
//! score can always be explained: 100 + Σ points = score.

use super::period::{period_of, previous, Grain, Period};
use super::{date_lit, dates_of};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Points per event kind and the ranking's counts (`[scoring]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringRules {
    pub base: f64,
    pub late: f64,
    pub early: f64,
    pub missing_punch: f64,
    pub absence_half_day: f64,
    pub overlong_departure: f64,
    pub departure_without_cover: f64,
    pub overdue_completed: f64,
    pub overdue_open: f64,
    pub overdue_step: f64,
    pub correction: f64,
    pub bad_rating: f64,
    pub late_rectification: f64,
    pub queue_jump: f64,
    pub missed_on_time: f64,
    pub missed_compression: f64,
    pub missed_speedup: f64,
    /// Positive incident points of a window (or staff member) in a period
    /// are capped at this total.
    pub commendation_cap: f64,
    /// How many eligible windows are 红旗窗口.
    pub red_flags: usize,
    /// How many windows at the bottom are named (the last of them must rectify).
    pub bottom: usize,
    /// How many staff are 服务之星.
    pub stars: usize,
    /// Divide a window's points by its headcount (staff on the roster).
    pub per_head: bool,
}

impl Default for ScoringRules {
    fn default() -> Self {
        ScoringRules {
            base: 100.0,
            late: -0.5,
            early: -0.5,
            missing_punch: -0.5,
            absence_half_day: -2.0,
            overlong_departure: -1.0,
            departure_without_cover: -0.5,
            overdue_completed: -2.0,
            overdue_open: -2.0,
            overdue_step: -1.0,
            correction: -2.0,
            bad_rating: -1.0,
            late_rectification: -2.0,
            queue_jump: -2.0,
            missed_on_time: -5.0,
            missed_compression: -3.0,
            missed_speedup: -3.0,
            commendation_cap: 5.0,
            red_flags: 3,
            bottom: 3,
            stars: 3,
            per_head: false,
        }
    }
}

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
    pub incidents: Option<&'a DataFrame>,
    pub case_metrics: &'a DataFrame,
    pub rating_metrics: Option<&'a DataFrame>,
    pub veto_categories: &'a [String],
    /// Points of incidents without their own (`[incidents]`).
    pub incident_rules: &'a super::zeros::IncidentRules,
    /// The targets whose miss costs points (`[targets]`).
    pub targets: &'a super::compare::Targets,
}

/// One event row before it is placed in periods.
struct Event {
    date: NaiveDate,
    window_id: String,
    staff_id: Option<String>,
    source: &'static str,
    row_key: String,
    kind: &'static str,
    points: f64,
}

fn texts(df: &DataFrame, c: &str) -> Result<Vec<Option<String>>> {
    Ok(df
        .column(c)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

fn ints(df: &DataFrame, c: &str) -> Result<Vec<i64>> {
    Ok(df
        .column(c)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect())
}

/// Events that belong to the day they happened on, whatever the grain.
fn dated_events(z: &ScoringInputs, r: &ScoringRules, as_of: NaiveDate) -> Result<Vec<Event>> {
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
fn period_events(
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
    let state_day = |p: &Period| super::state_day(p.end, as_of);
    // Open overdue cases at the period's end: only the rows of state days
    // (a case open all year has a row every day).
    let days: Vec<NaiveDate> = dates_of(z.overdue_open.column("date")?)?
        .into_iter()
        .flatten()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|d| *d == state_day(&period_of(grain, *d)))
        .collect();
    let o =
        &z.overdue_open
            .clone()
            .lazy()
            .filter(
                col("date").is_in(
                    lit(super::date_series("d", days.into_iter().map(Some))?
                        .take_materialized_series())
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

/// The outcome of scoring: the events, the window ranking, the staff ranking.
pub struct Scores {
    pub events: DataFrame,
    pub windows: DataFrame,
    pub staff: DataFrame,
}

/// Score and rank every window and staff member for every period of the
/// ranking grains in which cases were accepted or completed.
pub fn score(z: &ScoringInputs, r: &ScoringRules, as_of: NaiveDate) -> Result<Scores> {
    let dated = dated_events(z, r, as_of)?;
    let mut all: Vec<(Period, Event)> = Vec::new();
    for grain in RANKING_GRAINS {
        all.extend(period_events(z, r, &dated, grain, as_of)?);
    }
    all.sort_by(|a, b| {
        (
            a.0.grain,
            &a.0.label,
            &a.1.window_id,
            a.1.date,
            a.1.kind,
            &a.1.row_key,
        )
            .cmp(&(
                b.0.grain,
                &b.0.label,
                &b.1.window_id,
                b.1.date,
                b.1.kind,
                &b.1.row_key,
            ))
    });
    let events = events_frame(&all)?;
    let windows = rank_windows(z, r, &all, as_of)?;
    let staff = rank_staff(z, r, &all, as_of)?;
    Ok(Scores {
        events,
        windows,
        staff,
    })
}

fn events_frame(all: &[(Period, Event)]) -> Result<DataFrame> {
    let col_of = |name: &str, f: &dyn Fn(&(Period, Event)) -> Option<String>| {
        Column::new(name.into(), all.iter().map(f).collect::<Vec<_>>())
    };
    Ok(DataFrame::new(
        all.len(),
        vec![
            col_of("grain", &|(p, _)| Some(p.grain.name().to_string())),
            col_of("period", &|(p, _)| Some(p.label.clone())),
            super::date_series("period_start", all.iter().map(|(p, _)| Some(p.start)))?,
            super::date_series("period_end", all.iter().map(|(p, _)| Some(p.end)))?,
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

/// A window's figures in one period, for ranking.
struct Row {
    window_id: String,
    department: Option<String>,
    score: f64,
    events: usize,
    veto: Option<String>,
    on_time: Option<f64>,
    satisfaction: Option<f64>,
    completed: i64,
    has_cases: bool,
}

/// A window's place in one period's ranking.
struct Ranked {
    period: Period,
    row: Row,
    rank: Option<usize>,
    band: &'static str,
    talk: bool,
}

/// Window-level values of some columns of a metric table, by (period, window).
type WindowFigures = HashMap<(String, String), Vec<Option<f64>>>;

/// A staff member's tally in one period: points, events, window, vetoed.
struct StaffTally {
    points: f64,
    events: usize,
    window_id: String,
    vetoed: bool,
}

/// Sort key: score desc, on-time desc, satisfaction desc (nulls last), completed desc, id.
fn ranking_order(a: &Row, b: &Row) -> std::cmp::Ordering {
    let desc = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    };
    desc(Some(a.score), Some(b.score))
        .then(desc(a.on_time, b.on_time))
        .then(desc(a.satisfaction, b.satisfaction))
        .then(b.completed.cmp(&a.completed))
        .then(a.window_id.cmp(&b.window_id))
}

fn rank_windows(
    z: &ScoringInputs,
    r: &ScoringRules,
    all: &[(Period, Event)],
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let ids = texts(z.windows, "window_id")?;
    let depts = texts(z.windows, "department")?;
    let department: HashMap<String, Option<String>> =
        ids.iter().flatten().cloned().zip(depts).collect();
    let mut window_ids: Vec<String> = department.keys().cloned().collect();
    window_ids.sort();
    // Per period and window: points, event count, veto.
    let mut sums: HashMap<(String, String), (f64, usize, Option<String>)> = HashMap::new();
    let veto_rows = vetoes(z, as_of)?;
    for (p, e) in all {
        let s = sums
            .entry((p.label.clone(), e.window_id.clone()))
            .or_insert((0.0, 0, None));
        s.0 += e.points;
        s.1 += 1;
    }
    let figures =
        |table: Option<&DataFrame>, grain: Grain, columns: &[&str]| -> Result<WindowFigures> {
            let mut out = HashMap::new();
            let Some(t) = table else { return Ok(out) };
            let t = t
                .clone()
                .lazy()
                .filter(
                    col("grain")
                        .eq(lit(grain.name()))
                        .and(col("level").eq(lit("window"))),
                )
                .collect()?;
            let (period, key) = (texts(&t, "period")?, texts(&t, "key")?);
            let values: Vec<Vec<Option<f64>>> = columns
                .iter()
                .map(|c| {
                    Ok(t.column(c)?
                        .cast(&DataType::Float64)?
                        .f64()?
                        .iter()
                        .collect())
                })
                .collect::<Result<_>>()?;
            for i in 0..t.height() {
                if let (Some(p), Some(k)) = (&period[i], &key[i]) {
                    out.insert(
                        (p.clone(), k.clone()),
                        values.iter().map(|v| v[i]).collect(),
                    );
                }
            }
            Ok(out)
        };
    let mut rows_out: Vec<Ranked> = Vec::new();
    for grain in RANKING_GRAINS {
        let cases = figures(
            Some(z.case_metrics),
            grain,
            &["accepted", "completed", "on_time_rate"],
        )?;
        let ratings = figures(z.rating_metrics, grain, &["satisfaction_rate"])?;
        let mut periods: Vec<Period> = cases
            .keys()
            .map(|(p, _)| super::period::parse_period(p))
            .collect::<Result<Vec<_>>>()?;
        periods.sort();
        periods.dedup();
        let mut bottom_before: HashSet<String> = HashSet::new();
        let mut previous_label: Option<String> = None;
        for p in periods {
            let mut rows: Vec<Row> = window_ids
                .iter()
                .map(|w| {
                    let c = cases.get(&(p.label.clone(), w.clone()));
                    let (points, n, _) = sums
                        .get(&(p.label.clone(), w.clone()))
                        .cloned()
                        .unwrap_or((0.0, 0, None));
                    Row {
                        window_id: w.clone(),
                        department: department.get(w).cloned().flatten(),
                        score: r.base + points,
                        events: n,
                        veto: veto_rows
                            .iter()
                            .find(|v| v.window_id == *w && p.start <= v.date && v.date <= p.end)
                            .map(|v| v.category.clone()),
                        on_time: c.and_then(|v| v[2]),
                        satisfaction: ratings
                            .get(&(p.label.clone(), w.clone()))
                            .and_then(|v| v[0]),
                        completed: c.and_then(|v| v[1]).unwrap_or(0.0) as i64,
                        has_cases: c
                            .is_some_and(|v| v[0].unwrap_or(0.0) + v[1].unwrap_or(0.0) > 0.0),
                    }
                })
                .collect();
            if r.per_head {
                per_head(&mut rows, z, &p, r)?;
            }
            let (mut ranked, apart): (Vec<Row>, Vec<Row>) =
                rows.into_iter().partition(|row| row.has_cases);
            ranked.sort_by(ranking_order);
            let mut bottom_now = HashSet::new();
            // A window previous_label was bottom in: talk when bottom again.
            let consecutive = previous_label
                .as_ref()
                .is_some_and(|prev| *prev == previous(&p).label);
            let vetoed: Vec<bool> = ranked.iter().map(|row| row.veto.is_some()).collect();
            let named = bands(&vetoed, r.red_flags, r.bottom);
            for ((i, row), band) in ranked.into_iter().enumerate().zip(named) {
                let bottom = matches!(band, "末位" | "限期整改");
                if bottom {
                    bottom_now.insert(row.window_id.clone());
                }
                let talk = bottom && consecutive && bottom_before.contains(&row.window_id);
                rows_out.push(Ranked {
                    period: p.clone(),
                    row,
                    rank: Some(i + 1),
                    band,
                    talk,
                });
            }
            for row in apart {
                rows_out.push(Ranked {
                    period: p.clone(),
                    row,
                    rank: None,
                    band: "无办件",
                    talk: false,
                });
            }
            bottom_before = bottom_now;
            previous_label = Some(p.label.clone());
        }
    }
    let n = rows_out.len();
    let f = |g: &dyn Fn(&Ranked) -> Option<String>| rows_out.iter().map(g).collect::<Vec<_>>();
    Ok(DataFrame::new(
        n,
        vec![
            Column::new(
                "grain".into(),
                f(&|x| Some(x.period.grain.name().to_string())),
            ),
            Column::new("period".into(), f(&|x| Some(x.period.label.clone()))),
            super::date_series(
                "period_start",
                rows_out.iter().map(|x| Some(x.period.start)),
            )?,
            super::date_series("period_end", rows_out.iter().map(|x| Some(x.period.end)))?,
            Column::new("window_id".into(), f(&|x| Some(x.row.window_id.clone()))),
            Column::new("department".into(), f(&|x| x.row.department.clone())),
            Column::new(
                "score".into(),
                rows_out.iter().map(|x| x.row.score).collect::<Vec<_>>(),
            ),
            Column::new(
                "rank".into(),
                rows_out
                    .iter()
                    .map(|x| x.rank.map(|r| r as i64))
                    .collect::<Vec<_>>(),
            ),
            Column::new("band".into(), f(&|x| Some(x.band.to_string()))),
            Column::new(
                "eligible".into(),
                rows_out
                    .iter()
                    .map(|x| x.row.veto.is_none())
                    .collect::<Vec<_>>(),
            ),
            Column::new("veto".into(), f(&|x| x.row.veto.clone())),
            Column::new(
                "talk".into(),
                rows_out.iter().map(|x| x.talk).collect::<Vec<_>>(),
            ),
            Column::new(
                "on_time_rate".into(),
                rows_out.iter().map(|x| x.row.on_time).collect::<Vec<_>>(),
            ),
            Column::new(
                "satisfaction_rate".into(),
                rows_out
                    .iter()
                    .map(|x| x.row.satisfaction)
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "completed".into(),
                rows_out.iter().map(|x| x.row.completed).collect::<Vec<_>>(),
            ),
            Column::new(
                "events".into(),
                rows_out
                    .iter()
                    .map(|x| x.row.events as i64)
                    .collect::<Vec<_>>(),
            ),
        ],
    )?)
}

/// A substantiated incident in a veto category (一票否决).
struct Veto {
    date: NaiveDate,
    window_id: String,
    staff_id: Option<String>,
    category: String,
}

fn vetoes(z: &ScoringInputs, as_of: NaiveDate) -> Result<Vec<Veto>> {
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

/// Per-head scoring: a window's points divided by its staff on the roster in the period.
fn per_head(rows: &mut [Row], z: &ScoringInputs, p: &Period, r: &ScoringRules) -> Result<()> {
    let Some(a) = z.attendance_days else {
        return Ok(());
    };
    let heads = a
        .clone()
        .lazy()
        .filter(
            col("date")
                .gt_eq(date_lit(p.start))
                .and(col("date").lt_eq(date_lit(p.end))),
        )
        .group_by([col("window_id")])
        .agg([col("staff_id")
            .n_unique()
            .cast(DataType::Int64)
            .alias("heads")])
        .collect()?;
    let heads: HashMap<String, i64> = texts(&heads, "window_id")?
        .into_iter()
        .zip(ints(&heads, "heads")?)
        .filter_map(|(w, h)| Some((w?, h)))
        .collect();
    for row in rows {
        let h = heads.get(&row.window_id).copied().unwrap_or(1).max(1) as f64;
        row.score = r.base + (row.score - r.base) / h;
    }
    Ok(())
}

/// Staff scores (服务之星): the same rules on the events attributed to a staff member.
fn rank_staff(
    z: &ScoringInputs,
    r: &ScoringRules,
    all: &[(Period, Event)],
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let veto_rows = vetoes(z, as_of)?;
    let mut sums: BTreeMap<(Grain, String, String), StaffTally> = BTreeMap::new();
    fn tally<'m>(
        sums: &'m mut BTreeMap<(Grain, String, String), StaffTally>,
        veto_rows: &[Veto],
        p: &Period,
        staff: &String,
        window: &str,
    ) -> &'m mut StaffTally {
        sums.entry((p.grain, p.label.clone(), staff.clone()))
            .or_insert_with(|| {
                // A staff member with a vetoed incident in the period is no star.
                let vetoed = veto_rows.iter().any(|v| {
                    v.staff_id.as_ref() == Some(staff) && p.start <= v.date && v.date <= p.end
                });
                StaffTally {
                    points: 0.0,
                    events: 0,
                    window_id: window.to_string(),
                    vetoed,
                }
            })
    }
    // Everyone on the roster in a period is ranked, a clean record included.
    if let Some(a) = z.attendance_days {
        let (staff, window, work) = (
            texts(a, "staff_id")?,
            texts(a, "window_id")?,
            a.column("workday")?.bool()?.clone(),
        );
        let dates = dates_of(a.column("date")?)?;
        for i in 0..a.height() {
            if let (Some(s), Some(w), Some(d), Some(true)) =
                (&staff[i], &window[i], dates[i], work.get(i))
            {
                for grain in RANKING_GRAINS {
                    tally(&mut sums, &veto_rows, &period_of(grain, d), s, w);
                }
            }
        }
    }
    for (p, e) in all {
        let Some(s) = &e.staff_id else { continue };
        let entry = tally(&mut sums, &veto_rows, p, s, &e.window_id);
        entry.points += e.points;
        entry.events += 1;
    }
    // (grain, period, staff) with the tally; best score first within a period.
    let mut rows: Vec<((Grain, String, String), StaffTally)> = sums.into_iter().collect();
    rows.sort_by(|(a, x), (b, y)| {
        (a.0, &a.1)
            .cmp(&(b.0, &b.1))
            .then(y.points.total_cmp(&x.points))
            .then(a.2.cmp(&b.2))
    });
    let mut rank = Vec::with_capacity(rows.len());
    let mut star = Vec::with_capacity(rows.len());
    let (mut current, mut k, mut stars) = (None, 0, 0);
    for ((grain, period, _), tally) in &rows {
        if current != Some((*grain, period)) {
            current = Some((*grain, period));
            k = 0;
            stars = 0;
        }
        k += 1;
        rank.push(k as i64);
        let is_star = !tally.vetoed && stars < r.stars;
        if is_star {
            stars += 1;
        }
        star.push(is_star);
    }
    let key = |f: fn(&(Grain, String, String)) -> String| {
        rows.iter().map(|(k, _)| f(k)).collect::<Vec<_>>()
    };
    let periods: Vec<Option<Period>> = rows
        .iter()
        .map(|((_, label, _), _)| super::period::parse_period(label).ok())
        .collect();
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Column::new("grain".into(), key(|k| k.0.name().to_string())),
            Column::new("period".into(), key(|k| k.1.clone())),
            super::date_series(
                "period_start",
                periods.iter().map(|p| p.as_ref().map(|p| p.start)),
            )?,
            super::date_series(
                "period_end",
                periods.iter().map(|p| p.as_ref().map(|p| p.end)),
            )?,
            Column::new("staff_id".into(), key(|k| k.2.clone())),
            Column::new(
                "window_id".into(),
                rows.iter()
                    .map(|(_, t)| t.window_id.clone())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "score".into(),
                rows.iter()
                    .map(|(_, t)| r.base + t.points)
                    .collect::<Vec<_>>(),
            ),
            Column::new("rank".into(), rank),
            Column::new("star".into(), star),
            Column::new(
                "events".into(),
                rows.iter()
                    .map(|(_, t)| t.events as i64)
                    .collect::<Vec<_>>(),
            ),
        ],
    )?)
}

/// The windows of one period, ranked ones first in rank order.
pub fn ranking_of(windows: &DataFrame, period: &Period) -> Result<DataFrame> {
    Ok(windows
        .clone()
        .lazy()
        .filter(
            col("grain")
                .eq(lit(period.grain.name()))
                .and(col("period").eq(lit(period.label.as_str()))),
        )
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
        .filter(
            col("grain")
                .eq(lit(period.grain.name()))
                .and(col("period").eq(lit(period.label.as_str())))
                .and(col("star")),
        )
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
        .filter(
            col("grain")
                .eq(lit(period.grain.name()))
                .and(col("period").eq(lit(period.label.as_str())))
                .and(col("window_id").eq(lit(window))),
        )
        // The period is given: its dates add nothing to the listing.
        .drop(by_name(["period_start", "period_end"], true, false))
        .collect()?)
}

/// The period of `grain` in which a bad rating due for rectification on
/// `limit` costs its late-rectification points, judged as of `as_of`: the
/// period holding the deadline, once the rating is known to be late there
/// (rectified after the deadline, or not rectified by the end of the
/// deadline's period, or of `as_of` while that period is not over).
pub fn late_rectification_period(
    grain: Grain,
    limit: NaiveDate,
    rectified: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Option<Period> {
    let p = period_of(grain, limit);
    let end = super::state_day(p.end, as_of);
    if end < limit {
        return None; // the deadline has not passed yet
    }
    let late = match rectified.filter(|x| *x <= end) {
        Some(done) => done > limit,
        None => true,
    };
    late.then_some(p)
}

/// The bands of `n` ranked windows, best first (`vetoed[i]`: the i-th has
/// a 一票否决 incident): up to `red_flags` 红旗窗口 among the windows not
/// vetoed, the last `bottom` 末位, the very last 限期整改. With fewer
/// windows than `red_flags + bottom`, both bands shrink in proportion
/// (rounded down) and never overlap: 5 windows with 3 + 3 give 2 red flags,
/// one unnamed window and 2 at the bottom; a lone window is named neither.
pub fn bands(vetoed: &[bool], red_flags: usize, bottom: usize) -> Vec<&'static str> {
    let n = vetoed.len();
    let (red_n, bottom_n) = if n >= red_flags + bottom {
        (red_flags, bottom)
    } else {
        let all = red_flags + bottom;
        (n * red_flags / all.max(1), n * bottom / all.max(1))
    };
    let mut flags = 0;
    vetoed
        .iter()
        .enumerate()
        .map(|(i, veto)| {
            if bottom_n > 0 && i + 1 == n {
                "限期整改"
            } else if i + bottom_n >= n {
                "末位"
            } else if !veto && flags < red_n {
                flags += 1;
                "红旗窗口"
            } else {
                ""
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_month_end_bad_rating_costs_in_the_month_of_its_deadline() {
        let label = |grain, limit, done: Option<&str>, as_of| {
            late_rectification_period(grain, d(limit), done.map(d), d(as_of)).map(|p| p.label)
        };
        // Rated Tuesday 2026-10-27, 5 working days: due Tuesday 11-03.
        // Never rectified: November's ranking pays (October's never could).
        assert_eq!(
            label(Grain::Month, "2026-11-03", None, "2026-11-30"),
            Some("2026-11".into())
        );
        // Judged on 10-31 it is not late yet.
        assert_eq!(label(Grain::Month, "2026-11-03", None, "2026-10-31"), None);
        // Rectified late on 11-05: November, and Q4 for the quarter.
        assert_eq!(
            label(Grain::Month, "2026-11-03", Some("2026-11-05"), "2026-11-30"),
            Some("2026-11".into())
        );
        assert_eq!(
            label(
                Grain::Quarter,
                "2026-11-03",
                Some("2026-11-05"),
                "2026-12-31"
            ),
            Some("2026-Q4".into())
        );
        // Rectified on the deadline: never late.
        assert_eq!(
            label(Grain::Month, "2026-11-03", Some("2026-11-03"), "2026-11-30"),
            None
        );
        // Due on the month's last day and still open at its end: late there.
        assert_eq!(
            label(Grain::Month, "2026-10-31", None, "2026-11-30"),
            Some("2026-10".into())
        );
        // Rectified in a later month than its deadline's: the deadline's month.
        assert_eq!(
            label(Grain::Month, "2026-10-30", Some("2026-11-02"), "2026-11-30"),
            Some("2026-10".into())
        );
    }

    proptest::proptest! {
        /// Whatever the dates, a bad rating rectified late or never costs
        /// in exactly one period of each grain, and one rectified on time in none.
        #[test]
        fn late_rectification_costs_in_exactly_one_period_per_grain(
            limit in 0i64..400, done in proptest::option::of(0i64..500), after in 0i64..200
        ) {
            let base = d("2025-06-01");
            let limit = base + chrono::Duration::days(limit);
            let done = done.map(|k| base + chrono::Duration::days(k));
            let as_of = limit + chrono::Duration::days(after);
            let late = done.is_none_or(|x| x > limit);
            for grain in Grain::ALL {
                let got = late_rectification_period(grain, limit, done, as_of);
                // Judged at the end of the deadline's period (or as_of).
                let end = super::super::state_day(period_of(grain, limit).end, as_of);
                let known_late = match done.filter(|x| *x <= end) {
                    Some(x) => x > limit,
                    None => true,
                };
                proptest::prop_assert_eq!(got.is_some(), known_late, "{:?}", grain);
                proptest::prop_assert!(got.is_none() || late);
                if let Some(p) = got {
                    proptest::prop_assert!(p.start <= limit && limit <= p.end);
                }
            }
        }
    }

    #[test]
    fn bands_when_windows_are_few() {
        let clean = |n: usize| vec![false; n];
        // 0 and 1 windows: nobody is named.
        assert!(bands(&clean(0), 3, 3).is_empty());
        assert_eq!(bands(&clean(1), 3, 3), [""]);
        // red + bottom − 1 = 5: ⌊5·3/6⌋ = 2 red flags, 2 at the bottom, one
        // window in between unnamed.
        assert_eq!(
            bands(&clean(5), 3, 3),
            ["红旗窗口", "红旗窗口", "", "末位", "限期整改"]
        );
        // red + bottom = 6: the full bands.
        assert_eq!(
            bands(&clean(6), 3, 3),
            [
                "红旗窗口",
                "红旗窗口",
                "红旗窗口",
                "末位",
                "末位",
                "限期整改"
            ]
        );
        // A vetoed first window: its flag is not passed into the bottom band.
        let mut vetoed = clean(6);
        vetoed[0] = true;
        assert_eq!(
            bands(&vetoed, 3, 3),
            ["", "红旗窗口", "红旗窗口", "末位", "末位", "限期整改"]
        );
        // Two windows with 3 + 3: one red flag, one to rectify.
        assert_eq!(bands(&clean(2), 3, 3), ["红旗窗口", "限期整改"]);
        // No bottom places: no 限期整改.
        assert_eq!(bands(&clean(3), 1, 0), ["红旗窗口", "", ""]);
    }
}
