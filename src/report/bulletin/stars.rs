//! 九、服务之星: the period's service stars.

use super::{Context, Section};
use crate::view::render_markdown;
use anyhow::Result;
use std::fmt::Write;

pub(super) fn section(cx: &Context) -> Result<Section> {
    let stars = crate::metrics::scoring::stars_of(cx.z.staff_scores, cx.period)?;
    let mut md = String::new();
    let _ = writeln!(md, "\n## 九、服务之星\n");
    md.push_str(&render_markdown(
        &stars,
        &crate::view::shown_all(
            &crate::metrics::schema::STAFF_RANKED,
            &crate::view::STAR_FIGURES,
        ),
    )?);
    Ok(Section::text(md))
}
