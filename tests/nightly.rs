//! The nightly job end to end on the demo county, its exports cut into the
//! daily drops a center's systems would leave in the inbox:
//! - killed at every step and rerun, it ends as an uninterrupted run does;
//! - two runs started together: one runs, the other says why it did not;
//! - seven nightly runs over a week give the metric tables of one full
//!   recompute of that week.

use crate::common;

use common::{bin, csv_rows, ok, run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Every metric table the nightly job keeps.
const METRICS: [&str; 12] = [
    "case_metrics",
    "attendance_days",
    "attendance_metrics",
    "rating_metrics",
    "queue_metrics",
    "queue_jumps",
    "queue_hours",
    "incident_metrics",
    "three_zeros",
    "window_scores",
    "score_events",
    "staff_scores",
];

fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A demo's export files in a folder of their own (kept for the run).
fn generated(spec: &xiaoneng::demo::DemoSpec) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = crate::common::kept_tempdir();
    let cal = xiaoneng::calendar::Calendar::official();
    let files = xiaoneng::demo::generate(spec, &cal, dir.path())
        .unwrap()
        .files;
    (dir, files)
}

/// The demo's export files (October 2025 to October 2026), generated once
/// per test binary.
fn demo_files() -> &'static (tempfile::TempDir, Vec<PathBuf>) {
    static FILES: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    FILES.get_or_init(|| generated(&xiaoneng::demo::DemoSpec::default()))
}

/// The demo county's last four months only (July to October 2026), for the
/// tests that run the same night many times: what they compare does not
/// need the year, and each night costs two fifths as much.
fn recent_demo_files() -> &'static (tempfile::TempDir, Vec<PathBuf>) {
    static FILES: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    FILES.get_or_init(|| {
        generated(&xiaoneng::demo::DemoSpec {
            first_month: (2026, 7),
            months: 4,
            ..xiaoneng::demo::DemoSpec::default()
        })
    })
}

/// One export file cut at a date: the base file, and per later day a file
/// of that day's rows.
type Split = (Vec<u8>, BTreeMap<chrono::NaiveDate, Vec<u8>>);

