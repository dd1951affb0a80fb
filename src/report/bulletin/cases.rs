//! 一、总体情况 and 二、办件效能与目标: the period's cases with 环比 and 同比,
//! the case figures against the `[targets]`, the cases of each window, and
//! the charts of on-time completion by window and of the daily volume.

use super::{count, Context, Section};
use crate::metrics::compare::{period_view, with_targets, CASES_COMPARED};
use crate::metrics::period::Period;
use crate::view::{change, f64_at, pct, render_markdown};
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    use crate::view::Cell::*;
    let c = |x| crate::view::shown(&crate::metrics::schema::CASES, x);
    let (period, z, this, end_word) = (cx.period, cx.z, cx.this, cx.end_word);
    let mut md = String::new();
    let cases = with_targets(
        period_view(z.case_metrics, period, "center", &CASES_COMPARED)?,
        z.targets,
    )?;
    let _ = writeln!(md, "## 一、总体情况\n");
    if cases.height() == 0 {
        let _ = writeln!(md, "{this}无办件。\n");
    } else {
        let _ = writeln!(
            md,
            "{this}受理办件 {} 件,环比 {},同比 {};办结 {} 件,环比 {}。即办率 {},按期办结率 {},提前办结率 {},超期办结 {} 件,{end_word}超期在办 {} 件。\n",
            count(&cases, "accepted")?,
            change(f64_at(&cases, "accepted", 0)?, f64_at(&cases, "accepted_prev_period", 0)?),
            change(f64_at(&cases, "accepted", 0)?, f64_at(&cases, "accepted_prev_year", 0)?),
            count(&cases, "completed")?,
            change(f64_at(&cases, "completed", 0)?, f64_at(&cases, "completed_prev_period", 0)?),
            pct(f64_at(&cases, "instant_rate", 0)?),
            pct(f64_at(&cases, "on_time_rate", 0)?),
            pct(f64_at(&cases, "early_rate", 0)?),
            count(&cases, "overdue_completed")?,
            count(&cases, "overdue_open")?,
        );
    }
    let _ = writeln!(md, "## 二、办件效能与目标\n");
    let target_cols = [
        ("指标", Text("指标")),
        ("本期", Text("本期")),
        ("目标", Text("目标")),
        ("是否达标", Text("是否达标")),
    ];
    // The three rates with a target, and whether each met it.
    let rated = ["promise_compression", "actual_speedup", "on_time_rate"];
    let now = |c: &str| f64_at(&cases, c, 0).ok().flatten();
    let targets = df!(
        "指标" => rated.map(|c| crate::metrics::schema::CASES.label(c)),
        "本期" => rated.map(|c| pct(now(c))),
        "目标" => [z.targets.promise_compression, z.targets.actual_speedup, z.targets.on_time_rate]
            .map(|t| pct(Some(t))),
        "是否达标" => rated.map(|c| crate::view::met(now(&format!("{c}_met")))),
    )?;
    md.push_str(&render_markdown(&targets, &target_cols)?);
    let windows = z.names.key_names(with_targets(
        period_view(z.case_metrics, period, "window", &CASES_COMPARED)?,
        z.targets,
    )?)?;
    let _ = writeln!(md, "\n各窗口办件:\n");
    md.push_str(&render_markdown(
        &windows,
        &[("窗口", Text("key"))]
            .into_iter()
            .chain(crate::view::shown_all(
                &crate::metrics::schema::CASES,
                &crate::view::CASE_FIGURES,
            ))
            .chain([
                c("promise_compression"),
                c("actual_speedup"),
                c("mean_elapsed_days"),
            ])
            .collect::<Vec<_>>(),
    )?);
    let charts = vec![
        crate::report::charts::on_time_chart(&windows)?,
        volume_chart(z.case_metrics, period)?,
    ];
    Ok(Section {
        markdown: md,
        tables: vec![("cases_by_window", windows)],
        charts,
    })
}

/// Cases accepted each day of the period, beside the same days a year earlier.
fn volume_chart(case_metrics: &DataFrame, period: &Period) -> Result<crate::report::charts::Chart> {
    let daily = |p: &Period| -> Result<Vec<f64>> {
        let rows = case_metrics
            .clone()
            .lazy()
            .filter(
                col("grain")
                    .eq(lit("day"))
                    .and(col("level").eq(lit("center")))
                    .and(col("period_start").gt_eq(crate::polars_ext::date_lit(p.start)))
                    .and(col("period_start").lt_eq(crate::polars_ext::date_lit(p.end))),
            )
            .select([col("period_start"), col("accepted")])
            .collect()?;
        let dates = crate::polars_ext::dates_of(rows.column("period_start")?)?;
        let accepted: Vec<Option<i64>> = rows.column("accepted")?.i64()?.iter().collect();
        let days = (p.end - p.start).num_days() as usize + 1;
        let mut out = vec![0.0; days];
        for (d, a) in dates.iter().zip(accepted) {
            if let (Some(d), Some(a)) = (d, a) {
                out[(*d - p.start).num_days() as usize] = a as f64;
            }
        }
        Ok(out)
    };
    let earlier = crate::metrics::period::year_earlier(period);
    let title = "每日受理量";
    let svg = crate::report::charts::lines(
        title,
        &[("本期", daily(period)?), ("上年同期", daily(&earlier)?)],
        "日",
        "受理(件)",
    )?;
    Ok((title.to_string(), svg))
}
