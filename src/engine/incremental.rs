//! Incremental recomputes: which stored input rows a run that needs only
//! the periods from some date on must read (the "since" rules), how its
//! result merges with the stored rows of the periods it keeps, and the
//! nightly job's state (how far the metric tables are brought, through
//! which ingest run, under which configuration and calendar).

use crate::calendar::{Calendar, YearSource};
use crate::config::Settings;
use crate::ingest::Touched;
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What else, beyond the rows dated from the start of the year before
/// `from`, a run restricted to the periods from `from` must read of an
/// input table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Also {
    /// Nothing else.
    Nothing,
    /// The whole table (suspensions: a case's suspensions are all needed).
    Whole,
    /// Rows whose `column` is on or after the start date (a leave ending
    /// in the period, a departure back in it).
    DatedIn(&'static str),
    /// Rows whose `column` is empty (still open) or on or after it.
    OpenOrDatedIn(&'static str),
    /// Cases open then, completed since, or named by a correction or a
    /// step of the period (an old case corrected now).
    OpenCases,
    /// Bad ratings still open, or rectified since: they count in every
    /// later period's `open_past_limit`.
    OpenBadRatings,
}

/// The since rule of each input table read by a metric family (tables
/// not listed: `Also::Nothing`).
pub const SINCE_RULES: &[(&str, Also)] = &[
    ("cases", Also::OpenCases),
    ("ratings", Also::OpenBadRatings),
    ("leaves", Also::DatedIn("end")),
    ("case_steps", Also::OpenOrDatedIn("finished_at")),
    ("departures", Also::DatedIn("back_at")),
    ("suspensions", Also::Whole),
];

/// The since rule of `table`.
pub fn since_rule(table: &str) -> Also {
    SINCE_RULES
        .iter()
        .find(|(t, _)| *t == table)
        .map_or(Also::Nothing, |(_, a)| *a)
}

/// The first day whose rows a run restricted to the periods ending on or
/// after `from` reads: the start of the year before (the previous period
/// of every grain, which the 约谈 rule compares with, included).
pub fn read_from(from: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(from.year() - 1, 1, 1)
}

/// The first day a restricted run reads, and what it finds once for every
/// table it reads from there.
#[derive(Debug)]
pub struct Since {
    date: NaiveDate,
    /// The cases a correction or a step since names (`Also::OpenCases`).
    named: OnceLock<Series>,
}

impl Since {
    pub fn new(date: NaiveDate) -> Since {
        Since {
            date,
            named: OnceLock::new(),
        }
    }

    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The ids of the cases a correction or a step finished on or after the
    /// date (or still open) names, each once: looked up the first time a
    /// table of cases needs them.
    fn named_cases(&self, store: &Store) -> Result<Series> {
        if let Some(named) = self.named.get() {
            return Ok(named.clone());
        }
        let from = crate::polars_ext::date_lit(self.date);
        let mut parts = Vec::new();
        for (t, c) in [("corrections", "at"), ("case_steps", "finished_at")] {
            if let Some(scan) = store.scan(t)? {
                let since = col(c).cast(DataType::Date).gt_eq(from.clone());
                parts.push(
                    scan.filter(col(c).is_null().or(since))
                        .select([col("case_id").cast(DataType::String)]),
                );
            }
        }
        let named = match parts.is_empty() {
            true => Series::new_empty("case_id".into(), &DataType::String),
            false => concat(parts, UnionArgs::default())?
                .unique(None, UniqueKeepStrategy::Any)
                .collect()?
                .column("case_id")?
                .as_materialized_series()
                .clone(),
        };
        Ok(self.named.get_or_init(|| named).clone())
    }
}

/// Some columns (all: `None`) of a stored input table, only the rows
/// dated on or after `since`'s date and those its [`since_rule`] adds.
pub fn read_since(
    store: &Store,
    table: &str,
    columns: Option<&[&str]>,
    since: &Since,
) -> Result<Option<DataFrame>> {
    let first = since.date;
    let rule = since_rule(table);
    let by = crate::ingest::table::table(table).and_then(|spec| spec.partition_by);
    let (Some(by), false) = (by, rule == Also::Whole) else {
        return store.read_columns(table, columns);
    };
    // A partition is the month of its rows' `by`. One that starts on or
    // after `first` holds only rows the filter below keeps: it is read
    // whole, without the filter's work (a store of one or two years is all
    // such). The older ones go through the filter, and with no rule adding
    // rows, those ending before `first` are not read at all.
    let month = |f: &std::path::Path| {
        let (y, m) = crate::store::partition_of(f)?;
        let start = NaiveDate::from_ymd_opt(y, m, 1)?;
        Some((start, start.checked_add_months(chrono::Months::new(1))?))
    };
    let files = store.files(table)?;
    let (recent, older): (Vec<_>, Vec<_>) = files
        .iter()
        .cloned()
        .partition(|f| month(f).is_some_and(|(start, _)| start >= first));
    let older: Vec<_> = older
        .into_iter()
        .filter(|f| rule != Also::Nothing || month(f).is_none_or(|(_, next)| next > first))
        .collect();
    let Some(scan) = crate::store::scan_files(&older, &files)? else {
        return crate::store::read_files(&recent, columns);
    };
    let from = crate::polars_ext::date_lit(first);
    let dated = |c: &str| col(c).cast(DataType::Date).gt_eq(from.clone());
    let mut keep = dated(by);
    match rule {
        Also::Nothing | Also::Whole => {}
        Also::DatedIn(c) => keep = keep.or(dated(c)),
        Also::OpenOrDatedIn(c) => keep = keep.or(col(c).is_null().or(dated(c))),
        Also::OpenBadRatings => {
            keep = keep.or(col("level")
                .lt_eq(lit(2i64))
                .and(col("rectified_at").is_null().or(dated("rectified_at"))))
        }
        Also::OpenCases => {
            let named = since.named_cases(store)?;
            keep = keep.or(col("completed_at")
                .is_null()
                .or(dated("completed_at"))
                .or(col("case_id").is_in(lit(named).implode(false), false)))
        }
    }
    let mut kept = scan.filter(keep);
    let old = match columns {
        Some(c) => {
            // A column no stored file has yet (added in a later version):
            // null.
            let schema = kept.collect_schema()?;
            let exprs: Vec<Expr> = c
                .iter()
                .map(|c| match schema.contains(c) {
                    true => col(*c),
                    false => lit(NULL).cast(DataType::String).alias(*c),
                })
                .collect();
            kept.select(exprs).collect()?
        }
        None => kept.collect()?,
    };
    let Some(recent) = crate::store::read_files(&recent, columns)? else {
        return Ok(Some(old));
    };
    // The older rows first, as the files come; the columns in the recent
    // files' order (a column the older files lack: null there).
    let mut out = recent.clear();
    crate::store::stack(&mut out, old)?;
    crate::store::stack(&mut out, recent)?;
    Ok(Some(out))
}

/// The stored rows of periods (or days) ending before `from`, then the
/// computed rows of the others. Every metric table has `period_end` (or,
/// per day, `date`).
pub fn merge_from(stored: DataFrame, computed: DataFrame, from: NaiveDate) -> Result<DataFrame> {
    let from = crate::polars_ext::date_lit(from);
    let ends = |df: DataFrame| -> Result<LazyFrame> {
        let has = |c: &str| df.get_column_names().iter().any(|n| n.as_str() == c);
        if has("period_end") {
            Ok(df.lazy().with_column(col("period_end").alias("__end")))
        } else if has("date") {
            Ok(df.lazy().with_column(col("date").alias("__end")))
        } else {
            anyhow::bail!("the table has no period or date column")
        }
    };
    let kept = ends(stored)?.filter(col("__end").lt(from.clone()));
    let new = ends(computed)?.filter(col("__end").gt_eq(from));
    let mut out = kept.collect()?;
    out.vstack_mut_owned(new.collect()?)
        .map_err(anyhow::Error::from)
        .context("the stored rows have another schema (written by another version)")?;
    Ok(out.drop("__end")?)
}

/// A hash of the calendar's day flags, year by year.
pub fn calendar_hash(cal: &Calendar) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(
        serde_json::to_vec(&cal.year_flags()).unwrap_or_default(),
    ))
}

