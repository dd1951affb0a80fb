//! 督办与整改 (under 三、电子监察): the 督办 notices of the period, their
//! replies and escalations, and the list of the notices escalated in the
//! period or still open past their due date at its end, with names; the
//! complaints received, handled in time and substantiated.

use super::{Context, Section};
use crate::metrics::compare::period_rows;
use crate::polars_ext::date_lit;
use crate::view::{f64_at, render_markdown, Cell};
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    let mut s = notices(cx)?;
    s.markdown.push_str(&rating_loop(cx)?);
    if let Some(excluded) = cx.z.excluded_ratings.filter(|e| e.height() > 0) {
        let _ = writeln!(
            s.markdown,
            "申诉复核后不计入满意度和评分的评价 {} 条:\n",
            excluded.height()
        );
        s.markdown.push_str(&render_markdown(
            excluded,
            &[
                ("评价编号", Cell::Text("rating_id")),
                ("窗口", Cell::Text("window_id")),
                ("工号", Cell::Text("staff_id")),
                ("评价日期", Cell::Text("rated_on")),
                ("等级", Cell::Text("level")),
                ("渠道", Cell::Text("channel")),
                ("复核结果", Cell::Text("appeal_result")),
            ],
        )?);
        s.markdown.push('\n');
        s.tables.push(("excluded_ratings", excluded.clone()));
    }
    s.markdown.push_str(&complaints(cx)?);
    Ok(s)
}

/// The 好差评 loop's sentence: every channel's rates.
fn rating_loop(cx: &Context) -> Result<String> {
    let Some(m) = cx.z.rating_loop else {
        return Ok(String::new());
    };
    let all = period_rows(m, cx.period, Some("center"))
        .filter(col("channel").eq(lit(crate::metrics::rating_loop::ALL_CHANNELS)))
        .collect()?;
    if all.height() == 0 {
        return Ok(String::new());
    }
    let n = |c: &str| -> Result<i64> { Ok(f64_at(&all, c, 0)?.unwrap_or(0.0) as i64) };
    // A rate of a part the export does not record reads "未导入", not 0 %.
    let recorded = cx.z.loop_recorded;
    let unrecorded: Vec<&str> = [
        (
            !recorded.callbacks,
            ["callback_rate", "named_callback_rate"].as_slice(),
        ),
        (!recorded.feedback, ["feedback_rate"].as_slice()),
    ]
    .into_iter()
    .filter(|(missing, _)| *missing)
    .flat_map(|(_, c)| c.iter().copied())
    .collect();
    let pct = |c: &str| -> Result<String> {
        if unrecorded.contains(&c) {
            return Ok("—(导出未含该记录)".into());
        }
        Ok(f64_at(&all, c, 0)?.map_or("—".into(), |x| format!("{:.2}%", x * 100.0)))
    };
    let by_channel = period_rows(m, cx.period, Some("center"))
        .filter(col("channel").neq(lit(crate::metrics::rating_loop::ALL_CHANNELS)))
        .sort(["channel"], SortMultipleOptions::default())
        .with_columns(
            unrecorded
                .iter()
                .map(|c| lit(NULL).cast(DataType::Float64).alias(*c))
                .collect::<Vec<_>>(),
        )
        .collect()?;
    let c = |x| crate::view::shown(&crate::metrics::schema::RATING_LOOP_TABLE, x);
    let table = render_markdown(
        &by_channel,
        &[
            c("channel"),
            c("ratings"),
            c("satisfaction_rate"),
            c("bad_ratings"),
            c("callback_rate"),
            c("named_callback_rate"),
            c("rectification_rate"),
            c("feedback_rate"),
            c("excluded"),
        ],
    )?;
    Ok(format!(
        "好差评闭环:{}应回访差评 {} 件,回访率 {};实名差评 {} 件,一个工作日内回访率 {};应整改 {} 件,整改率 {},按期整改率 {},反馈率 {};申诉复核 {} 件,复核排除 {} 件。\n\n",
        cx.this,
        n("callbacks_due")?,
        pct("callback_rate")?,
        n("named_due")?,
        pct("named_callback_rate")?,
        n("rectification_due")?,
        pct("rectification_rate")?,
        pct("rectified_on_time_rate")?,
        pct("feedback_rate")?,
        n("appealed")?,
        n("excluded")?,
    ) + "各评价渠道:\n\n" + &table + "\n")
}