/// Every `YYYY-MM-DD` in a line.
fn dates_in(line: &[u8]) -> Vec<chrono::NaiveDate> {
    let mut out = Vec::new();
    for i in 0..line.len().saturating_sub(9) {
        let w = &line[i..i + 10];
        let shape = w.iter().enumerate().all(|(k, b)| match k {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
        if shape {
            if let Ok(d) =
                chrono::NaiveDate::parse_from_str(std::str::from_utf8(w).unwrap(), "%Y-%m-%d")
            {
                out.push(d);
            }
        }
    }
    out
}

/// Cut the demo's exports at `first`: rows whose last date is before it go
/// to the base set; later rows to the drop of their last date (rows after
/// `last` are left out). A case not completed on the day it was accepted
/// also comes open on that day (in the base set or that day's drop), as the
/// export of that day had it; its completed row replaces it later.
/// Returns file name → (base file, the rows of each day, header included).
fn split(first: chrono::NaiveDate, last: chrono::NaiveDate) -> BTreeMap<String, Split> {
    split_files(&demo_files().1, first, last)
}

/// [`split`] of any demo's export files.
fn split_files(
    files: &[PathBuf],
    first: chrono::NaiveDate,
    last: chrono::NaiveDate,
) -> BTreeMap<String, Split> {
    let mut out = BTreeMap::new();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(f).unwrap();
        let headerless = name.ends_with(".dat");
        let mut lines = bytes.split_inclusive(|b| *b == b'\n');
        let header: Vec<u8> = if headerless {
            Vec::new()
        } else {
            lines.next().unwrap_or_default().to_vec()
        };
        let header_text = String::from_utf8_lossy(&header).to_string();
        let cols: Vec<&str> = header_text.trim_end().split(',').collect();
        let at = |c: &str| cols.iter().position(|h| *h == c);
        let mut base = header.clone();
        let mut drops: BTreeMap<chrono::NaiveDate, Vec<u8>> = BTreeMap::new();
        // Where the rows of a day go: the base set, that day's drop, or
        // nowhere (after `last`).
        let mut put = |day: Option<chrono::NaiveDate>, row: &[u8]| match day {
            Some(d) if d > last => {}
            Some(d) if d >= first => drops
                .entry(d)
                .or_insert_with(|| header.clone())
                .extend_from_slice(row),
            _ => base.extend_from_slice(row),
        };
        for line in lines {
            let day = dates_in(line).into_iter().max();
            if name.starts_with("cases") {
                // A case is exported open on the day it is accepted.
                let text = String::from_utf8_lossy(line).to_string();
                let mut fields: Vec<&str> = text.trim_end().split(',').collect();
                if let (Some(acc), Some(comp), Some(res)) =
                    (at("accepted_at"), at("completed_at"), at("result"))
                {
                    let accepted = dates_in(fields.get(acc).unwrap_or(&"").as_bytes());
                    if fields.len() == cols.len()
                        && accepted.first().is_some_and(|a| Some(*a) < day)
                    {
                        fields[comp] = "";
                        fields[res] = "";
                        put(
                            accepted.first().copied(),
                            format!("{}\n", fields.join(",")).as_bytes(),
                        );
                    }
                }
            }
            put(day, line);
        }
        out.insert(name, (base, drops));
    }
    out
}

/// A fresh home with a config (the nightly job's paths are its defaults).
fn home() -> tempfile::TempDir {
    init(crate::common::tempdir())
}

/// `h` made a home with a config.
fn init(h: tempfile::TempDir) -> tempfile::TempDir {
    ok(h.path(), &["init"]);
    h
}

/// Write files (name → bytes) into `<home>/data/inbox/<folder>/`.
fn drop_files(home: &Path, folder: &str, files: &[(&String, &Vec<u8>)]) {
    let dir = home.join("data/inbox").join(folder);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

/// Run the nightly job of a date; its exit code and standard error.
fn nightly(home: &Path, day: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut c = bin();
    c.arg("--home").arg(home).args(["nightly", "--date", day]);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn nightly_ok(home: &Path, day: &str) {
    let (code, err) = nightly(home, day, &[]);
    assert!(
        matches!(code, Some(0) | Some(1)),
        "nightly {day} exited {code:?}:\n{err}"
    );
}

/// A stored table as sorted CSV lines (its rows, whatever their order).
fn table(home: &Path, name: &str) -> Vec<String> {
    let out = run(
        home,
        &["query", &format!("SELECT * FROM {name}"), "--format", "csv"],
    );
    if !out.status.success() {
        return vec![format!(
            "(no table: {})",
            String::from_utf8_lossy(&out.stderr).trim()
        )];
    }
    let mut lines: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// Every file under a folder: relative path → bytes.
fn files_under(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// What a nightly run leaves that must not depend on how it got there.
fn outcome(home: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let stored = [
        "cases",
        "ratings",
        "tickets",
        "punches",
        "cards",
        "ledger",
        "ingest_runs",
    ];
    for t in METRICS.iter().chain(stored.iter()) {
        let mut rows = table(home, t);
        if ["ledger", "ingest_runs"].contains(t) {
            // Run ids and times differ; the rows' number must not.
            rows = vec![format!("{} rows", rows.len())];
        }
        out.insert(t.to_string(), rows);
    }
    out.insert(
        "rejects".into(),
        vec![format!("{} rows", table(home, "rejects").len())],
    );
    for (rel, bytes) in files_under(&home.join("reports")) {
        // The text of Markdown and CSV reports; charts and pages by name.
        let lines = if rel.ends_with(".md") || rel.ends_with(".csv") {
            String::from_utf8(bytes)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect()
        } else {
            Vec::new()
        };
        out.insert(format!("reports/{rel}"), lines);
    }
    let archived: Vec<String> = files_under(&home.join("data/archive"))
        .into_keys()
        .collect();
    out.insert("archive".into(), archived);
    let inbox: Vec<String> = files_under(&home.join("data/inbox")).into_keys().collect();
    out.insert("inbox left".into(), inbox);
    out
}

/// A line with every decimal number rounded to 9 significant digits: the
/// engines' parallel sums may differ in the last bits from run to run.
fn normalized(line: &str) -> String {
    line.split(',')
        .map(|f| match f.parse::<f64>() {
            Ok(x) if f.contains('.') => format!("{x:.8e}"),
            _ => f.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Two sets of rows (sorted lines) equal up to float noise; on failure the
/// rows only one side has.
fn assert_rows_equal(a: &[String], b: &[String], what: &str) {
    let norm = |rows: &[String]| -> Vec<String> {
        let mut v: Vec<String> = rows.iter().map(|l| normalized(l)).collect();
        v.sort();
        v
    };
    let (x, y) = (norm(a), norm(b));
    if x != y {
        let (sx, sy): (std::collections::BTreeSet<_>, std::collections::BTreeSet<_>) =
            (x.iter().collect(), y.iter().collect());
        let only_a: Vec<_> = sx.difference(&sy).take(6).collect();
        let only_b: Vec<_> = sy.difference(&sx).take(6).collect();
        panic!(
            "{what}: {} vs {} rows\nonly in the first:\n{only_a:#?}\nonly in the second:\n{only_b:#?}",
            x.len(),
            y.len()
        );
    }
}

fn assert_same(a: &BTreeMap<String, Vec<String>>, b: &BTreeMap<String, Vec<String>>, what: &str) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: not the same tables and files"
    );
    for (k, rows) in a {
        assert_rows_equal(rows, &b[k], &format!("{what}: {k}"));
    }
}

/// A home that has ingested everything of [`recent_demo_files`] before
/// 2026-10-30 and closed 2026-10-29, with the exports of 10-30 to 11-01
/// waiting in the inbox.
fn late_week_home() -> tempfile::TempDir {
    late_week_home_in(crate::common::tempdir())
}

/// [`late_week_home`] made in `h`.
fn late_week_home_in(h: tempfile::TempDir) -> tempfile::TempDir {
    static TEMPLATE: OnceLock<tempfile::TempDir> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| {
        let h = init(crate::common::kept_tempdir());
        let parts = split_files(
            &recent_demo_files().1,
            date("2026-10-30"),
            date("2026-11-01"),
        );
        let base: Vec<(&String, &Vec<u8>)> = parts.iter().map(|(n, (b, _))| (n, b)).collect();
        drop_files(h.path(), "base", &base);
        nightly_ok(h.path(), "2026-10-29");
        // The three days of each export in one file, as a center's system
        // would leave them after a long weekend.
        let mut late: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (name, (base, drops)) in &parts {
            let header_len = if name.ends_with(".dat") {
                0
            } else {
                base.iter().position(|b| *b == b'\n').map_or(0, |i| i + 1)
            };
            for bytes in drops.values() {
                let e = late
                    .entry(name.clone())
                    .or_insert_with(|| base[..header_len].to_vec());
                e.extend_from_slice(&bytes[header_len..]);
            }
        }
        let late: Vec<(&String, &Vec<u8>)> = late.iter().collect();
        drop_files(h.path(), "late", &late);
        h
    });
    common::copy_tree(template.path(), h.path());
    h
}

/// The night the kill tests run (a Sunday, before the first working day
/// of a week and a month).
const KILL_NIGHT: &str = "2026-11-01";

/// The night of [`KILL_NIGHT`] run uninterrupted on a late week's home:
/// the home and what the run left, once per test binary (each killed run
/// is compared with it).
fn uninterrupted_night() -> &'static (tempfile::TempDir, BTreeMap<String, Vec<String>>) {
    static NIGHT: OnceLock<(tempfile::TempDir, BTreeMap<String, Vec<String>>)> = OnceLock::new();
    NIGHT.get_or_init(|| {
        let clean = late_week_home_in(crate::common::kept_tempdir());
        nightly_ok(clean.path(), KILL_NIGHT);
        let expected = outcome(clean.path());
        (clean, expected)
    })
}

#[test]
fn an_uninterrupted_night_writes_the_days_reports_and_the_months_bulletin() {
    let (clean, expected) = uninterrupted_night();
    // The run of 11-01 writes the daily report, the weekly publication of
    // W44 and the bulletin of October.
    for report in [
        "reports/2026-11-01/daily.md",
        "reports/2026-W44/attendance.csv",
        "reports/2026-10/bulletin.html",
    ] {
        assert!(expected.contains_key(report), "{report} not written");
    }
    assert!(expected["inbox left"].is_empty(), "inbox not emptied");
    assert!(!expected["archive"].is_empty());
    // The bulletin is as of October's last day, as `report monthly` writes
    // it by hand, although the run's tables are as of 11-01.
    let md = |h: &Path| std::fs::read_to_string(h.join("reports/2026-10/bulletin.md")).unwrap();
    let by_night = md(clean.path());
    assert!(by_night.contains("数据截至 2026-10-31"), "{by_night}");
    ok(clean.path(), &["report", "monthly", "--month", "2026-10"]);
    assert_eq!(
        md(clean.path()),
        by_night,
        "the nightly bulletin differs from report monthly's"
    );
}

/// The night killed at each of `points` (a fail point, `#n` its n-th
/// pass) and run again ends as the uninterrupted night did, the rerun
/// clearing the killed run's lock.
fn killed_and_rerun_ends_as_uninterrupted(points: &[&str]) {
    let (_, expected) = uninterrupted_night();
    let mut stale_seen = 0;
    for point in points {
        let h = late_week_home();
        let (code, err) = nightly(h.path(), KILL_NIGHT, &[("XIAONENG_FAIL_AT", point)]);
        assert_ne!(
            code,
            Some(0),
            "{point}: the injected kill did not happen:\n{err}"
        );
        assert!(err.contains("aborting as if killed"), "{point}: {err}");
        let (code, err) = nightly(h.path(), KILL_NIGHT, &[]);
        assert!(
            matches!(code, Some(0) | Some(1)),
            "{point}: rerun failed:\n{err}"
        );
        if err.contains("cleared a stale lock") {
            stale_seen += 1;
        }
        assert_same(&outcome(h.path()), expected, &format!("killed at {point}"));
    }
    assert_eq!(
        stale_seen,
        points.len(),
        "every rerun found the killed run's lock"
    );
}

// The kills in three tests, so that they run beside the other tests
// instead of twenty nightly runs one after another.

#[test]
fn a_night_killed_in_its_ingest_and_rerun_ends_as_an_uninterrupted_one() {
    killed_and_rerun_ends_as_uninterrupted(&[
        "staged", "journal", "applying", "ingested", "archived",
    ]);
}

#[test]
fn a_night_killed_in_its_metrics_or_cards_and_rerun_ends_as_an_uninterrupted_one() {
    // The second commit is the metric tables', the third the cards'.
    killed_and_rerun_ends_as_uninterrupted(&["journal#2", "computed", "journal#3"]);
}

#[test]
fn a_night_killed_in_its_reports_and_rerun_ends_as_an_uninterrupted_one() {
    killed_and_rerun_ends_as_uninterrupted(&["daily", "reports"]);
}

#[test]
fn two_runs_started_together_one_runs_the_other_says_why_not() {
    let h = late_week_home();
    let start = |_: usize| {
        bin()
            .arg("--home")
            .arg(h.path())
            .args(["nightly", "--date", "2026-11-01", "--quiet"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children: Vec<_> = (0..2).map(start).collect();
    let outs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let codes: Vec<Option<i32>> = outs.iter().map(|o| o.status.code()).collect();
    let refused: Vec<&std::process::Output> =
        outs.iter().filter(|o| o.status.code() == Some(2)).collect();
    assert_eq!(refused.len(), 1, "exit codes {codes:?}");
    let msg = String::from_utf8_lossy(&refused[0].stderr);
    assert!(
        msg.contains("in use by another xiaoneng run") && msg.contains("nightly --date 2026-11-01"),
        "{msg}"
    );
    assert!(
        codes.iter().any(|c| matches!(c, Some(0) | Some(1))),
        "exit codes {codes:?}"
    );
    // The run log has both: one done, one failed with the reason.
    let log = std::fs::read_to_string(h.path().join("data/nightly-runs.jsonl")).unwrap();
    let records: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last_two = &records[records.len() - 2..];
    assert_eq!(
        last_two.iter().filter(|r| r["status"] == "failed").count(),
        1,
        "{log}"
    );
}

#[test]
fn seven_nightly_runs_give_the_tables_of_one_full_recompute() {
    let (first, last) = (date("2026-10-26"), date("2026-11-01"));
    let parts = split(first, last);
    let base: Vec<(&String, &Vec<u8>)> = parts.iter().map(|(n, (b, _))| (n, b)).collect();

    // Night by night.
    let nightly_home = home();
    let a = nightly_home.path();
    drop_files(a, "base", &base);
    nightly_ok(a, "2026-10-25");
    let mut day = first;
    while day <= last {
        let drops: Vec<(&String, &Vec<u8>)> = parts
            .iter()
            .filter_map(|(n, (_, d))| d.get(&day).map(|b| (n, b)))
            .collect();
        drop_files(a, &day.to_string(), &drops);
        nightly_ok(a, &day.to_string());
        day = day.succ_opt().unwrap();
    }
    let log = std::fs::read_to_string(a.join("data/nightly-runs.jsonl")).unwrap();
    let from: Vec<String> = log
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["recomputed_from"].to_string()
        })
        .collect();
    assert_eq!(
        from[0], "\"everything\"",
        "the first run recomputes everything"
    );
    assert!(
        from[1..].iter().all(|f| f != "\"everything\""),
        "later runs recompute from a date: {from:?}"
    );
    // The last night's daily report, its 督办 notices followed on the card
    // history that night's card run brought up, is the report written
    // alone, which derives the history again from every case (the night's
    // notes, a calendar warning, aside).
    let daily = a.join(format!("reports/{last}/daily.md"));
    let by_night = std::fs::read_to_string(&daily).unwrap();
    assert!(by_night.contains("| 逾期未结 | "), "{by_night}");
    let by_night = by_night.split("\n## 附注").next().unwrap().to_string();
    ok(a, &["report", "daily", "--date", &last.to_string()]);
    assert_eq!(by_night, std::fs::read_to_string(&daily).unwrap());

    // Everything at once, one full recompute.
    let full_home = home();
    let b = full_home.path();
    // Files are ingested in path order: the base set first.
    drop_files(b, "2026-10-25-base", &base);
    for (n, (_, drops)) in &parts {
        for (d, bytes) in drops {
            drop_files(b, &d.to_string(), &[(n, bytes)]);
        }
    }
    ok(b, &["ingest"]);
    ok(b, &["compute", "--as-of", "2026-11-01"]);

    if std::env::var("XIAONENG_TEST_KEEP").is_ok() {
        eprintln!("kept {} and {}", a.display(), b.display());
        std::mem::forget(nightly_home);
        std::mem::forget(full_home);
        return;
    }
    let mut compared = 0;
    for t in METRICS.iter().chain(["cases", "ratings", "tickets"].iter()) {
        let (x, y) = (table(a, t), table(b, t));
        assert!(x.len() > 1, "{t} is empty");
        assert_rows_equal(&x, &y, &format!("{t}, nightly vs full"));
        compared += 1;
    }
    assert_eq!(compared, 15);
}

#[test]
fn rows_dated_after_the_run_date_count_on_the_nights_they_belong_to() {
    // The night of 10-30 finds the exports of 10-30, 10-31 and 11-01 at
    // once (pulled after midnight): rows dated after 10-30 are stored but
    // not yet counted, and the dates they touch (a rating on 10-31 of a
    // case completed in September) are recomputed by the later nights.
    let h = late_week_home();
    for day in ["2026-10-30", "2026-10-31", "2026-11-01"] {
        nightly_ok(h.path(), day);
    }
    let full = late_week_home();
    ok(full.path(), &["ingest"]);
    ok(full.path(), &["compute", "--as-of", "2026-11-01"]);
    for t in METRICS {
        assert_rows_equal(
            &table(h.path(), t),
            &table(full.path(), t),
            &format!("{t}, three nights vs full"),
        );
    }
}

#[test]
fn a_partial_recompute_still_sees_old_open_bad_ratings_and_old_cases_corrected_now() {
    // Two years of a tiny center: the nightly of 2026-10-15 recomputes from
    // 10-15 and reads inputs from 2025-01-01 on. A bad rating of 2024 never
    // rectified still counts as open past its limit in October 2026, and a
    // case of 2024 corrected on 2026-10-15 still counts for its window.
    let write = |dir: &Path, files: &[(&str, &str)]| {
        std::fs::create_dir_all(dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
    };
    let base: [(&str, &str); 5] = [
        ("windows.csv", "window_id,name,department\nW01,综合窗口,税务\nW02,发票窗口,税务\n"),
        (
            "staff.csv",
            "staff_id,name,window_id,role,valid_from,valid_to\n1001,张伟,W01,工作人员,2024-01-01,\n1002,王芳,W02,工作人员,2024-01-01,\n",
        ),
        (
            "items.csv",
            "item_code,name,department,legal_limit_days,promised_limit_days,materials,steps,effective_from\nI01,登记,税务,20,5,3,3,2024-01-01\n",
        ),
        (
            "cases.csv",
            "case_id,item_code,window_id,staff_id,channel,accepted_at,completed_at,result,promised_limit_days,legal_limit_days\n\
             C0,I01,W01,1001,窗口,2024-05-27 09:00:00,2024-06-01 10:00:00,准予许可,,\n\
             C1,I01,W02,1002,窗口,2024-11-18 09:00:00,2024-11-20 10:00:00,准予许可,,\n\
             C2,I01,W01,1001,窗口,2026-10-12 09:00:00,2026-10-13 10:00:00,准予许可,,\n\
             C3,I01,W02,1002,窗口,2026-10-13 09:00:00,2026-10-14 10:00:00,准予许可,,\n",
        ),
        (
            "ratings.csv",
            "rating_id,case_id,window_id,staff_id,rated_at,level,channel,comment,rectified_at\n\
             R0,C0,W01,1001,2024-06-03 10:00:00,1,评价器,不满意,\n\
             R2,C2,W01,1001,2026-10-13 11:00:00,5,评价器,,\n",
        ),
    ];
    let later: [(&str, &str); 2] = [
        (
            "cases-2.csv",
            "case_id,item_code,window_id,staff_id,channel,accepted_at,completed_at,result,promised_limit_days,legal_limit_days\n\
             C4,I01,W01,1001,窗口,2026-10-15 09:00:00,2026-10-15 11:00:00,准予许可,,\n",
        ),
        ("corrections.csv", "case_id,at,reason\nC1,2026-10-15 15:00:00,适用依据错误\n"),
    ];
    let nightly_home = home();
    let a = nightly_home.path();
    write(&a.join("data/inbox/1"), &base);
    nightly_ok(a, "2026-10-14");
    write(&a.join("data/inbox/2"), &later);
    nightly_ok(a, "2026-10-15");
    let log = std::fs::read_to_string(a.join("data/nightly-runs.jsonl")).unwrap();
    assert!(log.contains("\"recomputed_from\":\"2026-10-15\""), "{log}");

    let full_home = home();
    let b = full_home.path();
    write(&b.join("in/1"), &base);
    write(&b.join("in/2"), &later);
    ok(b, &["ingest", b.join("in").to_str().unwrap()]);
    ok(b, &["compute", "--as-of", "2026-10-15"]);
    for t in [
        "rating_metrics",
        "three_zeros",
        "score_events",
        "window_scores",
        "case_metrics",
    ] {
        assert_rows_equal(&table(a, t), &table(b, t), &format!("{t}, nightly vs full"));
    }
    // And the figures themselves: R0 open past its limit at October's end
    // state day; C1's correction on W02.
    let rows = csv_rows(&ok(
        a,
        &[
            "query",
            "SELECT key, open_past_limit FROM rating_metrics WHERE period = '2026-10' AND level = 'window'",
            "--format",
            "csv",
        ],
    ));
    assert!(
        rows.iter()
            .any(|r| r["key"] == "W01" && r["open_past_limit"] == "1"),
        "{rows:?}"
    );
    let zeros = csv_rows(&ok(
        a,
        &[
            "query",
            "SELECT key, corrections FROM three_zeros WHERE period = '2026-10' AND level = 'window'",
            "--format",
            "csv",
        ],
    ));
    assert!(
        zeros
            .iter()
            .any(|r| r["key"] == "W02" && r["corrections"] == "1"),
        "{zeros:?}"
    );
}

/// A small center's exports from November 2026 to January 2027, made with
/// the provisional 2027 (no official list yet): cases, steps, ratings,
/// tickets and punches cross the year.
fn year_turn_files() -> &'static (tempfile::TempDir, Vec<PathBuf>) {
    static FILES: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = crate::common::kept_tempdir();
        let spec = xiaoneng::demo::DemoSpec {
            seed: 11,
            first_month: (2026, 11),
            months: 3,
            windows: 6,
            staff_percent: 100,
            cases_per_year: 6_000,
            tickets_per_year: 5_000,
        };
        let cal = xiaoneng::calendar::Calendar::official().with_provisional_year();
        let files = xiaoneng::demo::generate(&spec, &cal, dir.path())
            .unwrap()
            .files;
        (dir, files)
    })
}

/// A 2027 list made up for the test (not the State Council's): it differs
/// from the provisional rule on days inside the run (Monday 01-04 off,
/// Saturday 01-09 worked) and on a lunar holiday (春节 02-08..02-12 off,
/// Saturday 02-20 worked); 10-01 is off as the rule has it.
const LIST_2027: &str = "date,workday,name\n2027-01-01,false,元旦\n2027-01-04,false,元旦\n\
2027-01-09,true,元旦调休\n2027-02-08,false,春节\n2027-02-09,false,春节\n2027-02-10,false,春节\n\
2027-02-11,false,春节\n2027-02-12,false,春节\n2027-02-20,true,春节调休\n2027-05-03,false,劳动节\n\
2027-10-01,false,国庆节\n";

/// `SELECT count(*) FROM <from_where>`.
fn count(home: &Path, from_where: &str) -> i64 {
    let out = ok(
        home,
        &[
            "query",
            &format!("SELECT count(*) AS n FROM {from_where}"),
            "--format",
            "csv",
        ],
    );
    out.lines().nth(1).unwrap().trim().parse().unwrap()
}

/// One line per run of the run log, as JSON.
fn run_log(home: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(home.join("data/nightly-runs.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_nightly_job_runs_through_the_turn_of_the_year_and_recomputes_what_the_list_moves() {
    let (first, last) = (date("2026-12-15"), date("2027-01-16"));
    let parts = split_files(&year_turn_files().1, first, last);
    let base: Vec<(&String, &Vec<u8>)> = parts.iter().map(|(n, (b, _))| (n, b)).collect();
    let drops_of = |day: chrono::NaiveDate, punches: bool| -> Vec<(&String, &Vec<u8>)> {
        parts
            .iter()
            .filter(|(n, _)| n.ends_with(".dat") == punches)
            .filter_map(|(n, (_, d))| d.get(&day).map(|b| (n, b)))
            .collect()
    };

    // Night by night without a 2027 list. The server is down over New
    // Year (no runs 12-31..01-03); the punches of Tuesday 12-29 come a day
    // late.
    let nightly_home = home();
    let a = nightly_home.path();
    drop_files(a, "base", &base);
    nightly_ok(a, "2026-12-14");
    let (late, down) = (date("2026-12-29"), date("2026-12-31")..=date("2027-01-03"));
    let mut day = first;
    let mut stderr_of = BTreeMap::new();
    while day < last {
        drop_files(a, &format!("{day}"), &drops_of(day, false));
        if day != late {
            drop_files(a, &format!("{day}-clock"), &drops_of(day, true));
        }
        if day == late.succ_opt().unwrap() {
            drop_files(a, &format!("{late}-clock"), &drops_of(late, true));
        }
        if !down.contains(&day) {
            let (code, err) = nightly(a, &day.to_string(), &[]);
            assert!(
                matches!(code, Some(0) | Some(1)),
                "nightly {day} exited {code:?}:\n{err}"
            );
            stderr_of.insert(day, err);
            if day == date("2027-01-04") {
                // The month and the quarter ending on 12-31, written by
                // this catch-up run from one read as of that day, are what
                // the report commands write from the same store.
                for (report, args) in [
                    ("2026-12", ["report", "monthly", "--month", "2026-12"]),
                    ("2026-Q4", ["report", "quarterly", "--quarter", "2026-Q4"]),
                ] {
                    let path = a.join("reports").join(report).join("bulletin.md");
                    let nightly = std::fs::read_to_string(&path).unwrap();
                    ok(a, &args);
                    assert_eq!(
                        std::fs::read_to_string(&path).unwrap(),
                        nightly,
                        "{report}: the nightly's bulletin and the command's"
                    );
                }
            }
        }
        day = day.succ_opt().unwrap();
    }
    // No row was rejected for its year.
    assert_eq!(count(a, "rejects WHERE reason LIKE '%does not cover%'"), 0);
    // Every December run warns that 2027 is provisional.
    assert!(stderr_of[&date("2026-12-15")].contains("2027 is provisional"));
    // Cards carry provisional deadlines, and the daily report says so.
    assert!(
        count(a, "cards WHERE deadline_provisional") > 0,
        "no provisional card"
    );
    // Every daily report with a provisional card due says so in one line.
    let mut with_provisional = 0;
    for (rel, bytes) in files_under(&a.join("reports")) {
        let Some(day) = rel.strip_suffix("/cards.csv") else {
            continue;
        };
        let Ok(daily) = std::fs::read_to_string(a.join(format!("reports/{day}/daily.md"))) else {
            continue; // a bulletin's cards
        };
        let text = String::from_utf8(bytes).unwrap();
        // A report's CSV for people: a BOM, Chinese headers, 是/否.
        let rows = csv_rows(text.strip_prefix('\u{feff}').expect("a BOM"));
        let provisional = rows.iter().any(|r| r["截止日期暂定"] == "是");
        assert_eq!(
            daily.contains("截止日期为暂定"),
            provisional,
            "{day}:\n{daily}"
        );
        with_provisional += usize::from(provisional);
    }
    assert!(
        with_provisional > 0,
        "no daily report with a provisional card"
    );
    // The late punches were noticed, by name and date.
    let stale = "no punches received for 2026-12-29; last 2026-12-28";
    assert!(stderr_of[&late].contains(stale), "{}", stderr_of[&late]);
    let log = run_log(a);
    assert!(log
        .iter()
        .any(|r| r["warnings"].to_string().contains(stale)));
    let daily = std::fs::read_to_string(a.join("reports/2026-12-29/daily.md")).unwrap();
    assert!(
        daily.contains("未收到 2026-12-29 的考勤打卡数据,最近一次为 2026-12-28"),
        "{daily}"
    );
    assert!(daily.contains("2027 年节假日安排尚未导入"), "{daily}");
    // The missed nights closed themselves on 01-04, oldest first, with
    // their daily reports and the bulletin and review due on 01-03.
    let jan4 = log.iter().find(|r| r["date"] == "2027-01-04").unwrap();
    assert_eq!(
        jan4["caught_up"],
        serde_json::json!(["2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"])
    );
    for report in [
        "2026-12-31/daily.md",
        "2027-01-02/daily.md",
        "2026-12/bulletin.md",
        "2026-Q4/bulletin.md",
    ] {
        assert!(a.join("reports").join(report).exists(), "{report}");
    }

    // Ingest runs are numbered by the store's counter, one after another.
    let seqs = ok(
        a,
        &[
            "query",
            "SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM ingest_runs",
            "--format",
            "csv",
        ],
    );
    let row = &csv_rows(&seqs)[0];
    assert_eq!((row["lo"].as_str(), &row["hi"]), ("1", &row["n"]), "{seqs}");

    // The official list arrives; the next night recomputes from its first
    // changed day and says what moved.
    let list = a.join("list-2027.csv");
    std::fs::write(&list, LIST_2027).unwrap();
    ok(a, &["calendar", "import", list.to_str().unwrap()]);
    let status = ok(a, &["calendar", "status"]);
    assert!(status.contains("2027  official (imported)"), "{status}");
    assert!(status.contains("2028  provisional"), "{status}");
    drop_files(a, &format!("{last}"), &drops_of(last, false));
    drop_files(a, &format!("{last}-clock"), &drops_of(last, true));
    nightly_ok(a, &last.to_string());
    let run = run_log(a).pop().unwrap();
    assert_eq!(run["recomputed_from"], "2027-01-04", "{run}");
    let changes = run["calendar_changes"].to_string();
    for said in [
        "2027-01-04 becomes a day off (元旦)",
        "2027-01-09 becomes a working day (元旦调休)",
        "2027-02-08 becomes a day off (春节)",
        "2027: provisional → official",
        "open deadlines moved",
    ] {
        assert!(changes.contains(said), "{said}: {changes}");
    }
    let open_provisional = "cards WHERE deadline_provisional AND cleared_on IS NULL";
    assert_eq!(
        count(a, open_provisional),
        0,
        "{:?}",
        table(a, open_provisional)
    );

    // A home that had the list from the start, everything at once.
    let full_home = home();
    let b = full_home.path();
    let list = b.join("list-2027.csv");
    std::fs::write(&list, LIST_2027).unwrap();
    ok(b, &["calendar", "import", list.to_str().unwrap()]);
    drop_files(b, "2026-12-14-base", &base);
    for (n, (_, drops)) in &parts {
        for (d, bytes) in drops {
            drop_files(b, &d.to_string(), &[(n, bytes)]);
        }
    }
    nightly_ok(b, &last.to_string());

    let mut compared = 0;
    let tables = METRICS.iter().chain(
        [
            "step_metrics",
            "staff_review",
            "cases",
            "ratings",
            "tickets",
            "punches",
        ]
        .iter(),
    );
    for t in tables {
        let (x, y) = (table(a, t), table(b, t));
        // Six windows in two months: no queue jump is planted.
        assert!(x.len() > 1 || *t == "queue_jumps", "{t} is empty");
        assert_rows_equal(&x, &y, &format!("{t}, through the year vs with the list"));
        compared += 1;
    }
    assert_eq!(compared, 18);
    // The cards due on the last night are the same cards (the histories
    // differ: one was judged night by night, the other once).
    let due = |home: &Path| -> Vec<String> {
        let csv = std::fs::read_to_string(home.join(format!("reports/{last}/cards.csv"))).unwrap();
        // case, step, window, staff, colour, deadline, provisional, remaining
        csv.lines()
            .map(|l| l.split(',').take(8).collect::<Vec<_>>().join(","))
            .collect()
    };
    let (x, y) = (due(a), due(b));
    assert!(x.len() > 1, "no card due on {last}");
    assert_rows_equal(&x, &y, "cards due on the last night");
}
