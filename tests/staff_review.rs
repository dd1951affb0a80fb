//! The staff review (三在 / 三问) on a fixture of three staff over November
//! 2025, worked out by hand independently of the code: the story is in
//! tests/fixtures/staff_review/README.md, every figure's working in
//! EXPECTED.md (with its addendum: one overdue step each costs a point).

mod common;

use common::{csv_rows, ok};
use std::path::Path;

#[test]
fn three_staff_over_a_month() {
    let h = tempfile::tempdir().unwrap();
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
