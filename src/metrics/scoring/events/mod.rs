//! The score events: one row per point-bearing event. Dated events belong
//! to the day they happened on (`dated`: one frame per source); period-end
//! events to the end of a period of one grain (`period_end`: open overdue
//! cases, late rectification, missed targets, the commendation cap). Also
//! the vetoes (一票否决) the incidents carry.

mod dated;
mod period_end;

use super::{ScoringInputs, ScoringRules, RANKING_GRAINS};
use crate::metrics::period::{period_of, Grain, Period};
use crate::polars_ext::{bools_or, date_series, dates_of, opt_strings, Texts};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

/// One event row before it is placed in periods. An event is placed in a
/// period of every ranking grain: its text is shared, not copied, by the
/// copies (half a million events a city year, four grains).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Event {
    pub(super) date: NaiveDate,
    pub(super) window_id: Arc<str>,
    pub(super) staff_id: Option<Arc<str>>,
    pub(super) source: &'static str,
    pub(super) row_key: Arc<str>,
    pub(super) kind: &'static str,
    pub(super) points: f64,
}

impl Event {
    fn new(
        date: NaiveDate,
        window_id: &str,
        staff_id: Option<&str>,
        source: &'static str,
        row_key: &str,
        kind: &'static str,
        points: f64,
    ) -> Event {
        Event {
            date,
            window_id: window_id.into(),
            staff_id: staff_id.map(Arc::from),
            source,
            row_key: row_key.into(),
            kind,
            points,
        }
    }
}

/// An event placed in a period of one grain; the period is shared by its
/// events ([`PeriodsOf`]).
pub(super) type Placed = (Arc<Period>, Event);

/// The periods of one grain, each made once and shared by the events
/// placed in it.
pub(super) struct PeriodsOf {
    grain: Grain,
    of_day: HashMap<NaiveDate, Arc<Period>>,
    by_start: HashMap<NaiveDate, Arc<Period>>,
}

impl PeriodsOf {
    pub(super) fn new(grain: Grain) -> PeriodsOf {
        PeriodsOf {
            grain,
            of_day: HashMap::new(),
            by_start: HashMap::new(),
        }
    }

    /// The period of the grain that `day` falls in.
    pub(super) fn of(&mut self, day: NaiveDate) -> Arc<Period> {
        if let Some(p) = self.of_day.get(&day) {
            return p.clone();
        }
        let p = self.shared(period_of(self.grain, day));
        self.of_day.insert(day, p.clone());
        p
    }

    /// `p` (a period of the grain), shared with the events already in it.
    pub(super) fn shared(&mut self, p: Period) -> Arc<Period> {
        self.by_start
            .entry(p.start)
            .or_insert_with(|| Arc::new(p))
            .clone()
    }
}

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

/// Every event of every period of the ranking grains, in the order of
/// `score_events`: grain, period, window, date, kind, row key (ties in the
/// order the events were made).
pub(super) fn scored_events(
    z: &ScoringInputs,
    r: &ScoringRules,
    as_of: NaiveDate,
) -> Result<Vec<Placed>> {
    let dated = dated::dated_events(z, r, as_of)?;
    // Grain first in the order: each grain's events are found and sorted
    // on a core of their own, then joined in the order of the grains.
    let mut grains = RANKING_GRAINS.to_vec();
    grains.sort();
    let by_grain = crate::parallel::parallel_map(&grains, |&grain| {
        let mut out = period_events(z, r, &dated, grain, as_of)?;
        // All of one grain: in (period, window, date, kind, row) order.
        // (The events of one period share it: its label is compared
        // only between periods.)
        out.sort_by(|a, b| {
            let period = match Arc::ptr_eq(&a.0, &b.0) {
                true => std::cmp::Ordering::Equal,
                false => a.0.label.cmp(&b.0.label),
            };
            period.then_with(|| {
                (&a.1.window_id, a.1.date, a.1.kind, &a.1.row_key).cmp(&(
                    &b.1.window_id,
                    b.1.date,
                    b.1.kind,
                    &b.1.row_key,
                ))
            })
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
) -> Result<Vec<Placed>> {
    let mut periods = PeriodsOf::new(grain);
    let mut out: Vec<Placed> = dated
        .iter()
        .map(|e| (periods.of(e.date), e.clone()))
        .collect();
    out.extend(period_end::overdue_open(z, r, &mut periods, as_of)?);
    out.extend(period_end::late_rectifications(z, r, &mut periods, as_of)?);
    out.extend(period_end::missed_targets(z, r, &mut periods, as_of)?);
    let cap = period_end::commendation_cap(r, &out, as_of);
    out.extend(cap);
    Ok(out)
}

/// The `score_events` table: one row per event and period.
pub(super) fn events_frame(all: &[Placed]) -> Result<DataFrame> {
    // Borrowed text: the frame copies each value once, into its column.
    let col_of = |name: &str, f: &dyn Fn(&Placed) -> Option<&str>| {
        Column::new(name.into(), all.iter().map(f).collect::<Vec<_>>())
    };
    Ok(DataFrame::new(
        all.len(),
        vec![
            col_of("grain", &|(p, _)| Some(p.grain.name())),
            col_of("period", &|(p, _)| Some(p.label.as_str())),
            date_series("period_start", all.iter().map(|(p, _)| Some(p.start)))?,
            date_series("period_end", all.iter().map(|(p, _)| Some(p.end)))?,
            col_of("window_id", &|(_, e)| Some(&e.window_id)),
            col_of("staff_id", &|(_, e)| e.staff_id.as_deref()),
            col_of("source", &|(_, e)| Some(e.source)),
            col_of("row_key", &|(_, e)| Some(&e.row_key)),
            col_of("kind", &|(_, e)| Some(e.kind)),
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
