//! Special services and refusals (特色服务与不予受理): every case's service
//! modes told from its channel and mode words (预约, 上门, 帮办代办, 容缺受理,
//! 绿色通道, 网上申报, 全程网办, 跨域通办) and from its acceptance time (延时:
//! before the morning start or after the afternoon end of the `[attendance]`
//! hours, or on a non-working day); whether it was completed on the day it
//! was accepted (现场办结); whether its result is a refusal (不予受理, 不予许可,
//! 退件 …) and whether the refusal has a reason. `service_metrics` rolls the
//! facts up per grain × level, `service_channels` per channel; the rules are
//! `[services]` in `xiaoneng.toml` and docs/METRICS.md.

use super::dense::{self, day_numbers, measure_index, Keep, Kind, LevelKeys, Value};
use super::period::Grain;
use super::rollup::{rollup, KeyCodes, Roll, RollupSpec};
use super::WithDepartment;
use crate::attendance::Schedule;
use crate::calendar::Calendar;
use crate::polars_ext::{date_lit, date_series, opt_datetimes};
use anyhow::{Context, Result};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use polars::prelude::*;
use serde::{Deserialize, Serialize};

/// The columns of `cases` the services read (`mode` and `refusal_reason`
/// read as null from a store written before they existed).
pub const SERVICE_COLUMNS: [&str; 10] = [
    "case_id",
    "item_code",
    "window_id",
    "staff_id",
    "channel",
    "mode",
    "accepted_at",
    "completed_at",
    "result",
    "refusal_reason",
];

/// The modes told by words, in the order of [`ModeWords::of`]: each is a
/// column of `service_metrics` and a key of `[services.modes]`.
pub const WORD_MODES: [&str; 8] = [
    "appointment",
    "door_to_door",
    "assisted",
    "accepted_incomplete",
    "green_channel",
    "online",
    "fully_online",
    "cross_region",
];

const APPOINTMENT: usize = 0;
const ONLINE: usize = 5;
const FULLY_ONLINE: usize = 6;

/// The channel of a case with an empty channel cell, in `service_channels`.
pub const NO_CHANNEL: &str = "未填写";

/// The words of each service mode (`[services.modes]`), matched in the
/// case's channel and in each word of its mode cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModeWords {
    /// 预约.
    pub appointment: Vec<String>,
    /// 上门 (上门服务, 送证上门).
    pub door_to_door: Vec<String>,
    /// 帮办代办.
    pub assisted: Vec<String>,
    /// 容缺受理.
    pub accepted_incomplete: Vec<String>,
    /// 绿色通道.
    pub green_channel: Vec<String>,
    /// 网上申报 (a 全程网办 case is one too).
    pub online: Vec<String>,
    /// 全程网办 (不见面审批).
    pub fully_online: Vec<String>,
    /// 跨域通办 (跨省通办, 省内通办, 异地办理).
    pub cross_region: Vec<String>,
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| w.to_string()).collect()
}

impl Default for ModeWords {
    fn default() -> Self {
        ModeWords {
            appointment: words(&["预约"]),
            door_to_door: words(&["上门", "送证上门", "送达上门", "上门服务"]),
            assisted: words(&["帮办", "代办"]),
            accepted_incomplete: words(&["容缺"]),
            green_channel: words(&["绿色通道"]),
            online: words(&[
                "网上",
                "网办",
                "网申",
                "互联网",
                "政务服务网",
                "一网通办",
                "在线",
                "掌上",
                "app",
                "小程序",
                "微信",
                "支付宝",
            ]),
            fully_online: words(&["全程网办", "全流程网办", "不见面", "零跑腿"]),
            cross_region: words(&[
                "跨域通办",
                "跨省通办",
                "省内通办",
                "跨市通办",
                "跨区通办",
                "全国通办",
                "异地",
            ]),
        }
    }
}

impl ModeWords {
    /// The words of the mode at `i` of [`WORD_MODES`].
    pub fn of(&self, i: usize) -> &[String] {
        match i {
            0 => &self.appointment,
            1 => &self.door_to_door,
            2 => &self.assisted,
            3 => &self.accepted_incomplete,
            4 => &self.green_channel,
            5 => &self.online,
            6 => &self.fully_online,
            _ => &self.cross_region,
        }
    }
}

/// A channel of `service_channels` and the channel words that name it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelWords {
    pub name: String,
    pub words: Vec<String>,
}

/// The rules of the special services and refusals (`[services]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceRules {
    /// Whether a case applied online (网上申报) can be 延时: its time is
    /// the applicant's, not a window open late (default false).
    pub after_hours_online: bool,
    /// A result holding one of these words is a refusal.
    pub refusal_words: Vec<String>,
    /// A refusal reason that is one of these (or only punctuation) is none.
    pub empty_reasons: Vec<String>,
    pub modes: ModeWords,
    /// The channels of `service_channels`, the first whose word the
    /// channel cell holds; a channel no word names counts as written.
    pub channels: Vec<ChannelWords>,
}

impl Default for ServiceRules {
    fn default() -> Self {
        let channel = |name: &str, list: &[&str]| ChannelWords {
            name: name.to_string(),
            words: words(list),
        };
        ServiceRules {
            after_hours_online: false,
            refusal_words: words(&[
                "不予受理",
                "不予许可",
                "不予批准",
                "不予办理",
                "不予登记",
                "不予备案",
                "不予核准",
                "不予认定",
                "不予通过",
                "不予审批",
                "退件",
                "驳回",
                "拒绝",
            ]),
            empty_reasons: words(&["无", "暂无", "空", "略", "未填写", "null", "none", "n/a"]),
            modes: ModeWords::default(),
            channels: vec![
                channel("预约", &["预约"]),
                channel("掌上", &["掌上", "app", "小程序", "微信", "支付宝", "手机"]),
                channel(
                    "网上",
                    &[
                        "网上",
                        "网办",
                        "网申",
                        "互联网",
                        "政务服务网",
                        "一网通办",
                        "在线",
                        "网站",
                    ],
                ),
                channel("自助", &["自助", "一体机", "终端"]),
                channel("邮寄", &["邮寄", "快递", "寄递", "ems"]),
                channel("窗口", &["窗口", "现场", "大厅", "柜台", "线下"]),
            ],
        }
    }
}

