//! Every step watched (每个环节全程监控): each step of a case measured in
//! working days against its limit, `step_metrics` for every grain, step
//! cards, and the bottleneck of each item (where the next 流程再造 round
//! should cut). Definitions: docs/METRICS.md, "Steps".
//!
//! Like the case engine, working days are joins on the cumulative
//! working-day index; suspended days inside a step come from the case's
//! merged suspension blocks, one join per (step, block).

use super::cards::{Card, CardRules};
use super::cases::CaseFacts;
use super::dense::{self, day_numbers, measure_index, Keep, Kind, LevelKeys, Value, NO_DAY};
use super::period::{Grain, Period};
use super::rollup::{every_level, KeyCodes, Roll};
use super::{workday_frame, WithWorkdayIndex};
use crate::calendar::Calendar;
use crate::polars_ext::{date_lit, dates_of, opt_i64s};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

const MEASURES: [(&str, Roll); 8] = [
    ("steps", Roll::Sum),
    ("with_limit", Roll::Sum),
    ("overdue_steps", Roll::Sum),
    ("sum_elapsed", Roll::Sum),
    ("limit_days_sum", Roll::Sum),
    ("share_steps", Roll::Sum),
    ("share_step_days", Roll::Sum),
    ("share_case_days", Roll::Sum),
];

