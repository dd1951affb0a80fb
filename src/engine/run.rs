//! One evaluation of the metric tables as of one date: each family is
//! computed at most once (the three zeros and the scores reuse the case,
//! rating and queue tables), and every table computed lands in one commit
//! with its stamp. A read uses a run too, without committing: the stored
//! tables that are current are taken as they are, the others computed in
//! memory.

use super::family::{family_of, MetricFamily, FAMILIES};
use super::incremental;
use super::stamp::{self, Stamp};
use crate::config::Settings;
use crate::metrics::cases::CaseTables;
use crate::store::{Store, Transaction, Written};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A table loader: some columns (all: `None`) of a stored input table.
type Loader<'l> = dyn Fn(&str, Option<&[&str]>) -> Result<Option<DataFrame>> + 'l;

/// Who commits a run's tables: `compute` (the nightly job's state is
/// forgotten: its next run recomputes everything), or the nightly job
/// (which saves its state itself), merging from a date or not.
#[derive(Clone, Copy, PartialEq)]
enum Committer {
    Compute,
    Nightly(Option<NaiveDate>),
}

/// A table computed from `from` on, after the stored rows of the periods
/// (or days) ending before it ([`incremental::merge_from`]).
fn merged(store: &Store, name: &str, df: DataFrame, from: NaiveDate) -> Result<DataFrame> {
    match store.read(name)? {
        Some(stored) => incremental::merge_from(stored, df, from)
            .with_context(|| format!("cannot update {name} from {from}")),
        // The rows before `from` were computed from part of the inputs:
        // they cannot stand in for a table never stored.
        None => anyhow::bail!("{name} is new to the store: it needs a full recompute"),
    }
}

/// The case engine's tables; of `cases`, only the columns it reads.
pub fn load_case_tables(read: &Loader) -> Result<CaseTables> {
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

/// The tables of the case engine, read whole from the store.
pub fn case_tables(store: &Store) -> Result<CaseTables> {
    load_case_tables(&|t, c| store.read_columns(t, c))
}

/// Why a metric table that must exist is not there.
pub(super) fn absent(name: &str) -> String {
    format!("no {name}: the store has none of the data it is computed from")
}

/// See the module documentation.
pub struct Run<'a> {
    store: &'a Store,
    settings: &'a Settings,
    pub as_of: NaiveDate,
    /// Read only the input rows that bear on periods from this date on
    /// (and what such reads find once for all).
    since: Option<incremental::Since>,
    /// Tables computed by this run and kept in memory (what a commit
    /// writes, beside the `released` ones already written).
    done: BTreeMap<&'static str, DataFrame>,
    /// Tables of families that found none of their data.
    absent: BTreeSet<&'static str>,
    /// Stored tables a read may take as they are (current as of `as_of`).
    trusted: BTreeSet<&'static str>,
    /// Trusted tables once read.
    loaded: BTreeMap<&'static str, DataFrame>,
    /// `step_facts` once computed (not persisted).
    step_facts: Option<Option<DataFrame>>,
    /// Case facts once computed (not persisted).
    case_facts: Option<crate::metrics::cases::CaseFacts>,
    /// The card history through the run's date (found once).
    card_history: Option<std::sync::Arc<Vec<crate::metrics::cards::CardRecord>>>,
    /// Whether the card history the notices are found from is kept for
    /// a later [`Run::card_history`] ([`Run::keeping_card_history`]).
    keep_card_history: bool,
    /// The card history derived from the facts through the run's date,
    /// before the stored one is merged in (found once; a read of the same
    /// date after the cards were recorded merges it with them again).
    derived_cards: Option<std::sync::Arc<crate::metrics::cards::Derived>>,
    /// The 督办 notices as of the run's date (found once).
    notices: Option<Vec<crate::metrics::supervision::Notice>>,
    /// The complaints as of the run's date (found once).
    complaints: Option<Vec<crate::metrics::complaints::Complaint>>,
    /// The refusals of the service facts (kept when those are found;
    /// `None` inside without cases).
    refusals: Option<Option<DataFrame>>,
    /// Some grains and levels only (`compute --only cases --grain …`): the
    /// tables it commits are stamped partial.
    scope: Option<Scope>,
    /// The time of each family and of the shared facts.
    times: Timings,
    /// Time spent in nested computations of the one being timed.
    nested: Duration,
    /// Where each table goes as soon as its family is done, to be written
    /// to the commit's staging on another thread ([`Run::commit_with`]).
    writer: Option<std::sync::mpsc::Sender<(&'static str, DataFrame)>>,
    /// The staged file of each table the writer has written, as it
    /// reports them.
    staged_files: Option<std::sync::mpsc::Receiver<(&'static str, PathBuf)>>,
    /// Tables computed and handed to the writer, not kept in memory: read
    /// back from their staged file (`None` until the writer reports it)
    /// when asked for again.
    released: BTreeMap<&'static str, Option<PathBuf>>,
}

/// The facts a run found (case and step facts, the card history derived
/// from them, the refusals of the service facts), to hand to another run
/// of the same date over the same store: the demo's bulletin after its
/// compute. Facts of a run limited to recent rows ([`Run::since`]) are not
/// handed on.
#[derive(Clone)]
pub struct Facts {
    as_of: NaiveDate,
    cases: Option<crate::metrics::cases::CaseFacts>,
    steps: Option<Option<DataFrame>>,
    refusals: Option<Option<DataFrame>>,
    derived_cards: Option<std::sync::Arc<crate::metrics::cards::Derived>>,
}

impl Facts {
    /// These facts without the step facts: for a reader of current tables
    /// whose card history is carried ([`Run::card_history`] derives it
    /// from the step facts only when it is not), so that the largest
    /// facts of a city year are not held through its reports. A reader
    /// that asks for them after all finds them again.
    pub fn without_steps(mut self) -> Facts {
        self.steps = None;
        self
    }

    /// The card history the run derived, if it did ([`Run::derived_cards`]).
    pub fn derived_cards(&self) -> Option<&crate::metrics::cards::Derived> {
        self.derived_cards.as_deref()
    }
}

/// Where a run's time went: each family's own time (without the families
/// and facts it drew on), in the order they were computed.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(name, d)| format!("{name} {:.2} s", d.as_secs_f64()))
            .collect();
        f.write_str(&parts.join(" · "))
    }
}

