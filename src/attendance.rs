//! Attendance (考勤): the four fingerprint punches of a working day, leave,
//! and departures from the post, judged per staff member and day.
//!
//! Staff discipline is half of what a center's supervision office watches.
//! The rules this module applies (docs/METRICS.md, "Attendance"): every
//! working day each staff member punches the fingerprint clock four times
//! (每个工作日对全体工作人员上下班实行四次指纹考勤); a staff member who leaves the post
//! mid-session registers by name, and a departure over 20 minutes needs a leave
//! (请假手续) and a B-post cover (B岗); attendance and leave are published every
//! week (周公示) and named in the monthly bulletin (月通报), and they feed the
//! red-flag window and service-star rankings.
//!
//! This module is the pure core of that judgement: plain structs and chrono,
//! no I/O, no clock, no data frames. [`attendance_day`] judges one staff member
//! on one date; [`attendance_days`] runs it over a date range for one staff
//! member, using the working-day calendar and the roster's validity ranges.
//! The store, the metrics per period and the weekly table build on its rows.
//!
//! # The schedule ([`Schedule`], `[attendance]` in the config)
//! Four punch points (打卡点) a working day: 上午上班 (morning in), 上午下班
//! (morning out), 下午上班 (afternoon in), 下午下班 (afternoon out). Hours are
//! seasonal (夏令时 / 冬令时 作息时间): each [`Season`] has its own four times and
//! the acceptance window (打卡有效时段) of each slot. Summer runs from
//! `summer_from` up to the day before `winter_from` (month-day, wrapping over
//! the new year), winter the rest of the year.
//!
//! Defaults (a typical county center):
//!
//! | slot | summer (05-01 – 09-30) | winter (10-01 – 04-30) | window summer | window winter |
//! |---|---|---|---|---|
//! | 上午上班 | 08:30 | 08:30 | 06:00–10:30 | 06:00–10:30 |
//! | 上午下班 | 12:00 | 12:00 | 11:00–13:29 | 11:00–12:59 |
//! | 下午上班 | 14:30 | 14:00 | 13:30–15:30 | 13:00–15:30 |
//! | 下午下班 | 17:30 | 17:00 | 16:00–23:59 | 16:00–23:59 |
//!
//! A window `from–to` holds the punches whose time, seconds dropped, lies from
//! `from` to `to` inclusive (so `23:59` holds 23:59:59). The lunch boundary
//! sits near the middle of the break: 13:30 in summer (12:00–14:30), 13:00 in
//! winter (12:00–14:00). A punch between the windows of a half day
//! (10:31–10:59, 15:31–15:59) or before 06:00 is judged against the nearest
//! slot it can fill (see [`assign_slots`]): a late arrival when the half
//! day's in-slot is empty, else an early departure (before 06:00: stray,
//! 无效打卡, when the in-slot has its punch).
//! Grace minutes for late and early leave default to 0; lateness of 30 minutes
//! or more (`absence_late_minutes`, 0 turns the rule off) counts as half a
//! day's absence; a departure over 20 minutes (`departure_limit_minutes`)
//! needs a leave.
//!
//! # Rules, per staff member and date
//! - Each punch goes to the slot whose window holds it; several punches in one
//!   slot collapse to the earliest (in-slots) or the latest (out-slots). An
//!   empty in-slot takes the earliest of its half day's out-slot punches when
//!   they lie 10 minutes or more apart (a late arrival), an empty out-slot the
//!   latest of the in-slot's (an early departure): a later arrival or an
//!   earlier departure never fares better.
//! - On a non-working day punches are duty presence (值班), never exceptions.
//! - A leave (请假: 事假, 病假, 年假, 出差, 公务外出 …) covers the slots whose
//!   scheduled time lies inside it, ends included. A covered slot is never
//!   late, early, missing or absent. A leave whose end is exactly midnight
//!   (how a date-only export arrives) runs to the end of that day.
//! - Late (迟到) and early leave (早退) are whole minutes from the scheduled
//!   time, truncated; they count when they exceed the grace.
//! - Missing punches (缺卡): uncovered slots without a punch, except in a half
//!   day already counted absent for having no punch at all (that half day is
//!   one 旷工, not two 缺卡 besides).
//! - Absence (旷工) in half days: a half day (morning: slots 1–2, afternoon:
//!   slots 3–4) with no slot covered by leave and no punch in either slot, or
//!   whose in-punch is late by `absence_late_minutes` or more. At most one per
//!   half day.
//! - Departures (离岗登记): the minutes of a departure not inside any leave;
//!   over the limit it is overlong (离岗超时). Without a return time it runs to
//!   the end of its session. A departure without a B-post cover (无人顶岗)
//!   counts whatever its length.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError};

/// Exception 迟到: an in-punch after the scheduled time plus grace.
pub const LATE: &str = "迟到";
/// Exception 早退: an out-punch before the scheduled time minus grace.
pub const EARLY: &str = "早退";
/// Exception 缺卡: an uncovered slot without a punch.
pub const MISSING: &str = "缺卡";
/// Exception 旷工: a half day absent without leave.
pub const ABSENT: &str = "旷工";
/// Exception 离岗超时: a departure over the limit not covered by leave.
pub const DEPARTURE_OVERLONG: &str = "离岗超时";
/// Exception 离岗无人顶岗: a departure without a B-post cover.
pub const DEPARTURE_NO_COVER: &str = "离岗无人顶岗";
/// Exception 请假: a leave overlapping the day's working time or slots.
pub const LEAVE: &str = "请假";
/// Every exception, in the order [`AttendanceDay::exceptions`] lists them.
pub const EXCEPTIONS: [&str; 7] = [
    LATE,
    EARLY,
    MISSING,
    ABSENT,
    DEPARTURE_OVERLONG,
    DEPARTURE_NO_COVER,
    LEAVE,
];

/// Status 出差: a business trip covering all four slots.
pub const STATUS_TRIP: &str = "出差";
/// Status 公务: official business out of the office (公务外出) covering all four slots.
pub const STATUS_OFFICIAL: &str = "公务";
/// Status 离岗: an overlong departure (and nothing worse).
pub const STATUS_DEPARTED: &str = "离岗";
/// Status 正常: a working day without exceptions (a partial leave aside).
pub const STATUS_NORMAL: &str = "正常";
/// Status 休息: a non-working day without punches.
pub const STATUS_REST: &str = "休息";
/// Status 值班: a non-working day with punches (duty presence).
pub const STATUS_DUTY: &str = "值班";

/// One of the four punch points of a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    /// 上午上班
    MorningIn,
    /// 上午下班
    MorningOut,
    /// 下午上班
    AfternoonIn,
    /// 下午下班
    AfternoonOut,
}

impl Slot {
    /// The four slots in the order of the day (and of [`AttendanceDay::slots`]).
    pub const ALL: [Slot; 4] = [
        Slot::MorningIn,
        Slot::MorningOut,
        Slot::AfternoonIn,
        Slot::AfternoonOut,
    ];

    /// The Chinese name (上午上班 …).
    pub fn name(self) -> &'static str {
        match self {
            Slot::MorningIn => "上午上班",
            Slot::MorningOut => "上午下班",
            Slot::AfternoonIn => "下午上班",
            Slot::AfternoonOut => "下午下班",
        }
    }

    /// The key in the configuration (`morning_in` …).
    pub fn key(self) -> &'static str {
        match self {
            Slot::MorningIn => "morning_in",
            Slot::MorningOut => "morning_out",
            Slot::AfternoonIn => "afternoon_in",
            Slot::AfternoonOut => "afternoon_out",
        }
    }

    /// An in-slot (上班): judged for lateness, keeps its earliest punch.
    pub fn is_in(self) -> bool {
        matches!(self, Slot::MorningIn | Slot::AfternoonIn)
    }
}

/// Serde of a clock time as `"HH:MM"` (whole minutes).
mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&t.format("%H:%M"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|e| {
            serde::de::Error::custom(format!("bad time `{text}` (expected HH:MM): {e}"))
        })
    }
}

/// A day of the year, `"MM-DD"` in the configuration (the season switch dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MonthDay {
    month: u32,
    day: u32,
}

