//! The whole pipeline on a city year, from CSV exports to the bulletin:
//! 2 000 000 cases with their suspensions, about 1 000 000 punches of 1 000
//! staff with leaves and departures, 2 200 000 queue tickets and about
//! 1 500 000 ratings (78 % of completed cases), 200 windows, 1 500 items.
//!
//! `cargo bench --bench pipeline` writes the exports as CSV into an inbox
//! (not timed), then a child process times each stage as the nightly job
//! runs it: ingest (parse, check every row, store as Parquet), every metric
//! table (cases, attendance, ratings, queue, incidents, three zeros, scores
//! and rankings, staff review), the cards of the year's last day, and the
//! bulletin of 2025-12 with its charts; rows per second and the peak
//! resident memory. `CASES=N` scales cases (and ratings) down or up.

use chrono::NaiveDate;
use polars::prelude::*;
use std::time::Instant;

mod common;
use common::{cases_from_env, city_attendance, city_tickets, city_year, in_child, print_peak, Rng};
use xiaoneng::calendar::Calendar;

fn write_csv(df: &mut DataFrame, path: &std::path::Path) {
    let mut f = std::fs::File::create(path).expect("create csv");
    CsvWriter::new(&mut f)
        .include_header(true)
        .with_datetime_format(Some("%Y-%m-%d %H:%M:%S".into()))
        .with_date_format(Some("%Y-%m-%d".into()))
        .finish(df)
        .expect("write csv");
}

/// Ratings of 78 % of the completed cases, an hour after completion.
fn ratings_of(cases: &DataFrame) -> DataFrame {
    let mut rng = Rng(17);
    let done = cases
        .clone()
        .lazy()
        .filter(col("completed_at").is_not_null())
        .select([
            col("case_id"),
            col("window_id"),
            col("staff_id"),
            col("completed_at"),
        ])
        .collect()
        .expect("completed");
    let keep: BooleanChunked = (0..done.height()).map(|_| rng.chance(0.78)).collect();
    let rated = done.filter(&keep).expect("rated");
    let n = rated.height();
    let levels: Vec<i64> = (0..n)
        .map(|_| {
            let u = rng.below(1000);
            if u < 8 {
                1 + rng.below(2) as i64
            } else if u < 40 {
                3
            } else if u < 120 {
                4
            } else {
                5
            }
        })
        .collect();
    let mut out = rated
        .lazy()
        .with_columns([
            (col("completed_at") + lit(chrono::Duration::hours(1))).alias("rated_at"),
            lit("评价器").alias("channel"),
        ])
        .with_row_index("n", None)
        .with_column(
            concat_str([lit("R"), col("n").cast(DataType::String)], "", false).alias("rating_id"),
        )
        .select([
            col("rating_id"),
            col("case_id"),
            col("window_id"),
            col("staff_id"),
            col("rated_at"),
            col("channel"),
        ])
        .collect()
        .expect("ratings");
    out.with_column(Column::new("level".into(), levels))
        .expect("levels");
    out
}

fn generate(n: usize, cal: &Calendar, home: &std::path::Path) {
    let t = Instant::now();
    let inbox = home.join("data/inbox");
    std::fs::create_dir_all(&inbox).expect("inbox");
    let mut year = city_year(n, cal);
    let [staff, windows, punches, leaves, departures] = city_attendance(cal);
    // Each queue served by its own window and staff member.
    let mut tickets = city_tickets(cal);
    let q: Vec<usize> = tickets
        .column("queue")
        .expect("queue")
        .str()
        .expect("str")
        .iter()
        .map(|v| v.map_or(0, |v| v[1..].parse().unwrap_or(0)))
        .collect();
    tickets
        .with_column(Column::new(
            "window_id".into(),
            q.iter()
                .map(|q| format!("W{:03}", q * 5))
                .collect::<Vec<_>>(),
        ))
        .expect("window");
    tickets
        .with_column(Column::new(
            "staff_id".into(),
            q.iter()
                .map(|q| format!("S{:04}", q * 25))
                .collect::<Vec<_>>(),
        ))
        .expect("staff");
    let mut tickets = tickets
        .lazy()
        .with_column((col("called_at") + lit(chrono::Duration::minutes(10))).alias("finished_at"))
        .collect()
        .expect("tickets");
    let mut ratings = ratings_of(&year.cases);
    let mut staff = staff.1;
    let mut windows = windows
        .1
        .lazy()
        .with_column(col("window_id").alias("name"))
        .collect()
        .expect("windows");
    let mut items = year
        .items
        .clone()
        .lazy()
        .with_columns([
            col("item_code").alias("name"),
            lit("D00").alias("department"),
        ])
        .collect()
        .expect("items");
    let mut susp = year.suspensions.take().expect("suspensions");
    let (mut punches, mut leaves, mut departures) = (punches.1, leaves.1, departures.1);
    let files: [(&str, &mut DataFrame); 10] = [
        ("windows.csv", &mut windows),
        ("staff.csv", &mut staff),
        ("items.csv", &mut items),
        ("cases.csv", &mut year.cases),
        ("suspensions.csv", &mut susp),
        ("punches.csv", &mut punches),
        ("leaves.csv", &mut leaves),
        ("departures.csv", &mut departures),
        ("tickets.csv", &mut tickets),
        ("ratings.csv", &mut ratings),
    ];
    let mut rows = 0;
    for (name, df) in files {
        rows += df.height();
        write_csv(df, &inbox.join(name));
    }
    eprintln!(
        "generated {rows} rows of exports ({n} cases) in {:.1} s (not timed)",
        t.elapsed().as_secs_f64()
    );
}

