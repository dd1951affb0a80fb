//! Ratings (好差评): satisfaction, rating coverage of completed cases, and
//! the rectification of bad ratings (差评整改) within a number of working
//! days. Quarterly questionnaires (问卷, no case) count in satisfaction but
//! not in coverage.

use super::dense::{self, day_numbers, measure_index, Keep, Kind, LevelKeys, Value, NO_DAY};
use super::period::Grain;
use super::rollup::{KeyCodes, Roll, PEOPLE_LEVELS};
use super::WithDepartment;
use crate::calendar::Calendar;
use crate::keyset::KeySet;
use crate::polars_ext::{date_lit, date_series, dates_of, epoch_days};
use anyhow::Result;
use chrono::{Duration, NaiveDate};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// Rating settings (`[ratings]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RatingRules {
    /// The lowest level that counts as satisfied (1–5).
    pub satisfied_min_level: i64,
    /// A bad rating must be rectified within this many working days.
    pub rectify_within_days: u32,
    /// A completed case still without a rating this many working days
    /// after its completion is invited to be rated (邀评).
    pub invite_after_days: u32,
}

impl Default for RatingRules {
    fn default() -> Self {
        RatingRules {
            satisfied_min_level: 3,
            rectify_within_days: 5,
            invite_after_days: 3,
        }
    }
}

/// A bad rating still open past its rectification limit.
#[derive(Debug, Clone, PartialEq)]
pub struct BadRatingAlert {
    pub rating_id: String,
    pub window_id: String,
    pub staff_id: Option<String>,
    pub rated_on: NaiveDate,
    pub deadline: NaiveDate,
    pub overdue_days: i64,
}

/// Per bad rating (level ≤ 2): rated day, rectified day, deadline.
struct Bad {
    row: usize,
    rated: NaiveDate,
    rectified: Option<NaiveDate>,
    deadline: NaiveDate,
}

fn bad_ratings(
    ratings: &DataFrame,
    cal: &Calendar,
    rules: &RatingRules,
    as_of: NaiveDate,
) -> Result<Vec<Bad>> {
    let level = ratings.column("level")?.i64()?;
    let rated = dates_of(&ratings.column("rated_at")?.cast(&DataType::Date)?)?;
    let rectified = dates_of(&ratings.column("rectified_at")?.cast(&DataType::Date)?)?;
    let mut out = Vec::new();
    for row in 0..ratings.height() {
        let (Some(l), Some(r)) = (level.get(row), rated[row]) else {
            continue;
        };
        if l > 2 || r > as_of {
            continue;
        }
        out.push(Bad {
            row,
            rated: r,
            rectified: rectified[row].filter(|d| *d <= as_of),
            deadline: cal.deadline(r, rules.rectify_within_days)?,
        });
    }
    Ok(out)
}

