//! Pins the window ranking (红旗窗口评比) — `rank` and `rank --explain` — on
//! the hand-computed fixture `tests/fixtures/ranking_small` (September and
//! October 2026, evaluated as of 2026-10-31). Every score, rank, band and
//! flag below was worked out by hand from the rules of docs/METRICS.md (Scoring and
//! rankings, Working days, Metrics) with the default scoring rules; the
//! comments show the sums.
//!
//! Why seven ranked windows and not five: with three red flags and three
//! named at the bottom, five (or six) ranked windows put one window in both
//! groups whenever the vetoed window is in the top three, and a window has
//! only one band. Seven ranked windows keep the groups apart, so every band
//! here follows from the rules alone. W08 has no case at all: it is listed
//! apart (无办件).
//!
//! # Default rules applied
//!
//! Each window starts a month at 100. Events (by their date): late (a staff-day
//! with late minutes > 0) −0.5; early (a staff-day with early minutes > 0)
//! −0.5; missing punch −0.5 each; absence −2 per absent half day; overlong
//! departure −1; departure without cover −0.5; overdue_completed −2 per case
//! completed in the month with elapsed > N; overdue_open −2 per case open
//! and past its deadline at the month's end; correction −2 (by its date,
//! window of the corrected case); bad rating (level ≤ 2) −1 by rated date;
//! late rectification −2 (rectified after the 5th working day after the
//! rating, or open past it at the month's end; in the rating's month); queue
//! jump −2 (issue date, calling window); substantiated incidents their own
//! points, the positive ones capped at +5 a window and month (an adjustment
//! event, source `score`, brings them down); missed targets from case_metrics:
//! on-time < 0.98 −5, promise compression < 0.5 −3, actual speed-up < 0.3 −3
//! (null misses nothing). A substantiated 吃拿卡要 incident vetoes the red flag.
//! Ranked: windows with a case accepted or completed in the month; order by
//! score desc, on_time_rate desc (null last), satisfaction_rate desc (null
//! last), completed desc, window_id. Top three eligible: 红旗窗口; bottom
//! three: 末位, the last 限期整改; 末位/限期整改 in this month and the one
//! before: talk (约谈).
//!
//! # Calendar (working days numbered for counting, #n)
//!
//! ```text
//! Sep  1 Tu #2 | 2 #3 | 3 #4 | 4 Fr #5 | 7 Mo #6 | 8 #7 | 9 #8 | 10 #9 | 11 Fr #10
//! Sep 14 Mo #11 | 15 #12 | 16 #13 | 17 #14 | 18 Fr #15 | 19 Sa off
//! Sep 20 Su #16 (调休, make-up day) | 21 Mo #17 | 22 #18 | 23 #19 | 24 Th #20
//! Sep 25 Fr off (中秋节) | 26, 27 off | 28 Mo #21 | 29 #22 | 30 We #23
//! Oct 1–7 off (国庆节) | 8 Th #24 | 9 Fr #25 | 10 Sa #26 (调休) | 11 Su off
//! Oct 12 Mo #27 | 13 #28 | 14 #29 | 15 #30 | 16 Fr #31 | 19 Mo #32 | 20 #33
//! Oct 21 #34 | 22 #35 | 23 Fr #36 | 26 Mo #37 | 27 #38 | 28 #39 | 29 #40
//! Oct 30 Fr #41 | 31 Sa off (as-of)
//! ```
//!
//! 22 working days in September, 18 in October.
//!
//! # Fixture
//!
//! Windows: W01 税务综合, W02 税务发票, W03 社保费, W04 不动产税费 (税务);
//! W05 市场监管登记, W06 市场监管许可, W07 食品经营许可, W08 特种设备 (市场监管).
//! Staff: 300k on W0k (k = 1..7), valid from 2026-01-01; W08 has none.
//! Items: I01 (legal 20, promised 3), I02 (instant: promised 0, legal 5).
//!
//! ```text
//! case win  item      accepted      completed     el  N  notes
//! C01  W01  I01       09-02 #3      09-03 #4      1   3
//! C02  W01  I02       09-08         09-08         0   0
//! C03  W02  I01       09-03 #4      09-04 #5      1   3
//! C04  W02  I02       09-14         09-14         0   0
//! C05  W03  I01       09-09 #8      09-10 #9      1   3
//! C06  W04  I01       09-07 #6      09-08 #7      1   3   correction 09-16
//! C07  W05  I01 15/20 09-07 #6      09-09 #8      2   15  own limits: compression 1 − 15/20 = 0.25
//! C08  W06  I02       09-15         09-15         0   0
//! C09  W07  I01       09-22 #18     10-09 #25     7   3   deadline #21 = 09-28 (09-25 off):
//!                                                         open and overdue at 09-30; OVERDUE in October
//! C10  W07  I02       09-24         09-24         0   0   correction 10-22 (counts in October)
//! C11  W01  I01       10-12 #27     10-13 #28     1   3
//! C12  W01  I02       10-15         10-15         0   0
//! C13  W02  I01       10-12 #27     10-13 #28     1   3
//! C14  W02  I02       10-20         10-20         0   0
//! C15  W03  I01       10-12 #27     10-16 #31     4   3   OVERDUE (4 > 3)
//! C16  W03  I01       10-19 #32     10-20 #33     1   3
//! C17  W04  I01       10-08 #24     10-09 #25     1   3
//! C18  W04  I02       10-19         10-19         0   0   correction 10-20
//! C19  W05  I01       10-13 #28     10-14 #29     1   3
//! C20  W05  I01       10-21 #34     10-23 #36     2   3
//! C21  W06  I02       10-12 #27     10-13 #28     1   0   instant finished a working day later: OVERDUE
//! C22  W06  I01       10-20 #33     open          –   3   deadline #36 = 10-23 < 10-31: overdue open
//! C23  W07  I02       10-26         10-26         0   0
//! ```
//!
//! ```text
//! rating case win  rated       lv rectified     notes
//! R01    C01  W01  09-03       5
//! R02    C02  W01  09-09 #8    1  09-11 #10     limit #13 = 09-16: on time
//! R03    C03  W02  09-04       4
//! R04    C07  W05  09-14 #11   2  09-21 #17     limit #16 = 09-20 (the make-up Sunday): LATE
//! R05    C13  W02  10-13       5
//! R06    C14  W02  10-20       4
//! R07    C17  W04  10-09 #25   2  10-16 #31     limit #30 = 10-15 (10-10 调休 counts): LATE
//! R08    C18  W04  10-19       4
//! R09    C15  W03  10-16       3
//! R10    C21  W06  10-13 #28   1  never         limit #33 = 10-20 < 10-31: open past limit
//! R11    C11  W01  10-13       5
//! ```
//!
//! Tickets: T01 (A, 09-08 09:00, called 09:30 by W02) and T02 (A, 09-08 09:10,
//! called 09:15 by W01): T02 jumps T01 → W01, September. T03 (B, 10-13 09:00,
//! called 09:40 by W03), T04 (B, 09:05, called 09:10 by W04): T04 jumps T03 →
//! W04, October; T05 (B, 09:20, priority, called 09:25 by W05): no jump.
//!
//! Incidents (October): N01 暗访 W01 吃拿卡要 substantiated −2 (VETO); N02 表扬
//! W01 表扬信 substantiated empty (= true) +2; N03 投诉 W01 服务态度 not
//! substantiated −2 (nothing); N04 表扬 W02 表扬信 +3; N05 锦旗 W02 锦旗 +5;
//! N06 投诉 W02 吃拿卡要 NOT substantiated −5 (no points, no veto).
//!
//! Leave: 3002 事假 10-14 all day (no punch that day: no exception).
//! Departures: 3007 09-23 10:00–10:10 no cover (without cover, not overlong);
//! 3001 10-20 15:00–15:10 covered by 3002 (nothing); 3005 10-21 10:00–10:30
//! covered (overlong: 30 > 20); 3006 10-27 14:30–15:00 no cover (overlong and
//! without cover).
//!
//! Punches (`make_punches.py`): four on-time punches every working day from
//! 09-01 to 10-30 for 3001..3007, except (summer hours to 09-30: 08:30 12:00
//! 14:30 17:30; winter from 10-01: 08:30 12:00 14:00 17:00):
//!
//! ```text
//! 3006 09-03 in 08:45                late               W06 Sep
//! 3003 09-10 no afternoon-in punch   missing punch      W03 Sep
//! 3005 09-16 no morning-out punch    missing punch      W05 Sep
//! 3003 09-17 out 17:20               early              W03 Sep
//! 3004 09-21 no morning punch        absence (½ day)    W04 Sep
//! 3007 09-29 no afternoon punch      absence (½ day)    W07 Sep
//! 3001 10-08 in 08:21 and 08:29      duplicate: none
//! 3002 10-09 in 08:40                late               W02 Oct
//! 3004 10-11 (Sunday) two punches    duty presence: none
//! 3005 10-13 no morning-out punch    missing punch      W05 Oct
//! 3002 10-14 no punch, on leave      none
//! 3006 10-15 in 09:05 (35 min ≥ 30)  late + absence     W06 Oct
//! 3001 10-16 out 16:45               early              W01 Oct
//! 3004 10-19 no afternoon punch      absence (½ day)    W04 Oct
//! 3004 10-22 in 08:35                late               W04 Oct
//! 3004 10-23 out 16:50               early              W04 Oct
//! 3007 10-26 no morning punch        absence (½ day)    W07 Oct
//! 3007 10-28 no afternoon-out punch  missing punch      W07 Oct
//! ```

