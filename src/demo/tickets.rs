//! The queue tickets (叫号): each department's queue simulated day by day,
//! with no-shows, priority tickets and the planted queue jumpers. The hours
//! are worth reading: a morning peak from 9:00 to 10:30 and one after the
//! lunch break (drawn from a stream of their own), Mondays heavier (the
//! days' volumes), and one service, 不动产, much busier than the others.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::center::Center;
use super::days::{at, fmt_dt, hm, Days, Sessions};
use super::leaves::Roster;
use super::output::line;
use super::reference::{
    BUSIEST_QUEUE, BUSIEST_QUEUE_FACTOR, BUSIEST_QUEUE_UNDERPLANNED, COUNTER_UTILISATION,
    MINUTES_PER_TICKET, NO_SHOW_RATE, PRIORITY_RATE, QUEUE_JUMP_RATE, TICKET_MORNING_SHARE,
    TICKET_PEAK_SHARE,
};
use super::rng::Rng;
use super::DemoSpec;

struct Ticket {
    issued: u32,
    priority: bool,
    called: Option<u32>,
    finished: Option<u32>,
    server: usize,
}

pub(super) fn gen_tickets(
    spec: &DemoSpec,
    days: &Days,
    center: &Center,
    roster: &Roster,
) -> Vec<(NaiveDate, String)> {
    let mut rng = Rng::new(spec.seed, "tickets");
    let mut hours = Rng::new(spec.seed, "ticket hours");
    let shares = queue_shares(center);
    let months = days.months().len() as f64;
    let base = f64::from(spec.tickets_per_year) * months / 12.0 / days.factor.iter().sum::<f64>();
    // Counters are planned for an average day of the month: Mondays and the
    // days after a holiday queue longer.
    let mut month_load: BTreeMap<(i32, u32), (f64, f64)> = BTreeMap::new();
    for &i in &days.workdays {
        let e = month_load
            .entry((days.dates[i].year(), days.dates[i].month()))
            .or_default();
        e.0 += days.factor[i];
        e.1 += 1.0;
    }
    let mut rows = Vec::new();
    for i in (0..days.len()).filter(|&i| days.work[i]) {
        let d = days.dates[i];
        let sess = Sessions::of(d);
        for (dept, &(share, planned_share)) in center.depts.iter().zip(&shares) {
            let n = rng.count_around(base * days.factor[i] * share, 0.15) as usize;
            let (load, workdays) = month_load[&(d.year(), d.month())];
            let planned = base * load / workdays * planned_share;
            let mut servers: Vec<(usize, usize)> = dept
                .windows
                .iter()
                .flat_map(|&w| roster.available[i][w].iter().map(move |&s| (w, s)))
                .collect();
            if n == 0 || servers.is_empty() {
                continue;
            }
            rng.shuffle(&mut servers);
            let open_minutes = f64::from(sess.am.1 - sess.am.0 + sess.pm.1 - sess.pm.0) / 60.0;
            let counters = ((planned * MINUTES_PER_TICKET / (open_minutes * COUNTER_UTILISATION))
                .ceil() as usize)
                .clamp(1, servers.len());
            servers.truncate(counters);
            let jumpers: Vec<bool> = servers
                .iter()
                .map(|&(w, s)| center.windows[w].jumper == Some(s))
                .collect();
            let tickets = simulate_queue(&mut rng, &mut hours, &sess, n, &jumpers);
            for (k, t) in tickets.iter().enumerate() {
                let (w, s) = servers[t.server];
                let status = if t.finished.is_some() {
                    "完成"
                } else {
                    "过号"
                };
                rows.push((
                    d,
                    line(&[
                        &format!("{}{}{:03}", d.format("%Y%m%d"), &dept.queue[..1], k + 1),
                        &dept.queue,
                        &fmt_dt(at(d, t.issued)),
                        &t.called.map(|c| fmt_dt(at(d, c))).unwrap_or_default(),
                        &t.finished.map(|f| fmt_dt(at(d, f))).unwrap_or_default(),
                        &center.windows[w].id,
                        &center.staff[s].id.to_string(),
                        if t.priority { "true" } else { "false" },
                        status,
                    ]),
                ));
            }
        }
    }
    rows
}

