//! The nightly job (`xiaoneng nightly`): ingest the inbox, bring the metric
//! tables up to the run date, raise the day's cards, write the daily
//! report and, on the first working day of a week, month, quarter or year, the
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
//!
//! A run closes every day since the last day a run closed, oldest first,
//! each with its metric tables as of that day, its cards and the reports
//! that fell due, so a night missed (a server down over a long weekend, a
//! run that failed) leaves no gap. A change of the working-day calendar
//! since the last run (an official list imported, a local day configured)
//! recomputes from the first day whose status changed, and the run record
//! says what moved. From 1 November the run warns while the next year is
//! provisional, and it names a feed that brought no rows for the day it
//! closes (`[freshness]`).

use crate::calendar::Calendar;
use crate::config::Settings;
use crate::engine::incremental::{
    load_state, save_state, settings_hash, source_names, touched_since, Carried, RunTouch, State,
};
use crate::engine::{AsOf, Reading, Run};
use crate::failpoint::fail_point;
use crate::ingest::{self, Touched};
use crate::metrics::period::{period_of, previous, Grain, Period};
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use polars::prelude::{col, DataType};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What changed in the calendar since the state's run: the dates to
/// recompute from, and the sentences of the run record.
fn calendar_touch(state: &State, cal: &Calendar) -> (Touched, Vec<String>) {
    if state.calendar.is_empty() {
        // A state from before the calendar was kept: no way to tell.
        return (Touched::Everything, Vec::new());
    }
    let changed = cal.changed_days(&state.calendar);
    let mut lines = Vec::new();
    let newly: std::collections::BTreeSet<i32> = cal
        .sources()
        .keys()
        .filter(|y| !state.calendar.contains_key(y))
        .copied()
        .collect();
    for (y, now) in source_names(cal) {
        match state.sources.get(&y) {
            Some(before) if *before != now => {
                lines.push(format!("{y}: {before} → {now}"));
            }
            None if newly.contains(&y) => lines.push(format!("{y}: covered ({now})")),
            _ => {}
        }
    }
    for (d, w) in changed.iter().filter(|(d, _)| !newly.contains(&d.year())) {
        lines.push(crate::calendar_lists::change_sentence(
            *d,
            *w,
            cal.day_name(*d).unwrap_or_default(),
        ));
    }
    let from = changed
        .first()
        .map_or(Touched::Nothing, |(d, _)| Touched::From(*d));
    (from, lines)
}

/// Open cases (of `facts`) whose deadline differs between two calendars.
fn deadlines_moved(
    facts: &crate::metrics::cases::CaseFacts,
    before: &Calendar,
    now: &Calendar,
) -> Result<usize> {
    let df = &facts.cases;
    let acc = crate::polars_ext::dates_of(df.column("acc")?)?;
    let comp = crate::polars_ext::dates_of(df.column("comp")?)?;
    let ext = df.column("ext")?.i64()?;
    let mut moved = 0;
    for i in 0..df.height() {
        let (Some(acc), None, Some(ext)) = (acc[i], comp[i], ext.get(i)) else {
            continue;
        };
        if ext <= 0 {
            continue;
        }
        let n = ext as u32;
        if before.deadline(acc, n).ok() != now.deadline(acc, n).ok() {
            moved += 1;
        }
    }
    Ok(moved)
}

/// Rows rejected by the ingest runs `ids` (the rejects they stored, also
/// those of files that failed as a whole).
fn rejected_by(store: &Store, ids: &std::collections::HashSet<String>) -> Result<u64> {
    let Some(rejects) = store.read_columns(crate::store::REJECTS, Some(&["run_id"]))? else {
        return Ok(0);
    };
    let run_ids = rejects.column("run_id")?.str()?;
    Ok(run_ids
        .iter()
        .filter(|id| id.is_some_and(|id| ids.contains(id)))
        .count() as u64)
}

/// The reports due in the nightly run of `date`: when the next day is the
/// first working day of a week, month, quarter or year, the periods of that grain
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
    for grain in [Grain::Week, Grain::Month, Grain::Quarter, Grain::Year] {
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
    /// Days closed before the run date because earlier runs missed them,
    /// oldest first.
    pub caught_up: Vec<String>,
    /// What changed in the working-day calendar since the last run, and
    /// what it moved.
    pub calendar_changes: Vec<String>,
    /// A provisional next year (from 1 November), a feed that stopped.
    pub warnings: Vec<String>,
}

