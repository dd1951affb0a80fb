//! `queue_hours` (分时段等候): when people wait. The tickets of a month,
//! two months, quarter or year by the half hour of the day and the weekday
//! of their issue time, at the center and per queue: tickets, waits (mean,
//! p90), how many waited longer than the target, and that count on an
//! average day of the weekday, which makes a half hour crowded past
//! `[queue] crowded_over`. The bulletin draws the table as a heat map and
//! names the crowded half hours ([`crowded_spans`]).
//!
//! The roll-up is the dense one of the other queue figures: each (key,
//! weekday, half hour) present is one key code of its level, so the cells
//! of the table are its (period, key) cells and the p90 is read as the
//! other p90s are.

use super::dense::{self, measure_index, Keep, Kind, Level, Value, NO_KEY};
use super::period::Grain;
use super::queue::QueueRules;
use super::rollup::{text_order_codes, Roll};
use crate::polars_ext::{epoch_days, i64s, opt_millis, strings};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;

/// The length of a slot of the day, in minutes.
pub const SLOT_MINUTES: u32 = 30;

/// The grains of `queue_hours`: those of the bulletins and rankings (a
/// day or a week holds each weekday once: a heat map of it says little).
pub const GRAINS: [Grain; 4] = [Grain::Month, Grain::Bimonth, Grain::Quarter, Grain::Year];

/// The levels of `queue_hours`.
pub const LEVELS: [&str; 2] = ["center", "queue"];

/// 周一 … 周日, weekday 1 … 7.
pub const WEEKDAY_NAMES: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];

const DAY_MS: i64 = 86_400_000;

/// The slot of the day of an instant (milliseconds since 1970-01-01
/// 00:00, the local time as stored): 0 for 00:00–00:29:59.999, 17 for
/// 08:30–08:59:59.999 … 47. A slot holds its start, not its end.
pub fn slot_of(ms: i64) -> u32 {
    (ms.rem_euclid(DAY_MS) / (i64::from(SLOT_MINUTES) * 60_000)) as u32
}

