//! The staff review (三在 / 三问) on a fixture of three staff over November
//! 2025, worked out by hand independently of the code: the story is in
//! tests/fixtures/staff_review/README.md, every figure's working in
//! EXPECTED.md (with its addendum: one overdue step each costs a point).

use crate::common;

use common::{csv_rows, ok};
use std::path::Path;

#[test]
fn three_staff_over_a_month() {
    let h = crate::common::tempdir();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/staff_review");
    let summary = ok(h.path(), &["ingest", fixture.to_str().unwrap()]);
    assert!(summary.contains("total"), "{summary}");
    let out = ok(
        h.path(),
        &[
            "staff",
            "--period",
            "2025-11",
            "--as-of",
            "2025-11-30",
            "--format",
            "csv",
        ],
    );
    let rows = csv_rows(&out);
    assert_eq!(rows.len(), 3);
    let columns = [
        "attendance_rate",
        "attended_days",
        "overlong_departures",
        "cases_handled",
        "steps_handled",
        "tickets_handled",
        "cases_per_day",
        "steps_per_day",
        "tickets_per_day",
        "idle_days",
        "corrections_per_100",
        "overdue_steps_per_100",
        "on_time_rate",
        "window_median_cases_per_day",
        "capability",
        "score",
        "rank",
    ];
    // From EXPECTED.md, one row per staff member, in the order of `columns`.
    let expected: [(&str, &str, [f64; 17]); 3] = [
        (
            "2001",
            "W01",
            [
                1.0,
                20.0,
                1.0,
                6.0,
                4.0,
                2.0,
                0.3,
                0.2,
                0.1,
                11.0,
                50.0 / 3.0,
                50.0 / 3.0,
                0.5,
                97.0 / 380.0,
                114.0 / 97.0,
                92.0,
                3.0,
            ],
        ),
        (
            "2002",
            "W01",
            [
                0.95,
                19.0,
                0.0,
                4.0,
                6.0,
                2.0,
                4.0 / 19.0,
                6.0 / 19.0,
                2.0 / 19.0,
                10.0,
                0.0,
                25.0,
                1.0,
                97.0 / 380.0,
                80.0 / 97.0,
                96.5,
                2.0,
            ],
        ),
        (
            "2003",
            "W02",
            [
                1.0, 20.0, 0.0, 4.0, 6.0, 3.0, 0.2, 0.3, 0.15, 10.0, 0.0, 25.0, 1.0, 0.2, 1.0,
                98.5, 1.0,
            ],
        ),
    ];
    for (staff, window, values) in expected {
        let row = rows
            .iter()
            .find(|r| r["staff_id"] == staff)
            .unwrap_or_else(|| panic!("no row for {staff}"));
        assert_eq!(row["window_id"], window);
        for (c, want) in columns.iter().zip(values) {
            let got: f64 = row[*c]
                .parse()
                .unwrap_or_else(|_| panic!("{staff} {c}: {}", row[*c]));
            assert!((got - want).abs() < 1e-9, "{staff} {c}: {got} vs {want}");
        }
    }
    // Only November has data: the quarter's review is the month's.
    let q = csv_rows(&ok(
        h.path(),
        &[
            "staff",
            "--period",
            "2025-Q4",
            "--as-of",
            "2025-11-30",
            "--staff",
            "2001",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(
        (
            q.len(),
            q[0]["idle_days"].as_str(),
            q[0]["cases_handled"].as_str()
        ),
        (1, "11", "6")
    );
}

/// Everyone on the roster has a review row, with the reason when the
/// figures are empty. Worked by hand, as of Friday 2026-10-16: October's
/// working days so far are 10-09, 10-10 (调休 Saturday) and 10-12 … 10-16,
/// seven days. 1001 punches all four times on each and accepts one case;
/// 1002 is on leave all seven days; 1003 never punches; 1004 joins on
/// 11-01 and is on no roster day of October.
#[test]
fn absent_and_on_leave_staff_have_rows_with_the_reason() {
    let h = crate::common::tempdir();
    let dir = h.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let days = [
        "2026-10-09",
        "2026-10-10",
        "2026-10-12",
        "2026-10-13",
        "2026-10-14",
        "2026-10-15",
        "2026-10-16",
    ];
    let mut punches = String::from("staff_id,punched_at\n");
    for d in days {
        for t in ["08:20", "12:05", "13:50", "17:10"] {
            punches.push_str(&format!("1001,{d} {t}:00\n"));
        }
    }
    let files = [
        ("windows.csv", "window_id,name,department\nW01,综合窗口,政务办\n".to_string()),
        (
            "staff.csv",
            "staff_id,name,window_id,valid_from\n1001,张三,W01,2026-01-01\n1002,李四,W01,2026-01-01\n\
             1003,王五,W01,2026-01-01\n1004,赵六,W01,2026-11-01\n"
                .to_string(),
        ),
        (
            "items.csv",
            "item_code,name,department,promised_limit_days,effective_from\nA1,登记,政务办,5,2026-01-01\n"
                .to_string(),
        ),
        (
            "cases.csv",
            "case_id,item_code,window_id,staff_id,accepted_at,completed_at\nC1,A1,W01,1001,2026-10-12 09:00,2026-10-12 10:00\n"
                .to_string(),
        ),
        ("punches.csv", punches),
        (
            "leaves.csv",
            "staff_id,kind,start,end\n1002,年假,2026-10-09 08:00,2026-10-16 18:00\n".to_string(),
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    common::ok(h.path(), &["ingest", dir.to_str().unwrap()]);
    common::ok(h.path(), &["compute", "--as-of", "2026-10-16"]);
    let out = common::ok(
        h.path(),
        &[
            "query",
            "SELECT staff_id, attended_days, cases_handled, absence FROM staff_review WHERE grain = 'month' AND period = '2026-10' ORDER BY staff_id",
            "--format",
            "csv",
        ],
    );
    let rows: Vec<Vec<String>> = common::csv_rows(&out)
        .into_iter()
        .map(|r| {
            ["staff_id", "attended_days", "cases_handled", "absence"]
                .iter()
                .map(|c| r[*c].clone())
                .collect()
        })
        .collect();
    assert_eq!(
        rows,
        [
            ["1001", "7.0", "1", ""],
            ["1002", "0.0", "0", "请假"],
            ["1003", "0.0", "0", "缺勤"],
        ],
        "{out}"
    );
}
