//! The metric tables' names and shapes, declared once: each table's key
//! columns, its measures in stored order with their Chinese labels and how
//! they show, and its rates as (numerator, denominator). The engine's
//! families select and compute through these; `view`, the reports,
//! `province` and the tests take labels, formats and formulas from here.
//!
//! Every rolled-up metric table is (grain, period, period_start,
//! period_end, level, key) × measures; [`KEY_COLUMNS`] are those six.

use polars::prelude::{col, lit, DataType, Expr};

/// How a column's value shows in a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// As it is (codes, names, dates).
    Text,
    /// A whole number.
    Count,
    /// A share, shown as a percentage with two decimals.
    Percent,
    /// A number with two decimals (days, minutes, points).
    Decimal,
    /// 是 / 否 of a boolean.
    YesNo,
}

/// One stored column of a metric table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    pub column: &'static str,
    /// Its Chinese name: the header wherever it is shown.
    pub label: &'static str,
    pub shape: Shape,
}

const fn m(column: &'static str, label: &'static str, shape: Shape) -> Measure {
    Measure {
        column,
        label,
        shape,
    }
}

/// How a rate's ratio becomes its figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// The ratio itself.
    Ratio,
    /// One less the ratio (a compression or a speed-up).
    OneLess,
    /// The ratio times a factor (per hundred cases).
    Times(f64),
    /// The ratio over a divisor (seconds per ticket in minutes).
    Over(f64),
}

/// A rate column: numerator / denominator (null when the denominator is
/// 0), scaled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub column: &'static str,
    pub numerator: &'static str,
    pub denominator: &'static str,
    pub scale: Scale,
}

const fn r(column: &'static str, numerator: &'static str, denominator: &'static str) -> Rate {
    Rate {
        column,
        numerator,
        denominator,
        scale: Scale::Ratio,
    }
}

const fn scaled(
    column: &'static str,
    numerator: &'static str,
    denominator: &'static str,
    scale: Scale,
) -> Rate {
    Rate {
        column,
        numerator,
        denominator,
        scale,
    }
}

impl Rate {
    /// The expression computing the rate from its two measures.
    pub fn expr(&self) -> Expr {
        let r = super::rollup::ratio(col(self.numerator), col(self.denominator));
        match self.scale {
            Scale::Ratio => r,
            Scale::OneLess => lit(1.0) - r,
            Scale::Times(f) => r * lit(f),
            Scale::Over(d) => r.cast(DataType::Float64) / lit(d),
        }
        .alias(self.column)
    }
}

/// A metric table: its name, keys, measures (in stored order, after the
/// keys) and the rates among them.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub keys: &'static [&'static str],
    pub measures: &'static [Measure],
    pub rates: &'static [Rate],
}

impl Table {
    /// The measure named `column`. A column the table does not declare is
    /// a programming error, caught by the tests that render each view.
    pub fn measure(&self, column: &str) -> &'static Measure {
        self.measures
            .iter()
            .chain(KEYS.iter().filter(|k| self.keys.contains(&k.column)))
            .find(|m| m.column == column)
            .unwrap_or_else(|| panic!("{} declares no column {column}", self.name))
    }

    /// The Chinese label of `column`.
    pub fn label(&self, column: &str) -> &'static str {
        self.measure(column).label
    }

    /// The rate named `column`.
    pub fn rate(&self, column: &str) -> &'static Rate {
        self.rates
            .iter()
            .find(|r| r.column == column)
            .unwrap_or_else(|| panic!("{} declares no rate {column}", self.name))
    }

    /// The expressions of every rate of the table.
    pub fn rate_exprs(&self) -> Vec<Expr> {
        self.rates.iter().map(Rate::expr).collect()
    }

    /// The stored table from rows of its keys and summed measures: its
    /// rates computed, its columns in stored order.
    pub fn finish(
        &self,
        rows: polars::prelude::LazyFrame,
    ) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
        rows.with_columns(self.rate_exprs())
            .select(self.select())
            .collect()
    }

    /// The counts among the measures (shown as counts), in stored order:
    /// they add up across keys and across centers.
    pub fn counts(&self) -> Vec<&'static str> {
        self.measures
            .iter()
            .filter(|m| m.shape == Shape::Count)
            .map(|m| m.column)
            .collect()
    }

    /// The measure names, in stored order.
    pub fn measure_names(&self) -> Vec<&'static str> {
        self.measures.iter().map(|m| m.column).collect()
    }

    /// The keys, then the measures: the columns the table stores, in
    /// order.
    pub fn columns(&self) -> Vec<&'static str> {
        self.keys
            .iter()
            .copied()
            .chain(self.measures.iter().map(|m| m.column))
            .collect()
    }

    /// Select the stored columns, in order.
    pub fn select(&self) -> Vec<Expr> {
        self.columns().into_iter().map(col).collect()
    }
}

/// The six key columns of every rolled-up metric table, in order.
pub const KEY_COLUMNS: [&str; 6] = [
    "grain",
    "period",
    "period_start",
    "period_end",
    "level",
    "key",
];

