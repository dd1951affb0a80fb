//! `assessment_scores` and `assessment_points`: the weighted assessment
//! (考核) of the ranked windows, the staff on the roster and the
//! departments (窗口单位) of the ranked windows, per ranking period.

use crate::engine::{MetricFamily, Run};
use crate::metrics::assessment::{
    assess, AssessmentRules, Figures, Graded, Source, Subject, DAYS_PER_HEAD_MONTH,
};
use crate::metrics::period::{parse_period, Grain};
use crate::metrics::schema::{
    table_named, ASSESSMENT_POINTS, ASSESSMENT_SCORES, ATTENDANCE_METRICS, CASE_METRICS,
    COMPLAINT_METRICS, INCIDENT_METRICS, KEY_COLUMNS, QUEUE_METRICS, RATING_LOOP, RATING_METRICS,
    STAFF_SCORES, SUPERVISION_METRICS, THREE_ZEROS, WINDOW_SCORES,
};
use crate::metrics::scoring::RANKING_GRAINS;
use crate::polars_ext::{bools_or, date_series, opt_f64s, opt_i64s, opt_strings};
use anyhow::Result;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

pub const FAMILY: MetricFamily = MetricFamily {
    name: "assessment",
    outputs: &[ASSESSMENT_SCORES, ASSESSMENT_POINTS],
    inputs: &["windows"],
    draws_on: &[
        CASE_METRICS,
        ATTENDANCE_METRICS,
        RATING_METRICS,
        RATING_LOOP,
        QUEUE_METRICS,
        INCIDENT_METRICS,
        COMPLAINT_METRICS,
        THREE_ZEROS,
        SUPERVISION_METRICS,
        WINDOW_SCORES,
        STAFF_SCORES,
    ],
    scoped: false,
    compute,
};

/// The levels graded in a center's store.
const LEVELS: [&str; 3] = ["window", "staff", "department"];

fn compute(run: &mut Run) -> Result<Option<Vec<DataFrame>>> {
    let rules = run.settings().assessment.clone();
    let windows = run.need_table(WINDOW_SCORES)?;
    let staff = run.need_table(STAFF_SCORES)?;
    let subjects = subjects(&windows, &staff)?;
    let mut figures = Figures::default();
    for (table, columns) in sources(&rules) {
        // The graded levels' rows, with the table's other keys and the
        // columns the rules name (the rules name tables with levels only:
        // `schema::assessable`).
        let Some(t) = table_named(table) else {
            continue;
        };
        let other_keys = t.keys.iter().filter(|k| !KEY_COLUMNS.contains(k)).copied();
        let wanted: Vec<&str> = other_keys
            .chain(columns.iter().map(String::as_str))
            .collect();
        if let Some(df) = run.level_rows(table, &LEVELS, &wanted)? {
            add_columns(&mut figures, &df, table, &columns, &LEVELS)?;
        }
    }
    let derived = derived_wanted(&rules);
    if derived.iter().any(|d| d.ends_with("_per_head_month")) {
        if let Some(a) = run.table(ATTENDANCE_METRICS)? {
            add_per_head_month(&mut figures, &a, &LEVELS)?;
        }
    }
    if derived.contains("substantiated_incidents") {
        if let Some(i) = run.table(INCIDENT_METRICS)? {
            add_substantiated(&mut figures, &i, &LEVELS)?;
        }
    }
    if derived.contains("event_score") {
        add_event_scores(&mut figures, &windows, &staff)?;
    }
    let graded = assess(&subjects, &figures, &rules);
    Ok(Some(frames(&graded)?))
}

/// The metric-table columns the rules name, by table.
pub fn sources(rules: &AssessmentRules) -> BTreeMap<&'static str, Vec<String>> {
    let mut out: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for m in rules.metrics() {
        if let Source::Column { table, column } = Source::of(m) {
            if let Some(t) = table_named(&table) {
                let v = out.entry(t.name).or_default();
                if !v.contains(&column) {
                    v.push(column);
                }
            }
        }
    }
    out
}

/// The derived metrics the rules name.
pub fn derived_wanted(rules: &AssessmentRules) -> BTreeSet<String> {
    rules
        .metrics()
        .into_iter()
        .filter_map(|m| match Source::of(m) {
            Source::Derived(d) => Some(d),
            Source::Column { .. } => None,
        })
        .collect()
}

