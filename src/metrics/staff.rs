//! The staff review (三在 / 三问, docs/METRICS.md): per staff member and month,
//! two-month period, quarter and year, whether they were on post, at work
//! and competent, and whether they kept their promises, how capable and how
//! well they did. Definitions: docs/METRICS.md, "Staff review".

use super::dense::{day_numbers, NO_DAY};
use super::period::Grain;
use super::rollup::{rollup, Roll, RollupSpec};
use super::schema::STAFF;
use crate::polars_ext::{date_lit, date_series, dates_of, epoch_days, CollectStreaming};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

/// What the review is built from.
pub struct StaffInputs<'a> {
    /// The roster (the window of each staff member's latest row).
    pub staff: &'a DataFrame,
    pub cases: &'a DataFrame,
    pub corrections: Option<&'a DataFrame>,
    pub tickets: Option<&'a DataFrame>,
    /// `step_facts` (handler, finish, overdue), if there are steps.
    pub step_facts: Option<&'a DataFrame>,
    pub attendance_days: Option<&'a DataFrame>,
    pub attendance_metrics: Option<&'a DataFrame>,
    pub case_metrics: &'a DataFrame,
    pub staff_scores: Option<&'a DataFrame>,
}

const MEASURES: [(&str, Roll); 6] = [
    ("cases_handled", Roll::Sum),
    ("steps_handled", Roll::Sum),
    ("overdue_steps", Roll::Sum),
    ("tickets_handled", Roll::Sum),
    ("corrections", Roll::Sum),
    ("idle_days", Roll::Sum),
];

/// The grains of the review: those of the rankings.
const GRAINS: [Grain; 4] = [Grain::Month, Grain::Bimonth, Grain::Quarter, Grain::Year];

/// One kind of staff-day event: (staff_id, date) rows and the measure they
/// count.
fn events(lf: LazyFrame, measure: &str) -> LazyFrame {
    lf.filter(col("staff_id").is_not_null().and(col("date").is_not_null()))
        .select(
            [col("staff_id"), col("date")]
                .into_iter()
                .chain(MEASURES.iter().map(|(m, _)| {
                    if *m == measure {
                        lit(1i64).alias(*m)
                    } else {
                        lit(0i64).alias(*m)
                    }
                }))
                .collect::<Vec<_>>(),
        )
}

/// The columns of `cases` that [`staff_review`] reads.
pub const CASE_COLUMNS: [&str; 3] = ["case_id", "staff_id", "accepted_at"];
/// The columns of `tickets` that [`staff_review`] reads.
pub const TICKET_COLUMNS: [&str; 3] = ["staff_id", "called_at", "finished_at"];
/// The figures the review takes from `attendance_metrics` and from
/// `case_metrics`, at the staff level.
pub const ATTENDANCE_FIGURES: [&str; 6] = [
    "attendance_rate",
    "attended_days",
    "overlong_departures",
    "expected_days",
    "leave_days",
    "absent_days",
];
pub const CASE_FIGURES: [&str; 1] = ["on_time_rate"];