use crate::common;

use common::{ok, split_csv, totals};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ranking_small");
const AS_OF: &str = "2026-10-31";
const TOLERANCE: f64 = 1e-9;

/// The ranking's columns, then the assessment's total and grade beside
/// (pinned under a scheme of its own in `tests/assessment.rs`).
const RANK_COLUMNS: [&str; 18] = [
    "grain",
    "period",
    "period_start",
    "period_end",
    "window_id",
    "department",
    "score",
    "rank",
    "band",
    "eligible",
    "veto",
    "talk",
    "on_time_rate",
    "satisfaction_rate",
    "completed",
    "events",
    "assessment",
    "grade",
];

const EXPLAIN_COLUMNS: [&str; 8] = [
    "grain",
    "period",
    "window_id",
    "staff_id",
    "source",
    "row_key",
    "kind",
    "points",
];

const RED: &str = "红旗窗口";
const BOTTOM: &str = "末位";
const LAST: &str = "限期整改";
const NO_CASES: &str = "无办件";
const VETO: &str = "吃拿卡要";

/// (period, period_start, period_end) of a month.
type Month = (&'static str, &'static str, &'static str);

const SEPTEMBER: Month = ("2026-09", "2026-09-01", "2026-09-30");
const OCTOBER: Month = ("2026-10", "2026-10-01", "2026-10-31");

/// One expected row of `rank`.
struct Want {
    window: &'static str,
    department: &'static str,
    score: f64,
    /// `None`: not ranked (an empty cell).
    rank: Option<u32>,
    /// `""`: no band (an empty cell).
    band: &'static str,
    eligible: bool,
    /// `""`: no veto.
    veto: &'static str,
    talk: bool,
    on_time_rate: Option<f64>,
    satisfaction_rate: Option<f64>,
    completed: u64,
    events: u64,
}

/// A fresh home holding a copy of the fixture's CSV files, ingested; every
/// row stored, none rejected.
fn home() -> tempfile::TempDir {
    let home = crate::common::tempdir();
    let dir = home.path().join("ranking_small");
    common::copy_csvs(std::path::Path::new(FIXTURE), &dir);
    let summary = ok(home.path(), &["ingest", dir.to_str().unwrap()]);
    let t = totals(&summary);
    for (table, rows) in [
        ("windows", 8),
        ("staff", 7),
        ("items", 2),
        ("cases", 23),
        ("corrections", 3),
        ("ratings", 11),
        ("tickets", 5),
        ("incidents", 6),
        // 7 staff × 40 working days × 4 − 16 planted gaps + 1 duplicate + 2 duty.
        ("punches", 1107),
        ("leaves", 1),
        ("departures", 4),
    ] {
        assert_eq!(
            t.get(table),
            Some(&[rows, rows, 0, 0]),
            "{table}: every fixture row should be stored:\n{summary}"
        );
    }
    home
}

/// `rank --period PERIOD --as-of AS_OF --format csv`, plus `extra`.
fn rank(home: &std::path::Path, period: &str, extra: &[&str]) -> String {
    let mut args = vec!["rank", "--period", period];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--as-of", AS_OF, "--format", "csv"]);
    ok(home, &args)
}

/// The header and data rows of CSV output (blank lines dropped).
fn parse(what: &str, out: &str, columns: &[&str]) -> Vec<Vec<String>> {
    let mut lines = out
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty());
    let header = split_csv(lines.next().expect("a header line"));
    assert_eq!(header, columns, "{what}: header");
    lines
        .map(|line| {
            let cells = split_csv(line);
            assert_eq!(cells.len(), columns.len(), "{what}: ragged line {line:?}");
            cells
        })
        .collect()
}

