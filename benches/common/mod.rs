//! Helpers shared by the benchmarks: a deterministic generator, Parquet
//! in and out, peak memory, and running the measurement in a child process
//! so its peak memory is its own.
#![allow(dead_code)]

use chrono::{Duration, NaiveDate};
use polars::prelude::*;
use xiaoneng::calendar::Calendar;
use xiaoneng::demo::rng::{splitmix64, to_unit};
use xiaoneng::metrics::cases::CaseTables;
use xiaoneng::polars_ext::date_series;

/// A small deterministic generator: the demo's SplitMix64 step
/// (`xiaoneng::demo::rng`) on a raw state, with the benchmarks' own draws
/// (a modulo range, a chance that includes `p`), which their data depend on.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        splitmix64(&mut self.0)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, p: f64) -> bool {
        to_unit(self.next()) <= p
    }
}

pub fn write_parquet(df: &mut DataFrame, path: &std::path::Path) {
    let f = std::fs::File::create(path).expect("create");
    ParquetWriter::new(f).finish(df).expect("write");
}

pub fn read_parquet(path: &std::path::Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).expect("open"))
        .finish()
        .expect("read")
}

/// Local wall-clock milliseconds, as the store keeps date-times.
pub fn ms(d: chrono::NaiveDate, h: u32, m: u32, s: u32) -> i64 {
    d.and_hms_opt(h, m, s)
        .expect("time")
        .and_utc()
        .timestamp_millis()
}

pub fn datetime_column(name: &str, v: Vec<Option<i64>>) -> Column {
    Series::new(name.into(), v)
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
        .expect("datetime")
        .into()
}

