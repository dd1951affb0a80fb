//! The cases (办件): each day's intake, how each case runs (elapsed days,
//! overdue ones, clock stops), its completion, and the suspension rows;
//! the steps of a sample are written by `steps`.

use chrono::{NaiveDate, NaiveDateTime};

use super::center::{Center, Item, Terms};
use super::days::{at, fmt_date, fmt_dt, plus_secs, Days, Sessions};
use super::leaves::Roster;
use super::output::line;
use super::reference::{
    APPOINTMENT_CHANNEL, CASE_LIMIT_FILL_RATE, CASE_LIMIT_OWN_SHARE, CHANNELS, DAILY_NOISE,
    INSTANT_LATE_RATE, OVERDUE_RATE, REFUSAL_RATE, SATURDAY_CASES, SELF_SERVICE_NO_STAFF,
    SPECIAL_PROCEDURE_RATE, SPECIAL_REASONS, STALLED_CASES, STALL_CHANCE, STEP_SAMPLE_RATE,
    SUPPLEMENT_RATE, SUPPLEMENT_REASONS,
};
use super::rng::{Picker, Rng};
use super::services::{Served, Services};
use super::steps::write_steps;
use super::DemoSpec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SuspKind {
    Special,
    Supplement,
}

impl SuspKind {
    fn label(self) -> &'static str {
        match self {
            SuspKind::Special => "特别程序",
            SuspKind::Supplement => "补正",
        }
    }
}

/// A clock stop, in working-day offsets from acceptance.
struct Block {
    kind: SuspKind,
    /// Active working days elapsed before it starts, plus one.
    at: usize,
    len: usize,
}

/// How a case runs: `k` active working days to completion (its elapsed
/// days), with clock stops along the way.
pub(super) struct Plan {
    pub(super) k: usize,
    blocks: Vec<Block>,
}

impl Plan {
    /// Working-day offset from acceptance of the moment `a` active days
    /// have elapsed (after the stops that start by then).
    pub(super) fn offset(&self, a: usize) -> usize {
        a + self
            .blocks
            .iter()
            .filter(|b| b.at <= a)
            .map(|b| b.len)
            .sum::<usize>()
    }

    /// (start, end) offsets of each stop.
    fn block_offsets(&self) -> Vec<(usize, usize)> {
        let mut before = 0;
        self.blocks
            .iter()
            .map(|b| {
                let start = b.at + before;
                before += b.len;
                (start, start + b.len - 1)
            })
            .collect()
    }
}

/// A generated case, kept for the tables that refer to it.
pub(super) struct Case {
    pub(super) id: String,
    pub(super) window: usize,
    pub(super) staff: Option<usize>,
    pub(super) channel: &'static str,
    pub(super) completed: Option<NaiveDateTime>,
    pub(super) overdue: bool,
    /// The day (index) an overdue case turns red: the working day after
    /// its deadline (extended by the stops that began by then).
    pub(super) red_day: Option<usize>,
}

pub(super) struct CaseTables {
    pub(super) cases: Vec<Case>,
    pub(super) rows: Vec<(NaiveDate, String)>,
    pub(super) suspensions: Vec<String>,
    pub(super) steps: Vec<String>,
}

/// One case to create: what the day loop decided.
pub(super) struct Intake {
    item: usize,
    pub(super) window: usize,
    pub(super) staff: Option<usize>,
    channel: &'static str,
    pub(super) accepted: NaiveDateTime,
}

