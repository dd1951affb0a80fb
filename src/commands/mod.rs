//! The commands: each resolves its settings, calls the library and prints.
//! Data goes to stdout, messages to stderr. No business logic here. One
//! file per command (`serve` runs until stopped); only `ingest`, `compute`, `nightly`, `calendar import`,
//! `cards --record` and `demo` open the store for writing.

pub(crate) use crate::cli::{
    CalendarCommand, CatalogCommand, Cli, Command, DaysFormat, DemoProfile, MetricsCommand,
    MetricsFormat, QueryFormat, RatingsCommand, StepsCommand,
};
pub(crate) use crate::config::{Settings, CONFIG_FILE, TEMPLATE};
pub(crate) use crate::demo::Profile;
pub(crate) use crate::engine::{open_store, open_store_read, Reading};
pub(crate) use crate::metrics::schema::*;
pub(crate) use crate::store::Store;
pub(crate) use crate::view::Format;
pub(crate) use anyhow::{bail, Context, Result};
pub(crate) use chrono::NaiveDate;
pub(crate) use std::io::Write;

mod attendance;
mod calendar;
mod cards;
mod catalog;
mod compute;
mod demo;
mod ingest;
mod init;
mod metrics;
mod nightly;
mod notices;
mod province;
mod query;
mod rank;
mod ratings;
mod rejects;
mod report;
mod serve;
mod staff;
mod steps;

use attendance::{attendance, attendance_publication};
use calendar::calendar;
use cards::cards;
use catalog::catalog_compare;
use compute::compute;
use demo::{demo, province_demo};
use ingest::ingest_cmd;
use init::init;
use metrics::metrics;
use nightly::nightly;
use notices::notices;
use province::province;
use query::query;
use rank::{rank, RankOptions};
use ratings::invite;
use rejects::rejects;
use report::report;
use serve::serve;
use staff::staff_review;
use steps::bottlenecks;

/// The settings of `--home` and `--config`, narrowed to `--center-id`.
fn load_settings(cli: &Cli) -> Result<Settings> {
    let mut settings = Settings::load(&cli.home, cli.config.as_deref())?;
    if let Some(id) = &cli.center_id {
        settings.narrow_to_center(id);
    }
    Ok(settings)
}

/// How a command that ran to its end ended (an error is the third way:
/// `main` prints it and exits 1; clap's usage errors exit 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done: exit 0.
    Done,
    /// Done, with something to look at: rows or a whole file rejected by
    /// `ingest` (or its dry run), rows rejected by `nightly`: exit 1.
    Attention,
    /// `nightly` failed (it reports its own error and logs it): exit 2.
    Failed,
}

impl Exit {
    /// The process exit status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Done => 0,
            Exit::Attention => 1,
            Exit::Failed => 2,
        }
    }

    /// `Attention` when `flag`, else `Done`.
    pub fn attention_if(flag: bool) -> Exit {
        match flag {
            true => Exit::Attention,
            false => Exit::Done,
        }
    }
}

/// Run a command; how it ended when it ran to its end.
pub fn run(cli: Cli) -> Result<Exit> {
    if let Command::Nightly {
        date,
        center,
        quiet,
    } = &cli.command
    {
        return Ok(nightly(&cli, *date, center, *quiet));
    }
    if let Command::Ingest {
        paths,
        table,
        force,
        dry_run,
    } = &cli.command
    {
        let settings = load_settings(&cli)?;
        return ingest_cmd(settings, paths.clone(), table.clone(), *force, *dry_run);
    }
    run_command(cli).map(|()| Exit::Done)
}

