//! Pins the weighted assessment (考核) end to end — `rank` with grades,
//! `rank --level department`, `rank --explain … --assessment`, the
//! bulletin's 考核等次 and the annual review — on the hand-worked fixture
//! `tests/fixtures/ranking_small` (its October 2026 window scores, on-time
//! and satisfaction rates are worked out by hand in `tests/ranking.rs`),
//! under a scheme of its own:
//!
//! ```text
//! 红旗评比 50: event_score          linear [80, 100]  (score 80 → 0, 100 → 100)
//! 办件效能 30: case_metrics.on_time_rate     linear [0, 1]
//! 群众满意 20: rating_metrics.satisfaction_rate linear [0, 1]
//! grades: 优秀 ≥ 90 (at most 20 %), 良好 ≥ 80, 合格 ≥ 60, else 不合格
//! ```
//!
//! October, the ranked windows (W08 has no case: not assessed):
//!
//! ```text
//! win  score  →pts   on-time →pts  satisf. →pts   total
//! W02  104.5   100    1.0    100    1.0    100    100
//! W01   99.5  97.5    1.0    100    1.0    100    48.75 + 30 + 20 = 98.75 (吃拿卡要: 不合格)
//! W05   98.5  92.5    1.0    100    —       —     (50 × 92.5 + 30 × 100) / 80 = 95.3125 → 95.31
//! W04   90     50     1.0    100    0.5     50    25 + 30 + 10 = 65
//! W03   90     50     0.5     50    1.0    100    25 + 15 + 20 = 60
//! W06   87     35     —       —     0.0      0    (50 × 35 + 20 × 0) / 70 = 25
//! W07   83.5  17.5    0.0      0    —       —     (50 × 17.5 + 30 × 0) / 80 = 10.9375 → 10.94
//! ```
//!
//! 7 graded: 优秀 at most ⌊7 × 20 %⌋ = 1: W02. W01 is vetoed: 不合格.
//! W05 reaches 90 but the quota is full: 良好. W04, W03: 合格 (60 is
//! enough). W06, W07: 不合格.
//!
//! Departments (窗口单位), from their own rows: 税务 = W01–W04, 市场监管 =
//! W05–W07 (W08 unranked). event_score: the mean of the ranked windows;
//! on-time and satisfaction: the department's own rates (its cases' counts).
//!
//! ```text
//! 税务     (104.5 + 99.5 + 90 + 90) / 4 = 96 → 80; on time C11 C13 C16 C17
//!          of C11 C13 C15 C16 C17 = 0.8 → 80; satisfied R05 R06 R08 R09 R11
//!          of 6 = 5/6 → 83.33; 40 + 24 + 16.67 = 80.67, vetoed (W01): 不合格
//! 市场监管 (98.5 + 87 + 83.5) / 3 = 89.67 → 48.33; on time C19 C20 of C09
//!          C19 C20 = 2/3 → 66.67; satisfied 0 of R10 → 0;
//!          24.165 + 20.001 + 0 = 44.166 → 44.17: 不合格
//! (a metric's points are kept to two decimals, the total rounded to two)
//! ```

use crate::common;

use common::{csv_rows, ok};
use std::collections::HashMap;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ranking_small");
const AS_OF: &str = "2026-10-31";

const SCHEME: &str = r#"
[assessment]
min_weight = 50.0
grades = [
    { name = "优秀", min = 90.0, quota = 0.2 },
    { name = "良好", min = 80.0 },
    { name = "合格", min = 60.0 },
]

[[assessment.dimensions]]
name = "红旗评比"
weight = 50.0
metrics = [{ metric = "event_score", linear = [80.0, 100.0] }]

[[assessment.dimensions]]
name = "办件效能"
weight = 30.0
metrics = [{ metric = "case_metrics.on_time_rate", linear = [0.0, 1.0] }]

[[assessment.dimensions]]
name = "群众满意"
weight = 20.0
metrics = [{ metric = "rating_metrics.satisfaction_rate", linear = [0.0, 1.0] }]
"#;

/// The fixture ingested in a home configured with [`SCHEME`].
fn home() -> tempfile::TempDir {
    let home = crate::common::tempdir();
    std::fs::write(home.path().join("xiaoneng.toml"), SCHEME).unwrap();
    let dir = home.path().join("ranking_small");
    common::copy_csvs(std::path::Path::new(FIXTURE), &dir);
    ok(home.path(), &["ingest", dir.to_str().unwrap()]);
    home
}

