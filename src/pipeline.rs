//! The pipeline's I/O edge: load the stored tables a metric family needs,
//! run the pure metric code, persist the result. The metric modules never
//! touch the store; the commands never compute.

use crate::calendar::Calendar;
use crate::metrics::cases::{case_metrics, CaseTables};
use crate::store::Store;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;

/// Name of the persisted case metrics dataset.
pub const CASE_METRICS: &str = "case_metrics";

/// Load the tables of the case engine.
pub fn case_tables(store: &Store) -> Result<CaseTables> {
    let need = |t: &str| -> Result<DataFrame> {
        store
            .read(t)?
            .with_context(|| format!("the store has no {t} yet: ingest the {t} exports first"))
    };
    Ok(CaseTables {
        cases: need("cases")?,
        items: need("items")?,
        windows: need("windows")?,
        suspensions: store.read("suspensions")?,
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

/// Compute `case_metrics` as of `as_of` and persist it (replacing the
/// previous computation).
pub fn compute_case_metrics(
    store: &Store,
    cal: &Calendar,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let tables = case_tables(store)?;
    let as_of = match as_of {
        Some(d) => d,
        None => default_as_of(&tables)?,
    };
    let mut metrics = case_metrics(&tables, cal, as_of)?;
    let mut txn = store.begin()?;
    store.replace(&mut txn, CASE_METRICS, &mut metrics)?;
    txn.commit()?;
    Ok((metrics, as_of))
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
    use crate::metrics::cards::{cards_due, history_frame, history_rows, update_history};
    let tables = case_tables(store)?;
    let facts = crate::metrics::cases::case_facts(&tables, cal, as_of)?;
    let due = cards_due(&facts, cal, as_of, rules)?;
    // Completion dates of every case (not only up to as_of: the history
    // clears a card on the completion date once the run reaches it).
    let done = tables
        .cases
        .clone()
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
    Ok(crate::metrics::attendance::AttendanceTables {
        staff: store
            .read("staff")?
            .context("the store has no staff roster yet: ingest it first")?,
        windows: store
            .read("windows")?
            .context("the store has no windows yet: ingest them first")?,
        punches: store.read("punches")?,
        leaves: store.read("leaves")?,
        departures: store.read("departures")?,
    })
}

/// Compute `attendance_days` and `attendance_metrics` from the first punch
/// to `as_of` (default: the day of the last punch) and persist both.
pub fn compute_attendance(
    store: &Store,
    cal: &Calendar,
    schedule: &crate::attendance::Schedule,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, DataFrame, NaiveDate)> {
    use crate::metrics::attendance::{attendance_metrics, attendance_table};
    let tables = attendance_tables(store)?;
    let punch_days = match &tables.punches {
        Some(p) => crate::metrics::dates_of(&p.column("punched_at")?.cast(&DataType::Date)?)?,
        None => Vec::new(),
    };
    let first = punch_days.iter().flatten().min().copied();
    let last = punch_days.iter().flatten().max().copied();
    let (Some(first), Some(last)) = (first, last) else {
        anyhow::bail!("the store has no punches yet: ingest the fingerprint-clock exports first");
    };
    let as_of = as_of.unwrap_or(last);
    let mut days = attendance_table(&tables, cal, schedule, first.min(as_of), as_of)?;
    let mut metrics = attendance_metrics(&days, as_of)?;
    let mut txn = store.begin()?;
    store.replace(&mut txn, ATTENDANCE_DAYS, &mut days)?;
    store.replace(&mut txn, ATTENDANCE_METRICS, &mut metrics)?;
    txn.commit()?;
    Ok((days, metrics, as_of))
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

fn persist(store: &Store, tables: &mut [(&str, &mut DataFrame)]) -> Result<()> {
    let mut txn = store.begin()?;
    for (name, df) in tables.iter_mut() {
        store.replace(&mut txn, name, df)?;
    }
    txn.commit()
}

/// Compute and persist `rating_metrics`.
pub fn compute_ratings(
    store: &Store,
    settings: &crate::config::Settings,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let as_of = as_of_or_last(store, as_of, "ratings", "rated_at")?;
    let ratings = store
        .read("ratings")?
        .context("the store has no ratings yet")?;
    let cases = store.read("cases")?.context("the store has no cases yet")?;
    let windows = store
        .read("windows")?
        .context("the store has no windows yet")?;
    let mut metrics = crate::metrics::ratings::rating_metrics(
        &ratings,
        &cases,
        &windows,
        &settings.calendar,
        &settings.ratings,
        as_of,
    )?;
    persist(store, &mut [(RATING_METRICS, &mut metrics)])?;
    Ok((metrics, as_of))
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

/// Compute and persist `queue_jumps` and `queue_metrics`.
pub fn compute_queue(
    store: &Store,
    settings: &crate::config::Settings,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, DataFrame, NaiveDate)> {
    let as_of = as_of_or_last(store, as_of, "tickets", "issued_at")?;
    let tickets = store
        .read("tickets")?
        .context("the store has no tickets yet")?;
    let windows = store
        .read("windows")?
        .context("the store has no windows yet")?;
    let mut jumps = crate::metrics::queue::queue_jumps(&tickets)?;
    let mut metrics =
        crate::metrics::queue::queue_metrics(&tickets, &windows, &jumps, &settings.queue, as_of)?;
    persist(
        store,
        &mut [(QUEUE_JUMPS, &mut jumps), (QUEUE_METRICS, &mut metrics)],
    )?;
    Ok((metrics, jumps, as_of))
}

/// Compute and persist `incident_metrics`.
pub fn compute_incidents(
    store: &Store,
    settings: &crate::config::Settings,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    let as_of = as_of_or_last(store, as_of, "incidents", "date")?;
    let incidents = store
        .read("incidents")?
        .context("the store has no incidents yet")?;
    let windows = store
        .read("windows")?
        .context("the store has no windows yet")?;
    let mut metrics =
        crate::metrics::zeros::incident_metrics(&incidents, &windows, &settings.incidents, as_of)?;
    persist(store, &mut [(INCIDENT_METRICS, &mut metrics)])?;
    Ok((metrics, as_of))
}

/// Name of the three-zeros dataset.
pub const THREE_ZEROS: &str = "three_zeros";

/// The three zeros of `periods` (the given ones, or every month, two-month
/// period, quarter and year with case data), from every table they draw
/// on; persisted as `three_zeros` when computed for every period.
pub fn three_zeros(
    store: &Store,
    settings: &crate::config::Settings,
    periods: Option<&[crate::metrics::period::Period]>,
    as_of: Option<NaiveDate>,
) -> Result<(DataFrame, NaiveDate)> {
    use crate::metrics::period::parse_period;
    let (case_metrics, as_of) = compute_case_metrics(store, &settings.calendar, as_of)?;
    let ratings = match store.read("ratings")? {
        Some(_) => Some(compute_ratings(store, settings, Some(as_of))?.0),
        None => None,
    };
    let queue = match store.read("tickets")? {
        Some(_) => Some(compute_queue(store, settings, Some(as_of))?.0),
        None => None,
    };
    let windows = store
        .read("windows")?
        .context("the store has no windows yet")?;
    let cases = store.read("cases")?.context("the store has no cases yet")?;
    let (incidents, corrections) = (store.read("incidents")?, store.read("corrections")?);
    let inputs = crate::metrics::zeros::ZeroInputs {
        windows: &windows,
        incidents: incidents.as_ref(),
        corrections: corrections.as_ref(),
        cases: &cases,
        case_metrics: &case_metrics,
        rating_metrics: ratings.as_ref(),
        queue_metrics: queue.as_ref(),
    };
    let all: Vec<crate::metrics::period::Period> = match periods {
        Some(p) => p.to_vec(),
        None => {
            let centers = case_metrics
                .clone()
                .lazy()
                .filter(col("level").eq(lit("center")))
                .collect()?;
            let grains = centers.column("grain")?.str()?.clone();
            let labels = centers.column("period")?.str()?.clone();
            let mut out = Vec::new();
            for (g, l) in grains.iter().zip(labels.iter()) {
                if let (Some(g), Some(l)) = (g, l) {
                    if ["month", "bimonth", "quarter", "year"].contains(&g) {
                        out.push(parse_period(l)?);
                    }
                }
            }
            out
        }
    };
    let mut parts = Vec::with_capacity(all.len());
    for p in &all {
        parts.push(
            crate::metrics::zeros::three_zeros(
                &inputs,
                &settings.incidents,
                p.grain,
                &p.label,
                p.start,
                p.end,
                as_of,
            )?
            .lazy(),
        );
    }
    let mut zeros = if parts.is_empty() {
        crate::metrics::zeros::three_zeros(
            &inputs,
            &settings.incidents,
            crate::metrics::period::Grain::Month,
            "",
            as_of,
            as_of,
            as_of,
        )?
        .head(Some(0))
    } else {
        concat(parts, UnionArgs::default())?.collect()?
    };
    if periods.is_none() {
        persist(store, &mut [(THREE_ZEROS, &mut zeros)])?;
    }
    Ok((zeros, as_of))
}

/// Names of the ranking datasets.
pub const WINDOW_SCORES: &str = "window_scores";
pub const SCORE_EVENTS: &str = "score_events";
pub const STAFF_SCORES: &str = "staff_scores";

/// Score and rank every window and staff member as of `as_of` (default: the
/// last date with case data), from every metric family; persist
/// `window_scores`, `score_events` and `staff_scores`.
pub fn compute_scores(
    store: &Store,
    settings: &crate::config::Settings,
    as_of: Option<NaiveDate>,
) -> Result<(crate::metrics::scoring::Scores, NaiveDate)> {
    let (case_metrics, as_of) = compute_case_metrics(store, &settings.calendar, as_of)?;
    let tables = case_tables(store)?;
    let facts = crate::metrics::cases::case_facts(&tables, &settings.calendar, as_of)?;
    let overdue_open =
        crate::metrics::cases::overdue_open_cases(&facts, &settings.calendar, as_of)?;
    let attendance = match store.read("punches")? {
        Some(_) => Some(
            compute_attendance(store, &settings.calendar, &settings.attendance, Some(as_of))?.0,
        ),
        None => None,
    };
    let (ratings, rating_metrics) = match store.read("ratings")? {
        Some(r) => (
            Some(crate::metrics::ratings::with_deadlines(
                &r,
                &settings.calendar,
                &settings.ratings,
            )?),
            Some(compute_ratings(store, settings, Some(as_of))?.0),
        ),
        None => (None, None),
    };
    let jumps = match store.read("tickets")? {
        Some(_) => Some(compute_queue(store, settings, Some(as_of))?.1),
        None => None,
    };
    let (incidents, corrections) = (store.read("incidents")?, store.read("corrections")?);
    let inputs = crate::metrics::scoring::ScoringInputs {
        windows: &tables.windows,
        attendance_days: attendance.as_ref(),
        cases: &facts.cases,
        overdue_open: &overdue_open,
        corrections: corrections.as_ref(),
        ratings: ratings.as_ref(),
        queue_jumps: jumps.as_ref(),
        incidents: incidents.as_ref(),
        case_metrics: &case_metrics,
        rating_metrics: rating_metrics.as_ref(),
        veto_categories: &settings.incidents.veto_categories,
        default_points: &settings.incidents.default_points,
        targets: &settings.targets,
    };
    let mut scores = crate::metrics::scoring::score(&inputs, &settings.scoring, as_of)?;
    persist(
        store,
        &mut [
            (WINDOW_SCORES, &mut scores.windows),
            (SCORE_EVENTS, &mut scores.events),
            (STAFF_SCORES, &mut scores.staff),
        ],
    )?;
    Ok((scores, as_of))
}

/// Every metric table of the store as of `as_of` (default: the last date
/// with case data), computed and persisted: case_metrics, attendance,
/// ratings, the queue, incidents, the three zeros, the scores.
pub fn compute_all(
    store: &Store,
    settings: &crate::config::Settings,
    as_of: Option<NaiveDate>,
) -> Result<NaiveDate> {
    let (_, as_of) = compute_case_metrics(store, &settings.calendar, as_of)?;
    if store.read("incidents")?.is_some() {
        compute_incidents(store, settings, Some(as_of))?;
    }
    three_zeros(store, settings, None, Some(as_of))?;
    // Scores compute attendance, ratings and the queue on the way.
    compute_scores(store, settings, Some(as_of))?;
    Ok(as_of)
}
