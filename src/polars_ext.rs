//! The one home of the small polars helpers the whole crate shares: chrono
//! dates to and from Date columns, streaming collection, and a column of a
//! frame as a plain `Vec` for per-row work outside polars.
//!
//! Nothing here knows a table of the store or a metric: this module sits
//! at the bottom of the layers (`tests/layers.rs`) and uses only polars,
//! chrono and the crate's own work on every core (`crate::parallel`).
//!
//! The column readers cast to their type first (free when the column has
//! it already), so a reader asks for what it wants to read, not for how a
//! file happened to store it. A missing column is an error.

use anyhow::Result;
use chrono::{NaiveDate, NaiveDateTime};
use polars::prelude::*;

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")
}

/// Days since 1970-01-01, as polars stores a Date.
pub fn epoch_days(d: NaiveDate) -> i32 {
    (d - epoch()).num_days() as i32
}

/// The date of a day number (days since 1970-01-01).
pub fn epoch_date(d: i32) -> NaiveDate {
    epoch() + chrono::Duration::days(i64::from(d))
}

/// A polars Date literal.
pub fn date_lit(d: NaiveDate) -> Expr {
    lit(epoch_days(d)).cast(DataType::Date)
}

/// `f` over runs of `df`'s rows, one run per core, side by side, the
/// runs' frames stacked in row order (each column one chunk). For work
/// whose output rows are made from one input row each, in order: the same
/// frame as `f(df)`.
pub fn by_row_runs(
    df: &DataFrame,
    f: impl Fn(&DataFrame) -> Result<DataFrame> + Sync,
) -> Result<DataFrame> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores <= 1 || df.height() < crate::parallel::MIN_PARALLEL_ROWS {
        return f(df);
    }
    let runs = crate::parallel::row_runs(df.height(), cores);
    let parts =
        crate::parallel::parallel_map(&runs, |run| f(&df.slice(run.start as i64, run.len())));
    let mut parts = parts.into_iter();
    let mut out = parts.next().expect("at least one run")?;
    for part in parts {
        out.vstack_mut_owned(part?)?;
    }
    out.rechunk_mut_par();
    Ok(out)
}

/// A Date series from chrono dates.
pub fn date_series(name: &str, dates: impl Iterator<Item = Option<NaiveDate>>) -> Result<Column> {
    let days: Vec<Option<i32>> = dates.map(|d| d.map(epoch_days)).collect();
    Ok(Series::new(name.into(), days).cast(&DataType::Date)?.into())
}

/// Chrono dates from a Date column. A column with more rows than days
/// between its first and last (a year of cases: millions of rows, a few
/// hundred days) makes each of those days once and looks the rows up;
/// chrono's date arithmetic per row was 1 % of `compute`.
pub fn dates_of(col: &Column) -> Result<Vec<Option<NaiveDate>>> {
    let days = col.cast(&DataType::Int32)?;
    let days = days.i32()?;
    let (Some(lo), Some(hi)) = (days.min(), days.max()) else {
        return Ok(vec![None; days.len()]);
    };
    let span = (i64::from(hi) - i64::from(lo)) as usize + 1;
    let days = options_of(days);
    if span >= days.len() {
        return Ok(days.into_iter().map(|d| d.map(epoch_date)).collect());
    }
    let table: Vec<NaiveDate> = (lo..=hi).map(epoch_date).collect();
    Ok(days
        .into_iter()
        .map(|d| d.map(|d| table[(d - lo) as usize]))
        .collect())
}

/// Collect with polars' streaming engine (the group-bys of the roll-ups
/// run in about half the time and memory of the in-memory engine; plan
/// nodes it cannot stream fall back to the in-memory engine).
pub trait CollectStreaming {
    fn collect_streaming(self) -> Result<DataFrame>;
}

impl CollectStreaming for LazyFrame {
    fn collect_streaming(self) -> Result<DataFrame> {
        // One query without sinks gives one frame.
        Ok(self.collect_with_engine(Engine::Streaming)?.unwrap_single())
    }
}

/// Column `c` as text, nulls kept.
/// The first (`last` false) or last day of a date or datetime column of
/// `lf` (`None`: no rows, or only nulls).
pub fn date_bound(lf: LazyFrame, column: &str, last: bool) -> Result<Option<NaiveDate>> {
    let day = col(column).cast(DataType::Date);
    let bound = lf
        .select([if last { day.max() } else { day.min() }])
        .collect()?;
    Ok(dates_of(bound.column(column)?)?
        .into_iter()
        .next()
        .flatten())
}

