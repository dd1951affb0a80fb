//! The pages' shell and pieces: the layout with the reports' look (the
//! CJK font served once as `/assets/font.ttf`), figures marked with
//! `data-fig` and their exact value in `data-value` (what the browser test
//! compares with the command line), and tables.

use super::Snapshot;
use crate::metrics::schema::{Shape, Table};
use polars::prelude::*;

/// What every page reads.
pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    /// The last reload that failed, if the current figures are older.
    pub reload_error: Option<&'a str>,
}

/// A page's result: its HTML, or `None` for "no such page".
pub type Page = anyhow::Result<Option<String>>;

/// HTML-escaped text.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A link to `href` (already a URL) showing `text`.
pub fn link(href: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", esc(href), esc(text))
}

/// A link to a window's page, `W05 综合窗口`.
pub fn window_link(s: &Snapshot, id: &str) -> String {
    link(
        &format!("/window/{}", super::encode(id)),
        &s.window_label(id),
    )
}

/// A link to a case's page.
pub fn case_link(id: &str) -> String {
    link(&format!("/case/{}", super::encode(id)), id)
}

/// A value as a column of `shape` shows it.
pub fn shaped(shape: Shape, v: Option<f64>) -> String {
    match (shape, v) {
        (_, None) => "—".into(),
        (Shape::Percent, v) => crate::view::pct(v),
        (Shape::Decimal, Some(x)) => format!("{x:.2}"),
        (Shape::YesNo, Some(x)) => if x > 0.5 { "是" } else { "否" }.into(),
        (_, Some(x)) => format!("{x:.0}"),
    }
}

/// A figure: its shown text, marked with its name and exact value.
pub fn fig(name: &str, shape: Shape, v: Option<f64>) -> String {
    format!(
        "<span class=\"fig\" data-fig=\"{}\" data-value=\"{}\">{}</span>",
        esc(name),
        v.map_or(String::new(), |x| x.to_string()),
        shaped(shape, v)
    )
}

/// A text figure (a code, a date), marked with its name.
pub fn fig_text(name: &str, v: &str) -> String {
    format!(
        "<span class=\"fig\" data-fig=\"{}\" data-value=\"{}\">{}</span>",
        esc(name),
        esc(v),
        esc(v)
    )
}

/// A number of row `i` of column `c` (`None`: null, no row or no column).
pub fn num(df: &DataFrame, c: &str, i: usize) -> Option<f64> {
    crate::view::f64_at(df, c, i).ok().flatten()
}

/// Text of row `i` of column `c`.
pub fn text(df: &DataFrame, c: &str, i: usize) -> Option<String> {
    let column = df.column(c).ok()?;
    if i >= column.len() {
        return None;
    }
    match column.dtype() {
        DataType::String => column.str().ok()?.get(i).map(str::to_string),
        _ => {
            let v = column.get(i).ok()?;
            match v {
                AnyValue::Null => None,
                v => Some(v.to_string().trim_matches('"').to_string()),
            }
        }
    }
}

/// A row's figure of a declared measure: a table cell marked
/// `data-fig="<prefix>.<column>"`.
pub fn measure_cell(table: &Table, prefix: &str, df: &DataFrame, c: &str, i: usize) -> String {
    let m = table.measure(c);
    fig(&format!("{prefix}.{c}"), m.shape, num(df, c, i))
}

/// The figure of a declared measure for a key that has no row in its
/// table (a window listed for its ratings that took no case that day):
/// nothing happened, so a count is 0 and a rate or a mean has no value.
pub fn absent_cell(table: &Table, prefix: &str, c: &str) -> String {
    let m = table.measure(c);
    fig(
        &format!("{prefix}.{c}"),
        m.shape,
        (m.shape == Shape::Count).then_some(0.0),
    )
}

/// An HTML table: headers, then rows of cells already in HTML.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in headers {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            out.push_str(&format!("<td>{c}</td>"));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
    if rows.is_empty() {
        out.push_str("<p class=\"muted\">无。</p>\n");
    }
    out
}

