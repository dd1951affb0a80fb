//! Electronic supervision end to end: red and yellow cards over successive
//! run dates, and the catalog round of a 流程再造 reproduced from a seed.

mod common;

use common::{csv_rows, ok};
use std::collections::HashMap;
use std::path::Path;

/// Case C01: accepted Thursday 2026-10-08, promised 3 working days:
/// 10-09 (Fri) is the 1st, 10-10 (Saturday, a National Day 调休 working
/// day) the 2nd, 10-12 (Mon) the 3rd, so the deadline is 10-12. It is
/// completed on 10-14.
fn card_home() -> tempfile::TempDir {
    let h = tempfile::tempdir().unwrap();
    let inbox = h.path().join("data/inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::fs::write(
        inbox.join("windows.csv"),
        "window_id,name,department\nW01,税务窗口,税务局\n",
    )
    .unwrap();
    std::fs::write(
        inbox.join("items.csv"),
        "item_code,name,department,legal_limit_days,promised_limit_days,effective_from\nI01,税务登记,税务局,20,3,2026-01-01\n",
    )
    .unwrap();
    std::fs::write(
        inbox.join("cases.csv"),
        "case_id,item_code,window_id,accepted_at,completed_at\nC01,I01,W01,2026-10-08 09:00,2026-10-14 16:00\n",
    )
    .unwrap();
    ok(h.path(), &["ingest"]);
    h
}

fn history(home: &Path, as_of: &str) -> Vec<HashMap<String, String>> {
    csv_rows(&ok(
        home,
        &[
            "cards",
            "--as-of",
            as_of,
            "--record",
            "--history",
            "--format",
            "csv",
        ],
    ))
}

#[test]
fn a_case_walks_from_no_card_to_yellow_to_red_to_cleared() {
    let h = card_home();
    let home = h.path();
    // 10-09: two working days left (10-10, 10-12): no card.
    assert!(history(home, "2026-10-09").is_empty());
    // 10-10 (调休 Saturday): one day left: yellow.
    let rows = history(home, "2026-10-10");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0]["colour"].as_str(), rows[0]["raised_on"].as_str()),
        ("yellow", "2026-10-10")
    );
    assert_eq!(
        (
            rows[0]["deadline"].as_str(),
            rows[0]["remaining_days"].as_str()
        ),
        ("2026-10-12", "1")
    );
    // 10-12: deadline day, 0 left: still the same yellow card.
    let rows = history(home, "2026-10-12");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["remaining_days"], "0");
    // 10-13: past the deadline: red, and the yellow card escalated.
    let rows = history(home, "2026-10-13");
    assert_eq!(rows.len(), 2);
    let red = rows.iter().find(|r| r["colour"] == "red").unwrap();
    let yellow = rows.iter().find(|r| r["colour"] == "yellow").unwrap();
    assert_eq!(
        (red["raised_on"].as_str(), red["remaining_days"].as_str()),
        ("2026-10-13", "-1")
    );
    assert_eq!(yellow["escalated_on"], "2026-10-13");
    // 10-14: completed: both cleared on the completion date.
    let rows = history(home, "2026-10-14");
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|r| r["cleared_on"] == "2026-10-14" && r["cleared_by"] == "completed"),
        "{rows:?}"
    );
    // A second run on the same date adds no row and changes nothing.
    assert_eq!(history(home, "2026-10-14"), rows);
}

#[test]
fn a_rerun_on_the_same_date_raises_nothing_twice() {
    let h = card_home();
    let first = history(h.path(), "2026-10-13");
    let second = history(h.path(), "2026-10-13");
    assert_eq!(
        first.len(),
        1,
        "the first run on 10-13 raises the red card only"
    );
    assert_eq!(first, second);
    let due = csv_rows(&ok(
        h.path(),
        &["cards", "--as-of", "2026-10-13", "--format", "csv"],
    ));
    assert_eq!(due.len(), 1, "only the red card is due on 10-13: {due:?}");
    assert_eq!(due[0]["colour"], "red");
}

#[test]
fn the_seed_catalog_round_is_reproduced_as_a_sentence() {
    let h = tempfile::tempdir().unwrap();
    let items =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/catalog_round/items.csv");
    ok(h.path(), &["ingest", items.to_str().unwrap()]);
    let out = ok(
        h.path(),
        &[
            "catalog",
            "compare",
            "--from",
            "2014-06-01",
            "--to",
            "2015-12-31",
        ],
    );
    let first = out.lines().next().unwrap();
    assert_eq!(
        first,
        "涉及22个部门201个审批事项,累计削减申报材料79项,削减审批环节178个,总承诺时限由11184个工作日压缩至2726个工作日,共压缩了8458个工作日,总压缩率为75.63%,即办件由15项增加到94项"
    );
    let per_item = csv_rows(&ok(
        h.path(),
        &[
            "catalog",
            "compare",
            "--from",
            "2014-06-01",
            "--to",
            "2015-12-31",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(per_item.len(), 201);
    let saved: i64 = per_item
        .iter()
        .map(|r| r["saved_days"].parse::<i64>().unwrap())
        .sum();
    assert_eq!(saved, 8458);
}