/// The rows of some levels of a rolled-up metric table, with its key
/// columns and `figures` only: what a family drawing on the table reads of
/// it (the scores a city's window rows of `case_metrics`, a tenth of
/// them, five columns of forty), so that it does not hold the rest. Lazy:
/// on a scan of a stored file only those columns are read.
pub fn level_rows(
    df: polars::prelude::LazyFrame,
    levels: &[&str],
    figures: &[&str],
) -> polars::prelude::LazyFrame {
    let keep = KEY_COLUMNS.iter().chain(figures).map(|c| col(*c));
    let of_level = levels
        .iter()
        .map(|l| col("level").eq(lit(*l)))
        .reduce(|a, b| a.or(b))
        .unwrap_or(lit(false));
    df.filter(of_level).select(keep.collect::<Vec<_>>())
}

use Shape::{Count, Decimal, Percent, Text, YesNo};

/// The keys of the staff tables: a staff member (and the window of the
/// latest roster row) per period.
const STAFF_KEYS: [&str; 6] = [
    "grain",
    "period",
    "period_start",
    "period_end",
    "staff_id",
    "window_id",
];

/// `case_metrics`: time limits, on-time and early rates, compression.
pub const CASES: Table = Table {
    name: CASE_METRICS,
    keys: &KEY_COLUMNS,
    measures: &[
        m("accepted", "受理", Count),
        m("completed", "办结", Count),
        m("completed_instant", "即办件", Count),
        m("completed_promised", "承诺件办结", Count),
        m("on_time", "按期办结", Count),
        m("early", "提前办结", Count),
        m("overdue_completed", "超期办结", Count),
        m("overdue_open", "超期在办", Count),
        m("instant_rate", "即办率", Percent),
        m("on_time_rate", "按期办结率", Percent),
        m("early_rate", "提前办结率", Percent),
        m("promise_compression", "承诺压缩率", Percent),
        m("actual_speedup", "实际提速率", Percent),
        m("one_visit_rate", "一次办结率", Percent),
        m("mean_elapsed_days", "平均用时", Decimal),
        m("p90_elapsed_days", "P90用时", Decimal),
    ],
    // The mean is a rate of days per case.
    rates: &[
        r("instant_rate", "completed_instant", "completed"),
        r("on_time_rate", "on_time", "completed_promised"),
        r("early_rate", "early", "completed_promised"),
        scaled(
            "promise_compression",
            "sum_promised_with_legal",
            "sum_legal",
            Scale::OneLess,
        ),
        scaled(
            "actual_speedup",
            "sum_elapsed_promised",
            "sum_promised",
            Scale::OneLess,
        ),
        r("one_visit_rate", "one_visit", "completed"),
        r("mean_elapsed_days", "sum_elapsed", "completed"),
    ],
};

/// `rating_metrics`: satisfaction and the rectification of bad ratings.
pub const RATINGS: Table = Table {
    name: RATING_METRICS,
    keys: &KEY_COLUMNS,
    measures: &[
        m("ratings", "评价数", Count),
        m("level_1", "非常不满意", Count),
        m("level_2", "不满意", Count),
        m("level_3", "基本满意", Count),
        m("level_4", "满意", Count),
        m("level_5", "非常满意", Count),
        m("satisfaction_rate", "满意率", Percent),
        m("good_rate", "好评率", Percent),
        m("completed", "办结", Count),
        m("completed_rated", "已评价办件", Count),
        m("coverage", "评价覆盖率", Percent),
        m("bad_ratings", "差评", Count),
        m("rectified", "已整改", Count),
        m("rectified_on_time", "按期整改", Count),
        m("rectification_rate", "整改率", Percent),
        m("on_time_rectification_rate", "按期整改率", Percent),
        m("open_past_limit", "超期未整改", Count),
    ],
    rates: &[
        r("satisfaction_rate", "satisfied", "ratings"),
        r("good_rate", "good", "ratings"),
        r("coverage", "completed_rated", "completed"),
        r("rectification_rate", "rectified", "bad_ratings"),
        r(
            "on_time_rectification_rate",
            "rectified_on_time",
            "bad_ratings",
        ),
    ],
};

/// `queue_metrics`: waits and service times of the queue tickets. The
/// medians, P90s and longest wait are quantiles of the tickets, in
/// minutes; the means are rates of seconds per ticket, in minutes.
pub const QUEUE: Table = Table {
    name: QUEUE_METRICS,
    keys: &KEY_COLUMNS,
    measures: &[
        m("tickets", "取号", Count),
        m("called", "叫号", Count),
        m("served", "办结", Count),
        m("no_shows", "过号", Count),
        m("no_show_share", "过号率", Percent),
        m("wait_mean_min", "平均等候(分)", Decimal),
        m("wait_median_min", "中位等候(分)", Decimal),
        m("wait_p90_min", "P90等候(分)", Decimal),
        m("wait_max_min", "最长等候(分)", Decimal),
        m("over_target", "等候超时", Count),
        m("over_target_share", "超时率", Percent),
        m("service_mean_min", "平均办理(分)", Decimal),
        m("service_p90_min", "P90办理(分)", Decimal),
        m("queue_jumps", "插队", Count),
    ],
    rates: &[
        r("no_show_share", "no_shows", "called"),
        scaled("wait_mean_min", "sum_wait_s", "called", Scale::Over(60.0)),
        r("over_target_share", "over_target", "called"),
        scaled(
            "service_mean_min",
            "sum_service_s",
            "n_service",
            Scale::Over(60.0),
        ),
    ],
};

