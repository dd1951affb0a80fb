//! The stored rejects, as `xiaoneng rejects` lists them.

use crate::polars_ext::{i64s, strings};
use crate::store::Store;
use anyhow::Result;

/// A stored reject, as listed by `xiaoneng rejects`.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectRow {
    pub run_id: String,
    pub file: String,
    pub table: String,
    pub line: i64,
    pub column: String,
    pub reason: String,
    pub raw: String,
}

/// The stored rejects (of one table, if given): newest run first, then by
/// file and line.
pub fn rejects(store: &Store, table: Option<&str>) -> Result<Vec<RejectRow>> {
    let Some(df) = store.read(crate::store::REJECTS)? else {
        return Ok(Vec::new());
    };
    let text = |c: &str| strings(&df, c);
    let (run, file, tbl, column, reason, raw) = (
        text("run_id")?,
        text("file")?,
        text("table")?,
        text("column")?,
        text("reason")?,
        text("raw")?,
    );
    let line = i64s(&df, "line")?;
    let mut rows: Vec<RejectRow> = (0..df.height())
        .filter(|&i| table.is_none_or(|t| tbl[i] == t))
        .map(|i| RejectRow {
            run_id: run[i].clone(),
            file: file[i].clone(),
            table: tbl[i].clone(),
            line: line[i],
            column: column[i].clone(),
            reason: reason[i].clone(),
            raw: raw[i].clone(),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.run_id
            .cmp(&a.run_id)
            .then(a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });
    Ok(rows)
}