fn float_is(cell: &str, want: f64) -> bool {
    cell.parse::<f64>()
        .is_ok_and(|g| g.is_finite() && (g - want).abs() <= TOLERANCE)
}

fn rate_is(cell: &str, want: Option<f64>) -> bool {
    match want {
        Some(x) => float_is(cell, x),
        None => cell.is_empty(),
    }
}

/// Compare the `rank` output of a month with the expected rows, in order;
/// report every mismatch at once.
fn check_ranking(out: &str, month: Month, want: &[Want]) {
    let (period, start, end) = month;
    let what = format!("rank {period}");
    let rows = parse(&what, out, &RANK_COLUMNS);
    assert_eq!(
        rows.iter().map(|r| r[4].as_str()).collect::<Vec<_>>(),
        want.iter().map(|w| w.window).collect::<Vec<_>>(),
        "{what}: windows in rank order, then the unranked ones"
    );
    let mut bad = Vec::new();
    for (r, w) in rows.iter().zip(want) {
        let rank = w.rank.map_or_else(String::new, |n| n.to_string());
        let checks: [(&str, bool, String); 16] = [
            ("grain", r[0] == "month", "month".into()),
            ("period", r[1] == period, period.into()),
            ("period_start", r[2] == start, start.into()),
            ("period_end", r[3] == end, end.into()),
            ("window_id", r[4] == w.window, w.window.into()),
            ("department", r[5] == w.department, w.department.into()),
            ("score", float_is(&r[6], w.score), w.score.to_string()),
            ("rank", r[7] == rank, rank.clone()),
            ("band", r[8] == w.band, w.band.into()),
            (
                "eligible",
                r[9] == w.eligible.to_string(),
                w.eligible.to_string(),
            ),
            ("veto", r[10] == w.veto, w.veto.into()),
            ("talk", r[11] == w.talk.to_string(), w.talk.to_string()),
            (
                "on_time_rate",
                rate_is(&r[12], w.on_time_rate),
                format!("{:?}", w.on_time_rate),
            ),
            (
                "satisfaction_rate",
                rate_is(&r[13], w.satisfaction_rate),
                format!("{:?}", w.satisfaction_rate),
            ),
            (
                "completed",
                r[14].parse::<u64>().ok() == Some(w.completed),
                w.completed.to_string(),
            ),
            (
                "events",
                r[15].parse::<u64>().ok() == Some(w.events),
                w.events.to_string(),
            ),
        ];
        for (col, good, expected) in checks {
            if !good {
                let got = &r[RANK_COLUMNS.iter().position(|c| *c == col).unwrap()];
                bad.push(format!("{} {col}: got {got:?}, want {expected}", w.window));
            }
        }
    }
    assert!(bad.is_empty(), "{what}:\n{}", bad.join("\n"));
}