/// `queue_hours`: the tickets by half hour of the day and weekday of
/// their issue time (分时段等候), per month, two months, quarter and year,
/// at the center and per queue. `days` counts the days of the weekday in
/// the period on which the key issued tickets; a half hour is `crowded`
/// when `over_target / days` exceeds `[queue] crowded_over`.
pub const QUEUE_HOURS_TABLE: Table = Table {
    name: QUEUE_HOURS,
    keys: &[
        "grain",
        "period",
        "period_start",
        "period_end",
        "level",
        "key",
        "weekday",
        "slot",
    ],
    measures: &[
        m("weekday_name", "星期", Text),
        m("tickets", "取号", Count),
        m("called", "叫号", Count),
        m("wait_mean_min", "平均等候(分)", Decimal),
        m("wait_p90_min", "P90等候(分)", Decimal),
        m("over_target", "等候超时", Count),
        m("over_target_share", "超时率", Percent),
        m("days", "天数", Count),
        m("over_target_per_day", "日均超时人数", Decimal),
        m("crowded", "拥挤时段", YesNo),
    ],
    rates: &[
        scaled("wait_mean_min", "sum_wait_s", "called", Scale::Over(60.0)),
        r("over_target_share", "over_target", "called"),
        r("over_target_per_day", "over_target", "days"),
    ],
};

/// `step_metrics`: the steps (环节) of the cases, by period.
pub const STEPS: Table = Table {
    name: STEP_METRICS,
    keys: &KEY_COLUMNS,
    measures: &[
        m("steps", "环节数", Count),
        m("with_limit", "有时限环节", Count),
        m("overdue_steps", "超期环节", Count),
        m("overdue_rate", "环节超期率", Percent),
        m("mean_elapsed_days", "环节平均用时", Decimal),
        m("p90_elapsed_days", "环节P90用时", Decimal),
        m("share_steps", "计占比环节", Count),
        m("share_step_days", "环节用时(计占比)", Decimal),
        m("share_case_days", "办件用时(计占比)", Decimal),
        m("share_of_case", "占办件用时", Percent),
        m("sum_elapsed", "环节用时合计", Decimal),
        m("limit_days_sum", "环节时限合计", Decimal),
    ],
    rates: &[
        r("overdue_rate", "overdue_steps", "with_limit"),
        r("mean_elapsed_days", "sum_elapsed", "steps"),
        r("share_of_case", "share_step_days", "share_case_days"),
    ],
};

/// `attendance_metrics`: attendance rolled up by period.
pub const ATTENDANCE: Table = Table {
    name: ATTENDANCE_METRICS,
    keys: &KEY_COLUMNS,
    measures: &[
        m("expected_days", "应出勤", Count),
        m("attended_days", "实出勤", Decimal),
        m("attendance_rate", "出勤率", Percent),
        m("leave_days", "请假(天)", Decimal),
        m("leave_hours", "请假(小时)", Decimal),
        m("absent_days", "旷工(天)", Decimal),
        m("absent_half_days", "旷工(半天)", Count),
        m("late", "迟到次数", Count),
        m("late_minutes", "迟到分钟", Count),
        m("early", "早退次数", Count),
        m("early_minutes", "早退分钟", Count),
        m("missing", "缺卡天数", Count),
        m("missing_punches", "缺卡", Count),
        m("overlong_departures", "离岗超时", Count),
        m("overlong_departure_minutes", "离岗超时分钟", Count),
        m("departures_without_cover", "离岗无顶岗", Count),
        m("duty_days", "值班天数", Count),
    ],
    rates: &[r("attendance_rate", "attended_days", "expected_days")],
};

/// The attendance sheet (周公示 and the monthly sheet), per window and
/// staff member over a week or a month: not stored, written as CSV.
pub const ATTENDANCE_SHEET: Table = Table {
    name: "attendance sheet",
    keys: &["window_id", "staff_id", "name"],
    measures: &[
        m("working_days", "应出勤", Count),
        m("attended_days", "实出勤", Decimal),
        m("late", "迟到次数", Count),
        m("late_minutes", "迟到分钟", Count),
        m("early", "早退次数", Count),
        m("early_minutes", "早退分钟", Count),
        m("missing", "缺卡", Count),
        m("absent_half_days", "旷工(半天)", Count),
        m("leave_hours", "请假(小时)", Decimal),
        m("leave_kinds", "请假类别", Text),
        m("overlong_departures", "离岗超时", Count),
        m("departures_without_cover", "离岗无顶岗", Count),
    ],
    rates: &[],
};