fn grain_named(name: &str) -> Option<Grain> {
    RANKING_GRAINS.into_iter().find(|g| g.name() == name)
}

/// The rows of a metric table at the ranking grains and `levels`.
fn ranking_rows(df: &DataFrame, levels: &[&str]) -> LazyFrame {
    let grains = RANKING_GRAINS
        .iter()
        .fold(lit(false), |e, g| e.or(col("grain").eq(lit(g.name()))));
    let levels = levels
        .iter()
        .fold(lit(false), |e, l| e.or(col("level").eq(lit(*l))));
    df.clone().lazy().filter(grains.and(levels))
}

/// `table.column` figures of `columns` at `levels`: rating_loop's row of
/// every channel; summed over a table's other keys (incident_metrics'
/// sources and categories).
pub fn add_columns(
    figures: &mut Figures,
    df: &DataFrame,
    table: &str,
    columns: &[String],
    levels: &[&str],
) -> Result<()> {
    let Some(t) = table_named(table) else {
        return Ok(());
    };
    let mut lf = ranking_rows(df, levels);
    if t.keys.contains(&"channel") {
        lf = lf.filter(col("channel").eq(lit(crate::metrics::rating_loop::ALL_CHANNELS)));
    }
    let keys: Vec<Expr> = ["grain", "period", "level", "key"].map(col).to_vec();
    let values: Vec<Expr> = columns
        .iter()
        .map(|c| col(c.as_str()).cast(DataType::Float64))
        .collect();
    let summed = t
        .keys
        .iter()
        .any(|k| !KEY_COLUMNS.contains(k) && *k != "channel");
    let df = if summed {
        lf.group_by(keys)
            .agg(values.into_iter().map(|v| v.sum()).collect::<Vec<_>>())
            .collect()?
    } else {
        lf.select(keys.into_iter().chain(values).collect::<Vec<_>>())
            .collect()?
    };
    // The columns renamed as their metrics.
    let mut df = df;
    for c in columns {
        df.rename(c, format!("{table}.{c}").into())?;
    }
    let metrics: Vec<String> = columns.iter().map(|c| format!("{table}.{c}")).collect();
    insert_rows(
        figures,
        &df,
        &metrics.iter().map(String::as_str).collect::<Vec<_>>(),
    )
}

/// `exceptions_per_head_month` (迟到 + 早退 + 缺卡 + 旷工半天) and
/// `overlong_departures_per_head_month`: per 21.75 expected working days
/// (a head-month) of the subject's staff.
pub fn add_per_head_month(figures: &mut Figures, a: &DataFrame, levels: &[&str]) -> Result<()> {
    let per = |e: Expr| {
        (e.cast(DataType::Float64) * lit(DAYS_PER_HEAD_MONTH))
            / col("expected_days").cast(DataType::Float64)
    };
    let df = ranking_rows(a, levels)
        .filter(col("expected_days").gt(lit(0)))
        .select([
            col("grain"),
            col("period"),
            col("level"),
            col("key"),
            per(col("late") + col("early") + col("missing_punches") + col("absent_half_days"))
                .alias("exceptions_per_head_month"),
            per(col("overlong_departures")).alias("overlong_departures_per_head_month"),
        ])
        .collect()?;
    insert_rows(
        figures,
        &df,
        &[
            "exceptions_per_head_month",
            "overlong_departures_per_head_month",
        ],
    )
}

/// `substantiated_incidents`: the substantiated incidents (complaints
/// among them) of the sources and categories that do not add points —
/// commendations (表扬, 锦旗) are incidents too, and not what 服务规范
/// counts.
pub fn add_substantiated(figures: &mut Figures, i: &DataFrame, levels: &[&str]) -> Result<()> {
    let df = ranking_rows(i, levels)
        .filter(col("points").lt_eq(lit(0.0)))
        .group_by(["grain", "period", "level", "key"].map(col))
        .agg([col("substantiated")
            .cast(DataType::Float64)
            .sum()
            .alias("substantiated_incidents")])
        .collect()?;
    insert_rows(figures, &df, &["substantiated_incidents"])
}

