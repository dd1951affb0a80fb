//! Configuration: `xiaoneng.toml` in the run's home folder, then flags,
//! resolved into one checked [`Settings`] before any work starts.

use crate::attendance::Schedule;
use crate::calendar::{Calendar, DayOverride, YearSource};
use crate::ingest::decode::EncodingChoice;
use crate::ingest::{table, ColumnAliases, IngestOptions};
use crate::metrics::assessment::AssessmentRules;
use crate::metrics::cards::CardRules;
use crate::metrics::compare::Targets;
use crate::metrics::complaints::ComplaintRules;
use crate::metrics::queue::QueueRules;
use crate::metrics::ratings::RatingRules;
use crate::metrics::scoring::ScoringRules;
use crate::metrics::services::ServiceRules;
use crate::metrics::supervision::SupervisionRules;
use crate::metrics::zeros::IncidentRules;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The file name of the configuration in a home folder.
pub const CONFIG_FILE: &str = "xiaoneng.toml";

/// `xiaoneng.toml` as written.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub paths: PathsConfig,
    pub ingest: IngestConfig,
    pub calendar: CalendarConfig,
    pub targets: Targets,
    pub cards: CardRules,
    /// The attendance schedule (`[attendance]`).
    pub attendance: Schedule,
    pub ratings: RatingRules,
    pub queue: QueueRules,
    pub incidents: IncidentRules,
    pub scoring: ScoringRules,
    /// 督办 (`[supervision]`).
    pub supervision: SupervisionRules,
    /// Complaints (`[complaints]`).
    pub complaints: ComplaintRules,
    /// Assessment (考核): weighted dimensions and grades (`[assessment]`).
    pub assessment: AssessmentRules,

    /// Special services and refusals (`[services]`).
    pub services: ServiceRules,
    /// How many working days a feed may lag before the nightly job says so.
    pub freshness: Freshness,
    /// Extra header aliases: `[columns.cases] "收件时间" = "accepted_at"`.
    pub columns: ColumnAliases,
    /// Extra value words: `[values.tickets.priority] "低保户" = "true"`.
    pub values: crate::ingest::ValueWords,
}

/// A feed that stops is noticed (`[freshness]`): for each table, how many
/// working days before the day being closed its last row may lie. 0: the
/// closed working day itself must have rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Freshness {
    pub punches: u32,
    pub cases: u32,
    pub ratings: u32,
    pub tickets: u32,
}

impl Default for Freshness {
    fn default() -> Self {
        Freshness {
            punches: 0,
            cases: 0,
            ratings: 1,
            tickets: 0,
        }
    }
}

