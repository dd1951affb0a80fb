//! A compute hands each table to the commit's writer and lets it go: a
//! family that draws on it later, or the caller, reads it back from the
//! staged file. What it reads back, and what lands in the store, is what a
//! run that keeps every table in memory computes.

use crate::common;

use polars::prelude::DataFrame;
use std::collections::BTreeMap;
use xiaoneng::config::Settings;
use xiaoneng::engine::family::metric_tables;
use xiaoneng::engine::Run;
use xiaoneng::store::Store;

fn every_table(run: &mut Run) -> BTreeMap<&'static str, Option<DataFrame>> {
    metric_tables()
        .map(|t| (t, run.table(t).unwrap()))
        .collect()
}

fn assert_same(
    what: &str,
    a: &BTreeMap<&str, Option<DataFrame>>,
    b: &BTreeMap<&str, Option<DataFrame>>,
) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (t, x) in a {
        match (x, &b[t]) {
            (Some(x), Some(y)) => {
                assert_eq!(x.schema(), y.schema(), "{what}: the columns of {t}");
                assert!(x.equals_missing(y), "{what}: the rows of {t}");
            }
            (x, y) => assert_eq!(x.is_some(), y.is_some(), "{what}: {t}"),
        }
    }
}

/// The demo county in a folder of its own (kept while the folder lives), its
/// settings, store and date.
fn demo_center() -> (tempfile::TempDir, Settings, Store, chrono::NaiveDate) {
    let home = common::demo_home();
    let settings = Settings::load(home.path(), None).unwrap();
    let store = Store::open(&settings.store).unwrap();
    let as_of = xiaoneng::engine::as_of::resolve(&store, None).unwrap().date;
    (home, settings, store, as_of)
}

#[test]
fn the_tables_a_compute_reads_back_are_those_it_computed() {
    let (_home, settings, store, as_of) = demo_center();

    // Kept in memory: a run without a commit.
    let mut kept = Run::new(&store, &settings, as_of);
    kept.everything().unwrap();
    let kept = every_table(&mut kept);
    assert!(kept.values().filter(|t| t.is_some()).count() >= 20);

    // Let go once written: every table asked for again is read back.
    let read_back = Run::new(&store, &settings, as_of)
        .commit_with(|run| {
            run.everything()?;
            Ok(every_table(run))
        })
        .unwrap();
    assert_same("read back", &kept, &read_back);

    // And the store holds the same tables.
    let stored: BTreeMap<&str, Option<DataFrame>> = metric_tables()
        .map(|t| (t, store.read(t).unwrap()))
        .collect();
    assert_same("stored", &kept, &stored);
}

#[test]
fn a_reader_handed_the_derived_cards_does_not_find_the_step_facts_again() {
    let (_home, settings, store, as_of) = demo_center();

    let mut first = Run::new(&store, &settings, as_of);
    let history = first.card_history().unwrap();
    assert!(!history.is_empty());
    let step_facts = |run: &Run| {
        run.timings()
            .0
            .iter()
            .filter(|(name, _)| *name == "step facts")
            .count()
    };
    assert_eq!(
        step_facts(&first),
        1,
        "the first run derives the cards from its step facts"
    );

    // The demo's bulletin: the facts carried without the step facts.
    let facts = first.facts().unwrap().without_steps();
    let mut reader = Run::new(&store, &settings, as_of).with_facts(facts);
    assert_eq!(*reader.card_history().unwrap(), *history);
    assert_eq!(step_facts(&reader), 0, "{:?}", reader.timings());
}

#[test]
fn a_reader_handed_a_runs_facts_takes_its_refusals_not_its_service_facts() {
    let (_home, settings, store, as_of) = demo_center();
    let found = |run: &Run| {
        run.timings()
            .0
            .iter()
            .filter(|(name, _)| *name == "service facts")
            .count()
    };
    let mut first = Run::new(&store, &settings, as_of);
    let services = first.service_facts().unwrap().expect("the demo has cases");
    let from = as_of - chrono::Duration::days(365);
    let expected = xiaoneng::metrics::services::refusals_between(&services, from, as_of).unwrap();
    assert!(expected.height() > 0, "the demo refuses some cases");
    // The bulletin's refusals come from what the run kept of them...
    let mut reader = Run::new(&store, &settings, as_of).with_facts(first.facts().unwrap());
    let refusals = reader.refusals_between(from, as_of).unwrap().unwrap();
    assert!(refusals.equals_missing(&expected));
    assert_eq!(found(&reader), 0, "{:?}", reader.timings());
    // ...the service facts themselves are not kept: asked for, found again.
    let again = reader.service_facts().unwrap().unwrap();
    assert!(again.equals_missing(&services));
    assert_eq!(found(&reader), 1, "{:?}", reader.timings());
}