/// The values of a numeric column, a null as `null`: copied an array at a
/// time, an array without nulls as one slice (not value by value through
/// an iterator of options: the key codes and days of every roll-up of a
/// city year, tens of millions).
pub fn values_or<T: PolarsNumericType>(ca: &ChunkedArray<T>, null: T::Native) -> Vec<T::Native> {
    let mut out = Vec::with_capacity(ca.len());
    for array in ca.downcast_iter() {
        match array.validity().filter(|v| v.unset_bits() > 0) {
            None => out.extend_from_slice(array.values()),
            Some(valid) => {
                out.extend(
                    array
                        .values()
                        .iter()
                        .zip(valid.iter())
                        .map(|(v, ok)| if ok { *v } else { null }),
                )
            }
        }
    }
    out
}

/// The values of a numeric column, nulls kept: [`values_or`]'s way, an
/// array at a time.
pub fn options_of<T: PolarsNumericType>(ca: &ChunkedArray<T>) -> Vec<Option<T::Native>> {
    let mut out = Vec::with_capacity(ca.len());
    for array in ca.downcast_iter() {
        match array.validity().filter(|v| v.unset_bits() > 0) {
            None => out.extend(array.values().iter().map(|v| Some(*v))),
            Some(valid) => out.extend(
                array
                    .values()
                    .iter()
                    .zip(valid.iter())
                    .map(|(v, ok)| ok.then_some(*v)),
            ),
        }
    }
    out
}

/// A text column read row by row without copying every value: for loops
/// that keep only a few of many rows.
pub struct Texts(StringChunked);

impl Texts {
    pub fn of(df: &DataFrame, c: &str) -> Result<Texts> {
        let text = df.column(c)?.cast(&DataType::String)?;
        Ok(Texts(text.str()?.rechunk().into_owned()))
    }

    pub fn get(&self, row: usize) -> Option<&str> {
        self.0.get(row)
    }

    /// The value of a row as an owned string.
    pub fn owned(&self, row: usize) -> Option<String> {
        self.get(row).map(str::to_string)
    }
}

pub fn opt_strings(df: &DataFrame, c: &str) -> Result<Vec<Option<String>>> {
    Ok(df
        .column(c)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

/// Column `c` as text, a null read as the empty string.
pub fn strings(df: &DataFrame, c: &str) -> Result<Vec<String>> {
    Ok(df
        .column(c)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect())
}

/// Column `c` as 64-bit integers, nulls kept.
pub fn opt_i64s(df: &DataFrame, c: &str) -> Result<Vec<Option<i64>>> {
    Ok(options_of(df.column(c)?.cast(&DataType::Int64)?.i64()?))
}

/// Column `c` as 64-bit integers, a null read as 0.
pub fn i64s(df: &DataFrame, c: &str) -> Result<Vec<i64>> {
    Ok(values_or(df.column(c)?.cast(&DataType::Int64)?.i64()?, 0))
}

/// The Date column `c` as days since 1970-01-01 (what [`epoch_days`]
/// gives), nulls kept: the form of a date for array lookups.
pub fn opt_epoch_days(df: &DataFrame, c: &str) -> Result<Vec<Option<i32>>> {
    Ok(options_of(df.column(c)?.cast(&DataType::Int32)?.i32()?))
}

/// Column `c` as floats, nulls kept.
pub fn opt_f64s(df: &DataFrame, c: &str) -> Result<Vec<Option<f64>>> {
    Ok(options_of(df.column(c)?.cast(&DataType::Float64)?.f64()?))
}

/// Column `c` as booleans, a null read as `null`.
pub fn bools_or(df: &DataFrame, c: &str, null: bool) -> Result<Vec<bool>> {
    Ok(df
        .column(c)?
        .cast(&DataType::Boolean)?
        .bool()?
        .iter()
        .map(|v| v.unwrap_or(null))
        .collect())
}

/// The Datetime column `c` as milliseconds since 1970-01-01 00:00, nulls
/// kept. The store keeps datetimes in milliseconds; a datetime of another
/// unit is converted first.
pub fn opt_millis(df: &DataFrame, c: &str) -> Result<Vec<Option<i64>>> {
    Ok(options_of(&millis(df, c)?))
}

/// [`opt_millis`] as the column itself, not copied into a vector (to read
/// in order, or a few rows).
pub fn millis(df: &DataFrame, c: &str) -> Result<Int64Chunked> {
    let column = df.column(c)?;
    let column = match column.dtype() {
        DataType::Datetime(unit, tz) if *unit != TimeUnit::Milliseconds => {
            column.cast(&DataType::Datetime(TimeUnit::Milliseconds, tz.clone()))?
        }
        _ => column.clone(),
    };
    Ok(column.cast(&DataType::Int64)?.i64()?.clone())
}

/// The Datetime column `c` as chrono datetimes, nulls (and instants chrono
/// cannot hold) as `None`.
pub fn opt_datetimes(df: &DataFrame, c: &str) -> Result<Vec<Option<NaiveDateTime>>> {
    Ok(opt_millis(df, c)?
        .into_iter()
        .map(|v| {
            v.and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| t.naive_utc())
        })
        .collect())
}

/// Codes of text values in the order first seen (0, 1, …) and the texts
/// in code order, one code a text. A value of up to 12 bytes lies whole
/// in its 16-byte view (its length and bytes): such values are told apart
/// by the view, one integer, without hashing or comparing their text, and
/// a run of one value by the last view; longer ones by their text. A view
/// not seen before is looked up by its text too, so two views of one text
/// (were a view's unused bytes ever not zero) still get one code.
#[derive(Default)]
pub struct FirstSeen<'a> {
    short: PlHashMap<u128, u32>,
    by_text: PlHashMap<&'a str, u32>,
    texts: Vec<&'a str>,
    last: Option<(u128, u32)>,
}