impl ServiceRules {
    /// Check the words: none empty, channel names present and distinct.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let empty = |list: &[String]| list.iter().any(|w| w.trim().is_empty());
        if empty(&self.refusal_words) {
            return Err("services.refusal_words has an empty word".into());
        }
        for (i, mode) in WORD_MODES.iter().enumerate() {
            if empty(self.modes.of(i)) {
                return Err(format!("services.modes.{mode} has an empty word"));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        for c in &self.channels {
            if c.name.trim().is_empty() {
                return Err("a [[services.channels]] has no name".into());
            }
            if !names.insert(c.name.trim()) {
                return Err(format!("[[services.channels]] names '{}' twice", c.name));
            }
            if empty(&c.words) {
                return Err(format!(
                    "[[services.channels]] '{}' has an empty word",
                    c.name
                ));
            }
        }
        Ok(())
    }
}

/// The rules' words case-folded, ready to match.
pub struct Matcher {
    modes: Vec<Vec<String>>,
    refusal: Vec<String>,
    empty: Vec<String>,
    channels: Vec<(String, Vec<String>)>,
}

fn folded(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// The separators of the words in a mode (or channel) cell.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || "、,，;；/／|｜+".contains(c)
}

/// Punctuation around a reason (and a reason made only of it).
fn is_filler(c: char) -> bool {
    c.is_whitespace()
        || c.is_ascii_punctuation()
        || ":：,，;；、。.!！?？()（）[]【】<>《》“”‘’—…·".contains(c)
}

/// What may stand between a refusal word and a reason written in the
/// result cell (`不予受理：材料不全`, `不予许可(不符合条件)`).
fn opens_reason(c: char) -> bool {
    c.is_whitespace() || ":：,，;；、(（[【-—".contains(c)
}

impl Matcher {
    pub fn new(rules: &ServiceRules) -> Matcher {
        Matcher {
            modes: (0..WORD_MODES.len())
                .map(|i| folded(rules.modes.of(i)))
                .collect(),
            refusal: folded(&rules.refusal_words),
            empty: folded(&rules.empty_reasons),
            channels: rules
                .channels
                .iter()
                .map(|c| (c.name.trim().to_string(), folded(&c.words)))
                .collect(),
        }
    }

    /// The word modes of a case ([`WORD_MODES`] order) from its channel
    /// and mode cells. Each cell is cut into words at 、,，;；/| and
    /// spaces; a word counts for every mode one of whose words it holds,
    /// except that a word holding a 预约 word is not also 网上申报 (网上预约,
    /// APP预约 book a visit). A 全程网办 case is 网上申报 too.
    pub fn modes(&self, channel: Option<&str>, mode: Option<&str>) -> [bool; 8] {
        let mut out = [false; 8];
        for cell in [channel, mode].into_iter().flatten() {
            let cell = cell.to_lowercase();
            for word in cell.split(is_separator).filter(|w| !w.is_empty()) {
                let mut said = [false; 8];
                for (m, list) in self.modes.iter().enumerate() {
                    said[m] = list.iter().any(|w| word.contains(w.as_str()));
                }
                if said[APPOINTMENT] {
                    said[ONLINE] = false;
                }
                for m in 0..out.len() {
                    out[m] |= said[m];
                }
            }
        }
        if out[FULLY_ONLINE] {
            out[ONLINE] = true;
        }
        out
    }

    /// Whether the modes make a case 网上申报.
    pub fn is_online(modes: &[bool; 8]) -> bool {
        modes[ONLINE]
    }

    /// The channel a case counts under in `service_channels`: the first
    /// configured channel one of whose words the cell holds, else the cell
    /// as written (trimmed), [`NO_CHANNEL`] when empty.
    pub fn channel(&self, channel: Option<&str>) -> String {
        let cell = channel.map(str::trim).unwrap_or("");
        if cell.is_empty() {
            return NO_CHANNEL.to_string();
        }
        let folded = cell.to_lowercase();
        self.channels
            .iter()
            .find(|(_, words)| words.iter().any(|w| folded.contains(w.as_str())))
            .map_or_else(|| cell.to_string(), |(name, _)| name.clone())
    }

    /// Whether a result is a refusal; the text after its refusal word
    /// (where a reason may be written).
    pub fn refusal(&self, result: Option<&str>) -> Option<String> {
        let result = result?;
        let folded = result.to_lowercase();
        let (at, len) = self
            .refusal
            .iter()
            .filter_map(|w| folded.find(w.as_str()).map(|at| (at, w.len())))
            .min()?;
        // The rest of the cell, from the original when folding kept the
        // byte offsets (it does but for rare letters).
        let rest = if folded.len() == result.len() {
            &result[at + len..]
        } else {
            &folded[at + len..]
        };
        Some(rest.to_string())
    }