/// `three_zeros`: 零距离服务, 零差错办件, 零关系办事 by window and period,
/// and a center row per period.
pub const ZEROS: Table = Table {
    name: THREE_ZEROS,
    keys: &KEY_COLUMNS,
    measures: &[
        m("substantiated_complaints", "属实投诉", Count),
        m("bad_ratings", "差评", Count),
        m("zero_distance", "零距离服务", YesNo),
        m("corrections", "纠错", Count),
        m("overdue_cases", "超期", Count),
        m("zero_error", "零差错办件", YesNo),
        m("queue_jumps", "插队", Count),
        m("favouritism_complaints", "优亲厚友", Count),
        m("zero_relation", "零关系办事", YesNo),
        m("all_three", "三零", YesNo),
        m("windows", "窗口数", Count),
        m("windows_all_three", "实现\"三零\"窗口", Count),
        m("share_all_three", "实现\"三零\"窗口占比", Percent),
        m("active", "有业务", YesNo),
    ],
    rates: &[r("share_all_three", "windows_all_three", "windows")],
};

/// `incident_metrics`: supervision incidents by source and category.
pub const INCIDENTS: Table = Table {
    name: INCIDENT_METRICS,
    keys: &[
        "grain",
        "period",
        "period_start",
        "period_end",
        "level",
        "key",
        "source",
        "category",
    ],
    measures: &[
        m("incidents", "件数", Count),
        m("substantiated", "属实", Count),
        m("points", "分值", Decimal),
    ],
    rates: &[],
};

/// `rating_loop`: the 好差评 closed loop of the bad ratings, per channel.
pub const RATING_LOOP_TABLE: Table = Table {
    name: RATING_LOOP,
    keys: &[
        "grain",
        "period",
        "period_start",
        "period_end",
        "level",
        "key",
        "channel",
    ],
    measures: &[
        m("bad_ratings", "差评", Count),
        m("callbacks_due", "应回访", Count),
        m("called_back", "已回访", Count),
        m("called_back_on_time", "按期回访", Count),
        m("named_due", "实名差评应回访", Count),
        m("named_on_time", "实名差评按期回访", Count),
        m("rectification_due", "应整改", Count),
        m("rectified", "已整改", Count),
        m("rectified_on_time", "按期整改", Count),
        m("feedback_given", "已反馈", Count),
        m("appealed", "申诉复核", Count),
        m("excluded", "复核排除", Count),
        m("ratings", "评价数", Count),
        m("satisfaction_rate", "满意率", Percent),
        m("good_rate", "好评率", Percent),
        m("callback_rate", "回访率", Percent),
        m("named_callback_rate", "实名差评回访率", Percent),
        m("rectification_rate", "整改率", Percent),
        m("rectified_on_time_rate", "按期整改率", Percent),
        m("feedback_rate", "反馈率", Percent),
    ],
    rates: &[
        r("callback_rate", "called_back", "callbacks_due"),
        r("named_callback_rate", "named_on_time", "named_due"),
        r("rectification_rate", "rectified", "rectification_due"),
        r(
            "rectified_on_time_rate",
            "rectified_on_time",
            "rectification_due",
        ),
        r("feedback_rate", "feedback_given", "rectification_due"),
        r("satisfaction_rate", "satisfied", "ratings"),
        r("good_rate", "good", "ratings"),
    ],
};

/// `supervision_metrics`: 督办 notices, their replies and escalations.
pub const SUPERVISION: Table = Table {
    name: SUPERVISION_METRICS,
    keys: &KEY_COLUMNS,
    measures: &[
        m("issued", "督办", Count),
        m("replied", "已回告", Count),
        m("replied_on_time", "按期回告", Count),
        m("warned", "效能告诫", Count),
        m("referred", "问责移送", Count),
        m("closed", "已办结督办", Count),
        m("open_past_due", "逾期未结", Count),
        m("on_time_reply_rate", "按期回告率", Percent),
        m("mean_reply_days", "平均回告用时", Decimal),
    ],
    rates: &[
        r("on_time_reply_rate", "replied_on_time", "replied"),
        r("mean_reply_days", "sum_reply_days", "replied"),
    ],
};

/// `complaint_metrics`: complaints received, decided, answered, closed.
pub const COMPLAINTS: Table = Table {
    name: COMPLAINT_METRICS,
    keys: &KEY_COLUMNS,
    measures: &[
        m("received", "受理投诉", Count),
        m("decided", "已受理或不予受理", Count),
        m("accepted_in_time", "按期受理", Count),
        m("declined", "不予受理", Count),
        m("answered", "已答复", Count),
        m("answered_in_time", "按期答复", Count),
        m("closed", "已办结", Count),
        m("concluded", "已核查", Count),
        m("substantiated", "属实", Count),
        m("open_past_due", "超期未结", Count),
        m("accepted_in_time_rate", "按期受理率", Percent),
        m("answered_in_time_rate", "按期答复率", Percent),
        m("substantiated_rate", "属实率", Percent),
    ],
    rates: &[
        r("accepted_in_time_rate", "accepted_in_time", "decided"),
        r("answered_in_time_rate", "answered_in_time", "answered"),
        r("substantiated_rate", "substantiated", "concluded"),
    ],
};