/// The `@font-face` and the styles every page shares.
pub const STYLE: &str = r#"
@font-face { font-family: "XiaonengCJK"; src: url(/assets/font.ttf) format("truetype"); }
body { font-family: "XiaonengCJK", sans-serif; font-size: 15px; line-height: 1.55; margin: 0; color: #111; background: #fafafa; }
header { background: #b00; color: #fff; padding: 8px 20px; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 20px; margin: 0; }
header a { color: #fff; text-decoration: none; }
header a.on { border-bottom: 2px solid #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 8px 20px 30px; }
h2 { font-size: 18px; border-left: 4px solid #b00; padding-left: 8px; margin-top: 22px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 6px 0; background: #fff; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: left; }
th { background: #eee; text-align: center; }
td:has(> .fig) { text-align: right; }
.kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
.kpi { background: #fff; border: 1px solid #ccc; border-radius: 4px; padding: 8px 14px; min-width: 120px; }
.kpi b { display: block; font-size: 26px; }
.kpi small { color: #555; }
.red { color: #c00; } .yellow { color: #b80; } .green { color: #080; }
.muted { color: #666; font-size: 13px; }
figure { margin: 10px 0; background: #fff; border: 1px solid #ddd; }
figure svg { width: 100%; height: auto; display: block; }
svg text { font-family: "XiaonengCJK", sans-serif !important; }
footer { color: #666; font-size: 12px; padding: 10px 20px; border-top: 1px solid #ddd; }
a { color: #0645ad; }
"#;

/// The navigation entries: (path, label).
const NAV: [(&str, &str); 4] = [
    ("/", "今日"),
    ("/rank", "排名"),
    ("/reports", "报告"),
    ("/board", "大屏"),
];

/// A whole page of the board.
pub fn page(ctx: &Context, title: &str, active: &str, body: &str) -> String {
    let s = ctx.snapshot;
    let nav: String = NAV
        .iter()
        .map(|(href, label)| {
            let on = if *href == active { " class=\"on\"" } else { "" };
            format!("<a href=\"{href}\"{on}>{label}</a>")
        })
        .collect();
    let warning = match ctx.reload_error {
        Some(e) => format!(
            "<p class=\"red\">数据未能刷新(仍显示 {} 载入的数据):{}</p>",
            esc(&s.loaded_at),
            esc(e)
        ),
        None => String::new(),
    } + &s
        .problems
        .iter()
        .map(|p| format!("<p class=\"red\">未能读取:{}</p>", esc(p)))
        .collect::<String>();
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {center}</title>
<style>{STYLE}</style>
</head>
<body>
<header><h1>{center} 效能监察</h1>{nav}<span>数据截至 <span data-fig="as_of" data-value="{as_of}">{as_of}</span></span></header>
<main>
{warning}{body}</main>
<footer>只读看板 · 数据截至 {as_of}({source}) · 载入于 {loaded}({secs:.1} 秒){note}</footer>
</body>
</html>
"#,
        title = esc(title),
        center = esc(&s.center),
        as_of = s.as_of.date,
        source = esc(&s.as_of.to_string()),
        loaded = esc(&s.loaded_at),
        secs = s.load_seconds,
        note = s
            .note
            .as_ref()
            .map_or(String::new(), |n| format!(" · {}", esc(n))),
    )
}

/// A short page saying something went wrong or is missing.
pub fn message(title: &str, text: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{STYLE}</style></head><body><main><h2>{t}</h2><p>{m}</p><p><a href=\"/\">返回今日</a></p></main></body></html>",
        t = esc(title),
        m = esc(text)
    )
}

/// A chart (title, SVG) as a figure of the page.
pub fn chart(c: &crate::report::charts::Chart) -> String {
    format!(
        "<figure>{}<figcaption class=\"muted\">{}</figcaption></figure>\n",
        c.1,
        esc(&c.0)
    )
}

/// A big figure with its label (the KPI boxes).
pub fn kpi(label: &str, figure: &str, class: &str) -> String {
    format!(
        "<div class=\"kpi {class}\"><small>{}</small><b>{figure}</b></div>",
        esc(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::schema::{CASES, QUEUE, RATINGS};

    #[test]
    fn a_key_without_a_row_counts_zero_and_has_no_rate() {
        assert_eq!(
            absent_cell(&CASES, "day.window.W01.cases", "accepted"),
            "<span class=\"fig\" data-fig=\"day.window.W01.cases.accepted\" data-value=\"0\">0</span>"
        );
        assert!(absent_cell(&CASES, "p", "overdue_open").ends_with("data-value=\"0\">0</span>"));
        assert!(absent_cell(&RATINGS, "p", "ratings").ends_with("data-value=\"0\">0</span>"));
        for (table, c) in [
            (&CASES, "on_time_rate"),
            (&RATINGS, "satisfaction_rate"),
            (&QUEUE, "wait_mean_min"),
        ] {
            let cell = absent_cell(table, "p", c);
            assert!(cell.ends_with("data-value=\"\">—</span>"), "{c}: {cell}");
        }
    }
}
