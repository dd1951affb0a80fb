//! A case: what it is (item, window, staff), its limits, suspensions and
//! deadline, its steps, its card history and its rating.

use super::html::{self, esc, fig, fig_text, num, table, text, Context, Page};
use crate::metrics::cards::CardRecord;
use crate::metrics::schema::Shape;
use anyhow::Result;
use polars::prelude::*;

pub fn page(ctx: &Context, id: &str) -> Page {
    let s = ctx.snapshot;
    let row = of_case(&s.facts, id)?;
    if row.height() == 0 {
        return Ok(None);
    }
    let t = |c: &str| text(&row, c, 0).unwrap_or_default();
    let acc = crate::polars_ext::dates_of(row.column("acc")?)?[0];
    let comp = crate::polars_ext::dates_of(row.column("comp")?)?[0];
    let ext = num(&row, "ext", 0);
    let deadline = match (acc, ext) {
        (Some(a), Some(e)) => Some(crate::metrics::cards::deadline(&s.calendar, a, e as i64)?),
        _ => None,
    };
    let item = t("item_code");
    let staff = t("staff_id");
    let status = match (comp, deadline) {
        (Some(c), Some(d)) if c > d => format!("已办结({c}),超期"),
        (Some(c), _) => format!("已办结({c})"),
        (None, Some(d)) if d < s.as_of.date => "在办,已过期限".to_string(),
        (None, _) => "在办".to_string(),
    };
    let d = |v: Option<chrono::NaiveDate>| v.map_or("—".into(), |d| d.to_string());
    let facts = vec![
        ("办件编号", fig_text("case", id)),
        (
            "事项",
            esc(&format!(
                "{} {}",
                item,
                s.items
                    .get(&item)
                    .and_then(|n| n.name.clone())
                    .unwrap_or_default()
            )),
        ),
        ("部门", esc(&t("department"))),
        ("窗口", html::window_link(s, &t("window_id"))),
        ("受理人", esc(&s.staff_label(&staff))),
        ("受理日期", d(acc)),
        ("状态", esc(&status)),
        (
            "承诺时限(工作日)",
            fig("case.promised_days", Shape::Count, num(&row, "n", 0)),
        ),
        (
            "法定时限(工作日)",
            fig("case.legal_days", Shape::Count, num(&row, "l", 0)),
        ),
        (
            "暂停(工作日)",
            fig(
                "case.suspended_days",
                Shape::Count,
                num(&row, "susp_days", 0),
            ),
        ),
        (
            "延长后时限(工作日)",
            fig("case.extended_days", Shape::Count, ext),
        ),
        ("期限", fig_text("case.deadline", &d(deadline))),
        (
            "用时(工作日)",
            fig("case.elapsed_days", Shape::Count, num(&row, "elapsed", 0)),
        ),
    ];
    let mut body = format!("<h2>办件 {}</h2>\n<table>", esc(id));
    for (k, v) in facts {
        body.push_str(&format!("<tr><th>{k}</th><td class=\"t\">{v}</td></tr>\n"));
    }
    body.push_str("</table>\n");
    body.push_str(&steps(ctx, id)?);
    body.push_str(&suspensions(ctx, id)?);
    body.push_str(&cards(ctx, id));
    body.push_str(&ratings(ctx, id)?);
    Ok(Some(html::page(ctx, &format!("办件 {id}"), "", &body)))
}

/// The rows of `df` about case `id`.
fn of_case(df: &DataFrame, id: &str) -> Result<DataFrame> {
    Ok(df
        .clone()
        .lazy()
        .filter(col("case_id").eq(lit(id)))
        .collect()?)
}

/// Every column of `columns` of each row, as text.
fn listed(df: &DataFrame, columns: &[&str]) -> Vec<Vec<String>> {
    (0..df.height())
        .map(|i| {
            columns
                .iter()
                .map(|c| esc(&text(df, c, i).unwrap_or_else(|| "—".into())))
                .collect()
        })
        .collect()
}

