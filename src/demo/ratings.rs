//! The ratings (好差评) of completed cases, with the rectification of the
//! bad ones, and the quarterly 民主评议 questionnaires.

use chrono::{Duration, NaiveDate, NaiveDateTime, Timelike};

use super::cases::Case;
use super::center::Center;
use super::days::{at, fmt_dt, hm, plus_secs, Days};
use super::output::line;
use super::reference::{
    BAD_COMMENTS, BAD_RATING_RATE, GOOD_COMMENTS, LATE_RECTIFIED, LEVEL3_RATE, LEVEL4_RATE,
    MEDIUM_COMMENTS, NEVER_RECTIFIED, QUESTIONNAIRES_PER_QUARTER, QUESTIONNAIRE_COMMENTS,
    QUESTIONNAIRE_RESPONDENTS, RATING_COVERAGE,
};
use super::rng::Rng;

pub(super) fn gen_ratings(
    seed: u64,
    days: &Days,
    center: &Center,
    cases: &[Case],
) -> Vec<(NaiveDate, String)> {
    let mut rng = Rng::new(seed, "ratings");
    // The closed loop of the bad ones draws from its own stream, so the
    // ratings themselves are those of a run without it.
    let mut loop_rng = Rng::new(seed, "rating_loop");
    let end = days.end_of_period();
    let mut ratings = Vec::new();
    for c in cases {
        let Some(done) = c.completed else { continue };
        if !rng.chance(RATING_COVERAGE) {
            continue;
        }
        let (channel, delay) = if c.channel == "网上" {
            (
                *rng.pick(&["政务服务网", "政务APP"]),
                rng.between(60, 72 * 3600),
            )
        } else {
            match rng.weighted(&[0.6, 0.3, 0.1]) {
                0 => ("评价器", rng.between(5, 180)),
                1 => ("短信", rng.between(1800, 30 * 3600)),
                _ => ("二维码", rng.between(30, 3600)),
            }
        };
        let rated = waking_hours(&mut rng, plus_secs(done, delay));
        if rated > end {
            continue;
        }
        let quality = center.windows[c.window].quality;
        let bad = BAD_RATING_RATE * quality * if c.overdue { 8.0 } else { 1.0 };
        let level = match rng.weighted(&[
            bad,
            LEVEL3_RATE,
            LEVEL4_RATE,
            1.0 - bad - LEVEL3_RATE - LEVEL4_RATE,
        ]) {
            0 => rng.between(1, 2),
            1 => 3,
            2 => 4,
            _ => 5,
        };
        let comment = match level {
            1 | 2 => *rng.pick(BAD_COMMENTS),
            3 if rng.chance(0.5) => *rng.pick(MEDIUM_COMMENTS),
            4 | 5 if rng.chance(0.08) => *rng.pick(GOOD_COMMENTS),
            _ => "",
        };
        let rectified = if level <= 2 {
            rectification(&mut rng, days, rated)
        } else {
            None
        };
        let closed_loop = match level <= 2 {
            true => bad_rating_loop(&mut loop_rng, days, rated, rectified, end),
            false => ClosedLoop::default(),
        };
        ratings.push(RatingRow {
            case_id: c.id.clone(),
            window: c.window,
            staff: c.staff,
            rated,
            level,
            channel,
            comment,
            rectified,
            closed_loop,
        });
    }
    ratings.sort_by(|a, b| (a.rated, &a.case_id).cmp(&(b.rated, &b.case_id)));
    numbered_rows(center, ratings)
}

/// The rows of the ratings, in time order, numbered by day (PJ20251009…).
fn numbered_rows(center: &Center, ratings: Vec<RatingRow>) -> Vec<(NaiveDate, String)> {
    let mut rows = Vec::with_capacity(ratings.len());
    let mut day = None;
    let mut seq = 0;
    for r in ratings {
        let d = r.rated.date();
        if day != Some(d) {
            day = Some(d);
            seq = 0;
        }
        seq += 1;
        let id = format!("PJ{}{:05}", d.format("%Y%m%d"), seq);
        rows.push((
            d,
            line(&[
                &id,
                &r.case_id,
                &center.windows[r.window].id,
                &r.staff
                    .map(|s| center.staff[s].id.to_string())
                    .unwrap_or_default(),
                &fmt_dt(r.rated),
                &r.level.to_string(),
                r.channel,
                r.comment,
                &r.rectified.map(fmt_dt).unwrap_or_default(),
                r.closed_loop.named,
                &r.closed_loop.called_back.map(fmt_dt).unwrap_or_default(),
                &r.closed_loop.feedback.map(fmt_dt).unwrap_or_default(),
                r.closed_loop.appeal,
            ]),
        ));
    }
    rows
}

/// One rating, before it is numbered.
struct RatingRow {
    case_id: String,
    window: usize,
    staff: Option<usize>,
    rated: NaiveDateTime,
    level: u32,
    channel: &'static str,
    comment: &'static str,
    rectified: Option<NaiveDateTime>,
    closed_loop: ClosedLoop,
}

