//! Upsert of a batch into a table: a later row with the key of a stored row
//! replaces it, wherever the stored row lives. Only the partitions that
//! gain or lose rows are rewritten.

use super::{may_hold, read_files, Store, Transaction};
use crate::polars_ext::strings;
use anyhow::{Context, Result};
use polars::prelude::*;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

const KEY: &str = "__key";

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

/// `df` cut into its months by the date column `by`, each month's rows
/// in the order of `by` (a stable sort: rows of one time keep their
/// order): [`month_parts`], each month sorted on its own, on every core.
fn by_partition(df: DataFrame, by: Option<&str>) -> Result<BTreeMap<Partition, DataFrame>> {
    let parts = month_parts(df, by)?;
    let Some(by) = by else {
        return Ok(parts);
    };
    let parts: Vec<(Partition, DataFrame)> = parts.into_iter().collect();
    let sorted = crate::parallel::parallel_map(&parts, |(_, part)| sorted_by(part.clone(), by));
    parts
        .iter()
        .zip(sorted)
        .map(|((month, _), part)| Ok((*month, part?)))
        .collect()
}

/// `df` cut into its months by the date column `by`, each month's rows
/// still to be put in the order of `by` ([`sorted_by`]) as its turn
/// comes, so that a table and the sorted copies of all its months are not
/// held at once. When every month's rows lie together and the months come
/// in order (a month's export after another's), each month is a slice of
/// `df` as it came (one already in order is only cut, never copied);
/// otherwise the whole frame is sorted first, and its months are in order.
fn month_parts(df: DataFrame, by: Option<&str>) -> Result<BTreeMap<Partition, DataFrame>> {
    let Some(by) = by else {
        return Ok(BTreeMap::from([(None, df)]));
    };
    let mut blocks = month_blocks(df.column(by)?)?;
    let df = match blocks.windows(2).any(|w| w[0].0 >= w[1].0) {
        true => {
            let df = sorted_by(df, by)?;
            blocks = month_blocks(df.column(by)?)?;
            df
        }
        false => df,
    };
    Ok(blocks
        .into_iter()
        .map(|(month, start, len)| (Some(month), df.slice(start as i64, len)))
        .collect())
}

/// `df` in the order of its column `by` (dates or times, no nulls), rows
/// of one time in their order: the rows' places sorted by Rust's stable
/// sort, which takes the runs already in order as they are (a month's
/// export is mostly in time order), then the frame given up column by
/// column, each column let go of once gathered, so that a table and its
/// sorted copy are not held whole at once (a city year's 7.4 million
/// steps come in one file whose months are mixed; gathered whole, their
/// copy was fresh memory the kernel zeroed, and a city ingest faulted
/// 5-10 % more pages). A frame in order is returned as it is.
fn sorted_by(df: DataFrame, by: &str) -> Result<DataFrame> {
    let Some(order) = order_by(&df, by)? else {
        return Ok(df);
    };
    let height = order.len();
    let columns: Vec<std::sync::Mutex<Option<Column>>> = df
        .into_columns()
        .into_iter()
        .map(|c| std::sync::Mutex::new(Some(c)))
        .collect();
    // A column a core at a time (polars' `take` gathers every column at once).
    let gathered = crate::parallel::parallel_map(&columns, |column| {
        let column = column
            .lock()
            .expect("a gather panicked")
            .take()
            .expect("each column is gathered once");
        column.take(&order)
    });
    let gathered = gathered.into_iter().collect::<PolarsResult<Vec<_>>>()?;
    Ok(DataFrame::new(height, gathered)?)
}

/// The rows' places in the order of column `by` (see [`sorted_by`]);
/// `None` when the rows are in that order already.
fn order_by(df: &DataFrame, by: &str) -> Result<Option<IdxCa>> {
    let values = df
        .column(by)?
        .as_materialized_series()
        .to_physical_repr()
        .cast(&DataType::Int64)?;
    let values = values.i64()?.rechunk();
    let values = values.cont_slice()?;
    if values.windows(2).all(|w| w[0] <= w[1]) {
        return Ok(None);
    }
    let mut order: Vec<IdxSize> = (0..values.len() as IdxSize).collect();
    order.sort_by_key(|&i| values[i as usize]);
    Ok(Some(IdxCa::from_vec("order".into(), order)))
}

/// A month's block of rows: (year and month, first row, rows).
type MonthBlock = ((i32, u32), usize, usize);

