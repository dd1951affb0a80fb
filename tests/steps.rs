//! Steps (每个环节全程监控) on a fixture worked out by hand, independently of
//! the code: tests/fixtures/steps_small/EXPECTED.md has the working (the
//! calendar of National Day 2024 with its make-up days, every step's
//! working days, limits from the catalog version in force, shares).
//!
//! Five cases: S1 sequential over the holiday, S2 with 审查 and 审核 in
//! parallel, S3 with a 补正 suspension inside its 审查, S4 with an open
//! 审查 past its limit (red card), S5 with an open 审批 one day from its
//! own limit (yellow card). Evaluation date 2024-10-25.

use crate::common;

use common::{csv_rows, ok};
use std::collections::HashMap;
use std::path::Path;

const AS_OF: &str = "2024-10-25";

fn home() -> tempfile::TempDir {
    let h = crate::common::tempdir();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/steps_small");
    let out = ok(h.path(), &["ingest", fixture.to_str().unwrap()]);
    assert!(out.contains("total"), "{out}");
    h
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn num(row: &HashMap<String, String>, c: &str) -> Option<f64> {
    let v = &row[c];
    (!v.is_empty()).then(|| v.parse().unwrap())
}

#[test]
fn every_step_measured_against_its_limit() {
    let h = home();
    let store = xiaoneng::store::Store::open(&h.path().join("data/store")).unwrap();
    let cal = xiaoneng::calendar::Calendar::official();
    let as_of = chrono::NaiveDate::parse_from_str(AS_OF, "%Y-%m-%d").unwrap();
    let tables = xiaoneng::engine::run::case_tables(&store).unwrap();
    let case = xiaoneng::metrics::cases::case_facts(&tables, &cal, as_of).unwrap();
    let steps = store.read("case_steps").unwrap().unwrap();
    let item_steps = store.read("item_steps").unwrap();
    let facts =
        xiaoneng::metrics::steps::step_facts(&steps, item_steps.as_ref(), &case, &cal, as_of)
            .unwrap();
    // (case, seq) → (elapsed, limit, overdue, finished), from EXPECTED.md.
    let expected: [(&str, i64, i64, i64, bool, bool); 18] = [
        ("S1", 1, 0, 0, false, true),
        ("S1", 2, 3, 2, true, true),  // over the make-up Sunday 09-29
        ("S1", 3, 2, 2, false, true), // across National Day
        ("S1", 4, 1, 1, false, true),
        ("S2", 1, 0, 0, false, true),
        ("S2", 2, 2, 2, false, true), // parallel with 审核
        ("S2", 3, 4, 2, true, true),
        ("S2", 4, 2, 2, false, true),
        ("S2", 5, 1, 1, false, true),
        ("S3", 1, 0, 0, false, true),
        ("S3", 2, 4, 1, true, true), // 6 working days less the 补正's 2; 2024-10-08 catalog
        ("S3", 3, 0, 1, false, true),
        ("S3", 4, 0, 1, false, true),
        ("S4", 1, 0, 0, false, true),
        ("S4", 2, 4, 1, true, false), // open, as of 10-25
        ("S5", 1, 0, 0, false, true),
        ("S5", 2, 2, 2, false, true),
        ("S5", 3, 1, 2, false, false), // its own limit 2
    ];
    assert_eq!(facts.height(), expected.len());
    let ids = facts.column("case_id").unwrap().str().unwrap().clone();
    let seq = facts.column("seq").unwrap().i64().unwrap().clone();
    let elapsed = facts.column("elapsed").unwrap().i64().unwrap().clone();
    let limit = facts.column("limit").unwrap().i64().unwrap().clone();
    let overdue = facts.column("overdue").unwrap().bool().unwrap().clone();
    let finished = facts.column("finish").unwrap().is_not_null();
    for (i, (case, s, e, l, o, f)) in expected.iter().enumerate() {
        let got = (
            ids.get(i).unwrap(),
            seq.get(i).unwrap(),
            elapsed.get(i).unwrap(),
            limit.get(i).unwrap(),
            overdue.get(i).unwrap(),
            finished.get(i).unwrap(),
        );
        assert_eq!(got, (*case, *s, *e, *l, *o, *f), "step {case}/{s}");
    }
}

#[test]
fn step_metrics_shares_and_bottlenecks() {
    let h = home();
    let out = ok(
        h.path(),
        &[
            "steps",
            "bottlenecks",
            "--period",
            "2024-10",
            "--as-of",
            AS_OF,
            "--format",
            "csv",
        ],
    );
    let rows = csv_rows(&out);
    let got: Vec<(String, String, f64, f64, f64)> = rows
        .iter()
        .map(|r| {
            (
                r["item_code"].clone(),
                r["step"].clone(),
                num(r, "share_of_case").unwrap(),
                num(r, "mean_days").unwrap(),
                num(r, "days_saved").unwrap(),
            )
        })
        .collect();
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].0.as_str(), got[0].1.as_str()), ("I01", "审查"));
    assert!(close(got[0].2, 7.0 / 12.0) && close(got[0].3, 3.5) && close(got[0].4, 6.0));
    assert_eq!((got[1].0.as_str(), got[1].1.as_str()), ("I02", "审核"));
    assert!(close(got[1].2, 4.0 / 7.0) && close(got[1].3, 4.0) && close(got[1].4, 2.75));
    assert_eq!(rows[0]["others_mean_days"], "0.5");

    let sql = "SELECT period, level, key, steps, with_limit, overdue_steps, mean_elapsed_days, \
               p90_elapsed_days, share_steps, share_step_days, share_case_days, share_of_case \
               FROM step_metrics WHERE grain = 'month'";
    // `steps bottlenecks` only read; `compute` stores the table.
    ok(h.path(), &["compute", "--only", "steps", "--as-of", AS_OF]);
    let rows = csv_rows(&ok(h.path(), &["query", sql, "--format", "csv"]));
    let find = |period: &str, key: &str| {
        rows.iter()
            .find(|r| r["period"] == period && r["key"] == key)
            .unwrap_or_else(|| panic!("no row {period} {key}"))
    };
    // (period, key, steps, with_limit, overdue, mean, p90, share_steps,
    // share_step_days, share_case_days, share_of_case)
    type Row = (
        &'static str,
        &'static str,
        i64,
        i64,
        i64,
        f64,
        f64,
        i64,
        i64,
        i64,
        Option<f64>,
    );
    let expected: [Row; 16] = [
        ("2024-09", "center", 2, 2, 1, 1.5, 2.7, 0, 0, 0, None),
        (
            "2024-10",
            "center",
            14,
            14,
            2,
            9.0 / 7.0,
            3.4,
            13,
            19,
            83,
            Some(19.0 / 83.0),
        ),
        ("2024-09", "1001", 2, 2, 1, 1.5, 2.7, 0, 0, 0, None),
        (
            "2024-10",
            "1001",
            2,
            2,
            1,
            2.0,
            3.6,
            4,
            7,
            24,
            Some(7.0 / 24.0),
        ),
        ("2024-10", "1002", 5, 5, 0, 0.6, 1.6, 4, 3, 24, Some(0.125)),
        (
            "2024-10",
            "1003",
            4,
            4,
            0,
            1.0,
            2.0,
            2,
            2,
            14,
            Some(1.0 / 7.0),
        ),
        (
            "2024-10",
            "1004",
            3,
            3,
            1,
            7.0 / 3.0,
            3.6,
            3,
            7,
            21,
            Some(1.0 / 3.0),
        ),
        (
            "2024-10",
            "W01",
            7,
            7,
            1,
            1.0,
            2.8,
            8,
            10,
            48,
            Some(5.0 / 24.0),
        ),
        (
            "2024-10",
            "W02",
            7,
            7,
            1,
            11.0 / 7.0,
            2.8,
            5,
            9,
            35,
            Some(9.0 / 35.0),
        ),
        ("2024-09", "I01/审查", 1, 1, 1, 3.0, 3.0, 0, 0, 0, None),
        (
            "2024-10",
            "I01/受理",
            2,
            2,
            0,
            0.0,
            0.0,
            2,
            0,
            12,
            Some(0.0),
        ),
        (
            "2024-10",
            "I01/审查",
            1,
            1,
            1,
            4.0,
            4.0,
            2,
            7,
            12,
            Some(7.0 / 12.0),
        ),
        (
            "2024-10",
            "I01/审批",
            2,
            2,
            0,
            1.0,
            1.8,
            2,
            2,
            12,
            Some(1.0 / 6.0),
        ),
        (
            "2024-10",
            "I01/决定",
            2,
            2,
            0,
            0.5,
            0.9,
            2,
            1,
            12,
            Some(1.0 / 12.0),
        ),
        (
            "2024-10",
            "I02/审核",
            1,
            1,
            1,
            4.0,
            4.0,
            1,
            4,
            7,
            Some(4.0 / 7.0),
        ),
        (
            "2024-10",
            "I02/审查",
            2,
            2,
            0,
            2.0,
            2.0,
            1,
            2,
            7,
            Some(2.0 / 7.0),
        ),
    ];
    for (p, k, steps, wl, od, mean, p90, ss, ssd, scd, share) in expected {
        let r = find(p, k);
        let ints: Vec<i64> = [
            "steps",
            "with_limit",
            "overdue_steps",
            "share_steps",
            "share_step_days",
            "share_case_days",
        ]
        .iter()
        .map(|c| r[*c].parse().unwrap())
        .collect();
        assert_eq!(ints, [steps, wl, od, ss, ssd, scd], "{p} {k}");
        assert!(
            close(num(r, "mean_elapsed_days").unwrap(), mean),
            "{p} {k} mean"
        );
        assert!(
            close(num(r, "p90_elapsed_days").unwrap(), p90),
            "{p} {k} p90"
        );
        match (num(r, "share_of_case"), share) {
            (None, None) => {}
            (Some(a), Some(b)) => assert!(close(a, b), "{p} {k} share {a} vs {b}"),
            (a, b) => panic!("{p} {k} share {a:?} vs {b:?}"),
        }
    }
}

