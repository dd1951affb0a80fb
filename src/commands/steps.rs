//! `xiaoneng steps bottlenecks`: where the time of each item's cases goes (a read).

use super::*;

pub(super) fn bottlenecks(
    settings: &Settings,
    period: &crate::metrics::period::Period,
    as_of: Option<NaiveDate>,
    format: Format,
) -> Result<()> {
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
    let rows = crate::metrics::steps::bottlenecks(&metrics, period)?;
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
