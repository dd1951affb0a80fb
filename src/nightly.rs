//! The nightly job (`xiaoneng nightly`): ingest the inbox, bring the metric
//! tables up to the run date, raise the day's cards, write the daily
//! report and, on the first working day of a week, month or quarter, the
//! report of the period just closed.
//!
//! Each step that writes the store commits on its own (all or nothing), in
//! an order that makes a rerun finish what a killed run started:
//! - the ingest commit records in `ingest_runs` the dates its rows touch;
//! - the inbox files move to the archive only after that commit (a rerun
//!   finds a file not yet moved in the ledger and skips it);
//! - the metric tables are recomputed from the earliest date touched by any
//!   ingest since the last finished recompute (kept in `<store>/_nightly.json`,
//!   written after the metrics commit), so no touched period is missed;
//! - cards and reports are idempotent for a date.

use crate::config::Settings;
use crate::failpoint::fail_point;
use crate::ingest::{self, Touched};
use crate::metrics::period::{period_of, previous, Grain, Period};
use crate::pipeline::Run;
use crate::store::{Store, INGEST_RUNS};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

const STATE: &str = "_nightly.json";

/// How far the nightly job got: the date its metric tables are as of, and
/// the last ingest run they include.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct State {
    date: NaiveDate,
    through_run: String,
    version: String,
    /// A hash of the configuration file: other rules, other figures.
    #[serde(default)]
    settings: String,
    /// Ingest runs with rows dated after `date`: not counted yet, so the
    /// dates they touch are still to recompute.
    #[serde(default)]
    carry: Vec<Carried>,
}

/// What an ingest run touched and its latest row date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Carried {
    /// `None`: everything.
    from: Option<NaiveDate>,
    until: NaiveDate,
}

impl Carried {
    fn touched(&self) -> Touched {
        self.from.map_or(Touched::Everything, Touched::From)
    }
}

/// The hash of the configuration in force (empty without a file).
fn settings_hash(settings: &Settings) -> String {
    use sha2::{Digest, Sha256};
    match &settings.config_file {
        Some(path) => std::fs::read(path)
            .map(|b| hex::encode(Sha256::digest(&b)))
            .unwrap_or_default(),
        None => String::new(),
    }
}

fn load_state(store: &Store) -> Result<Option<State>> {
    let path = store.control().join(STATE);
    match std::fs::read(&path) {
        Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn save_state(store: &Store, state: &State) -> Result<()> {
    crate::pipeline::write_atomic(
        &store.control().join(STATE),
        &serde_json::to_vec_pretty(state)?,
    )
}

/// Forget how far the nightly job got (the metric tables were recomputed as
/// of another date), so that its next run recomputes everything.
pub fn forget(store: &Store) -> Result<()> {
    match std::fs::remove_file(store.control().join(STATE)) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).context("cannot remove the nightly state"),
    }
}

/// What an ingest run touched, with its latest row date.
type RunTouch = (Touched, Option<NaiveDate>);

/// Rows rejected by the ingest runs after `after` (from the ledger).
fn rejected_since(store: &Store, after: &str) -> Result<u64> {
    let Some(ledger) = store.read(crate::store::LEDGER)? else {
        return Ok(0);
    };
    let ids = ledger.column("run_id")?.str()?;
    let rejected = ledger.column("rejected")?.i64()?;
    Ok(ids
        .iter()
        .zip(rejected.iter())
        .filter(|(id, _)| id.is_some_and(|id| id > after))
        .map(|(_, n)| n.unwrap_or(0).max(0) as u64)
        .sum())
}

