//! The step engine on the city profile: the case year of `case_engine.rs`
//! (2 000 000 cases) with its steps (环节): two for an instant case, four to
//! six for a promised one (about 8 000 000 in all), 审查 and 审核 in
//! parallel in one case of ten with five or more steps, a catalog step
//! limit for every promised item, its own limit on one step row in twenty.
//!
//! `cargo bench --bench step_engine` generates the year (not timed), writes
//! it as Parquet, then a child process times reading it back, the case facts
//! the steps need, the step facts and `step_metrics` (every grain; center,
//! department, window, staff, item × step), the bottlenecks of a quarter and
//! the step cards of the year's last day, and prints the peak resident
//! memory. `CASES=N` changes the volume.

use chrono::NaiveDate;
use polars::prelude::*;
use std::time::Instant;

mod common;
use common::{
    cases_from_env, city_year, in_child, print_peak, read_case_year, read_parquet, write_case_year,
    write_parquet, Rng, ITEMS,
};
use xiaoneng::calendar::Calendar;
use xiaoneng::metrics::cases::case_facts;

const NAMES: [&str; 6] = ["受理", "审查", "审核", "审批", "决定", "送达"];

/// Steps of every case, spread over its working days; catalog limits.
fn steps_of(cases: &DataFrame, items: &DataFrame, cal: &Calendar) -> (DataFrame, DataFrame) {
    let mut rng = Rng(11);
    let ids = cases
        .column("case_id")
        .expect("case_id")
        .str()
        .expect("str");
    let items_of = cases.column("item_code").expect("item").str().expect("str");
    let staff = cases.column("staff_id").expect("staff").str().expect("str");
    let ms = |c: &str| -> Vec<Option<i64>> {
        cases
            .column(c)
            .expect("column")
            .cast(&DataType::Int64)
            .expect("cast")
            .i64()
            .expect("i64")
            .iter()
            .collect()
    };
    let (acc, comp) = (ms("accepted_at"), ms("completed_at"));
    let promised: Vec<i64> = items
        .column("promised_limit_days")
        .expect("promised")
        .i64()
        .expect("i64")
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();
    let n_steps = |item: usize| -> usize {
        if promised[item] == 0 {
            2
        } else {
            4 + item % 3
        }
    };
    let day_ms = 86_400_000i64;
    let (mut c_id, mut seq, mut name, mut who) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut start, mut finish, mut own) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..cases.height() {
        let item: usize = items_of.get(i).expect("item")[1..].parse().expect("I0000");
        let k = n_steps(item);
        let names: Vec<&str> = match k {
            2 => vec!["受理", "决定"],
            4 => vec!["受理", "审查", "审批", "决定"],
            5 => NAMES[..5].to_vec(),
            _ => NAMES.to_vec(),
        };
        let a = acc[i].expect("accepted");
        // Open cases: steps up to the year's end, the last one open.
        let end = comp[i].unwrap_or(a + 10 * day_ms);
        let span = (end - a).max(k as i64 * 60_000);
        let parallel = k >= 5 && rng.chance(0.1);
        let mut t = a;
        let mut s = 0;
        while s < k {
            let group = if parallel && s == 1 { 2 } else { 1 };
            let share = if s == 0 { 0.02 } else { 0.98 / (k - 1) as f64 };
            let step_end = if s + group == k {
                end
            } else {
                t + (span as f64 * share * group as f64) as i64
            };
            for g in 0..group {
                c_id.push(ids.get(i).expect("id").to_string());
                seq.push((s + g + 1) as i64);
                name.push(names[s + g]);
                who.push(staff.get(i).map(str::to_string));
                start.push(Some(t));
                let open = comp[i].is_none() && s + group == k;
                finish.push((!open).then_some(step_end - g as i64 * 60_000));
                own.push(rng.chance(0.05).then_some(1i64));
            }
            t = step_end;
            s += group;
        }
    }
    let n = c_id.len();
    let steps = DataFrame::new(
        n,
        vec![
            Column::new("case_id".into(), c_id),
            Column::new("seq".into(), seq),
            Column::new("step".into(), name),
            Column::new("staff_id".into(), who),
            common::datetime_column("started_at", start),
            common::datetime_column("finished_at", finish),
            Column::new("limit_days".into(), own),
        ],
    )
    .expect("steps");
    // Catalog: each promised item's limit split evenly over its steps.
    let year_start = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let (mut code, mut step, mut limit) = (Vec::new(), Vec::new(), Vec::new());
    for (item, p) in promised.iter().enumerate().take(ITEMS) {
        if *p == 0 {
            continue;
        }
        let k = n_steps(item);
        for (s, nm) in NAMES.iter().take(k).enumerate() {
            code.push(format!("I{item:04}"));
            step.push(*nm);
            limit.push(if s == 0 {
                0
            } else {
                (p / (k as i64 - 1)).max(1)
            });
        }
    }
    let m = code.len();
    let item_steps = DataFrame::new(
        m,
        vec![
            Column::new("item_code".into(), code),
            Column::new("step".into(), step),
            Column::new("limit_days".into(), limit),
            xiaoneng::polars_ext::date_series("effective_from", (0..m).map(|_| Some(year_start)))
                .expect("dates"),
        ],
    )
    .expect("item steps");
    let _ = cal;
    (steps, item_steps)
}