fn steps(ctx: &Context, id: &str) -> Result<String> {
    let Some(all) = &ctx.snapshot.steps else {
        return Ok(String::new());
    };
    let rows = of_case(all, id)?.sort(["seq"], SortMultipleOptions::default())?;
    let mut cells = listed(&rows, &super::snapshot::STEP_COLUMNS[1..]);
    for (i, r) in cells.iter_mut().enumerate() {
        if let Some(staff) = text(&rows, "staff_id", i) {
            r[2] = esc(&ctx.snapshot.staff_label(&staff));
        }
    }
    Ok(format!(
        "<h3>办理环节({} 个)</h3>\n{}",
        rows.height(),
        table(
            &["序号", "环节", "经办人", "开始", "结束", "环节时限(工作日)"],
            &cells
        )
    ))
}

fn suspensions(ctx: &Context, id: &str) -> Result<String> {
    let Some(all) = &ctx.snapshot.suspensions else {
        return Ok(String::new());
    };
    let rows = of_case(all, id)?.sort(["start"], SortMultipleOptions::default())?;
    Ok(format!(
        "<h3>暂停(特别程序、补正)({} 次)</h3>\n{}",
        rows.height(),
        table(
            &["类别", "开始", "结束", "原因"],
            &listed(&rows, &["kind", "start", "end", "reason"])
        )
    ))
}

fn cards(ctx: &Context, id: &str) -> String {
    let s = ctx.snapshot;
    let history: Vec<&CardRecord> = s.history.iter().filter(|c| c.case_id == id).collect();
    let due: Vec<&CardRecord> = s.cards_due.iter().filter(|c| c.case_id == id).collect();
    let now = match due.as_slice() {
        [] => "无".to_string(),
        cards => cards
            .iter()
            .map(|c| {
                // `case.card` (the case's own card) or `case.card.<step>`.
                let name = match &c.step {
                    Some(step) => format!("case.card.{step}"),
                    None => "case.card".to_string(),
                };
                let over = match c.remaining < 0 {
                    true => format!(
                        "超期 {} 个工作日",
                        fig(
                            &format!("{name}.days_over"),
                            Shape::Count,
                            Some(-c.remaining as f64)
                        )
                    ),
                    false => format!("剩余 {} 个工作日", c.remaining),
                };
                format!(
                    "<span class=\"{}\" data-fig=\"{name}\" data-value=\"{}\">{}</span> {}{}",
                    c.colour.name(),
                    c.colour.name(),
                    c.colour.word(),
                    c.step
                        .as_deref()
                        .map_or(String::new(), |s| format!("(环节 {}) ", esc(s))),
                    over
                )
            })
            .collect::<Vec<_>>()
            .join(";"),
    };
    let rows: Vec<Vec<String>> = history
        .iter()
        .map(|c| {
            let d = |v: Option<chrono::NaiveDate>| v.map_or("—".into(), |d| d.to_string());
            vec![
                format!(
                    "<span class=\"{}\">{}</span>",
                    c.colour.name(),
                    c.colour.word()
                ),
                esc(c.step.as_deref().unwrap_or("")),
                c.deadline.to_string(),
                c.raised_on.to_string(),
                d(c.escalated_on),
                d(c.cleared_on),
                esc(match c.cleared_by.as_deref() {
                    Some("completed") => "办结",
                    Some("extended") => "延期",
                    Some(other) => other,
                    None => "",
                }),
                if c.recorded { "当日" } else { "补判" }.to_string(),
            ]
        })
        .collect();
    format!(
        "<h3>红黄牌</h3>\n<p>{} 日终:{now}</p>\n{}",
        s.as_of.date,
        table(
            &[
                "牌",
                "环节",
                "期限",
                "亮牌",
                "升级",
                "撤销",
                "撤销原因",
                "来源"
            ],
            &rows
        )
    )
}

fn ratings(ctx: &Context, id: &str) -> Result<String> {
    let Some(all) = &ctx.snapshot.ratings else {
        return Ok(String::new());
    };
    let rows = of_case(all, id)?;
    Ok(format!(
        "<h3>评价(好差评)</h3>\n{}",
        table(
            &[
                "评价编号",
                "评价时间",
                "等级(1–5)",
                "渠道",
                "意见",
                "整改时间"
            ],
            &listed(
                &rows,
                &[
                    "rating_id",
                    "rated_at",
                    "level",
                    "channel",
                    "comment",
                    "rectified_at"
                ]
            )
        )
    ))
}
