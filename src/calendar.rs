//! The official Chinese working-day calendar (工作日历).
//!
//! Administrative-licensing time limits are counted in working days, not
//! calendar days: 《中华人民共和国行政许可法》第八十二条 says that the time
//! limits in the law are working days, public holidays excluded (本法规定的
//! 行政机关实施行政许可的期限以工作日计算，不含法定节假日). Whether a case was
//! decided in time, how much of its time limit has been used, and when it falls
//! due therefore all depend on the calendar of public holidays and make-up
//! working days (调休上班) that the General Office of the State Council
//! publishes each year (国务院办公厅关于XXXX年部分节假日安排的通知).
//!
//! This module holds that calendar and does the working-day arithmetic. It is
//! pure: no I/O and no clock. The official data for 2010–2026 is embedded from
//! `data/calendar/cn_official.csv`; a later year's official list is loaded by
//! `xiaoneng calendar import` ([`Calendar::with_official_year`]), and local
//! changes come from the `[calendar]` section of `xiaoneng.toml`
//! ([`Calendar::with_additions`]).
//!
//! The year after the last official year is covered **provisionally**
//! ([`Calendar::with_provisional_year`]): the State Council publishes a
//! year's list in November or December of the year before, sometimes later,
//! and supervision cannot stop at the turn of the year. A provisional year
//! follows the weekday rule less the holidays whose dates are fixed (元旦
//! 1 January, 劳动节 1–2 May, 国庆 1–3 October); lunar holidays, 清明 and
//! every 调休 are not guessed. Whatever a provisional day decides is marked
//! as provisional by the callers ([`Calendar::is_provisional`]).
//!
//! A date outside the covered years is an error
//! ([`CalendarError::YearNotCovered`]), never a guess: a wrong holiday table
//! would silently misjudge deadlines.
//!
//! A date is a working day if it is listed as a make-up working day, or if it
//! is Monday to Friday and not listed as a day off.
//!
//! Internally each covered year keeps a running count of its working days, and
//! each year knows how many working days all earlier covered years hold, so
//! "working days up to and including date d" is O(1) and the interval and
//! deadline functions never loop over days.

use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};

/// The embedded official data (format: `date,workday,name`, see the data README).
const OFFICIAL_CSV: &str = include_str!("../data/calendar/cn_official.csv");

/// The years the embedded official data covers.
pub const OFFICIAL_YEARS: RangeInclusive<i32> = 2010..=2026;

/// The header line of the calendar CSV format.
const CSV_HEADER: &str = "date,workday,name";

/// Years a calendar may cover at all (keeps memory bounded and every Jan 1 valid).
const SUPPORTED_YEARS: RangeInclusive<i32> = 1..=9999;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// a date whose year is not in the calendar data
    #[error("the working-day calendar does not cover the year {year} (date {date}): it covers the official years and, provisionally, the year after the last of them; load a year's official list with `xiaoneng calendar import FILE`")]
    YearNotCovered { year: i32, date: NaiveDate },
    /// malformed calendar data; `line` is the 1-based line of the CSV text, or
    /// 0 for a problem not tied to a line (e.g. an unsupported year)
    #[error("calendar data line {line}: {reason}")]
    BadData { line: usize, reason: String },
}

/// One day that differs from the official data or adds to it (from the config).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOverride {
    pub date: NaiveDate,
    pub workday: bool,
    pub name: String,
}

/// Where a covered year's days come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YearSource {
    /// The State Council's list, built into this release.
    BuiltIn,
    /// The State Council's list, loaded by `xiaoneng calendar import`.
    Imported { file: String, loaded_at: String },
    /// `add_years` in the configuration: the weekday rule and the configured days.
    Local,
    /// The year after the last official one, by the provisional rule.
    Provisional,
}

impl YearSource {
    /// An official list (built in or imported).
    pub fn is_official(&self) -> bool {
        matches!(self, YearSource::BuiltIn | YearSource::Imported { .. })
    }
}

/// The holidays whose dates are fixed (since the 2025 rules), the only days
/// off a provisional year has besides weekends: (month, day, name).
pub const FIXED_HOLIDAYS: [(u32, u32, &str); 6] = [
    (1, 1, "元旦"),
    (5, 1, "劳动节"),
    (5, 2, "劳动节"),
    (10, 1, "国庆节"),
    (10, 2, "国庆节"),
    (10, 3, "国庆节"),
];

/// A working-day calendar covering a set of whole years.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// Covered years, ascending, without duplicates (gaps are allowed).
    years: Vec<Year>,
    /// Where each covered year's days come from.
    sources: BTreeMap<i32, YearSource>,
    /// The names of the listed days (holidays, 调休 and local days).
    names: BTreeMap<NaiveDate, String>,
    /// The days set by `[[calendar.days]]` in the configuration.
    local_days: Vec<NaiveDate>,
}

/// One covered year.
#[derive(Debug, Clone)]
struct Year {
    year: i32,
    /// Jan 1 of `year`.
    jan1: NaiveDate,
    /// Working days in all covered years before this one.
    before: i64,
    /// `cum[i]`: working days from Jan 1 up to and including day `i` (0-based
    /// day of the year). 365 or 366 entries.
    cum: Vec<u16>,
}

impl Year {
    fn total(&self) -> i64 {
        self.cum.last().map_or(0, |&c| i64::from(c))
    }

    fn is_workday_at(&self, i: usize) -> bool {
        let prev = if i == 0 { 0 } else { self.cum[i - 1] };
        self.cum[i] > prev
    }

    fn flags(&self) -> Vec<bool> {
        (0..self.cum.len()).map(|i| self.is_workday_at(i)).collect()
    }
}

/// Monday to Friday.
fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Jan 1 of `year`, for years a calendar may cover.
fn jan1(year: i32) -> Option<NaiveDate> {
    if SUPPORTED_YEARS.contains(&year) {
        NaiveDate::from_ymd_opt(year, 1, 1)
    } else {
        None
    }
}

fn unsupported_year(year: i32) -> CalendarError {
    CalendarError::BadData {
        line: 0,
        reason: format!(
            "year {year} is outside the supported range {}..={}",
            SUPPORTED_YEARS.start(),
            SUPPORTED_YEARS.end()
        ),
    }
}

/// The plain weekday rule for a whole year: one flag per day, Mon–Fri working.
fn plain_year(jan1: NaiveDate) -> Vec<bool> {
    jan1.iter_days()
        .take_while(|d| d.year() == jan1.year())
        .map(is_weekday)
        .collect()
}

