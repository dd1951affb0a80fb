//! Red and yellow cards: the cards due on a date and the history brought
//! up to it, computed from the store; [`save`] (the nightly job, `cards
//! --record`) is the only write. The bad-rating alerts shown beside them.

use crate::calendar::Calendar;
use crate::metrics::schema::CARDS;
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::BTreeMap;

/// The cards of a run date, and the history brought up to it.
pub struct CardRun {
    pub due: Vec<crate::metrics::cards::Card>,
    pub history: Vec<crate::metrics::cards::CardRecord>,
    pub changes: crate::metrics::cards::CardChanges,
}

/// The cards of a run's date from its case and step facts, and the
/// stored history brought up to it (not persisted: [`save`] does).
pub fn run_cards(run: &mut super::Run) -> Result<CardRun> {
    let (facts, step_facts) = (run.case_facts()?, run.step_facts()?);
    let s = run.settings();
    cards_of(
        run.store(),
        &s.calendar,
        run.as_of,
        &s.cards,
        &facts,
        step_facts.as_ref(),
        run.derived_cards().as_deref(),
    )
}

/// A card history derived from `facts` ([`crate::metrics::cards::derive_history`])
/// merged with the stored one ([`crate::metrics::cards::merge_history`]).
pub fn merge_stored(
    store: &Store,
    derived: Vec<crate::metrics::cards::CardRecord>,
    facts: &crate::metrics::cases::CaseFacts,
) -> Result<Vec<crate::metrics::cards::CardRecord>> {
    use crate::metrics::cards::{history_rows, merge_history};
    let Some(stored) = store.read(CARDS)? else {
        return Ok(merge_history(Vec::new(), derived, &PlHashSet::default()));
    };
    // Histories written before cards were found from the facts hold only
    // what runs recorded.
    let recorded: Vec<bool> = match stored.column("recorded") {
        Ok(_) => crate::polars_ext::bools_or(&stored, "recorded", true)?,
        Err(_) => vec![true; stored.height()],
    };
    let stored_ids = stored.column("case_id")?.cast(&DataType::String)?;
    let stored_ids = stored_ids.str()?;
    let ids = facts.cases.column("case_id")?.str()?;
    // Only the stored cards no run recorded ask whether the facts hold
    // their case: the facts' cases looked up among those (a set of the
    // cases asked about, not of every case), on every core.
    let asked: PlHashSet<&str> = stored_ids
        .iter()
        .zip(&recorded)
        .filter(|(_, recorded)| !**recorded)
        .filter_map(|(id, _)| id)
        .collect();
    let held: Vec<usize> = match asked.is_empty() {
        true => Vec::new(),
        false => {
            let runs = crate::parallel::row_runs(ids.len(), 16);
            crate::parallel::parallel_map(&runs, |run| {
                let these = ids.slice(run.start as i64, run.len());
                let found = these.iter().enumerate();
                found
                    .filter(|(_, id)| id.is_some_and(|id| asked.contains(id)))
                    .map(|(i, _)| run.start + i)
                    .collect::<Vec<_>>()
            })
            .concat()
        }
    };
    drop(asked);
    let covered: PlHashSet<&str> = held.into_iter().filter_map(|i| ids.get(i)).collect();
    // The stored rows the merge keeps (recorded, or of a case the facts do
    // not hold) made into records; the others, found from the facts again
    // (a compute's whole history but the recorded cards), are not.
    let keep: BooleanChunked = stored_ids
        .iter()
        .zip(&recorded)
        .map(|(id, recorded)| *recorded || !id.is_some_and(|id| covered.contains(id)))
        .collect();
    let stored = match keep.all() {
        true => history_rows(&stored)?,
        false => history_rows(&stored.filter(&keep)?)?,
    };
    Ok(merge_history(stored, derived, &covered))
}

