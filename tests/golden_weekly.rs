//! The demo's weekly attendance publication (周公示) for one week, checked
//! in as a golden file. `UPDATE_GOLDEN=1 cargo test --release --test
//! golden_weekly` rewrites it after an intended change; review the diff.

mod common;

use common::ok;
use std::path::Path;

const WEEK: &str = "2026-W42";

#[test]
fn demo_weekly_publication_matches_the_golden_file() {
    let home = tempfile::tempdir().unwrap();
    ok(home.path(), &["demo"]);
    let csv = ok(
        home.path(),
        &["attendance", "--week", WEEK, "--format", "csv"],
    );
    let golden =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/attendance_{WEEK}.csv"));
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(&golden, &csv).unwrap();
    }
    let want = std::fs::read_to_string(&golden).expect("golden file (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(csv, want, "the weekly publication of {WEEK} changed");
    // The same table was written under the reports folder.
    let written =
        std::fs::read_to_string(home.path().join(format!("reports/{WEEK}/attendance.csv")))
            .unwrap();
    assert_eq!(written, want);
    // A working week of five days for every staff member on the roster all week.
    assert!(
        want.lines().nth(1).unwrap().starts_with("W01,1001,"),
        "{want}"
    );
}