impl<'a> FirstSeen<'a> {
    /// The code of the value whose view is `view`; `value` gives its text,
    /// asked for only where the view does not tell it (a long value, or a
    /// view not seen before).
    #[inline]
    pub fn code(
        &mut self,
        view: &polars_arrow::array::View,
        value: impl FnOnce() -> &'a str,
    ) -> u32 {
        if view.length <= 12 {
            let bits = view.as_u128();
            if let Some((seen, code)) = self.last {
                if seen == bits {
                    return code;
                }
            }
            let code = match self.short.get(&bits) {
                Some(&code) => code,
                None => {
                    let code = self.by_text(value());
                    self.short.insert(bits, code);
                    code
                }
            };
            self.last = Some((bits, code));
            code
        } else {
            self.by_text(value())
        }
    }

    /// The code of `text`, a new one if it was not seen.
    fn by_text(&mut self, text: &'a str) -> u32 {
        let next = self.texts.len() as u32;
        let code = *self.by_text.entry(text).or_insert(next);
        if code == next {
            self.texts.push(text);
        }
        code
    }

    /// The codes of `array`'s values in row order (`None`: a null), each
    /// handed to `each` with its row and the number of texts seen through
    /// that row; `each` returning `false` stops. Only the views are read
    /// where they tell the values apart (no text of a short value is made
    /// but a new one's).
    pub fn code_array(
        &mut self,
        array: &'a polars_arrow::array::Utf8ViewArray,
        mut each: impl FnMut(usize, Option<u32>, usize) -> bool,
    ) {
        use polars_arrow::array::Array;
        let views = array.views();
        match array.validity().filter(|v| v.unset_bits() > 0) {
            None => {
                for (i, view) in views.iter().enumerate() {
                    let code = self.code(view, || array.value(i));
                    if !each(i, Some(code), self.texts.len()) {
                        return;
                    }
                }
            }
            Some(valid) => {
                for (i, (view, valid)) in views.iter().zip(valid.iter()).enumerate() {
                    let code = valid.then(|| self.code(view, || array.value(i)));
                    if !each(i, code, self.texts.len()) {
                        return;
                    }
                }
            }
        }
    }

    /// The texts seen, in code order.
    pub fn texts(&self) -> &[&'a str] {
        &self.texts
    }
}