/// Per step of a case accepted by `as_of` and started by then:
/// `case_id, seq, step, staff_id` (the handler), `item_code, window_id,
/// department, acc, comp` (the case's completion, null while open),
/// `case_elapsed`, `start`, `finish` (null while open), `elapsed` (up to
/// as_of while open), `susp` (suspended working days inside the step),
/// `limit` (null if none), `overdue`.
pub fn step_facts(
    steps: &DataFrame,
    item_steps: Option<&DataFrame>,
    case: &CaseFacts,
    cal: &Calendar,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let wd = workday_frame(cal)?.lazy();
    let as_of_lit = date_lit(as_of);
    let base = steps
        .clone()
        .lazy()
        .select([
            col("case_id"),
            col("seq"),
            col("step"),
            col("staff_id"),
            col("started_at").cast(DataType::Date).alias("start"),
            col("finished_at").cast(DataType::Date).alias("fin_raw"),
            col("limit_days").alias("own_limit"),
        ])
        .filter(col("start").lt_eq(as_of_lit.clone()))
        .join(
            case.cases.clone().lazy().select([
                col("case_id"),
                col("item_code"),
                col("window_id"),
                col("department"),
                col("acc"),
                col("comp"),
                col("elapsed").alias("case_elapsed"),
            ]),
            [col("case_id")],
            [col("case_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_columns([
            when(col("fin_raw").lt_eq(as_of_lit.clone()))
                .then(col("fin_raw"))
                .otherwise(lit(NULL).cast(DataType::Date))
                .alias("finish"),
            coalesce(&[
                when(col("fin_raw").lt_eq(as_of_lit.clone()))
                    .then(col("fin_raw"))
                    .otherwise(lit(NULL).cast(DataType::Date)),
                as_of_lit,
            ])
            .alias("end_ref"),
        ])
        .with_row_index("row", None);
    let base = base
        .with_widx(&wd, "start", "ws")
        .with_widx(&wd, "end_ref", "we")
        .collect()?;

    // Suspended working days inside each step: the case's merged blocks
    // [s, e] against (start, end_ref].
    let one_day = lit(1i64).cast(DataType::Int32);
    let susp = base
        .clone()
        .lazy()
        .select([col("row"), col("case_id"), col("start"), col("end_ref")])
        .join(
            case.blocks.clone().lazy(),
            [col("case_id")],
            [col("case_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_columns([
            super::cases::later(
                (col("s").cast(DataType::Int32) - one_day).cast(DataType::Date),
                col("start"),
            )
            .alias("lo"),
            super::cases::earlier(col("e"), col("end_ref")).alias("hi"),
        ])
        .filter(col("hi").gt(col("lo")))
        .with_widx(&wd, "lo", "wlo")
        .with_widx(&wd, "hi", "whi")
        .group_by([col("row")])
        .agg([(col("whi") - col("wlo")).sum().alias("susp")]);

    // The catalog's step limit in force on the acceptance date.
    let catalog = item_steps.map(|cat| {
        base.clone()
            .lazy()
            .select([col("row"), col("item_code"), col("step"), col("acc")])
            .join(
                cat.clone().lazy().select([
                    col("item_code"),
                    col("step"),
                    col("limit_days").alias("cat_limit"),
                    col("effective_from"),
                ]),
                [col("item_code"), col("step")],
                [col("item_code"), col("step")],
                JoinArgs::new(JoinType::Inner),
            )
            .filter(col("effective_from").lt_eq(col("acc")))
            .sort(["row", "effective_from"], SortMultipleOptions::default())
            .group_by([col("row")])
            .agg([col("cat_limit").last()])
    });
    let mut out = base.lazy().join(
        susp,
        [col("row")],
        [col("row")],
        JoinArgs::new(JoinType::Left),
    );
    out = match catalog {
        Some(c) => out.join(c, [col("row")], [col("row")], JoinArgs::new(JoinType::Left)),
        None => out.with_column(lit(NULL).cast(DataType::Int64).alias("cat_limit")),
    };
    let out = out
        .with_columns([
            col("susp").fill_null(lit(0i64)).alias("susp"),
            coalesce(&[col("own_limit"), col("cat_limit").cast(DataType::Int64)]).alias("limit"),
        ])
        .with_column((col("we") - col("ws") - col("susp")).alias("elapsed"))
        .with_column(
            col("elapsed")
                .gt(col("limit"))
                .fill_null(lit(false))
                .alias("overdue"),
        )
        .select([
            col("case_id"),
            col("seq"),
            col("step"),
            col("staff_id"),
            col("item_code"),
            col("window_id"),
            col("department"),
            col("acc"),
            col("comp"),
            col("case_elapsed"),
            col("start"),
            col("finish"),
            col("elapsed"),
            col("susp"),
            col("limit"),
            col("overdue"),
        ])
        .sort(["case_id", "seq"], SortMultipleOptions::default())
        .collect()?;
    Ok(out)
}

/// `step_metrics` for every grain; levels center, department, window,
/// staff and `item_step` (key `<item_code>/<step>`).
pub fn step_metrics(facts: &DataFrame, as_of: NaiveDate) -> Result<DataFrame> {
    let keyed = facts
        .clone()
        .lazy()
        .with_column(concat_str([col("item_code"), col("step")], "/", false).alias("item_code"))
        .collect()?;
    let (keyed, codes) = KeyCodes::encode(&keyed)?;
    let level_keys = LevelKeys::of(&keyed, &every_level())?;
    let finish = day_numbers(&keyed, "finish")?;
    // A finished step of a completed case counts in the shares on the
    // case's completion day.
    let shared: Vec<i32> = day_numbers(&keyed, "comp")?
        .into_iter()
        .zip(&finish)
        .map(|(c, f)| if *f == NO_DAY { NO_DAY } else { c })
        .collect();
    let elapsed = opt_i64s(&keyed, "elapsed")?;
    let limit = opt_i64s(&keyed, "limit")?;
    let zero_null = |v: &[Option<i64>]| -> Vec<i64> { v.iter().map(|v| v.unwrap_or(0)).collect() };
    let with_limit: Vec<bool> = limit.iter().map(Option::is_some).collect();
    let overdue: Vec<bool> = keyed
        .column("overdue")?
        .bool()?
        .iter()
        .map(|o| o.unwrap_or(false))
        .collect();
    let (elapsed_days, limit_days) = (zero_null(&elapsed), zero_null(&limit));
    let case_days = zero_null(&opt_i64s(&keyed, "case_elapsed")?);
    let measure = |name: &str| measure_index(&MEASURES, name);
    let sums = dense::rollup(&dense::Spec {
        measures: &MEASURES,
        levels: level_keys.levels(),
        kinds: vec![
            Kind {
                rows: None,
                days: &finish,
                measures: vec![
                    (measure("steps"), Value::One),
                    (measure("with_limit"), Value::Flag(&with_limit)),
                    (measure("overdue_steps"), Value::Flag(&overdue)),
                    (measure("sum_elapsed"), Value::Of(&elapsed_days)),
                    (measure("limit_days_sum"), Value::Of(&limit_days)),
                ],
            },
            Kind {
                rows: None,
                days: &shared,
                measures: vec![
                    (measure("share_steps"), Value::One),
                    (measure("share_step_days"), Value::Of(&elapsed_days)),
                    (measure("share_case_days"), Value::Of(&case_days)),
                ],
            },
        ],
        quantiles: vec![dense::Quantiles {
            kind: 0,
            values: &elapsed,
            qs: &[(0.9, "p90_elapsed_days")],
        }],
        keep: Keep::AnyEvent,
        grains: &Grain::ALL,
        as_of,
    })?;
    let out = sums
        .lazy()
        .with_columns(super::schema::STEPS.rate_exprs())
        .collect()?;
    // The roll-up's order (grain, period, level, key code) is the text
    // order of the names, `item_step` in the place of `item`.
    Ok(codes
        .decode(out)?
        .lazy()
        .with_column(
            when(col("level").eq(lit("item")))
                .then(lit("item_step"))
                .otherwise(col("level"))
                .alias("level"),
        )
        .select(super::schema::STEPS.select())
        .collect()?)
}

/// The cards of the open steps with a limit, as of `as_of`, on their
/// handlers (see docs/METRICS.md).
pub fn step_cards_due(
    facts: &DataFrame,
    cal: &Calendar,
    as_of: NaiveDate,
    rules: &CardRules,
) -> Result<Vec<Card>> {
    let open = facts
        .clone()
        .lazy()
        .filter(col("finish").is_null().and(col("limit").is_not_null()))
        .collect()?;
    let start = dates_of(open.column("start")?)?;
    let (limit, susp) = (open.column("limit")?.i64()?, open.column("susp")?.i64()?);
    let (ids, seq) = (open.column("case_id")?.str()?, open.column("seq")?.i64()?);
    let names = open.column("step")?.str()?;
    let windows = open.column("window_id")?.str()?;
    let staff = open.column("staff_id")?.str()?;
    let mut out = Vec::new();
    for (i, start) in start.into_iter().enumerate() {
        let (Some(s), Some(n), Some(susp)) = (start, limit.get(i), susp.get(i)) else {
            continue;
        };
        let Some((colour, deadline, remaining)) =
            super::cards::judge(cal, s, n + susp, as_of, rules)?
        else {
            continue;
        };
        out.push(Card {
            case_id: ids.get(i).unwrap_or_default().to_string(),
            step: Some(format!(
                "{} {}",
                seq.get(i).unwrap_or_default(),
                names.get(i).unwrap_or_default()
            )),
            window_id: windows.get(i).unwrap_or_default().to_string(),
            staff_id: staff.get(i).map(str::to_string),
            colour,
            deadline,
            deadline_provisional: cal.is_provisional(deadline),
            remaining,
        });
    }
    Ok(out)
}

/// One line of the bottleneck table.
#[derive(Debug, Clone, PartialEq)]
pub struct Bottleneck {
    pub item_code: String,
    pub step: String,
    pub share_of_case: f64,
    pub cases: i64,
    pub mean_days: f64,
    pub others_mean_days: Option<f64>,
    pub days_saved: f64,
}

/// Per item, the step that holds its cases longest in `period` (from the
/// `item_step` rows of `step_metrics`), with the days a cut to the item's
/// average other step would have saved; largest saving first.
pub fn bottlenecks(step_metrics: &DataFrame, period: &Period) -> Result<Vec<Bottleneck>> {
    let rows = step_metrics
        .clone()
        .lazy()
        .filter(
            col("level")
                .eq(lit("item_step"))
                .and(period.holds_row())
                .and(col("share_steps").gt(lit(0))),
        )
        .select([
            col("key"),
            col("share_steps").cast(DataType::Int64),
            col("share_step_days").cast(DataType::Int64),
            col("share_of_case"),
        ])
        .collect()?;
    let keys = rows.column("key")?.str()?;
    let n = rows.column("share_steps")?.i64()?;
    let days = rows.column("share_step_days")?.i64()?;
    let share = rows.column("share_of_case")?.f64()?;
    // item → (step, steps, days, share)
    let mut items: std::collections::BTreeMap<String, Vec<(String, i64, i64, f64)>> =
        std::collections::BTreeMap::new();
    for i in 0..rows.height() {
        let key = keys.get(i).unwrap_or_default();
        let (item, step) = key.split_once('/').unwrap_or((key, ""));
        items.entry(item.to_string()).or_default().push((
            step.to_string(),
            n.get(i).unwrap_or(0),
            days.get(i).unwrap_or(0),
            share.get(i).unwrap_or(0.0),
        ));
    }
    let mut out: Vec<Bottleneck> = items
        .into_iter()
        .filter_map(|(item, steps)| {
            let mean = |s: &(String, i64, i64, f64)| s.2 as f64 / s.1 as f64;
            let b = steps.iter().max_by(|a, b| {
                a.3.total_cmp(&b.3)
                    .then(mean(a).total_cmp(&mean(b)))
                    .then(b.0.cmp(&a.0))
            })?;
            let (other_n, other_days) = steps
                .iter()
                .filter(|s| s.0 != b.0)
                .fold((0i64, 0i64), |acc, s| (acc.0 + s.1, acc.1 + s.2));
            let others_mean_days = (other_n > 0).then(|| other_days as f64 / other_n as f64);
            let days_saved =
                others_mean_days.map_or(0.0, |o| (b.2 as f64 - b.1 as f64 * o).max(0.0));
            Some(Bottleneck {
                item_code: item,
                step: b.0.clone(),
                share_of_case: b.3,
                cases: b.1,
                mean_days: mean(b),
                others_mean_days,
                days_saved,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.days_saved
            .total_cmp(&a.days_saved)
            .then(a.item_code.cmp(&b.item_code))
    });
    Ok(out)
}

/// The bottleneck table as a frame (with the item names, if given).
pub fn bottleneck_frame(rows: &[Bottleneck], items: Option<&DataFrame>) -> Result<DataFrame> {
    let mut names = std::collections::HashMap::new();
    if let Some(items) = items {
        let (codes, n) = (
            items.column("item_code")?.str()?,
            items.column("name")?.str()?,
        );
        for (c, n) in codes.iter().zip(n.iter()) {
            if let (Some(c), Some(n)) = (c, n) {
                names.insert(c.to_string(), n.to_string());
            }
        }
    }
    Ok(df!(
        "item_code" => rows.iter().map(|r| r.item_code.clone()).collect::<Vec<_>>(),
        "item_name" => rows.iter().map(|r| names.get(&r.item_code).cloned()).collect::<Vec<_>>(),
        "step" => rows.iter().map(|r| r.step.clone()).collect::<Vec<_>>(),
        "share_of_case" => rows.iter().map(|r| r.share_of_case).collect::<Vec<_>>(),
        "cases" => rows.iter().map(|r| r.cases).collect::<Vec<_>>(),
        "mean_days" => rows.iter().map(|r| r.mean_days).collect::<Vec<_>>(),
        "others_mean_days" => rows.iter().map(|r| r.others_mean_days).collect::<Vec<_>>(),
        "days_saved" => rows.iter().map(|r| r.days_saved).collect::<Vec<_>>(),
    )?)
}