fn measure(home: &std::path::Path) {
    use xiaoneng::config::Settings;
    use xiaoneng::engine::Run;
    let settings = Settings::load(home, None).expect("settings");
    let store = xiaoneng::store::Store::open(&settings.store).expect("store");
    let files = xiaoneng::ingest::discover(std::slice::from_ref(&settings.inbox)).expect("files");
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();

    let t = Instant::now();
    let report = xiaoneng::ingest::ingest(&store, &files, &settings.ingest).expect("ingest");
    let ingest_s = t.elapsed().as_secs_f64();
    let read: u64 = report.files.iter().map(|f| f.read).sum();
    let rejected: u64 = report.files.iter().map(|f| f.rejected).sum();
    if let Some(rows) = store.read(xiaoneng::store::REJECTS).expect("rejects") {
        let reasons = rows
            .lazy()
            .group_by([col("table"), col("reason")])
            .agg([len().alias("n")])
            .sort(
                ["n"],
                SortMultipleOptions::default().with_order_descending(true),
            )
            .limit(5)
            .collect()
            .expect("reasons");
        eprintln!("rejected rows by reason (the generator's own noise):\n{reasons}");
    }

    let as_of = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
    let t = Instant::now();
    let mut run = Run::new(&store, &settings, as_of);
    let mut families = Vec::new();
    macro_rules! timed {
        ($name:expr, $e:expr) => {{
            let t = Instant::now();
            $e.expect($name);
            families.push(format!("{} {:.2} s", $name, t.elapsed().as_secs_f64()));
        }};
    }
    for family in xiaoneng::engine::FAMILIES {
        timed!(family.name, run.table(family.outputs[0]));
    }
    timed!("commit", run.commit_with(|_| Ok(())));
    let metrics_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let cards =
        xiaoneng::engine::cards::run_cards(&mut Run::new(&store, &settings, as_of)).expect("cards");
    xiaoneng::engine::cards::save(&store, &cards).expect("cards saved");
    let cards_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let month = xiaoneng::metrics::period::parse_period("2025-12").expect("month");
    let mut tables =
        xiaoneng::engine::Reading::new(&store, &settings, xiaoneng::engine::AsOf::given(as_of))
            .expect("tables");
    xiaoneng::report::write::bulletin(&mut tables, &settings, &month, "市政务服务中心")
        .expect("bulletin");
    let bulletin_s = t.elapsed().as_secs_f64();

    let total = ingest_s + metrics_s + cards_s + bulletin_s;
    println!(
        "whole pipeline, city year: {read} rows in {} files ({:.0} MiB of CSV), {rejected} rejected",
        files.len(),
        bytes as f64 / 1_048_576.0
    );
    println!(
        "  ingest (parse, check, store): {ingest_s:.2} s, {:.0} rows/s",
        read as f64 / ingest_s
    );
    println!("  every metric table, 6 grains: {metrics_s:.2} s");
    println!("    {}", families.join(", "));
    println!(
        "  cards of 2025-12-31 ({} due): {cards_s:.2} s",
        cards.due.len()
    );
    println!("  bulletin 2025-12 with charts: {bulletin_s:.2} s");
    println!(
        "  total {total:.2} s, {:.0} rows/s end to end",
        read as f64 / total
    );
    print_peak();
}

fn main() {
    xiaoneng::memory::keep_freed_memory();
    let n = cases_from_env();
    let cal = Calendar::official();
    in_child(|dir| generate(n, &cal, dir), measure);
}
