//! `xiaoneng staff`: 三在 / 三问 of a period (a read).

use super::*;

pub(super) fn staff_review(
    settings: &Settings,
    period: &crate::metrics::period::Period,
    staff: Option<String>,
    as_of: Option<NaiveDate>,
    format: Format,
) -> Result<()> {
    use polars::prelude::*;
    if !crate::metrics::scoring::RANKING_GRAINS.contains(&period.grain) {
        bail!(
            "{} is a {}: the staff review is by month, two months, quarter or year",
            period.label,
            period.grain.name()
        );
    }
    let store = open_store_read(settings)?;
    let mut tables = reading(&store, settings, as_of)?;
    let review = tables.need_table(STAFF_REVIEW)?;
    eprintln!(
        "三在三问 {} ({}..{}), as of {}",
        period.label, period.start, period.end, tables.as_of
    );
    said(&tables);
    let mut rows = review.lazy().filter(period.holds_row());
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
