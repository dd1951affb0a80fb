//! Names beside codes: an item's, a window's and a staff member's name
//! (each one's latest version) joined beside its code column, for the
//! lists people read.

use crate::store::Store;
use anyhow::Result;
use polars::prelude::*;

use std::collections::HashMap;

/// (code column, table, the column that dates a version, name column).
const NAMED: [(&str, &str, &str, &str); 3] = [
    ("item_code", "items", "effective_from", "item_name"),
    ("window_id", "windows", "valid_from", "window_name"),
    ("staff_id", "staff", "valid_from", "staff_name"),
];

/// The names of the store's items, windows and staff (each one's latest
/// version), by code, loaded once for the tables of a report.
#[derive(Debug, Default, Clone)]
pub struct Names {
    /// By code column of [`NAMED`]: code → name.
    by: HashMap<&'static str, HashMap<String, String>>,
}

impl Names {
    pub fn load(store: &Store) -> Result<Names> {
        let mut by = HashMap::new();
        for (code, table, since, _) in NAMED {
            let Some(rows) = store.read_columns(table, None)? else {
                continue;
            };
            let rows = match rows.column(since) {
                Ok(_) => rows.sort([since], SortMultipleOptions::default())?,
                Err(_) => rows,
            };
            let codes = crate::polars_ext::opt_strings(&rows, code)?;
            let names = crate::polars_ext::opt_strings(&rows, "name")?;
            // Sorted by version: the latest name of a code comes last.
            let map: HashMap<String, String> = codes
                .into_iter()
                .zip(names)
                .filter_map(|(c, n)| Some((c?, n?)))
                .collect();
            by.insert(code, map);
        }
        Ok(Names { by })
    }

    /// The name of `code` in a code column (`window_id`, `staff_id`,
    /// `item_code`).
    pub fn of(&self, column: &str, code: &str) -> Option<&str> {
        self.by.get(column)?.get(code).map(String::as_str)
    }

    /// The name of a metric table's `key` at `level` (window, staff,
    /// item; a department's key is its name).
    pub fn of_key(&self, level: &str, key: &str) -> Option<&str> {
        match level {
            "window" => self.of("window_id", key),
            "staff" => self.of("staff_id", key),
            "item" => self.of("item_code", key),
            _ => None,
        }
    }

    /// `df` with `item_name`, `window_name` and `staff_name` right after the
    /// `item_code`, `window_id` and `staff_id` columns it has (null for a
    /// code the store does not know), its rows in their order.
    /// Without the store's names of a kind (no staff roster; a read that
    /// wants none passes `Names::default()`), no column of that kind.
    pub fn attach(&self, df: DataFrame) -> Result<DataFrame> {
        self.attach_names(df, false, &["item_code", "window_id", "staff_id"])
    }

    /// [`Names::attach`] for the windows only (a list that carries its
    /// staff members' names already).
    pub fn attach_windows(&self, df: DataFrame) -> Result<DataFrame> {
        self.attach_names(df, false, &["window_id"])
    }

    /// [`Names::attach`], with every name column even where the store has
    /// no names of its kind (all null).
    pub fn attach_always(&self, df: DataFrame) -> Result<DataFrame> {
        self.attach_names(df, true, &["item_code", "window_id", "staff_id"])
    }

    fn attach_names(&self, df: DataFrame, always: bool, codes: &[&str]) -> Result<DataFrame> {
        let mut columns: Vec<Column> = Vec::new();
        for c in df.columns() {
            columns.push(c.clone());
            let Some(&(code, _, _, alias)) = NAMED.iter().find(|n| n.0 == c.name().as_str()) else {
                continue;
            };
            if !codes.contains(&code)
                || df.column(alias).is_ok()
                || !(always || self.by.contains_key(code))
            {
                continue;
            }
            let codes = c.cast(&DataType::String)?;
            let names: Vec<Option<&str>> = codes
                .str()?
                .iter()
                .map(|k| k.and_then(|k| self.of(code, k)))
                .collect();
            columns.push(Column::new(alias.into(), names));
        }
        Ok(DataFrame::new(df.height(), columns)?)
    }

    /// A metric table's rows with `key_name` after `key`: the name of each
    /// row's key at its `level` (null for a department, the center and a
    /// code the store does not know).
    pub fn key_names(&self, df: DataFrame) -> Result<DataFrame> {
        self.key_names_at(df, None)
    }

    /// [`Names::key_names`] of rows all at `level` when the frame has no
    /// `level` column.
    pub fn key_names_at(&self, df: DataFrame, level: Option<&str>) -> Result<DataFrame> {
        if df.column("key_name").is_ok() {
            return Ok(df);
        }
        let keys = crate::polars_ext::opt_strings(&df, "key")?;
        let levels = match (df.column("level"), level) {
            (Ok(_), _) | (Err(_), None) => crate::polars_ext::opt_strings(&df, "level")?,
            (Err(_), Some(l)) => vec![Some(l.to_string()); df.height()],
        };
        let names: Vec<Option<&str>> = keys
            .iter()
            .zip(&levels)
            .map(|(k, l)| self.of_key(l.as_deref()?, k.as_deref()?))
            .collect();
        let at = df.get_column_index("key").map_or(df.width(), |i| i + 1);
        let mut df = df;
        df.insert_column(at, Column::new("key_name".into(), names))?;
        Ok(df)
    }
}

/// `df` with `item_name`, `window_name` and `staff_name` right after the
/// `item_code`, `window_id` and `staff_id` columns it has (null for a code
/// the store does not know), its rows in their order.
pub fn with_names(store: &Store, df: DataFrame) -> Result<DataFrame> {
    Names::load(store)?.attach_always(df)
}

impl Names {
    /// Rows of a table keyed by (`level`, `key`) at one level, with the
    /// key under its code column (`window_id`, `staff_id`; a department
    /// and a center keep `key`) and the name beside it.
    pub fn subjects(&self, df: DataFrame, level: &str) -> Result<DataFrame> {
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
        self.attach_always(df)
    }
}
