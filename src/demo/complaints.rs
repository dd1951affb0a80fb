//! The complaints export (投诉: 12345, 效能热线, 信箱, 网上, 现场): every
//! complaint among the incidents, under the same id, followed to its
//! close (accepted, answered, closed with a result; a few late, the last
//! ones still open), and complaints the incidents do not carry: declined
//! ones and ones about a department rather than a window.

use super::center::Center;
use super::days::{fmt_dt, Days};
use super::incidents::ComplaintSeed;
use super::output::line;
use super::rng::Rng;
use chrono::NaiveTime;

const CHANNELS: &[&str] = &["12345", "效能热线", "信箱", "网上", "现场"];
/// Shares accepted late (after the 3 working days) and answered late
/// (after the 5).
const LATE_ACCEPT: f64 = 0.08;
const LATE_ANSWER: f64 = 0.12;
/// Of the substantiated ones, the share only partly so.
const PARTLY: f64 = 0.3;

pub(super) fn gen_complaints(
    seed: u64,
    days: &Days,
    center: &Center,
    seeds: &[ComplaintSeed],
) -> Vec<String> {
    let mut rng = Rng::new(seed, "complaints");
    let mut rows = Vec::new();
    // Received in the morning, handled in the afternoon (a complaint
    // handled on the day it came is handled after it came).
    let received_at = |rng: &mut Rng, day: usize| {
        days.dates[day].and_time(
            NaiveTime::from_hms_opt(rng.between(9, 11), rng.between(0, 59), 0).expect("a time"),
        )
    };
    let at = |rng: &mut Rng, day: usize| {
        days.dates[day].and_time(
            NaiveTime::from_hms_opt(rng.between(13, 16), rng.between(0, 59), 0).expect("a time"),
        )
    };
    for c in seeds {
        let channel = *rng.pick(CHANNELS);
        let received = received_at(&mut rng, c.day);
        let accept_after = match rng.chance(LATE_ACCEPT) {
            true => rng.between(4, 6),
            false => rng.between(0, 2),
        } as usize;
        let accepted = days.after(c.day, accept_after);
        let answered = accepted.and_then(|a| {
            let n = match rng.chance(LATE_ANSWER) {
                true => rng.between(6, 9),
                false => rng.between(1, 5),
            } as usize;
            days.after(a, n)
        });
        let closed = answered.and_then(|a| days.after(a, rng.between(0, 1) as usize));
        let result = match (answered, c.substantiated) {
            (None, _) => "",
            (Some(_), false) => "不属实",
            (Some(_), true) if rng.chance(PARTLY) => "部分属实",
            (Some(_), true) => "属实",
        };
        let dt =
            |d: Option<usize>, rng: &mut Rng| d.map(|d| fmt_dt(at(rng, d))).unwrap_or_default();
        let (accepted_at, replied_at, closed_at) = (
            dt(accepted, &mut rng),
            dt(answered, &mut rng),
            dt(closed, &mut rng),
        );
        rows.push(line(&[
            &c.id,
            &fmt_dt(received),
            channel,
            &center.windows[c.window].id,
            &c.staff
                .map(|s| center.staff[s].id.to_string())
                .unwrap_or_default(),
            "",
            c.category,
            &accepted_at,
            "",
            &replied_at,
            result,
            &closed_at,
            &c.points.to_string(),
        ]));
    }
    // Per month: a complaint outside the center's remit, declined, and one
    // about a department's service (no window).
    for (m, &(_, y, month)) in days.months().iter().enumerate() {
        let day = days.workday_in_month(m, rng.between(1, 28));
        let id = format!("TS{y}{month:02}001");
        let declined = days.after(day, rng.between(0, 3) as usize);
        rows.push(line(&[
            &id,
            &fmt_dt(received_at(&mut rng, day)),
            *rng.pick(CHANNELS),
            "",
            "",
            "",
            "不属于受理范围",
            "",
            &declined
                .map(|d| fmt_dt(at(&mut rng, d)))
                .unwrap_or_default(),
            "",
            "",
            &declined
                .map(|d| fmt_dt(at(&mut rng, d)))
                .unwrap_or_default(),
            "",
        ]));
        let day = days.workday_in_month(m, rng.between(1, 28));
        let window = &center.windows[rng.below(center.windows.len())];
        let department = center.depts[window.dept].name;
        let accepted = days.after(day, 1);
        let answered = accepted.and_then(|a| days.after(a, rng.between(2, 7) as usize));
        rows.push(line(&[
            &format!("TS{y}{month:02}002"),
            &fmt_dt(received_at(&mut rng, day)),
            "12345",
            "",
            "",
            department,
            "办事指南不清",
            &accepted
                .map(|d| fmt_dt(at(&mut rng, d)))
                .unwrap_or_default(),
            "",
            &answered
                .map(|d| fmt_dt(at(&mut rng, d)))
                .unwrap_or_default(),
            if answered.is_some() { "不属实" } else { "" },
            &answered
                .map(|d| fmt_dt(at(&mut rng, d)))
                .unwrap_or_default(),
            "",
        ]));
    }
    rows
}
