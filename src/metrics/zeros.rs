//! Supervision incidents (巡查, 暗访, 投诉, 表扬 …) counted per category, and
//! the three zeros (三零) of each window: 零距离服务 (no substantiated
//! complaint, no bad rating), 零差错办件 (no correction, no overdue case),
//! 零关系办事 (no queue jump, no substantiated favouritism complaint).

use super::period::Grain;
use super::rollup::{rollup, Roll, RollupSpec};
use super::WithDepartment;
use crate::polars_ext::{date_lit, date_series, dates_of};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// Incident settings (`[incidents]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IncidentRules {
    /// Sources that are complaints (投诉).
    pub complaint_sources: Vec<String>,
    /// Categories that are favouritism (零关系办事).
    pub favouritism_categories: Vec<String>,
    /// Categories that bar a window from the red flag that period (一票否决).
    pub veto_categories: Vec<String>,
    /// Points of a category when an incident row gives none.
    pub default_points: std::collections::BTreeMap<String, f64>,
    /// Points of a source (投诉, 暗访, 巡查, 表扬, 锦旗) when neither the row
    /// nor its category gives any.
    pub source_points: std::collections::BTreeMap<String, f64>,
}

impl IncidentRules {
    /// The points of a substantiated incident without its own: its
    /// category's default, else its source's; `None`: no rule gives any.
    pub fn default_for(&self, category: Option<&str>, source: Option<&str>) -> Option<f64> {
        category
            .and_then(|c| self.default_points.get(c))
            .or_else(|| source.and_then(|s| self.source_points.get(s)))
            .copied()
    }

    /// [`IncidentRules::default_for`] as an expression over `category` and
    /// `source` (0 where no rule gives points).
    fn default_expr(&self) -> Expr {
        let mut points = lit(0.0);
        for (source, p) in &self.source_points {
            points = when(col("source").eq(lit(source.as_str())))
                .then(lit(*p))
                .otherwise(points);
        }
        for (category, p) in &self.default_points {
            points = when(col("category").eq(lit(category.as_str())))
                .then(lit(*p))
                .otherwise(points);
        }
        points
    }
}

impl Default for IncidentRules {
    fn default() -> Self {
        IncidentRules {
            complaint_sources: vec!["投诉".into()],
            favouritism_categories: vec!["优亲厚友".into(), "吃拿卡要".into()],
            veto_categories: vec!["吃拿卡要".into()],
            default_points: std::collections::BTreeMap::new(),
            // The common practice: a substantiated complaint or a finding of
            // a covert inspection costs 2 points, a patrol finding 1; a
            // letter of thanks adds 1, a banner 2.
            source_points: [
                ("投诉", -2.0),
                ("暗访", -2.0),
                ("巡查", -1.0),
                ("表扬", 1.0),
                ("锦旗", 2.0),
            ]
            .into_iter()
            .map(|(s, p)| (s.to_string(), p))
            .collect(),
        }
    }
}

fn substantiated() -> Expr {
    col("substantiated").fill_null(lit(true))
}

/// `incident_metrics`: incidents, substantiated ones and their points, per
/// grain, level, key, source and category.
pub fn incident_metrics(
    incidents: &DataFrame,
    windows: &DataFrame,
    rules: &IncidentRules,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    // A row's own points, else the category's default, else the source's.
    let points = rules.default_expr();
    let events = incidents
        .clone()
        .lazy()
        .filter(col("date").lt_eq(date_lit(as_of)))
        .with_department(windows)
        .with_columns([
            lit(1i64).alias("incidents"),
            substantiated()
                .cast(DataType::Int64)
                .alias("substantiated_n"),
            when(substantiated())
                .then(col("points").fill_null(points))
                .otherwise(lit(0.0))
                .alias("points_sum"),
        ])
        .select([
            col("date"),
            col("department"),
            col("window_id"),
            col("staff_id"),
            col("source"),
            col("category"),
            col("incidents"),
            col("substantiated_n"),
            col("points_sum"),
        ]);
    let out = rollup(
        events,
        &RollupSpec::people(
            &[
                ("incidents", Roll::Sum),
                ("substantiated_n", Roll::Sum),
                ("points_sum", Roll::Sum),
            ],
            &["source", "category"],
            as_of,
        ),
    )?;
    Ok(out
        .lazy()
        .rename(
            ["substantiated_n", "points_sum"],
            ["substantiated", "points"],
            true,
        )
        .collect()?)
}

