//! The special services and refusals of the cases (特色服务与不予受理): the
//! mode words a vendor writes (预约, 帮办代办, 容缺受理, 全程网办 …, now and
//! then two in a cell), window cases accepted before the morning start or
//! after the afternoon end (延时; the Saturday appointments are 延时 by their
//! day), refusals at the window (不予受理) and online (退件) beside the
//! 不予许可 of the licensing items, and their reasons, a few missing. Drawn
//! from a stream of its own: every other figure is that of a run without
//! it, and a moved acceptance time stays on its day, before the case's
//! completion and its steps.

use chrono::NaiveDateTime;

use super::days::{at, Sessions};
use super::reference::{
    EVENING_RATE, FULLY_ONLINE_RATE, FULLY_ONLINE_WORDS, INCOMPLETE_RATE, MODE_SEPARATORS,
    MORNING_RATE, NOT_ACCEPTED_RATE, NOT_ACCEPTED_REASONS, NO_REASON_RATE, ONLINE_CROSS_RATE,
    PLACEHOLDER_REASON_RATE, REASON_IN_RESULT_RATE, REFUSED_REASONS, RETURNED_RATE,
    RETURNED_REASONS, WINDOW_MODES,
};
use super::rng::Rng;

/// The services' own random stream.
pub(super) struct Services {
    rng: Rng,
}

/// What the services write in a case row.
pub(super) struct Written {
    pub(super) accepted: NaiveDateTime,
    pub(super) mode: String,
    pub(super) result: String,
    pub(super) reason: String,
}

/// A case as the services see it.
pub(super) struct Served<'a> {
    pub(super) channel: &'a str,
    pub(super) accepted: NaiveDateTime,
    pub(super) completed: Option<NaiveDateTime>,
    pub(super) promised: u32,
    /// Whether its steps are exported (their first starts at acceptance).
    pub(super) with_steps: bool,
    /// Whether it was accepted on a working day.
    pub(super) workday: bool,
    /// The result the case engine gave it (办结, 准予许可, 不予许可 or none).
    pub(super) result: &'static str,
}

impl Services {
    pub(super) fn new(seed: u64) -> Self {
        Services {
            rng: Rng::new(seed, "services"),
        }
    }

    /// The services of one case.
    pub(super) fn of(&mut self, c: &Served) -> Written {
        let mode = self.mode(c);
        let accepted = self.accepted(c);
        let (result, reason) = self.refusal(c);
        Written {
            accepted,
            mode,
            result,
            reason,
        }
    }

    fn window_channel(channel: &str) -> bool {
        matches!(channel, "窗口" | "预约")
    }

    /// The mode cell: the words drawn, joined as vendors join them.
    fn mode(&mut self, c: &Served) -> String {
        let rng = &mut self.rng;
        let mut said: Vec<&str> = Vec::new();
        if Self::window_channel(c.channel) {
            for (share, words) in WINDOW_MODES {
                if rng.chance(share) {
                    said.push(*rng.pick(words));
                }
            }
            if c.promised > 0 && rng.chance(INCOMPLETE_RATE) {
                said.push("容缺受理");
            }
        } else if c.channel == "网上" {
            if rng.chance(FULLY_ONLINE_RATE) {
                said.push(*rng.pick(FULLY_ONLINE_WORDS));
            }
            if rng.chance(ONLINE_CROSS_RATE) {
                said.push("跨省通办");
            }
        }
        let separator = *rng.pick(MODE_SEPARATORS);
        said.join(separator)
    }

    /// The acceptance time written: a few window cases of a working day
    /// half an hour before the morning start, or after the afternoon end
    /// when the case is not completed that day and has no steps.
    fn accepted(&mut self, c: &Served) -> NaiveDateTime {
        if !c.workday || !Self::window_channel(c.channel) {
            return c.accepted;
        }
        let (rng, day) = (&mut self.rng, c.accepted.date());
        let sessions = Sessions::of(day);
        if rng.chance(MORNING_RATE) {
            return at(day, rng.between(sessions.am.0 - 1800, sessions.am.0 - 1));
        }
        let later_day = c.completed.is_none_or(|d| d.date() > day);
        if rng.chance(EVENING_RATE) && later_day && !c.with_steps {
            return at(day, rng.between(sessions.pm.1 + 60, sessions.pm.1 + 5400));
        }
        c.accepted
    }

    /// The result and the refusal reason written.
    fn refusal(&mut self, c: &Served) -> (String, String) {
        let rng = &mut self.rng;
        let quick = c
            .completed
            .is_some_and(|d| (d.date() - c.accepted.date()).num_days() <= 3);
        let (word, reasons) = match c.result {
            "不予许可" => ("不予许可", REFUSED_REASONS),
            "办结" if quick && Self::window_channel(c.channel) && rng.chance(NOT_ACCEPTED_RATE) => {
                ("不予受理", NOT_ACCEPTED_REASONS)
            }
            "办结" if c.channel == "网上" && rng.chance(RETURNED_RATE) => {
                ("退件", RETURNED_REASONS)
            }
            other => return (other.to_string(), String::new()),
        };
        match rng.weighted(&[
            NO_REASON_RATE,
            PLACEHOLDER_REASON_RATE,
            (1.0 - NO_REASON_RATE - PLACEHOLDER_REASON_RATE) * REASON_IN_RESULT_RATE,
            (1.0 - NO_REASON_RATE - PLACEHOLDER_REASON_RATE) * (1.0 - REASON_IN_RESULT_RATE),
        ]) {
            0 => (word.to_string(), String::new()),
            1 => (word.to_string(), "无".to_string()),
            2 => (format!("{word}（{}）", rng.pick(reasons)), String::new()),
            _ => (word.to_string(), rng.pick(reasons).to_string()),
        }
    }
}