#[test]
fn open_steps_raise_cards_on_their_handlers() {
    let h = home();
    let out = ok(
        h.path(),
        &["cards", "--as-of", AS_OF, "--record", "--format", "csv"],
    );
    let rows = csv_rows(&out);
    let steps: Vec<(String, String, String, String, String, String)> = rows
        .iter()
        .filter(|r| !r["step"].is_empty())
        .map(|r| {
            (
                r["case_id"].clone(),
                r["step"].clone(),
                r["staff_id"].clone(),
                r["colour"].clone(),
                r["deadline"].clone(),
                r["remaining_days"].clone(),
            )
        })
        .collect();
    let s = |a: &str| a.to_string();
    assert_eq!(
        steps,
        [
            (
                s("S4"),
                s("2 审查"),
                s("1001"),
                s("red"),
                s("2024-10-22"),
                s("-3")
            ),
            (
                s("S5"),
                s("3 审批"),
                s("1004"),
                s("yellow"),
                s("2024-10-28"),
                s("1")
            ),
        ]
    );
    // The daily report tells a step's card from its case's by the step:
    // S4's case card (accepted Monday 10-21 by 1002 王芳 at W01, I01's
    // three working days: due 10-24, red on 10-25) beside its 审查 card.
    let daily = ok(h.path(), &["report", "daily", "--date", AS_OF]);
    for row in [
        "| 红牌 | S4 | — | W01 | 税务综合窗口 | 1002 | 王芳 | 2024-10-24 | -1 | 2024-10-25 |",
        "| 红牌 | S4 | 2 审查 | W01 | 税务综合窗口 | 1001 | 张伟 | 2024-10-22 | -3 | 2024-10-23 |",
        "| 黄牌 | S5 | 3 审批 | W02 | 市场监管窗口 | 1004 | 刘洋 | 2024-10-28 | 1 | 2024-10-25 |",
    ] {
        assert!(daily.contains(row), "{row} not in\n{daily}");
    }
    // The next day S5's 审批 is finished in a new export: its card clears.
    let later = h.path().join("later");
    std::fs::create_dir_all(&later).unwrap();
    std::fs::write(
        later.join("case_steps-2.csv"),
        "case_id,seq,step,staff_id,started_at,finished_at,limit_days\n\
         S5,3,审批,1004,2024-10-24 11:00:00,2024-10-28 10:00:00,2\n",
    )
    .unwrap();
    ok(h.path(), &["ingest", later.to_str().unwrap()]);
    ok(h.path(), &["cards", "--as-of", "2024-10-28", "--record"]);
    let history = csv_rows(&ok(
        h.path(),
        &[
            "cards",
            "--as-of",
            "2024-10-28",
            "--history",
            "--format",
            "csv",
        ],
    ));
    let s5 = history
        .iter()
        .find(|r| r["case_id"] == "S5" && r["step"] == "3 审批")
        .expect("S5's step card in the history");
    assert_eq!(
        (s5["cleared_on"].as_str(), s5["cleared_by"].as_str()),
        ("2024-10-28", "completed")
    );
}
