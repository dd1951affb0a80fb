//! Workbooks and CSV for people (issue 22): a month's bulletin on a
//! four-case fixture read back from its .xlsx (sheets, Chinese headers,
//! number formats, a date, the frozen header, the text sheet) and its
//! CSV (BOM, Chinese headers, figures as shown); `query` and `metrics`
//! as workbooks; machine CSV unchanged; every report table of the demo
//! with Chinese headers.
//!
//! The fixture: item A1 promises 2 working days. W01: C1 accepted Mon
//! 10-12, done 10-13 (1 day, early); C2 accepted 10-12, done Tue 10-20 (6
//! days, late); C3 accepted 10-14, done 10-15 (early). W02: C4 accepted
//! 10-13, done 10-14 (early). W01 on time 2 of 3 = 66.67%, W02 1 of 1.

use crate::common;

use common::{ok, run};
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

fn fixture() -> tempfile::TempDir {
    let h = crate::common::tempdir();
    let inbox = h.path().join("data/inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    for (name, text) in [
        ("windows.csv", "window_id,name,department\nW01,综合窗口,政务办\nW02,税务窗口,税务\n"),
        ("staff.csv", "staff_id,name,window_id\n1001,张三,W01\n1002,李四,W02\n"),
        ("items.csv", "item_code,name,department,promised_limit_days,effective_from\nA1,登记,政务办,2,2026-01-01\n"),
        (
            "cases.csv",
            "case_id,item_code,window_id,staff_id,accepted_at,completed_at\n\
             C1,A1,W01,1001,2026-10-12 09:00,2026-10-13 10:00\n\
             C2,A1,W01,1001,2026-10-12 09:30,2026-10-20 10:00\n\
             C3,A1,W01,1001,2026-10-14 09:00,2026-10-15 11:00\n\
             C4,A1,W02,1002,2026-10-13 09:00,2026-10-14 16:00\n",
        ),
    ] {
        std::fs::write(inbox.join(name), text).unwrap();
    }
    ok(h.path(), &["ingest"]);
    h
}

/// The parts of a workbook, by name.
struct Book(HashMap<String, String>);

impl Book {
    fn open(path: &Path) -> Book {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut parts = HashMap::new();
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            let mut text = String::new();
            part.read_to_string(&mut text).unwrap();
            parts.insert(part.name().to_string(), text);
        }
        Book(parts)
    }

    fn part(&self, name: &str) -> &str {
        self.0
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.0.keys()))
    }

    /// The sheets' names, in order.
    fn sheets(&self) -> Vec<String> {
        self.part("xl/workbook.xml")
            .split("<sheet name=\"")
            .skip(1)
            .map(|s| s[..s.find('"').unwrap()].to_string())
            .collect()
    }

    /// The XML of the sheet named `name`.
    fn sheet(&self, name: &str) -> &str {
        let k = self.sheets().iter().position(|s| s == name);
        let k = k.unwrap_or_else(|| panic!("no sheet {name} in {:?}", self.sheets()));
        self.part(&format!("xl/worksheets/sheet{}.xml", k + 1))
    }

    fn shared_strings(&self) -> Vec<String> {
        self.part("xl/sharedStrings.xml")
            .split("<si>")
            .skip(1)
            .map(|si| {
                let t = &si[si.find("<t").unwrap()..];
                let text = &t[t.find('>').unwrap() + 1..t.find("</t>").unwrap()];
                text.replace("&quot;", "\"").replace("&amp;", "&")
            })
            .collect()
    }

    /// A cell's (style, type, value) by reference (`B2`).
    fn cell(&self, sheet: &str, at: &str) -> Option<(usize, String, String)> {
        let xml = self.sheet(sheet);
        let start = xml.find(&format!("<c r=\"{at}\""))?;
        let rest = &xml[start..];
        let head = &rest[..rest.find('>').unwrap()];
        let attr = |a: &str| -> Option<String> {
            let i = head.find(&format!(" {a}=\""))? + a.len() + 3;
            Some(head[i..i + head[i..].find('"').unwrap()].to_string())
        };
        let value = match (rest.find("<v>"), rest.find("</c>")) {
            (Some(v), Some(end)) if v < end => rest[v + 3..rest.find("</v>").unwrap()].to_string(),
            _ => String::new(),
        };
        let style = attr("s").map_or(0, |s| s.parse().unwrap());
        Some((style, attr("t").unwrap_or_default(), value))
    }

    /// A cell's text: its shared string, or its number as written.
    fn text(&self, sheet: &str, at: &str) -> String {
        let (_, t, v) = self
            .cell(sheet, at)
            .unwrap_or_else(|| panic!("no {sheet}!{at}"));
        match t.as_str() {
            "s" => self.shared_strings()[v.parse::<usize>().unwrap()].clone(),
            _ => v,
        }
    }

    /// The number format of a cell (`General` when it has none).
    fn number_format(&self, sheet: &str, at: &str) -> String {
        let (style, _, _) = self.cell(sheet, at).unwrap();
        let styles = self.part("xl/styles.xml");
        let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
        let xf = xfs.split("<xf ").nth(style + 1).unwrap();
        let id = &xf[xf.find("numFmtId=\"").unwrap() + 10..];
        let id = &id[..id.find('"').unwrap()];
        if id == "0" {
            return "General".into();
        }
        let code = styles
            .split("<numFmt ")
            .skip(1)
            .find(|f| f.starts_with(&format!("numFmtId=\"{id}\"")))
            .unwrap_or_else(|| panic!("no numFmt {id}"));
        let code = &code[code.find("formatCode=\"").unwrap() + 12..];
        code[..code.find('"').unwrap()].to_string()
    }

    /// The column (`A`, `B` … `AA`) of the header `label` on a sheet.
    fn column_of(&self, sheet: &str, label: &str) -> String {
        for c in 0..200 {
            let at = format!("{}1", letters(c));
            match self.cell(sheet, &at) {
                Some(_) if self.text(sheet, &at) == label => return letters(c),
                Some(_) => {}
                None => break,
            }
        }
        panic!("no header {label} on {sheet}")
    }
}

