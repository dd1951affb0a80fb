//! A window: its month (cases, ratings, waits, its place in the ranking),
//! its staff, its cards and its trends drawn in the page.

use super::html::{self, esc, kpi, measure_cell, num, table, Context, Page};
use super::today::{by_key, card_rows, rows, CARD_HEADERS};
use super::{Snapshot, Target};
use crate::metrics::cards::CardRecord;
use crate::metrics::period::{parse_period, Grain, Period};
use crate::metrics::schema::{CASES, QUEUE, RATINGS, STAFF_RANKED, WINDOWS_RANKED};
use anyhow::Result;
use polars::prelude::*;

pub fn page(ctx: &Context, id: &str, target: &Target) -> Page {
    let s = ctx.snapshot;
    let month = match target.param("period") {
        Some(p) => match parse_period(p) {
            Ok(p) if p.grain == Grain::Month => p,
            _ => return Ok(None),
        },
        None => s.period(Grain::Month),
    };
    let cases = one(&rows(&s.case_metrics, &month, "window")?, id)?;
    if !s.windows.contains_key(id) && cases.height() == 0 {
        return Ok(None);
    }
    let department = s
        .windows
        .get(id)
        .and_then(|n| n.of.clone())
        .unwrap_or_default();
    let mut body = format!(
        "<h2>窗口 <span data-fig=\"window\" data-value=\"{}\">{}</span> · {}(部门:{})</h2>\n",
        esc(id),
        esc(&s.window_label(id)),
        esc(&month.label),
        esc(&department)
    );
    body.push_str("<div class=\"kpis\">");
    for c in crate::view::CASE_FIGURES
        .into_iter()
        .chain(["overdue_open"])
    {
        body.push_str(&kpi(
            CASES.label(c),
            &measure_cell(&CASES, "month.cases", &cases, c, 0),
            "",
        ));
    }
    if let Some(r) = &s.rating_metrics {
        let r = one(&rows(r, &month, "window")?, id)?;
        for c in ["ratings", "satisfaction_rate", "bad_ratings"] {
            body.push_str(&kpi(
                RATINGS.label(c),
                &measure_cell(&RATINGS, "month.ratings", &r, c, 0),
                "",
            ));
        }
    }
    if let Some(q) = &s.queue_metrics {
        let q = one(&rows(q, &month, "window")?, id)?;
        for c in ["tickets", "wait_mean_min"] {
            body.push_str(&kpi(
                QUEUE.label(c),
                &measure_cell(&QUEUE, "month.queue", &q, c, 0),
                "",
            ));
        }
    }
    body.push_str("</div>\n");
    body.push_str(&ranked(s, &month, id)?);
    body.push_str(&staff(s, &month, id)?);
    let cards: Vec<&CardRecord> = s.cards_due.iter().filter(|c| c.window_id == id).collect();
    body.push_str(&format!(
        "<h3>{} 日终红黄牌({} 张)</h3>\n",
        s.as_of.date,
        cards.len()
    ));
    body.push_str(&table(&CARD_HEADERS, &card_rows(s, &cards)));
    body.push_str("<h3>趋势</h3>\n");
    body.push_str(&html::chart(&daily_chart(s, &month, id)?));
    body.push_str(&html::chart(&monthly_chart(s, &month, id)?));
    Ok(Some(html::page(ctx, &s.window_label(id), "", &body)))
}

/// The row of `key` in a frame of one period and level.
fn one(df: &DataFrame, key: &str) -> Result<DataFrame> {
    Ok(df
        .clone()
        .lazy()
        .filter(col("key").eq(lit(key)))
        .collect()?)
}

/// The window's place in the month's ranking.
fn ranked(s: &Snapshot, month: &Period, id: &str) -> Result<String> {
    let Some(scores) = &s.window_scores else {
        return Ok(String::new());
    };
    let row = scores
        .clone()
        .lazy()
        .filter(month.holds_row().and(col("window_id").eq(lit(id))))
        .collect()?;
    if row.height() == 0 {
        return Ok(String::new());
    }
    let t = &WINDOWS_RANKED;
    Ok(format!(
        "<p>本月评比:得分 {},名次 {}{} · <a href=\"/rank/explain?period={}&amp;window={}\">得分说明</a></p>\n",
        measure_cell(t, "month.rank", &row, "score", 0),
        measure_cell(t, "month.rank", &row, "rank", 0),
        html::text(&row, "band", 0)
            .filter(|b| !b.is_empty())
            .map_or(String::new(), |b| format!(",{}", esc(&b))),
        super::encode(&month.label),
        super::encode(id)
    ))
}

