//! Assessment (考核) as centers grade: weighted dimensions of named
//! metrics, a total out of 100, grades with quotas, one-vote vetoes
//! (`[assessment]`).
//!
//! Each dimension (办件效能, 群众满意 …) scores 0–100 from its metrics:
//! every metric's value is turned into 0–100 points by a linear scale or
//! by thresholds, and the dimension is the weighted mean of the points of
//! its metrics that have a value. The total is the weighted mean of the
//! dimensions that have one. Every point is a row (`assessment_points`):
//! dimension → metric → value → points → what it adds to the total.

use super::period::{Grain, Period};
use anyhow::{bail, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// `[assessment]`: the dimensions, the grades and when a subject is graded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AssessmentRules {
    /// A subject is graded when its dimensions with figures carry at least
    /// this much of the total weight (percent).
    pub min_weight: f64,
    /// The grade of a subject below every band, or with a 一票否决.
    pub fail: String,
    /// The grade bands, best first.
    pub grades: Vec<GradeBand>,
    pub dimensions: Vec<Dimension>,
}

/// A grade: at least `min` points, and (with a quota) at most that share
/// of the subjects graded in the period, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeBand {
    pub name: String,
    pub min: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<f64>,
}

/// A dimension: its weight in the total, its metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    pub name: String,
    pub weight: f64,
    pub metrics: Vec<MetricRule>,
}

/// A metric of a dimension and how its value becomes 0–100 points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricRule {
    /// `table.column` of a metric table, or a derived metric
    /// ([`DERIVED`]).
    pub metric: String,
    /// Its weight within the dimension.
    #[serde(default = "one")]
    pub weight: f64,
    /// `[zero, full]`: 0 points at `zero`, 100 at `full`, linear between,
    /// clamped (a falling scale when `full < zero`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linear: Option<[f64; 2]>,
    /// `[[threshold, points] …]`: the points of the first threshold the
    /// value reaches (value ≥ threshold); 0 below them all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<Vec<[f64; 2]>>,
    /// `[[threshold, points] …]`: the points of the first threshold the
    /// value stays within (value ≤ threshold); 0 above them all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_most: Option<Vec<[f64; 2]>>,
    /// The value of a subject the metric's table has no figure for (a
    /// count with no row is 0); without it such a metric is left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absent: Option<f64>,
    /// Divide the value by the months of the period (a count scored the
    /// same way in a month and in a year).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub per_month: bool,
}

fn one() -> f64 {
    1.0
}

/// The derived metrics: a name and what it is.
pub const DERIVED: [(&str, &str); 4] = [
    (
        "exceptions_per_head_month",
        "考勤异常(迟到、早退、缺卡、旷工半天)每人每月次数",
    ),
    ("substantiated_incidents", "属实投诉与违规(不含表扬、锦旗)"),
    ("overlong_departures_per_head_month", "离岗超时每人每月次数"),
    ("event_score", "红旗评比得分(100 ± 事件分)"),
];

/// The statutory average of working days in a month (月计薪天数): the
/// per-head-month metrics divide by expected working days over this.
pub const DAYS_PER_HEAD_MONTH: f64 = 21.75;

/// Where a metric's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A column of a metric table at the subject's level and key.
    Column { table: String, column: String },
    /// One of [`DERIVED`].
    Derived(String),
}

impl Source {
    pub fn of(metric: &str) -> Source {
        match metric.split_once('.') {
            Some((t, c)) => Source::Column {
                table: t.to_string(),
                column: c.to_string(),
            },
            None => Source::Derived(metric.to_string()),
        }
    }
}

impl MetricRule {
    fn with(metric: &str, weight: f64) -> MetricRule {
        MetricRule {
            metric: metric.to_string(),
            weight,
            linear: None,
            at_least: None,
            at_most: None,
            absent: None,
            per_month: false,
        }
    }

