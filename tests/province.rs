//! A province store: two centers in one store, partitioned by center, each
//! ingested and computed by its own runs (`--center-id`), then their
//! `case_metrics` combined (`province::combine_case_metrics`).
//!
//! Center A holds the whole hand-computed fixture `tests/fixtures/cases_small`
//! (its 2024-10 center row is pinned in `tests/case_metrics.rs`:
//! accepted 14, completed 17, instant 4, promised 13, on time 10, early 7,
//! overdue completed 6, overdue open 1). Center B holds only its cases
//! C01–C05 with their suspensions. B's 2024-10 center row, by hand (as of
//! 2024-10-31; working-day numbers as in tests/case_metrics.rs):
//!
//! ```text
//! C01 acc 09-27 comp 10-09  N 5  elapsed 4          on time, early
//! C02 acc 09-29 comp 10-11  N 5  elapsed 5          on time
//! C03 acc 10-19 comp 10-22  N 3  elapsed 2          on time, early   (accepted in Oct)
//! C04 acc 09-25 comp 10-17  N 10 elapsed 16-3-4 = 9 on time, early
//! C05 acc 10-08 comp 10-15  N 3  elapsed 14-8-2 = 4 overdue          (accepted in Oct)
//! accepted 2, completed 5, instant 0, promised 5, on time 4, early 3,
//! overdue completed 1, overdue open 0
//! ```
//!
//! The province (全省) re-adds the counts: 16, 22, 4, 18, 14, 10, 7, 1, and
//! its rates are ratios of the re-added counts: on time 14/18, early 10/18,
//! instant 4/22 — not averages of the centers' rates.

use crate::common;

use common::{ok, split_csv, totals};
use polars::prelude::*;
use std::path::Path;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cases_small");
const AS_OF: &str = "2024-10-31";

/// Copy the fixture into `dir`, keeping only the cases (and their
/// suspensions) named in `keep`, or every row.
fn fixture(dir: &Path, keep: Option<&[&str]>) {
    std::fs::create_dir_all(dir).unwrap();
    for entry in std::fs::read_dir(FIXTURE).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let text = match keep {
            Some(ids) if name == "cases.csv" || name == "suspensions.csv" => text
                .lines()
                .enumerate()
                .filter(|(i, l)| *i == 0 || ids.iter().any(|id| l.starts_with(&format!("{id},"))))
                .map(|(_, l)| format!("{l}\n"))
                .collect(),
            _ => text,
        };
        std::fs::write(dir.join(&name), text).unwrap();
    }
}

/// The 2024-10 row of one center (or 全省).
fn row_of(df: &DataFrame, center: &str) -> DataFrame {
    let row = df
        .clone()
        .lazy()
        .filter(
            col("center")
                .eq(lit(center))
                .and(col("period").eq(lit("2024-10"))),
        )
        .collect()
        .unwrap();
    assert_eq!(row.height(), 1, "one 2024-10 row for {center}:\n{df}");
    row
}

fn counts(df: &DataFrame, center: &str) -> Vec<i64> {
    let row = row_of(df, center);
    xiaoneng::metrics::schema::CASES
        .counts()
        .into_iter()
        .map(|c| {
            row.column(c)
                .unwrap()
                .cast(&DataType::Int64)
                .unwrap()
                .i64()
                .unwrap()
                .get(0)
                .unwrap()
        })
        .collect()
}

fn rate(df: &DataFrame, center: &str, column: &str) -> f64 {
    row_of(df, center)
        .column(column)
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap()
}

