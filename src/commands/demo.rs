//! `xiaoneng demo`: the synthetic center (county or city) end to end, or the province.

use super::*;

pub(super) fn demo(settings: &Settings, profile: Profile, seed: u64) -> Result<()> {
    let spec = profile.spec(seed);
    let (dir, what, title) = match profile {
        Profile::City => (
            settings.inbox.join(format!("demo-city-seed{seed}")),
            "city",
            "示范市政务服务中心",
        ),
        _ => (
            settings.inbox.join(format!("demo-seed{seed}")),
            "county",
            "示范县行政服务中心",
        ),
    };
    eprintln!("generating the demo {what} center into {}", dir.display());
    let started = std::time::Instant::now();
    let mut lap = std::time::Instant::now();
    let mut stage = |what: &str| {
        eprintln!("{what} in {:.1} s", lap.elapsed().as_secs_f64());
        // What the stage freed goes back before the next one begins.
        crate::memory::give_back_freed_memory();
        lap = std::time::Instant::now();
    };
    let generated = crate::demo::generate(&spec, &settings.calendar, &dir)?;
    stage("generated");
    eprintln!(
        "{} files written ({} rows deliberately malformed); ingesting into {}",
        generated.files.len(),
        generated.malformed_rows,
        settings.store.display()
    );
    let store = open_store(settings)?;
    let report =
        crate::ingest::ingest(&store, &crate::ingest::discover(&[dir])?, &settings.ingest)?;
    print!("{}", report.render(&settings.home));
    stage("ingested");

    // The whole pipeline, then the figures of the latest month.
    // One run: its case and step facts stay for the cards.
    let as_of = crate::engine::as_of::resolve(&store, None)?.date;
    let run = crate::engine::Run::new(&store, settings, as_of);
    let (facts, step_facts, found) = run.commit_with(|run| {
        run.everything()?;
        Ok((run.case_facts()?, run.step_facts()?, run.facts()))
    })?;
    stage("every metric table computed");
    let month = crate::metrics::period::period_of(crate::metrics::period::Grain::Month, as_of);
    // The rows of one level of a stored table, scanned with the filter:
    // the summary shows the center's figures, not the whole table's.
    let level_rows = |name: &str, level: &str| -> Result<Option<polars::prelude::DataFrame>> {
        use polars::prelude::{col, lit};
        let rows = |scan: polars::prelude::LazyFrame| scan.filter(col("level").eq(lit(level)));
        Ok(store.scan(name)?.map(|s| rows(s).collect()).transpose()?)
    };
    let read_level = |name: &str, level: &str| -> Result<polars::prelude::DataFrame> {
        level_rows(name, level)?.with_context(|| format!("{name} was not computed"))
    };
    let center = |name: &str, compared: &[&str]| -> Result<polars::prelude::DataFrame> {
        crate::metrics::compare::period_view(
            &read_level(name, "center")?,
            &month,
            "center",
            compared,
        )
    };
    let cases = crate::metrics::compare::with_targets(
        center("case_metrics", &crate::metrics::compare::CASES_COMPARED)?,
        &settings.targets,
    )?;
    println!("\n办件时效 {} (as of {as_of}):", month.label);
    print!("{}", crate::view::case_table(&cases)?);
    println!("\n好差评 {}:", month.label);
    print!(
        "{}",
        crate::view::ratings_table(&center("rating_metrics", &crate::view::RATINGS_COMPARED)?)?
    );
    println!("\n排队叫号 {}:", month.label);
    print!(
        "{}",
        crate::view::queue_table(&center("queue_metrics", &crate::view::QUEUE_COMPARED)?)?
    );
    let run = crate::engine::cards::cards_of(
        &store,
        &settings.calendar,
        as_of,
        &settings.cards,
        &facts,
        step_facts.as_ref(),
        found.as_ref().and_then(|f| f.derived_cards()),
    )?;
    crate::engine::cards::save(&store, &run)?;
    let (red, yellow) = crate::metrics::cards::red_and_yellow(run.due.iter().map(|c| c.colour));
    // The bulletin of the last month that is over.
    let last_full = crate::metrics::period::previous(&month);
    let bulletin_month = if month.end <= as_of {
        &month
    } else {
        &last_full
    };
    // The card run is saved. Its history is the bulletin's when the
    // bulletin is as of the run's date (the history a nightly run hands
    // its reports; merging the saved cards with the derived ones again
    // took 0.4-0.5 s of a city demo), else let go; the step facts it was
    // found from are let go either way.
    let history = (bulletin_month.end == as_of).then(|| std::sync::Arc::new(run.history));
    drop(run.due);
    drop(step_facts);
    crate::memory::give_back_freed_memory();
    println!("\n电子监察 {as_of}: 红牌 {red} 张, 黄牌 {yellow} 张");
    let zeros =
        crate::metrics::compare::period_rows(&read_level(THREE_ZEROS, "center")?, &month, None)
            .collect()?;
    println!("{}", crate::view::zeros_summary(&zeros)?);
    let ranking = crate::metrics::scoring::ranking_of(
        &store
            .read(WINDOW_SCORES)?
            .with_context(|| format!("{WINDOW_SCORES} was not computed"))?,
        &month,
    )?;
    println!("{}", crate::view::ranking_summary(&ranking)?);
    if let Some(items) = store.read("items")? {
        if let Some(r) = crate::engine::catalog::latest_catalog_round(&items)? {
            println!(
                "\n流程再造 {} → {}: {}",
                r.before,
                r.after,
                r.totals.sentence()
            );
        }
    }
    if let Some(steps) = level_rows(STEP_METRICS, "item_step")? {
        let quarter =
            crate::metrics::period::period_of(crate::metrics::period::Grain::Quarter, as_of);
        if let Some(b) = crate::metrics::steps::bottlenecks(&steps, &quarter)?.first() {
            println!(
                "环节瓶颈 {}: {} 的“{}”环节占办件用时 {},压缩可节省 {:.1} 个工作日 (xiaoneng steps bottlenecks --period {})",
                quarter.label,
                b.item_code,
                b.step,
                crate::view::pct(Some(b.share_of_case)),
                b.days_saved,
                quarter.label
            );
        }
    }
    // As of the month's last day, as `report monthly` reads it: the tables
    // just computed when that is the demo's date, else in memory.
    let mut tables = Reading::new(
        &store,
        settings,
        crate::engine::AsOf::given(bulletin_month.end),
    )?;
    if let Some(found) = found {
        // The facts of the compute, when the bulletin is as of its date.
        tables = tables.with_facts(found.without_steps());
    }
    if let Some(history) = history {
        tables = tables.with_card_history(history);
    }
    let (path, _) = crate::report::write::bulletin(&mut tables, settings, bulletin_month, title)?;
    println!(
        "\n月通报 {}: {}",
        bulletin_month.label,
        path.with_file_name("bulletin.html").display()
    );
    stage("cards, summary and bulletin");
    eprintln!(
        "all in {:.1} s; peak memory {} MiB",
        started.elapsed().as_secs_f64(),
        crate::memory::peak_rss_mib().map_or("?".to_string(), |m| m.to_string())
    );
    eprintln!(
        "\nmore: xiaoneng --home {home} metrics cases --period {p} --level window; xiaoneng --home {home} rank --period {p}",
        home = settings.home.display(),
        p = month.label
    );
    Ok(())
}

