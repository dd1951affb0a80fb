//! 排名: the window ranking of the latest month, two-month period and
//! quarter (or of `?period=`), as `rank` prints it, each window with a link
//! to the explanation of its score: the events behind it and the
//! assessment's dimensions, metrics and points.

use super::html::{self, esc, measure_cell, table, text, Context, Page};
use super::{Snapshot, Target};
use crate::metrics::assessment::{explain_assessment, with_grades};
use crate::metrics::period::{parse_period, Grain, Period};
use crate::metrics::schema::{Shape, WINDOWS_RANKED};
use crate::metrics::scoring::{
    explain as explain_events, explain_summary, ranking_of, RANKING_GRAINS,
};
use anyhow::Result;
use polars::prelude::*;

pub fn page(ctx: &Context, target: &Target) -> Page {
    let s = ctx.snapshot;
    let periods: Vec<Period> = match target.param("period") {
        Some(p) => match parse_period(p) {
            Ok(p) if RANKING_GRAINS.contains(&p.grain) => vec![p],
            _ => return Ok(None),
        },
        None => [Grain::Month, Grain::Bimonth, Grain::Quarter]
            .iter()
            .filter_map(|g| s.latest_ranked(*g).transpose())
            .collect::<Result<_>>()?,
    };
    let mut body = String::from(
        "<p class=\"muted\">红旗窗口评比(按事件计分),考核总分与等次在旁;点“说明”看得分依据。其他期别:<code>/rank?period=2026-Q3</code>。</p>\n",
    );
    for p in &periods {
        body.push_str(&ranking(s, p)?);
    }
    Ok(Some(html::page(ctx, "排名", "/rank", &body)))
}

/// The ranking of `period` as a table.
pub fn ranking_frame(s: &Snapshot, period: &Period) -> Result<Option<DataFrame>> {
    let Some(windows) = &s.window_scores else {
        return Ok(None);
    };
    let ranking = ranking_of(windows, period)?;
    Ok(Some(match &s.assessment_scores {
        Some(a) => with_grades(ranking, a, period)?,
        None => ranking,
    }))
}

fn ranking(s: &Snapshot, period: &Period) -> Result<String> {
    let Some(df) = ranking_frame(s, period)? else {
        return Ok(String::new());
    };
    let t = &WINDOWS_RANKED;
    let prefix = format!("rank.{}", period.label);
    let rows: Vec<Vec<String>> = (0..df.height())
        .map(|i| {
            let w = text(&df, "window_id", i).unwrap_or_default();
            let p = format!("{prefix}.{w}");
            vec![
                measure_cell(t, &p, &df, "rank", i),
                format!(
                    "<span data-window=\"{}\">{}</span>",
                    esc(&w),
                    html::window_link(s, &w)
                ),
                esc(&text(&df, "department", i).unwrap_or_default()),
                measure_cell(t, &p, &df, "score", i),
                format!(
                    "<span data-fig=\"{p}.band\" data-value=\"{b}\">{b}</span>",
                    b = esc(&text(&df, "band", i).unwrap_or_default())
                ),
                esc(&text(&df, "veto", i).unwrap_or_default()),
                html::shaped(Shape::YesNo, html::num(&df, "talk", i)),
                measure_cell(t, &p, &df, "on_time_rate", i),
                measure_cell(t, &p, &df, "satisfaction_rate", i),
                measure_cell(t, &p, &df, "completed", i),
                measure_cell(t, &p, &df, "events", i),
                html::fig(
                    &format!("{p}.assessment"),
                    Shape::Decimal,
                    html::num(&df, "assessment", i),
                ),
                esc(&text(&df, "grade", i).unwrap_or_default()),
                format!(
                    "<a href=\"/rank/explain?period={}&amp;window={}\">说明</a>",
                    super::encode(&period.label),
                    super::encode(&w)
                ),
            ]
        })
        .collect();
    let headers = [
        t.label("rank"),
        "窗口",
        t.label("department"),
        t.label("score"),
        t.label("band"),
        t.label("veto"),
        t.label("talk"),
        t.label("on_time_rate"),
        t.label("satisfaction_rate"),
        t.label("completed"),
        t.label("events"),
        "考核总分",
        "等次",
        "",
    ];
    Ok(format!(
        "<h2>{} {}({} 至 {})</h2>\n{}",
        esc(&period.label),
        grain_word(period.grain),
        period.start,
        period.end,
        table(&headers, &rows)
    ))
}

/// 月度, 双月, 季度, 年度.
pub fn grain_word(g: Grain) -> &'static str {
    match g {
        Grain::Month => "月度评比",
        Grain::Bimonth => "双月评比",
        Grain::Quarter => "季度评比",
        Grain::Year => "年度评比",
        _ => "评比",
    }
}

/// `/rank/explain?period=…&window=…`: the events behind the window's
/// score (`rank --explain`) and its assessment's points.
pub fn explain(ctx: &Context, target: &Target) -> Page {
    let s = ctx.snapshot;
    let (Some(p), Some(w)) = (target.param("period"), target.param("window")) else {
        return Ok(None);
    };
    let Ok(period) = parse_period(p) else {
        return Ok(None);
    };
    let (Some(windows), Some(events)) = (&s.window_scores, &s.score_events) else {
        return Ok(None);
    };
    let events = explain_events(events, &period, w)?;
    let summary = explain_summary(windows, &events, &period, w, &s.scoring)?;
    let mut body = format!(
        "<h2>{} · {} 得分说明</h2>\n<p data-fig=\"explain.summary\">{}</p>\n",
        esc(&s.window_label(w)),
        esc(&period.label),
        esc(&summary)
    );
    body.push_str(&markdown_table(
        &crate::view::worded_events(&events)?,
        crate::view::events_table_columns(),
    )?);
    if let (Some(assessed), Some(points)) = (&s.assessment_scores, &s.assessment_points) {
        if let Ok((line, frame)) = explain_assessment(assessed, points, &period, "window", w) {
            body.push_str(&format!(
                "<h3>考核得分(维度 → 指标 → 指标值 → 得分)</h3>\n<p>{}</p>\n",
                esc(&line)
            ));
            body.push_str(&markdown_table(
                &frame,
                crate::view::assessment_points_columns(),
            )?);
        }
    }
    Ok(Some(html::page(ctx, "得分说明", "/rank", &body)))
}

/// A frame shown as `view` shows it, as an HTML table.
fn markdown_table(df: &DataFrame, columns: Vec<(&str, crate::view::Cell)>) -> Result<String> {
    let md = crate::view::render_markdown(df, &columns)?;
    Ok(crate::report::html::markdown_body(&md))
}
