//! Pins every figure of the citizen's side of supervision — `metrics ratings`,
//! `metrics queue`, `metrics incidents`, `metrics zeros` and `metrics jumps` —
//! on the hand-computed fixture `tests/fixtures/citizen_small` (October 2026,
//! evaluated as of 2026-10-31). Every expected value below was worked out by
//! hand from the rules in docs/METRICS.md (Ratings, Queue, Three zeros, Working
//! days); the comments show the sums.
//!
//! Working days around National Day 2026, numbered for counting (#n):
//!
//! ```text
//! Sep 28 Mo #-2 | 29 #-1 | 30 We #0 | Oct 1–7 off (国庆节)
//! Oct 8 Th #1 | 9 Fr #2 | 10 Sa #3 (调休) | 11 Su off | 12 Mo #4 | 13 #5 | 14 #6
//! Oct 15 #7 | 16 Fr #8 | 19 Mo #9 | 20 #10 | 21 #11 | 22 #12 | 23 Fr #13
//! Oct 26 Mo #14 | 27 #15 | 28 #16 | 29 #17 | 30 Fr #18 | 31 Sa off | Nov 2 Mo #19
//! ```
//!
//! A bad rating (level ≤ 2) rated on #r must be rectified by #(r + 5): it is on
//! time when #rectified − #r ≤ 5.
//!
//! Windows: W01 税务综合, W02 税务发票 (税务); W03 市场监管登记, W04 市场监管许可
//! (市场监管). Staff: 2001 W01; 2002, 2003 W02; 2004 W03; 2005, 2006 W04.
//! Items: I01 (legal 20, promised 3), I02 (instant, promised 0).
//!
//! ```text
//! case win/staff item accepted       completed      el  rated by    notes
//! C01  W01/2001  I02  10-08 #1       10-08          0   R01         instant, same day
//! C02  W01/2001  I01  10-09 #2       10-13 #5       3   R02         on time (3 ≤ 3)
//! C03  W02/2002  I02  10-08          10-08          0   R04
//! C04  W02/2003  I01  10-12 #4       10-15 #7       3   R05         on time
//! C05  W02/2002  I02  10-20          10-20          0   R06
//! C06  W03/2004  I01  10-09 #2       10-15 #7       5   R08         OVERDUE (5 > 3)
//! C07  W03/2004  I02  10-21          10-21          0   –           correction 10-23
//! C08  W04/2005  I01  10-19 #9       10-21 #11      2   R09, R10    rated twice
//! C09  W04/2006  I02  10-26          10-26          0   –
//! C10  W01/2001  I01  10-28 #16      open           –   –           deadline #19 = 11-02: not overdue
//! C11  W04/2005  I01  09-28 #-2      09-30 #0       2   R11         September; correction 09-30 (September)
//! C12  W02/2003  I02  10-26          10-26          0   R07
//! C13  W01/2001  I02  10-29          10-29          0   –
//! ```
//!
//! ```text
//! rating case win/staff rated             lv channel rectified          notes
//! R01    C01  W01/2001  10-08 #1          5  评价器  –
//! R02    C02  W01/2001  10-13 #5          4  评价器  –
//! R03    –    W01/–     10-30 #18         3  问卷    –                  questionnaire: no case, no staff
//! R04    C03  W02/2002  10-08 #1          2  评价器  10-15 #7           6 wd (10-09, 10-10 调休, 10-12..15): LATE
//!                                                                       (5 if the 调休 Saturday were not counted)
//! R05    C04  W02/2003  10-16 #8          1  网上    10-23 #13          5 wd: on time (7 calendar days)
//! R06    C05  W02/2002  10-20 #10         1  评价器  never              deadline #15 = 10-27 < 10-31: open past limit
//! R07    C12  W02/2003  10-26 #14         2  评价器  11-02 (after as-of) not rectified; deadline #19 = 11-02 ≥ 10-31
//! R08    C06  W03/2004  10-15             3  评价器  –
//! R09    C08  W04/2005  10-21             4  评价器  –
//! R10    C08  W04/2005  10-22             5  网上    –                  second rating of C08
//! R11    C11  W04/2005  10-08             4  短信    –                  case completed in September
//! R12    –    W02/–     09-29 #-1         2  问卷    never              September; deadline #4 = 10-12 < 10-31:
//!                                                                       open past limit in October
//! ```
//!
//! Tickets (wait = called − issued, service = finished − called, minutes):
//!
//! ```text
//! id  q  issued        called        finished  win/staff prio status wait serv notes
//! T01 A  10-08 09:00   09:05         09:15     W01/2001  –    已完成   5   10
//! T02 A  10-08 09:10   09:50         10:10     W02/2002  –    已完成  40   20
//! T03 A  10-08 09:20   09:30         09:45     W01/2001  yes  已完成  10   15   priority, called before T02: no jump
//! T04 A  10-08 23:50   10-09 08:35   08:50     W02/2003  –    已完成 525   15   a day-10-08 ticket
//! T05 A  10-09 08:20   08:30         08:45     W01/2001  –    已完成  10   15   T04 still waiting, but another day: no jump
//! T06 A  10-09 08:40   08:52         –         W02/2002  –    过号    12    –   no-show
//! T07 A  10-09 09:00   –             –         –/–       –    未叫号   –    –   never called: not a no-show, never skipped
//! T08 A  10-09 09:10   09:20         09:40     W01/2001  –    已完成  10   20   T07 never called: no jump
//! T09 B  10-09 09:00   09:45         10:00     W03/2004  –    已完成  45   15
//! T10 B  10-09 09:05   09:55         10:10     W04/2005  –    已完成  50   15
//! T11 B  10-09 09:15   09:20         09:35     W04/2005  –    已完成   5   15   JUMP over T09 and T10 (skipped: T09)
//! T12 B  10-09 09:30   09:40         10:02     W04/2006  yes  已完成  10   22   priority: no jump
//! T13 B  10-12 14:00   14:31         14:50     W03/2004  –    已完成  31   19   31 > 30: over target
//! T14 A  10-12 14:05   14:35         14:40     W02/2003  –    已完成  30    5   30 is not over target; called while
//!                                                                          priority T15 waited: no jump
//! T15 A  10-12 14:00   14:45         14:55     W01/2001  yes  已完成  45   10
//! ```
//!
//! Incidents: N01 10-12 投诉 W01 服务态度 not substantiated −2; N02 10-14 投诉
//! W02 服务态度 substantiated −2; N03 10-20 暗访 W04 优亲厚友 substantiated −5;
//! N04 10-22 巡查 W03 工作纪律 substantiated −1; N05 10-27 表扬 W01 表扬信
//! (substantiated empty = true) +2; N06 09-29 投诉 W03 (September).
//!
//! Corrections: C07 on 10-23 (W03); C11 on 09-30 (W04, September).

