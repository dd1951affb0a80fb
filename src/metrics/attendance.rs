//! Attendance tables (考勤): the per staff-day table `attendance_days` from
//! the pure day logic of [`crate::attendance`], `attendance_metrics` for
//! every grain and level through the one rollup, and the weekly
//! publication (周公示) table.

use super::rollup::{rollup, Roll, RollupSpec};
use crate::attendance::{attendance_days, AttendanceDay, Departure, Leave, Punch, Schedule};
use crate::calendar::Calendar;
use crate::polars_ext::{date_lit, date_series, dates_of, opt_datetimes, opt_strings};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use std::collections::HashMap;

/// The stored tables attendance reads.
pub struct AttendanceTables {
    pub staff: DataFrame,
    pub windows: DataFrame,
    pub punches: Option<DataFrame>,
    pub leaves: Option<DataFrame>,
    pub departures: Option<DataFrame>,
}

/// One roster row: a staff member on a window from a date to a date.
#[derive(Debug, Clone)]
struct Posting {
    window_id: String,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

/// Rows of a per-staff table grouped by staff id (the ids borrowed from
/// the table: a punch's row copies no text).
fn by_staff<T>(
    df: Option<&DataFrame>,
    make: impl Fn(usize) -> Option<T>,
) -> Result<PlHashMap<&str, Vec<T>>> {
    let mut out: PlHashMap<&str, Vec<T>> = PlHashMap::new();
    let Some(df) = df else { return Ok(out) };
    let ids = df.column("staff_id")?.str()?;
    for (i, id) in ids.iter().enumerate() {
        if let (Some(id), Some(row)) = (id, make(i)) {
            out.entry(id).or_default().push(row);
        }
    }
    Ok(out)
}

/// Every staff member's days from `from` to `to` on which the roster has
/// them on a window: `attendance_days`.
pub fn attendance_table(
    t: &AttendanceTables,
    cal: &Calendar,
    schedule: &Schedule,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<DataFrame> {
    let punches = match &t.punches {
        Some(p) => {
            let at = opt_datetimes(p, "punched_at")?;
            by_staff(Some(p), |i| at[i].map(|at| Punch { at }))?
        }
        None => PlHashMap::new(),
    };
    let leaves = match &t.leaves {
        Some(l) => {
            let (kind, start, end) = (
                opt_strings(l, "kind")?,
                opt_datetimes(l, "start")?,
                opt_datetimes(l, "end")?,
            );
            by_staff(Some(l), |i| {
                Some(Leave {
                    kind: kind[i].clone()?,
                    start: start[i]?,
                    end: end[i]?,
                })
            })?
        }
        None => PlHashMap::new(),
    };
    let departures = match &t.departures {
        Some(d) => {
            let (out_at, back_at, cover) = (
                opt_datetimes(d, "out_at")?,
                opt_datetimes(d, "back_at")?,
                opt_strings(d, "cover_staff_id")?,
            );
            by_staff(Some(d), |i| {
                Some(Departure {
                    out_at: out_at[i]?,
                    back_at: back_at[i],
                    cover_staff_id: cover[i].clone(),
                })
            })?
        }
        None => PlHashMap::new(),
    };
    let (valid_from, valid_to) = (
        dates_of(t.staff.column("valid_from")?)?,
        dates_of(t.staff.column("valid_to")?)?,
    );
    let windows = opt_strings(&t.staff, "window_id")?;
    let postings = by_staff(Some(&t.staff), |i| {
        Some(Posting {
            window_id: windows[i].clone()?,
            from: valid_from[i],
            to: valid_to[i],
        })
    })?;
    let department: HashMap<String, String> = opt_strings(&t.windows, "window_id")?
        .into_iter()
        .zip(opt_strings(&t.windows, "department")?)
        .filter_map(|(w, d)| Some((w?, d?)))
        .collect();

    let mut staff_ids: Vec<&str> = postings.keys().copied().collect();
    staff_ids.sort();
    // Each staff member's days on their own, the staff on every core,
    // joined in staff order.
    let per_staff = crate::parallel::parallel_map(&staff_ids, |&id| -> Result<Vec<_>> {
        let posts = &postings[id];
        let valid: Vec<(NaiveDate, Option<NaiveDate>)> = posts
            .iter()
            .map(|p| (p.from.unwrap_or(from), p.to))
            .collect();
        let days = attendance_days(
            schedule,
            cal,
            from,
            to,
            &valid,
            punches.get(id).map_or(&[], Vec::as_slice),
            leaves.get(id).map_or(&[], Vec::as_slice),
            departures.get(id).map_or(&[], Vec::as_slice),
        )?;
        Ok(days
            .into_iter()
            .map(|day| {
                // The window of the posting in force that day (the latest one).
                let window = posts
                    .iter()
                    .filter(|p| {
                        p.from.is_none_or(|f| f <= day.date) && p.to.is_none_or(|t| day.date <= t)
                    })
                    .max_by_key(|p| p.from)
                    .map_or_else(String::new, |p| p.window_id.clone());
                (id.to_string(), window, day)
            })
            .collect())
    });
    day_frame(&crate::parallel::joined(per_staff)?, &department, schedule)
}

/// The share of a working day under leave: leave hours over the day's
/// scheduled hours, at most 1.
fn leave_share(day: &AttendanceDay, schedule: &Schedule) -> f64 {
    let hours = schedule.scheduled_hours(day.date);
    if day.workday && hours > 0.0 {
        (day.leave_hours / hours).min(1.0)
    } else {
        0.0
    }
}

fn day_frame(
    rows: &[(String, String, AttendanceDay)],
    department: &HashMap<String, String>,
    schedule: &Schedule,
) -> Result<DataFrame> {
    let n = rows.len();
    let int = |name: &str, f: &dyn Fn(&AttendanceDay) -> i64| -> Column {
        Column::new(
            name.into(),
            rows.iter().map(|(_, _, d)| f(d)).collect::<Vec<_>>(),
        )
    };
    let slot = |k: usize| -> Result<Column> {
        let ms: Vec<Option<i64>> = rows
            .iter()
            .map(|(_, _, d)| d.slots[k].map(|t| t.and_utc().timestamp_millis()))
            .collect();
        Ok(Series::new(format!("slot{}", k + 1).into(), ms)
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
            .into())
    };
    Ok(DataFrame::new(
        n,
        vec![
            Column::new(
                "staff_id".into(),
                rows.iter().map(|(s, _, _)| s.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "window_id".into(),
                rows.iter().map(|(_, w, _)| w.clone()).collect::<Vec<_>>(),
            ),
            Column::new(
                "department".into(),
                rows.iter()
                    .map(|(_, w, _)| department.get(w).cloned())
                    .collect::<Vec<_>>(),
            ),
            date_series("date", rows.iter().map(|(_, _, d)| Some(d.date)))?,
            Column::new(
                "workday".into(),
                rows.iter().map(|(_, _, d)| d.workday).collect::<Vec<_>>(),
            ),
            slot(0)?,
            slot(1)?,
            slot(2)?,
            slot(3)?,
            int("late_minutes", &|d| d.late_minutes as i64),
            int("early_minutes", &|d| d.early_minutes as i64),
            int("missing_punches", &|d| d.missing_punches as i64),
            int("absent_half_days", &|d| d.absent_half_days as i64),
            Column::new(
                "leave_kind".into(),
                rows.iter()
                    .map(|(_, _, d)| d.leave_kind.clone())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "leave_hours".into(),
                rows.iter()
                    .map(|(_, _, d)| d.leave_hours)
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "leave_day_share".into(),
                rows.iter()
                    .map(|(_, _, d)| leave_share(d, schedule))
                    .collect::<Vec<_>>(),
            ),
            int("overlong_departures", &|d| d.overlong_departures as i64),
            int("overlong_departure_minutes", &|d| {
                d.overlong_departure_minutes as i64
            }),
            int("departures_without_cover", &|d| {
                d.departures_without_cover as i64
            }),
            int("stray_punches", &|d| d.stray_punches as i64),
            Column::new(
                "duty_presence".into(),
                rows.iter()
                    .map(|(_, _, d)| d.duty_presence)
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "status".into(),
                rows.iter()
                    .map(|(_, _, d)| d.status.to_string())
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "exceptions".into(),
                rows.iter()
                    .map(|(_, _, d)| d.exceptions.join(","))
                    .collect::<Vec<_>>(),
            ),
        ],
    )?)
}

/// The unit leave shares and hours are summed in (2^-40: a year of a
/// center's leave days stays far below 2^63 units).
const LEAVE_UNITS: f64 = (1u64 << 40) as f64;

/// Measures of `attendance_metrics`.
const MEASURES: [(&str, Roll); 15] = [
    ("expected_days", Roll::Sum),
    ("leave_day_share", Roll::Sum),
    ("absent_half_days", Roll::Sum),
    ("late", Roll::Sum),
    ("late_minutes", Roll::Sum),
    ("early", Roll::Sum),
    ("early_minutes", Roll::Sum),
    ("missing", Roll::Sum),
    ("missing_punches", Roll::Sum),
    ("absent", Roll::Sum),
    ("overlong_departures", Roll::Sum),
    ("overlong_departure_minutes", Roll::Sum),
    ("departures_without_cover", Roll::Sum),
    ("leave_hours", Roll::Sum),
    ("duty_days", Roll::Sum),
];

/// `attendance_metrics` for every grain and for staff, window, department
/// and center, as of `as_of`.
///
/// expected_days: working days on the roster; leave_days: the share of each
/// such day under leave (`leave_day_share` of `attendance_days`);
/// absent_days: absent half days / 2; attended_days = expected − leave −
/// absent; attendance_rate = attended / expected.
pub fn attendance_metrics(days: &DataFrame, as_of: NaiveDate) -> Result<DataFrame> {
    let flag = |e: Expr| e.cast(DataType::Int64);
    let work = col("workday");
    let events = days.clone().lazy().with_columns([
        flag(work.clone()).alias("expected_days"),
        flag(col("late_minutes").gt(lit(0))).alias("late"),
        flag(col("early_minutes").gt(lit(0))).alias("early"),
        flag(col("missing_punches").gt(lit(0))).alias("missing"),
        flag(col("absent_half_days").gt(lit(0))).alias("absent"),
        flag(work.not().and(col("duty_presence"))).alias("duty_days"),
        // Shares of a day summed in floating point come out a little
        // different as the group-bys' threads take their rows in another
        // order (a run's leave days changed in the last digit from run to
        // run): summed as whole units of 2^-40 of a day they are exact.
        (col("leave_day_share") * lit(LEAVE_UNITS))
            .round(0, RoundMode::HalfToEven)
            .cast(DataType::Int64)
            .alias("leave_day_share"),
        (col("leave_hours") * lit(LEAVE_UNITS))
            .round(0, RoundMode::HalfToEven)
            .cast(DataType::Int64)
            .alias("leave_hours"),
    ]);
    let sums = rollup(events, &RollupSpec::people(&MEASURES, &[], as_of))?;
    let units = |c: &str| col(c).cast(DataType::Float64) / lit(LEAVE_UNITS);
    let rows = sums
        .lazy()
        .with_columns([units("leave_day_share"), units("leave_hours")])
        .with_columns([
            col("leave_day_share").alias("leave_days"),
            (col("absent_half_days").cast(DataType::Float64) / lit(2.0)).alias("absent_days"),
        ])
        .with_column(
            (col("expected_days").cast(DataType::Float64) - col("leave_days") - col("absent_days"))
                .alias("attended_days"),
        );
    Ok(super::schema::ATTENDANCE.finish(rows)?)
}

/// The weekly publication (周公示) or monthly sheet: per window and staff
/// member over `from..=to`: working days, attended, late, early, missing,
/// absent half days, leave (hours and kinds), overlong departures.
/// attended_days = working days − the share under leave − absent half days / 2,
/// as in `attendance_metrics`, shown to two decimals.
pub fn publication(
    days: &DataFrame,
    staff_names: &DataFrame,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<DataFrame> {
    let in_range = col("date")
        .gt_eq(date_lit(from))
        .and(col("date").lt_eq(date_lit(to)));
    let names = staff_names
        .clone()
        .lazy()
        .group_by([col("staff_id")])
        .agg([col("name").last()]);
    Ok(days
        .clone()
        .lazy()
        .filter(in_range)
        .group_by([col("window_id"), col("staff_id")])
        .agg([
            col("workday")
                .cast(DataType::Int64)
                .sum()
                .alias("working_days"),
            (col("workday").cast(DataType::Float64)
                - col("leave_day_share")
                - col("absent_half_days").cast(DataType::Float64) / lit(2.0))
            .sum()
            .round(2, RoundMode::HalfAwayFromZero)
            .alias("attended_days"),
            col("late_minutes")
                .gt(lit(0))
                .cast(DataType::Int64)
                .sum()
                .alias("late"),
            col("late_minutes").sum(),
            col("early_minutes")
                .gt(lit(0))
                .cast(DataType::Int64)
                .sum()
                .alias("early"),
            col("early_minutes").sum(),
            col("missing_punches").sum().alias("missing"),
            col("absent_half_days").sum(),
            col("leave_hours")
                .sum()
                .round(2, RoundMode::HalfAwayFromZero),
            col("leave_kind")
                .drop_nulls()
                .unique_stable()
                .str()
                .join(",", true)
                .alias("leave_kinds"),
            col("overlong_departures").sum(),
            col("departures_without_cover").sum(),
        ])
        .join(
            names,
            [col("staff_id")],
            [col("staff_id")],
            JoinArgs::new(JoinType::Left),
        )
        .select(super::schema::ATTENDANCE_SHEET.select())
        .sort(["window_id", "staff_id"], SortMultipleOptions::default())
        .collect()?)
}

/// The staff named for attendance in a bulletin (实名通报): per window and
/// staff member over `from..=to`, absent half days (旷工), days late (迟到)
/// and overlong departures (离岗超时), kept when any reaches its threshold
/// of `[attendance]` (`name_absent_half_days`, `name_late_times`,
/// `name_overlong_departures`; 0 turns a criterion off), sorted by window
/// and staff, with the staff member's name from `staff` (the last roster
/// row; null without a roster).
///
/// Columns: window_id, staff_id, name (beside the code, as people read
/// it), absent_half_days, late, overlong_departures.
pub fn named_for_attendance(
    days: &DataFrame,
    staff: Option<&DataFrame>,
    from: NaiveDate,
    to: NaiveDate,
    rules: &Schedule,
) -> Result<DataFrame> {
    let at_least = |c: &str, n: u32| (n > 0).then(|| col(c).gt_eq(lit(i64::from(n))));
    let named_if = [
        at_least("absent_half_days", rules.name_absent_half_days),
        at_least("late", rules.name_late_times),
        at_least("overlong_departures", rules.name_overlong_departures),
    ]
    .into_iter()
    .flatten()
    .reduce(Expr::or)
    .unwrap_or(lit(false));
    let named = days
        .clone()
        .lazy()
        .filter(
            col("date")
                .gt_eq(crate::polars_ext::date_lit(from))
                .and(col("date").lt_eq(crate::polars_ext::date_lit(to))),
        )
        .group_by([col("window_id"), col("staff_id")])
        .agg([
            col("absent_half_days").sum(),
            (col("late_minutes").gt(lit(0)))
                .cast(DataType::Int64)
                .sum()
                .alias("late"),
            col("overlong_departures").sum(),
        ])
        .filter(named_if)
        .sort(["window_id", "staff_id"], SortMultipleOptions::default())
        .collect()?;
    let named = match staff {
        Some(staff) => named.lazy().join(
            staff
                .clone()
                .lazy()
                .group_by([col("staff_id")])
                .agg([col("name").last()]),
            [col("staff_id")],
            [col("staff_id")],
            JoinArgs::new(JoinType::Left),
        ),
        None => named
            .lazy()
            .with_column(lit(NULL).cast(DataType::String).alias("name")),
    };
    Ok(named
        .select(
            [
                "window_id",
                "staff_id",
                "name",
                "absent_half_days",
                "late",
                "overlong_departures",
            ]
            .map(col),
        )
        .collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Staff days of October: (staff, date, absent half days, late minutes,
    /// overlong departures), all on window W01 but 9005 on W02.
    fn days() -> DataFrame {
        let rows: [(&str, &str, i64, i64, i64); 12] = [
            // 9001: one absent half day (at the threshold).
            ("9001", "2026-10-08", 1, 0, 0),
            // 9002: late on two days (just under), a third in September.
            ("9002", "2026-10-08", 0, 5, 0),
            ("9002", "2026-10-09", 0, 40, 0),
            ("9002", "2026-09-30", 0, 10, 0),
            // 9003: late on three days (at the threshold).
            ("9003", "2026-10-08", 0, 1, 0),
            ("9003", "2026-10-09", 0, 1, 0),
            ("9003", "2026-10-12", 0, 1, 0),
            // 9004: one overlong departure (at the threshold).
            ("9004", "2026-10-12", 0, 0, 1),
            // 9005: nothing (just under every threshold); its September
            // absence and departure lie outside the period.
            ("9005", "2026-10-08", 0, 0, 0),
            ("9005", "2026-09-29", 2, 0, 0),
            ("9005", "2026-09-30", 0, 0, 3),
            // 9001 again, a clean day.
            ("9001", "2026-10-09", 0, 0, 0),
        ];
        DataFrame::new(
            rows.len(),
            vec![
                Column::new(
                    "window_id".into(),
                    rows.iter()
                        .map(|r| if r.0 == "9005" { "W02" } else { "W01" })
                        .collect::<Vec<_>>(),
                ),
                Column::new(
                    "staff_id".into(),
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                ),
                date_series("date", rows.iter().map(|r| Some(d(r.1)))).unwrap(),
                Column::new(
                    "absent_half_days".into(),
                    rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                ),
                Column::new(
                    "late_minutes".into(),
                    rows.iter().map(|r| r.3).collect::<Vec<_>>(),
                ),
                Column::new(
                    "overlong_departures".into(),
                    rows.iter().map(|r| r.4).collect::<Vec<_>>(),
                ),
            ],
        )
        .unwrap()
    }

    fn ids(df: &DataFrame) -> Vec<String> {
        df.column("staff_id")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .map(|s| s.unwrap().to_string())
            .collect()
    }

    #[test]
    fn named_for_attendance_at_each_threshold() {
        let (from, to) = (d("2026-10-01"), d("2026-10-31"));
        let staff = df!(
            "staff_id" => ["9001", "9001", "9003", "9004"],
            "name" => ["旧名", "张三", "李四", "王五"],
        )
        .unwrap();
        let rules = Schedule::default();
        assert_eq!(
            (
                rules.name_absent_half_days,
                rules.name_late_times,
                rules.name_overlong_departures
            ),
            (1, 3, 1)
        );
        let named = named_for_attendance(&days(), Some(&staff), from, to, &rules).unwrap();
        assert_eq!(ids(&named), ["9001", "9003", "9004"]);
        let columns: Vec<&str> = named
            .get_column_names()
            .iter()
            .map(|c| c.as_str())
            .collect();
        assert_eq!(
            columns,
            [
                "window_id",
                "staff_id",
                "name",
                "absent_half_days",
                "late",
                "overlong_departures"
            ]
        );
        let late: Vec<Option<i64>> = named
            .column("late")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(late, [Some(0), Some(3), Some(0)]);
        let names: Vec<Option<&str>> = named
            .column("name")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(names, [Some("张三"), Some("李四"), Some("王五")]);

        // Without a roster the names are null.
        let unnamed = named_for_attendance(&days(), None, from, to, &rules).unwrap();
        assert_eq!(ids(&unnamed), ["9001", "9003", "9004"]);
        assert_eq!(unnamed.column("name").unwrap().null_count(), 3);

        // Thresholds from the config: one more, and 0 turns a criterion off.
        let stricter = Schedule {
            name_absent_half_days: 2,
            name_late_times: 2,
            name_overlong_departures: 0,
            ..Schedule::default()
        };
        let named = named_for_attendance(&days(), Some(&staff), from, to, &stricter).unwrap();
        assert_eq!(ids(&named), ["9002", "9003"]);
        // September counts in September only.
        let september = (d("2026-09-01"), d("2026-09-30"));
        let named = named_for_attendance(&days(), None, september.0, september.1, &rules).unwrap();
        assert_eq!(ids(&named), ["9005"]);
    }
}
