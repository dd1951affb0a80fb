//! The one definition of "as of": the date every figure is evaluated on.
//! Given (`--as-of`), it is that date; otherwise it is the later of the
//! last date of any stored input (a case accepted or completed, a step, a
//! correction, a rating, a ticket, a punch, a departure, an incident) and
//! the last day the nightly job closed. Every command resolves it here and
//! prints it with where it came from.

use crate::store::Store;
use anyhow::Result;
use chrono::NaiveDate;

/// The dated columns of the inputs that move "as of" forward. Plans
/// (leaves, the catalog's future versions) do not: they are dated ahead.
pub const EVENT_DATES: &[(&str, &str)] = &[
    ("cases", "accepted_at"),
    ("cases", "completed_at"),
    ("case_steps", "started_at"),
    ("case_steps", "finished_at"),
    ("corrections", "at"),
    ("ratings", "rated_at"),
    ("tickets", "issued_at"),
    ("punches", "punched_at"),
    ("departures", "out_at"),
    ("incidents", "date"),
];

/// Where an "as of" date came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// `--as-of` (or the date a command names: a daily report's day).
    Given,
    /// The last date of the stored data, and the table it is from.
    Data(&'static str),
    /// The last day the nightly job closed.
    Nightly,
}

/// An evaluation date and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct AsOf {
    pub date: NaiveDate,
    pub source: Source,
}

impl std::fmt::Display for AsOf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Source::Given => write!(f, "{}", self.date),
            Source::Data(t) => write!(f, "{} (the last date of the stored data: {t})", self.date),
            Source::Nightly => write!(f, "{} (the last day the nightly job closed)", self.date),
        }
    }
}

impl AsOf {
    pub fn given(date: NaiveDate) -> AsOf {
        AsOf {
            date,
            source: Source::Given,
        }
    }
}

/// The last date of any stored input, and its table.
pub fn last_input_date(store: &Store) -> Result<Option<(NaiveDate, &'static str)>> {
    let mut last: Option<(NaiveDate, &'static str)> = None;
    for (table, column) in EVENT_DATES {
        if let Some(d) = crate::store::day_bound(&store.files(table)?, column, true)? {
            if last.is_none_or(|(l, _)| d > l) {
                last = Some((d, *table));
            }
        }
    }
    Ok(last)
}

/// `given`, or the later of the last input date and the nightly job's
/// last closed day.
pub fn resolve(store: &Store, given: Option<NaiveDate>) -> Result<AsOf> {
    if let Some(date) = given {
        return Ok(AsOf::given(date));
    }
    let data = last_input_date(store)?;
    let nightly = super::incremental::load_state(store)?.map(|s| s.closed());
    match (data, nightly) {
        (Some((d, _)), Some(n)) if n >= d => Ok(AsOf {
            date: n,
            source: Source::Nightly,
        }),
        (Some((d, t)), _) => Ok(AsOf {
            date: d,
            source: Source::Data(t),
        }),
        (None, Some(n)) => Ok(AsOf {
            date: n,
            source: Source::Nightly,
        }),
        (None, None) => anyhow::bail!("the store has no data yet: ingest some exports first"),
    }
}
