//! The case engine on the city profile of DOMAIN.md: 2 000 000 cases in
//! 2025, 200 windows in 40 departments, 1 000 staff, 1 500 items (about
//! 44 % instant), 2 % with a 特别程序 and 8 % with a 补正 suspension.
//!
//! `cargo bench --bench case_engine` generates the year (not timed), writes
//! it as Parquet, then times reading it back and computing `case_metrics`
//! for every grain and level, and prints cases per second and the peak
//! resident memory of the process. `CASES=N` changes the volume.

use chrono::{Duration, NaiveDate};
use polars::prelude::*;
use std::time::Instant;

mod common;
use common::{datetime_column, in_child, ms, print_peak, read_parquet, write_parquet, Rng};
use xiaoneng::calendar::Calendar;
use xiaoneng::metrics::cases::{case_metrics, CaseTables};
use xiaoneng::metrics::date_series;

const WINDOWS: usize = 200;
const DEPARTMENTS: usize = 40;
const STAFF: usize = 1_000;
const ITEMS: usize = 1_500;

fn city_year(n_cases: usize, cal: &Calendar) -> CaseTables {
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

/// Generate the year into `dir` as Parquet, one file per table.
fn generate(n: usize, cal: &Calendar, dir: &std::path::Path) {
    let t = Instant::now();
    let mut tables = city_year(n, cal);
    write_parquet(&mut tables.cases, &dir.join("cases.parquet"));
    write_parquet(&mut tables.items, &dir.join("items.parquet"));
    write_parquet(&mut tables.windows, &dir.join("windows.parquet"));
    let mut susp = tables.suspensions.expect("suspensions");
    write_parquet(&mut susp, &dir.join("suspensions.parquet"));
    eprintln!(
        "generated {n} cases ({} suspensions) in {:.1} s (not timed)",
        susp.height(),
        t.elapsed().as_secs_f64()
    );
}

/// Read the year back and compute every grain and level; print the figures.
fn measure(n: usize, cal: &Calendar, dir: &std::path::Path) {
    let t = Instant::now();
    let tables = CaseTables {
        cases: read_parquet(&dir.join("cases.parquet")),
        items: read_parquet(&dir.join("items.parquet")),
        windows: read_parquet(&dir.join("windows.parquet")),
        suspensions: Some(read_parquet(&dir.join("suspensions.parquet"))),
    };
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
    let n: usize = std::env::var("CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000_000);
    let cal = Calendar::official();
    in_child(|dir| generate(n, &cal, dir), |dir| measure(n, &cal, dir));
}
