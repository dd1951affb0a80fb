//! The annual review's own parts (a year's bulletin only): the twelve
//! months' trend (cases, on-time rate, satisfaction, waits) as a table and
//! charts, and the red flags each window won over the year.

use super::{Context, Section};
use crate::metrics::period::{period_of, Grain, Period};
use crate::view::{render_markdown, shown_key, Cell};
use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;

/// The twelve months of `year`.
fn months(year: &Period) -> Vec<Period> {
    (1..=12)
        .filter_map(|m| NaiveDate::from_ymd_opt(year.start.year(), m, 1))
        .map(|d| period_of(Grain::Month, d))
        .collect()
}

/// The center row's `column` of each month of `year` in a metric table.
fn monthly(table: Option<&DataFrame>, year: &Period, column: &str) -> Result<Vec<Option<f64>>> {
    let Some(t) = table else {
        return Ok(vec![None; 12]);
    };
    let rows = t
        .clone()
        .lazy()
        .filter(
            col("grain")
                .eq(lit("month"))
                .and(col("level").eq(lit("center"))),
        )
        .select([col("period"), col(column).cast(DataType::Float64)])
        .collect()?;
    let by: BTreeMap<String, f64> = crate::polars_ext::opt_strings(&rows, "period")?
        .into_iter()
        .zip(crate::polars_ext::opt_f64s(&rows, column)?)
        .filter_map(|(p, v)| Some((p?, v?)))
        .collect();
    Ok(months(year)
        .iter()
        .map(|m| by.get(&m.label).copied())
        .collect())
}

/// The twelve months of `year`: accepted, completed, on-time rate,
/// satisfaction rate and mean wait of the center (null where a month has
/// no figure).
pub fn trend(
    cases: &DataFrame,
    ratings: Option<&DataFrame>,
    queue: Option<&DataFrame>,
    year: &Period,
) -> Result<DataFrame> {
    let labels: Vec<String> = months(year).into_iter().map(|m| m.label).collect();
    Ok(DataFrame::new(
        12,
        vec![
            Column::new("period".into(), labels),
            Column::new("accepted".into(), monthly(Some(cases), year, "accepted")?),
            Column::new("completed".into(), monthly(Some(cases), year, "completed")?),
            Column::new(
                "on_time_rate".into(),
                monthly(Some(cases), year, "on_time_rate")?,
            ),
            Column::new(
                "satisfaction_rate".into(),
                monthly(ratings, year, "satisfaction_rate")?,
            ),
            Column::new(
                "wait_mean_min".into(),
                monthly(queue, year, "wait_mean_min")?,
            ),
        ],
    )?)
}

/// How often each window was a 红旗窗口 in the months, two-month periods
/// and quarters of `year`, and how often at the bottom of a month (末位 or
/// 限期整改): every window ranked in the year, most two-month flags first.
pub fn red_flag_counts(window_scores: &DataFrame, year: &Period) -> Result<DataFrame> {
    let in_year = col("period_start")
        .gt_eq(crate::polars_ext::date_lit(year.start))
        .and(col("period_end").lt_eq(crate::polars_ext::date_lit(year.end)))
        .and(col("rank").is_not_null());
    let flag = |grain: &str| {
        (col("grain")
            .eq(lit(grain))
            .and(col("band").eq(lit("红旗窗口"))))
        .cast(DataType::Int64)
        .sum()
    };
    Ok(window_scores
        .clone()
        .lazy()
        .filter(in_year)
        .group_by([col("window_id")])
        .agg([
            col("department").first(),
            flag("month").alias("month_flags"),
            flag("bimonth").alias("bimonth_flags"),
            flag("quarter").alias("quarter_flags"),
            (col("grain").eq(lit("month")).and(
                col("band")
                    .eq(lit("末位"))
                    .or(col("band").eq(lit("限期整改"))),
            ))
            .cast(DataType::Int64)
            .sum()
            .alias("month_bottom"),
        ])
        .sort(
            ["bimonth_flags", "month_flags", "window_id"],
            SortMultipleOptions::default().with_order_descending_multi([true, true, false]),
        )
        .collect()?)
}

