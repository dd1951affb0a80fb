//! The monthly bulletin (月通报) as Markdown, with its tables as CSV: the
//! overview with 环比 and 同比, case efficiency against the targets, cards,
//! satisfaction and rectification, the queue, attendance with named
//! violations (实名通报), the three zeros, the window ranking, 服务之星, the
//! catalog compression of the latest round and the windows without cases.

use crate::metrics::compare::{period_rows, period_view, with_targets, Targets, CASES_COMPARED};
use crate::metrics::period::Period;
use crate::view::{
    f64_at, pct, render_markdown, shown_keys, Cell, QUEUE_COMPARED, RATINGS_COMPARED,
};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::fmt::Write;

/// The metric tables a bulletin reads (all computed as of the same date).
pub struct BulletinInputs<'a> {
    pub case_metrics: &'a DataFrame,
    pub rating_metrics: Option<&'a DataFrame>,
    pub queue_metrics: Option<&'a DataFrame>,
    pub attendance_days: Option<&'a DataFrame>,
    /// The roster, for the names of the named violations.
    pub staff: Option<&'a DataFrame>,
    pub three_zeros: &'a DataFrame,
    pub window_scores: &'a DataFrame,
    pub staff_scores: &'a DataFrame,
    /// The card history, if cards have been run.
    pub cards: Option<&'a DataFrame>,
    /// The sentence of the latest catalog round, if there was one.
    pub catalog_round: Option<String>,
    /// The per-item comparison of that round.
    pub catalog_items: Option<&'a DataFrame>,
    /// `step_metrics`, if there are steps.
    pub step_metrics: Option<&'a DataFrame>,
    /// `staff_review` (三在 / 三问).
    pub staff_review: Option<&'a DataFrame>,
    /// The item catalog, for the names in the bottleneck table.
    pub items: Option<&'a DataFrame>,
    /// Waits (called − issued, minutes) of the tickets issued in the period.
    pub waits_min: Option<&'a [f64]>,
    pub targets: &'a Targets,
    /// Lines said under the heading (a provisional calendar year).
    pub notes: Vec<String>,
}