// ---------------------------------------------------------------- October

/// The October ranking (as of 10-31).
fn october() -> Vec<Want> {
    vec![
        // W02 = 100 + 3 (N04 表扬) + 5 (N05 锦旗) − 3 (cap: +8 → +5)
        //   − 0.5 (3002 late 10-09) = 104.5; 4 events. (N06 吃拿卡要 is not
        //   substantiated: no points, no veto; 10-14 on leave: nothing.)
        // on-time C13 (1 ≤ 3) → 1/1; satisfaction R05 (5) R06 (4) → 2/2;
        // completed C13 C14 = 2. Rank 1, red flag. Bottom in September? No.
        Want {
            window: "W02",
            department: "税务",
            score: 104.5,
            rank: Some(1),
            band: RED,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: Some(1.0),
            satisfaction_rate: Some(1.0),
            completed: 2,
            events: 4,
        },
        // W01 = 100 − 2 (N01 吃拿卡要) + 2 (N02 表扬信, under the cap)
        //   − 0.5 (3001 early 10-16) = 99.5; 3 events (N03 not substantiated;
        //   the covered 10-minute departure of 10-20 is nothing).
        // on-time C11 → 1; satisfaction R11 (5) → 1; completed C11 C12 = 2.
        // Rank 2 but vetoed by N01: not eligible, no band.
        Want {
            window: "W01",
            department: "税务",
            score: 99.5,
            rank: Some(2),
            band: "",
            eligible: false,
            veto: VETO,
            talk: false,
            on_time_rate: Some(1.0),
            satisfaction_rate: Some(1.0),
            completed: 2,
            events: 3,
        },
        // W05 = 100 − 0.5 (3005 missing morning-out 10-13) − 1 (overlong
        //   departure 10-21, 30 min, covered) = 98.5; 2 events.
        // on-time C19 (1) C20 (2) → 2/2; speed-up 1 − 3/6 = 0.5 ≥ 0.3;
        // compression 1 − 6/40 = 0.85; no rating → null; completed 2.
        // Rank 3, the second eligible: red flag.
        Want {
            window: "W05",
            department: "市场监管",
            score: 98.5,
            rank: Some(3),
            band: RED,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: Some(1.0),
            satisfaction_rate: None,
            completed: 2,
            events: 2,
        },
        // W04 = 100 − 2 (correction of C18, 10-20) − 1 (R07 bad) − 2 (R07
        //   rectified 10-16 after its limit 10-15) − 2 (T04 queue jump)
        //   − 2 (3004 afternoon absent 10-19) − 0.5 (late 10-22)
        //   − 0.5 (early 10-23) = 90; 7 events.
        // on-time C17 (1 ≤ 3) → 1.0; satisfaction R07 (2) R08 (4) → 1/2;
        // completed C17 C18 = 2.
        // TIE with W03 at 90: on-time 1.0 > 0.5 puts W04 first (satisfaction
        // 0.5 < 1.0 and window_id W04 > W03 would both put W03 first).
        // Rank 4, the third eligible: red flag (the next one after the veto).
        Want {
            window: "W04",
            department: "税务",
            score: 90.0,
            rank: Some(4),
            band: RED,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: Some(1.0),
            satisfaction_rate: Some(0.5),
            completed: 2,
            events: 7,
        },
        // W03 = 100 − 2 (C15 overdue, 4 > 3) − 5 (on-time 1/2 = 0.5 < 0.98)
        //   − 3 (speed-up 1 − (4 + 1)/(3 + 3) = 1/6 < 0.3) = 90; 3 events.
        // compression 0.85 (met); satisfaction R09 (3) → 1; completed C15 C16.
        // Rank 5: bottom three, 末位. September: rank 3, red flag → no talk.
        Want {
            window: "W03",
            department: "税务",
            score: 90.0,
            rank: Some(5),
            band: BOTTOM,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: Some(0.5),
            satisfaction_rate: Some(1.0),
            completed: 2,
            events: 3,
        },
        // W06 = 100 − 2 (C21 instant, elapsed 1 > 0) − 2 (C22 open, deadline
        //   10-23 < 10-31) − 0.5 (3006 late 35 min 10-15) − 2 (… ≥ 30 min:
        //   half a day absent) − 1 (overlong departure 10-27, 30 min)
        //   − 0.5 (… without cover) − 1 (R10 bad) − 2 (R10 open past its
        //   limit 10-20 at 10-31) − 2 (C22's 督办 notice: red from 10-26
        //   #37, reply due #39 = 10-28, none: 效能告诫 on 10-29 #40; due
        //   again #42 = 11-02, after the as-of) = 87; 9 events.
        // C21 finished on 10-13, the day it would have turned red: no card
        // at that day's end, so no notice.
        // No completed promised case: on-time, compression, speed-up null, no
        // missed target. satisfaction R10 (1) → 0/1 = 0; completed C21 = 1.
        // Rank 6: 末位. September: rank 2, red flag → no talk.
        Want {
            window: "W06",
            department: "市场监管",
            score: 87.0,
            rank: Some(6),
            band: BOTTOM,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: None,
            satisfaction_rate: Some(0.0),
            completed: 1,
            events: 9,
        },
        // W07 = 100 − 2 (C09 overdue, elapsed 7 > 3) − 5 (on-time 0/1)
        //   − 3 (speed-up 1 − 7/3 < 0.3) − 2 (correction of C10, 10-22)
        //   − 2 (3007 morning absent 10-26) − 0.5 (missing afternoon-out
        //   10-28) − 2 (C09's 督办 notice: red from 09-29 #22, reply due
        //   #24 = 10-08, none: 效能告诫 at the start of 10-09 #25, the day
        //   C09 completed, which then closed it) = 83.5; 7 events.
        // compression 1 − 3/20 = 0.85 (met); no rating → null; completed
        // C09 C23 = 2.
        // Rank 7, the last: 限期整改. September: 末位 → TALK (约谈).
        Want {
            window: "W07",
            department: "市场监管",
            score: 83.5,
            rank: Some(7),
            band: LAST,
            eligible: true,
            veto: "",
            talk: true,
            on_time_rate: Some(0.0),
            satisfaction_rate: None,
            completed: 2,
            events: 7,
        },
        // W08: no case (no staff, nothing at all): listed apart, score the
        // base 100 with no event, eligible (no veto), no rank, 无办件.
        Want {
            window: "W08",
            department: "市场监管",
            score: 100.0,
            rank: None,
            band: NO_CASES,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: None,
            satisfaction_rate: None,
            completed: 0,
            events: 0,
        },
    ]
}