/// `staff_review` as of `as_of`.
pub fn staff_review(inputs: &StaffInputs, as_of: NaiveDate) -> Result<DataFrame> {
    let until = date_lit(as_of);
    let day = |c: &str| col(c).cast(DataType::Date).alias("date");
    let cases = inputs
        .cases
        .clone()
        .lazy()
        .select([col("case_id"), col("staff_id"), day("accepted_at")])
        .filter(col("date").lt_eq(until.clone()));
    // The corrections of the cases accepted by `as_of`, on their cases'
    // staff members.
    let corrections = match inputs.corrections {
        Some(c) => Some(
            c.clone()
                .lazy()
                .select([col("case_id"), day("at")])
                .filter(col("date").lt_eq(until.clone()))
                .join(
                    cases.clone().select([col("case_id"), col("staff_id")]),
                    [col("case_id")],
                    [col("case_id")],
                    JoinArgs::new(JoinType::Inner),
                )
                .collect()?,
        ),
        None => None,
    };
    // Every kind summed per staff member and day once (millions of case,
    // ticket and step rows become one row per staff-day): the idle days,
    // the first day and the roll-up below read that.
    let handled = handled_by_day(inputs, corrections.as_ref(), as_of)?;
    let mut parts = vec![handled.clone().lazy()];
    // Idle days: attended working days with nothing handled.
    if let Some(days) = inputs.attendance_days {
        let handled = handled.clone().lazy().select([
            col("staff_id"),
            col("date"),
            (col("cases_handled") + col("steps_handled") + col("tickets_handled")).alias("handled"),
        ]);
        let idle = days
            .clone()
            .lazy()
            .filter(
                col("workday").and(
                    (lit(1.0)
                        - col("leave_day_share").fill_null(lit(0.0))
                        - col("absent_half_days").cast(DataType::Float64) / lit(2.0))
                    .gt(lit(1e-9)),
                ),
            )
            .select([col("staff_id"), col("date")])
            .join(
                handled,
                [col("staff_id"), col("date")],
                [col("staff_id"), col("date")],
                JoinArgs::new(JoinType::Left),
            )
            .filter(col("handled").fill_null(lit(0i64)).eq(lit(0i64)));
        parts.push(events(idle, "idle_days"));
    }
    // Everyone on the roster on any day of a period has a row for it, even
    // with nothing handled (absent or on leave the whole period: the
    // person 在岗 is there to catch): one empty event per staff member and
    // month on the roster, from their start (or the first event) to their
    // end (or as_of).
    let first = concat(parts.clone(), UnionArgs::default())?
        .select([col("date").min()])
        .collect()?;
    if let Some(first) = dates_of(first.column("date")?)?
        .into_iter()
        .flatten()
        .next()
    {
        parts.push(events(
            roster_months(inputs.staff, first, as_of)?.lazy(),
            "",
        ));
    }
    let sums = rollup(
        concat(parts, UnionArgs::default())?,
        &RollupSpec {
            measures: &MEASURES,
            extra_keys: &[],
            levels: &["staff"],
            grains: &GRAINS,
            as_of,
        },
    )?;
    let on_staff = |lf: LazyFrame, df: Option<&DataFrame>, cols: &[&str]| -> LazyFrame {
        match df {
            Some(df) => {
                let mut sel = vec![col("grain"), col("period"), col("key")];
                sel.extend(cols.iter().map(|c| col(*c)));
                lf.join(
                    df.clone()
                        .lazy()
                        .filter(col("level").eq(lit("staff")))
                        .select(sel),
                    [col("grain"), col("period"), col("key")],
                    [col("grain"), col("period"), col("key")],
                    JoinArgs::new(JoinType::Left),
                )
            }
            None => lf.with_columns(
                cols.iter()
                    .map(|c| lit(NULL).cast(DataType::Float64).alias(*c))
                    .collect::<Vec<_>>(),
            ),
        }
    };
    let mut lf = sums.lazy();
    lf = on_staff(lf, inputs.attendance_metrics, &ATTENDANCE_FIGURES);
    lf = on_staff(lf, Some(inputs.case_metrics), &CASE_FIGURES);
    lf = match inputs.staff_scores {
        Some(s) => lf.join(
            s.clone().lazy().select([
                col("grain"),
                col("period"),
                col("staff_id"),
                col("score"),
                col("rank"),
            ]),
            [col("grain"), col("period"), col("key")],
            [col("grain"), col("period"), col("staff_id")],
            JoinArgs::new(JoinType::Left),
        ),
        None => lf.with_columns([
            lit(NULL).cast(DataType::Float64).alias("score"),
            lit(NULL).cast(DataType::Int64).alias("rank"),
        ]),
    };
    let windows = inputs
        .staff
        .clone()
        .lazy()
        .sort(["staff_id", "valid_from"], SortMultipleOptions::default())
        .group_by([col("staff_id")])
        .agg([col("window_id").last()]);
    let rate = |c: &str| STAFF.rate(c).expr();
    let out = lf
        .join(
            windows,
            [col("key")],
            [col("staff_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("key").alias("staff_id"),
            col("attended_days").cast(DataType::Float64),
            col("overlong_departures").cast(DataType::Int64),
            rate("cases_per_day"),
            rate("steps_per_day"),
            rate("tickets_per_day"),
            rate("corrections_per_100"),
            rate("overdue_steps_per_100"),
        ])
        .with_column(
            col("cases_per_day")
                .median()
                .over([col("grain"), col("period"), col("window_id")])?
                .alias("window_median_cases_per_day"),
        )
        .with_column(rate("capability"))
        // Why a row's figures are empty: no day attended in the period.
        .with_column(
            when(col("attended_days").fill_null(lit(0.0)).gt(lit(0.0)))
                .then(lit(NULL).cast(DataType::String))
                .when(
                    col("expected_days")
                        .cast(DataType::Float64)
                        .fill_null(lit(0.0))
                        .eq(lit(0.0)),
                )
                .then(lit("不在岗"))
                .when(
                    col("leave_days")
                        .fill_null(lit(0.0))
                        .gt_eq(col("absent_days").fill_null(lit(0.0))),
                )
                .then(lit("请假"))
                .otherwise(lit("缺勤"))
                .alias("absence"),
        )
        .with_columns(if inputs.step_facts.is_none() {
            // A center without step data gets no step figures, not zeros.
            vec![
                lit(NULL).cast(DataType::Int64).alias("steps_handled"),
                lit(NULL).cast(DataType::Float64).alias("steps_per_day"),
                lit(NULL)
                    .cast(DataType::Float64)
                    .alias("overdue_steps_per_100"),
            ]
        } else {
            Vec::new()
        })
        .select(STAFF.select())
        .sort(
            ["grain", "period", "staff_id"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()?;
    Ok(out)
}

/// The staff-day events of one kind: each row's staff member and day
/// ([`NO_DAY`]: no event), the measure (index into [`MEASURES`]) it
/// counts 1 in.
struct DayEvents {
    staff: StringChunked,
    days: Vec<i32>,
    measure: usize,
}

impl DayEvents {
    /// The rows of `df` as events of `measure` on the day of `date` (a
    /// Date or Datetime column), those after `until` left out.
    fn of(df: &DataFrame, date: &str, measure: &str, until: Option<i32>) -> Result<DayEvents> {
        let mut days = day_numbers(df, date)?;
        if let Some(until) = until {
            for d in days.iter_mut().filter(|d| **d > until) {
                *d = NO_DAY;
            }
        }
        Ok(DayEvents {
            staff: df
                .column("staff_id")?
                .cast(&DataType::String)?
                .str()?
                .clone(),
            days,
            measure: MEASURES
                .iter()
                .position(|(m, _)| *m == measure)
                .expect("a measure of the review"),
        })
    }

    /// No event on the rows where `keep` is not true.
    fn only(mut self, keep: &BooleanChunked) -> DayEvents {
        for (d, keep) in self.days.iter_mut().zip(keep.iter()) {
            if keep != Some(true) {
                *d = NO_DAY;
            }
        }
        self
    }
}

/// The staff-day events of the review summed per staff member and day:
/// `staff_id, date` and every measure of [`MEASURES`], one row per
/// staff-day with an event (cases by acceptance, corrections by the day
/// asked, tickets served by the day called, all by `as_of`; steps by
/// their finish, overdue or not). Summed in a table of days × staff
/// members (their codes by view) where it is at most [`DAY_TABLE_CELLS`]
/// cells, else by a polars group-by ([`summed_by_polars`]); the rows in
/// no particular order.
fn handled_by_day(
    inputs: &StaffInputs,
    corrections: Option<&DataFrame>,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let until = Some(epoch_days(as_of));
    let mut kinds = vec![DayEvents::of(
        inputs.cases,
        "accepted_at",
        "cases_handled",
        until,
    )?];
    if let Some(c) = corrections {
        kinds.push(DayEvents::of(c, "date", "corrections", until)?);
    }
    if let Some(t) = inputs.tickets {
        let served = t.column("called_at")?.is_not_null() & t.column("finished_at")?.is_not_null();
        kinds.push(DayEvents::of(t, "called_at", "tickets_handled", until)?.only(&served));
    }
    if let Some(st) = inputs.step_facts {
        let overdue = st.column("overdue")?.cast(&DataType::Boolean)?;
        kinds.push(DayEvents::of(st, "finish", "steps_handled", None)?);
        kinds.push(DayEvents::of(st, "finish", "overdue_steps", None)?.only(overdue.bool()?));
    }
    Ok(match day_table(&kinds)? {
        Some(df) => df,
        None => summed_by_polars(&kinds)?,
    })
}

/// Cells (days × staff members) the day table of [`handled_by_day`] may
/// have (each holds every measure): 48 MiB.
const DAY_TABLE_CELLS: usize = 1 << 20;

/// [`handled_by_day`]'s sums in a table of days × staff members, rows in
/// (day, staff member first seen) order; `None` when the table would have
/// more than [`DAY_TABLE_CELLS`] cells.
fn day_table(kinds: &[DayEvents]) -> Result<Option<DataFrame>> {
    let mut first = crate::polars_ext::FirstSeen::default();
    let mut codes: Vec<Vec<Option<u32>>> = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let mut of_kind = Vec::with_capacity(kind.days.len());
        for array in kind.staff.downcast_iter() {
            first.code_array(array, |_, code, _| {
                of_kind.push(code);
                true
            });
        }
        codes.push(of_kind);
    }
    let events = || {
        kinds.iter().zip(&codes).flat_map(|(kind, codes)| {
            kind.days
                .iter()
                .zip(codes)
                .filter_map(move |(&day, &code)| Some((code?, day, kind.measure)))
                .filter(|(_, day, _)| *day != NO_DAY)
        })
    };
    let Some((lo, hi)) = events().fold(None, |span: Option<(i32, i32)>, (_, d, _)| {
        Some(span.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))))
    }) else {
        return Ok(Some(summed_rows(&[], &[], &[])?));
    };
    let staff = first.texts().len();
    let days = (i64::from(hi) - i64::from(lo) + 1) as usize;
    if days.saturating_mul(staff) > DAY_TABLE_CELLS {
        return Ok(None);
    }
    let m = MEASURES.len();
    let mut table = vec![0i64; days * staff * m];
    for (code, day, measure) in events() {
        table[((day - lo) as usize * staff + code as usize) * m + measure] += 1;
    }
    let (mut who, mut when, mut sums) = (Vec::new(), Vec::new(), Vec::new());
    for (cell, values) in table.chunks_exact(m).enumerate() {
        if values.iter().any(|v| *v != 0) {
            who.push(first.texts()[cell % staff]);
            when.push(lo + (cell / staff) as i32);
            sums.extend_from_slice(values);
        }
    }
    Ok(Some(summed_rows(&who, &when, &sums)?))
}