impl MonthDay {
    /// A valid month-day (02-29 included), else `None`.
    pub fn new(month: u32, day: u32) -> Option<MonthDay> {
        // 2000 is a leap year, so 02-29 is accepted.
        NaiveDate::from_ymd_opt(2000, month, day).map(|_| MonthDay { month, day })
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn day(self) -> u32 {
        self.day
    }

    /// The month-day of a date.
    pub fn of(date: NaiveDate) -> MonthDay {
        use chrono::Datelike;
        MonthDay {
            month: date.month(),
            day: date.day(),
        }
    }
}

impl fmt::Display for MonthDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}-{:02}", self.month, self.day)
    }
}

impl FromStr for MonthDay {
    type Err = String;

    fn from_str(s: &str) -> Result<MonthDay, String> {
        let bad = || format!("bad month-day `{s}` (expected MM-DD, e.g. 05-01)");
        let (m, d) = s.trim().split_once('-').ok_or_else(bad)?;
        let m = m.parse().map_err(|_| bad())?;
        let d = d.parse().map_err(|_| bad())?;
        MonthDay::new(m, d).ok_or_else(bad)
    }
}

impl TryFrom<String> for MonthDay {
    type Error = String;

    fn try_from(s: String) -> Result<MonthDay, String> {
        s.parse()
    }
}

impl From<MonthDay> for String {
    fn from(md: MonthDay) -> String {
        md.to_string()
    }
}

/// The acceptance window (打卡有效时段) of a slot: punches whose time, seconds
/// dropped, lies from `from` to `to` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PunchWindow {
    #[serde(with = "hhmm")]
    pub from: NaiveTime,
    #[serde(with = "hhmm")]
    pub to: NaiveTime,
}

impl PunchWindow {
    fn new(from: (u32, u32), to: (u32, u32)) -> PunchWindow {
        PunchWindow {
            from: hm(from.0, from.1),
            to: hm(to.0, to.1),
        }
    }

    /// Whether the window holds a time of day (compared in whole minutes).
    pub fn contains(&self, t: NaiveTime) -> bool {
        let t = truncate_to_minute(t);
        self.from <= t && t <= self.to
    }
}

/// The hours of one season (夏令 / 冬令作息): the four scheduled times and
/// their acceptance windows. A season given in the configuration is given in
/// full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Season {
    /// 上午上班
    #[serde(with = "hhmm")]
    pub morning_in: NaiveTime,
    /// 上午下班
    #[serde(with = "hhmm")]
    pub morning_out: NaiveTime,
    /// 下午上班
    #[serde(with = "hhmm")]
    pub afternoon_in: NaiveTime,
    /// 下午下班
    #[serde(with = "hhmm")]
    pub afternoon_out: NaiveTime,
    pub morning_in_window: PunchWindow,
    pub morning_out_window: PunchWindow,
    pub afternoon_in_window: PunchWindow,
    pub afternoon_out_window: PunchWindow,
}

impl Season {
    /// The default summer hours (afternoon 14:30–17:30).
    pub fn summer() -> Season {
        Season {
            morning_in: hm(8, 30),
            morning_out: hm(12, 0),
            afternoon_in: hm(14, 30),
            afternoon_out: hm(17, 30),
            morning_in_window: PunchWindow::new((6, 0), (10, 30)),
            morning_out_window: PunchWindow::new((11, 0), (13, 29)),
            afternoon_in_window: PunchWindow::new((13, 30), (15, 30)),
            afternoon_out_window: PunchWindow::new((16, 0), (23, 59)),
        }
    }

    /// The default winter hours (afternoon 14:00–17:00).
    pub fn winter() -> Season {
        Season {
            afternoon_in: hm(14, 0),
            afternoon_out: hm(17, 0),
            morning_out_window: PunchWindow::new((11, 0), (12, 59)),
            afternoon_in_window: PunchWindow::new((13, 0), (15, 30)),
            ..Season::summer()
        }
    }

    /// The scheduled times, in slot order.
    pub fn times(&self) -> [NaiveTime; 4] {
        [
            self.morning_in,
            self.morning_out,
            self.afternoon_in,
            self.afternoon_out,
        ]
    }

    /// The acceptance windows, in slot order.
    pub fn windows(&self) -> [PunchWindow; 4] {
        [
            self.morning_in_window,
            self.morning_out_window,
            self.afternoon_in_window,
            self.afternoon_out_window,
        ]
    }

    /// The slot whose window holds a time of day.
    pub fn slot_of(&self, t: NaiveTime) -> Option<Slot> {
        Slot::ALL
            .into_iter()
            .zip(self.windows())
            .find_map(|(slot, w)| w.contains(t).then_some(slot))
    }

    /// Scheduled working time of a day: both sessions (上午, 下午).
    pub fn working_minutes(&self) -> i64 {
        (self.morning_out - self.morning_in).num_minutes()
            + (self.afternoon_out - self.afternoon_in).num_minutes()
    }

    fn validate(&self, name: &str) -> Result<(), String> {
        let times = self.times();
        let windows = self.windows();
        for (i, slot) in Slot::ALL.into_iter().enumerate() {
            let (t, w) = (times[i], windows[i]);
            for (what, x) in [("time", t), ("window start", w.from), ("window end", w.to)] {
                if x != truncate_to_minute(x) {
                    return Err(format!(
                        "attendance {name} {} {what} {x} is not a whole minute",
                        slot.key()
                    ));
                }
            }
            if w.from > w.to {
                return Err(format!(
                    "attendance {name} {}_window {}–{} ends before it starts",
                    slot.key(),
                    w.from.format("%H:%M"),
                    w.to.format("%H:%M")
                ));
            }
            if !w.contains(t) {
                return Err(format!(
                    "attendance {name} {} {} lies outside its window {}–{}",
                    slot.key(),
                    t.format("%H:%M"),
                    w.from.format("%H:%M"),
                    w.to.format("%H:%M")
                ));
            }
            if i > 0 && windows[i - 1].to >= w.from {
                return Err(format!(
                    "attendance {name} windows overlap or are out of order: {}_window ends {}, \
                     {}_window starts {}",
                    Slot::ALL[i - 1].key(),
                    windows[i - 1].to.format("%H:%M"),
                    slot.key(),
                    w.from.format("%H:%M")
                ));
            }
        }
        Ok(())
    }
}

/// The attendance rules of a center (`[attendance]` in `xiaoneng.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schedule {
    /// First day of summer hours (夏令作息), `"MM-DD"`; default `"05-01"`.
    pub summer_from: MonthDay,
    /// First day of winter hours (冬令作息), `"MM-DD"`; default `"10-01"`.
    pub winter_from: MonthDay,
    /// Minutes after the scheduled in-time that are not yet late (default 0).
    pub late_grace_minutes: u32,
    /// Minutes before the scheduled out-time that are not yet early (default 0).
    pub early_grace_minutes: u32,
    /// Lateness of this many minutes or more counts as half a day's absence
    /// (旷工半天); default 30, 0 turns the rule off.
    pub absence_late_minutes: u32,
    /// A departure longer than this many minutes needs a leave (default 20).
    pub departure_limit_minutes: u32,
    /// The bulletin names (实名通报) a staff member with at least this many
    /// absent half days (旷工) in its period (default 1; 0: not named for it).
    pub name_absent_half_days: u32,
    /// … or late (迟到) on at least this many days (default 3; 0: off).
    pub name_late_times: u32,
    /// … or at least this many overlong departures (离岗超时) (default 1; 0: off).
    pub name_overlong_departures: u32,
    /// Summer hours (default afternoon 14:30–17:30).
    pub summer: Season,
    /// Winter hours (default afternoon 14:00–17:00).
    pub winter: Season,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            summer_from: MonthDay { month: 5, day: 1 },
            winter_from: MonthDay { month: 10, day: 1 },
            late_grace_minutes: 0,
            early_grace_minutes: 0,
            absence_late_minutes: 30,
            departure_limit_minutes: 20,
            name_absent_half_days: 1,
            name_late_times: 3,
            name_overlong_departures: 1,
            summer: Season::summer(),
            winter: Season::winter(),
        }
    }
}

/// Upper bound of every minute setting: a day.
const MAX_MINUTES: u32 = 24 * 60;

/// Upper bound of the naming thresholds: two half days a day for a year (a
/// higher threshold would name no one).
const MAX_NAMING_COUNT: u32 = 2 * 366;

