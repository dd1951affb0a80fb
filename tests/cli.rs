//! End-to-end tests of the `xiaoneng` binary: each test gets its own
//! `--home` folder, so tests never share files.

use crate::common;

use common::{bin, ok, run, totals};
use std::path::{Path, PathBuf};

fn home() -> tempfile::TempDir {
    crate::common::tempdir()
}

fn write(dir: &Path, name: &str, body: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, body).unwrap();
    p
}

// ---------------------------------------------------------------- calendar

#[test]
fn calendar_days_pins_the_official_holidays() {
    let h = home();
    let out = ok(
        h.path(),
        &[
            "calendar",
            "days",
            "--from",
            "2010-01-01",
            "--to",
            "2026-12-31",
            "--format",
            "csv",
        ],
    );
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("date,workday"));
    let days: std::collections::HashMap<&str, &str> =
        lines.map(|l| l.split_once(',').unwrap()).collect();
    assert_eq!(days.len(), 6209, "one row per date 2010-01-01..2026-12-31");
    let off = |d: &str| assert_eq!(days[d], "false", "{d} should be a day off");
    let work = |d: &str| assert_eq!(days[d], "true", "{d} should be a working day");
    for d in 1..=7 {
        off(&format!("2024-10-0{d}"));
    }
    work("2024-09-29");
    work("2024-10-12");
    for d in [
        "2025-01-28",
        "2025-01-29",
        "2025-01-30",
        "2025-01-31",
        "2025-02-01",
        "2025-02-02",
        "2025-02-03",
        "2025-02-04",
    ] {
        off(d);
    }
    work("2025-01-26");
    work("2025-02-08");
    // 2026 Spring Festival: 2-15..2-23 off; 2-14 (Sat) and 2-28 (Sat) working.
    for d in 15..=23 {
        off(&format!("2026-02-{d}"));
    }
    work("2026-02-14");
    work("2026-02-28");
    work("2026-02-24");
    // An ordinary week and weekend.
    work("2026-11-23");
    off("2026-11-22");
}

