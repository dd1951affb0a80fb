//! Events that belong to the day they happened on, whatever the grain: the
//! events of each source, the sources in a fixed order. An event needs a
//! date and a window; rows without either make none, and events after the
//! evaluation date are left out.

use super::{substantiated, BadRatings, Event};
use crate::metrics::scoring::{ScoringInputs, ScoringRules};
use crate::polars_ext::{dates_of, i64s, opt_f64s, Texts};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

/// The dated events of every source, one source after the other.
pub(super) fn dated_events(
    z: &ScoringInputs,
    r: &ScoringRules,
    as_of: NaiveDate,
) -> Result<Vec<Event>> {
    // The sources on every core (each its own pass over its table),
    // stacked in this order.
    let sources: Vec<usize> = (0..8).collect();
    let frames = crate::parallel::parallel_map(&sources, |&source| match source {
        0 => attendance(z, r),
        1 => overdue_cases(z, r),
        2 => overdue_steps(z, r),
        3 => corrections(z, r, as_of),
        4 => bad_ratings(z, r, as_of),
        5 => queue_jumps(z, r, as_of),
        6 => incidents(z, as_of),
        _ => escalations(z, r, as_of),
    });
    crate::parallel::joined(frames)
}

/// The events of one source, gathered row by row (text is copied for the
/// rows that make an event only: most rows of a source make none).
struct SourceEvents {
    source: &'static str,
    events: Vec<Event>,
}

impl SourceEvents {
    fn new(source: &'static str) -> Self {
        SourceEvents {
            source,
            events: Vec::new(),
        }
    }