/// The complaints' sentence.
fn complaints(cx: &Context) -> Result<String> {
    let Some(metrics) = cx.z.complaint_metrics else {
        return Ok(String::new());
    };
    let center = period_rows(metrics, cx.period, Some("center")).collect()?;
    let n = |c: &str| -> Result<i64> { Ok(f64_at(&center, c, 0)?.unwrap_or(0.0) as i64) };
    let pct = |c: &str| -> Result<String> {
        Ok(f64_at(&center, c, 0)?.map_or("—".into(), |x| format!("{:.2}%", x * 100.0)))
    };
    Ok(format!(
        "{}受理投诉 {} 件,按期受理率 {},不予受理 {} 件;答复 {} 件,按期答复率 {};办结 {} 件,核查属实(含部分属实) {} 件;{}超期未结 {} 件。\n\n",
        cx.this,
        n("received")?,
        pct("accepted_in_time_rate")?,
        n("declined")?,
        n("answered")?,
        pct("answered_in_time_rate")?,
        n("closed")?,
        n("substantiated")?,
        cx.end_word,
        n("open_past_due")?,
    ))
}

/// The notices' sentence and list.
fn notices(cx: &Context) -> Result<Section> {
    let (period, this) = (cx.period, cx.this);
    let mut md = String::new();
    let mut tables = Vec::new();
    let _ = writeln!(md, "### 督办与整改\n");
    let (Some(metrics), Some(notices)) = (cx.z.supervision_metrics, cx.z.notices) else {
        let _ = writeln!(md, "{this}无督办数据。\n");
        return Ok(Section::text(md));
    };
    let center = period_rows(metrics, period, Some("center")).collect()?;
    let n = |c: &str| -> Result<i64> { Ok(f64_at(&center, c, 0)?.unwrap_or(0.0) as i64) };
    let issued = n("issued")?;
    if center.height() == 0 || (issued == 0 && n("open_past_due")? == 0 && n("warned")? == 0) {
        let _ = writeln!(md, "{this}无督办事项。\n");
        return Ok(Section::text(md));
    }
    let rate = |c: &str, digits: usize, unit: &str| -> Result<String> {
        Ok(match f64_at(&center, c, 0)? {
            Some(x) if unit == "%" => format!("{:.digits$}%", x * 100.0),
            Some(x) => format!("{x:.digits$}{unit}"),
            None => "—".into(),
        })
    };
    let _ = writeln!(
        md,
        "{this}红牌督办 {issued} 件,已回告 {} 件,其中按期回告 {} 件(按期回告率 {}),平均回告用时 {};效能告诫 {} 件,问责移送 {} 件;{}逾期未结 {} 件。\n",
        n("replied")?,
        n("replied_on_time")?,
        rate("on_time_reply_rate", 2, "%")?,
        rate("mean_reply_days", 2, " 个工作日")?,
        n("warned")?,
        n("referred")?,
        cx.end_word,
        n("open_past_due")?,
    );
    // The notices escalated in the period, or open past due at its end.
    let end = crate::metrics::state_day(period.end, cx.as_of);
    let in_period = |c: &str| {
        col(c)
            .gt_eq(date_lit(period.start))
            .and(col(c).lt_eq(date_lit(period.end)))
    };
    let open_at_end = col("closed_on")
        .is_null()
        .or(col("closed_on").gt(date_lit(end)));
    let listed = notices
        .clone()
        .lazy()
        .filter(
            col("opened_on").lt_eq(date_lit(end)).and(
                in_period("warned_on")
                    .or(in_period("referred_on"))
                    .or(open_at_end.and(col("warned_on").lt_eq(date_lit(end)))),
            ),
        )
        .collect()?;
    if listed.height() > 0 {
        let _ = writeln!(md, "效能告诫、问责及{}逾期未结的督办:\n", cx.end_word);
        md.push_str(&render_markdown(
            &listed,
            &[
                ("督办编号", Cell::Text("notice_id")),
                ("窗口", Cell::Text("window_id")),
                ("工号", Cell::Text("staff_id")),
                ("督办日期", Cell::Text("opened_on")),
                ("效能告诫", Cell::Text("warned_on")),
                ("问责移送", Cell::Text("referred_on")),
                ("回告日期", Cell::Text("replied_on")),
                ("办结日期", Cell::Text("closed_on")),
            ],
        )?);
        md.push('\n');
        tables.push(("notices", listed));
    }
    Ok(Section {
        markdown: md,
        tables,
        charts: Vec::new(),
    })
}