pub(super) fn section(cx: &Context) -> Result<Section> {
    if cx.period.grain != Grain::Year {
        return Ok(Section::default());
    }
    let z = cx.z;
    let t = trend(z.case_metrics, z.rating_metrics, z.queue_metrics, cx.period)?;
    let mut md = String::new();
    let _ = writeln!(md, "\n## 十三、全年走势与红旗窗口\n");
    let _ = writeln!(md, "### 月度走势\n");
    let c = &crate::metrics::schema::CASES;
    let r = &crate::metrics::schema::RATINGS;
    let q = &crate::metrics::schema::QUEUE;
    md.push_str(&render_markdown(
        &t,
        &[
            ("月份", Cell::Text("period")),
            crate::view::shown(c, "accepted"),
            crate::view::shown(c, "completed"),
            crate::view::shown(c, "on_time_rate"),
            crate::view::shown(r, "satisfaction_rate"),
            crate::view::shown(q, "wait_mean_min"),
        ],
    )?);
    // A line runs to the last month with a figure (a year still running,
    // or an export that stops, does not drop to 0).
    let series = |column: &str, scale: f64| -> Result<Vec<f64>> {
        let values = crate::polars_ext::opt_f64s(&t, column)?;
        let last = values
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |i| i + 1);
        Ok(values[..last]
            .iter()
            .map(|v| v.map_or(0.0, |v| v * scale))
            .collect())
    };
    let year = cx.period.label.as_str();
    let mut charts = Vec::new();
    for (title, lines, y) in [
        (
            format!("{year} 年各月受理与办结(件)"),
            vec![
                ("受理", series("accepted", 1.0)?),
                ("办结", series("completed", 1.0)?),
            ],
            "件",
        ),
        (
            format!("{year} 年各月按期办结率(%)"),
            vec![("按期办结率", series("on_time_rate", 100.0)?)],
            "%",
        ),
        (
            format!("{year} 年各月满意率(%)"),
            vec![("满意率", series("satisfaction_rate", 100.0)?)],
            "%",
        ),
        (
            format!("{year} 年各月平均等候(分钟)"),
            vec![("平均等候", series("wait_mean_min", 1.0)?)],
            "分钟",
        ),
    ] {
        let svg = crate::report::charts::lines(&title, &lines, "月份", y)?;
        charts.push((title, svg));
    }
    let _ = writeln!(
        md,
        "\n(曲线止于有数据的最后一个月;其间无数据的月份按 0 绘图,表中为 —。)\n\n### 红旗窗口统计\n"
    );
    let flags = z.red_flags.cloned().unwrap_or_else(DataFrame::empty);
    if flags.height() == 0 {
        let _ = writeln!(md, "全年无参评窗口。");
    } else {
        let _ = writeln!(md, "全年双月红旗最多的窗口:{}。\n", most_flags(&flags)?);
        md.push_str(&render_markdown(
            &flags,
            &[
                shown_key("window_id"),
                shown_key("department"),
                ("月度红旗(次)", Cell::Count("month_flags")),
                ("双月红旗(次)", Cell::Count("bimonth_flags")),
                ("季度红旗(次)", Cell::Count("quarter_flags")),
                ("月度末位(次)", Cell::Count("month_bottom")),
            ],
        )?);
    }
    Ok(Section {
        markdown: md,
        tables: vec![("annual_trend", t), ("red_flags", flags)],
        charts,
    })
}

/// "W19 文旅窗口(5 次)、W15 …" of the windows with the most two-month
/// flags (none: 无).
fn most_flags(flags: &DataFrame) -> Result<String> {
    let n = crate::polars_ext::opt_i64s(flags, "bimonth_flags")?;
    let top = n.iter().flatten().copied().max().unwrap_or(0);
    if top == 0 {
        return Ok("无".into());
    }
    let ids = crate::polars_ext::opt_strings(flags, "window_id")?;
    let names = crate::polars_ext::opt_strings(flags, "window_name")
        .unwrap_or_else(|_| vec![None; flags.height()]);
    Ok(ids
        .iter()
        .zip(&names)
        .zip(&n)
        .filter(|(_, k)| **k == Some(top))
        .map(|((id, name), _)| {
            format!(
                "{} {}({top} 次)",
                id.as_deref().unwrap_or("—"),
                name.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("、"))
}
