//! Supervision incidents (巡查, 暗访, 投诉, 表扬 …) counted per category, and
//! the three zeros (三零) of each window: 零距离服务 (no substantiated
//! complaint, no bad rating), 零差错办件 (no correction, no overdue case),
//! 零关系办事 (no queue jump, no substantiated favouritism complaint).

use super::period::Grain;
use super::rollup::{ratio, rollup, Roll, RollupSpec};
use super::WithDepartment;
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
        .filter(col("date").lt_eq(super::date_lit(as_of)))
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
        &RollupSpec {
            measures: &[
                ("incidents", Roll::Sum),
                ("substantiated_n", Roll::Sum),
                ("points_sum", Roll::Sum),
            ],
            extra_keys: &["source", "category"],
            levels: &["center", "department", "window", "staff"],
            grains: &Grain::ALL,
            as_of,
        },
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
    pub corrections: Option<&'a DataFrame>,
    pub cases: &'a DataFrame,
    pub case_metrics: &'a DataFrame,
    pub rating_metrics: Option<&'a DataFrame>,
    pub queue_metrics: Option<&'a DataFrame>,
}

/// Columns of `three_zeros`.
pub const COLUMNS: [&str; 20] = [
    "grain",
    "period",
    "period_start",
    "period_end",
    "level",
    "key",
    "substantiated_complaints",
    "bad_ratings",
    "zero_distance",
    "corrections",
    "overdue_cases",
    "zero_error",
    "queue_jumps",
    "favouritism_complaints",
    "zero_relation",
    "all_three",
    "windows",
    "windows_all_three",
    "share_all_three",
    "active",
];

/// Window-level values of one period from a metric table.
fn window_counts(
    metrics: Option<&DataFrame>,
    grain: Grain,
    label: &str,
    exprs: Vec<Expr>,
) -> Option<LazyFrame> {
    metrics.map(|m| {
        let mut select = vec![col("key").alias("window_id")];
        select.extend(exprs);
        m.clone()
            .lazy()
            .filter(
                col("level")
                    .eq(lit("window"))
                    .and(col("grain").eq(lit(grain.name())))
                    .and(col("period").eq(lit(label))),
            )
            .select(select)
    })
}

/// `three_zeros` of `period` (one grain and label): a row per window of
/// the windows table, and a center row with the share holding all three.
pub fn three_zeros(
    z: &ZeroInputs,
    rules: &IncidentRules,
    grain: Grain,
    label: &str,
    start: NaiveDate,
    end: NaiveDate,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    // Nothing after the evaluation date counts.
    let last = super::state_day(end, as_of);
    let in_period = |c: &str| {
        col(c)
            .cast(DataType::Date)
            .gt_eq(super::date_lit(start))
            .and(col(c).cast(DataType::Date).lt_eq(super::date_lit(last)))
    };
    let per_window = |lf: LazyFrame, name: &str| {
        lf.group_by([col("window_id")])
            .agg([len().cast(DataType::Int64).alias(name)])
    };
    let windows = z
        .windows
        .clone()
        .lazy()
        .select([col("window_id")])
        .unique_stable(None, UniqueKeepStrategy::First);
    let list = |v: &[String]| lit(Series::new("v".into(), v.to_vec()));
    let mut out = windows.clone();
    let join = |out: LazyFrame, other: LazyFrame| {
        out.join(
            other,
            [col("window_id")],
            [col("window_id")],
            JoinArgs::new(JoinType::Left),
        )
    };
    if let Some(inc) = z.incidents {
        let inc = inc
            .clone()
            .lazy()
            .filter(in_period("date").and(substantiated()));
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
        let with_window = cor.clone().lazy().filter(in_period("at")).join(
            z.cases
                .clone()
                .lazy()
                .select([col("case_id"), col("window_id")]),
            [col("case_id")],
            [col("case_id")],
            JoinArgs::new(JoinType::Inner),
        );
        out = join(out, per_window(with_window, "corrections"));
    }
    let overdue = (col("overdue_completed") + col("overdue_open")).alias("overdue_cases");
    // Activity of the period: a case accepted, completed or open overdue, a
    // rating, a ticket. A window without any holds no zero: it has no data.
    let case_activity =
        (col("accepted") + col("completed") + col("overdue_open")).alias("case_activity");
    for lf in [
        window_counts(
            Some(z.case_metrics),
            grain,
            label,
            vec![overdue, case_activity],
        ),
        window_counts(
            z.rating_metrics,
            grain,
            label,
            vec![col("bad_ratings"), col("ratings").alias("rating_activity")],
        ),
        window_counts(
            z.queue_metrics,
            grain,
            label,
            vec![col("queue_jumps"), col("tickets").alias("queue_activity")],
        ),
    ]
    .into_iter()
    .flatten()
    {
        out = join(out, lf);
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
        .sort(["key"], SortMultipleOptions::default())
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
        .select(center_cols)
        .with_column(ratio(col("windows_all_three"), col("windows")).alias("share_all_three"));
    let labels = |lf: LazyFrame| {
        lf.with_columns([
            lit(grain.name()).alias("grain"),
            lit(label).alias("period"),
            super::date_lit(start).alias("period_start"),
            super::date_lit(end).alias("period_end"),
        ])
        .select(COLUMNS.map(col))
    };
    Ok(concat(
        [labels(center), labels(windows_rows.lazy())],
        UnionArgs::default(),
    )?
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
            if ["day", "week", "month", "bimonth", "quarter", "year"].contains(&g) {
                out.push(super::period::parse_period(l)?);
            }
        }
    }
    Ok(out)
}

/// The three zeros of several periods, one after the other.
pub fn three_zeros_of(
    z: &ZeroInputs,
    rules: &IncidentRules,
    periods: &[super::period::Period],
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let mut parts = Vec::with_capacity(periods.len());
    for p in periods {
        parts.push(three_zeros(z, rules, p.grain, &p.label, p.start, p.end, as_of)?.lazy());
    }
    if parts.is_empty() {
        return Ok(three_zeros(z, rules, Grain::Month, "", as_of, as_of, as_of)?.head(Some(0)));
    }
    Ok(concat(parts, UnionArgs::default())?.collect()?)
}
