//! Queue-jump detection (插队) on the city profile of DOMAIN.md: 2 200 000
//! tickets in 2025 over 40 queues, with 3 % priority tickets and a few
//! tickets called out of turn.
//!
//! `cargo bench --bench queue_jumps` generates the year (not timed), writes
//! it as Parquet, and a child process times reading it back and finding
//! every jump.

use chrono::{Duration, NaiveDate};
use polars::prelude::*;
use std::time::Instant;

mod common;
use common::{datetime_column, in_child, print_peak, read_parquet, write_parquet, Rng};
use xiaoneng::calendar::Calendar;

const TICKETS: usize = 2_200_000;
const QUEUES: usize = 40;

fn generate(cal: &Calendar, dir: &std::path::Path) {
    let t = Instant::now();
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
    let mut tickets = DataFrame::new(
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
    .expect("tickets");
    write_parquet(&mut tickets, &dir.join("tickets.parquet"));
    eprintln!(
        "generated {n} tickets in {:.1} s (not timed)",
        t.elapsed().as_secs_f64()
    );
}

fn measure(dir: &std::path::Path) {
    let t = Instant::now();
    let tickets = read_parquet(&dir.join("tickets.parquet"));
    let read_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let jumps = xiaoneng::metrics::queue::queue_jumps(&tickets).expect("queue_jumps");
    let jumps_s = t.elapsed().as_secs_f64();
    println!(
        "queue jumps, city profile: {} tickets, {} jumps",
        tickets.height(),
        jumps.height()
    );
    println!("  read tickets from Parquet: {read_s:.2} s");
    println!(
        "  queue_jumps: {jumps_s:.2} s, {:.0} tickets/s",
        tickets.height() as f64 / jumps_s
    );
    print_peak();
}

fn main() {
    let cal = Calendar::official();
    in_child(|dir| generate(&cal, dir), measure);
}
