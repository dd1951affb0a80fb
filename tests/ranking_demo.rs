//! Rankings over the whole demo: every score is the base plus the points of
//! its events, and a rule changed in the configuration changes the ranking.

use crate::common;

use common::demo_home;
use polars::prelude::*;
use std::collections::HashMap;
use xiaoneng::config::Settings;
use xiaoneng::store::Store;

/// Every score as of the store's date, computed in memory.
fn scores(store: &Store, settings: &Settings) -> (xiaoneng::metrics::scoring::Scores, ()) {
    let as_of = xiaoneng::engine::as_of::resolve(store, None).unwrap();
    let mut run = xiaoneng::engine::Run::new(store, settings, as_of.date);
    let table = |run: &mut xiaoneng::engine::Run, t: &str| run.need_table(t).unwrap();
    let scores = xiaoneng::metrics::scoring::Scores {
        windows: table(&mut run, "window_scores"),
        events: table(&mut run, "score_events"),
        staff: table(&mut run, "staff_scores"),
    };
    (scores, ())
}

fn strings(df: &DataFrame, c: &str) -> Vec<String> {
    df.column(c)
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

fn floats(df: &DataFrame, c: &str) -> Vec<f64> {
    df.column(c)
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect()
}

#[test]
fn every_score_is_the_base_plus_its_events_over_the_whole_demo() {
    let home = demo_home();
    let settings = Settings::load(home.path(), None).unwrap();
    let store = Store::open(&settings.store).unwrap();
    let (scores, _) = scores(&store, &settings);

    let (eg, ep, ew, pts) = (
        strings(&scores.events, "grain"),
        strings(&scores.events, "period"),
        strings(&scores.events, "window_id"),
        floats(&scores.events, "points"),
    );
    let mut sums: HashMap<(String, String, String), (f64, i64)> = HashMap::new();
    for i in 0..scores.events.height() {
        let s = sums
            .entry((eg[i].clone(), ep[i].clone(), ew[i].clone()))
            .or_default();
        s.0 += pts[i];
        s.1 += 1;
    }
    let w = &scores.windows;
    let (g, p, win, score, events) = (
        strings(w, "grain"),
        strings(w, "period"),
        strings(w, "window_id"),
        floats(w, "score"),
        floats(w, "events"),
    );
    let periods: std::collections::HashSet<(String, String)> =
        g.iter().cloned().zip(p.iter().cloned()).collect();
    // 13 months, 7 two-month periods, 5 quarters and 2 years of 27 windows.
    assert_eq!(periods.len(), 13 + 7 + 5 + 2, "{periods:?}");
    assert_eq!(w.height(), periods.len() * 27);
    for i in 0..w.height() {
        let (sum, n) = sums
            .get(&(g[i].clone(), p[i].clone(), win[i].clone()))
            .copied()
            .unwrap_or((0.0, 0));
        assert!(
            (100.0 + sum - score[i]).abs() < 1e-9,
            "{} {} {}: 100 + {sum} != {}",
            g[i],
            p[i],
            win[i],
            score[i]
        );
        assert_eq!(n as f64, events[i], "{} {} {}", g[i], p[i], win[i]);
    }
    // Every period has its red flags and its last window to rectify.
    let bands = strings(w, "band");
    for (grain, period) in &periods {
        let of = |b: &str| {
            (0..w.height())
                .filter(|&i| &g[i] == grain && &p[i] == period && bands[i] == b)
                .count()
        };
        assert_eq!(of("红旗窗口"), 3, "{grain} {period}");
        assert_eq!(of("限期整改"), 1, "{grain} {period}");
        assert_eq!(of("末位"), 2, "{grain} {period}");
    }
}

fn ranking(scores: &DataFrame, period: &str) -> Vec<String> {
    let top = scores
        .clone()
        .lazy()
        .filter(col("period").eq(lit(period)).and(col("rank").is_not_null()))
        .sort(["rank"], SortMultipleOptions::default())
        .collect()
        .unwrap();
    strings(&top, "window_id")
}

#[test]
fn a_rule_changed_in_the_config_changes_the_ranking() {
    let home = demo_home();
    let settings = Settings::load(home.path(), None).unwrap();
    let store = Store::open(&settings.store).unwrap();
    let (before, _) = scores(&store, &settings);
    let period = "2026-Q3";
    // Queue jumps happen at a few windows only (the demo plants them at three).
    let jumps = before
        .events
        .clone()
        .lazy()
        .filter(
            col("period")
                .eq(lit(period))
                .and(col("kind").eq(lit("queue_jump"))),
        )
        .group_by([col("window_id")])
        .agg([len().alias("n")])
        .sort(
            ["n"],
            SortMultipleOptions::default().with_order_descending(true),
        )
        .collect()
        .unwrap();
    // The windows with the most jumps (the demo may plant as many at two).
    let most = jumps.column("n").unwrap().u32().unwrap().get(0).unwrap();
    let jumpers: Vec<String> = strings(&jumps, "window_id")
        .into_iter()
        .zip(jumps.column("n").unwrap().u32().unwrap().iter())
        .filter(|(_, n)| *n == Some(most))
        .map(|(w, _)| w)
        .collect();
    drop(store);

    std::fs::write(
        home.path().join("xiaoneng.toml"),
        "[scoring]\nqueue_jump = -100.0\n",
    )
    .unwrap();
    let settings = Settings::load(home.path(), None).unwrap();
    let store = Store::open(&settings.store).unwrap();
    let (after, _) = scores(&store, &settings);
    let (old, new) = (
        ranking(&before.windows, period),
        ranking(&after.windows, period),
    );
    assert_ne!(old, new, "the ranking should change");
    assert!(
        new.last().is_some_and(|w| jumpers.contains(w)),
        "a window with most queue jumps ({jumpers:?}) is last once a jump costs 100:\n{old:?}\n{new:?}"
    );
}
