//! Upsert of a batch into a table: a later row with the key of a stored row
//! replaces it, wherever the stored row lives. Only the partitions that
//! gain or lose rows are rewritten.

use super::{read_files, Store, Transaction};
use crate::polars_ext::strings;
use anyhow::{Context, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

const KEY: &str = "__key";
const YEAR: &str = "__year";

type Partition = Option<(i32, u32)>;

/// The key of each row as one string (nulls spelt out, so they match).
fn with_key(df: DataFrame, key: &[&str]) -> Result<DataFrame> {
    let parts: Vec<Expr> = key
        .iter()
        .map(|k| col(*k).cast(DataType::String).fill_null(lit("\u{2205}")))
        .collect();
    Ok(df
        .lazy()
        .with_column(concat_str(parts, "\u{1f}", false).alias(KEY))
        .collect()?)
}

/// Split a frame by the year and month of `by`, each part in the order of
/// `by` (rows of the same time in their order in `df`).
fn by_partition(df: DataFrame, by: Option<&str>) -> Result<BTreeMap<Partition, DataFrame>> {
    let Some(by) = by else {
        return Ok(BTreeMap::from([(None, df)]));
    };
    // In order, every month is one run of rows: a slice, nothing copied.
    let in_order = df
        .column(by)?
        .as_materialized_series()
        .is_sorted(SortOptions::default())?;
    let df = if in_order {
        df
    } else {
        df.sort(
            [by],
            SortMultipleOptions::default().with_maintain_order(true),
        )?
    };
    let months = df
        .clone()
        .lazy()
        .select([
            (col(by).dt().year() * lit(100) + col(by).dt().month().cast(DataType::Int32))
                .alias(YEAR),
        ])
        .collect()?;
    let months = months.column(YEAR)?.i32()?;
    let mut out = BTreeMap::new();
    let mut start = 0usize;
    let mut month = months.get(0);
    for (i, m) in months
        .iter()
        .enumerate()
        .skip(1)
        .chain([(df.height(), None)])
    {
        if i < df.height() && m == month {
            continue;
        }
        let ym = month.context("a row without a partition date")?;
        out.insert(
            Some((ym / 100, (ym % 100) as u32)),
            df.slice(start as i64, i - start),
        );
        start = i;
        month = m;
    }
    Ok(out)
}

/// The partition a stored file belongs to, from its path.
fn partition_of(file: &std::path::Path) -> Partition {
    let month_dir = file.parent()?;
    let year_dir = month_dir.parent()?;
    let num = |d: &std::path::Path, prefix: &str| -> Option<i64> {
        d.file_name()?.to_str()?.strip_prefix(prefix)?.parse().ok()
    };
    Some((
        num(year_dir, "year=")? as i32,
        num(month_dir, "month=")? as u32,
    ))
}

/// What an upsert changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Upserted {
    /// Stored rows with a key in the batch, plus rows of the batch
    /// overtaken by a later row with the same key.
    pub replaced: u64,
    /// The earliest (year, month) partition holding a stored row that the
    /// batch replaced, if any (its old dates may be older than the batch's).
    pub first_replaced_partition: Option<(i32, u32)>,
}