#[test]
fn centers_share_one_store_by_center_and_combine_by_re_adding() {
    let home = crate::common::tempdir();
    let (a, b) = (home.path().join("a"), home.path().join("b"));
    fixture(&a, None);
    fixture(&b, Some(&["C01", "C02", "C03", "C04", "C05"]));
    for (center, dir, cases, suspensions) in [("A", &a, 22, 5), ("B", &b, 5, 2)] {
        let summary = ok(
            home.path(),
            &["--center-id", center, "ingest", dir.to_str().unwrap()],
        );
        let t = totals(&summary);
        assert_eq!(t.get("cases"), Some(&[cases, cases, 0, 0]), "{summary}");
        assert_eq!(
            t.get("suspensions"),
            Some(&[suspensions, suspensions, 0, 0]),
            "{summary}"
        );
        ok(
            home.path(),
            &[
                "--center-id",
                center,
                "compute",
                "--only",
                "cases",
                "--as-of",
                AS_OF,
            ],
        );
    }

    // One store, partitioned by center first; each center's lock and
    // journal apart; nothing at the top level of a dataset.
    let store = home.path().join("data/store");
    for center in ["A", "B"] {
        assert!(store
            .join(format!("cases/center={center}/year=2024"))
            .is_dir());
        assert!(store.join(format!("case_metrics/center={center}")).is_dir());
        assert!(store.join(format!("_centers/{center}/.lock")).is_file());
    }
    assert!(!store.join("cases/year=2024").exists());
    assert!(!store.join(".lock").exists());

    // A command on one center sees that center only.
    let out = ok(
        home.path(),
        &[
            "--center-id",
            "B",
            "metrics",
            "cases",
            "--period",
            "2024-10",
            "--level",
            "center",
            "--as-of",
            AS_OF,
            "--format",
            "csv",
        ],
    );
    let mut lines = out.lines();
    let header = split_csv(lines.next().unwrap());
    let cells = split_csv(lines.next().unwrap());
    let cell = |name: &str| &cells[header.iter().position(|h| h == name).unwrap()];
    assert_eq!(
        (cell("accepted").as_str(), cell("completed").as_str()),
        ("2", "5")
    );

    // Combined from the stored tables alone.
    let df = xiaoneng::province::combine_case_metrics(&store, "month").unwrap();
    assert_eq!(counts(&df, "A"), [14, 17, 4, 13, 10, 7, 6, 1]);
    assert_eq!(counts(&df, "B"), [2, 5, 0, 5, 4, 3, 1, 0]);
    assert_eq!(counts(&df, "全省"), [16, 22, 4, 18, 14, 10, 7, 1]);
    let close = |x: f64, y: f64| (x - y).abs() < 1e-12;
    assert!(close(rate(&df, "全省", "on_time_rate"), 14.0 / 18.0));
    assert!(close(rate(&df, "全省", "early_rate"), 10.0 / 18.0));
    assert!(close(rate(&df, "全省", "instant_rate"), 4.0 / 22.0));
    assert!(close(rate(&df, "B", "on_time_rate"), 4.0 / 5.0));

    // The command: the period's own grain, the province's line re-added.
    let table = ok(home.path(), &["province", "--period", "2024-10"]);
    let province_line = table
        .lines()
        .find(|l| l.contains("全省"))
        .unwrap_or_else(|| panic!("{table}"));
    let cells: Vec<&str> = province_line.split_whitespace().collect();
    assert_eq!(&cells[..4], ["2024-10", "全省", "16", "22"], "{table}");
    let out = common::run(home.path(), &["province", "--grain", "fortnight"]);
    assert!(!out.status.success());

    // The centers graded from their own center rows under a one-metric
    // scheme: on time A 10/13 = 76.92 (合格), B 4/5 = 80 (良好); with two
    // graded, the 优秀 quota (20 %) is ⌊0.4⌋ = 0.
    std::fs::write(
        home.path().join("xiaoneng.toml"),
        r#"
[[assessment.dimensions]]
name = "办件效能"
weight = 100.0
metrics = [{ metric = "case_metrics.on_time_rate", linear = [0.0, 1.0] }]
"#,
    )
    .unwrap();
    let out = ok(
        home.path(),
        &[
            "rank", "--level", "center", "--period", "2024-10", "--format", "csv",
        ],
    );
    let rows = common::csv_rows(&out);
    let got: Vec<[&str; 4]> = rows
        .iter()
        .map(|r| {
            [
                r["rank"].as_str(),
                r["center"].as_str(),
                r["score"].as_str(),
                r["grade"].as_str(),
            ]
        })
        .collect();
    assert_eq!(
        got,
        [["1", "B", "80.0", "良好"], ["2", "A", "76.92", "合格"]]
    );
}

/// `--center-id C nightly` takes only C's inbox and writes C's archive,
/// reports and run log; another center's files wait for its own run.
#[test]
fn a_centers_nightly_job_takes_only_its_own_inbox() {
    let home = crate::common::tempdir();
    let inbox = home.path().join("data/inbox");
    fixture(&inbox.join("A"), None);
    fixture(&inbox.join("B"), Some(&["C01", "C02"]));
    let out = common::run(
        home.path(),
        &["--center-id", "A", "nightly", "--date", AS_OF, "--quiet"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let data = home.path().join("data");
    assert!(data.join("archive/A/2024-10-31/cases.csv").is_file());
    assert!(!inbox.join("A/cases.csv").exists());
    assert!(
        inbox.join("B/cases.csv").is_file(),
        "B's files wait for B's run"
    );
    assert!(data.join("nightly-runs-A.jsonl").is_file());
    assert!(home.path().join("reports/A/2024-10-31/daily.md").is_file());
    assert!(data.join("store/cases/center=A").is_dir());
    assert!(!data.join("store/cases/center=B").exists());
    assert!(data.join("store/_centers/A/_nightly.json").is_file());
}