/// `service_metrics`: special services (特色服务) and refusals (不予受理 /
/// 不予许可) by period: the modes by acceptance date, 现场办结 by completion
/// date, refusals on the day they are known.
pub const SERVICES: Table = Table {
    name: SERVICE_METRICS,
    keys: &KEY_COLUMNS,
    measures: &[
        m("accepted", "受理", Count),
        m("appointment", "预约", Count),
        m("after_hours", "延时", Count),
        m("door_to_door", "上门", Count),
        m("assisted", "帮办代办", Count),
        m("accepted_incomplete", "容缺受理", Count),
        m("green_channel", "绿色通道", Count),
        m("online", "网上申报", Count),
        m("online_rate", "网上申报率", Percent),
        m("fully_online", "全程网办", Count),
        m("fully_online_rate", "全程网办率", Percent),
        m("cross_region", "跨域通办", Count),
        m("completed", "办结", Count),
        m("on_site_completed", "现场办结", Count),
        m("on_site_rate", "现场办结率", Percent),
        m("refused", "不予受理(许可)", Count),
        m("refused_without_reason", "未记录理由", Count),
        m("no_reason_share", "未记录理由占比", Percent),
    ],
    rates: &[
        r("online_rate", "online", "accepted"),
        r("fully_online_rate", "fully_online", "accepted"),
        r("on_site_rate", "on_site_completed", "completed"),
        r("no_reason_share", "refused_without_reason", "refused"),
    ],
};

/// `service_channels`: the cases of each channel (申报渠道) by period.
pub const SERVICE_CHANNELS_TABLE: Table = Table {
    name: SERVICE_CHANNELS,
    keys: &[
        "grain",
        "period",
        "period_start",
        "period_end",
        "level",
        "key",
        "channel",
    ],
    measures: &[
        m("accepted", "受理", Count),
        m("completed", "办结", Count),
        m("on_site_completed", "现场办结", Count),
        m("on_site_rate", "现场办结率", Percent),
        m("refused", "不予受理(许可)", Count),
        m("refused_without_reason", "未记录理由", Count),
        m("no_reason_share", "未记录理由占比", Percent),
    ],
    rates: &[
        r("on_site_rate", "on_site_completed", "completed"),
        r("no_reason_share", "refused_without_reason", "refused"),
    ],
};

/// `window_scores`: the window ranking (红旗窗口, 末位, 约谈).
pub const WINDOWS_RANKED: Table = Table {
    name: WINDOW_SCORES,
    keys: &["grain", "period", "period_start", "period_end", "window_id"],
    measures: &[
        m("department", "部门", Text),
        m("score", "得分", Decimal),
        m("rank", "名次", Count),
        m("band", "评比", Text),
        m("eligible", "参评", YesNo),
        m("veto", "一票否决", Text),
        m("talk", "约谈", YesNo),
        m("on_time_rate", "按期办结率", Percent),
        m("satisfaction_rate", "满意率", Percent),
        m("completed", "办结", Count),
        m("events", "事件", Count),
    ],
    rates: &[],
};

/// `staff_review`: 三在 (在岗, 在干, 在行) and 三问 (问践诺, 问能力, 问绩效)
/// by staff member and period.
pub const STAFF: Table = Table {
    name: STAFF_REVIEW,
    keys: &STAFF_KEYS,
    measures: &[
        m("attendance_rate", "出勤率", Percent),
        m("attended_days", "实出勤", Decimal),
        m("overlong_departures", "离岗超时", Count),
        m("cases_handled", "办件", Count),
        m("steps_handled", "环节", Count),
        m("tickets_handled", "叫号", Count),
        m("cases_per_day", "日均办件", Decimal),
        m("steps_per_day", "日均环节", Decimal),
        m("tickets_per_day", "日均叫号", Decimal),
        m("idle_days", "零办理天数", Count),
        m("corrections_per_100", "百件差错", Decimal),
        m("overdue_steps_per_100", "百件超时环节", Decimal),
        m("on_time_rate", "按期率", Percent),
        m("window_median_cases_per_day", "窗口中位日均", Decimal),
        m("capability", "对窗口中位", Decimal),
        m("score", "得分", Decimal),
        m("rank", "排名", Count),
        m("absence", "未在岗原因", Text),
    ],
    rates: &[
        r("cases_per_day", "cases_handled", "attended_days"),
        r("steps_per_day", "steps_handled", "attended_days"),
        r("tickets_per_day", "tickets_handled", "attended_days"),
        scaled(
            "corrections_per_100",
            "corrections",
            "cases_handled",
            Scale::Times(100.0),
        ),
        scaled(
            "overdue_steps_per_100",
            "overdue_steps",
            "cases_handled",
            Scale::Times(100.0),
        ),
        r("capability", "cases_per_day", "window_median_cases_per_day"),
    ],
};

