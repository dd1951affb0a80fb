//! `xiaoneng report`: daily report, weekly publication, bulletins (a read: files under the reports folder, nothing in the store).

use super::*;

pub(super) fn report(settings: &Settings, kind: crate::cli::ReportCommand) -> Result<()> {
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
        ReportCommand::Annual {
            year,
            center,
            as_of,
        } => (year, Grain::Year, center, as_of),
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

/// The daily report of a day by hand: the cards of the day computed
/// against the recorded history, not recorded (the nightly job records
/// them).
pub(super) fn daily_report(
    store: &Store,
    settings: &Settings,
    day: &crate::metrics::period::Period,
    center: &str,
) -> Result<(std::path::PathBuf, String)> {
    let mut tables = Reading::new(store, settings, crate::engine::AsOf::given(day.end))?;
    let cards = crate::engine::cards::run_cards(tables.run())?;
    let out = crate::report::write::daily(&mut tables, settings, day, center, &cards, &[])?;
    said(&tables);
    Ok(out)
}

/// The bulletin of a period as of its last day (or `--as-of`): the stored
/// tables when they are current for that date, otherwise computed in
/// memory (a closed period's rates still move after it ends: a rating or
/// a rectification comes later).
pub(super) fn bulletin_report(
    store: &Store,
    settings: &Settings,
    period: &crate::metrics::period::Period,
    center: &str,
    as_of: Option<NaiveDate>,
) -> Result<(std::path::PathBuf, String)> {
    let dated = as_of.unwrap_or(period.end);
    let read_as_of = crate::engine::AsOf::given(dated);
    eprintln!("bulletin {} as of {dated}", period.label);
    let mut tables = Reading::new(store, settings, read_as_of)?;
    let out = crate::report::write::bulletin(&mut tables, settings, period, center)?;
    said(&tables);
    Ok(out)
}
