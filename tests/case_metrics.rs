//! Pins every figure of `xiaoneng metrics cases` on the hand-computed
//! fixture `tests/fixtures/cases_small` (22 cases around National Day 2024).
//! Every expected value below was worked out by hand from the rules in
//! docs/METRICS.md (`case_metrics`); the comments show the sums.
//!
//! Working days around National Day 2024, numbered for counting (#n):
//!
//! ```text
//! Sep 23 Mo #1 | 24 #2 | 25 #3 | 26 #4 | 27 Fr #5 | 28 Sa off | 29 Su #6 (调休) | 30 Mo #7
//! Oct 1–7 off (国庆节)  | 8 Tu #8 | 9 #9 | 10 #10 | 11 Fr #11 | 12 Sa #12 (调休) | 13 Su off
//! Oct 14 Mo #13 | 15 #14 | 16 #15 | 17 #16 | 18 #17 | 19 Sa, 20 Su off
//! Oct 21 Mo #18 | 22 #19 | 23 #20 | 24 #21 | 25 #22 | 28 #23 | 29 #24 | 30 #25 | 31 #26
//! Nov: 21 working days (#27 Nov 1 .. #47 Nov 29); Dec: 22 (#48 .. #69 Dec 31);
//! 2025-01-01 off; 2025-01-02 #70.
//! ```
//!
//! So elapsed = #completion − #acceptance − suspension working days, and the
//! deadline is #(acceptance + N + suspension days).
//!
//! Catalog: I01 税务登记 (税务) legal 20 / promised 5 from 2023-01-01, promised
//! 3 from 2024-10-08; I02 发票领用 (税务) 5 / 0 (instant); I03 企业设立登记
//! (市场监管) 15 / 3; I04 证明开具 (市场监管) no legal limit / 2; I05 食品经营许可
//! (市场监管) 20 / 10. Windows W01, W02 are 税务, W03 is 市场监管. Staff 1001 W01,
//! 1002 W02, 1003 and 1004 W03.
//!
//! ```text
//! case win/staff item accepted         completed     N  L   suspensions (wd)            el dl          flags
//! C01  W01/1001  I01 09-27 Fr #5       10-09 #9      5  20  –                           4  10-10 #10   early (spans the holiday)
//! C02  W02/1002  I01 09-29 Su调休 #6   10-11 #11     5  20  –                           5  10-11 #11   on time, not early
//! C03  W03/1003  I03 10-19 Sa (预约)   10-22 #19     3  15  –                           2  10-23 #20   early (10-21, 10-22)
//! C04  W03/1004  I05 09-25 #3          10-17 #16     10 20  特别程序 09-30..10-10: 4     9  10-18 #17   early (16−3−4)
//!                                                           (#7..#10, holiday skipped)
//! C05  W03/1003  I03 10-08 #8          10-15 #14     3  15  补正 10-09..10-10: 2         4  10-14 #13   overdue; not one-visit
//! C06  W03/1004  I05 10-14 #13         10-29 #24     10 20  特别程序 10-16..10-18 and    7  11-01 #27   early (24−13−4)
//!                                                           10-17..10-21, merged
//!                                                           10-16..10-21: 4 (not 3+3)
//! C07  W01/1001  I01 10-21 #18         10-25 #22     3  20  特别程序 10-23..(no end →    1  10-29 #24   early (catalog v2)
//!                                                           completion 10-25): 3
//! C08  W02/1002  I02 10-10 09:00       10-10 09:20   0  5   –                           0  10-10       instant, same day
//! C09  W01/1001  I02 10-11 Fr #11      10-12 Sa调休  0  5   –                           1  10-11       instant, overdue
//! C10  W03/1003  I03 10-15 #14         10-18 #17     2  10  – (own limits 2/10 win)     3  10-17 #16   overdue (on time with catalog 3)
//! C11  W03/1004  I04 10-22 #19         10-23 #20     2  –   –                           1  10-24 #21   early; 不予许可 (still completed)
//! C12  W02/–     I04 10-24 #21         10-28 #23     2  –   –                           2  10-28 #23   on time; no staff; dept 税务 (window's)
//! C13  W02/1002  I01 10-16 #15         open          3  20  –                           –  10-21 #18   overdue_open at 10-31 (and 12-31)
//! C14  W03/1003  I05 10-30 #25         open          45 60  – (own limits)              –  2025-01-02  open, not overdue at 10-31 nor 12-31
//! C15  W01/1001  I01 10-08 #8          10-11 #11     3  20  – (catalog v2 from 10-08)   3  10-11 #11   on time, not early (v1 would be early)
//! C16  W02/1002  I02 10-08 16:50 #8    10-09 #9      0  5   –                           1  10-08       instant, overdue; open at end of
//!                                                                                                      10-08 but dl 10-08 is not < 10-08
//! C17  W01/1001  I02 09-30 #7          10-09 #9      0  5   –                           2  09-30       instant, overdue; overdue_open at 10-08
//! C18  W03/1003  I05 09-26 #4          10-08 #8      10 20  –                           4  10-15 #14   early
//! C19  W03/1004  I03 10-09 #9          10-14 #13     3  15  –                           4  10-12 #12   overdue; not overdue_open at Sunday
//!                                                                                                      10-13 (W41 end): no working day after
//!                                                                                                      the Saturday deadline has begun
//! C20  W03/1003  I03 09-23 #1          09-26 #4      3  15  –                           3  09-26       September only: in no row below
//! C21  W01/1001  I01 2023-09-27        2023-10-08    5  20  –                           3  2023-10-10  2023 only (10-07, 10-08 调休)
//! C22  W02/1002  I02 2023-09-28        2023-09-28    0  5   –                           0  2023-09-28  2023 only
//! ```
//!
//! No open case has a suspension crossing a period end tested here, and C14's
//! deadline lies after 2024-12-31, so the figures do not depend on whether an
//! open case is evaluated at the period end or at the as-of date.

