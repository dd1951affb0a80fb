//! The 好差评 closed loop (回访核实, 整改反馈, 申诉复核) of the bad ratings,
//! per channel: `rating_loop`. A bad rating (level 1–2) is called back
//! within one working day of its date when named (实名), within three when
//! anonymous; rectified with feedback to the citizen within the
//! rectification limit (`[ratings] rectify_within_days`, 5). An appeal
//! ruled 误评 or 不实 excludes the rating ([`excluded`]): it leaves the
//! satisfaction figures, the three zeros and the scores, and is counted
//! here as excluded.

use crate::calendar::Calendar;
use crate::metrics::dense::{day_numbers, measure_index, Kind, Value, NO_DAY};
use crate::metrics::ratings::RatingRules;
use crate::metrics::rollup::{rollup_kinds, CodedLevels, Roll, RollupSpec, PEOPLE_LEVELS};
use crate::metrics::WithDepartment;
use crate::polars_ext::{bools_or, date_series, dates_of, epoch_days, i64s, opt_strings};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::*;

/// The appeal results that exclude a rating.
pub const EXCLUDING: [&str; 2] = ["误评", "不实"];

/// The working days a named / an anonymous bad rating is to be called back in.
pub const NAMED_CALLBACK_DAYS: u32 = 1;
pub const ANONYMOUS_CALLBACK_DAYS: u32 = 3;

/// Whether a rating row is excluded by its appeal (a frame without the
/// column excludes nothing).
pub fn excluded() -> Expr {
    col("appeal_result")
        .cast(DataType::String)
        .is_in(
            lit(Series::new("x".into(), EXCLUDING.to_vec())).implode(false),
            false,
        )
        .fill_null(lit(false))
}

/// The ratings an appeal did not exclude.
pub fn kept(ratings: DataFrame) -> Result<DataFrame> {
    if ratings.column("appeal_result").is_err() {
        return Ok(ratings);
    }
    Ok(ratings.lazy().filter(excluded().not()).collect()?)
}

/// The columns of `ratings` that [`rating_loop`] reads.
pub const LOOP_COLUMNS: [&str; 11] = [
    "rating_id",
    "window_id",
    "staff_id",
    "rated_at",
    "level",
    "channel",
    "rectified_at",
    "named",
    "called_back_at",
    "feedback_at",
    "appeal_result",
];

/// The measures of `rating_loop`, each dated on its due date (or, for
/// appeals, the rating's date), counted when that date is on or before
/// as_of.
const MEASURES: [(&str, Roll); 15] = [
    ("bad_ratings", Roll::Sum),
    ("callbacks_due", Roll::Sum),
    ("called_back", Roll::Sum),
    ("called_back_on_time", Roll::Sum),
    ("named_due", Roll::Sum),
    ("named_on_time", Roll::Sum),
    ("rectification_due", Roll::Sum),
    ("rectified", Roll::Sum),
    ("rectified_on_time", Roll::Sum),
    ("feedback_given", Roll::Sum),
    ("appealed", Roll::Sum),
    ("excluded", Roll::Sum),
    ("ratings", Roll::Sum),
    ("satisfied", Roll::Sum),
    ("good", Roll::Sum),
];

/// The channel of a rating without one.
pub const NO_CHANNEL: &str = "未注明";
/// The channel key of the rows over every channel.
pub const ALL_CHANNELS: &str = "全部";