/// A bulletin: the Markdown text, the tables behind it and its charts (SVG).
pub struct Bulletin {
    pub markdown: String,
    pub tables: Vec<(&'static str, DataFrame)>,
    pub charts: Vec<(String, String)>,
}

fn count(df: &DataFrame, c: &str) -> Result<String> {
    Ok(f64_at(df, c, 0)?.map_or("—".into(), |x| format!("{x:.0}")))
}

/// The bulletin of `period` (月通报 for a month, 季度评议 for a quarter,
/// 年度考核 for a year), as of `as_of`.
pub fn monthly_bulletin(
    center: &str,
    period: &Period,
    as_of: NaiveDate,
    z: &BulletinInputs,
) -> Result<Bulletin> {
    use Cell::*;
    let (title, this, end_word) = match period.grain {
        crate::metrics::period::Grain::Quarter => ("季度评议", "本季度", "季末"),
        crate::metrics::period::Grain::Year => ("年度考核", "本年度", "年末"),
        _ => ("月通报", "本月", "月末"),
    };
    let mut md = String::new();
    let mut tables = Vec::new();
    let _ = writeln!(md, "# {center} {} {title}\n", period.label);
    let _ = writeln!(
        md,
        "统计期间 {} 至 {},数据截至 {as_of}。\n",
        period.start, period.end
    );
    for note in &z.notes {
        let _ = writeln!(md, "{note}\n");
    }

    // Overview and case efficiency.
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
            crate::view::change(f64_at(&cases, "accepted", 0)?, f64_at(&cases, "accepted_prev_period", 0)?),
            crate::view::change(f64_at(&cases, "accepted", 0)?, f64_at(&cases, "accepted_prev_year", 0)?),
            count(&cases, "completed")?,
            crate::view::change(f64_at(&cases, "completed", 0)?, f64_at(&cases, "completed_prev_period", 0)?),
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
    let targets = df!(
        "指标" => ["承诺压缩率", "实际提速率", "按期办结率"],
        "本期" => [
            pct(f64_at(&cases, "promise_compression", 0).ok().flatten()),
            pct(f64_at(&cases, "actual_speedup", 0).ok().flatten()),
            pct(f64_at(&cases, "on_time_rate", 0).ok().flatten()),
        ],
        "目标" => [pct(Some(z.targets.promise_compression)), pct(Some(z.targets.actual_speedup)), pct(Some(z.targets.on_time_rate))],
        "是否达标" => ["promise_compression_met", "actual_speedup_met", "on_time_rate_met"].map(|c| {
            match f64_at(&cases, c, 0).ok().flatten() {
                Some(x) if x > 0.5 => "达标",
                Some(_) => "未达标",
                None => "—",
            }
        }),
    )?;
    md.push_str(&render_markdown(&targets, &target_cols)?);
    let windows = with_targets(
        period_view(z.case_metrics, period, "window", &CASES_COMPARED)?,
        z.targets,
    )?;
    let _ = writeln!(md, "\n各窗口办件:\n");
    md.push_str(&render_markdown(
        &windows,
        &[
            ("窗口", Text("key")),
            ("受理", Count("accepted")),
            ("办结", Count("completed")),
            ("即办率", Percent("instant_rate")),
            ("按期办结率", Percent("on_time_rate")),
            ("提前办结率", Percent("early_rate")),
            ("超期", Count("overdue_completed")),
            ("承诺压缩率", Percent("promise_compression")),
            ("实际提速率", Percent("actual_speedup")),
            ("平均用时", Decimal("mean_elapsed_days")),
        ],
    )?);
    let mut charts = vec![(
        "各窗口按期办结率".to_string(),
        super::charts::on_time_chart(&windows)?,
    )];
    charts.push((
        "每日受理量".to_string(),
        volume_chart(z.case_metrics, period)?,
    ));
    tables.push(("cases_by_window", windows));

    // Cards raised in the month.
    let _ = writeln!(md, "\n## 三、电子监察\n");
    match z.cards {
        Some(cards) => {
            let in_month = cards
                .clone()
                .lazy()
                .filter(
                    col("raised_on")
                        .gt_eq(crate::metrics::date_lit(period.start))
                        .and(col("raised_on").lt_eq(crate::metrics::date_lit(period.end))),
                )
                .collect()?;
            let red = in_month
                .column("colour")?
                .str()?
                .iter()
                .filter(|c| *c == Some("red"))
                .count();
            let _ = writeln!(
                md,
                "{this}亮黄牌 {} 张,红牌 {red} 张。\n",
                in_month.height() - red
            );
            tables.push(("cards", in_month));
        }
        None => {
            let _ = writeln!(md, "{this}未运行电子监察亮牌。\n");
        }
    }

    // Ratings and the queue.
    let _ = writeln!(md, "## 四、群众满意度与差评整改\n");
    if let Some(r) = z.rating_metrics {
        let by_window = period_view(r, period, "window", &RATINGS_COMPARED)?;
        charts.push((
            "各窗口满意率".to_string(),
            super::charts::satisfaction_chart(&by_window)?,
        ));
        let v = shown_keys(&period_view(r, period, "center", &RATINGS_COMPARED)?)?;
        md.push_str(&render_markdown(
            &v,
            &[
                ("评价数", Count("ratings")),
                ("满意率", Percent("satisfaction_rate")),
                (
                    "环比",
                    Points("satisfaction_rate", "satisfaction_rate_prev_period"),
                ),
                ("好评率", Percent("good_rate")),
                ("评价覆盖率", Percent("coverage")),
                ("差评", Count("bad_ratings")),
                ("按期整改", Count("rectified_on_time")),
                ("超期未整改", Count("open_past_limit")),
            ],
        )?);
    } else {
        let _ = writeln!(md, "{this}无评价数据。");
    }
    let _ = writeln!(md, "\n## 五、排队叫号\n");
    if let Some(q) = z.queue_metrics {
        if let Some(waits) = z.waits_min {
            charts.push((
                "等候时间分布".to_string(),
                super::charts::wait_chart(waits)?,
            ));
        }
        let v = shown_keys(&period_view(q, period, "center", &QUEUE_COMPARED)?)?;
        md.push_str(&render_markdown(
            &v,
            &[
                ("取号", Count("tickets")),
                ("环比", Change("tickets", "tickets_prev_period")),
                ("平均等候(分)", Decimal("wait_mean_min")),
                ("P90等候(分)", Decimal("wait_p90_min")),
                ("超时率", Percent("over_target_share")),
                ("过号率", Percent("no_show_share")),
                ("插队", Count("queue_jumps")),
            ],
        )?);
    } else {
        let _ = writeln!(md, "{this}无叫号数据。");
    }

    // Attendance with named violations.
    let _ = writeln!(md, "\n## 六、考勤与实名通报\n");
    if let Some(days) = z.attendance_days {
        let named = days
            .clone()
            .lazy()
            .filter(
                col("date")
                    .gt_eq(crate::metrics::date_lit(period.start))
                    .and(col("date").lt_eq(crate::metrics::date_lit(period.end))),
            )
            .group_by([col("window_id"), col("staff_id")])
            .agg([
                col("absent_half_days").sum(),
                (col("late_minutes").gt(lit(0)))
                    .cast(DataType::Int64)
                    .sum()
                    .alias("late"),
                col("overlong_departures").sum(),
            ])
            .filter(
                col("absent_half_days")
                    .gt(lit(0))
                    .or(col("late").gt(lit(2)))
                    .or(col("overlong_departures").gt(lit(0))),
            )
            .sort(["window_id", "staff_id"], SortMultipleOptions::default())
            .collect()?;
        let named = match z.staff {
            Some(staff) => named
                .lazy()
                .join(
                    staff
                        .clone()
                        .lazy()
                        .group_by([col("staff_id")])
                        .agg([col("name").last()]),
                    [col("staff_id")],
                    [col("staff_id")],
                    JoinArgs::new(JoinType::Left),
                )
                .collect()?,
            None => named
                .lazy()
                .with_column(lit(NULL).cast(DataType::String).alias("name"))
                .collect()?,
        };
        if named.height() == 0 {
            let _ = writeln!(md, "{this}无旷工、三次以上迟到或离岗超时。");
        } else {
            let _ = writeln!(md, "旷工、迟到三次以上或离岗超时者:\n");
            md.push_str(&render_markdown(
                &named,
                &[
                    ("窗口", Text("window_id")),
                    ("工号", Text("staff_id")),
                    ("姓名", Text("name")),
                    ("旷工(半天)", Count("absent_half_days")),
                    ("迟到(次)", Count("late")),
                    ("离岗超时(次)", Count("overlong_departures")),
                ],
            )?);
        }
        let of_period = days
            .clone()
            .lazy()
            .filter(
                col("date")
                    .gt_eq(crate::metrics::date_lit(period.start))
                    .and(col("date").lt_eq(crate::metrics::date_lit(period.end))),
            )
            .collect()?;
        charts.push((
            "考勤热力图".to_string(),
            super::charts::attendance_heat_map(&of_period, period.start, period.end)?,
        ));
        tables.push(("attendance_named", named));
    } else {
        let _ = writeln!(md, "{this}无考勤数据。");
    }

    // Three zeros.
    let _ = writeln!(md, "\n## 七、服务\"三零\"\n");
    let zeros = period_rows(z.three_zeros, period, None).collect()?;
    let center_row = zeros
        .clone()
        .lazy()
        .filter(col("level").eq(lit("center")))
        .collect()?;
    let _ = writeln!(
        md,
        "实现\"三零\"的窗口 {} 个,占 {} 个窗口的 {}。\n",
        count(&center_row, "windows_all_three")?,
        count(&center_row, "windows")?,
        pct(f64_at(&center_row, "share_all_three", 0)?),
    );
    let window_rows = zeros
        .lazy()
        .filter(col("level").eq(lit("window")))
        .collect()?;
    md.push_str(&render_markdown(
        &window_rows,
        &[
            ("窗口", Text("key")),
            ("零距离服务", YesNo("zero_distance")),
            ("零差错办件", YesNo("zero_error")),
            ("零关系办事", YesNo("zero_relation")),
            ("三零", YesNo("all_three")),
        ],
    )?);
    tables.push(("three_zeros", window_rows));

    // Ranking, stars, no cases.
    let _ = writeln!(md, "\n## 八、红旗窗口评比\n");
    let ranking = crate::metrics::scoring::ranking_of(z.window_scores, period)?;
    let ranked = ranking
        .clone()
        .lazy()
        .filter(col("rank").is_not_null())
        .collect()?;
    md.push_str(&render_markdown(
        &ranked,
        &[
            ("名次", Count("rank")),
            ("窗口", Text("window_id")),
            ("部门", Text("department")),
            ("得分", Decimal("score")),
            ("评比", Text("band")),
            ("一票否决", Text("veto")),
            ("约谈", YesNo("talk")),
        ],
    )?);
    let _ = writeln!(md, "\n{}", crate::view::ranking_summary(&ranking)?);
    charts.push((
        "红旗窗口评比得分".to_string(),
        super::charts::ranking_chart(&ranking)?,
    ));
    tables.push(("ranking", ranking.clone()));
    let stars = crate::metrics::scoring::stars_of(z.staff_scores, period)?;
    let _ = writeln!(md, "\n## 九、服务之星\n");
    md.push_str(&render_markdown(
        &stars,
        &[
            ("名次", Count("rank")),
            ("工号", Text("staff_id")),
            ("窗口", Text("window_id")),
            ("得分", Decimal("score")),
        ],
    )?);
    if let Some(items) = z.catalog_items {
        charts.push((
            "各部门承诺时限压缩率".to_string(),
            super::charts::compression_chart(items)?,
        ));
    }
    let _ = writeln!(md, "\n## 十、流程再造\n");
    let _ = writeln!(
        md,
        "{}",
        z.catalog_round
            .as_deref()
            .unwrap_or("本期无新的事项目录版本。")
    );
    // Where the time goes: the bottleneck step of each item.
    let _ = writeln!(md, "\n环节瓶颈(各事项用时最长的环节):\n");
    let bottlenecks = match z.step_metrics {
        Some(sm) => crate::metrics::steps::bottlenecks(sm, &period.label)?,
        None => Vec::new(),
    };
    if bottlenecks.is_empty() {
        let _ = writeln!(md, "{this}无办结件的环节数据。");
    } else {
        let top = &bottlenecks[0];
        let _ = writeln!(
            md,
            "{this}压缩潜力最大的是 {} 的“{}”环节:占办件用时 {},平均 {:.2} 个工作日,压缩到该事项其他环节的平均用时可节省 {:.1} 个工作日。\n",
            top.item_code,
            top.step,
            pct(Some(top.share_of_case)),
            top.mean_days,
            top.days_saved
        );
        let frame = crate::metrics::steps::bottleneck_frame(&bottlenecks, z.items)?;
        let shown = frame.head(Some(10));
        md.push_str(&render_markdown(&shown, &crate::view::BOTTLENECK_CELLS)?);
        tables.push(("bottlenecks", frame));
    }
    if let Some(review) = z.staff_review {
        let rows = review
            .clone()
            .lazy()
            .filter(col("period").eq(lit(period.label.as_str())))
            .sort_by_exprs(
                [col("rank"), col("staff_id")],
                SortMultipleOptions::default().with_nulls_last(true),
            )
            .collect()?;
        let _ = writeln!(md, "\n## 十一、工作人员三在三问\n");
        if rows.height() == 0 {
            let _ = writeln!(md, "{this}无数据。");
        } else {
            md.push_str(&render_markdown(&rows, &crate::view::STAFF_REVIEW_CELLS)?);
            tables.push(("staff_review", rows));
        }
    }
    let none = ranking.lazy().filter(col("rank").is_null()).collect()?;
    let ids: Vec<&str> = none.column("window_id")?.str()?.iter().flatten().collect();
    let _ = writeln!(md, "\n## 十二、{this}无办件窗口\n");
    let _ = writeln!(
        md,
        "{}",
        if ids.is_empty() {
            "无。".to_string()
        } else {
            ids.join("、")
        }
    );
    Ok(Bulletin {
        markdown: md,
        tables,
        charts,
    })
}

/// Cases accepted each day of the period, beside the same days a year earlier.
fn volume_chart(case_metrics: &DataFrame, period: &Period) -> Result<String> {
    let daily = |p: &Period| -> Result<Vec<f64>> {
        let rows = case_metrics
            .clone()
            .lazy()
            .filter(
                col("grain")
                    .eq(lit("day"))
                    .and(col("level").eq(lit("center")))
                    .and(col("period_start").gt_eq(crate::metrics::date_lit(p.start)))
                    .and(col("period_start").lt_eq(crate::metrics::date_lit(p.end))),
            )
            .select([col("period_start"), col("accepted")])
            .collect()?;
        let dates = crate::metrics::dates_of(rows.column("period_start")?)?;
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
    super::charts::lines(
        "每日受理量",
        &[("本期", daily(period)?), ("上年同期", daily(&earlier)?)],
        "日",
        "受理(件)",
    )
}
