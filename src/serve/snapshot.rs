//! One snapshot of the store's figures as of one date: everything the
//! pages show, read through one [`Reading`] (the stored metric tables when
//! current, else computed in memory, as `metrics`, `cards` and `rank` do)
//! with the store open read-only, then held in memory with the store
//! closed.

use super::Options;
use crate::config::Settings;
use crate::engine::{as_of, cards, names, open_store_read, AsOf, Reading};
use crate::metrics::cards::CardRecord;
use crate::metrics::period::{period_of, Grain, Period};
use crate::metrics::schema::*;
use anyhow::{Context, Result};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

/// The control files whose times change with every commit: the store's
/// folder (the journal is created and removed in it), its lock file (a
/// writer names itself in it, then empties it), the stamps and the
/// nightly state; the same under `_centers/<C>` for one center.
pub fn store_state(root: &Path) -> Vec<Option<SystemTime>> {
    let mut paths = vec![root.to_path_buf()];
    for f in [".lock", "_metrics.json", "_nightly.json"] {
        paths.push(root.join(f));
    }
    if let Ok(centers) = std::fs::read_dir(root.join("_centers")) {
        let mut dirs: Vec<_> = centers.flatten().map(|e| e.path()).collect();
        dirs.sort();
        for d in dirs {
            paths.push(d.join(".lock"));
            paths.push(d.clone());
        }
    }
    paths
        .iter()
        .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .collect()
}

/// A window's, staff member's or item's name and what it belongs to.
#[derive(Debug, Clone, Default)]
pub struct Named {
    pub name: Option<String>,
    /// A window's department; a staff member's window.
    pub of: Option<String>,
}

/// See the module documentation.
pub struct Snapshot {
    pub as_of: AsOf,
    /// The store's control files when the load began.
    pub state: Vec<Option<SystemTime>>,
    pub center: String,
    /// When it was loaded (local time) and how long it took.
    pub loaded_at: String,
    pub load_seconds: f64,
    /// The tables computed in memory and why (`Reading::note`).
    pub note: Option<String>,
    /// The tables that could not be read, and why (their parts are left
    /// out of the pages).
    pub problems: Vec<String>,
    pub targets: crate::metrics::compare::Targets,
    pub calendar: crate::calendar::Calendar,
    pub case_metrics: DataFrame,
    pub rating_metrics: Option<DataFrame>,
    pub queue_metrics: Option<DataFrame>,
    pub window_scores: Option<DataFrame>,
    pub staff_scores: Option<DataFrame>,
    pub score_events: Option<DataFrame>,
    pub assessment_scores: Option<DataFrame>,
    pub assessment_points: Option<DataFrame>,
    pub scoring: crate::metrics::scoring::ScoringRules,
    /// The cards due at the end of the as-of date, with the date each was
    /// raised (as `cards` lists them).
    pub cards_due: Vec<CardRecord>,
    /// The card history through the as-of date.
    pub history: Vec<CardRecord>,
    /// Bad ratings open past their rectification limit.
    pub alerts: usize,
    /// Case facts as of the date (`metrics::cases::case_facts`).
    pub facts: DataFrame,
    /// Suspensions, steps and ratings as stored (the case page).
    pub suspensions: Option<DataFrame>,
    pub steps: Option<DataFrame>,
    pub ratings: Option<DataFrame>,
    pub windows: BTreeMap<String, Named>,
    pub staff: BTreeMap<String, Named>,
    pub items: BTreeMap<String, Named>,
}