fn not_covered(date: NaiveDate) -> CalendarError {
    CalendarError::YearNotCovered {
        year: date.year(),
        date,
    }
}

/// `YearNotCovered` for a whole year (reported with its Jan 1).
fn year_not_covered(year: i32) -> CalendarError {
    match NaiveDate::from_ymd_opt(year, 1, 1) {
        Some(date) => CalendarError::YearNotCovered { year, date },
        // Only reachable for years beyond chrono's range, which a calendar
        // (limited to SUPPORTED_YEARS) never borders on.
        None => unsupported_year(year),
    }
}

impl Calendar {
    /// The official calendar embedded in the binary
    /// (`data/calendar/cn_official.csv`, years [`OFFICIAL_YEARS`]).
    pub fn official() -> Calendar {
        static OFFICIAL: OnceLock<Calendar> = OnceLock::new();
        OFFICIAL
            .get_or_init(|| {
                Calendar::from_csv(OFFICIAL_CSV, OFFICIAL_YEARS)
                    .expect("the embedded official calendar data is valid")
            })
            .clone()
    }

    /// Parse a CSV in the format above; the covered years are those listed in `years`.
    ///
    /// The text must start with the header `date,workday,name` (a UTF-8 BOM
    /// and CRLF line ends are accepted); each further non-blank line is
    /// `YYYY-MM-DD,true|false,name` with a non-empty name, dates strictly
    /// ascending, each inside `years`. Days not listed follow the plain rule.
    pub fn from_csv(text: &str, years: RangeInclusive<i32>) -> Result<Calendar, CalendarError> {
        let (flags, names) = parse_csv(text, years.clone())?;
        let sources = years.map(|y| (y, YearSource::BuiltIn)).collect();
        Ok(Calendar::build(flags, sources, names, Vec::new()))
    }

    /// Replace (or add) one year with an official list in the CSV format
    /// above, loaded by `xiaoneng calendar import`: every row must lie in
    /// `year`. The list wins over the built-in one for that year, so a later
    /// release that ships the year changes nothing here.
    pub fn with_official_year(
        self,
        year: i32,
        text: &str,
        source: YearSource,
    ) -> Result<Calendar, CalendarError> {
        let (mut flags, mut names) = self.parts();
        let (year_flags, year_names) = parse_csv(text, year..=year)?;
        names.retain(|d, _| d.year() != year);
        names.extend(year_names);
        flags.extend(year_flags);
        let mut sources = self.sources;
        sources.insert(year, source);
        Ok(Calendar::build(flags, sources, names, self.local_days))
    }

    /// Cover the year after the last official year provisionally, unless
    /// it is covered already (by `add_years`): Monday to Friday work, less
    /// the holidays whose dates are fixed ([`FIXED_HOLIDAYS`]).
    pub fn with_provisional_year(self) -> Calendar {
        let Some(last) = self.last_official_year() else {
            return self;
        };
        let year = last + 1;
        let Some(start) = jan1(year) else {
            return self;
        };
        if self.sources.contains_key(&year) {
            return self;
        }
        let (mut flags, mut names) = self.parts();
        let mut days = plain_year(start);
        for (m, d, name) in FIXED_HOLIDAYS {
            if let Some(date) = NaiveDate::from_ymd_opt(year, m, d) {
                days[date.ordinal0() as usize] = false;
                names.insert(date, name.to_string());
            }
        }
        flags.insert(year, days);
        let mut sources = self.sources;
        sources.insert(year, YearSource::Provisional);
        Calendar::build(flags, sources, names, self.local_days)
    }

    /// The last year with an official list (built in or imported).
    pub fn last_official_year(&self) -> Option<i32> {
        self.sources
            .iter()
            .filter(|(_, s)| s.is_official())
            .map(|(y, _)| *y)
            .next_back()
    }

    /// The provisional year, if the calendar has one.
    pub fn provisional_year(&self) -> Option<i32> {
        self.sources
            .iter()
            .find(|(_, s)| **s == YearSource::Provisional)
            .map(|(y, _)| *y)
    }

    /// Whether `d` lies in the provisional year: a deadline on such a day,
    /// or a count of working days reaching it, is provisional.
    pub fn is_provisional(&self, d: NaiveDate) -> bool {
        self.provisional_year() == Some(d.year())
    }

    /// Where each covered year's days come from, ascending by year.
    pub fn sources(&self) -> &BTreeMap<i32, YearSource> {
        &self.sources
    }

    /// The days of `year` set by `[[calendar.days]]` in the configuration.
    pub fn local_days_in(&self, year: i32) -> usize {
        self.local_days.iter().filter(|d| d.year() == year).count()
    }

    /// The name of a listed day (a holiday, a 调休 day, a local day).
    pub fn day_name(&self, d: NaiveDate) -> Option<&str> {
        self.names.get(&d).map(String::as_str)
    }

    /// Each covered year's days as a string of `1` (working) and `0`, one
    /// character per day: what the nightly job keeps to see later which
    /// days a new list changed.
    pub fn year_flags(&self) -> BTreeMap<i32, String> {
        self.years
            .iter()
            .map(|y| {
                let flags = y
                    .flags()
                    .iter()
                    .map(|&w| if w { '1' } else { '0' })
                    .collect();
                (y.year, flags)
            })
            .collect()
    }

    /// The days whose working-day status differs from `before` (given as
    /// [`Calendar::year_flags`]), ascending, with their status now; a year
    /// covered only now or only before counts from its Jan 1 (as a change
    /// of every day).
    pub fn changed_days(&self, before: &BTreeMap<i32, String>) -> Vec<(NaiveDate, bool)> {
        let now = self.year_flags();
        let mut out = Vec::new();
        let years: std::collections::BTreeSet<i32> =
            now.keys().chain(before.keys()).copied().collect();
        for year in years {
            let Some(start) = jan1(year) else { continue };
            let (a, b) = (before.get(&year), now.get(&year));
            if a == b {
                continue;
            }
            match (a, b) {
                (Some(a), Some(b)) if a.len() == b.len() => {
                    for (i, (x, y)) in a.chars().zip(b.chars()).enumerate() {
                        if x != y {
                            out.push((start + chrono::Days::new(i as u64), y == '1'));
                        }
                    }
                }
                // A year covered on one side only: every day of it changed.
                (_, b) => {
                    for (i, d) in start
                        .iter_days()
                        .take_while(|d| d.year() == year)
                        .enumerate()
                    {
                        let w = b.is_some_and(|b| b.as_bytes().get(i) == Some(&b'1'));
                        out.push((d, w));
                    }
                }
            }
        }
        out
    }

