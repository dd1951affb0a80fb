//! One period's rows of a metric table beside the period before (环比) and
//! the same period a year earlier (同比), and the targets met or missed.

use super::period::{previous, year_earlier, Period};
use anyhow::Result;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// Targets of the case figures (defaults from a city's rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Targets {
    pub promise_compression: f64,
    pub actual_speedup: f64,
    pub on_time_rate: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            promise_compression: 0.50,
            actual_speedup: 0.30,
            on_time_rate: 0.98,
        }
    }
}

/// Case measures shown with their previous-period and year-earlier values.
pub const CASES_COMPARED: [&str; 5] = [
    "accepted",
    "completed",
    "instant_rate",
    "on_time_rate",
    "early_rate",
];

/// The rows of `period` at `level` (every level when `None`), sorted by key.
pub fn period_rows(metrics: &DataFrame, period: &Period, level: Option<&str>) -> LazyFrame {
    let mut keep = period.holds_row();
    if let Some(level) = level {
        keep = keep.and(col("level").eq(lit(level)));
    }
    metrics.clone().lazy().filter(keep)
}

/// The rows of `period` at `level`, with `<m>_prev_period` and
/// `<m>_prev_year` for each compared measure (环比 and 同比).
pub fn period_view(
    metrics: &DataFrame,
    period: &Period,
    level: &str,
    compared: &[&str],
) -> Result<DataFrame> {
    let suffixed = |p: &Period, suffix: &str| {
        let mut cols = vec![col("key")];
        cols.extend(
            compared
                .iter()
                .map(|m| col(*m).alias(format!("{m}_{suffix}"))),
        );
        period_rows(metrics, p, Some(level)).select(cols)
    };
    let join = JoinArgs::new(JoinType::Left);
    Ok(period_rows(metrics, period, Some(level))
        .join(
            suffixed(&previous(period), "prev_period"),
            [col("key")],
            [col("key")],
            join.clone(),
        )
        .join(
            suffixed(&year_earlier(period), "prev_year"),
            [col("key")],
            [col("key")],
            join,
        )
        .sort(["key"], SortMultipleOptions::default())
        .collect()?)
}

/// Add `<target>_met` (true, false, or null where the rate is null).
pub fn with_targets(view: DataFrame, targets: &Targets) -> Result<DataFrame> {
    let met = |m: &str, target: f64| col(m).gt_eq(lit(target)).alias(format!("{m}_met"));
    Ok(view
        .lazy()
        .with_columns([
            met("promise_compression", targets.promise_compression),
            met("actual_speedup", targets.actual_speedup),
            met("on_time_rate", targets.on_time_rate),
        ])
        .collect()?)
}