/// A slot's label: its start, `08:30`.
pub fn slot_label(slot: u32) -> String {
    let m = slot * SLOT_MINUTES;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A span of slots as read: `09:30–11:00` (the end is the last slot's end).
pub fn span_label(first: u32, last: u32) -> String {
    format!("{}–{}", slot_label(first), slot_label(last + 1))
}

/// The ISO weekday (1 = Monday … 7 = Sunday) of a day counted from
/// 1970-01-01, a Thursday.
pub fn weekday_of(day: i32) -> u32 {
    ((day + 3).rem_euclid(7) + 1) as u32
}

/// 周一 … 周日 of an ISO weekday.
pub fn weekday_name(weekday: u32) -> &'static str {
    WEEKDAY_NAMES[(weekday.clamp(1, 7) - 1) as usize]
}

/// Whether a half hour is crowded: over `days` days, more than `over`
/// people a day on average waited longer than the target
/// (`over_target / days > over`, compared in whole numbers).
pub fn is_crowded(over_target: i64, days: i64, over: u32) -> bool {
    days > 0 && over_target > i64::from(over) * days
}

const MEASURES: [(&str, Roll); 4] = [
    ("tickets", Roll::Sum),
    ("called", Roll::Sum),
    ("over_target", Roll::Sum),
    ("sum_wait_s", Roll::Sum),
];

/// The facts of the tickets a table is built from: the day, weekday and
/// slot of each ticket issued by `as_of`, its queue's code, and its wait
/// in whole seconds when it was called by then.
struct Facts {
    days: Vec<i32>,
    weekdays: Vec<u32>,
    slots: Vec<u32>,
    queues: Vec<Option<u32>>,
    waits: Vec<Option<i64>>,
    queue_names: Vec<String>,
}

impl Facts {
    fn of(tickets: &DataFrame, as_of: NaiveDate) -> Result<Facts> {
        let cut = epoch_days(as_of);
        let issued = opt_millis(tickets, "issued_at")?;
        let called = opt_millis(tickets, "called_at")?;
        let queue_text = tickets.column("queue")?.cast(&DataType::String)?;
        let (queue_codes, queue_names) = text_order_codes(queue_text.str()?);
        let day_of = |ms: i64| ms.div_euclid(DAY_MS) as i32;
        let mut f = Facts {
            days: Vec::new(),
            weekdays: Vec::new(),
            slots: Vec::new(),
            queues: Vec::new(),
            waits: Vec::new(),
            queue_names,
        };
        for (i, issued) in issued.iter().enumerate() {
            let Some(at) = issued.filter(|ms| day_of(*ms) <= cut) else {
                continue;
            };
            let day = day_of(at);
            // A call after the evaluation date has not happened yet.
            let call = called[i].filter(|c| day_of(*c) <= cut);
            f.days.push(day);
            f.weekdays.push(weekday_of(day));
            f.slots.push(slot_of(at));
            f.queues.push(queue_codes[i]);
            f.waits.push(call.map(|c| ((c - at) / 1000).max(0)));
        }
        Ok(f)
    }
}

/// Dense codes of packed cell keys (`None`: no key), in the packed order,
/// and the packed key of each code.
fn cell_codes(packed: &[Option<u64>]) -> (Vec<u32>, Vec<u64>) {
    // The distinct cells are few (a week's half hours, per queue): found
    // by hashing, sorted, and each ticket's looked up, not a sort of every
    // ticket's cell and a search for each.
    let mut seen: PlHashSet<u64> = PlHashSet::default();
    seen.extend(packed.iter().flatten().copied());
    let mut distinct: Vec<u64> = seen.into_iter().collect();
    distinct.sort_unstable();
    let code: PlHashMap<u64, u32> = distinct.iter().zip(0u32..).map(|(&c, i)| (c, i)).collect();
    let codes = packed
        .iter()
        .map(|p| p.map_or(NO_KEY, |p| code[&p]))
        .collect();
    (codes, distinct)
}

/// `queue_hours` for [`GRAINS`] and [`LEVELS`] as of `as_of`: one row per
/// (period, key, weekday, slot) where a ticket was issued, in that order.
pub fn queue_hours(tickets: &DataFrame, rules: &QueueRules, as_of: NaiveDate) -> Result<DataFrame> {
    let f = Facts::of(tickets, as_of)?;
    let target_s = rules.wait_target_minutes * 60;
    // Cells: the center's (weekday, slot), a queue's (queue, weekday, slot).
    let at_center = |i: usize| (u64::from(f.weekdays[i]) << 8) | u64::from(f.slots[i]);
    let center: Vec<Option<u64>> = (0..f.days.len()).map(|i| Some(at_center(i))).collect();
    let queue: Vec<Option<u64>> = (0..f.days.len())
        .map(|i| f.queues[i].map(|q| (u64::from(q) << 16) | at_center(i)))
        .collect();
    let (center_codes, center_cells) = cell_codes(&center);
    let (queue_codes, queue_cells) = cell_codes(&queue);
    let called: Vec<bool> = f.waits.iter().map(Option::is_some).collect();
    let over: Vec<bool> = f
        .waits
        .iter()
        .map(|w| w.is_some_and(|w| w > target_s))
        .collect();
    let measure = |name: &str| measure_index(&MEASURES, name);
    let cells = dense::rollup(&dense::Spec {
        measures: &MEASURES,
        levels: vec![
            Level {
                name: "center",
                keys: &center_codes,
            },
            Level {
                name: "queue",
                keys: &queue_codes,
            },
        ],
        kinds: vec![Kind {
            rows: None,
            days: &f.days,
            measures: vec![
                (measure("tickets"), Value::One),
                (measure("called"), Value::Flag(&called)),
                (measure("over_target"), Value::Flag(&over)),
                (measure("sum_wait_s"), Value::Opt(&f.waits)),
            ],
        }],
        quantiles: vec![dense::Quantiles {
            kind: 0,
            values: &f.waits,
            qs: &[(0.9, "wait_p90_s")],
        }],
        keep: Keep::AnyEvent,
        grains: &GRAINS,
        as_of,
    })?;
    let name = |cell: u64, level: &str| -> String {
        match level {
            "center" => "center".to_string(),
            _ => f.queue_names[(cell >> 16) as usize].clone(),
        }
    };
    let cells = decode(cells, &|level, code| {
        let cell = match level {
            "center" => center_cells[code as usize],
            _ => queue_cells[code as usize],
        };
        (
            name(cell, level),
            ((cell >> 8) & 0xff) as u32,
            Some((cell & 0xff) as u32),
        )
    })?;
    let days = weekday_days(&f, as_of)?;
    let mut in_order = JoinArgs::new(JoinType::Left);
    in_order.maintain_order = MaintainOrderJoin::Left;
    let on = ["grain", "period", "level", "key", "weekday"].map(col);
    let out = cells
        .lazy()
        .join(days.lazy(), on.clone(), on, in_order)
        .with_columns(super::schema::QUEUE_HOURS_TABLE.rate_exprs())
        .with_column((col("wait_p90_s").cast(DataType::Float64) / lit(60.0)).alias("wait_p90_min"))
        .collect()?;
    let crowded: Vec<bool> = i64s(&out, "over_target")?
        .into_iter()
        .zip(i64s(&out, "days")?)
        .map(|(o, d)| is_crowded(o, d, rules.crowded_over))
        .collect();
    let mut out = out;
    out.with_column(Column::new("crowded".into(), crowded))?;
    Ok(out
        .lazy()
        .select(super::schema::QUEUE_HOURS_TABLE.select())
        .collect()?)
}

/// The days of each weekday in each period on which the center (a queue)
/// issued a ticket: (grain, period, level, key, weekday, days).
fn weekday_days(f: &Facts, as_of: NaiveDate) -> Result<DataFrame> {
    // One event per (day, queue) with tickets; the center counts the
    // first of each day only.
    let mut pairs: Vec<(i32, u32)> = f
        .days
        .iter()
        .zip(&f.queues)
        .map(|(d, q)| (*d, q.unwrap_or(NO_KEY)))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let days: Vec<i32> = pairs.iter().map(|p| p.0).collect();
    let center: Vec<Option<u64>> = pairs
        .iter()
        .enumerate()
        .map(|(i, (d, _))| (i == 0 || pairs[i - 1].0 != *d).then(|| u64::from(weekday_of(*d))))
        .collect();
    let queue: Vec<Option<u64>> = pairs
        .iter()
        .map(|(d, q)| (*q != NO_KEY).then(|| (u64::from(*q) << 8) | u64::from(weekday_of(*d))))
        .collect();
    let (center_codes, center_cells) = cell_codes(&center);
    let (queue_codes, queue_cells) = cell_codes(&queue);
    let measures = [("days", Roll::Sum)];
    let rolled = dense::rollup(&dense::Spec {
        measures: &measures,
        levels: vec![
            Level {
                name: "center",
                keys: &center_codes,
            },
            Level {
                name: "queue",
                keys: &queue_codes,
            },
        ],
        kinds: vec![Kind {
            rows: None,
            days: &days,
            measures: vec![(0, Value::One)],
        }],
        quantiles: Vec::new(),
        keep: Keep::AnyEvent,
        grains: &GRAINS,
        as_of,
    })?;
    let rolled = decode(rolled, &|level, code| match level {
        "center" => (
            "center".to_string(),
            center_cells[code as usize] as u32,
            None,
        ),
        _ => {
            let cell = queue_cells[code as usize];
            (
                f.queue_names[(cell >> 8) as usize].clone(),
                (cell & 0xff) as u32,
                None,
            )
        }
    })?;
    Ok(rolled
        .lazy()
        .select([
            col("grain"),
            col("period"),
            col("level"),
            col("key"),
            col("weekday"),
            col("days"),
        ])
        .collect()?)
}

/// What a cell's code stands for: its key, weekday and slot (none for a
/// count of days).
type Cell = (String, u32, Option<u32>);

/// The coded `key` of a dense roll-up as (key, `weekday`, `slot`)
/// columns, by `cell(level, code)`.
fn decode(rolled: DataFrame, cell: &dyn Fn(&str, u32) -> Cell) -> Result<DataFrame> {
    let levels = strings(&rolled, "level")?;
    let codes = rolled.column("key")?.u32()?.clone();
    let (mut keys, mut weekdays, mut names, mut slots) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (level, code) in levels.iter().zip(codes.iter()) {
        let (key, weekday, slot) = cell(level, code.unwrap_or(NO_KEY));
        keys.push(key);
        weekdays.push(weekday as i32);
        names.push(weekday_name(weekday));
        slots.push(slot.map(slot_label));
    }
    let mut out = rolled;
    out.with_column(Column::new("key".into(), keys))?;
    out.with_column(Column::new("weekday".into(), weekdays))?;
    out.with_column(Column::new("weekday_name".into(), names))?;
    out.with_column(Column::new("slot".into(), slots))?;
    Ok(out)
}

/// One crowded stretch of a weekday: consecutive crowded half hours.
#[derive(Debug, Clone, PartialEq)]
pub struct CrowdedSpan {
    pub weekday: u32,
    pub first_slot: u32,
    pub last_slot: u32,
    /// People who waited longer than the target in the span.
    pub over_target: i64,
    /// The days of the weekday in the period (the same for every slot).
    pub days: i64,
}

impl CrowdedSpan {
    /// People over the target in the span on an average day.
    pub fn per_day(&self) -> f64 {
        self.over_target as f64 / self.days.max(1) as f64
    }

    /// `周一 09:30–11:00(日均 5.25 人)`.
    pub fn text(&self) -> String {
        format!(
            "{} {}(日均 {:.2} 人)",
            weekday_name(self.weekday),
            span_label(self.first_slot, self.last_slot),
            self.per_day()
        )
    }
}

/// One cell of the table, as the crowded spans read it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HourCell {
    pub weekday: u32,
    pub slot: u32,
    pub over_target: i64,
    pub days: i64,
    pub crowded: bool,
}

