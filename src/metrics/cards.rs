//! Supervision cards (电子监察 红黄牌): on each run date, every open case
//! near its deadline gets a yellow card and every overdue one a red card;
//! the history keeps when each card was first raised, escalated from
//! yellow to red, and cleared. A rerun for the same date raises nothing
//! twice.

use super::cases::CaseFacts;
use crate::calendar::Calendar;
use crate::polars_ext::{bools_or, date_series, dates_of, opt_strings};
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// When a yellow card is raised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum YellowRule {
    /// At most `yellow_days` working days left.
    Days,
    /// At least `yellow_share` of the (extended) limit used.
    Share,
}

/// Card thresholds (`[cards]` in the configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CardRules {
    pub rule: YellowRule,
    pub yellow_days: i64,
    pub yellow_share: f64,
}

impl Default for CardRules {
    fn default() -> Self {
        CardRules {
            rule: YellowRule::Days,
            yellow_days: 1,
            yellow_share: 0.8,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Colour {
    Red,
    Yellow,
}

impl Colour {
    pub fn name(self) -> &'static str {
        match self {
            Colour::Red => "red",
            Colour::Yellow => "yellow",
        }
    }

    /// The colour as the office says it: 红牌 or 黄牌.
    pub fn word(self) -> &'static str {
        match self {
            Colour::Red => "红牌",
            Colour::Yellow => "黄牌",
        }
    }

    /// The colour of a stored name (`red`; anything else is yellow).
    pub fn of_name(name: Option<&str>) -> Colour {
        match name {
            Some("red") => Colour::Red,
            _ => Colour::Yellow,
        }
    }
}

/// How many of some cards' colours are red and how many yellow.
pub fn red_and_yellow(colours: impl IntoIterator<Item = Colour>) -> (usize, usize) {
    colours.into_iter().fold((0, 0), |(r, y), c| match c {
        Colour::Red => (r + 1, y),
        Colour::Yellow => (r, y + 1),
    })
}

/// A card due on the run date: on a case, or on one step of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub case_id: String,
    /// The step (`<seq> <step>`) of a step card; `None` for a case card.
    pub step: Option<String>,
    pub window_id: String,
    pub staff_id: Option<String>,
    pub colour: Colour,
    pub deadline: NaiveDate,
    /// The deadline lies in the provisional year of the calendar (its
    /// official holiday list is not loaded yet): it may move.
    pub deadline_provisional: bool,
    /// Working days after the run date up to the deadline; negative when overdue.
    pub remaining: i64,
}

/// The card due on `as_of` for something open since `start` with a limit
/// extended to `ext` working days by suspensions: its colour, deadline and
/// working days left (negative when overdue), or `None`. Red once a
/// working day after the deadline has begun.
pub fn judge(
    cal: &Calendar,
    start: NaiveDate,
    ext: i64,
    as_of: NaiveDate,
    rules: &CardRules,
) -> Result<Option<(Colour, NaiveDate, i64)>> {
    let deadline = if ext <= 0 {
        start
    } else {
        cal.deadline(start, ext as u32)?
    };
    let remaining = if deadline >= as_of {
        cal.elapsed(as_of, deadline)?
    } else {
        -cal.elapsed(deadline, as_of)?
    };
    // Late once a working day after the deadline has begun (the rule of
    // overdue_completed and overdue_open): not on the weekend after a
    // Friday deadline, from Monday on; an instant case from the next
    // working day.
    let red = remaining < 0;
    let yellow = match rules.rule {
        YellowRule::Days => remaining <= rules.yellow_days,
        YellowRule::Share => ext > 0 && (ext - remaining) as f64 >= rules.yellow_share * ext as f64,
    };
    Ok(if red {
        Some((Colour::Red, deadline, remaining))
    } else if yellow {
        Some((Colour::Yellow, deadline, remaining))
    } else {
        None
    })
}

/// The cards of the open cases of `facts` (computed as of `as_of`).
pub fn cards_due(
    facts: &CaseFacts,
    cal: &Calendar,
    as_of: NaiveDate,
    rules: &CardRules,
) -> Result<Vec<Card>> {
    let df = &facts.cases;
    let acc = dates_of(df.column("acc")?)?;
    let comp = dates_of(df.column("comp")?)?;
    let (n, ext) = (df.column("n")?.i64()?, df.column("ext")?.i64()?);
    let ids = df.column("case_id")?.str()?;
    let windows = df.column("window_id")?.str()?;
    let staff = df.column("staff_id")?.str()?;
    let mut out = Vec::new();
    for i in 0..df.height() {
        let (Some(acc), None, Some(_), Some(ext)) = (acc[i], comp[i], n.get(i), ext.get(i)) else {
            continue;
        };
        let Some((colour, deadline, remaining)) = judge(cal, acc, ext, as_of, rules)? else {
            continue;
        };
        out.push(Card {
            case_id: ids.get(i).unwrap_or_default().to_string(),
            step: None,
            window_id: windows.get(i).unwrap_or_default().to_string(),
            staff_id: staff.get(i).map(str::to_string),
            colour,
            deadline,
            deadline_provisional: cal.is_provisional(deadline),
            remaining,
        });
    }
    out.sort_by(|a, b| {
        (a.colour, a.remaining, &a.case_id).cmp(&(b.colour, b.remaining, &b.case_id))
    });
    Ok(out)
}