fn rank(home: &std::path::Path, extra: &[&str]) -> Vec<HashMap<String, String>> {
    let mut args = vec!["rank", "--period", "2026-10"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--as-of", AS_OF, "--format", "csv"]);
    csv_rows(&ok(home, &args))
}

fn close(cell: &str, want: f64) -> bool {
    cell.parse::<f64>().is_ok_and(|x| (x - want).abs() < 1e-9)
}

#[test]
fn windows_and_departments_are_graded_by_the_weighted_scheme() {
    let h = home();
    // The window ranking (red flags by event points) with each window's
    // assessment total and grade beside it.
    let rows = rank(h.path(), &[]);
    let got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r["window_id"].as_str(),
                r["assessment"].as_str(),
                r["grade"].as_str(),
            )
        })
        .collect();
    let want = [
        ("W02", 100.0, "优秀"),
        ("W01", 98.75, "不合格"),
        ("W05", 95.31, "良好"),
        ("W04", 65.0, "合格"),
        ("W03", 60.0, "合格"),
        ("W06", 25.0, "不合格"),
        ("W07", 10.94, "不合格"),
    ];
    for ((w, total, grade), g) in want.iter().zip(&got) {
        assert_eq!((*w, *grade), (g.0, g.2), "{got:?}");
        assert!(close(g.1, *total), "{w}: total {} ≠ {total}", g.1);
    }
    // W08 (无办件) is not assessed.
    assert_eq!(got[7], ("W08", "", ""));

    // The assessment ranking of the windows: the same totals, in their own
    // order, with the dimensions.
    let rows = rank(h.path(), &["--level", "window"]);
    // (`--level window` is the default: the red-flag ranking again.)
    assert_eq!(rows[0]["window_id"], "W02");

    let rows = rank(h.path(), &["--level", "department"]);
    let got: Vec<[&str; 5]> = rows
        .iter()
        .map(|r| {
            [
                r["rank"].as_str(),
                r["key"].as_str(),
                r["score"].as_str(),
                r["grade"].as_str(),
                r["veto"].as_str(),
            ]
        })
        .collect();
    assert_eq!(
        got,
        [
            ["1", "税务", "80.67", "不合格", "吃拿卡要"],
            ["2", "市场监管", "44.17", "不合格", ""],
        ]
    );
    assert_eq!(
        rows[0]["dimensions"],
        "红旗评比 80.00;办件效能 80.00;群众满意 83.33"
    );
}

#[test]
fn every_point_of_a_total_is_explained() {
    let h = home();
    let rows = rank(h.path(), &["--explain", "W05", "--assessment"]);
    let got: Vec<[&str; 6]> = rows
        .iter()
        .map(|r| {
            [
                r["dimension"].as_str(),
                r["metric"].as_str(),
                r["value"].as_str(),
                r["points"].as_str(),
                r["contribution"].as_str(),
                r["value_text"].as_str(),
            ]
        })
        .collect();
    // 92.5 × 50/80 = 57.8125; 100 × 30/80 = 37.5; no rating: nothing.
    assert_eq!(
        got,
        [
            [
                "红旗评比",
                "event_score",
                "98.5",
                "92.5",
                "57.8125",
                "98.50"
            ],
            [
                "办件效能",
                "case_metrics.on_time_rate",
                "1.0",
                "100.0",
                "37.5",
                "100.00%"
            ],
            [
                "群众满意",
                "rating_metrics.satisfaction_rate",
                "",
                "",
                "0.0",
                "无数据"
            ],
        ]
    );
    // As a table: the events, then the assessment, with the total's line.
    let out = common::run(
        h.path(),
        &[
            "rank",
            "--period",
            "2026-10",
            "--explain",
            "W05",
            "--as-of",
            AS_OF,
        ],
    );
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        stderr.contains("W05 2026-10 考核总分 95.31,等次 良好"),
        "{stderr}"
    );
    assert!(
        stdout.contains("考核得分 (维度 → 指标 → 指标值 → 得分)"),
        "{stdout}"
    );
    assert!(stdout.contains("离岗超时"), "{stdout}");
    // A department, by its name.
    let rows = rank(
        h.path(),
        &["--level", "department", "--explain", "市场监管"],
    );
    let contributions: Vec<f64> = rows
        .iter()
        .map(|r| r["contribution"].parse().unwrap())
        .collect();
    // Each metric's points to two decimals: 48.33 and 66.67.
    let want = [48.33 * 0.5, 66.67 * 0.3, 0.0];
    for (g, w) in contributions.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "{contributions:?}");
    }

    // The default scheme's 服务规范 counts the substantiated incidents that
    // cost points, not the commendations: W01 N01 (吃拿卡要) → 1 a month →
    // 60 (N02 表扬信 is not counted, N03 not substantiated); W02 none (N04
    // 表扬信 and N05 锦旗 add points, N06 not substantiated) → 100.
    std::fs::remove_file(h.path().join("xiaoneng.toml")).unwrap();
    for (w, value, points) in [("W01", "1.0", "60.0"), ("W02", "0.0", "100.0")] {
        let rows = rank(h.path(), &["--explain", w, "--assessment"]);
        let row = rows
            .iter()
            .find(|r| r["dimension"] == "服务规范")
            .expect("服务规范");
        assert_eq!(
            (
                row["metric"].as_str(),
                row["value"].as_str(),
                row["points"].as_str()
            ),
            ("substantiated_incidents", value, points),
            "{w}"
        );
    }
}

