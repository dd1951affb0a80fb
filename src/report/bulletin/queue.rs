//! 五、排队叫号: the center's tickets with 环比, waits, no-shows and queue
//! jumps, and the chart of the waits.

use super::{Context, Section};
use crate::metrics::compare::period_view;
use crate::view::{render_markdown, shown_keys, QUEUE_COMPARED};
use anyhow::Result;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    use crate::view::Cell::*;
    let c = |x| crate::view::shown(&crate::metrics::schema::QUEUE, x);
    let (period, z, this) = (cx.period, cx.z, cx.this);
    let mut md = String::new();
    let mut charts = Vec::new();
    let _ = writeln!(md, "\n## 五、排队叫号\n");
    if let Some(q) = z.queue_metrics {
        if let Some(waits) = z.waits_min {
            charts.push(crate::report::charts::wait_chart(waits)?);
        }
        let v = shown_keys(&period_view(q, period, "center", &QUEUE_COMPARED)?)?;
        md.push_str(&render_markdown(
            &v,
            &[
                c("tickets"),
                ("环比", Change("tickets", "tickets_prev_period")),
                c("wait_mean_min"),
                c("wait_p90_min"),
                c("over_target_share"),
                c("no_show_share"),
                c("queue_jumps"),
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