/// A bad rating's 好差评 loop: named or not, the callback, the feedback to
/// the citizen, the appeal's result.
#[derive(Default)]
struct ClosedLoop {
    named: &'static str,
    called_back: Option<NaiveDateTime>,
    feedback: Option<NaiveDateTime>,
    appeal: &'static str,
}

/// The loop of one bad rating: 60 % named; called back mostly within the
/// day allowed (1 working day named, 3 anonymous), some late, a few
/// never; feedback with most rectifications; 6 % appealed (half 误评, a
/// fifth 不实, the rest 维持). Nothing after the period's end.
fn bad_rating_loop(
    rng: &mut Rng,
    days: &Days,
    rated: NaiveDateTime,
    rectified: Option<NaiveDateTime>,
    end: NaiveDateTime,
) -> ClosedLoop {
    let named = rng.chance(0.6);
    let allowed = if named { 1 } else { 3 };
    let after = match rng.weighted(&[0.8, 0.12, 0.08]) {
        0 => Some(rng.between(0, allowed)),
        1 => Some(rng.between(allowed + 1, allowed + 3)),
        _ => None,
    };
    let called_back = after.and_then(|n| {
        let day = days.index_of(rated.date())?;
        let j = days.after(day, n as usize)?;
        let t = at(days.dates[j], rng.between(hm(9, 0), hm(17, 0))).max(rated);
        (t <= end).then_some(t)
    });
    let feedback = rectified
        .filter(|_| rng.chance(0.85))
        .map(|r| r + Duration::hours(i64::from(rng.between(1, 20))))
        .filter(|t| *t <= end);
    let appeal = match rng.chance(0.06) {
        false => "",
        true => match rng.weighted(&[0.5, 0.2, 0.3]) {
            0 => "误评",
            1 => "不实",
            _ => "维持",
        },
    };
    ClosedLoop {
        named: if named { "实名" } else { "匿名" },
        called_back,
        feedback,
        appeal,
    }
}

/// Moves a time between 23:00 and 07:00 to the next morning: people rate
/// by text message or app when they are awake.
fn waking_hours(rng: &mut Rng, t: NaiveDateTime) -> NaiveDateTime {
    let morning = |d: NaiveDate, rng: &mut Rng| at(d, rng.between(hm(7, 0), hm(9, 0)));
    match t.hour() {
        0..=6 => morning(t.date(), rng),
        23 => morning(t.date() + Duration::days(1), rng),
        _ => t,
    }
}

/// When a bad rating is rectified: mostly within 5 working days, some
/// later, a few never (and none after the end of the period).
fn rectification(rng: &mut Rng, days: &Days, rated: NaiveDateTime) -> Option<NaiveDateTime> {
    if rng.chance(NEVER_RECTIFIED) {
        return None;
    }
    let n = if rng.chance(LATE_RECTIFIED) {
        rng.between(6, 8)
    } else {
        rng.between(1, 5)
    };
    let day = days.index_of(rated.date())?;
    let j = days.after(day, n as usize)?;
    Some(at(days.dates[j], rng.between(hm(9, 0), hm(17, 0))))
}

/// The quarterly 民主评议 questionnaires: about forty a quarter, rating
/// windows as a whole, in the last month of each quarter in the period.
pub(super) fn gen_questionnaires(seed: u64, days: &Days, center: &Center) -> Vec<String> {
    let mut rng = Rng::new(seed, "questionnaires");
    let mut rows = Vec::new();
    for (m, &(_, y, month)) in days.months().iter().enumerate() {
        if month % 3 != 0 {
            continue;
        }
        let quarter = month / 3;
        let mut batch: Vec<(NaiveDateTime, usize, u32, String)> = (0..QUESTIONNAIRES_PER_QUARTER)
            .map(|_| {
                let i = days.workday_in_month(m, rng.between(8, 24));
                let t = at(days.dates[i], rng.between(hm(9, 0), hm(16, 30)));
                let w = rng.below(center.windows.len());
                let quality = center.windows[w].quality;
                let level = match rng.weighted(&[0.62 / quality, 0.28, 0.1 * quality]) {
                    0 => 5,
                    1 => 4,
                    _ => 3,
                };
                let comment = format!(
                    "{}：{}",
                    *rng.pick(QUESTIONNAIRE_RESPONDENTS),
                    *rng.pick(QUESTIONNAIRE_COMMENTS)
                );
                (t, w, level, comment)
            })
            .collect();
        batch.sort_by_key(|b| (b.0, b.1));
        for (k, (t, w, level, comment)) in batch.into_iter().enumerate() {
            rows.push(line(&[
                &format!("WJ{y}Q{quarter}{:03}", k + 1),
                &center.windows[w].id,
                &fmt_dt(t),
                &level.to_string(),
                "问卷",
                &comment,
            ]));
        }
    }
    rows
}