use crate::common;

use common::{ok, split_csv, totals};
use std::collections::HashMap;
use std::path::Path;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cases_small");
const AS_OF: &str = "2024-10-31";
const TOLERANCE: f64 = 1e-9;

/// The eight ratio columns, in the order of `Want::ratios`.
const RATIOS: [&str; 8] = [
    "instant_rate",
    "on_time_rate",
    "early_rate",
    "promise_compression",
    "actual_speedup",
    "one_visit_rate",
    "mean_elapsed_days",
    "p90_elapsed_days",
];

/// One expected output row: its key, the counts (in the order of `schema::CASES.counts()`) and the
/// ratios (as `RATIOS`; `None` = null, an empty cell).
struct Want {
    key: &'static str,
    counts: [u64; 8],
    ratios: [Option<f64>; 8],
}

/// A fresh home holding a copy of the fixture, ingested; every row stored.
fn home() -> tempfile::TempDir {
    let home = crate::common::tempdir();
    let dir = home.path().join("cases_small");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(FIXTURE).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    let summary = ok(home.path(), &["ingest", dir.to_str().unwrap()]);
    let t = totals(&summary);
    for (table, rows) in [
        ("windows", 3),
        ("staff", 4),
        ("items", 6),
        ("cases", 22),
        ("suspensions", 5),
    ] {
        assert_eq!(
            t.get(table),
            Some(&[rows, rows, 0, 0]),
            "{table}: every fixture row should be stored:\n{summary}"
        );
    }
    home
}

/// Run `metrics cases` for one period and level; one map (column → cell) per row.
fn metrics(home: &Path, period: &str, level: &str) -> Vec<HashMap<String, String>> {
    let out = ok(
        home,
        &[
            "metrics", "cases", "--period", period, "--level", level, "--as-of", AS_OF, "--format",
            "csv",
        ],
    );
    let mut lines = out.lines().filter(|l| !l.trim().is_empty());
    let header = split_csv(lines.next().expect("a header line").trim_end_matches('\r'));
    lines
        .map(|line| {
            let cells = split_csv(line.trim_end_matches('\r'));
            assert_eq!(cells.len(), header.len(), "ragged line {line:?}");
            header.iter().cloned().zip(cells).collect()
        })
        .collect()
}

/// The cell of `col` in `row`; a missing column fails the test.
fn cell<'a>(row: &'a HashMap<String, String>, col: &str, period: &str, level: &str) -> &'a str {
    row.get(col)
        .unwrap_or_else(|| panic!("{period} {level}: no column {col}"))
        .as_str()
}