    /// A calendar from [`Calendar::year_flags`] (what a nightly run kept):
    /// the days as they were, without names; every year counts as local.
    pub fn from_year_flags(flags: &BTreeMap<i32, String>) -> Calendar {
        let days = flags
            .iter()
            .map(|(y, f)| (*y, f.chars().map(|c| c == '1').collect()))
            .collect();
        let sources = flags.keys().map(|y| (*y, YearSource::Local)).collect();
        Calendar::build(days, sources, BTreeMap::new(), Vec::new())
    }

    /// The flags and names of the covered years.
    fn parts(&self) -> (BTreeMap<i32, Vec<bool>>, BTreeMap<NaiveDate, String>) {
        (
            self.years.iter().map(|y| (y.year, y.flags())).collect(),
            self.names.clone(),
        )
    }
}

/// Parse the CSV format of [`Calendar::from_csv`]: one flag per day of each
/// year in `years`, and the names of the listed days.
#[allow(clippy::type_complexity)]
fn parse_csv(
    text: &str,
    years: RangeInclusive<i32>,
) -> Result<(BTreeMap<i32, Vec<bool>>, BTreeMap<NaiveDate, String>), CalendarError> {
    let mut flags = BTreeMap::new();
    let mut names = BTreeMap::new();
    for year in years.clone() {
        let start = jan1(year).ok_or_else(|| unsupported_year(year))?;
        flags.insert(year, plain_year(start));
    }

    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    match lines.next() {
        Some((_, header)) if header.trim() == CSV_HEADER => {}
        Some((line, header)) => {
            return Err(CalendarError::BadData {
                line,
                reason: format!("expected the header `{CSV_HEADER}`, found `{header}`"),
            })
        }
        None => {
            return Err(CalendarError::BadData {
                line: 1,
                reason: format!("empty data; expected the header `{CSV_HEADER}`"),
            })
        }
    }

    let mut previous: Option<NaiveDate> = None;
    for (line, raw) in lines {
        if raw.trim().is_empty() {
            continue;
        }
        let bad = |reason: String| CalendarError::BadData { line, reason };
        let mut fields = raw.splitn(3, ',').map(str::trim);
        let (Some(date), Some(workday), Some(name)) = (fields.next(), fields.next(), fields.next())
        else {
            return Err(bad(format!(
                "expected three fields `date,workday,name`, found `{raw}`"
            )));
        };
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .map_err(|e| bad(format!("bad date `{date}` (expected YYYY-MM-DD): {e}")))?;
        let workday = match workday {
            "true" | "1" | "班" | "上班" | "工作日" => true,
            "false" | "0" | "休" | "休息" | "休息日" => false,
            other => {
                return Err(bad(format!(
                    "bad workday value `{other}` (expected true or false)"
                )))
            }
        };
        if name.is_empty() {
            return Err(bad(format!("date {date} has an empty name")));
        }
        if let Some(prev) = previous {
            if date <= prev {
                return Err(bad(format!(
                    "date {date} is not after the previous row's date {prev} \
                         (rows must be sorted by date, each date once)"
                )));
            }
        }
        previous = Some(date);
        let days: &mut Vec<bool> = flags.get_mut(&date.year()).ok_or_else(|| {
            bad(format!(
                "date {date} lies outside the covered years {}..={}",
                years.start(),
                years.end()
            ))
        })?;
        days[date.ordinal0() as usize] = workday;
        names.insert(date, name.to_string());
    }
    Ok((flags, names))
}

impl Calendar {
    /// Extend coverage to extra years (plain weekday rule: Mon–Fri work,
    /// Sat/Sun off) and apply overrides (which may touch official years too,
    /// e.g. a local holiday).
    ///
    /// An override must lie in a year that is already covered or listed in
    /// `add_years`; otherwise the result is [`CalendarError::YearNotCovered`].
    /// Adding a year that is already covered leaves its days unchanged.
    /// Overrides are applied in order, so for a date given twice the last one
    /// wins.
    pub fn with_additions(
        self,
        add_years: &[i32],
        overrides: &[DayOverride],
    ) -> Result<Calendar, CalendarError> {
        self.with_local_years(add_years)?.with_overrides(overrides)
    }

    /// Cover extra years by the plain weekday rule (`add_years`); a year
    /// already covered is left as it is.
    pub fn with_local_years(self, add_years: &[i32]) -> Result<Calendar, CalendarError> {
        let (mut flags, names) = self.parts();
        let mut sources = self.sources;
        for &year in add_years {
            if let Entry::Vacant(slot) = flags.entry(year) {
                let start = jan1(year).ok_or_else(|| unsupported_year(year))?;
                slot.insert(plain_year(start));
                sources.insert(year, YearSource::Local);
            }
        }
        Ok(Calendar::build(flags, sources, names, self.local_days))
    }

    /// Apply the configured days (`[[calendar.days]]`), in order: for a date
    /// given twice the last one wins. Each must lie in a covered year.
    pub fn with_overrides(self, overrides: &[DayOverride]) -> Result<Calendar, CalendarError> {
        let (mut flags, mut names) = self.parts();
        let mut local_days = self.local_days;
        for o in overrides {
            let days = flags
                .get_mut(&o.date.year())
                .ok_or_else(|| not_covered(o.date))?;
            days[o.date.ordinal0() as usize] = o.workday;
            if !o.name.is_empty() {
                names.insert(o.date, o.name.clone());
            }
            if !local_days.contains(&o.date) {
                local_days.push(o.date);
            }
        }
        Ok(Calendar::build(flags, self.sources, names, local_days))
    }

    /// The covered years, ascending.
    pub fn covered_years(&self) -> Vec<i32> {
        self.years.iter().map(|y| y.year).collect()
    }

    /// Whether `d` is a working day.
    pub fn is_workday(&self, d: NaiveDate) -> Result<bool, CalendarError> {
        let y = &self.years[self.position(d)?];
        Ok(y.is_workday_at(d.ordinal0() as usize))
    }

