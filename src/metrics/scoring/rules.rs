//! The rules of scoring: the points of each event kind and the ranking's
//! counts (`[scoring]`), and when a late rectification is due.

use crate::metrics::period::{period_of, Grain, Period};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

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
    /// A 督办 notice escalated to 效能告诫 (stage 2).
    pub warning: f64,
    /// A 督办 notice referred for 问责 (stage 3).
    pub referral: f64,
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
            warning: -2.0,
            referral: -5.0,
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

/// A rating of level 2 or below is a bad one (差评): it costs points, and
/// again if it is not rectified by its deadline.
pub(super) fn is_bad_rating(level: i64) -> bool {
    level <= 2
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
    let end = crate::metrics::state_day(p.end, as_of);
    if end < limit {
        return None; // the deadline has not passed yet
    }
    let late = match rectified.filter(|x| *x <= end) {
        Some(done) => done > limit,
        None => true,
    };
    late.then_some(p)
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
                let end = crate::metrics::state_day(period_of(grain, limit).end, as_of);
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
}