#[test]
fn calendar_outside_the_data_names_the_year() {
    let h = home();
    let out = run(
        h.path(),
        &[
            "calendar",
            "days",
            "--from",
            "2028-06-01",
            "--to",
            "2028-06-01",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2028"), "{err}");
    assert!(out.stdout.is_empty(), "nothing printed on error");

    write(
        h.path(),
        "xiaoneng.toml",
        "[calendar]\nadd_years = [2028]\n",
    );
    let out = ok(
        h.path(),
        &[
            "calendar",
            "days",
            "--from",
            "2028-06-01",
            "--to",
            "2028-06-01",
        ],
    );
    assert_eq!(out, "date,workday\n2028-06-01,true\n");
}

#[test]
fn calendar_deadline_and_elapsed() {
    let h = home();
    // Accepted Friday 2024-09-27; the next working day is the make-up Sunday 9-29.
    assert_eq!(
        ok(
            h.path(),
            &[
                "calendar",
                "deadline",
                "--accepted",
                "2024-09-27",
                "--days",
                "1"
            ]
        ),
        "2024-09-29\n"
    );
    assert_eq!(
        ok(
            h.path(),
            &[
                "calendar",
                "deadline",
                "--accepted",
                "2024-09-27",
                "--days",
                "2"
            ]
        ),
        "2024-09-30\n"
    );
    // 9-30, then 10-1..7 off, 10-8 is the third.
    assert_eq!(
        ok(
            h.path(),
            &[
                "calendar",
                "deadline",
                "--accepted",
                "2024-09-27",
                "--days",
                "3"
            ]
        ),
        "2024-10-08\n"
    );
    assert_eq!(
        ok(
            h.path(),
            &[
                "calendar",
                "deadline",
                "--accepted",
                "2024-10-03",
                "--days",
                "0"
            ]
        ),
        "2024-10-03\n"
    );
    // Working days after 9-27 up to 10-08: 9-29, 9-30, 10-08.
    assert_eq!(
        ok(
            h.path(),
            &[
                "calendar",
                "elapsed",
                "--from",
                "2024-09-27",
                "--to",
                "2024-10-08"
            ]
        ),
        "3\n"
    );
    assert_eq!(
        ok(
            h.path(),
            &[
                "calendar",
                "elapsed",
                "--from",
                "2024-09-27",
                "--to",
                "2024-09-27"
            ]
        ),
        "0\n"
    );
}

// ------------------------------------------------------------------ ingest

const WINDOWS: &str = "window_id,name,department\nW01,税务窗口,税务局\nW02,工商窗口,市场监管局\n";
const STAFF: &str = "staff_id,name,window_id,role,valid_from,valid_to\n1001,张三,W01,工作人员,2025-01-01,\n1002,李四,W02,工作人员,2025-01-01,\n";
const ITEMS: &str = "item_code,name,department,legal_limit_days,promised_limit_days,materials,steps,effective_from\nI01,税务登记,税务局,20,5,4,3,2025-01-01\nI02,营业执照,市场监管局,15,0,3,2,2025-01-01\n";

fn seed_dimensions(h: &Path) {
    let inbox = h.join("data/inbox");
    write(&inbox, "windows.csv", WINDOWS);
    write(&inbox, "staff.csv", STAFF);
    write(&inbox, "items.csv", ITEMS);
    ok(h, &["ingest"]);
}

fn rejects(h: &Path) -> String {
    ok(h, &["rejects", "--limit", "1000"])
}

#[test]
fn gbk_file_with_chinese_headers_is_stored() {
    let h = home();
    seed_dimensions(h.path());
    let text = "办件编号,事项编码,窗口编号,受理人工号,申报渠道,受理时间,办结时间,办理结果\r\n\
                A001,I01,W01,1001,窗口,2026/10/8 9:01,2026年10月9日 16时30分,准予许可\r\n\
                A002,I02,W02,1002,网上,2026-10-08 10:00:00,2026-10-08 10:20:00,办结\r\n";
    let (gbk, _, had_errors) = encoding_rs::GB18030.encode(text);
    assert!(!had_errors);
    let f = write(h.path(), "exports/办件_10月.csv", &gbk);
    let out = ok(h.path(), &["ingest", f.to_str().unwrap()]);
    assert_eq!(totals(&out)["cases"], [2, 2, 0, 0], "{out}");
    assert!(out.contains("gb18030") || !out.contains("note"), "{out}");
}

#[test]
fn zkteco_attlog_punches_are_stored() {
    let h = home();
    seed_dimensions(h.path());
    let att = "     1001\t2026-10-08 08:21:03\t1\t0\t1\t0\r\n     1002\t2026-10-08 08:29:59\t1\t0\t1\t0\r\n     1001\t2026-10-08 12:01:10\t2\t1\t1\t0\r\n";
    let f = write(h.path(), "x/1_attlog.dat", att);
    let out = ok(h.path(), &["ingest", f.to_str().unwrap()]);
    assert_eq!(totals(&out)["punches"], [3, 3, 0, 0], "{out}");
}

#[test]
fn each_kind_of_bad_row_lands_in_rejects_with_its_reason() {
    let h = home();
    seed_dimensions(h.path());
    let cases = "case_id,item_code,window_id,staff_id,channel,accepted_at,completed_at,result\n\
                 C01,I01,W01,1001,窗口,2026-10-08 09:00:00,2026-10-09 10:00:00,准予许可\n\
                 C02,I01,W01,1001,窗口,2026-13-45 09:00:00,,\n\
                 C03,I01,W99,1001,窗口,2026-10-08 09:00:00,,\n\
                 C04,I99,W01,1001,窗口,2026-10-08 09:00:00,,\n\
                 C05,I01,W01,1001,窗口,2026-10-08 09:00:00,2026-10-07 09:00:00,\n\
                 C06,I01,W01\n\
                 ,I01,W01,1001,窗口,2026-10-08 09:00:00,,\n";
    let ratings = "rating_id,window_id,rated_at,level\nR1,W01,2026-10-08 10:00,5\nR2,W01,2026-10-08 10:00,7\n";
    let leaves = "staff_id,kind,start,end\n1001,事假,2026-10-08 08:30,2026-10-08 12:00\n1001,病假,2026-10-09 08:30,2026-10-08 12:00\n";
    write(h.path(), "data/inbox/cases.csv", cases);
    write(h.path(), "data/inbox/ratings.csv", ratings);
    write(h.path(), "data/inbox/leaves.csv", leaves);
    let out = ok(h.path(), &["ingest"]);
    let t = totals(&out);
    assert_eq!(t["cases"], [7, 1, 6, 0], "{out}");
    assert_eq!(t["ratings"], [2, 1, 1, 0], "{out}");
    assert_eq!(t["leaves"], [2, 1, 1, 0], "{out}");
    let r = rejects(h.path());
    for (line, needle) in [
        ("cases.csv:3 [accepted_at]", "is not a date-time"),
        (
            "cases.csv:4 [window_id]",
            "window_id 'W99' is not in windows",
        ),
        ("cases.csv:5 [item_code]", "item_code 'I99' is not in items"),
        ("cases.csv:6 [completed_at]", "is before accepted_at"),
        ("cases.csv:7", "ragged row"),
        ("cases.csv:8 [case_id]", "required field case_id is empty"),
        ("ratings.csv:3 [level]", "level 7 is outside 1–5"),
        ("leaves.csv:3 [end]", "is before start"),
    ] {
        let hit = r
            .lines()
            .find(|l| l.contains(line))
            .unwrap_or_else(|| panic!("no reject {line} in\n{r}"));
        assert!(
            hit.contains(needle),
            "{line}: expected '{needle}' in '{hit}'"
        );
    }
    assert!(r.contains("C06,I01,W01"), "the raw line is kept:\n{r}");
}

#[test]
fn a_file_of_no_known_table_can_be_ingested_once_named() {
    let h = home();
    seed_dimensions(h.path());
    let f = write(
        h.path(),
        "exports/export1.csv",
        "window_id,name,department\nW09,新窗口,新部门\n",
    );
    // A file that fails as a whole: exit 1, said once.
    let out = run(h.path(), &["ingest", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains("cannot tell which table"), "{out}");
    assert!(out.contains("FAILED"), "{out}");
    // The same bytes, told their table: stored, not skipped as ingested before.
    let out = ok(
        h.path(),
        &["ingest", "--table", "windows", f.to_str().unwrap()],
    );
    assert_eq!(totals(&out)["windows"], [1, 1, 0, 0], "{out}");
}

#[test]
fn force_reads_an_ingested_file_again() {
    let h = home();
    seed_dimensions(h.path());
    let out = ok(h.path(), &["ingest", "--force"]);
    assert!(!out.contains("skipped"), "{out}");
    // Same keys: every row replaces itself.
    assert_eq!(totals(&out)["windows"], [2, 2, 0, 2], "{out}");
}

#[test]
fn ingesting_a_file_twice_changes_nothing() {
    let h = home();
    seed_dimensions(h.path());
    let store = h.path().join("data/store");
    let before = list_files(&store);
    let out = ok(h.path(), &["ingest"]);
    assert!(out.contains("(ingested before; skipped)"), "{out}");
    assert_eq!(list_files(&store), before, "no file of the store changed");
}

#[test]
fn a_later_row_replaces_the_stored_one_and_is_counted() {
    let h = home();
    seed_dimensions(h.path());
    let inbox = h.path().join("data/inbox");
    write(&inbox, "cases-1.csv", "case_id,item_code,window_id,accepted_at,completed_at\nC01,I01,W01,2026-10-08 09:00,\nC02,I01,W01,2026-10-08 09:05,\n");
    ok(h.path(), &["ingest"]);
    // C01 completed and moved to another month's partition by a corrected acceptance date.
    write(&inbox, "cases-2.csv", "case_id,item_code,window_id,accepted_at,completed_at\nC01,I01,W01,2026-09-30 09:00,2026-10-09 10:00\nC03,I01,W01,2026-10-09 09:00,\n");
    let out = ok(h.path(), &["ingest"]);
    assert_eq!(totals(&out)["cases"][3], 1, "one replaced row:\n{out}");
    let cases = read_parquet_rows(&h.path().join("data/store/cases"));
    assert_eq!(cases.len(), 3, "{cases:?}");
    let c01: Vec<_> = cases.iter().filter(|r| r.contains("C01")).collect();
    assert_eq!(c01.len(), 1, "{cases:?}");
    assert!(c01[0].contains("month=09"), "moved partition: {c01:?}");
}

#[test]
fn in_a_first_load_the_last_row_of_a_key_wins_in_its_month() {
    // Dimensions and cases in one run: staff name a window of the run,
    // cases a window, staff member and item of it.
    let h = home();
    let inbox = h.path().join("data/inbox");
    write(&inbox, "windows.csv", WINDOWS);
    write(&inbox, "staff.csv", STAFF);
    write(&inbox, "items.csv", ITEMS);
    // Out of time order, and C01 twice: the row of the later file wins.
    write(&inbox, "cases-1.csv", "case_id,item_code,window_id,accepted_at,completed_at\nC02,I01,W01,2026-10-08 09:05,\nC01,I01,W01,2026-10-01 09:00,\nC03,I01,W02,2026-09-30 16:00,\n");
    write(&inbox, "cases-2.csv", "case_id,item_code,window_id,accepted_at,completed_at\nC01,I01,W01,2026-09-29 09:00,2026-10-09 10:00\nC04,I01,W09,2026-10-09 09:00,\n");
    let out = ok(h.path(), &["ingest"]);
    assert_eq!(totals(&out)["cases"], [5, 4, 1, 1], "{out}");
    assert_eq!(totals(&out)["staff"], [2, 2, 0, 0], "{out}");
    let cases = read_parquet_rows(&h.path().join("data/store/cases"));
    let c01: Vec<_> = cases.iter().filter(|r| r.contains("C01")).collect();
    assert_eq!(c01.len(), 1, "{cases:?}");
    assert!(
        c01[0].contains("month=09") && c01[0].contains("2026-10-09"),
        "{c01:?}"
    );
    // September holds C01 then C03, in time order.
    let sept: Vec<_> = cases.iter().filter(|r| r.contains("month=09")).collect();
    assert_eq!(sept.len(), 2, "{cases:?}");
    assert!(
        sept[0].contains("C01") && sept[1].contains("C03"),
        "{sept:?}"
    );
    let r = rejects(h.path());
    assert!(r.contains("window_id 'W09' is not in windows"), "{r}");
}

fn list_files(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    fn walk(d: &Path, out: &mut Vec<(PathBuf, u64)>) {
        let Ok(entries) = std::fs::read_dir(d) else {
            return;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if !p.ends_with(".lock") {
                out.push((p.clone(), std::fs::metadata(&p).unwrap().len()));
            }
        }
    }
    walk(dir, &mut out);
    out.sort();
    out
}

/// Every row of a dataset as "<file path> | <column>: <value>, …", each
/// file read on its own (no hive partitions, no schema of the store).
fn read_parquet_rows(dir: &Path) -> Vec<String> {
    use polars::prelude::{ParquetReader, SerReader};
    let mut out = Vec::new();
    for (f, _) in list_files(dir) {
        if f.extension().is_some_and(|e| e == "parquet") {
            let df = ParquetReader::new(std::fs::File::open(&f).unwrap())
                .finish()
                .unwrap();
            for i in 0..df.height() {
                let row: Vec<String> = df
                    .columns()
                    .iter()
                    .map(|c| format!("{}: {}", c.name(), c.get(i).unwrap()))
                    .collect();
                out.push(format!("{} | {}", f.display(), row.join(", ")));
            }
        }
    }
    out
}

#[test]
fn an_interrupted_run_leaves_the_store_before_or_after() {
    for point in ["staged", "journal", "applying"] {
        let h = home();
        seed_dimensions(h.path());
        let store = h.path().join("data/store");
        let inbox = h.path().join("data/inbox");
        write(&inbox, "cases.csv", "case_id,item_code,window_id,accepted_at\nC01,I01,W01,2026-10-08 09:00\nC02,I01,W01,2026-11-08 09:00\n");
        let before = read_parquet_rows(&store.join("cases")).len();
        let out = bin()
            .arg("--home")
            .arg(h.path())
            .arg("ingest")
            .env("XIAONENG_FAIL_AT", point)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: the run must die");
        // The next open finishes or sweeps the interrupted run.
        let out = ok(h.path(), &["ingest"]);
        let after = read_parquet_rows(&store.join("cases")).len();
        match point {
            // Killed before the commit point: nothing landed, so this run ingests it.
            "staged" => {
                assert_eq!(before, 0);
                assert_eq!(totals(&out)["cases"], [2, 2, 0, 0], "{point}: {out}");
            }
            // Killed after it: the next open finished the commit; the file is known.
            _ => assert!(out.contains("(ingested before; skipped)"), "{point}: {out}"),
        }
        assert_eq!(after, 2, "{point}");
        assert!(!store.join("_journal.json").exists());
        assert!(!store.join("_staging").exists());
    }
}

#[test]
fn parquet_files_have_the_right_types_for_other_engines() {
    // The files' own Parquet footers, as any engine reads them.
    use polars_parquet::parquet::compression::Compression;
    use polars_parquet::parquet::metadata::FileMetadata;
    use polars_parquet::parquet::schema::types::{
        PhysicalType as Physical, PrimitiveConvertedType, PrimitiveLogicalType as Logical,
        PrimitiveType, TimeUnit,
    };
    let footer = common::parquet_footer;
    let column = |meta: &FileMetadata, name: &str| -> PrimitiveType {
        meta.schema_descr
            .columns()
            .iter()
            .map(|c| &c.descriptor.primitive_type)
            .find(|t| t.field_info.name == name)
            .unwrap()
            .clone()
    };
    let h = home();
    seed_dimensions(h.path());
    write(
        &h.path().join("data/inbox"),
        "ratings.csv",
        "rating_id,window_id,rated_at,level,comment\nR1,W01,2026-10-08 10:00,5,好\n",
    );
    write(
        &h.path().join("data/inbox"),
        "incidents.csv",
        "date,source,window_id,category,substantiated,points\n2026-10-08,巡查,W01,脱岗,是,-2\n",
    );
    ok(h.path(), &["ingest"]);
    let file = |ds: &str| {
        list_files(&h.path().join("data/store").join(ds))
            .into_iter()
            .map(|(p, _)| p)
            .find(|p| p.extension().is_some_and(|e| e == "parquet"))
            .unwrap()
    };
    let ratings = file("ratings");
    assert!(
        ratings.to_string_lossy().contains("year=2026/month=10"),
        "{}",
        ratings.display()
    );
    let meta = footer(&ratings);
    let col = |name: &str| column(&meta, name);
    assert_eq!(col("level").physical_type, Physical::Int64);
    assert_eq!(col("rating_id").physical_type, Physical::ByteArray);
    assert!(
        col("rating_id").logical_type == Some(Logical::String)
            || col("rating_id").converted_type == Some(PrimitiveConvertedType::Utf8)
    );
    assert_eq!(col("rated_at").physical_type, Physical::Int64);
    match col("rated_at").logical_type {
        Some(Logical::Timestamp {
            unit: TimeUnit::Milliseconds,
            is_adjusted_to_utc,
        }) => assert!(!is_adjusted_to_utc),
        other => panic!("rated_at should be a local timestamp in ms, not {other:?}"),
    }
    let rg = &meta.row_groups[0];
    assert!(
        rg.parquet_columns()
            .iter()
            .all(|c| c.statistics(&meta.footer_buf).is_some_and(|s| s.is_ok())),
        "statistics written"
    );
    assert!(rg
        .parquet_columns()
        .iter()
        .all(|c| c.compression() == Compression::Zstd));

    let incidents = file("incidents");
    let meta = footer(&incidents);
    let col = |name: &str| column(&meta, name);
    assert_eq!(col("date").physical_type, Physical::Int32);
    assert_eq!(col("date").logical_type, Some(Logical::Date));
    assert_eq!(col("substantiated").physical_type, Physical::Boolean);
    assert_eq!(col("points").physical_type, Physical::Double);
    let rows = read_parquet_rows(&h.path().join("data/store/incidents"));
    assert!(rows[0].contains("points: -2.0"), "{rows:?}");
}

#[test]
fn init_writes_the_commented_defaults_once() {
    let h = home();
    ok(h.path(), &["init"]);
    let text = std::fs::read_to_string(h.path().join("xiaoneng.toml")).unwrap();
    assert!(text.contains("inbox = \"data/inbox\""));
    assert!(
        !run(h.path(), &["init"]).status.success(),
        "no silent overwrite"
    );
    ok(h.path(), &["init", "--force"]);
    ok(
        h.path(),
        &[
            "calendar",
            "elapsed",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-02",
        ],
    );
}

#[test]
fn demo_ingests_every_table_and_accounts_for_every_row() {
    // The demo run once per test binary, its home copied.
    let h = common::demo_home();
    let out = common::demo_output();
    let t = totals(out);
    for table in [
        "windows",
        "staff",
        "items",
        "punches",
        "leaves",
        "departures",
        "cases",
        "suspensions",
        "case_steps",
        "corrections",
        "ratings",
        "tickets",
        "incidents",
    ] {
        let [read, stored, rejected, _] = t
            .get(table)
            .copied()
            .unwrap_or_else(|| panic!("{table} missing:\n{out}"));
        assert!(stored > 0, "{table} stored nothing:\n{out}");
        assert_eq!(stored + rejected, read, "{table}");
    }
    assert!(t["cases"][1] > 50_000, "{out}");
    assert!(t["total"][2] > 0, "malformed rows are rejected:\n{out}");
    // Per file, too.
    for line in out.lines().take_while(|l| !l.is_empty()).skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() >= 5 && cols[2].parse::<u64>().is_ok() {
            let n = |i: usize| cols[i].parse::<u64>().unwrap();
            assert_eq!(n(3) + n(4), n(2), "{line}");
        }
    }
    // The case figures of the latest month, the cards and the catalog round.
    assert!(out.contains("办件时效 2026-10"), "{out}");
    assert!(out.contains("电子监察 2026-10-31: 红牌"), "{out}");
    assert!(
        out.contains("流程再造 2025-01-01 → 2026-04-01: 涉及22个部门"),
        "{out}"
    );
    // The bulletin of the last full month, as HTML with its Markdown and tables.
    assert!(out.contains("月通报 2026-10:"), "{out}");
    assert!(h.path().join("reports/2026-10/bulletin.html").exists());
    assert!(h.path().join("reports/2026-10/ranking.csv").exists());
    // Again: nothing new, same counts from the ledger.
    let again = ok(h.path(), &["demo"]);
    assert_eq!(totals(&again)["cases"][..3], t["cases"][..3]);
    assert!(again.contains("(ingested before; skipped)"));
}

#[test]
fn calendar_import_takes_a_gbk_list_names_a_bad_line_and_status_tells_the_sources() {
    let h = home();
    // Without a 2027 list, 2027 is provisional: Monday 2027-02-08 (春节 in
    // the list below) is a working day, and a deadline crosses the year.
    assert_eq!(
        ok(
            h.path(),
            &[
                "calendar",
                "deadline",
                "--accepted",
                "2026-12-28",
                "--days",
                "5"
            ]
        ),
        "2027-01-05\n"
    );
    let status = ok(h.path(), &["calendar", "status"]);
    assert!(status.contains("2026  official (built in)"), "{status}");
    assert!(status.contains("2027  provisional"), "{status}");
    assert!(!status.contains("2028"), "{status}");

    // A wrong line: nothing is kept, the error names the file and line.
    write(
        h.path(),
        "bad.csv",
        "date,workday,name\n2027-02-08,false,春节\n2028-01-01,false,元旦\n",
    );
    let bad = h.path().join("bad.csv");
    let out = run(h.path(), &["calendar", "import", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.csv") && err.contains("line 3"), "{err}");
    assert!(ok(h.path(), &["calendar", "status"]).contains("2027  provisional"));

    // The list in GBK, as Excel saves it.
    let list = "date,workday,name\r\n2027-01-01,false,元旦\r\n2027-02-08,false,春节\r\n2027-02-20,true,春节调休\r\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(list);
    std::fs::write(h.path().join("2027.csv"), &gbk).unwrap();
    let list_path = h.path().join("2027.csv");
    let out = run(
        h.path(),
        &["calendar", "import", list_path.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2027-02-08 becomes a day off (春节)"), "{err}");
    assert!(err.contains("2027-10-01 becomes a working day"), "{err}");
    let status = ok(h.path(), &["calendar", "status"]);
    assert!(status.contains("2027  official (imported)"), "{status}");
    assert!(status.contains("2027.csv, loaded "), "{status}");
    assert!(status.contains("2028  provisional"), "{status}");
    assert_eq!(
        ok(
            h.path(),
            &[
                "calendar",
                "days",
                "--from",
                "2027-02-08",
                "--to",
                "2027-02-08"
            ]
        ),
        "date,workday\n2027-02-08,false\n"
    );
    // Two years out is still an error naming the year.
    let out = run(
        h.path(),
        &[
            "calendar",
            "days",
            "--from",
            "2029-01-02",
            "--to",
            "2029-01-02",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2029"));
}

#[test]
fn an_incident_without_points_takes_its_source_default_or_is_named() {
    let h = home();
    write(
        h.path(),
        "data/inbox/windows.csv",
        "window_id,name,department\nW01,综合窗口,政务办\n",
    );
    // Worked by hand with the template's defaults: 投诉 −2, 暗访 −2,
    // 巡查 −1, 表扬 +1, 锦旗 +2 (no category defaults).
    write(
        h.path(),
        "data/inbox/incidents.csv",
        "incident_id,date,source,window_id,category,substantiated,points\n\
         I1,2026-10-12,投诉,W01,服务态度,是,\n\
         I2,2026-10-13,巡查,W01,工作纪律,true,\n\
         I3,2026-10-14,暗访,W01,吃拿卡要,true,-5\n\
         I4,2026-10-15,表扬,W01,表扬信,,\n\
         I5,2026-10-16,督查,W01,其他,true,\n\
         I6,2026-10-19,投诉,W01,服务态度,不属实,\n",
    );
    let out = ok(h.path(), &["ingest"]);
    // I5: a source and category with no default, named at ingest (line 6).
    assert!(
        out.contains("1 substantiated incident(s) have no points") && out.contains("(lines 6)"),
        "{out}"
    );
    let out = ok(
        h.path(),
        &[
            "metrics",
            "incidents",
            "--period",
            "2026-10",
            "--level",
            "window",
            "--format",
            "csv",
        ],
    );
    let points: std::collections::BTreeMap<String, String> = common::csv_rows(&out)
        .into_iter()
        .map(|r| (r["source"].clone(), r["points"].clone()))
        .collect();
    // I1 −2 (I6 is not substantiated), I2 −1, I3 its own −5, I4 +1, I5 0.
    for (source, want) in [
        ("投诉", -2.0),
        ("巡查", -1.0),
        ("暗访", -5.0),
        ("表扬", 1.0),
        ("督查", 0.0),
    ] {
        let got: f64 = points[source].parse().unwrap();
        assert_eq!(got, want, "{source}: {out}");
    }
}

#[test]
fn an_idle_window_holds_no_zero_and_leaves_the_share_at_every_grain() {
    let h = home();
    let files = [
        ("windows.csv", "window_id,name,department\nW01,综合窗口,政务办\nW02,备用窗口,政务办\n"),
        ("staff.csv", "staff_id,name,window_id\n1001,张三,W01\n1002,李四,W02\n"),
        ("items.csv", "item_code,name,department,promised_limit_days,effective_from\nA1,登记,政务办,1,2026-01-01\n"),
        // W01's only case: accepted Monday 10-12 with 1 day, completed
        // Tuesday 10-20 (elapsed 6 > 1): W01 loses 零差错. W02 does nothing.
        ("cases.csv", "case_id,item_code,window_id,staff_id,accepted_at,completed_at\nC1,A1,W01,1001,2026-10-12 09:00,2026-10-20 10:00\n"),
    ];
    for (name, text) in files {
        write(h.path(), &format!("data/inbox/{name}"), text);
    }
    ok(h.path(), &["ingest"]);
    ok(h.path(), &["compute", "--as-of", "2026-10-31"]);
    let out = ok(
        h.path(),
        &[
            "query",
            "SELECT grain, key, zero_error, all_three, windows, windows_all_three, share_all_three, active FROM three_zeros WHERE period IN ('2026-10', '2026-W43', '2026-10-20') ORDER BY grain, key",
            "--format",
            "csv",
        ],
    );
    let rows = common::csv_rows(&out);
    assert_eq!(rows.len(), 9, "{out}");
    for r in &rows {
        match r["key"].as_str() {
            // One active window, holding not all three: 0 of 1 (counting
            // the idle W02 as holding them gave 1 of 2).
            "center" => {
                let got = [
                    &r["windows"],
                    &r["windows_all_three"],
                    &r["share_all_three"],
                ];
                assert_eq!(got, ["1", "0", "0.0"], "{out}");
            }
            "W01" => assert_eq!([&r["zero_error"], &r["active"]], ["false", "true"], "{out}"),
            // No data: no flag either way.
            _ => assert_eq!(
                [&r["zero_error"], &r["all_three"], &r["active"]],
                ["", "", "false"],
                "{out}"
            ),
        }
    }
}

/// The year's turn by hand, without a 2027 list: a case accepted Monday
/// 2026-12-28 with 5 working days is due Tuesday 2027-01-05 (12-29, 12-30,
/// 12-31, then 元旦 01-01 and the weekend, 01-04, 01-05), provisionally.
/// `cards`, `compute` and the reports run and say the deadline is provisional.
#[test]
fn cards_compute_and_reports_run_through_the_turn_of_the_year() {
    let h = home();
    let files = [
        ("windows.csv", "window_id,name,department\nW01,综合窗口,政务办\n"),
        ("staff.csv", "staff_id,name,window_id\n1001,张三,W01\n"),
        (
            "items.csv",
            "item_code,name,department,promised_limit_days,effective_from\nA1,登记,政务办,5,2026-01-01\n",
        ),
        (
            "cases.csv",
            "case_id,item_code,window_id,staff_id,accepted_at\nC1,A1,W01,1001,2026-12-28 09:00\n",
        ),
    ];
    for (name, text) in files {
        write(h.path(), &format!("data/inbox/{name}"), text);
    }
    ok(h.path(), &["ingest"]);
    // Monday 01-04: one working day left, yellow, provisional.
    let out = run(
        h.path(),
        &["cards", "--as-of", "2027-01-04", "--format", "csv"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (stdout, stderr) = (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    );
    let card = &common::csv_rows(&stdout)[0];
    let got = [
        &card["colour"],
        &card["deadline"],
        &card["deadline_provisional"],
        &card["remaining_days"],
    ];
    assert_eq!(got, ["yellow", "2027-01-05", "true", "1"], "{stdout}");
    assert!(stderr.contains("截止日期为暂定"), "{stderr}");
    ok(h.path(), &["compute", "--as-of", "2027-01-04"]);
    let out = ok(h.path(), &["report", "daily", "--date", "2027-01-04"]);
    assert!(out.contains("截止日期为暂定"), "{out}");
    // December's figures use no provisional day (the case is not overdue at
    // 12-31 either way; its card was raised in January): no note. January's
    // bulletin reaches the provisional year: the note.
    let out = ok(h.path(), &["report", "monthly", "--month", "2026-12"]);
    assert!(!out.contains("截止日期为暂定"), "{out}");
    let out = ok(h.path(), &["report", "monthly", "--month", "2027-01"]);
    assert!(out.contains("截止日期为暂定"), "{out}");
}