impl Schedule {
    /// Check the schedule: distinct switch dates, whole-minute times, each
    /// slot's time inside its window, windows ordered and non-overlapping,
    /// minute settings at most a day, naming thresholds at most two half
    /// days a day for a year.
    pub fn validate(&self) -> Result<(), String> {
        if self.summer_from == self.winter_from {
            return Err(format!(
                "attendance summer_from and winter_from are the same day ({})",
                self.summer_from
            ));
        }
        self.summer.validate("summer")?;
        self.winter.validate("winter")?;
        for (key, value) in [
            ("late_grace_minutes", self.late_grace_minutes),
            ("early_grace_minutes", self.early_grace_minutes),
            ("absence_late_minutes", self.absence_late_minutes),
            ("departure_limit_minutes", self.departure_limit_minutes),
        ] {
            if value > MAX_MINUTES {
                return Err(format!(
                    "attendance {key} = {value} is more than a day ({MAX_MINUTES} minutes)"
                ));
            }
        }
        for (key, value) in [
            ("name_absent_half_days", self.name_absent_half_days),
            ("name_late_times", self.name_late_times),
            ("name_overlong_departures", self.name_overlong_departures),
        ] {
            if value > MAX_NAMING_COUNT {
                return Err(format!(
                    "attendance {key} = {value} is more than a year can count \
                     ({MAX_NAMING_COUNT}): no one would be named"
                ));
            }
        }
        Ok(())
    }

    /// Whether a date has summer hours.
    pub fn is_summer(&self, date: NaiveDate) -> bool {
        let md = MonthDay::of(date);
        if self.summer_from < self.winter_from {
            self.summer_from <= md && md < self.winter_from
        } else {
            md >= self.summer_from || md < self.winter_from
        }
    }

    /// Scheduled working time of a date in hours (both sessions of its
    /// season, 6.5 by default): the measure of [`AttendanceDay::leave_hours`].
    pub fn scheduled_hours(&self, date: NaiveDate) -> f64 {
        self.season(date).working_minutes() as f64 / 60.0
    }

    /// The hours in force on a date.
    pub fn season(&self, date: NaiveDate) -> &Season {
        if self.is_summer(date) {
            &self.summer
        } else {
            &self.winter
        }
    }
}

/// One fingerprint punch (打卡).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Punch {
    pub at: NaiveDateTime,
}

/// A leave (请假) or an approved absence from the post: `kind` is 事假, 病假,
/// 年假, 出差 (business trip), 公务外出 (official business) ….
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Leave {
    pub kind: String,
    pub start: NaiveDateTime,
    /// Inclusive; exactly midnight means the end of that day (a date-only export).
    pub end: NaiveDateTime,
}

impl Leave {
    /// The end as applied: a midnight end runs to the last instant of its day.
    pub fn effective_end(&self) -> NaiveDateTime {
        if self.end.time() == NaiveTime::MIN {
            self.end + TimeDelta::days(1) - TimeDelta::nanoseconds(1)
        } else {
            self.end
        }
    }
}

/// A registered departure from the post (离岗登记); `cover_staff_id` is the
/// B-post colleague (B岗) who covers the window meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Departure {
    pub out_at: NaiveDateTime,
    pub back_at: Option<NaiveDateTime>,
    pub cover_staff_id: Option<String>,
}

/// The judgement of one staff member on one date (a row of `attendance_days`).
#[derive(Debug, Clone, PartialEq)]
pub struct AttendanceDay {
    pub date: NaiveDate,
    /// A working day (工作日) by the calendar.
    pub workday: bool,
    /// The punch kept in each slot (上午上班, 上午下班, 下午上班, 下午下班).
    pub slots: [Option<NaiveDateTime>; 4],
    /// 迟到: minutes late over both in-slots (counted from the scheduled time).
    pub late_minutes: u32,
    /// 早退: minutes early over both out-slots.
    pub early_minutes: u32,
    /// 缺卡: uncovered slots without a punch (outside half days absent for no punch).
    pub missing_punches: u32,
    /// 旷工: half days absent (0, 1 or 2).
    pub absent_half_days: u32,
    /// The leave kind covering the most slots (then the most working time).
    pub leave_kind: Option<String>,
    /// Scheduled working time of the day inside leave, in hours.
    pub leave_hours: f64,
    /// 离岗超时: departures whose minutes outside leave exceed the limit.
    pub overlong_departures: u32,
    /// Minutes outside leave of the overlong departures.
    pub overlong_departure_minutes: u32,
    /// 离岗无人顶岗: departures without a B-post cover.
    pub departures_without_cover: u32,
    /// Punches in no slot's window (无效打卡).
    pub stray_punches: u32,
    /// 值班: a punch on a non-working day (always false on a working day).
    pub duty_presence: bool,
    /// One word: 旷工, 请假/出差/公务, 缺卡, 迟到, 早退, 离岗, 正常; 休息 or 值班 off work.
    pub status: &'static str,
    /// Every exception of the day, in the order of [`EXCEPTIONS`].
    pub exceptions: Vec<&'static str>,
}

/// Judge one staff member on one date.
///
/// `punches` and `departures` on other dates are ignored (a departure belongs
/// to the date it starts); `leaves` may be any leaves of the staff member,
/// only their overlap with the day counts. See the module documentation for
/// the rules.
pub fn attendance_day(
    schedule: &Schedule,
    date: NaiveDate,
    workday: bool,
    punches: &[Punch],
    leaves: &[Leave],
    departures: &[Departure],
) -> AttendanceDay {
    let leaves: Vec<&Leave> = leaves.iter().collect();
    let departures: Vec<&Departure> = departures.iter().collect();
    judge_day(schedule, date, workday, punches, &leaves, &departures)
}

/// [`attendance_day`] for every date from `from` to `to` (inclusive) on which
/// the roster has the staff member: `valid` holds their roster rows' validity
/// ranges (valid_from, valid_to or open), both ends included.
///
/// The inputs are sorted once and walked with the dates, so the cost is
/// O((punches + leaves + departures) log + days). Fails on the first roster
/// date the calendar does not cover.
#[allow(clippy::too_many_arguments)]
pub fn attendance_days(
    schedule: &Schedule,
    calendar: &Calendar,
    from: NaiveDate,
    to: NaiveDate,
    valid: &[(NaiveDate, Option<NaiveDate>)],
    punches: &[Punch],
    leaves: &[Leave],
    departures: &[Departure],
) -> Result<Vec<AttendanceDay>, CalendarError> {
    let ranges = roster_ranges(from, to, valid);

    let mut punches = punches.to_vec();
    punches.sort_unstable();
    let mut leaves: Vec<&Leave> = leaves.iter().collect();
    leaves.sort_by_key(|l| l.start);
    let mut departures: Vec<&Departure> = departures.iter().collect();
    departures.sort_by_key(|d| d.out_at);

    let (mut p, mut l, mut q) = (0, 0, 0);
    let mut active: Vec<&Leave> = Vec::new();
    let mut out = Vec::new();
    for (a, b) in ranges {
        for date in a.iter_days().take_while(|d| *d <= b) {
            let workday = calendar.is_workday(date)?;

            let day_punches = take_day(&punches, &mut p, date, |x| x.at);
            let day_departures = take_day(&departures, &mut q, date, |x| x.out_at);
            while l < leaves.len() && leaves[l].start.date() <= date {
                active.push(leaves[l]);
                l += 1;
            }
            active.retain(|x| x.effective_end().date() >= date);

            out.push(judge_day(
                schedule,
                date,
                workday,
                day_punches,
                &active,
                day_departures,
            ));
        }
    }
    Ok(out)
}

/// The roster ranges clipped to `from..=to`, sorted and merged.
fn roster_ranges(
    from: NaiveDate,
    to: NaiveDate,
    valid: &[(NaiveDate, Option<NaiveDate>)],
) -> Vec<(NaiveDate, NaiveDate)> {
    let mut ranges: Vec<(NaiveDate, NaiveDate)> = valid
        .iter()
        .filter_map(|&(f, t)| {
            let (f, t) = (f.max(from), t.unwrap_or(to).min(to));
            (f <= t).then_some((f, t))
        })
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(NaiveDate, NaiveDate)> = Vec::with_capacity(ranges.len());
    for (f, t) in ranges {
        match merged.last_mut() {
            Some(last) if f <= last.1.succ_opt().unwrap_or(last.1) => last.1 = last.1.max(t),
            _ => merged.push((f, t)),
        }
    }
    merged
}