    /// Deadline: for n >= 1, the n-th working day strictly after `accepted`;
    /// for n == 0, `accepted` itself.
    ///
    /// `accepted` must be covered (also for n == 0). If the n-th working day
    /// lies beyond the covered years, the error names the first uncovered
    /// year the count runs into (with its Jan 1 as the date).
    pub fn deadline(&self, accepted: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let start_pos = self.position(accepted)?;
        if n == 0 {
            return Ok(accepted);
        }
        let target = self.count_at(start_pos, accepted) + i64::from(n);
        // First covered year (from the acceptance year on) whose running total reaches the target.
        let found =
            start_pos + self.years[start_pos..].partition_point(|y| y.before + y.total() < target);
        // Every year from the acceptance year to the one found must be covered.
        self.check_contiguous(start_pos, found.min(self.years.len() - 1))?;
        let Some(y) = self.years.get(found) else {
            let last = self.years[self.years.len() - 1].year;
            return Err(year_not_covered(last + 1));
        };
        let day = y.cum.partition_point(|&c| y.before + i64::from(c) < target);
        Ok(y.jan1 + chrono::Days::new(day as u64))
    }

    /// Working days d with from < d <= to (0 when to <= from).
    ///
    /// Both dates must be covered, and every year between them.
    pub fn elapsed(&self, from: NaiveDate, to: NaiveDate) -> Result<i64, CalendarError> {
        let (pf, pt) = (self.position(from)?, self.position(to)?);
        if to <= from {
            return Ok(0);
        }
        self.check_contiguous(pf, pt)?;
        Ok(self.count_at(pt, to) - self.count_at(pf, from))
    }

