//! 十二、本期无办件窗口: the windows without a rank (no cases in the period).

use super::{Context, Section};
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

/// `ranking`: [`crate::metrics::scoring::ranking_of`] of the period.
pub(super) fn section(cx: &Context, ranking: DataFrame) -> Result<Section> {
    let none = ranking.lazy().filter(col("rank").is_null()).collect()?;
    let ids: Vec<String> = none
        .column("window_id")?
        .str()?
        .iter()
        .flatten()
        .map(|w| match cx.z.names.of("window_id", w) {
            Some(n) => format!("{w} {n}"),
            None => w.to_string(),
        })
        .collect();
    let mut md = String::new();
    let _ = writeln!(md, "\n## 十二、{}无办件窗口\n", cx.this);
    let _ = writeln!(
        md,
        "{}",
        if ids.is_empty() {
            "无。".to_string()
        } else {
            ids.join("、")
        }
    );
    Ok(Section::text(md))
}
