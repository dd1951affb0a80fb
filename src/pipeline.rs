//! The pipeline's I/O edge: load the stored tables a metric family needs,
//! run the pure metric code, persist the result. The metric modules never
//! touch the store; the commands never compute.

use crate::calendar::Calendar;
use crate::config::Settings;
use crate::metrics::cases::CaseTables;
use crate::metrics::period::Period;
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::BTreeMap;

/// Name of the persisted case metrics dataset.
pub const CASE_METRICS: &str = "case_metrics";

/// The store of the settings: the whole store, or one center's part of it
/// (`--center-id`).
pub fn open_store(settings: &Settings) -> Result<Store> {
    match &settings.center_id {
        Some(id) => Store::open_center(&settings.store, id),
        None => Store::open(&settings.store),
    }
}

/// Load the tables of the case engine.
pub fn case_tables(store: &Store) -> Result<CaseTables> {
    load_case_tables(&|t, c| store.read_columns(t, c))
}

/// A table loader: some columns (all: `None`) of the whole stored table,
/// or of the part a run needs.
type Loader<'l> = dyn Fn(&str, Option<&[&str]>) -> Result<Option<DataFrame>> + 'l;

/// The case engine's tables; of `cases`, only the columns it reads.
fn load_case_tables(read: &Loader) -> Result<CaseTables> {
    let need = |t: &str, c: Option<&[&str]>| -> Result<DataFrame> {
        read(t, c)?
            .with_context(|| format!("the store has no {t} yet: ingest the {t} exports first"))
    };
    Ok(CaseTables {
        cases: need("cases", Some(&crate::metrics::cases::CASE_COLUMNS))?,
        items: need("items", None)?,
        windows: need("windows", None)?,
        suspensions: read("suspensions", None)?,
    })
}

/// The evaluation date to use when none is given: the last date on which
/// a case was accepted or completed, so that a rerun over the same data
/// gives the same figures whatever the clock says.
pub fn default_as_of(tables: &CaseTables) -> Result<NaiveDate> {
    let last = tables
        .cases
        .clone()
        .lazy()
        .select([max_horizontal_dates()])
        .collect()?;
    let d = crate::metrics::dates_of(last.column("last")?)?;
    d.first()
        .copied()
        .flatten()
        .context("the store has no cases: nothing to measure")
}

fn max_horizontal_dates() -> Expr {
    let acc = col("accepted_at").cast(DataType::Date).max();
    let comp = col("completed_at").cast(DataType::Date).max();
    when(comp.clone().gt(acc.clone()).fill_null(lit(false)))
        .then(comp)
        .otherwise(acc)
        .alias("last")
}

/// Name of the card history dataset.
pub const CARDS: &str = "cards";

/// The cards of a run date, and the history brought up to it.
pub struct CardRun {
    pub due: Vec<crate::metrics::cards::Card>,
    pub history: Vec<crate::metrics::cards::CardRecord>,
    pub changes: crate::metrics::cards::CardChanges,
}

/// Raise the cards of `as_of` and persist the history.
pub fn run_cards(
    store: &Store,
    cal: &Calendar,
    as_of: NaiveDate,
    rules: &crate::metrics::cards::CardRules,
) -> Result<CardRun> {
    let facts = crate::metrics::cases::case_facts(&case_tables(store)?, cal, as_of)?;
    let step_facts = match store.read("case_steps")? {
        Some(steps) => Some(crate::metrics::steps::step_facts(
            &steps,
            store.read("item_steps")?.as_ref(),
            &facts,
            cal,
            as_of,
        )?),
        None => None,
    };
    record_cards(store, cal, as_of, rules, &facts, step_facts.as_ref())
}

/// Raise the cards of `as_of` from case and step facts computed as of it
/// (a [`Run`] has them: `Run::case_facts`, `Run::step_facts`; the facts of
/// the open cases and steps are all that is read) and persist the history.
pub fn record_cards(
    store: &Store,
    cal: &Calendar,
    as_of: NaiveDate,
    rules: &crate::metrics::cards::CardRules,
    facts: &crate::metrics::cases::CaseFacts,
    step_facts: Option<&DataFrame>,
) -> Result<CardRun> {
    use crate::metrics::cards::{cards_due, history_frame, history_rows, update_history};
    let mut due = cards_due(facts, cal, as_of, rules)?;
    // Step cards, on the handlers, cleared when the step finishes.
    let mut step_done: Vec<(String, NaiveDate)> = Vec::new();
    if let Some(sf) = step_facts {
        due.extend(crate::metrics::steps::step_cards_due(
            sf, cal, as_of, rules,
        )?);
    }
    if let Some(steps) = store.read("case_steps")? {
        let all = steps
            .lazy()
            .filter(col("finished_at").is_not_null())
            .select([
                col("case_id"),
                col("seq"),
                col("step"),
                col("finished_at").cast(DataType::Date),
            ])
            .collect()?;
        let (ids, seq, names) = (
            all.column("case_id")?.str()?,
            all.column("seq")?.i64()?,
            all.column("step")?.str()?,
        );
        let fin = crate::metrics::dates_of(all.column("finished_at")?)?;
        for (i, f) in fin.into_iter().enumerate() {
            if let (Some(id), Some(n), Some(name), Some(f)) =
                (ids.get(i), seq.get(i), names.get(i), f)
            {
                let step = format!("{n} {name}");
                step_done.push((crate::metrics::cards::subject(id, Some(&step)), f));
            }
        }
    }
    // Completion dates of every case (not only up to as_of: the history
    // clears a card on the completion date once the run reaches it).
    let done = store
        .read("cases")?
        .context("the store has no cases yet")?
        .lazy()
        .filter(col("completed_at").is_not_null())
        .select([col("case_id"), col("completed_at").cast(DataType::Date)])
        .collect()?;
    let ids = done.column("case_id")?.str()?;
    let dates = crate::metrics::dates_of(done.column("completed_at")?)?;
    let completed = ids
        .iter()
        .zip(dates)
        .filter_map(|(id, d)| Some((id?.to_string(), d?)))
        .chain(step_done)
        .collect();
    let before = match store.read(CARDS)? {
        Some(df) => history_rows(&df)?,
        None => Vec::new(),
    };
    let (history, changes) = update_history(before, &due, &completed, as_of);
    let mut frame = history_frame(&history)?;
    let mut txn = store.begin()?;
    store.replace(&mut txn, CARDS, &mut frame)?;
    txn.commit()?;
    Ok(CardRun {
        due,
        history,
        changes,
    })
}

