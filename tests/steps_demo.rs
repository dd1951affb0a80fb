//! Steps on the whole demo county: the item the generator plants with a
//! clear bottleneck comes first in `steps bottlenecks`, and no case's steps
//! hold more working days than the case itself, beyond what parallel
//! steps (并联审批) explain.

use crate::common;

use common::{csv_rows, ok};
use std::collections::BTreeMap;

#[test]
fn the_planted_bottleneck_leads_and_steps_fit_in_their_cases() {
    let h = common::demo_home();
    let cal = xiaoneng::calendar::Calendar::official();
    let (item, step) =
        xiaoneng::demo::planted_bottleneck(&xiaoneng::demo::DemoSpec::default(), &cal).unwrap();
    for period in ["2026-Q3", "2026"] {
        let rows = csv_rows(&ok(
            h.path(),
            &[
                "steps",
                "bottlenecks",
                "--period",
                period,
                "--as-of",
                "2026-10-31",
                "--format",
                "csv",
            ],
        ));
        assert!(rows.len() > 10, "{period}: {} items", rows.len());
        assert_eq!(
            (rows[0]["item_code"].as_str(), rows[0]["step"].as_str()),
            (item.as_str(), step),
            "{period}: the planted bottleneck is not first"
        );
        let share: f64 = rows[0]["share_of_case"].parse().unwrap();
        assert!(share > 0.7, "{period}: its share is only {share}");
    }

    // Every completed case with steps: group its steps into runs that
    // overlap in time (parallel steps); the longest step of each run,
    // summed over the runs, is at most the case's elapsed days.
    let store = xiaoneng::store::Store::open(&h.path().join("data/store")).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
    let tables = xiaoneng::engine::run::case_tables(&store).unwrap();
    let case = xiaoneng::metrics::cases::case_facts(&tables, &cal, as_of).unwrap();
    let steps = store.read("case_steps").unwrap().unwrap();
    let facts = xiaoneng::metrics::steps::step_facts(
        &steps,
        store.read("item_steps").unwrap().as_ref(),
        &case,
        &cal,
        as_of,
    )
    .unwrap();
    // (case, seq) → (started_at, finished_at) to the second.
    let times: BTreeMap<(String, i64), (i64, i64)> = {
        let ids = steps.column("case_id").unwrap().str().unwrap();
        let seq = steps.column("seq").unwrap().i64().unwrap();
        let cast = |c: &str| {
            steps
                .column(c)
                .unwrap()
                .cast(&polars::prelude::DataType::Int64)
                .unwrap()
        };
        let (s, f) = (cast("started_at"), cast("finished_at"));
        let (s, f) = (s.i64().unwrap(), f.i64().unwrap());
        (0..steps.height())
            .filter_map(|i| {
                Some((
                    (ids.get(i)?.to_string(), seq.get(i)?),
                    (s.get(i)?, f.get(i)?),
                ))
            })
            .collect()
    };
    let ids = facts.column("case_id").unwrap().str().unwrap();
    let seq = facts.column("seq").unwrap().i64().unwrap();
    let elapsed = facts.column("elapsed").unwrap().i64().unwrap();
    let case_elapsed = facts.column("case_elapsed").unwrap().i64().unwrap();
    let finished = facts.column("finish").unwrap().is_not_null();
    // case → (case elapsed, [(start, finish, step elapsed)])
    type Steps = Vec<(i64, i64, i64)>;
    let mut by_case: BTreeMap<String, (i64, Steps)> = BTreeMap::new();
    for i in 0..facts.height() {
        let (Some(id), Some(s), Some(e), Some(ce), Some(true)) = (
            ids.get(i),
            seq.get(i),
            elapsed.get(i),
            case_elapsed.get(i),
            finished.get(i),
        ) else {
            continue;
        };
        let Some((start, finish)) = times.get(&(id.to_string(), s)) else {
            continue;
        };
        let entry = by_case.entry(id.to_string()).or_insert((ce, Vec::new()));
        entry.1.push((*start, *finish, e));
    }
    let (mut checked, mut parallel) = (0, 0);
    for (id, (case_days, mut steps)) in by_case {
        steps.sort();
        let mut total = 0;
        let (mut run_end, mut run_max) = (i64::MIN, 0);
        for (start, finish, days) in steps {
            if start < run_end {
                // Overlaps the run: a parallel step.
                parallel += 1;
                run_max = run_max.max(days);
                run_end = run_end.max(finish);
            } else {
                total += run_max;
                (run_end, run_max) = (finish, days);
            }
        }
        total += run_max;
        assert!(
            total <= case_days,
            "{id}: its sequential steps hold {total} working days, the case {case_days}"
        );
        checked += 1;
    }
    assert!(checked > 1000, "only {checked} cases with steps checked");
    assert!(parallel > 10, "only {parallel} parallel steps in the demo");
}
