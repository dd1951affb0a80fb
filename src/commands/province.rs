//! `xiaoneng province`: the centers' case figures combined.

use super::*;

/// The case metrics of a province store, combined across its centers.
pub(super) fn province(settings: &Settings, grain: &str, period: Option<&str>) -> Result<()> {
    use polars::prelude::*;
    if !crate::metrics::period::Grain::ALL
        .iter()
        .any(|g| g.name() == grain)
    {
        bail!("--grain {grain}: no such grain (day, week, month, bimonth, quarter, year)");
    }
    let mut df = crate::province::combine_case_metrics(&settings.store, grain)?;
    if let Some(p) = period {
        df = df.lazy().filter(col("period").eq(lit(p))).collect()?;
    }
    if df.height() == 0 {
        bail!(
            "no {grain} rows of case_metrics in the centers of {}",
            settings.store.display()
        );
    }
    print!("{}", crate::view::province_table(&df)?);
    Ok(())
}