#[test]
fn the_bulletin_and_the_annual_review_show_the_grades() {
    let h = home();
    ok(
        h.path(),
        &["report", "monthly", "--month", "2026-10", "--as-of", AS_OF],
    );
    let md = std::fs::read_to_string(h.path().join("reports/2026-10/bulletin.md")).unwrap();
    for line in [
        "本月考核按红旗评比 50%、办件效能 30%、群众满意 20%加权计分",
        "- 参评窗口 7 个:优秀 1 个、良好 1 个、合格 2 个、不合格 3 个。",
        "- 参评窗口单位 2 个:优秀 0 个、良好 0 个、合格 0 个、不合格 2 个。",
        "| 1 | 税务 | 80.67 | 不合格 | 吃拿卡要 | 红旗评比 80.00;办件效能 80.00;群众满意 83.33 |",
        "| 3 | W05 | 市场监管登记窗口 | 市场监管 | 95.31 | 良好 | — |",
    ] {
        assert!(md.contains(line), "{line}\n---\n{md}");
    }
    // The sections are numbered in order (三 is 特色服务与不予受理).
    assert!(md.contains("## 九、红旗窗口评比"), "{md}");
    assert!(md.contains("## 十一、考核等次"), "{md}");
    let csv = std::fs::read_to_string(h.path().join("reports/2026-10/assessment_departments.csv"))
        .unwrap();
    assert!(csv.contains("税务"), "{csv}");

    // The annual review of 2026 as of the fixture's last day.
    ok(
        h.path(),
        &["report", "annual", "--year", "2026", "--as-of", AS_OF],
    );
    let dir = h.path().join("reports/2026");
    let md = std::fs::read_to_string(dir.join("annual.md")).unwrap();
    assert!(md.starts_with("# 行政服务中心 2026 年度考核"), "{md}");
    // The months by hand: September accepted C01–C10 = 10, completed 9
    // (C09 in October), on time 5/5 (C01 C03 C05 C06 C07), satisfied R01
    // R03 of R01–R04 = 2/4, waits T01 30 and T02 5 → 17.5 min; October
    // accepted C11–C23 = 13, completed C09 C11–C21 C23 = 13, on time 6 of
    // 8 (C09 and C15 late), satisfied 5/7 (R07 R10 not), waits T03 40, T04
    // 5, T05 5 → 16.67.
    for line in [
        "| 2026-09 | 10 | 9 | 100.00% | 50.00% | 17.50 |",
        "| 2026-10 | 13 | 13 | 75.00% | 71.43% | 16.67 |",
        "| 2026-11 | — | — | — | — | — |",
    ] {
        assert!(md.contains(line), "{line}\n---\n{md}");
    }
    // Red flags: October W02 W05 W04 (tests/ranking.rs); September's three
    // from `rank --period 2026-09`; the two-month flags from B5's ranking.
    // The report's CSV is for people: Chinese headers (窗口, 月度红旗(次) …).
    let flags = common::report_rows(&dir.join("red_flags.csv"));
    let by: HashMap<&str, &HashMap<String, String>> =
        flags.iter().map(|r| (r["窗口"].as_str(), r)).collect();
    let red_in = |period: &str| -> Vec<String> {
        let mut args = vec!["rank", "--period", period];
        args.extend_from_slice(&["--as-of", AS_OF, "--format", "csv"]);
        csv_rows(&ok(h.path(), &args))
            .into_iter()
            .filter(|r| r["band"] == "红旗窗口")
            .map(|r| r["window_id"].clone())
            .collect()
    };
    let (september, october, b5) = (red_in("2026-09"), red_in("2026-10"), red_in("2026-B5"));
    assert_eq!(october, ["W02", "W05", "W04"]);
    assert_eq!(september.len(), 3);
    for w in ["W01", "W02", "W03", "W04", "W05", "W06", "W07"] {
        let months = september.iter().chain(&october).filter(|x| *x == w).count();
        assert_eq!(by[w]["月度红旗(次)"], months.to_string(), "{w}");
        let two = b5.iter().filter(|x| *x == w).count();
        assert_eq!(by[w]["双月红旗(次)"], two.to_string(), "{w}");
    }
    assert!(md.contains("### 红旗窗口统计"), "{md}");
    assert!(md.contains("、考核等次"), "{md}");
    for chart in 1..=4 {
        let png = dir.join(format!("annual-chart{chart}.png"));
        assert!(png.is_file(), "{}", png.display());
    }
}