#[test]
fn october_ranking() {
    let h = home();
    check_ranking(&rank(h.path(), "2026-10", &[]), OCTOBER, &october());
}

// ---------------------------------------------------------------- September

/// The September ranking (as of 10-31: C09, completed 10-09, is open at
/// 09-30; nothing else of September changes after it).
fn september() -> Vec<Want> {
    vec![
        // W02 = 100, no event. on-time C03 → 1; satisfaction R03 (4) → 1;
        // completed C03 C04 = 2. Rank 1, red flag.
        Want {
            window: "W02",
            department: "税务",
            score: 100.0,
            rank: Some(1),
            band: RED,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: Some(1.0),
            satisfaction_rate: Some(1.0),
            completed: 2,
            events: 0,
        },
        // W06 = 100 − 0.5 (3006 late 15 min 09-03) = 99.5; 1 event.
        // Only an instant case (C08): on-time null; no rating; completed 1.
        Want {
            window: "W06",
            department: "市场监管",
            score: 99.5,
            rank: Some(2),
            band: RED,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: None,
            satisfaction_rate: None,
            completed: 1,
            events: 1,
        },
        // W03 = 100 − 0.5 (3003 missing afternoon-in 09-10) − 0.5 (early
        //   09-17) = 99; 2 events. on-time C05 → 1; no rating; completed 1.
        Want {
            window: "W03",
            department: "税务",
            score: 99.0,
            rank: Some(3),
            band: RED,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: Some(1.0),
            satisfaction_rate: None,
            completed: 1,
            events: 2,
        },
        // W01 = 100 − 2 (T02 jumps T01) − 1 (R02 bad; rectified 09-11 within
        //   its limit 09-16: no late rectification) = 97; 2 events.
        // on-time C01 → 1; satisfaction R01 (5) R02 (1) → 1/2; completed 2.
        // Rank 4: no band.
        Want {
            window: "W01",
            department: "税务",
            score: 97.0,
            rank: Some(4),
            band: "",
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: Some(1.0),
            satisfaction_rate: Some(0.5),
            completed: 2,
            events: 2,
        },
        // W04 = 100 − 2 (correction of C06, 09-16) − 2 (3004 morning absent
        //   09-21) = 96; 2 events. on-time C06 → 1; no rating; completed 1.
        // Rank 5: 末位 (in October it is a red flag: no talk).
        Want {
            window: "W04",
            department: "税务",
            score: 96.0,
            rank: Some(5),
            band: BOTTOM,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: Some(1.0),
            satisfaction_rate: None,
            completed: 1,
            events: 2,
        },
        // W07 = 100 − 2 (C09 open at 09-30 past its deadline 09-28)
        //   − 0.5 (3007 departure 09-23 without cover; 10 min, not overlong)
        //   − 2 (3007 afternoon absent 09-29) = 95.5; 3 events.
        // Completed only C10 (instant): on-time null; no rating; completed 1.
        // Rank 6: 末位 — the first of W07's two bottom months.
        Want {
            window: "W07",
            department: "市场监管",
            score: 95.5,
            rank: Some(6),
            band: BOTTOM,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: None,
            satisfaction_rate: None,
            completed: 1,
            events: 3,
        },
        // W05 = 100 − 3 (compression 1 − 15/20 = 0.25 < 0.5) − 1 (R04 bad)
        //   − 2 (R04 rectified 09-21 after its limit 09-20, the make-up
        //   Sunday) − 0.5 (3005 missing morning-out 09-16) = 93.5; 4 events.
        // on-time C07 (2 ≤ 15) → 1; speed-up 1 − 2/15 (met); satisfaction
        // R04 (2) → 0; completed 1. Rank 7, the last: 限期整改. No month
        // before with a ranking (August has no case): no talk anywhere.
        Want {
            window: "W05",
            department: "市场监管",
            score: 93.5,
            rank: Some(7),
            band: LAST,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: Some(1.0),
            satisfaction_rate: Some(0.0),
            completed: 1,
            events: 4,
        },
        Want {
            window: "W08",
            department: "市场监管",
            score: 100.0,
            rank: None,
            band: NO_CASES,
            eligible: true,
            veto: "",
            talk: false,
            on_time_rate: None,
            satisfaction_rate: None,
            completed: 0,
            events: 0,
        },
    ]
}