/// Compare the rows of one query with the expected ones, column by column;
/// report every mismatch at once.
fn check(period: &str, level: &str, (grain, start, end): (&str, &str, &str), want: &[Want]) {
    let h = home();
    let rows = metrics(h.path(), period, level);
    let keys: Vec<&str> = rows
        .iter()
        .map(|r| r.get("key").map_or("?", |k| k.as_str()))
        .collect();
    let want_keys: Vec<&str> = want.iter().map(|w| w.key).collect();
    assert_eq!(
        keys, want_keys,
        "{period} {level}: keys (sorted, one per active key)"
    );
    let mut bad = Vec::new();
    for (row, w) in rows.iter().zip(want) {
        let cell = |col: &str| cell(row, col, period, level);
        let mut text = |col: &str, expected: &str| {
            if cell(col) != expected {
                bad.push(format!(
                    "{} {col}: got {:?}, want {expected:?}",
                    w.key,
                    cell(col)
                ));
            }
        };
        text("grain", grain);
        text("period", period);
        text("period_start", start);
        text("period_end", end);
        text("level", level);
        for (col, &expected) in xiaoneng::metrics::schema::CASES
            .counts()
            .iter()
            .zip(&w.counts)
        {
            if cell(col).parse::<u64>().ok() != Some(expected) {
                bad.push(format!(
                    "{} {col}: got {:?}, want {expected}",
                    w.key,
                    cell(col)
                ));
            }
        }
        for (col, &expected) in RATIOS.iter().zip(&w.ratios) {
            let got = cell(col);
            let fine = match expected {
                None => got.is_empty(),
                Some(x) => got
                    .parse::<f64>()
                    .is_ok_and(|g| g.is_finite() && (g - x).abs() <= TOLERANCE),
            };
            if !fine {
                let expected = expected.map_or("null (empty)".to_string(), |x| x.to_string());
                bad.push(format!("{} {col}: got {got:?}, want {expected}", w.key));
            }
        }
    }
    assert!(bad.is_empty(), "{period} {level}:\n{}", bad.join("\n"));
}

const OCTOBER: (&str, &str, &str) = ("month", "2024-10-01", "2024-10-31");
const WEEK_41: (&str, &str, &str) = ("week", "2024-10-07", "2024-10-13");
const DAY_1008: (&str, &str, &str) = ("day", "2024-10-08", "2024-10-08");
const Q4: (&str, &str, &str) = ("quarter", "2024-10-01", "2024-12-31");

// ---------------------------------------------------------------- 2024-10

/// The center row of 2024-10 (E = 10-31). It is also the 2024-Q4 row:
/// nothing happens in November or December, C13 is still overdue at 12-31
/// and C14 (deadline 2025-01-02) is not.
fn october_center() -> Want {
    // accepted in October (14): C03 C05 C06 C07 C08 C09 C10 C11 C12 C13 C14
    //   C15 C16 C19 (not C01 C02 C04 C17 C18: accepted in September).
    // completed in October (17), (N, L, elapsed):
    //   promised (13): C01 (5,20,4) C02 (5,20,5) C03 (3,15,2) C04 (10,20,9)
    //     C05 (3,15,4) C06 (10,20,7) C07 (3,20,1) C10 (2,10,3) C11 (2,–,1)
    //     C12 (2,–,2) C15 (3,20,3) C18 (10,20,4) C19 (3,15,4)
    //   instant (4): C08 0, C09 1, C16 1, C17 2
    // on time (el ≤ N, 10): C01 C02 C03 C04 C06 C07 C11 C12 C15 C18
    // early (el < N, 7): C01 C03 C04 C06 C07 C11 C18
    // overdue completed (6): C05 C10 C19 + instants C09 C16 C17
    // overdue open at 10-31 (1): C13 (deadline 10-21); C14 not (2025-01-02)
    // compression, promised with a legal limit (all but C11 C12):
    //   ΣN = 5+5+3+10+3+10+3+2+3+10+3 = 57, ΣL = 20+20+15+20+15+20+20+10+20+20+15 = 195
    // speed-up: Σel = 4+5+2+9+4+7+1+3+1+2+3+4+4 = 49, ΣN = 57+2+2 = 61
    // one-visit: all but C05 (补正) = 16 / 17
    // mean: (49 + 0+1+1+2) / 17 = 53/17
    // p90: sorted 0 1 1 1 1 2 2 2 3 3 4 4 4 4 5 7 9, h = 0.9·16 = 14.4,
    //   x[14] = 5, x[15] = 7 → 5 + 0.4·2 = 5.8
    Want {
        key: "center",
        counts: [14, 17, 4, 13, 10, 7, 6, 1],
        ratios: [
            Some(4.0 / 17.0),
            Some(10.0 / 13.0),
            Some(7.0 / 13.0),
            Some(1.0 - 57.0 / 195.0),
            Some(1.0 - 49.0 / 61.0),
            Some(16.0 / 17.0),
            Some(53.0 / 17.0),
            Some(5.8),
        ],
    }
}