/// `staff_scores`: the staff ranking (服务之星).
pub const STAFF_RANKED: Table = Table {
    name: STAFF_SCORES,
    keys: &STAFF_KEYS,
    measures: &[
        m("score", "得分", Decimal),
        m("rank", "名次", Count),
        m("star", "服务之星", YesNo),
        m("vetoed", "一票否决", YesNo),
        m("events", "事件", Count),
    ],
    rates: &[],
};

/// `attendance_days`: one row per staff member and day.
pub const STAFF_DAYS: Table = Table {
    name: ATTENDANCE_DAYS,
    keys: &["staff_id", "window_id", "department", "date"],
    measures: &[
        m("workday", "工作日", YesNo),
        m("slot1", "上午上班", Text),
        m("slot2", "上午下班", Text),
        m("slot3", "下午上班", Text),
        m("slot4", "下午下班", Text),
        m("late_minutes", "迟到(分)", Count),
        m("early_minutes", "早退(分)", Count),
        m("missing_punches", "缺卡", Count),
        m("absent_half_days", "旷工(半天)", Count),
        m("leave_kind", "请假类别", Text),
        m("leave_hours", "请假(小时)", Decimal),
        m("leave_day_share", "请假(天)", Decimal),
        m("overlong_departures", "离岗超时", Count),
        m("overlong_departure_minutes", "离岗超时分钟", Count),
        m("departures_without_cover", "离岗无顶岗", Count),
        m("stray_punches", "多余打卡", Count),
        m("duty_presence", "值班在岗", YesNo),
        m("status", "状态", Text),
        m("exceptions", "异常", Text),
    ],
    rates: &[],
};

/// `queue_jumps`: tickets served before an earlier one of the same queue,
/// with the ticket they skipped.
pub const JUMPS: Table = Table {
    name: QUEUE_JUMPS,
    keys: &["queue", "date"],
    measures: &[
        m("ticket_id", "票号", Text),
        m("issued_at", "取号", Text),
        m("called_at", "叫号", Text),
        shared("window_id"),
        shared("staff_id"),
        m("skipped_ticket_id", "被跳过票号", Text),
        m("skipped_issued_at", "其取号", Text),
        m("skipped_called_at", "其叫号", Text),
    ],
    rates: &[],
};

/// `score_events`: every point a window's score gained or lost, with the
/// record it came from.
pub const EVENTS: Table = Table {
    name: SCORE_EVENTS,
    keys: &["grain", "period", "period_start", "period_end", "window_id"],
    measures: &[
        shared("staff_id"),
        shared("source"),
        m("row_key", "记录", Text),
        m("kind", "事件", Text),
        m("points", "分值", Decimal),
    ],
    rates: &[],
};

/// `assessment_scores`: the weighted assessment (考核) of windows, staff
/// and departments: total, rank and grade per period.
pub const ASSESSED: Table = Table {
    name: ASSESSMENT_SCORES,
    keys: &KEY_COLUMNS,
    measures: &[
        m("department", "部门", Text),
        m("score", "总分", Decimal),
        m("rank", "名次", Count),
        m("grade", "等次", Text),
        m("veto", "一票否决", Text),
        m("weight_covered", "有数据权重(%)", Decimal),
        m("dimensions", "分项得分", Text),
    ],
    rates: &[],
};

/// `assessment_points`: every metric behind an assessment total.
pub const ASSESSED_POINTS: Table = Table {
    name: ASSESSMENT_POINTS,
    keys: &[
        "grain",
        "period",
        "period_start",
        "period_end",
        "level",
        "key",
        "dimension",
        "metric",
    ],
    measures: &[
        m("dimension_weight", "维度权重", Decimal),
        m("dimension_score", "维度得分", Decimal),
        m("metric_weight", "指标权重", Decimal),
        m("value", "指标值", Decimal),
        m("assumed", "无记录按", YesNo),
        m("scale", "计分规则", Text),
        m("points", "指标得分", Decimal),
        m("contribution", "计入总分", Decimal),
    ],
    rates: &[],
};

/// Every stored table declared with its measures.
pub const TABLES: [&Table; 21] = [
    &STAFF_DAYS,
    &JUMPS,
    &EVENTS,
    &CASES,
    &RATINGS,
    &QUEUE,
    &QUEUE_HOURS_TABLE,
    &STEPS,
    &ATTENDANCE,
    &ZEROS,
    &INCIDENTS,
    &RATING_LOOP_TABLE,
    &SUPERVISION,
    &COMPLAINTS,
    &SERVICES,
    &SERVICE_CHANNELS_TABLE,
    &WINDOWS_RANKED,
    &STAFF,
    &STAFF_RANKED,
    &ASSESSED,
    &ASSESSED_POINTS,
];

/// The key and code columns that tables share, with their labels.
pub const KEYS: [Measure; 20] = [
    m("grain", "粒度", Text),
    m("period", "期间", Text),
    m("period_start", "起", Text),
    m("period_end", "止", Text),
    m("level", "层级", Text),
    m("key", "对象", Text),
    m("window_id", "窗口", Text),
    m("staff_id", "工号", Text),
    m("department", "部门", Text),
    m("source", "来源", Text),
    m("category", "类别", Text),
    m("center", "中心", Text),
    m("name", "姓名", Text),
    m("date", "日期", Text),
    m("queue", "队列", Text),
    m("channel", "渠道", Text),
    m("dimension", "维度", Text),
    m("metric", "指标", Text),
    m("weekday", "星期序号", Text),
    m("slot", "时段", Text),
];

