//! Electronic supervision end to end: red and yellow cards over successive
//! run dates, and the catalog round of a 流程再造 reproduced from a seed.

use crate::common;

use common::{csv_rows, ok};
use std::collections::HashMap;
use std::path::Path;

/// Case C01: accepted Thursday 2026-10-08, promised 3 working days:
/// 10-09 (Fri) is the 1st, 10-10 (Saturday, a National Day 调休 working
/// day) the 2nd, 10-12 (Mon) the 3rd, so the deadline is 10-12. It is
/// completed on 10-14.
/// Write an export file into the inbox.
fn export(inbox: &Path, name: &str, text: &str) {
    std::fs::write(inbox.join(name), text).unwrap();
}

fn card_home() -> tempfile::TempDir {
    let h = crate::common::tempdir();
    let inbox = h.path().join("data/inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    export(
        &inbox,
        "windows.csv",
        "window_id,name,department\nW01,税务窗口,税务局\n",
    );
    export(&inbox, "items.csv", "item_code,name,department,legal_limit_days,promised_limit_days,effective_from\nI01,税务登记,税务局,20,3,2026-01-01\n");
    export(&inbox, "cases.csv", "case_id,item_code,window_id,accepted_at,completed_at\nC01,I01,W01,2026-10-08 09:00,2026-10-14 16:00\n");
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
    // No run recorded the days before: the yellow card of 10-10 is found
    // from the facts (补判), escalated by this run, which raises the red.
    assert_eq!(first.len(), 2, "{first:?}");
    let yellow = first.iter().find(|r| r["colour"] == "yellow").unwrap();
    assert_eq!(
        (
            yellow["raised_on"].as_str(),
            yellow["escalated_on"].as_str(),
            yellow["recorded"].as_str()
        ),
        ("2026-10-10", "2026-10-13", "false")
    );
    let red = first.iter().find(|r| r["colour"] == "red").unwrap();
    assert_eq!(
        (red["raised_on"].as_str(), red["recorded"].as_str()),
        ("2026-10-13", "true")
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
    let h = crate::common::tempdir();
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

/// The store of [`card_home`] with a second case, C02: accepted Thursday
/// 2026-10-08 with 3 working days like C01, suspended Monday 10-12 to
/// Tuesday 10-13 (two working days), completed Tuesday 10-20.
fn suspended_home() -> tempfile::TempDir {
    let h = card_home();
    let inbox = h.path().join("data/inbox");
    export(&inbox, "cases-2.csv", "case_id,item_code,window_id,accepted_at,completed_at\nC02,I01,W01,2026-10-08 10:00,2026-10-20 11:00\n");
    export(
        &inbox,
        "staff.csv",
        "staff_id,name,window_id\n1001,张敏,W01\n",
    );
    export(
        &inbox,
        "suspensions.csv",
        "case_id,kind,start,end,reason\nC02,特别程序,2026-10-12,2026-10-13,现场核查\n",
    );
    ok(h.path(), &["ingest"]);
    h
}

/// The card history shown by `cards --history` (a read), with bounds.
fn shown_history(home: &Path, as_of: &str, bounds: &[&str]) -> Vec<HashMap<String, String>> {
    let mut args = vec!["cards", "--as-of", as_of, "--history", "--format", "csv"];
    args.extend_from_slice(bounds);
    csv_rows(&ok(home, &args))
}

/// (case, colour, raised, escalated, cleared, cleared by, deadline) of each row.
fn walk(rows: &[HashMap<String, String>]) -> Vec<[String; 7]> {
    let mut out: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                "case_id",
                "colour",
                "raised_on",
                "escalated_on",
                "cleared_on",
                "cleared_by",
                "deadline",
            ]
            .map(|c| r[c].clone())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn compute_fills_the_card_history_of_days_no_run_recorded() {
    let h = suspended_home();
    let home = h.path();
    ok(home, &["compute", "--as-of", "2026-10-31"]);
    // Worked by hand (the calendar of 2026: 10-10 is a 调休 working day):
    // C01 is due 10-12: one working day left on 10-10, yellow; red from
    // 10-13; completed 10-14.
    // C02 has one day left on 10-10 too (due 10-12), yellow. The
    // suspension adds 10-12 on 10-12 (due 10-13) and 10-13 on 10-13 (due
    // 10-14): one day left each day, 0 on 10-14, so the same yellow card
    // follows its deadline; red from 10-15; completed 10-20.
    let s = |v: &str| v.to_string();
    let expected = vec![
        [
            s("C01"),
            s("red"),
            s("2026-10-13"),
            s(""),
            s("2026-10-14"),
            s("completed"),
            s("2026-10-12"),
        ],
        [
            s("C01"),
            s("yellow"),
            s("2026-10-10"),
            s("2026-10-13"),
            s("2026-10-14"),
            s("completed"),
            s("2026-10-12"),
        ],
        [
            s("C02"),
            s("red"),
            s("2026-10-15"),
            s(""),
            s("2026-10-20"),
            s("completed"),
            s("2026-10-14"),
        ],
        [
            s("C02"),
            s("yellow"),
            s("2026-10-10"),
            s("2026-10-15"),
            s("2026-10-20"),
            s("completed"),
            s("2026-10-14"),
        ],
    ];
    let stored = csv_rows(&ok(
        home,
        &["query", "SELECT * FROM cards", "--format", "csv"],
    ));
    assert_eq!(walk(&stored), expected);
    assert!(
        stored.iter().all(|r| r["recorded"] == "false"),
        "{stored:?}"
    );
    // `cards --history` shows the same; --from/--to keep the cards open on
    // some day between them.
    assert_eq!(walk(&shown_history(home, "2026-10-31", &[])), expected);
    let c02 = shown_history(home, "2026-10-31", &["--from", "2026-10-15"]);
    assert_eq!(
        c02.iter()
            .map(|r| r["case_id"].as_str())
            .collect::<Vec<_>>(),
        ["C02", "C02"]
    );
    assert!(shown_history(home, "2026-10-31", &["--to", "2026-10-09"]).is_empty());
    // The month's bulletin counts them (no run recorded a card).
    let md = ok(home, &["report", "monthly", "--month", "2026-10"]);
    assert!(md.contains("本月亮黄牌 2 张,红牌 2 张"), "{md}");
}

#[test]
fn the_history_found_from_the_facts_is_what_daily_runs_record() {
    // One store records the cards of every day as the nightly job does;
    // the other only computes on the last day. The histories agree.
    let daily = suspended_home();
    let days: Vec<String> = (6..=22).map(|d| format!("2026-10-{d:02}")).collect();
    for day in &days {
        ok(daily.path(), &["cards", "--as-of", day, "--record"]);
    }
    let once = suspended_home();
    ok(once.path(), &["compute", "--as-of", "2026-10-22"]);
    let recorded = shown_history(daily.path(), "2026-10-22", &[]);
    assert!(
        recorded.iter().all(|r| r["recorded"] == "true"),
        "{recorded:?}"
    );
    assert_eq!(
        walk(&recorded),
        walk(&shown_history(once.path(), "2026-10-22", &[]))
    );
    assert_eq!(recorded.len(), 4);
}

#[test]
fn ratings_invite_lists_the_unrated_cases_of_the_third_working_day() {
    // C01 of card_home, completed Wednesday 10-14: 10-15, 10-16 and Monday
    // 10-19 are the three working days after it. C03 completed 10-14 too
    // and rated 10-15; C04 completed Thursday 10-15 (invited 10-20).
    let h = card_home();
    let home = h.path();
    let inbox = home.join("data/inbox");
    export(&inbox, "cases-2.csv", "case_id,item_code,window_id,staff_id,accepted_at,completed_at\nC03,I01,W01,1001,2026-10-12 09:00,2026-10-14 10:00\nC04,I01,W01,1001,2026-10-13 09:00,2026-10-15 10:00\n");
    export(
        &inbox,
        "staff.csv",
        "staff_id,name,window_id\n1001,张敏,W01\n",
    );
    export(&inbox, "ratings.csv", "rating_id,case_id,window_id,staff_id,rated_at,level,channel\nR1,C03,W01,1001,2026-10-15 11:00,5,评价器\n");
    ok(home, &["ingest"]);
    let on = |day: &str| {
        csv_rows(&ok(
            home,
            &["ratings", "invite", "--as-of", day, "--format", "csv"],
        ))
    };
    assert!(on("2026-10-16").is_empty());
    let list = on("2026-10-19");
    assert_eq!(list.len(), 1, "{list:?}");
    let c01 = &list[0];
    assert_eq!(
        [
            c01["case_id"].as_str(),
            c01["item_name"].as_str(),
            c01["window_name"].as_str(),
            c01["completed_on"].as_str()
        ],
        ["C01", "税务登记", "税务窗口", "2026-10-14"]
    );
    // The file for the SMS platform holds the same list.
    let written =
        std::fs::read_to_string(home.join("reports/2026-10-19/ratings_invite.csv")).unwrap();
    assert_eq!(csv_rows(&written), list);
    let c04 = on("2026-10-20");
    assert_eq!(
        (
            c04.len(),
            c04[0]["case_id"].as_str(),
            c04[0]["staff_name"].as_str()
        ),
        (1, "C04", "张敏")
    );
}
