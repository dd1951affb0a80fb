//! The departures from the window (离岗登记): a few overlong, some without
//! a B岗 cover, more of both at the poor windows.

use super::center::Center;
use super::days::{at, fmt_dt, plus_secs, Days, Sessions};
use super::leaves::Roster;
use super::output::line;
use super::reference::{
    DEPARTURE_RATE, DEPARTURE_REASONS, LONG_DEPARTURE_REASONS, OVERLONG_DEPARTURE_SHARE,
    UNCOVERED_DEPARTURE_SHARE,
};
use super::rng::Rng;

pub(super) fn gen_departures(
    seed: u64,
    days: &Days,
    center: &Center,
    roster: &Roster,
) -> Vec<String> {
    let mut rng = Rng::new(seed, "departures");
    let mut rows = Vec::new();
    for i in (0..days.len()).filter(|&i| days.work[i]) {
        let d = days.dates[i];
        let sess = Sessions::of(d);
        for (w, win) in center.windows.iter().enumerate() {
            for &s in &roster.available[i][w] {
                if !rng.chance(DEPARTURE_RATE * win.quality.sqrt()) {
                    continue;
                }
                let overlong = rng.chance(OVERLONG_DEPARTURE_SHARE * win.quality);
                let minutes = if overlong {
                    rng.between(21, 60)
                } else {
                    rng.between(5, 15)
                };
                let (lo, hi) = if rng.chance(0.55) { sess.am } else { sess.pm };
                let out_secs = rng.between(lo + 600, hi - (minutes + 10) * 60);
                let out = at(d, out_secs);
                let back = plus_secs(out, minutes * 60 + rng.between(0, 59));
                let reason = if overlong {
                    *rng.pick(LONG_DEPARTURE_REASONS)
                } else {
                    *rng.pick(DEPARTURE_REASONS)
                };
                let others: Vec<usize> = roster.available[i][w]
                    .iter()
                    .copied()
                    .filter(|&o| o != s)
                    .collect();
                let cover =
                    if others.is_empty() || rng.chance(UNCOVERED_DEPARTURE_SHARE * win.quality) {
                        None
                    } else {
                        others
                            .iter()
                            .copied()
                            .find(|&o| center.staff[o].spells.iter().any(|sp| sp.role == "B岗"))
                            .or_else(|| Some(*rng.pick(&others)))
                    };
                rows.push(line(&[
                    &center.staff[s].id.to_string(),
                    &fmt_dt(out),
                    &fmt_dt(back),
                    reason,
                    &cover
                        .map(|c| center.staff[c].id.to_string())
                        .unwrap_or_default(),
                ]));
            }
        }
    }
    rows
}
