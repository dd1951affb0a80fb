//! Ad-hoc SQL over the store: every input table and every metric table is
//! registered by its dataset name (`cases`, `punches`, `case_metrics`,
//! `window_scores` …) as a lazy scan, so a filter on `year`/`month` reads
//! only the partitions it needs and the row-group statistics do the rest.

use crate::store::Store;
use anyhow::{Context, Result};
use polars::prelude::*;
use polars::sql::SQLContext;

/// Run one SQL statement over the store.
pub fn run_sql(store: &Store, sql: &str) -> Result<DataFrame> {
    let mut ctx = SQLContext::new();
    let names = store.datasets()?;
    for name in &names {
        if let Some(lf) = store.scan(name)? {
            ctx.register(name, lf);
        }
    }
    let hint = || {
        format!(
            "the SQL could not run; tables: {} (see `xiaoneng tables` for their columns)",
            if names.is_empty() {
                "none yet (ingest first)".to_string()
            } else {
                names.join(", ")
            }
        )
    };
    let lf = ctx.execute(sql).map_err(short).with_context(hint)?;
    lf.collect().map_err(short).with_context(hint)
}

/// The error without the query plan polars appends to it.
fn short(e: PolarsError) -> anyhow::Error {
    let text = e.to_string();
    let first = text.split("\n\nResolved plan").next().unwrap_or(&text);
    anyhow::anyhow!("{}", first.trim())
}

/// Every dataset with its kind (input, metric, record: `engine::datasets`),
/// columns and types: `table, kind, column, type`.
pub fn tables(store: &Store) -> Result<DataFrame> {
    let (mut t, mut k, mut c, mut d) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for name in store.datasets()? {
        let Some(mut lf) = store.scan(&name)? else {
            continue;
        };
        let kind = crate::engine::datasets::kind_of(&name).map_or("other", |k| k.name());
        for (col_name, dtype) in lf.collect_schema()?.iter() {
            t.push(name.clone());
            k.push(kind);
            c.push(col_name.to_string());
            d.push(dtype.to_string());
        }
    }
    Ok(df!("table" => t, "kind" => k, "column" => c, "type" => d)?)
}