/// The cards of `as_of` from case and step facts computed as of it, and
/// the history brought up to it: the days before from the facts (every
/// day judged as a run would have judged it, [`merge_stored`] with the
/// cards the runs recorded), then `as_of` judged as a run (not persisted:
/// [`save`] does; the cards it raises are the run's own). `derived`, the
/// history a run of the same facts derived through `as_of`
/// ([`Run::derived_cards`](super::Run::derived_cards)), holds the days
/// before: they are not derived again.
pub fn cards_of(
    store: &Store,
    cal: &Calendar,
    as_of: NaiveDate,
    rules: &crate::metrics::cards::CardRules,
    facts: &crate::metrics::cases::CaseFacts,
    step_facts: Option<&DataFrame>,
    derived: Option<&crate::metrics::cards::Derived>,
) -> Result<CardRun> {
    use crate::metrics::cards::{cards_due, update_history};
    let mut due = cards_due(facts, cal, as_of, rules)?;
    // Step cards, on the handlers, cleared when the step finishes.
    if let Some(sf) = step_facts {
        due.extend(crate::metrics::steps::step_cards_due(
            sf, cal, as_of, rules,
        )?);
    }
    let before = match as_of.pred_opt() {
        Some(day) => {
            let derived = match derived.filter(|d| d.through == as_of) {
                Some(d) => d.day_before(),
                None => {
                    crate::metrics::cards::derive_history(facts, step_facts, cal, rules, day)?
                        .records
                }
            };
            merge_stored(store, derived, facts)?
        }
        None => Vec::new(),
    };
    // Only the cases with a card open (recorded or due now) can have one
    // cleared: their completion dates and the finish dates of their steps
    // are all the history needs.
    let carded: PlHashSet<&str> = before
        .iter()
        .filter(|r| r.cleared_on.is_none())
        .map(|r| r.case_id.as_str())
        .chain(due.iter().map(|c| c.case_id.as_str()))
        .collect();
    // Read from the store: the rows of those cases only (a scan with the
    // filter, not every step of every case in memory at once).
    let carded_ids = Series::new(
        "carded".into(),
        carded.iter().copied().collect::<Vec<&str>>(),
    );
    let of_carded = |table: &str, columns: &[&str]| -> Result<Option<DataFrame>> {
        let Some(scan) = store.scan(table)? else {
            return Ok(None);
        };
        Ok(Some(
            scan.select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
                .filter(col("case_id").is_in(lit(carded_ids.clone()).implode(false), false))
                .collect()?,
        ))
    };
    let mut completed: BTreeMap<String, NaiveDate> = BTreeMap::new();
    if let Some(steps) = of_carded("case_steps", &["case_id", "seq", "step", "finished_at"])? {
        let (ids, seq, names) = (
            steps.column("case_id")?.str()?,
            steps.column("seq")?.i64()?,
            steps.column("step")?.str()?,
        );
        let fin =
            crate::polars_ext::dates_of(&steps.column("finished_at")?.cast(&DataType::Date)?)?;
        for (((id, n), name), f) in ids.iter().zip(seq.iter()).zip(names.iter()).zip(fin) {
            if let (Some(id), Some(n), Some(name), Some(f)) = (id, n, name, f) {
                let step = format!("{n} {name}");
                completed.insert(crate::metrics::cards::subject(id, Some(&step)), f);
            }
        }
    }
    let done =
        of_carded("cases", &["case_id", "completed_at"])?.context("the store has no cases yet")?;
    let ids = done.column("case_id")?.str()?;
    let dates = crate::polars_ext::dates_of(&done.column("completed_at")?.cast(&DataType::Date)?)?;
    for (id, d) in ids.iter().zip(dates) {
        if let (Some(id), Some(d)) = (id, d) {
            completed.insert(id.to_string(), d);
        }
    }
    drop(carded_ids);
    drop(carded);
    let (history, changes) = update_history(before, &due, &completed, as_of);
    Ok(CardRun {
        due,
        history,
        changes,
    })
}

/// Persist a card run's history (one commit).
pub fn save(store: &Store, run: &CardRun) -> Result<()> {
    save_history(store, &run.history)
}

/// Persist a card history (one commit).
pub fn save_history(store: &Store, history: &[crate::metrics::cards::CardRecord]) -> Result<()> {
    let mut frame = crate::metrics::cards::history_frame(history)?;
    let mut txn = store.begin()?;
    store.replace(&mut txn, CARDS, &mut frame)?;
    txn.commit()
}

/// Bad ratings open past their rectification limit at the end of `as_of`.
pub fn bad_rating_alerts(
    store: &Store,
    settings: &crate::config::Settings,
    as_of: NaiveDate,
) -> Result<Vec<crate::metrics::ratings::BadRatingAlert>> {
    alerts_of(store.read("ratings")?, settings, as_of)
}

/// [`bad_rating_alerts`] of the stored ratings read already (`None`: the
/// store has none).
pub fn alerts_of(
    ratings: Option<polars::prelude::DataFrame>,
    settings: &crate::config::Settings,
    as_of: NaiveDate,
) -> Result<Vec<crate::metrics::ratings::BadRatingAlert>> {
    match ratings {
        Some(r) => crate::metrics::ratings::bad_rating_alerts(
            &crate::metrics::rating_loop::kept(r)?,
            &settings.calendar,
            &settings.ratings,
            as_of,
        ),
        None => Ok(Vec::new()),
    }
}
