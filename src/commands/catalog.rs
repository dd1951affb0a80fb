//! `xiaoneng catalog compare`: the 流程再造 round between two dates (a read).

use super::*;

pub(super) fn catalog_compare(
    settings: &Settings,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
) -> Result<()> {
    let store = open_store_read(settings)?;
    let items = crate::engine::catalog::stored_items(&store)?;
    let round = crate::engine::catalog::catalog_round(&items, from, to)?;
    if format == Format::Table {
        println!("{}", round.totals.sentence());
        println!();
    }
    print_frame(round.per_item, format, crate::view::catalog_table)
}