/// Ratings with the rectification deadline of each bad one (`deadline`:
/// the limit-th working day after the rating; null for the others).
pub fn with_deadlines(
    ratings: &DataFrame,
    cal: &Calendar,
    rules: &RatingRules,
) -> Result<DataFrame> {
    let rated = dates_of(&ratings.column("rated_at")?.cast(&DataType::Date)?)?;
    let level = ratings.column("level")?.cast(&DataType::Int64)?;
    let level = level.i64()?;
    // Only bad ratings (level 1–2) have a rectification deadline.
    let deadlines = rated
        .iter()
        .zip(level.iter())
        .map(|(d, l)| {
            d.filter(|_| l.is_some_and(|l| l <= 2))
                .map(|d| cal.deadline(d, rules.rectify_within_days))
                .transpose()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = ratings.clone();
    out.with_column(date_series("deadline", deadlines.into_iter())?)?;
    Ok(out)
}

/// Bad ratings open past their limit at the end of `as_of`.
pub fn bad_rating_alerts(
    ratings: &DataFrame,
    cal: &Calendar,
    rules: &RatingRules,
    as_of: NaiveDate,
) -> Result<Vec<BadRatingAlert>> {
    let ids = ratings.column("rating_id")?.str()?;
    let windows = ratings.column("window_id")?.str()?;
    let staff = ratings.column("staff_id")?.str()?;
    let mut out = Vec::new();
    for b in bad_ratings(ratings, cal, rules, as_of)? {
        if b.rectified.is_none() && b.deadline < as_of {
            out.push(BadRatingAlert {
                rating_id: ids.get(b.row).unwrap_or_default().to_string(),
                window_id: windows.get(b.row).unwrap_or_default().to_string(),
                staff_id: staff.get(b.row).map(str::to_string),
                rated_on: b.rated,
                deadline: b.deadline,
                overdue_days: cal.elapsed(b.deadline, as_of)?,
            });
        }
    }
    Ok(out)
}

/// The alerts as a frame.
pub fn alerts_frame(alerts: &[BadRatingAlert]) -> Result<DataFrame> {
    let text =
        |f: &dyn Fn(&BadRatingAlert) -> Option<String>| alerts.iter().map(f).collect::<Vec<_>>();
    Ok(DataFrame::new(
        alerts.len(),
        vec![
            Column::new("rating_id".into(), text(&|a| Some(a.rating_id.clone()))),
            Column::new("window_id".into(), text(&|a| Some(a.window_id.clone()))),
            Column::new("staff_id".into(), text(&|a| a.staff_id.clone())),
            date_series("rated_on", alerts.iter().map(|a| Some(a.rated_on)))?,
            date_series("deadline", alerts.iter().map(|a| Some(a.deadline)))?,
            Column::new(
                "overdue_days".into(),
                alerts.iter().map(|a| a.overdue_days).collect::<Vec<_>>(),
            ),
        ],
    )?)
}

const MEASURES: [(&str, Roll); 14] = [
    ("ratings", Roll::Sum),
    ("level_1", Roll::Sum),
    ("level_2", Roll::Sum),
    ("level_3", Roll::Sum),
    ("level_4", Roll::Sum),
    ("level_5", Roll::Sum),
    ("satisfied", Roll::Sum),
    ("good", Roll::Sum),
    ("completed", Roll::Sum),
    ("completed_rated", Roll::Sum),
    ("bad_ratings", Roll::Sum),
    ("rectified", Roll::Sum),
    ("rectified_on_time", Roll::Sum),
    ("open_past_limit", Roll::AtEnd),
];

/// The invitations to rate (邀评) of `as_of`: the cases whose
/// `invite_after_days`-th working day after completion is `as_of` (a case
/// completed on a day off counts from the working day before it, as every
/// working-day count does) and that have no rating by the end of it. A
/// case appears on one day only; on a day off the list is empty. Columns:
/// `case_id, item_code, window_id, staff_id, channel, completed_on`, in
/// case id order.
pub fn invitations(
    cases: &DataFrame,
    ratings: Option<&DataFrame>,
    cal: &Calendar,
    rules: &RatingRules,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let days = super::WorkdayLookup::new(cal);
    let on = crate::polars_ext::epoch_days(as_of);
    let target = match (cal.is_workday(as_of)?, days.widx(on)) {
        (true, Some(w)) => w - i64::from(rules.invite_after_days),
        _ => return invitation_frame(cases.clear()),
    };
    let completed = crate::polars_ext::opt_epoch_days(
        &cases
            .clone()
            .lazy()
            .select([col("completed_at").cast(DataType::Date)])
            .collect()?,
        "completed_at",
    )?;
    let due: BooleanChunked = completed
        .iter()
        .map(|c| c.and_then(|c| days.widx(c)) == Some(target))
        .collect();
    let mut due = cases.filter(&due)?;
    if let Some(r) = ratings {
        let rated = rated_cases(r, as_of)?;
        due = due
            .lazy()
            .filter(col("case_id").is_in(lit(rated).implode(false), false).not())
            .collect()?;
    }
    invitation_frame(due)
}

/// The case ids of the ratings dated on or before `as_of`.
fn rated_cases(ratings: &DataFrame, as_of: NaiveDate) -> Result<Series> {
    Ok(ratings
        .clone()
        .lazy()
        .filter(col("rated_at").cast(DataType::Date).lt_eq(date_lit(as_of)))
        .select([col("case_id")])
        .collect()?
        .column("case_id")?
        .as_materialized_series()
        .drop_nulls())
}

fn invitation_frame(cases: DataFrame) -> Result<DataFrame> {
    let channel = match cases.column("channel") {
        Ok(_) => col("channel"),
        Err(_) => lit(NULL).cast(DataType::String).alias("channel"),
    };
    Ok(cases
        .lazy()
        .select([
            col("case_id"),
            col("item_code"),
            col("window_id"),
            col("staff_id"),
            channel,
            col("completed_at")
                .cast(DataType::Date)
                .alias("completed_on"),
        ])
        .sort(["case_id"], SortMultipleOptions::default())
        .collect()?)
}

/// The columns of `ratings` that [`rating_metrics`] reads.
pub const RATING_COLUMNS: [&str; 6] = [
    "case_id",
    "window_id",
    "staff_id",
    "rated_at",
    "level",
    "rectified_at",
];

/// The columns of `cases` that [`rating_metrics`] reads.
pub const CASE_COLUMNS: [&str; 4] = ["case_id", "window_id", "staff_id", "completed_at"];

/// `rating_metrics` for every grain and for staff, window, department and
/// center. Ratings count by their date, with the rating's window and
/// staff; coverage by the completion date of the case, with the case's.
pub fn rating_metrics(
    ratings: &DataFrame,
    cases: &DataFrame,
    windows: &DataFrame,
    cal: &Calendar,
    rules: &RatingRules,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let bad = bad_ratings(ratings, cal, rules, as_of)?;
    // Per rating row: rectified, and on time, for the bad ones.
    let mut rectified = vec![0i64; ratings.height()];
    let mut on_time = vec![0i64; ratings.height()];
    let mut open_days: Vec<(usize, NaiveDate)> = Vec::new();
    for b in &bad {
        if let Some(r) = b.rectified {
            rectified[b.row] = 1;
            on_time[b.row] =
                i64::from(cal.elapsed(b.rated, r)? <= rules.rectify_within_days as i64);
        }
        // Open past the limit at the end of each day E with deadline < E,
        // until rectified (rectified on E closes it for E).
        let last_open = b.rectified.map_or(as_of, |r| r - Duration::days(1));
        let mut e = b.deadline + Duration::days(1);
        while e <= last_open {
            open_days.push((b.row, e));
            e += Duration::days(1);
        }
    }
    // One frame of keys: every rating's (its window and staff), then every
    // case's; the three kinds of event point into it.
    let key_columns = [
        col("window_id").cast(DataType::String),
        col("staff_id").cast(DataType::String),
    ];
    let keys = concat(
        [
            ratings.clone().lazy().select(key_columns.clone()),
            cases.clone().lazy().select(key_columns),
        ],
        UnionArgs::default(),
    )?
    .with_department_in_order(windows)
    .collect()?;
    let (keys, codes) = KeyCodes::encode_levels(&keys, &PEOPLE_LEVELS)?;
    let level_keys = LevelKeys::of(&keys, &PEOPLE_LEVELS)?;
    drop(keys);
    let until = epoch_days(as_of);
    let by_as_of = |days: Vec<i32>| -> Vec<i32> {
        days.into_iter()
            .map(|d| if d != NO_DAY && d <= until { d } else { NO_DAY })
            .collect()
    };
    // Ratings, by their date.
    let rated = by_as_of(day_numbers(ratings, "rated_at")?);
    let measure = |name: &str| measure_index(&MEASURES, name);
    // The ratings of one level are one kind of event, each counting 1 in
    // the measures its level is in: no array of mostly zero flags per
    // measure to read for every rating. The rectified ones, and those on
    // time, count again as a kind of their own.
    let mut of_level: std::collections::BTreeMap<Option<i64>, (Vec<u32>, Vec<i32>)> =
        std::collections::BTreeMap::new();
    for (i, l) in ratings.column("level")?.i64()?.iter().enumerate() {
        if rated[i] != NO_DAY {
            let (rows, days) = of_level.entry(l).or_default();
            rows.push(i as u32);
            days.push(rated[i]);
        }
    }
    let min = rules.satisfied_min_level;
    let level_measures = |l: Option<i64>| -> Vec<(usize, Value<'static>)> {
        let named = [
            ("level_1", l == Some(1)),
            ("level_2", l == Some(2)),
            ("level_3", l == Some(3)),
            ("level_4", l == Some(4)),
            ("level_5", l == Some(5)),
            ("satisfied", l.is_some_and(|l| l >= min)),
            ("good", l.is_some_and(|l| l >= 4)),
            ("bad_ratings", l.is_some_and(|l| l <= 2)),
        ];
        std::iter::once(measure("ratings"))
            .chain(named.iter().filter(|(_, is)| *is).map(|(m, _)| measure(m)))
            .map(|m| (m, Value::One))
            .collect()
    };
    let flagged = |flags: &[i64]| -> (Vec<u32>, Vec<i32>) {
        (0..flags.len())
            .filter(|&i| flags[i] == 1 && rated[i] != NO_DAY)
            .map(|i| (i as u32, rated[i]))
            .unzip()
    };
    let (rectified_rows, rectified_days) = flagged(&rectified);
    let (on_time_rows, on_time_days) = flagged(&on_time);
    // Coverage: completed cases (by completion date) that have a rating.
    // The rated case ids in a set whose look-up is one cache line, asked
    // for some keys ahead (a hash set of strings took 0.36-0.40 s of a city
    // year: two cache misses a key, one key at a time).
    let mut rated_ids = KeySet::with_capacity(ratings.height());
    rated_ids.extend(
        ratings
            .column("case_id")?
            .str()?
            .iter()
            .zip(&rated)
            .filter_map(|(id, d)| id.filter(|_| *d != NO_DAY)),
    );
    let completed = by_as_of(day_numbers(cases, "completed_at")?);
    // Looked up on every core, a run of cases at a time.
    let case_ids = cases.column("case_id")?.str()?;
    let runs = crate::parallel::row_runs(case_ids.len(), 16);
    let case_rated: Vec<bool> = crate::parallel::parallel_map(&runs, |run| {
        let slice = case_ids.slice(run.start as i64, run.len());
        let ids: Vec<Option<&str>> = slice.iter().collect();
        let mut rated: Vec<bool> = ids.iter().map(Option::is_some).collect();
        for i in rated_ids.missing(&ids) {
            rated[i] = false;
        }
        rated
    })
    .concat();
    let first_case = ratings.height() as u32;
    let case_rows: Vec<u32> = (0..cases.height() as u32).map(|i| first_case + i).collect();
    // Bad ratings open past their limit, on each day.
    let open_rows: Vec<u32> = open_days.iter().map(|(r, _)| *r as u32).collect();
    let open_on: Vec<i32> = open_days.iter().map(|(_, d)| epoch_days(*d)).collect();
    let sums = dense::rollup(&dense::Spec {
        measures: &MEASURES,
        levels: level_keys.levels(),
        kinds: of_level
            .iter()
            .map(|(l, (rows, days))| Kind {
                rows: Some(rows),
                days,
                measures: level_measures(*l),
            })
            .chain([
                Kind {
                    rows: Some(&rectified_rows),
                    days: &rectified_days,
                    measures: vec![(measure("rectified"), Value::One)],
                },
                Kind {
                    rows: Some(&on_time_rows),
                    days: &on_time_days,
                    measures: vec![(measure("rectified_on_time"), Value::One)],
                },
            ])
            .chain([
                Kind {
                    rows: Some(&case_rows),
                    days: &completed,
                    measures: vec![
                        (measure("completed"), Value::One),
                        (measure("completed_rated"), Value::Flag(&case_rated)),
                    ],
                },
                Kind {
                    rows: Some(&open_rows),
                    days: &open_on,
                    measures: vec![(measure("open_past_limit"), Value::One)],
                },
            ])
            .collect(),
        quantiles: vec![],
        keep: Keep::AnyEvent,
        grains: &Grain::ALL,
        as_of,
    })?;
    Ok(super::schema::RATINGS.finish(codes.decode(sums)?.lazy())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::polars_ext::date_series;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ids(df: &DataFrame) -> Vec<String> {
        crate::polars_ext::opt_strings(df, "case_id")
            .unwrap()
            .into_iter()
            .flatten()
            .collect()
    }

    #[test]
    fn invitations_go_out_on_the_third_working_day_once() {
        // October 2026: Saturday 10-10 is a 调休 working day, Sunday 10-11
        // is off. Invited on D: completed on a day whose working-day count
        // is three below D's.
        let completed = [
            ("A", Some("2026-10-12")), // Monday: 13, 14, 15 → invited 10-15
            ("B", Some("2026-10-12")), // rated 10-14: not invited
            ("C", Some("2026-10-12")), // rated 10-16, after the list: invited
            ("D", Some("2026-10-13")), // invited 10-16
            ("E", None),               // open
            ("F", Some("2026-10-11")), // Sunday: counts from Saturday 10-10 → 10-14
        ];
        let mut cases = df!(
            "case_id" => completed.iter().map(|c| c.0).collect::<Vec<_>>(),
            "item_code" => vec!["I01"; 6],
            "window_id" => vec!["W01"; 6],
            "staff_id" => vec!["1001"; 6],
            "channel" => vec!["窗口"; 6],
        )
        .unwrap();
        cases
            .with_column(date_series("completed_at", completed.iter().map(|c| c.1.map(d))).unwrap())
            .unwrap();
        let mut ratings = df!("case_id" => ["B", "C"]).unwrap();
        ratings
            .with_column(
                date_series(
                    "rated_at",
                    [Some(d("2026-10-14")), Some(d("2026-10-16"))].into_iter(),
                )
                .unwrap(),
            )
            .unwrap();
        let cal = Calendar::official();
        let rules = RatingRules::default();
        let on =
            |day: &str| ids(&invitations(&cases, Some(&ratings), &cal, &rules, d(day)).unwrap());
        assert_eq!(on("2026-10-14"), ["F"]);
        assert_eq!(on("2026-10-15"), ["A", "C"]);
        assert_eq!(on("2026-10-16"), ["D"]);
        assert!(on("2026-10-17").is_empty(), "a day off sends none");
        let list = invitations(&cases, None, &cal, &rules, d("2026-10-15")).unwrap();
        assert_eq!(ids(&list), ["A", "B", "C"], "without ratings every case");
        assert_eq!(
            list.get_column_names(),
            [
                "case_id",
                "item_code",
                "window_id",
                "staff_id",
                "channel",
                "completed_on"
            ]
        );
    }
}
