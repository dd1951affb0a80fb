//! The metric tables' names and shapes, declared once. The engine's
//! families, the reports, `province` and the tests name a table through
//! these constants.
//!
//! Every rolled-up metric table is (grain, period, period_start,
//! period_end, level, key) × measures; [`KEY_COLUMNS`] are those six.

/// The six key columns of every rolled-up metric table, in order.
pub const KEY_COLUMNS: [&str; 6] = [
    "grain",
    "period",
    "period_start",
    "period_end",
    "level",
    "key",
];

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
