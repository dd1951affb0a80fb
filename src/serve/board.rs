//! /board: the lobby screen. Full screen, large type; it cycles through
//! the cards of the day, the day's ratings and the red-flag windows (one
//! slide every ten seconds; `?slide=N` holds one) and reloads itself every
//! five minutes, so it follows the snapshot when the store changes.

use super::html::{esc, fig, num, text, Context, Page, STYLE};
use super::today::{by_key, cards_by_window, rows};
use super::Snapshot;
use crate::metrics::cards::red_and_yellow;
use crate::metrics::period::Grain;
use crate::metrics::schema::{Shape, RATINGS};
use anyhow::Result;

/// Rows a slide's table shows.
const ROWS: usize = 8;

const BOARD_STYLE: &str = r#"
body { background: #7a0000; color: #fff; margin: 0; overflow: hidden; }
.bar { display: flex; justify-content: space-between; font-size: 3.2vh; padding: 1.5vh 3vw; background: #500; }
.slide { display: none; padding: 2vh 4vw; height: 85vh; box-sizing: border-box; }
.slide.on { display: block; }
.slide h2 { font-size: 6vh; border: none; margin: 1vh 0 2vh; color: #ffd700; padding: 0; }
.big { display: flex; gap: 4vw; margin-bottom: 3vh; }
.big div { background: rgba(0,0,0,.25); border-radius: 1vh; padding: 1.5vh 3vw; font-size: 3.5vh; }
.big b { display: block; font-size: 11vh; line-height: 1.1; }
.slide table { background: transparent; font-size: 4vh; width: 100%; }
.slide th, .slide td { border: none; border-bottom: 1px solid rgba(255,255,255,.3); padding: .8vh 1vw; color: #fff; }
.slide th { background: rgba(0,0,0,.3); }
.red b, .red { color: #ff6b6b; } .yellow b { color: #ffd700; }
.flag { color: #ffd700; }
"#;

const SCRIPT: &str = r#"
(function () {
  var slides = document.querySelectorAll('.slide');
  var fixed = new URLSearchParams(location.search).get('slide');
  var k = fixed === null ? 0 : Math.max(0, Math.min(slides.length - 1, parseInt(fixed, 10) || 0));
  function show() {
    for (var i = 0; i < slides.length; i++) slides[i].classList.toggle('on', i === k);
  }
  show();
  if (fixed === null) setInterval(function () { k = (k + 1) % slides.length; show(); }, 10000);
  function tick() {
    var d = new Date(), p = function (n) { return (n < 10 ? '0' : '') + n; };
    document.getElementById('clock').textContent = p(d.getHours()) + ':' + p(d.getMinutes());
  }
  tick(); setInterval(tick, 15000);
  setTimeout(function () { location.reload(); }, 300000);
})();
"#;

pub fn page(ctx: &Context) -> Page {
    let s = ctx.snapshot;
    let slides = [cards_slide(s)?, ratings_slide(s)?, flags_slide(s)?];
    Ok(Some(format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{center} 效能监察大屏</title>
<style>{STYLE}{BOARD_STYLE}</style>
</head>
<body>
<div class="bar"><span>{center} · 效能电子监察</span><span>数据截至 <span data-fig="as_of" data-value="{date}">{date}</span> · <span id="clock"></span></span></div>
{slides}
<script>{SCRIPT}</script>
</body>
</html>
"#,
        center = esc(&s.center),
        date = s.as_of.date,
        slides = slides.join("\n"),
    )))
}

fn slide(id: &str, title: &str, body: &str) -> String {
    format!(
        "<section class=\"slide\" data-slide=\"{id}\"><h2>{}</h2>\n{body}</section>",
        esc(title)
    )
}

fn big(label: &str, figure: &str, class: &str) -> String {
    format!("<div class=\"{class}\">{}<b>{figure}</b></div>", esc(label))
}

fn rows_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><tr>");
    for h in headers {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{c}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

fn cards_slide(s: &Snapshot) -> Result<String> {
    let (red, yellow) = red_and_yellow(s.cards_due.iter().map(|c| c.colour));
    let day = s.period(Grain::Day);
    let cases = rows(&s.case_metrics, &day, "center")?;
    let mut body = format!(
        "<div class=\"big\">{}{}{}</div>",
        big(
            "红牌(超期)",
            &fig("board.cards.red", Shape::Count, Some(red as f64)),
            "red"
        ),
        big(
            "黄牌(临期)",
            &fig("board.cards.yellow", Shape::Count, Some(yellow as f64)),
            "yellow"
        ),
        big(
            "当日办结",
            &fig(
                "board.day.cases.completed",
                Shape::Count,
                num(&cases, "completed", 0)
            ),
            ""
        ),
    );
    let per: Vec<Vec<String>> = cards_by_window(&s.cards_due)
        .into_iter()
        .take(ROWS)
        .map(|(w, r, y)| {
            vec![
                format!(
                    "<span data-window=\"{}\">{}</span>",
                    esc(&w),
                    esc(&s.window_label(&w))
                ),
                fig(
                    &format!("board.window.{w}.cards.red"),
                    Shape::Count,
                    Some(r as f64),
                ),
                fig(
                    &format!("board.window.{w}.cards.yellow"),
                    Shape::Count,
                    Some(y as f64),
                ),
            ]
        })
        .collect();
    body.push_str(&rows_table(&["窗口", "红牌", "黄牌"], &per));
    Ok(slide(
        "cards",
        &format!("电子监察 · {} 日终红黄牌", s.as_of.date),
        &body,
    ))
}

fn ratings_slide(s: &Snapshot) -> Result<String> {
    let Some(r) = &s.rating_metrics else {
        return Ok(slide("ratings", "今日评价", "<p>无评价数据。</p>"));
    };
    let day = s.period(Grain::Day);
    let center = rows(r, &day, "center")?;
    let month = rows(r, &s.period(Grain::Month), "center")?;
    let mut body = format!(
        "<div class=\"big\">{}{}{}{}</div>",
        big(
            RATINGS.label("ratings"),
            &fig(
                "board.day.ratings.ratings",
                Shape::Count,
                num(&center, "ratings", 0)
            ),
            ""
        ),
        big(
            RATINGS.label("satisfaction_rate"),
            &fig(
                "board.day.ratings.satisfaction_rate",
                Shape::Percent,
                num(&center, "satisfaction_rate", 0)
            ),
            ""
        ),
        big(
            RATINGS.label("bad_ratings"),
            &fig(
                "board.day.ratings.bad_ratings",
                Shape::Count,
                num(&center, "bad_ratings", 0)
            ),
            "red"
        ),
        big(
            "本月满意率",
            &fig(
                "board.month.ratings.satisfaction_rate",
                Shape::Percent,
                num(&month, "satisfaction_rate", 0)
            ),
            ""
        ),
    );
    let windows = rows(r, &day, "window")?;
    let idx = by_key(&windows)?;
    let mut order: Vec<(&String, &usize)> = idx.iter().collect();
    order.sort_by(|a, b| {
        let n = |i: usize| num(&windows, "ratings", i).unwrap_or(0.0);
        n(*b.1).total_cmp(&n(*a.1)).then(a.0.cmp(b.0))
    });
    let per: Vec<Vec<String>> = order
        .into_iter()
        .take(ROWS)
        .map(|(w, &i)| {
            vec![
                esc(&s.window_label(w)),
                fig(
                    &format!("board.window.{w}.ratings.ratings"),
                    Shape::Count,
                    num(&windows, "ratings", i),
                ),
                fig(
                    &format!("board.window.{w}.ratings.satisfaction_rate"),
                    Shape::Percent,
                    num(&windows, "satisfaction_rate", i),
                ),
            ]
        })
        .collect();
    body.push_str(&rows_table(
        &[
            "窗口",
            RATINGS.label("ratings"),
            RATINGS.label("satisfaction_rate"),
        ],
        &per,
    ));
    Ok(slide(
        "ratings",
        &format!("今日评价 · {}", day.label),
        &body,
    ))
}

fn flags_slide(s: &Snapshot) -> Result<String> {
    let Some(month) = s.latest_ranked(Grain::Month)? else {
        return Ok(slide("flags", "红旗窗口", "<p>尚无评比。</p>"));
    };
    let Some(df) = super::rank::ranking_frame(s, &month)? else {
        return Ok(slide("flags", "红旗窗口", "<p>尚无评比。</p>"));
    };
    let rows: Vec<Vec<String>> = (0..df.height())
        .filter(|&i| text(&df, "band", i).as_deref() == Some("红旗窗口"))
        .map(|i| {
            let w = text(&df, "window_id", i).unwrap_or_default();
            vec![
                fig(
                    &format!("board.flag.{w}.rank"),
                    Shape::Count,
                    num(&df, "rank", i),
                ),
                format!(
                    "<span class=\"flag\" data-flag=\"{}\">★ {}</span>",
                    esc(&w),
                    esc(&s.window_label(&w))
                ),
                esc(&text(&df, "department", i).unwrap_or_default()),
                fig(
                    &format!("board.flag.{w}.score"),
                    Shape::Decimal,
                    num(&df, "score", i),
                ),
            ]
        })
        .collect();
    let body = rows_table(&["名次", "窗口", "部门", "得分"], &rows);
    Ok(slide(
        "flags",
        &format!("红旗窗口 · {} 月度评比", month.label),
        &body,
    ))
}