impl RunRecord {
    /// The closing summary of a nightly run, as `nightly` prints it.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "nightly {} done in {:.1} s: {} files ({} new), {} rows stored, {} rejected, {} replaced; metrics recomputed from {}; cards: {} red and {} yellow due ({} raised, {} escalated, {} cleared); {} files archived",
            self.date,
            self.seconds,
            self.files,
            self.files_new,
            self.rows_stored,
            self.rows_rejected,
            self.rows_replaced,
            self.recomputed_from,
            self.cards.red_due,
            self.cards.yellow_due,
            self.cards.raised,
            self.cards.escalated,
            self.cards.cleared,
            self.archived
        );
        if let (Some(first), Some(last)) = (self.caught_up.first(), self.caught_up.last()) {
            out.push_str(&format!(
                "\n  caught up {} missed days: {first} … {last}",
                self.caught_up.len()
            ));
        }
        for c in &self.calendar_changes {
            out.push_str(&format!("\n  calendar: {c}"));
        }
        for p in &self.reports {
            out.push_str(&format!("\n  report: {p}"));
        }
        out
    }
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
    let store = crate::engine::open_store(settings)?;
    if let Some(stale) = store.stale_lock() {
        if !opts.quiet {
            eprintln!("cleared a stale lock left by a run that did not finish ({stale})");
        }
        record.stale_lock_cleared = Some(stale.to_string());
    }

    let state = load_state(&store)?;
    let cal = &settings.calendar;
    if let Some(w) = crate::calendar_lists::warn_ahead(cal, date) {
        // Even under --quiet: cron mails what a job prints.
        eprintln!("xiaoneng: warning: {w}");
        record.warnings.push(w);
    }

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

    // Rows rejected since the last finished run (a rerun after a kill
    // reports those of the killed run too).
    if let Some(st) = &state {
        let (_, ids, _) = touched_since(&store, Some(st.through()))?;
        record.rows_rejected = rejected_by(&store, &ids)?;
    }

    // 3. The days to close: every day since the last one closed, oldest
    //    first (a state from another version or configuration: the run
    //    date alone, recomputed whole).
    let hash = settings_hash(settings);
    let first = match &state {
        Some(s) if s.same_rules(&hash) && s.closed() < date => {
            s.closed().succ_opt().context("date out of range")?
        }
        _ => date,
    };
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= date).collect();
    record.caught_up = days[..days.len() - 1]
        .iter()
        .map(NaiveDate::to_string)
        .collect();
    if !record.caught_up.is_empty() && !opts.quiet {
        eprintln!(
            "closing {} days missed since the last run, oldest first: {} … {}",
            record.caught_up.len(),
            days[0],
            days[days.len() - 2]
        );
    }
    let (calendar_from, calendar_lines) = match &state {
        Some(s) if s.same_rules(&hash) => calendar_touch(s, cal),
        _ => (Touched::Nothing, Vec::new()),
    };
    let before_calendar = state
        .as_ref()
        .filter(|s| !s.calendar.is_empty() && !calendar_lines.is_empty())
        .map(|s| Calendar::from_year_flags(&s.calendar));

    let closing = Closing {
        store: &store,
        settings,
        opts,
        hash,
        calendar_from,
        calendar_lines,
        before_calendar,
    };
    let mut state = state;
    for (k, &day) in days.iter().enumerate() {
        close_day(&closing, day, k == 0, &mut state, record, steps)?;
    }
    Ok(())
}

/// What every day a run closes shares.
struct Closing<'a> {
    store: &'a Store,
    settings: &'a Settings,
    opts: &'a NightlyOptions,
    /// The configuration's hash (see [`settings_hash`]).
    hash: String,
    /// The calendar's change since the last run: the dates to recompute
    /// from, the sentences of the run record and the calendar as it was.
    calendar_from: Touched,
    calendar_lines: Vec<String>,
    before_calendar: Option<Calendar>,
}

