//! 三、电子监察: the yellow and red cards raised in the period.

use super::{Context, Section};
use crate::metrics::cards::Colour;
use crate::polars_ext::date_lit;
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    let (period, this) = (cx.period, cx.this);
    let mut md = String::new();
    let mut tables = Vec::new();
    let _ = writeln!(md, "\n## 三、电子监察\n");
    match cx.z.cards {
        Some(cards) => {
            let in_period = raised_in(cards, period)?;
            let red = in_period
                .column("colour")?
                .str()?
                .iter()
                .filter(|c| Colour::of_name(*c) == Colour::Red)
                .count();
            let _ = writeln!(
                md,
                "{this}亮黄牌 {} 张,红牌 {red} 张。\n",
                in_period.height() - red
            );
            // The list the supervisor reads: each window's and staff
            // member's name beside the code.
            tables.push(("cards", cx.z.names.attach_always(in_period)?));
        }
        None => {
            let _ = writeln!(md, "{this}未运行电子监察亮牌。\n");
        }
    }
    // Complaints past a deadline are cards too.
    if let Some(cards) = cx.z.complaint_cards {
        let raised = raised_in(cards, period)?;
        let kinds = raised.column("deadline_kind")?.str()?;
        let of = |k: &str| kinds.iter().filter(|x| *x == Some(k)).count();
        let _ = writeln!(
            md,
            "{this}投诉超期亮牌 {} 张(受理超期 {} 张,答复超期 {} 张)。\n",
            raised.height(),
            of("受理"),
            of("答复")
        );
        tables.push(("complaint_cards", cx.z.names.attach_always(raised)?));
    }
    Ok(Section {
        markdown: md,
        tables,
        charts: Vec::new(),
    })
}

/// The cards of a history raised within `period`.
fn raised_in(cards: &DataFrame, period: &crate::metrics::period::Period) -> Result<DataFrame> {
    Ok(cards
        .clone()
        .lazy()
        .filter(
            col("raised_on")
                .gt_eq(date_lit(period.start))
                .and(col("raised_on").lt_eq(date_lit(period.end))),
        )
        .collect()?)
}
