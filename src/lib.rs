//! xiaoneng (效能): electronic supervision (电子监察) and efficiency
//! analytics for Chinese administrative service centers.
//!
//! The pipeline, module by module:
//! - [`config`] reads `xiaoneng.toml` and flags into one checked `Settings`;
//! - [`calendar`] answers working-day questions (pure, no I/O);
//! - [`ingest`] turns export files (CSV in UTF-8 or GBK, ZKTeco attlog) into
//!   typed rows and rejects, and hands them to the store;
//! - [`store`] is the only module that knows the Parquet layout on disk and
//!   commits a run all at once;
//! - [`metrics`] computes metric tables from frames (pure, no I/O);
//! - [`engine`] runs the declared metric families over the store, commits
//!   them stamped, resolves the one "as of" and serves reads that never
//!   write;
//! - [`report`] writes the daily report, the publications and bulletins;
//! - [`nightly`] is the unattended job;
//! - [`serve`] is the read-only supervision board (web pages and the lobby screen);
//! - [`demo`] generates the synthetic county center;
//! - [`commands`] wires the command line ([`cli`]) to the library.

/// The allocator of the binary, the tests and the benchmarks: polars'
/// many short-lived column buffers cost page faults and unmaps under the
/// system allocator (the case engine ran about twice as fast with mimalloc
/// on a city year, `benches/README.md`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod attendance;
pub mod calendar;
pub mod calendar_lists;
pub mod cli;
pub mod commands;
pub mod config;
pub mod demo;
pub mod engine;
pub mod failpoint;
pub mod ingest;
pub mod keyset;
pub mod memory;
pub mod metrics;
pub mod nightly;
pub mod parallel;
pub mod polars_ext;
pub mod province;
pub mod query;
pub mod report;
pub mod serve;
pub mod store;
pub mod text;
pub mod view;