/// Each department's share of the tickets and the share its counters are
/// planned for: its share of the cases' work with a floor (so that small
/// departments still see a ticket or two), the busiest service's
/// multiplied, all summing to 1.
fn queue_shares(center: &Center) -> Vec<(f64, f64)> {
    let weights: Vec<f64> = center
        .depts
        .iter()
        .map(|d| {
            let w = d.share * 0.9 + 0.1 / center.depts.len() as f64;
            match d.name == BUSIEST_QUEUE {
                true => w * BUSIEST_QUEUE_FACTOR,
                false => w,
            }
        })
        .collect();
    let total: f64 = weights.iter().sum();
    center
        .depts
        .iter()
        .zip(&weights)
        .map(|(d, w)| {
            let share = w / total;
            match d.name == BUSIEST_QUEUE {
                true => (share, share / BUSIEST_QUEUE_UNDERPLANNED),
                false => (share, share),
            }
        })
        .collect()
}

/// The issue time of a ticket (seconds after midnight): in the morning,
/// mostly in the peak from 9:00 to 10:30; in the afternoon, mostly in the
/// hour and a half after the lunch break; the rest evenly over the session
/// until 15 minutes before it closes.
fn issue_time(hours: &mut Rng, sess: &Sessions) -> u32 {
    const STOP_ISSUING: u32 = 15 * 60;
    let morning = hours.chance(TICKET_MORNING_SHARE);
    let (open, close) = if morning { sess.am } else { sess.pm };
    let last = close - STOP_ISSUING;
    if !hours.chance(TICKET_PEAK_SHARE) {
        return hours.between(open, last);
    }
    let (lo, mode, hi) = if morning {
        (hm(8, 45), hm(9, 30), hm(10, 45))
    } else {
        (open, open + hm(0, 30), open + hm(2, 0))
    };
    (hours.triangular(f64::from(lo), f64::from(mode), f64::from(hi)) as u32).clamp(open, last)
}

/// One queue on one day: `n` tickets issued through the sessions (see
/// [`issue_time`]), served first come first served by the counters,
/// priority tickets first; a jumping counter now and then calls a ticket
/// further back. Times in seconds after midnight.
fn simulate_queue(
    rng: &mut Rng,
    hours: &mut Rng,
    sess: &Sessions,
    n: usize,
    jumpers: &[bool],
) -> Vec<Ticket> {
    let mut issued: Vec<u32> = (0..n).map(|_| issue_time(hours, sess)).collect();
    issued.sort_unstable();
    let mut tickets: Vec<Ticket> = issued
        .into_iter()
        .map(|issued| Ticket {
            issued,
            priority: rng.chance(PRIORITY_RATE),
            called: None,
            finished: None,
            server: 0,
        })
        .collect();
    let mut free = vec![sess.am.0; jumpers.len()];
    let mut last_call = 0;
    for _ in 0..n {
        let s = (0..free.len())
            .min_by_key(|&s| (free[s], s))
            .expect("at least one counter");
        let head = tickets
            .iter()
            .position(|t| t.called.is_none())
            .expect("a ticket is left");
        let now = (free[s] + rng.between(20, 120))
            .max(tickets[head].issued + rng.between(90, 300))
            .max(last_call + rng.between(1, 20));
        let waiting: Vec<usize> = (head..n)
            .take_while(|&k| tickets[k].issued <= now)
            .filter(|&k| tickets[k].called.is_none())
            .collect();
        let chosen = if let Some(&p) = waiting.iter().find(|&&k| tickets[k].priority) {
            p
        } else if jumpers[s] && waiting.len() >= 2 && rng.chance(QUEUE_JUMP_RATE) {
            waiting[1 + rng.below((waiting.len() - 1).min(3))]
        } else {
            waiting[0]
        };
        last_call = now;
        let t = &mut tickets[chosen];
        t.called = Some(now);
        t.server = s;
        if rng.chance(NO_SHOW_RATE) {
            free[s] = now + rng.between(60, 150);
        } else {
            let service = (rng.triangular(3.0, 6.0, 20.0) * 60.0) as u32;
            t.finished = Some(now + service);
            free[s] = now + service + rng.between(30, 180);
        }
    }
    tickets
}