#[test]
fn month_center() {
    check("2024-10", "center", OCTOBER, &[october_center()]);
}

#[test]
fn month_department() {
    check(
        "2024-10",
        "department",
        OCTOBER,
        &[
            // 市场监管 = window W03 (see `month_window`).
            Want {
                key: "市场监管",
                counts: [7, 8, 0, 8, 5, 5, 3, 0],
                ratios: [
                    Some(0.0),
                    Some(5.0 / 8.0),
                    Some(5.0 / 8.0),
                    Some(1.0 - 41.0 / 115.0),
                    Some(1.0 - 34.0 / 43.0),
                    Some(7.0 / 8.0),
                    Some(34.0 / 8.0),
                    Some(7.6),
                ],
            },
            // 税务 = W01 + W02; C12 (a 市场监管 item) counts here, by its window.
            // accepted 3+4 = 7; completed 5+4 = 9: C01 C02 C07 C15 C12 promised,
            //   C08 C09 C16 C17 instant; on time 5; early 2 (C01 C07);
            //   overdue C09 C16 C17; open overdue C13.
            // compression: ΣN 5+5+3+3 = 16, ΣL 80 (C12 has none) → 1 − 16/80
            // speed-up: Σel 4+5+1+3+2 = 15, ΣN 16+2 = 18 → 1 − 15/18
            // mean: (15 + 0+1+1+2) / 9 = 19/9
            // p90: 0 1 1 1 2 2 3 4 5, h = 7.2 → 4 + 0.2·1 = 4.2
            Want {
                key: "税务",
                counts: [7, 9, 4, 5, 5, 2, 3, 1],
                ratios: [
                    Some(4.0 / 9.0),
                    Some(1.0),
                    Some(2.0 / 5.0),
                    Some(0.8),
                    Some(1.0 - 15.0 / 18.0),
                    Some(1.0),
                    Some(19.0 / 9.0),
                    Some(4.2),
                ],
            },
        ],
    );
}

#[test]
fn month_window() {
    check(
        "2024-10",
        "window",
        OCTOBER,
        &[
            // W01: accepted C07 C09 C15 = 3 (C01 C17 accepted in September).
            // completed: C01 (5,20,4 early) C07 (3,20,1 early) C15 (3,20,3 on time)
            //   C09 (instant, 1, overdue) C17 (instant, 2, overdue) = 5.
            // compression 1 − 11/60; speed-up 1 − (4+1+3)/11; mean (4+1+3+1+2)/5 = 2.2
            // p90: 1 1 2 3 4, h = 3.6 → 3 + 0.6·1 = 3.6
            Want {
                key: "W01",
                counts: [3, 5, 2, 3, 3, 2, 2, 0],
                ratios: [
                    Some(2.0 / 5.0),
                    Some(1.0),
                    Some(2.0 / 3.0),
                    Some(1.0 - 11.0 / 60.0),
                    Some(1.0 - 8.0 / 11.0),
                    Some(1.0),
                    Some(2.2),
                    Some(3.6),
                ],
            },
            // W02: accepted C08 C12 C13 C16 = 4 (C02 in September).
            // completed: C02 (5,20,5 on time) C12 (2,–,2 on time) C08 (instant 0)
            //   C16 (instant 1, overdue) = 4; open overdue C13.
            // early 0/2 = 0 (not null); compression over C02 only: 1 − 5/20;
            // speed-up 1 − (5+2)/(5+2) = 0; mean (5+2+0+1)/4 = 2
            // p90: 0 1 2 5, h = 2.7 → 2 + 0.7·3 = 4.1
            Want {
                key: "W02",
                counts: [4, 4, 2, 2, 2, 0, 1, 1],
                ratios: [
                    Some(0.5),
                    Some(1.0),
                    Some(0.0),
                    Some(0.75),
                    Some(0.0),
                    Some(1.0),
                    Some(2.0),
                    Some(4.1),
                ],
            },
            // W03: accepted C03 C05 C06 C10 C11 C14 C19 = 7 (C04 C18 C20 in September).
            // completed 8, all promised: C03 (3,15,2 early) C04 (10,20,9 early)
            //   C05 (3,15,4 overdue, 补正) C06 (10,20,7 early) C10 (2,10,3 overdue)
            //   C11 (2,–,1 early) C18 (10,20,4 early) C19 (3,15,4 overdue).
            // open at 10-31: C14, not overdue.
            // compression (all but C11): ΣN 3+10+3+10+2+10+3 = 41, ΣL 15+20+15+20+10+20+15 = 115
            // speed-up: Σel 2+9+4+7+3+1+4+4 = 34, ΣN 41+2 = 43; mean 34/8 = 4.25
            // p90: 1 2 3 4 4 4 7 9, h = 6.3 → 7 + 0.3·2 = 7.6
            Want {
                key: "W03",
                counts: [7, 8, 0, 8, 5, 5, 3, 0],
                ratios: [
                    Some(0.0),
                    Some(5.0 / 8.0),
                    Some(5.0 / 8.0),
                    Some(1.0 - 41.0 / 115.0),
                    Some(1.0 - 34.0 / 43.0),
                    Some(7.0 / 8.0),
                    Some(4.25),
                    Some(7.6),
                ],
            },
        ],
    );
}