impl Freshness {
    /// (table, tolerance in working days, the column that dates a row, the
    /// feed's name in the daily report).
    pub fn feeds(&self) -> [(&'static str, u32, &'static str, &'static str); 4] {
        [
            ("punches", self.punches, "punched_at", "考勤打卡"),
            ("cases", self.cases, "accepted_at", "办件"),
            ("ratings", self.ratings, "rated_at", "好差评"),
            ("tickets", self.tickets, "issued_at", "排队叫号"),
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PathsConfig {
    pub inbox: PathBuf,
    pub store: PathBuf,
    pub reports: PathBuf,
    pub archive: PathBuf,
    pub run_log: PathBuf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    pub encoding: EncodingChoice,
    pub max_field_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalendarConfig {
    pub add_years: Vec<i32>,
    pub days: Vec<DayConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayConfig {
    pub date: String,
    pub workday: bool,
    #[serde(default)]
    pub name: String,
}

impl Default for PathsConfig {
    fn default() -> Self {
        PathsConfig {
            inbox: "data/inbox".into(),
            store: "data/store".into(),
            reports: "reports".into(),
            archive: "data/archive".into(),
            run_log: "data/nightly-runs.jsonl".into(),
        }
    }
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            encoding: EncodingChoice::Auto,
            max_field_bytes: 65_536,
        }
    }
}

/// The commented configuration `xiaoneng init` writes: every key with its
/// default.
pub const TEMPLATE: &str = r#"# xiaoneng.toml — configuration of one service center.
# Paths are relative to the folder holding this file (the --home folder).

[paths]
# Where export files are dropped for `xiaoneng ingest`.
inbox = "data/inbox"
# The Parquet store (one hive-partitioned dataset per table).
store = "data/store"
# Where reports and charts are written.
reports = "reports"
# Where `xiaoneng nightly` moves the inbox files it has ingested, under a
# folder per run date.
archive = "data/archive"
# The nightly job's run log: one JSON record per run, appended.
run_log = "data/nightly-runs.jsonl"

[ingest]
# Encoding of CSV exports: "auto" (BOM, then UTF-8, then GBK/GB18030),
# "utf-8" or "gbk". A BOM always wins.
encoding = "auto"
# A field longer than this many bytes rejects its row.
max_field_bytes = 65536

[calendar]
# The official holidays and make-up working days of 2010–2026 are built in;
# a later year's State Council list is loaded with
#   xiaoneng calendar import FILE      (CSV date,workday,name; UTF-8 or GBK)
# and kept in the store. The year after the last official one is covered
# provisionally (weekdays work, less 1 Jan, 1–2 May and 1–3 Oct) until its
# list is loaded; `xiaoneng calendar status` shows each year's source.
# Years to cover by the plain weekday rule instead (plus `days` below):
add_years = []
# Days that differ: local holidays.
# [[calendar.days]]
# date = "2027-01-01"
# workday = false
# name = "元旦"
days = []

[freshness]
# A feed that stops is noticed: when the nightly job closes a working day,
# a table that brought rows for earlier days but none on that day or the
# working days allowed here before it is named (stderr, the run log, the
# daily report). In working days.
punches = 0
cases = 0
ratings = 1
tickets = 0

[targets]
# Targets of the case figures (shares, 0–1); reports say met or missed.
# Promise compression: 1 − Σ promised / Σ legal limits.
promise_compression = 0.5
# Actual speed-up: 1 − Σ elapsed / Σ promised working days.
actual_speedup = 0.3
# On-time completion of promised cases.
on_time_rate = 0.98

[cards]
# Supervision cards: red when a case is past its deadline (an instant case
# still open at the end of its day); yellow when near it:
#   rule = "days":  at most `yellow_days` working days left;
#   rule = "share": at least `yellow_share` of the (extended) limit used.
rule = "days"
yellow_days = 1
yellow_share = 0.8

[ratings]
# The lowest rating level (1–5) that counts as satisfied.
satisfied_min_level = 3
# A bad rating (level 1–2) must be rectified within this many working days.
rectify_within_days = 5
# 邀评: a completed case still without a rating this many working days
# after its completion is on that day's list (`ratings invite`).
invite_after_days = 3

[queue]
# A wait (called − issued) longer than this counts as over the target.
wait_target_minutes = 30
# queue_hours and the bulletin: a half hour of a weekday (by issue time) is
# crowded when, on an average such day of the period, more than this many
# people waited longer than the target in it.
crowded_over = 5

[incidents]
# Sources that are complaints (零距离服务 counts substantiated ones).
complaint_sources = ["投诉"]
# Categories that are favouritism (零关系办事).
favouritism_categories = ["优亲厚友", "吃拿卡要"]
# Categories that bar a window from the red flag that period (一票否决).
veto_categories = ["吃拿卡要"]
# Points of a substantiated incident whose row gives none: its category's
# here, else its source's below (a warning at ingest names the rows that
# get neither: they cost 0 points).
[incidents.default_points]
# "吃拿卡要" = -5.0

[incidents.source_points]
"投诉" = -2.0
"暗访" = -2.0
"巡查" = -1.0
"表扬" = 1.0
"锦旗" = 2.0

[scoring]
# Every window starts each period (month, two months, quarter, year) at
# `base`; each event adds its points (negative = deduction).
base = 100.0
late = -0.5
early = -0.5
missing_punch = -0.5
absence_half_day = -2.0
overlong_departure = -1.0
departure_without_cover = -0.5
overdue_completed = -2.0
overdue_open = -2.0
# A step (环节) finished past its limit, on the case's window and the step's
# handler.
overdue_step = -1.0
correction = -2.0
bad_rating = -1.0
late_rectification = -2.0
queue_jump = -2.0
# A 督办 notice escalated to 效能告诫 (stage 2), then referred for 问责
# (stage 3), on the card's window and staff member.
warning = -2.0
referral = -5.0
# A window's rate of the period below its [targets] value.
missed_on_time = -5.0
missed_compression = -3.0
missed_speedup = -3.0
# Positive incident points (锦旗, 表扬信) of a period count up to this total.
commendation_cap = 5.0
# How many eligible windows are 红旗窗口, how many at the bottom are named
# (the last must rectify), how many staff are 服务之星.
red_flags = 3
bottom = 3
stars = 3
# Divide a window's points by its headcount.
per_head = false

[supervision]
# A red card opens a 督办 notice; its reply (回告) is due this many working
# days after it opens, and again after it escalates to 效能告诫. Unanswered
# past its due date it escalates on the next working day (then to 问责).
reply_days = 2

[complaints]
# A complaint (投诉, 12345, 效能热线 …) is accepted or declined within
# `accept_days` working days of receipt, and answered within `answer_days`
# working days of acceptance; past either it is a card.
accept_days = 3
answer_days = 5
# Points of a substantiated (属实) and of a partly substantiated (部分属实)
# complaint whose row gives none, on its window and staff member.
substantiated_points = -2.0
partly_points = -1.0

[assessment]
# Assessment (考核): windows, staff and departments (窗口单位) graded per
# month, two months, quarter and year. Each dimension scores 0–100: the
# weighted mean of its metrics' points (metrics without a figure left
# out); the total is the weighted mean of the dimensions with a figure.
# A subject is graded when those dimensions carry at least `min_weight`
# percent of the weight. The red-flag ranking ([scoring]) is unchanged;
# its score is the metric "event_score".
min_weight = 50.0
# Below every band, or with a 一票否决 incident in the period.
fail = "不合格"
# Best first: at least `min` points and, with a quota, at most that share
# of those graded (rounded down), best first; the rest take the next band.
grades = [
    { name = "优秀", min = 90.0, quota = 0.2 },
    { name = "良好", min = 80.0 },
    { name = "合格", min = 60.0 },
]

# A metric is `table.column` of a metric table (summed over sources and
# categories; rating_loop's 全部 row) or exceptions_per_head_month,
# overlong_departures_per_head_month, substantiated_incidents (属实 incidents
# and complaints, commendations not), event_score. Its points (0–100):
#   linear = [zero, full]          0 at zero, 100 at full, straight between;
#   at_least = [[t, points], …]    the first threshold reached (value ≥ t);
#   at_most = [[t, points], …]     the first threshold kept (value ≤ t);
# 0 past every threshold. `absent`: the value where the table has no row;
# `per_month = true`: the value over the months of the period (a count
# scored alike in a month and a year).
[[assessment.dimensions]]
name = "办件效能"
weight = 40.0
metrics = [
    { metric = "case_metrics.on_time_rate", weight = 60.0, linear = [0.9, 1.0] },
    { metric = "case_metrics.early_rate", weight = 20.0, linear = [0.0, 0.5] },
    { metric = "case_metrics.promise_compression", weight = 20.0, linear = [0.0, 0.5] },
]

[[assessment.dimensions]]
name = "群众满意"
weight = 30.0
metrics = [
    { metric = "rating_metrics.satisfaction_rate", weight = 70.0, linear = [0.9, 1.0] },
    { metric = "rating_metrics.on_time_rectification_rate", weight = 30.0, linear = [0.0, 1.0] },
]

[[assessment.dimensions]]
name = "工作纪律"
weight = 20.0
metrics = [
    { metric = "exceptions_per_head_month", weight = 70.0, linear = [4.0, 0.0] },
    { metric = "overlong_departures_per_head_month", weight = 30.0, linear = [2.0, 0.0] },
]

[[assessment.dimensions]]
name = "服务规范"
weight = 10.0
metrics = [
    { metric = "substantiated_incidents", weight = 100.0, at_most = [[0.0, 100.0], [1.0, 60.0], [2.0, 30.0]], absent = 0.0, per_month = true },
]

[services]
# Special services (特色服务) and refusals: `service_metrics`,
# `service_channels`. A case's service modes are told from the words of its
# channel and of its mode cell (服务方式 / 办理方式 / 特色服务 …), each cut into
# words at 、,，;；/| and spaces; a word counts for every mode one of whose
# words it holds (case-folded), but a word holding a 预约 word is not also
# 网上申报 (网上预约 books a visit); a 全程网办 case is 网上申报 too.
# 延时 is no word: a case accepted before the morning start or after the
# afternoon end of the [attendance] hours of its day (to the minute), or on
# a non-working day. A case applied online (网上申报) is 延时 too only when
# this is true (its time is the applicant's, not a window open late):
after_hours_online = false
# A result (办理结果) holding one of these words is a refusal. Its reason is
# the refusal_reason cell (不予受理理由, 退件原因 …), else what the result says
# after the word and a colon, comma or bracket (不予许可（不符合法定条件）).
refusal_words = ["不予受理", "不予许可", "不予批准", "不予办理", "不予登记", "不予备案", "不予核准", "不予认定", "不予通过", "不予审批", "退件", "驳回", "拒绝"]
# A reason that is one of these words (or only punctuation) is no reason.
empty_reasons = ["无", "暂无", "空", "略", "未填写", "null", "none", "n/a"]

[services.modes]
appointment = ["预约"]
door_to_door = ["上门", "送证上门", "送达上门", "上门服务"]
assisted = ["帮办", "代办"]
accepted_incomplete = ["容缺"]
green_channel = ["绿色通道"]
online = ["网上", "网办", "网申", "互联网", "政务服务网", "一网通办", "在线", "掌上", "app", "小程序", "微信", "支付宝"]
fully_online = ["全程网办", "全流程网办", "不见面", "零跑腿"]
cross_region = ["跨域通办", "跨省通办", "省内通办", "跨市通办", "跨区通办", "全国通办", "异地"]

# The channels of `service_channels`, in order: a case counts under the
# first whose word its channel cell holds (case-folded), else under its
# channel as written, or 未填写 when it has none.
[[services.channels]]
name = "预约"
words = ["预约"]

[[services.channels]]
name = "掌上"
words = ["掌上", "app", "小程序", "微信", "支付宝", "手机"]

[[services.channels]]
name = "网上"
words = ["网上", "网办", "网申", "互联网", "政务服务网", "一网通办", "在线", "网站"]

[[services.channels]]
name = "自助"
words = ["自助", "一体机", "终端"]

[[services.channels]]
name = "邮寄"
words = ["邮寄", "快递", "寄递", "ems"]

[[services.channels]]
name = "窗口"
words = ["窗口", "现场", "大厅", "柜台", "线下"]

[attendance]
# Summer hours from this day, winter hours from the other (MM-DD).
summer_from = "05-01"
winter_from = "10-01"
# Minutes of grace before a punch counts as late / early.
late_grace_minutes = 0
early_grace_minutes = 0
# Lateness of this many minutes or more counts as half a day's absence (0: off).
absence_late_minutes = 30
# A departure longer than this, without leave, is overlong.
departure_limit_minutes = 20
# The bulletin names (实名通报) a staff member of a window whose period has at
# least this many absent half days, days late or overlong departures
# (0 turns that criterion off).
name_absent_half_days = 1
name_late_times = 3
name_overlong_departures = 1

# The four punch times of a summer day, and the window of each (a punch in
# a window belongs to that slot; duplicates collapse).
[attendance.summer]
morning_in = "08:30"
morning_out = "12:00"
afternoon_in = "14:30"
afternoon_out = "17:30"
morning_in_window = { from = "06:00", to = "10:30" }
morning_out_window = { from = "11:00", to = "13:29" }
afternoon_in_window = { from = "13:30", to = "15:30" }
afternoon_out_window = { from = "16:00", to = "23:59" }

[attendance.winter]
morning_in = "08:30"
morning_out = "12:00"
afternoon_in = "14:00"
afternoon_out = "17:00"
morning_in_window = { from = "06:00", to = "10:30" }
morning_out_window = { from = "11:00", to = "12:59" }
afternoon_in_window = { from = "13:00", to = "15:30" }
afternoon_out_window = { from = "16:00", to = "23:59" }

# Extra header aliases per table, header = column (headers are matched
# case-folded, full-width as half-width, without spaces, underscores,
# hyphens or a unit in brackets; many vendors' headers are built in):
# [columns.cases]
# "收件时间" = "accepted_at"
[columns]

# Extra value words per table and column, word = the value it stands for
# (built in: rating levels 非常满意…非常不满意, priority classes 普通/老年人/
# 残疾人/军人/孕妇/绿色通道/VIP/预约…, ticket status words):
# [values.tickets.priority]
# "低保户" = "true"
[values]
"#;

/// Everything a command needs, resolved and checked.
#[derive(Debug, Clone)]
pub struct Settings {
    pub home: PathBuf,
    /// One center of a province store (`--center-id`), or None.
    pub center_id: Option<String>,
    pub config_file: Option<PathBuf>,
    pub inbox: PathBuf,
    pub store: PathBuf,
    pub reports: PathBuf,
    pub archive: PathBuf,
    pub run_log: PathBuf,
    pub calendar: Calendar,
    pub ingest: IngestOptions,
    pub targets: Targets,
    pub cards: CardRules,
    pub attendance: Schedule,
    pub ratings: RatingRules,
    pub queue: QueueRules,
    pub incidents: IncidentRules,
    pub scoring: ScoringRules,
    pub supervision: SupervisionRules,
    pub complaints: ComplaintRules,
    pub assessment: AssessmentRules,
    pub services: ServiceRules,
    pub freshness: Freshness,
}

impl Settings {
    /// One center of a province store (`--center-id`): its own inbox,
    /// archive and reports (`<inbox>/<id>/` …) and run log
    /// (`<run_log stem>-<id>.jsonl`), so that its nightly job takes only its
    /// files.
    pub fn narrow_to_center(&mut self, id: &str) {
        self.inbox = self.inbox.join(id);
        self.archive = self.archive.join(id);
        self.reports = self.reports.join(id);
        let stem = self
            .run_log
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        self.run_log = self.run_log.with_file_name(format!("{stem}-{id}.jsonl"));
        self.center_id = Some(id.to_string());
    }
}

impl Config {
    /// Read a configuration file.
    pub fn from_file(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the configuration {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid configuration {}", path.display()))
    }

    /// Check the configuration and resolve it against `home`.
    pub fn resolve(self, home: &Path, config_file: Option<PathBuf>) -> Result<Settings> {
        let where_ = config_file.as_ref().map_or_else(
            || "the configuration".to_string(),
            |p| p.display().to_string(),
        );
        let mut overrides = Vec::new();
        for d in &self.calendar.days {
            let date = crate::ingest::values::parse_date(&d.date)
                .map_err(|e| anyhow::anyhow!("{where_}: [[calendar.days]] date: {e}"))?;
            overrides.push(DayOverride {
                date,
                workday: d.workday,
                name: d.name.clone(),
            });
        }
        let store = home.join(&self.paths.store);
        let calendar = calendar_of(&store, &self.calendar.add_years, &overrides)
            .with_context(|| format!("{where_}: [calendar]"))?;
        for (t, aliases) in &self.columns {
            let Some(spec) = table::table(t) else {
                bail!("{where_}: [columns.{t}]: there is no table '{t}'");
            };
            for (header, column) in aliases {
                if spec.column_index(column).is_none() {
                    bail!(
                        "{where_}: [columns.{t}] \"{header}\" = \"{column}\": {t} has no column {column} (columns: {})",
                        spec.columns.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
                    );
                }
            }
        }
        for (t, columns) in &self.values {
            let Some(spec) = table::table(t) else {
                bail!("{where_}: [values.{t}]: there is no table '{t}'");
            };
            for column in columns.keys() {
                if spec.column_index(column).is_none() {
                    bail!("{where_}: [values.{t}.{column}]: {t} has no column {column}");
                }
            }
        }
        for (name, v) in [
            ("promise_compression", self.targets.promise_compression),
            ("actual_speedup", self.targets.actual_speedup),
            ("on_time_rate", self.targets.on_time_rate),
        ] {
            if !(0.0..=1.0).contains(&v) {
                bail!("{where_}: targets.{name} = {v}: a target is a share between 0 and 1 (e.g. 0.98)");
            }
        }
        if !(1..=5).contains(&self.ratings.satisfied_min_level) {
            bail!("{where_}: ratings.satisfied_min_level must be a level from 1 to 5");
        }
        if self.queue.wait_target_minutes < 0 {
            bail!("{where_}: queue.wait_target_minutes must be 0 or more");
        }
        if !(0.0..=1.0).contains(&self.cards.yellow_share) || self.cards.yellow_days < 0 {
            bail!(
                "{where_}: [cards] yellow_days must be 0 or more and yellow_share between 0 and 1"
            );
        }
        self.assessment
            .check(crate::metrics::schema::assessable)
            .map_err(|e| anyhow::anyhow!("{where_}: {e}"))?;
        self.attendance
            .validate()
            .map_err(|e| anyhow::anyhow!("{where_}: [attendance]: {e}"))?;
        self.services
            .validate()
            .map_err(|e| anyhow::anyhow!("{where_}: [services]: {e}"))?;
        if self.ingest.max_field_bytes == 0 {
            bail!("{where_}: ingest.max_field_bytes must be at least 1");
        }
        let covered_years = calendar.covered_years();
        Ok(Settings {
            home: home.to_path_buf(),
            config_file,
            inbox: home.join(&self.paths.inbox),
            store,
            center_id: None,
            reports: home.join(&self.paths.reports),
            archive: home.join(&self.paths.archive),
            run_log: home.join(&self.paths.run_log),
            calendar,
            targets: self.targets,
            cards: self.cards,
            attendance: self.attendance,
            ratings: self.ratings,
            queue: self.queue,
            incidents: self.incidents.clone(),
            scoring: self.scoring,
            supervision: self.supervision,
            complaints: self.complaints,
            assessment: self.assessment,
            services: self.services,
            freshness: self.freshness,
            ingest: IngestOptions {
                encoding: self.ingest.encoding,
                max_field_bytes: self.ingest.max_field_bytes,
                aliases: self.columns,
                values: self.values,
                incidents: self.incidents.clone(),
                table: None,
                years: covered_years,
                force: false,
            },
        })
    }
}

/// The working-day calendar of a home: the built-in official years, the
/// lists imported into its store (each wins over a built-in list of its
/// year), the configured `add_years`, the provisional year after the last
/// official one, then the configured days.
pub fn calendar_of(store: &Path, add_years: &[i32], days: &[DayOverride]) -> Result<Calendar> {
    let mut calendar = Calendar::official();
    for y in crate::store::imported_calendar(store)? {
        let source = YearSource::Imported {
            file: y.file.clone(),
            loaded_at: y.loaded_at.clone(),
        };
        calendar = calendar
            .with_official_year(y.year, &y.csv, source)
            .with_context(|| format!("the imported holiday list of {}", y.year))?;
    }
    Ok(calendar
        .with_local_years(add_years)?
        .with_provisional_year()
        .with_overrides(days)?)
}

impl Settings {
    /// Load `<home>/xiaoneng.toml` (or `config`), or the defaults when
    /// there is no such file.
    pub fn load(home: &Path, config: Option<&Path>) -> Result<Settings> {
        let (cfg, file) = match config {
            Some(p) => (Config::from_file(p)?, Some(p.to_path_buf())),
            None => {
                let p = home.join(CONFIG_FILE);
                if p.exists() {
                    (Config::from_file(&p)?, Some(p))
                } else {
                    (Config::default(), None)
                }
            }
        };
        cfg.resolve(home, file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_the_defaults() {
        let parsed: Config = toml::from_str(TEMPLATE).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn unknown_keys_and_columns_are_named() {
        let e = toml::from_str::<Config>("[paths]\ninbx = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("inbx"), "{e}");
        let cfg: Config = toml::from_str("[columns.cases]\n\"收件时间\" = \"accepted\"\n").unwrap();
        let e = cfg.resolve(Path::new("."), None).unwrap_err();
        assert!(
            format!("{e:#}").contains("cases has no column accepted"),
            "{e:#}"
        );
    }

    #[test]
    fn service_words_are_configured_and_checked() {
        let cfg: Config = toml::from_str(
            "[services.modes]\nassisted = [\"代办\", \"帮办员\"]\n[[services.channels]]\nname = \"窗口\"\nwords = [\"窗口\"]\n",
        )
        .unwrap();
        // A mode not written keeps its default words; the channels given
        // replace the default list.
        assert_eq!(cfg.services.modes.assisted, ["代办", "帮办员"]);
        assert_eq!(cfg.services.modes.appointment, ["预约"]);
        assert_eq!(cfg.services.channels.len(), 1);
        let e = toml::from_str::<Config>("[services.modes]\nonline_words = []\n").unwrap_err();
        assert!(e.to_string().contains("online_words"), "{e}");
        let cfg: Config =
            toml::from_str("[services]\nrefusal_words = [\"不予受理\", \"\"]\n").unwrap();
        let e = cfg.resolve(Path::new("."), None).unwrap_err();
        assert!(format!("{e:#}").contains("[services]"), "{e:#}");
    }

    #[test]
    fn added_year_extends_the_calendar() {
        let cfg: Config = toml::from_str(
            "[calendar]\nadd_years = [2027]\n[[calendar.days]]\ndate = \"2027-06-01\"\nworkday = false\nname = \"local\"\n",
        )
        .unwrap();
        let s = cfg.resolve(Path::new("."), None).unwrap();
        let d = chrono::NaiveDate::from_ymd_opt(2027, 6, 1).unwrap();
        assert_eq!(s.calendar.is_workday(d), Ok(false));
        let d = chrono::NaiveDate::from_ymd_opt(2027, 6, 2).unwrap();
        assert_eq!(s.calendar.is_workday(d), Ok(true));
    }
}