    /// The 0–100 points of a value.
    pub fn points(&self, v: f64) -> f64 {
        if let Some([zero, full]) = self.linear {
            if full == zero {
                return if v >= full { 100.0 } else { 0.0 };
            }
            return ((v - zero) / (full - zero)).clamp(0.0, 1.0) * 100.0;
        }
        if let Some(steps) = &self.at_least {
            return steps.iter().find(|s| v >= s[0]).map_or(0.0, |s| s[1]);
        }
        if let Some(steps) = &self.at_most {
            return steps.iter().find(|s| v <= s[0]).map_or(0.0, |s| s[1]);
        }
        0.0
    }

    /// The scale in words, for the explanation.
    pub fn scale_text(&self) -> String {
        let scale = self.scale_only();
        match self.per_month {
            true => format!("月均 {scale}"),
            false => scale,
        }
    }

    fn scale_only(&self) -> String {
        let steps = |s: &[[f64; 2]], op: &str| {
            s.iter()
                .map(|[t, p]| format!("{op}{t}→{p}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        if let Some([zero, full]) = self.linear {
            format!("{zero}→0 … {full}→100")
        } else if let Some(s) = &self.at_least {
            steps(s, "≥")
        } else if let Some(s) = &self.at_most {
            steps(s, "≤")
        } else {
            String::new()
        }
    }
}

impl Default for AssessmentRules {
    /// The four dimensions of the seeds' centers and common provincial
    /// practice (办件效能 40, 群众满意 30, 工作纪律 20, 服务规范 10) and the
    /// grades 优秀 ≥ 90 (at most 20 %), 良好 ≥ 80, 合格 ≥ 60.
    fn default() -> Self {
        let linear = |m: &str, w: f64, zero: f64, full: f64| MetricRule {
            linear: Some([zero, full]),
            ..MetricRule::with(m, w)
        };
        let count = |m: &str, w: f64, steps: Vec<[f64; 2]>| MetricRule {
            at_most: Some(steps),
            absent: Some(0.0),
            per_month: true,
            ..MetricRule::with(m, w)
        };
        AssessmentRules {
            min_weight: 50.0,
            fail: "不合格".into(),
            grades: vec![
                GradeBand {
                    name: "优秀".into(),
                    min: 90.0,
                    quota: Some(0.2),
                },
                GradeBand {
                    name: "良好".into(),
                    min: 80.0,
                    quota: None,
                },
                GradeBand {
                    name: "合格".into(),
                    min: 60.0,
                    quota: None,
                },
            ],
            dimensions: vec![
                Dimension {
                    name: "办件效能".into(),
                    weight: 40.0,
                    metrics: vec![
                        linear("case_metrics.on_time_rate", 60.0, 0.9, 1.0),
                        linear("case_metrics.early_rate", 20.0, 0.0, 0.5),
                        linear("case_metrics.promise_compression", 20.0, 0.0, 0.5),
                    ],
                },
                Dimension {
                    name: "群众满意".into(),
                    weight: 30.0,
                    metrics: vec![
                        linear("rating_metrics.satisfaction_rate", 70.0, 0.9, 1.0),
                        linear("rating_metrics.on_time_rectification_rate", 30.0, 0.0, 1.0),
                    ],
                },
                Dimension {
                    name: "工作纪律".into(),
                    weight: 20.0,
                    metrics: vec![
                        linear("exceptions_per_head_month", 70.0, 4.0, 0.0),
                        linear("overlong_departures_per_head_month", 30.0, 2.0, 0.0),
                    ],
                },
                Dimension {
                    name: "服务规范".into(),
                    weight: 10.0,
                    metrics: vec![count(
                        "substantiated_incidents",
                        100.0,
                        vec![[0.0, 100.0], [1.0, 60.0], [2.0, 30.0]],
                    )],
                },
            ],
        }
    }
}

impl AssessmentRules {
    /// Every metric named by a dimension, once, in order.
    pub fn metrics(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for d in &self.dimensions {
            for m in &d.metrics {
                if !out.contains(&m.metric.as_str()) {
                    out.push(&m.metric);
                }
            }
        }
        out
    }

    /// Whether the rules can be applied; `column_ok(table, column)` says
    /// whether a metric table has that column.
    pub fn check(&self, column_ok: impl Fn(&str, &str) -> Result<()>) -> Result<()> {
        if self.dimensions.is_empty() {
            bail!("[assessment] has no dimensions");
        }
        for d in &self.dimensions {
            if d.weight <= 0.0 || d.metrics.is_empty() {
                bail!(
                    "[assessment] dimension {}: needs a positive weight and at least one metric",
                    d.name
                );
            }
            for m in &d.metrics {
                let scales = [
                    m.linear.is_some(),
                    m.at_least.is_some(),
                    m.at_most.is_some(),
                ];
                if scales.iter().filter(|s| **s).count() != 1 {
                    bail!(
                        "[assessment] {} / {}: give exactly one of linear, at_least, at_most",
                        d.name,
                        m.metric
                    );
                }
                if m.weight <= 0.0 {
                    bail!(
                        "[assessment] {} / {}: the weight must be positive",
                        d.name,
                        m.metric
                    );
                }
                match Source::of(&m.metric) {
                    Source::Column { table, column } => {
                        column_ok(&table, &column).map_err(|e| {
                            anyhow::anyhow!("[assessment] {} / {}: {e}", d.name, m.metric)
                        })?
                    }
                    Source::Derived(name) => {
                        if !DERIVED.iter().any(|(n, _)| *n == name) {
                            bail!(
                                "[assessment] {} / {}: no such metric (a table.column of a metric \
                                 table, or one of {})",
                                d.name,
                                m.metric,
                                DERIVED.map(|(n, _)| n).join(", ")
                            );
                        }
                    }
                }
            }
        }
        if self.grades.windows(2).any(|w| w[0].min < w[1].min) {
            bail!("[assessment] grades: list the bands best first (falling min)");
        }
        Ok(())
    }
}

/// One subject graded in one period: a window, staff member, department
/// (or center) with its 一票否决, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub period: Period,
    pub level: String,
    pub key: String,
    pub department: Option<String>,
    pub veto: Option<String>,
}

/// Metric values by (grain, period label, level, key) and metric name:
/// maps nested by each part of the key, so a value is found by the texts
/// as they are, without making a key.
#[derive(Debug, Default, Clone)]
pub struct Figures {
    values: PlHashMap<Grain, Texts<Texts<Texts<Texts<f64>>>>>,
}

/// A map by text.
type Texts<V> = PlHashMap<String, V>;

/// The value under `key`, made (empty) when it is not there yet; the text
/// is copied only then.
fn slot<'m, V: Default>(map: &'m mut Texts<V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_string(), V::default());
    }
    map.get_mut(key).expect("just made")
}