fn letters(mut c: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (c % 26) as u8) as char);
        if c < 26 {
            return s;
        }
        c = c / 26 - 1;
    }
}

/// Excel's serial number of a day.
fn serial(y: i32, m: u32, d: u32) -> String {
    let day = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    (day - epoch).num_days().to_string()
}

#[test]
fn a_bulletin_is_written_as_a_workbook_and_as_csv_for_people() {
    let h = fixture();
    ok(
        h.path(),
        &[
            "report",
            "monthly",
            "--month",
            "2026-10",
            "--center",
            "测试中心",
        ],
    );
    let dir = h.path().join("reports/2026-10");
    let book = Book::open(&dir.join("bulletin.xlsx"));

    // The text first, then a sheet per table with its Chinese title.
    let sheets = book.sheets();
    assert_eq!(sheets[0], "报告", "{sheets:?}");
    for title in ["各窗口办件", "红旗窗口评比", "三零", "三在三问"] {
        assert!(sheets.iter().any(|s| s == title), "{title}: {sheets:?}");
    }
    // The text sheet: the title (larger, bold), the lines as they are.
    let strings = book.shared_strings();
    for line in [
        "测试中心 2026-10 月通报",
        "一、总体情况",
        "统计期间 2026-10-01 至 2026-10-31,数据截至 2026-10-31。",
    ] {
        assert!(strings.iter().any(|s| s == line), "{line}: {strings:?}");
    }
    assert_eq!(book.text("报告", "A1"), "测试中心 2026-10 月通报");

    // The cases per window: Chinese headers, frozen and filtered.
    let s = "各窗口办件";
    assert_eq!(book.text(s, "A1"), "粒度");
    let xml = book.sheet(s);
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{xml}"
    );
    assert!(xml.contains("<autoFilter ref=\"A1:"), "{xml}");
    // W01 (row 2): 66.67% on time, as the number 2/3 shown 0.00%.
    let key = book.column_of(s, "对象");
    assert_eq!(book.text(s, &format!("{key}2")), "W01");
    let rate = format!("{}2", book.column_of(s, "按期办结率"));
    let value: f64 = book.text(s, &rate).parse().unwrap();
    assert!((value - 2.0 / 3.0).abs() < 1e-12, "{value}");
    assert_eq!(book.number_format(s, &rate), "0.00%");
    // Accepted 3: an integer.
    let accepted = format!("{}2", book.column_of(s, "受理"));
    assert_eq!(book.text(s, &accepted), "3");
    assert_eq!(book.number_format(s, &accepted), "0");
    // Mean elapsed (1 + 6 + 1) / 3 = 2.67 days: two decimals.
    let mean = format!("{}2", book.column_of(s, "平均用时"));
    assert_eq!(book.number_format(s, &mean), "0.00");
    // The period's first day: an Excel date.
    let start = format!("{}2", book.column_of(s, "起"));
    assert_eq!(book.text(s, &start), serial(2026, 10, 1));
    assert_eq!(book.number_format(s, &start), "yyyy-mm-dd");
    // The target flags as 是 / 否: W01 misses 98% on time, W02 meets it.
    let met = book.column_of(s, "按期办结率达标");
    assert_eq!(book.text(s, &format!("{met}2")), "否");
    assert_eq!(book.text(s, &format!("{met}3")), "是");

    // The same table as CSV for people.
    let csv = std::fs::read_to_string(dir.join("cases_by_window.csv")).unwrap();
    assert!(
        csv.starts_with("\u{feff}粒度,期间,起,止,层级,对象,名称,受理,办结,"),
        "{csv}"
    );
    let rows = common::report_rows(&dir.join("cases_by_window.csv"));
    let w01 = rows.iter().find(|r| r["对象"] == "W01").unwrap();
    // The window's name beside its code.
    assert_eq!(w01["名称"], "综合窗口");
    assert_eq!(
        [
            &w01["受理"],
            &w01["按期办结率"],
            &w01["平均用时"],
            &w01["起"],
            &w01["按期办结率达标"]
        ],
        ["3", "66.67%", "2.67", "2026-10-01", "否"]
    );
    // Every table of the report has its workbook sheet and its CSV.
    let csvs = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "csv")
        })
        .count();
    assert_eq!(sheets.len(), csvs + 1, "{sheets:?}");
}

