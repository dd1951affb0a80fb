//! The case engine (办件时效): every case measured against its promised and
//! legal limits in working days, as of an evaluation date, and the
//! `case_metrics` table built from it.
//!
//! Working-day arithmetic is joins on the calendar frame (a cumulative
//! working-day index per date), never a loop over dates per case. The only
//! per-day walk is over the few cases that are open past their deadline,
//! to know on which days they were open and overdue.

use super::dense::{self, day_numbers, measure_index, Keep, Kind, LevelKeys, Value};
use super::period::Grain;
use super::rollup::{KeyCodes, Roll};
use super::WorkdayLookup;
use crate::calendar::Calendar;
use crate::polars_ext::{date_lit, date_series, epoch_date, epoch_days, opt_epoch_days, opt_i64s};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;

/// The stored tables the case engine reads.
pub struct CaseTables {
    pub cases: DataFrame,
    pub items: DataFrame,
    pub windows: DataFrame,
    pub suspensions: Option<DataFrame>,
}

const SUPPLEMENT: &str = "补正";

/// The columns of `cases` the case engine reads.
pub const CASE_COLUMNS: [&str; 9] = [
    "case_id",
    "item_code",
    "window_id",
    "staff_id",
    "accepted_at",
    "completed_at",
    "promised_limit_days",
    "legal_limit_days",
    // 补正次数 / 是否补正 of exports without a suspensions file.
    "supplements",
];

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
    let as_of_lit = date_lit(as_of);
    // 补正次数 / 是否补正 of the case export, where it has one.
    let supplements = match t.cases.column("supplements") {
        Ok(_) => col("supplements").cast(DataType::Int64),
        Err(_) => lit(NULL).cast(DataType::Int64).alias("supplements"),
    };
    let mut cases = t
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
            col("promised_limit_days")
                .cast(DataType::Int64)
                .alias("n_case"),
            col("legal_limit_days")
                .cast(DataType::Int64)
                .alias("l_case"),
            supplements,
        ])
        .filter(col("acc").lt_eq(as_of_lit.clone()))
        .with_column(
            when(col("comp_raw").lt_eq(as_of_lit))
                .then(col("comp_raw"))
                .otherwise(lit(NULL).cast(DataType::Date))
                .alias("comp"),
        )
        .collect()?;
    // In case id order. A store in that order already is checked in one
    // pass and not sorted; an export's ids are often not issued in time
    // order, so its cases are sorted here.
    if !is_sorted(cases.column("case_id")?.str()?) {
        cases = cases.sort(["case_id"], SortMultipleOptions::default())?;
    }
    // Per case, by lookups rather than joins (a join on the catalog would
    // first make a row per case and version): the catalog version in force
    // on the acceptance date, the window's department, the working-day
    // index of acceptance and completion, and the suspensions.
    let acc = opt_epoch_days(&cases, "acc")?;
    let comp = opt_epoch_days(&cases, "comp")?;
    let (n_cat, l_cat) = catalog_limits(&cases, &acc, &t.items)?;
    let department = departments(&cases, &t.windows)?;
    let days = WorkdayLookup::new(cal);
    let as_of_day = epoch_days(as_of);
    let a: Vec<Option<i64>> = acc.iter().map(|d| d.and_then(|d| days.widx(d))).collect();
    let c: Vec<Option<i64>> = comp.iter().map(|d| d.and_then(|d| days.widx(d))).collect();
    let end_ref: Vec<i32> = comp.iter().map(|d| d.unwrap_or(as_of_day)).collect();
    let ids = cases.column("case_id")?.str()?.clone();
    let susp = suspensions(t.suspensions.as_ref(), &ids, &acc, &end_ref, &days)?;
    let missing_a = a.iter().filter(|a| a.is_none()).count();
    if missing_a > 0 {
        anyhow::bail!("{missing_a} cases were accepted on a date the working-day calendar does not cover; load the year's official list with `xiaoneng calendar import FILE`");
    }
    // A completion the calendar cannot count would silently lose its elapsed days.
    let uncounted: Vec<usize> = (0..comp.len())
        .filter(|&i| comp[i].is_some() && c[i].is_none())
        .collect();
    if let Some(&first) = uncounted.first() {
        anyhow::bail!(
            "{} cases were completed on a date the working-day calendar does not cover (e.g. case {}); load the year's official list with `xiaoneng calendar import FILE`",
            uncounted.len(),
            ids.get(first).unwrap_or_default()
        );
    }
    let elapsed: Vec<Option<i64>> = (0..c.len())
        .map(|i| Some(c[i]? - a[i]? - susp.days[i]))
        .collect();
    cases.with_column(Column::new("n_cat".into(), n_cat))?;
    cases.with_column(Column::new("l_cat".into(), l_cat))?;
    cases.with_column(department)?;
    cases.with_column(Column::new("a".into(), a))?;
    cases.with_column(Column::new("susp_days".into(), susp.days))?;
    cases.with_column(Column::new("elapsed".into(), elapsed))?;
    // A 补正 is a suspension of that kind, or a count or flag the case
    // export carries (补正次数, 是否补正) without a suspension row.
    let counted: Vec<bool> = match cases.column("supplements") {
        Ok(_) => opt_i64s(&cases, "supplements")?
            .into_iter()
            .map(|n| n.is_some_and(|n| n > 0))
            .collect(),
        Err(_) => vec![false; cases.height()],
    };
    let supplement: Vec<bool> = susp
        .supplement
        .iter()
        .zip(counted)
        .map(|(s, c)| *s || c)
        .collect();
    cases.with_column(Column::new("supplement".into(), supplement))?;
    let out = cases
        .lazy()
        .with_columns([
            coalesce(&[col("n_case"), col("n_cat")]).alias("n"),
            coalesce(&[col("l_case"), col("l_cat")]).alias("l"),
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
            (col("n") + col("susp_days")).alias("ext"),
        ])
        .collect()?;
    Ok(CaseFacts {
        cases: out,
        blocks: susp.blocks,
    })
}

