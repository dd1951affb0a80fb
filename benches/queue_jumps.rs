//! Queue-jump detection (插队) on the city profile (docs/scaling.md): 2 200 000
//! tickets in 2025 over 40 queues, with 3 % priority tickets and a few
//! tickets called out of turn.
//!
//! `cargo bench --bench queue_jumps` generates the year (not timed), writes
//! it as Parquet, and a child process times reading it back and finding
//! every jump.

use std::time::Instant;

mod common;
use common::{city_tickets, in_child, print_peak, read_parquet, write_parquet};
use xiaoneng::calendar::Calendar;

fn generate(cal: &Calendar, dir: &std::path::Path) {
    let t = Instant::now();
    let mut tickets = city_tickets(cal);
    write_parquet(&mut tickets, &dir.join("tickets.parquet"));
    eprintln!(
        "generated {} tickets in {:.1} s (not timed)",
        tickets.height(),
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
    xiaoneng::memory::keep_freed_memory();
    let cal = Calendar::official();
    in_child(|dir| generate(&cal, dir), measure);
}
