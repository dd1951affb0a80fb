//! The queue (叫号): waits, service times, no-shows, and queue jumps (插队)
//! found without comparing every pair of tickets.

use super::dense::{self, day_numbers, measure_index, Keep, Kind, LevelKeys, Value};
use super::period::Grain;
use super::rollup::{KeyCodes, Roll};
use super::WithDepartment;
use crate::polars_ext::{date_lit, date_series, millis, opt_f64s, opt_i64s};
use anyhow::Result;
use chrono::NaiveDateTime;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// Queue settings (`[queue]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueRules {
    /// A wait longer than this many minutes counts as over the target.
    pub wait_target_minutes: i64,
    /// A half hour of a weekday is crowded (`queue_hours.crowded`) when on
    /// an average such day of the period more than this many people
    /// waited longer than the target in it.
    pub crowded_over: u32,
}

impl Default for QueueRules {
    fn default() -> Self {
        QueueRules {
            wait_target_minutes: 30,
            crowded_over: 5,
        }
    }
}

/// The levels of `queue_metrics` beyond [`super::rollup::LEVELS`]: the
/// queue (the service, as `tickets.queue` names it) and the queue at one
/// calling window (key `<queue>/<window_id>`).
pub const QUEUE_LEVELS: [&str; 2] = ["queue", "queue_window"];

fn to_datetime(ms: i64) -> NaiveDateTime {
    chrono::DateTime::from_timestamp_millis(ms).map_or(NaiveDateTime::MIN, |t| t.naive_utc())
}

/// A called ticket: (queue code, issue day, called, issued within its
/// day, row), in milliseconds: 24 bytes, in the order of (queue, day,
/// called, issued, row).
type Call = (u32, i32, i64, u32, u32);

/// The most (queue, day) groups [`sort_calls`] counts into.
const MAX_GROUPS: usize = 1 << 22;

/// `calls` in their order (each is its own by its row: one order however
/// sorted). Grouped by (queue, day) first, counted into place in one pass
/// (a queue's day is a few hundred calls), then each group sorted on its
/// own: the sort of 2.2 million calls of a city year at once took half a
/// second of the queue's 2.5.
fn sort_calls(calls: &mut Vec<Call>) {
    let (Some(lo), Some(hi)) = (
        calls.iter().map(|c| c.1).min(),
        calls.iter().map(|c| c.1).max(),
    ) else {
        return;
    };
    let queues = calls.iter().map(|c| c.0 as usize + 1).max().unwrap_or(0);
    let days = usize::try_from(hi - lo).map_or(usize::MAX, |d| d + 1);
    let Some(groups) = queues.checked_mul(days).filter(|g| *g <= MAX_GROUPS) else {
        crate::parallel::sort_unstable_by(calls, |a, b| a.cmp(b));
        return;
    };
    let group = |c: &Call| c.0 as usize * days + (c.1 - lo) as usize;
    let mut starts = vec![0usize; groups + 1];
    for c in calls.iter() {
        starts[group(c) + 1] += 1;
    }
    for g in 0..groups {
        starts[g + 1] += starts[g];
    }
    let bounds = starts.clone();
    let mut sorted: Vec<Call> = vec![(0, 0, 0, 0, 0); calls.len()];
    for c in calls.iter() {
        let at = &mut starts[group(c)];
        sorted[*at] = *c;
        *at += 1;
    }
    for g in 0..groups {
        sorted[bounds[g]..bounds[g + 1]].sort_unstable();
    }
    *calls = sorted;
}

