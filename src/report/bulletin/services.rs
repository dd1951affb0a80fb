//! 特色服务与不予受理, its own section after 二、办件效能与目标: the period's special
//! services (网上申报, 全程网办, 跨域通办, 预约, 延时, 上门, 帮办代办, 容缺受理,
//! 绿色通道), 现场办结 with its 环比, the refusals with the share recorded
//! without a reason; the cases of each channel and of each window (with
//! its name and department), the most frequent refusal reasons, and the
//! refusals without a reason by case.

use super::{Context, Section};
use crate::metrics::compare::{period_rows, period_view};
use crate::metrics::schema::{SERVICES, SERVICE_CHANNELS_TABLE};
use crate::view::{change, f64_at, pct, points, render_markdown, shown, Cell};
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

/// The refusals without a reason the Markdown lists (all are in
/// `refusals.csv`).
const LISTED: usize = 20;
/// The refusal reasons the Markdown ranks.
const TOP_REASONS: usize = 5;

pub(super) fn section(cx: &Context) -> Result<Section> {
    let this = cx.this;
    let mut md = String::new();
    let _ = writeln!(md, "\n## 三、特色服务与不予受理\n");
    let Some(metrics) = cx.z.service_metrics else {
        let _ = writeln!(md, "{this}无办件数据。");
        return Ok(Section::text(md));
    };
    let center = period_view(
        metrics,
        cx.period,
        "center",
        &crate::view::SERVICES_COMPARED,
    )?;
    if center.height() == 0 {
        let _ = writeln!(md, "{this}无办件。");
        return Ok(Section::text(md));
    }
    let n = |c: &str| -> Result<i64> { Ok(f64_at(&center, c, 0)?.unwrap_or(0.0) as i64) };
    let rate = |c: &str| -> Result<String> { Ok(pct(f64_at(&center, c, 0)?)) };
    let _ = writeln!(
        md,
        "{this}受理办件 {} 件,其中网上申报 {} 件(网上申报率 {}),全程网办 {} 件(全程网办率 {}),跨域通办 {} 件;预约 {} 件,延时服务 {} 件,上门服务 {} 件,帮办代办 {} 件,容缺受理 {} 件,绿色通道 {} 件。\n",
        n("accepted")?,
        n("online")?,
        rate("online_rate")?,
        n("fully_online")?,
        rate("fully_online_rate")?,
        n("cross_region")?,
        n("appointment")?,
        n("after_hours")?,
        n("door_to_door")?,
        n("assisted")?,
        n("accepted_incomplete")?,
        n("green_channel")?,
    );
    let _ = writeln!(
        md,
        "办结 {} 件,其中受理当日办结(现场办结) {} 件,现场办结率 {},环比 {}。\n",
        n("completed")?,
        n("on_site_completed")?,
        rate("on_site_rate")?,
        points(
            f64_at(&center, "on_site_rate", 0)?,
            f64_at(&center, "on_site_rate_prev_period", 0)?
        ),
    );
    let refused = n("refused")?;
    if refused == 0 {
        let _ = writeln!(md, "{this}无不予受理、不予许可等办件。\n");
    } else {
        let _ = writeln!(
            md,
            "不予受理、不予许可等办件 {refused} 件,环比 {},其中未记录理由 {} 件,占 {}。\n",
            change(
                f64_at(&center, "refused", 0)?,
                f64_at(&center, "refused_prev_period", 0)?
            ),
            n("refused_without_reason")?,
            rate("no_reason_share")?,
        );
    }
    let mut tables = Vec::new();
    if let Some(channels) = cx.z.service_channels {
        let by_channel = period_rows(channels, cx.period, Some("center"))
            .sort(
                ["accepted", "channel"],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .collect()?;
        if by_channel.height() > 0 {
            let c = |x| shown(&SERVICE_CHANNELS_TABLE, x);
            let _ = writeln!(md, "各申报渠道:\n");
            md.push_str(&render_markdown(
                &by_channel,
                &[
                    c("channel"),
                    c("accepted"),
                    c("completed"),
                    c("on_site_completed"),
                    c("on_site_rate"),
                    c("refused"),
                    c("refused_without_reason"),
                ],
            )?);
            md.push('\n');
            tables.push(("service_channels", by_channel));
        }
    }
    let windows = by_window(cx, metrics)?;
    if windows.height() > 0 {
        let c = |x| shown(&SERVICES, x);
        let _ = writeln!(md, "各窗口特色服务与不予受理:\n");
        md.push_str(&render_markdown(
            &windows,
            &[
                ("窗口", Cell::Text("window_id")),
                ("部门", Cell::Text("department")),
                c("accepted"),
                c("appointment"),
                c("after_hours"),
                c("door_to_door"),
                c("assisted"),
                c("accepted_incomplete"),
                c("green_channel"),
                c("online"),
                c("fully_online"),
                c("cross_region"),
                c("on_site_rate"),
                c("refused"),
                c("refused_without_reason"),
            ],
        )?);
        md.push('\n');
        tables.push(("services_by_window", windows));
    }
    if let Some(refusals) = cx.z.refusals.filter(|r| r.height() > 0) {
        md.push_str(&reasons(refusals)?);
        md.push_str(&without_reason(refusals)?);
        tables.push(("refusals", refusals.clone()));
    }
    // One blank line before the next heading.
    while md.ends_with("\n\n") {
        md.pop();
    }
    Ok(Section {
        markdown: md,
        tables,
        charts: Vec::new(),
    })
}

/// The period's window rows with each window's name and department.
fn by_window(cx: &Context, metrics: &DataFrame) -> Result<DataFrame> {
    let rows = period_rows(metrics, cx.period, Some("window"))
        .sort(["key"], SortMultipleOptions::default())
        .with_column(col("key").alias("window_id"));
    let named = match cx.z.windows {
        Some(w) => {
            let mut in_order = JoinArgs::new(JoinType::Left);
            in_order.maintain_order = MaintainOrderJoin::Left;
            rows.join(
                w.clone().lazy().select([
                    col("window_id"),
                    col("name").alias("window_name"),
                    col("department"),
                ]),
                [col("window_id")],
                [col("window_id")],
                in_order,
            )
        }
        None => rows.with_columns([
            lit(NULL).cast(DataType::String).alias("window_name"),
            lit(NULL).cast(DataType::String).alias("department"),
        ]),
    };
    let mut order = vec![col("window_id"), col("window_name"), col("department")];
    order.extend(SERVICES.measures.iter().map(|m| col(m.column)));
    Ok(named.select(order).collect()?)
}

/// The most frequent recorded reasons, with their share of the refusals.
fn reasons(refusals: &DataFrame) -> Result<String> {
    let total = refusals.height() as f64;
    let top = refusals
        .clone()
        .lazy()
        .filter(col("reason").is_not_null())
        .group_by([col("reason")])
        .agg([len().cast(DataType::Int64).alias("n")])
        .with_column((col("n").cast(DataType::Float64) / lit(total)).alias("share"))
        .sort(
            ["n", "reason"],
            SortMultipleOptions::default().with_order_descending_multi([true, false]),
        )
        .limit(TOP_REASONS as IdxSize)
        .collect()?;
    if top.height() == 0 {
        return Ok(String::new());
    }
    Ok(format!(
        "不予受理(许可)的主要理由:\n\n{}\n",
        render_markdown(
            &top,
            &[
                ("理由", Cell::Text("reason")),
                ("件数", Cell::Count("n")),
                ("占不予受理(许可)", Cell::Percent("share")),
            ],
        )?
    ))
}

/// The refusals recorded without a reason, by case (the first [`LISTED`]).
fn without_reason(refusals: &DataFrame) -> Result<String> {
    let missing = refusals
        .clone()
        .lazy()
        .filter(col("reason").is_null())
        .collect()?;
    if missing.height() == 0 {
        return Ok(String::new());
    }
    let shown_rows = missing.head(Some(LISTED));
    let mut out = if missing.height() > LISTED {
        format!(
            "未记录理由的不予受理(许可)办件共 {} 件,列前 {LISTED} 件(全部见 refusals.csv):\n\n",
            missing.height()
        )
    } else {
        "未记录理由的不予受理(许可)办件:\n\n".to_string()
    };
    out.push_str(&render_markdown(
        &shown_rows,
        &[
            ("办件编号", Cell::Text("case_id")),
            ("窗口", Cell::Text("window_id")),
            ("工号", Cell::Text("staff_id")),
            ("事项", Cell::Text("item_name")),
            ("办理结果", Cell::Text("result")),
            ("日期", Cell::Text("refused_on")),
        ],
    )?);
    out.push('\n');
    Ok(out)
}