/// The crowded half hours of one key and period joined into spans: a run
/// of crowded slots of one weekday with no gap, in weekday and slot order.
pub fn crowded_spans(cells: &[HourCell]) -> Vec<CrowdedSpan> {
    let mut crowded: Vec<&HourCell> = cells.iter().filter(|c| c.crowded).collect();
    crowded.sort_by_key(|c| (c.weekday, c.slot));
    let mut out: Vec<CrowdedSpan> = Vec::new();
    for c in crowded {
        match out.last_mut() {
            Some(s) if s.weekday == c.weekday && s.last_slot + 1 == c.slot => {
                s.last_slot = c.slot;
                s.over_target += c.over_target;
            }
            _ => out.push(CrowdedSpan {
                weekday: c.weekday,
                first_slot: c.slot,
                last_slot: c.slot,
                over_target: c.over_target,
                days: c.days,
            }),
        }
    }
    out
}

/// The cells of `queue_hours` rows (one key and period).
pub fn hour_cells(rows: &DataFrame) -> Result<Vec<HourCell>> {
    let weekdays = i64s(rows, "weekday")?;
    let slots = strings(rows, "slot")?;
    let over = i64s(rows, "over_target")?;
    let days = i64s(rows, "days")?;
    let crowded = crate::polars_ext::bools_or(rows, "crowded", false)?;
    Ok((0..rows.height())
        .map(|i| HourCell {
            weekday: weekdays[i] as u32,
            slot: slot_of_label(&slots[i]).unwrap_or(0),
            over_target: over[i],
            days: days[i],
            crowded: crowded[i],
        })
        .collect())
}

