//! The metric tables' names and shapes, declared once. The engine's
//! families, the reports, `province` and the tests name a table through
//! these constants.
//!
//! Every rolled-up metric table is (grain, period, period_start,
//! period_end, level, key) × measures; [`KEY_COLUMNS`] are those six.
//! A rate is declared once, as its numerator and denominator
//! ([`CASE_RATES`]): the case engine computes it from the measures of a
//! key, and `province` recomputes it from the re-added counts of centers.

use polars::prelude::{lit, Expr};

/// A rate column: numerator / denominator (null when the denominator is
/// 0), or one less that ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub column: &'static str,
    pub numerator: &'static str,
    pub denominator: &'static str,
    pub one_less: bool,
    /// Its Chinese name in the reports.
    pub label: &'static str,
}

impl Rate {
    const fn of(
        column: &'static str,
        numerator: &'static str,
        denominator: &'static str,
        label: &'static str,
    ) -> Rate {
        Rate {
            column,
            numerator,
            denominator,
            one_less: false,
            label,
        }
    }

    /// The expression computing the rate from its two measures.
    pub fn expr(&self) -> Expr {
        let r = super::rollup::ratio(
            polars::prelude::col(self.numerator),
            polars::prelude::col(self.denominator),
        );
        match self.one_less {
            true => (lit(1.0) - r).alias(self.column),
            false => r.alias(self.column),
        }
    }
}

/// The rates of `case_metrics` (the mean is a rate of days per case).
/// (The queue's means in minutes and the staff review's per-hundred
/// figures scale their ratios and stay in their modules.)
pub const CASE_RATES: [Rate; 7] = [
    Rate::of("instant_rate", "completed_instant", "completed", "即办率"),
    Rate::of(
        "on_time_rate",
        "on_time",
        "completed_promised",
        "按期办结率",
    ),
    Rate::of("early_rate", "early", "completed_promised", "提前办结率"),
    Rate {
        one_less: true,
        ..Rate::of(
            "promise_compression",
            "sum_promised_with_legal",
            "sum_legal",
            "承诺时限压缩率",
        )
    },
    Rate {
        one_less: true,
        ..Rate::of(
            "actual_speedup",
            "sum_elapsed_promised",
            "sum_promised",
            "实际提速率",
        )
    },
    Rate::of("one_visit_rate", "one_visit", "completed", "一次办结率"),
    Rate::of(
        "mean_elapsed_days",
        "sum_elapsed",
        "completed",
        "平均办理天数",
    ),
];

/// The six key columns of every rolled-up metric table, in order.
pub const KEY_COLUMNS: [&str; 6] = [
    "grain",
    "period",
    "period_start",
    "period_end",
    "level",
    "key",
];

/// The rates of `rating_metrics`.
pub const RATING_RATES: [Rate; 5] = [
    Rate::of("satisfaction_rate", "satisfied", "ratings", "满意率"),
    Rate::of("good_rate", "good", "ratings", "好评率"),
    Rate::of("coverage", "completed_rated", "completed", "评价覆盖率"),
    Rate::of("rectification_rate", "rectified", "bad_ratings", "整改率"),
    Rate::of(
        "on_time_rectification_rate",
        "rectified_on_time",
        "bad_ratings",
        "按期整改率",
    ),
];

/// The rates of `step_metrics`.
pub const STEP_RATES: [Rate; 3] = [
    Rate::of("overdue_rate", "overdue_steps", "with_limit", "环节超期率"),
    Rate::of("mean_elapsed_days", "sum_elapsed", "steps", "环节平均用时"),
    Rate::of(
        "share_of_case",
        "share_step_days",
        "share_case_days",
        "占办件用时",
    ),
];

/// The rate of `attendance_metrics`.
pub const ATTENDANCE_RATE: Rate = Rate::of(
    "attendance_rate",
    "attended_days",
    "expected_days",
    "出勤率",
);

/// The center rate of `three_zeros`.
pub const ZEROS_RATE: Rate = Rate::of(
    "share_all_three",
    "windows_all_three",
    "windows",
    "实现\"三零\"窗口占比",
);

/// The expressions of some rates.
pub fn rates(rates: &[Rate]) -> Vec<Expr> {
    rates.iter().map(Rate::expr).collect()
}

/// The key columns, then `measures`: the columns a metric table selects,
/// in order.
pub fn keyed(measures: &[&str]) -> Vec<Expr> {
    KEY_COLUMNS
        .iter()
        .chain(measures)
        .map(|c| polars::prelude::col(*c))
        .collect()
}

/// `case_metrics`: time limits, on-time and early rates, compression.
pub const CASE_METRICS: &str = "case_metrics";
/// `attendance_days`: one row per staff member and day.
pub const ATTENDANCE_DAYS: &str = "attendance_days";
/// `attendance_metrics`: attendance rolled up by period.
pub const ATTENDANCE_METRICS: &str = "attendance_metrics";
/// `rating_metrics`: satisfaction and rectification of bad ratings.
pub const RATING_METRICS: &str = "rating_metrics";
/// `queue_metrics`: waits and service times of the queue tickets.
pub const QUEUE_METRICS: &str = "queue_metrics";
/// `queue_jumps`: tickets served before an earlier one of the same queue.
pub const QUEUE_JUMPS: &str = "queue_jumps";
/// `incident_metrics`: supervision incidents by source and category.
pub const INCIDENT_METRICS: &str = "incident_metrics";
/// `three_zeros`: 零超时, 零差评, 零投诉 by window and period.
pub const THREE_ZEROS: &str = "three_zeros";
/// `window_scores`: the window ranking (红旗窗口, 末位, 约谈).
pub const WINDOW_SCORES: &str = "window_scores";
/// `score_events`: every point added or taken, with its reason.
pub const SCORE_EVENTS: &str = "score_events";
/// `staff_scores`: the staff ranking (服务之星).
pub const STAFF_SCORES: &str = "staff_scores";
/// `step_metrics`: steps (环节) of the cases, by period.
pub const STEP_METRICS: &str = "step_metrics";
/// `staff_review`: 三在 / 三问 by staff member and period.
pub const STAFF_REVIEW: &str = "staff_review";
/// `cards`: the red and yellow card history (written by the nightly job
/// and `cards --record`).
pub const CARDS: &str = "cards";