/// The cases of the period, day by day, with their suspensions and steps.
pub(super) fn gen_cases(
    spec: &DemoSpec,
    days: &Days,
    center: &Center,
    roster: &Roster,
    duty: &[(usize, usize, usize)],
) -> CaseTables {
    let mut rng = Rng::new(spec.seed, "cases");
    let mut services = Services::new(spec.seed);
    let halls = spec.halls();
    // Wide enough for the busiest day (a quarter above the mean, times the
    // seasonal and weekday peaks).
    let width = if spec.cases_per_year > 1_500_000 {
        5
    } else {
        4
    };
    let intakes = Intakes::new(spec, days, center, roster);
    let mut out = CaseTables {
        cases: Vec::new(),
        rows: Vec::new(),
        suspensions: Vec::new(),
        steps: Vec::new(),
    };
    let mut stalled = (0, 0);
    let stall_until = days.fraction(0.75);

    for i in 0..days.len() {
        let d = days.dates[i];
        for (seq, c) in intakes.of_day(&mut rng, i, duty).into_iter().enumerate() {
            // 办件编号: date and a fixed-width number of the day.
            let id = format!("BJ{}{:0width$}", d.format("%Y%m%d"), seq + 1);
            let terms = center
                .terms_on(c.item, d)
                .expect("items drawn are in force");
            let quality = center.windows[c.window].quality;
            let stall = i < stall_until
                && i > 30
                && if terms.promised == 0 {
                    stalled.1 < STALLED_CASES.1 * halls && rng.chance(STALL_CHANCE / 4.0)
                } else {
                    stalled.0 < STALLED_CASES.0 * halls && rng.chance(STALL_CHANCE)
                };
            if stall {
                if terms.promised == 0 {
                    stalled.1 += 1;
                } else {
                    stalled.0 += 1;
                }
            }
            make_case(
                &mut rng,
                &mut services,
                days,
                center,
                roster,
                &mut out,
                id,
                c,
                i,
                terms,
                quality,
                stall,
            );
        }
    }
    out
}

/// What the day loop draws its intake from: the items by volume, before
/// and after the second catalog, and the daily mean of the cases.
struct Intakes<'a> {
    days: &'a Days,
    center: &'a Center,
    roster: &'a Roster,
    /// Mean cases of a working day of volume factor 1.
    base: f64,
    before_v2: Picker,
    after_v2: Picker,
    channel_weights: Vec<f64>,
}

impl<'a> Intakes<'a> {
    fn new(spec: &DemoSpec, days: &'a Days, center: &'a Center, roster: &'a Roster) -> Self {
        let months = days.months().len() as f64;
        let base = f64::from(spec.cases_per_year) * months / 12.0 / days.factor.iter().sum::<f64>();
        let before_v2 = Picker::new(
            center
                .items
                .iter()
                .enumerate()
                .filter(|(_, it)| it.v1.is_some())
                .map(|(i, it)| (i, it.weight)),
        );
        let after_v2 = Picker::new(
            center
                .items
                .iter()
                .enumerate()
                .map(|(i, it)| (i, it.weight)),
        );
        Intakes {
            days,
            center,
            roster,
            base,
            before_v2,
            after_v2,
            channel_weights: CHANNELS.iter().map(|c| c.1).collect(),
        }
    }

    /// The cases accepted on day `i`, in acceptance order: the walk-in and
    /// online ones of a working day, then the appointments of the windows
    /// on Saturday duty.
    fn of_day(&self, rng: &mut Rng, i: usize, duty: &[(usize, usize, usize)]) -> Vec<Intake> {
        let sess = Sessions::of(self.days.dates[i]);
        let mut intake: Vec<Intake> = Vec::new();
        if self.days.work[i] {
            self.walk_ins(rng, i, &sess, &mut intake);
        }
        for &(_, w, s) in duty.iter().filter(|t| t.0 == i) {
            self.appointments(rng, i, &sess, w, s, &mut intake);
        }
        intake.sort_by_key(|c| c.accepted);
        intake
    }

    /// A working day's cases: items by volume, a channel, the staff member
    /// who accepts them (none for some self-service ones), a busy-hour time.
    fn walk_ins(&self, rng: &mut Rng, i: usize, sess: &Sessions, intake: &mut Vec<Intake>) {
        let (days, center) = (self.days, self.center);
        let d = days.dates[i];
        let picker = if d >= center.catalog_v2 {
            &self.after_v2
        } else {
            &self.before_v2
        };
        for _ in 0..rng.count_around(self.base * days.factor[i], DAILY_NOISE) {
            let item = picker.draw(rng);
            let window = center.items[item].window;
            let channel = CHANNELS[rng.weighted(&self.channel_weights)].0;
            let staff = if channel == "自助" && rng.chance(SELF_SERVICE_NO_STAFF) {
                None
            } else {
                self.roster.handler(rng, i, window)
            };
            intake.push(Intake {
                item,
                window,
                staff,
                channel,
                accepted: at(d, sess.busy_time(rng)),
            });
        }
    }

