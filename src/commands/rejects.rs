//! `xiaoneng rejects`: the rows ingest refused, with file, line and reason.

use super::*;

pub(super) fn rejects(settings: &Settings, table_name: Option<String>, limit: usize) -> Result<()> {
    let store = open_store_read(settings)?;
    let rows = crate::ingest::rejects::rejects(&store, table_name.as_deref())?;
    if rows.is_empty() {
        eprintln!("no rejected rows");
    }
    let mut out = std::io::stdout().lock();
    for r in rows.iter().take(limit) {
        write!(out, "{}", crate::view::reject_entry(r))?;
    }
    if rows.len() > limit {
        eprintln!("… {} more (use --limit)", rows.len() - limit);
    }
    Ok(())
}