#[test]
fn month_staff() {
    check(
        "2024-10",
        "staff",
        OCTOBER,
        &[
            // 1001 handles exactly W01's cases: same figures as W01.
            Want {
                key: "1001",
                counts: [3, 5, 2, 3, 3, 2, 2, 0],
                ratios: [
                    Some(2.0 / 5.0),
                    Some(1.0),
                    Some(2.0 / 3.0),
                    Some(1.0 - 11.0 / 60.0),
                    Some(1.0 - 8.0 / 11.0),
                    Some(1.0),
                    Some(2.2),
                    Some(3.6),
                ],
            },
            // 1002: W02 without C12 (no staff). accepted C08 C13 C16 = 3;
            // completed C02 (5,20,5 on time) C08 (instant 0) C16 (instant 1, overdue);
            // open overdue C13. mean (5+0+1)/3 = 2; p90: 0 1 5, h = 1.8 → 1 + 0.8·4 = 4.2
            Want {
                key: "1002",
                counts: [3, 3, 2, 1, 1, 0, 1, 1],
                ratios: [
                    Some(2.0 / 3.0),
                    Some(1.0),
                    Some(0.0),
                    Some(0.75),
                    Some(0.0),
                    Some(1.0),
                    Some(2.0),
                    Some(4.2),
                ],
            },
            // 1003: accepted C03 C05 C10 C14 = 4; completed C03 (3,15,2 early)
            //   C05 (3,15,4 overdue, 补正) C10 (2,10,3 overdue) C18 (10,20,4 early) = 4.
            // compression 1 − 18/60 = 0.7; speed-up 1 − 13/18; mean 13/4
            // p90: 2 3 4 4, h = 2.7 → 4 + 0.7·0 = 4
            Want {
                key: "1003",
                counts: [4, 4, 0, 4, 2, 2, 2, 0],
                ratios: [
                    Some(0.0),
                    Some(0.5),
                    Some(0.5),
                    Some(0.7),
                    Some(1.0 - 13.0 / 18.0),
                    Some(0.75),
                    Some(3.25),
                    Some(4.0),
                ],
            },
            // 1004: accepted C06 C11 C19 = 3; completed C04 (10,20,9 early)
            //   C06 (10,20,7 early) C11 (2,–,1 early) C19 (3,15,4 overdue) = 4.
            // compression (no C11) 1 − 23/55; speed-up 1 − 21/25; mean 21/4
            // p90: 1 4 7 9, h = 2.7 → 7 + 0.7·2 = 8.4
            Want {
                key: "1004",
                counts: [3, 4, 0, 4, 3, 3, 1, 0],
                ratios: [
                    Some(0.0),
                    Some(0.75),
                    Some(0.75),
                    Some(1.0 - 23.0 / 55.0),
                    Some(1.0 - 21.0 / 25.0),
                    Some(1.0),
                    Some(5.25),
                    Some(8.4),
                ],
            },
        ],
    );
}