    /// The reason of a refusal: its reason cell, else a reason written in
    /// the result after the refusal word and a colon, comma or bracket;
    /// a reason that is only punctuation or one of the empty words is none.
    pub fn reason(&self, cell: Option<&str>, rest_of_result: &str) -> Option<String> {
        let clean = |s: &str| -> Option<String> {
            let t = s.trim_matches(is_filler);
            (!t.is_empty() && !self.empty.contains(&t.to_lowercase())).then(|| t.to_string())
        };
        if let Some(r) = cell.and_then(clean) {
            return Some(r);
        }
        rest_of_result
            .chars()
            .next()
            .filter(|c| opens_reason(*c))
            .and_then(|_| clean(rest_of_result))
    }
}

/// Whether a case accepted at `at` was accepted outside the hours (延时):
/// on a non-working day, or on a working day before the morning start or
/// after the afternoon end of the `[attendance]` hours in force that day,
/// to the minute (with an 08:30–17:30 day, 08:29 and 17:31 are 延时, 08:30
/// and 17:30:59 are not). A time of exactly 00:00:00 is a date without a
/// time (`受理日期`): 延时 only on a non-working day.
pub fn after_hours(at: NaiveDateTime, schedule: &Schedule, cal: &Calendar) -> Result<bool> {
    let day = at.date();
    let workday = cal
        .is_workday(day)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .with_context(|| format!("the working-day calendar does not cover {day}; load the year's official list with `xiaoneng calendar import FILE`"))?;
    if !workday {
        return Ok(true);
    }
    let time = at.time();
    if time == NaiveTime::MIN {
        return Ok(false);
    }
    let minute = NaiveTime::from_hms_opt(time.hour(), time.minute(), 0).unwrap_or(time);
    let hours = schedule.season(day);
    Ok(minute < hours.morning_in || minute > hours.afternoon_out)
}

/// The columns of [`service_facts`] that hold the modes, in the stored
/// order of `service_metrics` (延时 second).
pub const MODE_COLUMNS: [&str; 9] = [
    "appointment",
    "after_hours",
    "door_to_door",
    "assisted",
    "accepted_incomplete",
    "green_channel",
    "online",
    "fully_online",
    "cross_region",
];

/// Per case accepted by `as_of`: `case_id, item_code, window_id,
/// department, staff_id, channel` (as `service_channels` counts it),
/// `acc`, `comp` (null while open at `as_of`), one boolean per mode of
/// [`MODE_COLUMNS`], `on_site` (completed on its acceptance date),
/// `refused_on` (the completion date of a refusal, else its acceptance
/// date; null when not a refusal or completed after `as_of`), `result`
/// and `reason` (the refusal's reason, null when it has none).
///
/// A case's row depends on that case alone: runs of cases are worked out
/// on every core and stacked in their order.
pub fn service_facts(
    cases: &DataFrame,
    windows: &DataFrame,
    rules: &ServiceRules,
    schedule: &Schedule,
    cal: &Calendar,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    crate::polars_ext::by_row_runs(cases, |run| {
        service_facts_of(run, windows, rules, schedule, cal, as_of)
    })
}

/// [`service_facts`] of some cases, on one core.
fn service_facts_of(
    cases: &DataFrame,
    windows: &DataFrame,
    rules: &ServiceRules,
    schedule: &Schedule,
    cal: &Calendar,
    as_of: NaiveDate,
) -> Result<DataFrame> {
    let matcher = Matcher::new(rules);
    let accepted = opt_datetimes(cases, "accepted_at")?;
    let completed = opt_datetimes(cases, "completed_at")?;
    // Each text column's cells as codes (a null, or a column a store
    // older than it lacks, the code after the texts), and the texts by
    // code: a center writes a handful of distinct cells, each matched
    // once, looked up by code instead of by its text row by row.
    let coded = |c: &str| -> Result<(Vec<u32>, Vec<String>)> {
        let Ok(column) = cases.column(c) else {
            return Ok((vec![0; cases.height()], Vec::new()));
        };
        let (codes, texts) =
            super::rollup::text_order_codes(column.cast(&DataType::String)?.str()?);
        let none = texts.len() as u32;
        Ok((
            codes.into_iter().map(|c| c.unwrap_or(none)).collect(),
            texts,
        ))
    };
    let [channel, mode, result, reason] = [
        coded("channel")?,
        coded("mode")?,
        coded("result")?,
        coded("refusal_reason")?,
    ];
    fn text((_, texts): &(Vec<u32>, Vec<String>), code: u32) -> Option<&str> {
        texts.get(code as usize).map(String::as_str)
    }
    let slots = |(_, texts): &(Vec<u32>, Vec<String>)| texts.len() + 1;
    let mut channel_of: Vec<Option<u32>> = vec![None; slots(&channel)];
    let mut channel_names: Vec<String> = Vec::new();
    let mut modes_of: PlHashMap<(u32, u32), [bool; 8]> = PlHashMap::new();
    let mut refusal_of: Vec<Option<Option<String>>> = vec![None; slots(&result)];
    let mut reason_of: PlHashMap<(u32, u32), Option<u32>> = PlHashMap::new();
    let mut reason_names: Vec<String> = Vec::new();
    let mut rows: Vec<u32> = Vec::new();
    let mut acc = Vec::new();
    let mut comp = Vec::new();
    let mut channels: Vec<u32> = Vec::new();
    let mut modes: Vec<Vec<bool>> = vec![Vec::new(); MODE_COLUMNS.len()];
    let mut on_site = Vec::new();
    let mut refused_on = Vec::new();
    let mut reasons: Vec<Option<u32>> = Vec::new();
    for i in 0..cases.height() {
        let Some(at) = accepted[i].filter(|a| a.date() <= as_of) else {
            continue;
        };
        rows.push(i as u32);
        let done = completed[i].map(|c| c.date()).filter(|d| *d <= as_of);
        acc.push(Some(at.date()));
        comp.push(done);
        let (ch, md, res, why) = (channel.0[i], mode.0[i], result.0[i], reason.0[i]);
        channels.push(*channel_of[ch as usize].get_or_insert_with(|| {
            channel_names.push(matcher.channel(text(&channel, ch)));
            channel_names.len() as u32 - 1
        }));
        let said = *modes_of
            .entry((ch, md))
            .or_insert_with(|| matcher.modes(text(&channel, ch), text(&mode, md)));
        let late = (rules.after_hours_online || !Matcher::is_online(&said))
            && after_hours(at, schedule, cal)?;
        modes[0].push(said[0]);
        modes[1].push(late);
        for (m, s) in said.iter().enumerate().skip(1) {
            modes[m + 1].push(*s);
        }
        on_site.push(done == Some(at.date()));
        // A refusal is known once the case is completed, or at once when it
        // has no completion time (不予受理 at the window).
        let refusal =
            refusal_of[res as usize].get_or_insert_with(|| matcher.refusal(text(&result, res)));
        let known = match completed[i] {
            Some(_) => done,
            None => Some(at.date()),
        };
        match (refusal, known) {
            (Some(rest), Some(on)) => {
                refused_on.push(Some(on));
                reasons.push(*reason_of.entry((why, res)).or_insert_with(|| {
                    matcher.reason(text(&reason, why), rest).map(|r| {
                        reason_names.push(r);
                        reason_names.len() as u32 - 1
                    })
                }));
            }
            _ => {
                refused_on.push(None);
                reasons.push(None);
            }
        }
    }
    let idx = IdxCa::from_vec("idx".into(), rows.clone());
    let mut out = cases
        .select(["case_id", "item_code", "window_id", "staff_id"])?
        .take(&idx)?;
    fn names<'n>(codes: &[u32], names: &'n [String]) -> Vec<&'n str> {
        codes.iter().map(|c| names[*c as usize].as_str()).collect()
    }
    out.with_column(Column::new(
        "channel".into(),
        names(&channels, &channel_names),
    ))?;
    out.with_column(date_series("acc", acc.into_iter())?)?;
    out.with_column(date_series("comp", comp.into_iter())?)?;
    for (name, values) in MODE_COLUMNS.iter().zip(modes) {
        out.with_column(Column::new((*name).into(), values))?;
    }
    out.with_column(Column::new("on_site".into(), on_site))?;
    out.with_column(date_series("refused_on", refused_on.into_iter())?)?;
    let kept_result: Vec<Option<&str>> = rows
        .iter()
        .map(|&r| text(&result, result.0[r as usize]))
        .collect();
    out.with_column(Column::new("result".into(), kept_result))?;
    let reasons: Vec<Option<&str>> = reasons
        .iter()
        .map(|r| r.map(|r| reason_names[r as usize].as_str()))
        .collect();
    out.with_column(Column::new("reason".into(), reasons))?;
    let mut order: Vec<Expr> = [
        "case_id",
        "item_code",
        "window_id",
        "department",
        "staff_id",
    ]
    .map(col)
    .to_vec();
    order.extend(
        ["channel", "acc", "comp"]
            .iter()
            .chain(MODE_COLUMNS.iter())
            .chain(["on_site", "refused_on", "result", "reason"].iter())
            .map(|c| col(*c)),
    );
    Ok(out
        .lazy()
        .with_department_in_order(windows)
        .select(order)
        .collect()?)
}

