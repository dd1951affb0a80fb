//! Helpers shared by the benchmarks: a deterministic generator, Parquet
//! in and out, peak memory, and running the measurement in a child process
//! so its peak memory is its own.
#![allow(dead_code)]

use chrono::{Duration, NaiveDate};
use polars::prelude::*;
use xiaoneng::calendar::Calendar;
use xiaoneng::metrics::cases::CaseTables;
use xiaoneng::metrics::date_series;

/// SplitMix64: a small deterministic generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Peak resident memory of this process, from /proc (Linux).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
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
    match peak_rss_mib() {
        Some(m) => println!("  peak resident memory of the measuring process: {m:.0} MiB"),
        None => println!("  peak resident memory: unavailable on this platform"),
    }
}

pub const WINDOWS: usize = 200;
pub const DEPARTMENTS: usize = 40;
pub const STAFF: usize = 1_000;
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
