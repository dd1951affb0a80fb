//! `xiaoneng province`: the centers' case figures combined.

use super::*;

/// The case metrics of a province store, combined across its centers.
pub(super) fn province(
    settings: &Settings,
    grain: crate::metrics::period::Grain,
    period: Option<&crate::metrics::period::Period>,
) -> Result<()> {
    use polars::prelude::*;
    let grain = period.map_or(grain, |p| p.grain);
    let mut df = crate::province::combine_case_metrics(&settings.store, grain.name())?;
    if let Some(p) = period {
        df = df
            .lazy()
            .filter(col("period").eq(lit(p.label.as_str())))
            .collect()?;
    }
    if df.height() == 0 {
        bail!(
            "no {} rows of case_metrics in the centers of {}",
            grain.name(),
            settings.store.display()
        );
    }
    print!("{}", crate::view::province_table(&df)?);
    Ok(())
}
