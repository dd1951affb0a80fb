//! Attendance on the city profile of DOMAIN.md: 1 000 staff on 200 windows,
//! four fingerprint punches a working day through 2025 (about 1 000 000
//! punches), with late arrivals, missing and duplicate punches, leaves and
//! departures.
//!
//! `cargo bench --bench attendance` generates the year (not timed), writes
//! it as Parquet, and a child process times reading it back, the per
//! staff-day table and `attendance_metrics` for every grain and level.

use chrono::{Duration, NaiveDate};
use polars::prelude::*;
use std::time::Instant;

mod common;
use common::{datetime_column, in_child, ms, print_peak, read_parquet, write_parquet, Rng};
use xiaoneng::attendance::Schedule;
use xiaoneng::calendar::Calendar;
use xiaoneng::metrics::attendance::{attendance_metrics, attendance_table, AttendanceTables};
use xiaoneng::metrics::date_series;

const STAFF: usize = 1_000;
const WINDOWS: usize = 200;

fn generate(cal: &Calendar, dir: &std::path::Path) {
    let t = Instant::now();
    let mut rng = Rng(5);
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let days: Vec<NaiveDate> = (0..365).map(|i| start + Duration::days(i)).collect();
    let ids: Vec<String> = (0..STAFF).map(|s| format!("S{s:04}")).collect();
    let mut staff = DataFrame::new(
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
    let mut windows = df!(
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
    let mut punches = DataFrame::new(
        n_punches,
        vec![
            Column::new("staff_id".into(), p_staff),
            datetime_column("punched_at", p_at),
        ],
    )
    .expect("punches");
    let mut leaves = DataFrame::new(
        l_staff.len(),
        vec![
            Column::new("staff_id".into(), l_staff),
            Column::new("kind".into(), l_kind),
            datetime_column("start", l_start),
            datetime_column("end", l_end),
        ],
    )
    .expect("leaves");
    let mut departures = DataFrame::new(
        d_staff.len(),
        vec![
            Column::new("staff_id".into(), d_staff),
            datetime_column("out_at", d_out),
            datetime_column("back_at", d_back),
            Column::new("cover_staff_id".into(), d_cover),
        ],
    )
    .expect("departures");
    for (name, df) in [
        ("staff", &mut staff),
        ("windows", &mut windows),
        ("punches", &mut punches),
        ("leaves", &mut leaves),
        ("departures", &mut departures),
    ] {
        write_parquet(df, &dir.join(format!("{name}.parquet")));
    }
    eprintln!(
        "generated {n_punches} punches of {STAFF} staff in {:.1} s (not timed)",
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
    let cal = Calendar::official();
    in_child(|dir| generate(&cal, dir), |dir| measure(&cal, dir));
}
