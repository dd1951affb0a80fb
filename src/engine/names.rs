//! Names beside codes: an item's, a window's and a staff member's name
//! (each one's latest version) joined beside its code column, for the
//! lists people read.

use crate::store::Store;
use anyhow::Result;
use polars::prelude::*;

/// (code column, table, the column that dates a version, name column).
const NAMED: [(&str, &str, &str, &str); 3] = [
    ("item_code", "items", "effective_from", "item_name"),
    ("window_id", "windows", "valid_from", "window_name"),
    ("staff_id", "staff", "valid_from", "staff_name"),
];

/// `df` with `item_name`, `window_name` and `staff_name` right after the
/// `item_code`, `window_id` and `staff_id` columns it has (null for a code
/// the store does not know), its rows in their order.
pub fn with_names(store: &Store, df: DataFrame) -> Result<DataFrame> {
    let columns: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut lf = df.lazy();
    let mut order: Vec<Expr> = Vec::new();
    for c in &columns {
        order.push(col(c.as_str()));
        let Some(&(code, table, since, alias)) = NAMED.iter().find(|n| n.0 == c) else {
            continue;
        };
        order.push(col(alias));
        lf = match store.read_columns(table, None)? {
            Some(names) => {
                let by = match names.column(since) {
                    Ok(_) => vec![col(code), col(since)],
                    Err(_) => vec![col(code)],
                };
                let latest = names
                    .lazy()
                    .sort_by_exprs(by, SortMultipleOptions::default())
                    .group_by([col(code)])
                    .agg([col("name").last().alias(alias)]);
                let mut args = JoinArgs::new(JoinType::Left);
                args.maintain_order = MaintainOrderJoin::Left;
                lf.join(latest, [col(code)], [col(code)], args)
            }
            None => lf.with_column(lit(NULL).cast(DataType::String).alias(alias)),
        };
    }
    Ok(lf.select(order).collect()?)
}

/// Rows of a table keyed by (`level`, `key`) at one level, with the key
/// under its code column (`window_id`, `staff_id`; a department and a
/// center keep `key`) and the name beside it.
pub fn subjects_named(store: &Store, df: DataFrame, level: &str) -> Result<DataFrame> {
    let code = match level {
        "window" => "window_id",
        "staff" => "staff_id",
        _ => return Ok(df),
    };
    let mut df = df;
    if df.column(code).is_ok() {
        let _ = df.drop_in_place(code)?;
    }
    df.rename("key", code.into())?;
    with_names(store, df)
}