#[test]
fn september_ranking() {
    let h = home();
    check_ranking(&rank(h.path(), "2026-09", &[]), SEPTEMBER, &september());
}

// ---------------------------------------------------------------- explain

/// The events behind one window's score: (source, kind, points).
type Events = Vec<(&'static str, &'static str, f64)>;

fn october_events(window: &str) -> Events {
    match window {
        "W01" => vec![
            ("incidents", "incident", -2.0),    // N01 吃拿卡要 (the veto)
            ("incidents", "incident", 2.0),     // N02 表扬信
            ("attendance_days", "early", -0.5), // 3001 10-16
        ],
        "W02" => vec![
            ("incidents", "incident", 3.0),      // N04 表扬
            ("incidents", "incident", 5.0),      // N05 锦旗
            ("score", "commendation_cap", -3.0), // +8 capped at +5
            ("attendance_days", "late", -0.5),   // 3002 10-09
        ],
        "W03" => vec![
            ("cases", "overdue_completed", -2.0),     // C15
            ("case_metrics", "missed_on_time", -5.0), // 0.5
            ("case_metrics", "missed_speedup", -3.0), // 1/6
        ],
        "W04" => vec![
            ("corrections", "correction", -2.0),     // C18
            ("ratings", "bad_rating", -1.0),         // R07
            ("ratings", "late_rectification", -2.0), // R07
            ("tickets", "queue_jump", -2.0),         // T04
            ("attendance_days", "absence", -2.0),    // 3004 10-19 afternoon
            ("attendance_days", "late", -0.5),       // 3004 10-22
            ("attendance_days", "early", -0.5),      // 3004 10-23
        ],
        "W05" => vec![
            ("attendance_days", "missing_punch", -0.5), // 3005 10-13
            ("attendance_days", "overlong_departure", -1.0), // 3005 10-21
        ],
        "W06" => vec![
            ("cases", "overdue_completed", -2.0),                 // C21
            ("cases", "overdue_open", -2.0),                      // C22
            ("attendance_days", "late", -0.5),                    // 3006 10-15
            ("attendance_days", "absence", -2.0),                 // 3006 10-15
            ("attendance_days", "overlong_departure", -1.0),      // 3006 10-27
            ("attendance_days", "departure_without_cover", -0.5), // 3006 10-27
            ("ratings", "bad_rating", -1.0),                      // R10
            ("ratings", "late_rectification", -2.0),              // R10
            ("notices", "warning", -2.0),                         // C22 10-29
        ],
        "W07" => vec![
            ("cases", "overdue_completed", -2.0),       // C09
            ("case_metrics", "missed_on_time", -5.0),   // 0/1
            ("case_metrics", "missed_speedup", -3.0),   // 1 − 7/3
            ("corrections", "correction", -2.0),        // C10
            ("attendance_days", "absence", -2.0),       // 3007 10-26 morning
            ("attendance_days", "missing_punch", -0.5), // 3007 10-28
            ("notices", "warning", -2.0),               // C09 10-09
        ],
        _ => unreachable!("no such window in the fixture: {window}"),
    }
}

