//! `xiaoneng rank`: the window ranking and 服务之星 of a period with the
//! assessment grades, the ranking of staff, departments (窗口单位) or, in
//! a province store, centers by the weighted assessment (a read).

use super::*;
use crate::metrics::assessment::{assessed_at, explain_assessment, with_grades};
use crate::metrics::period::Period;
use polars::prelude::*;

/// Who `rank` ranks and what it explains.
pub(super) struct RankOptions<'a> {
    pub level: &'a str,
    pub explain: Option<String>,
    /// With `explain` of a window: only the assessment's metrics.
    pub assessment_only: bool,
}

pub(super) fn rank(
    settings: &Settings,
    period: &Period,
    o: RankOptions,
    as_of: Option<NaiveDate>,
    format: Format,
) -> Result<()> {
    let (level, explain) = (o.level, o.explain);
    use crate::metrics::scoring::{explain as explain_events, ranking_of, RANKING_GRAINS};
    if !RANKING_GRAINS.contains(&period.grain) {
        bail!(
            "{} is a {}: rankings are by month, two months, quarter or year",
            period.label,
            period.grain.name()
        );
    }
    if level == "center" {
        return rank_centers(settings, period, explain, format);
    }
    let store = open_store_read(settings)?;
    let mut tables = reading(&store, settings, as_of)?;
    let assessed = tables.need_table(ASSESSMENT_SCORES)?;
    eprintln!(
        "ranking {} ({}..{}), as of {}",
        period.label, period.start, period.end, tables.as_of
    );
    if let Some(who) = explain {
        if level == "window" && !o.assessment_only {
            let events = tables.need_table(SCORE_EVENTS)?;
            let windows = tables.need_table(WINDOW_SCORES)?;
            let events = explain_events(&events, period, &who)?;
            let summary = crate::metrics::scoring::explain_summary(
                &windows,
                &events,
                period,
                &who,
                &settings.scoring,
            )?;
            said(&tables);
            eprintln!("{summary}");
            print_frame(events, format, crate::view::events_table)?;
            if format != Format::Table {
                return Ok(());
            }
        } else {
            said(&tables);
        }
        let points = tables.need_table(ASSESSMENT_POINTS)?;
        let (line, frame) = explain_assessment(&assessed, &points, period, level, &who)?;
        eprintln!("{line}");
        if format == Format::Table {
            println!("\n考核得分 (维度 → 指标 → 指标值 → 得分):");
        }
        return print_frame(frame, format, crate::view::assessment_points_table);
    }
    if level != "window" {
        said(&tables);
        let rows = assessed_at(&assessed, period, level)?;
        let rows = crate::engine::names::Names::load(&store)?.subjects(rows, level)?;
        return print_frame(rows, format, |df| crate::view::assessment_table(df, level));
    }
    let windows = tables.need_table(WINDOW_SCORES)?;
    let staff = tables.need_table(STAFF_SCORES)?;
    said(&tables);
    let ranking = with_grades(ranking_of(&windows, period)?, &assessed, period)?;
    // Names beside the codes where people read (CSV and JSON keep the
    // columns they had).
    let names = match format {
        Format::Table => crate::engine::names::Names::load(&store)?,
        _ => crate::engine::names::Names::default(),
    };
    let ranking = names.attach(ranking)?;
    print_frame(ranking, format, crate::view::ranking_table)?;
    if format == Format::Table {
        let stars = names.attach(crate::metrics::scoring::stars_of(&staff, period)?)?;
        println!("\n服务之星:");
        print!("{}", crate::view::stars_table(&stars)?);
        let departments = assessed_at(&assessed, period, "department")?;
        println!("\n窗口单位考核排名:");
        print!(
            "{}",
            crate::view::assessment_table(&departments, "department")?
        );
    }
    Ok(())
}

/// `rank --level center`: the centers of a province store graded from
/// their own center-level figures.
fn rank_centers(
    settings: &Settings,
    period: &Period,
    explain: Option<String>,
    format: Format,
) -> Result<()> {
    let graded = crate::province::assess_centers(&settings.store, &settings.assessment, period)?;
    let frames = crate::engine::families::assessment::frames(&graded)?;
    let [assessed, points] = <[DataFrame; 2]>::try_from(frames)
        .map_err(|_| anyhow::anyhow!("the assessment makes two tables"))?;
    if let Some(who) = explain {
        let (line, frame) = explain_assessment(&assessed, &points, period, "center", &who)?;
        eprintln!("{line}");
        return print_frame(frame, format, crate::view::assessment_points_table);
    }
    let rows = assessed_at(&assessed, period, "center")?
        .lazy()
        .with_column(col("key").alias("center"))
        .collect()?;
    print_frame(rows, format, |df| {
        crate::view::assessment_table(df, "center")
    })
}