impl Figures {
    pub fn insert(
        &mut self,
        grain: Grain,
        period: &str,
        level: &str,
        key: &str,
        metric: &str,
        v: f64,
    ) {
        let of_key = slot(
            slot(slot(self.values.entry(grain).or_default(), period), level),
            key,
        );
        *slot(of_key, metric) = v;
    }

    pub fn get(&self, s: &Subject, metric: &str) -> Option<f64> {
        self.values
            .get(&s.period.grain)?
            .get(s.period.label.as_str())?
            .get(s.level.as_str())?
            .get(s.key.as_str())?
            .get(metric)
            .copied()
            .filter(|v| v.is_finite())
    }
}

/// One metric's part of a subject's total.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub dimension: String,
    pub dimension_weight: f64,
    /// The dimension's score (0–100), if it has one.
    pub dimension_score: Option<f64>,
    pub metric: String,
    pub metric_weight: f64,
    pub value: Option<f64>,
    /// Whether `value` is the rule's `absent` (the table had no figure).
    pub assumed: bool,
    pub points: Option<f64>,
    /// What it adds to the total: its points × its share of the weight.
    pub contribution: f64,
    pub scale: String,
}

/// A subject's assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub subject: Subject,
    /// The total (0–100, two decimals); `None` when too little is known.
    pub score: Option<f64>,
    /// The share of the weight with figures (percent).
    pub weight_covered: f64,
    pub rank: Option<usize>,
    pub grade: Option<String>,
    /// Each dimension's score, in the rules' order ("办件效能 92.50 …").
    pub dimensions: Vec<(String, Option<f64>)>,
    pub points: Vec<Point>,
}