/// `rating_loop`: per grain, period, level (center, department, window,
/// staff) and channel (and `全部`, every channel), the ratings of every
/// level in `kept` (`ratings`, `satisfied`:
/// level ≥ `satisfied_min_level`, `good`: level ≥ 4, by their date) for
/// the satisfaction and good rates, the bad
/// ratings by date and, on each one's due dates: callbacks due (its callback date)
/// and those called back (by as_of) and on time; named ones due and
/// called back on time; rectifications due (its rectification limit)
/// and those rectified, rectified on time, with feedback given (by
/// as_of); the appeals and the ratings they excluded, by date. Excluded
/// ratings are counted as excluded only. `ratings`: the ratings whose
/// loop is followed (the columns of [`LOOP_COLUMNS`]; levels above 2 are
/// passed over); `kept`: every rating an appeal did not exclude
/// ([`kept`]), with `window_id, staff_id, rated_at, level, channel`.
pub fn rating_loop(
    ratings: &DataFrame,
    kept: &DataFrame,
    windows: &DataFrame,
    cal: &Calendar,
    rules: &RatingRules,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let day = |c: &str| -> Result<Vec<Option<NaiveDate>>> {
        dates_of(&ratings.column(c)?.cast(&DataType::Date)?)
    };
    let (rated, rectified, called, feedback) = (
        day("rated_at")?,
        day("rectified_at")?,
        day("called_back_at")?,
        day("feedback_at")?,
    );
    let level = i64s(ratings, "level")?;
    let named = bools_or(ratings, "named", false)?;
    let appeal = opt_strings(ratings, "appeal_result")?;
    let by = |d: Option<NaiveDate>, limit: NaiveDate| d.is_some_and(|d| d <= limit);
    let done = |d: Option<NaiveDate>| d.is_some_and(|d| d <= as_of);
    // The loop's events, a kind of event per measure, each counting 1 on
    // its date: the base row and day of each (the followed ratings' base
    // rows come after those of `kept`).
    let first = kept.height() as u32;
    let mut by_measure: Vec<(Vec<u32>, Vec<i32>)> = vec![Default::default(); MEASURES.len()];
    let mut event = |i: usize, on: NaiveDate, m: usize| {
        by_measure[m].0.push(first + i as u32);
        by_measure[m].1.push(epoch_days(on));
    };
    for i in 0..ratings.height() {
        let Some(on) = rated[i].filter(|d| *d <= as_of) else {
            continue;
        };
        if level[i] > 2 {
            continue;
        }
        if let Some(a) = appeal[i].as_deref() {
            event(i, on, 10);
            if EXCLUDING.contains(&a) {
                event(i, on, 11);
                continue;
            }
        }
        event(i, on, 0);
        let callback_days = match named[i] {
            true => NAMED_CALLBACK_DAYS,
            false => ANONYMOUS_CALLBACK_DAYS,
        };
        let due = cal.deadline(on, callback_days)?;
        if due <= as_of {
            event(i, due, 1);
            if done(called[i]) {
                event(i, due, 2);
            }
            if by(called[i], due) {
                event(i, due, 3);
            }
            if named[i] {
                event(i, due, 4);
                if by(called[i], due) {
                    event(i, due, 5);
                }
            }
        }
        let limit = cal.deadline(on, rules.rectify_within_days)?;
        if limit <= as_of {
            event(i, limit, 6);
            if done(rectified[i]) {
                event(i, limit, 7);
            }
            if by(rectified[i], limit) {
                event(i, limit, 8);
            }
            if done(feedback[i]) {
                event(i, limit, 9);
            }
        }
    }
    // The base rows of the roll-up: every rating of `kept`, then every
    // rating whose loop is followed; their keys coded once.
    let keys = |df: &DataFrame| {
        df.clone().lazy().select([
            col("window_id").cast(DataType::String),
            col("staff_id").cast(DataType::String),
            col("channel")
                .cast(DataType::String)
                .fill_null(lit(NO_CHANNEL)),
        ])
    };
    let keys = concat([keys(kept), keys(ratings)], UnionArgs::default())?
        .with_department_in_order(windows)
        .collect()?;
    let over_all = CodedLevels::of(&keys, &PEOPLE_LEVELS)?;
    let per_channel = over_all
        .with_extra("channel", keys.column("channel")?.str()?)
        .context("too many windows, staff and channels to code")?;
    drop(keys);
    // Every rating an appeal did not exclude counts on its date.
    let until = epoch_days(as_of);
    let counted: Vec<i32> = day_numbers(kept, "rated_at")?
        .into_iter()
        .map(|d| if d != NO_DAY && d <= until { d } else { NO_DAY })
        .collect();
    let levels = kept.column("level")?.cast(&DataType::Int64)?;
    let at_least = |min: i64| -> Result<Vec<bool>> {
        Ok(levels
            .i64()?
            .iter()
            .map(|l| l.is_some_and(|l| l >= min))
            .collect())
    };
    let (satisfied, good) = (at_least(rules.satisfied_min_level)?, at_least(4)?);
    let measure = |name: &str| measure_index(&MEASURES, name);
    let mut kinds = vec![Kind {
        rows: None,
        days: &counted,
        measures: vec![
            (measure("ratings"), Value::One),
            (measure("satisfied"), Value::Flag(&satisfied)),
            (measure("good"), Value::Flag(&good)),
        ],
    }];
    for (m, (rows, days)) in by_measure.iter().enumerate() {
        if !rows.is_empty() {
            kinds.push(Kind {
                rows: Some(rows),
                days,
                measures: vec![(m, Value::One)],
            });
        }
    }
    let spec = RollupSpec::people(&MEASURES, &["channel"], as_of);
    let per_channel = rollup_kinds(&per_channel, kinds.clone(), &spec)?;
    let every = rollup_kinds(&over_all, kinds, &spec)?
        .lazy()
        .with_column(lit(ALL_CHANNELS).alias("channel"))
        .select(
            per_channel
                .get_column_names()
                .into_iter()
                .map(|c| col(c.clone()))
                .collect::<Vec<_>>(),
        );
    let out = concat([every, per_channel.lazy()], UnionArgs::default())?;
    Ok(super::schema::RATING_LOOP_TABLE.finish(out)?)
}

