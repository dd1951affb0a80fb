//! The queue per service and by the hour, on a queue system's export worked
//! out by hand: `queue_metrics` at the levels `queue` and `queue_window`,
//! `queue_hours` (weekday × half hour of the issue time), the crowded half
//! hours, and the bulletin's per-queue table, sentence and heat map.
//!
//! November 2026, evaluated as of Monday 11-30, wait target 30 min,
//! `[queue] crowded_over = 1` (the home's xiaoneng.toml). Mondays 11-02,
//! 11-09, 11-30; Tuesday 11-03. The export has the vendor's own headers
//! (排队号, 业务类型, 取号时间, 窗口号 …) and slashed dates.
//!
//! ```text
//! id  queue      issued          called          finished    win  wait(s)  service  notes
//! T01 不动产登记 Mo 11-02 09:05  09:50           10:00       W02  2700 >30  600
//! T02 不动产登记 Mo 11-02 09:20  10:00           10:10       W03  2400 >30  600
//! T03 不动产登记 Mo 11-02 09:29:59 09:35         09:45       W02   301      600      slot 09:00 (holds its start);
//!                                                                                   called while T01, T02 waited: a jump
//! T04 税务       Mo 11-02 09:40  10:20           10:30       W01  2400 >30  600      slot 09:30
//! T05 税务       Mo 11-02 14:10  14:15           14:25       W01   300      600
//! T06 不动产登记 Mo 11-09 09:00  09:31           09:40       W03  1860 >30  540
//! T07 不动产登记 Mo 11-09 09:10  09:40           09:50       W02  1800      600      30 min is not over 30
//! T08 不动产登记 Mo 11-09 09:30  –               –           –       –      –      never called, no window
//! T09 税务       Tu 11-03 10:00  10:10           10:20       W01   600      600
//! T10 不动产登记 Tu 11-03 10:15  10:50           –           W02  2100 >30   –      no-show (过号)
//! T11 税务       Mo 11-30 16:55  12-01 08:35     12-01 08:45 W01     –      –      called after as-of: not yet
//! T12 不动产登记 Mo 11-09 09:15  09:56           10:06       W03  2460 >30  600
//! T13 税务       Tu 11-03 10:20  10:55           11:05       W01  2100 >30  600
//! ```
//!
//! `queue_metrics`, 2026-11 (waits in seconds; p90 and median by linear
//! interpolation, h = q·(n − 1) over the sorted waits):
//!
//! - center: 13 tickets, 11 called, 10 served, 1 no-show (1/11); waits
//!   300 301 600 1800 1860 2100 2100 2400 2400 2460 2700, Σ 19021: mean
//!   19021/660 min; median x5 = 2100 → 35; p90 h = 9 → 2460 → 41; max 45;
//!   7 over (7/11); service Σ 5940 / 10 = 9.9 min, p90 10; 1 jump.
//! - queue 不动产登记: 8 tickets, 7 called, 6 served, 1 no-show (1/7);
//!   waits 301 1800 1860 2100 2400 2460 2700, Σ 13621: mean 13621/420;
//!   median 2100 → 35; p90 h = 5.4 → 2460 + 0.4·240 = 2556 → 42.6; max
//!   45; 5 over (5/7); service 600 600 600 540 600 600 → 590 s = 59/6 min,
//!   p90 10; 1 jump (T03).
//! - queue 税务: 5 tickets, 4 called, 4 served; waits 300 600 2100 2400,
//!   Σ 5400: mean 22.5; median h = 1.5 → 1350 → 22.5; p90 h = 2.7 → 2100
//!   + 0.7·300 = 2310 → 38.5; max 40; 2 over (1/2); service 10, p90 10.
//! - queue_window 不动产登记/W02 (T01 T03 T07 T10): 4 tickets, 4 called, 3
//!   served, 1 no-show (1/4); waits 301 1800 2100 2700, Σ 6901: mean
//!   6901/240; median 1950 → 32.5; p90 h = 2.7 → 2100 + 0.7·600 = 2520 →
//!   42; max 45; 2 over (1/2); service 10, p90 10; 1 jump.
//! - queue_window 不动产登记/W03 (T02 T06 T12): 3 tickets, all called and
//!   served; waits 1860 2400 2460, Σ 6720: mean 6720/180; median 40; p90 h
//!   = 1.8 → 2400 + 0.8·60 = 2448 → 40.8; max 41; 3 over (1); service 540
//!   600 600 → 580 s = 29/3 min, p90 10.
//! - queue_window 税务/W01: T04 T05 T09 T11 T13, T11 at the window it
//!   names: the same figures as the queue 税务. T08 has no window: no row.
//!
//! `queue_hours`, 2026-11 (and 2026-Q4, 2026-B6, 2026: the same tickets).
//! Days with tickets: center Mondays 3 (11-02, 11-09, 11-30), Tuesdays 1;
//! 不动产登记 Mondays 2, Tuesdays 1; 税务 Mondays 2 (11-02, 11-30), Tuesdays 1.
//!
//! ```text
//! key        day slot  tickets called mean(min)   p90(min) over share days per day crowded (over > 1·days)
//! center     1  09:00  6 (T01-03, T06, T07, T12) 6  11521/360  43.0  4  4/6  3  4/3  yes
//!                      p90: 301 1800 1860 2400 2460 2700, h = 4.5 → 2460 + 0.5·240 = 2580
//! center     1  09:30  2 (T04, T08)  1   40        40    1  1    3  1/3  no
//! center     1  14:00  1 (T05)       1    5         5    0  0    3  0    no
//! center     1  16:30  1 (T11)       0   –          –    0  –    3  0    no
//! center     2  10:00  3 (T09 T10 T13) 3 4800/180  35.0  2  2/3  1  2    yes
//!                      p90: 600 2100 2100, h = 1.8 → 2100
//! 不动产登记 1  09:00  6             6  11521/360  43.0  4  4/6  2  2    yes
//! 不动产登记 1  09:30  1 (T08)       0   –          –    0  –    2  0    no
//! 不动产登记 2  10:00  1 (T10)       1   35        35    1  1    1  1    no (1 is not more than 1)
//! 税务       1  09:30  1 (T04)       1   40        40    1  1    2  1/2  no
//! 税务       1  14:00  1 (T05)       1    5         5    0  0    2  0    no
//! 税务       1  16:30  1 (T11)       0   –          –    0  –    2  0    no
//! 税务       2  10:00  2 (T09 T13)   2   22.5      32.5  1  1/2  1  1    no
//!                      p90: 600 2100, h = 0.9 → 600 + 0.9·1500 = 1950
//! ```
//!
//! The bulletin: 「按取号时间每半小时统计,等候超过 30 分钟者日均多于 1 人的
//! 时段:周一 09:00–09:30(日均 1.33 人)、周二 10:00–10:30(日均 2.00 人)。」
//! With the default `crowded_over` (5) no half hour is crowded: 「…:无。」