fn generate(n: usize, cal: &Calendar, dir: &std::path::Path) {
    let t = Instant::now();
    let tables = city_year(n, cal);
    let (mut steps, mut item_steps) = steps_of(&tables.cases, &tables.items, cal);
    write_case_year(tables, dir);
    write_parquet(&mut steps, &dir.join("case_steps.parquet"));
    write_parquet(&mut item_steps, &dir.join("item_steps.parquet"));
    eprintln!(
        "generated {n} cases with {} steps in {:.1} s (not timed)",
        steps.height(),
        t.elapsed().as_secs_f64()
    );
}

fn measure(n: usize, cal: &Calendar, dir: &std::path::Path) {
    use xiaoneng::metrics::steps::{bottlenecks, step_cards_due, step_facts, step_metrics};
    let t = Instant::now();
    let tables = read_case_year(dir);
    let steps = read_parquet(&dir.join("case_steps.parquet"));
    let item_steps = read_parquet(&dir.join("item_steps.parquet"));
    let read_s = t.elapsed().as_secs_f64();
    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
    let t = Instant::now();
    let case = case_facts(&tables, cal, as_of).expect("case facts");
    let case_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let facts = step_facts(&steps, Some(&item_steps), &case, cal, as_of).expect("step facts");
    let facts_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let metrics = step_metrics(&facts, as_of).expect("step_metrics");
    let metrics_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let quarter = xiaoneng::metrics::period::parse_period("2025-Q3").expect("period");
    let b = bottlenecks(&metrics, &quarter).expect("bottlenecks");
    let cards = step_cards_due(&facts, cal, as_of, &Default::default()).expect("cards");
    let rest_s = t.elapsed().as_secs_f64();
    let total = read_s + case_s + facts_s + metrics_s + rest_s;
    println!(
        "step engine, city profile: {n} cases, {} steps, {} step_metrics rows, {} items in the 2025-Q3 bottleneck table, {} step cards",
        steps.height(),
        metrics.height(),
        b.len(),
        cards.len()
    );
    println!("  read the tables from Parquet: {read_s:.2} s");
    println!("  case facts (suspensions, working days): {case_s:.2} s");
    println!("  step facts (elapsed, limits, overdue): {facts_s:.2} s");
    println!("  step_metrics, 6 grains x 5 levels: {metrics_s:.2} s");
    println!("  bottlenecks and step cards: {rest_s:.2} s");
    println!(
        "  total {total:.2} s, {:.0} steps/s",
        steps.height() as f64 / total
    );
    print_peak();
}

fn main() {
    xiaoneng::memory::keep_freed_memory();
    let n = cases_from_env();
    let cal = Calendar::official();
    in_child(|dir| generate(n, &cal, dir), |dir| measure(n, &cal, dir));
}
