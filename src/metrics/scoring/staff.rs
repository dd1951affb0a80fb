//! Staff scores and 服务之星 (`staff_scores`): the windows' rules on the
//! events attributed to a staff member. Everyone on the roster in a period
//! is ranked, a clean record included; the best `stars` without a vetoed
//! incident in the period are 服务之星.

use super::events::{vetoes, Placed, Veto};
use super::{ScoringInputs, ScoringRules, RANKING_GRAINS};
use crate::metrics::period::{parse_period, period_of, Grain, Period};
use crate::polars_ext::{date_series, dates_of, opt_strings};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::{HashMap, HashSet};

/// A staff member's tally in one period: points, events, window, vetoed.
struct StaffTally {
    points: f64,
    events: usize,
    window_id: String,
    vetoed: bool,
}

/// (grain, period label, staff id).
type StaffKey = (Grain, String, String);

/// Staff scores (服务之星): the same rules on the events attributed to a staff member.
pub(super) fn rank_staff(
    z: &ScoringInputs,
    r: &ScoringRules,
    all: &[Placed],
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let veto_rows = vetoes(z, as_of)?;
    let mut tallies = Tallies {
        at: HashMap::new(),
        rows: Vec::new(),
        vetoes: &veto_rows,
    };
    tallies.roster(z)?;
    for (p, e) in all {
        let Some(s) = &e.staff_id else { continue };
        let entry = tallies.entry(p, s, &e.window_id);
        entry.points += e.points;
        entry.events += 1;
    }
    // (grain, period, staff) with the tally; best score first within a
    // period (the order is total: one row per key).
    let mut rows = tallies.rows;
    rows.sort_by(|(a, x), (b, y)| {
        (a.0, &a.1)
            .cmp(&(b.0, &b.1))
            .then(y.points.total_cmp(&x.points))
            .then(a.2.cmp(&b.2))
    });
    let (rank, star) = places(&rows, r.stars);
    staff_frame(&rows, rank, star, r.base)
}

/// The staff tallies of (grain, period, staff), and the vetoes they check.
struct Tallies<'a> {
    /// The row of each staff member's tally, by grain and period start.
    at: HashMap<(Grain, NaiveDate), HashMap<String, usize>>,
    rows: Vec<(StaffKey, StaffTally)>,
    vetoes: &'a [Veto],
}

impl Tallies<'_> {
    /// The tally of `staff` in period `p`, new at `window` if there is none
    /// yet (a staff member with a vetoed incident in the period is no star).
    fn entry(&mut self, p: &Period, staff: &str, window: &str) -> &mut StaffTally {
        let of_period = self.at.entry((p.grain, p.start)).or_default();
        let row = match of_period.get(staff) {
            Some(&row) => row,
            None => {
                let vetoed = self.vetoes.iter().any(|v| {
                    v.staff_id.as_deref() == Some(staff) && p.start <= v.date && v.date <= p.end
                });
                let tally = StaffTally {
                    points: 0.0,
                    events: 0,
                    window_id: window.to_string(),
                    vetoed,
                };
                of_period.insert(staff.to_string(), self.rows.len());
                self.rows
                    .push(((p.grain, p.label.clone(), staff.to_string()), tally));
                self.rows.len() - 1
            }
        };
        &mut self.rows[row].1
    }

    /// A tally for everyone on the roster (a working day in
    /// `attendance_days`) in each period of the ranking grains.
    fn roster(&mut self, z: &ScoringInputs) -> Result<()> {
        let Some(a) = z.attendance_days else {
            return Ok(());
        };
        let (staff, window, work) = (
            opt_strings(a, "staff_id")?,
            opt_strings(a, "window_id")?,
            a.column("workday")?.bool()?.clone(),
        );
        let dates = dates_of(a.column("date")?)?;
        // A staff member works many days of a period: the periods of a
        // day are found once, and a staff member's period is entered on
        // its first working day only (where its window is taken from).
        let mut of_day: HashMap<NaiveDate, [Period; RANKING_GRAINS.len()]> = HashMap::new();
        let mut seen: HashSet<(Grain, NaiveDate, &str)> = HashSet::new();
        for i in 0..a.height() {
            if let (Some(s), Some(w), Some(d), Some(true)) =
                (&staff[i], &window[i], dates[i], work.get(i))
            {
                let periods = of_day
                    .entry(d)
                    .or_insert_with(|| RANKING_GRAINS.map(|grain| period_of(grain, d)));
                for p in periods.iter() {
                    if seen.insert((p.grain, p.start, s.as_str())) {
                        self.entry(p, s, w);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Rank within each period of rows in ranking order, and whether a star:
/// the first `stars` not vetoed.
fn places(rows: &[(StaffKey, StaffTally)], stars: usize) -> (Vec<i64>, Vec<bool>) {
    let mut rank = Vec::with_capacity(rows.len());
    let mut star = Vec::with_capacity(rows.len());
    let (mut current, mut k, mut starred) = (None, 0, 0);
    for ((grain, period, _), tally) in rows {
        if current != Some((*grain, period)) {
            current = Some((*grain, period));
            k = 0;
            starred = 0;
        }
        k += 1;
        rank.push(k as i64);
        let is_star = !tally.vetoed && starred < stars;
        if is_star {
            starred += 1;
        }
        star.push(is_star);
    }
    (rank, star)
}

/// The `staff_scores` table.
fn staff_frame(
    rows: &[(StaffKey, StaffTally)],
    rank: Vec<i64>,
    star: Vec<bool>,
    base: f64,
) -> Result<DataFrame> {
    let key = |f: fn(&StaffKey) -> String| rows.iter().map(|(k, _)| f(k)).collect::<Vec<_>>();
    let periods: Vec<Option<Period>> = rows
        .iter()
        .map(|((_, label, _), _)| parse_period(label).ok())
        .collect();
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Column::new("grain".into(), key(|k| k.0.name().to_string())),
            Column::new("period".into(), key(|k| k.1.clone())),
            date_series(
                "period_start",
                periods.iter().map(|p| p.as_ref().map(|p| p.start)),
            )?,
            date_series(
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
                    .map(|(_, t)| base + t.points)
                    .collect::<Vec<_>>(),
            ),
            Column::new("rank".into(), rank),
            Column::new("star".into(), star),
            Column::new(
                "vetoed".into(),
                rows.iter().map(|(_, t)| t.vetoed).collect::<Vec<_>>(),
            ),
            Column::new(
                "events".into(),
                rows.iter()
                    .map(|(_, t)| t.events as i64)
                    .collect::<Vec<_>>(),
            ),
        ],
    )?)
}
