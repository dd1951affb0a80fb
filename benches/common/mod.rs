//! Helpers shared by the benchmarks: a deterministic generator, Parquet
//! in and out, peak memory, and running the measurement in a child process
//! so its peak memory is its own.
#![allow(dead_code)]

use polars::prelude::*;

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
