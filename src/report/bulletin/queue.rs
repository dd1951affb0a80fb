//! 五、排队叫号: the center's tickets with 环比, waits, no-shows and queue
//! jumps; the same per queue (the services, busiest first); the crowded
//! half hours of the week (分时段等候) in a sentence; the charts of the
//! waits and the heat map of the waits by weekday and half hour.

use super::{Context, Section};
use crate::metrics::compare::{period_rows, period_view};
use crate::metrics::queue_hours::{crowded_spans, hour_cells, CrowdedSpan};
use crate::view::{render_markdown, shown_keys, QUEUE_COMPARED};
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    use crate::view::Cell::*;
    let c = |x| crate::view::shown(&crate::metrics::schema::QUEUE, x);
    let (period, z, this) = (cx.period, cx.z, cx.this);
    let mut md = String::new();
    let mut charts = Vec::new();
    let mut tables = Vec::new();
    let _ = writeln!(md, "\n## 五、排队叫号\n");
    if let Some(q) = z.queue_metrics {
        if let Some(waits) = z.waits_min {
            charts.push(crate::report::charts::wait_chart(waits)?);
        }
        let figures = [
            c("tickets"),
            ("环比", Change("tickets", "tickets_prev_period")),
            c("wait_mean_min"),
            c("wait_p90_min"),
            c("over_target_share"),
            c("no_show_share"),
            c("queue_jumps"),
        ];
        let v = shown_keys(&period_view(q, period, "center", &QUEUE_COMPARED)?)?;
        md.push_str(&render_markdown(&v, &figures)?);
        // The services, the busiest first.
        let queues = period_view(q, period, "queue", &QUEUE_COMPARED)?
            .lazy()
            .sort_by_exprs(
                [col("tickets"), col("key")],
                SortMultipleOptions::default().with_order_descending_multi([true, false]),
            )
            .collect()?;
        if queues.height() > 0 {
            let _ = writeln!(md, "\n各队列(业务):\n");
            let columns: Vec<_> = [("队列", Text("key"))].into_iter().chain(figures).collect();
            md.push_str(&render_markdown(&queues, &columns)?);
            tables.push(("queues", queues));
        }
    } else {
        let _ = writeln!(md, "{this}无叫号数据。");
    }
    if let Some(hours) = z.queue_hours {
        let center = period_rows(hours, period, Some("center"))
            .sort(["weekday", "slot"], SortMultipleOptions::default())
            .collect()?;
        if center.height() > 0 {
            let rules = z.queue_rules;
            let _ = writeln!(
                md,
                "\n{}",
                crowded_sentence(
                    &crowded_spans(&hour_cells(&center)?),
                    rules.wait_target_minutes,
                    rules.crowded_over,
                )
            );
            charts.push(crate::report::charts::queue_heat_map(
                &center,
                rules.wait_target_minutes as f64,
                rules.crowded_over,
            )?);
            tables.push(("queue_hours", center));
        }
    }
    Ok(Section {
        markdown: md,
        tables,
        charts,
    })
}

/// The bulletin's sentence of the crowded half hours.
fn crowded_sentence(spans: &[CrowdedSpan], target: i64, over: u32) -> String {
    let rule = format!("按取号时间每半小时统计,等候超过 {target} 分钟者日均多于 {over} 人的时段");
    if spans.is_empty() {
        return format!("{rule}:无。");
    }
    let listed: Vec<String> = spans.iter().map(CrowdedSpan::text).collect();
    format!("{rule}:{}。", listed.join("、"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sentence_lists_the_spans_or_says_none() {
        let span = CrowdedSpan {
            weekday: 1,
            first_slot: 19,
            last_slot: 20,
            over_target: 35,
            days: 4,
        };
        assert_eq!(
            crowded_sentence(&[span.clone(), CrowdedSpan { weekday: 2, ..span }], 30, 3),
            "按取号时间每半小时统计,等候超过 30 分钟者日均多于 3 人的时段:周一 09:30–10:30(日均 8.75 人)、周二 09:30–10:30(日均 8.75 人)。"
        );
        assert_eq!(
            crowded_sentence(&[], 20, 5),
            "按取号时间每半小时统计,等候超过 20 分钟者日均多于 5 人的时段:无。"
        );
    }
}