/// The frame of [`handled_by_day`]: `staff_id, date` and the measures
/// (`sums` holds each row's measures side by side), each of the type the
/// polars group-by gives its sum ([`summed_by_polars`]: the frame is
/// stacked with other events of [`events`]).
fn summed_rows(who: &[&str], when: &[i32], sums: &[i64]) -> Result<DataFrame> {
    let empty = DataFrame::new(
        0,
        vec![
            Column::new("staff_id".into(), Vec::<&str>::new()),
            Column::new("date".into(), Vec::<i32>::new()).cast(&DataType::Date)?,
        ],
    )?;
    let types = summed(vec![events(empty.lazy(), "")])?.collect_schema()?;
    let m = MEASURES.len();
    let mut columns = vec![
        Column::new("staff_id".into(), who),
        Column::new("date".into(), when).cast(&DataType::Date)?,
    ];
    for (k, (name, _)) in MEASURES.iter().enumerate() {
        let values: Vec<i64> = sums.iter().skip(k).step_by(m).copied().collect();
        let dtype = types.get(name).expect("a measure of the review");
        columns.push(Column::new((*name).into(), values).strict_cast(dtype)?);
    }
    Ok(DataFrame::new(who.len(), columns)?)
}

/// Events of [`events`] summed per staff member and day.
fn summed(parts: Vec<LazyFrame>) -> Result<LazyFrame> {
    Ok(concat(parts, UnionArgs::default())?
        .group_by([col("staff_id"), col("date")])
        .agg(
            MEASURES
                .iter()
                .map(|(m, _)| col(*m).sum())
                .collect::<Vec<_>>(),
        ))
}

