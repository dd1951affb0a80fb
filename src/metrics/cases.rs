//! The case engine (办件时效): every case measured against its promised and
//! legal limits in working days, as of an evaluation date, and the
//! `case_metrics` table built from it.
//!
//! Working-day arithmetic is joins on the calendar frame (a cumulative
//! working-day index per date), never a loop over dates per case. The only
//! per-day walk is over the few cases that are open past their deadline,
//! to know on which days they were open and overdue.

use super::period::Grain;
use super::rollup::{
    day_table, ratio, rollup_days, rollup_quantiles, KeyCodes, Roll, RollupSpec, LEVELS,
};
use super::{dates_of, workday_frame, WithWorkdayIndex};
use crate::calendar::Calendar;
use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use polars::prelude::*;

/// The stored tables the case engine reads.
pub struct CaseTables {
    pub cases: DataFrame,
    pub items: DataFrame,
    pub windows: DataFrame,
    pub suspensions: Option<DataFrame>,
}

const SUPPLEMENT: &str = "补正";

/// The case engine's per-case result.
#[derive(Clone)]
pub struct CaseFacts {
    /// One row per case accepted by `as_of` (see [`case_facts`]).
    pub cases: DataFrame,
    /// Suspensions clipped and merged: `case_id, s, e, days`.
    pub blocks: DataFrame,
}