/// The blocks of rows of one month of a column (a date, or a date-time
/// without a time zone), in the column's order: each block the longest
/// run of rows of its month from where the one before ended, so that
/// rows in time order give one block a month; a month whose rows are not
/// together gives several. A row's month is told by comparing its value
/// with the month's first and next first instants, not by working out
/// its date (a date-time each, two million of them in a city year's
/// table).
fn month_blocks(c: &Column) -> Result<Vec<MonthBlock>> {
    use chrono::Datelike;
    const DAY_MS: i64 = 86_400_000;
    let per_day = match c.dtype() {
        DataType::Date => 1,
        DataType::Datetime(TimeUnit::Milliseconds, None) => DAY_MS,
        DataType::Datetime(TimeUnit::Microseconds, None) => DAY_MS * 1_000,
        DataType::Datetime(TimeUnit::Nanoseconds, None) => DAY_MS * 1_000_000,
        other => anyhow::bail!("cannot cut a table into months by a column of {other}"),
    };
    anyhow::ensure!(c.null_count() == 0, "a row without a partition date");
    let values = c
        .as_materialized_series()
        .to_physical_repr()
        .cast(&DataType::Int64)?;
    let values = values.i64()?.rechunk();
    let values = values.cont_slice()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("the epoch");
    let day_of = |days: i64| {
        epoch
            .checked_add_signed(chrono::Duration::days(days))
            .context("a partition date out of range")
    };
    let mut out = Vec::new();
    let mut start = 0;
    while start < values.len() {
        let first = day_of(values[start].div_euclid(per_day))?;
        let (y, m) = (first.year(), first.month());
        let next = match m {
            12 => chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1),
            _ => chrono::NaiveDate::from_ymd_opt(y, m + 1, 1),
        }
        .context("a partition date out of range")?;
        let begins = first.with_day(1).context("a month's first day")?;
        // Past the ends of the column's unit (nanoseconds end in April
        // 2262): every value that far is of this month.
        let (low, bound) = (
            (begins - epoch).num_days().saturating_mul(per_day),
            (next - epoch).num_days().saturating_mul(per_day),
        );
        let len = values[start..]
            .iter()
            .take_while(|&&v| low <= v && v < bound)
            .count();
        out.push(((y, m), start, len));
        start += len;
    }
    Ok(out)
}

