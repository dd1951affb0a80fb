//! Ad-hoc SQL over the store: a join of an input table with a metric
//! table, a group-by, every output format, and a syntax error.

use crate::common;

use common::{csv_rows, ok, run};
use std::path::Path;

/// A home with the 22-case fixture ingested and case_metrics computed.
fn home() -> tempfile::TempDir {
    let h = crate::common::tempdir();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases_small");
    ok(h.path(), &["ingest", fixture.to_str().unwrap()]);
    ok(
        h.path(),
        &["compute", "--only", "cases", "--as-of", "2024-10-31"],
    );
    h
}

#[test]
fn a_join_of_cases_with_case_metrics() {
    let h = home();
    // October 2024 per window: cases accepted (from the raw table, by the
    // hive month) beside case_metrics' accepted for the window — equal.
    let sql = "SELECT c.window_id, count(*) AS raw, max(m.accepted) AS metric \
               FROM cases c JOIN case_metrics m ON m.key = c.window_id \
               WHERE m.level = 'window' AND m.period = '2024-10' AND c.year = 2024 AND c.month = 10 \
               GROUP BY c.window_id ORDER BY c.window_id";
    let rows = csv_rows(&ok(h.path(), &["query", sql, "--format", "csv"]));
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["window_id"].clone(),
                r["raw"].clone(),
                r["metric"].clone(),
            )
        })
        .collect();
    // W01: C07 C09 C15; W02: C08 C12 C13 C16; W03: C03 C05 C06 C10 C11 C14 C19.
    assert_eq!(
        got,
        vec![
            ("W01".into(), "3".into(), "3".into()),
            ("W02".into(), "4".into(), "4".into()),
            ("W03".into(), "7".into(), "7".into()),
        ]
    );
}

#[test]
fn a_group_by_in_every_format() {
    let h = home();
    let sql = "SELECT item_code, count(*) AS n FROM cases GROUP BY item_code ORDER BY item_code";
    let csv = ok(h.path(), &["query", sql, "--format", "csv"]);
    // tests/fixtures/cases_small/cases.csv: C01 C02 C07 C13 C15 C21 are I01;
    // C08 C09 C16 C17 C22 I02; C03 C05 C10 C19 C20 I03; C11 C12 I04; C04 C06 C14 C18 I05.
    assert_eq!(csv, "item_code,n\nI01,6\nI02,5\nI03,5\nI04,2\nI05,4\n");
    let json: serde_json::Value =
        serde_json::from_str(&ok(h.path(), &["query", sql, "--format", "json"])).unwrap();
    assert_eq!(json[0]["item_code"], "I01");
    assert_eq!(json[0]["n"], 6);
    let table = ok(h.path(), &["query", sql]);
    assert!(
        table.lines().next().unwrap().contains("item_code"),
        "{table}"
    );
    assert!(table.contains("I05"), "{table}");
    let out = h.path().join("out.parquet");
    ok(
        h.path(),
        &[
            "query",
            sql,
            "--format",
            "parquet",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(common::parquet_footer(&out).num_rows, 5);
}

#[test]
fn a_syntax_error_is_a_clear_message() {
    let h = home();
    let out = run(h.path(), &["query", "SELEC * FROM cases"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SELEC"), "{err}");
    assert!(
        err.contains("tables: ") && err.contains("cases"),
        "names the tables: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let out = run(h.path(), &["query", "SELECT * FROM nope"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("'nope' was not found"));
}