impl Store {
    /// Stage `batch` (rows in arrival order) into `table`.
    pub fn upsert(
        &self,
        txn: &mut Transaction,
        table: &str,
        key: &[&str],
        partition_by: Option<&str>,
        batch: DataFrame,
    ) -> Result<Upserted> {
        if batch.height() == 0 {
            return Ok(Upserted::default());
        }
        let stored = self.files(table)?;
        let n = batch.height();
        // Keep the last row of each key, in arrival order (most batches
        // repeat no key: then nothing is gathered; most come in key order,
        // which shows it without hashing a key).
        let repeats =
            !keys_rise(&batch, key)? && batch.select(key.iter().copied())?.is_duplicated()?.any();
        let batch = if repeats {
            let key: Vec<String> = key.iter().map(|k| k.to_string()).collect();
            batch.unique_stable(Some(&key), UniqueKeepStrategy::Last, None)?
        } else {
            batch
        };
        let mut replaced = (n - batch.height()) as u64;
        // The batch's keys as one string each, to find the stored rows it
        // replaces (none to find in an empty table).
        let incoming: HashSet<String> = if stored.is_empty() {
            HashSet::new()
        } else {
            let keys = with_key(batch.select(key.iter().copied())?, key)?;
            strings(&keys, KEY)?.into_iter().collect()
        };

        // Stored files holding a key of the batch.
        let mut affected: BTreeMap<Partition, Vec<PathBuf>> = BTreeMap::new();
        let mut existing: BTreeMap<Partition, Vec<PathBuf>> = BTreeMap::new();
        for file in stored {
            let p = if partition_by.is_some() {
                partition_of(&file)
            } else {
                None
            };
            existing.entry(p).or_default().push(file.clone());
            let keys = read_files(std::slice::from_ref(&file), Some(key))?.context("file")?;
            let keys = strings(&with_key(keys, key)?, KEY)?;
            if keys.iter().any(|k| incoming.contains(k)) {
                affected.entry(p).or_default().push(file);
            }
        }

        let first_replaced_partition = affected.keys().flatten().next().copied();
        let mut parts = by_partition(batch, partition_by)?;
        for p in affected.keys() {
            parts.entry(*p).or_insert_with(DataFrame::empty);
        }
        let mut staged = Vec::new();
        for (p, new_rows) in parts {
            // Rewrite the partition: its stored rows not replaced, then the new.
            let old_files = existing.remove(&p).unwrap_or_default();
            let some_old = !old_files.is_empty();
            let mut merged = match read_files(&old_files, None)? {
                Some(old) => {
                    let old = with_key(old, key)?;
                    let mask: BooleanChunked = old
                        .column(KEY)?
                        .str()?
                        .iter()
                        .map(|k| !incoming.contains(k.unwrap_or_default()))
                        .collect();
                    let kept = old.filter(&mask)?;
                    replaced += (old.height() - kept.height()) as u64;
                    kept.drop(KEY)?
                }
                None => DataFrame::empty(),
            };
            if new_rows.height() > 0 {
                if merged.width() == 0 {
                    merged = new_rows;
                } else {
                    super::stack(&mut merged, new_rows).with_context(|| {
                        format!("new {table} rows do not match the stored schema")
                    })?;
                }
            }
            // New rows alone are in order already (see `by_partition`).
            if let Some(by) = partition_by.filter(|_| some_old) {
                if merged.height() > 0 {
                    merged = merged.sort(
                        [by],
                        SortMultipleOptions::default().with_maintain_order(true),
                    )?;
                }
            }
            for f in &old_files {
                txn.remove(f);
            }
            if merged.height() > 0 {
                staged.push((table, p, merged));
            }
            // Two partitions at a time: written together, then let go.
            if staged.len() == 2 {
                txn.add_all(std::mem::take(&mut staged))?;
            }
        }
        txn.add_all(staged)?;
        Ok(Upserted {
            replaced,
            first_replaced_partition,
        })
    }

    /// Stage rows appended to a dataset without keys (rejects, ledger),
    /// optionally partitioned by a date or date-time column.
    pub fn append(
        &self,
        txn: &mut Transaction,
        dataset: &str,
        partition_by: Option<&str>,
        rows: DataFrame,
    ) -> Result<()> {
        if rows.height() == 0 {
            return Ok(());
        }
        for (p, mut part) in by_partition(rows, partition_by)? {
            txn.add(dataset, p, &mut part)?;
        }
        Ok(())
    }
}

impl Store {
    /// Stage `df` as the whole content of a derived dataset (a metric
    /// table), replacing what was there.
    pub fn replace(&self, txn: &mut Transaction, dataset: &str, df: &mut DataFrame) -> Result<()> {
        for f in self.files(dataset)? {
            txn.remove(&f);
        }
        txn.add(dataset, None, df)
    }
}