/// Every (grain, period, level, key) row's values of `metrics` (columns of
/// `df` named as the metrics).
fn insert_rows(figures: &mut Figures, df: &DataFrame, metrics: &[&str]) -> Result<()> {
    let (grain, period, level, key) = (
        opt_strings(df, "grain")?,
        opt_strings(df, "period")?,
        opt_strings(df, "level")?,
        opt_strings(df, "key")?,
    );
    for metric in metrics {
        for (i, v) in opt_f64s(df, metric)?.into_iter().enumerate() {
            if let (Some(g), Some(p), Some(l), Some(k), Some(v)) = (
                grain[i].as_deref().and_then(grain_named),
                &period[i],
                &level[i],
                &key[i],
                v,
            ) {
                figures.insert(g, p, l, k, metric, v);
            }
        }
    }
    Ok(())
}

/// `event_score`: a window's red-flag score, a staff member's 服务之星
/// score, a department's mean over its ranked windows.
fn add_event_scores(figures: &mut Figures, windows: &DataFrame, staff: &DataFrame) -> Result<()> {
    let mut departments: BTreeMap<(Grain, String, String), Vec<f64>> = BTreeMap::new();
    let (grain, period, window, dept, score, rank) = (
        opt_strings(windows, "grain")?,
        opt_strings(windows, "period")?,
        opt_strings(windows, "window_id")?,
        opt_strings(windows, "department")?,
        opt_f64s(windows, "score")?,
        opt_i64s(windows, "rank")?,
    );
    for i in 0..windows.height() {
        let (Some(g), Some(p), Some(w), Some(s)) = (
            grain[i].as_deref().and_then(grain_named),
            &period[i],
            &window[i],
            score[i],
        ) else {
            continue;
        };
        figures.insert(g, p, "window", w, "event_score", s);
        if let (Some(d), Some(_)) = (&dept[i], rank[i]) {
            departments
                .entry((g, p.clone(), d.clone()))
                .or_default()
                .push(s);
        }
    }
    for ((g, p, d), scores) in departments {
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        figures.insert(g, &p, "department", &d, "event_score", mean);
    }
    let (grain, period, who, score) = (
        opt_strings(staff, "grain")?,
        opt_strings(staff, "period")?,
        opt_strings(staff, "staff_id")?,
        opt_f64s(staff, "score")?,
    );
    for i in 0..staff.height() {
        if let (Some(g), Some(p), Some(s), Some(v)) = (
            grain[i].as_deref().and_then(grain_named),
            &period[i],
            &who[i],
            score[i],
        ) {
            figures.insert(g, p, "staff", s, "event_score", v);
        }
    }
    Ok(())
}

/// Who is graded: the ranked windows (those with cases), everyone on the
/// staff roster, and the departments of the ranked windows (vetoed when
/// one of their windows is).
fn subjects(windows: &DataFrame, staff: &DataFrame) -> Result<Vec<Subject>> {
    let mut out = Vec::new();
    let (period, window, dept, rank, veto) = (
        opt_strings(windows, "period")?,
        opt_strings(windows, "window_id")?,
        opt_strings(windows, "department")?,
        opt_i64s(windows, "rank")?,
        opt_strings(windows, "veto")?,
    );
    let mut departments: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
    for i in 0..windows.height() {
        let (Some(p), Some(w), Some(_)) = (&period[i], &window[i], rank[i]) else {
            continue;
        };
        out.push(Subject {
            period: parse_period(p)?,
            level: "window".into(),
            key: w.clone(),
            department: dept[i].clone(),
            veto: veto[i].clone(),
        });
        if let Some(d) = &dept[i] {
            let v = departments.entry((p.clone(), d.clone())).or_default();
            if v.is_none() {
                *v = veto[i].clone();
            }
        }
    }
    for ((p, d), veto) in departments {
        out.push(Subject {
            period: parse_period(&p)?,
            level: "department".into(),
            key: d,
            department: None,
            veto,
        });
    }
    let (period, who, window, vetoed) = (
        opt_strings(staff, "period")?,
        opt_strings(staff, "staff_id")?,
        opt_strings(staff, "window_id")?,
        bools_or(staff, "vetoed", false)?,
    );
    let window_dept: BTreeMap<String, String> = opt_strings(windows, "window_id")?
        .into_iter()
        .zip(dept.iter().cloned())
        .filter_map(|(w, d)| Some((w?, d?)))
        .collect();
    for i in 0..staff.height() {
        let (Some(p), Some(s)) = (&period[i], &who[i]) else {
            continue;
        };
        out.push(Subject {
            period: parse_period(p)?,
            level: "staff".into(),
            key: s.clone(),
            department: window[i].as_ref().and_then(|w| window_dept.get(w).cloned()),
            veto: vetoed[i].then(|| "一票否决".to_string()),
        });
    }
    Ok(out)
}

