//! Workbooks (.xlsx) for people: a report's text on a first sheet
//! 「报告」, then one sheet per table with the Chinese headers and cells of
//! [`sheets`](super::sheets): rates as percentages with two decimals,
//! counts as whole numbers, other figures with two decimals, dates as
//! Excel dates, booleans as 是 / 否; the header row frozen and filtered,
//! the columns as wide as their text (a CJK character counts two).
//! Written with rust_xlsxwriter; the same report gives the same bytes (the
//! workbook's creation date is fixed, not the clock's).

use super::sheets::{sheet_of, Grid, Headers, Sheet, Value};
use crate::text::display_width;
use anyhow::{Context, Result};
use polars::prelude::DataFrame;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};

/// The first sheet's title: the report's text.
pub const TEXT_SHEET: &str = "报告";

/// The rows a sheet holds, its header included.
const MAX_ROWS: usize = 1_048_576;

/// A report's workbook: 「报告」 with its Markdown's lines, then one sheet
/// per table (named by its Chinese title).
pub fn report_workbook(markdown: &str, tables: &[(&str, DataFrame)]) -> Result<Vec<u8>> {
    let mut book = new_workbook()?;
    let formats = Formats::new();
    let text = book.add_worksheet();
    text.set_name(TEXT_SHEET)?;
    write_text(text, markdown, &formats)?;
    let mut titles = vec![TEXT_SHEET.to_string()];
    for (name, df) in tables {
        let sheet = sheet_of(name);
        let title = unique_title(sheet.map_or(*name, |s| s.title), &titles);
        titles.push(title.clone());
        let grid = Grid::of(df, sheet.as_ref(), Headers::Labelled)?;
        write_grid(book.add_worksheet().set_name(&title)?, &grid, &formats)
            .with_context(|| format!("sheet {title} ({name})"))?;
    }
    Ok(book.save_to_buffer()?)
}

/// One table as a workbook of one sheet titled `title`: `metrics`
/// (Chinese headers from `sheet`) and `query` (the SQL's column names).
pub fn table_workbook(
    title: &str,
    df: &DataFrame,
    sheet: Option<&Sheet>,
    headers: Headers,
) -> Result<Vec<u8>> {
    anyhow::ensure!(
        df.height() < MAX_ROWS,
        "{} rows do not fit a sheet (at most {}): use --format csv or parquet",
        df.height(),
        MAX_ROWS - 1
    );
    let mut book = new_workbook()?;
    let formats = Formats::new();
    let grid = Grid::of(df, sheet, headers)?;
    let title = unique_title(title, &[]);
    write_grid(book.add_worksheet().set_name(&title)?, &grid, &formats)?;
    Ok(book.save_to_buffer()?)
}

/// A workbook whose creation date is fixed, so a rerun writes the same
/// bytes (the zip entries' times are fixed by the writer).
fn new_workbook() -> Result<Workbook> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    Ok(book)
}

/// The cell formats of the sheets.
struct Formats {
    header: Format,
    title: Format,
    heading: Format,
    integer: Format,
    percent: Format,
    decimal: Format,
    date: Format,
    datetime: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            heading: Format::new().set_bold(),
            integer: Format::new().set_num_format("0"),
            percent: Format::new().set_num_format("0.00%"),
            decimal: Format::new().set_num_format("0.00"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        }
    }
}

/// A sheet title Excel takes (at most 31 characters, none of `[]:*?/\`)
/// and not among `taken` (a second one gets ` (2)` …).
fn unique_title(title: &str, taken: &[String]) -> String {
    let clean: String = title
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c => c,
        })
        .collect();
    let cut = |s: &str, n: usize| s.chars().take(n).collect::<String>();
    let first = cut(&clean, 31);
    if !taken.contains(&first) {
        return first;
    }
    (2..)
        .map(|k| {
            let suffix = format!(" ({k})");
            format!("{}{suffix}", cut(&clean, 31 - suffix.chars().count()))
        })
        .find(|t| !taken.contains(t))
        .expect("a free title")
}

/// The width of a column whose header and cells are these texts, in
/// Excel's character units: the widest text (a CJK character counts two)
/// and room for the filter button, within 6 and 60.
pub fn column_width<'a>(header: &str, cells: impl Iterator<Item = &'a str>) -> f64 {
    let widest = cells
        .map(display_width)
        .max()
        .unwrap_or(0)
        .max(display_width(header) + 2);
    (widest + 2).clamp(6, 60) as f64
}

