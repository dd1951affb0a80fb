//! Staff scores (服务之星): the rules of the windows on the events
//! attributed to a staff member.

use super::events::{vetoes, Event, Veto};
use super::{texts, ScoringInputs, ScoringRules, RANKING_GRAINS};
use crate::metrics::dates_of;
use crate::metrics::period::{period_of, Grain, Period};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::BTreeMap;

/// A staff member's tally in one period: points, events, window, vetoed.
struct StaffTally {
    points: f64,
    events: usize,
    window_id: String,
    vetoed: bool,
}

/// Staff scores (服务之星): the same rules on the events attributed to a staff member.
pub(super) fn rank_staff(
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
        .map(|((_, label, _), _)| crate::metrics::period::parse_period(label).ok())
        .collect();
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Column::new("grain".into(), key(|k| k.0.name().to_string())),
            Column::new("period".into(), key(|k| k.1.clone())),
            crate::metrics::date_series(
                "period_start",
                periods.iter().map(|p| p.as_ref().map(|p| p.start)),
            )?,
            crate::metrics::date_series(
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