#[test]
fn month_item() {
    check(
        "2024-10",
        "item",
        OCTOBER,
        &[
            // I01: accepted C07 C13 C15 = 3; completed C01 (5,20,4 early)
            //   C02 (5,20,5 on time) C07 (3,20,1 early) C15 (3,20,3 on time) = 4;
            //   open overdue C13. compression 1 − 16/80; speed-up 1 − 13/16
            // p90: 1 3 4 5, h = 2.7 → 4 + 0.7·1 = 4.7
            Want {
                key: "I01",
                counts: [3, 4, 0, 4, 4, 2, 0, 1],
                ratios: [
                    Some(0.0),
                    Some(1.0),
                    Some(0.5),
                    Some(0.8),
                    Some(1.0 - 13.0 / 16.0),
                    Some(1.0),
                    Some(3.25),
                    Some(4.7),
                ],
            },
            // I02 (instant): accepted C08 C09 C16 = 3; completed C08 0, C09 1,
            //   C16 1, C17 2 = 4, overdue C09 C16 C17. No promised case: the
            //   promised-case rates are null. p90: 0 1 1 2, h = 2.7 → 1 + 0.7·1 = 1.7
            Want {
                key: "I02",
                counts: [3, 4, 4, 0, 0, 0, 3, 0],
                ratios: [
                    Some(1.0),
                    None,
                    None,
                    None,
                    None,
                    Some(1.0),
                    Some(1.0),
                    Some(1.7),
                ],
            },
            // I03: accepted C03 C05 C10 C19 = 4; completed C03 (3,15,2 early)
            //   C05 (3,15,4 overdue, 补正) C10 (own 2,10,3 overdue) C19 (3,15,4 overdue).
            // compression 1 − 11/55 = 0.8; speed-up 1 − 13/11 (negative); mean 13/4
            // p90: 2 3 4 4 → 4
            Want {
                key: "I03",
                counts: [4, 4, 0, 4, 1, 1, 3, 0],
                ratios: [
                    Some(0.0),
                    Some(0.25),
                    Some(0.25),
                    Some(0.8),
                    Some(1.0 - 13.0 / 11.0),
                    Some(0.75),
                    Some(3.25),
                    Some(4.0),
                ],
            },
            // I04 (no legal limit): accepted and completed C11 (2,–,1 early,
            //   不予许可) C12 (2,–,2 on time). compression null (no legal limit);
            //   speed-up 1 − 3/4; p90: 1 2, h = 0.9 → 1.9
            Want {
                key: "I04",
                counts: [2, 2, 0, 2, 2, 1, 0, 0],
                ratios: [
                    Some(0.0),
                    Some(1.0),
                    Some(0.5),
                    None,
                    Some(0.25),
                    Some(1.0),
                    Some(1.5),
                    Some(1.9),
                ],
            },
            // I05: accepted C06 C14 = 2; completed C04 (10,20,9) C06 (10,20,7)
            //   C18 (10,20,4), all early; C14 open, not overdue.
            // compression 1 − 30/60; speed-up 1 − 20/30; mean 20/3
            // p90: 4 7 9, h = 1.8 → 7 + 0.8·2 = 8.6
            Want {
                key: "I05",
                counts: [2, 3, 0, 3, 3, 3, 0, 0],
                ratios: [
                    Some(0.0),
                    Some(1.0),
                    Some(1.0),
                    Some(0.5),
                    Some(1.0 - 20.0 / 30.0),
                    Some(1.0),
                    Some(20.0 / 3.0),
                    Some(8.6),
                ],
            },
        ],
    );
}

// ---------------------------------------------------------------- other grains

