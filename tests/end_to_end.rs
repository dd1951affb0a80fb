//! The end-to-end tests, one test binary: each file beside this one is a
//! module of it, so `cargo test` links polars into one binary, not one
//! per file. `tests/memory.rs` stays a binary of its own (it measures
//! the process's memory with nothing else running in it).

mod common;

mod assessment;
mod board;
mod case_metrics;
mod citizen_side;
mod cli;
mod closed_loop;
mod compute_release;
mod exports;
mod golden_bulletin;
mod golden_weekly;
mod ingest_damage;
mod layers;
mod nightly;
mod province;
mod query;
mod queue_hours;
mod ranking;
mod ranking_demo;
mod reads;
mod services;
mod staff_review;
mod steps;
mod steps_demo;
mod supervision;
mod xlsx;