    /// `times` events of `kind` worth `points` each, on `date` at `window`
    /// (none without a date or a window).
    fn push(
        &mut self,
        date: Option<NaiveDate>,
        window: Option<&str>,
        staff: Option<&str>,
        key: &dyn Fn() -> String,
        (kind, points): (&'static str, f64),
        times: i64,
    ) {
        if let (Some(date), Some(window), true) = (date, window, times > 0) {
            let event = Event::new(date, window, staff, self.source, &key(), kind, points);
            self.events
                .extend(std::iter::repeat_n(event, times as usize));
        }
    }

    fn into_events(self) -> Result<Vec<Event>> {
        Ok(self.events)
    }
}

/// Attendance (`attendance_days`), per staff member and day: a late
/// arrival and an early leave once each, and every missing punch, absent
/// half day, overlong departure and departure without cover.
fn attendance(z: &ScoringInputs, r: &ScoringRules) -> Result<Vec<Event>> {
    let mut out = SourceEvents::new("attendance_days");
    let Some(a) = z.attendance_days else {
        return out.into_events();
    };
    let (date, window, staff) = (
        dates_of(a.column("date")?)?,
        Texts::of(a, "window_id")?,
        Texts::of(a, "staff_id")?,
    );
    let (late, early, missing, absent) = (
        i64s(a, "late_minutes")?,
        i64s(a, "early_minutes")?,
        i64s(a, "missing_punches")?,
        i64s(a, "absent_half_days")?,
    );
    let (overlong, uncovered) = (
        i64s(a, "overlong_departures")?,
        i64s(a, "departures_without_cover")?,
    );
    for i in 0..a.height() {
        let key = || {
            format!(
                "{}/{}",
                staff.get(i).unwrap_or(""),
                date[i].map(|d| d.to_string()).unwrap_or_default()
            )
        };
        for (kind, points, n) in [
            ("late", r.late, i64::from(late[i] > 0)),
            ("early", r.early, i64::from(early[i] > 0)),
            ("missing_punch", r.missing_punch, missing[i]),
            ("absence", r.absence_half_day, absent[i]),
            ("overlong_departure", r.overlong_departure, overlong[i]),
            (
                "departure_without_cover",
                r.departure_without_cover,
                uncovered[i],
            ),
        ] {
            out.push(
                date[i],
                window.get(i),
                staff.get(i),
                &key,
                (kind, points),
                n,
            );
        }
    }
    out.into_events()
}

/// Cases completed over their time limit (`cases`), on the completion day.
fn overdue_cases(z: &ScoringInputs, r: &ScoringRules) -> Result<Vec<Event>> {
    let mut out = SourceEvents::new("cases");
    let c = z.cases;
    let (id, window, staff, comp) = (
        Texts::of(c, "case_id")?,
        Texts::of(c, "window_id")?,
        Texts::of(c, "staff_id")?,
        dates_of(c.column("comp")?)?,
    );
    let (n, elapsed) = (c.column("n")?.i64()?, c.column("elapsed")?.i64()?);
    for (i, (n, e)) in n.iter().zip(elapsed.iter()).enumerate() {
        if let (Some(n), Some(e)) = (n, e) {
            if e > n {
                out.push(
                    comp[i],
                    window.get(i),
                    staff.get(i),
                    &|| id.owned(i).unwrap_or_default(),
                    ("overdue_completed", r.overdue_completed),
                    1,
                );
            }
        }
    }
    out.into_events()
}

/// Steps finished over their time limit (`case_steps`), on the finishing day.
fn overdue_steps(z: &ScoringInputs, r: &ScoringRules) -> Result<Vec<Event>> {
    let mut out = SourceEvents::new("case_steps");
    let Some(st) = z.steps else {
        return out.into_events();
    };
    let (cid, window, staff) = (
        Texts::of(st, "case_id")?,
        Texts::of(st, "window_id")?,
        Texts::of(st, "staff_id")?,
    );
    let (seq, finish) = (i64s(st, "seq")?, dates_of(st.column("finish")?)?);
    let overdue = st.column("overdue")?.bool()?;
    for (i, overdue) in overdue.iter().enumerate() {
        if overdue == Some(true) && finish[i].is_some() {
            out.push(
                finish[i],
                window.get(i),
                staff.get(i),
                &|| format!("{}/{}", cid.get(i).unwrap_or(""), seq[i]),
                ("overdue_step", r.overdue_step),
                1,
            );
        }
    }
    out.into_events()
}

/// Corrections (补正, `corrections`) of a known case, charged to the case's
/// window and staff member on the day asked.
fn corrections(z: &ScoringInputs, r: &ScoringRules, as_of: NaiveDate) -> Result<Vec<Event>> {
    let mut out = SourceEvents::new("corrections");
    let Some(cor) = z.corrections else {
        return out.into_events();
    };
    let c = z.cases;
    let (cid, at) = (
        Texts::of(cor, "case_id")?,
        dates_of(&cor.column("at")?.cast(&DataType::Date)?)?,
    );
    // The cases asked for a correction, found in one pass over the cases.
    let asked: PlHashSet<&str> = (0..cor.height()).filter_map(|i| cid.get(i)).collect();
    let id = Texts::of(c, "case_id")?;
    let by_case: PlHashMap<&str, usize> = (0..c.height())
        .filter_map(|row| id.get(row).filter(|k| asked.contains(k)).map(|k| (k, row)))
        .collect();
    let (window, staff) = (Texts::of(c, "window_id")?, Texts::of(c, "staff_id")?);
    for (i, at) in at.into_iter().enumerate() {
        let Some(&row) = cid.get(i).and_then(|k| by_case.get(k)) else {
            continue;
        };
        out.push(
            at.filter(|d| *d <= as_of),
            window.get(row),
            staff.get(row),
            &|| {
                format!(
                    "{}/{}",
                    cid.get(i).unwrap_or(""),
                    at.map(|d| d.to_string()).unwrap_or_default()
                )
            },
            ("correction", r.correction),
            1,
        );
    }
    out.into_events()
}

/// Bad ratings (`ratings`), on the day rated.
fn bad_ratings(z: &ScoringInputs, r: &ScoringRules, as_of: NaiveDate) -> Result<Vec<Event>> {
    let mut out = SourceEvents::new("ratings");
    let Some(rt) = z.ratings else {
        return out.into_events();
    };
    let bad = BadRatings::of(rt, as_of)?;
    for &i in &bad.rows {
        out.push(
            bad.rated[i],
            bad.window.get(i),
            bad.staff.get(i),
            &|| bad.id.owned(i).unwrap_or_default(),
            ("bad_rating", r.bad_rating),
            1,
        );
    }
    out.into_events()
}

/// Queue jumps (`tickets` served out of turn), on the ticket's day.
fn queue_jumps(z: &ScoringInputs, r: &ScoringRules, as_of: NaiveDate) -> Result<Vec<Event>> {
    let mut out = SourceEvents::new("tickets");
    let Some(j) = z.queue_jumps else {
        return out.into_events();
    };
    let (tid, w, s, d) = (
        Texts::of(j, "ticket_id")?,
        Texts::of(j, "window_id")?,
        Texts::of(j, "staff_id")?,
        dates_of(j.column("date")?)?,
    );
    for (i, day) in d.into_iter().enumerate() {
        out.push(
            day.filter(|x| *x <= as_of),
            w.get(i),
            s.get(i),
            &|| tid.owned(i).unwrap_or_default(),
            ("queue_jump", r.queue_jump),
            1,
        );
    }
    out.into_events()
}

/// Substantiated incidents (`incidents`), on their day: their own points,
/// or the default of their category and source (`[incidents]`), or none.
/// A complaint among them (`complaint_ids`) is an event of the
/// `complaints` table, with its own points or its result's default.
fn incidents(z: &ScoringInputs, as_of: NaiveDate) -> Result<Vec<Event>> {
    let mut out = SourceEvents::new("incidents");
    let mut complaints = SourceEvents::new("complaints");
    let Some(inc) = z.incidents else {
        return out.into_events();
    };
    let (iid, w, s, cat, src) = (
        Texts::of(inc, "incident_id")?,
        Texts::of(inc, "window_id")?,
        Texts::of(inc, "staff_id")?,
        Texts::of(inc, "category")?,
        Texts::of(inc, "source")?,
    );
    let d = dates_of(inc.column("date")?)?;
    let sub = substantiated(inc)?;
    let pts = opt_f64s(inc, "points")?;
    for i in 0..inc.height() {
        if !sub[i] {
            continue;
        }
        let is_complaint = iid.get(i).is_some_and(|id| z.complaint_ids.contains(id));
        let (target, kind) = match is_complaint {
            true => (&mut complaints, "complaint"),
            false => (&mut out, "incident"),
        };
        let points = pts[i]
            .or_else(|| z.incident_rules.default_for(cat.get(i), src.get(i)))
            .unwrap_or(0.0);
        target.push(
            d[i].filter(|x| *x <= as_of),
            w.get(i),
            s.get(i),
            &|| iid.owned(i).unwrap_or_default(),
            (kind, points),
            1,
        );
    }
    let mut events = out.into_events()?;
    events.extend(complaints.into_events()?);
    Ok(events)
}

/// 督办 notices escalated (`notices`): to 效能告诫 and to 问责, each on its
/// day, on the card's window and staff member; not those of a notice
/// voided (its card was not due after all).
fn escalations(z: &ScoringInputs, r: &ScoringRules, as_of: NaiveDate) -> Result<Vec<Event>> {
    let mut out = SourceEvents::new("notices");
    for n in z.notices.iter().filter(|n| !n.voided()) {
        for (day, kind) in [
            (n.warned_on, ("warning", r.warning)),
            (n.referred_on, ("referral", r.referral)),
        ] {
            out.push(
                day.filter(|d| *d <= as_of),
                Some(&n.window_id),
                n.staff_id.as_deref(),
                &|| n.notice_id.clone(),
                kind,
                1,
            );
        }
    }
    out.into_events()
}