/// A ratings frame with no row and the columns the loop reads.
pub fn empty_ratings() -> Result<DataFrame> {
    let text = |c: &str| Column::new(c.into(), Vec::<Option<String>>::new());
    Ok(DataFrame::new(
        0,
        vec![
            text("rating_id"),
            text("window_id"),
            text("staff_id"),
            date_series("rated_at", std::iter::empty())?,
            Column::new("level".into(), Vec::<i64>::new()),
            text("channel"),
            date_series("rectified_at", std::iter::empty())?,
            Column::new("named".into(), Vec::<Option<bool>>::new()),
            date_series("called_back_at", std::iter::empty())?,
            date_series("feedback_at", std::iter::empty())?,
            text("appeal_result"),
        ],
    )?)
}

/// The bad ratings (kept) whose callback is due on `day`, for the daily
/// report: `rating_id, window_id, staff_id, rated_on, named, called_back`
/// (called back by the end of `day`), by rating id.
pub fn callbacks_due_on(ratings: &DataFrame, cal: &Calendar, day: NaiveDate) -> Result<DataFrame> {
    let rated = dates_of(&ratings.column("rated_at")?.cast(&DataType::Date)?)?;
    let called = dates_of(&ratings.column("called_back_at")?.cast(&DataType::Date)?)?;
    let level = i64s(ratings, "level")?;
    let named = bools_or(ratings, "named", false)?;
    let appeal = opt_strings(ratings, "appeal_result")?;
    let mut rows = Vec::new();
    for i in 0..ratings.height() {
        let Some(on) = rated[i] else { continue };
        if level[i] > 2 || appeal[i].as_deref().is_some_and(|a| EXCLUDING.contains(&a)) {
            continue;
        }
        let days = match named[i] {
            true => NAMED_CALLBACK_DAYS,
            false => ANONYMOUS_CALLBACK_DAYS,
        };
        if on <= day && cal.deadline(on, days)? == day {
            rows.push(i);
        }
    }
    let pick = |c: &str| -> Result<Column> {
        let v = opt_strings(ratings, c)?;
        Ok(Column::new(
            c.into(),
            rows.iter().map(|&i| v[i].clone()).collect::<Vec<_>>(),
        ))
    };
    let out = DataFrame::new(
        rows.len(),
        vec![
            pick("rating_id")?,
            pick("window_id")?,
            pick("staff_id")?,
            date_series("rated_on", rows.iter().map(|&i| rated[i]))?,
            Column::new(
                "named".into(),
                rows.iter()
                    .map(|&i| if named[i] { "实名" } else { "匿名" })
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "called_back".into(),
                rows.iter()
                    .map(|&i| {
                        if called[i].is_some_and(|c| c <= day) {
                            "是"
                        } else {
                            "否"
                        }
                    })
                    .collect::<Vec<_>>(),
            ),
        ],
    )?;
    Ok(out.sort(["rating_id"], SortMultipleOptions::default())?)
}