use crate::common;

use common::{csv_rows, ok};
use std::collections::HashMap;
use std::path::Path;

const AS_OF: &str = "2026-11-30";

fn export(inbox: &Path, name: &str, text: &str) {
    std::fs::write(inbox.join(name), text).unwrap();
}

fn home() -> tempfile::TempDir {
    let h = crate::common::tempdir();
    std::fs::write(
        h.path().join("xiaoneng.toml"),
        "[queue]\ncrowded_over = 1\n",
    )
    .unwrap();
    let inbox = h.path().join("data/inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    export(
        &inbox,
        "windows.csv",
        "window_id,name,department\nW01,税务窗口,税务局\nW02,不动产一窗,不动产中心\nW03,不动产二窗,不动产中心\n",
    );
    export(
        &inbox,
        "staff.csv",
        "staff_id,name,window_id,valid_from\n1001,张三,W01,2026-01-01\n1002,李四,W02,2026-01-01\n1003,王五,W03,2026-01-01\n",
    );
    export(
        &inbox,
        "items.csv",
        "item_code,name,department,legal_limit_days,promised_limit_days,effective_from\nI01,登记,不动产中心,20,3,2026-01-01\n",
    );
    export(
        &inbox,
        "cases.csv",
        "case_id,item_code,window_id,staff_id,accepted_at,completed_at\nC01,I01,W02,1002,2026-11-02 09:00,2026-11-03 10:00\n",
    );
    // The queue system's export, in its own words.
    export(
        &inbox,
        "叫号记录_2026年11月.csv",
        "排队号,业务类型,取号时间,叫号时间,完成时间,窗口号,工号,优先类型,叫号状态\n\
         T01,不动产登记,2026/11/02 09:05:00,2026/11/02 09:50:00,2026/11/02 10:00:00,W02,1002,普通,已完成\n\
         T02,不动产登记,2026/11/02 09:20:00,2026/11/02 10:00:00,2026/11/02 10:10:00,W03,1003,普通,已完成\n\
         T03,不动产登记,2026/11/02 09:29:59,2026/11/02 09:35:00,2026/11/02 09:45:00,W02,1002,普通,已完成\n\
         T04,税务,2026/11/02 09:40:00,2026/11/02 10:20:00,2026/11/02 10:30:00,W01,1001,普通,已完成\n\
         T05,税务,2026/11/02 14:10:00,2026/11/02 14:15:00,2026/11/02 14:25:00,W01,1001,普通,已完成\n\
         T06,不动产登记,2026/11/09 09:00:00,2026/11/09 09:31:00,2026/11/09 09:40:00,W03,1003,普通,已完成\n\
         T07,不动产登记,2026/11/09 09:10:00,2026/11/09 09:40:00,2026/11/09 09:50:00,W02,1002,普通,已完成\n\
         T08,不动产登记,2026/11/09 09:30:00,,,,,普通,未叫号\n\
         T09,税务,2026/11/03 10:00:00,2026/11/03 10:10:00,2026/11/03 10:20:00,W01,1001,普通,已完成\n\
         T10,不动产登记,2026/11/03 10:15:00,2026/11/03 10:50:00,,W02,1002,普通,过号\n\
         T11,税务,2026/11/30 16:55:00,2026/12/01 08:35:00,2026/12/01 08:45:00,W01,1001,普通,已完成\n\
         T12,不动产登记,2026/11/09 09:15:00,2026/11/09 09:56:00,2026/11/09 10:06:00,W03,1003,普通,已完成\n\
         T13,税务,2026/11/03 10:20:00,2026/11/03 10:55:00,2026/11/03 11:05:00,W01,1001,普通,已完成\n",
    );
    let summary = ok(h.path(), &["ingest"]);
    let t = common::totals(&summary);
    assert_eq!(t.get("tickets"), Some(&[13, 13, 0, 0]), "{summary}");
    ok(h.path(), &["compute", "--as-of", AS_OF]);
    h
}

