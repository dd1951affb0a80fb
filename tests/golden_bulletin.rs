//! The monthly bulletin of a small fixture month, checked in as golden
//! files (Markdown and every CSV table), byte-identical on a second run; and
//! on the demo, the bulletin's figures equal the metric tables queried by SQL.
//! `UPDATE_GOLDEN=1 cargo test --release --test golden_bulletin` rewrites
//! the golden files after an intended change; review the diff.

use crate::common;

use common::{csv_rows, ok};
use std::path::Path;
use xiaoneng::metrics::schema;

const MONTH: &str = "2026-10";

fn fixture_home() -> tempfile::TempDir {
    let home = crate::common::tempdir();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ranking_small");
    ok(home.path(), &["ingest", fixture.to_str().unwrap()]);
    home
}

fn written(home: &Path) -> Vec<(String, String)> {
    let dir = home.join("reports").join(MONTH);
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            // PNG charts are binary: kept as lossy text, enough to compare runs.
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_fixture_bulletin_matches_the_golden_files_and_reruns_identically() {
    let home = fixture_home();
    ok(
        home.path(),
        &[
            "report",
            "monthly",
            "--month",
            MONTH,
            "--center",
            "测试中心",
        ],
    );
    let all = written(home.path());
    ok(
        home.path(),
        &[
            "report",
            "monthly",
            "--month",
            MONTH,
            "--center",
            "测试中心",
        ],
    );
    assert_eq!(
        written(home.path()),
        all,
        "a second run is byte-identical, the HTML included"
    );
    // The HTML embeds the font and the charts; the golden files are the
    // Markdown and the CSV tables.
    let html = &all
        .iter()
        .find(|f| f.0 == "bulletin.html")
        .expect("bulletin.html")
        .1;
    assert!(
        html.contains("@font-face") && html.matches("<svg").count() == 7,
        "font and seven charts (the fixture has no catalog round)"
    );
    assert!(html.contains("红旗窗口评比得分") && html.contains("<td>W02</td>"));
    assert_eq!(
        all.iter().filter(|f| f.0.ends_with(".png")).count(),
        7,
        "each chart also as PNG"
    );
    let first: Vec<(String, String)> = all
        .into_iter()
        .filter(|f| f.0.ends_with(".md") || f.0.ends_with(".csv"))
        .collect();

    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/bulletin_2026-10");
    if std::env::var("UPDATE_GOLDEN").is_ok() {
        let _ = std::fs::remove_dir_all(&golden);
        std::fs::create_dir_all(&golden).unwrap();
        for (name, text) in &first {
            std::fs::write(golden.join(name), text).unwrap();
        }
    }
    let mut want: Vec<(String, String)> = std::fs::read_dir(&golden)
        .expect("golden files (UPDATE_GOLDEN=1 writes them)")
        .map(|e| {
            let p = e.unwrap().path();
            // PNG charts are binary: kept as lossy text, enough to compare runs.
            (
                p.file_name().unwrap().to_string_lossy().to_string(),
                String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned(),
            )
        })
        .collect();
    want.sort();
    assert_eq!(
        first.iter().map(|f| &f.0).collect::<Vec<_>>(),
        want.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, got), (_, expected)) in first.iter().zip(&want) {
        assert_eq!(got, expected, "{name} changed");
    }
    // The ranking fixture's October, worked out by hand in tests/ranking.rs:
    // W02, W05 and W04 are the red flags, W07 must rectify and is called for a talk.
    let md = &first.iter().find(|f| f.0 == "bulletin.md").unwrap().1;
    assert!(
        md.contains("红旗窗口: W02 税务发票窗口、W05 市场监管登记窗口、W04 不动产税费窗口"),
        "{md}"
    );
    assert!(md.contains("限期整改: W07 食品经营许可窗口"), "{md}");
    // No run recorded a card: the month's cards come from the facts.
    // By hand (yellow at one working day left): C15 (3 days from Monday
    // 10-12, due Thursday 10-15) yellow on 10-14, completed 10-16; C21
    // (instant, accepted 10-12 16:30) yellow on 10-12, completed 10-13;
    // C22 (3 days from Tuesday 10-20, due Friday 10-23) yellow on 10-22,
    // red from Monday 10-26, open at the month's end.
    assert!(md.contains("本月亮黄牌 3 张,红牌 1 张。"), "{md}");
    // The staff named for attendance, each name beside the staff code:
    // 3004 李强 at W04, absent the afternoon of 10-19 (one half day) and
    // late on 10-22 (tests/ranking.rs's punches).
    let named = &first
        .iter()
        .find(|f| f.0 == "attendance_named.csv")
        .unwrap()
        .1;
    assert_eq!(
        named.lines().take(2).collect::<Vec<_>>(),
        [
            "\u{feff}窗口,窗口名称,工号,姓名,旷工(半天),迟到次数,离岗超时",
            "W04,不动产税费窗口,3004,李强,1,1,0"
        ]
    );
    // The card list the supervisor opens names each window and staff
    // member beside the code (windows.csv and staff.csv of the fixture):
    // C15 at W03 社保费窗口, staff 3003 孙丽; C22 at W06, 3006 吴刚.
    let cards = &first.iter().find(|f| f.0 == "cards.csv").unwrap().1;
    let rows: Vec<&str> = cards.lines().collect();
    assert!(
        rows[0].starts_with("\u{feff}办件编号,环节,窗口,窗口名称,工号,姓名,牌色,"),
        "{cards}"
    );
    assert_eq!(
        rows[1],
        "C15,,W03,社保费窗口,3003,孙丽,yellow,2026-10-15,否,0,2026-10-14,,2026-10-16,completed,否"
    );
    assert!(
        rows[3].starts_with("C22,,W06,市场监管许可窗口,3006,吴刚,red,2026-10-23,"),
        "{cards}"
    );
}

