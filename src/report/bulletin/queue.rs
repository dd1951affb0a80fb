//! 五、排队叫号: the center's tickets with 环比, waits, no-shows and queue
//! jumps, and the chart of the waits.

use super::{Context, Section};
use crate::metrics::compare::period_view;
use crate::view::{render_markdown, shown_keys, QUEUE_COMPARED};
use anyhow::Result;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    use crate::view::Cell::*;
    let (period, z, this) = (cx.period, cx.z, cx.this);
    let mut md = String::new();
    let mut charts = Vec::new();
    let _ = writeln!(md, "\n## 五、排队叫号\n");
    if let Some(q) = z.queue_metrics {
        if let Some(waits) = z.waits_min {
            charts.push((
                "等候时间分布".to_string(),
                crate::report::charts::wait_chart(waits)?,
            ));
        }
        let v = shown_keys(&period_view(q, period, "center", &QUEUE_COMPARED)?)?;
        md.push_str(&render_markdown(
            &v,
            &[
                ("取号", Count("tickets")),
                ("环比", Change("tickets", "tickets_prev_period")),
                ("平均等候(分)", Decimal("wait_mean_min")),
                ("P90等候(分)", Decimal("wait_p90_min")),
                ("超时率", Percent("over_target_share")),
                ("过号率", Percent("no_show_share")),
                ("插队", Count("queue_jumps")),
            ],
        )?);
    } else {
        let _ = writeln!(md, "{this}无叫号数据。");
    }
    Ok(Section {
        markdown: md,
        tables: Vec::new(),
        charts,
    })
}