impl Snapshot {
    /// Load the figures as of `options.as_of` (or the store's date).
    pub fn load(settings: &Settings, options: &Options) -> Result<Snapshot> {
        let start = std::time::Instant::now();
        let state = store_state(&settings.store);
        let store = open_store_read(settings)?;
        let as_of = as_of::resolve(&store, options.as_of)?;
        let date = as_of.date;
        let mut reading = Reading::new(&store, settings, as_of.clone())?;
        let case_metrics = reading.need_table(CASE_METRICS)?;
        // The other tables are each a part of some pages: one that cannot
        // be read (a store written by an older version) leaves its part
        // out, said on every page, instead of taking the board down.
        let mut problems = Vec::new();
        let mut optional = |name: &str| match reading.table(name) {
            Ok(t) => t,
            Err(e) => {
                problems.push(format!("{name}: {e:#}"));
                None
            }
        };
        let rating_metrics = optional(RATING_METRICS);
        let queue_metrics = optional(QUEUE_METRICS);
        let window_scores = optional(WINDOW_SCORES);
        let staff_scores = optional(STAFF_SCORES);
        let score_events = optional(SCORE_EVENTS);
        let assessment_scores = optional(ASSESSMENT_SCORES);
        let assessment_points = optional(ASSESSMENT_POINTS);
        let card_run = cards::run_cards(reading.run())?;
        let cards_due = crate::metrics::cards::due_records(&card_run.due, &card_run.history, date);
        let facts = reading.run().case_facts()?.cases;
        let alerts = cards::bad_rating_alerts(&store, settings, date)?.len();
        let note = reading.note();
        let windows = named(&store, "window_id", "windows", "window_name", "department")?;
        let staff = named(&store, "staff_id", "staff", "staff_name", "window_id")?;
        let items = named(&store, "item_code", "items", "item_name", "department")?;
        let suspensions = store.read_columns(
            "suspensions",
            Some(&["case_id", "kind", "start", "end", "reason"]),
        )?;
        let steps = store.read_columns("case_steps", Some(&STEP_COLUMNS))?;
        let ratings = store.read_columns(
            "ratings",
            Some(&[
                "case_id",
                "rating_id",
                "rated_at",
                "level",
                "channel",
                "comment",
                "rectified_at",
            ]),
        )?;
        drop(reading);
        drop(store);
        Ok(Snapshot {
            as_of,
            state,
            center: options.center.clone(),
            loaded_at: chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string(),
            load_seconds: start.elapsed().as_secs_f64(),
            note,
            problems,
            targets: settings.targets.clone(),
            calendar: settings.calendar.clone(),
            case_metrics,
            rating_metrics,
            queue_metrics,
            window_scores,
            staff_scores,
            score_events,
            assessment_scores,
            assessment_points,
            scoring: settings.scoring.clone(),
            cards_due,
            history: card_run.history,
            alerts,
            facts,
            suspensions,
            steps,
            ratings,
            windows,
            staff,
            items,
        })
    }

    /// The period of `grain` holding the as-of date.
    pub fn period(&self, grain: Grain) -> Period {
        period_of(grain, self.as_of.date)
    }

    /// `code 名称` of a window.
    pub fn window_label(&self, id: &str) -> String {
        label(id, self.windows.get(id))
    }

    /// `工号 姓名` of a staff member.
    pub fn staff_label(&self, id: &str) -> String {
        label(id, self.staff.get(id))
    }

    /// An item's name, or its code.
    pub fn item_label(&self, code: &str) -> String {
        label(code, self.items.get(code))
    }

    /// The windows ranked in the latest period of `grain` with a ranking
    /// (the one holding the as-of date, else the one before).
    pub fn latest_ranked(&self, grain: Grain) -> Result<Option<Period>> {
        let Some(scores) = &self.window_scores else {
            return Ok(None);
        };
        let mut p = self.period(grain);
        for _ in 0..2 {
            let rows = scores.clone().lazy().filter(p.holds_row()).collect()?;
            if rows.height() > 0 {
                return Ok(Some(p));
            }
            p = crate::metrics::period::previous(&p);
        }
        Ok(None)
    }
}

fn label(code: &str, named: Option<&Named>) -> String {
    match named.and_then(|n| n.name.as_deref()) {
        Some(name) => format!("{code} {name}"),
        None => code.to_string(),
    }
}

/// Every code of `table` with its name (`engine::names::with_names`: the
/// latest version) and what it belongs to.
/// The columns of `case_steps` the case page lists (after `case_id`).
pub const STEP_COLUMNS: [&str; 7] = [
    "case_id",
    "seq",
    "step",
    "staff_id",
    "started_at",
    "finished_at",
    "limit_days",
];

fn named(
    store: &crate::store::Store,
    code: &str,
    table: &str,
    name: &str,
    of: &str,
) -> Result<BTreeMap<String, Named>> {
    let Some(rows) = store.read(table)? else {
        return Ok(BTreeMap::new());
    };
    // The latest version of each (staff and items are versioned by date).
    let mut by = vec![col(code)];
    for since in ["valid_from", "effective_from"] {
        if rows.column(since).is_ok() {
            by.push(col(since));
        }
    }
    let latest = rows
        .lazy()
        .sort_by_exprs(by, SortMultipleOptions::default())
        .group_by_stable([col(code)])
        .agg([col(of).last()])
        .sort([code], SortMultipleOptions::default())
        .collect()?;
    let latest =
        names::with_names(store, latest).with_context(|| format!("cannot name the {table}"))?;
    let codes = crate::polars_ext::opt_strings(&latest, code)?;
    let names = crate::polars_ext::opt_strings(&latest, name)?;
    let ofs = crate::polars_ext::opt_strings(&latest, of)?;
    Ok(codes
        .into_iter()
        .zip(names.into_iter().zip(ofs))
        .filter_map(|(c, (name, of))| Some((c?, Named { name, of })))
        .collect())
}