pub const STATE: &str = "_nightly.json";

/// How far the nightly job got: the date its metric tables are as of, and
/// the last ingest run they include.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// The date the metric tables are as of.
    pub date: NaiveDate,
    /// The last day closed whole (metrics, cards and reports); runs before
    /// this field was kept closed `date`.
    #[serde(default)]
    pub closed: Option<NaiveDate>,
    /// The last ingest run counted: its counter and id.
    #[serde(default)]
    pub through_seq: i64,
    pub through_run: String,
    pub version: String,
    /// A hash of the configuration file: other rules, other figures.
    #[serde(default)]
    pub settings: String,
    /// Ingest runs with rows dated after `date`: not counted yet, so the
    /// dates they touch are still to recompute.
    #[serde(default)]
    pub carry: Vec<Carried>,
    /// The working-day calendar the tables were computed with, a string of
    /// day flags per year (see `Calendar::year_flags`); empty in states
    /// written before it was kept.
    #[serde(default)]
    pub calendar: BTreeMap<i32, String>,
    /// Where each year's days came from (`official`, `provisional`, `local`).
    #[serde(default)]
    pub sources: BTreeMap<i32, String>,
}

impl State {
    /// Whether the state was written by this version under the
    /// configuration of `settings_hash`: else its tables follow other
    /// rules and the next run recomputes everything.
    pub fn same_rules(&self, settings_hash: &str) -> bool {
        self.version == super::stamp::tables_version() && self.settings == settings_hash
    }