    /// The Saturday appointments of window `w`, all accepted by `s` in the
    /// morning.
    fn appointments(
        &self,
        rng: &mut Rng,
        i: usize,
        sess: &Sessions,
        w: usize,
        s: usize,
        intake: &mut Vec<Intake>,
    ) {
        let center = self.center;
        let d = self.days.dates[i];
        let own = Picker::new(
            center
                .items
                .iter()
                .enumerate()
                .filter(|(k, it)| it.window == w && center.terms_on(*k, d).is_some())
                .map(|(k, it)| (k, it.weight)),
        );
        if own.is_empty() {
            return;
        }
        for _ in 0..rng.between(SATURDAY_CASES.0, SATURDAY_CASES.1) {
            intake.push(Intake {
                item: own.draw(rng),
                window: w,
                staff: Some(s),
                channel: APPOINTMENT_CHANNEL,
                accepted: at(d, rng.between(sess.am.0, sess.am.1 - 900)),
            });
        }
    }
}

/// Creates one case with its suspensions and (for a sample) its steps.
#[allow(clippy::too_many_arguments)]
fn make_case(
    rng: &mut Rng,
    services: &mut Services,
    days: &Days,
    center: &Center,
    roster: &Roster,
    out: &mut CaseTables,
    id: String,
    c: Intake,
    day: usize,
    terms: Terms,
    quality: f64,
    stall: bool,
) {
    let item = &center.items[c.item];
    let own_limits = own_limits(rng, item, terms);
    let promised = own_limits.map_or(terms.promised, |l| l.0);
    let plan = if stall {
        Plan {
            k: days.len() + promised as usize,
            blocks: Vec::new(),
        }
    } else {
        plan_case(rng, promised, quality)
    };
    let overdue = plan.k > promised as usize;
    let red_day = match overdue {
        true => days.after(day, plan.offset(promised as usize) + 1),
        false => None,
    };
    let done_offset = plan.offset(plan.k);
    let done_day = days.after(day, done_offset);

    write_suspensions(rng, days, &mut out.suspensions, &id, day, &plan);

    let mut completed = done_day.map(|j| completion_time(rng, days, c.accepted, j, promised == 0));
    let with_steps = promised > 0 && rng.chance(STEP_SAMPLE_RATE);
    if with_steps {
        let last = write_steps(
            rng,
            days,
            center,
            roster,
            out,
            &id,
            &c,
            day,
            &plan,
            item,
            terms.steps,
            promised,
        );
        if completed.is_some() {
            completed = last;
        }
    }

    let result = match completed {
        None => "",
        Some(_) if !item.licensing => "办结",
        Some(_) if rng.chance(REFUSAL_RATE) => "不予许可",
        Some(_) => "准予许可",
    };
    let served = services.of(&Served {
        channel: c.channel,
        accepted: c.accepted,
        completed,
        promised,
        with_steps,
        workday: days.work[day],
        result,
    });
    let staff_id = c
        .staff
        .map(|s| center.staff[s].id.to_string())
        .unwrap_or_default();
    let (own_promised, own_legal) = match own_limits {
        Some((p, l)) => (p.to_string(), l.map(|l| l.to_string()).unwrap_or_default()),
        None => (String::new(), String::new()),
    };
    out.rows.push((
        days.dates[day],
        line(&[
            &id,
            &item.code,
            &center.windows[c.window].id,
            &staff_id,
            c.channel,
            &fmt_dt(served.accepted),
            &completed.map(fmt_dt).unwrap_or_default(),
            &served.result,
            &own_promised,
            &own_legal,
            &served.mode,
            &served.reason,
        ]),
    ));
    out.cases.push(Case {
        id,
        window: c.window,
        staff: c.staff,
        channel: c.channel,
        completed,
        overdue,
        red_day,
    });
}

/// Case-specific limits, on a few rows: (promised, legal), the promised
/// one sometimes longer than the catalog's (never past the legal one).
fn own_limits(rng: &mut Rng, item: &Item, terms: Terms) -> Option<(u32, Option<u32>)> {
    rng.chance(CASE_LIMIT_FILL_RATE).then(|| {
        let promised = if terms.promised > 0 && rng.chance(CASE_LIMIT_OWN_SHARE) {
            let p = terms.promised + rng.between(1, 5);
            item.legal.map_or(p, |l| p.min(l))
        } else {
            terms.promised
        };
        (promised, item.legal)
    })
}