/// Some grains and levels of the rolled-up tables (empty: all of them).
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub grains: Vec<crate::metrics::period::Grain>,
    pub levels: Vec<String>,
}

impl Scope {
    /// The grains in scope.
    pub fn grains(&self) -> Vec<crate::metrics::period::Grain> {
        match self.grains.is_empty() {
            true => crate::metrics::period::Grain::ALL.to_vec(),
            false => self.grains.clone(),
        }
    }

    /// The levels in scope.
    pub fn levels(&self) -> Vec<&str> {
        match self.levels.is_empty() {
            true => crate::metrics::rollup::every_level(),
            false => self.levels.iter().map(String::as_str).collect(),
        }
    }
}

impl<'a> Run<'a> {
    pub fn new(store: &'a Store, settings: &'a Settings, as_of: NaiveDate) -> Self {
        Run {
            store,
            settings,
            as_of,
            since: None,
            done: BTreeMap::new(),
            absent: BTreeSet::new(),
            trusted: BTreeSet::new(),
            loaded: BTreeMap::new(),
            step_facts: None,
            case_facts: None,
            card_history: None,
            keep_card_history: false,
            derived_cards: None,
            notices: None,
            complaints: None,
            refusals: None,
            scope: None,
            times: Timings::default(),
            nested: Duration::ZERO,
            writer: None,
            staged_files: None,
            released: BTreeMap::new(),
        }
    }

    /// A run that keeps the card history its notices were found from,
    /// for a [`Run::card_history`] after its families (`compute` saves
    /// it). Other runs let it go once the notices are found: a compute's
    /// later families, whose working memory is its peak, need not hold the
    /// history of every card beside their own (the cards derived from the
    /// facts are kept either way).
    pub fn keeping_card_history(mut self) -> Self {
        self.keep_card_history = true;
        self
    }

    /// A run of some grains and levels only (the case family honours it);
    /// its commit stamps the tables partial.
    pub fn scoped(mut self, scope: Scope) -> Self {
        self.scope = Some(scope);
        self
    }