/// The run of `items` (sorted by `key`) on `date`, starting the search at `*at`
/// and leaving `*at` after it.
fn take_day<'a, T>(
    items: &'a [T],
    at: &mut usize,
    date: NaiveDate,
    key: impl Fn(&T) -> NaiveDateTime,
) -> &'a [T] {
    while *at < items.len() && key(&items[*at]).date() < date {
        *at += 1;
    }
    let start = *at;
    while *at < items.len() && key(&items[*at]).date() == date {
        *at += 1;
    }
    &items[start..*at]
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a valid clock time")
}

fn truncate_to_minute(t: NaiveTime) -> NaiveTime {
    hm(t.hour(), t.minute())
}

/// Whole minutes of a span, truncated; 0 for a negative span.
fn whole_minutes(span: TimeDelta) -> u32 {
    u32::try_from(span.num_minutes().max(0)).unwrap_or(u32::MAX)
}

/// Merge intervals (sorted or not) into disjoint sorted ones.
fn merge(mut spans: Vec<(NaiveDateTime, NaiveDateTime)>) -> Vec<(NaiveDateTime, NaiveDateTime)> {
    spans.retain(|(a, b)| a <= b);
    spans.sort_unstable();
    let mut out: Vec<(NaiveDateTime, NaiveDateTime)> = Vec::with_capacity(spans.len());
    for (a, b) in spans {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// Length of `[a, b]` inside disjoint intervals.
fn overlap(
    spans: &[(NaiveDateTime, NaiveDateTime)],
    a: NaiveDateTime,
    b: NaiveDateTime,
) -> TimeDelta {
    spans
        .iter()
        .map(|&(s, e)| (e.min(b) - s.max(a)).max(TimeDelta::zero()))
        .sum()
}

/// Punches of one slot closer together than this are one punch pressed
/// twice, not an arrival and a departure.
const SAME_PUNCH_MINUTES: i64 = 10;

/// The punches of each slot, and how many are stray. A punch goes to the
/// slot whose window holds it. A punch between the windows of a half day
/// (10:31–10:59, 15:31–15:59 by default), or before the first window, is
/// judged against the nearest slot it can fill: the half day's in-slot when
/// that has no punch (a late arrival), else its out-slot (an early
/// departure). In a half day whose in-slot is empty while its out-slot holds
/// punches more than [`SAME_PUNCH_MINUTES`] apart, the earliest of them is
/// the (late) arrival; likewise the latest of an in-slot's punches is the
/// (early) departure when the out-slot is empty. So a later arrival or an
/// earlier departure never fares better than an earlier arrival or a later
/// departure.
fn assign_slots(season: &Season, punches: &[NaiveDateTime]) -> ([Vec<NaiveDateTime>; 4], u32) {
    let windows = season.windows();
    let mut slots: [Vec<NaiveDateTime>; 4] = Default::default();
    let mut between: [Vec<NaiveDateTime>; 2] = Default::default();
    let mut stray = 0u32;
    for &at in punches {
        if let Some(slot) = season.slot_of(at.time()) {
            slots[slot as usize].push(at);
            continue;
        }
        let t = truncate_to_minute(at.time());
        // The half day whose in-window ends before it and out-window
        // starts after it; before the first window: the morning.
        let half = if t < windows[0].from {
            Some(0)
        } else {
            (0..2).find(|&h| windows[2 * h].to < t && t < windows[2 * h + 1].from)
        };
        match half {
            Some(h) => between[h].push(at),
            None => stray += 1,
        }
    }
    for (h, gap) in between.iter_mut().enumerate() {
        let (i, o) = (2 * h, 2 * h + 1);
        gap.sort_unstable();
        for at in gap.drain(..) {
            let before_first = truncate_to_minute(at.time()) < windows[0].from;
            if slots[i].is_empty() {
                slots[i].push(at);
            } else if before_first {
                stray += 1; // 03:10 beside an 08:25 arrival: no departure
            } else {
                slots[o].push(at);
            }
        }
        let apart = |v: &[NaiveDateTime]| {
            let (Some(a), Some(b)) = (v.iter().min(), v.iter().max()) else {
                return false;
            };
            (*b - *a).num_minutes() >= SAME_PUNCH_MINUTES
        };
        if slots[i].is_empty() && apart(&slots[o]) {
            let first = *slots[o].iter().min().expect("apart: not empty");
            slots[o].retain(|x| *x != first);
            slots[i].push(first);
        } else if slots[o].is_empty() && apart(&slots[i]) {
            let last = *slots[i].iter().max().expect("apart: not empty");
            slots[i].retain(|x| *x != last);
            slots[o].push(last);
        }
    }
    (slots, stray)
}

fn judge_day(
    schedule: &Schedule,
    date: NaiveDate,
    workday: bool,
    punches: &[Punch],
    leaves: &[&Leave],
    departures: &[&Departure],
) -> AttendanceDay {
    let season = schedule.season(date);
    let times = season.times().map(|t| date.and_time(t));

    // Assign the day's punches to slots, then keep the earliest in and the
    // latest out.
    let todays: Vec<NaiveDateTime> = punches
        .iter()
        .filter(|p| p.at.date() == date)
        .map(|p| p.at)
        .collect();
    let present = !todays.is_empty();
    let (assigned, stray) = assign_slots(season, &todays);
    let slots: [Option<NaiveDateTime>; 4] = std::array::from_fn(|i| {
        let kept = assigned[i].iter().copied();
        if Slot::ALL[i].is_in() {
            kept.min()
        } else {
            kept.max()
        }
    });

    let mut day = AttendanceDay {
        date,
        workday,
        slots,
        late_minutes: 0,
        early_minutes: 0,
        missing_punches: 0,
        absent_half_days: 0,
        leave_kind: None,
        leave_hours: 0.0,
        overlong_departures: 0,
        overlong_departure_minutes: 0,
        departures_without_cover: 0,
        stray_punches: stray,
        duty_presence: false,
        status: STATUS_REST,
        exceptions: Vec::new(),
    };
    if !workday {
        day.duty_presence = present;
        day.status = if present { STATUS_DUTY } else { STATUS_REST };
        return day;
    }

    // Leave: the slots it covers, and the working time inside it.
    let mut leaves: Vec<(&str, NaiveDateTime, NaiveDateTime)> = leaves
        .iter()
        .map(|l| (l.kind.as_str(), l.start, l.effective_end()))
        .collect();
    leaves.sort_unstable_by_key(|&(kind, start, end)| (start, end, kind));
    let covered = times.map(|t| leaves.iter().any(|&(_, s, e)| s <= t && t <= e));
    let sessions = [(times[0], times[1]), (times[2], times[3])];
    let in_sessions = |spans: &[(NaiveDateTime, NaiveDateTime)]| -> TimeDelta {
        sessions.iter().map(|&(a, b)| overlap(spans, a, b)).sum()
    };
    let leave_spans = merge(leaves.iter().map(|&(_, s, e)| (s, e)).collect());
    day.leave_hours = in_sessions(&leave_spans).num_seconds() as f64 / 3600.0;
    day.leave_kind = main_leave_kind(&leaves, &times, in_sessions);

    // Late and early punches of the uncovered slots.
    let mut late_absent = [false; 2];
    for (i, slot) in Slot::ALL.into_iter().enumerate() {
        let (Some(at), false) = (slots[i], covered[i]) else {
            continue;
        };
        if slot.is_in() {
            let late = whole_minutes(at - times[i]);
            if late > schedule.late_grace_minutes {
                day.late_minutes += late;
                let limit = schedule.absence_late_minutes;
                late_absent[i / 2] = limit > 0 && late >= limit;
            }
        } else {
            let early = whole_minutes(times[i] - at);
            if early > schedule.early_grace_minutes {
                day.early_minutes += early;
            }
        }
    }

    // Absence per half day, and missing punches outside the empty half days.
    for (half, late_absent) in late_absent.into_iter().enumerate() {
        let range = 2 * half..2 * half + 2;
        let uncovered = !covered[range.clone()].iter().any(|&c| c);
        let empty = slots[range.clone()].iter().all(Option::is_none);
        if uncovered && empty {
            day.absent_half_days += 1;
            continue;
        }
        if late_absent {
            day.absent_half_days += 1;
        }
        day.missing_punches += range.filter(|&i| !covered[i] && slots[i].is_none()).count() as u32;
    }

    // Departures of the day: their minutes outside leave, and their cover.
    for d in departures.iter().filter(|d| d.out_at.date() == date) {
        let back = d.back_at.unwrap_or(if d.out_at < times[2] {
            times[1]
        } else {
            times[3]
        });
        let span = (back - d.out_at).max(TimeDelta::zero());
        let outside_leave =
            whole_minutes(span - overlap(&leave_spans, d.out_at, back.max(d.out_at)));
        if outside_leave > schedule.departure_limit_minutes {
            day.overlong_departures += 1;
            day.overlong_departure_minutes += outside_leave;
        }
        if d.cover_staff_id
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
        {
            day.departures_without_cover += 1;
        }
    }

    let flags = [
        day.late_minutes > 0,
        day.early_minutes > 0,
        day.missing_punches > 0,
        day.absent_half_days > 0,
        day.overlong_departures > 0,
        day.departures_without_cover > 0,
        day.leave_kind.is_some(),
    ];
    day.exceptions = EXCEPTIONS
        .into_iter()
        .zip(flags)
        .filter_map(|(e, on)| on.then_some(e))
        .collect();

    day.status = if day.absent_half_days > 0 {
        ABSENT
    } else if covered.iter().all(|&c| c) {
        match day.leave_kind.as_deref() {
            Some("出差") => STATUS_TRIP,
            Some("公务外出") => STATUS_OFFICIAL,
            _ => LEAVE,
        }
    } else if day.missing_punches > 0 {
        MISSING
    } else if day.late_minutes > 0 {
        LATE
    } else if day.early_minutes > 0 {
        EARLY
    } else if day.overlong_departures > 0 {
        STATUS_DEPARTED
    } else {
        STATUS_NORMAL
    };
    day
}

/// The leave kind covering the most slots, then the most working time, then
/// the one starting first; `None` when no leave touches a slot or the working time.
fn main_leave_kind(
    leaves: &[(&str, NaiveDateTime, NaiveDateTime)],
    times: &[NaiveDateTime; 4],
    in_sessions: impl Fn(&[(NaiveDateTime, NaiveDateTime)]) -> TimeDelta,
) -> Option<String> {
    // Kinds in the order of their first leave (leaves are sorted by start).
    let mut order: Vec<&str> = Vec::new();
    let mut spans: BTreeMap<&str, Vec<(NaiveDateTime, NaiveDateTime)>> = BTreeMap::new();
    for &(kind, s, e) in leaves {
        if !spans.contains_key(kind) {
            order.push(kind);
        }
        spans.entry(kind).or_default().push((s, e));
    }
    let mut best: Option<(&str, (usize, TimeDelta))> = None;
    for kind in order {
        let kind_spans = merge(spans.remove(kind).unwrap_or_default());
        let slots = times
            .iter()
            .filter(|&&t| kind_spans.iter().any(|&(s, e)| s <= t && t <= e))
            .count();
        let score = (slots, in_sessions(&kind_spans));
        if score > (0, TimeDelta::zero()) && best.is_none_or(|(_, b)| score > b) {
            best = Some((kind, score));
        }
    }
    best.map(|(kind, _)| kind.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// `"2026-09-28 08:25"` or with seconds.
    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
            .unwrap()
    }

    /// Punches of one date: `punches("2026-09-28", &["08:25", "12:01:30"])`.
    fn punches(date: &str, times: &[&str]) -> Vec<Punch> {
        times
            .iter()
            .map(|t| Punch {
                at: dt(&format!("{date} {t}")),
            })
            .collect()
    }

    fn leave(kind: &str, start: &str, end: &str) -> Leave {
        Leave {
            kind: kind.into(),
            start: dt(start),
            end: dt(end),
        }
    }

    fn departure(out_at: &str, back_at: Option<&str>, cover: Option<&str>) -> Departure {
        Departure {
            out_at: dt(out_at),
            back_at: back_at.map(dt),
            cover_staff_id: cover.map(Into::into),
        }
    }

    /// One line per day: `MM-DD status Llate Eearly Mmissing Aabsent
    /// leave:hours Dcount/minutes Nno-cover Sstray [exceptions]`.
    fn line(day: &AttendanceDay) -> String {
        format!(
            "{} {} L{} E{} M{} A{} {}:{} D{}/{} N{} S{} [{}]",
            day.date.format("%m-%d"),
            day.status,
            day.late_minutes,
            day.early_minutes,
            day.missing_punches,
            day.absent_half_days,
            day.leave_kind.as_deref().unwrap_or("-"),
            day.leave_hours,
            day.overlong_departures,
            day.overlong_departure_minutes,
            day.departures_without_cover,
            day.stray_punches,
            day.exceptions.join(",")
        )
    }

    /// The staff of the fixture: (id, roster validity, punches, leaves, departures).
    struct Staff {
        id: &'static str,
        valid: Vec<(NaiveDate, Option<NaiveDate>)>,
        punches: Vec<Punch>,
        leaves: Vec<Leave>,
        departures: Vec<Departure>,
    }

    /// Two weeks, Mon 2026-09-28 .. Sun 2026-10-11, under the default schedule.
    /// The official calendar: 09-28..30 working; 10-01..07 国庆节 off; 10-08,
    /// 10-09 working; Saturday 10-10 a make-up working day (国庆节调休); Sunday
    /// 10-11 off. Summer hours (afternoon 14:30–17:30, morning-out window to
    /// 13:29) until 09-30, winter hours (14:00–17:00, afternoon-in window from
    /// 13:00) from 10-01, so the working days after the holiday are winter days.
    fn fixture() -> Vec<Staff> {
        let a = Staff {
            id: "A01",
            valid: vec![(d("2026-01-01"), None)],
            punches: [
                punches(
                    "2026-09-28",
                    &[
                        "03:10", "08:25", "08:27", "12:01", "12:05", "14:20", "17:35",
                    ],
                ),
                punches("2026-09-29", &["09:05:40", "12:00", "14:28", "17:31"]),
                punches("2026-09-30", &["08:29", "12:02"]),
                punches("2026-10-08", &["08:30:59", "11:58", "13:10", "17:00"]),
                punches("2026-10-10", &["08:20", "12:00", "14:05", "17:10"]),
            ]
            .concat(),
            leaves: vec![leave("事假", "2026-09-30 14:30", "2026-09-30 17:30")],
            departures: vec![],
        };
        let b = Staff {
            id: "B01",
            // Two roster rows (a move to another window on 10-01): one stretch.
            valid: vec![
                (d("2026-10-01"), None),
                (d("2026-09-01"), Some(d("2026-09-30"))),
            ],
            punches: [
                punches("2026-09-28", &["08:28", "12:00", "14:29", "17:30"]),
                punches("2026-09-29", &["08:30", "12:00", "14:30", "17:30"]),
                punches("2026-09-30", &["08:30", "12:00", "14:30", "17:30"]),
                punches("2026-10-09", &["08:31:10", "12:00", "13:59"]),
            ]
            .concat(),
            leaves: vec![
                leave("公务外出", "2026-09-29 15:00", "2026-09-29 15:30"),
                // A date-only export: midnight to midnight is the whole day.
                leave("出差", "2026-10-08 00:00", "2026-10-08 00:00"),
                leave("病假", "2026-10-10 08:00", "2026-10-12 18:00"),
            ],
            departures: vec![
                departure("2026-09-28 10:00", Some("2026-09-28 10:25"), Some("A01")),
                departure("2026-09-29 15:00", Some("2026-09-29 15:25"), Some("A01")),
                departure("2026-09-30 09:40", Some("2026-09-30 09:50"), None),
                departure("2026-10-09 16:40", None, Some("C01")),
            ],
        };
        let c = Staff {
            id: "C01",
            valid: vec![(d("2026-09-30"), None)],
            punches: [
                punches("2026-09-30", &["08:10", "12:00"]),
                punches("2026-10-08", &["13:57", "13:55", "17:05"]),
                punches(
                    "2026-10-09",
                    &["08:30", "12:00", "14:00", "17:00:30", "16:59"],
                ),
                punches("2026-10-10", &["08:29", "10:45", "14:00", "17:00"]),
                punches("2026-10-11", &["09:00", "11:30"]),
            ]
            .concat(),
            leaves: vec![leave("年假", "2026-10-08 08:30", "2026-10-08 12:00")],
            departures: vec![],
        };
        vec![a, b, c]
    }

    /// The day's penalty at the default points (late, early and each
    /// missing punch −0.5, each half day absent −2).
    fn penalty(day: &AttendanceDay) -> f64 {
        0.5 * f64::from(u8::from(day.late_minutes > 0))
            + 0.5 * f64::from(u8::from(day.early_minutes > 0))
            + 0.5 * f64::from(day.missing_punches)
            + 2.0 * f64::from(day.absent_half_days)
    }

    /// A working day with `times` (HH:MM) punched.
    fn day_with(date: &str, times: &[String]) -> AttendanceDay {
        let refs: Vec<&str> = times.iter().map(String::as_str).collect();
        judge_day(
            &Schedule::default(),
            d(date),
            true,
            &punches(date, &refs),
            &[],
            &[],
        )
    }

    fn hhmm(minute: u32) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    #[test]
    fn a_punch_between_windows_is_judged_against_the_nearest_slot_it_fills() {
        // Winter, Monday 2026-10-12: 08:30, 12:00, 14:00, 17:00.
        let at = |t: &[&str]| {
            day_with(
                "2026-10-12",
                &t.iter().map(|x| x.to_string()).collect::<Vec<_>>(),
            )
        };
        // 10:45 with no other morning-in punch: 135 minutes late, half a day
        // absent (as 10:25 is), not a stray punch and a 缺卡.
        let late = at(&["10:45", "12:00", "14:00", "17:00"]);
        assert_eq!(
            (
                late.late_minutes,
                late.absent_half_days,
                late.missing_punches
            ),
            (135, 1, 0)
        );
        let earlier = at(&["10:25", "12:00", "14:00", "17:00"]);
        assert_eq!((earlier.late_minutes, earlier.absent_half_days), (115, 1));
        // 15:45 after a 14:00 arrival: an early departure, 75 minutes.
        let early = at(&["08:30", "12:00", "14:00", "15:45"]);
        assert_eq!(
            (
                early.early_minutes,
                early.missing_punches,
                early.stray_punches
            ),
            (75, 0, 0)
        );
        // Arriving at 11:20 and leaving at 12:00: a late arrival, not a 缺卡.
        let late = at(&["11:20", "12:00", "14:00", "17:00"]);
        assert_eq!((late.late_minutes, late.absent_half_days), (170, 1));
        // A punch pressed twice stays one punch.
        let twice = at(&["08:25", "08:27", "14:00", "17:00"]);
        assert_eq!((twice.early_minutes, twice.missing_punches), (0, 1));
    }

    proptest::proptest! {
        /// A later arrival never fares better than an earlier one, and an
        /// earlier departure never better than a later one, in summer and
        /// winter, at the default points.
        #[test]
        fn later_arrivals_and_earlier_departures_never_fare_better(
            summer in proptest::bool::ANY,
            a1 in 300u32..710, a2 in 300u32..710,
            l1 in 0u32..590, l2 in 0u32..590,
        ) {
            let (date, out, back, end) = if summer {
                ("2026-09-28", "12:00", 870u32, "17:30")
            } else {
                ("2026-10-12", "12:00", 840u32, "17:00")
            };
            // Arrivals from 05:00 to 11:49 (ten minutes before the 12:00 out).
            let (a1, a2) = (a1.min(a2), a1.max(a2));
            let arrive = |a: u32| {
                day_with(date, &[hhmm(a), out.to_string(), hhmm(back), end.to_string()])
            };
            proptest::prop_assert!(penalty(&arrive(a2)) >= penalty(&arrive(a1)), "{} {}", hhmm(a1), hhmm(a2));
            // Departures from ten minutes after the afternoon arrival to 23:59.
            let (l1, l2) = (back + 10 + l1.min(l2), back + 10 + l1.max(l2));
            let leave = |l: u32| {
                day_with(date, &["08:30".to_string(), out.to_string(), hhmm(back), hhmm(l.min(1439))])
            };
            proptest::prop_assert!(penalty(&leave(l1)) >= penalty(&leave(l2)), "{} {}", hhmm(l1), hhmm(l2));
        }
    }

    fn run(staff: &Staff) -> Vec<AttendanceDay> {
        attendance_days(
            &Schedule::default(),
            &Calendar::official(),
            d("2026-09-28"),
            d("2026-10-11"),
            &staff.valid,
            &staff.punches,
            &staff.leaves,
            &staff.departures,
        )
        .unwrap()
    }

    const HOLIDAYS: [&str; 7] = [
        "10-01 休息 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
        "10-02 休息 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
        "10-03 休息 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
        "10-04 休息 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
        "10-05 休息 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
        "10-06 休息 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
        "10-07 休息 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
    ];

    fn expect(before: &[&str], after: &[&str]) -> Vec<String> {
        before
            .iter()
            .chain(HOLIDAYS.iter())
            .chain(after)
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn fixture_a01() {
        let days = run(&fixture()[0]);
        let expected = expect(
            &[
                // Summer. 03:10 lies in no window: stray, not an exception.
                // 08:25/08:27 collapse to 08:25 (earliest in), 12:01/12:05 to
                // 12:05 (latest out); 14:20 is before 14:30, 17:35 after 17:30.
                "09-28 正常 L0 E0 M0 A0 -:0 D0/0 N0 S1 []",
                // 09:05:40 is 35 min 40 s after 08:30: 35 whole minutes late,
                // ≥ 30, so the morning is also half a day absent; the
                // afternoon (14:28, 17:31) is fine. 旷工 outranks 迟到.
                "09-29 旷工 L35 E0 M0 A1 -:0 D0/0 N0 S0 [迟到,旷工]",
                // 事假 14:30–17:30 covers both afternoon slots (ends included)
                // and the whole summer afternoon session: 3 h. The morning is
                // punched, so the day stays 正常 with the 请假 exception.
                "09-30 正常 L0 E0 M0 A0 事假:3 D0/0 N0 S0 [请假]",
            ],
            &[
                // Winter from 10-01. 08:30:59 is 0 whole minutes late; 11:58
                // is 2 min early; 13:10 falls in the winter afternoon-in window
                // (13:00–15:30; in summer it would be a morning-out punch) and
                // is before 14:00; 17:00 is exactly the winter end.
                "10-08 早退 L0 E2 M0 A0 -:0 D0/0 N0 S0 [早退]",
                // No punch and no leave: both half days absent. Their slots
                // are not counted as missing besides (one fact, one count).
                "10-09 旷工 L0 E0 M0 A2 -:0 D0/0 N0 S0 [旷工]",
                // Saturday make-up working day, winter hours: 14:05 is 5 min late.
                "10-10 迟到 L5 E0 M0 A0 -:0 D0/0 N0 S0 [迟到]",
                "10-11 休息 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
            ],
        );
        assert_eq!(days.iter().map(line).collect::<Vec<_>>(), expected);
        assert_eq!(
            days[0].slots,
            [
                Some(dt("2026-09-28 08:25")),
                Some(dt("2026-09-28 12:05")),
                Some(dt("2026-09-28 14:20")),
                Some(dt("2026-09-28 17:35")),
            ]
        );
        assert_eq!(days[10].slots[2], Some(dt("2026-10-08 13:10")));
        assert!(days.iter().all(|x| !x.duty_presence));
        let workdays: Vec<bool> = days.iter().map(|x| x.workday).collect();
        let mut expected_workdays = vec![true; 3];
        expected_workdays.extend([false; 7]);
        expected_workdays.extend([true, true, true, false]);
        assert_eq!(workdays, expected_workdays);
    }

    #[test]
    fn fixture_b01() {
        let days = run(&fixture()[1]);
        let expected = expect(
            &[
                // All four on time; a 25-minute departure (10:00–10:25) with a
                // B-post cover but no leave: over the 20-minute limit.
                "09-28 离岗 L0 E0 M0 A0 -:0 D1/25 N0 S0 [离岗超时]",
                // 公务外出 15:00–15:30 covers no slot point (14:30, 17:30) but
                // half an hour of working time; the 25-minute departure
                // 15:00–15:25 lies inside it: no exception. Punches exactly on
                // time are neither late nor early.
                "09-29 正常 L0 E0 M0 A0 公务外出:0.5 D0/0 N0 S0 [请假]",
                // A 10-minute departure without cover: within the limit, but
                // no B-post cover is an exception of its own.
                "09-30 正常 L0 E0 M0 A0 -:0 D0/0 N1 S0 [离岗无人顶岗]",
            ],
            &[
                // 出差 given as a date (00:00 to 00:00) covers the whole day:
                // all four slots, 3.5 h + 3 h of winter working time.
                "10-08 出差 L0 E0 M0 A0 出差:6.5 D0/0 N0 S0 [请假]",
                // 08:31:10: 1 min late. No afternoon-out punch: 1 missing
                // (缺卡 outranks 迟到). The departure at 16:40 has no return
                // time: it runs to the end of the winter afternoon, 17:00,
                // 20 minutes, which does not exceed the limit.
                "10-09 缺卡 L1 E0 M1 A0 -:0 D0/0 N0 S0 [迟到,缺卡]",
                // 病假 10-10 08:00 – 10-12 18:00 covers the whole make-up
                // Saturday (no punches needed) ...
                "10-10 请假 L0 E0 M0 A0 病假:6.5 D0/0 N0 S0 [请假]",
                // ... and the Sunday is simply a rest day.
                "10-11 休息 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
            ],
        );
        assert_eq!(days.iter().map(line).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn fixture_c01() {
        let days = run(&fixture()[2]);
        // On the roster from 09-30: no rows for 09-28 and 09-29.
        let expected = expect(
            &[
                // Morning punched (08:10, 12:00), afternoon empty without
                // leave: half a day absent; its slots are not also missing.
                "09-30 旷工 L0 E0 M0 A1 -:0 D0/0 N0 S0 [旷工]",
            ],
            &[
                // 年假 08:30–12:00 covers the morning slots, 3.5 h. 13:57 and
                // 13:55 collapse to 13:55 (in-slot: earliest), on time for
                // 14:00; 17:05 after 17:00.
                "10-08 正常 L0 E0 M0 A0 年假:3.5 D0/0 N0 S0 [请假]",
                // 16:59 and 17:00:30 collapse to 17:00:30 (latest out): not early.
                "10-09 正常 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
                // 10:45 lies between the morning-in (to 10:30) and
                // morning-out (from 11:00) windows; the morning-in slot has
                // its punch, so 10:45 is the morning's departure: 12:00 −
                // 10:45 = 75 minutes early (it was a stray punch and a 缺卡,
                // milder than leaving at 11:00).
                "10-10 早退 L0 E75 M0 A0 -:0 D0/0 N0 S0 [早退]",
                // Sunday punches: duty presence (值班), no exceptions.
                "10-11 值班 L0 E0 M0 A0 -:0 D0/0 N0 S0 []",
            ],
        );
        assert_eq!(days.iter().map(line).collect::<Vec<_>>(), expected);
        assert_eq!(days[9].slots[3], Some(dt("2026-10-09 17:00:30")));
        assert_eq!(days[8].slots[2], Some(dt("2026-10-08 13:55")));
        let sunday = days.last().unwrap();
        assert!(sunday.duty_presence && !sunday.workday);
        assert_eq!(
            sunday.slots,
            [
                Some(dt("2026-10-11 09:00")),
                Some(dt("2026-10-11 11:30")),
                None,
                None
            ]
        );
    }

    /// The walk over sorted inputs agrees with judging every day from the
    /// whole, unsorted input.
    #[test]
    fn range_walk_agrees_with_day_by_day() {
        let schedule = Schedule::default();
        let cal = Calendar::official();
        for staff in fixture() {
            let mut punches = staff.punches.clone();
            punches.reverse();
            let mut leaves = staff.leaves.clone();
            leaves.reverse();
            let mut departures = staff.departures.clone();
            departures.reverse();
            let walked = attendance_days(
                &schedule,
                &cal,
                d("2026-09-01"),
                d("2026-10-31"),
                &staff.valid,
                &punches,
                &leaves,
                &departures,
            )
            .unwrap();
            let start = staff.valid.iter().map(|v| v.0).min().unwrap();
            let one_by_one: Vec<AttendanceDay> = d("2026-09-01")
                .iter_days()
                .take_while(|x| *x <= d("2026-10-31"))
                .filter(|x| *x >= start)
                .map(|x| {
                    let workday = cal.is_workday(x).unwrap();
                    attendance_day(&schedule, x, workday, &punches, &leaves, &departures)
                })
                .collect();
            assert_eq!(walked, one_by_one, "{}", staff.id);
        }
    }

    #[test]
    fn roster_ranges_and_calendar_errors() {
        let schedule = Schedule::default();
        let cal = Calendar::official();
        let dates = |valid: &[(NaiveDate, Option<NaiveDate>)], from: &str, to: &str| {
            attendance_days(&schedule, &cal, d(from), d(to), valid, &[], &[], &[])
                .unwrap()
                .iter()
                .map(|x| x.date.format("%d").to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        // A gap (10-03..04) and an overlap (10-06..07 twice).
        let valid = [
            (d("2026-10-05"), Some(d("2026-10-07"))),
            (d("2026-09-01"), Some(d("2026-10-02"))),
            (d("2026-10-06"), Some(d("2026-10-08"))),
        ];
        assert_eq!(
            dates(&valid, "2026-10-01", "2026-10-10"),
            "01 02 05 06 07 08"
        );
        assert_eq!(dates(&valid, "2026-10-10", "2026-10-01"), "");
        assert_eq!(dates(&[], "2026-10-01", "2026-10-10"), "");
        let open = [(d("2026-12-30"), None)];
        assert_eq!(dates(&open, "2026-12-01", "2026-12-31"), "30 31");
        assert_eq!(
            attendance_days(
                &schedule,
                &cal,
                d("2026-12-30"),
                d("2027-01-02"),
                &open,
                &[],
                &[],
                &[]
            ),
            Err(CalendarError::YearNotCovered {
                year: 2027,
                date: d("2027-01-01")
            })
        );
    }

    #[test]
    fn grace_and_absence_threshold() {
        let schedule = Schedule {
            late_grace_minutes: 5,
            early_grace_minutes: 5,
            absence_late_minutes: 0,
            ..Schedule::default()
        };
        let day = |times: &[&str]| {
            let p = punches("2026-10-08", times);
            attendance_day(&schedule, d("2026-10-08"), true, &p, &[], &[])
        };
        // 5 min late / early is within the grace; 6 is not, and counts whole.
        let x = day(&["08:35:59", "11:55", "14:05", "16:55"]);
        assert_eq!((x.late_minutes, x.early_minutes, x.status), (0, 0, "正常"));
        let x = day(&["08:36", "11:54", "14:06", "16:54"]);
        assert_eq!(
            (x.late_minutes, x.early_minutes, x.status),
            (12, 12, "迟到")
        );
        // With the absence rule off, an hour late is only late.
        let x = day(&["09:30", "12:00", "14:00", "17:00"]);
        assert_eq!((x.late_minutes, x.absent_half_days), (60, 0));
        // Default rule: exactly 30 minutes counts; 29 does not.
        let p = punches("2026-10-08", &["09:00", "12:00", "14:29:59", "17:00"]);
        let x = attendance_day(&Schedule::default(), d("2026-10-08"), true, &p, &[], &[]);
        assert_eq!((x.late_minutes, x.absent_half_days), (59, 1));
        // Late in both halves past the limit: two half days; with a missing
        // out-punch in the late half still counted as missing.
        let p = punches("2026-10-08", &["09:10", "14:40", "17:00"]);
        let x = attendance_day(&Schedule::default(), d("2026-10-08"), true, &p, &[], &[]);
        assert_eq!(
            (x.late_minutes, x.absent_half_days, x.missing_punches),
            (80, 2, 1)
        );
        assert_eq!(x.exceptions, vec!["迟到", "缺卡", "旷工"]);
    }

    #[test]
    fn leave_kinds_partial_cover_and_departures() {
        let s = Schedule::default();
        let date = d("2026-10-08"); // winter
                                    // Morning 事假 and afternoon 病假: two slots each, 事假 has more
                                    // working time (3.5 h against 3 h); all slots covered: 请假.
        let leaves = [
            leave("病假", "2026-10-08 14:00", "2026-10-08 17:00"),
            leave("事假", "2026-10-08 08:30", "2026-10-08 12:00"),
        ];
        let x = attendance_day(&s, date, true, &[], &leaves, &[]);
        assert_eq!(
            (x.status, x.leave_kind.as_deref(), x.leave_hours),
            ("请假", Some("事假"), 6.5)
        );
        // 公务外出 for the whole day reads 公务.
        let all_day = [leave("公务外出", "2026-10-08 08:00", "2026-10-08 18:00")];
        let x = attendance_day(&s, date, true, &[], &all_day, &[]);
        assert_eq!((x.status, x.exceptions.clone()), ("公务", vec!["请假"]));
        // A leave 08:00–10:00 covers the morning-in slot only: the morning is
        // not absent, its out-punch is missing; 1.5 h of leave.
        let early = [leave("病假", "2026-10-08 08:00", "2026-10-08 10:00")];
        let p = punches("2026-10-08", &["14:00", "17:00"]);
        let x = attendance_day(&s, date, true, &p, &early, &[]);
        assert_eq!(
            (
                x.status,
                x.missing_punches,
                x.absent_half_days,
                x.leave_hours
            ),
            ("缺卡", 1, 0, 1.5)
        );
        // A departure 10:00–10:40 with leave 10:00–10:15: 25 minutes outside
        // leave, overlong; a departure out at 12:30 (lunch) without return
        // runs to the morning's end, already past: 0 minutes.
        let p = punches("2026-10-08", &["08:30", "12:00", "14:00", "17:00"]);
        let short = [leave("事假", "2026-10-08 10:00", "2026-10-08 10:15")];
        let deps = [
            departure("2026-10-08 10:00", Some("2026-10-08 10:40"), Some("B01")),
            departure("2026-10-08 12:30", None, Some(" ")),
        ];
        let x = attendance_day(&s, date, true, &p, &short, &deps);
        assert_eq!(
            (
                x.overlong_departures,
                x.overlong_departure_minutes,
                x.departures_without_cover
            ),
            (1, 25, 1)
        );
        assert_eq!(x.status, "离岗");
        assert_eq!(x.exceptions, vec!["离岗超时", "离岗无人顶岗", "请假"]);
        // On a non-working day nothing is judged.
        let x = attendance_day(&s, d("2026-10-11"), false, &[], &all_day, &deps);
        assert_eq!(line(&x), "10-11 休息 L0 E0 M0 A0 -:0 D0/0 N0 S0 []");
        // Punches and departures of other dates are ignored.
        let other = punches("2026-10-09", &["08:30"]);
        let x = attendance_day(&s, d("2026-10-11"), false, &other, &[], &[]);
        assert!(!x.duty_presence);
    }

    #[test]
    fn seasons() {
        let s = Schedule::default();
        assert!(!s.is_summer(d("2026-04-30")));
        assert!(s.is_summer(d("2026-05-01")));
        assert!(s.is_summer(d("2026-09-30")));
        assert!(!s.is_summer(d("2026-10-01")));
        assert_eq!(s.season(d("2026-01-15")).afternoon_in, hm(14, 0));
        assert_eq!(s.season(d("2026-07-15")).afternoon_out, hm(17, 30));
        // Switch dates that wrap over the new year.
        let wrap = Schedule {
            summer_from: "11-01".parse().unwrap(),
            winter_from: "03-01".parse().unwrap(),
            ..Schedule::default()
        };
        assert!(wrap.is_summer(d("2026-12-31")));
        assert!(wrap.is_summer(d("2026-02-28")));
        assert!(!wrap.is_summer(d("2026-03-01")));
        assert!(!wrap.is_summer(d("2026-10-31")));
        // Windows in whole minutes, ends included.
        let w = &s.winter;
        assert_eq!(
            w.slot_of(hm(12, 59) + TimeDelta::seconds(59)),
            Some(Slot::MorningOut)
        );
        assert_eq!(w.slot_of(hm(13, 0)), Some(Slot::AfternoonIn));
        assert_eq!(s.summer.slot_of(hm(13, 0)), Some(Slot::MorningOut));
        assert_eq!(w.slot_of(hm(15, 45)), None);
        assert_eq!(w.slot_of(hm(5, 59)), None);
        assert_eq!(
            w.slot_of(NaiveTime::from_hms_opt(23, 59, 59).unwrap()),
            Some(Slot::AfternoonOut)
        );
        assert_eq!(s.scheduled_hours(d("2026-07-15")), 6.5);
        let long_summer = Schedule {
            summer: Season {
                afternoon_out: hm(18, 0),
                ..Season::summer()
            },
            ..Schedule::default()
        };
        assert_eq!(long_summer.scheduled_hours(d("2026-07-15")), 7.0);
        assert_eq!(long_summer.scheduled_hours(d("2026-12-15")), 6.5);
        assert_eq!(s.summer.working_minutes(), 390);
        assert_eq!(w.working_minutes(), 390);
    }

    #[test]
    fn default_schedule_round_trips_through_toml() {
        let s = Schedule::default();
        assert_eq!(s.validate(), Ok(()));
        let text = toml::to_string(&s).unwrap();
        assert!(text.contains("summer_from = \"05-01\""), "{text}");
        assert!(text.contains("afternoon_in = \"14:30\""), "{text}");
        let back: Schedule = toml::from_str(&text).unwrap();
        assert_eq!(back, s);
        // Missing keys take the defaults; a season is given in full.
        assert_eq!(toml::from_str::<Schedule>("").unwrap(), s);
        let partial: Schedule =
            toml::from_str("winter_from = \"10-08\"\nabsence_late_minutes = 15\n").unwrap();
        assert_eq!(partial.winter_from, MonthDay::new(10, 8).unwrap());
        assert_eq!(partial.absence_late_minutes, 15);
        assert_eq!(partial.summer, Season::summer());
        assert!(toml::from_str::<Schedule>("[winter]\nmorning_in = \"08:00\"\n").is_err());
        // Unknown keys and bad values are errors.
        assert!(toml::from_str::<Schedule>("grace = 5\n").is_err());
        assert!(toml::from_str::<Schedule>("summer_from = \"02-30\"\n").is_err());
        assert!(toml::from_str::<Schedule>("summer_from = \"May 1\"\n").is_err());
        let bad_time = text.replace("afternoon_in = \"14:30\"", "afternoon_in = \"25:00\"");
        assert!(toml::from_str::<Schedule>(&bad_time).is_err());
        assert_eq!("02-29".parse::<MonthDay>().unwrap().to_string(), "02-29");
    }

    #[test]
    fn validate_rejects_bad_schedules() {
        let with = |f: &dyn Fn(&mut Schedule)| {
            let mut s = Schedule::default();
            f(&mut s);
            s.validate()
        };
        // Morning-out window reaching 13:30 touches the afternoon-in window
        // (13:30–15:30, ends included): overlap.
        let err = with(&|s| s.summer.morning_out_window.to = hm(13, 30)).unwrap_err();
        assert!(err.contains("overlap"), "{err}");
        let err = with(&|s| s.winter.afternoon_in_window.from = hm(12, 30)).unwrap_err();
        assert!(err.contains("winter") && err.contains("overlap"), "{err}");
        // Windows out of order.
        let err = with(&|s| {
            s.winter.afternoon_out_window = PunchWindow::new((6, 0), (7, 0));
            s.winter.afternoon_out = hm(6, 30);
        })
        .unwrap_err();
        assert!(err.contains("overlap or are out of order"), "{err}");
        // A window ending before it starts; a time outside its window.
        assert!(with(&|s| s.summer.morning_in_window = PunchWindow::new((9, 0), (8, 0))).is_err());
        let err = with(&|s| s.summer.morning_in = hm(10, 45)).unwrap_err();
        assert!(err.contains("outside its window"), "{err}");
        // Seconds, equal switch dates, minute settings over a day.
        assert!(with(&|s| s.summer.morning_in += TimeDelta::seconds(5)).is_err());
        assert!(with(&|s| s.winter_from = s.summer_from).is_err());
        assert!(with(&|s| s.departure_limit_minutes = 1441).is_err());
        // Naming thresholds above a year's count.
        let err = with(&|s| s.name_late_times = 733).unwrap_err();
        assert!(err.contains("name_late_times"), "{err}");
        assert_eq!(with(&|s| s.name_absent_half_days = 0), Ok(()));
        assert_eq!(with(&|s| s.late_grace_minutes = 10), Ok(()));
    }
}
