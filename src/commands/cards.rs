//! `xiaoneng cards`: the red and yellow cards of a date (a read unless `--record`).

use super::*;

pub(super) fn cards(
    settings: &Settings,
    as_of: Option<NaiveDate>,
    history: Option<(Option<NaiveDate>, Option<NaiveDate>)>,
    record: bool,
    format: Format,
) -> Result<()> {
    // A read, unless asked to record the run date's cards in the history.
    let store = match record {
        true => open_store(settings)?,
        false => open_store_read(settings)?,
    };
    let resolved = crate::engine::as_of::resolve(&store, as_of)?;
    let as_of = resolved.date;
    let run =
        crate::engine::cards::run_cards(&mut crate::engine::Run::new(&store, settings, as_of))?;
    if record {
        crate::engine::cards::save(&store, &run)?;
    }
    let c = &run.changes;
    let (red, yellow) = crate::metrics::cards::red_and_yellow(run.due.iter().map(|c| c.colour));
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
    let records = match history {
        Some((from, to)) => run
            .history
            .into_iter()
            .filter(|r| {
                to.is_none_or(|to| r.raised_on <= to)
                    && from.is_none_or(|from| r.cleared_on.is_none_or(|c| c >= from))
            })
            .collect(),
        None => crate::metrics::cards::due_records(&run.due, &run.history, as_of),
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
    // Complaints past a deadline are cards too (投诉超期), beside.
    let mut run = crate::engine::Run::new(&store, settings, as_of);
    let complaint_cards = crate::metrics::complaints::complaint_cards(&run.complaints()?, as_of);
    eprintln!("{} complaints past a deadline", complaint_cards.len());
    print_frame(df, format, crate::view::cards_table)?;
    if format == Format::Table && history.is_none() && !complaint_cards.is_empty() {
        println!("\n投诉超期:");
        let frame = crate::engine::names::with_names(
            &store,
            crate::metrics::complaints::complaint_cards_frame(&complaint_cards)?,
        )?;
        print!("{}", crate::view::complaint_cards_table(&frame)?);
    }
    if format == Format::Table && history.is_none() && !alerts.is_empty() {
        println!("\n差评超期未整改:");
        print!(
            "{}",
            crate::view::alerts_table(&crate::metrics::ratings::alerts_frame(&alerts)?)?
        );
    }
    Ok(())
}
