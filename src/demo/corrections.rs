//! The corrections (差错件): cases found with an error after completion,
//! more at the poor windows.

use chrono::NaiveDateTime;

use super::cases::Case;
use super::center::Center;
use super::days::{at, fmt_dt, hm, Days};
use super::output::line;
use super::reference::{CORRECTION_RATE, CORRECTION_REASONS};
use super::rng::Rng;

pub(super) fn gen_corrections(
    seed: u64,
    days: &Days,
    center: &Center,
    cases: &[Case],
) -> Vec<String> {
    let mut rng = Rng::new(seed, "corrections");
    let mut rows: Vec<(NaiveDateTime, String)> = Vec::new();
    for c in cases {
        let Some(done) = c.completed else { continue };
        if !rng.chance(CORRECTION_RATE * center.windows[c.window].quality) {
            continue;
        }
        let Some(day) = days.index_of(done.date()) else {
            continue;
        };
        let Some(j) = days.after(day, rng.between(1, 15) as usize) else {
            continue;
        };
        let t = at(days.dates[j], rng.between(hm(9, 0), hm(16, 30)));
        rows.push((t, line(&[&c.id, &fmt_dt(t), *rng.pick(CORRECTION_REASONS)])));
    }
    rows.sort_by_key(|r| r.0);
    rows.into_iter().map(|r| r.1).collect()
}
