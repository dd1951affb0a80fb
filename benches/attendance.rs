//! Attendance on the city profile (docs/scaling.md): 1 000 staff on 200 windows,
//! four fingerprint punches a working day through 2025 (about 1 000 000
//! punches), with late arrivals, missing and duplicate punches, leaves and
//! departures.
//!
//! `cargo bench --bench attendance` generates the year (not timed), writes
//! it as Parquet, and a child process times reading it back, the per
//! staff-day table and `attendance_metrics` for every grain and level.

use chrono::NaiveDate;
use std::time::Instant;

mod common;
use common::{city_attendance, in_child, print_peak, read_parquet, write_parquet, STAFF};
use xiaoneng::attendance::Schedule;
use xiaoneng::calendar::Calendar;
use xiaoneng::metrics::attendance::{attendance_metrics, attendance_table, AttendanceTables};

fn generate(cal: &Calendar, dir: &std::path::Path) {
    let t = Instant::now();
    let mut tables = city_attendance(cal);
    for (name, df) in tables.iter_mut() {
        write_parquet(df, &dir.join(format!("{name}.parquet")));
    }
    eprintln!(
        "generated {} punches of {STAFF} staff in {:.1} s (not timed)",
        tables[2].1.height(),
        t.elapsed().as_secs_f64()
    );
}

fn measure(cal: &Calendar, dir: &std::path::Path) {
    let t = Instant::now();
    let read = |name: &str| read_parquet(&dir.join(format!("{name}.parquet")));
    let tables = AttendanceTables {
        staff: read("staff"),
        windows: read("windows"),
        punches: Some(read("punches")),
        leaves: Some(read("leaves")),
        departures: Some(read("departures")),
    };
    let n_punches = tables.punches.as_ref().map_or(0, |p| p.height());
    let read_s = t.elapsed().as_secs_f64();
    let schedule = Schedule::default();
    let (from, to) = (
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("date"),
        NaiveDate::from_ymd_opt(2025, 12, 31).expect("date"),
    );
    let t = Instant::now();
    let days = attendance_table(&tables, cal, &schedule, from, to).expect("attendance_days");
    let days_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let metrics = attendance_metrics(&days, to).expect("attendance_metrics");
    let metrics_s = t.elapsed().as_secs_f64();
    let total = read_s + days_s + metrics_s;
    println!("attendance, city profile: {n_punches} punches, {STAFF} staff, {} staff-days, {} metric rows", days.height(), metrics.height());
    println!("  read the tables from Parquet: {read_s:.2} s");
    println!("  attendance_days (per staff-day): {days_s:.2} s");
    println!("  attendance_metrics, 6 grains x 4 levels: {metrics_s:.2} s");
    println!(
        "  total {total:.2} s, {:.0} punches/s",
        n_punches as f64 / total
    );
    print_peak();
}

fn main() {
    xiaoneng::memory::keep_freed_memory();
    let cal = Calendar::official();
    in_child(|dir| generate(&cal, dir), |dir| measure(&cal, dir));
}
