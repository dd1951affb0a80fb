//! A province: many centers in one store, partitioned by center.
//!
//! Each center is ingested and computed on its own ([`Store::open_center`]),
//! so a run's memory is bounded by the largest center, not the province.
//! What a province office reads across centers is combined afterwards from
//! the stored metric tables alone: counts re-added, rates recomputed from
//! the re-added counts ([`combine_case_metrics`]). Quantiles such as
//! `p90_elapsed_days` do not re-add and are left out of the combination;
//! `docs/scaling.md` says how a cluster would recompute them.

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use polars::prelude::*;

use crate::config::Settings;
use crate::demo::{DemoSpec, Profile};
use crate::store::Store;

/// The code of the province's k-th center (1-based): C001, C002 …
pub fn center_code(k: usize) -> String {
    format!("C{k:03}")
}

/// The demo spec of the province's k-th center: a hundredth of the
/// province, with a seed of its own.
pub fn center_spec(seed: u64, k: usize) -> DemoSpec {
    Profile::ProvinceCenter.spec(seed.wrapping_mul(1_000).wrapping_add(k as u64))
}

/// What building one center took.
#[derive(Debug, Clone)]
pub struct CenterRun {
    pub center: String,
    /// Rows read from its export files, stored and rejected.
    pub read: u64,
    pub stored: u64,
    pub rejected: u64,
    /// Rows of the `cases` files read.
    pub cases: u64,
    pub generate_s: f64,
    pub ingest_s: f64,
    pub compute_s: f64,
    /// Peak resident memory of the process so far (MiB), where known.
    pub peak_mib: Option<u64>,
}

/// Generate, ingest and compute (`case_metrics`) the first `centers`
/// centers of the demo province, one at a time, into the store of
/// `settings`. Each center's export files are written under
/// `<inbox>/demo-province-seed<seed>/<C>/` and, unless `keep_exports`,
/// deleted once they are stored. `each` is told about every finished center.
pub fn build_demo(
    settings: &Settings,
    seed: u64,
    centers: usize,
    keep_exports: bool,
    mut each: impl FnMut(&CenterRun),
) -> Result<Vec<CenterRun>> {
    anyhow::ensure!(centers >= 1, "--centers: at least one center");
    let base = settings.inbox.join(format!("demo-province-seed{seed}"));
    let mut runs = Vec::with_capacity(centers);
    for k in 1..=centers {
        let code = center_code(k);
        let dir = base.join(&code);
        let t = Instant::now();
        crate::demo::generate(&center_spec(seed, k), &settings.calendar, &dir)
            .with_context(|| format!("generating center {code}"))?;
        let generate_s = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let store = Store::open_center(&settings.store, &code)?;
        let files = crate::ingest::discover(std::slice::from_ref(&dir))?;
        let report = crate::ingest::ingest(&store, &files, &settings.ingest)
            .with_context(|| format!("ingesting center {code}"))?;
        let ingest_s = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let cases = crate::engine::family::family_named("cases").context("the cases family")?;
        crate::engine::compute(&store, settings, None, Some(&[cases]), None)
            .with_context(|| format!("computing the case metrics of center {code}"))?;
        let compute_s = t.elapsed().as_secs_f64();
        drop(store);

        if !keep_exports {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot delete {}", dir.display()))?;
        }
        let sum = |f: fn(&crate::ingest::FileReport) -> u64| report.files.iter().map(f).sum();
        let run = CenterRun {
            center: code,
            read: sum(|f| f.read),
            stored: sum(|f| f.stored),
            rejected: sum(|f| f.rejected),
            cases: report
                .files
                .iter()
                .filter(|f| f.table == Some("cases"))
                .map(|f| f.read)
                .sum(),
            generate_s,
            ingest_s,
            compute_s,
            peak_mib: crate::memory::peak_rss_mib(),
        };
        each(&run);
        runs.push(run);
    }
    if !keep_exports {
        let _ = std::fs::remove_dir(&base);
    }
    Ok(runs)
}