/// Whether the keys of `df` rise strictly from each row to the next (and
/// none is null): then no key repeats. One pass over the key columns,
/// text or integer (dates and times as their integers); another kind of
/// column, a null or a key not above the one before gives `false`.
fn keys_rise(df: &DataFrame, key: &[&str]) -> Result<bool> {
    use std::cmp::Ordering;
    let n = df.height();
    if n < 2 {
        return Ok(true);
    }
    // Each row's key against the row before it, column by column.
    let mut order = vec![Ordering::Equal; n - 1];
    fn compare<T: Ord, I: Iterator<Item = T>>(order: &mut [Ordering], values: impl Fn() -> I) {
        let pairs = values().zip(values().skip(1));
        for (o, (before, this)) in order.iter_mut().zip(pairs) {
            if *o == Ordering::Equal {
                *o = before.cmp(&this);
            }
        }
    }
    for k in key {
        let column = df.column(k)?;
        if column.null_count() > 0 {
            return Ok(false);
        }
        match column.dtype() {
            DataType::String => {
                let values = column.str()?;
                compare(&mut order, || values.iter());
            }
            t if t.to_physical().is_integer() => {
                let values = column.to_physical_repr().cast(&DataType::Int64)?;
                let values = values.i64()?;
                compare(&mut order, || values.iter());
            }
            _ => return Ok(false),
        }
        if order.contains(&Ordering::Greater) {
            return Ok(false);
        }
    }
    Ok(order.iter().all(|o| *o == Ordering::Less))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_rise_row_by_row_cannot_repeat() {
        let rising = df!(
            "case_id" => ["A", "A", "B", "C"],
            "seq" => [1i64, 2, 1, 1],
        )
        .unwrap();
        assert!(keys_rise(&rising, &["case_id", "seq"]).unwrap());
        // One key alone repeats; a pair out of order; a repeated pair.
        assert!(!keys_rise(&rising, &["case_id"]).unwrap());
        let back = df!("case_id" => ["A", "A"], "seq" => [2i64, 1]).unwrap();
        assert!(!keys_rise(&back, &["case_id", "seq"]).unwrap());
        let twice = df!("case_id" => ["A", "A"], "seq" => [1i64, 1]).unwrap();
        assert!(!keys_rise(&twice, &["case_id", "seq"]).unwrap());
        // Dates by their day numbers; a null key is left to the hashing.
        let days = df!("d" => [Some(1i32), Some(2)]).unwrap();
        let days = days
            .lazy()
            .select([col("d").cast(DataType::Date)])
            .collect()
            .unwrap();
        assert!(keys_rise(&days, &["d"]).unwrap());
        let null = df!("id" => [Some("A"), None]).unwrap();
        assert!(!keys_rise(&null, &["id"]).unwrap());
        // Rising keys of two chunks.
        let mut two = df!("id" => ["A", "B"]).unwrap();
        two.vstack_mut(&df!("id" => ["C"]).unwrap()).unwrap();
        assert!(keys_rise(&two, &["id"]).unwrap());
        two.vstack_mut(&df!("id" => ["B"]).unwrap()).unwrap();
        assert!(!keys_rise(&two, &["id"]).unwrap());
    }

    #[test]
    fn months_come_apart_in_time_order_and_ties_keep_their_order() {
        let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let df = df!(
            "id" => ["a", "b", "c", "d", "e"],
            "at" => [
                at("2026-02-03 09:00"),
                at("2026-01-31 17:00"),
                at("2026-02-01 08:00"),
                at("2026-01-31 17:00"),
                at("2025-12-31 23:59"),
            ],
        )
        .unwrap();
        let parts = by_partition(df, Some("at")).unwrap();
        let ids = |p: &DataFrame| -> Vec<String> { strings(p, "id").unwrap() };
        let got: Vec<(Partition, Vec<String>)> = parts.iter().map(|(k, v)| (*k, ids(v))).collect();
        assert_eq!(
            got,
            vec![
                (Some((2025, 12)), vec!["e".to_string()]),
                (Some((2026, 1)), vec!["b".to_string(), "d".to_string()]),
                (Some((2026, 2)), vec!["c".to_string(), "a".to_string()]),
            ]
        );
        // Rows already in order are cut, not copied: one month, one part.
        let df = df!("id" => ["x", "y"], "at" => [at("2026-03-01 08:00"), at("2026-03-02 08:00")])
            .unwrap();
        let parts = by_partition(df, Some("at")).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(ids(&parts[&Some((2026, 3))]), ["x", "y"]);
        // No partition column: the frame as it is.
        let df = df!("id" => ["x"]).unwrap();
        assert_eq!(by_partition(df, None).unwrap().len(), 1);
    }
}
