//! 四、群众满意度与差评整改: the center's ratings with 环比, bad ratings and
//! their rectification, and the chart of satisfaction by window.

use super::{Context, Section};
use crate::metrics::compare::period_view;
use crate::view::{render_markdown, shown_keys, RATINGS_COMPARED};
use anyhow::Result;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    use crate::view::Cell::*;
    let c = |x| crate::view::shown(&crate::metrics::schema::RATINGS, x);
    let (period, this) = (cx.period, cx.this);
    let mut md = String::new();
    let mut charts = Vec::new();
    let _ = writeln!(md, "## 四、群众满意度与差评整改\n");
    if let Some(r) = cx.z.rating_metrics {
        let by_window = period_view(r, period, "window", &RATINGS_COMPARED)?;
        charts.push(crate::report::charts::satisfaction_chart(&by_window)?);
        let v = shown_keys(&period_view(r, period, "center", &RATINGS_COMPARED)?)?;
        md.push_str(&render_markdown(
            &v,
            &[
                c("ratings"),
                c("satisfaction_rate"),
                (
                    "环比",
                    Points("satisfaction_rate", "satisfaction_rate_prev_period"),
                ),
                c("good_rate"),
                c("coverage"),
                c("bad_ratings"),
                c("rectified_on_time"),
                c("open_past_limit"),
            ],
        )?);
    } else {
        let _ = writeln!(md, "{this}无评价数据。");
    }
    Ok(Section {
        markdown: md,
        tables: Vec::new(),
        charts,
    })
}