/// The columns the reports' lists carry beside the stored ones (names
/// joined beside codes, the cards', notices' and complaints' own fields),
/// with their labels: the headers of the report CSVs and workbooks
/// (`report::sheets`). A report table may give a column a label of its
/// own where a word means something else there.
pub const LISTED: [Measure; 47] = [
    m("window_name", "窗口名称", Text),
    m("key_name", "名称", Text),
    m("staff_name", "姓名", Text),
    m("item_code", "事项编码", Text),
    m("item_name", "事项名称", Text),
    m("status", "状态", Text),
    m("exceptions", "异常", Text),
    m("case_id", "办件编号", Text),
    m("step", "环节", Text),
    m("colour", "牌色", Text),
    m("deadline", "截止日期", Text),
    m("deadline_provisional", "截止日期暂定", YesNo),
    m("remaining_days", "剩余工作日", Count),
    m("raised_on", "亮牌日期", Text),
    m("escalated_on", "升级红牌日期", Text),
    m("cleared_on", "解除日期", Text),
    m("cleared_by", "解除原因", Text),
    m("recorded", "当日判定", YesNo),
    m("complaint_id", "投诉编号", Text),
    m("received_on", "登记日期", Text),
    m("deadline_kind", "超期环节", Text),
    m("rating_id", "评价编号", Text),
    m("rated_on", "评价日期", Text),
    m("overdue_days", "超期工作日", Count),
    m("named", "实名", Text),
    m("called_back", "已回访", Text),
    m("appeal_result", "复核结果", Text),
    m("refused_on", "不予受理日期", Text),
    m("result", "办理结果", Text),
    m("reason", "理由", Text),
    m("notice_id", "督办编号", Text),
    m("opened_on", "督办日期", Text),
    m("stage", "阶段", Count),
    m("stage_name", "阶段名称", Text),
    m("warned_on", "效能告诫日期", Text),
    m("referred_on", "问责移送日期", Text),
    m("due_on", "回告期限", Text),
    m("replied_on", "回告日期", Text),
    m("replied_on_time", "按期回告", YesNo),
    m("reply_days", "回告用时", Decimal),
    m("outcome", "回告结果", Text),
    m("closed_on", "办结日期", Text),
    m("closed_by", "办结方式", Text),
    m("month_flags", "月度红旗(次)", Count),
    m("bimonth_flags", "双月红旗(次)", Count),
    m("quarter_flags", "季度红旗(次)", Count),
    m("month_bottom", "月度末位(次)", Count),
];

/// A shared column of [`KEYS`] among a table's measures (checked when
/// compiled).
const fn shared(column: &'static str) -> Measure {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    let mut i = 0;
    while i < KEYS.len() {
        if same(KEYS[i].column, column) {
            return KEYS[i];
        }
        i += 1;
    }
    panic!("not a shared column")
}

/// The declared metric table named `name`.
pub fn table_named(name: &str) -> Option<&'static Table> {
    TABLES.iter().copied().find(|t| t.name == name)
}

/// Whether `table.column` can be a metric of the assessment: a measure of
/// a rolled-up table (level × key); in a table with more keys than those
/// (incident_metrics: source, category) only a count, summed over them,
/// or a figure of rating_loop's row of every channel (全部).
pub fn assessable(table: &str, column: &str) -> anyhow::Result<()> {
    let Some(t) = table_named(table).filter(|t| t.keys.contains(&"level")) else {
        anyhow::bail!("{table} is not a metric table with levels");
    };
    let Some(m) = t.measures.iter().find(|m| m.column == column) else {
        anyhow::bail!(
            "{table} has no measure {column} (measures: {})",
            t.measure_names().join(", ")
        );
    };
    let summed = t
        .keys
        .iter()
        .any(|k| !KEY_COLUMNS.contains(k) && *k != "channel");
    if summed && m.shape != Shape::Count {
        anyhow::bail!("{table}.{column} does not add up over {table}'s other keys: only its counts can be assessed");
    }
    if !matches!(m.shape, Shape::Count | Shape::Percent | Shape::Decimal) {
        anyhow::bail!("{table}.{column} is not a number");
    }
    Ok(())
}

