//! The fingerprint punches (考勤), as a ZKTeco attlog: late-comers (the
//! habitual ones more), early leaves, forgotten and doubled punches.

use chrono::NaiveDateTime;

use super::center::Center;
use super::days::{at, fmt_dt, Days, Sessions};
use super::leaves::{Roster, ABSENT, LEAVE_AM, LEAVE_PM};
use super::reference::{
    AFTERNOON_LATE_RATE, DUPLICATE_PUNCH_RATE, EARLY_LEAVE_RATE, LATE_RATE, MISSING_PUNCH_RATE,
    VERY_LATE_SHARE,
};
use super::rng::Rng;

/// ZKTeco attlog lines: PIN padded to 9, time, device, status (0 in, 1
/// out), verify mode 1 (fingerprint), work code 0; in time order.
pub(super) fn gen_punches(
    seed: u64,
    days: &Days,
    center: &Center,
    roster: &Roster,
    duty: &[(usize, usize, usize)],
) -> Vec<String> {
    let mut rng = Rng::new(seed, "punches");
    let mut punches: Vec<(NaiveDateTime, u32, u8, u8)> = Vec::new();
    for i in 0..days.len() {
        let d = days.dates[i];
        let sess = Sessions::of(d);
        for (s, p) in center.staff.iter().enumerate() {
            let Some(w) = p.window_on(d) else { continue };
            let flags = roster.flags[s][i];
            let on_duty = days.appointment[i] && duty.iter().any(|t| t.0 == i && t.2 == s);
            if !(days.work[i] || on_duty) || flags & (ABSENT) != 0 {
                continue;
            }
            let late = LATE_RATE * p.lateness * center.windows[w].quality.sqrt();
            let mut day_punches: Vec<(u32, u8)> = Vec::new();
            if flags & LEAVE_AM == 0 {
                let morning_in = if rng.chance(late) {
                    let minutes = if rng.chance(VERY_LATE_SHARE) {
                        rng.between(30, 70)
                    } else {
                        rng.between(1, 15)
                    };
                    sess.am.0 + minutes * 60 + rng.between(0, 59)
                } else {
                    sess.am.0 - rng.between(1, 600)
                };
                day_punches.push((morning_in, 0));
                day_punches.push((out_time(&mut rng, sess.am.1), 1));
            }
            if days.work[i] && flags & LEAVE_PM == 0 {
                let afternoon_in = if rng.chance(AFTERNOON_LATE_RATE * p.lateness) {
                    sess.pm.0 + rng.between(60, 1200)
                } else {
                    sess.pm.0 - rng.between(1, 600)
                };
                day_punches.push((afternoon_in, 0));
                day_punches.push((out_time(&mut rng, sess.pm.1), 1));
            }
            for (secs, status) in day_punches {
                if rng.chance(MISSING_PUNCH_RATE) {
                    continue;
                }
                let device = if rng.chance(0.9) {
                    p.device
                } else {
                    3 - p.device
                };
                punches.push((at(d, secs), p.id, device, status));
                if rng.chance(DUPLICATE_PUNCH_RATE) {
                    punches.push((at(d, secs + rng.between(3, 50)), p.id, device, status));
                }
            }
        }
    }
    punches.sort_unstable();
    punches
        .into_iter()
        .map(|(t, pin, device, status)| attlog_line(&pin.to_string(), &fmt_dt(t), device, status))
        .collect()
}

fn out_time(rng: &mut Rng, session_end: u32) -> u32 {
    if rng.chance(EARLY_LEAVE_RATE) {
        session_end - rng.between(5 * 60, 40 * 60)
    } else {
        session_end + rng.between(1, 600)
    }
}

pub(super) fn attlog_line(pin: &str, time: &str, device: u8, status: u8) -> String {
    format!("{pin:>9}\t{time}\t{device}\t{status}\t1\t0")
}
