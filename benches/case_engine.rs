//! The case engine on the city profile (docs/scaling.md): 2 000 000 cases in
//! 2025, 200 windows in 40 departments, 1 000 staff, 1 500 items (about
//! 44 % instant), 2 % with a 特别程序 and 8 % with a 补正 suspension.
//!
//! `cargo bench --bench case_engine` generates the year (not timed), writes
//! it as Parquet, then times reading it back and computing `case_metrics`
//! for every grain and level, and prints cases per second and the peak
//! resident memory of the process. `CASES=N` changes the volume.

use chrono::NaiveDate;
use std::time::Instant;

mod common;
use common::{cases_from_env, city_year, in_child, print_peak, read_case_year, write_case_year};
use xiaoneng::calendar::Calendar;
use xiaoneng::metrics::cases::case_metrics;

/// Generate the year into `dir` as Parquet, one file per table.
fn generate(n: usize, cal: &Calendar, dir: &std::path::Path) {
    let t = Instant::now();
    let suspensions = write_case_year(city_year(n, cal), dir);
    eprintln!(
        "generated {n} cases ({suspensions} suspensions) in {:.1} s (not timed)",
        t.elapsed().as_secs_f64()
    );
}

/// Read the year back and compute every grain and level; print the figures.
fn measure(n: usize, cal: &Calendar, dir: &std::path::Path) {
    let t = Instant::now();
    let tables = read_case_year(dir);
    let read_s = t.elapsed().as_secs_f64();
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
    let t = Instant::now();
    let metrics = case_metrics(&tables, cal, as_of).expect("case_metrics");
    let compute_s = t.elapsed().as_secs_f64();
    let total = read_s + compute_s;
    println!(
        "case engine, city profile: {n} cases, {} case_metrics rows",
        metrics.height()
    );
    println!("  read the tables from Parquet: {read_s:.2} s");
    println!("  case_metrics, 6 grains x 5 levels: {compute_s:.2} s");
    println!("  total {total:.2} s, {:.0} cases/s", n as f64 / total);
    print_peak();
}

fn main() {
    xiaoneng::memory::keep_freed_memory();
    let n = cases_from_env();
    let cal = Calendar::official();
    in_child(|dir| generate(n, &cal, dir), |dir| measure(n, &cal, dir));
}