/// The catalog round between the versions in force on two dates.
pub fn catalog_round(
    store: &Store,
    before: NaiveDate,
    after: NaiveDate,
) -> Result<(crate::metrics::catalog::CatalogRound, DataFrame)> {
    use crate::metrics::catalog::{compare_items, round_totals};
    let items = store
        .read("items")?
        .context("the store has no items yet: ingest the item catalog first")?;
    let per_item = compare_items(&items, before, after)?;
    Ok((round_totals(&per_item)?, per_item))
}

/// The latest 流程再造 round: the catalog in force on its last two
/// effective dates, or `None` while the catalog has a single version.
pub fn latest_catalog_round(
    store: &Store,
) -> Result<Option<(NaiveDate, NaiveDate, crate::metrics::catalog::CatalogRound)>> {
    let Some(items) = store.read("items")? else {
        return Ok(None);
    };
    let mut dates: Vec<NaiveDate> = crate::metrics::dates_of(items.column("effective_from")?)?
        .into_iter()
        .flatten()
        .collect();
    dates.sort_unstable();
    dates.dedup();
    let [.., before, after] = dates[..] else {
        return Ok(None);
    };
    let (round, _) = catalog_round(store, before, after)?;
    Ok(Some((before, after, round)))
}

/// Names of the attendance datasets.
pub const ATTENDANCE_DAYS: &str = "attendance_days";
pub const ATTENDANCE_METRICS: &str = "attendance_metrics";

/// Load the tables attendance reads.
pub fn attendance_tables(store: &Store) -> Result<crate::metrics::attendance::AttendanceTables> {
    load_attendance_tables(&|t, c| store.read_columns(t, c))
}

fn load_attendance_tables(read: &Loader) -> Result<crate::metrics::attendance::AttendanceTables> {
    Ok(crate::metrics::attendance::AttendanceTables {
        staff: read("staff", None)?
            .context("the store has no staff roster yet: ingest it first")?,
        windows: read("windows", None)?
            .context("the store has no windows yet: ingest them first")?,
        punches: read("punches", None)?,
        leaves: read("leaves", None)?,
        departures: read("departures", None)?,
    })
}

/// Names of the citizen-side datasets.
pub const RATING_METRICS: &str = "rating_metrics";
pub const QUEUE_METRICS: &str = "queue_metrics";
pub const QUEUE_JUMPS: &str = "queue_jumps";
pub const INCIDENT_METRICS: &str = "incident_metrics";

/// The last date of a date or date-time column of a stored table.
fn last_date(store: &Store, table: &str, column: &str) -> Result<Option<NaiveDate>> {
    let Some(df) = store.read(table)? else {
        return Ok(None);
    };
    let dates = crate::metrics::dates_of(&df.column(column)?.cast(&DataType::Date)?)?;
    Ok(dates.into_iter().flatten().max())
}

/// `as_of` if given, else the last date of `table.column`.
fn as_of_or_last(
    store: &Store,
    as_of: Option<NaiveDate>,
    table: &str,
    column: &str,
) -> Result<NaiveDate> {
    match as_of {
        Some(d) => Ok(d),
        None => last_date(store, table, column)?
            .with_context(|| format!("the store has no {table} yet: ingest them first")),
    }
}

/// Bad ratings open past their rectification limit at the end of `as_of`.
pub fn bad_rating_alerts(
    store: &Store,
    settings: &crate::config::Settings,
    as_of: NaiveDate,
) -> Result<Vec<crate::metrics::ratings::BadRatingAlert>> {
    match store.read("ratings")? {
        Some(r) => crate::metrics::ratings::bad_rating_alerts(
            &r,
            &settings.calendar,
            &settings.ratings,
            as_of,
        ),
        None => Ok(Vec::new()),
    }
}

/// Name of the three-zeros dataset.
pub const THREE_ZEROS: &str = "three_zeros";

/// Names of the step and staff-review datasets.
pub const STEP_METRICS: &str = "step_metrics";
pub const STAFF_REVIEW: &str = "staff_review";

/// Names of the ranking datasets.
pub const WINDOW_SCORES: &str = "window_scores";
pub const SCORE_EVENTS: &str = "score_events";
pub const STAFF_SCORES: &str = "staff_scores";

