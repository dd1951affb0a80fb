//! `xiaoneng ingest`: export files into the store, or a dry run.

use super::*;

/// Exit code 1 when a file failed as a whole.
pub(super) fn ingest_cmd(
    mut settings: Settings,
    paths: Vec<std::path::PathBuf>,
    table_name: Option<String>,
    force: bool,
    dry_run: bool,
) -> Result<Exit> {
    settings.ingest.force = force;
    if let Some(name) = table_name {
        settings.ingest.table = Some(crate::ingest::table::table(&name).with_context(|| {
            format!(
                "--table {name}: no such table (tables: {})",
                crate::ingest::table::TABLES
                    .iter()
                    .map(|t| t.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?);
    }
    let paths = if paths.is_empty() {
        vec![settings.inbox.clone()]
    } else {
        paths
    };
    let files = crate::ingest::discover(&paths)?;
    if files.is_empty() {
        eprintln!(
            "nothing to ingest under {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(Exit::Done);
    }
    if dry_run {
        // A dry run reads the ledger only.
        let store = open_store_read(&settings)?;
        let seen = crate::ingest::dry_run(&store, &files, &settings.ingest)?;
        print!("{}", crate::view::dry_run(&seen, &settings.home));
        return Ok(Exit::attention_if(seen.iter().any(|f| f.failed.is_some())));
    }
    let store = open_store(&settings)?;
    let report = crate::ingest::ingest(&store, &files, &settings.ingest)?;
    print!("{}", report.render(&settings.home));
    let failed = report.failed().next().is_some();
    Ok(Exit::attention_if(failed))
}
