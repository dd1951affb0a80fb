//! The staff review (三在 / 三问, docs/METRICS.md): per staff member and month,
//! two-month period, quarter and year, whether they were on post, at work
//! and competent, and whether they kept their promises, how capable and how
//! well they did. Definitions: docs/METRICS.md, "Staff review".

use super::period::Grain;
use super::rollup::{rollup, Roll, RollupSpec};
use super::schema::STAFF;
use crate::polars_ext::{date_lit, date_series, dates_of, CollectStreaming};
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
    let mut parts = vec![events(cases.clone(), "cases_handled")];
    if let Some(c) = inputs.corrections {
        let corr = c
            .clone()
            .lazy()
            .select([col("case_id"), day("at")])
            .filter(col("date").lt_eq(until.clone()))
            .join(
                cases.clone().select([col("case_id"), col("staff_id")]),
                [col("case_id")],
                [col("case_id")],
                JoinArgs::new(JoinType::Inner),
            );
        parts.push(events(corr, "corrections"));
    }
    if let Some(t) = inputs.tickets {
        let served = t
            .clone()
            .lazy()
            .filter(
                col("called_at")
                    .is_not_null()
                    .and(col("finished_at").is_not_null()),
            )
            .select([col("staff_id"), day("called_at")])
            .filter(col("date").lt_eq(until.clone()));
        parts.push(events(served, "tickets_handled"));
    }
    if let Some(s) = inputs.step_facts {
        let finished = s
            .clone()
            .lazy()
            .filter(col("finish").is_not_null())
            .select([col("staff_id"), col("finish").alias("date"), col("overdue")]);
        parts.push(events(finished.clone(), "steps_handled"));
        parts.push(events(finished.filter(col("overdue")), "overdue_steps"));
    }
    // Every kind summed per staff member and day once (millions of case,
    // ticket and step rows become one row per staff-day): the idle days,
    // the first day and the roll-up below read that.
    let handled = concat(parts, UnionArgs::default())?
        .group_by([col("staff_id"), col("date")])
        .agg(
            MEASURES
                .iter()
                .map(|(m, _)| col(*m).sum())
                .collect::<Vec<_>>(),
        )
        .collect_streaming()?;
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
