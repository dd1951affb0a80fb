//! Metrics: pure functions from stored tables (polars frames) to metric
//! tables. Nothing here reads files or the clock: the evaluation date
//! (`as_of`) is a parameter, so a rerun over the same data gives the same
//! figures.
//!
//! Every metric table has the same shape, (grain, period, level, key) ×
//! measures. A family only says what one event row is and which measures
//! it carries; [`rollup`] turns events into every grain × level once.

pub mod assessment;
pub mod attendance;
pub mod cards;
pub mod cases;
pub mod catalog;
pub mod compare;
pub mod complaints;
pub mod dense;

pub mod period;
pub mod queue;
pub mod queue_hours;
pub mod rating_loop;
pub mod ratings;
pub mod rollup;
pub mod schema;
pub mod scoring;
pub mod services;
pub mod staff;
pub mod steps;
pub mod supervision;
pub mod zeros;

use crate::calendar::Calendar;
use crate::polars_ext::{date_series, epoch_days};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

/// The working-day index by date as an array, for per-row work outside
/// polars: the same figures as [`workday_frame`] (`widx`: working days up
/// to and including the date; `work`: whether it is one), looked up by the
/// date's day number.
pub struct WorkdayLookup {
    first: i32,
    widx: Vec<Option<i64>>,
    work: Vec<i64>,
    /// (widx, day) of every covered day, in date order.
    covered: Vec<(i64, i32)>,
}

impl WorkdayLookup {
    pub fn new(cal: &Calendar) -> Self {
        let index = cal.workday_index();
        let first = index.first().map_or(0, |(d, _)| epoch_days(*d));
        let last = index.last().map_or(-1, |(d, _)| epoch_days(*d));
        let len = usize::try_from(last - first + 1).unwrap_or(0);
        let (mut widx, mut work) = (vec![None; len], vec![0; len]);
        let mut prev = 0;
        for (i, (d, w)) in index.iter().enumerate() {
            let at = (epoch_days(*d) - first) as usize;
            widx[at] = Some(*w);
            work[at] = if i == 0 { *w } else { w - prev };
            prev = *w;
        }
        let covered = index.iter().map(|(d, w)| (*w, epoch_days(*d))).collect();
        WorkdayLookup {
            first,
            widx,
            work,
            covered,
        }
    }

    /// The first covered day whose working-day index reaches `k`: for k =
    /// widx(acceptance) + n, the n-th working day after acceptance.
    pub fn first_reaching(&self, k: i64) -> Option<i32> {
        let at = self.covered.partition_point(|(w, _)| *w < k);
        self.covered.get(at).map(|(_, d)| *d)
    }

    fn at(&self, day: i32) -> Option<usize> {
        usize::try_from(day - self.first)
            .ok()
            .filter(|&i| i < self.widx.len() && self.widx[i].is_some())
    }

    /// Working days up to and including the day (days since 1970-01-01);
    /// None where the calendar does not cover it.
    pub fn widx(&self, day: i32) -> Option<i64> {
        self.at(day).and_then(|i| self.widx[i])
    }

    /// Working days d with s <= d <= e (both covered).
    pub fn workdays_inclusive(&self, s: i32, e: i32) -> Option<i64> {
        let (i, j) = (self.at(s)?, self.at(e)?);
        Some(self.widx[j]? - self.widx[i]? + self.work[i])
    }
}

/// Rows that carry a `window_id` gain its `department`.
pub trait WithDepartment {
    fn with_department(self, windows: &DataFrame) -> LazyFrame;
    /// The same, the rows kept in their order.
    fn with_department_in_order(self, windows: &DataFrame) -> LazyFrame;
}

fn join_department(lf: LazyFrame, windows: &DataFrame, args: JoinArgs) -> LazyFrame {
    lf.join(
        windows
            .clone()
            .lazy()
            .select([col("window_id"), col("department")]),
        [col("window_id")],
        [col("window_id")],
        args,
    )
}

impl WithDepartment for LazyFrame {
    fn with_department(self, windows: &DataFrame) -> LazyFrame {
        join_department(self, windows, JoinArgs::new(JoinType::Left))
    }

