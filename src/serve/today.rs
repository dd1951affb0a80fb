//! 今日: the cards due at the end of the as-of date by window and those
//! open past their deadline with the working days over; the day's cases,
//! ratings and waits, per window; the month so far against the targets.

use super::html::{
    self, absent_cell, case_link, esc, fig, fig_text, kpi, measure_cell, num, table, Context, Page,
};
use super::Snapshot;
use crate::metrics::cards::{red_and_yellow, CardRecord, Colour};
use crate::metrics::compare::{period_rows, period_view, with_targets};
use crate::metrics::period::{Grain, Period};
use crate::metrics::schema::{Shape, CASES, QUEUE, RATINGS};
use anyhow::Result;
use polars::prelude::*;
use std::collections::BTreeMap;

/// How many cards a list shows (the rest are counted).
const LISTED: usize = 100;

pub fn page(ctx: &Context) -> Page {
    let s = ctx.snapshot;
    let day = s.period(Grain::Day);
    let month = s.period(Grain::Month);
    let mut body = String::new();
    body.push_str(&cards_section(s)?);
    body.push_str(&day_section(s, &day)?);
    body.push_str(&month_section(s, &month)?);
    Ok(Some(html::page(ctx, "今日", "/", &body)))
}

/// The rows of a metric table in `period` at `level`, by key.
pub fn rows(df: &DataFrame, period: &Period, level: &str) -> Result<DataFrame> {
    Ok(period_rows(df, period, Some(level))
        .sort(["key"], SortMultipleOptions::default())
        .collect()?)
}

/// Row index of each key.
pub fn by_key(df: &DataFrame) -> Result<BTreeMap<String, usize>> {
    Ok(crate::polars_ext::opt_strings(df, "key")?
        .into_iter()
        .enumerate()
        .filter_map(|(i, k)| Some((k?, i)))
        .collect())
}

/// Cards per window: (red, yellow), most red first.
pub fn cards_by_window(cards: &[CardRecord]) -> Vec<(String, usize, usize)> {
    let mut per: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in cards {
        let e = per.entry(c.window_id.as_str()).or_default();
        match c.colour {
            Colour::Red => e.0 += 1,
            Colour::Yellow => e.1 += 1,
        }
    }
    let mut out: Vec<_> = per
        .into_iter()
        .map(|(w, (r, y))| (w.to_string(), r, y))
        .collect();
    out.sort_by(|a, b| (b.1, b.2, &a.0).cmp(&(a.1, a.2, &b.0)));
    out
}

/// The rows of a card list: case, step, item, window, staff, deadline,
/// working days over (red) or left (yellow), raised on.
pub fn card_rows(s: &Snapshot, cards: &[&CardRecord]) -> Vec<Vec<String>> {
    let items = item_of_cases(s, cards);
    cards
        .iter()
        .map(|c| {
            // `card.<case>`, or `card.<case>.<seq> <step>` for a step card.
            let name = match &c.step {
                Some(step) => format!("card.{}.{step}", c.case_id),
                None => format!("card.{}", c.case_id),
            };
            let over = match c.colour {
                Colour::Red => fig(
                    &format!("{name}.days_over"),
                    Shape::Count,
                    Some(-c.remaining as f64),
                ),
                Colour::Yellow => fig(
                    &format!("{name}.days_left"),
                    Shape::Count,
                    Some(c.remaining as f64),
                ),
            };
            vec![
                format!(
                    "<span class=\"{}\">{}</span>",
                    c.colour.name(),
                    c.colour.word()
                ),
                format!(
                    "<span data-case=\"{}\">{}</span>",
                    esc(&c.case_id),
                    case_link(&c.case_id)
                ),
                esc(c.step.as_deref().unwrap_or("")),
                esc(&items.get(c.case_id.as_str()).cloned().unwrap_or_default()),
                html::window_link(s, &c.window_id),
                esc(&c
                    .staff_id
                    .as_deref()
                    .map(|id| s.staff_label(id))
                    .unwrap_or_default()),
                fig_text(&format!("{name}.deadline"), &c.deadline.to_string()),
                over,
                c.raised_on.to_string(),
            ]
        })
        .collect()
}

/// The item name of each carded case.
fn item_of_cases<'c>(s: &Snapshot, cards: &[&'c CardRecord]) -> BTreeMap<&'c str, String> {
    let wanted: std::collections::HashSet<&str> =
        cards.iter().map(|c| c.case_id.as_str()).collect();
    let mut out = BTreeMap::new();
    let (Ok(ids), Ok(items)) = (s.facts.column("case_id"), s.facts.column("item_code")) else {
        return out;
    };
    let (Ok(ids), Ok(items)) = (ids.str(), items.str()) else {
        return out;
    };
    for (id, item) in ids.iter().zip(items.iter()) {
        if let (Some(id), Some(item)) = (id, item) {
            if let Some(k) = wanted.get(id) {
                out.insert(*k, s.item_label(item));
            }
        }
    }
    out
}