/// Close one day: its metric tables, its cards, its daily report and the
/// reports that fell due; then record it as closed. The first day of a
/// run also recomputes what the calendar moved and says so.
fn close_day(
    c: &Closing,
    day: NaiveDate,
    first: bool,
    state: &mut Option<State>,
    record: &mut RunRecord,
    steps: &mut Steps,
) -> Result<()> {
    let (store, settings, cal) = (c.store, c.settings, &c.settings.calendar);
    let extra = if first {
        c.calendar_from
    } else {
        Touched::Nothing
    };
    let (next, case_facts, step_facts, derived) = metrics_up_to(
        store,
        settings,
        day,
        state.as_ref(),
        extra,
        &c.hash,
        steps,
        c.opts,
    )?;
    record.recomputed_from = next.1.map_or("everything".into(), |d| d.to_string());
    *state = Some(next.0);
    fail_point("computed");

    // Cards of the day.
    let cards = steps.run(&format!("cards {day}"), || {
        let run = crate::engine::cards::cards_of(
            store,
            cal,
            day,
            &settings.cards,
            &case_facts,
            step_facts.as_ref(),
            derived.as_deref(),
        )?;
        crate::engine::cards::save(store, &run)?;
        Ok(run)
    })?;
    if let Some(before) = c.before_calendar.as_ref().filter(|_| first) {
        let moved = deadlines_moved(&case_facts, before, cal)?;
        record.calendar_changes = c.calendar_lines.clone();
        record.calendar_changes.push(format!(
            "{moved} open deadlines moved, {} cards cleared",
            cards.changes.cleared_not_due
        ));
        if !c.opts.quiet {
            eprintln!("the working-day calendar changed since the last run:");
            for line in &record.calendar_changes {
                eprintln!("  {line}");
            }
        }
    }
    let counts = &mut record.cards;
    if day == c.opts.date {
        (counts.red_due, counts.yellow_due) =
            crate::metrics::cards::red_and_yellow(cards.due.iter().map(|c| c.colour));
    }
    counts.raised += cards.changes.raised;
    counts.escalated += cards.changes.escalated;
    counts.cleared += cards.changes.cleared;
    fail_point("cards");

    write_reports(c, day, &cards, record, steps)?;
    fail_point("reports");
    if let Some(s) = state.as_mut() {
        s.closed = Some(s.closed.map_or(day, |c| c.max(day)));
        save_state(store, s)?;
    }
    Ok(())
}

/// The daily report of `day` with its notes, and the reports that fell due.
fn write_reports(
    c: &Closing,
    day: NaiveDate,
    cards: &crate::engine::cards::CardRun,
    record: &mut RunRecord,
    steps: &mut Steps,
) -> Result<()> {
    let (store, settings, cal) = (c.store, c.settings, &c.settings.calendar);
    // The report's notes in the report's language; stderr and the run
    // record in the log's.
    let mut notes: Vec<String> = crate::calendar_lists::warn_ahead(cal, day)
        .map(|_| crate::calendar_lists::warn_ahead_note(day))
        .into_iter()
        .collect();
    for (stale, note) in stale_feeds(store, settings, day)? {
        eprintln!("xiaoneng: warning: {stale}");
        record.warnings.push(stale);
        notes.push(note);
    }
    let period = period_of(Grain::Day, day);
    // The tables just committed, as of `day`: current, so taken as stored;
    // the card history the day's card run brought up.
    let mut tables = Reading::new(store, settings, AsOf::given(day))?
        .with_card_history(std::sync::Arc::new(cards.history.clone()));
    let (path, _) = steps.run(&format!("daily report {day}"), || {
        crate::report::write::daily(
            &mut tables,
            settings,
            &period,
            &c.opts.center,
            cards,
            &notes,
        )
    })?;
    record.reports.push(shown(&path, &settings.home));
    fail_point("daily");
    // One read as of a closed period's last day for every bulletin that
    // ends on it (on a year's first working day the month, the quarter and
    // the year): the tables it computes in memory are computed once.
    let mut closed: Option<(NaiveDate, Reading)> = None;
    for p in periods_due(cal, day)? {
        let path = match p.grain {
            Grain::Week => {
                let Some(days) = tables.table(crate::metrics::schema::ATTENDANCE_DAYS)? else {
                    record
                        .skipped
                        .push(format!("weekly publication {}: no punches", p.label));
                    continue;
                };
                steps.run(&format!("weekly publication {}", p.label), || {
                    crate::report::write::attendance_publication(store, settings, &p, &days, day)
                        .map(|(_, path)| path)
                })?
            }
            // As of the period's last day, as `report` reads it: the
            // tables just committed are as of `day`, a few days later,
            // and a closed period's rates still move (late ratings and
            // rectifications), so they are computed in memory.
            _ => steps
                .run(&format!("bulletin {}", p.label), || {
                    let tables = match &mut closed {
                        Some((end, tables)) if *end == p.end => tables,
                        slot => {
                            let read = Reading::new(store, settings, AsOf::given(p.end))?;
                            &mut slot.insert((p.end, read)).1
                        }
                    };
                    crate::report::write::bulletin(tables, settings, &p, &c.opts.center)
                })?
                .0
                .with_extension("html"),
        };
        record.reports.push(shown(&path, &settings.home));
    }
    Ok(())
}