/// The suspension rows of a case accepted on day `day`: its plan's clock
/// stops that start within the period (open if they end after it).
fn write_suspensions(
    rng: &mut Rng,
    days: &Days,
    rows: &mut Vec<String>,
    id: &str,
    day: usize,
    plan: &Plan,
) {
    let suspensions: Vec<(SuspKind, usize, Option<usize>)> = plan
        .blocks
        .iter()
        .zip(plan.block_offsets())
        .filter_map(|(b, (s, e))| Some((b.kind, days.after(day, s)?, days.after(day, e))))
        .collect();
    for (kind, s, e) in &suspensions {
        let reason = match kind {
            SuspKind::Special => *rng.pick(SPECIAL_REASONS),
            SuspKind::Supplement => *rng.pick(SUPPLEMENT_REASONS),
        };
        rows.push(line(&[
            id,
            kind.label(),
            &fmt_date(days.dates[*s]),
            &e.map(|e| fmt_date(days.dates[e])).unwrap_or_default(),
            reason,
        ]));
    }
}

/// Elapsed working days and clock stops of a case with limit `n`: mostly
/// early, sometimes on the last day, a few overdue (more at poor windows).
fn plan_case(rng: &mut Rng, n: u32, quality: f64) -> Plan {
    let n = n as usize;
    if n == 0 {
        let k = if rng.chance(INSTANT_LATE_RATE * quality) {
            1 + rng.geometric(0.7, 2) as usize
        } else {
            0
        };
        return Plan {
            k,
            blocks: Vec::new(),
        };
    }
    let mut k = if rng.chance(OVERDUE_RATE * quality) {
        n + 1 + rng.geometric(0.5, 5) as usize
    } else {
        let u = rng.unit();
        (((n + 1) as f64) * u * u.sqrt()) as usize
    }
    .min(n + 6);
    // A stopped clock needs a later completion day: at least one elapsed day.
    let mut blocks = Vec::new();
    if rng.chance(SUPPLEMENT_RATE) {
        k = k.max(1);
        let at = rng.between(1, k.min(2) as u32) as usize;
        blocks.push(Block {
            kind: SuspKind::Supplement,
            at,
            len: rng.between(1, 5) as usize,
        });
    }
    if rng.chance(SPECIAL_PROCEDURE_RATE) {
        k = k.max(1);
        let at = rng.between(1, k as u32) as usize;
        blocks.push(Block {
            kind: SuspKind::Special,
            at,
            len: rng.between(3, 10) as usize,
        });
    }
    blocks.sort_by_key(|b| b.at);
    Plan { k, blocks }
}

/// Completion time on day `j` of a case accepted at `accepted`.
fn completion_time(
    rng: &mut Rng,
    days: &Days,
    accepted: NaiveDateTime,
    j: usize,
    instant: bool,
) -> NaiveDateTime {
    let d = days.dates[j];
    if d == accepted.date() {
        let minutes = if instant {
            rng.triangular(3.0, 10.0, 45.0)
        } else {
            rng.triangular(10.0, 30.0, 120.0)
        };
        plus_secs(accepted, (minutes * 60.0) as u32)
    } else {
        at(d, Sessions::of(d).any_time(rng))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, Timelike, Weekday};

    use super::super::output::header;
    use super::super::testing::{data_lines, generate_into};
    use super::*;
    use crate::calendar::Calendar;

    #[test]
    fn cases_fall_on_working_days_or_saturday_appointments() {
        let cal = Calendar::official();
        let spec = DemoSpec::default();
        let (_dir, files) = generate_into(&spec, "workdays");
        let mut saturdays = 0;
        for l in data_lines(&files, "cases-") {
            let fields: Vec<&str> = l.split(',').collect();
            if fields.len() != header("cases").len() {
                continue; // the planted ragged row
            }
            let Ok(accepted) = NaiveDateTime::parse_from_str(fields[5], "%Y-%m-%d %H:%M:%S") else {
                continue; // the planted bad date
            };
            let d = accepted.date();
            if cal.is_workday(d).unwrap() {
                continue;
            }
            assert_eq!(d.weekday(), Weekday::Sat, "{l}");
            assert_eq!(fields[4], APPOINTMENT_CHANNEL, "{l}");
            assert!(accepted.hour() < 12, "{l}");
            saturdays += 1;
        }
        assert!(saturdays > 0, "no Saturday appointment cases");
    }
}