/// Score one subject.
fn score_subject(s: &Subject, f: &Figures, r: &AssessmentRules) -> Graded {
    let total_weight: f64 = r.dimensions.iter().map(|d| d.weight).sum();
    let mut dims: Vec<(String, Option<f64>)> = Vec::new();
    let mut points: Vec<Point> = Vec::new();
    for d in &r.dimensions {
        let rows: Vec<Point> = d
            .metrics
            .iter()
            .map(|m| {
                let found = f.get(s, &m.metric);
                let months = match m.per_month {
                    true => months_of(&s.period),
                    false => 1.0,
                };
                let value = found.or(m.absent).map(|v| v / months);
                Point {
                    dimension: d.name.clone(),
                    dimension_weight: d.weight,
                    dimension_score: None,
                    metric: m.metric.clone(),
                    metric_weight: m.weight,
                    value,
                    assumed: found.is_none() && value.is_some(),
                    // Points to two decimals, as a clerk writes them.
                    points: value.map(|v| round2(m.points(v))),
                    contribution: 0.0,
                    scale: m.scale_text(),
                }
            })
            .collect();
        let weight: f64 = rows
            .iter()
            .filter(|p| p.points.is_some())
            .map(|p| p.metric_weight)
            .sum();
        let score = (weight > 0.0).then(|| {
            rows.iter()
                .filter_map(|p| p.points.map(|x| x * p.metric_weight))
                .sum::<f64>()
                / weight
        });
        dims.push((d.name.clone(), score));
        points.extend(rows.into_iter().map(|mut p| {
            p.dimension_score = score;
            p
        }));
    }
    let covered: f64 = r
        .dimensions
        .iter()
        .zip(&dims)
        .filter(|(_, (_, s))| s.is_some())
        .map(|(d, _)| d.weight)
        .sum();
    let weight_covered = if total_weight > 0.0 {
        covered / total_weight * 100.0
    } else {
        0.0
    };
    let graded = covered > 0.0 && weight_covered + 1e-9 >= r.min_weight;
    if graded {
        // Each metric's share of the total: its dimension's share of the
        // weight with figures × its share of the dimension's.
        let metric_weight: HashMap<&str, f64> = r
            .dimensions
            .iter()
            .map(|d| {
                let w = points
                    .iter()
                    .filter(|p| p.dimension == d.name && p.points.is_some())
                    .map(|p| p.metric_weight)
                    .sum();
                (d.name.as_str(), w)
            })
            .collect();
        for p in &mut points {
            if let (Some(x), Some(_)) = (p.points, p.dimension_score) {
                p.contribution = x * p.metric_weight / metric_weight[p.dimension.as_str()]
                    * p.dimension_weight
                    / covered;
            }
        }
    }
    let score = graded.then(|| round2(points.iter().map(|p| p.contribution).sum()));
    Graded {
        subject: s.clone(),
        score,
        weight_covered,
        rank: None,
        grade: None,
        dimensions: dims,
        points,
    }
}

/// A metric's name as people read it: its column's label (按期办结率) or
/// the derived metric's description.
pub fn metric_label(metric: &str) -> String {
    match Source::of(metric) {
        Source::Column { table, column } => super::schema::table_named(&table)
            .and_then(|t| t.measures.iter().find(|m| m.column == column))
            .map_or(metric.to_string(), |m| m.label.to_string()),
        Source::Derived(d) => DERIVED
            .iter()
            .find(|(n, _)| *n == d)
            .map_or(metric.to_string(), |(_, l)| l.to_string()),
    }
}