/// The headers of [`card_rows`].
pub const CARD_HEADERS: [&str; 9] = [
    "牌",
    "办件",
    "环节",
    "事项",
    "窗口",
    "受理人",
    "期限",
    "超期/剩余工作日",
    "亮牌日期",
];

fn cards_section(s: &Snapshot) -> Result<String> {
    let (red, yellow) = red_and_yellow(s.cards_due.iter().map(|c| c.colour));
    let mut out = format!(
        "<h2>电子监察 {} 日终红黄牌</h2>\n<div class=\"kpis\">{}{}{}</div>\n",
        s.as_of.date,
        kpi(
            "红牌",
            &fig("cards.red", Shape::Count, Some(red as f64)),
            "red"
        ),
        kpi(
            "黄牌",
            &fig("cards.yellow", Shape::Count, Some(yellow as f64)),
            "yellow"
        ),
        kpi(
            "差评超期未整改",
            &fig("alerts", Shape::Count, Some(s.alerts as f64)),
            ""
        ),
    );
    let per = cards_by_window(&s.cards_due);
    let rows: Vec<Vec<String>> = per
        .iter()
        .map(|(w, r, y)| {
            vec![
                format!(
                    "<span data-window=\"{}\">{}</span>",
                    esc(w),
                    html::window_link(s, w)
                ),
                esc(&s
                    .windows
                    .get(w)
                    .and_then(|n| n.of.clone())
                    .unwrap_or_default()),
                fig(
                    &format!("window.{w}.cards.red"),
                    Shape::Count,
                    Some(*r as f64),
                ),
                fig(
                    &format!("window.{w}.cards.yellow"),
                    Shape::Count,
                    Some(*y as f64),
                ),
            ]
        })
        .collect();
    out.push_str("<h3>按窗口</h3>\n");
    out.push_str(&table(&["窗口", "部门", "红牌", "黄牌"], &rows));
    let mut reds: Vec<&CardRecord> = s
        .cards_due
        .iter()
        .filter(|c| c.colour == Colour::Red)
        .collect();
    reds.sort_by(|a, b| (a.remaining, &a.case_id).cmp(&(b.remaining, &b.case_id)));
    out.push_str(&format!(
        "<h3>超期未办结({} 张,超期最久在前)</h3>\n",
        reds.len()
    ));
    out.push_str(&table(
        &CARD_HEADERS,
        &card_rows(s, &reds[..reds.len().min(LISTED)]),
    ));
    if reds.len() > LISTED {
        out.push_str(&format!(
            "<p class=\"muted\">另有 {} 张:见 <code>xiaoneng cards</code>。</p>",
            reds.len() - LISTED
        ));
    }
    let yellows: Vec<&CardRecord> = s
        .cards_due
        .iter()
        .filter(|c| c.colour == Colour::Yellow)
        .collect();
    out.push_str(&format!(
        "<details><summary>临近期限(黄牌 {} 张)</summary>\n{}</details>\n",
        yellows.len(),
        table(
            &CARD_HEADERS,
            &card_rows(s, &yellows[..yellows.len().min(LISTED)])
        )
    ));
    Ok(out)
}

fn day_section(s: &Snapshot, day: &Period) -> Result<String> {
    let cases = rows(&s.case_metrics, day, "center")?;
    let ratings = match &s.rating_metrics {
        Some(r) => Some(rows(r, day, "center")?),
        None => None,
    };
    let queue = match &s.queue_metrics {
        Some(q) => Some(rows(q, day, "center")?),
        None => None,
    };
    let mut out = format!(
        "<h2>当日 {} 办件、评价、等候</h2>\n<div class=\"kpis\">",
        day.label
    );
    for c in [
        "accepted",
        "completed",
        "completed_instant",
        "overdue_completed",
        "overdue_open",
    ] {
        out.push_str(&kpi(
            CASES.label(c),
            &measure_cell(&CASES, "day.cases", &cases, c, 0),
            "",
        ));
    }
    if let Some(r) = &ratings {
        for c in ["ratings", "satisfaction_rate", "bad_ratings"] {
            out.push_str(&kpi(
                RATINGS.label(c),
                &measure_cell(&RATINGS, "day.ratings", r, c, 0),
                "",
            ));
        }
    }
    if let Some(q) = &queue {
        for c in ["tickets", "wait_mean_min", "wait_p90_min"] {
            out.push_str(&kpi(
                QUEUE.label(c),
                &measure_cell(&QUEUE, "day.queue", q, c, 0),
                "",
            ));
        }
    }
    out.push_str("</div>\n<h3>各窗口当日</h3>\n");
    out.push_str(&per_window(s, day, "day")?);
    Ok(out)
}

