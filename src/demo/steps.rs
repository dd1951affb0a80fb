//! The steps (环节) of a case: their names, the split of a promised limit
//! over them, and the rows of the sampled cases' steps.

use chrono::NaiveDateTime;

use super::cases::{CaseTables, Intake, Plan};
use super::center::{Center, Item};
use super::days::{at, fmt_dt, plus_secs, Days, Sessions};
use super::leaves::Roster;
use super::output::line;
use super::reference::{
    BOTTLENECK_WEIGHT, PARALLEL_STEP_RATE, PLANTED_BOTTLENECK_WEIGHT, STEP_LIMIT_RATE,
};
use super::rng::Rng;

/// Step names for a step count.
pub(super) fn step_names(n: u32) -> &'static [&'static str] {
    match n {
        0..=2 => &["受理", "决定"],
        3 => &["受理", "审查", "决定"],
        4 => &["受理", "审查", "审批", "决定"],
        5 => &["受理", "审查", "审核", "审批", "决定"],
        _ => &["受理", "审查", "审核", "审批", "决定", "送达"],
    }
}

/// Writes the steps of a case; returns the finish time of the last step
/// when the case is completed within the period.
#[allow(clippy::too_many_arguments)]
pub(super) fn write_steps(
    rng: &mut Rng,
    days: &Days,
    center: &Center,
    roster: &Roster,
    out: &mut CaseTables,
    id: &str,
    c: &Intake,
    day: usize,
    plan: &Plan,
    item: &Item,
    step_count: u32,
    promised: u32,
) -> Option<NaiveDateTime> {
    let names = step_names(step_count);
    let ns = names.len();
    let weights = step_weights(names, item.bottleneck, item.planted);
    let total: f64 = weights.iter().sum();
    let limits = (rng.chance(STEP_LIMIT_RATE))
        .then(|| split_limit(promised, &step_weights(names, item.bottleneck, false)));
    let parallel = ns >= 5 && rng.chance(PARALLEL_STEP_RATE);
    let end = days.end_of_period();

    // Active-day position where each step finishes (cumulative shares).
    let mut acc = 0.0;
    let finish_at: Vec<usize> = weights
        .iter()
        .map(|w| {
            acc += w;
            ((plan.k as f64) * acc / total * (0.85 + 0.3 * rng.unit())).round() as usize
        })
        .collect();
    let mut cursor = c.accepted;
    let mut last_finish = None;
    let mut s = 0;
    while s < ns {
        // 审查 and 审核 side by side (并联) share their start.
        let group = if parallel && s == 1 {
            vec![1, 2]
        } else {
            vec![s]
        };
        let start = if s == 0 {
            c.accepted
        } else {
            plus_secs(cursor, rng.between(60, 600))
        };
        if start > end {
            break;
        }
        let mut group_end = start;
        let mut open = false;
        for &g in &group {
            let pos = if g + 1 == ns {
                plan.k
            } else {
                finish_at[g].min(plan.k)
            };
            let finish =
                step_finish(rng, days, day, g, plan.offset(pos), start).filter(|f| *f <= end);
            let start_day = days.index_of(start.date()).unwrap_or(day);
            let handler = step_handler(rng, center, roster, c, names[g], start_day);
            out.steps.push(line(&[
                id,
                &(g + 1).to_string(),
                names[g],
                &handler
                    .map(|h| center.staff[h].id.to_string())
                    .unwrap_or_default(),
                &fmt_dt(start),
                &finish.map(fmt_dt).unwrap_or_default(),
                &limits
                    .as_ref()
                    .map(|l| l[g].to_string())
                    .unwrap_or_default(),
            ]));
            match finish {
                Some(f) => group_end = group_end.max(f),
                None => open = true,
            }
        }
        if open {
            return None;
        }
        cursor = group_end;
        last_finish = Some(group_end);
        s += group.len();
    }
    last_finish.filter(|_| s == ns)
}

/// When step `g`, started at `start`, finishes: 受理 within minutes, the
/// others on the working day `offset` after acceptance (day `day`), within
/// half an hour when that is the day they start; None past the period.
fn step_finish(
    rng: &mut Rng,
    days: &Days,
    day: usize,
    g: usize,
    offset: usize,
    start: NaiveDateTime,
) -> Option<NaiveDateTime> {
    if g == 0 {
        Some(plus_secs(start, rng.between(120, 900)))
    } else {
        days.after(day, offset).map(|j| {
            if days.dates[j] <= start.date() {
                plus_secs(start, rng.between(120, 1800))
            } else {
                at(days.dates[j], Sessions::of(days.dates[j]).any_time(rng))
            }
        })
    }
}

/// Who handles a step started on day `day`: 受理 the case's own staff
/// member, 审批 and 决定 the window's lead, the others anyone of the window.
fn step_handler(
    rng: &mut Rng,
    center: &Center,
    roster: &Roster,
    c: &Intake,
    step: &str,
    day: usize,
) -> Option<usize> {
    match step {
        "受理" => c.staff.or_else(|| roster.handler(rng, day, c.window)),
        "审批" | "决定" => roster.lead(rng, center, day, c.window),
        _ => roster.handler(rng, day, c.window),
    }
}

/// The weight of each step in a case's time: none for 受理, the bottleneck
/// heavy (very heavy for the planted item), 送达 light.
pub(super) fn step_weights(names: &[&str], bottleneck: usize, planted: bool) -> Vec<f64> {
    let bottleneck = bottleneck.min(names.len() - 1);
    (0..names.len())
        .map(|s| match (s, names[s]) {
            (0, _) => 0.0,
            (s, _) if s == bottleneck && planted => PLANTED_BOTTLENECK_WEIGHT,
            (s, _) if s == bottleneck => BOTTLENECK_WEIGHT,
            (_, "送达") => 0.5,
            _ => 1.0,
        })
        .collect()
}

/// Splits a promised limit over steps by weight (largest remainder).
pub(super) fn split_limit(promised: u32, weights: &[f64]) -> Vec<u32> {
    let total: f64 = weights.iter().sum();
    let raw: Vec<f64> = weights
        .iter()
        .map(|w| f64::from(promised) * w / total)
        .collect();
    let mut limits: Vec<u32> = raw.iter().map(|r| r.floor() as u32).collect();
    let mut left = promised - limits.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..raw.len()).collect();
    order.sort_by(|&a, &b| {
        (raw[b] - raw[b].floor())
            .total_cmp(&(raw[a] - raw[a].floor()))
            .then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        if weights[i] > 0.0 {
            limits[i] += 1;
            left -= 1;
        }
    }
    limits
}
