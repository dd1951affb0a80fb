//! `xiaoneng catalog compare`: the 流程再造 round between two dates (a read).

use super::*;

pub(super) fn catalog_compare(
    settings: &Settings,
    from: NaiveDate,
    to: NaiveDate,
    format: Format,
) -> Result<()> {
    let store = open_store_read(settings)?;
    let (round, per_item) = crate::engine::catalog::catalog_round(&store, from, to)?;
    if format == Format::Table {
        println!("{}", round.sentence());
        println!();
    }
    print_frame(per_item, format, crate::view::catalog_table)
}
