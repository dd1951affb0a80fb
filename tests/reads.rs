//! Reads are reads: every command that shows a figure leaves the store as
//! it found it, byte for byte (the nightly state and the stamps included),
//! says which tables it computed in memory and why, and gives the same
//! figures whatever another reader ran before it. The fixture is the
//! ranking fixture of `tests/ranking.rs` (September and October 2026).

use crate::common;

use common::{csv_rows, ok, run};
use std::collections::BTreeMap;
use std::path::Path;

fn fixture_home() -> tempfile::TempDir {
    let home = crate::common::tempdir();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ranking_small");
    ok(home.path(), &["ingest", fixture.to_str().unwrap()]);
    home
}

/// Every file under the store: its bytes and modification time.
fn snapshot(home: &Path) -> BTreeMap<String, (Vec<u8>, std::time::SystemTime)> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, (Vec<u8>, std::time::SystemTime)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else {
                let meta = std::fs::metadata(&p).unwrap();
                out.insert(
                    p.strip_prefix(root).unwrap().display().to_string(),
                    (std::fs::read(&p).unwrap(), meta.modified().unwrap()),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    let store = home.join("data/store");
    walk(&store, &store, &mut out);
    out
}

fn stderr(home: &Path, args: &[&str]) -> String {
    let out = run(home, args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every reading command, once.
const READS: &[&[&str]] = &[
    &[
        "metrics", "cases", "--period", "2026-10", "--level", "window",
    ],
    &["metrics", "ratings", "--period", "2026-10"],
    &["metrics", "queue", "--period", "2026-10"],
    &["metrics", "incidents", "--period", "2026-10"],
    &["metrics", "zeros", "--period", "2026-10"],
    &["metrics", "jumps", "--period", "2026-10"],
    &[
        "metrics",
        "cases",
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-19",
    ],
    &["rank", "--period", "2026-10"],
    &["rank", "--period", "2026-10", "--explain", "W02"],
    &["staff", "--period", "2026-10"],
    &["cards", "--as-of", "2026-10-20"],
    &["cards", "--history"],
    &[
        "cards",
        "--history",
        "--from",
        "2026-10-12",
        "--to",
        "2026-10-20",
    ],
    &["ratings", "invite", "--as-of", "2026-10-20"],
    &["attendance", "--month", "2026-10"],
    &["report", "daily", "--date", "2026-10-19"],
    &["report", "weekly", "--week", "2026-W43"],
    &["report", "monthly", "--month", "2026-10"],
    &["report", "monthly", "--month", "2026-09"],
    &["report", "quarterly", "--quarter", "2026-Q4"],
    &["query", "SELECT count(*) AS n FROM case_metrics"],
    &["tables"],
    &["rejects"],
    &[
        "catalog",
        "compare",
        "--from",
        "2026-01-01",
        "--to",
        "2026-10-31",
    ],
    &["calendar", "status"],
];

#[test]
fn no_read_changes_the_store_nor_the_nightly_state() {
    let h = fixture_home();
    let home = h.path();
    // A nightly run leaves its state, the stamps and the card history.
    let out = run(home, &["nightly", "--date", "2026-10-30"]);
    assert!(
        out.status.code().unwrap_or(2) <= 1,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = snapshot(home);
    assert!(before.contains_key("_nightly.json") && before.contains_key("_metrics.json"));
    for args in READS {
        let said = stderr(home, args);
        let after = snapshot(home);
        let changed: Vec<&String> = after
            .iter()
            .filter(|(k, v)| before.get(*k) != Some(v))
            .map(|(k, _)| k)
            .chain(before.keys().filter(|k| !after.contains_key(*k)))
            .collect();
        assert!(changed.is_empty(), "{args:?} changed {changed:?}\n{said}");
    }
    // `tables` names each dataset's kind from the one list of datasets.
    let tables = ok(home, &["tables"]);
    for (table, kind) in [
        ("cases", "input"),
        ("case_metrics", "metric"),
        ("cards", "record"),
    ] {
        assert!(
            tables
                .lines()
                .any(|l| l.split_whitespace().take(2).eq([table, kind])),
            "{table} {kind} not in\n{tables}"
        );
    }
    // The store's date is the nightly job's; a read on it takes the stored
    // tables and says nothing of memory.
    let said = stderr(home, &["metrics", "cases", "--period", "2026-10"]);
    assert!(
        said.contains("as of 2026-10-30 (the last day the nightly job closed)"),
        "{said}"
    );
    assert!(!said.contains("computed in memory"), "{said}");
}

#[test]
fn a_read_of_another_date_computes_in_memory_and_says_why() {
    let h = fixture_home();
    let home = h.path();
    ok(home, &["compute"]);
    let csv = |args: &[&str]| -> Vec<String> {
        let mut all = args.to_vec();
        all.extend(["--format", "csv"]);
        ok(home, &all).lines().map(str::to_string).collect()
    };
    let args = [
        "metrics",
        "cases",
        "--period",
        "2026-10",
        "--level",
        "window",
        "--as-of",
        "2026-10-19",
    ];
    let said = stderr(home, &args);
    assert!(
        said.contains("computed in memory as of 2026-10-19: case_metrics")
            && said.contains("the stored table is as of 2026-10-30"),
        "{said}"
    );
    let in_memory = csv(&args);
    // Stored as of that date, the same figures, read as stored.
    ok(home, &["compute", "--as-of", "2026-10-19"]);
    let said = stderr(home, &args);
    assert!(!said.contains("computed in memory"), "{said}");
    assert_eq!(csv(&args), in_memory);
    // A new ingest makes the stored tables older than the data.
    let more = crate::common::tempdir();
    std::fs::write(
        more.path().join("incidents.csv"),
        "incident_id,date,source,window_id,staff_id,category,substantiated,points\n\
         N99,2026-10-30,暗访,W03,3003,吃拿卡要,true,-2\n",
    )
    .unwrap();
    ok(home, &["ingest", more.path().to_str().unwrap()]);
    let said = stderr(home, &["metrics", "incidents", "--period", "2026-10"]);
    assert!(
        said.contains("the stored table is older than the last ingest"),
        "{said}"
    );
    let rows = csv_rows(&ok(
        home,
        &[
            "metrics",
            "incidents",
            "--period",
            "2026-10",
            "--level",
            "window",
            "--format",
            "csv",
        ],
    ));
    assert!(
        rows.iter()
            .any(|r| r["key"] == "W03" && r["category"] == "吃拿卡要"),
        "the new incident is counted: {rows:?}"
    );
}

#[test]
fn what_one_reader_sees_does_not_depend_on_what_another_ran() {
    let h = fixture_home();
    let home = h.path();
    ok(home, &["compute"]);
    let ratings = || {
        ok(
            home,
            &[
                "metrics", "ratings", "--period", "2026-10", "--format", "csv",
            ],
        )
    };
    let first = ratings();
    // Reports of other dates compute other tables in memory ...
    ok(home, &["report", "monthly", "--month", "2026-09"]);
    ok(home, &["report", "daily", "--date", "2026-10-13"]);
    ok(
        home,
        &[
            "metrics",
            "ratings",
            "--period",
            "2026-10",
            "--as-of",
            "2026-10-13",
        ],
    );
    // ... and leave the figures of the store's date as they were.
    assert_eq!(ratings(), first);
    let said = stderr(home, &["metrics", "ratings", "--period", "2026-10"]);
    assert!(!said.contains("computed in memory"), "{said}");
    assert!(
        said.contains("(the last date of the stored data: "),
        "{said}"
    );
}

#[test]
fn a_compute_of_some_grains_and_levels_is_stored_partial_and_read_as_such() {
    let home = fixture_home();
    let h = home.path();
    let q = |sql: &str| csv_rows(&ok(h, &["query", sql, "--format", "csv"]));
    ok(
        h,
        &[
            "compute", "--only", "cases", "--grain", "month", "--level", "window",
        ],
    );
    let stored = q("SELECT DISTINCT grain, level FROM case_metrics");
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        (stored[0]["grain"].as_str(), stored[0]["level"].as_str()),
        ("month", "window")
    );
    let stamps: serde_json::Value =
        serde_json::from_slice(&std::fs::read(h.join("data/store/_metrics.json")).unwrap())
            .unwrap();
    let stamp = stamps
        .get("tables")
        .unwrap_or(&stamps)
        .get("case_metrics")
        .cloned()
        .unwrap();
    assert_eq!(stamp["partial"], true, "{stamp}");
    // A read of another level computes it in memory and says why.
    let err = stderr(h, &["metrics", "cases", "--period", "2026-10"]);
    assert!(
        err.contains("computed in memory") && err.contains("some grains or levels only"),
        "{err}"
    );
    // Only a family that honours a scope takes one.
    let out = run(h, &["compute", "--only", "ratings", "--grain", "month"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--grain and --level go with --only cases"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