/// The measures of `service_metrics` and how each rolls up.
const MEASURES: [(&str, Roll); 14] = [
    ("accepted", Roll::Sum),
    ("appointment", Roll::Sum),
    ("after_hours", Roll::Sum),
    ("door_to_door", Roll::Sum),
    ("assisted", Roll::Sum),
    ("accepted_incomplete", Roll::Sum),
    ("green_channel", Roll::Sum),
    ("online", Roll::Sum),
    ("fully_online", Roll::Sum),
    ("cross_region", Roll::Sum),
    ("completed", Roll::Sum),
    ("on_site_completed", Roll::Sum),
    ("refused", Roll::Sum),
    ("refused_without_reason", Roll::Sum),
];

/// 0/1 per case of a boolean column.
fn flags(df: &DataFrame, c: &str) -> Result<Vec<bool>> {
    Ok(df
        .column(c)?
        .bool()?
        .iter()
        .map(|b| b.unwrap_or(false))
        .collect())
}

/// Each case's three kinds of event, on the rows of [`service_facts`]:
/// accepted, completed (on site or not) and refused (with a reason or
/// not), each on its day ([`NO_DAY`](dense::NO_DAY) where it has none).
struct CaseEvents {
    accepted: Vec<i32>,
    completed: Vec<i32>,
    refused: Vec<i32>,
    on_site: Vec<bool>,
    without_reason: Vec<bool>,
}

impl CaseEvents {
    fn of(facts: &DataFrame) -> Result<CaseEvents> {
        Ok(CaseEvents {
            accepted: day_numbers(facts, "acc")?,
            completed: day_numbers(facts, "comp")?,
            refused: day_numbers(facts, "refused_on")?,
            on_site: flags(facts, "on_site")?,
            without_reason: facts
                .column("reason")?
                .str()?
                .iter()
                .map(|r| r.is_none())
                .collect(),
        })
    }

    /// The three kinds, the acceptance carrying `at_acceptance`, the
    /// others their measures of `measures` (`completed`,
    /// `on_site_completed`, `refused`, `refused_without_reason`).
    fn kinds<'a>(
        &'a self,
        measures: &[(&str, Roll)],
        at_acceptance: Vec<(usize, Value<'a>)>,
    ) -> Vec<Kind<'a>> {
        let measure = |name: &str| measure_index(measures, name);
        vec![
            Kind {
                rows: None,
                days: &self.accepted,
                measures: at_acceptance,
            },
            Kind {
                rows: None,
                days: &self.completed,
                measures: vec![
                    (measure("completed"), Value::One),
                    (measure("on_site_completed"), Value::Flag(&self.on_site)),
                ],
            },
            Kind {
                rows: None,
                days: &self.refused,
                measures: vec![
                    (measure("refused"), Value::One),
                    (
                        measure("refused_without_reason"),
                        Value::Flag(&self.without_reason),
                    ),
                ],
            },
        ]
    }
}