/// The queue jumps: a ticket T called while an earlier-issued ticket U of
/// the same queue and issue day was still waiting (U called after T),
/// neither a priority ticket. Per queue and day the tickets are walked in
/// call order from the last, keeping the earliest-issued ticket called
/// later: O(n log n), not all pairs. One row per jumping ticket, with the
/// earliest-issued ticket it skipped.
pub fn queue_jumps(tickets: &DataFrame) -> Result<DataFrame> {
    let ids = tickets.column("ticket_id")?.str()?;
    let queues = tickets.column("queue")?.str()?;
    let windows = tickets.column("window_id")?.str()?;
    let staff = tickets.column("staff_id")?.str()?;
    let priority = tickets.column("priority")?.bool()?;
    let (issued, called) = (millis(tickets, "issued_at")?, millis(tickets, "called_at")?);
    anyhow::ensure!(
        tickets.height() <= u32::MAX as usize,
        "too many tickets to look for jumps"
    );
    const DAY_MS: i64 = 86_400_000;
    // The calls of the non-priority called tickets, read in order from the
    // columns, the queue as an integer code (sorting on it, not the text).
    // A day too far from 1970 to count in an i32 (the ingest checks each
    // cell's year) is no day.
    let (queue_codes, _) = super::rollup::text_order_codes(queues);
    let mut calls: Vec<Call> = crate::memory::collect_sized(
        tickets.height(),
        priority
            .iter()
            .zip(queue_codes.iter().zip(issued.iter().zip(called.iter())))
            .enumerate()
            .filter_map(|(i, (priority, (queue, (issued, called))))| {
                if priority == Some(true) {
                    return None;
                }
                let issued = issued?;
                Some((
                    (*queue)?,
                    i32::try_from(issued.div_euclid(DAY_MS)).ok()?,
                    called?,
                    issued.rem_euclid(DAY_MS) as u32,
                    i as u32,
                ))
            }),
    );
    sort_calls(&mut calls);
    let mut jumps: Vec<(usize, usize)> = Vec::new();
    let mut end = calls.len();
    while end > 0 {
        let (queue, day) = (calls[end - 1].0, calls[end - 1].1);
        let mut start = end;
        while start > 0 && calls[start - 1].0 == queue && calls[start - 1].1 == day {
            start -= 1;
        }
        // Walk back; `earliest` is the earliest-issued ticket called later.
        let mut earliest: Option<(u32, usize)> = None;
        let mut k = end;
        while k > start {
            // Tickets called at the same moment are not "later" than each other.
            let called_at = calls[k - 1].2;
            let mut same = k;
            while same > start && calls[same - 1].2 == called_at {
                same -= 1;
            }
            for c in &calls[same..k] {
                if let Some((first_issued, row)) = earliest {
                    if first_issued < c.3 {
                        jumps.push((c.4 as usize, row));
                    }
                }
            }
            for c in &calls[same..k] {
                if earliest.is_none_or(|(e, _)| c.3 < e) {
                    earliest = Some((c.3, c.4 as usize));
                }
            }
            k = same;
        }
        end = start;
    }
    jumps.sort_unstable();
    // A jump's row: the jumping ticket's, or the skipped one's.
    type Pick = fn(&(usize, usize)) -> usize;
    let (jumping, skipped): (Pick, Pick) = (|j| j.0, |j| j.1);
    let dt = |name: &str, times: &Int64Chunked, pick: Pick| -> Result<Column> {
        let v: Vec<Option<i64>> = jumps.iter().map(|j| times.get(pick(j))).collect();
        Ok(Series::new(name.into(), v)
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
            .into())
    };
    let text = |name: &str, f: &dyn Fn(&(usize, usize)) -> Option<String>| -> Column {
        Column::new(name.into(), jumps.iter().map(f).collect::<Vec<_>>())
    };
    let s = |c: &StringChunked, i: usize| c.get(i).map(str::to_string);
    Ok(DataFrame::new(
        jumps.len(),
        vec![
            text("queue", &|(t, _)| s(queues, *t)),
            date_series(
                "date",
                jumps
                    .iter()
                    .map(|(t, _)| issued.get(*t).map(|ms| to_datetime(ms).date())),
            )?,
            text("ticket_id", &|(t, _)| s(ids, *t)),
            dt("issued_at", &issued, jumping)?,
            dt("called_at", &called, jumping)?,
            text("window_id", &|(t, _)| s(windows, *t)),
            text("staff_id", &|(t, _)| s(staff, *t)),
            text("skipped_ticket_id", &|(_, u)| s(ids, *u)),
            dt("skipped_issued_at", &issued, skipped)?,
            dt("skipped_called_at", &called, skipped)?,
        ],
    )?
    .sort(
        ["queue", "date", "called_at"],
        SortMultipleOptions::default(),
    )?)
}

