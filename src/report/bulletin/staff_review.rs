//! 十一、工作人员三在三问: the staff review of the period, by rank (only
//! when `staff_review` has been computed).

use super::{Context, Section};
use crate::view::{render_markdown, staff_review_cells};
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    let Some(review) = cx.z.staff_review else {
        return Ok(Section::default());
    };
    let rows = review
        .clone()
        .lazy()
        .filter(cx.period.holds_row())
        .sort_by_exprs(
            [col("rank"), col("staff_id")],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()?;
    let mut md = String::new();
    let _ = writeln!(md, "\n## 十一、工作人员三在三问\n");
    if rows.height() == 0 {
        let _ = writeln!(md, "{}无数据。", cx.this);
        return Ok(Section::text(md));
    }
    md.push_str(&render_markdown(&rows, &staff_review_cells())?);
    Ok(Section {
        markdown: md,
        tables: vec![("staff_review", rows)],
        charts: Vec::new(),
    })
}
