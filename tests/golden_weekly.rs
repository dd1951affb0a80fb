//! The demo's weekly attendance publication (周公示) for one week, checked
//! in as a golden file. `UPDATE_GOLDEN=1 cargo test --release --test
//! golden_weekly` rewrites it after an intended change; review the diff.

use crate::common;

use common::ok;
use std::path::Path;

const WEEK: &str = "2026-W42";

#[test]
fn demo_weekly_publication_matches_the_golden_file() {
    let home = common::demo_home();
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
    // The same table was written under the reports folder for people (a
    // BOM, Chinese headers, figures as shown): its own golden file, the
    // same rows in the same order.
    let written =
        std::fs::read_to_string(home.path().join(format!("reports/{WEEK}/attendance.csv")))
            .unwrap();
    let golden_report = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/golden/attendance_{WEEK}_report.csv"));
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        std::fs::write(&golden_report, &written).unwrap();
    }
    let want_report =
        std::fs::read_to_string(&golden_report).expect("golden file (UPDATE_GOLDEN=1 writes it)");
    assert_eq!(written, want_report, "the report's CSV of {WEEK} changed");
    let body = written.strip_prefix('\u{feff}').expect("a BOM");
    // The window's name beside its code.
    assert!(
        body.starts_with("窗口,窗口名称,工号,姓名,应出勤,实出勤,"),
        "{body}"
    );
    assert!(
        body.lines()
            .nth(1)
            .unwrap()
            .starts_with("W01,工商注册登记窗口,1001,黎雪,"),
        "{body}"
    );
    assert_eq!(body.lines().count(), want.lines().count(), "the same rows");
    let codes = |l: &str, at: [usize; 2]| {
        let cells: Vec<&str> = l.split(',').collect();
        format!("{},{}", cells[at[0]], cells[at[1]])
    };
    for (people, machine) in body.lines().zip(want.lines()).skip(1) {
        assert_eq!(
            codes(people, [0, 2]),
            codes(machine, [0, 1]),
            "the same order"
        );
    }
    // A working week of five days for every staff member on the roster all week.
    assert!(
        want.lines().nth(1).unwrap().starts_with("W01,1001,"),
        "{want}"
    );
}
