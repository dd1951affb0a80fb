//! 十、流程再造 (continued): where the time goes, the bottleneck step of
//! each item and the one with the most to save.

use super::{Context, Section};
use crate::metrics::steps::{bottleneck_frame, bottlenecks};
use crate::view::{pct, render_markdown, BOTTLENECK_CELLS};
use anyhow::Result;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    let (z, this) = (cx.z, cx.this);
    let mut md = String::new();
    let _ = writeln!(md, "\n环节瓶颈(各事项用时最长的环节):\n");
    let found = match z.step_metrics {
        Some(sm) => bottlenecks(sm, cx.period)?,
        None => Vec::new(),
    };
    let Some(top) = found.first() else {
        let _ = writeln!(md, "{this}无办结件的环节数据。");
        return Ok(Section::text(md));
    };
    let _ = writeln!(
        md,
        "{this}压缩潜力最大的是 {} 的“{}”环节:占办件用时 {},平均 {:.2} 个工作日,压缩到该事项其他环节的平均用时可节省 {:.1} 个工作日。\n",
        top.item_code,
        top.step,
        pct(Some(top.share_of_case)),
        top.mean_days,
        top.days_saved
    );
    let frame = bottleneck_frame(&found, z.items)?;
    md.push_str(&render_markdown(&frame.head(Some(10)), &BOTTLENECK_CELLS)?);
    Ok(Section {
        markdown: md,
        tables: vec![("bottlenecks", frame)],
        charts: Vec::new(),
    })
}
