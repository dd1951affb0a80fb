//! Who is where each day: the leave records (请假), absences without leave,
//! the roster that knows about them, and the Saturday appointment duty.

use chrono::NaiveDateTime;

use super::center::Center;
use super::days::{at, fmt_dt, Days, Sessions};
use super::output::line;
use super::reference::{ABSENCE_RATE, LEAVE_START_RATE};
use super::rng::Rng;

/// Leave flags of a staff-day.
pub(super) const LEAVE_AM: u8 = 1;
pub(super) const LEAVE_PM: u8 = 2;
pub(super) const ABSENT: u8 = 4;
const OFF: u8 = LEAVE_AM | LEAVE_PM;

/// Who is where each day.
pub(super) struct Roster {
    /// Per day and window: staff active there.
    active: Vec<Vec<Vec<usize>>>,
    /// Per day and window: active staff with no leave or absence that day.
    pub(super) available: Vec<Vec<Vec<usize>>>,
    /// Per staff and day: leave flags.
    pub(super) flags: Vec<Vec<u8>>,
}

impl Roster {
    fn build(days: &Days, center: &Center, flags: Vec<Vec<u8>>) -> Self {
        let nw = center.windows.len();
        let mut active = vec![vec![Vec::new(); nw]; days.len()];
        let mut available = vec![vec![Vec::new(); nw]; days.len()];
        for (i, &d) in days.dates.iter().enumerate() {
            for (s, p) in center.staff.iter().enumerate() {
                if let Some(w) = p.window_on(d) {
                    active[i][w].push(s);
                    if flags[s][i] == 0 {
                        available[i][w].push(s);
                    }
                }
            }
        }
        Roster {
            active,
            available,
            flags,
        }
    }

    /// Someone of the window to handle work that day: a staff member not on
    /// leave, else anyone active.
    pub(super) fn handler(&self, rng: &mut Rng, day: usize, w: usize) -> Option<usize> {
        let pool = if self.available[day][w].is_empty() {
            &self.active[day][w]
        } else {
            &self.available[day][w]
        };
        (!pool.is_empty()).then(|| *rng.pick(pool))
    }

    /// The window's lead if available that day, else any handler.
    pub(super) fn lead(
        &self,
        rng: &mut Rng,
        center: &Center,
        day: usize,
        w: usize,
    ) -> Option<usize> {
        self.available[day][w]
            .iter()
            .copied()
            .find(|&s| center.staff[s].is_lead())
            .or_else(|| self.handler(rng, day, w))
    }
}

// ---------------------------------------------------------------- leaves

/// Leave records and the roster that knows about them.
pub(super) fn gen_leaves(seed: u64, days: &Days, center: &Center) -> (Vec<String>, Roster) {
    let mut rng = Rng::new(seed, "leaves");
    let n = days.len();
    let mut flags = vec![vec![0u8; n]; center.staff.len()];
    let mut leaves: Vec<(NaiveDateTime, u32, String)> = Vec::new();
    let mut record = |s: usize, kind: &str, start: NaiveDateTime, end: NaiveDateTime| {
        let id = center.staff[s].id;
        leaves.push((
            start,
            id,
            line(&[&id.to_string(), kind, &fmt_dt(start), &fmt_dt(end)]),
        ));
    };
    let active_on = |s: usize, i: usize| center.staff[s].window_on(days.dates[i]).is_some();

    // One maternity leave of about three months.
    let mother = rng.below(center.staff.len());
    let start = days.after(days.fraction(0.4), 1).unwrap_or(0);
    let end = days.after(start, 64).unwrap_or(days.last());
    if active_on(mother, start) && active_on(mother, end) {
        for f in &mut flags[mother][start..=end] {
            *f = OFF;
        }
        let end_day = days.dates[end];
        record(
            mother,
            "产假",
            at(days.dates[start], Sessions::of(days.dates[start]).am.0),
            at(end_day, Sessions::of(end_day).pm.1),
        );
    }

    for (s, own) in flags.iter_mut().enumerate() {
        let mut i = 0;
        while i < n {
            if !days.work[i] || own[i] != 0 || !active_on(s, i) || !rng.chance(LEAVE_START_RATE) {
                i += 1;
                continue;
            }
            let d = days.dates[i];
            let sess = Sessions::of(d);
            let shape = rng.weighted(&[0.35, 0.25, 0.25, 0.12, 0.03]);
            if shape == 0 {
                let kind = ["事假", "病假", "公务外出"][rng.weighted(&[0.4, 0.3, 0.3])];
                let (span, flag) = if rng.chance(0.5) {
                    (sess.am, LEAVE_AM)
                } else {
                    (sess.pm, LEAVE_PM)
                };
                own[i] = flag;
                record(s, kind, at(d, span.0), at(d, span.1));
                i += 1;
                continue;
            }
            let (len, kind) = match shape {
                1 => (
                    1,
                    ["事假", "病假", "年假", "公务外出"][rng.weighted(&[0.35, 0.35, 0.15, 0.15])],
                ),
                2 => (
                    rng.between(2, 3) as usize,
                    ["病假", "年假", "出差"][rng.weighted(&[0.3, 0.35, 0.35])],
                ),
                3 => (rng.between(4, 5) as usize, ["年假", "出差"][rng.below(2)]),
                _ => (
                    rng.between(3, 10) as usize,
                    ["婚假", "丧假", "病假"][rng.below(3)],
                ),
            };
            let Some(last) = days.after(i, len - 1) else {
                break;
            };
            if (i..=last).any(|j| own[j] != 0) || !active_on(s, last) {
                i += 1;
                continue;
            }
            for f in &mut own[i..=last] {
                *f = OFF;
            }
            let end_day = days.dates[last];
            record(
                s,
                kind,
                at(d, sess.am.0),
                at(end_day, Sessions::of(end_day).pm.1),
            );
            i = last + 1;
        }
        // Absence without leave (旷工).
        for (i, f) in own.iter_mut().enumerate() {
            if days.work[i] && *f == 0 && active_on(s, i) && rng.chance(ABSENCE_RATE) {
                *f = ABSENT;
            }
        }
    }
    leaves.sort_by_key(|l| (l.0, l.1));
    let rows = leaves.into_iter().map(|(_, _, l)| l).collect();
    (rows, Roster::build(days, center, flags))
}

/// Saturday appointment duty: (day, window, staff) for each appointment
/// Saturday and each window that opens then.
pub(super) fn saturday_duty(
    seed: u64,
    days: &Days,
    center: &Center,
    roster: &Roster,
) -> Vec<(usize, usize, usize)> {
    let mut rng = Rng::new(seed, "saturday");
    let mut duty = Vec::new();
    for i in (0..days.len()).filter(|&i| days.appointment[i]) {
        for (w, win) in center.windows.iter().enumerate() {
            if !win.saturday {
                continue;
            }
            let free: Vec<usize> = roster.active[i][w]
                .iter()
                .copied()
                .filter(|&s| roster.flags[s][i] == 0)
                .collect();
            if !free.is_empty() {
                duty.push((i, w, *rng.pick(&free)));
            }
        }
    }
    duty
}