    pub fn closed(&self) -> NaiveDate {
        self.closed.unwrap_or(self.date)
    }

    /// The last ingest run counted.
    pub fn through(&self) -> (i64, &str) {
        (self.through_seq, self.through_run.as_str())
    }
}

/// What an ingest run touched and its latest row date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Carried {
    /// `None`: everything.
    pub from: Option<NaiveDate>,
    pub until: NaiveDate,
}

impl Carried {
    pub fn touched(&self) -> Touched {
        self.from.map_or(Touched::Everything, Touched::From)
    }
}

/// The hash of the configuration in force (empty without a file), less
/// its `[calendar]` and `[freshness]` sections: a calendar change
/// recomputes from the first day it moves (see [`calendar_touch`]), and the
/// feed tolerances change no figure.
pub fn settings_hash(settings: &Settings) -> String {
    use sha2::{Digest, Sha256};
    let Some(path) = &settings.config_file else {
        return String::new();
    };
    let Ok(bytes) = std::fs::read(path) else {
        return String::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    match toml::from_str::<crate::config::Config>(&text) {
        Ok(mut cfg) => {
            cfg.calendar = Default::default();
            cfg.freshness = Default::default();
            let canonical = serde_json::to_vec(&cfg).unwrap_or_default();
            hex::encode(Sha256::digest(&canonical))
        }
        Err(_) => hex::encode(Sha256::digest(&bytes)),
    }
}

/// The sources of the calendar's years, as the state keeps them.
pub fn source_names(cal: &Calendar) -> BTreeMap<i32, String> {
    cal.sources()
        .iter()
        .map(|(y, s)| {
            let name = match s {
                YearSource::BuiltIn | YearSource::Imported { .. } => "official",
                YearSource::Provisional => "provisional",
                YearSource::Local => "local",
            };
            (*y, name.to_string())
        })
        .collect()
}

pub fn load_state(store: &Store) -> Result<Option<State>> {
    Ok(store
        .read_control(STATE)?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

pub fn save_state(store: &Store, state: &State) -> Result<()> {
    store.write_control(STATE, &serde_json::to_vec_pretty(state)?)
}

/// Forget how far the nightly job got (the metric tables were recomputed as
/// of another date), so that its next run recomputes everything.
pub fn forget(store: &Store) -> Result<()> {
    store.remove_control(STATE)
}

/// What an ingest run touched, with its latest row date.
pub type RunTouch = (Touched, Option<NaiveDate>);

/// The ingest runs after `after` (by the store's counter): what each
/// touched with its latest row date, and their ids; and the newest run.
#[allow(clippy::type_complexity)]
pub fn touched_since(
    store: &Store,
    after: Option<(i64, &str)>,
) -> Result<(
    Vec<RunTouch>,
    std::collections::HashSet<String>,
    (i64, String),
)> {
    let runs = crate::ingest::ingest_runs(store)?;
    let newest = runs
        .last()
        .map_or((0, String::new()), |r| (r.seq, r.run_id.clone()));
    let mut out = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for r in runs {
        if after.is_some_and(|(seq, id)| (r.seq, r.run_id.as_str()) <= (seq, id)) {
            continue;
        }
        ids.insert(r.run_id.clone());
        out.push((r.touched, r.last_date));
    }
    // A state that has seen no run keeps the newest it knew.
    let newest = match after {
        Some((seq, id)) if newest <= (seq, id.to_string()) => (seq, id.to_string()),
        _ => newest,
    };
    Ok((out, ids, newest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(store: &Store, rows: &[(&str, &str)]) {
        let batch = df!(
            "ticket_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "issued_at" => rows.iter().map(|r| at(r.1)).collect::<Vec<_>>(),
        )
        .unwrap();
        let mut txn = store.begin().unwrap();
        store
            .upsert(
                &mut txn,
                "tickets",
                &["ticket_id"],
                Some("issued_at"),
                batch,
            )
            .unwrap();
        txn.commit().unwrap();
    }

    fn ids(df: Option<DataFrame>) -> Vec<String> {
        let mut out = crate::polars_ext::strings(&df.unwrap(), "ticket_id").unwrap();
        out.sort();
        out
    }

    fn at(s: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn older_partitions_give_the_rows_their_rule_adds_the_recent_ones_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let since = Since::new(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
        let mut txn = store.begin().unwrap();
        // Cases of 2023 (before `since`): C1 completed then and named by
        // no step since, C2 still open, C3 completed then but with a step
        // finished since, C4 completed since.
        let cases = df!(
            "case_id" => ["C1", "C2", "C3", "C4"],
            "accepted_at" => [at("2023-06-01 09:00"), at("2023-06-02 09:00"),
                at("2023-06-03 09:00"), at("2023-11-30 09:00")],
            "completed_at" => [Some(at("2023-06-05 09:00")), None,
                Some(at("2023-06-06 09:00")), Some(at("2024-02-01 09:00"))],
        )
        .unwrap();
        store
            .upsert(&mut txn, "cases", &["case_id"], Some("accepted_at"), cases)
            .unwrap();
        // A case of 2024, written by a version with one more column.
        let recent = df!(
            "case_id" => ["C5"],
            "accepted_at" => [at("2024-01-02 09:00")],
            "completed_at" => [None::<chrono::NaiveDateTime>],
            "note" => ["new"],
        )
        .unwrap();
        store
            .upsert(&mut txn, "cases", &["case_id"], Some("accepted_at"), recent)
            .unwrap();
        let steps = df!(
            "case_id" => ["C1", "C3"],
            "step_id" => ["S1", "S3"],
            "started_at" => [at("2023-06-01 10:00"), at("2023-12-20 10:00")],
            "finished_at" => [Some(at("2023-06-02 10:00")), Some(at("2024-03-01 10:00"))],
        )
        .unwrap();
        store
            .upsert(
                &mut txn,
                "case_steps",
                &["step_id"],
                Some("started_at"),
                steps,
            )
            .unwrap();
        txn.commit().unwrap();
        assert_eq!(store.files("cases").unwrap().len(), 3);

        let columns: &[&str] = &["case_id", "note"];
        let read = read_since(&store, "cases", Some(columns), &since)
            .unwrap()
            .unwrap();
        assert_eq!(read.get_column_names(), ["case_id", "note"]);
        assert_eq!(
            crate::polars_ext::strings(&read, "case_id").unwrap(),
            ["C2", "C3", "C4", "C5"]
        );
        let notes = crate::polars_ext::opt_strings(&read, "note").unwrap();
        assert_eq!(notes, [None, None, None, Some("new".to_string())]);
        // Every column: the recent files' order, the older rows null in
        // the column they lack.
        let all = read_since(&store, "cases", None, &since).unwrap().unwrap();
        assert_eq!(
            all.get_column_names(),
            ["case_id", "accepted_at", "completed_at", "note"]
        );
        assert_eq!(all.height(), 4);
        // The step finished since is read from its older partition, the
        // other is not.
        let steps = read_since(&store, "case_steps", Some(&["step_id"]), &since)
            .unwrap()
            .unwrap();
        assert_eq!(
            crate::polars_ext::strings(&steps, "step_id").unwrap(),
            ["S3"]
        );
    }

    #[test]
    fn a_table_of_the_years_from_since_on_is_read_whole_an_older_one_from_since() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let since = Since::new(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        let columns: &[&str] = &["ticket_id", "issued_at"];
        // Partitions of 2025 and 2026 only: every row, as stored.
        put(
            &store,
            &[("T1", "2025-03-01 09:00"), ("T2", "2026-01-05 09:00")],
        );
        let whole = read_since(&store, "tickets", Some(columns), &since).unwrap();
        assert_eq!(whole.as_ref().unwrap().width(), 2);
        assert_eq!(ids(whole), ["T1", "T2"]);
        // A partition of 2024: its rows, dated before `since`, are not read.
        put(&store, &[("T0", "2024-12-31 17:00")]);
        assert_eq!(
            ids(read_since(&store, "tickets", Some(columns), &since).unwrap()),
            ["T1", "T2"]
        );
        // Every column, without the partitions' own, either way.
        let all = read_since(&store, "tickets", None, &since)
            .unwrap()
            .unwrap();
        assert_eq!(all.get_column_names(), ["ticket_id", "issued_at"]);
        let earlier = Since::new(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
        let all = read_since(&store, "tickets", None, &earlier)
            .unwrap()
            .unwrap();
        assert_eq!(all.get_column_names(), ["ticket_id", "issued_at"]);
        assert_eq!(ids(Some(all)), ["T0", "T1", "T2"]);
    }
}
