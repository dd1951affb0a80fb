//! `xiaoneng attendance`: the attendance publication of a week or month (a read).

use super::*;

pub(super) fn attendance(
    settings: &Settings,
    period: Option<String>,
    as_of: Option<NaiveDate>,
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

/// The attendance publication of a week or month, as of `as_of` (default:
/// the store's).
pub(super) fn attendance_publication(
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