/// Whether a text column is in ascending order (nulls first).
fn is_sorted(ca: &StringChunked) -> bool {
    let mut prev: Option<Option<&str>> = None;
    for v in ca.iter() {
        if prev.is_some_and(|p| p > v) {
            return false;
        }
        prev = Some(v);
    }
    true
}

/// One limit per case (null where there is none).
type Limits = Vec<Option<i64>>;

/// Per case, the promised and legal limits of its item's catalog version
/// in force on its acceptance date: the latest version effective on or
/// before it, or the item's first version for a case accepted before any
/// (null for an item not in the catalog).
fn catalog_limits(
    cases: &DataFrame,
    acc: &[Option<i32>],
    items: &DataFrame,
) -> Result<(Limits, Limits)> {
    let codes = items.column("item_code")?.str()?;
    let from = items
        .column("effective_from")?
        .cast(&DataType::Date)?
        .cast(&DataType::Int32)?;
    let from = from.i32()?;
    let promised = items
        .column("promised_limit_days")?
        .cast(&DataType::Int64)?;
    let legal = items.column("legal_limit_days")?.cast(&DataType::Int64)?;
    let (promised, legal) = (promised.i64()?, legal.i64()?);
    type Version = (Option<i32>, Option<i64>, Option<i64>);
    let mut versions: PlHashMap<&str, Vec<Version>> = PlHashMap::new();
    for (i, code) in codes.iter().enumerate() {
        if let Some(code) = code {
            versions
                .entry(code)
                .or_default()
                .push((from.get(i), promised.get(i), legal.get(i)));
        }
    }
    for v in versions.values_mut() {
        v.sort_by_key(|(d, _, _)| *d);
    }
    let item = cases.column("item_code")?.str()?;
    let limits = crate::parallel::map_rows(cases.height(), |i| {
        let acc = acc[i];
        let version = item.get(i).and_then(|c| versions.get(c)).map(|v| {
            let in_force = v.partition_point(|(d, _, _)| d.zip(acc).is_some_and(|(d, a)| d <= a));
            v[in_force.saturating_sub(1)]
        });
        (version.and_then(|v| v.1), version.and_then(|v| v.2))
    });
    Ok(limits.into_iter().unzip())
}