#[test]
fn the_demo_bulletin_figures_are_the_metric_tables() {
    let home = common::demo_home();
    let md = ok(home.path(), &["report", "monthly", "--month", "2026-09"]);
    let q = |sql: &str| csv_rows(&ok(home.path(), &["query", sql, "--format", "csv"]));
    let center = q("SELECT accepted, completed, overdue_completed FROM case_metrics WHERE grain = 'month' AND period = '2026-09' AND level = 'center'");
    let line = format!("本月受理办件 {} 件", center[0]["accepted"]);
    assert!(md.contains(&line), "{line} not in the bulletin");
    assert!(
        md.contains(&format!("办结 {} 件", center[0]["completed"])),
        "{md}"
    );
    assert!(
        md.contains(&format!("超期办结 {} 件", center[0]["overdue_completed"])),
        "{md}"
    );
    let ratings = q("SELECT ratings, bad_ratings FROM rating_metrics WHERE grain = 'month' AND period = '2026-09' AND level = 'center'");
    assert!(
        md.contains(&format!("| {} |", ratings[0]["ratings"])),
        "ratings {} not in the bulletin",
        ratings[0]["ratings"]
    );
    // The window table's headers are the schema's labels, the window's
    // name beside its code.
    let header: Vec<&str> = xiaoneng::view::CASE_FIGURES
        .map(|c| schema::CASES.label(c))
        .to_vec();
    assert!(
        md.contains(&format!("| 窗口 | 名称 | {} |", header.join(" | "))),
        "{md}"
    );
    // Every stored table has the columns its schema declares, in order.
    for t in schema::TABLES {
        let sql = format!("SELECT * FROM {} LIMIT 1", t.name);
        let out = ok(home.path(), &["query", &sql, "--format", "csv"]);
        assert_eq!(
            out.lines().next().unwrap_or(""),
            t.columns().join(","),
            "{}",
            t.name
        );
    }
    // The month's cards are those of the card history raised in it, every
    // day judged (the demo records one day's run only).
    let cards = q("SELECT colour, count(*) AS n FROM cards WHERE strftime(raised_on, '%Y-%m') = '2026-09' GROUP BY colour");
    let count = |c: &str| {
        cards
            .iter()
            .find(|r| r["colour"] == c)
            .map_or(0, |r| r["n"].parse::<u64>().unwrap())
    };
    let (yellow, red) = (count("yellow"), count("red"));
    assert!(yellow > 0 && red > 0, "{cards:?}");
    assert!(
        md.contains(&format!("本月亮黄牌 {yellow} 张,红牌 {red} 张。")),
        "{md}"
    );
    let flags = q("SELECT s.window_id || ' ' || w.name AS named FROM window_scores s JOIN windows w ON s.window_id = w.window_id WHERE grain = 'month' AND period = '2026-09' AND band = '红旗窗口' ORDER BY rank");
    let names: Vec<&str> = flags.iter().map(|r| r["named"].as_str()).collect();
    assert!(
        md.contains(&format!("红旗窗口: {}", names.join("、"))),
        "{names:?}"
    );
}