/// One evaluation of the metric tables as of one date: each family is
/// computed at most once (the three zeros and the scores reuse the case,
/// rating and queue tables), and every table computed lands in one commit.
pub struct Run<'a> {
    store: &'a Store,
    settings: &'a Settings,
    pub as_of: NaiveDate,
    /// Read only the input rows that bear on periods from this date on.
    since: Option<NaiveDate>,
    done: BTreeMap<&'static str, DataFrame>,
    /// `step_facts` once computed (not persisted).
    step_facts: Option<Option<DataFrame>>,
    /// Case facts once computed (not persisted).
    case_facts: Option<crate::metrics::cases::CaseFacts>,
}

impl<'a> Run<'a> {
    pub fn new(store: &'a Store, settings: &'a Settings, as_of: NaiveDate) -> Self {
        Run {
            store,
            settings,
            as_of,
            since: None,
            done: BTreeMap::new(),
            step_facts: None,
            case_facts: None,
        }
    }

    /// A run that needs the figures of periods ending on or after `from`
    /// only (the nightly job): it reads the input rows dated from the start
    /// of the year before `from` (the previous period of every grain, which
    /// the 约谈 rule compares with, included), plus the cases still open
    /// then and every suspension. Rows of periods ending before `from` that
    /// it computes are incomplete: [`Run::commit_from`] keeps the stored
    /// ones instead.
    pub fn since(mut self, from: NaiveDate) -> Self {
        use chrono::Datelike;
        self.since = NaiveDate::from_ymd_opt(from.year() - 1, 1, 1);
        self
    }

    /// A stored input table, restricted as [`Run::since`] says.
    fn read(&self, table: &str) -> Result<Option<DataFrame>> {
        self.read_columns(table, None)
    }

