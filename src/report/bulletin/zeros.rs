//! 七、服务"三零": how many windows achieved the three zeros, and each
//! window's.

use super::{Context, Section};
use crate::metrics::compare::period_rows;
use crate::view::render_markdown;
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    use crate::view::Cell::*;
    let c = |x| crate::view::shown(&crate::metrics::schema::ZEROS, x);
    let mut md = String::new();
    let _ = writeln!(md, "\n## 七、服务\"三零\"\n");
    let zeros = period_rows(cx.z.three_zeros, cx.period, None).collect()?;
    let center_row = zeros
        .clone()
        .lazy()
        .filter(col("level").eq(lit("center")))
        .collect()?;
    let _ = writeln!(md, "{}。\n", crate::view::zeros_sentence(&center_row)?);
    let window_rows = cx.z.names.key_names(
        zeros
            .lazy()
            .filter(col("level").eq(lit("window")))
            .collect()?,
    )?;
    md.push_str(&render_markdown(
        &window_rows,
        &[
            ("窗口", Text("key")),
            c("zero_distance"),
            c("zero_error"),
            c("zero_relation"),
            c("all_three"),
        ],
    )?);
    Ok(Section {
        markdown: md,
        tables: vec![("three_zeros", window_rows)],
        charts: Vec::new(),
    })
}
