//! A report as one self-contained HTML file: the Markdown's headings,
//! paragraphs and tables, the charts as inline SVG, and the CJK font
//! embedded, so it opens offline and prints on A4 the same everywhere.

use base64::Engine;

/// The embedded CJK font (see data/fonts); `serve` sends it as
/// `/assets/font.ttf`.
pub const FONT: &[u8] = include_bytes!("../../data/fonts/xiaoneng-cjk.ttf");

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A line of text, escaped, a command between backticks as code.
fn text(line: &str) -> String {
    // An unpaired backtick is text.
    if !line.matches('`').count().is_multiple_of(2) {
        return escape(line);
    }
    let mut out = String::new();
    for (k, part) in escape(line).split('`').enumerate() {
        match k % 2 == 1 {
            true => out.push_str(&format!("<code>{part}</code>")),
            false => out.push_str(part),
        }
    }
    out
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| escape(c.trim()))
        .collect()
}

/// Whether a table cell is a short Chinese word kept on one line (a
/// person's name, a status: 崔丽军 read as 崔丽 / 军 in a narrow column);
/// longer text wraps, codes do not need to.
fn is_short_word(cell: &str) -> bool {
    !cell.is_ascii() && cell.chars().count() <= 4
}

/// Whether a table cell is a figure (a count, a rate, a change, a date,
/// "—"), set right as figures are; codes, names and words read from the
/// left.
fn is_figure(cell: &str) -> bool {
    !cell.is_empty()
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || ".,:+-% —p".contains(c))
        && cell.chars().any(|c| c.is_ascii_digit() || c == '—')
}

/// The cell of no value.
const NO_VALUE: &str = "—";

/// The headers of columns of codes that are all digits (a staff member's
/// number): codes, set left, though each cell reads as a figure.
const DIGIT_CODES: [&str; 1] = ["工号"];

/// Whether each column of a table holds figures: not a column of
/// [`DIGIT_CODES`], and every cell with a value is one (a column of "—"
/// only counts as figures).
fn figure_columns(headers: &[String], rows: &[Vec<String>]) -> Vec<bool> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..width)
        .map(|k| {
            !headers
                .get(k)
                .is_some_and(|h| DIGIT_CODES.contains(&h.as_str()))
                && rows
                    .iter()
                    .filter_map(|r| r.get(k))
                    .filter(|c| c.as_str() != NO_VALUE && !c.is_empty())
                    .all(|c| is_figure(c))
        })
        .collect()
}

/// The HTML body of the Markdown the reports write (headings of three
/// levels, paragraphs, lists, pipe tables; a figure's cell of class `n`,
/// a short word's `k`, a command between backticks as code).
pub fn markdown_body(markdown: &str) -> String {
    let mut out = String::new();
    let lines: Vec<&str> = markdown.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(h) = line.strip_prefix("### ") {
            out.push_str(&format!("<h3>{}</h3>\n", escape(h)));
        } else if let Some(h) = line.strip_prefix("## ") {
            out.push_str(&format!("<h2>{}</h2>\n", escape(h)));
        } else if let Some(h) = line.strip_prefix("# ") {
            out.push_str(&format!("<h1>{}</h1>\n", escape(h)));
        } else if line.starts_with('|') {
            out.push_str("<table>\n");
            let headers = cells(line);
            out.push_str(&format!(
                "<thead><tr>{}</tr></thead>\n<tbody>\n",
                headers
                    .iter()
                    .map(|c| format!("<th>{c}</th>"))
                    .collect::<String>()
            ));
            i += 2; // the header and its --- line
            let mut rows: Vec<Vec<String>> = Vec::new();
            while i < lines.len() && lines[i].starts_with('|') {
                rows.push(cells(lines[i]));
                i += 1;
            }
            let figures = figure_columns(&headers, &rows);
            for row in &rows {
                out.push_str(&format!(
                    "<tr>{}</tr>\n",
                    row.iter()
                        .enumerate()
                        .map(|(k, c)| {
                            // "—" (no value) is set as its column is, and
                            // so is a code of digits.
                            let column = figures.get(k).copied().unwrap_or(true);
                            let figure = match c.as_str() {
                                NO_VALUE => column,
                                _ => is_figure(c) && column,
                            };
                            match (figure, is_short_word(c)) {
                                (true, _) => format!("<td class=\"n\">{c}</td>"),
                                (false, true) => format!("<td class=\"k\">{c}</td>"),
                                (false, false) => format!("<td>{c}</td>"),
                            }
                        })
                        .collect::<String>()
                ));
            }
            out.push_str("</tbody></table>\n");
            continue;
        } else if line.starts_with("- ") {
            out.push_str("<ul>\n");
            while let Some(item) = lines.get(i).and_then(|l| l.strip_prefix("- ")) {
                out.push_str(&format!("<li>{}</li>\n", text(item)));
                i += 1;
            }
            out.push_str("</ul>\n");
            continue;
        } else if !line.trim().is_empty() {
            out.push_str(&format!("<p>{}</p>\n", text(line)));
        }
        i += 1;
    }
    out
}

