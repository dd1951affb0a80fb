//! The commands: each resolves its settings, calls the library and prints.
//! Data goes to stdout, messages to stderr. No business logic here.

use crate::cli::{
    CalendarCommand, CatalogCommand, Cli, Command, DaysFormat, DemoProfile, MetricsCommand,
    QueryFormat, StepsCommand,
};
use crate::config::{Settings, CONFIG_FILE, TEMPLATE};
use crate::demo::Profile;
use crate::engine::{open_store, open_store_read, Reading};
use crate::ingest::{self, table};
use crate::metrics::schema::*;
use crate::store::Store;
use crate::view::Format;
use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use std::io::Write;

/// The settings of `--home` and `--config`, narrowed to `--center-id`.
fn load_settings(cli: &Cli) -> Result<Settings> {
    let mut settings = Settings::load(&cli.home, cli.config.as_deref())?;
    if let Some(id) = &cli.center_id {
        settings.narrow_to_center(id);
    }
    Ok(settings)
}

/// Run a command; the process exit code on success.
pub fn run(cli: Cli) -> Result<u8> {
    if let Command::Nightly {
        date,
        center,
        quiet,
    } = &cli.command
    {
        return Ok(nightly(&cli, date.as_deref(), center, *quiet));
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
    run_command(cli).map(|()| 0)
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
        Command::Province { grain, period } => province(&settings, &grain, period.as_deref()),
        Command::Cards {
            as_of,
            history,
            record,
            format,
        } => cards(&settings, as_of.as_deref(), history, record, format),
        Command::Attendance {
            week,
            month,
            as_of,
            format,
        } => attendance(&settings, week.or(month), as_of, format),
        Command::Rank {
            period,
            explain,
            as_of,
            format,
        } => rank(&settings, &period, explain, as_of, format),
        Command::Query { sql, format, out } => query(&settings, &sql, format, out),
        Command::Steps {
            command:
                StepsCommand::Bottlenecks {
                    period,
                    as_of,
                    format,
                },
        } => bottlenecks(&settings, &period, as_of, format),
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
        } => catalog_compare(&settings, &from, &to, format),
        Command::Metrics { family } => metrics(&settings, family),
    }
}

/// The nightly job: its exit code (2 on any failure, the error on stderr
/// and in the run log).
fn nightly(cli: &Cli, date: Option<&str>, center: &str, quiet: bool) -> u8 {
    let fail = |e: anyhow::Error| {
        eprintln!("xiaoneng: nightly failed: {e:#}");
        2
    };
    let settings = match load_settings(cli) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let date = match date {
        Some(s) => match date_arg("date", s) {
            Ok(d) => d,
            Err(e) => return fail(e),
        },
        None => chrono::Local::now().date_naive() - chrono::Duration::days(1),
    };
    let opts = crate::nightly::NightlyOptions {
        date,
        center: center.to_string(),
        quiet,
    };
    if !quiet {
        eprintln!("xiaoneng nightly {date} — {}", settings.home.display());
    }
    let record = crate::nightly::nightly(&settings, &opts);
    if let Err(e) = crate::nightly::append_log(&settings.run_log, &record) {
        eprintln!("xiaoneng: {e:#}");
    }
    match &record.error {
        Some(e) => eprintln!("xiaoneng: nightly {date} failed: {e}"),
        None if !quiet => {
            eprintln!("{}", record.summary());
        }
        None => {}
    }
    if record.exit_code == 1 {
        // Even under --quiet: cron mails what a job prints.
        eprintln!(
            "xiaoneng: nightly {date}: {} rows rejected (xiaoneng rejects lists them)",
            record.rows_rejected
        );
    }
    record.exit_code
}