/// What each ingest run after `after` touched, with its latest row date;
/// and the newest run id.
fn touched_since(store: &Store, after: Option<&str>) -> Result<(Vec<RunTouch>, String)> {
    let Some(runs) = store.read(INGEST_RUNS)? else {
        return Ok((Vec::new(), String::new()));
    };
    let ids = runs.column("run_id")?.str()?;
    let everything = runs.column("everything")?.bool()?;
    let from = crate::metrics::dates_of(runs.column("touched_from")?)?;
    let last = crate::metrics::dates_of(runs.column("last_date")?)?;
    let mut out = Vec::new();
    let mut newest = String::new();
    for (i, (from, last)) in from.into_iter().zip(last).enumerate() {
        let id = ids.get(i).unwrap_or_default();
        if id > newest.as_str() {
            newest = id.to_string();
        }
        if after.is_some_and(|a| id <= a) {
            continue;
        }
        let touched = match (everything.get(i), from) {
            (Some(true), _) => Touched::Everything,
            (_, Some(d)) => Touched::From(d),
            _ => Touched::Nothing,
        };
        out.push((touched, last));
    }
    Ok((out, newest))
}

/// The reports due in the nightly run of `date`: when the next day is the
/// first working day of a week, month or quarter, the periods of that grain
/// that closed since the last working day (the one just closed, and one
/// before it that closed in a run of days off), oldest first; periods
/// without a working day have nothing to report.
pub fn periods_due(cal: &crate::calendar::Calendar, date: NaiveDate) -> Result<Vec<Period>> {
    let next = date.succ_opt().context("date out of range")?;
    if !cal.is_workday(next)? {
        return Ok(Vec::new());
    }
    let mut last_workday = date;
    for _ in 0..400 {
        if cal.is_workday(last_workday)? {
            break;
        }
        last_workday = last_workday.pred_opt().context("date out of range")?;
    }
    let has_workday = |p: &Period| -> Result<bool> {
        let mut d = p.start;
        while d <= p.end {
            if cal.is_workday(d)? {
                return Ok(true);
            }
            d = d.succ_opt().context("date out of range")?;
        }
        Ok(false)
    };
    let mut due = Vec::new();
    for grain in [Grain::Week, Grain::Month, Grain::Quarter] {
        let p = period_of(grain, next);
        let mut first = p.start;
        while !cal.is_workday(first)? {
            first = first.succ_opt().context("date out of range")?;
        }
        if first != next {
            continue;
        }
        let mut closed = Vec::new();
        let mut q = previous(&p);
        while q.end >= last_workday {
            if has_workday(&q)? {
                closed.push(q.clone());
            }
            q = previous(&q);
        }
        closed.reverse();
        due.extend(closed);
    }
    Ok(due)
}

/// Options of one nightly run.
#[derive(Debug, Clone)]
pub struct NightlyOptions {
    pub date: NaiveDate,
    pub center: String,
    pub quiet: bool,
}

/// The cards of the run date.
#[derive(Debug, Default, Clone, Serialize)]
pub struct CardCounts {
    pub red_due: usize,
    pub yellow_due: usize,
    pub raised: usize,
    pub escalated: usize,
    pub cleared: usize,
}

/// The machine-readable record of one run, appended to the run log.
#[derive(Debug, Default, Clone, Serialize)]
pub struct RunRecord {
    pub date: String,
    pub started_at: String,
    pub finished_at: String,
    pub seconds: f64,
    /// `ok`, `rejects` or `failed`.
    pub status: String,
    pub exit_code: u8,
    pub files: usize,
    pub files_new: usize,
    pub rows_read: u64,
    pub rows_stored: u64,
    pub rows_rejected: u64,
    pub rows_replaced: u64,
    /// `everything`, a date (periods ending on or after it) or `nothing`.
    pub recomputed_from: String,
    pub cards: CardCounts,
    pub reports: Vec<String>,
    /// Reports due but not written, with the reason.
    pub skipped: Vec<String>,
    pub archived: usize,
    pub stale_lock_cleared: Option<String>,
    pub steps: Vec<(String, f64)>,
    pub error: Option<String>,
}

/// Progress of the steps: a spinner on a terminal, a line per step done.
struct Steps {
    quiet: bool,
    times: Vec<(String, f64)>,
}

impl Steps {
    fn run<T>(&mut self, name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let start = Instant::now();
        let bar = if self.quiet {
            indicatif::ProgressBar::hidden()
        } else {
            let b = indicatif::ProgressBar::new_spinner();
            b.set_message(name.to_string());
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        };
        let out = f();
        bar.finish_and_clear();
        let secs = start.elapsed().as_secs_f64();
        if !self.quiet && out.is_ok() {
            eprintln!("  {name:<34} {secs:>7.2} s");
        }
        self.times
            .push((name.to_string(), (secs * 1000.0).round() / 1000.0));
        out
    }
}