/// A metric's value as people read it: a share as a percentage, a count
/// whole, anything else with two decimals.
pub fn value_text(metric: &str, v: Option<f64>) -> String {
    use super::schema::Shape;
    let Some(v) = v else {
        return "无数据".into();
    };
    let shape = match Source::of(metric) {
        Source::Column { table, column } => super::schema::table_named(&table)
            .and_then(|t| t.measures.iter().find(|m| m.column == column))
            .map(|m| m.shape),
        Source::Derived(_) => None,
    };
    match shape {
        Some(Shape::Percent) => format!("{:.2}%", v * 100.0),
        Some(Shape::Count) => format!("{v:.0}"),
        _ => format!("{v:.2}"),
    }
}

/// The dimensions' scores in words: "办件效能 92.50;群众满意 —".
pub fn dimensions_text(dims: &[(String, Option<f64>)]) -> String {
    dims.iter()
        .map(|(d, s)| match s {
            Some(s) => format!("{d} {s:.2}"),
            None => format!("{d} —"),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The months a period spans (a day or a week: one).
fn months_of(p: &Period) -> f64 {
    use chrono::Datelike;
    let index = |d: chrono::NaiveDate| d.year() * 12 + d.month() as i32;
    (index(p.end) - index(p.start) + 1).max(1) as f64
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Score, rank and grade every subject: within each period and level, the
/// graded ones by total (ties by key), a vetoed one 不合格 whatever its
/// total; the bands from the best, each with its quota of the subjects
/// graded (rounded down); a subject a full band turns away takes the next
/// band it reaches.
pub fn assess(subjects: &[Subject], f: &Figures, r: &AssessmentRules) -> Vec<Graded> {
    // Each subject scored on its own, on every core; then grouped.
    let scored = crate::parallel::parallel_map(subjects, |s| score_subject(s, f, r));
    let mut groups: BTreeMap<(Period, String), Vec<Graded>> = BTreeMap::new();
    for g in scored {
        groups
            .entry((g.subject.period.clone(), g.subject.level.clone()))
            .or_default()
            .push(g);
    }
    let mut out = Vec::new();
    for (_, mut group) in groups {
        group.sort_by(|a, b| {
            let by = |g: &Graded| g.score.map_or(f64::NEG_INFINITY, |s| s);
            by(b)
                .total_cmp(&by(a))
                .then(a.subject.key.cmp(&b.subject.key))
        });
        let n = group.iter().filter(|g| g.score.is_some()).count();
        let mut used = vec![0usize; r.grades.len()];
        for (i, g) in group.iter_mut().enumerate() {
            let Some(score) = g.score else { continue };
            g.rank = Some(i + 1);
            if g.subject.veto.is_some() {
                g.grade = Some(r.fail.clone());
                continue;
            }
            let band = r.grades.iter().enumerate().find(|(k, b)| {
                score + 1e-9 >= b.min
                    && b.quota
                        .is_none_or(|q| used[*k] < (q * n as f64 + 1e-9).floor() as usize)
            });
            g.grade = Some(match band {
                Some((k, b)) => {
                    used[k] += 1;
                    b.name.clone()
                }
                None => r.fail.clone(),
            });
        }
        out.extend(group);
    }
    out
}

/// The assessed subjects of `level` in `period`, graded ones in rank
/// order, then those with too little data.
pub fn assessed_at(assessed: &DataFrame, period: &Period, level: &str) -> Result<DataFrame> {
    Ok(assessed
        .clone()
        .lazy()
        .filter(period.holds_row().and(col("level").eq(lit(level))))
        .sort(
            ["rank", "key"],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()?)
}

/// The window ranking with each window's assessment total and grade
/// (`assessment`, `grade`).
pub fn with_grades(ranking: DataFrame, assessed: &DataFrame, period: &Period) -> Result<DataFrame> {
    let grades = assessed_at(assessed, period, "window")?.lazy().select([
        col("key").alias("window_id"),
        col("score").alias("assessment"),
        col("grade"),
    ]);
    let mut args = JoinArgs::new(JoinType::Left);
    args.maintain_order = MaintainOrderJoin::Left;
    Ok(ranking
        .lazy()
        .join(grades, [col("window_id")], [col("window_id")], args)
        .collect()?)
}

/// One subject's assessment explained: a line with its total and grade,
/// and its metrics (`assessment_points` with `metric_label` and
/// `value_text`).
pub fn explain_assessment(
    assessed: &DataFrame,
    points: &DataFrame,
    period: &Period,
    level: &str,
    who: &str,
) -> Result<(String, DataFrame)> {
    let this = period
        .holds_row()
        .and(col("level").eq(lit(level)))
        .and(col("key").eq(lit(who)));
    let row = assessed.clone().lazy().filter(this.clone()).collect()?;
    if row.height() == 0 {
        anyhow::bail!(
            "{who} is not assessed at level {level} in {} (see `rank --level {level} --period {}`)",
            period.label,
            period.label
        );
    }
    let score = crate::polars_ext::opt_f64s(&row, "score")?[0];
    let grade = crate::polars_ext::opt_strings(&row, "grade")?[0].clone();
    let veto = crate::polars_ext::opt_strings(&row, "veto")?[0].clone();
    let covered = crate::polars_ext::opt_f64s(&row, "weight_covered")?[0].unwrap_or(0.0);
    let line = match (score, grade) {
        (Some(s), Some(g)) => format!(
            "{who} {} 考核总分 {s:.2},等次 {g}{}",
            period.label,
            veto.map_or(String::new(), |v| format!("(一票否决: {v})"))
        ),
        _ => format!(
            "{who} {}: 有数据的维度仅占权重 {covered:.0}%,不评定等次",
            period.label
        ),
    };
    let mut frame = points.clone().lazy().filter(this).collect()?;
    let metrics = crate::polars_ext::strings(&frame, "metric")?;
    let values = crate::polars_ext::opt_f64s(&frame, "value")?;
    let labels: Vec<String> = metrics
        .iter()
        .map(|m| crate::metrics::assessment::metric_label(m))
        .collect();
    let texts: Vec<String> = metrics
        .iter()
        .zip(&values)
        .map(|(m, v)| crate::metrics::assessment::value_text(m, *v))
        .collect();
    frame.with_column(Column::new("metric_label".into(), labels))?;
    frame.with_column(Column::new("value_text".into(), texts))?;
    Ok((line, frame))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::period::parse_period;

    fn subject(key: &str, veto: Option<&str>) -> Subject {
        Subject {
            period: parse_period("2026-10").unwrap(),
            level: "window".into(),
            key: key.into(),
            department: None,
            veto: veto.map(str::to_string),
        }
    }

    #[test]
    fn scales_turn_values_into_points() {
        let r = AssessmentRules::default();
        let on_time = &r.dimensions[0].metrics[0];
        assert_eq!(round2(on_time.points(0.95)), 50.0);
        assert_eq!(on_time.points(0.85), 0.0);
        assert_eq!(on_time.points(1.0), 100.0);
        // A falling scale: 4 exceptions a head-month → 0, none → 100.
        let discipline = &r.dimensions[2].metrics[0];
        assert_eq!(discipline.points(1.0), 75.0);
        assert_eq!(discipline.points(6.0), 0.0);
        // Thresholds, the first one reached.
        let incidents = &r.dimensions[3].metrics[0];
        assert_eq!(incidents.points(0.0), 100.0);
        assert_eq!(incidents.points(1.0), 60.0);
        assert_eq!(incidents.points(2.0), 30.0);
        assert_eq!(incidents.points(3.0), 0.0);
        let at_least = MetricRule {
            at_least: Some(vec![[0.99, 100.0], [0.95, 80.0]]),
            ..MetricRule::with("x.y", 1.0)
        };
        assert_eq!(at_least.points(0.97), 80.0);
        assert_eq!(at_least.points(0.9), 0.0);
    }

    /// Two dimensions 60 / 40; the first of two metrics 3 : 1.
    fn rules() -> AssessmentRules {
        AssessmentRules {
            min_weight: 50.0,
            dimensions: vec![
                Dimension {
                    name: "办件效能".into(),
                    weight: 60.0,
                    metrics: vec![
                        MetricRule {
                            linear: Some([0.9, 1.0]),
                            ..MetricRule::with("case_metrics.on_time_rate", 3.0)
                        },
                        MetricRule {
                            linear: Some([0.0, 0.5]),
                            ..MetricRule::with("case_metrics.early_rate", 1.0)
                        },
                    ],
                },
                Dimension {
                    name: "服务规范".into(),
                    weight: 40.0,
                    metrics: vec![MetricRule {
                        at_most: Some(vec![[0.0, 100.0], [1.0, 50.0]]),
                        absent: Some(0.0),
                        ..MetricRule::with("incident_metrics.substantiated", 1.0)
                    }],
                },
            ],
            ..AssessmentRules::default()
        }
    }

    #[test]
    fn a_total_is_the_weighted_dimensions_and_every_point_is_explained() {
        let r = rules();
        let mut f = Figures::default();
        let s = subject("W01", None);
        let g = Grain::Month;
        f.insert(
            g,
            "2026-10",
            "window",
            "W01",
            "case_metrics.on_time_rate",
            0.96,
        );
        f.insert(
            g,
            "2026-10",
            "window",
            "W01",
            "case_metrics.early_rate",
            0.25,
        );
        f.insert(
            g,
            "2026-10",
            "window",
            "W01",
            "incident_metrics.substantiated",
            1.0,
        );
        let out = assess(std::slice::from_ref(&s), &f, &r);
        // 办件效能: on time 0.96 → 60 points, early 0.25 → 50;
        // (3 × 60 + 1 × 50) / 4 = 57.5. 服务规范: 1 incident → 50.
        // Total: (60 × 57.5 + 40 × 50) / 100 = 34.5 + 20 = 54.5.
        let w = &out[0];
        assert_eq!(w.score, Some(54.5));
        assert_eq!(
            w.dimensions,
            [
                ("办件效能".into(), Some(57.5)),
                ("服务规范".into(), Some(50.0))
            ]
        );
        let parts: Vec<(f64, f64)> = w
            .points
            .iter()
            .map(|p| (p.points.unwrap(), round2(p.contribution)))
            .collect();
        // 60 × 3/4 × 60 % = 27; 50 × 1/4 × 60 % = 7.5; 50 × 40 % = 20.
        assert_eq!(parts, [(60.0, 27.0), (50.0, 7.5), (50.0, 20.0)]);
        assert_eq!(w.grade.as_deref(), Some("不合格"));
        // Without an incident row the count is 0 (`absent`) → 100 points;
        // without the early rate the on-time rate alone is 办件效能.
        let mut f = Figures::default();
        f.insert(
            g,
            "2026-10",
            "window",
            "W01",
            "case_metrics.on_time_rate",
            0.98,
        );
        let w = &assess(&[s], &f, &r)[0];
        // (60 × 80 + 40 × 100) / 100 = 88.
        assert_eq!(w.score, Some(88.0));
        assert!(w.points[2].assumed);
        assert_eq!(w.points[1].points, None);
        assert_eq!(w.points[1].contribution, 0.0);
    }

    #[test]
    fn a_count_per_month_scores_a_year_like_a_month() {
        let r = AssessmentRules::default();
        let mut f = Figures::default();
        let year = Subject {
            period: parse_period("2026").unwrap(),
            ..subject("W01", None)
        };
        // 12 substantiated incidents in a year: 1 a month → 60 points, as
        // one in a month; 6 in a quarter: 2 a month → 30.
        f.insert(
            Grain::Year,
            "2026",
            "window",
            "W01",
            "substantiated_incidents",
            12.0,
        );
        let quarter = Subject {
            period: parse_period("2026-Q2").unwrap(),
            ..subject("W01", None)
        };
        f.insert(
            Grain::Quarter,
            "2026-Q2",
            "window",
            "W01",
            "substantiated_incidents",
            6.0,
        );
        let out = assess(&[year, quarter], &f, &r);
        let p = |g: &Graded| {
            g.points
                .iter()
                .find(|p| p.dimension == "服务规范")
                .cloned()
                .unwrap()
        };
        let (q, y) = (p(&out[0]), p(&out[1]));
        assert_eq!((q.value, q.points), (Some(2.0), Some(30.0)));
        assert_eq!((y.value, y.points), (Some(1.0), Some(60.0)));
        assert_eq!(y.scale, "月均 ≤0→100 ≤1→60 ≤2→30");
    }

    #[test]
    fn too_little_known_is_not_graded() {
        let r = rules();
        // Only 服务规范 (40 % of the weight, below min_weight 50): no grade.
        let out = assess(&[subject("W09", None)], &Figures::default(), &r);
        assert_eq!(out[0].score, None);
        assert_eq!(out[0].grade, None);
        assert_eq!(out[0].rank, None);
        assert_eq!(out[0].weight_covered, 40.0);
    }

    #[test]
    fn grades_keep_their_quota_and_a_veto_fails() {
        let r = rules();
        let g = Grain::Month;
        let mut f = Figures::default();
        // Ten windows: on-time 1.0 early 0.5 → 100 for W01..W04, then
        // falling scores; W05 vetoed.
        let on_time = [1.0, 1.0, 1.0, 1.0, 1.0, 0.99, 0.97, 0.95, 0.93, 0.9];
        let mut subjects = Vec::new();
        for (i, v) in on_time.iter().enumerate() {
            let key = format!("W{:02}", i + 1);
            f.insert(
                g,
                "2026-10",
                "window",
                &key,
                "case_metrics.on_time_rate",
                *v,
            );
            f.insert(g, "2026-10", "window", &key, "case_metrics.early_rate", 0.5);
            subjects.push(subject(&key, (i == 4).then_some("吃拿卡要")));
        }
        let out = assess(&subjects, &f, &r);
        let got: Vec<(&str, f64, &str)> = out
            .iter()
            .map(|g| {
                (
                    g.subject.key.as_str(),
                    g.score.unwrap(),
                    g.grade.as_deref().unwrap(),
                )
            })
            .collect();
        // Scores: 办件效能 = (3 × p + 100) / 4, total = 0.6 × that + 40.
        // 0.99 → p 90 → 92.5 → 95.5; 0.97 → 70 → 77.5 → 86.5;
        // 0.95 → 50 → 62.5 → 77.5; 0.93 → 30 → 47.5 → 68.5; 0.9 → 0 → 25 → 55.
        // 优秀: at most ⌊20 % × 10⌋ = 2: W01, W02; W03, W04 and W06 (95.5)
        // reach 90 but the quota is full: 良好. W05 vetoed: 不合格.
        assert_eq!(
            got,
            [
                ("W01", 100.0, "优秀"),
                ("W02", 100.0, "优秀"),
                ("W03", 100.0, "良好"),
                ("W04", 100.0, "良好"),
                ("W05", 100.0, "不合格"),
                ("W06", 95.5, "良好"),
                ("W07", 86.5, "良好"),
                ("W08", 77.5, "合格"),
                ("W09", 68.5, "合格"),
                ("W10", 55.0, "不合格"),
            ]
        );
        assert_eq!(
            out.iter().map(|g| g.rank.unwrap()).collect::<Vec<_>>(),
            (1..=10).collect::<Vec<_>>()
        );
    }

    #[test]
    fn rules_are_checked() {
        let ok = |_: &str, _: &str| Ok(());
        AssessmentRules::default().check(ok).unwrap();
        let mut r = rules();
        r.dimensions[0].metrics[0].at_most = Some(vec![[1.0, 1.0]]);
        assert!(r.check(ok).unwrap_err().to_string().contains("exactly one"));
        let mut r = rules();
        r.dimensions[0].metrics[0].metric = "speed".into();
        assert!(r
            .check(ok)
            .unwrap_err()
            .to_string()
            .contains("no such metric"));
    }
}