/// `service_metrics` for some grains and levels, from [`service_facts`]:
/// modes and `accepted` by acceptance date, `completed` and
/// `on_site_completed` by completion date, refusals by `refused_on`.
pub fn service_metrics(
    facts: &DataFrame,
    as_of: NaiveDate,
    grains: &[Grain],
    levels: &[&str],
) -> Result<DataFrame> {
    let (coded, codes) = KeyCodes::encode_levels(facts, levels)?;
    let level_keys = LevelKeys::of(&coded, levels)?;
    let events = CaseEvents::of(&coded)?;
    let modes: Vec<Vec<bool>> = MODE_COLUMNS
        .iter()
        .map(|c| flags(&coded, c))
        .collect::<Result<_>>()?;
    let measure = |name: &str| measure_index(&MEASURES, name);
    let mut at_acceptance = vec![(measure("accepted"), Value::One)];
    at_acceptance.extend(
        MODE_COLUMNS
            .iter()
            .zip(&modes)
            .map(|(c, v)| (measure(c), Value::Flag(v))),
    );
    let sums = dense::rollup(&dense::Spec {
        measures: &MEASURES,
        levels: level_keys.levels(),
        kinds: events.kinds(&MEASURES, at_acceptance),
        quantiles: Vec::new(),
        keep: Keep::AnyEvent,
        grains,
        as_of,
    })?;
    let out = sums
        .lazy()
        .with_columns(super::schema::SERVICES.rate_exprs())
        .collect()?;
    Ok(codes
        .decode(out)?
        .lazy()
        .select(super::schema::SERVICES.select())
        .collect()?)
}

/// The measures of `service_channels`.
const CHANNEL_MEASURES: [(&str, Roll); 5] = [
    ("accepted", Roll::Sum),
    ("completed", Roll::Sum),
    ("on_site_completed", Roll::Sum),
    ("refused", Roll::Sum),
    ("refused_without_reason", Roll::Sum),
];

/// `service_channels`: per grain, period, level (center, department,
/// window), key and channel, the cases accepted, completed, completed on
/// site and refused, from [`service_facts`].
pub fn service_channels(facts: &DataFrame, as_of: NaiveDate) -> Result<DataFrame> {
    let spec = channel_spec(as_of);
    let sums = match channels_on_rows(facts, &spec)? {
        Some(sums) => sums,
        None => rollup(channel_events(facts)?, &spec)?,
    };
    Ok(super::schema::SERVICE_CHANNELS_TABLE.finish(sums.lazy())?)
}

/// The roll-up of [`service_channels`].
fn channel_spec(as_of: NaiveDate) -> RollupSpec<'static> {
    RollupSpec {
        measures: &CHANNEL_MEASURES,
        extra_keys: &["channel"],
        levels: &["center", "department", "window"],
        grains: &Grain::ALL,
        as_of,
    }
}

/// [`service_channels`]' sums with the facts' rows as the base rows and
/// each case's acceptance, completion and refusal three kinds of event on
/// them, as `service_metrics` rolls them up: no frame of events is made
/// (three rows a case, about six million for a city year, each with its
/// keys copied, then coded again). `None` where a key is not text or a
/// case has no channel: the events then go through [`rollup`].
fn channels_on_rows(facts: &DataFrame, spec: &RollupSpec) -> Result<Option<DataFrame>> {
    use super::rollup::{rollup_kinds, CodedLevels, LEVELS};
    let levels: Vec<&str> = LEVELS
        .iter()
        .filter(|(l, _)| spec.levels.contains(l))
        .map(|(l, _)| *l)
        .collect();
    let text = |c: &str| matches!(facts.column(c).map(|c| c.dtype()), Ok(DataType::String));
    if !["department", "window_id", "channel"].into_iter().all(text) {
        return Ok(None);
    }
    let coded = CodedLevels::of(facts, &levels)?;
    let Some(coded) = coded.with_extra("channel", facts.column("channel")?.str()?) else {
        return Ok(None);
    };
    let events = CaseEvents::of(facts)?;
    let accepted = vec![(measure_index(&CHANNEL_MEASURES, "accepted"), Value::One)];
    let kinds = events.kinds(&CHANNEL_MEASURES, accepted);
    Ok(Some(rollup_kinds(&coded, kinds, spec)?))
}

/// The events of [`service_channels`] as a frame: a row per acceptance,
/// completion and refusal, with its keys and its measures.
fn channel_events(facts: &DataFrame) -> Result<LazyFrame> {
    let zero = |m: &str| lit(0i64).cast(DataType::Int64).alias(m);
    let one = |m: &str| lit(1i64).cast(DataType::Int64).alias(m);
    let keys = || ["window_id", "department", "channel"].map(col).to_vec();
    let kind = |date: &str, values: [Expr; 5]| {
        let mut cols = vec![col(date).alias("date")];
        cols.extend(keys());
        cols.extend(values);
        facts
            .clone()
            .lazy()
            .filter(col(date).is_not_null())
            .select(cols)
    };
    Ok(concat(
        [
            kind(
                "acc",
                [
                    one("accepted"),
                    zero("completed"),
                    zero("on_site_completed"),
                    zero("refused"),
                    zero("refused_without_reason"),
                ],
            ),
            kind(
                "comp",
                [
                    zero("accepted"),
                    one("completed"),
                    col("on_site")
                        .cast(DataType::Int64)
                        .alias("on_site_completed"),
                    zero("refused"),
                    zero("refused_without_reason"),
                ],
            ),
            kind(
                "refused_on",
                [
                    zero("accepted"),
                    zero("completed"),
                    zero("on_site_completed"),
                    one("refused"),
                    col("reason")
                        .is_null()
                        .cast(DataType::Int64)
                        .alias("refused_without_reason"),
                ],
            ),
        ],
        UnionArgs::default(),
    )?)
}