/// One grain of the province's `case_metrics`, combined from the stored
/// center-level rows of every center (read as one hive-partitioned table,
/// as Spark or Trino would): one row per center and period, then one row
/// per period with `center` = "全省" (the province). Counts are re-added
/// and the rates recomputed from them.
pub fn combine_case_metrics(store_root: &Path, grain: &str) -> Result<DataFrame> {
    // The counts add up across centers.
    let additive = crate::metrics::schema::CASES.counts();
    let rows = crate::store::scan_all_centers(store_root, crate::metrics::schema::CASE_METRICS)?
        .filter(
            col("grain")
                .eq(lit(grain))
                .and(col("level").eq(lit("center"))),
        )
        .select(
            [col("center").cast(DataType::String), col("period")]
                .into_iter()
                .chain(additive.iter().map(|c| col(*c)))
                .collect::<Vec<_>>(),
        );
    let province = rows
        .clone()
        .group_by([col("period")])
        .agg(additive.iter().map(|c| col(*c).sum()).collect::<Vec<_>>())
        .select(
            [lit("全省").alias("center"), col("period")]
                .into_iter()
                .chain(additive.iter().map(|c| col(*c)))
                .collect::<Vec<_>>(),
        );
    let out = concat(
        [rows, province],
        UnionArgs {
            to_supertypes: true,
            ..Default::default()
        },
    )?
    // The rates whose two measures add up across centers, recomputed.
    .with_columns(
        crate::metrics::schema::CASES
            .rates
            .iter()
            .filter(|r| additive.contains(&r.numerator) && additive.contains(&r.denominator))
            .map(crate::metrics::schema::Rate::expr)
            .collect::<Vec<_>>(),
    )
    .sort(["period", "center"], SortMultipleOptions::default())
    .collect()
    .map_err(anyhow::Error::from)
    .context("combining the centers' case_metrics")?;
    Ok(out)
}

/// The centers of a province store graded by `[assessment]` in `period`
/// from their own center-level rows: a center's figures are its whole
/// counts and the rates of them (the same combination as
/// [`combine_case_metrics`], one center at a time). The red-flag
/// `event_score` is a window's and has no center figure: it is left out.
/// Every center with case figures in the period is a subject.
pub fn assess_centers(
    store_root: &Path,
    rules: &crate::metrics::assessment::AssessmentRules,
    period: &crate::metrics::period::Period,
) -> Result<Vec<crate::metrics::assessment::Graded>> {
    use crate::engine::families::assessment::{
        add_columns, add_per_head_month, derived_wanted, sources,
    };
    use crate::metrics::schema::{ATTENDANCE_METRICS, CASE_METRICS};
    let rows = |table: &str| -> Result<Option<DataFrame>> {
        if !store_root.join(table).is_dir() {
            return Ok(None);
        }
        let lf = crate::store::scan_all_centers(store_root, table)?;
        let names = lf.clone().collect_schema()?;
        anyhow::ensure!(
            names.get("center").is_some(),
            "{} is not a province store (no center=… partitions of {table}): rank --level center reads one",
            store_root.display()
        );
        Ok(Some(
            lf.filter(period.holds_row().and(col("level").eq(lit("center"))))
                .with_column(col("center").cast(DataType::String).alias("key"))
                .collect()
                .map_err(anyhow::Error::from)
                .with_context(|| format!("reading the centers' {table}"))?,
        ))
    };
    let cases = rows(CASE_METRICS)?.with_context(|| {
        format!(
            "{} has no case_metrics: compute the centers first",
            store_root.display()
        )
    })?;
    let mut figures = crate::metrics::assessment::Figures::default();
    for (table, columns) in sources(rules) {
        if let Some(df) = rows(table)? {
            add_columns(&mut figures, &df, table, &columns, &["center"])?;
        }
    }
    if derived_wanted(rules)
        .iter()
        .any(|d| d.ends_with("_per_head_month"))
    {
        if let Some(a) = rows(ATTENDANCE_METRICS)? {
            add_per_head_month(&mut figures, &a, &["center"])?;
        }
    }
    let mut centers: Vec<String> = crate::polars_ext::opt_strings(&cases, "key")?
        .into_iter()
        .flatten()
        .collect();
    centers.sort();
    centers.dedup();
    let subjects: Vec<crate::metrics::assessment::Subject> = centers
        .into_iter()
        .map(|c| crate::metrics::assessment::Subject {
            period: period.clone(),
            level: "center".into(),
            key: c,
            department: None,
            veto: None,
        })
        .collect();
    Ok(crate::metrics::assessment::assess(
        &subjects, &figures, rules,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn center_codes_sort_as_numbers() {
        assert_eq!(center_code(1), "C001");
        assert_eq!(center_code(100), "C100");
        assert!(center_code(9) < center_code(10));
    }

    #[test]
    fn centers_differ_but_are_the_province_size() {
        let (a, b) = (center_spec(7, 1), center_spec(7, 2));
        assert_ne!(a.seed, b.seed);
        assert_eq!(a.cases_per_year, 1_000_000);
        assert_eq!(a.windows, 100);
        assert_eq!((a.first_month, a.months), ((2025, 1), 12));
    }
}