/// Generate into a temporary folder with `generate`, then run this same
/// benchmark as a child process that calls `measure` on that folder.
pub fn in_child(generate: impl FnOnce(&std::path::Path), measure: impl FnOnce(&std::path::Path)) {
    if let Ok(dir) = std::env::var("XIAONENG_BENCH_DIR") {
        measure(std::path::Path::new(&dir));
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    generate(dir.path());
    let status = std::process::Command::new(std::env::current_exe().expect("self"))
        .env("XIAONENG_BENCH_DIR", dir.path())
        .status()
        .expect("run the measuring process");
    assert!(status.success(), "the measuring process failed");
}

pub fn print_peak() {
    match xiaoneng::memory::peak_rss_mib() {
        Some(m) => println!("  peak resident memory of the measuring process: {m:.0} MiB"),
        None => println!("  peak resident memory: unavailable on this platform"),
    }
}

pub const WINDOWS: usize = 200;
pub const DEPARTMENTS: usize = 40;
pub const STAFF: usize = 1_000;
pub const TICKETS: usize = 2_200_000;
pub const QUEUES: usize = 40;
pub const ITEMS: usize = 1_500;

/// The city profile's case year (see `case_engine.rs`).
pub fn city_year(n_cases: usize, cal: &Calendar) -> CaseTables {
    let mut rng = Rng(2025);
    let year_start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let workdays: Vec<NaiveDate> = (0..365)
        .map(|i| year_start + Duration::days(i))
        .filter(|d| cal.is_workday(*d).expect("2025 is covered"))
        .collect();

    let windows = df!(
        "window_id" => (0..WINDOWS).map(|w| format!("W{w:03}")).collect::<Vec<_>>(),
        "department" => (0..WINDOWS).map(|w| format!("D{:02}", w % DEPARTMENTS)).collect::<Vec<_>>(),
    )
    .expect("windows");

    // Items: legal 20 (some none), promised 0 for 44 % of volume, else 1–10.
    let promised: Vec<i64> = (0..ITEMS)
        .map(|i| if i % 100 < 44 { 0 } else { 1 + (i as i64 % 10) })
        .collect();
    let legal: Vec<Option<i64>> = (0..ITEMS)
        .map(|i| if i % 17 == 0 { None } else { Some(20) })
        .collect();
    let items = DataFrame::new(
        ITEMS,
        vec![
            Column::new(
                "item_code".into(),
                (0..ITEMS).map(|i| format!("I{i:04}")).collect::<Vec<_>>(),
            ),
            Column::new("promised_limit_days".into(), promised.clone()),
            Column::new("legal_limit_days".into(), legal),
            date_series("effective_from", (0..ITEMS).map(|_| Some(year_start))).expect("dates"),
        ],
    )
    .expect("items");

    let mut case_id = Vec::with_capacity(n_cases);
    let (mut item, mut window, mut staff) = (Vec::new(), Vec::new(), Vec::new());
    let (mut accepted, mut completed) = (Vec::new(), Vec::new());
    let (mut s_case, mut s_kind, mut s_start, mut s_end) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for c in 0..n_cases {
        let i = rng.below(ITEMS as u64) as usize;
        let w = rng.below(WINDOWS as u64) as usize;
        let day_idx = rng.below(workdays.len() as u64) as usize;
        let acc = workdays[day_idx];
        let n = promised[i] as usize;
        let id = format!("C{c:08}");
        // Mostly early; 1.5 % late; 1 % still open.
        let mut took = if n == 0 {
            usize::from(rng.chance(0.01))
        } else if rng.chance(0.015) {
            n + 1 + rng.below(3) as usize
        } else {
            rng.below(n as u64 + 1) as usize
        };
        if n > 0 && rng.chance(0.02) {
            let len = 2 + rng.below(6) as usize;
            let start = workdays[(day_idx + 1).min(workdays.len() - 1)];
            s_case.push(id.clone());
            s_kind.push("特别程序");
            s_start.push(Some(start));
            s_end.push(Some(start + Duration::days(len as i64)));
            took += len;
        }
        if n > 0 && rng.chance(0.08) {
            let start = workdays[(day_idx + 1).min(workdays.len() - 1)];
            s_case.push(id.clone());
            s_kind.push("补正");
            s_start.push(Some(start));
            s_end.push(Some(start + Duration::days(1 + rng.below(3) as i64)));
            took += 2;
        }
        let done = workdays
            .get(day_idx + took)
            .copied()
            .filter(|_| !rng.chance(0.01));
        case_id.push(id);
        item.push(format!("I{i:04}"));
        window.push(format!("W{w:03}"));
        staff.push(format!("S{:04}", (w * 5 + rng.below(5) as usize) % STAFF));
        accepted.push(Some(ms(
            acc,
            9 + rng.below(8) as u32,
            rng.below(60) as u32,
            0,
        )));
        completed.push(done.map(|d| ms(d, 16, 0, 0)));
    }
    let cases = DataFrame::new(
        n_cases,
        vec![
            Column::new("case_id".into(), case_id),
            Column::new("item_code".into(), item),
            Column::new("window_id".into(), window),
            Column::new("staff_id".into(), staff),
            datetime_column("accepted_at", accepted),
            datetime_column("completed_at", completed),
            Column::new("promised_limit_days".into(), vec![None::<i64>; n_cases]),
            Column::new("legal_limit_days".into(), vec![None::<i64>; n_cases]),
        ],
    )
    .expect("cases");
    let suspensions = DataFrame::new(
        s_case.len(),
        vec![
            Column::new("case_id".into(), s_case),
            Column::new("kind".into(), s_kind),
            date_series("start", s_start.into_iter()).expect("dates"),
            date_series("end", s_end.into_iter()).expect("dates"),
        ],
    )
    .expect("suspensions");
    CaseTables {
        cases,
        items,
        windows,
        suspensions: Some(suspensions),
    }
}

/// The city profile's attendance year: 1 000 staff on 200 windows, four
/// punches a working day of 2025 with late, missing and duplicate punches,
/// 3 % of staff-days on leave, 2 % with a departure. Returns (name, frame)
/// for staff, windows, punches, leaves and departures.
pub fn city_attendance(cal: &Calendar) -> [(&'static str, DataFrame); 5] {
    let mut rng = Rng(5);
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let days: Vec<NaiveDate> = (0..365).map(|i| start + Duration::days(i)).collect();
    let ids: Vec<String> = (0..STAFF).map(|s| format!("S{s:04}")).collect();
    let staff = DataFrame::new(
        STAFF,
        vec![
            Column::new("staff_id".into(), ids.clone()),
            Column::new("name".into(), ids.clone()),
            Column::new(
                "window_id".into(),
                (0..STAFF)
                    .map(|s| format!("W{:03}", s % WINDOWS))
                    .collect::<Vec<_>>(),
            ),
            date_series("valid_from", (0..STAFF).map(|_| Some(start))).expect("dates"),
            date_series("valid_to", (0..STAFF).map(|_| None)).expect("dates"),
        ],
    )
    .expect("staff");
    let windows = df!(
        "window_id" => (0..WINDOWS).map(|w| format!("W{w:03}")).collect::<Vec<_>>(),
        "department" => (0..WINDOWS).map(|w| format!("D{:02}", w % 40)).collect::<Vec<_>>(),
    )
    .expect("windows");
    let (mut p_staff, mut p_at) = (Vec::new(), Vec::new());
    let (mut l_staff, mut l_kind, mut l_start, mut l_end) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut d_staff, mut d_out, mut d_back, mut d_cover) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for d in days
        .iter()
        .filter(|d| cal.is_workday(**d).expect("covered"))
    {
        let (pm_in, pm_out) = (14, 17);
        for id in &ids {
            if rng.chance(0.03) {
                l_staff.push(id.clone());
                l_kind.push("事假");
                l_start.push(Some(ms(*d, 8, 30, 0)));
                l_end.push(Some(ms(*d, 17, 30, 0)));
                continue;
            }
            let late = if rng.chance(0.05) {
                1 + rng.below(40) as u32
            } else {
                0
            };
            let times = [
                (8, 20 + late.min(39), rng.below(60) as u32),
                (12, rng.below(10) as u32, rng.below(60) as u32),
                (pm_in, rng.below(25) as u32, rng.below(60) as u32),
                (pm_out, 30 + rng.below(15) as u32, rng.below(60) as u32),
            ];
            for (h, m, s) in times {
                if rng.chance(0.01) {
                    continue; // a missing punch
                }
                p_staff.push(id.clone());
                p_at.push(Some(ms(*d, h, m, s)));
                if rng.chance(0.02) {
                    p_staff.push(id.clone()); // pressed twice
                    p_at.push(Some(ms(*d, h, m, s) + 3_000));
                }
            }
            if rng.chance(0.02) {
                let out = ms(*d, 10, rng.below(50) as u32, 0);
                d_staff.push(id.clone());
                d_out.push(Some(out));
                d_back.push(Some(out + 60_000 * (5 + rng.below(30) as i64)));
                d_cover.push(if rng.chance(0.8) {
                    Some(ids[rng.below(STAFF as u64) as usize].clone())
                } else {
                    None
                });
            }
        }
    }
    let n_punches = p_at.len();
    let punches = DataFrame::new(
        n_punches,
        vec![
            Column::new("staff_id".into(), p_staff),
            datetime_column("punched_at", p_at),
        ],
    )
    .expect("punches");
    let leaves = DataFrame::new(
        l_staff.len(),
        vec![
            Column::new("staff_id".into(), l_staff),
            Column::new("kind".into(), l_kind),
            datetime_column("start", l_start),
            datetime_column("end", l_end),
        ],
    )
    .expect("leaves");
    let departures = DataFrame::new(
        d_staff.len(),
        vec![
            Column::new("staff_id".into(), d_staff),
            datetime_column("out_at", d_out),
            datetime_column("back_at", d_back),
            Column::new("cover_staff_id".into(), d_cover),
        ],
    )
    .expect("departures");
    [
        ("staff", staff),
        ("windows", windows),
        ("punches", punches),
        ("leaves", leaves),
        ("departures", departures),
    ]
}

/// The city profile's queue year: about 2 200 000 tickets over 40 queues
/// and the working days of 2025, 3 % priority, 3 % never called, 0.1 %
/// called out of turn (all on window W001 by S0001).
pub fn city_tickets(cal: &Calendar) -> DataFrame {
    let mut rng = Rng(11);
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let days: Vec<NaiveDate> = (0..365)
        .map(|i| start + Duration::days(i))
        .filter(|d| cal.is_workday(*d).expect("covered"))
        .collect();
    let per_queue_day = TICKETS / (days.len() * QUEUES) + 1;
    let (mut id, mut queue, mut issued, mut called, mut priority) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for d in &days {
        let open = d
            .and_hms_opt(8, 30, 0)
            .expect("time")
            .and_utc()
            .timestamp_millis();
        for q in 0..QUEUES {
            // Issued one after another; called in order, a few out of turn.
            let mut at = open;
            let mut next_call = open;
            for k in 0..per_queue_day {
                at += 1_000 * (30 + rng.below(150) as i64);
                let c = next_call.max(at) + 1_000 * rng.below(600) as i64;
                next_call = c;
                let out_of_turn = rng.chance(0.001);
                id.push(format!("{}-{q:02}-{k:04}", d.format("%Y%m%d")));
                queue.push(format!("Q{q:02}"));
                issued.push(Some(at));
                called.push(if rng.chance(0.03) {
                    None
                } else {
                    Some(if out_of_turn { c - 900_000 } else { c })
                });
                priority.push(rng.chance(0.03));
            }
        }
    }
    let n = id.len();
    DataFrame::new(
        n,
        vec![
            Column::new("ticket_id".into(), id),
            Column::new("queue".into(), queue),
            datetime_column("issued_at", issued),
            datetime_column("called_at", called),
            Column::new("window_id".into(), vec!["W001"; n]),
            Column::new("staff_id".into(), vec!["S0001"; n]),
            Column::new("priority".into(), priority),
        ],
    )
    .expect("tickets")
}

/// Write a case year as Parquet into `dir` (cases, items, windows,
/// suspensions), for [`read_case_year`] in the measuring process; returns
/// the number of suspensions.
pub fn write_case_year(tables: CaseTables, dir: &std::path::Path) -> usize {
    let CaseTables {
        mut cases,
        mut items,
        mut windows,
        suspensions,
    } = tables;
    let mut susp = suspensions.expect("suspensions");
    for (name, df) in [
        ("cases", &mut cases),
        ("items", &mut items),
        ("windows", &mut windows),
        ("suspensions", &mut susp),
    ] {
        write_parquet(df, &dir.join(format!("{name}.parquet")));
    }
    susp.height()
}

/// The case year [`write_case_year`] wrote.
pub fn read_case_year(dir: &std::path::Path) -> CaseTables {
    CaseTables {
        cases: read_parquet(&dir.join("cases.parquet")),
        items: read_parquet(&dir.join("items.parquet")),
        windows: read_parquet(&dir.join("windows.parquet")),
        suspensions: Some(read_parquet(&dir.join("suspensions.parquet"))),
    }
}

/// The number of cases to generate: `CASES` from the environment, or the
/// city profile's 2 000 000.
pub fn cases_from_env() -> usize {
    std::env::var("CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000)
}
