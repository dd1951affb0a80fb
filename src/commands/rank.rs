//! `xiaoneng rank`: the window ranking and 服务之星 of a period (a read).

use super::*;

pub(super) fn rank(
    settings: &Settings,
    period: &crate::metrics::period::Period,
    explain: Option<String>,
    as_of: Option<NaiveDate>,
    format: Format,
) -> Result<()> {
    use crate::metrics::scoring::{explain as explain_events, ranking_of, RANKING_GRAINS};
    if !RANKING_GRAINS.contains(&period.grain) {
        bail!(
            "{} is a {}: rankings are by month, two months, quarter or year",
            period.label,
            period.grain.name()
        );
    }
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
        let events = explain_events(&scores.events, period, &window)?;
        let summary = crate::metrics::scoring::explain_summary(
            &scores.windows,
            &events,
            period,
            &window,
            &settings.scoring,
        )?;
        eprintln!("{summary}");
        return print_frame(events, format, crate::view::events_table);
    }
    print_frame(
        ranking_of(&scores.windows, period)?,
        format,
        crate::view::ranking_table,
    )?;
    if format == Format::Table {
        let stars = crate::metrics::scoring::stars_of(&scores.staff, period)?;
        println!("\n服务之星:");
        print!("{}", crate::view::stars_table(&stars)?);
    }
    Ok(())
}