/// Per case, the department of its window (null for an unknown window).
fn departments(cases: &DataFrame, windows: &DataFrame) -> Result<Column> {
    let names = windows.column("department")?.str()?;
    // The row of each window's department (the last row of a window id
    // listed twice): the text is taken from there, not copied per case.
    let of: PlHashMap<&str, IdxSize> = windows
        .column("window_id")?
        .str()?
        .iter()
        .zip(names.iter())
        .enumerate()
        .filter_map(|(row, (w, d))| Some((w?, d.map(|_| row as IdxSize)?)))
        .collect();
    let window = cases.column("window_id")?.str()?;
    let rows = crate::parallel::map_rows(cases.height(), |i| {
        window.get(i).and_then(|w| of.get(w).copied())
    });
    let department = names.take(&IdxCa::from_iter_options("row".into(), rows.into_iter()))?;
    Ok(department.with_name("department".into()).into_column())
}

/// The suspensions of the cases: per case (in the order of `ids`), the
/// working days suspended and whether it had a 补正; and the blocks.
struct Suspended {
    days: Vec<i64>,
    supplement: Vec<bool>,
    /// `case_id, s, e, days`, in case and start order.
    blocks: DataFrame,
}

/// Each case's suspensions clipped to (acceptance, end_ref] and merged
/// where they overlap (blocks: `case_id, s, e, days`, the working days in
/// s..=e), their working days summed per case, and whether the case had a
/// 补正 (whatever its dates).
fn suspensions(
    susp: Option<&DataFrame>,
    ids: &StringChunked,
    acc: &[Option<i32>],
    end_ref: &[i32],
    cal: &WorkdayLookup,
) -> Result<Suspended> {
    debug_assert!(is_sorted(ids), "the cases are in case id order");
    let n = ids.len();
    let mut days = vec![0i64; n];
    let mut supplement = vec![false; n];
    let (mut rows, mut bs, mut be, mut bd) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if let Some(susp) = susp.filter(|s| s.height() > 0) {
        let case = susp.column("case_id")?.str()?;
        let kind = susp.column("kind")?.str()?;
        let start = susp
            .column("start")?
            .cast(&DataType::Date)?
            .cast(&DataType::Int32)?;
        let end = susp
            .column("end")?
            .cast(&DataType::Date)?
            .cast(&DataType::Int32)?;
        let (start, end) = (start.i32()?, end.i32()?);
        // Merged with the cases (both in case id order), not hashed: a
        // probe per case costs more than the walk.
        let mut list: Vec<(&str, Option<i32>, Option<i32>, bool)> = case
            .iter()
            .zip(start.iter())
            .zip(end.iter())
            .zip(kind.iter())
            .filter_map(|(((c, s), e), k)| Some((c?, s, e, k == Some(SUPPLEMENT))))
            .collect();
        list.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut at = 0;
        let mut spans: Vec<(i32, i32)> = Vec::new();
        for (row, id) in ids.iter().enumerate() {
            let (Some(id), Some(acc)) = (id, acc[row]) else {
                continue;
            };
            while at < list.len() && list[at].0 < id {
                at += 1;
            }
            let mut to = at;
            while to < list.len() && list[to].0 == id {
                to += 1;
            }
            if to == at {
                continue;
            }
            let mine = &list[at..to];
            supplement[row] = mine.iter().any(|x| x.3);
            spans.clear();
            let end_ref = end_ref[row];
            for &(_, start, end, _) in mine {
                let s = start.map_or(acc + 1, |s| s.max(acc + 1));
                let e = end.map_or(end_ref, |e| e.min(end_ref));
                if s <= e {
                    spans.push((s, e));
                }
            }
            spans.sort_unstable();
            let mut k = 0;
            while k < spans.len() {
                let (s, mut e) = spans[k];
                k += 1;
                while k < spans.len() && spans[k].0 <= e {
                    e = e.max(spans[k].1);
                    k += 1;
                }
                let d = cal.workdays_inclusive(s, e).context(
                    "a suspension lies in a year the working-day calendar does not cover; load the year's official list with `xiaoneng calendar import FILE`",
                )?;
                days[row] += d;
                rows.push(row as IdxSize);
                bs.push(s);
                be.push(e);
                bd.push(d);
            }
        }
    }
    let case_id = ids.take(&IdxCa::from_vec("idx".into(), rows))?;
    let blocks = DataFrame::new(
        bd.len(),
        vec![
            case_id.with_name("case_id".into()).into_column(),
            Series::new("s".into(), bs).cast(&DataType::Date)?.into(),
            Series::new("e".into(), be).cast(&DataType::Date)?.into(),
            Series::new("days".into(), bd).into(),
        ],
    )?;
    Ok(Suspended {
        days,
        supplement,
        blocks,
    })
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
    let days = WorkdayLookup::new(cal);
    let day_numbers = |name: &str, df: &DataFrame| -> Result<Int32Chunked> {
        Ok(df
            .column(name)?
            .cast(&DataType::Date)?
            .cast(&DataType::Int32)?
            .i32()?
            .clone())
    };
    let (acc, comp) = (day_numbers("acc", facts)?, day_numbers("comp", facts)?);
    let (n, a) = (facts.column("n")?.i64()?, facts.column("a")?.i64()?);
    let ids = facts.column("case_id")?.str()?;
    // Suspension blocks by case id.
    let mut by_case: PlHashMap<&str, Vec<(i32, i32)>> = PlHashMap::new();
    let (bs, be) = (day_numbers("s", blocks)?, day_numbers("e", blocks)?);
    for (i, id) in blocks.column("case_id")?.str()?.iter().enumerate() {
        if let (Some(id), Some(s), Some(e)) = (id, bs.get(i), be.get(i)) {
            by_case.entry(id).or_default().push((s, e));
        }
    }
    let widx = |d: i32| {
        days.widx(d).with_context(|| {
            format!(
                "the working-day calendar does not cover {}; load the year's official list with `xiaoneng calendar import FILE`",
                epoch_date(d)
            )
        })
    };
    let as_of = epoch_days(as_of);
    // Runs of rows on both cores, joined in row order: the order one pass
    // would give.
    let runs = crate::parallel::row_runs(facts.height(), 16);
    let parts = crate::parallel::parallel_map(&runs, |run| -> Result<Vec<(usize, NaiveDate)>> {
        let (start, len) = (run.start as i64, run.len());
        let mut out = Vec::new();
        let (acc, comp) = (acc.slice(start, len), comp.slice(start, len));
        let (n, a, ids) = (
            n.slice(start, len),
            a.slice(start, len),
            ids.slice(start, len),
        );
        let rows = acc
            .iter()
            .zip(comp.iter())
            .zip(n.iter())
            .zip(a.iter())
            .zip(ids.iter());
        for (row, ((((acc, comp), n), a), id)) in (run.start..).zip(rows) {
            let (Some(acc), Some(n), Some(a)) = (acc, n, a) else {
                continue;
            };
            // Open at the end of each day E with acc ≤ E < completion (or ≤ as_of).
            let last_open = comp.map_or(as_of, |c| c - 1);
            if last_open <= acc {
                continue;
            }
            // Late once a working day after the deadline has begun: open and
            // overdue at the end of E when elapsed(A, E) > N (the rule of
            // overdue_completed), so a case due on Friday and open over the
            // weekend is overdue from Monday. Skip cases never open that long.
            if widx(last_open)? - a <= n {
                continue;
            }
            let blocks = id.and_then(|id| by_case.get(id));
            if blocks.is_none() {
                // No suspension: overdue from the (n+1)-th working day after
                // acceptance to the last day open.
                if let Some(from) = days.first_reaching(a + n + 1) {
                    out.extend((from.max(acc + 1)..=last_open).map(|e| (row, epoch_date(e))));
                    continue;
                }
            }
            for e in acc + 1..=last_open {
                let susp: i64 = match blocks {
                    Some(bl) => bl
                        .iter()
                        .filter(|(s, _)| *s <= e)
                        .map(|(s, end)| {
                            days.workdays_inclusive(*s, (*end).min(e))
                                .context("a suspension the working-day calendar does not cover")
                        })
                        .sum::<Result<i64>>()?,
                    None => 0,
                };
                let ext = n + susp;
                // More working days after acceptance up to E than the extended limit.
                if widx(e)? - a > ext {
                    out.push((row, epoch_date(e)));
                }
            }
        }
        Ok(out)
    });
    crate::parallel::joined(parts)
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

/// `case_metrics` for every grain and level, as of `as_of`.
pub fn case_metrics(t: &CaseTables, cal: &Calendar, as_of: NaiveDate) -> Result<DataFrame> {
    case_metrics_of(
        &case_facts(t, cal, as_of)?,
        cal,
        as_of,
        &Grain::ALL,
        &super::rollup::every_level(),
    )
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
    // Integer codes of the keys, decoded at the end.
    let (facts, codes) = KeyCodes::encode_levels(&facts, levels)?;
    let level_keys = LevelKeys::of(&facts, levels)?;
    let (acc, comp) = (day_numbers(&facts, "acc")?, day_numbers(&facts, "comp")?);
    let n = opt_i64s(&facts, "n")?;
    let l = opt_i64s(&facts, "l")?;
    let elapsed = opt_i64s(&facts, "elapsed")?;
    let supplement: Vec<bool> = facts
        .column("supplement")?
        .bool()?
        .iter()
        .map(|s| s.unwrap_or(false))
        .collect();
    // The measures of a completion (a null compares false and sums as 0).
    // Each on every core: two million cases, eleven measures.
    let per_case = |f: &(dyn Fn(usize) -> i64 + Sync)| -> Vec<i64> {
        crate::parallel::map_rows(facts.height(), f)
    };
    // The counts a byte per case (a flag), the sums eight.
    let flag_case = |f: &(dyn Fn(usize) -> bool + Sync)| -> Vec<bool> {
        crate::parallel::map_rows(facts.height(), f)
    };
    let promised = |i: usize| n[i].is_some_and(|n| n >= 1);
    let with_legal = |i: usize| promised(i) && l[i].is_some();
    let cmp = |i: usize, f: fn(i64, i64) -> bool| matches!((elapsed[i], n[i]), (Some(e), Some(n)) if f(e, n));
    let counted: Vec<(&str, Vec<bool>)> = vec![
        ("completed_instant", flag_case(&|i| n[i] == Some(0))),
        ("completed_promised", flag_case(&promised)),
        (
            "on_time",
            flag_case(&|i| promised(i) && cmp(i, |e, n| e <= n)),
        ),
        ("early", flag_case(&|i| promised(i) && cmp(i, |e, n| e < n))),
        ("overdue_completed", flag_case(&|i| cmp(i, |e, n| e > n))),
        ("one_visit", flag_case(&|i| !supplement[i])),
    ];
    let summed: Vec<(&str, Vec<i64>)> = vec![
        (
            "sum_promised",
            per_case(&|i| if promised(i) { n[i].unwrap_or(0) } else { 0 }),
        ),
        (
            "sum_elapsed_promised",
            per_case(&|i| {
                if promised(i) {
                    elapsed[i].unwrap_or(0)
                } else {
                    0
                }
            }),
        ),
        (
            "sum_promised_with_legal",
            per_case(&|i| if with_legal(i) { n[i].unwrap_or(0) } else { 0 }),
        ),
        (
            "sum_legal",
            per_case(&|i| if with_legal(i) { l[i].unwrap_or(0) } else { 0 }),
        ),
        ("sum_elapsed", per_case(&|i| elapsed[i].unwrap_or(0))),
    ];
    let measure = |name: &str| measure_index(&MEASURES, name);
    let mut completed = vec![(measure("completed"), Value::One)];
    completed.extend(
        counted
            .iter()
            .map(|(name, flags)| (measure(name), Value::Flag(flags))),
    );
    completed.extend(
        summed
            .iter()
            .map(|(name, values)| (measure(name), Value::Of(values))),
    );
    // Open-overdue days can be many: a case open for months counts every day.
    let overdue_rows: Vec<u32> = overdue.iter().map(|(r, _)| *r as u32).collect();
    let overdue_days: Vec<i32> = overdue.iter().map(|(_, d)| epoch_days(*d)).collect();
    let keep = [
        measure("accepted"),
        measure("completed"),
        measure("overdue_open"),
    ];
    // A period gets a row only where a case was accepted or completed in
    // it, or was open past its deadline at its end (docs/METRICS.md): a case
    // overdue on some days of a period but not at its end (a suspension
    // moved its deadline) leaves nothing.
    let sums = dense::rollup(&dense::Spec {
        measures: &MEASURES,
        levels: level_keys.levels(),
        kinds: vec![
            Kind {
                rows: None,
                days: &acc,
                measures: vec![(measure("accepted"), Value::One)],
            },
            Kind {
                rows: None,
                days: &comp,
                measures: completed,
            },
            Kind {
                rows: Some(&overdue_rows),
                days: &overdue_days,
                measures: vec![(measure("overdue_open"), Value::One)],
            },
        ],
        // p90 of the elapsed days of completed cases.
        quantiles: vec![dense::Quantiles {
            kind: 1,
            values: &elapsed,
            qs: &[(0.9, "p90_elapsed_days")],
        }],
        keep: Keep::Positive(&keep),
        grains,
        as_of,
    })?;
    // Rows stay in the order of the roll-up: grain, period, level and key
    // codes, which is the text order of the names (see `KeyCodes`).
    let out = sums
        .lazy()
        .with_columns(super::schema::CASES.rate_exprs())
        .collect()?;
    let out = codes
        .decode(out)?
        .lazy()
        .select(super::schema::CASES.select())
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
    picked.with_column(date_series("date", pairs.iter().map(|(_, d)| Some(*d)))?)?;
    Ok(picked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_takes_its_windows_department() {
        // W3 listed twice: its last row with a department counts; W2 has
        // none; W9 is no window.
        let windows = df!(
            "window_id" => [Some("W1"), Some("W2"), Some("W3"), Some("W3"), None],
            "department" => [Some("市场监管局"), None, Some("旧局"), Some("税务局"), Some("D")],
        )
        .unwrap();
        let cases = df!(
            "window_id" => [Some("W1"), Some("W9"), None, Some("W2"), Some("W3"), Some("W1")],
        )
        .unwrap();
        let department = departments(&cases, &windows).unwrap();
        let got: Vec<Option<&str>> = department.str().unwrap().iter().collect();
        assert_eq!(department.name().as_str(), "department");
        assert_eq!(
            got,
            [
                Some("市场监管局"),
                None,
                None,
                None,
                Some("税务局"),
                Some("市场监管局")
            ]
        );
    }

    #[test]
    fn a_case_takes_the_catalog_version_in_force_on_its_acceptance() {
        let d = |s: &str| epoch_days(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        let items = df!(
            "item_code" => ["I1", "I1", "I2"],
            "effective_from" => [
                NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
                NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            ],
            "promised_limit_days" => [Some(5i64), Some(10), Some(3)],
            "legal_limit_days" => [Some(15i64), Some(20), None],
        )
        .unwrap();
        let cases =
            df!("item_code" => [Some("I1"), Some("I1"), Some("I1"), Some("I2"), Some("I9"), None])
                .unwrap();
        // Before any version (the first applies), in the first, in the
        // second; an item without a legal limit; no item; none.
        let acc = [
            Some(d("2024-12-31")),
            Some(d("2025-02-28")),
            Some(d("2025-03-01")),
            Some(d("2025-06-01")),
            Some(d("2025-06-01")),
            Some(d("2025-06-01")),
        ];
        let (n, l) = catalog_limits(&cases, &acc, &items).unwrap();
        assert_eq!(n, [Some(10), Some(10), Some(5), Some(3), None, None]);
        assert_eq!(l, [Some(20), Some(20), Some(15), None, None, None]);
    }
}