fn september_events(window: &str) -> Events {
    match window {
        "W01" => vec![
            ("tickets", "queue_jump", -2.0), // T02
            ("ratings", "bad_rating", -1.0), // R02, rectified on time
        ],
        "W02" => vec![],
        "W03" => vec![
            ("attendance_days", "missing_punch", -0.5), // 3003 09-10
            ("attendance_days", "early", -0.5),         // 3003 09-17
        ],
        "W04" => vec![
            ("corrections", "correction", -2.0),  // C06
            ("attendance_days", "absence", -2.0), // 3004 09-21 morning
        ],
        "W05" => vec![
            ("case_metrics", "missed_compression", -3.0), // 0.25
            ("ratings", "bad_rating", -1.0),              // R04
            ("ratings", "late_rectification", -2.0),      // R04
            ("attendance_days", "missing_punch", -0.5),   // 3005 09-16
        ],
        "W06" => vec![("attendance_days", "late", -0.5)], // 3006 09-03
        "W07" => vec![
            ("cases", "overdue_open", -2.0),                      // C09 at 09-30
            ("attendance_days", "departure_without_cover", -0.5), // 3007 09-23
            ("attendance_days", "absence", -2.0),                 // 3007 09-29 afternoon
        ],
        _ => unreachable!("no such window in the fixture: {window}"),
    }
}

