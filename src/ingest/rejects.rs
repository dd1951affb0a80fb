//! The stored rejects, as `xiaoneng rejects` lists them.

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
    let text = |c: &str| -> Result<Vec<String>> {
        Ok(df
            .column(c)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect())
    };
    let (run, file, tbl, column, reason, raw) = (
        text("run_id")?,
        text("file")?,
        text("table")?,
        text("column")?,
        text("reason")?,
        text("raw")?,
    );
    let line: Vec<i64> = df
        .column("line")?
        .i64()?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();
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