/// The tables the three zeros are read from.
pub struct ZeroInputs<'a> {
    pub windows: &'a DataFrame,
    pub incidents: Option<&'a DataFrame>,
    /// Corrections (`case_id`, `at`); `three_zeros_of` gives each its case's window.
    pub corrections: Option<&'a DataFrame>,
    /// Cases (at least [`CASE_COLUMNS`]).
    pub cases: &'a DataFrame,
    pub case_metrics: &'a DataFrame,
    pub rating_metrics: Option<&'a DataFrame>,
    pub queue_metrics: Option<&'a DataFrame>,
}

/// `three_zeros` of some periods of one grain, in one pass: a row per
/// window of the windows table and period, and a center row per period
/// with the share holding all three.
fn three_zeros_grain(
    z: &ZeroInputs,
    rules: &IncidentRules,
    grain: Grain,
    periods: &[&super::period::Period],
    as_of: NaiveDate,
) -> Result<DataFrame> {
    use std::collections::HashMap;
    let labels: Vec<&str> = periods.iter().map(|p| p.label.as_str()).collect();
    let periods_df = DataFrame::new(
        periods.len(),
        vec![
            Column::new("period".into(), labels.clone()),
            date_series("period_start", periods.iter().map(|p| Some(p.start)))?,
            date_series("period_end", periods.iter().map(|p| Some(p.end)))?,
            Column::new("ord".into(), (0..periods.len() as i64).collect::<Vec<_>>()),
        ],
    )?;
    // The period of each event date: the grain's period holding it, when
    // it is one of `periods` and the date is not after its state day
    // (nothing after the evaluation date counts).
    let state: HashMap<&str, NaiveDate> = periods
        .iter()
        .map(|p| (p.label.as_str(), super::state_day(p.end, as_of)))
        .collect();
    let with_period = |df: &DataFrame, date_col: &str| -> Result<LazyFrame> {
        let days = df.column(date_col)?.cast(&DataType::Date)?;
        let mut seen: Vec<NaiveDate> = dates_of(&days)?.into_iter().flatten().collect();
        seen.sort_unstable();
        seen.dedup();
        let (mut ds, mut ps) = (Vec::new(), Vec::new());
        for d in seen {
            let p = super::period::period_of(grain, d);
            if state.get(p.label.as_str()).is_some_and(|last| d <= *last) {
                ds.push(Some(d));
                ps.push(p.label);
            }
        }
        let map = DataFrame::new(
            ds.len(),
            vec![
                date_series("_day", ds.into_iter())?,
                Column::new("period".into(), ps),
            ],
        )?;
        Ok(df
            .clone()
            .lazy()
            .with_column(col(date_col).cast(DataType::Date).alias("_day"))
            .join(
                map.lazy(),
                [col("_day")],
                [col("_day")],
                JoinArgs::new(JoinType::Inner),
            ))
    };
    let keys = [col("period"), col("window_id")];
    let per_window = |lf: LazyFrame, name: &str| {
        lf.group_by(keys.clone())
            .agg([len().cast(DataType::Int64).alias(name)])
    };
    let join = |out: LazyFrame, other: LazyFrame| {
        out.join(
            other,
            keys.clone(),
            keys.clone(),
            JoinArgs::new(JoinType::Left),
        )
    };
    let windows = z
        .windows
        .clone()
        .lazy()
        .select([col("window_id")])
        .unique_stable(None, UniqueKeepStrategy::First);
    let mut out = windows.cross_join(periods_df.clone().lazy().select([col("period")]), None);
    let list = |v: &[String]| lit(Series::new("v".into(), v.to_vec()));
    if let Some(inc) = z.incidents {
        let inc = with_period(inc, "date")?.filter(substantiated());
        out = join(
            out,
            per_window(
                inc.clone().filter(
                    col("source").is_in(list(&rules.complaint_sources).implode(false), false),
                ),
                "substantiated_complaints",
            ),
        );
        out = join(
            out,
            per_window(
                inc.filter(
                    col("category")
                        .is_in(list(&rules.favouritism_categories).implode(false), false),
                ),
                "favouritism_complaints",
            ),
        );
    }
    if let Some(cor) = z.corrections {
        // Corrections carry their case's window (see `three_zeros_of`).
        out = join(out, per_window(with_period(cor, "at")?, "corrections"));
    }
    let in_periods = col("period").is_in(
        lit(Series::new("p".into(), labels.clone())).implode(false),
        false,
    );
    let window_rows = |m: &DataFrame, exprs: Vec<Expr>| {
        let mut select = vec![col("period"), col("key").alias("window_id")];
        select.extend(exprs);
        m.clone()
            .lazy()
            .filter(
                col("level")
                    .eq(lit("window"))
                    .and(col("grain").eq(lit(grain.name())))
                    .and(in_periods.clone()),
            )
            .select(select)
    };
    // Activity of the period: a case accepted, completed or open overdue, a
    // rating, a ticket. A window without any holds no zero: it has no data.
    out = join(
        out,
        window_rows(
            z.case_metrics,
            vec![
                (col("overdue_completed") + col("overdue_open")).alias("overdue_cases"),
                (col("accepted") + col("completed") + col("overdue_open")).alias("case_activity"),
            ],
        ),
    );
    if let Some(r) = z.rating_metrics {
        out = join(
            out,
            window_rows(
                r,
                vec![col("bad_ratings"), col("ratings").alias("rating_activity")],
            ),
        );
    }
    if let Some(q) = z.queue_metrics {
        out = join(
            out,
            window_rows(
                q,
                vec![col("queue_jumps"), col("tickets").alias("queue_activity")],
            ),
        );
    }
    let counts = [
        "substantiated_complaints",
        "bad_ratings",
        "corrections",
        "overdue_cases",
        "queue_jumps",
        "favouritism_complaints",
        "case_activity",
        "rating_activity",
        "queue_activity",
    ];
    let out = out.collect()?;
    let have: Vec<String> = out
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut lf = out.lazy();
    for c in counts {
        // A source table the store does not have (no incidents, no
        // corrections) counts nothing.
        let value = if have.iter().any(|h| h == c) {
            col(c)
        } else {
            lit(NULL)
        };
        lf = lf.with_column(value.cast(DataType::Int64).fill_null(lit(0i64)).alias(c));
    }
    let active = (col("case_activity") + col("rating_activity") + col("queue_activity")).gt(lit(0));
    // A zero held, or null (no data) for a window without activity.
    let zero = |a: &str, b: &str| {
        when(col("active"))
            .then(col(a).eq(lit(0)).and(col(b).eq(lit(0))))
            .otherwise(lit(NULL).cast(DataType::Boolean))
    };
    let windows_rows = lf
        .with_column(active.alias("active"))
        .with_columns([
            zero("substantiated_complaints", "bad_ratings").alias("zero_distance"),
            zero("corrections", "overdue_cases").alias("zero_error"),
            zero("queue_jumps", "favouritism_complaints").alias("zero_relation"),
        ])
        .with_column(
            col("zero_distance")
                .and(col("zero_error"))
                .and(col("zero_relation"))
                .alias("all_three"),
        )
        .with_columns([
            lit("window").alias("level"),
            col("window_id").alias("key"),
            lit(NULL).cast(DataType::Int64).alias("windows"),
            lit(NULL).cast(DataType::Int64).alias("windows_all_three"),
            lit(NULL).cast(DataType::Float64).alias("share_all_three"),
        ])
        .collect()?;
    let mut center_cols: Vec<Expr> = counts.iter().map(|c| col(*c).sum()).collect();
    center_cols.extend([
        lit(NULL).cast(DataType::Boolean).alias("zero_distance"),
        lit(NULL).cast(DataType::Boolean).alias("zero_error"),
        lit(NULL).cast(DataType::Boolean).alias("zero_relation"),
        lit(NULL).cast(DataType::Boolean).alias("all_three"),
        // The share is over the windows with activity in the period.
        col("active").cast(DataType::Int64).sum().alias("windows"),
        col("all_three")
            .fill_null(lit(false))
            .cast(DataType::Int64)
            .sum()
            .alias("windows_all_three"),
        col("active").any(false).alias("active"),
        lit("center").alias("level"),
        lit("center").alias("key"),
    ]);
    let center = windows_rows
        .clone()
        .lazy()
        .group_by([col("period")])
        .agg(center_cols)
        .with_columns(super::schema::ZEROS.rate_exprs());
    let labelled = |lf: LazyFrame| {
        lf.join(
            periods_df.clone().lazy(),
            [col("period")],
            [col("period")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column(lit(grain.name()).alias("grain"))
        .select(
            super::schema::ZEROS
                .columns()
                .into_iter()
                .chain(["ord"])
                .map(col)
                .collect::<Vec<_>>(),
        )
    };
    // Per period: the center row, then the windows by key.
    Ok(concat(
        [labelled(center), labelled(windows_rows.lazy())],
        UnionArgs::default(),
    )?
    .with_column(col("level").neq(lit("center")).alias("_window"))
    .sort(
        ["ord", "_window", "key"],
        SortMultipleOptions::default().with_maintain_order(true),
    )
    .select(super::schema::ZEROS.select())
    .collect()?)
}

/// Every period of every grain with case data (the three zeros are kept
/// at every grain, like every other metric).
pub fn periods_with_cases(case_metrics: &DataFrame) -> Result<Vec<super::period::Period>> {
    let centers = case_metrics
        .clone()
        .lazy()
        .filter(col("level").eq(lit("center")))
        .collect()?;
    let (grains, labels) = (
        centers.column("grain")?.str()?,
        centers.column("period")?.str()?,
    );
    let mut out = Vec::new();
    for (g, l) in grains.iter().zip(labels.iter()) {
        if let (Some(g), Some(l)) = (g, l) {
            if super::period::Grain::ALL.iter().any(|x| x.name() == g) {
                out.push(super::period::parse_period(l)?);
            }
        }
    }
    Ok(out)
}

/// The columns of the cases [`three_zeros_of`] reads.
pub const CASE_COLUMNS: [&str; 2] = ["case_id", "window_id"];

/// The three zeros of several periods, one after the other.
pub fn three_zeros_of(
    z: &ZeroInputs,
    rules: &IncidentRules,
    periods: &[super::period::Period],
    as_of: NaiveDate,
) -> Result<DataFrame> {
    // The corrections with their case's window, joined once for every
    // period (the three zeros are kept for every day and week too).
    let corrections = match z.corrections {
        Some(cor) => Some(
            cor.clone()
                .lazy()
                .select([col("case_id"), col("at")])
                .join(
                    z.cases
                        .clone()
                        .lazy()
                        .select([col("case_id"), col("window_id")]),
                    [col("case_id")],
                    [col("case_id")],
                    JoinArgs::new(JoinType::Inner),
                )
                .collect()?,
        ),
        None => None,
    };
    let z = &ZeroInputs {
        corrections: corrections.as_ref(),
        ..*z
    };
    // Periods grouped by grain, in the order given.
    let mut grains: Vec<(Grain, Vec<&super::period::Period>)> = Vec::new();
    for p in periods {
        match grains.iter_mut().find(|(g, _)| *g == p.grain) {
            Some((_, v)) => v.push(p),
            None => grains.push((p.grain, vec![p])),
        }
    }
    let mut parts = Vec::with_capacity(grains.len());
    for (grain, ps) in &grains {
        parts.push(three_zeros_grain(z, rules, *grain, ps, as_of)?.lazy());
    }
    if parts.is_empty() {
        let none = super::period::period_of(Grain::Month, as_of);
        return Ok(three_zeros_grain(z, rules, Grain::Month, &[&none], as_of)?.head(Some(0)));
    }
    Ok(concat(parts, UnionArgs::default())?.collect()?)
}
