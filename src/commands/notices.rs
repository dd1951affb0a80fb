//! `xiaoneng notices`: the 督办 notices as of a date (a read: found from
//! the card history and the replies, not stored).

use super::*;

pub(super) fn notices(
    settings: &Settings,
    as_of: Option<NaiveDate>,
    open: bool,
    format: Format,
) -> Result<()> {
    let store = open_store_read(settings)?;
    let day = crate::engine::as_of::resolve(&store, as_of)?;
    let mut run = crate::engine::Run::new(&store, settings, day.date);
    let all = run.notices()?;
    let shown: Vec<_> = all
        .iter()
        .filter(|n| !open || n.closed_on.is_none())
        .cloned()
        .collect();
    let count = |stage: u8| {
        all.iter()
            .filter(|n| n.closed_on.is_none() && n.stage == stage)
            .count()
    };
    eprintln!(
        "督办 as of {day}: {} notices, {} open ({} 督办, {} 效能告诫, {} 问责); replies due within {} working days",
        all.len(),
        all.iter().filter(|n| n.closed_on.is_none()).count(),
        count(1),
        count(2),
        count(3),
        settings.supervision.reply_days
    );
    let df = crate::metrics::supervision::notices_frame(&shown)?;
    let df = crate::engine::names::with_names(&store, df)?;
    print_frame(df, format, crate::view::notices_table)
}
