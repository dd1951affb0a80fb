//! Time in the demo: the office sessions of a day, date and time
//! formatting, and the calendar days of the generated period.

use anyhow::{ensure, Context, Result};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Weekday};

use super::reference::MORNING_SHARE;
use super::rng::Rng;
use super::DemoSpec;
use crate::calendar::Calendar;

/// Seconds after midnight of a clock time.
pub(super) const fn hm(h: u32, m: u32) -> u32 {
    h * 3600 + m * 60
}

/// The two office sessions of a day, in seconds after midnight: summer
/// (May–September) afternoons 14:30–17:30, winter 14:00–17:00.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sessions {
    pub(super) am: (u32, u32),
    pub(super) pm: (u32, u32),
}

impl Sessions {
    pub(super) fn of(d: NaiveDate) -> Self {
        if (5..=9).contains(&d.month()) {
            Sessions {
                am: (hm(8, 30), hm(12, 0)),
                pm: (hm(14, 30), hm(17, 30)),
            }
        } else {
            Sessions {
                am: (hm(8, 30), hm(12, 0)),
                pm: (hm(14, 0), hm(17, 0)),
            }
        }
    }

    /// A busy-hour time: morning peak around 9:30, afternoon around 15:00.
    pub(super) fn busy_time(&self, rng: &mut Rng) -> u32 {
        let (lo, hi, peak) = if rng.chance(MORNING_SHARE) {
            (self.am.0, self.am.1, 0.3)
        } else {
            (self.pm.0, self.pm.1, 0.35)
        };
        let (lo, hi) = (f64::from(lo), f64::from(hi - 1));
        rng.triangular(lo, lo + peak * (hi - lo), hi) as u32
    }

    /// Any time inside a session, uniformly.
    pub(super) fn any_time(&self, rng: &mut Rng) -> u32 {
        let (lo, hi) = if rng.chance(MORNING_SHARE) {
            self.am
        } else {
            self.pm
        };
        rng.between(lo, hi - 1)
    }
}

pub(super) fn at(d: NaiveDate, secs: u32) -> NaiveDateTime {
    let secs = secs.min(86_399);
    d.and_hms_opt(secs / 3600, secs / 60 % 60, secs % 60)
        .expect("seconds below a day make a valid time")
}

pub(super) fn plus_secs(t: NaiveDateTime, secs: u32) -> NaiveDateTime {
    t + Duration::seconds(i64::from(secs))
}

pub(super) fn fmt_dt(t: NaiveDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

pub(super) fn fmt_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

pub(super) fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("constant dates are valid")
}

/// The calendar days of the generated period, with working days looked up
/// once from the calendar.
pub(super) struct Days {
    pub(super) dates: Vec<NaiveDate>,
    pub(super) work: Vec<bool>,
    /// Normal Saturdays (a working Friday before, a working Monday after)
    /// when a few windows open for appointments in the morning.
    pub(super) appointment: Vec<bool>,
    /// Volume factor of each working day (weekday, season, holidays).
    pub(super) factor: Vec<f64>,
    /// Indices of the working days.
    pub(super) workdays: Vec<usize>,
    /// Number of working days with index ≤ i.
    upto: Vec<usize>,
}