/// An expected cell: a number (within 1e-9), a null, or text.
#[derive(Debug, Clone, Copy)]
enum V {
    F(f64),
    N,
    S(&'static str),
}
use V::{F, N, S};

fn same(cell: &str, want: V) -> bool {
    match want {
        F(x) => cell.parse::<f64>().is_ok_and(|g| (g - x).abs() <= 1e-9),
        N => cell.is_empty(),
        S(s) => cell == s,
    }
}

/// Every `columns` cell of every row of `got` (identified by `ident`)
/// against `want`, in order; all mismatches reported at once.
fn check(
    what: &str,
    got: &[HashMap<String, String>],
    ident: &[&str],
    columns: &[&str],
    want: &[(Vec<&str>, Vec<V>)],
) {
    let ids: Vec<Vec<&str>> = got
        .iter()
        .map(|r| ident.iter().map(|c| r[*c].as_str()).collect())
        .collect();
    let want_ids: Vec<Vec<&str>> = want.iter().map(|w| w.0.clone()).collect();
    assert_eq!(ids, want_ids, "{what}: the rows");
    let mut bad = Vec::new();
    for (row, (id, cells)) in got.iter().zip(want) {
        assert_eq!(
            cells.len(),
            columns.len(),
            "{what} {id:?}: a value per column"
        );
        for (c, w) in columns.iter().zip(cells) {
            if !same(&row[*c], *w) {
                bad.push(format!("{what} {id:?} {c}: got {:?}, want {w:?}", row[*c]));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn metrics(home: &Path, family: &str, period: &str, level: &str) -> Vec<HashMap<String, String>> {
    common::metric_rows(home, family, period, level, AS_OF)
}

const QUEUE_COLUMNS: [&str; 14] = [
    "tickets",
    "called",
    "served",
    "no_shows",
    "no_show_share",
    "wait_mean_min",
    "wait_median_min",
    "wait_p90_min",
    "wait_max_min",
    "over_target",
    "over_target_share",
    "service_mean_min",
    "service_p90_min",
    "queue_jumps",
];

#[allow(clippy::too_many_arguments)]
fn queue_row(
    key: &'static str,
    counts: [f64; 4],
    waits: [f64; 4],
    over: f64,
    service: [f64; 2],
    jumps: f64,
) -> (Vec<&'static str>, Vec<V>) {
    let [tickets, called, served, no_shows] = counts;
    let [mean, median, p90, max] = waits;
    (
        vec![key],
        vec![
            F(tickets),
            F(called),
            F(served),
            F(no_shows),
            F(no_shows / called),
            F(mean),
            F(median),
            F(p90),
            F(max),
            F(over),
            F(over / called),
            F(service[0]),
            F(service[1]),
            F(jumps),
        ],
    )
}

const HOURS_COLUMNS: [&str; 11] = [
    "weekday_name",
    "tickets",
    "called",
    "wait_mean_min",
    "wait_p90_min",
    "over_target",
    "over_target_share",
    "days",
    "over_target_per_day",
    "crowded",
    "period_end",
];

#[allow(clippy::too_many_arguments)]
fn hour_row(
    key: &'static str,
    weekday: &'static str,
    slot: &'static str,
    name: &'static str,
    tickets: f64,
    called: f64,
    wait: [V; 2],
    over: f64,
    days: f64,
    crowded: &'static str,
    period_end: &'static str,
) -> (Vec<&'static str>, Vec<V>) {
    let share = if called > 0.0 { F(over / called) } else { N };
    (
        vec![key, weekday, slot],
        vec![
            S(name),
            F(tickets),
            F(called),
            wait[0],
            wait[1],
            F(over),
            share,
            F(days),
            F(over / days),
            S(crowded),
            S(period_end),
        ],
    )
}

/// The `queue_hours` rows of one period, worked out in the header.
fn hours_of(period_end: &'static str) -> Vec<(Vec<&'static str>, Vec<V>)> {
    let h = |key, weekday, slot, name, tickets, called, wait, over, days, crowded| {
        hour_row(
            key, weekday, slot, name, tickets, called, wait, over, days, crowded, period_end,
        )
    };
    vec![
        h(
            "center",
            "1",
            "09:00",
            "周一",
            6.0,
            6.0,
            [F(11521.0 / 360.0), F(43.0)],
            4.0,
            3.0,
            "true",
        ),
        h(
            "center",
            "1",
            "09:30",
            "周一",
            2.0,
            1.0,
            [F(40.0), F(40.0)],
            1.0,
            3.0,
            "false",
        ),
        h(
            "center",
            "1",
            "14:00",
            "周一",
            1.0,
            1.0,
            [F(5.0), F(5.0)],
            0.0,
            3.0,
            "false",
        ),
        h(
            "center",
            "1",
            "16:30",
            "周一",
            1.0,
            0.0,
            [N, N],
            0.0,
            3.0,
            "false",
        ),
        h(
            "center",
            "2",
            "10:00",
            "周二",
            3.0,
            3.0,
            [F(4800.0 / 180.0), F(35.0)],
            2.0,
            1.0,
            "true",
        ),
        h(
            "不动产登记",
            "1",
            "09:00",
            "周一",
            6.0,
            6.0,
            [F(11521.0 / 360.0), F(43.0)],
            4.0,
            2.0,
            "true",
        ),
        h(
            "不动产登记",
            "1",
            "09:30",
            "周一",
            1.0,
            0.0,
            [N, N],
            0.0,
            2.0,
            "false",
        ),
        h(
            "不动产登记",
            "2",
            "10:00",
            "周二",
            1.0,
            1.0,
            [F(35.0), F(35.0)],
            1.0,
            1.0,
            "false",
        ),
        h(
            "税务",
            "1",
            "09:30",
            "周一",
            1.0,
            1.0,
            [F(40.0), F(40.0)],
            1.0,
            2.0,
            "false",
        ),
        h(
            "税务",
            "1",
            "14:00",
            "周一",
            1.0,
            1.0,
            [F(5.0), F(5.0)],
            0.0,
            2.0,
            "false",
        ),
        h(
            "税务",
            "1",
            "16:30",
            "周一",
            1.0,
            0.0,
            [N, N],
            0.0,
            2.0,
            "false",
        ),
        h(
            "税务",
            "2",
            "10:00",
            "周二",
            2.0,
            2.0,
            [F(22.5), F(32.5)],
            1.0,
            1.0,
            "false",
        ),
    ]
}

#[test]
fn the_queue_per_service_and_by_the_hour_worked_by_hand() {
    let home = home();
    let home = home.path();

    // queue_metrics at the queue's two levels.
    let center = metrics(home, "queue", "2026-11", "center");
    check(
        "queue center",
        &center,
        &["key"],
        &QUEUE_COLUMNS,
        &[queue_row(
            "center",
            [13.0, 11.0, 10.0, 1.0],
            [19021.0 / 660.0, 35.0, 41.0, 45.0],
            7.0,
            [9.9, 10.0],
            1.0,
        )],
    );
    let queues = metrics(home, "queue", "2026-11", "queue");
    check(
        "queue queue",
        &queues,
        &["key"],
        &QUEUE_COLUMNS,
        &[
            queue_row(
                "不动产登记",
                [8.0, 7.0, 6.0, 1.0],
                [13621.0 / 420.0, 35.0, 42.6, 45.0],
                5.0,
                [59.0 / 6.0, 10.0],
                1.0,
            ),
            queue_row(
                "税务",
                [5.0, 4.0, 4.0, 0.0],
                [22.5, 22.5, 38.5, 40.0],
                2.0,
                [10.0, 10.0],
                0.0,
            ),
        ],
    );
    let pairs = metrics(home, "queue", "2026-11", "queue_window");
    check(
        "queue queue_window",
        &pairs,
        &["key"],
        &QUEUE_COLUMNS,
        &[
            queue_row(
                "不动产登记/W02",
                [4.0, 4.0, 3.0, 1.0],
                [6901.0 / 240.0, 32.5, 42.0, 45.0],
                2.0,
                [10.0, 10.0],
                1.0,
            ),
            queue_row(
                "不动产登记/W03",
                [3.0, 3.0, 3.0, 0.0],
                [6720.0 / 180.0, 40.0, 40.8, 41.0],
                3.0,
                [29.0 / 3.0, 10.0],
                0.0,
            ),
            queue_row(
                "税务/W01",
                [5.0, 4.0, 4.0, 0.0],
                [22.5, 22.5, 38.5, 40.0],
                2.0,
                [10.0, 10.0],
                0.0,
            ),
        ],
    );

    // queue_hours: the month, and the quarter (the same tickets), at both
    // levels, by `metrics queue-hours`.
    let ident = ["key", "weekday", "slot"];
    for (period, end) in [("2026-11", "2026-11-30"), ("2026-Q4", "2026-12-31")] {
        let mut rows = metrics(home, "queue-hours", period, "center");
        rows.extend(metrics(home, "queue-hours", period, "queue"));
        let want = hours_of(end);
        check(
            &format!("queue_hours {period}"),
            &rows,
            &ident,
            &HOURS_COLUMNS,
            &want,
        );
    }
    // The stored table by SQL: every grain of it, nothing else.
    let grains = csv_rows(&ok(
        home,
        &[
            "query",
            "SELECT grain, period, count(*) AS n FROM queue_hours GROUP BY grain, period ORDER BY grain, period",
            "--format",
            "csv",
        ],
    ));
    let got: Vec<(String, String, String)> = grains
        .iter()
        .map(|r| (r["grain"].clone(), r["period"].clone(), r["n"].clone()))
        .collect();
    let twelve = |g: &str, p: &str| (g.to_string(), p.to_string(), "12".to_string());
    assert_eq!(
        got,
        [
            twelve("bimonth", "2026-B6"),
            twelve("month", "2026-11"),
            twelve("quarter", "2026-Q4"),
            twelve("year", "2026"),
        ]
    );

    // The bulletin: the queues busiest first, the crowded half hours, the
    // heat map.
    let report = |home: &Path| -> String {
        ok(
            home,
            &[
                "report",
                "monthly",
                "--month",
                "2026-11",
                "--center",
                "测试中心",
                "--as-of",
                AS_OF,
            ],
        );
        std::fs::read_to_string(home.join("reports/2026-11/bulletin.md")).unwrap()
    };
    let bulletin = report(home);
    let table = "| 队列 | 取号 | 环比 | 平均等候(分) | P90等候(分) | 超时率 | 过号率 | 插队 |\n\
                 | --- | --- | --- | --- | --- | --- | --- | --- |\n\
                 | 不动产登记 | 8 | — | 32.43 | 42.60 | 71.43% | 14.29% | 1 |\n\
                 | 税务 | 5 | — | 22.50 | 38.50 | 50.00% | 0.00% | 0 |\n";
    assert!(bulletin.contains(table), "{bulletin}");
    let sentence = "按取号时间每半小时统计,等候超过 30 分钟者日均多于 1 人的时段:周一 09:00–09:30(日均 1.33 人)、周二 10:00–10:30(日均 2.00 人)。";
    assert!(bulletin.contains(sentence), "{bulletin}");
    let html = std::fs::read_to_string(home.join("reports/2026-11/bulletin.html")).unwrap();
    assert!(html.contains("分时段平均等候"), "the heat map is drawn");
    let csv = std::fs::read_to_string(home.join("reports/2026-11/queue_hours.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 5,
        "the center's five cells:\n{csv}"
    );
    let queues_csv = std::fs::read_to_string(home.join("reports/2026-11/queues.csv")).unwrap();
    assert_eq!(queues_csv.lines().count(), 1 + 2, "{queues_csv}");

    // With the default crowded_over (5) nothing is crowded: the read sees
    // the configuration changed and computes the table again.
    std::fs::remove_file(home.join("xiaoneng.toml")).unwrap();
    let bulletin = report(home);
    assert!(
        bulletin.contains("按取号时间每半小时统计,等候超过 30 分钟者日均多于 5 人的时段:无。"),
        "{bulletin}"
    );
}
