//! The score events: one row per point-bearing event. Dated events belong
//! to the day they happened on (`dated`: one frame per source); period-end
//! events to the end of a period of one grain (`period_end`: open overdue
//! cases, late rectification, missed targets, the commendation cap). Also
//! the vetoes (一票否决) the incidents carry.

mod dated;
mod period_end;

use super::{ScoringInputs, ScoringRules, RANKING_GRAINS};
use crate::metrics::period::{period_of, Grain, Period};
use crate::polars_ext::{bools_or, date_series, dates_of, opt_f64s, opt_strings, Texts};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;

/// One event row before it is placed in periods.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Event {
    pub(super) date: NaiveDate,
    pub(super) window_id: String,
    pub(super) staff_id: Option<String>,
    pub(super) source: String,
    pub(super) row_key: String,
    pub(super) kind: String,
    pub(super) points: f64,
}

impl Event {
    fn new(
        date: NaiveDate,
        window_id: String,
        staff_id: Option<String>,
        source: &str,
        row_key: String,
        kind: &str,
        points: f64,
    ) -> Event {
        Event {
            date,
            window_id,
            staff_id,
            source: source.to_string(),
            row_key,
            kind: kind.to_string(),
            points,
        }
    }
}

/// Every event of every period of the ranking grains, in the order of
/// `score_events`: grain, period, window, date, kind, row key (ties in the
/// order the events were made).
/// The bad ratings of `ratings` (level 1–2) rated by `as_of`: what the
/// bad-rating and late-rectification events are built from.
struct BadRatings {
    /// Row indexes of the bad ratings.
    rows: Vec<usize>,
    id: Texts,
    window: Texts,
    staff: Texts,
    rated: Vec<Option<NaiveDate>>,
}

impl BadRatings {
    fn of(ratings: &DataFrame, as_of: NaiveDate) -> Result<BadRatings> {
        let level = crate::polars_ext::i64s(ratings, "level")?;
        let rated = dates_of(&ratings.column("rated_at")?.cast(&DataType::Date)?)?;
        let rows = (0..ratings.height())
            .filter(|&i| {
                super::rules::is_bad_rating(level[i]) && rated[i].is_some_and(|d| d <= as_of)
            })
            .collect();
        Ok(BadRatings {
            rows,
            id: Texts::of(ratings, "rating_id")?,
            window: Texts::of(ratings, "window_id")?,
            staff: Texts::of(ratings, "staff_id")?,
            rated,
        })
    }
}

pub(super) fn scored_events(
    z: &ScoringInputs,
    r: &ScoringRules,
    as_of: NaiveDate,
) -> Result<Vec<(Period, Event)>> {
    let dated = events_of(&dated::dated_events(z, r, as_of)?)?;
    // Grain first in the order: each grain's events are found and sorted
    // on a core of their own, then joined in the order of the grains.
    let mut grains = RANKING_GRAINS.to_vec();
    grains.sort();
    let by_grain = crate::parallel::parallel_map(&grains, |&grain| {
        let mut out = period_events(z, r, &dated, grain, as_of)?;
        // All of one grain: in (period, window, date, kind, row) order.
        out.sort_by(|a, b| {
            (
                &a.0.label,
                &a.1.window_id,
                a.1.date,
                &a.1.kind,
                &a.1.row_key,
            )
                .cmp(&(
                    &b.0.label,
                    &b.1.window_id,
                    b.1.date,
                    &b.1.kind,
                    &b.1.row_key,
                ))
        });
        anyhow::Ok(out)
    });
    // Sized once: grown as it filled, half a million events were moved
    // again at every doubling, into fresh memory each time.
    crate::parallel::joined(by_grain)
}

/// Per window and period of one grain: the events of the period, and the
/// events that depend on the period's end (open overdue cases, late
/// rectification, missed targets), then the commendation cap over them all.
fn period_events(
    z: &ScoringInputs,
    r: &ScoringRules,
    dated: &[Event],
    grain: Grain,
    as_of: NaiveDate,
) -> Result<Vec<(Period, Event)>> {
    let mut out: Vec<(Period, Event)> = dated
        .iter()
        .map(|e| (period_of(grain, e.date), e.clone()))
        .collect();
    out.extend(period_end::overdue_open(z, r, grain, as_of)?);
    out.extend(period_end::late_rectifications(z, r, grain, as_of)?);
    out.extend(period_end::missed_targets(z, r, grain, as_of)?);
    let cap = period_end::commendation_cap(r, &out, as_of);
    out.extend(cap);
    Ok(out)
}