/// Run the nightly job. Returns the run record; its exit code is 0 (done),
/// 1 (done, with rejected rows) or 2 (failed: every commit before the
/// failure stands, the rest is redone by the next run).
pub fn nightly(settings: &Settings, opts: &NightlyOptions) -> RunRecord {
    let started = chrono::Local::now();
    let clock = Instant::now();
    let mut record = RunRecord {
        date: opts.date.to_string(),
        started_at: started.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string(),
        ..RunRecord::default()
    };
    let mut steps = Steps {
        quiet: opts.quiet,
        times: Vec::new(),
    };
    let result = run_steps(settings, opts, &mut record, &mut steps);
    record.steps = steps.times;
    record.seconds = (clock.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    record.finished_at = chrono::Local::now()
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string();
    match result {
        Ok(()) if record.rows_rejected > 0 => {
            record.status = "rejects".into();
            record.exit_code = 1;
        }
        Ok(()) => {
            record.status = "ok".into();
            record.exit_code = 0;
        }
        Err(e) => {
            record.status = "failed".into();
            record.exit_code = 2;
            record.error = Some(format!("{e:#}"));
        }
    }
    record
}

fn run_steps(
    settings: &Settings,
    opts: &NightlyOptions,
    record: &mut RunRecord,
    steps: &mut Steps,
) -> Result<()> {
    let date = opts.date;
    let store = crate::pipeline::open_store(settings)?;
    if let Some(stale) = store.stale_lock() {
        if !opts.quiet {
            eprintln!("cleared a stale lock left by a run that did not finish ({stale})");
        }
        record.stale_lock_cleared = Some(stale.to_string());
    }

    let state = load_state(&store)?;

    // 1. Ingest the inbox (the archive is skipped if it lies inside it).
    let files: Vec<PathBuf> = if settings.inbox.exists() {
        ingest::discover(std::slice::from_ref(&settings.inbox))?
            .into_iter()
            .filter(|f| !f.starts_with(&settings.archive))
            .collect()
    } else {
        Vec::new()
    };
    record.files = files.len();
    // The content each file had when it was read, to archive only that.
    let mut read_as: std::collections::HashMap<PathBuf, String> = Default::default();
    if !files.is_empty() {
        let report = steps.run(&format!("ingest {} files", files.len()), || {
            ingest::ingest(&store, &files, &settings.ingest)
        })?;
        read_as.extend(
            report
                .files
                .iter()
                .map(|f| (f.path.clone(), f.sha256.clone())),
        );
        for f in report.files.iter().filter(|f| !f.already_ingested) {
            record.files_new += 1;
            record.rows_read += f.read;
            record.rows_stored += f.stored;
            record.rows_rejected += f.rejected;
        }
        record.rows_replaced = report.replaced.values().sum();
        if !opts.quiet {
            eprint!("{}", report.render(&settings.home));
        }
    }
    // Rows rejected since the last finished run (a rerun after a kill
    // reports those of the killed run too).
    if let Some(st) = &state {
        record.rows_rejected = rejected_since(&store, &st.through_run)?;
    }
    fail_point("ingested");

    // 2. Archive what was read.
    // A file changed since it was read (an export still being written, or
    // written again) stays in the inbox for the next run.
    let (unchanged, changed): (Vec<PathBuf>, Vec<PathBuf>) = files.iter().cloned().partition(|f| {
        std::fs::read(f).is_ok_and(|b| {
            use sha2::{Digest, Sha256};
            read_as.get(f) == Some(&hex::encode(Sha256::digest(&b)))
        })
    });
    for f in &changed {
        record.skipped.push(format!(
            "{}: changed while it was read; left in the inbox for the next run",
            shown(f, &settings.home)
        ));
    }
    record.archived = steps.run("archive the inbox", || {
        archive(
            &unchanged,
            &settings.inbox,
            &settings.archive.join(date.to_string()),
        )
    })?;
    fail_point("archived");

    // 3. The metric tables, from the earliest date touched since the last
    //    finished recompute.
    let after = state.as_ref().map(|s| s.through_run.as_str());
    let (runs, newest) = touched_since(&store, after)?;
    let hash = settings_hash(settings);
    // The runs not yet counted: new ones, and those carried because they
    // had rows dated after an earlier run's date.
    let mut pending: Vec<RunTouch> = runs;
    if let Some(s) = &state {
        pending.extend(s.carry.iter().map(|c| (c.touched(), Some(c.until))));
    }
    let touched = pending
        .iter()
        .fold(Touched::Nothing, |acc, (t, _)| acc.and(*t));
    let from = match &state {
        Some(s)
            if s.version == env!("CARGO_PKG_VERSION") && s.settings == hash && date >= s.date =>
        {
            match touched.and(Touched::From(s.date.succ_opt().unwrap_or(s.date))) {
                Touched::From(d) => Some(d.min(date)),
                _ => None,
            }
        }
        _ => None,
    };
    let carry: Vec<Carried> = pending
        .iter()
        .filter_map(|(t, until)| {
            let until = until.filter(|u| *u > date)?;
            match t {
                Touched::From(d) => Some(Carried {
                    from: Some(*d),
                    until,
                }),
                Touched::Everything => Some(Carried { from: None, until }),
                Touched::Nothing => None,
            }
        })
        .collect();
    let label = match from {
        Some(d) => format!("metrics of periods from {d}"),
        None => "metrics, everything".to_string(),
    };
    // Every metric table, committed; the case and step facts stay for the
    // cards.
    let recompute = |from: Option<NaiveDate>| {
        let mut run = Run::new(&store, settings, date);
        if let Some(d) = from {
            run = run.since(d);
        }
        run.everything()?;
        let facts = (run.case_facts()?, run.step_facts()?);
        run.commit_from(from)?;
        Ok::<_, anyhow::Error>(facts)
    };
    let (from, (case_facts, step_facts)) = match (steps.run(&label, || recompute(from)), from) {
        (Ok(facts), from) => (from, facts),
        // The restricted recompute could not merge (a table new to the
        // store, a schema from another version): recompute everything.
        (Err(e), Some(_)) => {
            if !opts.quiet {
                eprintln!("  recomputing everything: {e:#}");
            }
            (None, steps.run("metrics, everything", || recompute(None))?)
        }
        (Err(e), None) => return Err(e),
    };
    record.recomputed_from = from.map_or("everything".into(), |d| d.to_string());
    save_state(
        &store,
        &State {
            date,
            through_run: newest,
            version: env!("CARGO_PKG_VERSION").to_string(),
            settings: hash,
            carry,
        },
    )?;
    fail_point("computed");

    // 4. Cards of the day.
    let cards = steps.run("cards", || {
        crate::pipeline::record_cards(
            &store,
            &settings.calendar,
            date,
            &settings.cards,
            &case_facts,
            step_facts.as_ref(),
        )
    })?;
    let red = cards
        .due
        .iter()
        .filter(|c| c.colour == crate::metrics::cards::Colour::Red)
        .count();
    record.cards = CardCounts {
        red_due: red,
        yellow_due: cards.due.len() - red,
        raised: cards.changes.raised,
        escalated: cards.changes.escalated,
        cleared: cards.changes.cleared,
    };
    fail_point("cards");

    // 5. Reports.
    let day = period_of(Grain::Day, date);
    let (path, _) = steps.run("daily report", || {
        crate::pipeline::write_daily(&store, settings, &day, &opts.center, &cards)
    })?;
    record.reports.push(shown(&path, &settings.home));
    fail_point("daily");
    for p in periods_due(&settings.calendar, date)? {
        let path = match p.grain {
            Grain::Week => {
                let Some(days) = store.read(crate::pipeline::ATTENDANCE_DAYS)? else {
                    record
                        .skipped
                        .push(format!("weekly publication {}: no punches", p.label));
                    continue;
                };
                steps.run(&format!("weekly publication {}", p.label), || {
                    crate::pipeline::write_attendance_publication(&store, settings, &p, &days, date)
                        .map(|(_, path)| path)
                })?
            }
            _ => steps
                .run(&format!("bulletin {}", p.label), || {
                    crate::pipeline::write_bulletin(&store, settings, &p, &opts.center, p.end)
                })?
                .0
                .with_extension("html"),
        };
        record.reports.push(shown(&path, &settings.home));
    }
    fail_point("reports");
    Ok(())
}

fn shown(path: &Path, home: &Path) -> String {
    path.strip_prefix(home)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Move `files` (under `inbox`) to the same relative paths under `to`,
/// never overwriting (a name taken gets a numbered suffix); then remove the
/// folders they leave empty. Returns how many files moved.
fn archive(files: &[PathBuf], inbox: &Path, to: &Path) -> Result<usize> {
    for f in files {
        let rel = f.strip_prefix(inbox).unwrap_or(f.as_path());
        let mut target = to.join(rel);
        let mut n = 1;
        while target.exists() {
            let stem = rel.file_stem().unwrap_or_default().to_string_lossy();
            let ext = rel
                .extension()
                .map(|e| format!(".{}", e.to_string_lossy()))
                .unwrap_or_default();
            target = to.join(rel).with_file_name(format!("{stem}-{n}{ext}"));
            n += 1;
        }
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        if std::fs::rename(f, &target).is_err() {
            // Another file system: copy, then remove.
            std::fs::copy(f, &target).with_context(|| format!("cannot archive {}", f.display()))?;
            std::fs::remove_file(f).with_context(|| format!("cannot remove {}", f.display()))?;
        }
        let mut dir = f.parent();
        while let Some(d) = dir.filter(|d| *d != inbox && d.starts_with(inbox)) {
            if std::fs::remove_dir(d).is_err() {
                break; // not empty
            }
            dir = d.parent();
        }
    }
    Ok(files.len())
}

/// Append the record to the run log (one JSON object per line).
pub fn append_log(path: &Path, record: &RunRecord) -> Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the run log {}", path.display()))?;
    writeln!(f, "{}", serde_json::to_string(record)?)
        .with_context(|| format!("cannot write the run log {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn labels(date: &str) -> Vec<String> {
        periods_due(&crate::calendar::Calendar::official(), d(date))
            .unwrap()
            .into_iter()
            .map(|p| p.label)
            .collect()
    }

    #[test]
    fn reports_fall_due_on_the_first_working_day_of_a_period() {
        // Sunday 2026-11-01: Monday 11-02 opens both a week and a month.
        assert_eq!(labels("2026-11-01"), ["2026-W44", "2026-10"]);
        // An ordinary Tuesday night: nothing.
        assert!(labels("2026-10-27").is_empty());
        // National Day 2026 runs to 10-07 and 10-08 is the first working
        // day of October and of Q4 (a Thursday: not a week's first day, the
        // week's was 10-05, a holiday, so the week W41 opens on 10-08 too).
        assert_eq!(labels("2026-10-07"), ["2026-W40", "2026-09", "2026-Q3"]);
        // The night of a holiday before another holiday: nothing yet.
        assert!(labels("2026-10-06").is_empty());
        // Spring Festival 2026 (02-15..02-23 off): W08 (02-16..02-22) has
        // no working day, and W07 closed on 02-15, after the make-up
        // Saturday 02-14. The night before 02-24, the first working day of
        // W09, publishes W07 (the old rule published the empty W08).
        assert_eq!(labels("2026-02-23"), ["2026-W07"]);
    }

    #[test]
    fn touched_dates_combine() {
        use Touched::*;
        assert_eq!(Nothing.and(From(d("2026-10-03"))), From(d("2026-10-03")));
        assert_eq!(
            From(d("2026-10-05")).and(From(d("2026-10-03"))),
            From(d("2026-10-03"))
        );
        assert_eq!(From(d("2026-10-05")).and(Everything), Everything);
    }
}
