//! Real exports, as three vendors' systems write them (hand-written in
//! `tests/fixtures/exports/`, see its README): GBK with CRLF and units in
//! the headers, UTF-8 with a BOM and English headers, CR-only and mixed
//! line ends with other provinces' Chinese headers; vocabularies instead
//! of numbers and yes/no; a suspension kind carried by the file name; a
//! last line cut off mid-timestamp. Each folder, ingested into an empty
//! store, gives the stored and rejected counts and the reject lines of its
//! `expected.csv`, with no configuration.

use crate::common;

use common::{csv_rows, ok, run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A fresh home with `files` (name, text) written into `<home>/inbox/`.
fn inbox_with(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let home = crate::common::tempdir();
    let dir = home.path().join("inbox");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    (home, dir)
}

fn fixture(vendor: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exports")
        .join(vendor)
}

fn check_vendor(vendor: &str) {
    let dir = fixture(vendor);
    let expected = csv_rows(&std::fs::read_to_string(dir.join("expected.csv")).unwrap());
    let home = crate::common::tempdir();
    let h = home.path();
    let files: Vec<String> = expected
        .iter()
        .map(|e| dir.join(&e["file"]).to_string_lossy().to_string())
        .collect();
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));
    let summary = ok(h, &args);
    assert!(!summary.contains("FAILED"), "{summary}");

    // Per file: the table taken, read, stored, rejected.
    let ledger = ok(
        h,
        &[
            "query",
            "SELECT file, \"table\", read, stored, rejected FROM ledger",
            "--format",
            "csv",
        ],
    );
    let by_file: BTreeMap<String, _> = csv_rows(&ledger)
        .into_iter()
        .map(|r| {
            let name = Path::new(&r["file"])
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            (name, r)
        })
        .collect();
    let rejects = ok(
        h,
        &[
            "query",
            "SELECT file, line, reason FROM rejects",
            "--format",
            "csv",
        ],
    );
    let rejects = csv_rows(&rejects);
    for e in &expected {
        let name = &e["file"];
        let got = by_file
            .get(name)
            .unwrap_or_else(|| panic!("{vendor}/{name} not in the ledger:\n{summary}"));
        for k in ["table", "read", "stored", "rejected"] {
            assert_eq!(
                got[k], e[k],
                "{vendor}/{name}: {k}\n{summary}\n{rejects:#?}"
            );
        }
        let mut lines: Vec<String> = rejects
            .iter()
            .filter(|r| Path::new(&r["file"]).file_name().unwrap().to_string_lossy() == *name)
            .map(|r| r["line"].clone())
            .collect();
        lines.sort_by_key(|l| l.parse::<u64>().unwrap());
        let want: Vec<String> = e["reject_lines"]
            .split(';')
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        assert_eq!(lines, want, "{vendor}/{name}: reject lines\n{rejects:#?}");
    }
}

#[test]
fn vendor_a_gbk_crlf_units_in_headers_words_and_an_attlog_cut_off() {
    check_vendor("vendor_a");
    // The cut-off last punch is rejected as truncated, not stored as 17:00.
    let home = crate::common::tempdir();
    let dir = fixture("vendor_a");
    let files: Vec<String> = ["窗口.csv", "人员.csv", "1_attlog.dat"]
        .iter()
        .map(|f| dir.join(f).to_string_lossy().to_string())
        .collect();
    let mut args = vec!["ingest"];
    args.extend(files.iter().map(String::as_str));
    ok(home.path(), &args);
    let out = ok(
        home.path(),
        &[
            "query",
            "SELECT line, reason, raw FROM rejects",
            "--format",
            "csv",
        ],
    );
    assert!(out.contains("truncated"), "{out}");
    assert!(!out.contains("\r"), "raw text without line ends: {out:?}");
    let stored = ok(
        home.path(),
        &[
            "query",
            "SELECT count(*) AS n FROM punches WHERE punched_at = '2026-10-16 17:00:00'",
            "--format",
            "csv",
        ],
    );
    assert_eq!(stored.lines().nth(1), Some("0"), "{stored}");
}

#[test]
fn vendor_b_utf8_bom_english_headers_and_a_kind_from_the_file_name() {
    check_vendor("vendor_b");
}

#[test]
fn vendor_c_cr_only_and_mixed_line_ends_other_provinces_headers() {
    check_vendor("vendor_c");
}