/// What a card is on: the case id, or the case id and step.
pub fn subject(case_id: &str, step: Option<&str>) -> String {
    match step {
        Some(s) => format!("{case_id}\u{1f}{s}"),
        None => case_id.to_string(),
    }
}

impl Card {
    pub fn subject(&self) -> String {
        subject(&self.case_id, self.step.as_deref())
    }
}

/// One row of the card history.
#[derive(Debug, Clone, PartialEq)]
pub struct CardRecord {
    pub case_id: String,
    /// The step (`<seq> <step>`) of a step card; `None` for a case card.
    pub step: Option<String>,
    pub window_id: String,
    pub staff_id: Option<String>,
    pub colour: Colour,
    pub deadline: NaiveDate,
    /// See [`Card::deadline_provisional`].
    pub deadline_provisional: bool,
    pub remaining: i64,
    pub raised_on: NaiveDate,
    /// A yellow card's case turned red on this date.
    pub escalated_on: Option<NaiveDate>,
    pub cleared_on: Option<NaiveDate>,
    /// `completed`, or `extended` when a suspension moved the deadline away.
    pub cleared_by: Option<String>,
}

impl CardRecord {
    pub fn subject(&self) -> String {
        subject(&self.case_id, self.step.as_deref())
    }
}

/// What one run changed in the history.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CardChanges {
    pub raised: usize,
    pub escalated: usize,
    pub cleared: usize,
    /// Of `cleared`: cards no longer due (a suspension or a new holiday
    /// list moved the deadline away), not completed.
    pub cleared_not_due: usize,
}

/// Bring the history up to `as_of`: raise new cards, escalate yellow to
/// red, clear cards of completed cases and finished steps (on that date;
/// `completed` is keyed by [`subject`]) and of those no longer due.
/// Idempotent for the same date.
pub fn update_history(
    history: Vec<CardRecord>,
    due: &[Card],
    completed: &BTreeMap<String, NaiveDate>,
    as_of: NaiveDate,
) -> (Vec<CardRecord>, CardChanges) {
    let mut changes = CardChanges::default();
    let mut rows: BTreeMap<(String, Colour), CardRecord> = history
        .into_iter()
        .map(|r| ((r.subject(), r.colour), r))
        .collect();
    let due_now: BTreeMap<(String, Colour), &Card> =
        due.iter().map(|c| ((c.subject(), c.colour), c)).collect();
    for ((case, colour), card) in &due_now {
        match rows.get_mut(&(case.clone(), *colour)) {
            Some(r) if r.cleared_on.is_none() => {
                r.deadline = card.deadline;
                r.deadline_provisional = card.deadline_provisional;
                r.remaining = card.remaining;
            }
            // Due again after it was cleared (a suspension ended): reopen it.
            Some(r)
                if r.cleared_on.is_some_and(|c| c < as_of)
                    && r.cleared_by.as_deref() == Some("extended") =>
            {
                r.cleared_on = None;
                r.cleared_by = None;
                r.deadline = card.deadline;
                r.deadline_provisional = card.deadline_provisional;
                r.remaining = card.remaining;
                changes.raised += 1;
            }
            Some(_) => {}
            None => {
                changes.raised += 1;
                rows.insert(
                    (case.clone(), *colour),
                    CardRecord {
                        case_id: card.case_id.clone(),
                        step: card.step.clone(),
                        window_id: card.window_id.clone(),
                        staff_id: card.staff_id.clone(),
                        colour: *colour,
                        deadline: card.deadline,
                        deadline_provisional: card.deadline_provisional,
                        remaining: card.remaining,
                        raised_on: as_of,
                        escalated_on: None,
                        cleared_on: None,
                        cleared_by: None,
                    },
                );
            }
        }
        if *colour == Colour::Red {
            if let Some(y) = rows.get_mut(&(case.clone(), Colour::Yellow)) {
                if y.escalated_on.is_none() && y.cleared_on.is_none() {
                    y.escalated_on = Some(as_of);
                    changes.escalated += 1;
                }
            }
        }
    }
    for ((case, colour), r) in rows.iter_mut() {
        if r.cleared_on.is_some() {
            continue;
        }
        if let Some(done) = completed.get(case).filter(|d| **d <= as_of) {
            r.cleared_on = Some(*done);
            r.cleared_by = Some("completed".into());
            changes.cleared += 1;
        } else {
            let still_due = due_now.contains_key(&(case.clone(), *colour));
            // An escalated yellow card stays open beside its red card, and
            // follows its deadline (a new holiday list may move it).
            let red_now = due_now.get(&(case.clone(), Colour::Red));
            if let Some(red) = red_now.filter(|_| r.escalated_on.is_some()) {
                r.deadline = red.deadline;
                r.deadline_provisional = red.deadline_provisional;
                continue;
            }
            if still_due {
                continue;
            }
            r.cleared_on = Some(as_of);
            r.cleared_by = Some("extended".into());
            changes.cleared += 1;
            changes.cleared_not_due += 1;
        }
    }
    (rows.into_values().collect(), changes)
}