    /// Some columns (all: `None`) of a stored input table, restricted as
    /// [`Run::since`] says.
    fn read_columns(&self, table: &str, columns: Option<&[&str]>) -> Result<Option<DataFrame>> {
        use chrono::Datelike;
        let (Some(since), Some(spec)) = (self.since, crate::ingest::table::table(table)) else {
            return self.store.read_columns(table, columns);
        };
        let Some(by) = spec.partition_by.filter(|_| table != "suspensions") else {
            return self.store.read_columns(table, columns);
        };
        let Some(scan) = self.store.scan(table)? else {
            return Ok(None);
        };
        let from = crate::metrics::date_lit(since);
        let dated = |c: &str| col(c).cast(DataType::Date).gt_eq(from.clone());
        let mut keep = col("year")
            .cast(DataType::Int64)
            .gt_eq(lit(since.year() as i64))
            .and(dated(by));
        match table {
            "cases" => {
                // Open then, completed since, or named by a correction or a
                // step of the period (an old case corrected now).
                let mut named: Vec<String> = Vec::new();
                for (t, c) in [("corrections", "at"), ("case_steps", "finished_at")] {
                    if let Some(scan) = self.store.scan(t)? {
                        let ids = scan
                            .filter(col(c).is_null().or(dated(c)))
                            .select([col("case_id")])
                            .collect()?;
                        named.extend(
                            ids.column("case_id")?
                                .str()?
                                .iter()
                                .flatten()
                                .map(str::to_string),
                        );
                    }
                }
                named.sort_unstable();
                named.dedup();
                keep = keep.or(col("completed_at")
                    .is_null()
                    .or(dated("completed_at"))
                    .or(col("case_id")
                        .is_in(lit(Series::new("ids".into(), named)).implode(false), false)))
            }
            // A bad rating still open (or rectified since) counts in every
            // later period's open_past_limit.
            "ratings" => {
                keep = keep.or(col("level")
                    .lt_eq(lit(2i64))
                    .and(col("rectified_at").is_null().or(dated("rectified_at"))))
            }
            "leaves" => keep = keep.or(dated("end")),
            "case_steps" => keep = keep.or(col("finished_at").is_null().or(dated("finished_at"))),
            "departures" => keep = keep.or(dated("back_at")),
            _ => {}
        }
        let mut kept = scan.filter(keep);
        Ok(Some(match columns {
            Some(c) => {
                // A column no stored file has yet (added in a later
                // version): null.
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
            None => kept.collect()?.drop_many(["year", "month"]),
        }))
    }

    fn has(&self, table: &str) -> Result<bool> {
        Ok(!self.store.files(table)?.is_empty())
    }

    fn need(&self, table: &str) -> Result<DataFrame> {
        self.read(table)?
            .with_context(|| format!("the store has no {table} yet: ingest them first"))
    }

    /// Every case measured as of the run's date (computed once).
    pub fn case_facts(&mut self) -> Result<crate::metrics::cases::CaseFacts> {
        if let Some(f) = &self.case_facts {
            return Ok(f.clone());
        }
        let tables = load_case_tables(&|t, c| self.read_columns(t, c))?;
        let facts =
            crate::metrics::cases::case_facts(&tables, &self.settings.calendar, self.as_of)?;
        self.case_facts = Some(facts.clone());
        Ok(facts)
    }

    /// `case_metrics`.
    pub fn case_metrics(&mut self) -> Result<DataFrame> {
        if let Some(df) = self.done.get(CASE_METRICS) {
            return Ok(df.clone());
        }
        let levels: Vec<&str> = crate::metrics::rollup::LEVELS
            .iter()
            .map(|(l, _)| *l)
            .collect();
        let df = crate::metrics::cases::case_metrics_of(
            &self.case_facts()?,
            &self.settings.calendar,
            self.as_of,
            &crate::metrics::period::Grain::ALL,
            &levels,
        )?;
        self.done.insert(CASE_METRICS, df.clone());
        Ok(df)
    }

    /// `attendance_days` (and `attendance_metrics`), from the first punch;
    /// `None` without punches.
    pub fn attendance_days(&mut self) -> Result<Option<DataFrame>> {
        use crate::metrics::attendance::{attendance_metrics, attendance_table};
        if let Some(df) = self.done.get(ATTENDANCE_DAYS) {
            return Ok(Some(df.clone()));
        }
        let Some(first) = first_date(self.store, "punches", "punched_at")? else {
            return Ok(None);
        };
        let first = first.max(self.since.unwrap_or(first));
        let tables = load_attendance_tables(&|t, c| self.read_columns(t, c))?;
        let s = self.settings;
        let days = attendance_table(
            &tables,
            &s.calendar,
            &s.attendance,
            first.min(self.as_of),
            self.as_of,
        )?;
        let metrics = attendance_metrics(&days, self.as_of)?;
        self.done.insert(ATTENDANCE_METRICS, metrics);
        self.done.insert(ATTENDANCE_DAYS, days.clone());
        Ok(Some(days))
    }

    /// `rating_metrics`; `None` without ratings.
    pub fn rating_metrics(&mut self) -> Result<Option<DataFrame>> {
        if let Some(df) = self.done.get(RATING_METRICS) {
            return Ok(Some(df.clone()));
        }
        if !self.has("ratings")? {
            return Ok(None);
        }
        let s = self.settings;
        let df = crate::metrics::ratings::rating_metrics(
            &self.need("ratings")?,
            &self.need("cases")?,
            &self.need("windows")?,
            &s.calendar,
            &s.ratings,
            self.as_of,
        )?;
        self.done.insert(RATING_METRICS, df.clone());
        Ok(Some(df))
    }

    /// `queue_metrics` and `queue_jumps`; `None` without tickets.
    pub fn queue(&mut self) -> Result<Option<(DataFrame, DataFrame)>> {
        if let (Some(m), Some(j)) = (self.done.get(QUEUE_METRICS), self.done.get(QUEUE_JUMPS)) {
            return Ok(Some((m.clone(), j.clone())));
        }
        if !self.has("tickets")? {
            return Ok(None);
        }
        let tickets = self.need("tickets")?;
        let jumps = crate::metrics::queue::queue_jumps(&tickets)?;
        let metrics = crate::metrics::queue::queue_metrics(
            &tickets,
            &self.need("windows")?,
            &jumps,
            &self.settings.queue,
            self.as_of,
        )?;
        self.done.insert(QUEUE_METRICS, metrics.clone());
        self.done.insert(QUEUE_JUMPS, jumps.clone());
        Ok(Some((metrics, jumps)))
    }

    /// `incident_metrics`; `None` without incidents.
    pub fn incident_metrics(&mut self) -> Result<Option<DataFrame>> {
        if let Some(df) = self.done.get(INCIDENT_METRICS) {
            return Ok(Some(df.clone()));
        }
        if !self.has("incidents")? {
            return Ok(None);
        }
        let df = crate::metrics::zeros::incident_metrics(
            &self.need("incidents")?,
            &self.need("windows")?,
            &self.settings.incidents,
            self.as_of,
        )?;
        self.done.insert(INCIDENT_METRICS, df.clone());
        Ok(Some(df))
    }

    /// The three zeros of `periods`, or of every month, two-month period,
    /// quarter and year with case data (then kept as `three_zeros`).
    pub fn three_zeros(&mut self, periods: Option<&[Period]>) -> Result<DataFrame> {
        let case_metrics = self.case_metrics()?;
        let ratings = self.rating_metrics()?;
        let queue = self.queue()?.map(|(m, _)| m);
        let (windows, cases) = (self.need("windows")?, self.need("cases")?);
        let (incidents, corrections) = (self.read("incidents")?, self.read("corrections")?);
        let inputs = crate::metrics::zeros::ZeroInputs {
            windows: &windows,
            incidents: incidents.as_ref(),
            corrections: corrections.as_ref(),
            cases: &cases,
            case_metrics: &case_metrics,
            rating_metrics: ratings.as_ref(),
            queue_metrics: queue.as_ref(),
        };
        let all = match periods {
            Some(p) => p.to_vec(),
            None => crate::metrics::zeros::periods_with_cases(&case_metrics)?,
        };
        let zeros = crate::metrics::zeros::three_zeros_of(
            &inputs,
            &self.settings.incidents,
            &all,
            self.as_of,
        )?;
        if periods.is_none() {
            self.done.insert(THREE_ZEROS, zeros.clone());
        }
        Ok(zeros)
    }

    /// Window and staff scores with every event behind them.
    pub fn scores(&mut self) -> Result<crate::metrics::scoring::Scores> {
        if let (Some(w), Some(e), Some(s)) = (
            self.done.get(WINDOW_SCORES),
            self.done.get(SCORE_EVENTS),
            self.done.get(STAFF_SCORES),
        ) {
            return Ok(crate::metrics::scoring::Scores {
                windows: w.clone(),
                events: e.clone(),
                staff: s.clone(),
            });
        }
        let case_metrics = self.case_metrics()?;
        let s = self.settings;
        let windows = self.need("windows")?;
        let facts = self.case_facts()?;
        let overdue_open =
            crate::metrics::cases::overdue_open_cases(&facts, &s.calendar, self.as_of)?;
        let attendance = self.attendance_days()?;
        let rating_metrics = self.rating_metrics()?;
        let ratings = match self.read("ratings")? {
            Some(r) => Some(crate::metrics::ratings::with_deadlines(
                &r,
                &s.calendar,
                &s.ratings,
            )?),
            None => None,
        };
        let jumps = self.queue()?.map(|(_, j)| j);
        let (incidents, corrections) = (self.read("incidents")?, self.read("corrections")?);
        let steps = self.step_facts()?;
        let inputs = crate::metrics::scoring::ScoringInputs {
            windows: &windows,
            attendance_days: attendance.as_ref(),
            cases: &facts.cases,
            overdue_open: &overdue_open,
            corrections: corrections.as_ref(),
            steps: steps.as_ref(),
            ratings: ratings.as_ref(),
            queue_jumps: jumps.as_ref(),
            incidents: incidents.as_ref(),
            case_metrics: &case_metrics,
            rating_metrics: rating_metrics.as_ref(),
            veto_categories: &s.incidents.veto_categories,
            incident_rules: &s.incidents,
            targets: &s.targets,
        };
        let scores = crate::metrics::scoring::score(&inputs, &s.scoring, self.as_of)?;
        self.done.insert(WINDOW_SCORES, scores.windows.clone());
        self.done.insert(SCORE_EVENTS, scores.events.clone());
        self.done.insert(STAFF_SCORES, scores.staff.clone());
        Ok(scores)
    }

    /// Every step measured (`None` without step data).
    pub fn step_facts(&mut self) -> Result<Option<DataFrame>> {
        if let Some(f) = &self.step_facts {
            return Ok(f.clone());
        }
        let facts = match self.read("case_steps")? {
            Some(steps) => {
                let case = self.case_facts()?;
                let cal = &self.settings.calendar;
                let item_steps = self.read("item_steps")?;
                Some(crate::metrics::steps::step_facts(
                    &steps,
                    item_steps.as_ref(),
                    &case,
                    cal,
                    self.as_of,
                )?)
            }
            None => None,
        };
        self.step_facts = Some(facts.clone());
        Ok(facts)
    }

    /// `step_metrics`; `None` without step data.
    pub fn step_metrics(&mut self) -> Result<Option<DataFrame>> {
        if let Some(df) = self.done.get(STEP_METRICS) {
            return Ok(Some(df.clone()));
        }
        let Some(facts) = self.step_facts()? else {
            return Ok(None);
        };
        let df = crate::metrics::steps::step_metrics(&facts, self.as_of)?;
        self.done.insert(STEP_METRICS, df.clone());
        Ok(Some(df))
    }

    /// `staff_review` (三在 / 三问).
    pub fn staff_review(&mut self) -> Result<DataFrame> {
        if let Some(df) = self.done.get(STAFF_REVIEW) {
            return Ok(df.clone());
        }
        let case_metrics = self.case_metrics()?;
        let attendance = self.attendance_days()?;
        let attendance_metrics = self.done.get(ATTENDANCE_METRICS).cloned();
        let facts = self.step_facts()?;
        let scores = self.scores()?;
        let (staff, cases) = (self.need("staff")?, self.need("cases")?);
        let (corrections, tickets) = (self.read("corrections")?, self.read("tickets")?);
        let inputs = crate::metrics::staff::StaffInputs {
            staff: &staff,
            cases: &cases,
            corrections: corrections.as_ref(),
            tickets: tickets.as_ref(),
            step_facts: facts.as_ref(),
            attendance_days: attendance.as_ref(),
            attendance_metrics: attendance_metrics.as_ref(),
            case_metrics: &case_metrics,
            staff_scores: Some(&scores.staff),
        };
        let df = crate::metrics::staff::staff_review(&inputs, self.as_of)?;
        self.done.insert(STAFF_REVIEW, df.clone());
        Ok(df)
    }

    /// Every metric table (what `compute`, `nightly` and the bulletin need).
    pub fn everything(&mut self) -> Result<()> {
        self.case_metrics()?;
        self.incident_metrics()?;
        self.three_zeros(None)?;
        self.scores()?;
        self.step_metrics()?;
        self.staff_review()?;
        Ok(())
    }

    /// Write every table this run computed, all in one commit. The tables
    /// are now as of this run's date, not the nightly job's: its next run
    /// recomputes everything.
    pub fn commit(self) -> Result<()> {
        crate::nightly::forget(self.store)?;
        self.commit_from(None)
    }

    /// Write every table this run computed, all in one commit; with `from`,
    /// the stored rows of periods (or days) ending before `from` are kept
    /// and only the later ones replaced.
    pub fn commit_from(self, from: Option<NaiveDate>) -> Result<()> {
        let mut txn = self.store.begin()?;
        for (name, df) in self.done {
            let mut df = match (from, self.store.read(name)?) {
                (Some(from), Some(stored)) => merge_from(stored, df, from)
                    .with_context(|| format!("cannot update {name} from {from}"))?,
                // The rows before `from` were computed from part of the
                // inputs: they cannot stand in for a table never stored.
                (Some(_), None) => {
                    anyhow::bail!("{name} is new to the store: it needs a full recompute")
                }
                (None, _) => df,
            };
            self.store.replace(&mut txn, name, &mut df)?;
        }
        txn.commit()
    }
}

/// The stored rows of periods (or days) ending before `from`, then the
/// computed rows of the others. Every metric table has `period_end` (or,
/// per day, `date`).
fn merge_from(stored: DataFrame, computed: DataFrame, from: NaiveDate) -> Result<DataFrame> {
    let from = crate::metrics::date_lit(from);
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

/// The first date of a date or date-time column of a stored table.
fn first_date(store: &Store, table: &str, column: &str) -> Result<Option<NaiveDate>> {
    let Some(df) = store.read(table)? else {
        return Ok(None);
    };
    let dates = crate::metrics::dates_of(&df.column(column)?.cast(&DataType::Date)?)?;
    Ok(dates.into_iter().flatten().min())
}

/// The evaluation date given, or the last date with case data.
fn case_as_of(store: &Store, as_of: Option<NaiveDate>) -> Result<NaiveDate> {
    match as_of {
        Some(d) => Ok(d),
        None => default_as_of(&case_tables(store)?),
    }
}

/// Compute and persist `case_metrics`.
pub fn compute_case_metrics(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let mut run = Run::new(store, settings, case_as_of(store, as_of)?);
    let df = run.case_metrics()?;
    let as_of = run.as_of;
    run.commit()?;
    Ok((df, as_of))
}

/// Compute and persist `attendance_days` and `attendance_metrics` (default
/// evaluation date: the day of the last punch).
pub fn compute_attendance(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let as_of = as_of_or_last(store, as_of, "punches", "punched_at")?;
    let mut run = Run::new(store, settings, as_of);
    let days = run
        .attendance_days()?
        .context("the store has no punches yet: ingest the fingerprint-clock exports first")?;
    run.commit()?;
    Ok((days, as_of))
}

/// Compute and persist `rating_metrics` (default: the last rating's date).
pub fn compute_ratings(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let as_of = as_of_or_last(store, as_of, "ratings", "rated_at")?;
    let mut run = Run::new(store, settings, as_of);
    let df = run
        .rating_metrics()?
        .context("the store has no ratings yet")?;
    run.commit()?;
    Ok((df, as_of))
}

/// Compute and persist `queue_metrics` and `queue_jumps` (default: the
/// last ticket's issue date).
pub fn compute_queue(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, DataFrame, NaiveDate)> {
    let as_of = as_of_or_last(store, as_of, "tickets", "issued_at")?;
    let mut run = Run::new(store, settings, as_of);
    let (m, j) = run.queue()?.context("the store has no tickets yet")?;
    run.commit()?;
    Ok((m, j, as_of))
}

/// Compute and persist `incident_metrics` (default: the last incident's date).
pub fn compute_incidents(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let as_of = as_of_or_last(store, as_of, "incidents", "date")?;
    let mut run = Run::new(store, settings, as_of);
    let df = run
        .incident_metrics()?
        .context("the store has no incidents yet")?;
    run.commit()?;
    Ok((df, as_of))
}

/// The three zeros of some periods (nothing persisted but the tables they
/// draw on).
pub fn three_zeros(
    store: &Store,
    settings: &Settings,
    periods: &[Period],
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let mut run = Run::new(store, settings, case_as_of(store, as_of)?);
    let df = run.three_zeros(Some(periods))?;
    let as_of = run.as_of;
    run.commit()?;
    Ok((df, as_of))
}

/// Score and rank every window and staff member; persist the scores and
/// every table they drew on.
pub fn compute_scores(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
) -> Result<(crate::metrics::scoring::Scores, NaiveDate)> {
    let mut run = Run::new(store, settings, case_as_of(store, as_of)?);
    let scores = run.scores()?;
    let as_of = run.as_of;
    run.commit()?;
    Ok((scores, as_of))
}

/// Compute and persist `case_metrics` for some grains and levels only.
pub fn compute_case_metrics_for(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
    grains: &[crate::metrics::period::Grain],
    levels: &[&str],
) -> Result<NaiveDate> {
    let as_of = case_as_of(store, as_of)?;
    let mut df = crate::metrics::cases::case_metrics_for(
        &case_tables(store)?,
        &settings.calendar,
        as_of,
        grains,
        levels,
    )?;
    crate::nightly::forget(store)?;
    let mut txn = store.begin()?;
    store.replace(&mut txn, CASE_METRICS, &mut df)?;
    txn.commit()?;
    Ok(as_of)
}

/// Compute and persist `step_metrics` (empty without step data).
pub fn compute_step_metrics(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let mut run = Run::new(store, settings, case_as_of(store, as_of)?);
    let df = run
        .step_metrics()?
        .context("the store has no case steps: ingest the case_steps exports first")?;
    let as_of = run.as_of;
    run.commit()?;
    Ok((df, as_of))
}

/// Compute and persist `staff_review` and every table it draws on.
pub fn compute_staff_review(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let mut run = Run::new(store, settings, case_as_of(store, as_of)?);
    let df = run.staff_review()?;
    let as_of = run.as_of;
    run.commit()?;
    Ok((df, as_of))
}

/// Every metric table as of `as_of` (default: the last date with case
/// data), computed once each and written in one commit.
pub fn compute_all(
    store: &Store,
    settings: &Settings,
    as_of: Option<NaiveDate>,
) -> Result<NaiveDate> {
    let mut run = Run::new(store, settings, case_as_of(store, as_of)?);
    run.everything()?;
    let as_of = run.as_of;
    run.commit()?;
    Ok(as_of)
}

/// A stored reject, as listed by `xiaoneng rejects`.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectRow {
    pub run_id: String,
    pub file: String,
    pub table: String,
    pub line: i64,
    pub column: String,
    pub reason: String,
    pub raw: String,
}

/// The stored rejects (of one table, if given): newest run first, then by
/// file and line.
pub fn rejects(store: &Store, table: Option<&str>) -> Result<Vec<RejectRow>> {
    let Some(df) = store.read(crate::store::REJECTS)? else {
        return Ok(Vec::new());
    };
    let text = |c: &str| -> Result<Vec<String>> {
        Ok(df
            .column(c)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect())
    };
    let (run, file, tbl, column, reason, raw) = (
        text("run_id")?,
        text("file")?,
        text("table")?,
        text("column")?,
        text("reason")?,
        text("raw")?,
    );
    let line: Vec<i64> = df
        .column("line")?
        .i64()?
        .iter()
        .map(|v| v.unwrap_or(0))
        .collect();
    let mut rows: Vec<RejectRow> = (0..df.height())
        .filter(|&i| table.is_none_or(|t| tbl[i] == t))
        .map(|i| RejectRow {
            run_id: run[i].clone(),
            file: file[i].clone(),
            table: tbl[i].clone(),
            line: line[i],
            column: column[i].clone(),
            reason: reason[i].clone(),
            raw: raw[i].clone(),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.run_id
            .cmp(&a.run_id)
            .then(a.file.cmp(&b.file))
            .then(a.line.cmp(&b.line))
    });
    Ok(rows)
}

/// The attendance publication of a week or month (周公示 / monthly sheet),
/// written as CSV to `<reports>/<period>/attendance.csv`.
pub fn attendance_publication(
    store: &Store,
    settings: &Settings,
    period: &Period,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, std::path::PathBuf, NaiveDate)> {
    let (days, as_of) = compute_attendance(store, settings, as_of)?;
    let (table, path) = write_attendance_publication(store, settings, period, &days, as_of)?;
    Ok((table, path, as_of))
}

/// The attendance publication of `period` from staff-days computed as of
/// `as_of`.
pub fn write_attendance_publication(
    store: &Store,
    settings: &Settings,
    period: &Period,
    days: &DataFrame,
    as_of: NaiveDate,
) -> Result<(DataFrame, std::path::PathBuf)> {
    let staff = store
        .read("staff")?
        .context("the store has no staff roster yet")?;
    let end = crate::metrics::state_day(period.end, as_of);
    let table = crate::metrics::attendance::publication(days, &staff, period.start, end)?;
    let md = format!(
        "# {} 考勤公示\n\n统计期间 {} 至 {end}。\n\n{}",
        period.label,
        period.start,
        crate::view::attendance_markdown(&table)?
    );
    let mut tables = [("attendance", table)];
    let (path, _) = write_report(settings, &period.label, "attendance", &md, &mut tables, &[])?;
    let [(_, table)] = tables;
    Ok((table, path.with_file_name("attendance.csv")))
}

/// Write the bulletin of `period` (a month: 月通报; a quarter: 季度评议; a
/// year: 年度考核) under `<reports>/<period>/`: `bulletin.md` and one CSV per
/// table, as of `as_of` (default: the period's last day: a bulletin is
/// written for a period that is over).
pub fn bulletin_report(
    store: &Store,
    settings: &Settings,
    period: &Period,
    center: &str,
    as_of: Option<NaiveDate>,
) -> Result<(std::path::PathBuf, String)> {
    let as_of = as_of.unwrap_or(period.end);
    let mut run = Run::new(store, settings, as_of);
    run.everything()?;
    run.commit()?;
    write_bulletin(store, settings, period, center, as_of)
}

/// Write the bulletin of `period` from the stored metric tables (computed
/// as of `as_of` or later: a closed period's rows do not change after it).
pub fn write_bulletin(
    store: &Store,
    settings: &Settings,
    period: &Period,
    center: &str,
    as_of: NaiveDate,
) -> Result<(std::path::PathBuf, String)> {
    let need = |t: &str| -> Result<DataFrame> {
        store
            .read(t)?
            .with_context(|| format!("the store has no {t}: compute the metric tables first"))
    };
    let case_metrics = need(CASE_METRICS)?;
    let ratings = store.read(RATING_METRICS)?;
    let queue = store.read(QUEUE_METRICS)?;
    let attendance = store.read(ATTENDANCE_DAYS)?;
    let zeros = need(THREE_ZEROS)?;
    let (window_scores, staff_scores) = (need(WINDOW_SCORES)?, need(STAFF_SCORES)?);
    let cards = store.read(CARDS)?;
    let staff = store.read("staff")?;
    let (step_metrics, staff_review) = (store.read(STEP_METRICS)?, store.read(STAFF_REVIEW)?);
    let items = store.read("items")?;
    let latest = latest_catalog_round(store)?;
    let round = latest
        .as_ref()
        .map(|(from, to, r)| format!("{from} → {to}: {}", r.sentence()));
    let catalog_items = match &latest {
        Some((from, to, _)) => Some(catalog_round(store, *from, *to)?.1),
        None => None,
    };
    let waits = match store.read("tickets")? {
        Some(t) => Some(crate::metrics::queue::waits_between(
            &t,
            period.start,
            period.end,
        )?),
        None => None,
    };
    let inputs = crate::report::bulletin::BulletinInputs {
        case_metrics: &case_metrics,
        rating_metrics: ratings.as_ref(),
        queue_metrics: queue.as_ref(),
        attendance_days: attendance.as_ref(),
        staff: staff.as_ref(),
        three_zeros: &zeros,
        window_scores: &window_scores,
        staff_scores: &staff_scores,
        cards: cards.as_ref(),
        catalog_round: round,
        catalog_items: catalog_items.as_ref(),
        step_metrics: step_metrics.as_ref(),
        staff_review: staff_review.as_ref(),
        items: items.as_ref(),
        waits_min: waits.as_deref(),
        targets: &settings.targets,
        attendance_rules: &settings.attendance,
        notes: provisional_notes(&settings.calendar, period, cards.as_ref())?,
    };
    let mut bulletin = crate::report::bulletin::monthly_bulletin(center, period, as_of, &inputs)?;
    write_report(
        settings,
        &period.label,
        "bulletin",
        &bulletin.markdown,
        &mut bulletin.tables,
        &bulletin.charts,
    )
}

/// The provisional-calendar line of a bulletin: when the period reaches the
/// provisional year, or a card raised in it has a provisional deadline.
fn provisional_notes(
    cal: &Calendar,
    period: &Period,
    cards: Option<&DataFrame>,
) -> Result<Vec<String>> {
    let Some(year) = cal.provisional_year() else {
        return Ok(Vec::new());
    };
    let mut provisional = chrono::Datelike::year(&period.end) >= year;
    if let Some(history) = cards.map(crate::metrics::cards::history_rows).transpose()? {
        provisional |= history.iter().any(|c| {
            c.deadline_provisional && c.raised_on >= period.start && c.raised_on <= period.end
        });
    }
    Ok(if provisional {
        vec![crate::calendar_lists::provisional_note(year)]
    } else {
        Vec::new()
    })
}

/// Write the daily report of `day` under `<reports>/<day>/`: `daily.md`
/// and its tables as CSV. Raises the cards of the day on the way.
pub fn daily_report(
    store: &Store,
    settings: &Settings,
    day: &Period,
    center: &str,
) -> Result<(std::path::PathBuf, String)> {
    let as_of = day.end;
    let mut run = Run::new(store, settings, as_of);
    run.case_metrics()?;
    run.attendance_days()?;
    let (facts, step_facts) = (run.case_facts()?, run.step_facts()?);
    run.commit()?;
    let cal = &settings.calendar;
    let cards = record_cards(
        store,
        cal,
        as_of,
        &settings.cards,
        &facts,
        step_facts.as_ref(),
    )?;
    write_daily(store, settings, day, center, &cards, &[])
}

/// Write the daily report of `day` from the stored metric tables (computed
/// as of `day`) and the cards raised that day.
pub fn write_daily(
    store: &Store,
    settings: &Settings,
    day: &Period,
    center: &str,
    cards: &CardRun,
    notes: &[String],
) -> Result<(std::path::PathBuf, String)> {
    let as_of = day.end;
    let case_metrics = store
        .read(CASE_METRICS)?
        .context("the store has no case_metrics: compute the metric tables first")?;
    let attendance = store.read(ATTENDANCE_DAYS)?;
    let due = crate::metrics::cards::due_records(&cards.due, &cards.history, as_of);
    let alerts =
        crate::metrics::ratings::alerts_frame(&bad_rating_alerts(store, settings, as_of)?)?;
    let inputs = crate::report::daily::DailyInputs {
        case_metrics: &case_metrics,
        cards_due: &due,
        alerts: &alerts,
        attendance_days: attendance.as_ref(),
        notes,
        provisional_year: settings.calendar.provisional_year(),
    };
    let (md, mut tables) = crate::report::daily::daily_report(center, day, &inputs)?;
    write_report(settings, &day.label, "daily", &md, &mut tables, &[])
}

/// Write a report's Markdown and tables under `<reports>/<label>/`.
/// Writes `<name>.md`, `<name>.html` (with the charts, as SVG) and one CSV
/// per table; returns the Markdown's path.
fn write_report(
    settings: &Settings,
    label: &str,
    name: &str,
    markdown: &str,
    tables: &mut [(&'static str, DataFrame)],
    charts: &[(String, String)],
) -> Result<(std::path::PathBuf, String)> {
    let dir = settings.reports.join(label);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(format!("{name}.md"));
    write_atomic(&path, markdown.as_bytes())?;
    let title = markdown
        .lines()
        .next()
        .unwrap_or(label)
        .trim_start_matches("# ");
    for (k, (_, svg)) in charts.iter().enumerate() {
        let png = dir.join(format!("{name}-chart{}.png", k + 1));
        write_atomic(&png, &crate::report::charts::png(svg)?)?;
    }
    let html = dir.join(format!("{name}.html"));
    write_atomic(
        &html,
        crate::report::html::page(title, markdown, charts).as_bytes(),
    )?;
    for (table, df) in tables.iter_mut() {
        let mut bytes = Vec::new();
        crate::view::write_csv(df, &mut bytes)?;
        write_atomic(&dir.join(format!("{table}.csv")), &bytes)?;
    }
    Ok((path, markdown.to_string()))
}

/// Write a file whole or not at all: a temporary file beside it, renamed.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().unwrap_or_default().to_string_lossy()
    ));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}