/// The waits (called − issued, minutes) of the called tickets issued from
/// `from` to `to`.
pub fn waits_between(
    tickets: &DataFrame,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<f64>> {
    let waits = tickets
        .clone()
        .lazy()
        .filter(
            col("issued_at")
                .cast(DataType::Date)
                .gt_eq(date_lit(from))
                .and(col("issued_at").cast(DataType::Date).lt_eq(date_lit(to)))
                .and(col("called_at").is_not_null()),
        )
        .select([((col("called_at").cast(DataType::Int64)
            - col("issued_at").cast(DataType::Int64))
        .cast(DataType::Float64)
            / lit(60_000.0))
        .alias("wait")])
        .collect()?;
    Ok(opt_f64s(&waits, "wait")?.into_iter().flatten().collect())
}

/// The jumps of tickets issued from `from` to `to`.
pub fn jumps_between(
    jumps: &DataFrame,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<DataFrame> {
    Ok(jumps
        .clone()
        .lazy()
        .filter(
            col("date")
                .gt_eq(date_lit(from))
                .and(col("date").lt_eq(date_lit(to))),
        )
        .collect()?)
}

const MEASURES: [(&str, Roll); 10] = [
    ("tickets", Roll::Sum),
    ("called", Roll::Sum),
    ("served", Roll::Sum),
    ("no_shows", Roll::Sum),
    ("over_target", Roll::Sum),
    ("queue_jumps", Roll::Sum),
    ("sum_wait_s", Roll::Sum),
    ("max_wait_s", Roll::Max),
    ("sum_service_s", Roll::Sum),
    ("n_service", Roll::Sum),
];

/// `queue_metrics` for every grain and for staff, window, department,
/// center, queue and queue × window ([`QUEUE_LEVELS`]), by issue date.
/// Keys are the calling window and staff member; a ticket no window
/// called counts at the center and its queue only.
pub fn queue_metrics(
    tickets: &DataFrame,
    windows: &DataFrame,
    jumps: &DataFrame,
    rules: &QueueRules,
    as_of: chrono::NaiveDate,
) -> Result<DataFrame> {
    let jumped = jumps.column("ticket_id")?.as_materialized_series().clone();
    let seconds = |to: &str, from: &str| {
        ((col(to).cast(DataType::Int64) - col(from).cast(DataType::Int64)) / lit(1000i64))
            .clip_min(lit(0i64))
    };
    let facts = tickets
        .clone()
        .lazy()
        .with_department(windows)
        .filter(col("issued_at").cast(DataType::Date).lt_eq(date_lit(as_of)))
        // A call or finish after the evaluation date has not happened yet.
        .with_columns(["called_at", "finished_at"].map(|c| {
            when(col(c).cast(DataType::Date).lt_eq(date_lit(as_of)))
                .then(col(c))
                .otherwise(lit(NULL).cast(DataType::Datetime(TimeUnit::Milliseconds, None)))
                .alias(c)
        }))
        .with_columns([
            col("issued_at").cast(DataType::Date).alias("date"),
            seconds("called_at", "issued_at").alias("wait_s"),
            seconds("finished_at", "called_at").alias("service_s"),
            col("ticket_id")
                .is_in(lit(jumped).implode(false), false)
                .alias("is_jump"),
        ])
        .select([
            col("date"),
            col("queue"),
            col("department"),
            col("window_id"),
            col("staff_id"),
            col("wait_s"),
            col("service_s"),
            col("is_jump"),
            col("called_at").is_not_null().alias("is_called"),
            col("finished_at").is_not_null().alias("is_served"),
        ])
        .collect()?;
    let (facts, mut codes) = KeyCodes::encode(&facts)?;
    let levels = ["center", "department", "window", "staff"];
    let [queue, queue_window] = QUEUE_LEVELS;
    let queues = codes.add_level(queue, facts.column("queue")?.str()?)?;
    let windows: Vec<Option<u32>> =
        crate::polars_ext::options_of(facts.column("window_id")?.u32()?);
    // "queue/window"; none where no window called the ticket: not at that
    // level.
    let queue_windows =
        codes.add_joined_level(queue_window, (queue, &queues), ("window", &windows))?;
    let level_keys = LevelKeys::of(&facts, &levels)?
        .with(queue, queues)
        .with(queue_window, queue_windows);
    let days = day_numbers(&facts, "date")?;
    let flags = |c: &str| -> Result<Vec<bool>> {
        Ok(facts
            .column(c)?
            .bool()?
            .iter()
            .map(|b| b.unwrap_or(false))
            .collect())
    };
    let (called, served, jump) = (flags("is_called")?, flags("is_served")?, flags("is_jump")?);
    let wait = opt_i64s(&facts, "wait_s")?;
    let service = opt_i64s(&facts, "service_s")?;
    let target_s = rules.wait_target_minutes * 60;
    // The counts a byte per ticket.
    let no_shows: Vec<bool> = (0..facts.height())
        .map(|i| called[i] && !served[i])
        .collect();
    let over_target: Vec<bool> = wait
        .iter()
        .map(|w| w.is_some_and(|w| w > target_s))
        .collect();
    let n_service: Vec<bool> = service.iter().map(Option::is_some).collect();
    let measure = |name: &str| measure_index(&MEASURES, name);
    // Waits and service times are in seconds: quantiles of the values
    // themselves, not of a histogram.
    let sums = dense::rollup(&dense::Spec {
        measures: &MEASURES,
        levels: level_keys.levels(),
        kinds: vec![Kind {
            rows: None,
            days: &days,
            measures: vec![
                (measure("tickets"), Value::One),
                (measure("called"), Value::Flag(&called)),
                (measure("served"), Value::Flag(&served)),
                (measure("no_shows"), Value::Flag(&no_shows)),
                (measure("over_target"), Value::Flag(&over_target)),
                (measure("queue_jumps"), Value::Flag(&jump)),
                (measure("sum_wait_s"), Value::Opt(&wait)),
                (measure("max_wait_s"), Value::Opt(&wait)),
                (measure("sum_service_s"), Value::Opt(&service)),
                (measure("n_service"), Value::Flag(&n_service)),
            ],
        }],
        quantiles: vec![
            dense::Quantiles {
                kind: 0,
                values: &wait,
                qs: &[(0.5, "wait_median_s"), (0.9, "wait_p90_s")],
            },
            dense::Quantiles {
                kind: 0,
                values: &service,
                qs: &[(0.9, "service_p90_s")],
            },
        ],
        keep: Keep::AnyEvent,
        grains: &Grain::ALL,
        as_of,
    })?;
    let minutes = |e: Expr| e.cast(DataType::Float64) / lit(60.0);
    let out = sums
        .lazy()
        .with_columns(super::schema::QUEUE.rate_exprs())
        .with_columns([
            minutes(col("wait_median_s")).alias("wait_median_min"),
            minutes(col("wait_p90_s")).alias("wait_p90_min"),
            minutes(col("max_wait_s")).alias("wait_max_min"),
            minutes(col("service_p90_s")).alias("service_p90_min"),
        ])
        .collect()?;
    // The roll-up's order (grain, period, level, key code) is the text
    // order of the names.
    Ok(codes
        .decode(out)?
        .lazy()
        .select(super::schema::QUEUE.select())
        .collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers below `n` from a linear congruential generator seeded with `seed`.
    fn random(mut seed: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        }
    }

    #[test]
    fn calls_counted_into_groups_come_in_the_order_of_one_sort() {
        // Random calls: few queues and days (counted into groups), then
        // days too far apart to count (the one sort).
        let mut next = random(7);
        for spread in [30, 1 << 30] {
            let mut calls: Vec<Call> = (0..5000)
                .map(|row| {
                    let day = 20_000 + (next(spread) as i32);
                    let issued = next(1000) as u32;
                    let called = i64::from(day) * 86_400_000 + i64::from(issued);
                    (next(4) as u32, day, called + next(50) as i64, issued, row)
                })
                .collect();
            let mut once = calls.clone();
            once.sort_unstable();
            sort_calls(&mut calls);
            assert_eq!(calls, once);
        }
        let mut none: Vec<Call> = Vec::new();
        sort_calls(&mut none);
        assert!(none.is_empty());
    }

    fn tickets(rows: &[(&str, &str, i64, Option<i64>, bool)]) -> DataFrame {
        // (id, queue, issued minute, called minute, priority), all on 2026-10-09.
        let base = chrono::NaiveDate::from_ymd_opt(2026, 10, 9)
            .unwrap()
            .and_hms_opt(8, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        let at = |m: i64| base + m * 60_000;
        DataFrame::new(
            rows.len(),
            vec![
                Column::new(
                    "ticket_id".into(),
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                ),
                Column::new("queue".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
                Series::new(
                    "issued_at".into(),
                    rows.iter().map(|r| at(r.2)).collect::<Vec<_>>(),
                )
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap()
                .into(),
                Series::new(
                    "called_at".into(),
                    rows.iter().map(|r| r.3.map(at)).collect::<Vec<_>>(),
                )
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap()
                .into(),
                Column::new(
                    "window_id".into(),
                    rows.iter().map(|_| "W01").collect::<Vec<_>>(),
                ),
                Column::new(
                    "staff_id".into(),
                    rows.iter().map(|_| "1001").collect::<Vec<_>>(),
                ),
                Column::new(
                    "priority".into(),
                    rows.iter().map(|r| r.4).collect::<Vec<_>>(),
                ),
            ],
        )
        .unwrap()
    }

    fn jump_pairs(df: &DataFrame) -> Vec<(String, String)> {
        let t = df.column("ticket_id").unwrap().str().unwrap();
        let u = df.column("skipped_ticket_id").unwrap().str().unwrap();
        t.iter()
            .zip(u.iter())
            .map(|(a, b)| (a.unwrap().to_string(), b.unwrap().to_string()))
            .collect()
    }

    /// The definition, pair by pair.
    fn naive(rows: &[(&str, &str, i64, Option<i64>, bool)]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for t in rows.iter().filter(|t| !t.4 && t.3.is_some()) {
            let skipped = rows
                .iter()
                .filter(|u| {
                    !u.4 && u.1 == t.1 && u.2 < t.2 && u.3.is_some_and(|c| c > t.3.unwrap())
                })
                .min_by_key(|u| (u.2, u.0));
            if let Some(u) = skipped {
                out.push((t.0.to_string(), u.0.to_string()));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn priority_tickets_neither_jump_nor_are_skipped() {
        let rows = [
            ("A1", "A", 0, Some(10), false),
            ("A2", "A", 1, Some(5), true),  // priority: not a jump
            ("A3", "A", 2, Some(8), false), // called before A1 (issued earlier): a jump over A1
            ("A4", "A", 3, None, false),    // never called: skips nobody, skipped by nobody
            ("B1", "B", 0, Some(20), false),
            ("B2", "B", 1, Some(21), false),
        ];
        let got = jump_pairs(&queue_jumps(&tickets(&rows)).unwrap());
        assert_eq!(got, vec![("A3".to_string(), "A1".to_string())]);
        assert_eq!(got, naive(&rows));
    }

    #[test]
    fn matches_the_all_pairs_definition_on_random_days() {
        let mut next = random(42);
        for _ in 0..50 {
            let n = 1 + next(40) as usize;
            let ids: Vec<String> = (0..n).map(|i| format!("T{i:02}")).collect();
            let rows: Vec<(&str, &str, i64, Option<i64>, bool)> = (0..n)
                .map(|i| {
                    let issued = next(60) as i64;
                    let called = (next(10) > 0).then(|| issued + next(30) as i64);
                    (
                        ids[i].as_str(),
                        if next(2) == 0 { "A" } else { "B" },
                        issued,
                        called,
                        next(10) == 0,
                    )
                })
                .collect();
            let mut got = jump_pairs(&queue_jumps(&tickets(&rows)).unwrap());
            got.sort();
            let want = naive(&rows);
            // The same jumping tickets; the skipped one may differ only
            // between tickets issued in the same minute.
            assert_eq!(
                got.iter().map(|p| &p.0).collect::<Vec<_>>(),
                want.iter().map(|p| &p.0).collect::<Vec<_>>(),
                "{rows:?}"
            );
            let row = |id: &str| *rows.iter().find(|r| r.0 == id).unwrap();
            for ((t, u), (_, w)) in got.iter().zip(&want) {
                let (t, u, w) = (row(t), row(u), row(w));
                assert!(
                    u.1 == t.1 && u.2 < t.2 && u.3.unwrap() > t.3.unwrap() && u.2 == w.2,
                    "{t:?} {u:?}"
                );
            }
        }
    }
}