/// Per case, as of `as_of`: `case_id, item_code, window_id, department,
/// staff_id, acc, comp` (null while open at `as_of`), `n` (promised),
/// `l` (legal, null if none), `a` (working-day index of acceptance),
/// `susp_days`, `elapsed` (completed cases), `supplement` (has a 补正),
/// `ext` (n + susp_days: working days to the extended deadline).
pub fn case_facts(t: &CaseTables, cal: &Calendar, as_of: NaiveDate) -> Result<CaseFacts> {
    let wd = workday_frame(cal)?.lazy();
    let as_of_lit = super::date_lit(as_of);
    let cases = t
        .cases
        .clone()
        .lazy()
        .select([
            col("case_id"),
            col("item_code"),
            col("window_id"),
            col("staff_id"),
            col("accepted_at").cast(DataType::Date).alias("acc"),
            col("completed_at").cast(DataType::Date).alias("comp_raw"),
            col("promised_limit_days").alias("n_case"),
            col("legal_limit_days").alias("l_case"),
        ])
        .filter(col("acc").lt_eq(as_of_lit.clone()))
        .with_column(
            when(col("comp_raw").lt_eq(as_of_lit.clone()))
                .then(col("comp_raw"))
                .otherwise(lit(NULL).cast(DataType::Date))
                .alias("comp"),
        );
    // The catalog version in force on each acceptance date and the window's
    // department, by lookups (a join would first make a row per case and
    // version, then filter them).
    let mut cases = cases.collect()?;
    let (n_cat, l_cat) = catalog_limits(&cases, &t.items)?;
    cases.with_column(Column::new("n_cat".into(), n_cat))?;
    cases.with_column(Column::new("l_cat".into(), l_cat))?;
    let department = departments(&cases, &t.windows)?;
    cases.with_column(Column::new("department".into(), department))?;
    let facts = cases.lazy().with_columns([
        coalesce(&[col("n_case"), col("n_cat")]).alias("n"),
        coalesce(&[col("l_case"), col("l_cat")]).alias("l"),
        coalesce(&[col("comp"), as_of_lit]).alias("end_ref"),
    ]);
    let facts = facts.collect()?;
    let (blocks, supplement) = suspension_blocks(t.suspensions.as_ref(), &facts, &wd)?;
    let susp_per_case = blocks
        .clone()
        .lazy()
        .group_by([col("case_id")])
        .agg([col("days").sum().alias("susp_days")]);
    let out = facts
        .lazy()
        .join(
            susp_per_case,
            [col("case_id")],
            [col("case_id")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            supplement.lazy(),
            [col("case_id")],
            [col("case_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_widx(&wd, "acc", "a")
        .with_widx(&wd, "comp", "c")
        .with_columns([
            col("susp_days").fill_null(lit(0i64)),
            col("supplement").fill_null(lit(false)),
        ])
        .with_columns([
            (col("c") - col("a") - col("susp_days")).alias("elapsed"),
            (col("n") + col("susp_days")).alias("ext"),
        ])
        .select([
            col("case_id"),
            col("item_code"),
            col("window_id"),
            col("department"),
            col("staff_id"),
            col("acc"),
            col("comp"),
            col("n"),
            col("l"),
            col("a"),
            col("susp_days"),
            col("elapsed"),
            col("supplement"),
            col("ext"),
        ])
        .sort(["case_id"], SortMultipleOptions::default())
        .collect()?;
    let missing_a = out.column("a")?.null_count();
    if missing_a > 0 {
        anyhow::bail!("{missing_a} cases were accepted on a date the working-day calendar does not cover; add the year under [calendar]");
    }
    // A completion the calendar cannot count would silently lose its elapsed days.
    let uncounted = out
        .clone()
        .lazy()
        .filter(col("comp").is_not_null().and(col("elapsed").is_null()))
        .collect()?;
    if uncounted.height() > 0 {
        let ids = uncounted
            .column("case_id")?
            .str()?
            .get(0)
            .unwrap_or_default()
            .to_string();
        anyhow::bail!(
            "{} cases were completed on a date the working-day calendar does not cover (e.g. case {ids}); add the year under [calendar]",
            uncounted.height()
        );
    }
    Ok(CaseFacts { cases: out, blocks })
}

/// One limit per case (null where there is none).
type Limits = Vec<Option<i64>>;

/// Per case, the promised and legal limits of its item's catalog version
/// in force on its acceptance date: the latest version effective on or
/// before it, or the item's first version for a case accepted before any
/// (null for an item not in the catalog).
fn catalog_limits(cases: &DataFrame, items: &DataFrame) -> Result<(Limits, Limits)> {
    use std::collections::HashMap;
    let codes = items.column("item_code")?.str()?;
    let from = super::dates_of(items.column("effective_from")?)?;
    let promised = items
        .column("promised_limit_days")?
        .cast(&DataType::Int64)?;
    let legal = items.column("legal_limit_days")?.cast(&DataType::Int64)?;
    let (promised, legal) = (promised.i64()?, legal.i64()?);
    type Version = (Option<NaiveDate>, Option<i64>, Option<i64>);
    let mut versions: HashMap<&str, Vec<Version>> = HashMap::new();
    for (i, code) in codes.iter().enumerate() {
        if let Some(code) = code {
            versions
                .entry(code)
                .or_default()
                .push((from[i], promised.get(i), legal.get(i)));
        }
    }
    for v in versions.values_mut() {
        v.sort_by_key(|(d, _, _)| *d);
    }
    let item = cases.column("item_code")?.str()?;
    let acc = super::dates_of(cases.column("acc")?)?;
    let mut n = Vec::with_capacity(cases.height());
    let mut l = Vec::with_capacity(cases.height());
    for (code, acc) in item.iter().zip(acc) {
        let version = code.and_then(|c| versions.get(c)).map(|v| {
            let in_force = v.partition_point(|(d, _, _)| d.zip(acc).is_some_and(|(d, a)| d <= a));
            v[in_force.saturating_sub(1)]
        });
        n.push(version.and_then(|v| v.1));
        l.push(version.and_then(|v| v.2));
    }
    Ok((n, l))
}

/// Per case, the department of its window (null for an unknown window).
fn departments(cases: &DataFrame, windows: &DataFrame) -> Result<Vec<Option<String>>> {
    let of: std::collections::HashMap<&str, &str> = windows
        .column("window_id")?
        .str()?
        .iter()
        .zip(windows.column("department")?.str()?.iter())
        .filter_map(|(w, d)| Some((w?, d?)))
        .collect();
    Ok(cases
        .column("window_id")?
        .str()?
        .iter()
        .map(|w| w.and_then(|w| of.get(w)).map(|d| d.to_string()))
        .collect())
}

/// The suspensions of each case clipped to (acceptance, end_ref] and
/// merged where they overlap: `case_id, s, e, days` (working days in
/// s..=e); and the cases with a 补正 (`case_id, supplement`).
fn suspension_blocks(
    susp: Option<&DataFrame>,
    facts: &DataFrame,
    wd: &LazyFrame,
) -> Result<(DataFrame, DataFrame)> {
    let empty = || -> Result<(DataFrame, DataFrame)> {
        let blocks = df!(
            "case_id" => Vec::<String>::new(),
            "s" => Vec::<i32>::new(),
            "e" => Vec::<i32>::new(),
            "days" => Vec::<i64>::new(),
        )?
        .lazy()
        .with_columns([col("s").cast(DataType::Date), col("e").cast(DataType::Date)])
        .collect()?;
        let sup = df!("case_id" => Vec::<String>::new(), "supplement" => Vec::<bool>::new())?;
        Ok((blocks, sup))
    };
    let Some(susp) = susp else { return empty() };
    let supplement = susp
        .clone()
        .lazy()
        .filter(col("kind").eq(lit(SUPPLEMENT)))
        .select([col("case_id")])
        .unique(None, UniqueKeepStrategy::First)
        .with_column(lit(true).alias("supplement"))
        .collect()?;
    let one_day = lit(1i64).cast(DataType::Int32);
    let blocks = susp
        .clone()
        .lazy()
        .join(
            facts
                .clone()
                .lazy()
                .select([col("case_id"), col("acc"), col("end_ref")]),
            [col("case_id")],
            [col("case_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_columns([
            // Clip to the days after acceptance, up to completion or as_of.
            later(
                col("start"),
                (col("acc").cast(DataType::Int32) + one_day.clone()).cast(DataType::Date),
            )
            .alias("s"),
            earlier(coalesce(&[col("end"), col("end_ref")]), col("end_ref")).alias("e"),
        ])
        .filter(col("s").lt_eq(col("e")))
        .sort(["case_id", "s"], SortMultipleOptions::default())
        .with_column(
            col("e")
                .cast(DataType::Int32)
                .cum_max(false)
                .shift(lit(1))
                .over([col("case_id")])?
                .alias("prev_e"),
        )
        .with_column(
            (col("prev_e")
                .is_null()
                .or(col("s").cast(DataType::Int32).gt(col("prev_e"))))
            .cast(DataType::Int64)
            .cum_sum(false)
            .over([col("case_id")])?
            .alias("block"),
        )
        .group_by([col("case_id"), col("block")])
        .agg([col("s").min(), col("e").max()])
        .join(
            wd.clone()
                .select([col("date"), col("widx").alias("ws"), col("work")]),
            [col("s")],
            [col("date")],
            JoinArgs::new(JoinType::Left),
        )
        .with_widx(wd, "e", "we")
        .with_column((col("we") - (col("ws") - col("work"))).alias("days"))
        .select([col("case_id"), col("s"), col("e"), col("days")])
        .sort(["case_id", "s"], SortMultipleOptions::default())
        .collect()?;
    if blocks.column("days")?.null_count() > 0 {
        anyhow::bail!("a suspension lies in a year the working-day calendar does not cover; add the year under [calendar]");
    }
    Ok((blocks, supplement))
}

/// The later of two dates.
pub(super) fn later(a: Expr, b: Expr) -> Expr {
    when(a.clone().gt(b.clone())).then(a).otherwise(b)
}

/// The earlier of two dates.
pub(super) fn earlier(a: Expr, b: Expr) -> Expr {
    when(a.clone().lt(b.clone())).then(a).otherwise(b)
}

/// The days on which a case was open at the end of the day and past its
/// (extended) deadline, as (case row, date) — `overdue_open` events.
fn open_overdue_days(
    facts: &DataFrame,
    blocks: &DataFrame,
    cal: &Calendar,
    as_of: NaiveDate,
) -> Result<Vec<(usize, NaiveDate)>> {
    let acc = dates_of(facts.column("acc")?)?;
    let comp = dates_of(facts.column("comp")?)?;
    let n = facts.column("n")?.i64()?;
    let ids = facts.column("case_id")?.str()?;
    // Suspension blocks by case id.
    let mut by_case: std::collections::HashMap<&str, Vec<(NaiveDate, NaiveDate)>> =
        std::collections::HashMap::new();
    let (bs, be) = (
        dates_of(blocks.column("s")?)?,
        dates_of(blocks.column("e")?)?,
    );
    for (i, id) in blocks.column("case_id")?.str()?.iter().enumerate() {
        if let (Some(id), Some(s), Some(e)) = (id, bs[i], be[i]) {
            by_case.entry(id).or_default().push((s, e));
        }
    }
    let mut out = Vec::new();
    for row in 0..facts.height() {
        let (Some(acc), Some(n)) = (acc[row], n.get(row)) else {
            continue;
        };
        // Open at the end of each day E with acc ≤ E < completion (or ≤ as_of).
        let last_open = match comp[row] {
            Some(c) => c - Duration::days(1),
            None => as_of,
        };
        if last_open <= acc {
            continue;
        }
        // Overdue needs E after the plain deadline: skip cases never open that long.
        if n > 0 && cal.elapsed(acc, last_open - Duration::days(1))? < n {
            continue;
        }
        let blocks = ids.get(row).and_then(|id| by_case.get(id));
        let mut e = acc + Duration::days(1);
        while e <= last_open {
            let susp: i64 = match blocks {
                Some(bl) => bl
                    .iter()
                    .filter(|(s, _)| *s <= e)
                    .map(|(s, end)| cal.workdays_between_inclusive(*s, (*end).min(e)))
                    .sum::<Result<i64, _>>()?,
                None => 0,
            };
            let ext = n + susp;
            // Deadline before E: acceptance day itself when ext = 0, else the
            // ext-th working day after acceptance, which is before E when E-1
            // already has ext working days after acceptance.
            let overdue = if ext == 0 {
                acc < e
            } else {
                cal.elapsed(acc, e - Duration::days(1))? >= ext
            };
            if overdue {
                out.push((row, e));
            }
            e += Duration::days(1);
        }
    }
    Ok(out)
}

/// The measures of `case_metrics` and how each rolls up.
const MEASURES: [(&str, Roll); 14] = [
    ("accepted", Roll::Sum),
    ("completed", Roll::Sum),
    ("completed_instant", Roll::Sum),
    ("completed_promised", Roll::Sum),
    ("on_time", Roll::Sum),
    ("early", Roll::Sum),
    ("overdue_completed", Roll::Sum),
    ("overdue_open", Roll::AtEnd),
    ("one_visit", Roll::Sum),
    ("sum_promised", Roll::Sum),
    ("sum_elapsed_promised", Roll::Sum),
    ("sum_promised_with_legal", Roll::Sum),
    ("sum_legal", Roll::Sum),
    ("sum_elapsed", Roll::Sum),
];

/// Columns of `case_metrics`, in order.
pub const COLUMNS: [&str; 22] = [
    "grain",
    "period",
    "period_start",
    "period_end",
    "level",
    "key",
    "accepted",
    "completed",
    "completed_instant",
    "completed_promised",
    "on_time",
    "early",
    "overdue_completed",
    "overdue_open",
    "instant_rate",
    "on_time_rate",
    "early_rate",
    "promise_compression",
    "actual_speedup",
    "one_visit_rate",
    "mean_elapsed_days",
    "p90_elapsed_days",
];

/// `case_metrics` for every grain and level, as of `as_of`.
pub fn case_metrics(t: &CaseTables, cal: &Calendar, as_of: NaiveDate) -> Result<DataFrame> {
    let levels: Vec<&str> = LEVELS.iter().map(|(l, _)| *l).collect();
    case_metrics_for(t, cal, as_of, &Grain::ALL, &levels)
}

/// `case_metrics` for some grains and levels only (a benchmark against
/// another engine computing one grain and level).
pub fn case_metrics_for(
    t: &CaseTables,
    cal: &Calendar,
    as_of: NaiveDate,
    grains: &[Grain],
    levels: &[&str],
) -> Result<DataFrame> {
    case_metrics_of(&case_facts(t, cal, as_of)?, cal, as_of, grains, levels)
}

/// `case_metrics` from case facts already computed as of `as_of`.
pub fn case_metrics_of(
    facts: &CaseFacts,
    cal: &Calendar,
    as_of: NaiveDate,
    grains: &[Grain],
    levels: &[&str],
) -> Result<DataFrame> {
    let CaseFacts {
        cases: facts,
        blocks,
    } = facts.clone();
    let overdue = open_overdue_days(&facts, &blocks, cal, as_of)?;
    // Group on integer codes of the keys; decode them at the end.
    let (facts, codes) = KeyCodes::encode(&facts)?;
    let keys = [
        col("center"),
        col("department"),
        col("window_id"),
        col("staff_id"),
        col("item_code"),
    ];
    let zero = || lit(0i64);
    let flag = |e: Expr| e.cast(DataType::Int64);
    let promised = col("n").gt_eq(lit(1));
    let with_legal = promised.clone().and(col("l").is_not_null());
    let pick = |cond: Expr, v: Expr| when(cond).then(v).otherwise(zero());

    let accepted = facts.clone().lazy().select(
        [col("acc").alias("date")]
            .into_iter()
            .chain(keys.clone())
            .chain([lit(1i64).alias("accepted")])
            .collect::<Vec<_>>(),
    );
    let completed_measures = [
        lit(1i64).alias("completed"),
        flag(col("n").eq(lit(0))).alias("completed_instant"),
        flag(promised.clone()).alias("completed_promised"),
        flag(promised.clone().and(col("elapsed").lt_eq(col("n")))).alias("on_time"),
        flag(promised.clone().and(col("elapsed").lt(col("n")))).alias("early"),
        flag(col("elapsed").gt(col("n"))).alias("overdue_completed"),
        flag(col("supplement").not()).alias("one_visit"),
        pick(promised.clone(), col("n")).alias("sum_promised"),
        pick(promised.clone(), col("elapsed")).alias("sum_elapsed_promised"),
        pick(with_legal.clone(), col("n")).alias("sum_promised_with_legal"),
        pick(with_legal, col("l")).alias("sum_legal"),
        col("elapsed").alias("sum_elapsed"),
    ];
    let completed = facts.clone().lazy().filter(col("comp").is_not_null());
    let completed_events = completed.clone().select(
        [col("comp").alias("date")]
            .into_iter()
            .chain(keys.clone())
            .chain(completed_measures)
            .collect::<Vec<_>>(),
    );
    let spec = RollupSpec {
        measures: &MEASURES,
        extra_keys: &[],
        levels,
        grains,
        as_of,
    };
    // Each kind of event carries only its own measures (summing zeros
    // costs as much as summing data); the day tables are aligned after.
    let day_of = |events: LazyFrame, own: &[&str]| -> Result<LazyFrame> {
        let measures: Vec<(&str, Roll)> = MEASURES
            .iter()
            .filter(|(m, _)| own.contains(m))
            .copied()
            .collect();
        let typed = events.with_columns(
            own.iter()
                .map(|m| col(*m).cast(DataType::Int64))
                .collect::<Vec<_>>(),
        );
        let day = day_table(
            typed,
            &RollupSpec {
                measures: &measures,
                ..spec
            },
        )?;
        let mut cols = vec![col("level"), col("key"), col("date")];
        cols.extend(MEASURES.iter().map(|(m, _)| {
            if own.contains(m) {
                col(*m)
            } else {
                lit(0i64).cast(DataType::Int64).alias(*m)
            }
        }));
        Ok(day.lazy().select(cols))
    };
    let completed_names: Vec<&str> = MEASURES
        .iter()
        .map(|(m, _)| *m)
        .filter(|m| !["accepted", "overdue_open"].contains(m))
        .collect();
    // Open-overdue days can be many: a case open for months counts every day.
    let overdue_events = overdue_frame(&facts, &overdue)?
        .lazy()
        .with_column(lit(1i64).alias("overdue_open"));
    let day = concat(
        [
            day_of(accepted, &["accepted"])?,
            day_of(completed_events, &completed_names)?,
            day_of(overdue_events, &["overdue_open"])?,
        ],
        UnionArgs::default(),
    )?
    .group_by([col("level"), col("key"), col("date")])
    .agg(
        MEASURES
            .iter()
            .map(|(m, _)| col(*m).sum())
            .collect::<Vec<_>>(),
    )
    .collect()?;
    // A period gets a row only where a case was accepted or completed in
    // it, or was open past its deadline at its end (docs/METRICS.md): a case
    // overdue on some days of a period but not at its end (a suspension
    // moved its deadline) leaves nothing.
    let sums = rollup_days(day, &spec)?
        .lazy()
        .filter((col("accepted") + col("completed") + col("overdue_open")).gt(lit(0i64)))
        .collect()?;

    // p90 of elapsed days from the rolled-up histogram of completed cases.
    let p90 = rollup_quantiles(
        completed.select(
            [col("comp").alias("date"), col("elapsed")]
                .into_iter()
                .chain(keys)
                .collect::<Vec<_>>(),
        ),
        "elapsed",
        &spec,
        &[(0.9, "p90_elapsed_days")],
    )?;
    let group = ["grain", "period", "level", "key"];
    let on: Vec<Expr> = group.iter().map(|k| col(*k)).collect();
    let out = sums
        .lazy()
        .join(p90.lazy(), on.clone(), on, JoinArgs::new(JoinType::Left))
        .with_columns([
            ratio(col("completed_instant"), col("completed")).alias("instant_rate"),
            ratio(col("on_time"), col("completed_promised")).alias("on_time_rate"),
            ratio(col("early"), col("completed_promised")).alias("early_rate"),
            (lit(1.0) - ratio(col("sum_promised_with_legal"), col("sum_legal")))
                .alias("promise_compression"),
            (lit(1.0) - ratio(col("sum_elapsed_promised"), col("sum_promised")))
                .alias("actual_speedup"),
            ratio(col("one_visit"), col("completed")).alias("one_visit_rate"),
            ratio(col("sum_elapsed"), col("completed")).alias("mean_elapsed_days"),
        ])
        .collect()?;
    let out = codes
        .decode(out)?
        .lazy()
        .select(COLUMNS.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .sort(
            ["grain", "period", "level", "key"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()?;
    Ok(out)
}

/// Every (case, day) on which a case was open at the end of the day and
/// past its extended deadline: `case_id, window_id, staff_id, date`.
pub fn overdue_open_cases(
    facts: &CaseFacts,
    cal: &Calendar,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let pairs = open_overdue_days(&facts.cases, &facts.blocks, cal, as_of)?;
    let rows: Vec<IdxSize> = pairs.iter().map(|(r, _)| *r as IdxSize).collect();
    let mut picked = facts
        .cases
        .select(["case_id", "window_id", "staff_id"])?
        .take(&IdxCa::from_vec("idx".into(), rows))?;
    picked.with_column(super::date_series(
        "date",
        pairs.iter().map(|(_, d)| Some(*d)),
    )?)?;
    Ok(picked)
}

/// The open-overdue (case, day) pairs as a frame with the case's keys.
fn overdue_frame(facts: &DataFrame, pairs: &[(usize, NaiveDate)]) -> Result<DataFrame> {
    let rows: Vec<IdxSize> = pairs.iter().map(|(r, _)| *r as IdxSize).collect();
    let idx = IdxCa::from_vec("idx".into(), rows);
    let mut picked = facts
        .select(["center", "department", "window_id", "staff_id", "item_code"])?
        .take(&idx)
        .map_err(anyhow::Error::from)
        .context("overdue rows")?;
    picked.with_column(super::date_series(
        "date",
        pairs.iter().map(|(_, d)| Some(*d)),
    )?)?;
    Ok(picked)
}