/// Departures are judged per staff-day in `attendance_days`; a departure
/// event may also name the `departures` table as its source.
fn normal_source(kind: &str, source: &str) -> String {
    match (kind, source) {
        ("overlong_departure" | "departure_without_cover", "departures") => {
            "attendance_days".to_string()
        }
        _ => source.to_string(),
    }
}

/// Check `rank --explain` of every ranked window of a month against the
/// hand-made lists (as multisets), and that 100 + Σ points is the window's
/// score in both the explain output and the ranking.
fn check_explain(month: Month, want: &[Want], events: fn(&str) -> Events) {
    let (period, _, _) = month;
    let h = home();
    let ranking = parse("rank", &rank(h.path(), period, &[]), &RANK_COLUMNS);
    let mut bad = Vec::new();
    for w in want.iter().filter(|w| w.rank.is_some()) {
        let what = format!("rank {period} --explain {}", w.window);
        let rows = parse(
            &what,
            &rank(h.path(), period, &["--explain", w.window]),
            &EXPLAIN_COLUMNS,
        );
        let staff = format!("300{}", &w.window[2..]);
        let mut got: Vec<(String, String, f64)> = Vec::new();
        for r in &rows {
            assert_eq!(
                (r[0].as_str(), r[1].as_str(), r[2].as_str()),
                ("month", period, w.window),
                "{what}: grain, period, window of {r:?}"
            );
            let points: f64 = r[7]
                .parse()
                .unwrap_or_else(|_| panic!("{what}: points of {r:?}"));
            let source = normal_source(&r[6], &r[4]);
            if source == "attendance_days" {
                assert_eq!(r[3], staff, "{what}: staff of an attendance event {r:?}");
            }
            got.push((source, r[6].clone(), points));
        }
        let mut expected: Vec<(String, String, f64)> = events(w.window)
            .into_iter()
            .map(|(s, k, p)| (s.to_string(), k.to_string(), p))
            .collect();
        let order = |a: &(String, String, f64), b: &(String, String, f64)| {
            (&a.0, &a.1).cmp(&(&b.0, &b.1)).then(a.2.total_cmp(&b.2))
        };
        got.sort_by(order);
        expected.sort_by(order);
        let same = got.len() == expected.len()
            && got
                .iter()
                .zip(&expected)
                .all(|(g, e)| g.0 == e.0 && g.1 == e.1 && (g.2 - e.2).abs() <= TOLERANCE);
        if !same {
            bad.push(format!("{what}:\n  got  {got:?}\n  want {expected:?}"));
        }
        // The hand-made list adds up to the hand-made score …
        let sum: f64 = expected.iter().map(|e| e.2).sum();
        assert!(
            (100.0 + sum - w.score).abs() <= TOLERANCE,
            "{what}: the expected events do not add up to the expected score"
        );
        assert_eq!(
            expected.len() as u64,
            w.events,
            "{what}: expected event count"
        );
        // … and the program's events add up to the program's score.
        let sum: f64 = got.iter().map(|g| g.2).sum();
        let row = ranking
            .iter()
            .find(|r| r[4] == w.window)
            .unwrap_or_else(|| panic!("{what}: no ranking row"));
        let score: f64 = row[6].parse().expect("a score");
        if (100.0 + sum - score).abs() > TOLERANCE {
            bad.push(format!(
                "{what}: 100 + Σ points = {} but the score is {score}",
                100.0 + sum
            ));
        }
        if row[15].parse::<usize>().ok() != Some(rows.len()) {
            bad.push(format!(
                "{what}: {} events listed but the ranking says {}",
                rows.len(),
                row[15]
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn october_explain() {
    check_explain(OCTOBER, &october(), october_events);
}

#[test]
fn september_explain() {
    check_explain(SEPTEMBER, &september(), september_events);
}
