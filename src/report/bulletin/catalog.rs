//! 十、流程再造: the sentence of the latest catalog round, and the chart of
//! the promised-limit compression by department.

use super::{Context, Section};
use anyhow::Result;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    let z = cx.z;
    let mut charts = Vec::new();
    if let Some(items) = z.catalog_items {
        charts.push(crate::report::charts::compression_chart(items)?);
    }
    let mut md = String::new();
    let _ = writeln!(md, "\n## 十、流程再造\n");
    let _ = writeln!(
        md,
        "{}",
        z.catalog_round
            .as_deref()
            .unwrap_or("本期无新的事项目录版本。")
    );
    Ok(Section {
        markdown: md,
        tables: Vec::new(),
        charts,
    })
}