/// The slot of a label `HH:MM` ([`slot_label`]'s inverse).
pub fn slot_of_label(label: &str) -> Option<u32> {
    let (h, m) = label.split_once(':')?;
    let minutes = h.parse::<u32>().ok()? * 60 + m.parse::<u32>().ok()?;
    (minutes % SLOT_MINUTES == 0 && minutes < 24 * 60).then_some(minutes / SLOT_MINUTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDateTime};

    fn ms(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    #[test]
    fn a_slot_holds_its_start_and_not_its_end() {
        assert_eq!(slot_of(ms("2026-10-12 08:30:00")), 17);
        assert_eq!(slot_of(ms("2026-10-12 08:59:59")), 17);
        assert_eq!(slot_of(ms("2026-10-12 09:00:00")), 18);
        assert_eq!(slot_of(ms("2026-10-12 00:00:00")), 0);
        assert_eq!(slot_of(ms("2026-10-12 23:59:59")), 47);
        // Before 1970 the day still starts at midnight.
        assert_eq!(slot_of(ms("1969-12-31 23:45:00")), 47);
        assert_eq!(slot_label(17), "08:30");
        assert_eq!(slot_label(0), "00:00");
        assert_eq!(span_label(19, 21), "09:30–11:00");
        for s in 0..48 {
            assert_eq!(slot_of_label(&slot_label(s)), Some(s));
        }
        assert_eq!(slot_of_label("08:15"), None);
    }

    #[test]
    fn weekdays_are_iso_numbered_from_monday() {
        let start = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        for d in start.iter_days().take(14) {
            let n = weekday_of(epoch_days(d));
            assert_eq!(n, d.weekday().number_from_monday(), "{d}");
        }
        // 2026-10-12 is a Monday.
        let monday = NaiveDate::from_ymd_opt(2026, 10, 12).unwrap();
        assert_eq!(weekday_name(weekday_of(epoch_days(monday))), "周一");
        assert_eq!(weekday_name(7), "周日");
    }

    #[test]
    fn crowded_means_more_than_n_a_day_on_average() {
        // 3 a day over 4 days: 12 is not more than 3 a day; 13 is.
        assert!(!is_crowded(12, 4, 3));
        assert!(is_crowded(13, 4, 3));
        assert!(!is_crowded(5, 0, 3));
        assert!(is_crowded(1, 1, 0));
    }

    #[test]
    fn crowded_half_hours_join_into_spans_of_one_weekday() {
        let cell = |weekday, slot, over_target, crowded| HourCell {
            weekday,
            slot,
            over_target,
            days: 4,
            crowded,
        };
        let cells = [
            cell(2, 20, 20, true),
            cell(1, 19, 14, true),
            cell(1, 20, 21, true),
            cell(1, 21, 3, false),
            cell(1, 22, 13, true),
            cell(2, 21, 16, true),
            cell(3, 19, 30, false),
        ];
        let spans = crowded_spans(&cells);
        let texts: Vec<String> = spans.iter().map(CrowdedSpan::text).collect();
        // Monday 09:30–10:30: (14 + 21) / 4 = 8.75; 11:00–11:30: 13 / 4;
        // Tuesday 10:00–11:00: (20 + 16) / 4 = 9.
        assert_eq!(
            texts,
            [
                "周一 09:30–10:30(日均 8.75 人)",
                "周一 11:00–11:30(日均 3.25 人)",
                "周二 10:00–11:00(日均 9.00 人)",
            ]
        );
    }

    fn tickets(rows: &[(&str, &str, Option<&str>)]) -> DataFrame {
        let dt = |v: Vec<Option<i64>>, name: &str| -> Column {
            Series::new(name.into(), v)
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap()
                .into()
        };
        DataFrame::new(
            rows.len(),
            vec![
                Column::new("queue".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
                dt(rows.iter().map(|r| Some(ms(r.1))).collect(), "issued_at"),
                dt(rows.iter().map(|r| r.2.map(ms)).collect(), "called_at"),
            ],
        )
        .unwrap()
    }

    #[test]
    fn cells_of_the_center_and_of_each_queue_with_p90_and_days() {
        // Mondays 10-05 (a holiday: none), 10-12 and 10-19 of October 2026.
        // Center, Monday 09:00: waits 10, 40, 35, 5 min (B on 10-19);
        // sorted 5 10 35 40, h = 0.9·3 = 2.7 → 35 + 0.7·5 = 38.5 min.
        let rows = [
            ("A", "2026-10-12 09:00:00", Some("2026-10-12 09:10:00")),
            ("A", "2026-10-12 09:29:59", Some("2026-10-12 10:09:59")),
            ("A", "2026-10-19 09:10:00", Some("2026-10-19 09:45:00")),
            ("B", "2026-10-19 09:15:00", Some("2026-10-19 09:20:00")),
            // Never called: a ticket, no wait.
            ("B", "2026-10-19 09:20:00", None),
            // Called after as-of: not yet called.
            ("A", "2026-10-31 16:00:00", Some("2026-11-02 08:40:00")),
            // Issued after as-of: left out.
            ("A", "2026-11-02 09:00:00", Some("2026-11-02 09:01:00")),
        ];
        let rules = QueueRules {
            wait_target_minutes: 30,
            crowded_over: 0,
        };
        let as_of = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let out = queue_hours(&tickets(&rows), &rules, as_of).unwrap();
        let month = out
            .lazy()
            .filter(col("grain").eq(lit("month")))
            .collect()
            .unwrap();
        let keys = strings(&month, "key").unwrap();
        let slots = strings(&month, "slot").unwrap();
        let weekdays = i64s(&month, "weekday").unwrap();
        let got: Vec<String> = (0..month.height())
            .map(|i| format!("{} {} {}", keys[i], weekdays[i], slots[i]))
            .collect();
        assert_eq!(
            got,
            [
                "center 1 09:00",
                "center 6 16:00",
                "A 1 09:00",
                "A 6 16:00",
                "B 1 09:00"
            ]
        );
        let col_i = |c: &str| i64s(&month, c).unwrap();
        assert_eq!(col_i("tickets"), [5, 1, 3, 1, 2]);
        assert_eq!(col_i("called"), [4, 0, 3, 0, 1]);
        // Over 30 min: 40 and 35 (both queue A).
        assert_eq!(col_i("over_target"), [2, 0, 2, 0, 0]);
        // Two Mondays with tickets at the center and for A, one for B.
        assert_eq!(col_i("days"), [2, 1, 2, 1, 1]);
        let f = |c: &str| crate::polars_ext::opt_f64s(&month, c).unwrap();
        assert_eq!(f("wait_mean_min")[0], Some(90.0 / 4.0));
        assert!((f("wait_p90_min")[0].unwrap() - 38.5).abs() < 1e-9);
        // A: 10, 40, 35 → h = 1.8 → 35 + 0.8·5 = 39.
        assert!((f("wait_p90_min")[2].unwrap() - 39.0).abs() < 1e-9);
        assert_eq!(f("wait_p90_min")[1], None);
        assert_eq!(f("over_target_per_day")[0], Some(1.0));
        let crowded = crate::polars_ext::bools_or(&month, "crowded", false).unwrap();
        assert_eq!(crowded, [true, false, true, false, false]);
        let names = strings(&month, "weekday_name").unwrap();
        assert_eq!(names[1], "周六");
    }
}