/// Bring every metric table up to `date`, from the earliest date touched
/// since the state's run (ingest runs, carried runs and `extra`), and keep
/// the new state. Returns it with the date recomputed from (`None`:
/// everything) and the case and step facts as of `date` for the cards.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn metrics_up_to(
    store: &Store,
    settings: &Settings,
    date: NaiveDate,
    state: Option<&State>,
    extra: Touched,
    hash: &str,
    steps: &mut Steps,
    opts: &NightlyOptions,
) -> Result<(
    (State, Option<NaiveDate>),
    crate::metrics::cases::CaseFacts,
    Option<polars::prelude::DataFrame>,
    Option<std::sync::Arc<crate::metrics::cards::Derived>>,
)> {
    let (runs, _, newest) = touched_since(store, state.map(State::through))?;
    // The runs not yet counted: new ones, and those carried because they
    // had rows dated after an earlier run's date.
    let mut pending: Vec<RunTouch> = runs;
    if let Some(s) = state {
        pending.extend(s.carry.iter().map(|c| (c.touched(), Some(c.until))));
    }
    let touched = pending.iter().fold(extra, |acc, (t, _)| acc.and(*t));
    let from = match state {
        Some(s) if s.same_rules(hash) && date >= s.date => {
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
        Some(d) => format!("metrics as of {date}, periods from {d}"),
        None => format!("metrics as of {date}, everything"),
    };
    // Every metric table, committed; the case and step facts stay for the
    // cards.
    let recompute = |from: Option<NaiveDate>| {
        let mut run = Run::new(store, settings, date);
        if let Some(d) = from {
            run = run.since(d);
        }
        // Each table written (merged from `from`) while the next computes.
        run.commit_nightly(from, |run| {
            run.everything()?;
            Ok((run.case_facts()?, run.step_facts()?, run.derived_cards()))
        })
    };
    let (from, (case_facts, step_facts, derived)) =
        match (steps.run(&label, || recompute(from)), from) {
            (Ok(facts), from) => (from, facts),
            // The restricted recompute could not merge (a table new to the
            // store, a schema from another version): recompute everything.
            (Err(e), Some(_)) => {
                if !opts.quiet {
                    eprintln!("  recomputing everything: {e:#}");
                }
                (
                    None,
                    steps.run(&format!("metrics as of {date}, everything"), || {
                        recompute(None)
                    })?,
                )
            }
            (Err(e), None) => return Err(e),
        };
    let next = State {
        date,
        closed: state.and_then(|s| s.closed),
        through_seq: newest.0,
        through_run: newest.1,
        version: crate::engine::stamp::tables_version(),
        settings: hash.to_string(),
        carry,
        calendar: settings.calendar.year_flags(),
        sources: source_names(&settings.calendar),
    };
    save_state(store, &next)?;
    Ok(((next, from), case_facts, step_facts, derived))
}

/// The feeds (punches, cases, ratings, tickets) that brought rows for
/// earlier days but none for the working day `day` closes, or the working
/// days their `[freshness]` tolerance allows before it: the warning, and
/// the daily report's note.
fn stale_feeds(
    store: &Store,
    settings: &Settings,
    day: NaiveDate,
) -> Result<Vec<(String, String)>> {
    let cal = &settings.calendar;
    if !cal.is_workday(day)? {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for (table, tolerance, column, name) in settings.freshness.feeds() {
        // The earliest day a row may be from: `tolerance` working days back.
        let mut due = day;
        for _ in 0..tolerance {
            due = due.pred_opt().context("date out of range")?;
            while !cal.is_workday(due).unwrap_or(true) {
                due = due.pred_opt().context("date out of range")?;
            }
        }
        let Some(rows) = store.scan(table)? else {
            continue;
        };
        let on_or_before = rows.filter(
            col(column)
                .cast(DataType::Date)
                .lt_eq(crate::polars_ext::date_lit(day)),
        );
        let Some(last) = crate::polars_ext::date_bound(on_or_before, column, true)? else {
            continue;
        };
        if last < due {
            out.push((
                format!("no {table} received for {day}; last {last}"),
                format!("未收到 {day} 的{name}数据,最近一次为 {last},请检查数据导出。"),
            ));
        }
    }
    Ok(out)
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
        // New Year 2026 (01-01..01-03 off): Sunday 01-04, a make-up
        // working day, opens January, Q1 and the year (not a week: W01
        // opened on 2025-12-29), and the night before it publishes the
        // annual review of 2025.
        assert_eq!(labels("2026-01-03"), ["2025-12", "2025-Q4", "2025"]);
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