    /// Working days d with from <= d <= to (both ends; 0 when to < from) —
    /// used for suspensions.
    ///
    /// Both dates must be covered, and every year between them.
    pub fn workdays_between_inclusive(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<i64, CalendarError> {
        let (pf, pt) = (self.position(from)?, self.position(to)?);
        if to < from {
            return Ok(0);
        }
        self.check_contiguous(pf, pt)?;
        let first = i64::from(self.years[pf].is_workday_at(from.ordinal0() as usize));
        Ok(self.count_at(pt, to) - self.count_at(pf, from) + first)
    }

    /// Cumulative working-day index: for each covered date from the first
    /// covered Jan 1 to the last covered Dec 31, `(date, number of working days
    /// from the start up to and including date)`, ascending by date.
    ///
    /// This turns working-day arithmetic over many cases into joins: the
    /// working days in `(from, to]` are `index(to) - index(from)`, and the
    /// deadline of `n` working days is the first date whose index reaches
    /// `index(accepted) + n`. Each entry is read off the precomputed running
    /// counts in O(1).
    ///
    /// If the covered years have gaps, the dates of uncovered years are left
    /// out (they count as no working days), so differences of the index are
    /// only meaningful between dates whose years, and all years in between,
    /// are covered — which [`Calendar::covered_years`] tells.
    pub fn workday_index(&self) -> Vec<(NaiveDate, i64)> {
        let len = self.years.iter().map(|y| y.cum.len()).sum();
        let mut out = Vec::with_capacity(len);
        for y in &self.years {
            out.extend(
                y.jan1
                    .iter_days()
                    .zip(&y.cum)
                    .map(|(d, &c)| (d, y.before + i64::from(c))),
            );
        }
        out
    }

    /// Build the running counts from one flag per day for each covered year.
    fn build(
        flags: BTreeMap<i32, Vec<bool>>,
        sources: BTreeMap<i32, YearSource>,
        names: BTreeMap<NaiveDate, String>,
        local_days: Vec<NaiveDate>,
    ) -> Calendar {
        let mut before = 0i64;
        let mut years = Vec::with_capacity(flags.len());
        for (year, days) in flags {
            let mut running = 0u16;
            let cum: Vec<u16> = days
                .iter()
                .map(|&w| {
                    running += u16::from(w);
                    running
                })
                .collect();
            let y = Year {
                year,
                jan1: NaiveDate::from_ymd_opt(year, 1, 1).expect("covered years have a Jan 1"),
                before,
                cum,
            };
            before += y.total();
            years.push(y);
        }
        Calendar {
            years,
            sources,
            names,
            local_days,
        }
    }

    /// Index into `years` of the year of `d`; O(1) when the covered years are
    /// contiguous, a binary search otherwise.
    fn position(&self, d: NaiveDate) -> Result<usize, CalendarError> {
        let year = d.year();
        let first = self.years.first().ok_or_else(|| not_covered(d))?.year;
        if let Ok(guess) = usize::try_from(i64::from(year) - i64::from(first)) {
            if self.years.get(guess).is_some_and(|y| y.year == year) {
                return Ok(guess);
            }
        }
        self.years
            .binary_search_by_key(&year, |y| y.year)
            .map_err(|_| not_covered(d))
    }

    /// Working days from the first covered Jan 1 up to and including `d`
    /// (whose year is at `pos`).
    fn count_at(&self, pos: usize, d: NaiveDate) -> i64 {
        let y = &self.years[pos];
        y.before + i64::from(y.cum[d.ordinal0() as usize])
    }

    /// The years at positions `from..=to` must be consecutive calendar years.
    fn check_contiguous(&self, from: usize, to: usize) -> Result<(), CalendarError> {
        for pair in self.years[from..=to].windows(2) {
            if pair[1].year != pair[0].year + 1 {
                return Err(year_not_covered(pair[0].year + 1));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> Calendar {
        Calendar::official()
    }

    fn days(from: &str, to: &str) -> Vec<NaiveDate> {
        d(from).iter_days().take_while(|x| *x <= d(to)).collect()
    }

    /// Working days in `from..=to`, counted day by day.
    fn slow_count(c: &Calendar, from: NaiveDate, to: NaiveDate) -> i64 {
        from.iter_days()
            .take_while(|x| *x <= to)
            .filter(|x| c.is_workday(*x).unwrap())
            .count() as i64
    }

    fn year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
        (
            NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(year, 12, 31).unwrap(),
        )
    }

    #[test]
    fn embedded_data_parses_and_covers_2010_to_2026() {
        let c = cal();
        assert_eq!(c.covered_years(), (2010..=2026).collect::<Vec<_>>());
    }

    #[test]
    fn embedded_data_is_well_formed() {
        // Make-up days are weekend days; listed days off are either weekend
        // days inside a holiday period or weekdays. No row is a no-op working
        // weekday.
        for line in OFFICIAL_CSV.lines().skip(1) {
            let mut f = line.split(',');
            let date = d(f.next().unwrap());
            let workday = f.next().unwrap() == "true";
            let name = f.next().unwrap();
            assert!(OFFICIAL_YEARS.contains(&date.year()), "{line}");
            if workday {
                assert!(!is_weekday(date), "make-up day on a weekday: {line}");
                assert!(name.ends_with("调休"), "{line}");
            } else {
                assert!(!name.ends_with("调休"), "{line}");
            }
        }
    }

    #[test]
    fn national_day_2024() {
        let c = cal();
        for x in days("2024-10-01", "2024-10-07") {
            assert_eq!(c.is_workday(x), Ok(false), "{x}");
        }
        assert_eq!(c.is_workday(d("2024-09-29")), Ok(true)); // Sunday make-up
        assert_eq!(c.is_workday(d("2024-10-12")), Ok(true)); // Saturday make-up
        assert_eq!(c.is_workday(d("2024-09-30")), Ok(true)); // plain Monday
        assert_eq!(c.is_workday(d("2024-10-08")), Ok(true));
        assert_eq!(c.is_workday(d("2024-10-13")), Ok(false)); // plain Sunday
    }

    #[test]
    fn spring_festival_2025() {
        let c = cal();
        for x in days("2025-01-28", "2025-02-04") {
            assert_eq!(c.is_workday(x), Ok(false), "{x}");
        }
        assert_eq!(c.is_workday(d("2025-01-26")), Ok(true)); // Sunday
        assert_eq!(c.is_workday(d("2025-02-08")), Ok(true)); // Saturday
        assert_eq!(c.is_workday(d("2025-01-27")), Ok(true));
        assert_eq!(c.is_workday(d("2025-02-05")), Ok(true));
    }

    #[test]
    fn spring_festival_2026() {
        let c = cal();
        for x in days("2026-02-15", "2026-02-23") {
            assert_eq!(c.is_workday(x), Ok(false), "{x}");
        }
        assert_eq!(c.is_workday(d("2026-02-14")), Ok(true)); // Saturday
        assert_eq!(c.is_workday(d("2026-02-28")), Ok(true)); // Saturday
        assert_eq!(c.is_workday(d("2026-02-13")), Ok(true));
        assert_eq!(c.is_workday(d("2026-02-24")), Ok(true));
    }

    #[test]
    fn other_known_days() {
        let c = cal();
        // 2010 Spring Festival: 02-13..19 off, Saturday 02-20 and Sunday 02-21 working.
        assert_eq!(d("2010-02-20").weekday(), Weekday::Sat);
        assert_eq!(c.is_workday(d("2010-02-20")), Ok(true));
        assert_eq!(c.is_workday(d("2010-02-21")), Ok(true));
        assert_eq!(c.is_workday(d("2010-02-19")), Ok(false));
        // 2012 New Year's make-up day lies in 2011.
        assert_eq!(c.is_workday(d("2011-12-31")), Ok(true));
        // 2015 anniversary of the victory: 09-03..05 off, Sunday 09-06 working.
        assert_eq!(c.is_workday(d("2015-09-03")), Ok(false));
        assert_eq!(c.is_workday(d("2015-09-04")), Ok(false));
        assert_eq!(c.is_workday(d("2015-09-06")), Ok(true));
        // 2019 New Year: Monday 2018-12-31 off, Saturday 2018-12-29 working.
        assert_eq!(c.is_workday(d("2018-12-31")), Ok(false));
        assert_eq!(c.is_workday(d("2018-12-29")), Ok(true));
        // 2020 Spring Festival extended to 02-02; the 02-01 make-up day was dropped.
        assert_eq!(c.is_workday(d("2020-01-31")), Ok(false));
        assert_eq!(c.is_workday(d("2020-02-01")), Ok(false));
        assert_eq!(c.is_workday(d("2020-02-03")), Ok(true));
        // 2024: 除夕 (02-09, Friday) is a working day; 2023 清明 is one day.
        assert_eq!(c.is_workday(d("2024-02-09")), Ok(true));
        assert_eq!(c.is_workday(d("2023-04-05")), Ok(false));
        assert_eq!(c.is_workday(d("2023-04-06")), Ok(true));
    }

    #[test]
    fn outside_coverage_is_an_error() {
        let c = cal();
        let e = CalendarError::YearNotCovered {
            year: 2027,
            date: d("2027-06-01"),
        };
        assert_eq!(c.is_workday(d("2027-06-01")), Err(e.clone()));
        assert!(e.to_string().contains("2027"));
        assert_eq!(
            c.is_workday(d("2009-12-31")),
            Err(CalendarError::YearNotCovered {
                year: 2009,
                date: d("2009-12-31")
            })
        );
        assert!(c.elapsed(d("2026-12-30"), d("2027-01-04")).is_err());
        assert!(c.elapsed(d("2027-01-04"), d("2026-12-30")).is_err());
        assert!(c
            .workdays_between_inclusive(d("2009-12-30"), d("2010-01-04"))
            .is_err());
        assert!(c.deadline(d("2027-01-04"), 0).is_err());
    }

    #[test]
    fn added_year_uses_the_weekday_rule() {
        let c = cal().with_additions(&[2027], &[]).unwrap();
        assert_eq!(c.covered_years().last(), Some(&2027));
        assert_eq!(d("2027-06-01").weekday(), Weekday::Tue);
        assert_eq!(c.is_workday(d("2027-06-01")), Ok(true));
        assert_eq!(c.is_workday(d("2027-06-05")), Ok(false)); // Saturday
                                                              // Official years are untouched, also when re-added.
        let c = c.with_additions(&[2024], &[]).unwrap();
        assert_eq!(c.is_workday(d("2024-10-01")), Ok(false));
        assert_eq!(c.is_workday(d("2024-10-12")), Ok(true));
        assert_eq!(
            c.elapsed(d("2026-12-31"), d("2027-01-04")),
            Ok(2) // Friday 2027-01-01 and Monday 01-04
        );
    }

    #[test]
    fn overrides() {
        let local = |date: &str, workday: bool| DayOverride {
            date: d(date),
            workday,
            name: "本地".to_string(),
        };
        // A local holiday in an official year, and a make-up day removed.
        let c = cal()
            .with_additions(
                &[2027],
                &[
                    local("2024-07-01", false),
                    local("2024-10-12", false),
                    local("2027-02-06", true),
                    local("2027-02-08", false),
                ],
            )
            .unwrap();
        assert_eq!(c.is_workday(d("2024-07-01")), Ok(false));
        assert_eq!(c.is_workday(d("2024-10-12")), Ok(false));
        assert_eq!(c.is_workday(d("2027-02-06")), Ok(true));
        assert_eq!(c.is_workday(d("2027-02-08")), Ok(false));
        let official = cal();
        let (a, b) = year_bounds(2024);
        assert_eq!(
            c.elapsed(a, b).unwrap(),
            official.elapsed(a, b).unwrap() - 2
        );
        // Later years' running totals move with the change.
        let (a, b) = (d("2024-06-28"), d("2025-03-03"));
        assert_eq!(
            c.elapsed(a, b).unwrap(),
            official.elapsed(a, b).unwrap() - 2
        );
        // Last override for a date wins.
        let c = cal()
            .with_additions(
                &[],
                &[local("2024-07-01", false), local("2024-07-01", true)],
            )
            .unwrap();
        assert_eq!(c.is_workday(d("2024-07-01")), Ok(true));
        // An override in a year that is neither official nor added.
        assert_eq!(
            cal()
                .with_additions(&[], &[local("2027-02-08", false)])
                .unwrap_err(),
            CalendarError::YearNotCovered {
                year: 2027,
                date: d("2027-02-08")
            }
        );
        assert!(matches!(
            cal().with_additions(&[0], &[]),
            Err(CalendarError::BadData { line: 0, .. })
        ));
    }

    #[test]
    fn gaps_in_coverage_are_errors() {
        let c = cal().with_additions(&[2029], &[]).unwrap();
        assert_eq!(c.is_workday(d("2029-01-02")), Ok(true));
        let gap = Err(CalendarError::YearNotCovered {
            year: 2027,
            date: d("2027-01-01"),
        });
        assert_eq!(c.elapsed(d("2026-12-01"), d("2029-01-02")), gap);
        assert_eq!(
            c.workdays_between_inclusive(d("2026-12-01"), d("2029-01-02")),
            gap
        );
        assert_eq!(
            c.deadline(d("2026-12-30"), 5).map(|_| ()),
            gap.map(|_: i64| ())
        );
        assert_eq!(c.deadline(d("2026-12-30"), 1), Ok(d("2026-12-31")));
        assert!(c.is_workday(d("2028-03-01")).is_err());
        // The index skips the uncovered years.
        let idx = c.workday_index();
        assert!(idx
            .iter()
            .all(|(x, _)| x.year() != 2027 && x.year() != 2028));
        assert_eq!(idx.last().unwrap().0, d("2029-12-31"));
    }

    #[test]
    fn deadlines() {
        let c = cal();
        let fri = d("2024-09-27");
        assert_eq!(fri.weekday(), Weekday::Fri);
        assert_eq!(c.deadline(fri, 0), Ok(fri));
        assert_eq!(c.deadline(fri, 1), Ok(d("2024-09-29"))); // Sunday make-up day
        assert_eq!(c.deadline(fri, 2), Ok(d("2024-09-30")));
        assert_eq!(c.deadline(fri, 3), Ok(d("2024-10-08")));
        assert_eq!(c.deadline(fri, 7), Ok(d("2024-10-12"))); // Saturday make-up day
        assert_eq!(c.deadline(fri, 8), Ok(d("2024-10-14")));
        // Accepted on a holiday: counting starts with the next working day.
        assert_eq!(c.deadline(d("2024-10-03"), 0), Ok(d("2024-10-03")));
        assert_eq!(c.deadline(d("2024-10-03"), 1), Ok(d("2024-10-08")));
        assert_eq!(c.deadline(d("2025-01-28"), 1), Ok(d("2025-02-05")));
        assert_eq!(c.deadline(d("2025-01-25"), 1), Ok(d("2025-01-26")));
        // 20 working days across the 2025 Spring Festival.
        assert_eq!(c.deadline(d("2025-01-20"), 20), Ok(d("2025-02-21")));
        // Across a year boundary, and running off the end.
        // 2026-01-01..03 off, Sunday 01-04 a make-up working day.
        assert_eq!(c.deadline(d("2025-12-31"), 1), Ok(d("2026-01-04")));
        assert_eq!(c.deadline(d("2025-12-31"), 2), Ok(d("2026-01-05")));
        assert_eq!(c.deadline(d("2026-12-30"), 1), Ok(d("2026-12-31")));
        assert_eq!(
            c.deadline(d("2026-12-30"), 2),
            Err(CalendarError::YearNotCovered {
                year: 2027,
                date: d("2027-01-01")
            })
        );
        assert_eq!(
            c.deadline(d("2026-12-31"), u32::MAX),
            Err(CalendarError::YearNotCovered {
                year: 2027,
                date: d("2027-01-01")
            })
        );
    }

    #[test]
    fn elapsed_and_inclusive_counts() {
        let c = cal();
        let x = d("2024-10-03");
        assert_eq!(c.elapsed(x, x), Ok(0));
        assert_eq!(c.elapsed(d("2024-09-30"), d("2024-09-30")), Ok(0));
        assert_eq!(c.elapsed(d("2024-10-08"), d("2024-09-27")), Ok(0));
        // Across National Day: 09-29, 09-30, 10-08..10-12.
        assert_eq!(c.elapsed(d("2024-09-27"), d("2024-10-12")), Ok(7));
        assert_eq!(c.elapsed(d("2024-09-30"), d("2024-10-08")), Ok(1));
        assert_eq!(c.elapsed(d("2024-09-30"), d("2024-10-07")), Ok(0));
        assert_eq!(
            c.workdays_between_inclusive(d("2024-10-01"), d("2024-10-07")),
            Ok(0)
        );
        assert_eq!(
            c.workdays_between_inclusive(d("2024-09-29"), d("2024-10-12")),
            Ok(7)
        );
        assert_eq!(
            c.workdays_between_inclusive(d("2024-09-30"), d("2024-09-30")),
            Ok(1)
        );
        assert_eq!(
            c.workdays_between_inclusive(d("2024-10-01"), d("2024-10-01")),
            Ok(0)
        );
        assert_eq!(
            c.workdays_between_inclusive(d("2024-10-08"), d("2024-10-07")),
            Ok(0)
        );
        // Whole years.
        let (a, b) = year_bounds(2024);
        assert_eq!(c.workdays_between_inclusive(a, b), Ok(251));
        assert_eq!(
            c.workdays_between_inclusive(d("2010-01-01"), d("2026-12-31")),
            Ok(4241)
        );
    }

    #[test]
    fn fast_paths_agree_with_day_by_day_counting() {
        let c = cal();
        let all = days("2010-01-01", "2026-12-31");
        // Deadlines for n = 1..=30 from a spread of acceptance dates.
        for (k, &acc) in all.iter().enumerate().step_by(7) {
            let mut found = 0u32;
            let mut day = acc;
            while found < 30 {
                let Some(next) = day.succ_opt() else { break };
                day = next;
                if day.year() > 2026 {
                    break;
                }
                if c.is_workday(day).unwrap() {
                    found += 1;
                    assert_eq!(c.deadline(acc, found), Ok(day), "{acc} n={found}");
                    assert_eq!(c.elapsed(acc, day), Ok(i64::from(found)));
                }
            }
            // Interval counts against a slow count.
            let to = all[(k * 31 + 400) % all.len()];
            let slow = if to >= acc {
                slow_count(&c, acc, to)
            } else {
                0
            };
            assert_eq!(
                c.workdays_between_inclusive(acc, to),
                Ok(slow),
                "{acc}..{to}"
            );
            let first = i64::from(to >= acc && c.is_workday(acc).unwrap());
            assert_eq!(c.elapsed(acc, to), Ok(slow - first), "{acc}..{to}");
        }
    }

    #[test]
    fn workday_index_is_a_running_count() {
        let c = cal();
        let idx = c.workday_index();
        assert_eq!(idx.len(), all_days_2010_2026());
        assert_eq!(idx[0], (d("2010-01-01"), 0)); // New Year's Day
        assert_eq!(idx[3], (d("2010-01-04"), 1));
        let mut prev = 0;
        for (i, &(date, n)) in idx.iter().enumerate() {
            assert_eq!(date, d("2010-01-01") + chrono::Days::new(i as u64));
            assert_eq!(n - prev, i64::from(c.is_workday(date).unwrap()), "{date}");
            prev = n;
        }
        assert_eq!(idx.last().unwrap(), &(d("2026-12-31"), 4241));
        // elapsed is a difference of the index.
        let pos = |s: &str| idx.iter().position(|(x, _)| *x == d(s)).unwrap();
        let (a, b) = (pos("2024-09-27"), pos("2024-10-12"));
        assert_eq!(idx[b].1 - idx[a].1, 7);
    }

    fn all_days_2010_2026() -> usize {
        days("2010-01-01", "2026-12-31").len()
    }

    /// Working days per year, and weekdays off / weekend make-up days per year.
    fn year_stats(c: &Calendar, year: i32) -> (i64, i64, i64) {
        let (a, b) = year_bounds(year);
        let (mut work, mut off_weekdays, mut makeup) = (0, 0, 0);
        for x in a.iter_days().take_while(|x| *x <= b) {
            let w = c.is_workday(x).unwrap();
            work += i64::from(w);
            off_weekdays += i64::from(is_weekday(x) && !w);
            makeup += i64::from(!is_weekday(x) && w);
        }
        (work, off_weekdays, makeup)
    }

    #[test]
    fn working_days_per_year() {
        let c = cal();
        let expected = [
            (2010, 250),
            (2011, 250),
            (2012, 249),
            (2013, 250),
            (2014, 250),
            (2015, 249),
            (2016, 250),
            (2017, 249),
            (2018, 250),
            (2019, 250),
            (2020, 249),
            (2021, 250),
            (2022, 249),
            (2023, 249),
            (2024, 251),
            (2025, 248),
            (2026, 248),
        ];
        for (year, n) in expected {
            let (work, _, _) = year_stats(&c, year);
            assert!((245..=252).contains(&work), "{year}: {work}");
            assert_eq!(work, n, "{year}");
            let (a, b) = year_bounds(year);
            assert_eq!(c.workdays_between_inclusive(a, b), Ok(n));
        }
    }

    #[test]
    fn off_weekdays_match_the_notices() {
        let c = cal();
        // 2024 by hand from the notice: weekdays off are 元旦 01-01 (1),
        // 春节 02-12..16 (5), 清明 04-04..05 (2), 劳动节 05-01..03 (3),
        // 端午 06-10 (1), 中秋 09-16..17 (2), 国庆 10-01..04 and 10-07 (5) = 19;
        // weekend make-up days 02-04, 02-18, 04-07, 04-28, 05-11, 09-14,
        // 09-29, 10-12 = 8. 19 - 8 = 11, the statutory holidays of the year.
        assert_eq!(year_stats(&c, 2024), (251, 19, 8));
        let pinned = [
            (2010, 19, 8),
            (2011, 16, 6),
            (2012, 18, 6),
            (2013, 23, 12),
            (2014, 16, 5),
            (2015, 17, 5),
            (2016, 17, 6),
            (2017, 16, 5),
            (2018, 18, 7),
            (2019, 17, 6),
            (2020, 19, 6),
            (2021, 18, 7),
            (2022, 18, 7),
            (2023, 18, 7),
            (2024, 19, 8),
            (2025, 18, 5),
            (2026, 19, 6),
        ];
        for (year, off, makeup) in pinned {
            let (_, o, m) = year_stats(&c, year);
            assert_eq!((o, m), (off, makeup), "{year}");
            // Every statutory holiday costs exactly one weekday net (one on a
            // weekend is made up by a weekday off): 11 a year until 2024, 13
            // from 2025 (春节 and 劳动节 one day longer), with known exceptions.
            let statutory = if year >= 2025 { 13 } else { 11 };
            let adjust = match year {
                2011 => -1, // 2012 元旦's make-up day is Saturday 2011-12-31
                2012 => 1,
                2015 => 1, // 抗战胜利70周年纪念日, 09-03
                2020 => 2, // 春节 extended to 02-02, 02-01 make-up dropped
                _ => 0,
            };
            assert_eq!(o - m, statutory + adjust, "{year}");
        }
    }

    #[test]
    fn csv_parsing() {
        let years = 2024..=2024;
        let ok = "\u{feff}date,workday,name\r\n2024-10-01,false,国庆节\r\n\r\n2024-10-12,true,国庆节调休\r\n";
        let c = Calendar::from_csv(ok, years.clone()).unwrap();
        assert_eq!(c.covered_years(), vec![2024]);
        assert_eq!(c.is_workday(d("2024-10-01")), Ok(false));
        assert_eq!(c.is_workday(d("2024-10-02")), Ok(true)); // not listed here
        assert_eq!(c.is_workday(d("2024-10-12")), Ok(true));
        // Header only: the plain rule.
        let plain = Calendar::from_csv("date,workday,name\n", 2030..=2031).unwrap();
        assert_eq!(plain.covered_years(), vec![2030, 2031]);
        assert_eq!(plain.is_workday(d("2031-01-01")), Ok(true));

        let line_of = |text: &str| match Calendar::from_csv(text, years.clone()) {
            Err(CalendarError::BadData { line, .. }) => line,
            other => panic!("expected BadData, got {other:?}"),
        };
        assert_eq!(line_of(""), 1);
        assert_eq!(line_of("date;workday;name\n"), 1);
        assert_eq!(line_of("date,workday,name\n2024-10-01,false\n"), 2);
        assert_eq!(line_of("date,workday,name\n2024-10-01,no,国庆节\n"), 2);
        assert_eq!(line_of("date,workday,name\n2024-13-01,false,x\n"), 2);
        assert_eq!(line_of("date,workday,name\n2024-10-01,false,\n"), 2);
        assert_eq!(line_of("date,workday,name\n2025-10-01,false,国庆节\n"), 2);
        assert_eq!(
            line_of("date,workday,name\n2024-10-02,false,a\n\n2024-10-01,false,b\n"),
            4
        );
        assert_eq!(
            line_of("date,workday,name\n2024-10-01,false,a\n2024-10-01,true,b\n"),
            3
        );
        assert!(matches!(
            Calendar::from_csv("date,workday,name\n", 0..=1),
            Err(CalendarError::BadData { line: 0, .. })
        ));
    }

    #[test]
    fn the_year_after_the_last_official_one_is_provisional() {
        let c = cal().with_provisional_year();
        assert_eq!(c.last_official_year(), Some(2026));
        assert_eq!(c.provisional_year(), Some(2027));
        assert!(c.is_provisional(d("2027-03-01")));
        assert!(!c.is_provisional(d("2026-12-31")));
        // The fixed-date holidays are off; Friday 2027-01-01 is 元旦.
        for x in ["2027-01-01", "2027-05-03", "2027-10-01", "2027-10-03"] {
            let expected = x == "2027-05-03"; // a plain Monday: 劳动节 is 05-01..02
            assert_eq!(c.is_workday(d(x)), Ok(expected), "{x}");
        }
        assert_eq!(c.day_name(d("2027-10-01")), Some("国庆节"));
        // Lunar holidays are not guessed: 2027-02-08, a Monday of the
        // Spring Festival week, is a working day until the list is loaded.
        assert_eq!(c.is_workday(d("2027-02-08")), Ok(true));
        // A whole provisional year: 261 weekdays less the four fixed
        // holidays that fall on weekdays (01-01 Fri; 05-01 Sat and 05-02
        // Sun are weekend days; 10-01 Fri; 10-02 Sat, 10-03 Sun).
        let (a, b) = year_bounds(2027);
        assert_eq!(slow_count(&c, a, b), 261 - 2);
        // The year after stays an error naming it.
        assert!(matches!(
            c.is_workday(d("2028-01-03")),
            Err(CalendarError::YearNotCovered { year: 2028, .. })
        ));
        // The deadline that failed at the turn of the year: accepted Monday
        // 2026-12-28 with 5 working days: 12-29, 12-30, 12-31, (01-01 off,
        // weekend) 01-04, 01-05.
        assert_eq!(c.deadline(d("2026-12-28"), 5), Ok(d("2027-01-05")));
    }

    #[test]
    fn an_imported_list_replaces_the_provisional_rule_and_the_built_in_list() {
        let list = "date,workday,name\n2027-01-01,false,元旦\n2027-02-06,false,春节\n\
                    2027-02-07,false,春节\n2027-02-08,false,春节\n2027-02-20,true,春节调休\n";
        let source = YearSource::Imported {
            file: "2027.csv".into(),
            loaded_at: "2026-12-20T10:00:00".into(),
        };
        let c = cal()
            .with_official_year(2027, list, source.clone())
            .unwrap()
            .with_provisional_year();
        assert_eq!(c.last_official_year(), Some(2027));
        assert_eq!(c.provisional_year(), Some(2028));
        assert_eq!(c.sources().get(&2027), Some(&source));
        assert!(!c.is_provisional(d("2027-02-08")));
        assert_eq!(c.is_workday(d("2027-02-08")), Ok(false));
        assert_eq!(c.is_workday(d("2027-02-20")), Ok(true));
        // Not in the list: a plain weekday, even 10-01 (the list is whole).
        assert_eq!(c.is_workday(d("2027-10-01")), Ok(true));
        // What changed against the provisional rule, day by day.
        let before = cal().with_provisional_year().year_flags();
        let changed: Vec<_> = c
            .changed_days(&before)
            .into_iter()
            .filter(|(x, _)| x.year() == 2027)
            .collect();
        assert_eq!(
            changed,
            vec![
                (d("2027-02-08"), false),
                (d("2027-02-20"), true),
                (d("2027-10-01"), true),
            ]
        );
        // An imported year wins over the built-in list of that year.
        let replaced = cal()
            .with_official_year(2026, "date,workday,name\n2026-01-01,false,元旦\n", source)
            .unwrap();
        assert_eq!(replaced.is_workday(d("2026-02-16")), Ok(true));
        assert!(matches!(
            cal().with_official_year(
                2027,
                "date,workday,name\n2028-01-01,false,元旦\n",
                YearSource::Local
            ),
            Err(CalendarError::BadData { line: 2, .. })
        ));
    }

    #[test]
    fn workday_words_in_a_list() {
        let c = Calendar::from_csv(
            "date,workday,name\n2027-02-08,休,春节\n2027-02-20,班,春节调休\n2027-02-21,1,春节调休\n",
            2027..=2027,
        )
        .unwrap();
        assert_eq!(c.is_workday(d("2027-02-08")), Ok(false));
        assert_eq!(c.is_workday(d("2027-02-20")), Ok(true));
        assert_eq!(c.is_workday(d("2027-02-21")), Ok(true));
    }
}
