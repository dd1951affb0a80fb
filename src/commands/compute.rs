//! `xiaoneng compute`: every metric table (or one family) as of a date, committed.

use super::*;

pub(super) fn compute(
    settings: &Settings,
    as_of: Option<NaiveDate>,
    only: Option<String>,
    grains: Vec<crate::metrics::period::Grain>,
    levels: Vec<String>,
) -> Result<()> {
    let families = match only.as_deref() {
        None => None,
        Some(name) => Some(vec![crate::engine::family::family_named(name)
            .with_context(|| {
                format!(
                    "--only {name}: no such metric family (families: {})",
                    crate::engine::FAMILIES
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?]),
    };
    let scoped: Vec<&str> = crate::engine::FAMILIES
        .iter()
        .filter(|f| f.scoped)
        .map(|f| f.name)
        .collect();
    let all_scoped = families
        .as_ref()
        .is_some_and(|fs| fs.iter().all(|f| f.scoped));
    if (!grains.is_empty() || !levels.is_empty()) && !all_scoped {
        bail!(
            "--grain and --level go with --only {}",
            scoped.join(" or --only ")
        );
    }
    let store = open_store(settings)?;
    let start = std::time::Instant::now();
    let scope = (!grains.is_empty() || !levels.is_empty())
        .then_some(crate::engine::run::Scope { grains, levels });
    let (as_of, times) =
        crate::engine::compute(&store, settings, as_of, families.as_deref(), scope)?;
    eprintln!(
        "computed {} as of {as_of} in {:.2} s (peak memory {} MiB)\n  {times}",
        only.map_or("every metric table".to_string(), |o| format!("{o} metrics")),
        start.elapsed().as_secs_f64(),
        crate::memory::peak_rss_mib().map_or("?".to_string(), |m| m.to_string())
    );
    Ok(())
}