#[test]
fn week_center() {
    // 2024-W41 = Mon 10-07 .. Sun 10-13, E = 10-13.
    // accepted (6): C05 C15 C16 (10-08), C19 (10-09), C08 (10-10), C09 (10-11).
    // completed (8): C18 10-08 (10,20,4 early), C01 10-09 (5,20,4 early),
    //   C16 10-09 (inst 1), C17 10-09 (inst 2), C08 10-10 (inst 0),
    //   C02 10-11 (5,20,5 on time), C15 10-11 (3,20,3 on time), C09 10-12 (inst 1).
    // overdue completed: C09 C16 C17. overdue open at 10-13: none. C19's
    //   deadline is the 调休 Saturday 10-12 and Sunday 10-13 is no working
    //   day (elapsed(10-09, 10-13) = 3 = N: late only from Monday 10-14);
    //   not C04 (deadline ≥ 10-14), not C05 (deadline 10-14).
    // compression 1 − (10+5+5+3)/80 = 1 − 23/80; speed-up 1 − (4+4+5+3)/23
    // mean (16 + 0+1+1+2)/8 = 2.5; p90: 0 1 1 2 3 4 4 5, h = 6.3 → 4 + 0.3 = 4.3
    check(
        "2024-W41",
        "center",
        WEEK_41,
        &[Want {
            key: "center",
            counts: [6, 8, 4, 4, 4, 2, 3, 0],
            ratios: [
                Some(0.5),
                Some(1.0),
                Some(0.5),
                Some(1.0 - 23.0 / 80.0),
                Some(1.0 - 16.0 / 23.0),
                Some(1.0),
                Some(2.5),
                Some(4.3),
            ],
        }],
    );
}

#[test]
fn week_item() {
    // I04 has no activity in W41 and gets no row.
    check(
        "2024-W41",
        "item",
        WEEK_41,
        &[
            // I01: accepted C15; completed C01 (5,20,4 early) C02 (5,20,5)
            //   C15 (3,20,3). compression 1 − 13/60; speed-up 1 − 12/13; mean 12/3
            //   p90: 3 4 5, h = 1.8 → 4 + 0.8 = 4.8
            Want {
                key: "I01",
                counts: [1, 3, 0, 3, 3, 1, 0, 0],
                ratios: [
                    Some(0.0),
                    Some(1.0),
                    Some(1.0 / 3.0),
                    Some(1.0 - 13.0 / 60.0),
                    Some(1.0 - 12.0 / 13.0),
                    Some(1.0),
                    Some(4.0),
                    Some(4.8),
                ],
            },
            // I02: accepted C08 C09 C16; completed C08 0, C09 1, C16 1, C17 2.
            Want {
                key: "I02",
                counts: [3, 4, 4, 0, 0, 0, 3, 0],
                ratios: [
                    Some(1.0),
                    None,
                    None,
                    None,
                    None,
                    Some(1.0),
                    Some(1.0),
                    Some(1.7),
                ],
            },
            // I03: accepted C05 C19, nothing completed: every ratio is null.
            //   C19 is open at 10-13 but not yet late (deadline Saturday
            //   10-12, no working day since).
            Want {
                key: "I03",
                counts: [2, 0, 0, 0, 0, 0, 0, 0],
                ratios: [None; 8],
            },
            // I05: completed C18 (10,20,4 early) only.
            Want {
                key: "I05",
                counts: [0, 1, 0, 1, 1, 1, 0, 0],
                ratios: [
                    Some(0.0),
                    Some(1.0),
                    Some(1.0),
                    Some(0.5),
                    Some(0.6),
                    Some(1.0),
                    Some(4.0),
                    Some(4.0),
                ],
            },
        ],
    );
}

#[test]
fn day_center() {
    // 2024-10-08 (first working day after the holiday), E = 10-08.
    // accepted: C05 C15 C16 = 3; completed: C18 (10,20,4 early) = 1.
    // overdue open at the end of 10-08: C17 (instant accepted 09-30, deadline
    //   09-30). C16 (instant accepted that day, deadline 10-08) is not: not
    //   before E. C01 (deadline 10-10), C02 (10-11), C04 (≥ 10-14) are not.
    // compression 1 − 10/20; speed-up 1 − 4/10; p90 of one value = 4.
    check(
        "2024-10-08",
        "center",
        DAY_1008,
        &[Want {
            key: "center",
            counts: [3, 1, 0, 1, 1, 1, 0, 1],
            ratios: [
                Some(0.0),
                Some(1.0),
                Some(1.0),
                Some(0.5),
                Some(0.6),
                Some(1.0),
                Some(4.0),
                Some(4.0),
            ],
        }],
    );
}