/// The cards due, each with the date it was first raised (from the history).
pub fn due_records(due: &[Card], history: &[CardRecord], as_of: NaiveDate) -> Vec<CardRecord> {
    let raised: BTreeMap<(String, Colour), NaiveDate> = history
        .iter()
        .map(|r| ((r.subject(), r.colour), r.raised_on))
        .collect();
    due.iter()
        .map(|card| CardRecord {
            case_id: card.case_id.clone(),
            step: card.step.clone(),
            window_id: card.window_id.clone(),
            staff_id: card.staff_id.clone(),
            colour: card.colour,
            deadline: card.deadline,
            deadline_provisional: card.deadline_provisional,
            remaining: card.remaining,
            raised_on: raised
                .get(&(card.subject(), card.colour))
                .copied()
                .unwrap_or(as_of),
            escalated_on: None,
            cleared_on: None,
            cleared_by: None,
        })
        .collect()
}

/// The history as a frame (the stored `cards` dataset).
pub fn history_frame(rows: &[CardRecord]) -> Result<DataFrame> {
    let s = |f: &dyn Fn(&CardRecord) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
    Ok(DataFrame::new(
        rows.len(),
        vec![
            Series::new("case_id".into(), s(&|r| Some(r.case_id.clone()))).into(),
            Series::new("step".into(), s(&|r| r.step.clone())).into(),
            Series::new("window_id".into(), s(&|r| Some(r.window_id.clone()))).into(),
            Series::new("staff_id".into(), s(&|r| r.staff_id.clone())).into(),
            Series::new("colour".into(), s(&|r| Some(r.colour.name().to_string()))).into(),
            date_series("deadline", rows.iter().map(|r| Some(r.deadline)))?,
            Series::new(
                "deadline_provisional".into(),
                rows.iter()
                    .map(|r| r.deadline_provisional)
                    .collect::<Vec<_>>(),
            )
            .into(),
            Series::new(
                "remaining_days".into(),
                rows.iter().map(|r| r.remaining).collect::<Vec<_>>(),
            )
            .into(),
            date_series("raised_on", rows.iter().map(|r| Some(r.raised_on)))?,
            date_series("escalated_on", rows.iter().map(|r| r.escalated_on))?,
            date_series("cleared_on", rows.iter().map(|r| r.cleared_on))?,
            Series::new("cleared_by".into(), s(&|r| r.cleared_by.clone())).into(),
        ],
    )?)
}