/// Text columns `columns` of `df` parsed as `%Y-%m-%d %H:%M` datetimes
/// (tests write their fixtures' times as text).
#[cfg(test)]
pub fn parse_datetimes(df: &mut DataFrame, columns: &[&str]) {
    for c in columns {
        let parsed = df
            .column(c)
            .unwrap()
            .str()
            .unwrap()
            .as_datetime(
                Some("%Y-%m-%d %H:%M"),
                TimeUnit::Milliseconds,
                false,
                false,
                None,
                &StringChunked::from_slice("".into(), &["raise"]),
            )
            .unwrap();
        df.with_column(parsed.into_series().into()).unwrap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn first_seen_codes_every_text_once_in_the_order_first_seen() {
        // 5 000 short texts (coded by their views), 50 long ones (by text)
        // and an empty one, each met again out of order and in runs.
        let mut texts: Vec<String> = (0..5_000).map(|i| format!("W{i}")).collect();
        texts.push(String::new());
        texts.extend((0..50).map(|i| format!("一个很长的窗口名称{i}")));
        let order: Vec<usize> = (0..3 * texts.len())
            .map(|i| (i * 7_919) % texts.len())
            .flat_map(|i| std::iter::repeat_n(i, 1 + i % 3))
            .collect();
        let values: Vec<&str> = order.iter().map(|&i| texts[i].as_str()).collect();
        let array = polars_arrow::array::Utf8ViewArray::from_slice_values(&values);
        let mut first = FirstSeen::default();
        let mut codes: Vec<u32> = Vec::new();
        let mut distinct = Vec::new();
        first.code_array(&array, |i, code, seen| {
            assert_eq!(i, codes.len());
            codes.push(code.expect("no nulls"));
            distinct.push(seen);
            true
        });
        let mut expected: std::collections::HashMap<&str, u32> = Default::default();
        let mut seen: Vec<&str> = Vec::new();
        for (value, code) in values.iter().zip(&codes) {
            let want = *expected.entry(value).or_insert_with(|| {
                seen.push(value);
                seen.len() as u32 - 1
            });
            assert_eq!(*code, want, "{value}");
        }
        assert_eq!(first.texts(), seen.as_slice());
        assert_eq!(seen.len(), texts.len());
        // A view of a short text with stray bytes past its length is
        // another view of the same text: the same code.
        let mut stray = polars_arrow::array::View::new_inline(b"W1");
        stray.prefix |= u32::from(b'x') << 16;
        assert_ne!(
            stray.as_u128(),
            polars_arrow::array::View::new_inline(b"W1").as_u128()
        );
        assert_eq!(first.code(&stray, || "W1"), expected["W1"]);
        assert_eq!(first.texts().len(), texts.len());
        // The texts seen through each row: one more at each first sight.
        let mut most = 0;
        for (code, n) in codes.iter().zip(&distinct) {
            most = most.max(*code as usize + 1);
            assert_eq!(*n, most);
        }
    }

    #[test]
    fn by_row_runs_gives_the_frame_of_one_run() {
        let n = crate::parallel::MIN_PARALLEL_ROWS * 3 + 5;
        let df = df!("x" => (0..n as i64).collect::<Vec<_>>()).unwrap();
        let f = |d: &DataFrame| -> Result<DataFrame> {
            let x = d.column("x")?.i64()?;
            let kept: Vec<i64> = x.into_no_null_iter().filter(|v| v % 3 != 0).collect();
            let text: Vec<String> = kept.iter().map(|v| format!("第{v}件")).collect();
            Ok(df!("x" => kept, "t" => text)?)
        };
        let whole = f(&df).unwrap();
        let runs = by_row_runs(&df, f).unwrap();
        assert!(runs.equals_missing(&whole));
        assert_eq!(runs.height(), n - n.div_ceil(3));
        assert_eq!(runs.column("x").unwrap().n_chunks(), 1);
    }

    #[test]
    fn values_or_and_options_of_read_every_chunk_with_nulls_in_their_place() {
        let mut ca = Int32Chunked::from_slice("x".into(), &[1, 2, 3]);
        ca.append(&Int32Chunked::from_iter_options(
            "x".into(),
            [Some(4), None, Some(6)].into_iter(),
        ))
        .unwrap();
        ca.append(&Int32Chunked::from_iter_options(
            "x".into(),
            [None].into_iter(),
        ))
        .unwrap();
        assert_eq!(ca.chunks().len(), 3);
        assert_eq!(values_or(&ca, -9), [1, 2, 3, 4, -9, 6, -9]);
        let read = [Some(1), Some(2), Some(3), Some(4), None, Some(6), None];
        assert_eq!(options_of(&ca), read);
        assert_eq!(options_of(&ca), ca.iter().collect::<Vec<_>>());
        assert_eq!(
            values_or(&Int32Chunked::from_slice("x".into(), &[]), -9),
            [0i32; 0]
        );
    }

    #[test]
    fn dates_round_trip_through_a_date_column() {
        assert_eq!(epoch_days(day("1970-01-01")), 0);
        assert_eq!(epoch_days(day("1969-12-31")), -1);
        assert_eq!(epoch_days(day("2024-10-08")), 20004);
        let dates = [Some(day("2024-02-29")), None, Some(day("1969-07-20"))];
        let column = date_series("d", dates.iter().copied()).unwrap();
        assert_eq!(column.dtype(), &DataType::Date);
        assert_eq!(dates_of(&column).unwrap(), dates);
        let df = DataFrame::new(3, vec![column]).unwrap();
        assert_eq!(
            opt_epoch_days(&df, "d").unwrap(),
            vec![Some(epoch_days(day("2024-02-29"))), None, Some(-165)]
        );
    }

    #[test]
    fn dates_of_many_rows_over_few_days_are_the_days_themselves() {
        // More rows than days between the first and last (the looked-up
        // path), over a leap day and a year's turn, with nulls.
        let first = day("2023-12-30");
        let dates: Vec<Option<NaiveDate>> = (0..400)
            .map(|i| match i % 9 {
                0 => None,
                _ => Some(first + chrono::Days::new((i * 37 % 70) as u64)),
            })
            .collect();
        let column = date_series("d", dates.iter().copied()).unwrap();
        assert_eq!(dates_of(&column).unwrap(), dates);
        assert!(dates.contains(&Some(day("2024-02-29"))));
        let none = date_series("d", [None::<NaiveDate>, None].into_iter()).unwrap();
        assert_eq!(dates_of(&none).unwrap(), vec![None, None]);
    }

    #[test]
    fn a_date_literal_compares_with_a_date_column() {
        let df = DataFrame::new(
            3,
            vec![date_series(
                "d",
                ["2024-09-30", "2024-10-01", "2024-10-02"]
                    .into_iter()
                    .map(|s| Some(day(s))),
            )
            .unwrap()],
        )
        .unwrap();
        let kept = df
            .lazy()
            .filter(col("d").gt_eq(date_lit(day("2024-10-01"))))
            .collect_streaming()
            .unwrap();
        assert_eq!(
            dates_of(kept.column("d").unwrap()).unwrap(),
            vec![Some(day("2024-10-01")), Some(day("2024-10-02"))]
        );
    }

    #[test]
    fn text_columns_keep_or_blank_their_nulls() {
        let df =
            df!("s" => [Some("甲"), None, Some("b")], "n" => [Some(1i64), None, Some(3)]).unwrap();
        assert_eq!(
            opt_strings(&df, "s").unwrap(),
            vec![Some("甲".to_string()), None, Some("b".to_string())]
        );
        assert_eq!(strings(&df, "s").unwrap(), vec!["甲", "", "b"]);
        // Cast first: a number column reads as its digits.
        assert_eq!(strings(&df, "n").unwrap(), vec!["1", "", "3"]);
        assert!(opt_strings(&df, "missing").is_err());
    }

    #[test]
    fn number_columns_keep_or_zero_their_nulls() {
        let df = df!(
            "i" => [Some(7i32), None, Some(-2)],
            "f" => [Some(0.5f64), None, Some(2.0)],
        )
        .unwrap();
        assert_eq!(opt_i64s(&df, "i").unwrap(), vec![Some(7), None, Some(-2)]);
        assert_eq!(i64s(&df, "i").unwrap(), vec![7, 0, -2]);
        assert_eq!(
            opt_f64s(&df, "f").unwrap(),
            vec![Some(0.5), None, Some(2.0)]
        );
        assert_eq!(
            opt_f64s(&df, "i").unwrap(),
            vec![Some(7.0), None, Some(-2.0)]
        );
        assert!(i64s(&df, "missing").is_err());
    }

    #[test]
    fn boolean_columns_read_a_null_as_asked() {
        let df = df!("b" => [Some(true), None, Some(false)]).unwrap();
        assert_eq!(bools_or(&df, "b", false).unwrap(), vec![true, false, false]);
        assert_eq!(bools_or(&df, "b", true).unwrap(), vec![true, true, false]);
    }

    #[test]
    fn datetimes_read_as_milliseconds_whatever_their_unit() {
        let at = day("2024-10-08").and_hms_milli_opt(9, 1, 2, 345).unwrap();
        let ms = at.and_utc().timestamp_millis();
        for unit in [
            TimeUnit::Milliseconds,
            TimeUnit::Microseconds,
            TimeUnit::Nanoseconds,
        ] {
            let df = df!("t" => [Some(at), None])
                .unwrap()
                .lazy()
                .with_column(col("t").cast(DataType::Datetime(unit, None)))
                .collect()
                .unwrap();
            assert_eq!(
                opt_millis(&df, "t").unwrap(),
                vec![Some(ms), None],
                "{unit:?}"
            );
            assert_eq!(opt_datetimes(&df, "t").unwrap(), vec![Some(at), None]);
        }
    }
}