#[test]
fn the_daily_report_and_the_quarterly_review() {
    let home = fixture_home();
    // tests/ranking.rs: staff 3004 (W04) was absent the afternoon of 2026-10-19.
    let daily = ok(home.path(), &["report", "daily", "--date", "2026-10-19"]);
    assert!(
        daily.starts_with("# 行政服务中心 2026-10-19 日报表"),
        "{daily}"
    );
    let absence = daily
        .lines()
        .find(|l| l.contains("| 3004 |"))
        .unwrap_or_else(|| panic!("no 3004 in\n{daily}"));
    assert!(absence.contains("旷工"), "{absence}");
    assert!(home.path().join("reports/2026-10-19/daily.md").exists());
    // R10 (W06 市场监管许可窗口, 3006 吴刚, level 1, Tuesday 10-13, never
    // rectified): due within five working days, Tuesday 10-20; on Thursday
    // 10-22 two working days past it, listed with the names.
    ok(home.path(), &["report", "daily", "--date", "2026-10-22"]);
    let alerts =
        std::fs::read_to_string(home.path().join("reports/2026-10-22/bad_rating_alerts.csv"))
            .unwrap();
    assert_eq!(
        alerts.lines().collect::<Vec<_>>(),
        [
            "\u{feff}评价编号,窗口,窗口名称,工号,姓名,评价日期,整改时限,超期工作日",
            "R10,W06,市场监管许可窗口,3006,吴刚,2026-10-13,2026-10-20,2"
        ]
    );
    assert!(home
        .path()
        .join("reports/2026-10-19/attendance_exceptions.csv")
        .exists());
    // The same case figures as case_metrics for the day (the report only
    // read: the table is stored by `compute`).
    ok(home.path(), &["compute", "--as-of", "2026-10-19"]);
    let rows = csv_rows(&ok(
        home.path(),
        &["query", "SELECT accepted, completed FROM case_metrics WHERE grain = 'day' AND period = '2026-10-19' AND level = 'center'", "--format", "csv"],
    ));
    let (accepted, completed) = rows
        .first()
        .map_or(("0".to_string(), "0".to_string()), |r| {
            (r["accepted"].clone(), r["completed"].clone())
        });
    assert!(
        daily.contains(&format!("当日受理 {accepted} 件,办结 {completed} 件")),
        "{daily}"
    );

    let review = ok(
        home.path(),
        &[
            "report",
            "quarterly",
            "--quarter",
            "2026-Q4",
            "--center",
            "测试中心",
        ],
    );
    assert!(
        review.starts_with("# 测试中心 2026-Q4 季度评议"),
        "{review}"
    );
    assert!(review.contains("本季度受理办件"), "{review}");
    assert!(home.path().join("reports/2026-Q4/ranking.csv").exists());
}

#[test]
fn the_demo_bulletin_is_the_one_report_monthly_writes_from_the_store() {
    // The demo writes its bulletin from the compute's facts and the card
    // run's history (its date is the month's last day); `report monthly`
    // from the stored tables alone. Every CSV table and every line of the
    // Markdown but the title (the demo names its own center) agree.
    let home = common::demo_home();
    let dir = home.path().join("reports").join("2026-10");
    let read = |dir: &Path| -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "csv" || x == "md"))
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                let text = match p.extension().is_some_and(|x| x == "md") {
                    true => text.lines().skip(1).collect::<Vec<_>>().join("\n"),
                    false => text,
                };
                (p.file_name().unwrap().to_string_lossy().to_string(), text)
            })
            .collect();
        files.sort();
        files
    };
    let demo = read(&dir);
    assert!(demo.iter().any(|(f, _)| f == "cards.csv"), "{demo:?}");
    // Both card lists name each window and staff member beside the code,
    // as the store's rosters name them.
    let windows = csv_rows(&ok(
        home.path(),
        &[
            "query",
            "SELECT window_id, name FROM windows",
            "--format",
            "csv",
        ],
    ));
    let named: std::collections::HashMap<&str, &str> = windows
        .iter()
        .map(|r| (r["window_id"].as_str(), r["name"].as_str()))
        .collect();
    let mut named_rows = 0;
    for list in ["cards.csv", "complaint_cards.csv"] {
        let (_, text) = demo.iter().find(|(f, _)| f == list).expect(list);
        // (The demo's October raised no complaint card: its list is
        // pinned in tests/closed_loop.rs.)
        assert!(text.contains(",窗口,窗口名称,工号,姓名,"), "{list}");
        let rows = csv_rows(text.strip_prefix('\u{feff}').unwrap());
        for r in rows.iter().filter(|r| !r["窗口"].is_empty()) {
            assert_eq!(r["窗口名称"], named[r["窗口"].as_str()], "{list}: {r:?}");
            named_rows += 1;
        }
        for r in rows.iter().filter(|r| !r["工号"].is_empty()) {
            assert!(!r["姓名"].is_empty(), "{list}: {r:?}");
        }
    }
    assert!(named_rows > 0, "no card of the demo's October");
    assert!(demo.len() > 10, "{} files", demo.len());
    std::fs::remove_dir_all(&dir).unwrap();
    ok(home.path(), &["report", "monthly", "--month", "2026-10"]);
    let stored = read(&dir);
    assert_eq!(demo.len(), stored.len());
    for ((name, a), (_, b)) in demo.iter().zip(&stored) {
        assert_eq!(a, b, "{name} differs");
    }
}