/// A frame of dated events: `date, window_id, staff_id, source, row_key,
/// kind, points`.
fn frame_of(events: &[Event]) -> Result<DataFrame> {
    let text = |name: &str, f: fn(&Event) -> &str| {
        Column::new(name.into(), events.iter().map(f).collect::<Vec<_>>())
    };
    Ok(DataFrame::new(
        events.len(),
        vec![
            date_series("date", events.iter().map(|e| Some(e.date)))?,
            text("window_id", |e| &e.window_id),
            Column::new(
                "staff_id".into(),
                events
                    .iter()
                    .map(|e| e.staff_id.as_deref())
                    .collect::<Vec<_>>(),
            ),
            text("source", |e| &e.source),
            text("row_key", |e| &e.row_key),
            text("kind", |e| &e.kind),
            Column::new(
                "points".into(),
                events.iter().map(|e| e.points).collect::<Vec<_>>(),
            ),
        ],
    )?)
}

/// The events of a frame of dated events, in its order.
fn events_of(frame: &DataFrame) -> Result<Vec<Event>> {
    let date = dates_of(frame.column("date")?)?;
    let (window, staff, source, key, kind) = (
        opt_strings(frame, "window_id")?,
        opt_strings(frame, "staff_id")?,
        opt_strings(frame, "source")?,
        opt_strings(frame, "row_key")?,
        opt_strings(frame, "kind")?,
    );
    let points = opt_f64s(frame, "points")?;
    (0..frame.height())
        .map(|i| {
            Ok(Event {
                date: date[i].context("a score event without a date")?,
                window_id: window[i]
                    .clone()
                    .context("a score event without a window")?,
                staff_id: staff[i].clone(),
                source: source[i].clone().unwrap_or_default(),
                row_key: key[i].clone().unwrap_or_default(),
                kind: kind[i].clone().unwrap_or_default(),
                points: points[i].context("a score event without points")?,
            })
        })
        .collect()
}

/// The `score_events` table: one row per event and period.
pub(super) fn events_frame(all: &[(Period, Event)]) -> Result<DataFrame> {
    // Borrowed text: the frame copies each value once, into its column.
    let col_of = |name: &str, f: &dyn Fn(&(Period, Event)) -> Option<&str>| {
        Column::new(name.into(), all.iter().map(f).collect::<Vec<_>>())
    };
    Ok(DataFrame::new(
        all.len(),
        vec![
            col_of("grain", &|(p, _)| Some(p.grain.name())),
            col_of("period", &|(p, _)| Some(p.label.as_str())),
            date_series("period_start", all.iter().map(|(p, _)| Some(p.start)))?,
            date_series("period_end", all.iter().map(|(p, _)| Some(p.end)))?,
            col_of("window_id", &|(_, e)| Some(e.window_id.as_str())),
            col_of("staff_id", &|(_, e)| e.staff_id.as_deref()),
            col_of("source", &|(_, e)| Some(e.source.as_str())),
            col_of("row_key", &|(_, e)| Some(e.row_key.as_str())),
            col_of("kind", &|(_, e)| Some(e.kind.as_str())),
            Column::new(
                "points".into(),
                all.iter().map(|(_, e)| e.points).collect::<Vec<_>>(),
            ),
        ],
    )?)
}

/// Whether each incident is substantiated (unknown counts as yes).
fn substantiated(incidents: &DataFrame) -> Result<Vec<bool>> {
    bools_or(incidents, "substantiated", true)
}

/// A substantiated incident in a veto category (一票否决).
pub(super) struct Veto {
    pub(super) date: NaiveDate,
    pub(super) window_id: String,
    pub(super) staff_id: Option<String>,
    pub(super) category: String,
}

/// The vetoes up to `as_of`: substantiated incidents in a veto category.
pub(super) fn vetoes(z: &ScoringInputs, as_of: NaiveDate) -> Result<Vec<Veto>> {
    let Some(inc) = z.incidents else {
        return Ok(Vec::new());
    };
    let (w, s, cat) = (
        opt_strings(inc, "window_id")?,
        opt_strings(inc, "staff_id")?,
        opt_strings(inc, "category")?,
    );
    let d = dates_of(inc.column("date")?)?;
    let sub = substantiated(inc)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_of_events_gives_back_the_same_events_in_order() {
        let d = NaiveDate::from_ymd_opt(2026, 10, 30).unwrap();
        let events = vec![
            Event::new(
                d,
                "W01".into(),
                Some("1004".into()),
                "attendance_days",
                "1004/2026-10-30".into(),
                "late",
                -0.5,
            ),
            Event::new(
                d,
                "W01".into(),
                Some("1004".into()),
                "attendance_days",
                "1004/2026-10-30".into(),
                "late",
                -0.5,
            ),
            Event::new(
                d.pred_opt().unwrap(),
                "W02".into(),
                None,
                "incidents",
                "I7".into(),
                "incident",
                2.0,
            ),
        ];
        // A source without events stacks like one with them.
        let mut frame = frame_of(&[]).unwrap();
        frame.vstack_mut_owned(frame_of(&events).unwrap()).unwrap();
        frame.vstack_mut_owned(frame_of(&[]).unwrap()).unwrap();
        assert_eq!(events_of(&frame).unwrap(), events);
    }
}