#[test]
fn a_file_without_a_required_column_fails_once_and_its_dependants_say_why() {
    // The windows export calls its name column 窗口描述: no built-in name.
    let (home, dir) = inbox_with(&[
        (
            "windows.csv",
            "窗口编号,窗口描述,部门\nW01,税务,税务局\nW02,社保,人社局\n",
        ),
        (
            "staff.csv",
            "工号,姓名,窗口编号\n1001,张三,W01\n1002,李四,W02\n",
        ),
    ]);
    let h = home.path();
    let out = run(h, &["ingest", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a failed file: exit 1");
    let summary = String::from_utf8(out.stdout).unwrap();
    assert!(summary.contains("windows.csv"), "{summary}");
    assert!(summary.contains("FAILED"), "{summary}");
    assert!(
        summary.contains(r#"[columns.windows] "窗口描述" = "name""#),
        "{summary}"
    );
    // The staff rows are one root cause, not two defects.
    assert!(
        summary.contains("2 rows: their windows are missing — windows.csv failed"),
        "{summary}"
    );
    // Nothing lost: every row is stored or rejected with its reason.
    let n = ok(
        h,
        &[
            "query",
            "SELECT count(*) AS n FROM rejects",
            "--format",
            "csv",
        ],
    );
    assert_eq!(n.lines().nth(1), Some("4"), "{n}");

    // Fixed by one [columns] line; the same bytes are read again, then the
    // dependants with --force.
    std::fs::write(
        h.join("xiaoneng.toml"),
        "[columns.windows]\n\"窗口描述\" = \"name\"\n",
    )
    .unwrap();
    let out = ok(h, &["ingest", dir.join("windows.csv").to_str().unwrap()]);
    assert!(!out.contains("FAILED"), "{out}");
    let out = ok(
        h,
        &["ingest", "--force", dir.join("staff.csv").to_str().unwrap()],
    );
    assert!(!out.contains("rejected rows stored"), "{out}");
    let n = ok(
        h,
        &[
            "query",
            "SELECT count(*) AS n FROM staff",
            "--format",
            "csv",
        ],
    );
    assert_eq!(n.lines().nth(1), Some("2"), "{n}");
}

#[test]
fn a_dry_run_shows_the_mapping_and_stores_nothing() {
    let home = crate::common::tempdir();
    let h = home.path();
    let dir = fixture("vendor_a");
    let out = ok(
        h,
        &[
            "ingest",
            "--dry-run",
            dir.join("窗口.csv").to_str().unwrap(),
            dir.join("事项目录.csv").to_str().unwrap(),
        ],
    );
    for said in [
        "table: items (the file name starts with '事项目录')",
        "encoding: gb18030; line ends: CRLF",
        "承诺时限(工作日) → promised_limit_days",
        "实施部门 → department",
        "first rows as stored:",
    ] {
        assert!(out.contains(said), "{said}:\n{out}");
    }
    // Nothing stored, no ledger.
    let tables = run(h, &["query", "SELECT count(*) AS n FROM ledger"]);
    assert!(!tables.status.success(), "a dry run left a ledger");
}

#[test]
fn a_supplement_count_in_the_case_export_makes_the_case_not_one_visit() {
    // Three cases completed on Friday 2026-10-09: one with two 补正 (a
    // count), one flagged 是, one with none: one of three is one-visit.
    let (home, dir) = inbox_with(&[
        ("windows.csv", "窗口号,窗口名,办理部门\nW01,综合窗口,政务办\n"),
        (
            "items.csv",
            "事项编码,事项名称,实施部门,法定时限（天）,承诺时限(工作日),生效日期\nA1,登记,政务办,20,5,2026-01-01\n",
        ),
        (
            "办件.csv",
            "申办号,事项代码,窗口号,收件时间,办结日期,补正次数\n\
             C1,A1,W01,2026-10-09 09:00,2026-10-09 16:00,2\n\
             C2,A1,W01,2026-10-09 09:30,2026-10-09 16:00,0\n",
        ),
        (
            "办件_补充.csv",
            "申办号,事项代码,窗口号,收件时间,办结日期,是否补正\nC3,A1,W01,2026-10-09 10:00,2026-10-09 16:00,是\n",
        ),
    ]);
    let h = home.path();
    ok(h, &["ingest", dir.to_str().unwrap()]);
    ok(h, &["compute", "--only", "cases", "--as-of", "2026-10-09"]);
    let out = ok(
        h,
        &[
            "query",
            "SELECT completed, one_visit_rate FROM case_metrics WHERE grain = 'day' AND level = 'center' AND period = '2026-10-09'",
            "--format",
            "csv",
        ],
    );
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 1, "{out}");
    assert_eq!(rows[0]["completed"], "3", "{out}");
    let rate: f64 = rows[0]["one_visit_rate"].parse().unwrap();
    assert!((rate - 1.0 / 3.0).abs() < 1e-9, "{out}");
}