/// One row per window: cases, ratings and waits of `period`.
pub fn per_window(s: &Snapshot, period: &Period, prefix: &str) -> Result<String> {
    let cases = rows(&s.case_metrics, period, "window")?;
    let ratings = match &s.rating_metrics {
        Some(r) => rows(r, period, "window")?,
        None => DataFrame::empty(),
    };
    let queue = match &s.queue_metrics {
        Some(q) => rows(q, period, "window")?,
        None => DataFrame::empty(),
    };
    let (ci, ri, qi) = (
        by_key(&cases)?,
        by_key(&ratings).unwrap_or_default(),
        by_key(&queue).unwrap_or_default(),
    );
    let mut keys: Vec<&String> = ci.keys().chain(ri.keys()).chain(qi.keys()).collect();
    keys.sort();
    keys.dedup();
    let case_cols = ["accepted", "completed", "on_time_rate", "overdue_open"];
    let rows: Vec<Vec<String>> = keys
        .iter()
        .map(|w| {
            let mut row = vec![html::window_link(s, w)];
            let p = format!("{prefix}.window.{w}");
            // A window with no row of a table had none of its events:
            // its counts are 0, its rates and means have no value.
            for c in case_cols {
                row.push(match ci.get(*w) {
                    Some(&i) => measure_cell(&CASES, &format!("{p}.cases"), &cases, c, i),
                    None => absent_cell(&CASES, &format!("{p}.cases"), c),
                });
            }
            for c in ["ratings", "satisfaction_rate"] {
                row.push(match ri.get(*w) {
                    Some(&i) => measure_cell(&RATINGS, &format!("{p}.ratings"), &ratings, c, i),
                    None => absent_cell(&RATINGS, &format!("{p}.ratings"), c),
                });
            }
            row.push(match qi.get(*w) {
                Some(&i) => measure_cell(&QUEUE, &format!("{p}.queue"), &queue, "wait_mean_min", i),
                None => absent_cell(&QUEUE, &format!("{p}.queue"), "wait_mean_min"),
            });
            row
        })
        .collect();
    let headers: Vec<&str> = std::iter::once("窗口")
        .chain(case_cols.iter().map(|c| CASES.label(c)))
        .chain(
            ["ratings", "satisfaction_rate"]
                .iter()
                .map(|c| RATINGS.label(c)),
        )
        .chain(std::iter::once(QUEUE.label("wait_mean_min")))
        .collect();
    Ok(table(&headers, &rows))
}

fn month_section(s: &Snapshot, month: &Period) -> Result<String> {
    let view = with_targets(
        period_view(
            &s.case_metrics,
            month,
            "center",
            &crate::metrics::compare::CASES_COMPARED,
        )?,
        &s.targets,
    )?;
    let mut out = format!(
        "<h2>本月累计 {}({} 至 {})与目标</h2>\n",
        month.label,
        month.start,
        s.as_of.date.min(month.end)
    );
    let t = &s.targets;
    let rows: Vec<Vec<String>> = [
        ("on_time_rate", t.on_time_rate),
        ("promise_compression", t.promise_compression),
        ("actual_speedup", t.actual_speedup),
    ]
    .iter()
    .map(|(c, target)| {
        vec![
            esc(CASES.label(c)),
            measure_cell(&CASES, "month.cases", &view, c, 0),
            crate::view::pct(Some(*target)),
            crate::view::met(num(&view, &format!("{c}_met"), 0)).to_string(),
            crate::view::points(
                num(&view, c, 0),
                num(&view, &format!("{c}_prev_period"), 0).or(None),
            ),
        ]
    })
    .collect();
    out.push_str("<div class=\"kpis\">");
    for c in [
        "accepted",
        "completed",
        "instant_rate",
        "early_rate",
        "overdue_open",
    ] {
        out.push_str(&kpi(
            CASES.label(c),
            &measure_cell(&CASES, "month.cases", &view, c, 0),
            "",
        ));
    }
    if let Some(r) = &s.rating_metrics {
        let r = rows_or_empty(r, month)?;
        out.push_str(&kpi(
            RATINGS.label("satisfaction_rate"),
            &measure_cell(&RATINGS, "month.ratings", &r, "satisfaction_rate", 0),
            "",
        ));
    }
    if let Some(q) = &s.queue_metrics {
        let q = rows_or_empty(q, month)?;
        out.push_str(&kpi(
            QUEUE.label("wait_mean_min"),
            &measure_cell(&QUEUE, "month.queue", &q, "wait_mean_min", 0),
            "",
        ));
    }
    out.push_str("</div>\n");
    out.push_str(&table(&["指标", "本月累计", "目标", "达标", "环比"], &rows));
    out.push_str("<h3>各窗口本月累计</h3>\n");
    out.push_str(&per_window(s, month, "month")?);
    Ok(out)
}

fn rows_or_empty(df: &DataFrame, period: &Period) -> Result<DataFrame> {
    rows(df, period, "center")
}