use crate::common;

use common::{ok, split_csv, totals};
use xiaoneng::metrics::schema;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/citizen_small");
const AS_OF: &str = "2026-10-31";
const TOLERANCE: f64 = 1e-9;

/// One expected cell.
#[derive(Debug, Clone, Copy)]
enum V {
    /// A count: an integer cell.
    I(i64),
    /// A rate, a number of minutes or points: within `TOLERANCE`.
    F(f64),
    /// Null: an empty cell.
    N,
    /// A flag: `true` or `false`.
    B(bool),
    /// Text, exactly.
    S(&'static str),
    /// A datetime `YYYY-MM-DD HH:MM:SS` (a `T` separator or a zero fraction of
    /// a second in the output is accepted).
    T(&'static str),
}

use V::{B, F, I, N, S, T};

impl V {
    fn text(&self) -> String {
        match self {
            I(n) => n.to_string(),
            F(x) => x.to_string(),
            N => "null (empty)".to_string(),
            B(b) => b.to_string(),
            S(s) | T(s) => s.to_string(),
        }
    }

    fn matches(&self, cell: &str) -> bool {
        match self {
            I(n) => cell.parse::<i64>().ok() == Some(*n),
            F(x) => cell
                .parse::<f64>()
                .is_ok_and(|g| g.is_finite() && (g - x).abs() <= TOLERANCE),
            N => cell.is_empty(),
            B(b) => cell == if *b { "true" } else { "false" },
            S(s) => cell == *s,
            T(s) => canonical_datetime(cell) == *s,
        }
    }
}

/// `2026-10-09T09:15:00.000000` → `2026-10-09 09:15:00`; `… 09:15` → `… 09:15:00`.
fn canonical_datetime(cell: &str) -> String {
    let mut s = cell.replacen('T', " ", 1);
    if let Some((head, fraction)) = s.split_once('.') {
        if fraction.chars().all(|c| c == '0') {
            s = head.to_string();
        }
    }
    if s.len() == 16 {
        s.push_str(":00");
    }
    s
}

/// (grain, period, period_start, period_end) of a query.
type Period = (&'static str, &'static str, &'static str, &'static str);

const OCTOBER: Period = ("month", "2026-10", "2026-10-01", "2026-10-31");
const DAY_1009: Period = ("day", "2026-10-09", "2026-10-09", "2026-10-09");

const JUMP_COLUMNS: [&str; 10] = [
    "queue",
    "date",
    "ticket_id",
    "issued_at",
    "called_at",
    "window_id",
    "staff_id",
    "skipped_ticket_id",
    "skipped_issued_at",
    "skipped_called_at",
];

/// A fresh home holding a copy of the fixture, ingested; every row stored.
fn home() -> tempfile::TempDir {
    let home = crate::common::tempdir();
    let dir = home.path().join("citizen_small");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(FIXTURE).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    let summary = ok(home.path(), &["ingest", dir.to_str().unwrap()]);
    let t = totals(&summary);
    for (table, rows) in [
        ("windows", 4),
        ("staff", 6),
        ("items", 2),
        ("cases", 13),
        ("corrections", 2),
        ("ratings", 12),
        ("tickets", 15),
        ("incidents", 6),
    ] {
        assert_eq!(
            t.get(table),
            Some(&[rows, rows, 0, 0]),
            "{table}: every fixture row should be stored:\n{summary}"
        );
    }
    home
}

/// Run `xiaoneng metrics ARGS… --as-of AS_OF --format csv` on a fresh home.
fn metrics(args: &[&str]) -> String {
    let h = home();
    let mut all = vec!["metrics"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--as-of", AS_OF, "--format", "csv"]);
    ok(h.path(), &all)
}

/// The leading columns of an expected metrics row, then `rest`.
fn row(period: Period, level: &'static str, key: &'static str, rest: Vec<V>) -> Vec<V> {
    let (grain, label, start, end) = period;
    let mut cells = vec![S(grain), S(label), S(start), S(end), S(level), S(key)];
    cells.extend(rest);
    cells
}

/// Compare CSV output with the expected rows, every column of every row;
/// report every mismatch at once. `columns` is the whole header, in order.
/// Rows are identified by the `ident` columns; with `in_order` the output
/// must list them in the order of `want`, else any order is accepted.
fn check(what: &str, out: &str, columns: &[&str], ident: &[&str], in_order: bool, want: &[Vec<V>]) {
    let mut lines = out
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty());
    let header = split_csv(lines.next().expect("a header line"));
    assert_eq!(header, columns, "{what}: header");
    let mut rows: Vec<Vec<String>> = lines
        .map(|line| {
            let cells = split_csv(line);
            assert_eq!(cells.len(), columns.len(), "{what}: ragged line {line:?}");
            cells
        })
        .collect();
    let at = |name: &str| columns.iter().position(|c| *c == name).unwrap();
    let id_of_row =
        |r: &[String]| -> Vec<String> { ident.iter().map(|c| r[at(c)].clone()).collect() };
    let id_of_want = |w: &[V]| -> Vec<String> { ident.iter().map(|c| w[at(c)].text()).collect() };
    let mut want: Vec<&[V]> = want.iter().map(Vec::as_slice).collect();
    if !in_order {
        rows.sort_by_key(|r| id_of_row(r));
        want.sort_by_key(|w| id_of_want(w));
    }
    let order = if in_order {
        "sorted by key"
    } else {
        "any order"
    };
    assert_eq!(
        rows.iter().map(|r| id_of_row(r)).collect::<Vec<_>>(),
        want.iter().map(|w| id_of_want(w)).collect::<Vec<_>>(),
        "{what}: rows ({order})"
    );
    let mut bad = Vec::new();
    for (r, w) in rows.iter().zip(&want) {
        assert_eq!(
            w.len(),
            columns.len(),
            "{what}: expected row of the wrong width"
        );
        for ((col, cell), expected) in columns.iter().zip(r).zip(*w) {
            if !expected.matches(cell) {
                bad.push(format!(
                    "{:?} {col}: got {cell:?}, want {}",
                    id_of_row(r),
                    expected.text()
                ));
            }
        }
    }
    assert!(bad.is_empty(), "{what}:\n{}", bad.join("\n"));
}

// ---------------------------------------------------------------- ratings

/// The center row of ratings for 2026-10 (E = as-of = 10-31).
fn ratings_october_center() -> Vec<V> {
    // ratings rated in October (11): R01..R11 (R12 was rated 09-29).
    //   level 1: R05 R06 = 2; level 2: R04 R07 = 2; level 3: R03 R08 = 2;
    //   level 4: R02 R09 R11 = 3; level 5: R01 R10 = 2.
    // satisfaction (≥ 3) 7/11; good (≥ 4) 5/11.
    // completed in October (11): C01 C02 C03 C04 C05 C06 C07 C08 C09 C12 C13
    //   (C10 open, C11 completed 09-30); rated: all but C07 C09 C13 = 8
    //   (R03 has no case; R11 rates C11, not completed in October; C08 once).
    // bad (rated in October): R04 R05 R06 R07 = 4; rectified by 10-31: R04 R05 = 2
    //   (R07 on 11-02, after as-of); on time: R05 (5 wd) = 1, R04 is late (6 wd).
    // open past limit at 10-31: R06 (deadline 10-27), R12 (September, deadline
    //   10-12) = 2; R07 (deadline 11-02) is not.
    row(
        OCTOBER,
        "center",
        "center",
        vec![
            I(11),
            I(2),
            I(2),
            I(2),
            I(3),
            I(2),
            F(7.0 / 11.0),
            F(5.0 / 11.0),
            I(11),
            I(8),
            F(8.0 / 11.0),
            I(4),
            I(2),
            I(1),
            F(0.5),
            F(0.25),
            I(2),
        ],
    )
}

#[test]
fn ratings_month_center() {
    let out = metrics(&["ratings", "--period", "2026-10", "--level", "center"]);
    check(
        "ratings 2026-10 center",
        &out,
        &schema::RATINGS.columns(),
        &["key"],
        true,
        &[ratings_october_center()],
    );
}

#[test]
fn ratings_month_window() {
    let out = metrics(&["ratings", "--period", "2026-10", "--level", "window"]);
    check(
        "ratings 2026-10 window",
        &out,
        &schema::RATINGS.columns(),
        &["key"],
        true,
        &[
            // W01: R01 (5) R02 (4) R03 (3, 问卷) = 3; satisfaction 3/3, good 2/3.
            // completed C01 C02 C13 = 3 (C10 open), rated C01 C02 = 2 → 2/3.
            // No bad rating: the two rectification rates are null.
            row(
                OCTOBER,
                "window",
                "W01",
                vec![
                    I(3),
                    I(0),
                    I(0),
                    I(1),
                    I(1),
                    I(1),
                    F(1.0),
                    F(2.0 / 3.0),
                    I(3),
                    I(2),
                    F(2.0 / 3.0),
                    I(0),
                    I(0),
                    I(0),
                    N,
                    N,
                    I(0),
                ],
            ),
            // W02: R04 (2) R05 (1) R06 (1) R07 (2) = 4 (R12 is September);
            //   satisfaction 0/4, good 0/4 (zero, not null).
            // completed C03 C04 C05 C12 = 4, all rated → 1.
            // bad 4; rectified R04 R05 = 2 → 2/4; on time R05 → 1/4.
            // open past limit at 10-31: R06, R12 = 2.
            row(
                OCTOBER,
                "window",
                "W02",
                vec![
                    I(4),
                    I(2),
                    I(2),
                    I(0),
                    I(0),
                    I(0),
                    F(0.0),
                    F(0.0),
                    I(4),
                    I(4),
                    F(1.0),
                    I(4),
                    I(2),
                    I(1),
                    F(0.5),
                    F(0.25),
                    I(2),
                ],
            ),
            // W03: R08 (3) = 1; satisfaction 1/1, good 0/1.
            // completed C06 C07 = 2, rated C06 → 1/2.
            row(
                OCTOBER,
                "window",
                "W03",
                vec![
                    I(1),
                    I(0),
                    I(0),
                    I(1),
                    I(0),
                    I(0),
                    F(1.0),
                    F(0.0),
                    I(2),
                    I(1),
                    F(0.5),
                    I(0),
                    I(0),
                    I(0),
                    N,
                    N,
                    I(0),
                ],
            ),
            // W04: R09 (4) R10 (5) R11 (4, its case C11 completed in September) = 3;
            //   satisfaction 3/3, good 3/3.
            // completed C08 C09 = 2; rated C08 (twice, counted once) → 1/2.
            row(
                OCTOBER,
                "window",
                "W04",
                vec![
                    I(3),
                    I(0),
                    I(0),
                    I(0),
                    I(2),
                    I(1),
                    F(1.0),
                    F(1.0),
                    I(2),
                    I(1),
                    F(0.5),
                    I(0),
                    I(0),
                    I(0),
                    N,
                    N,
                    I(0),
                ],
            ),
        ],
    );
}

#[test]
fn ratings_month_staff() {
    // Ratings by the rating's staff_id (R03 and R12 have none: skipped);
    // completed cases by the case's staff_id.
    let out = metrics(&["ratings", "--period", "2026-10", "--level", "staff"]);
    check(
        "ratings 2026-10 staff",
        &out,
        &schema::RATINGS.columns(),
        &["key"],
        true,
        &[
            // 2001: R01 (5) R02 (4) = 2 (not R03); completed C01 C02 C13, rated 2 → 2/3.
            row(
                OCTOBER,
                "staff",
                "2001",
                vec![
                    I(2),
                    I(0),
                    I(0),
                    I(0),
                    I(1),
                    I(1),
                    F(1.0),
                    F(1.0),
                    I(3),
                    I(2),
                    F(2.0 / 3.0),
                    I(0),
                    I(0),
                    I(0),
                    N,
                    N,
                    I(0),
                ],
            ),
            // 2002: R04 (2, rectified late) R06 (1, never) = 2; completed C03 C05,
            //   both rated → 1. bad 2, rectified 1 (R04) → 1/2, on time 0 → 0/2.
            //   open past limit: R06 = 1 (R12 has no staff).
            row(
                OCTOBER,
                "staff",
                "2002",
                vec![
                    I(2),
                    I(1),
                    I(1),
                    I(0),
                    I(0),
                    I(0),
                    F(0.0),
                    F(0.0),
                    I(2),
                    I(2),
                    F(1.0),
                    I(2),
                    I(1),
                    I(0),
                    F(0.5),
                    F(0.0),
                    I(1),
                ],
            ),
            // 2003: R05 (1, on time) R07 (2, rectified after as-of) = 2; completed
            //   C04 C12, both rated → 1. bad 2, rectified R05 → 1/2, on time 1/2.
            //   open past limit 0 (R07's deadline 11-02 is not before 10-31).
            row(
                OCTOBER,
                "staff",
                "2003",
                vec![
                    I(2),
                    I(1),
                    I(1),
                    I(0),
                    I(0),
                    I(0),
                    F(0.0),
                    F(0.0),
                    I(2),
                    I(2),
                    F(1.0),
                    I(2),
                    I(1),
                    I(1),
                    F(0.5),
                    F(0.5),
                    I(0),
                ],
            ),
            // 2004: R08 (3); completed C06 C07, rated C06 → 1/2.
            row(
                OCTOBER,
                "staff",
                "2004",
                vec![
                    I(1),
                    I(0),
                    I(0),
                    I(1),
                    I(0),
                    I(0),
                    F(1.0),
                    F(0.0),
                    I(2),
                    I(1),
                    F(0.5),
                    I(0),
                    I(0),
                    I(0),
                    N,
                    N,
                    I(0),
                ],
            ),
            // 2005: R09 (4) R10 (5) R11 (4) = 3; completed C08 (rated) → 1/1.
            row(
                OCTOBER,
                "staff",
                "2005",
                vec![
                    I(3),
                    I(0),
                    I(0),
                    I(0),
                    I(2),
                    I(1),
                    F(1.0),
                    F(1.0),
                    I(1),
                    I(1),
                    F(1.0),
                    I(0),
                    I(0),
                    I(0),
                    N,
                    N,
                    I(0),
                ],
            ),
            // 2006: no rating (satisfaction and good rate null); completed C09,
            //   unrated → coverage 0/1 = 0.
            row(
                OCTOBER,
                "staff",
                "2006",
                vec![
                    I(0),
                    I(0),
                    I(0),
                    I(0),
                    I(0),
                    I(0),
                    N,
                    N,
                    I(1),
                    I(0),
                    F(0.0),
                    I(0),
                    I(0),
                    I(0),
                    N,
                    N,
                    I(0),
                ],
            ),
        ],
    );
}

// ---------------------------------------------------------------- queue

/// The center row of the queue for 2026-10.
fn queue_october_center() -> Vec<V> {
    // tickets issued in October: T01..T15 = 15; called: all but T07 = 14;
    // served: all but T06, T07 = 13; no-shows: T06 → 1/14.
    // waits (14), sorted: 5 5 10 10 10 10 12 30 31 40 45 45 50 525, Σ = 828
    //   mean 828/14; median h = 6.5 → 12 + 0.5·(30 − 12) = 21;
    //   p90 h = 0.9·13 = 11.7 → 45 + 0.7·(50 − 45) = 48.5; max 525.
    // over 30 min: 31 40 45 45 50 525 = 6 → 6/14 (T14's 30 is not over).
    // service (13), sorted: 5 10 10 15 15 15 15 15 15 19 20 20 22, Σ = 196
    //   mean 196/13; p90 h = 0.9·12 = 10.8 → 20 + 0.8·0 = 20.
    // jumps: T11 = 1.
    row(
        OCTOBER,
        "center",
        "center",
        vec![
            I(15),
            I(14),
            I(13),
            I(1),
            F(1.0 / 14.0),
            F(828.0 / 14.0),
            F(21.0),
            F(48.5),
            F(525.0),
            I(6),
            F(6.0 / 14.0),
            F(196.0 / 13.0),
            F(20.0),
            I(1),
        ],
    )
}

#[test]
fn queue_month_center() {
    let out = metrics(&["queue", "--period", "2026-10", "--level", "center"]);
    check(
        "queue 2026-10 center",
        &out,
        &schema::QUEUE.columns(),
        &["key"],
        true,
        &[queue_october_center()],
    );
}

#[test]
fn queue_month_window() {
    // T07 (never called, no window) counts only at the center level.
    let out = metrics(&["queue", "--period", "2026-10", "--level", "window"]);
    check(
        "queue 2026-10 window",
        &out,
        &schema::QUEUE.columns(),
        &["key"],
        true,
        &[
            // W01: T01 T03 T05 T08 T15, all called and served.
            // waits 5 10 10 10 45: mean 80/5 = 16; median 10;
            //   p90 h = 3.6 → 10 + 0.6·35 = 31; max 45; over 30: T15 → 1/5.
            // service 10 10 15 15 20: mean 70/5 = 14; p90 h = 3.6 → 15 + 0.6·5 = 18.
            // No jump: T03 and T15 are priority, T08 passed only never-called T07,
            //   T05 passed only T04 of another day.
            row(
                OCTOBER,
                "window",
                "W01",
                vec![
                    I(5),
                    I(5),
                    I(5),
                    I(0),
                    F(0.0),
                    F(16.0),
                    F(10.0),
                    F(31.0),
                    F(45.0),
                    I(1),
                    F(0.2),
                    F(14.0),
                    F(18.0),
                    I(0),
                ],
            ),
            // W02: T02 T04 T06 T14; T06 a no-show → 1/4.
            // waits 12 30 40 525: mean 607/4 = 151.75; median h = 1.5 → 30 + 0.5·10 = 35;
            //   p90 h = 2.7 → 40 + 0.7·485 = 379.5; max 525; over 30: 40, 525 → 2/4.
            // service 5 15 20 (T14 T04 T02): mean 40/3; p90 h = 1.8 → 15 + 0.8·5 = 19.
            // No jump: T14 passed only priority T15.
            row(
                OCTOBER,
                "window",
                "W02",
                vec![
                    I(4),
                    I(4),
                    I(3),
                    I(1),
                    F(0.25),
                    F(151.75),
                    F(35.0),
                    F(379.5),
                    F(525.0),
                    I(2),
                    F(0.5),
                    F(40.0 / 3.0),
                    F(19.0),
                    I(0),
                ],
            ),
            // W03: T09 T13. waits 31 45: mean 38; median 38; p90 h = 0.9 → 31 + 0.9·14
            //   = 43.6; max 45; over 30: both → 1. service 15 19: mean 17;
            //   p90 15 + 0.9·4 = 18.6.
            row(
                OCTOBER,
                "window",
                "W03",
                vec![
                    I(2),
                    I(2),
                    I(2),
                    I(0),
                    F(0.0),
                    F(38.0),
                    F(38.0),
                    F(43.6),
                    F(45.0),
                    I(2),
                    F(1.0),
                    F(17.0),
                    F(18.6),
                    I(0),
                ],
            ),
            // W04: T10 T11 T12. waits 5 10 50: mean 65/3; median 10;
            //   p90 h = 1.8 → 10 + 0.8·40 = 42; max 50; over 30: T10 → 1/3.
            // service 15 15 22: mean 52/3; p90 h = 1.8 → 15 + 0.8·7 = 20.6.
            // jumps: T11 (called 09:20 while T09, T10 waited) = 1.
            row(
                OCTOBER,
                "window",
                "W04",
                vec![
                    I(3),
                    I(3),
                    I(3),
                    I(0),
                    F(0.0),
                    F(65.0 / 3.0),
                    F(10.0),
                    F(42.0),
                    F(50.0),
                    I(1),
                    F(1.0 / 3.0),
                    F(52.0 / 3.0),
                    F(20.6),
                    I(1),
                ],
            ),
        ],
    );
}

#[test]
fn queue_day_center() {
    // 2026-10-09: tickets issued that day, T05..T12 = 8 (T04, issued 10-08 23:50
    //   and called 10-09 08:35, belongs to 10-08). called 7 (not T07);
    //   served 6 (not T06); no-shows T06 → 1/7.
    // waits: T05 10, T06 12, T08 10, T09 45, T10 50, T11 5, T12 10;
    //   sorted 5 10 10 10 12 45 50, Σ = 142: mean 142/7; median h = 3 → 10;
    //   p90 h = 5.4 → 45 + 0.4·5 = 47; max 50; over 30: 45, 50 → 2/7.
    // service: T05 15, T08 20, T09 15, T10 15, T11 15, T12 22; sorted
    //   15 15 15 15 20 22, Σ = 102: mean 17; p90 h = 4.5 → 20 + 0.5·2 = 21.
    // jumps: T11 = 1.
    let out = metrics(&["queue", "--period", "2026-10-09", "--level", "center"]);
    check(
        "queue 2026-10-09 center",
        &out,
        &schema::QUEUE.columns(),
        &["key"],
        true,
        &[row(
            DAY_1009,
            "center",
            "center",
            vec![
                I(8),
                I(7),
                I(6),
                I(1),
                F(1.0 / 7.0),
                F(142.0 / 7.0),
                F(10.0),
                F(47.0),
                F(50.0),
                I(2),
                F(2.0 / 7.0),
                F(17.0),
                F(21.0),
                I(1),
            ],
        )],
    );
}

#[test]
fn queue_jumps() {
    // One jump in October: T11 (queue B, issued 10-09 09:15, called 09:20 by
    // W04/2005) while T09 (09:00, called 09:45) and T10 (09:05, called 09:55)
    // were waiting; the skipped ticket is the earliest-issued, T09.
    // Not jumps: T03, T12 (priority callers), T14 (the waiting T15 is priority),
    // T05 (the waiting T04 was issued another day), T08 (T07 never called).
    let out = metrics(&["jumps", "--period", "2026-10"]);
    check(
        "jumps 2026-10",
        &out,
        &JUMP_COLUMNS,
        &["ticket_id"],
        true,
        &[vec![
            S("B"),
            S("2026-10-09"),
            S("T11"),
            T("2026-10-09 09:15:00"),
            T("2026-10-09 09:20:00"),
            S("W04"),
            S("2005"),
            S("T09"),
            T("2026-10-09 09:00:00"),
            T("2026-10-09 09:45:00"),
        ]],
    );
}

// ---------------------------------------------------------------- incidents

#[test]
fn incidents_month_window() {
    // One row per window, source and category (N06 is September: no row).
    // Points are summed over substantiated incidents only.
    let out = metrics(&["incidents", "--period", "2026-10", "--level", "window"]);
    let incident = |key, source, category, n: i64, substantiated: i64, points: f64| {
        row(
            OCTOBER,
            "window",
            key,
            vec![S(source), S(category), I(n), I(substantiated), F(points)],
        )
    };
    check(
        "incidents 2026-10 window",
        &out,
        &schema::INCIDENTS.columns(),
        &["key", "source", "category"],
        false,
        &[
            // N01: not substantiated → substantiated 0, points 0 (its −2 not counted).
            incident("W01", "投诉", "服务态度", 1, 0, 0.0),
            // N05: substantiated left empty = true → +2.
            incident("W01", "表扬", "表扬信", 1, 1, 2.0),
            // N02.
            incident("W02", "投诉", "服务态度", 1, 1, -2.0),
            // N04.
            incident("W03", "巡查", "工作纪律", 1, 1, -1.0),
            // N03.
            incident("W04", "暗访", "优亲厚友", 1, 1, -5.0),
        ],
    );
}

// ---------------------------------------------------------------- three zeros

#[test]
fn zeros_month() {
    let out = metrics(&["zeros", "--period", "2026-10"]);
    // A window row: the six leading columns, the nine counts and flags, all_three,
    // then windows, windows_all_three, share_all_three empty.
    fn window(
        key: &'static str,
        complaints: i64,
        bad: i64,
        corrections: i64,
        overdue: i64,
        jumps: i64,
        favouritism: i64,
    ) -> Vec<V> {
        let distance = complaints + bad == 0;
        let error = corrections + overdue == 0;
        let relation = jumps + favouritism == 0;
        row(
            OCTOBER,
            "window",
            key,
            vec![
                I(complaints),
                I(bad),
                B(distance),
                I(corrections),
                I(overdue),
                B(error),
                I(jumps),
                I(favouritism),
                B(relation),
                B(distance && error && relation),
                N,
                N,
                N,
                // Every window of the fixture had cases in October.
                B(true),
            ],
        )
    }
    check(
        "zeros 2026-10",
        &out,
        &schema::ZEROS.columns(),
        &["level", "key"],
        false,
        &[
            // W01 holds all three: N01 is not substantiated, no bad rating; no
            //   correction, no overdue case (C10 open, deadline 11-02); no jump
            //   (T03, T15 priority; T05, T08 not jumps), no favouritism.
            window("W01", 0, 0, 0, 0, 0, 0),
            // W02 loses 零距离: N02 substantiated 投诉; bad ratings R04..R07 = 4
            //   (R12 rated in September does not count).
            window("W02", 1, 4, 0, 0, 0, 0),
            // W03 loses 零差错: correction of C07 (10-23); C06 overdue (5 > 3).
            //   N06, its September complaint, does not count; N04 (巡查) is no complaint.
            window("W03", 0, 0, 1, 1, 0, 0),
            // W04 loses 零关系: jump T11; N03 优亲厚友 (暗访, substantiated).
            //   The correction of C11 on 09-30 is in September.
            window("W04", 0, 0, 0, 0, 1, 1),
            // center: sums 1, 4, 1, 1, 1, 1; flags empty; 4 windows, 1 holds
            //   all three (W01) → 1/4.
            row(
                OCTOBER,
                "center",
                "center",
                vec![
                    I(1),
                    I(4),
                    N,
                    I(1),
                    I(1),
                    N,
                    I(1),
                    I(1),
                    N,
                    N,
                    I(4),
                    I(1),
                    F(0.25),
                    B(true),
                ],
            ),
        ],
    );
}
