//! The supervision incidents (督查): patrol and covert findings,
//! complaints, commendations and banners.

use super::center::Center;
use super::days::{fmt_date, Days};
use super::leaves::Roster;
use super::output::line;
use super::reference::{BRIBERY, COMPLAINTS, COMPLAINT_SUBSTANTIATED, FAVOURITISM, FINDINGS};
use super::rng::Rng;

/// Supervision incidents: patrol and covert findings, complaints (some not
/// substantiated), commendations and banners; findings lean to the poor
/// windows, commendations to the good ones.
pub(super) fn gen_incidents(
    seed: u64,
    days: &Days,
    center: &Center,
    roster: &Roster,
    halls: usize,
) -> (Vec<String>, Vec<ComplaintSeed>) {
    let halls = halls as u32;
    let mut rng = Rng::new(seed, "incidents");
    let bad_weights: Vec<f64> = center.windows.iter().map(|w| w.quality).collect();
    let good_weights: Vec<f64> = center.windows.iter().map(|w| 1.0 / w.quality).collect();
    let mut rows = Vec::new();
    let mut complaints = Vec::new();
    let months = days.months();
    // The rare serious complaints: favouritism twice (once substantiated),
    // a bribery complaint once (not substantiated).
    let favouritism_months = [months.len() / 4, months.len() * 3 / 5];
    let bribery_month = months.len() / 2;
    for (m, &(_, y, month)) in months.iter().enumerate() {
        let mut events: Vec<Incident> = Vec::new();
        let mut add = |rng: &mut Rng,
                       source: &'static str,
                       (category, points, named): (&'static str, i32, bool),
                       substantiated: bool| {
            let weights = if points > 0 {
                &good_weights
            } else {
                &bad_weights
            };
            let day = days.workday_in_month(m, rng.between(1, 28));
            let window = rng.weighted(weights);
            let staff = if named {
                roster.handler(rng, day, window)
            } else {
                None
            };
            events.push(Incident {
                day,
                source,
                window,
                staff,
                category,
                substantiated,
                points,
            });
        };
        for _ in 0..rng.between(4 * halls, 8 * halls) {
            let finding = *rng.pick(FINDINGS);
            add(&mut rng, "巡查", finding, true);
        }
        for _ in 0..rng.between(halls, 3 * halls) {
            let finding = *rng.pick(FINDINGS);
            add(&mut rng, "暗访", finding, true);
        }
        for _ in 0..rng.between(2 * halls, 4 * halls) {
            let complaint = *rng.pick(COMPLAINTS);
            let substantiated = rng.chance(COMPLAINT_SUBSTANTIATED);
            add(&mut rng, "投诉", complaint, substantiated);
        }
        if favouritism_months.contains(&m) {
            let substantiated = m == favouritism_months[0];
            add(&mut rng, "投诉", (FAVOURITISM, -10, true), substantiated);
        }
        if m == bribery_month {
            add(&mut rng, "投诉", (BRIBERY, -20, true), false);
        }
        for _ in 0..rng.between(2 * halls, 4 * halls) {
            let praise = if rng.chance(0.8) {
                "服务热情"
            } else {
                "表扬信"
            };
            add(&mut rng, "表扬", (praise, 2, true), true);
        }
        if rng.chance(0.5) {
            add(&mut rng, "表扬", ("拾金不昧", 3, true), true);
        }
        for _ in 0..rng.between(0, 2 * halls) {
            add(&mut rng, "锦旗", ("锦旗", 3, false), true);
        }
        events.sort_by_key(|e| (e.day, e.window));
        for (k, e) in events.into_iter().enumerate() {
            let id = format!("DC{y}{month:02}{:03}", k + 1);
            if e.source == "投诉" {
                complaints.push(ComplaintSeed {
                    id: id.clone(),
                    day: e.day,
                    window: e.window,
                    staff: e.staff,
                    category: e.category,
                    substantiated: e.substantiated,
                    points: e.points,
                });
            }
            rows.push(line(&[
                &id,
                &fmt_date(days.dates[e.day]),
                e.source,
                &center.windows[e.window].id,
                &e.staff
                    .map(|s| center.staff[s].id.to_string())
                    .unwrap_or_default(),
                e.category,
                if e.substantiated { "true" } else { "false" },
                &e.points.to_string(),
            ]));
        }
    }
    (rows, complaints)
}

/// A complaint among the incidents (source 投诉), which the complaints
/// export (`complaints`) also carries, under the same id.
pub(super) struct ComplaintSeed {
    pub(super) id: String,
    /// The day the incident row is dated: the complaint's receipt.
    pub(super) day: usize,
    pub(super) window: usize,
    pub(super) staff: Option<usize>,
    pub(super) category: &'static str,
    pub(super) substantiated: bool,
    pub(super) points: i32,
}

/// One supervision incident, before it is numbered.
struct Incident {
    day: usize,
    source: &'static str,
    window: usize,
    staff: Option<usize>,
    category: &'static str,
    substantiated: bool,
    points: i32,
}