/// The demo province: its centers built one at a time into one store,
/// then their case metrics combined.
pub(super) fn province_demo(
    settings: &Settings,
    seed: u64,
    centers: usize,
    keep: bool,
) -> Result<()> {
    use crate::province;
    anyhow::ensure!(
        settings.center_id.is_none(),
        "--center-id: the province demo builds every center itself"
    );
    eprintln!(
        "building {centers} centers of the demo province (1 000 000 cases a year each) into {}",
        settings.store.display()
    );
    println!(
        "center        read     stored  rejected      cases  generate   ingest  compute  peak MiB"
    );
    let started = std::time::Instant::now();
    let runs = province::build_demo(settings, seed, centers, keep, |r| {
        println!(
            "{:<6} {:>11} {:>10} {:>9} {:>10} {:>8.1}s {:>7.1}s {:>7.1}s {:>9}",
            r.center,
            r.read,
            r.stored,
            r.rejected,
            r.cases,
            r.generate_s,
            r.ingest_s,
            r.compute_s,
            r.peak_mib.map_or("?".to_string(), |m| m.to_string())
        );
    })?;
    let total = |f: fn(&province::CenterRun) -> f64| runs.iter().map(f).sum::<f64>();
    println!(
        "{} centers: {} case rows, {} rows stored, {} rejected; generate {:.0} s, ingest {:.0} s, case metrics {:.0} s, all {:.0} s; peak memory {} MiB",
        runs.len(),
        runs.iter().map(|r| r.cases).sum::<u64>(),
        runs.iter().map(|r| r.stored).sum::<u64>(),
        runs.iter().map(|r| r.rejected).sum::<u64>(),
        total(|r| r.generate_s),
        total(|r| r.ingest_s),
        total(|r| r.compute_s),
        started.elapsed().as_secs_f64(),
        crate::memory::peak_rss_mib().map_or("?".to_string(), |m| m.to_string())
    );
    println!(
        "\n办件时效 by center and for the province (全省), combined from the stored case_metrics:"
    );
    province(settings, crate::metrics::period::Grain::Year, None)?;
    eprintln!(
        "\nmore: xiaoneng --home {home} --center-id C001 metrics cases --period 2025-12 --level window",
        home = settings.home.display()
    );
    Ok(())
}
