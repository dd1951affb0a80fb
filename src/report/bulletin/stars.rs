//! 九、服务之星: the period's service stars.

use super::{Context, Section};
use crate::view::render_markdown;
use anyhow::Result;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    use crate::view::Cell::*;
    let stars = crate::metrics::scoring::stars_of(cx.z.staff_scores, cx.period)?;
    let mut md = String::new();
    let _ = writeln!(md, "\n## 九、服务之星\n");
    md.push_str(&render_markdown(
        &stars,
        &[
            ("名次", Count("rank")),
            ("工号", Text("staff_id")),
            ("窗口", Text("window_id")),
            ("得分", Decimal("score")),
        ],
    )?);
    Ok(Section::text(md))
}