impl Days {
    pub(super) fn build(spec: &DemoSpec, cal: &Calendar) -> Result<Self> {
        let (y, m) = spec.first_month;
        ensure!(spec.months > 0, "the demo needs at least one month");
        let first = NaiveDate::from_ymd_opt(y, m, 1)
            .with_context(|| format!("invalid first month {y}-{m}"))?;
        let end = first
            .checked_add_months(chrono::Months::new(spec.months))
            .context("demo period out of range")?;
        let dates: Vec<NaiveDate> = first.iter_days().take_while(|d| *d < end).collect();
        let work = dates
            .iter()
            .map(|&d| {
                cal.is_workday(d)
                    .with_context(|| format!("working-day calendar lookup for {d}"))
            })
            .collect::<Result<Vec<bool>>>()?;
        let n = dates.len();
        let appointment = (0..n)
            .map(|i| {
                dates[i].weekday() == Weekday::Sat
                    && !work[i]
                    && i >= 1
                    && work[i - 1]
                    && i + 2 < n
                    && work[i + 2]
            })
            .collect();
        let workdays: Vec<usize> = (0..n).filter(|&i| work[i]).collect();
        let mut upto = Vec::with_capacity(n);
        let mut c = 0;
        for &w in &work {
            c += usize::from(w);
            upto.push(c);
        }
        let factor = volume_factors(&dates, &work);
        Ok(Days {
            dates,
            work,
            appointment,
            factor,
            workdays,
            upto,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.dates.len()
    }

    pub(super) fn last(&self) -> usize {
        self.dates.len() - 1
    }

    /// Index of the n-th working day strictly after day `i` (n = 0: `i`
    /// itself), or None past the end of the period.
    pub(super) fn after(&self, i: usize, n: usize) -> Option<usize> {
        if n == 0 {
            return Some(i);
        }
        self.workdays.get(self.upto[i] + n - 1).copied()
    }

    pub(super) fn index_of(&self, d: NaiveDate) -> Option<usize> {
        let i = (d - self.dates[0]).num_days();
        usize::try_from(i).ok().filter(|&i| i < self.len())
    }

    /// The first working day `frac` of the way through the period or later.
    pub(super) fn fraction(&self, frac: f64) -> usize {
        let i = ((self.len() as f64 * frac) as usize).min(self.last());
        (i..self.len()).find(|&j| self.work[j]).unwrap_or(i)
    }

    /// Index of each month's first day, with the month.
    pub(super) fn months(&self) -> Vec<(usize, i32, u32)> {
        (0..self.len())
            .filter(|&i| i == 0 || self.dates[i].day() == 1)
            .map(|i| (i, self.dates[i].year(), self.dates[i].month()))
            .collect()
    }

    /// The first working day on or after the given day of month `m` (index
    /// into `months()`), else the month's last working day.
    pub(super) fn workday_in_month(&self, m: usize, day_of_month: u32) -> usize {
        let months = self.months();
        let (start, y, mo) = months[m.min(months.len() - 1)];
        let in_month: Vec<usize> = (start..self.len())
            .take_while(|&i| self.dates[i].year() == y && self.dates[i].month() == mo)
            .filter(|&i| self.work[i])
            .collect();
        in_month
            .iter()
            .copied()
            .find(|&i| self.dates[i].day() >= day_of_month)
            .or_else(|| in_month.last().copied())
            .unwrap_or(start)
    }

    pub(super) fn end_of_period(&self) -> NaiveDateTime {
        at(self.dates[self.last()], 86_399)
    }
}

/// Volume factor of each day: weekday (Monday peak, Friday lower), season
/// (busy March and September, quiet February and October), and quieter
/// days just before and after a long holiday. Zero on non-working days.
fn volume_factors(dates: &[NaiveDate], work: &[bool]) -> Vec<f64> {
    const MONTH: [f64; 12] = [
        0.95, 0.7, 1.25, 1.05, 1.0, 1.05, 0.95, 0.9, 1.2, 0.9, 1.0, 1.1,
    ];
    let n = dates.len();
    // Long breaks: runs of 4+ non-working days (Spring Festival, National Day, May Day).
    let mut near_break = vec![1.0; n];
    let mut i = 0;
    while i < n {
        if work[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && !work[i] {
            i += 1;
        }
        if i - start >= 4 {
            for (j, f) in near_break
                .iter_mut()
                .enumerate()
                .take(start)
                .skip(start.saturating_sub(5))
            {
                *f = if start - j <= 2 { 0.7 } else { 0.85 };
            }
            for f in near_break.iter_mut().take((i + 3).min(n)).skip(i) {
                *f = 0.85;
            }
        }
    }
    (0..n)
        .map(|i| {
            if !work[i] {
                return 0.0;
            }
            let weekday = match dates[i].weekday() {
                Weekday::Mon => 1.25,
                Weekday::Tue => 1.05,
                Weekday::Wed => 1.0,
                Weekday::Thu => 0.97,
                Weekday::Fri => 0.8,
                Weekday::Sat | Weekday::Sun => 0.85,
            };
            weekday * MONTH[dates[i].month0() as usize] * near_break[i]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_day_arithmetic_agrees_with_the_calendar() {
        let cal = Calendar::official();
        let days = Days::build(&DemoSpec::default(), &cal).unwrap();
        for i in 0..days.len() {
            for n in 0..=12 {
                if let Some(j) = days.after(i, n) {
                    let expected = cal.deadline(days.dates[i], n as u32).unwrap();
                    assert_eq!(days.dates[j], expected, "{} + {n}", days.dates[i]);
                }
            }
        }
    }
}