fn run_command(cli: Cli) -> Result<()> {
    if let Command::Init { force } = cli.command {
        return init(&cli.home, force);
    }
    let settings = load_settings(&cli)?;
    match cli.command {
        Command::Init { .. } | Command::Nightly { .. } | Command::Ingest { .. } => {
            unreachable!("handled above")
        }
        Command::Compute {
            as_of,
            only,
            grain,
            level,
        } => compute(&settings, as_of, only, grain, level),
        Command::Calendar { command } => calendar(&settings, command),
        Command::Demo {
            seed,
            profile,
            centers,
            keep_exports,
        } => match profile {
            DemoProfile::County => demo(&settings, Profile::County, seed),
            DemoProfile::City => demo(&settings, Profile::City, seed),
            DemoProfile::Province => province_demo(&settings, seed, centers, keep_exports),
        },
        Command::Rejects { table, limit } => rejects(&settings, table, limit),
        Command::Province { grain, period } => province(&settings, grain, period.as_ref()),
        Command::Cards {
            as_of,
            history,
            from,
            to,
            record,
            format,
        } => cards(
            &settings,
            as_of,
            history.then_some((from, to)),
            record,
            format,
        ),
        Command::Attendance {
            week,
            month,
            as_of,
            format,
        } => attendance(&settings, week.or(month), as_of, format),
        Command::Rank {
            period,
            level,
            explain,
            assessment,
            as_of,
            format,
        } => rank(
            &settings,
            &period,
            RankOptions {
                level: &level,
                explain,
                assessment_only: assessment,
            },
            as_of,
            format,
        ),
        Command::Query { sql, format, out } => query(&settings, &sql, format, out),
        Command::Steps {
            command:
                StepsCommand::Bottlenecks {
                    period,
                    as_of,
                    format,
                },
        } => bottlenecks(&settings, &period, as_of, format),
        Command::Notices {
            as_of,
            open,
            format,
        } => notices(&settings, as_of, open, format),
        Command::Ratings {
            command: RatingsCommand::Invite { as_of, out, format },
        } => invite(&settings, as_of, out, format),
        Command::Staff {
            period,
            staff,
            as_of,
            format,
        } => staff_review(&settings, &period, staff, as_of, format),
        Command::Tables => {
            let store = open_store_read(&settings)?;
            print_frame(
                crate::query::tables(&store)?,
                Format::Table,
                crate::view::any_table,
            )
        }
        Command::Report { kind } => report(&settings, kind),
        Command::Catalog {
            command: CatalogCommand::Compare { from, to, format },
        } => catalog_compare(&settings, from, to, format),
        Command::Metrics { family } => metrics(&settings, family),
        Command::Serve {
            bind,
            token,
            token_file,
            as_of,
            center,
        } => serve(&settings, bind, token, token_file, as_of, center),
    }
}

fn print_frame(
    df: polars::prelude::DataFrame,
    format: Format,
    table: impl FnOnce(&polars::prelude::DataFrame) -> Result<String>,
) -> Result<()> {
    write_frame(df, format, table, &mut std::io::stdout().lock())
}

/// A frame as CSV, JSON or its human table, to `out`.
fn write_frame(
    mut df: polars::prelude::DataFrame,
    format: Format,
    table: impl FnOnce(&polars::prelude::DataFrame) -> Result<String>,
    out: &mut impl Write,
) -> Result<()> {
    match format {
        Format::Csv => crate::view::write_csv(&mut df, out)?,
        Format::Json => crate::view::write_json(&df, out)?,
        Format::Table => write!(out, "{}", table(&df)?)?,
    }
    out.flush()?;
    Ok(())
}

/// Write a file a command was asked for with `--out`.
fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// A read of the metric tables as of `as_of` (default: the store's, see
/// `engine::as_of`).
fn reading<'a>(
    store: &'a Store,
    settings: &'a Settings,
    as_of: Option<NaiveDate>,
) -> Result<Reading<'a>> {
    let as_of = crate::engine::as_of::resolve(store, as_of)?;
    Reading::new(store, settings, as_of)
}

/// Say which tables a read computed in memory, in one line.
fn said(tables: &Reading) {
    if let Some(note) = tables.note() {
        eprintln!("{note}");
    }
}