/// The ratings an appeal excluded, rated within `from..=to` (for the
/// bulletin): `rating_id, window_id, staff_id, rated_on, level, channel,
/// appeal_result`.
pub fn excluded_between(ratings: &DataFrame, from: NaiveDate, to: NaiveDate) -> Result<DataFrame> {
    if ratings.column("appeal_result").is_err() {
        return Ok(DataFrame::empty());
    }
    let on = col("rated_at").cast(DataType::Date);
    Ok(ratings
        .clone()
        .lazy()
        .filter(
            excluded()
                .and(on.clone().gt_eq(crate::polars_ext::date_lit(from)))
                .and(on.clone().lt_eq(crate::polars_ext::date_lit(to))),
        )
        .select([
            col("rating_id"),
            col("window_id"),
            col("staff_id"),
            on.alias("rated_on"),
            col("level"),
            col("channel"),
            col("appeal_result"),
        ])
        .sort(["rated_on", "rating_id"], SortMultipleOptions::default())
        .collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// November 2026: weekends 7–8, 14–15, 21–22, 28–29; no holiday.
    fn ratings() -> DataFrame {
        let dt = |s: Option<&str>| s.map(|s| format!("{s} 10:00"));
        // id, level, channel, named, called back, rectified, feedback, appeal
        type Row<'a> = (
            &'a str,
            i64,
            Option<&'a str>,
            bool,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
        );
        let rows: [Row; 6] = [
            // R1 named, Mon 2: callback due Tue 3, called Tue 3 (on time);
            // rectified Fri 6 (limit Mon 9), feedback Mon 9.
            (
                "R1",
                1,
                Some("二维码"),
                true,
                Some("2026-11-03"),
                Some("2026-11-06"),
                Some("2026-11-09"),
                None,
            ),
            // R2 named, Mon 2: called Wed 4 (late); never rectified.
            (
                "R2",
                2,
                Some("二维码"),
                true,
                Some("2026-11-04"),
                None,
                None,
                None,
            ),
            // R3 anonymous, Mon 2: due Thu 5, called Thu 5 (on time);
            // rectified Tue 10 (late), no feedback.
            (
                "R3",
                2,
                Some("网上"),
                false,
                Some("2026-11-05"),
                Some("2026-11-10"),
                None,
                None,
            ),
            // R4: appealed, ruled 误评: excluded.
            ("R4", 1, Some("网上"), true, None, None, None, Some("误评")),
            // R5: appealed, 维持: kept; no channel; anonymous, never called.
            ("R5", 2, None, false, None, None, None, Some("维持")),
            // R6: a good rating.
            ("R6", 5, Some("二维码"), false, None, None, None, None),
        ];
        let mut df = df!(
            "rating_id" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            "window_id" => ["W01"; 6],
            "staff_id" => [Some("1001"); 6],
            "rated_at" => ["2026-11-02 09:00"; 6],
            "level" => rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            "channel" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            "named" => rows.iter().map(|r| Some(r.3)).collect::<Vec<_>>(),
            "called_back_at" => rows.iter().map(|r| dt(r.4)).collect::<Vec<_>>(),
            "rectified_at" => rows.iter().map(|r| dt(r.5)).collect::<Vec<_>>(),
            "feedback_at" => rows.iter().map(|r| dt(r.6)).collect::<Vec<_>>(),
            "appeal_result" => rows.iter().map(|r| r.7).collect::<Vec<_>>(),
        )
        .unwrap();
        crate::polars_ext::parse_datetimes(
            &mut df,
            &["rated_at", "called_back_at", "rectified_at", "feedback_at"],
        );
        df
    }

    #[test]
    fn the_loop_of_a_month_worked_by_hand() {
        let windows = df!("window_id" => ["W01"], "department" => ["税务局"]).unwrap();
        let m = rating_loop(
            &ratings(),
            &kept(ratings()).unwrap(),
            &windows,
            &Calendar::official(),
            &RatingRules::default(),
            d("2026-11-30"),
        )
        .unwrap();
        let row = |channel: &str| {
            let r = m
                .clone()
                .lazy()
                .filter(
                    col("grain")
                        .eq(lit("month"))
                        .and(col("level").eq(lit("center")))
                        .and(col("channel").eq(lit(channel))),
                )
                .collect()
                .unwrap();
            assert_eq!(r.height(), 1, "{channel}");
            let v = |c: &str| r.column(c).unwrap().i64().unwrap().get(0).unwrap();
            let f = |c: &str| r.column(c).unwrap().f64().unwrap().get(0);
            (
                [
                    v("bad_ratings"),
                    v("callbacks_due"),
                    v("called_back"),
                    v("called_back_on_time"),
                    v("named_due"),
                    v("named_on_time"),
                    v("rectification_due"),
                    v("rectified"),
                    v("rectified_on_time"),
                    v("feedback_given"),
                    v("appealed"),
                    v("excluded"),
                ],
                [
                    f("callback_rate"),
                    f("named_callback_rate"),
                    f("rectification_rate"),
                    f("rectified_on_time_rate"),
                    f("feedback_rate"),
                ],
            )
        };
        // Kept bad ratings R1 R2 R3 R5 (R4 excluded, R6 good).
        let (counts, rates) = row(ALL_CHANNELS);
        assert_eq!(counts, [4, 4, 3, 2, 2, 1, 4, 2, 1, 1, 2, 1]);
        assert_eq!(
            rates,
            [Some(0.75), Some(0.5), Some(0.5), Some(0.25), Some(0.25)]
        );
        let (counts, _) = row("二维码");
        assert_eq!(counts, [2, 2, 2, 1, 2, 1, 2, 1, 1, 1, 0, 0]);
        let (counts, _) = row("网上");
        assert_eq!(counts, [1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
        let (counts, _) = row(NO_CHANNEL);
        assert_eq!(counts, [1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]);
        // Satisfaction by channel, every level but the excluded R4: 全部
        // R1 R2 R3 R5 R6, R6 satisfied and good: 1/5; 二维码 R1 R2 R6:
        // 1/3; 网上 R3: 0; 未注明 R5: 0.
        let satisfaction = |channel: &str| {
            let r = m
                .clone()
                .lazy()
                .filter(
                    col("grain")
                        .eq(lit("month"))
                        .and(col("level").eq(lit("center")))
                        .and(col("channel").eq(lit(channel))),
                )
                .collect()
                .unwrap();
            (
                r.column("ratings").unwrap().i64().unwrap().get(0).unwrap(),
                r.column("satisfaction_rate").unwrap().f64().unwrap().get(0),
                r.column("good_rate").unwrap().f64().unwrap().get(0),
            )
        };
        assert_eq!(satisfaction(ALL_CHANNELS), (5, Some(0.2), Some(0.2)));
        assert_eq!(
            satisfaction("二维码"),
            (3, Some(1.0 / 3.0), Some(1.0 / 3.0))
        );
        assert_eq!(satisfaction("网上"), (1, Some(0.0), Some(0.0)));
        assert_eq!(satisfaction(NO_CHANNEL), (1, Some(0.0), Some(0.0)));
        // As of Mon 2 nothing is due yet.
        let early = rating_loop(
            &ratings(),
            &kept(ratings()).unwrap(),
            &windows,
            &Calendar::official(),
            &RatingRules::default(),
            d("2026-11-02"),
        )
        .unwrap();
        let due: i64 = early
            .column("callbacks_due")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .flatten()
            .sum();
        assert_eq!(due, 0);
        // kept() drops R4 only.
        assert_eq!(kept(ratings()).unwrap().height(), 5);
        // Callbacks due on Tue 3: the named R1 (called) and R2 (not yet);
        // on Thu 5 the anonymous R3 (called) and R5.
        let due = |day: &str| {
            let df = callbacks_due_on(&ratings(), &Calendar::official(), d(day)).unwrap();
            let ids: Vec<String> = crate::polars_ext::strings(&df, "rating_id").unwrap();
            let called: Vec<String> = crate::polars_ext::strings(&df, "called_back").unwrap();
            ids.into_iter().zip(called).collect::<Vec<_>>()
        };
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(due("2026-11-03"), [pair("R1", "是"), pair("R2", "否")]);
        assert_eq!(due("2026-11-05"), [pair("R3", "是"), pair("R5", "否")]);
        assert!(due("2026-11-04").is_empty());
    }
}
