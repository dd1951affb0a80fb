//! The dictionary of a text column, as polars' Parquet writer would build
//! it, built faster.
//!
//! polars tries a dictionary on every text column it writes: it estimates
//! the column's distinct values (HyperLogLog over every value) and, unless
//! more than three quarters are distinct, casts the column to a dictionary
//! (every value hashed and compared with the values seen). Over the
//! metric tables of a city year that was about a twentieth of `compute`'s
//! CPU and more of an ingest's. Most text the store holds is short (codes,
//! levels, periods, dates as text): a value of up to 12 bytes lies whole
//! in its 16-byte view, so it is told apart by the view, one integer, and
//! a run of one value by comparing with the last view
//! ([`crate::polars_ext::FirstSeen`], which the roll-up's key codes use
//! too).
//!
//! The dictionary is the one polars builds (the values in the order first
//! seen, a null keyed 0), so the file written from it is byte for byte the
//! file polars writes (`super::tests`). Where polars' estimate could fall
//! on either side of three quarters, or the values are mostly distinct,
//! this gives up and polars decides as before.

use polars_arrow::array::{Array, DictionaryArray, PrimitiveArray, Utf8ViewArray};
use polars_arrow::datatypes::{ArrowDataType, IntegerType};

/// Rows looked at before deciding whether a column is mostly distinct.
const PROBE: usize = 4096;

/// Of a column's distinct values (a null counted as one, as polars'
/// estimate does), the share below which the dictionary is built here
/// whatever the estimate's error; at and above it polars decides.
const SURELY_DICTIONARY: f64 = 0.5;

/// The column as polars' writer would dictionary-encode it, or `None`
/// where polars is to decide (not text, mostly distinct text, or too near
/// polars' threshold to be sure of its estimate's side).
pub fn text_dictionary(array: &dyn Array) -> Option<DictionaryArray<u32>> {
    let text = array.as_any().downcast_ref::<Utf8ViewArray>()?;
    let len = text.len();
    if len == 0 {
        return None;
    }
    let nulls = text.null_count();
    let mut keys: Vec<u32> = Vec::with_capacity(len);
    let mut first = crate::polars_ext::FirstSeen::default();
    let mut probed_distinct = false;
    first.code_array(text, |i, code, seen| {
        keys.push(code.unwrap_or(0));
        // The first `PROBE` rows coded: mostly distinct, polars decides.
        probed_distinct =
            i + 1 == PROBE && len > 2 * PROBE && seen as f64 > SURELY_DICTIONARY * PROBE as f64;
        !probed_distinct
    });
    if probed_distinct {
        return None;
    }
    let values = first.texts();
    // polars' threshold is three quarters of an estimate; this side of
    // half, no estimate of these counts reaches it (and a column of at
    // most 128 rows takes a dictionary whatever its values).
    let distinct = values.len() + usize::from(nulls > 0);
    if len > 128 && distinct as f64 >= SURELY_DICTIONARY * len as f64 {
        return None;
    }
    let dictionary = Utf8ViewArray::from_slice_values(values);
    let validity = text.validity().filter(|_| nulls > 0).cloned();
    let keys = PrimitiveArray::new(ArrowDataType::UInt32, keys.into(), validity);
    let dtype =
        ArrowDataType::Dictionary(IntegerType::UInt32, Box::new(text.dtype().clone()), false);
    DictionaryArray::try_new(dtype, keys, dictionary.boxed()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    fn array_of(values: &[Option<&str>]) -> Box<dyn Array> {
        let s = Series::new("t".into(), values);
        let text = s.str().unwrap().rechunk();
        let array = text.downcast_iter().next().unwrap().clone();
        array.boxed()
    }

    fn decoded(d: &DictionaryArray<u32>) -> Vec<Option<String>> {
        let values = d.values().as_any().downcast_ref::<Utf8ViewArray>().unwrap();
        d.keys()
            .iter()
            .map(|k| k.map(|k| values.value(*k as usize).to_string()))
            .collect()
    }

    #[test]
    fn values_in_the_order_first_seen_a_null_keyed_nought() {
        let long = "一个超过十二个字节的名称";
        let cells = [
            Some("W02"),
            None,
            Some("W01"),
            Some("W02"),
            Some(long),
            Some("W01"),
            Some(long),
        ];
        let d = text_dictionary(array_of(&cells).as_ref()).unwrap();
        let values = d.values().as_any().downcast_ref::<Utf8ViewArray>().unwrap();
        assert_eq!(
            values.values_iter().collect::<Vec<_>>(),
            ["W02", "W01", long]
        );
        assert_eq!(
            d.keys().values().as_slice(),
            &[0, 0, 1, 0, 2, 1, 2],
            "a null's key is 0"
        );
        assert_eq!(d.keys().null_count(), 1);
        let expected: Vec<Option<String>> = cells.iter().map(|c| c.map(str::to_string)).collect();
        assert_eq!(decoded(&d), expected);
    }

    #[test]
    fn mostly_distinct_text_and_other_columns_are_left_to_polars() {
        let ids: Vec<String> = (0..20_000).map(|i| format!("C{i:08}")).collect();
        let cells: Vec<Option<&str>> = ids.iter().map(|s| Some(s.as_str())).collect();
        assert!(text_dictionary(array_of(&cells).as_ref()).is_none());
        // Distinct only after the probe: still polars' to decide.
        let late: Vec<Option<&str>> = (0..20_000)
            .map(|i| Some(if i < PROBE { "同" } else { ids[i].as_str() }))
            .collect();
        assert!(text_dictionary(array_of(&late).as_ref()).is_none());
        // A short column takes a dictionary whatever its values.
        assert!(text_dictionary(array_of(&cells[..100]).as_ref()).is_some());
        let numbers = Series::new("n".into(), [1i64, 2, 3]);
        let numbers = numbers
            .i64()
            .unwrap()
            .downcast_iter()
            .next()
            .unwrap()
            .clone();
        assert!(text_dictionary(&numbers).is_none());
        assert!(text_dictionary(array_of(&[]).as_ref()).is_none());
    }
}