/// The history back from its frame.
pub fn history_rows(df: &DataFrame) -> Result<Vec<CardRecord>> {
    let text = |c: &str| opt_strings(df, c);
    // Histories written before step cards have no `step` column.
    let step = match df.column("step") {
        Ok(_) => text("step")?,
        Err(_) => vec![None; df.height()],
    };
    let (case, window, staff, colour, by) = (
        text("case_id")?,
        text("window_id")?,
        text("staff_id")?,
        text("colour")?,
        text("cleared_by")?,
    );
    let (deadline, raised, escalated, cleared) = (
        dates_of(df.column("deadline")?)?,
        dates_of(df.column("raised_on")?)?,
        dates_of(df.column("escalated_on")?)?,
        dates_of(df.column("cleared_on")?)?,
    );
    let remaining = df.column("remaining_days")?.i64()?;
    // Histories written before provisional years have no such column.
    let provisional: Vec<bool> = match df.column("deadline_provisional") {
        Ok(_) => bools_or(df, "deadline_provisional", false)?,
        Err(_) => vec![false; df.height()],
    };
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        out.push(CardRecord {
            case_id: case[i].clone().unwrap_or_default(),
            step: step[i].clone(),
            window_id: window[i].clone().unwrap_or_default(),
            staff_id: staff[i].clone(),
            colour: if colour[i].as_deref() == Some("red") {
                Colour::Red
            } else {
                Colour::Yellow
            },
            deadline: deadline[i].unwrap_or(NaiveDate::MIN),
            deadline_provisional: provisional[i],
            remaining: remaining.get(i).unwrap_or(0),
            raised_on: raised[i].unwrap_or(NaiveDate::MIN),
            escalated_on: escalated[i],
            cleared_on: cleared[i],
            cleared_by: by[i].clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_counted_and_said_as_the_office_says_them() {
        use Colour::*;
        assert_eq!(red_and_yellow([Red, Yellow, Yellow]), (1, 2));
        assert_eq!(red_and_yellow([]), (0, 0));
        assert_eq!(Colour::of_name(Some("red")).word(), "红牌");
        assert_eq!(Colour::of_name(Some("yellow")).word(), "黄牌");
        assert_eq!(Colour::of_name(Red.name().into()), Red);
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn card(colour: Colour, remaining: i64) -> Card {
        Card {
            case_id: "C1".into(),
            step: None,
            window_id: "W01".into(),
            staff_id: None,
            colour,
            deadline: d("2026-10-13"),
            deadline_provisional: false,
            remaining,
        }
    }

    #[test]
    fn red_once_a_working_day_after_the_deadline_has_begun() {
        let cal = Calendar::official();
        let rules = CardRules::default();
        let judge_at = |start: &str, ext: i64, as_of: &str| {
            judge(&cal, d(start), ext, d(as_of), &rules)
                .unwrap()
                .map(|(c, dl, left)| (c, dl.to_string(), left))
        };
        // Accepted Tuesday 2026-10-13 with 3 days: due Friday 10-16.
        // Friday: 0 left, yellow. Saturday, Sunday: no working day has
        // begun since, still yellow (finishing on Sunday is on time).
        // Monday 10-19: red, one working day late.
        let yellow = |left| Some((Colour::Yellow, "2026-10-16".to_string(), left));
        assert_eq!(judge_at("2026-10-13", 3, "2026-10-16"), yellow(0));
        assert_eq!(judge_at("2026-10-13", 3, "2026-10-17"), yellow(0));
        assert_eq!(judge_at("2026-10-13", 3, "2026-10-18"), yellow(0));
        assert_eq!(
            judge_at("2026-10-13", 3, "2026-10-19"),
            Some((Colour::Red, "2026-10-16".to_string(), -1))
        );
        // An instant case accepted Friday 10-16 and still open: yellow on
        // its own day and the weekend, red from Monday.
        assert_eq!(judge_at("2026-10-16", 0, "2026-10-16"), yellow(0));
        assert_eq!(judge_at("2026-10-16", 0, "2026-10-18"), yellow(0));
        assert_eq!(
            judge_at("2026-10-16", 0, "2026-10-19"),
            Some((Colour::Red, "2026-10-16".to_string(), -1))
        );
    }

    #[test]
    fn history_walks_yellow_red_cleared_and_reruns_add_nothing() {
        let none = BTreeMap::new();
        let (h, c) = update_history(Vec::new(), &[], &none, d("2026-10-09"));
        assert!(h.is_empty() && c == CardChanges::default());
        let (h, c) = update_history(h, &[card(Colour::Yellow, 1)], &none, d("2026-10-12"));
        assert_eq!((h.len(), c.raised), (1, 1));
        let (h, c) = update_history(h, &[card(Colour::Yellow, 1)], &none, d("2026-10-12"));
        assert_eq!(
            (h.len(), c),
            (1, CardChanges::default()),
            "rerun adds nothing"
        );
        let (h, c) = update_history(h, &[card(Colour::Red, -1)], &none, d("2026-10-14"));
        assert_eq!((h.len(), c.raised, c.escalated), (2, 1, 1));
        let done = BTreeMap::from([("C1".to_string(), d("2026-10-15"))]);
        let (h, c) = update_history(h, &[], &done, d("2026-10-15"));
        assert_eq!(c.cleared, 2);
        assert!(h.iter().all(|r| r.cleared_on == Some(d("2026-10-15"))));
        let frame = history_frame(&h).unwrap();
        assert_eq!(history_rows(&frame).unwrap(), h);
    }

    #[test]
    fn a_card_cleared_by_an_extension_is_raised_again_when_due() {
        let none = BTreeMap::new();
        let (h, _) = update_history(
            Vec::new(),
            &[card(Colour::Yellow, 1)],
            &none,
            d("2026-10-12"),
        );
        // A suspension moves the deadline away: no card due, cleared as extended.
        let (h, c) = update_history(h, &[], &none, d("2026-10-13"));
        assert_eq!(c.cleared, 1);
        assert_eq!(h[0].cleared_by.as_deref(), Some("extended"));
        // The suspension ends and the case is near its deadline again.
        let (h, c) = update_history(h, &[card(Colour::Yellow, 1)], &none, d("2026-10-20"));
        assert_eq!((h.len(), c.raised), (1, 1));
        assert_eq!((h[0].cleared_on, h[0].raised_on), (None, d("2026-10-12")));
    }
}
