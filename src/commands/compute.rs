//! `xiaoneng compute`: every metric table (or one family) as of a date, committed.

use super::*;

pub(super) fn compute(
    settings: &Settings,
    as_of: Option<NaiveDate>,
    only: Option<String>,
    grains: Vec<crate::metrics::period::Grain>,
    levels: Vec<String>,
) -> Result<()> {
    use crate::metrics::{period::Grain, rollup::LEVELS};
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
    if (!grains.is_empty() || !levels.is_empty()) && only.as_deref() != Some("cases") {
        bail!("--grain and --level go with --only cases");
    }
    let store = open_store(settings)?;
    let start = std::time::Instant::now();
    let as_of = match only.as_deref() {
        Some("cases") if !grains.is_empty() || !levels.is_empty() => {
            let grains = if grains.is_empty() {
                Grain::ALL.to_vec()
            } else {
                grains
            };
            let levels: Vec<&str> = if levels.is_empty() {
                LEVELS.iter().map(|(l, _)| *l).collect()
            } else {
                levels.iter().map(String::as_str).collect()
            };
            crate::engine::compute_case_metrics_for(&store, settings, as_of, &grains, &levels)?
        }
        _ => crate::engine::compute(&store, settings, as_of, families.as_deref())?,
    };
    eprintln!(
        "computed {} as of {as_of} in {:.2} s (peak memory {} MiB)",
        only.map_or("every metric table".to_string(), |o| format!("{o} metrics")),
        start.elapsed().as_secs_f64(),
        crate::memory::peak_rss_mib().map_or("?".to_string(), |m| m.to_string())
    );
    Ok(())
}