/// [`handled_by_day`]'s sums by a polars group-by of every event (where
/// the day table would be too large).
fn summed_by_polars(kinds: &[DayEvents]) -> Result<DataFrame> {
    let parts = kinds
        .iter()
        .map(|kind| -> Result<LazyFrame> {
            let days: Vec<Option<i32>> = kind
                .days
                .iter()
                .map(|d| (*d != NO_DAY).then_some(*d))
                .collect();
            let df = DataFrame::new(
                days.len(),
                vec![
                    Column::new("staff_id".into(), kind.staff.clone().into_series()),
                    Column::new("date".into(), days).cast(&DataType::Date)?,
                ],
            )?;
            Ok(events(df.lazy(), MEASURES[kind.measure].0))
        })
        .collect::<Result<Vec<_>>>()?;
    summed(parts)?.collect_streaming()
}

/// (staff_id, date) rows, one per staff member and month on the roster
/// between `first` and `as_of`: the first day of the month or of their
/// posting, whichever is later.
fn roster_months(staff: &DataFrame, first: NaiveDate, as_of: NaiveDate) -> Result<DataFrame> {
    use chrono::Datelike;
    let ids = staff.column("staff_id")?.str()?;
    let from = dates_of(staff.column("valid_from")?)?;
    let to = dates_of(staff.column("valid_to")?)?;
    let (mut who, mut when) = (Vec::new(), Vec::new());
    for i in 0..staff.height() {
        let Some(id) = ids.get(i) else { continue };
        let start = from[i].map_or(first, |f| f.max(first));
        let end = to[i].map_or(as_of, |t| t.min(as_of));
        let mut day = start;
        while day <= end {
            who.push(id.to_string());
            when.push(Some(day));
            let next_month = if day.month() == 12 {
                NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(day.year(), day.month() + 1, 1)
            };
            let Some(next) = next_month else { break };
            day = next;
        }
    }
    Ok(DataFrame::new(
        who.len(),
        vec![
            Column::new("staff_id".into(), who),
            date_series("date", when.into_iter())?,
        ],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(staff: &[Option<&str>], days: &[i32], measure: &str) -> DayEvents {
        DayEvents {
            staff: StringChunked::from_iter_options("staff_id".into(), staff.iter().copied()),
            days: days.to_vec(),
            measure: MEASURES.iter().position(|(m, _)| *m == measure).unwrap(),
        }
    }

    fn sorted(df: DataFrame) -> DataFrame {
        df.sort(["staff_id", "date"], SortMultipleOptions::default())
            .unwrap()
    }

    #[test]
    fn the_day_table_sums_what_the_group_by_sums() {
        // Day 20 000 is 2024-10-04. A row without a staff member or a day
        // is no event.
        let kinds = [
            kind(
                &[Some("S1"), Some("S2"), None, Some("S1"), Some("S3")],
                &[20_000, 20_000, 20_001, NO_DAY, 20_002],
                "cases_handled",
            ),
            kind(
                &[Some("S2"), Some("S1"), Some("S1")],
                &[20_000, 20_000, 20_000],
                "tickets_handled",
            ),
        ];
        let table = sorted(day_table(&kinds).unwrap().expect("a small table"));
        let by_polars = sorted(summed_by_polars(&kinds).unwrap());
        assert_eq!(table.schema(), by_polars.schema());
        assert!(table.equals_missing(&by_polars), "{table}\n{by_polars}");
        // By hand: S1 on day 20 000 a case and two tickets, S2 a case and
        // a ticket, S3 a case on day 20 002.
        let staff: Vec<Option<&str>> = table
            .column("staff_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(staff, [Some("S1"), Some("S2"), Some("S3")]);
        let n = |m: &str| -> Vec<i64> { crate::polars_ext::i64s(&table, m).unwrap() };
        assert_eq!(n("cases_handled"), [1, 1, 1]);
        assert_eq!(n("tickets_handled"), [2, 1, 0]);
        assert_eq!(n("steps_handled"), [0, 0, 0]);
        assert_eq!(
            crate::polars_ext::opt_epoch_days(&table, "date").unwrap(),
            [Some(20_000), Some(20_000), Some(20_002)]
        );
        // No events at all: no rows, the same columns.
        let none = [kind(&[None], &[20_000], "cases_handled")];
        let empty = day_table(&none).unwrap().expect("an empty table");
        assert_eq!(empty.height(), 0);
        assert_eq!(empty.schema(), by_polars.schema());
    }
}