    /// The grains and levels the run computes.
    pub fn scope(&self) -> Scope {
        self.scope.clone().unwrap_or_default()
    }

    /// A run that needs the figures of periods ending on or after `from`
    /// only (the nightly job): it reads the input rows dated from the start
    /// of the year before `from`, plus what each table's since rule adds
    /// (`engine::incremental`). Rows of periods ending before `from` that
    /// it computes are incomplete: [`Run::commit_nightly`] keeps the stored
    /// ones instead.
    pub fn since(mut self, from: NaiveDate) -> Self {
        self.since = incremental::read_from(from).map(incremental::Since::new);
        self
    }

    /// A run that takes these stored tables as they are instead of
    /// computing them (a read: they are current as of the run's date).
    pub fn trusting(mut self, tables: BTreeSet<&'static str>) -> Self {
        self.trusted = tables;
        self
    }

    /// The first day a nightly run reads (`None`: everything).
    pub fn since_date(&self) -> Option<NaiveDate> {
        self.since.as_ref().map(incremental::Since::date)
    }

    pub fn store(&self) -> &'a Store {
        self.store
    }

    pub fn settings(&self) -> &'a Settings {
        self.settings
    }

    /// A stored input table, restricted as [`Run::since`] says.
    pub fn read(&self, table: &str) -> Result<Option<DataFrame>> {
        self.read_columns(table, None)
    }

    /// Some columns (all: `None`) of a stored input table, restricted as
    /// [`Run::since`] says.
    pub fn read_columns(&self, table: &str, columns: Option<&[&str]>) -> Result<Option<DataFrame>> {
        match &self.since {
            Some(since) => incremental::read_since(self.store, table, columns, since),
            None => self.store.read_columns(table, columns),
        }
    }

    /// Whether the store has rows of an input table.
    pub fn has(&self, table: &str) -> Result<bool> {
        Ok(!self.store.files(table)?.is_empty())
    }

    /// A stored input table that must exist.
    pub fn need(&self, table: &str) -> Result<DataFrame> {
        self.need_of(table, None)
    }

    /// Some columns (all: `None`) of a stored input table that must exist.
    pub fn need_of(&self, table: &str, columns: Option<&[&str]>) -> Result<DataFrame> {
        self.read_columns(table, columns)?
            .with_context(|| format!("the store has no {table} yet: ingest them first"))
    }

    /// A metric table as of the run's date: computed once by its family
    /// (or, in a read, the stored one when it is current); `None` when the
    /// family found none of its data.
    pub fn table(&mut self, name: &str) -> Result<Option<DataFrame>> {
        let name = self.computed_table(name)?;
        if let Some(df) = self.done.get(name).or(self.loaded.get(name)) {
            return Ok(Some(df.clone()));
        }
        if self.released.contains_key(name) {
            return self.read_back(name).map(Some);
        }
        Ok(None)
    }

    /// The rows of some levels of a metric table, its key columns and
    /// `figures` only ([`crate::metrics::schema::level_rows`]), as
    /// [`Run::table`] finds it: a table handed to the writer is read back
    /// with the filter and the columns in the scan, not read whole to be
    /// cut (the case metrics of a city year are read back by four
    /// families, each wanting a level or two of its thirty columns).
    pub fn level_rows(
        &mut self,
        name: &str,
        levels: &[&str],
        figures: &[&str],
    ) -> Result<Option<DataFrame>> {
        let name = self.computed_table(name)?;
        let cut = |df: LazyFrame| -> Result<DataFrame> {
            Ok(crate::metrics::schema::level_rows(df, levels, figures).collect()?)
        };
        if let Some(df) = self.done.get(name).or(self.loaded.get(name)) {
            return cut(df.clone().lazy()).map(Some);
        }
        if self.released.contains_key(name) {
            let file = [self.staged_file(name)?];
            let scan = crate::store::scan_files(&file, &file)?
                .with_context(|| format!("the staged file of {name} is missing"))?;
            return cut(scan).map(Some);
        }
        Ok(None)
    }

    /// [`Run::level_rows`] of a table its family always computes.
    pub fn need_level_rows(
        &mut self,
        name: &str,
        levels: &[&str],
        figures: &[&str],
    ) -> Result<DataFrame> {
        self.level_rows(name, levels, figures)?
            .with_context(|| absent(name))
    }

    /// `name` (a metric table) once its family has run.
    fn computed_table(&mut self, name: &str) -> Result<&'static str> {
        let family = family_of(name).with_context(|| format!("{name} is not a metric table"))?;
        let name = *family.outputs.iter().find(|o| **o == name).expect("found");
        self.compute_family(family, name)?;
        Ok(name)
    }

    /// The tables of `family`, unless the run has `name` (one of them)
    /// already: computed (kept, or handed to the writer), or in a read the
    /// stored `name` when it is current.
    fn compute_family(&mut self, family: &'static MetricFamily, name: &'static str) -> Result<()> {
        if self.done.contains_key(name)
            || self.loaded.contains_key(name)
            || self.released.contains_key(name)
            || self.absent.contains(name)
        {
            return Ok(());
        }
        if self.trusted.contains(name) {
            if let Some(df) = self.store.read(name)? {
                self.loaded.insert(name, df);
                return Ok(());
            }
        }
        match self.timed(family.name, |run| (family.compute)(run))? {
            Some(frames) => {
                anyhow::ensure!(
                    frames.len() == family.outputs.len(),
                    "family {} computed {} tables for {} outputs",
                    family.name,
                    frames.len(),
                    family.outputs.len()
                );
                for (out, df) in family.outputs.iter().zip(frames) {
                    match &self.writer {
                        Some(writer) => {
                            // A writer that stopped reports why when joined.
                            let _ = writer.send((out, df));
                            self.released.insert(out, None);
                        }
                        None => {
                            self.done.insert(out, df);
                        }
                    }
                }
            }
            None => self.absent.extend(family.outputs.iter().copied()),
        }
        Ok(())
    }

    /// A table handed to the writer, read back from its staged file once
    /// the writer has written it.
    fn read_back(&mut self, name: &'static str) -> Result<DataFrame> {
        let file = self.staged_file(name)?;
        crate::store::read_files(&[file], None)?
            .with_context(|| format!("the staged file of {name} is empty"))
    }

    /// The staged file of a table handed to the writer, once written.
    fn staged_file(&mut self, name: &'static str) -> Result<PathBuf> {
        while self.released.get(name).is_some_and(Option::is_none) {
            let reported = self.staged_files.as_ref().and_then(|r| r.recv().ok());
            let (table, file) = reported
                .with_context(|| format!("{name} was not written: the commit's writer stopped"))?;
            self.released.insert(table, Some(file));
        }
        Ok(self.released[name].clone().expect("reported above"))
    }

    /// A metric table that its family always computes (or whose absence
    /// is an error worth its message).
    pub fn need_table(&mut self, name: &str) -> Result<DataFrame> {
        self.table(name)?.with_context(|| absent(name))
    }

    /// Whether a read takes this stored table as it is.
    pub fn trusts(&self, name: &str) -> bool {
        self.trusted.contains(name)
    }

    /// The tables this run computed (not those a read took as stored).
    pub fn computed(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = self.done.keys().copied().collect();
        out.extend(self.released.keys());
        out.sort_unstable();
        out
    }

    /// Every case measured as of the run's date (computed once).
    pub fn case_facts(&mut self) -> Result<crate::metrics::cases::CaseFacts> {
        if let Some(f) = &self.case_facts {
            return Ok(f.clone());
        }
        let facts = self.timed("case facts", |run| {
            let tables = load_case_tables(&|t, c| run.read_columns(t, c))?;
            crate::metrics::cases::case_facts(&tables, &run.settings.calendar, run.as_of)
        })?;
        self.case_facts = Some(facts.clone());
        Ok(facts)
    }

    /// Every step measured (`None` without step data).
    pub fn step_facts(&mut self) -> Result<Option<DataFrame>> {
        if let Some(f) = &self.step_facts {
            return Ok(f.clone());
        }
        let facts = self.timed("step facts", |run| {
            Ok(match run.read("case_steps")? {
                Some(steps) => {
                    let case = run.case_facts()?;
                    let item_steps = run.read("item_steps")?;
                    Some(crate::metrics::steps::step_facts(
                        &steps,
                        item_steps.as_ref(),
                        &case,
                        &run.settings.calendar,
                        run.as_of,
                    )?)
                }
                None => None,
            })
        })?;
        self.step_facts = Some(facts.clone());
        Ok(facts)
    }

    /// The card history through the run's date, from its facts and the
    /// stored cards ([`super::cards::merge_stored`]; found once).
    pub fn card_history(
        &mut self,
    ) -> Result<std::sync::Arc<Vec<crate::metrics::cards::CardRecord>>> {
        if let Some(h) = &self.card_history {
            return Ok(h.clone());
        }
        let history = self.merged_card_history()?;
        self.card_history = Some(history.clone());
        Ok(history)
    }

    /// [`Run::card_history`], kept only when found before or when the run
    /// keeps it ([`Run::keeping_card_history`]).
    fn card_history_once(
        &mut self,
    ) -> Result<std::sync::Arc<Vec<crate::metrics::cards::CardRecord>>> {
        match &self.card_history {
            Some(h) => Ok(h.clone()),
            None if self.keep_card_history => self.card_history(),
            None => self.merged_card_history(),
        }
    }

    /// The derived card history (found once) merged with the stored one.
    fn merged_card_history(
        &mut self,
    ) -> Result<std::sync::Arc<Vec<crate::metrics::cards::CardRecord>>> {
        let facts = self.case_facts()?;
        // Carried derived cards need no step facts: a reader handed the
        // facts without them (the demo's bulletin) does not find them again.
        let (step_facts, what) = match self.derived_cards {
            Some(_) => (None, "cards merged"),
            None => (self.step_facts()?, "cards"),
        };
        let history = self.timed(what, |run| {
            let derived = match &run.derived_cards {
                Some(d) => d.clone(),
                None => std::sync::Arc::new(crate::metrics::cards::derive_history(
                    &facts,
                    step_facts.as_ref(),
                    &run.settings.calendar,
                    &run.settings.cards,
                    run.as_of,
                )?),
            };
            run.derived_cards = Some(derived.clone());
            super::cards::merge_stored(run.store, derived.records.clone(), &facts)
                .map(std::sync::Arc::new)
        })?;
        Ok(history)
    }

    /// The card history this run derived from its facts through its date
    /// ([`Run::card_history`]), if it did: a card run of the same date
    /// starts from the days before it ([`super::cards::cards_of`]).
    pub fn derived_cards(&self) -> Option<std::sync::Arc<crate::metrics::cards::Derived>> {
        self.derived_cards.clone()
    }

    /// The 督办 notices as of the run's date: the red cards of
    /// [`Run::card_history`] followed with the stored replies (found once).
    pub fn notices(&mut self) -> Result<Vec<crate::metrics::supervision::Notice>> {
        if let Some(n) = &self.notices {
            return Ok(n.clone());
        }
        let history = self.card_history_once()?;
        let notices = self.timed("notices", |run| {
            let replies = match run.read("replies")? {
                Some(r) => crate::metrics::supervision::replies_of(&r)?,
                None => Vec::new(),
            };
            crate::metrics::supervision::notices(
                &history,
                &replies,
                &run.settings.calendar,
                &run.settings.supervision,
                run.as_of,
            )
        })?;
        self.notices = Some(notices.clone());
        Ok(notices)
    }

    /// The stored complaints as of the run's date, with their deadlines
    /// (found once; none without a `complaints` table).
    pub fn complaints(&mut self) -> Result<Vec<crate::metrics::complaints::Complaint>> {
        if let Some(c) = &self.complaints {
            return Ok(c.clone());
        }
        let complaints = match self.read("complaints")? {
            Some(df) => crate::metrics::complaints::complaints_of(
                &df,
                &self.settings.calendar,
                &self.settings.complaints,
                self.as_of,
            )?,
            None => Vec::new(),
        };
        self.complaints = Some(complaints.clone());
        Ok(complaints)
    }

    /// Every case's special services and refusal as of the run's date
    /// ([`crate::metrics::services::service_facts`]; `None` without
    /// cases). Not kept, but their refusals ([`Run::refusals_between`]):
    /// the services family asks once, and the facts of two million cases
    /// (six text columns) held to the end of a city `compute` sat under
    /// the step facts, the cards and the last families' working memory,
    /// where it peaks.
    pub fn service_facts(&mut self) -> Result<Option<DataFrame>> {
        let facts = self.timed("service facts", |run| {
            let columns = crate::metrics::services::SERVICE_COLUMNS;
            let Some(cases) = run.read_columns("cases", Some(&columns))? else {
                return Ok(None);
            };
            let s = run.settings;
            Ok(Some(crate::metrics::services::service_facts(
                &cases,
                &run.need("windows")?,
                &s.services,
                &s.attendance,
                &s.calendar,
                run.as_of,
            )?))
        })?;
        let refusals = facts.as_ref().map(crate::metrics::services::refusals);
        self.refusals = Some(refusals.transpose()?);
        Ok(facts)
    }

    /// The refusals known in `from..=to`
    /// ([`crate::metrics::services::refusals_between`]; `None` without
    /// cases), from those kept when the service facts were found, else
    /// found with them.
    pub fn refusals_between(
        &mut self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Option<DataFrame>> {
        if self.refusals.is_none() {
            self.service_facts()?;
        }
        let kept = self.refusals.as_ref().and_then(Option::as_ref);
        kept.map(|r| crate::metrics::services::refusals_between(r, from, to))
            .transpose()
    }

    /// The incidents as the three zeros and the scores read them: the
    /// stored incidents but those repeating a complaint, and the
    /// complaints with a result ([`crate::metrics::complaints::with_incidents`]).
    pub fn incidents_with_complaints(&mut self) -> Result<Option<DataFrame>> {
        let complaints = self.complaints()?;
        let incidents = self.read("incidents")?;
        let source = self
            .settings
            .incidents
            .complaint_sources
            .first()
            .cloned()
            .unwrap_or_else(|| "投诉".to_string());
        crate::metrics::complaints::with_incidents(
            incidents.as_ref(),
            &complaints,
            &self.settings.complaints,
            &source,
        )
    }

    /// `f`, its own time (less what it spent in nested timed work) added
    /// to the run's timings under `name`.
    fn timed<T>(
        &mut self,
        name: &'static str,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let outer = std::mem::take(&mut self.nested);
        let start = Instant::now();
        let out = f(self);
        let total = start.elapsed();
        self.times.0.push((name, total.saturating_sub(self.nested)));
        self.nested = outer + total;
        out
    }

    /// Where the run's time went so far.
    pub fn timings(&self) -> &Timings {
        &self.times
    }

    /// The facts found so far, for [`Run::with_facts`] (`None` when the run
    /// read part of the rows).
    pub fn facts(&self) -> Option<Facts> {
        self.since.is_none().then(|| Facts {
            as_of: self.as_of,
            cases: self.case_facts.clone(),
            steps: self.step_facts.clone(),
            refusals: self.refusals.clone(),
            derived_cards: self.derived_cards.clone(),
        })
    }

    /// This run with the facts another full run of the same date found
    /// (facts of another date are left).
    pub fn with_facts(mut self, facts: Facts) -> Self {
        if facts.as_of == self.as_of && self.since.is_none() {
            self.case_facts = self.case_facts.or(facts.cases);
            self.step_facts = self.step_facts.or(facts.steps);
            self.refusals = self.refusals.or(facts.refusals);
            self.derived_cards = self.derived_cards.or(facts.derived_cards);
        }
        self
    }

    /// This run with the card history through its date that the card run
    /// of the same date brought up ([`super::cards::cards_of`]: the days
    /// before judged as a run would have judged them, merged with the
    /// stored cards, then the date itself): the 督办 notices follow it
    /// instead of deriving it again from every case.
    pub fn with_card_history(
        mut self,
        history: std::sync::Arc<Vec<crate::metrics::cards::CardRecord>>,
    ) -> Self {
        self.card_history = Some(history);
        self
    }

    /// Every metric table, family by family (none read back from the
    /// writer's files unless a later family draws on it).
    pub fn everything(&mut self) -> Result<()> {
        self.families(FAMILIES.iter())
    }

    /// The tables of these families, computed as in [`Run::everything`]
    /// (for `compute --only`: the table is not read back to be dropped).
    pub fn families(
        &mut self,
        families: impl IntoIterator<Item = &'static MetricFamily>,
    ) -> Result<()> {
        for f in families {
            self.compute_family(f, f.outputs[0])?;
        }
        Ok(())
    }

    /// `work` (the tables it asks for), then every table this run computed
    /// in one commit, stamped as of the run's date: each table is written
    /// to the commit's staging on a second thread as soon as its family is
    /// done, while the next family computes, so the commit itself only
    /// moves files. The run does not keep the tables it hands over: a
    /// family that draws on one later reads it back from its staged file
    /// (a tenth of a second for the largest of a city year), so a run holds
    /// the tables it works on, not every table it computed (1.2 GB of a
    /// city year). The tables are now as of this date, not the nightly
    /// job's: its next run recomputes everything. Returns what `work`
    /// returned.
    pub fn commit_with<T>(self, work: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.commit_staged(Committer::Compute, work)
    }

    /// As [`Run::commit_with`], for the nightly job: with `from`, each
    /// table is merged with its stored rows of the periods (or days)
    /// ending before `from` as it is written ([`incremental::merge_from`];
    /// a family that draws on it later reads the merged table), and the
    /// nightly job's state is left for it to save.
    pub fn commit_nightly<T>(
        self,
        from: Option<NaiveDate>,
        work: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        self.commit_staged(Committer::Nightly(from), work)
    }

    /// [`Run::commit_with`] or [`Run::commit_nightly`], as `by` says.
    fn commit_staged<T>(
        mut self,
        by: Committer,
        work: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let txn = self.store.begin()?;
        let root = self.store.root().to_path_buf();
        let from = match by {
            Committer::Compute => None,
            Committer::Nightly(from) => from,
        };
        let store = self.store;
        let (out, written) = std::thread::scope(|scope| {
            let (send, receive) = std::sync::mpsc::channel::<(&'static str, DataFrame)>();
            let (report, reported) = std::sync::mpsc::channel();
            let txn = &txn;
            let writer = scope.spawn(move || -> Result<Vec<(&'static str, Written)>> {
                let mut written = Vec::new();
                for (name, df) in receive {
                    let mut df = match from {
                        Some(from) => merged(store, name, df, from)?,
                        None => df,
                    };
                    let file = txn.write(name, None, &mut df)?;
                    // Once the run has ended nobody reads it back.
                    let _ = report.send((name, root.join(file.staged())));
                    written.push((name, file));
                }
                Ok(written)
            });
            self.writer = Some(send);
            self.staged_files = Some(reported);
            let out = work(&mut self);
            // The writer ends once the last table is sent.
            self.writer = None;
            (out, writer.join().expect("the writing thread panicked"))
        });
        let (out, written) = (out?, written?);
        if by == Committer::Compute {
            incremental::forget(self.store)?;
        }
        self.commit_into(txn, written, from)?;
        Ok(out)
    }

    /// Commit every table this run computed in `txn`, replacing the stored
    /// ones, with their stamps: the files already `written` to its staging
    /// as they are, the other tables staged now (with `from`, merged with
    /// the stored rows before it).
    fn commit_into(
        self,
        mut txn: Transaction,
        written: Vec<(&'static str, Written)>,
        from: Option<NaiveDate>,
    ) -> Result<()> {
        let mut stamp = Stamp::now(self.store, self.settings, self.as_of)?;
        stamp.partial = self.scope.is_some();
        let names = self.computed();
        for name in &names {
            for f in self.store.files(name)? {
                txn.remove(&f);
            }
        }
        let sent: BTreeSet<&str> = written.iter().map(|(name, _)| *name).collect();
        for (_, file) in written {
            txn.adopt(file);
        }
        let mut tables = Vec::new();
        for (name, df) in self.done {
            if sent.contains(name) {
                continue;
            }
            let df = match from {
                Some(from) => merged(self.store, name, df, from)?,
                None => df,
            };
            tables.push((name, None, df));
        }
        txn.add_all(tables)?;
        stamp::stage(&mut txn, &names, &stamp)?;
        txn.commit()
    }
}