/// The whole page: styles with the embedded font, the body, the charts.
pub fn page(title: &str, markdown: &str, charts: &[(String, String)]) -> String {
    let font = base64::engine::general_purpose::STANDARD.encode(FONT);
    let mut figures = String::new();
    if !charts.is_empty() {
        figures.push_str("<h2>附图</h2>\n");
        for (caption, svg) in charts {
            figures.push_str(&format!(
                "<figure>{svg}<figcaption>{}</figcaption></figure>\n",
                escape(caption)
            ));
        }
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
@font-face {{ font-family: "XiaonengCJK"; src: url(data:font/ttf;base64,{font}) format("truetype"); }}
@page {{ size: A4; margin: 15mm; }}
body {{ font-family: "XiaonengCJK", sans-serif; font-size: 10.5pt; line-height: 1.6; max-width: 180mm; margin: 0 auto; color: #111; }}
h1 {{ font-size: 18pt; text-align: center; border-bottom: 2px solid #b00; padding-bottom: 4pt; }}
h2 {{ font-size: 13pt; margin-top: 14pt; }}
h3 {{ font-size: 11pt; margin-top: 10pt; }}
code {{ font-family: "XiaonengCJK", monospace; background: #f2f2f2; padding: 0 2pt; }}
table {{ border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4pt 0; page-break-inside: auto; }}
th, td {{ border: 1px solid #999; padding: 1.5pt 3pt; text-align: left; }}
th {{ background: #eee; text-align: center; }}
td.n {{ text-align: right; white-space: nowrap; }}
td.k {{ white-space: nowrap; }}
tr {{ page-break-inside: avoid; }}
figure {{ margin: 8pt 0; page-break-inside: avoid; }}
figure svg {{ width: 100%; height: auto; }}
svg text {{ font-family: "XiaonengCJK", sans-serif !important; }}
figcaption {{ text-align: center; font-size: 9pt; color: #444; }}
</style>
</head>
<body>
{body}{figures}</body>
</html>
"#,
        title = escape(title),
        body = markdown_body(markdown),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_tables_and_headings_become_html() {
        let md = "# 标题\n\n### 督办与整改\n\n正文 <b>\n\n- 参评窗口 27 个\n- 见 `xiaoneng rank`\n\n| 窗口 | 得分 |\n| --- | --- |\n| W01 | 99.50 |\n";
        let html = markdown_body(md);
        assert_eq!(
            html,
            "<h1>标题</h1>\n<h3>督办与整改</h3>\n<p>正文 &lt;b&gt;</p>\n<ul>\n<li>参评窗口 27 个</li>\n<li>见 <code>xiaoneng rank</code></li>\n</ul>\n<table>\n<thead><tr><th>窗口</th><th>得分</th></tr></thead>\n<tbody>\n<tr><td>W01</td><td class=\"n\">99.50</td></tr>\n</tbody></table>\n"
        );
        assert!(page("t", md, &[]).contains("@font-face"));
    }

    #[test]
    fn a_command_between_backticks_is_code_a_lone_backtick_text() {
        assert_eq!(text("见 `a < b`。"), "见 <code>a &lt; b</code>。");
        assert_eq!(text("a ` b"), "a ` b");
    }

    #[test]
    fn a_name_stays_on_one_line() {
        assert!(is_short_word("崔丽军") && is_short_word("缺卡"));
        assert!(!is_short_word("工商注册登记窗口") && !is_short_word("W01"));
        let html = markdown_body("| 工号 | 姓名 |\n| --- | --- |\n| 1002 | 崔丽军 |\n");
        assert!(html.contains("<td class=\"k\">崔丽军</td>"), "{html}");
    }

    #[test]
    fn a_column_sets_its_no_value_and_a_staff_number_is_a_code() {
        // (table, rows it must hold). In a column of names "—" is a word,
        // set left; in one of figures a figure, set right; a column with
        // nothing else holds figures. A staff number (工号) is a code, set
        // left, though all digits.
        for (md, rows) in [
            (
                "| 窗口 | 姓名 | 办结 | 备注 |\n| --- | --- | --- | --- |\n| W01 | — | — | — |\n| W02 | 崔丽军 | 12 | 超期未整改 |\n",
                vec![
                    "<tr><td>W01</td><td class=\"k\">—</td><td class=\"n\">—</td><td class=\"k\">—</td></tr>",
                    "<tr><td>W02</td><td class=\"k\">崔丽军</td><td class=\"n\">12</td><td>超期未整改</td></tr>",
                ],
            ),
            (
                "| 办结 |\n| --- |\n| — |\n",
                vec!["<tr><td class=\"n\">—</td></tr>"],
            ),
            (
                "| 工号 | 姓名 | 办结 |\n| --- | --- | --- |\n| 1002 | 崔丽军 | 12 |\n| — | — | 3 |\n",
                vec![
                    "<tr><td>1002</td><td class=\"k\">崔丽军</td><td class=\"n\">12</td></tr>",
                    "<tr><td class=\"k\">—</td><td class=\"k\">—</td><td class=\"n\">3</td></tr>",
                ],
            ),
        ] {
            let html = markdown_body(md);
            for row in rows {
                assert!(html.contains(row), "{row} in\n{html}");
            }
        }
    }

    #[test]
    fn figures_are_set_right_and_words_left() {
        for figure in [
            "13",
            "98.29%",
            "+31.1%",
            "-0.0pp",
            "-212",
            "2026-10-20",
            "—",
            "3.37",
        ] {
            assert!(is_figure(figure), "{figure}");
        }
        for word in [
            "W04",
            "BJ202602090210",
            "户政窗口",
            "缺卡",
            "2 审查",
            "p",
            "",
        ] {
            assert!(!is_figure(word), "{word}");
        }
    }
}