    fn with_department_in_order(self, windows: &DataFrame) -> LazyFrame {
        let mut in_order = JoinArgs::new(JoinType::Left);
        in_order.maintain_order = MaintainOrderJoin::Left;
        join_department(self, windows, in_order)
    }
}

/// The day on which a period's state is read: its last day, or the
/// evaluation date if the period is not over.
pub fn state_day(period_end: NaiveDate, as_of: NaiveDate) -> NaiveDate {
    period_end.min(as_of)
}

/// The calendar as a frame over its covered years: `date`, `widx` (working
/// days from the start up to and including the date) and `work` (1 on a
/// working day). Working-day arithmetic over many rows is then two joins.
/// Trait for adding the cumulative working-day index of a date column.
pub trait WithWorkdayIndex {
    /// Join `widx` of the date in `on` as `alias` (null for a date the
    /// calendar does not cover). `wd` is [`workday_frame`], lazily.
    fn with_widx(self, wd: &LazyFrame, on: &str, alias: &str) -> LazyFrame;
}

impl WithWorkdayIndex for LazyFrame {
    fn with_widx(self, wd: &LazyFrame, on: &str, alias: &str) -> LazyFrame {
        self.join(
            wd.clone().select([col("date"), col("widx").alias(alias)]),
            [col(on)],
            [col("date")],
            JoinArgs::new(JoinType::Left),
        )
    }
}

pub fn workday_frame(cal: &Calendar) -> Result<DataFrame> {
    let index = cal.workday_index();
    let mut prev = 0;
    let mut work = Vec::with_capacity(index.len());
    for (i, (_, w)) in index.iter().enumerate() {
        // A gap between covered years restarts nothing: widx only grows.
        work.push(if i == 0 { *w } else { w - prev });
        prev = *w;
    }
    let widx: Vec<i64> = index.iter().map(|(_, w)| *w).collect();
    Ok(DataFrame::new(
        index.len(),
        vec![
            date_series("date", index.iter().map(|(d, _)| Some(*d)))?,
            Series::new("widx".into(), widx).into(),
            Series::new("work".into(), work).into(),
        ],
    )?)
}

/// A small deterministic random source for the tests (xorshift from
/// `seed`): each call `next(n)` gives a number below `n`.
#[cfg(test)]
pub(crate) fn test_random(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::polars_ext::dates_of;

    #[test]
    fn workday_lookup_agrees_with_the_calendar() {
        let cal = Calendar::official();
        let days = WorkdayLookup::new(&cal);
        let start = NaiveDate::from_ymd_opt(2024, 9, 20).unwrap();
        for acc in start.iter_days().take(120) {
            let a = days.widx(epoch_days(acc)).unwrap();
            for n in 1..=15u32 {
                let deadline = cal.deadline(acc, n).unwrap();
                assert_eq!(
                    days.first_reaching(a + i64::from(n)),
                    Some(epoch_days(deadline)),
                    "{acc} + {n}"
                );
                let end = acc + chrono::Duration::days(i64::from(n));
                assert_eq!(
                    days.workdays_inclusive(epoch_days(acc), epoch_days(end)),
                    Some(cal.workdays_between_inclusive(acc, end).unwrap()),
                    "{acc}..={end}"
                );
                assert_eq!(
                    days.widx(epoch_days(end)).unwrap() - a,
                    cal.elapsed(acc, end).unwrap()
                );
            }
        }
        let uncovered = NaiveDate::from_ymd_opt(1999, 1, 1).unwrap();
        assert_eq!(days.widx(epoch_days(uncovered)), None);
    }

    #[test]
    fn workday_frame_counts_working_days() {
        let cal = Calendar::official();
        let df = workday_frame(&cal).unwrap();
        let dates = dates_of(df.column("date").unwrap()).unwrap();
        let widx: Vec<i64> = df
            .column("widx")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .map(|v| v.unwrap())
            .collect();
        let at = |s: &str| {
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
            widx[dates.iter().position(|x| *x == Some(d)).unwrap()]
        };
        // 2024-09-30 (Mon) and 2024-10-08 (Tue) are consecutive working days.
        assert_eq!(at("2024-10-08") - at("2024-09-30"), 1);
        assert_eq!(at("2024-10-07"), at("2024-09-30"));
        assert_eq!(at("2024-12-31") - at("2023-12-31"), 251);
    }
}