/// The partition (year and month) a stored file belongs to, from its
/// path; `None` for a file of an unpartitioned table.
pub fn partition_of(file: &std::path::Path) -> Partition {
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
        let repeats = !keys_rise(&batch, key)?
            && !keys_hash_apart(&batch, key)?
            && batch.select(key.iter().copied())?.is_duplicated()?.any();
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

        // Stored files holding a key of the batch: a file whose first key
        // column's range (its row groups' statistics) holds none of the
        // batch's first keys is not read (a night's rows name one month's
        // cases, not the year's).
        let firsts = match stored.is_empty() {
            true => None,
            false => first_keys(&batch, key[0])?,
        };
        let mut affected: BTreeMap<Partition, Vec<PathBuf>> = BTreeMap::new();
        let mut existing: BTreeMap<Partition, Vec<PathBuf>> = BTreeMap::new();
        for file in stored {
            let p = if partition_by.is_some() {
                partition_of(&file)
            } else {
                None
            };
            existing.entry(p).or_default().push(file.clone());
            if firsts.as_ref().is_some_and(|f| !may_hold(&file, key[0], f)) {
                continue;
            }
            let keys = read_files(std::slice::from_ref(&file), Some(key))?.context("file")?;
            let keys = strings(&with_key(keys, key)?, KEY)?;
            if keys.iter().any(|k| incoming.contains(k)) {
                affected.entry(p).or_default().push(file);
            }
        }

        let first_replaced_partition = affected.keys().flatten().next().copied();
        let mut parts = month_parts(batch, partition_by)?;
        for p in affected.keys() {
            parts.entry(*p).or_insert_with(DataFrame::empty);
        }
        let mut staged = Vec::new();
        for (p, new_rows) in parts {
            // Rewrite the partition: its stored rows not replaced, then the new.
            let old_files = existing.remove(&p).unwrap_or_default();
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
            // The month's rows in order now, its stored rows before its new
            // ones at the same time (a month already in order is only
            // looked at).
            if let Some(by) = partition_by.filter(|_| merged.height() > 0) {
                merged = sorted_by(merged, by)?;
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

/// The values of a text column of `df`, sorted and each once; `None` for
/// a column of another type or with a null (then no file is passed over
/// by its statistics).
fn first_keys<'a>(df: &'a DataFrame, column: &str) -> Result<Option<Vec<&'a str>>> {
    let column = df.column(column)?;
    if column.dtype() != &DataType::String || column.null_count() > 0 {
        return Ok(None);
    }
    let mut keys: Vec<&str> = column.str()?.iter().flatten().collect();
    keys.dedup();
    keys.sort_unstable();
    keys.dedup();
    Ok(Some(keys))
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

/// Whether the rows of `df` hash their keys to 64-bit values all apart:
/// then no key repeats (`true`). Two equal hashes are a repeat or a
/// collision (`false`: the exact search decides). The hashes sorted on
/// two cores: a city year's tickets (two million ids in no order) took
/// polars' duplicate search 130–180 ms, the most of their write after
/// the sort. Text or integer keys (dates and times as their integers);
/// another kind of column gives `false`.
fn keys_hash_apart(df: &DataFrame, key: &[&str]) -> Result<bool> {
    use std::hash::BuildHasher;
    /// The hash of a null key: nulls repeat as any value does.
    const NULL: u64 = 0x5EED_0FA1_10F1_DE00;
    let state = PlRandomState::default();
    let mut hashes = vec![0u64; df.height()];
    let mix =
        |h: &mut u64, v: u64| *h = (h.rotate_left(26) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for k in key {
        let column = df.column(k)?;
        match column.dtype() {
            DataType::String => {
                for (h, v) in hashes.iter_mut().zip(column.str()?.iter()) {
                    mix(h, v.map_or(NULL, |v| state.hash_one(v)));
                }
            }
            t if t.to_physical().is_integer() => {
                let values = column.to_physical_repr().cast(&DataType::Int64)?;
                for (h, v) in hashes.iter_mut().zip(values.i64()?.iter()) {
                    mix(h, v.map_or(NULL, |v| state.hash_one(v)));
                }
            }
            _ => return Ok(false),
        }
    }
    crate::parallel::sort_unstable_by(&mut hashes, |a, b| a.cmp(b));
    Ok(hashes.windows(2).all(|w| w[0] != w[1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upsert(store: &Store, batch: DataFrame) -> Upserted {
        let mut txn = store.begin().unwrap();
        let done = store
            .upsert(&mut txn, "cases", &["case_id"], Some("on"), batch)
            .unwrap();
        txn.commit().unwrap();
        done
    }

    fn rows(store: &Store) -> Vec<(String, String)> {
        let df = store.read("cases").unwrap().unwrap();
        let mut out: Vec<(String, String)> = strings(&df, "case_id")
            .unwrap()
            .into_iter()
            .zip(strings(&df, "what").unwrap())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_batch_replaces_the_rows_it_names_in_the_files_whose_key_ranges_hold_them() {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // Two months, each its own file and key range: B01–B02, B10–B11.
        let first = df!(
            "case_id" => ["B01", "B02", "B10", "B11"],
            "on" => [day("2026-01-05"), day("2026-01-20"), day("2026-02-03"), day("2026-02-04")],
            "what" => ["a", "b", "c", "d"],
        )
        .unwrap();
        assert_eq!(upsert(&store, first).replaced, 0);
        let files = store.files("cases").unwrap();
        assert_eq!(files.len(), 2);
        let ranges: Vec<_> = files
            .iter()
            .map(|f| super::super::text_ranges(f, "case_id").unwrap())
            .collect();
        assert_eq!(
            ranges,
            [
                vec![(b"B01".to_vec(), b"B02".to_vec())],
                vec![(b"B10".to_vec(), b"B11".to_vec())]
            ]
        );
        assert_eq!(super::super::text_ranges(&files[0], "no such column"), None);
        // B05 falls in no file's range, B11 in February's; a key within a
        // range need not be there (B015), and a row moved to March by its
        // new date (B02) leaves January.
        let second = df!(
            "case_id" => ["B015", "B02", "B05", "B11"],
            "on" => [day("2026-01-09"), day("2026-03-01"), day("2026-03-02"), day("2026-02-04")],
            "what" => ["e", "f", "g", "h"],
        )
        .unwrap();
        let done = upsert(&store, second);
        assert_eq!(done.replaced, 2);
        assert_eq!(done.first_replaced_partition, Some((2026, 1)));
        let want: Vec<(String, String)> = [
            ("B01", "a"),
            ("B015", "e"),
            ("B02", "f"),
            ("B05", "g"),
            ("B10", "c"),
            ("B11", "h"),
        ]
        .iter()
        .map(|(k, w)| (k.to_string(), w.to_string()))
        .collect();
        assert_eq!(rows(&store), want);
        // A batch of keys outside every range replaces nothing.
        let third = df!("case_id" => ["A9", "C1"], "on" => [day("2026-02-10"), day("2026-02-11")], "what" => ["i", "j"]).unwrap();
        assert_eq!(upsert(&store, third).replaced, 0);
        assert_eq!(rows(&store).len(), 8);
    }

    #[test]
    fn each_month_is_stored_in_time_order_its_stored_rows_before_new_ones_at_one_time() {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // Each file in the order it holds its rows.
        let files = |store: &Store| -> Vec<Vec<String>> {
            let mut files = store.files("cases").unwrap();
            files.sort();
            files
                .iter()
                .map(|f| {
                    strings(
                        &read_files(std::slice::from_ref(f), None).unwrap().unwrap(),
                        "case_id",
                    )
                    .unwrap()
                })
                .collect()
        };
        // January's rows together but not in time order, then February's.
        let first = df!(
            "case_id" => ["B2", "B1", "B3"],
            "on" => [day("2026-01-20"), day("2026-01-05"), day("2026-02-03")],
            "what" => ["a", "b", "c"],
        )
        .unwrap();
        upsert(&store, first);
        assert_eq!(files(&store), [vec!["B1", "B2"], vec!["B3"]]);
        // New January rows, one at B2's time: after it.
        let second = df!(
            "case_id" => ["B0", "B4"],
            "on" => [day("2026-01-20"), day("2026-01-01")],
            "what" => ["d", "e"],
        )
        .unwrap();
        upsert(&store, second);
        assert_eq!(files(&store), [vec!["B4", "B1", "B2", "B0"], vec!["B3"]]);
    }

    #[test]
    fn one_sorted_key_within_a_range_is_found() {
        let keys: Vec<Vec<u8>> = ["B02", "B05", "C1"]
            .iter()
            .map(|k| k.as_bytes().to_vec())
            .collect();
        assert!(super::super::holds_one(&keys, b"B01", b"B02"));
        assert!(super::super::holds_one(&keys, b"B03", b"B05"));
        assert!(!super::super::holds_one(&keys, b"B06", b"B99"));
        assert!(!super::super::holds_one(&keys, b"A", b"B01"));
        assert!(!super::super::holds_one(&keys, b"C2", b"D"));
        assert!(!super::super::holds_one::<&str>(&[], b"A", b"Z"));
        // Text and a null are not passed over by their statistics.
        let ints = df!("k" => [1i64, 2]).unwrap();
        assert_eq!(first_keys(&ints, "k").unwrap(), None);
        let null = df!("k" => [Some("A"), None]).unwrap();
        assert_eq!(first_keys(&null, "k").unwrap(), None);
        let text = df!("k" => ["B", "A", "B"]).unwrap();
        assert_eq!(first_keys(&text, "k").unwrap(), Some(vec!["A", "B"]));
    }

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
    fn keys_hashed_apart_cannot_repeat_and_a_repeat_is_never_apart() {
        let ids = df!("id" => ["t3", "t1", "t2", "t9"]).unwrap();
        assert!(keys_hash_apart(&ids, &["id"]).unwrap());
        let again = df!("id" => ["t3", "t1", "t3"]).unwrap();
        assert!(!keys_hash_apart(&again, &["id"]).unwrap());
        // Two columns: a repeat of the pair only, not of either column.
        let pairs = df!("s" => ["a", "a", "b", "b"], "at" => [2i64, 1, 2, 1]).unwrap();
        assert!(keys_hash_apart(&pairs, &["s", "at"]).unwrap());
        let twice = df!("s" => ["a", "b", "a"], "at" => [2i64, 1, 2]).unwrap();
        assert!(!keys_hash_apart(&twice, &["s", "at"]).unwrap());
        // Two null keys are one key, as polars' duplicate search has it.
        let nulls = df!("id" => [None, Some("x"), None::<&str>]).unwrap();
        assert!(!keys_hash_apart(&nulls, &["id"]).unwrap());
        // A kind of column not hashed here: the exact search decides.
        let floats = df!("x" => [1.0, 2.0]).unwrap();
        assert!(!keys_hash_apart(&floats, &["x"]).unwrap());
        // Many keys in no order (over the two-core sort's threshold).
        let many: Vec<String> = (0..50_000)
            .map(|i| format!("K{}", (i * 7919) % 50_000))
            .collect();
        let many = df!("id" => many).unwrap();
        assert!(keys_hash_apart(&many, &["id"]).unwrap());
    }

    #[test]
    fn months_in_blocks_are_sorted_each_as_the_whole_frame_would_be() {
        let at = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        // A month's export after another's, neither in time order, with
        // ties; then the same rows with the months interleaved.
        let blocks = df!(
            "id" => ["a", "b", "c", "d", "e", "f", "g"],
            "at" => [
                at("2026-01-20 09:00"),
                at("2026-01-03 09:00"),
                at("2026-01-20 09:00"),
                at("2026-01-31 23:59"),
                at("2026-02-10 08:00"),
                at("2026-02-01 00:00"),
                at("2026-02-10 08:00"),
            ],
        )
        .unwrap();
        let interleaved = blocks
            .take(&IdxCa::from_vec("i".into(), vec![4, 0, 5, 1, 6, 2, 3]))
            .unwrap();
        let ids = |p: &DataFrame| -> Vec<String> { strings(p, "id").unwrap() };
        let cut = |df: DataFrame| -> Vec<(Partition, Vec<String>)> {
            by_partition(df, Some("at"))
                .unwrap()
                .iter()
                .map(|(k, v)| (*k, ids(v)))
                .collect()
        };
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            cut(blocks.clone()),
            vec![
                (Some((2026, 1)), s(&["b", "a", "c", "d"])),
                (Some((2026, 2)), s(&["f", "e", "g"])),
            ]
        );
        // The whole frame sorted first gives the same months and orders
        // (ties in their order in the frame: e before g, a before c).
        assert_eq!(
            cut(interleaved),
            vec![
                (Some((2026, 1)), s(&["b", "a", "c", "d"])),
                (Some((2026, 2)), s(&["f", "e", "g"])),
            ]
        );
        // A month in two blocks (January, February, January again).
        let split = blocks
            .take(&IdxCa::from_vec("i".into(), vec![0, 1, 4, 5, 2, 3, 6]))
            .unwrap();
        assert_eq!(
            cut(split),
            vec![
                (Some((2026, 1)), s(&["b", "a", "c", "d"])),
                (Some((2026, 2)), s(&["f", "e", "g"])),
            ]
        );
    }

    #[test]
    fn a_frame_given_up_column_by_column_is_sorted_as_polars_sorts_it_stably() {
        // Three columns (one with nulls), ties kept in their order.
        let mut df = df!(
            "id" => ["a", "b", "c", "d", "e"],
            "day" => [20_300i32, 20_100, 20_300, 20_000, 20_100],
            "n" => [Some(1i64), None, Some(3), Some(4), None],
        )
        .unwrap();
        df.with_column(df.column("day").unwrap().cast(&DataType::Date).unwrap())
            .unwrap();
        let whole = sorted_by(df.clone(), "day").unwrap();
        assert_eq!(strings(&whole, "id").unwrap(), ["d", "b", "e", "a", "c"]);
        let stable = SortMultipleOptions::default().with_maintain_order(true);
        assert!(df.sort(["day"], stable).unwrap().equals_missing(&whole));
        // A frame in order comes back as it was.
        assert!(sorted_by(whole.clone(), "day")
            .unwrap()
            .equals_missing(&whole));
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
        // Dates, and date-times in microseconds, cut at the same months;
        // the last day of a month and the first of the next, years apart.
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let df = df!(
            "id" => ["p", "q", "r", "s"],
            "on" => [day("1969-12-31"), day("2024-02-29"), day("2024-03-01"), day("2024-03-31")],
        )
        .unwrap();
        let got: Vec<(Partition, usize)> = by_partition(df, Some("on"))
            .unwrap()
            .iter()
            .map(|(k, v)| (*k, v.height()))
            .collect();
        assert_eq!(
            got,
            [
                (Some((1969, 12)), 1),
                (Some((2024, 2)), 1),
                (Some((2024, 3)), 2)
            ]
        );
        let micro =
            df!("id" => ["u", "v"], "at" => [at("2026-04-30 23:59"), at("2026-05-01 00:00")])
                .unwrap()
                .lazy()
                .with_column(col("at").cast(DataType::Datetime(TimeUnit::Microseconds, None)))
                .collect()
                .unwrap();
        let keys: Vec<Partition> = by_partition(micro, Some("at"))
            .unwrap()
            .into_keys()
            .collect();
        assert_eq!(keys, [Some((2026, 4)), Some((2026, 5))]);
        // A row without its date cannot be placed.
        let none = df!("id" => ["w"], "on" => [None::<chrono::NaiveDate>]).unwrap();
        let err = by_partition(none, Some("on")).unwrap_err();
        assert!(
            err.to_string().contains("without a partition date"),
            "{err}"
        );
    }
}
