//! 八、红旗窗口评比: the ranked windows with their scores and bands (红旗窗口,
//! 末位, 限期整改), the summary line and the chart of the scores.

use super::Section;
use crate::view::{ranking_summary, render_markdown};
use anyhow::Result;
use polars::prelude::*;
use std::fmt::Write;

/// `ranking`: [`crate::metrics::scoring::ranking_of`] of the period.
pub(super) fn section(ranking: &DataFrame) -> Result<Section> {
    let mut md = String::new();
    let _ = writeln!(md, "\n## 八、红旗窗口评比\n");
    let ranked = ranking
        .clone()
        .lazy()
        .filter(col("rank").is_not_null())
        .collect()?;
    md.push_str(&render_markdown(
        &ranked,
        &crate::view::shown_all(
            &crate::metrics::schema::WINDOWS_RANKED,
            &crate::view::RANKING_FIGURES,
        ),
    )?);
    let _ = writeln!(md, "\n{}", ranking_summary(ranking)?);
    Ok(Section {
        markdown: md,
        charts: vec![crate::report::charts::ranking_chart(ranking)?],
        tables: vec![("ranking", ranking.clone())],
    })
}