/// The window's staff: their cases of the month and their score.
fn staff(s: &Snapshot, month: &Period, id: &str) -> Result<String> {
    let people: Vec<&String> = s
        .staff
        .iter()
        .filter(|(_, n)| n.of.as_deref() == Some(id))
        .map(|(k, _)| k)
        .collect();
    let cases = rows(&s.case_metrics, month, "staff")?;
    let ci = by_key(&cases)?;
    let scores = match &s.staff_scores {
        Some(sc) => sc.clone().lazy().filter(month.holds_row()).collect()?,
        None => DataFrame::empty(),
    };
    let si: std::collections::BTreeMap<String, usize> =
        crate::polars_ext::opt_strings(&scores, "staff_id")
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .filter_map(|(i, k)| Some((k?, i)))
            .collect();
    let case_cols = ["accepted", "completed", "on_time_rate", "overdue_open"];
    let rows: Vec<Vec<String>> = people
        .iter()
        .map(|p| {
            let mut row = vec![format!(
                "<span data-staff=\"{}\">{}</span>",
                esc(p),
                esc(&s.staff_label(p))
            )];
            for c in case_cols {
                row.push(match ci.get(*p) {
                    Some(&i) => {
                        measure_cell(&CASES, &format!("month.staff.{p}.cases"), &cases, c, i)
                    }
                    None => "—".into(),
                });
            }
            match si.get(*p) {
                Some(&i) => {
                    row.push(measure_cell(
                        &STAFF_RANKED,
                        &format!("month.staff.{p}"),
                        &scores,
                        "score",
                        i,
                    ));
                    row.push(match num(&scores, "star", i) {
                        Some(x) if x > 0.5 => "服务之星".into(),
                        _ => String::new(),
                    });
                }
                None => row.extend(["—".to_string(), String::new()]),
            }
            row
        })
        .collect();
    let headers: Vec<&str> = std::iter::once("工号 姓名")
        .chain(case_cols.iter().map(|c| CASES.label(c)))
        .chain([STAFF_RANKED.label("score"), "服务之星"])
        .collect();
    Ok(format!(
        "<h3>人员({} 人)</h3>\n{}",
        people.len(),
        table(&headers, &rows)
    ))
}

/// A measure of the window over the rows of `grain` from `from` to `to`,
/// one value per period in order (0 for a period without a row).
fn series(
    df: &DataFrame,
    grain: Grain,
    id: &str,
    column: &str,
    periods: &[Period],
) -> Result<Vec<f64>> {
    let rows = df
        .clone()
        .lazy()
        .filter(
            col("grain")
                .eq(lit(grain.name()))
                .and(col("level").eq(lit("window")))
                .and(col("key").eq(lit(id))),
        )
        .collect()?;
    let labels = crate::polars_ext::opt_strings(&rows, "period")?;
    Ok(periods
        .iter()
        .map(|p| {
            labels
                .iter()
                .position(|l| l.as_deref() == Some(p.label.as_str()))
                .and_then(|i| num(&rows, column, i))
                .unwrap_or(0.0)
        })
        .collect())
}

/// Cases accepted and completed each day of the month up to the as-of date.
fn daily_chart(s: &Snapshot, month: &Period, id: &str) -> Result<crate::report::charts::Chart> {
    let last = month.end.min(s.as_of.date);
    let days: Vec<Period> = month
        .start
        .iter_days()
        .take_while(|d| *d <= last)
        .map(|d| crate::metrics::period::period_of(Grain::Day, d))
        .collect();
    let accepted = series(&s.case_metrics, Grain::Day, id, "accepted", &days)?;
    let completed = series(&s.case_metrics, Grain::Day, id, "completed", &days)?;
    let title = format!("{} {} 每日受理与办结", s.window_label(id), month.label);
    let svg = crate::report::charts::lines(
        &title,
        &[("受理", accepted), ("办结", completed)],
        "日",
        "件",
    )?;
    Ok((title, svg))
}

/// On-time rate and satisfaction of the twelve months to this one.
fn monthly_chart(s: &Snapshot, month: &Period, id: &str) -> Result<crate::report::charts::Chart> {
    let mut months = vec![month.clone()];
    for _ in 0..11 {
        let before = crate::metrics::period::previous(months.last().expect("one month"));
        months.push(before);
    }
    months.reverse();
    let pct = |v: Vec<f64>| v.into_iter().map(|x| x * 100.0).collect::<Vec<_>>();
    let on_time = pct(series(
        &s.case_metrics,
        Grain::Month,
        id,
        "on_time_rate",
        &months,
    )?);
    let mut lines = vec![("按期办结率", on_time)];
    if let Some(r) = &s.rating_metrics {
        lines.push((
            "满意率",
            pct(series(r, Grain::Month, id, "satisfaction_rate", &months)?),
        ));
    }
    let title = format!(
        "{} 近十二个月({} 至 {})按期办结率与满意率",
        s.window_label(id),
        months[0].label,
        month.label
    );
    let svg = crate::report::charts::lines(&title, &lines, "月(第 1 至 12 个月)", "%")?;
    Ok((title, svg))
}