/// The label of a shared key column.
pub fn key(column: &str) -> &'static Measure {
    KEYS.iter()
        .find(|k| k.column == column)
        .unwrap_or_else(|| panic!("no key column {column}"))
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
/// `queue_hours`: the tickets by half hour and weekday (分时段等候).
pub const QUEUE_HOURS: &str = "queue_hours";
/// `incident_metrics`: supervision incidents by source and category.
pub const INCIDENT_METRICS: &str = "incident_metrics";
/// `rating_loop`: the 好差评 loop (callbacks, rectification, feedback,
/// appeals) by period and channel.
pub const RATING_LOOP: &str = "rating_loop";
/// `supervision_metrics`: 督办 notices, replies and escalations by period.
pub const SUPERVISION_METRICS: &str = "supervision_metrics";
/// `complaint_metrics`: complaints followed to their close, by period.
pub const COMPLAINT_METRICS: &str = "complaint_metrics";
/// `service_metrics`: special services and refusals by period.
pub const SERVICE_METRICS: &str = "service_metrics";
/// `service_channels`: the cases of each channel by period.
pub const SERVICE_CHANNELS: &str = "service_channels";
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
/// `assessment_scores`: the weighted assessment (考核) and its grades.
pub const ASSESSMENT_SCORES: &str = "assessment_scores";
/// `assessment_points`: the metrics behind each assessment total.
pub const ASSESSMENT_POINTS: &str = "assessment_points";
/// `cards`: the red and yellow card history (written by the nightly job
/// and `cards --record`).
pub const CARDS: &str = "cards";

#[cfg(test)]
mod tests {
    #[test]
    fn a_level_s_rows_keep_the_key_columns_and_the_figures_named() {
        use polars::prelude::{df, IntoLazy};
        let df = df!(
            "grain" => ["month", "month", "month"],
            "period" => ["2026-10", "2026-10", "2026-10"],
            "period_start" => ["2026-10-01", "2026-10-01", "2026-10-01"],
            "period_end" => ["2026-10-31", "2026-10-31", "2026-10-31"],
            "level" => ["center", "window", "staff"],
            "key" => ["C", "W01", "S1"],
            "accepted" => [9i64, 4, 2],
            "on_time_rate" => [0.5, 0.75, 1.0],
            "satisfaction_rate" => [0.9, 0.8, 0.7],
        )
        .unwrap();
        let rows = |levels: &[&str], figures: &[&str]| {
            level_rows(df.clone().lazy(), levels, figures)
                .collect()
                .unwrap()
        };
        let w = rows(&["window"], &["accepted", "on_time_rate"]);
        let names: Vec<&str> = w.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "grain",
                "period",
                "period_start",
                "period_end",
                "level",
                "key",
                "accepted",
                "on_time_rate"
            ]
        );
        assert_eq!(w.height(), 1);
        assert_eq!(w.column("key").unwrap().str().unwrap().get(0), Some("W01"));
        assert_eq!(w.column("accepted").unwrap().i64().unwrap().get(0), Some(4));
        let s = rows(&["staff"], &["on_time_rate"]);
        assert_eq!(s.width(), 7);
        assert_eq!(s.column("key").unwrap().str().unwrap().get(0), Some("S1"));
        assert_eq!(
            s.column("on_time_rate").unwrap().f64().unwrap().get(0),
            Some(1.0)
        );
        // Two levels: their rows in the table's order.
        let two = rows(&["staff", "center"], &["accepted"]);
        let keys: Vec<_> = two.column("key").unwrap().str().unwrap().iter().collect();
        assert_eq!(keys, [Some("C"), Some("S1")]);
        assert_eq!(rows(&[], &[]).height(), 0);
    }

    use super::*;

    #[test]
    fn every_table_is_declared_whole() {
        for t in TABLES.iter().chain([&&ATTENDANCE_SHEET]) {
            let columns = t.columns();
            let mut unique = columns.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), columns.len(), "{} repeats a column", t.name);
            for c in &columns {
                assert!(!t.label(c).is_empty(), "{}.{c} has no label", t.name);
            }
            for r in t.rates {
                let shape = t.measure(r.column).shape;
                assert!(
                    matches!(shape, Shape::Percent | Shape::Decimal),
                    "{}.{} is a rate shown as {shape:?}",
                    t.name,
                    r.column
                );
            }
        }
    }

    #[test]
    fn a_rate_is_its_ratio_scaled() {
        use polars::prelude::*;
        let df = df!("n" => [1i64, 3, 5], "d" => [4i64, 0, 10]).unwrap();
        let of = |scale| {
            let rate = scaled("x", "n", "d", scale);
            let out = df.clone().lazy().select([rate.expr()]).collect().unwrap();
            out.column("x")
                .unwrap()
                .f64()
                .unwrap()
                .iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(of(Scale::Ratio), [Some(0.25), None, Some(0.5)]);
        assert_eq!(of(Scale::OneLess), [Some(0.75), None, Some(0.5)]);
        assert_eq!(of(Scale::Times(100.0)), [Some(25.0), None, Some(50.0)]);
        assert_eq!(of(Scale::Over(0.5)), [Some(0.5), None, Some(1.0)]);
    }

    #[test]
    #[should_panic(expected = "case_metrics declares no column nothing")]
    fn an_undeclared_column_is_named() {
        CASES.label("nothing");
    }

    #[test]
    fn the_counts_of_case_metrics_are_its_eight_volumes() {
        assert_eq!(
            CASES.counts(),
            [
                "accepted",
                "completed",
                "completed_instant",
                "completed_promised",
                "on_time",
                "early",
                "overdue_completed",
                "overdue_open",
            ]
        );
    }
}