fn compute(
    settings: &Settings,
    as_of: Option<String>,
    only: Option<String>,
    grains: Vec<crate::metrics::period::Grain>,
    levels: Vec<String>,
) -> Result<()> {
    use crate::metrics::{period::Grain, rollup::LEVELS};
    let as_of = as_of.as_deref().map(|s| date_arg("as-of", s)).transpose()?;
    for l in &levels {
        if !LEVELS.iter().any(|(name, _)| name == l) {
            bail!("--level {l}: no such level (levels: center, department, window, staff, item)");
        }
    }
    let families = match only.as_deref() {
        None => None,
        Some(name) => Some(vec![crate::engine::family::family_named(name)
            .with_context(|| {
                format!(
                    "--only {name}: no such metric family (families: {})",
                    crate::engine::FAMILIES
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?]),
    };
    if (!grains.is_empty() || !levels.is_empty()) && only.as_deref() != Some("cases") {
        bail!("--grain and --level go with --only cases");
    }
    let store = open_store(settings)?;
    let start = std::time::Instant::now();
    let as_of = match only.as_deref() {
        Some("cases") if !grains.is_empty() || !levels.is_empty() => {
            let grains = if grains.is_empty() {
                Grain::ALL.to_vec()
            } else {
                grains
            };
            let levels: Vec<&str> = if levels.is_empty() {
                LEVELS.iter().map(|(l, _)| *l).collect()
            } else {
                levels.iter().map(String::as_str).collect()
            };
            crate::engine::compute_case_metrics_for(&store, settings, as_of, &grains, &levels)?
        }
        _ => crate::engine::compute(&store, settings, as_of, families.as_deref())?,
    };
    eprintln!(
        "computed {} as of {as_of} in {:.2} s (peak memory {} MiB)",
        only.map_or("every metric table".to_string(), |o| format!("{o} metrics")),
        start.elapsed().as_secs_f64(),
        crate::memory::peak_rss_mib().map_or("?".to_string(), |m| m.to_string())
    );
    Ok(())
}

fn init(home: &std::path::Path, force: bool) -> Result<()> {
    let path = home.join(CONFIG_FILE);
    if path.exists() && !force {
        bail!("{} exists; pass --force to overwrite it", path.display());
    }
    std::fs::create_dir_all(home).with_context(|| format!("cannot create {}", home.display()))?;
    std::fs::write(&path, TEMPLATE).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn date_arg(flag: &str, s: &str) -> Result<NaiveDate> {
    ingest::values::parse_date(s).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))
}

fn calendar(settings: &Settings, command: CalendarCommand) -> Result<()> {
    let cal = &settings.calendar;
    let mut out = std::io::stdout().lock();
    match command {
        CalendarCommand::Import { file } => {
            let store = open_store(settings)?;
            let done = crate::calendar_lists::import(&store, cal, &file)?;
            eprintln!(
                "loaded the official list of {} from {}: {} weekdays off, {} weekend days worked (调休)",
                done.year,
                file.display(),
                done.weekdays_off,
                done.weekends_worked
            );
            if done.changed.is_empty() {
                eprintln!("no day changed its status; figures marked provisional are now official");
            } else {
                for (d, w, name) in &done.changed {
                    eprintln!("  {}", crate::calendar_lists::change_sentence(*d, *w, name));
                }
                eprintln!(
                    "the next nightly run recomputes from {} and judges the cards again",
                    done.changed[0].0
                );
            }
        }
        CalendarCommand::Status => {
            writeln!(
                out,
                "year  status               weekdays_off  weekends_worked  local_days  source"
            )?;
            for y in crate::calendar_lists::status(cal)? {
                writeln!(
                    out,
                    "{}  {:<19}  {:>12}  {:>15}  {:>10}  {}",
                    y.year, y.status, y.weekdays_off, y.weekends_worked, y.local_days, y.source
                )?;
            }
        }
        CalendarCommand::Days { from, to, format } => {
            let (from, to) = (date_arg("from", &from)?, date_arg("to", &to)?);
            if to < from {
                bail!("--to {to} is before --from {from}");
            }
            // Check the whole range first, so nothing is printed on error.
            let days: Vec<(NaiveDate, bool)> = from
                .iter_days()
                .take_while(|d| *d <= to)
                .map(|d| cal.is_workday(d).map(|w| (d, w)))
                .collect::<Result<_, _>>()?;
            match format {
                DaysFormat::Csv => writeln!(out, "date,workday")?,
                DaysFormat::Table => writeln!(out, "date        weekday  workday")?,
            }
            for (d, w) in days {
                match format {
                    DaysFormat::Csv => writeln!(out, "{d},{w}")?,
                    DaysFormat::Table => writeln!(
                        out,
                        "{d}  {:<7}  {}",
                        d.format("%a"),
                        if w { "工作日" } else { "休息日" }
                    )?,
                }
            }
        }
        CalendarCommand::Deadline { accepted, days } => {
            writeln!(
                out,
                "{}",
                cal.deadline(date_arg("accepted", &accepted)?, days)?
            )?;
        }
        CalendarCommand::Elapsed { from, to } => {
            writeln!(
                out,
                "{}",
                cal.elapsed(date_arg("from", &from)?, date_arg("to", &to)?)?
            )?;
        }
    }
    Ok(())
}

/// Exit code 1 when a file failed as a whole.
fn ingest_cmd(
    mut settings: Settings,
    paths: Vec<std::path::PathBuf>,
    table_name: Option<String>,
    force: bool,
    dry_run: bool,
) -> Result<u8> {
    settings.ingest.force = force;
    if let Some(name) = table_name {
        settings.ingest.table = Some(table::table(&name).with_context(|| {
            format!(
                "--table {name}: no such table (tables: {})",
                table::TABLES
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?);
    }
    let paths = if paths.is_empty() {
        vec![settings.inbox.clone()]
    } else {
        paths
    };
    let files = ingest::discover(&paths)?;
    if files.is_empty() {
        eprintln!(
            "nothing to ingest under {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(0);
    }
    let store = open_store(&settings)?;
    if dry_run {
        let seen = ingest::dry_run(&store, &files, &settings.ingest)?;
        print!("{}", crate::view::dry_run(&seen, &settings.home));
        return Ok(if seen.iter().any(|f| f.failed.is_some()) {
            1
        } else {
            0
        });
    }
    let report = ingest::ingest(&store, &files, &settings.ingest)?;
    print!("{}", report.render(&settings.home));
    Ok(if report.failed().next().is_some() {
        1
    } else {
        0
    })
}

fn demo(settings: &Settings, profile: Profile, seed: u64) -> Result<()> {
    let spec = profile.spec(seed);
    let (dir, what, title) = match profile {
        Profile::City => (
            settings.inbox.join(format!("demo-city-seed{seed}")),
            "city",
            "示范市政务服务中心",
        ),
        _ => (
            settings.inbox.join(format!("demo-seed{seed}")),
            "county",
            "示范县行政服务中心",
        ),
    };
    eprintln!("generating the demo {what} center into {}", dir.display());
    let started = std::time::Instant::now();
    let mut lap = std::time::Instant::now();
    let mut stage = |what: &str| {
        eprintln!("{what} in {:.1} s", lap.elapsed().as_secs_f64());
        lap = std::time::Instant::now();
    };
    let generated = crate::demo::generate(&spec, &settings.calendar, &dir)?;
    stage("generated");
    eprintln!(
        "{} files written ({} rows deliberately malformed); ingesting into {}",
        generated.files.len(),
        generated.malformed_rows,
        settings.store.display()
    );
    let store = open_store(settings)?;
    let report = ingest::ingest(&store, &ingest::discover(&[dir])?, &settings.ingest)?;
    print!("{}", report.render(&settings.home));
    stage("ingested");

    // The whole pipeline, then the figures of the latest month.
    let as_of = crate::engine::compute(&store, settings, None, None)?.date;
    stage("every metric table computed");
    let month = crate::metrics::period::period_of(crate::metrics::period::Grain::Month, as_of);
    let read = |name: &str| -> Result<polars::prelude::DataFrame> {
        store
            .read(name)?
            .with_context(|| format!("{name} was not computed"))
    };
    let center = |name: &str, compared: &[&str]| -> Result<polars::prelude::DataFrame> {
        crate::metrics::compare::period_view(&read(name)?, &month, "center", compared)
    };
    let cases = crate::metrics::compare::with_targets(
        center("case_metrics", &crate::metrics::compare::CASES_COMPARED)?,
        &settings.targets,
    )?;
    println!("\n办件时效 {} (as of {as_of}):", month.label);
    print!("{}", crate::view::case_table(&cases)?);
    println!("\n好差评 {}:", month.label);
    print!(
        "{}",
        crate::view::ratings_table(&center("rating_metrics", &crate::view::RATINGS_COMPARED)?)?
    );
    println!("\n排队叫号 {}:", month.label);
    print!(
        "{}",
        crate::view::queue_table(&center("queue_metrics", &crate::view::QUEUE_COMPARED)?)?
    );
    let run = crate::engine::cards::run_cards(&store, &settings.calendar, as_of, &settings.cards)?;
    crate::engine::cards::save(&store, &run)?;
    let red = run
        .due
        .iter()
        .filter(|c| c.colour == crate::metrics::cards::Colour::Red)
        .count();
    println!(
        "\n电子监察 {as_of}: 红牌 {red} 张, 黄牌 {} 张",
        run.due.len() - red
    );
    let zeros = crate::metrics::compare::period_rows(&read(THREE_ZEROS)?, &month, Some("center"))
        .collect()?;
    println!("{}", crate::view::zeros_summary(&zeros)?);
    let ranking = crate::metrics::scoring::ranking_of(&read(WINDOW_SCORES)?, &month)?;
    println!("{}", crate::view::ranking_summary(&ranking)?);
    if let Some((from, to, round)) = crate::engine::catalog::latest_catalog_round(&store)? {
        println!("\n流程再造 {from} → {to}: {}", round.sentence());
    }
    if let Some(steps) = store.read(STEP_METRICS)? {
        let quarter =
            crate::metrics::period::period_of(crate::metrics::period::Grain::Quarter, as_of);
        if let Some(b) = crate::metrics::steps::bottlenecks(&steps, &quarter.label)?.first() {
            println!(
                "环节瓶颈 {}: {} 的“{}”环节占办件用时 {},压缩可节省 {:.1} 个工作日 (xiaoneng steps bottlenecks --period {})",
                quarter.label,
                b.item_code,
                b.step,
                crate::view::pct(Some(b.share_of_case)),
                b.days_saved,
                quarter.label
            );
        }
    }
    // The bulletin of the last month that is over.
    let last_full = crate::metrics::period::previous(&month);
    let bulletin_month = if month.end <= as_of {
        &month
    } else {
        &last_full
    };
    // From the tables just computed: a closed month's rows are the same as
    // of its last day.
    let mut tables = Reading::new(&store, settings, crate::engine::AsOf::given(as_of))?;
    let (path, _) = crate::report::write::bulletin(
        &mut tables,
        settings,
        bulletin_month,
        title,
        bulletin_month.end,
    )?;
    println!(
        "\n月通报 {}: {}",
        bulletin_month.label,
        path.with_file_name("bulletin.html").display()
    );
    stage("cards, summary and bulletin");
    eprintln!(
        "all in {:.1} s; peak memory {} MiB",
        started.elapsed().as_secs_f64(),
        crate::memory::peak_rss_mib().map_or("?".to_string(), |m| m.to_string())
    );
    eprintln!(
        "\nmore: xiaoneng --home {home} metrics cases --period {p} --level window; xiaoneng --home {home} rank --period {p}",
        home = settings.home.display(),
        p = month.label
    );
    Ok(())
}

/// The demo province: its centers built one at a time into one store,
/// then their case metrics combined.
fn province_demo(settings: &Settings, seed: u64, centers: usize, keep: bool) -> Result<()> {
    use crate::province;
    anyhow::ensure!(
        settings.center_id.is_none(),
        "--center-id: the province demo builds every center itself"
    );
    eprintln!(
        "building {centers} centers of the demo province (1 000 000 cases a year each) into {}",
        settings.store.display()
    );
    println!(
        "center        read     stored  rejected      cases  generate   ingest  compute  peak MiB"
    );
    let started = std::time::Instant::now();
    let runs = province::build_demo(settings, seed, centers, keep, |r| {
        println!(
            "{:<6} {:>11} {:>10} {:>9} {:>10} {:>8.1}s {:>7.1}s {:>7.1}s {:>9}",
            r.center,
            r.read,
            r.stored,
            r.rejected,
            r.cases,
            r.generate_s,
            r.ingest_s,
            r.compute_s,
            r.peak_mib.map_or("?".to_string(), |m| m.to_string())
        );
    })?;
    let total = |f: fn(&province::CenterRun) -> f64| runs.iter().map(f).sum::<f64>();
    println!(
        "{} centers: {} case rows, {} rows stored, {} rejected; generate {:.0} s, ingest {:.0} s, case metrics {:.0} s, all {:.0} s; peak memory {} MiB",
        runs.len(),
        runs.iter().map(|r| r.cases).sum::<u64>(),
        runs.iter().map(|r| r.stored).sum::<u64>(),
        runs.iter().map(|r| r.rejected).sum::<u64>(),
        total(|r| r.generate_s),
        total(|r| r.ingest_s),
        total(|r| r.compute_s),
        started.elapsed().as_secs_f64(),
        crate::memory::peak_rss_mib().map_or("?".to_string(), |m| m.to_string())
    );
    println!(
        "\n办件时效 by center and for the province (全省), combined from the stored case_metrics:"
    );
    province(settings, "year", None)?;
    eprintln!(
        "\nmore: xiaoneng --home {home} --center-id C001 metrics cases --period 2025-12 --level window",
        home = settings.home.display()
    );
    Ok(())
}

/// The case metrics of a province store, combined across its centers.
fn province(settings: &Settings, grain: &str, period: Option<&str>) -> Result<()> {
    use polars::prelude::*;
    if !crate::metrics::period::Grain::ALL
        .iter()
        .any(|g| g.name() == grain)
    {
        bail!("--grain {grain}: no such grain (day, week, month, bimonth, quarter, year)");
    }
    let mut df = crate::province::combine_case_metrics(&settings.store, grain)?;
    if let Some(p) = period {
        df = df.lazy().filter(col("period").eq(lit(p))).collect()?;
    }
    if df.height() == 0 {
        bail!(
            "no {grain} rows of case_metrics in the centers of {}",
            settings.store.display()
        );
    }
    print!("{}", crate::view::province_table(&df)?);
    Ok(())
}

fn rejects(settings: &Settings, table_name: Option<String>, limit: usize) -> Result<()> {
    let store = open_store_read(settings)?;
    let rows = crate::ingest::rejects::rejects(&store, table_name.as_deref())?;
    if rows.is_empty() {
        eprintln!("no rejected rows");
    }
    let mut out = std::io::stdout().lock();
    for r in rows.iter().take(limit) {
        write!(out, "{}", crate::view::reject_entry(r))?;
    }
    if rows.len() > limit {
        eprintln!("… {} more (use --limit)", rows.len() - limit);
    }
    Ok(())
}

fn metrics(settings: &Settings, family: MetricsCommand) -> Result<()> {
    use crate::metrics::compare::{period_rows, period_view, with_targets, CASES_COMPARED};
    use crate::metrics::{period::parse_period, rollup::LEVELS};
    use crate::view::{QUEUE_COMPARED, RATINGS_COMPARED};
    let (name, args) = match &family {
        MetricsCommand::Cases { args } => ("case_metrics", args),
        MetricsCommand::Ratings { args } => ("rating_metrics", args),
        MetricsCommand::Queue { args } => ("queue_metrics", args),
        MetricsCommand::Incidents { args } => ("incident_metrics", args),
        MetricsCommand::Zeros { args } => ("three_zeros", args),
        MetricsCommand::Jumps { args } => ("queue_jumps", args),
    };
    let period = parse_period(&args.period)?;
    if let Some(g) = args.grain {
        if g != period.grain {
            bail!(
                "--grain {} does not match --period {} (a {})",
                g.name(),
                period.label,
                period.grain.name()
            );
        }
    }
    if !LEVELS.iter().any(|(l, _)| *l == args.level) {
        bail!(
            "--level {}: no such level (levels: {})",
            args.level,
            LEVELS
                .iter()
                .map(|(l, _)| *l)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let as_of = args
        .as_of
        .as_deref()
        .map(|s| date_arg("as-of", s))
        .transpose()?;
    let store = open_store_read(settings)?;
    let mut tables = reading(&store, settings, as_of)?;
    let as_of = tables.as_of.clone();
    let level = args.level.as_str();
    // The period's rows, with 环比/同比 (and targets) in the table view or on --compare.
    let view = |metrics: &polars::prelude::DataFrame,
                compared: &[&str]|
     -> Result<polars::prelude::DataFrame> {
        if args.compare || args.format == Format::Table {
            period_view(metrics, &period, level, compared)
        } else {
            Ok(period_rows(metrics, &period, Some(level))
                .sort(["key"], polars::prelude::SortMultipleOptions::default())
                .collect()?)
        }
    };
    let mut need = |t: &str, what: &str| {
        tables
            .table(t)
            .and_then(|m| m.with_context(|| format!("the store has no {what} yet")))
    };
    let (df, table): (_, fn(&polars::prelude::DataFrame) -> Result<String>) = match family {
        MetricsCommand::Cases { .. } => {
            let m = need(CASE_METRICS, "cases")?;
            let mut v = view(&m, &CASES_COMPARED)?;
            if args.compare || args.format == Format::Table {
                v = with_targets(v, &settings.targets)?;
            }
            (v, crate::view::case_table)
        }
        MetricsCommand::Ratings { .. } => {
            let m = need(RATING_METRICS, "ratings")?;
            (view(&m, &RATINGS_COMPARED)?, crate::view::ratings_table)
        }
        MetricsCommand::Queue { .. } => {
            let m = need(QUEUE_METRICS, "tickets")?;
            (view(&m, &QUEUE_COMPARED)?, crate::view::queue_table)
        }
        MetricsCommand::Incidents { .. } => {
            let m = need(INCIDENT_METRICS, "incidents")?;
            let rows = period_rows(&m, &period, Some(level))
                .sort(
                    ["key", "source", "category"],
                    polars::prelude::SortMultipleOptions::default(),
                )
                .collect()?;
            (rows, crate::view::incidents_table)
        }
        MetricsCommand::Zeros { .. } => (
            tables.run().three_zeros_of(std::slice::from_ref(&period))?,
            crate::view::zeros_table,
        ),
        MetricsCommand::Jumps { .. } => {
            let jumps = need(QUEUE_JUMPS, "tickets")?;
            let end = period.end.min(as_of.date);
            let rows = crate::metrics::queue::jumps_between(&jumps, period.start, end)?;
            (rows, crate::view::jumps_table)
        }
    };
    said(&tables);
    eprintln!(
        "{name} as of {as_of}: {} {} ({}..{}), level {level}",
        period.grain.name(),
        period.label,
        period.start,
        period.end
    );
    print_frame(df, args.format, table)
}

fn print_frame(
    mut df: polars::prelude::DataFrame,
    format: Format,
    table: impl FnOnce(&polars::prelude::DataFrame) -> Result<String>,
) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Csv => crate::view::write_csv(&mut df, &mut out)?,
        Format::Json => crate::view::write_json(&df, &mut out)?,
        Format::Table => write!(out, "{}", table(&df)?)?,
    }
    Ok(())
}

fn cards(
    settings: &Settings,
    as_of: Option<&str>,
    history: bool,
    record: bool,
    format: Format,
) -> Result<()> {
    let as_of = as_of.map(|s| date_arg("as-of", s)).transpose()?;
    // A read, unless asked to record the run date's cards in the history.
    let store = match record {
        true => open_store(settings)?,
        false => open_store_read(settings)?,
    };
    let resolved = crate::engine::as_of::resolve(&store, as_of)?;
    let as_of = resolved.date;
    let run = crate::engine::cards::run_cards(&store, &settings.calendar, as_of, &settings.cards)?;
    if record {
        crate::engine::cards::save(&store, &run)?;
    }
    let c = &run.changes;
    let (red, yellow) = run
        .due
        .iter()
        .fold((0, 0), |(r, y), card| match card.colour {
            crate::metrics::cards::Colour::Red => (r + 1, y),
            crate::metrics::cards::Colour::Yellow => (r, y + 1),
        });
    eprintln!(
        "cards as of {resolved}: {red} red, {yellow} yellow; {} raised, {} escalated, {} cleared {}",
        c.raised,
        c.escalated,
        c.cleared,
        match record {
            true => "by this run (recorded)",
            false => "since the recorded history (not recorded: --record does)",
        }
    );
    let records = if history {
        run.history
    } else {
        crate::metrics::cards::due_records(&run.due, &run.history, as_of)
    };
    if let Some(year) = settings.calendar.provisional_year() {
        if records
            .iter()
            .any(|r| r.deadline_provisional && r.cleared_on.is_none())
        {
            eprintln!("{}", crate::calendar_lists::provisional_note(year));
        }
    }
    let df = crate::metrics::cards::history_frame(&records)?;
    // Bad ratings past their rectification limit are alerts beside the cards.
    let alerts = crate::engine::cards::bad_rating_alerts(&store, settings, as_of)?;
    eprintln!(
        "{} bad ratings open past their rectification limit",
        alerts.len()
    );
    print_frame(df, format, crate::view::cards_table)?;
    if format == Format::Table && !history && !alerts.is_empty() {
        println!("\n差评超期未整改:");
        print!(
            "{}",
            crate::view::alerts_table(&crate::metrics::ratings::alerts_frame(&alerts)?)?
        );
    }
    Ok(())
}

fn catalog_compare(settings: &Settings, from: &str, to: &str, format: Format) -> Result<()> {
    let (from, to) = (date_arg("from", from)?, date_arg("to", to)?);
    let store = open_store_read(settings)?;
    let (round, per_item) = crate::engine::catalog::catalog_round(&store, from, to)?;
    if format == Format::Table {
        println!("{}", round.sentence());
        println!();
    }
    print_frame(per_item, format, crate::view::catalog_table)
}

fn attendance(
    settings: &Settings,
    period: Option<String>,
    as_of: Option<String>,
    format: Format,
) -> Result<()> {
    use crate::metrics::period::{parse_period, Grain};
    let label = period.context("give --week or --month")?;
    let period = parse_period(&label)?;
    if !matches!(period.grain, Grain::Week | Grain::Month) {
        bail!(
            "{label} is a {}: attendance is published by week (2026-W41) or month (2026-10)",
            period.grain.name()
        );
    }
    let as_of = as_of.as_deref().map(|s| date_arg("as-of", s)).transpose()?;
    let store = open_store_read(settings)?;
    let (table, csv_path, as_of) = attendance_publication(&store, settings, &period, as_of)?;
    eprintln!(
        "attendance {} ({}..{}), as of {as_of}; written to {}",
        period.label,
        period.start,
        period.end,
        csv_path.display()
    );
    print_frame(table, format, crate::view::attendance_table)
}

fn rank(
    settings: &Settings,
    period: &str,
    explain: Option<String>,
    as_of: Option<String>,
    format: Format,
) -> Result<()> {
    use crate::metrics::scoring::{explain as explain_events, ranking_of, RANKING_GRAINS};
    let period = crate::metrics::period::parse_period(period)?;
    if !RANKING_GRAINS.contains(&period.grain) {
        bail!(
            "{} is a {}: rankings are by month, two months, quarter or year",
            period.label,
            period.grain.name()
        );
    }
    let as_of = as_of.as_deref().map(|s| date_arg("as-of", s)).transpose()?;
    let store = open_store_read(settings)?;
    let mut tables = reading(&store, settings, as_of)?;
    let scores = crate::metrics::scoring::Scores {
        windows: tables.need_table(WINDOW_SCORES)?,
        events: tables.need_table(SCORE_EVENTS)?,
        staff: tables.need_table(STAFF_SCORES)?,
    };
    eprintln!(
        "ranking {} ({}..{}), as of {}",
        period.label, period.start, period.end, tables.as_of
    );
    said(&tables);
    if let Some(window) = explain {
        let events = explain_events(&scores.events, &period, &window)?;
        let summary = crate::metrics::scoring::explain_summary(
            &scores.windows,
            &events,
            &period,
            &window,
            &settings.scoring,
        )?;
        eprintln!("{summary}");
        return print_frame(events, format, crate::view::events_table);
    }
    print_frame(
        ranking_of(&scores.windows, &period)?,
        format,
        crate::view::ranking_table,
    )?;
    if format == Format::Table {
        let stars = crate::metrics::scoring::stars_of(&scores.staff, &period)?;
        println!("\n服务之星:");
        print!("{}", crate::view::stars_table(&stars)?);
    }
    Ok(())
}

fn bottlenecks(
    settings: &Settings,
    period: &str,
    as_of: Option<String>,
    format: Format,
) -> Result<()> {
    let period = crate::metrics::period::parse_period(period)?;
    let as_of = as_of.as_deref().map(|s| date_arg("as-of", s)).transpose()?;
    let store = open_store_read(settings)?;
    let mut tables = reading(&store, settings, as_of)?;
    let metrics = tables
        .table(STEP_METRICS)?
        .context("the store has no case steps: ingest the case_steps exports first")?;
    eprintln!(
        "bottlenecks {} ({}..{}), as of {}",
        period.label, period.start, period.end, tables.as_of
    );
    said(&tables);
    let rows = crate::metrics::steps::bottlenecks(&metrics, &period.label)?;
    if rows.is_empty() {
        eprintln!("no case with steps was completed in {}", period.label);
    }
    let items = store.read("items")?;
    print_frame(
        crate::metrics::steps::bottleneck_frame(&rows, items.as_ref())?,
        format,
        crate::view::bottleneck_table,
    )
}

fn staff_review(
    settings: &Settings,
    period: &str,
    staff: Option<String>,
    as_of: Option<String>,
    format: Format,
) -> Result<()> {
    use polars::prelude::*;
    let period = crate::metrics::period::parse_period(period)?;
    if !crate::metrics::scoring::RANKING_GRAINS.contains(&period.grain) {
        bail!(
            "{} is a {}: the staff review is by month, two months, quarter or year",
            period.label,
            period.grain.name()
        );
    }
    let as_of = as_of.as_deref().map(|s| date_arg("as-of", s)).transpose()?;
    let store = open_store_read(settings)?;
    let mut tables = reading(&store, settings, as_of)?;
    let review = tables.need_table(STAFF_REVIEW)?;
    eprintln!(
        "三在三问 {} ({}..{}), as of {}",
        period.label, period.start, period.end, tables.as_of
    );
    said(&tables);
    let mut rows = review
        .lazy()
        .filter(col("period").eq(lit(period.label.as_str())));
    if let Some(id) = &staff {
        rows = rows.filter(col("staff_id").eq(lit(id.as_str())));
    }
    let rows = rows.collect()?;
    if rows.height() == 0 {
        bail!(
            "no staff review for {}{}",
            period.label,
            staff.map(|s| format!(" and staff {s}")).unwrap_or_default()
        );
    }
    print_frame(rows, format, crate::view::staff_review_table)
}

fn query(
    settings: &Settings,
    sql: &str,
    format: QueryFormat,
    out: Option<std::path::PathBuf>,
) -> Result<()> {
    let store = open_store_read(settings)?;
    let mut df = crate::query::run_sql(&store, sql)?;
    eprintln!("{} rows", df.height());
    let mut sink: Box<dyn Write> = match &out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None if format == QueryFormat::Parquet => bail!("--format parquet needs --out FILE"),
        None => Box::new(std::io::stdout().lock()),
    };
    match format {
        QueryFormat::Table => write!(sink, "{}", crate::view::any_table(&df)?)?,
        QueryFormat::Csv => crate::view::write_csv(&mut df, &mut sink)?,
        QueryFormat::Json => crate::view::write_json(&df, &mut sink)?,
        QueryFormat::Parquet => {
            polars::prelude::ParquetWriter::new(&mut sink).finish(&mut df)?;
        }
    }
    sink.flush()?;
    Ok(())
}

fn report(settings: &Settings, kind: crate::cli::ReportCommand) -> Result<()> {
    use crate::cli::ReportCommand;
    use crate::metrics::period::{parse_period, Grain};
    let (label, grain, center, as_of) = match kind {
        ReportCommand::Monthly {
            month,
            center,
            as_of,
        } => (month, Grain::Month, center, as_of),
        ReportCommand::Quarterly {
            quarter,
            center,
            as_of,
        } => (quarter, Grain::Quarter, center, as_of),
        ReportCommand::Daily { date, center } => (date, Grain::Day, center, None),
        ReportCommand::Weekly { week } => (week, Grain::Week, String::new(), None),
    };
    let period = parse_period(&label)?;
    if period.grain != grain {
        bail!(
            "{label} is a {}, not a {}",
            period.grain.name(),
            grain.name()
        );
    }
    let as_of = as_of.as_deref().map(|s| date_arg("as-of", s)).transpose()?;
    let store = open_store_read(settings)?;
    let (path, markdown) = match grain {
        Grain::Day => daily_report(&store, settings, &period, &center)?,
        Grain::Week => {
            let (table, path, _) = attendance_publication(&store, settings, &period, as_of)?;
            (path, crate::view::attendance_table(&table)?)
        }
        _ => bulletin_report(&store, settings, &period, &center, as_of)?,
    };
    eprintln!("wrote {}", path.display());
    print!("{markdown}");
    Ok(())
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

/// The attendance publication of a week or month, as of `as_of` (default:
/// the store's).
fn attendance_publication(
    store: &Store,
    settings: &Settings,
    period: &crate::metrics::period::Period,
    as_of: Option<NaiveDate>,
) -> Result<(
    polars::prelude::DataFrame,
    std::path::PathBuf,
    crate::engine::AsOf,
)> {
    let mut tables = reading(store, settings, as_of)?;
    let days = tables
        .table(ATTENDANCE_DAYS)?
        .context("the store has no punches yet: ingest the fingerprint-clock exports first")?;
    said(&tables);
    let as_of = tables.as_of.clone();
    let (table, path) =
        crate::report::write::attendance_publication(store, settings, period, &days, as_of.date)?;
    Ok((table, path, as_of))
}

/// The daily report of a day by hand: the cards of the day computed
/// against the recorded history, not recorded (the nightly job records
/// them).
fn daily_report(
    store: &Store,
    settings: &Settings,
    day: &crate::metrics::period::Period,
    center: &str,
) -> Result<(std::path::PathBuf, String)> {
    let mut tables = Reading::new(store, settings, crate::engine::AsOf::given(day.end))?;
    let facts = tables.run().case_facts()?;
    let step_facts = tables.run().step_facts()?;
    let cards = crate::engine::cards::cards_of(
        store,
        &settings.calendar,
        day.end,
        &settings.cards,
        &facts,
        step_facts.as_ref(),
    )?;
    let out = crate::report::write::daily(&mut tables, settings, day, center, &cards, &[])?;
    said(&tables);
    Ok(out)
}

/// The bulletin of a period, dated its last day (or `--as-of`). A period
/// that is over by the store's date is read from the tables as of that
/// date (a closed period's rows no longer change); one not over yet is
/// computed as of its last day.
fn bulletin_report(
    store: &Store,
    settings: &Settings,
    period: &crate::metrics::period::Period,
    center: &str,
    as_of: Option<NaiveDate>,
) -> Result<(std::path::PathBuf, String)> {
    let dated = as_of.unwrap_or(period.end);
    let store_as_of = crate::engine::as_of::resolve(store, None)?;
    let read_as_of = match as_of {
        None if store_as_of.date >= period.end => store_as_of,
        _ => crate::engine::AsOf::given(dated),
    };
    eprintln!(
        "bulletin {} dated {dated}; tables as of {read_as_of}",
        period.label
    );
    let mut tables = Reading::new(store, settings, read_as_of)?;
    let out = crate::report::write::bulletin(&mut tables, settings, period, center, dated)?;
    said(&tables);
    Ok(out)
}