/// The two tables of the graded subjects.
pub fn frames(graded: &[Graded]) -> Result<Vec<DataFrame>> {
    let text = |f: &dyn Fn(&Graded) -> Option<String>| graded.iter().map(f).collect::<Vec<_>>();
    let keys = |rows: &[&Graded]| -> Result<Vec<Column>> {
        Ok(vec![
            Column::new(
                "grain".into(),
                rows.iter()
                    .map(|g| g.subject.period.grain.name())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "period".into(),
                rows.iter()
                    .map(|g| g.subject.period.label.clone())
                    .collect::<Vec<_>>(),
            ),
            date_series(
                "period_start",
                rows.iter().map(|g| Some(g.subject.period.start)),
            )?,
            date_series(
                "period_end",
                rows.iter().map(|g| Some(g.subject.period.end)),
            )?,
            Column::new(
                "level".into(),
                rows.iter()
                    .map(|g| g.subject.level.clone())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "key".into(),
                rows.iter()
                    .map(|g| g.subject.key.clone())
                    .collect::<Vec<_>>(),
            ),
        ])
    };
    let all: Vec<&Graded> = graded.iter().collect();
    let mut columns = keys(&all)?;
    columns.extend([
        Column::new("department".into(), text(&|g| g.subject.department.clone())),
        Column::new(
            "score".into(),
            graded.iter().map(|g| g.score).collect::<Vec<_>>(),
        ),
        Column::new(
            "rank".into(),
            graded
                .iter()
                .map(|g| g.rank.map(|r| r as i64))
                .collect::<Vec<_>>(),
        ),
        Column::new("grade".into(), text(&|g| g.grade.clone())),
        Column::new("veto".into(), text(&|g| g.subject.veto.clone())),
        Column::new(
            "weight_covered".into(),
            graded.iter().map(|g| g.weight_covered).collect::<Vec<_>>(),
        ),
        Column::new(
            "dimensions".into(),
            text(&|g| Some(crate::metrics::assessment::dimensions_text(&g.dimensions))),
        ),
    ]);
    let scores = DataFrame::new(graded.len(), columns)?;
    // One row per metric of each subject.
    let rows: Vec<(&Graded, &crate::metrics::assessment::Point)> = graded
        .iter()
        .flat_map(|g| g.points.iter().map(move |p| (g, p)))
        .collect();
    let owners: Vec<&Graded> = rows.iter().map(|(g, _)| *g).collect();
    let mut columns = keys(&owners)?;
    let pt = |f: &dyn Fn(&crate::metrics::assessment::Point) -> Option<f64>| {
        rows.iter().map(|(_, p)| f(p)).collect::<Vec<_>>()
    };
    columns.extend([
        Column::new(
            "dimension".into(),
            rows.iter()
                .map(|(_, p)| p.dimension.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "metric".into(),
            rows.iter()
                .map(|(_, p)| p.metric.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new("dimension_weight".into(), pt(&|p| Some(p.dimension_weight))),
        Column::new("dimension_score".into(), pt(&|p| p.dimension_score)),
        Column::new("metric_weight".into(), pt(&|p| Some(p.metric_weight))),
        Column::new("value".into(), pt(&|p| p.value)),
        Column::new(
            "assumed".into(),
            rows.iter().map(|(_, p)| p.assumed).collect::<Vec<_>>(),
        ),
        Column::new(
            "scale".into(),
            rows.iter()
                .map(|(_, p)| p.scale.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new("points".into(), pt(&|p| p.points)),
        Column::new("contribution".into(), pt(&|p| Some(p.contribution))),
    ]);
    let points = DataFrame::new(rows.len(), columns)?;
    Ok(vec![scores, points])
}