/// A table on a sheet: the header row (bold, frozen, filtered), then the
/// cells with their number formats.
fn write_grid(ws: &mut Worksheet, grid: &Grid, f: &Formats) -> Result<()> {
    for (c, header) in grid.headers.iter().enumerate() {
        ws.write_string_with_format(0, col(c)?, header, &f.header)?;
    }
    for (r, row) in grid.rows.iter().enumerate() {
        let r = u32::try_from(r + 1)?;
        for (c, v) in row.iter().enumerate() {
            let c = col(c)?;
            match v {
                Value::Blank => {}
                Value::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Value::Integer(x) => {
                    ws.write_number_with_format(r, c, *x, &f.integer)?;
                }
                Value::Percent(x) => {
                    ws.write_number_with_format(r, c, *x, &f.percent)?;
                }
                Value::Decimal(x) => {
                    ws.write_number_with_format(r, c, *x, &f.decimal)?;
                }
                Value::Number(x) => {
                    ws.write_number(r, c, *x)?;
                }
                Value::Date(d) => {
                    ws.write_datetime_with_format(r, c, excel_date(*d)?, &f.date)?;
                }
                Value::DateTime(t) => {
                    use chrono::Timelike;
                    let at = excel_date(t.date())?.and_hms(
                        u16::try_from(t.hour())?,
                        u8::try_from(t.minute())?,
                        t.second(),
                    )?;
                    ws.write_datetime_with_format(r, c, at, &f.datetime)?;
                }
            }
        }
    }
    if !grid.headers.is_empty() {
        let last_col = col(grid.headers.len() - 1)?;
        ws.set_freeze_panes(1, 0)?;
        ws.autofilter(0, 0, u32::try_from(grid.rows.len())?, last_col)?;
    }
    for (c, header) in grid.headers.iter().enumerate() {
        let texts: Vec<String> = grid.rows.iter().map(|r| shown_text(&r[c])).collect();
        let width = column_width(header, texts.iter().map(String::as_str));
        ws.set_column_width(col(c)?, width)?;
    }
    Ok(())
}

/// A cell's text as the sheet shows it (for its column's width).
fn shown_text(v: &Value) -> String {
    match v {
        Value::DateTime(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        v => v.text(),
    }
}

fn col(c: usize) -> Result<u16> {
    u16::try_from(c).context("more columns than a sheet holds")
}

fn excel_date(d: chrono::NaiveDate) -> Result<ExcelDateTime> {
    use chrono::Datelike;
    Ok(ExcelDateTime::from_ymd(
        u16::try_from(d.year()).context("a date before year 0")?,
        u8::try_from(d.month())?,
        u8::try_from(d.day())?,
    )?)
}

/// The report's text, a line a row: headings bold (the title larger),
/// Markdown tables as cells (their header rows bold), other lines as they
/// are in the first column.
fn write_text(ws: &mut Worksheet, markdown: &str, f: &Formats) -> Result<()> {
    let mut widths: Vec<usize> = Vec::new();
    let mut in_table = false;
    let mut r = 0u32;
    for line in markdown.lines() {
        let line = line.trim_end();
        if let Some(cells) = table_row(line) {
            if cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
            {
                continue; // the separator under a table's header
            }
            let header = !in_table;
            in_table = true;
            for (c, cell) in cells.iter().enumerate() {
                if header {
                    ws.write_string_with_format(r, col(c)?, *cell, &f.header)?;
                } else {
                    ws.write_string(r, col(c)?, *cell)?;
                }
                if widths.len() <= c {
                    widths.resize(c + 1, 0);
                }
                widths[c] = widths[c].max(display_width(cell));
            }
        } else {
            in_table = false;
            let hashes = line.chars().take_while(|c| *c == '#').count();
            let heading = line[hashes..].strip_prefix(' ').filter(|_| hashes > 0);
            match heading {
                Some(h) if hashes == 1 => {
                    ws.write_string_with_format(r, 0, h, &f.title)?;
                }
                Some(h) => {
                    ws.write_string_with_format(r, 0, h, &f.heading)?;
                }
                None if line.is_empty() => {}
                None => {
                    ws.write_string(r, 0, line)?;
                }
            }
        }
        r += 1;
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(col(c)?, ((w + 2).clamp(8, 60)) as f64)?;
    }
    Ok(())
}

/// The cells of a Markdown table row (`| a | b |`), trimmed.
fn table_row(line: &str) -> Option<Vec<&str>> {
    let inner = line.strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cjk_character_counts_two_in_a_width() {
        // 按期办结率 is five characters, ten columns, and the filter button.
        assert_eq!(column_width("按期办结率", ["84.19%"].into_iter()), 14.0);
        assert_eq!(column_width("key", ["W01"].into_iter()), 7.0);
        assert_eq!(column_width("n", std::iter::empty()), 6.0);
        let long = "长".repeat(100);
        assert_eq!(column_width("x", [long.as_str()].into_iter()), 60.0);
    }

    #[test]
    fn titles_are_cut_cleaned_and_made_unique() {
        assert_eq!(unique_title("红黄牌", &[]), "红黄牌");
        assert_eq!(unique_title("a/b", &[]), "a_b");
        let taken = vec!["督办".to_string()];
        assert_eq!(unique_title("督办", &taken), "督办 (2)");
        let long = "x".repeat(40);
        assert_eq!(unique_title(&long, &[]).chars().count(), 31);
        let taken = vec!["x".repeat(31)];
        assert_eq!(
            unique_title(&long, &taken),
            format!("{} (2)", "x".repeat(27))
        );
    }

    #[test]
    fn markdown_table_rows_are_split_and_separators_known() {
        assert_eq!(table_row("| a | 按期 |"), Some(vec!["a", "按期"]));
        assert_eq!(table_row("本月受理"), None);
        assert_eq!(table_row("| --- | --- |"), Some(vec!["---", "---"]));
    }

    #[test]
    fn a_workbook_is_the_same_bytes_twice() {
        let df = polars::df!("window_id" => ["W01"], "on_time_rate" => [0.75]).unwrap();
        let tables = [("cases_by_window", df)];
        let a = report_workbook("# 标题\n\n正文\n", &tables).unwrap();
        let b = report_workbook("# 标题\n\n正文\n", &tables).unwrap();
        assert_eq!(a, b);
        assert_eq!(&a[..2], b"PK");
    }
}