/// The columns of a refusal ([`refusals`]).
const REFUSAL_COLUMNS: [&str; 7] = [
    "case_id",
    "window_id",
    "staff_id",
    "item_code",
    "refused_on",
    "result",
    "reason",
];

/// Every refusal of [`service_facts`] (a case with a `refused_on`): its
/// `case_id, window_id, staff_id, item_code, refused_on, result, reason`
/// (null without one). A few in a hundred cases: what a run keeps of the
/// service facts for a bulletin ([`refusals_between`]).
pub fn refusals(facts: &DataFrame) -> Result<DataFrame> {
    Ok(facts
        .clone()
        .lazy()
        .filter(col("refused_on").is_not_null())
        .select(REFUSAL_COLUMNS.map(col))
        .collect()?)
}

/// The refusals known in `from..=to` (by `refused_on`), from
/// [`service_facts`] or [`refusals`]: the columns of [`refusals`], by
/// date and case.
pub fn refusals_between(facts: &DataFrame, from: NaiveDate, to: NaiveDate) -> Result<DataFrame> {
    Ok(facts
        .clone()
        .lazy()
        .filter(
            col("refused_on")
                .gt_eq(date_lit(from))
                .and(col("refused_on").lt_eq(date_lit(to))),
        )
        .select(REFUSAL_COLUMNS.map(col))
        .sort(["refused_on", "case_id"], SortMultipleOptions::default())
        .collect()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::polars_ext::opt_strings;

    fn matcher() -> Matcher {
        Matcher::new(&ServiceRules::default())
    }

    fn said(channel: &str, mode: &str) -> Vec<&'static str> {
        let m = matcher().modes(Some(channel), Some(mode));
        WORD_MODES
            .iter()
            .zip(m)
            .filter(|(_, s)| *s)
            .map(|(n, _)| *n)
            .collect()
    }

    #[test]
    fn mode_words_in_the_channel_and_in_each_word_of_the_mode_cell() {
        assert_eq!(said("窗口", ""), Vec::<&str>::new());
        assert_eq!(said("网上申报", ""), ["online"]);
        assert_eq!(said("政务服务网", "全程网办"), ["online", "fully_online"]);
        // 全程网办 alone is 网上申报 too.
        assert_eq!(said("", "不见面审批"), ["online", "fully_online"]);
        assert_eq!(
            said("窗口", "帮办代办、容缺受理;绿色通道"),
            ["assisted", "accepted_incomplete", "green_channel"]
        );
        assert_eq!(
            said("窗口", "上门服务/跨省通办"),
            ["door_to_door", "cross_region"]
        );
        // A booking made online is 预约, not 网上申报.
        assert_eq!(said("窗口", "网上预约"), ["appointment"]);
        assert_eq!(said("APP预约", ""), ["appointment"]);
        // … unless another word says the case was applied online.
        assert_eq!(said("网上", "预约"), ["appointment", "online"]);
        // Case-folded; full-width separators and spaces cut words.
        assert_eq!(
            said("App", "代办 绿色通道"),
            ["assisted", "green_channel", "online"]
        );
        assert_eq!(said("预约", "延时服务"), ["appointment"]);
        assert_eq!(matcher().modes(None, None), [false; 8]);
    }

    #[test]
    fn channels_by_their_first_configured_word_else_as_written() {
        let m = matcher();
        assert_eq!(m.channel(Some("窗口")), "窗口");
        assert_eq!(m.channel(Some("政务服务网")), "网上");
        assert_eq!(m.channel(Some("网上预约")), "预约");
        assert_eq!(m.channel(Some("皖事通APP")), "掌上");
        assert_eq!(m.channel(Some(" 12345转办 ")), "12345转办");
        assert_eq!(m.channel(Some("")), NO_CHANNEL);
        assert_eq!(m.channel(None), NO_CHANNEL);
    }

    #[test]
    fn refusals_and_their_reasons() {
        let m = matcher();
        assert_eq!(m.refusal(Some("准予许可")), None);
        assert_eq!(m.refusal(Some("办结")), None);
        assert_eq!(m.refusal(None), None);
        let rest = m.refusal(Some("不予受理")).unwrap();
        assert_eq!(m.reason(Some("材料不全"), &rest), Some("材料不全".into()));
        assert_eq!(m.reason(None, &rest), None);
        // Placeholders and punctuation are no reason.
        assert_eq!(m.reason(Some(" 无 "), &rest), None);
        assert_eq!(m.reason(Some("/"), &rest), None);
        assert_eq!(m.reason(Some("N/A"), &rest), None);
        // A reason written in the result after a colon or a bracket.
        let rest = m.refusal(Some("不予许可（不符合法定条件）")).unwrap();
        assert_eq!(m.reason(None, &rest), Some("不符合法定条件".into()));
        let rest = m.refusal(Some("退件:申请材料不齐")).unwrap();
        assert_eq!(m.reason(Some(""), &rest), Some("申请材料不齐".into()));
        // … not a word run on (不予许可决定).
        let rest = m.refusal(Some("作出不予许可决定")).unwrap();
        assert_eq!(m.reason(None, &rest), None);
        // The reason cell wins over the result's text.
        let rest = m.refusal(Some("驳回(重复申请)")).unwrap();
        assert_eq!(
            m.reason(Some("超出受理范围"), &rest),
            Some("超出受理范围".into())
        );
    }

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn after_hours_boundaries_to_the_minute() {
        let (s, cal) = (Schedule::default(), Calendar::official());
        let late = |t: &str| after_hours(dt(t), &s, &cal).unwrap();
        // Thursday 2026-10-15, winter hours 08:30–17:00.
        assert!(late("2026-10-15 08:29:59"));
        assert!(!late("2026-10-15 08:30:00"));
        assert!(!late("2026-10-15 17:00:59"));
        assert!(late("2026-10-15 17:01:00"));
        assert!(late("2026-10-15 18:30:00"));
        // The noon break is within the day.
        assert!(!late("2026-10-15 12:30:00"));
        // Summer hours end at 17:30: 2026-06-11 (Thursday).
        assert!(!late("2026-06-11 17:20:00"));
        assert!(late("2026-06-11 17:31:00"));
        // A date without a time is not 延时 on a working day …
        assert!(!late("2026-10-15 00:00:00"));
        // … a non-working day is, whatever the time: Saturday 10-17, the
        // 国庆 holiday 10-05; Sunday 2026-09-20 a make-up working day (no).
        assert!(late("2026-10-17 10:00:00"));
        assert!(late("2026-10-17 00:00:00"));
        assert!(late("2026-10-05 09:00:00"));
        assert!(!late("2026-09-20 09:00:00"));
        // A year the calendar does not cover is an error, not a guess.
        assert!(after_hours(dt("2031-01-06 09:00:00"), &s, &cal).is_err());
    }

    /// Cases as the store holds them, `mode` and `refusal_reason` left out
    /// (a store written before they existed).
    fn cases() -> DataFrame {
        let mut df = df!(
            "case_id" => ["A1", "A2", "A3", "A4", "A5", "A6"],
            "item_code" => ["I1"; 6],
            "window_id" => ["W1", "W1", "W2", "W2", "W2", "W1"],
            "staff_id" => [Some("s1"), Some("s1"), None, Some("s2"), Some("s2"), Some("s1")],
            "channel" => [Some("窗口"), Some("网上"), Some("预约"), None, Some("窗口"), Some("窗口")],
            "accepted_at" => ["2026-10-15 09:00", "2026-10-15 20:00", "2026-10-17 09:00", "2026-10-16 18:00", "2026-10-16 10:00", "2026-11-02 09:00"],
            "completed_at" => [Some("2026-10-15 09:30"), Some("2026-10-19 10:00"), None, Some("2026-10-16 18:20"), Some("2026-10-20 10:00"), Some("2026-11-02 10:00")],
            "result" => [Some("办结"), Some("不予受理(材料不全)"), Some("不予受理"), Some("准予许可"), Some("不予许可"), Some("退件")],
        )
        .unwrap();
        crate::polars_ext::parse_datetimes(&mut df, &["accepted_at", "completed_at"]);
        df
    }

    fn windows() -> DataFrame {
        df!("window_id" => ["W1", "W2"], "name" => ["一", "二"], "department" => ["税务局", "人社局"]).unwrap()
    }

    /// As of 10-31: A6 (November) is left out.
    /// - A1 窗口 Thu 09:00, completed that day: 现场办结.
    /// - A2 网上 Thu 20:00: online, not 延时 (its time is the applicant's);
    ///   不予受理 with a reason in the result, known on its completion 10-19.
    /// - A3 预约 Saturday: 预约 and 延时; 不予受理 without a completion
    ///   time (known on acceptance, 10-17), no reason.
    /// - A4 no channel, Fri 18:00: 延时; completed that day: 现场办结.
    /// - A5 窗口 Fri 10:00; 不予许可 without a reason, known 10-20.
    fn facts() -> DataFrame {
        let cal = Calendar::official();
        service_facts(
            &cases(),
            &windows(),
            &ServiceRules::default(),
            &Schedule::default(),
            &cal,
            NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        )
        .unwrap()
    }

    fn column<T>(df: &DataFrame, c: &str, f: impl Fn(&Column) -> Vec<T>) -> Vec<T> {
        f(df.column(c).unwrap())
    }

    #[test]
    fn facts_of_a_store_without_the_new_columns() {
        let f = facts();
        assert_eq!(f.height(), 5);
        let bools = |c: &str| {
            column(&f, c, |s| {
                s.bool()
                    .unwrap()
                    .iter()
                    .map(|b| b.unwrap())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(bools("after_hours"), [false, false, true, true, false]);
        assert_eq!(bools("online"), [false, true, false, false, false]);
        assert_eq!(bools("appointment"), [false, false, true, false, false]);
        assert_eq!(bools("on_site"), [true, false, false, true, false]);
        let refused = crate::polars_ext::dates_of(f.column("refused_on").unwrap()).unwrap();
        let d = |s: &str| Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap());
        assert_eq!(
            refused,
            [
                None,
                d("2026-10-19"),
                d("2026-10-17"),
                None,
                d("2026-10-20")
            ]
        );
        assert_eq!(
            opt_strings(&f, "reason").unwrap(),
            [None, Some("材料不全".to_string()), None, None, None]
        );
        assert_eq!(
            opt_strings(&f, "channel")
                .unwrap()
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
            ["窗口", "网上", "预约", NO_CHANNEL, "窗口"]
        );
        assert_eq!(
            opt_strings(&f, "department")
                .unwrap()
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
            ["税务局", "税务局", "人社局", "人社局", "人社局"]
        );
    }

    #[test]
    fn on_site_rate_and_the_share_without_reason_worked_by_hand() {
        let f = facts();
        let m = service_metrics(
            &f,
            NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            &[Grain::Month],
            &["center", "window"],
        )
        .unwrap();
        let row = |key: &str| {
            m.clone()
                .lazy()
                .filter(col("key").eq(lit(key)))
                .collect()
                .unwrap()
        };
        let center = row("center");
        assert_eq!(center.height(), 1);
        let n = |df: &DataFrame, c: &str| df.column(c).unwrap().i64().unwrap().get(0).unwrap();
        let r = |df: &DataFrame, c: &str| df.column(c).unwrap().f64().unwrap().get(0);
        // October: 5 accepted; completed A1, A2, A4, A5 (4), on site A1, A4:
        // 2 / 4; refusals A2, A3, A5 (3), without a reason A3, A5: 2 / 3.
        assert_eq!(n(&center, "accepted"), 5);
        assert_eq!(n(&center, "after_hours"), 2);
        assert_eq!(n(&center, "appointment"), 1);
        assert_eq!(n(&center, "online"), 1);
        assert_eq!(n(&center, "completed"), 4);
        assert_eq!(n(&center, "on_site_completed"), 2);
        assert_eq!(r(&center, "on_site_rate"), Some(0.5));
        assert_eq!(n(&center, "refused"), 3);
        assert_eq!(n(&center, "refused_without_reason"), 2);
        assert_eq!(r(&center, "no_reason_share"), Some(2.0 / 3.0));
        assert_eq!(r(&center, "online_rate"), Some(0.2));
        // W1: A1, A2; no refusal without a reason; W2: A3 has no
        // completion: on-site rate over A4, A5.
        let w1 = row("W1");
        assert_eq!(
            (n(&w1, "refused"), n(&w1, "refused_without_reason")),
            (1, 0)
        );
        assert_eq!(r(&w1, "no_reason_share"), Some(0.0));
        let w2 = row("W2");
        assert_eq!(r(&w2, "on_site_rate"), Some(0.5));
        assert_eq!(r(&w2, "fully_online_rate"), Some(0.0));
        // The schema's columns, in order.
        let names: Vec<String> = m.get_column_names().iter().map(|c| c.to_string()).collect();
        assert_eq!(names, super::super::schema::SERVICES.columns());
    }

    #[test]
    fn a_rate_without_a_denominator_is_null() {
        // Only A3 (Saturday, never completed): no completion, no on-site rate.
        let f = facts()
            .lazy()
            .filter(col("case_id").eq(lit("A3")))
            .collect()
            .unwrap();
        let m = service_metrics(
            &f,
            NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
            &[Grain::Month],
            &["center"],
        )
        .unwrap();
        assert_eq!(
            m.column("on_site_rate").unwrap().f64().unwrap().get(0),
            None
        );
        assert_eq!(
            m.column("no_reason_share").unwrap().f64().unwrap().get(0),
            Some(1.0)
        );
    }

    #[test]
    fn channels_summed_on_the_facts_rows_are_the_events_rolled_up() {
        let as_of = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let spec = channel_spec(as_of);
        let f = facts();
        // A case with no date at all, at a window no other case names, and
        // without a site flag: no event, so no row of its own.
        let none = f
            .clone()
            .lazy()
            .filter(col("case_id").eq(lit("A1")))
            .with_columns([
                lit("A0").alias("case_id"),
                lit("W0").alias("window_id"),
                lit(NULL).cast(DataType::Boolean).alias("on_site"),
            ])
            .with_columns(
                ["acc", "comp", "refused_on"].map(|c| lit(NULL).cast(DataType::Date).alias(c)),
            )
            .collect()
            .unwrap();
        let mut with_none = f.clone();
        with_none.vstack_mut(&none).unwrap();
        for facts in [&f, &with_none] {
            let on_rows = channels_on_rows(facts, &spec).unwrap().unwrap();
            let events = rollup(channel_events(facts).unwrap(), &spec).unwrap();
            assert!(on_rows.equals_missing(&events));
            assert!(on_rows.height() > 0);
        }
        let keys = opt_strings(
            &channels_on_rows(&with_none, &spec).unwrap().unwrap(),
            "key",
        );
        assert!(!keys.unwrap().contains(&Some("W0".to_string())));
        // A case without a channel: the events' roll-up decides.
        let mut no_channel = f.clone();
        no_channel
            .with_column(Column::new(
                "channel".into(),
                (0..f.height())
                    .map(|i| (i > 0).then_some("窗口"))
                    .collect::<Vec<_>>(),
            ))
            .unwrap();
        assert!(channels_on_rows(&no_channel, &spec).unwrap().is_none());
        assert!(service_channels(&no_channel, as_of).unwrap().height() > 0);
    }

    #[test]
    fn channels_count_under_their_channel_and_refusals_list_by_date() {
        let f = facts();
        let c = service_channels(&f, NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()).unwrap();
        let month = c
            .lazy()
            .filter(
                col("grain")
                    .eq(lit("month"))
                    .and(col("level").eq(lit("center"))),
            )
            .collect()
            .unwrap();
        // One row per channel, in the text order of the channels.
        let mut want = [NO_CHANNEL, "窗口", "网上", "预约"]
            .map(str::to_string)
            .to_vec();
        want.sort();
        let channels: Vec<String> = opt_strings(&month, "channel")
            .unwrap()
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(channels, want);
        let window = month
            .lazy()
            .filter(col("channel").eq(lit("窗口")))
            .collect()
            .unwrap();
        let n = |c: &str| window.column(c).unwrap().i64().unwrap().get(0).unwrap();
        assert_eq!(
            (n("accepted"), n("completed"), n("on_site_completed")),
            (2, 2, 1)
        );
        assert_eq!((n("refused"), n("refused_without_reason")), (1, 1));
        let list = refusals_between(
            &f,
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        )
        .unwrap();
        assert_eq!(
            opt_strings(&list, "case_id")
                .unwrap()
                .into_iter()
                .flatten()
                .collect::<Vec<_>>(),
            ["A3", "A2", "A5"]
        );
    }

    #[test]
    fn the_default_rules_are_valid_and_an_empty_word_is_named() {
        assert_eq!(ServiceRules::default().validate(), Ok(()));
        let mut r = ServiceRules::default();
        r.modes.online.push(" ".into());
        assert!(r.validate().unwrap_err().contains("services.modes.online"));
        let mut r = ServiceRules::default();
        r.channels.push(r.channels[0].clone());
        assert!(r.validate().unwrap_err().contains("twice"));
    }
}