#[test]
fn query_and_metrics_write_workbooks_and_machine_csv_stays_as_it_was() {
    let h = fixture();
    let sql = "SELECT case_id, accepted_at, window_id FROM cases ORDER BY case_id";
    // Machine CSV: no BOM, the SQL's names, values as stored.
    let csv = ok(h.path(), &["query", sql, "--format", "csv"]);
    assert!(
        csv.starts_with("case_id,accepted_at,window_id\nC1,2026-10-12T09:00:00.000,W01\n"),
        "{csv}"
    );
    let metrics = ok(
        h.path(),
        &[
            "metrics", "cases", "--period", "2026-10", "--level", "window", "--format", "csv",
        ],
    );
    assert!(
        metrics.starts_with("grain,period,period_start,"),
        "{metrics}"
    );
    assert!(metrics.contains(",0.6666666666666666,"), "{metrics}");

    // A query as a workbook: one sheet 查询, the SQL's names, times as dates.
    let out = h.path().join("q.xlsx");
    ok(
        h.path(),
        &[
            "query",
            sql,
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let book = Book::open(&out);
    assert_eq!(book.sheets(), ["查询"]);
    assert_eq!(
        [book.text("查询", "A1"), book.text("查询", "B1")],
        ["case_id", "accepted_at"]
    );
    assert_eq!(book.text("查询", "A2"), "C1");
    let at: f64 = book.text("查询", "B2").parse().unwrap();
    let want = serial(2026, 10, 12).parse::<f64>().unwrap() + 9.0 / 24.0;
    assert!((at - want).abs() < 1e-9, "{at}");
    assert_eq!(book.number_format("查询", "B2"), "yyyy-mm-dd hh:mm");
    assert!(book.sheet("查询").contains("state=\"frozen\""));

    // Without --out: a clear error, nothing written.
    let failed = run(h.path(), &["query", sql, "--format", "xlsx"]);
    assert!(!failed.status.success());
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(err.contains("--out FILE.xlsx"), "{err}");
    let failed = run(
        h.path(),
        &[
            "metrics", "cases", "--period", "2026-10", "--format", "xlsx",
        ],
    );
    assert!(String::from_utf8_lossy(&failed.stderr).contains("--out FILE.xlsx"));

    // The case metrics as a workbook: the table's Chinese headers.
    let out = h.path().join("m.xlsx");
    ok(
        h.path(),
        &[
            "metrics",
            "cases",
            "--period",
            "2026-10",
            "--level",
            "window",
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let book = Book::open(&out);
    assert_eq!(book.sheets(), ["办件效能"]);
    let s = "办件效能";
    let rate = format!("{}2", book.column_of(s, "按期办结率"));
    assert_eq!(book.number_format(s, &rate), "0.00%");
    assert!((book.text(s, &rate).parse::<f64>().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    // --out with csv writes what stdout would have shown.
    let out = h.path().join("m.csv");
    ok(
        h.path(),
        &[
            "metrics",
            "cases",
            "--period",
            "2026-10",
            "--level",
            "window",
            "--format",
            "csv",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), metrics);
}

/// Whether `s` holds a CJK character.
fn chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn every_report_table_of_the_demo_has_chinese_headers() {
    let h = common::demo_home();
    for args in [
        ["report", "daily", "--date", "2026-10-29"],
        ["report", "weekly", "--week", "2026-W42"],
        ["report", "quarterly", "--quarter", "2026-Q3"],
        ["report", "annual", "--year", "2026"],
    ] {
        ok(h.path(), &args);
    }
    let mut tables = 0;
    let mut books = 0;
    for folder in std::fs::read_dir(h.path().join("reports")).unwrap() {
        let folder = folder.unwrap().path();
        for file in std::fs::read_dir(&folder).unwrap() {
            let path = file.unwrap().path();
            match path.extension().and_then(|x| x.to_str()) {
                Some("csv") => {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let header = text
                        .strip_prefix('\u{feff}')
                        .unwrap_or_else(|| panic!("{} has no BOM", path.display()))
                        .lines()
                        .next()
                        .unwrap();
                    for h in common::split_csv(header) {
                        assert!(chinese(&h), "{}: {h} has no Chinese label", path.display());
                    }
                    tables += 1;
                }
                Some("md") => {
                    assert!(path.with_extension("xlsx").is_file(), "{}", path.display());
                    let book = Book::open(&path.with_extension("xlsx"));
                    assert_eq!(book.sheets()[0], "报告");
                    books += 1;
                }
                _ => {}
            }
        }
    }
    // Daily, weekly, the month the demo wrote, the quarter and the year.
    assert_eq!(books, 5);
    assert!(tables > 20, "{tables}");
}
