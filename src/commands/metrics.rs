//! `xiaoneng metrics`: one family's figures for a period and level (a read).

use super::*;

pub(super) fn metrics(settings: &Settings, family: MetricsCommand) -> Result<()> {
    use crate::metrics::compare::{period_rows, period_view, with_targets, CASES_COMPARED};
    use crate::view::{QUEUE_COMPARED, RATINGS_COMPARED};
    let (name, args) = match &family {
        MetricsCommand::Cases { args } => ("case_metrics", args),
        MetricsCommand::Ratings { args } => ("rating_metrics", args),
        MetricsCommand::Queue { args } => ("queue_metrics", args),
        MetricsCommand::Incidents { args } => ("incident_metrics", args),
        MetricsCommand::Supervision { args } => ("supervision_metrics", args),
        MetricsCommand::Complaints { args } => ("complaint_metrics", args),
        MetricsCommand::Loop { args } => ("rating_loop", args),
        MetricsCommand::Services { args } => ("service_metrics", args),
        MetricsCommand::Channels { args } => ("service_channels", args),
        MetricsCommand::Zeros { args } => ("three_zeros", args),
        MetricsCommand::Jumps { args } => ("queue_jumps", args),
        MetricsCommand::QueueHours { args } => ("queue_hours", args),
    };
    if args.format == MetricsFormat::Xlsx && args.out.is_none() {
        bail!("--format xlsx writes a workbook: give its file with --out FILE.xlsx");
    }
    let period = args.period.clone();
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
    // The level is one of LEVELS: clap checked it (`cli::level`).
    let as_of = args.as_of;
    let store = open_store_read(settings)?;
    let mut tables = reading(&store, settings, as_of)?;
    let as_of = tables.as_of.clone();
    let level = args.level.as_str();
    // The period's rows, with 环比/同比 (and targets) in the table view or on --compare.
    let view = |metrics: &polars::prelude::DataFrame,
                compared: &[&str]|
     -> Result<polars::prelude::DataFrame> {
        if args.compare || args.format == MetricsFormat::Table {
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
            if args.compare || args.format == MetricsFormat::Table {
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
        MetricsCommand::Supervision { .. } => {
            let m = need(SUPERVISION_METRICS, "cases")?;
            let rows = period_rows(&m, &period, Some(level))
                .sort(["key"], polars::prelude::SortMultipleOptions::default())
                .collect()?;
            (rows, crate::view::supervision_table)
        }
        MetricsCommand::Loop { .. } => {
            let m = need(RATING_LOOP, "ratings")?;
            let rows = period_rows(&m, &period, Some(level))
                .sort(
                    ["key", "channel"],
                    polars::prelude::SortMultipleOptions::default(),
                )
                .collect()?;
            (rows, crate::view::rating_loop_table)
        }
        MetricsCommand::Complaints { .. } => {
            let m = need(COMPLAINT_METRICS, "complaints")?;
            let rows = period_rows(&m, &period, Some(level))
                .sort(["key"], polars::prelude::SortMultipleOptions::default())
                .collect()?;
            (rows, crate::view::complaints_table)
        }
        MetricsCommand::Services { .. } => {
            let m = need(SERVICE_METRICS, "cases")?;
            (
                view(&m, &crate::view::SERVICES_COMPARED)?,
                crate::view::services_table,
            )
        }
        MetricsCommand::Channels { .. } => {
            let m = need(SERVICE_CHANNELS, "cases")?;
            let rows = period_rows(&m, &period, Some(level))
                .sort(
                    ["key", "channel"],
                    polars::prelude::SortMultipleOptions::default(),
                )
                .collect()?;
            (rows, crate::view::service_channels_table)
        }
        MetricsCommand::Zeros { .. } => {
            // Stored for every period with cases, at every grain: the
            // center row, then the windows by key.
            let m = need(THREE_ZEROS, "cases")?;
            let rows = period_rows(&m, &period, None)
                .sort(
                    ["level", "key"],
                    polars::prelude::SortMultipleOptions::default(),
                )
                .collect()?;
            (rows, crate::view::zeros_table)
        }
        MetricsCommand::Jumps { .. } => {
            let jumps = need(QUEUE_JUMPS, "tickets")?;
            let end = period.end.min(as_of.date);
            let rows = crate::metrics::queue::jumps_between(&jumps, period.start, end)?;
            (rows, crate::view::jumps_table)
        }
        MetricsCommand::QueueHours { .. } => {
            let m = need(QUEUE_HOURS, "tickets")?;
            let rows = period_rows(&m, &period, Some(level))
                .sort(
                    ["key", "weekday", "slot"],
                    polars::prelude::SortMultipleOptions::default(),
                )
                .collect()?;
            (rows, crate::view::queue_hours_table)
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
    let Some(format) = args.format.printed() else {
        // A workbook: the table's columns with their Chinese headers.
        let path = args.out.as_deref().context("xlsx needs --out")?;
        let sheet = crate::report::sheets::sheet_of(name);
        let book = crate::report::xlsx::table_workbook(
            sheet.map_or(name, |s| s.title),
            &df,
            sheet.as_ref(),
            crate::report::sheets::Headers::Labelled,
        )?;
        write_file(path, &book)?;
        eprintln!("wrote {}", path.display());
        return Ok(());
    };
    // The 对象 column's names beside the codes where people read.
    let df = match format {
        Format::Table if df.column("key").is_ok() => {
            crate::engine::names::Names::load(&store)?.key_names_at(df, Some(level))?
        }
        _ => df,
    };
    match &args.out {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot write {}", path.display()))?,
            );
            write_frame(df, format, table, &mut file)?;
            eprintln!("wrote {}", path.display());
            Ok(())
        }
        None => print_frame(df, format, table),
    }
}