#[test]
fn day_staff() {
    // 1004 has no activity on 10-08 (C04 is open but not overdue) and gets no row.
    check(
        "2024-10-08",
        "staff",
        DAY_1008,
        &[
            // 1001: accepted C15; C17 open and overdue. Nothing completed: null ratios.
            Want {
                key: "1001",
                counts: [1, 0, 0, 0, 0, 0, 0, 1],
                ratios: [None; 8],
            },
            // 1002: accepted C16 (instant, not yet overdue at the end of its own day).
            Want {
                key: "1002",
                counts: [1, 0, 0, 0, 0, 0, 0, 0],
                ratios: [None; 8],
            },
            // 1003: accepted C05; completed C18 (10,20,4 early).
            Want {
                key: "1003",
                counts: [1, 1, 0, 1, 1, 1, 0, 0],
                ratios: [
                    Some(0.0),
                    Some(1.0),
                    Some(1.0),
                    Some(0.5),
                    Some(0.6),
                    Some(1.0),
                    Some(4.0),
                    Some(4.0),
                ],
            },
        ],
    );
}

#[test]
fn quarter_center() {
    // 2024-Q4 = 10-01 .. 12-31: the same cases as October (see `october_center`).
    check("2024-Q4", "center", Q4, &[october_center()]);
}

/// A case overdue on some days of a month but not at its end (a suspension
/// that starts after the deadline moves it) gives day rows with
/// `overdue_open`, and no row at all for the month: nothing was accepted or
/// completed in it and nothing was overdue at its end.
#[test]
fn a_case_due_before_a_holiday_is_not_late_during_it_and_gives_no_empty_rows() {
    let h = crate::common::tempdir();
    let dir = h.path().join("in");
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        ("windows.csv", "window_id,name,department\nW02,窗口,税务\n"),
        (
            "staff.csv",
            "staff_id,name,window_id,role,valid_from,valid_to\n1001,张伟,W02,工作人员,2026-01-01,\n",
        ),
        (
            "items.csv",
            "item_code,name,department,legal_limit_days,promised_limit_days,materials,steps,effective_from\nI01,登记,税务,20,1,1,1,2026-01-01\n",
        ),
        (
            "cases.csv",
            "case_id,item_code,window_id,staff_id,channel,accepted_at,completed_at,result,promised_limit_days,legal_limit_days\nC12,I01,W02,1001,窗口,2026-09-29 10:00:00,,,,\n",
        ),
        (
            "suspensions.csv",
            "case_id,kind,start,end,reason\nC12,特别程序,2026-10-08,,现场核查\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    common::ok(h.path(), &["ingest", dir.to_str().unwrap()]);
    common::ok(
        h.path(),
        &["compute", "--only", "cases", "--as-of", "2026-10-08"],
    );
    let rows = common::csv_rows(&common::ok(
        h.path(),
        &[
            "query",
            "SELECT grain, period, overdue_open FROM case_metrics WHERE level = 'window' AND period_start >= '2026-10-01'",
            "--format",
            "csv",
        ],
    ));
    // Deadline Wednesday 09-30, then National Day 10-01 … 10-07: no working
    // day after the deadline begins before Thursday 10-08, and on 10-08 the
    // 特别程序 from 10-08 extends the limit by that day: elapsed(09-29,
    // 10-08) = 2 (09-30, 10-08) = 1 + 1. Late on no day of October, and
    // October gets no all-zero row at any grain.
    assert!(rows.is_empty(), "{rows:?}");
}

/// The case engine does not depend on the order of the stored rows: the
/// fixture with its cases and suspensions in reverse order gives the same
/// figures at every level (the engine sorts by case id only when the store
/// is not already in that order).
#[test]
fn row_order_does_not_change_the_figures() {
    let sorted = home();
    let reversed = crate::common::tempdir();
    let dir = reversed.path().join("cases_small");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(FIXTURE).unwrap() {
        let entry = entry.unwrap();
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1..].reverse();
        std::fs::write(dir.join(entry.file_name()), lines.join("\n") + "\n").unwrap();
    }
    ok(reversed.path(), &["ingest", dir.to_str().unwrap()]);
    for level in ["center", "department", "window", "staff", "item"] {
        for period in ["2024-10", "2024-W41", "2024-Q4", "2023"] {
            let a = metrics(sorted.path(), period, level);
            let b = metrics(reversed.path(), period, level);
            if level == "center" {
                assert_eq!(a.len(), 1, "{period}: one center row");
            }
            assert_eq!(a, b, "{period} {level}");
        }
    }
}
