//! The command line: clap definitions only. Each command fills its options
//! and calls the library (see `commands`).

use crate::metrics::period::Period;
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "xiaoneng",
    version,
    about = "效能 — electronic supervision and efficiency analytics for administrative service centers"
)]
pub struct Cli {
    /// The center's folder: its xiaoneng.toml, inbox, store and reports.
    #[arg(long, global = true, env = "XIAONENG_HOME", default_value = ".")]
    pub home: PathBuf,
    /// Configuration file (default: <home>/xiaoneng.toml, if present).
    #[arg(long, global = true, env = "XIAONENG_CONFIG")]
    pub config: Option<PathBuf>,
    /// One center of a province store (its datasets are
    /// `<store>/<table>/center=<ID>/…`): every command then reads and writes
    /// that center only, with its own inbox, archive and reports
    /// (`<inbox>/<ID>/` …) and run log (`nightly-runs-<ID>.jsonl`).
    #[arg(long, global = true, env = "XIAONENG_CENTER_ID")]
    pub center_id: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// The demo's sizes (the profiles of docs/scaling.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoProfile {
    County,
    City,
    Province,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write <home>/xiaoneng.toml with every default and a comment per key.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// The working-day calendar (official holidays and 调休 make-up days).
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
    /// Ingest export files (default: the inbox) into the store.
    Ingest {
        /// Files or folders to ingest.
        paths: Vec<PathBuf>,
        /// Take every file as this table instead of telling from its name.
        #[arg(long)]
        table: Option<String>,
        /// Read files again even if their content was ingested before (their
        /// rows replace the stored ones by key; their rejects are stored again).
        #[arg(long)]
        force: bool,
        /// Show, per file, the table it is taken for and why, its encoding
        /// and line ends, each header's column, the first rows as they would
        /// be stored and the rejects; store nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Generate a demo center (or province), ingest it, run the pipeline and
    /// print the summary.
    Demo {
        /// Seed of the generator: the same seed gives the same center.
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// Size: county (27 windows, 60 000 cases a year, 13 months and the
        /// whole pipeline), city (200 windows, 2 000 000 cases in 2025, the
        /// whole pipeline) or province (100 centers of 1 000 000 cases in
        /// 2025, generated, ingested and computed one center at a time into
        /// one store partitioned by center; case metrics only).
        #[arg(long, value_enum, default_value_t = DemoProfile::County)]
        profile: DemoProfile,
        /// Province only: how many of its centers to build.
        #[arg(long, default_value_t = 100)]
        centers: usize,
        /// Province only: keep each center's generated export files (by
        /// default they are deleted once stored: about 330 MB a center).
        #[arg(long)]
        keep_exports: bool,
    },
    /// Metric tables: one period's rows with 环比, 同比 and targets.
    Metrics {
        #[command(subcommand)]
        family: MetricsCommand,
    },
    /// Red and yellow cards (红黄牌) of a run date, kept as a history.
    Cards {
        /// The run date: cards are judged at the end of this day (default:
        /// the store's date, the last date of its data or of the nightly job).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
        /// Print the card history instead of the cards due: every card
        /// found from the stored facts for every day through the run date,
        /// beside those the runs recorded.
        #[arg(long)]
        history: bool,
        /// With --history: only the cards open on some day from this date
        /// on (raised by --to and not cleared before --from).
        #[arg(long, value_parser = date, requires = "history")]
        from: Option<NaiveDate>,
        /// With --history: only the cards raised on or before this date.
        #[arg(long, value_parser = date, requires = "history")]
        to: Option<NaiveDate>,
        /// Record the run date's cards in the card history (a write, as the
        /// nightly job does); without it `cards` only reads.
        #[arg(long)]
        record: bool,
        #[arg(long, value_enum, default_value_t = crate::view::Format::Table)]
        format: crate::view::Format,
    },
    /// Attendance (考勤): the weekly publication (周公示) or the monthly sheet,
    /// printed and written as CSV under the reports folder.
    Attendance {
        /// An ISO week, e.g. 2026-W41.
        #[arg(long, conflicts_with = "month", required_unless_present = "month")]
        week: Option<String>,
        /// A month, e.g. 2026-10.
        #[arg(long)]
        month: Option<String>,
        /// Evaluation date (default: the day of the last punch).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = crate::view::Format::Table)]
        format: crate::view::Format,
    },
    /// The window ranking (红旗窗口评比) of a period, with 服务之星; --explain
    /// lists the events behind one window's score.
    Rank {
        /// A month, two-month period, quarter or year: 2026-10, 2026-B5, 2026-Q3, 2026.
        #[arg(long, value_parser = period)]
        period: Period,
        /// Who is ranked: windows (红旗窗口 by event points, with their
        /// assessment grade), staff, departments (窗口单位) by the weighted
        /// assessment, or, in a province store, the centers.
        #[arg(long, default_value = "window", value_parser = ["window", "staff", "department", "center"])]
        level: String,
        /// A window id, staff id, department or center: the events and the
        /// dimensions, metrics, values and points behind its scores.
        #[arg(long)]
        explain: Option<String>,
        /// With --explain of a window: only its assessment's metrics (as a
        /// table, a window shows its events, then those; CSV and JSON give
        /// the events unless this is set).
        #[arg(long, requires = "explain")]
        assessment: bool,
        /// Evaluation date (default: the last date with data).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = crate::view::Format::Table)]
        format: crate::view::Format,
    },
    /// The nightly job: ingest the inbox, bring the metric tables up to the
    /// date, raise its cards, write the daily report and, on the first
    /// working day of a week, month, quarter or year, the report of the period
    /// just closed. Exit code 0 done, 1 done with rejected rows, 2 failed.
    Nightly {
        /// The day to close (default: yesterday).
        #[arg(long, value_parser = date)]
        date: Option<NaiveDate>,
        /// The center's name in the reports' titles.
        #[arg(long, default_value = "行政服务中心")]
        center: String,
        /// No progress and no summary (for cron); errors still go to stderr.
        #[arg(long)]
        quiet: bool,
    },
    /// The case metrics of a province store combined across its centers:
    /// one line per center and period, and the province's (全省), counts
    /// re-added and rates recomputed from them.
    Province {
        /// The grain of the rows (with --period: the period's).
        #[arg(long, value_enum, default_value = "year")]
        grain: crate::metrics::period::Grain,
        /// One period only, e.g. 2025-12.
        #[arg(long, value_parser = period)]
        period: Option<Period>,
    },
    /// Recompute the metric tables from the whole store and persist them.
    Compute {
        /// Evaluation date (default: the store's date: the last date of
        /// its data, or the last day the nightly job closed).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
        /// Only this metric family and the tables it draws on (`cases`:
        /// `case_metrics`; see docs/METRICS.md for each family's tables).
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(
            crate::engine::FAMILIES.iter().map(|f| f.name)
        ))]
        only: Option<String>,
        /// With `--only cases`: only these grains (day, week, month, bimonth,
        /// quarter, year); the stored table then holds only them (a
        /// benchmark against another engine).
        #[arg(long, value_enum, requires = "only")]
        grain: Vec<crate::metrics::period::Grain>,
        /// With `--only cases`: only these levels (center, department,
        /// window, staff, item).
        #[arg(long, requires = "only", value_parser = level())]
        level: Vec<String>,
    },
    /// Steps (环节): where the time of each item's cases goes.
    Steps {
        #[command(subcommand)]
        command: StepsCommand,
    },
    /// 督办 notices: the red cards' notices as of a date, their replies
    /// (回告) and escalations (效能告诫, 问责), with names (a read).
    Notices {
        /// The date the notices are followed to (default: the store's date).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
        /// Only the notices still open at the end of that date.
        #[arg(long)]
        open: bool,
        #[arg(long, value_enum, default_value_t = crate::view::Format::Table)]
        format: crate::view::Format,
    },
    /// The 好差评 loop: who to invite to rate.
    Ratings {
        #[command(subcommand)]
        command: RatingsCommand,
    },
    /// The staff review (三在 / 三问) of a period, per staff member.
    Staff {
        /// A month, two-month period, quarter or year: 2026-10, 2026-B5, 2026-Q3, 2026.
        #[arg(long, value_parser = period)]
        period: Period,
        /// Only this staff member.
        #[arg(long)]
        staff: Option<String>,
        /// Evaluation date (default: the last date with case data).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = crate::view::Format::Table)]
        format: crate::view::Format,
    },
    /// Run SQL over every input and metric table of the store.
    Query {
        /// One SQL statement, e.g. "SELECT window_id, count(*) FROM cases GROUP BY window_id".
        sql: String,
        #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
        format: QueryFormat,
        /// Write to this file instead of standard output (required for
        /// parquet and xlsx).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// List the store's tables with their columns and types.
    Tables,
    /// Reports written under the reports folder.
    Report {
        #[command(subcommand)]
        kind: ReportCommand,
    },
    /// The item catalog (事项目录).
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// The supervision board: a read-only web server over the store (today's
    /// cards and volumes, the rankings, a window, a case, the reports, and
    /// the lobby screen at /board). It opens the store read-only, never
    /// writes, and reloads its figures when the store changes.
    Serve {
        /// Address to listen on. A non-loopback address (the hall's LAN)
        /// needs --token or --token-file.
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: std::net::SocketAddr,
        /// The token a browser must give once (`?token=…`, then a cookie)
        /// or send as `Authorization: Bearer …`.
        #[arg(long, env = "XIAONENG_TOKEN", conflicts_with = "token_file")]
        token: Option<String>,
        /// A file holding the token (its first line).
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// Evaluation date (default: the store's date, resolved again at
        /// each reload).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
        /// The center's name in the pages' titles.
        #[arg(long, default_value = "行政服务中心")]
        center: String,
    },
    /// List rejected rows with their file, line and reason.
    Rejects {
        /// Only rows of this table.
        #[arg(long)]
        table: Option<String>,
        /// At most this many rows (newest run first).
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// The monthly bulletin (月通报): reports/<month>/bulletin.md and its tables as CSV.
    Monthly {
        /// The month, e.g. 2026-10.
        #[arg(long)]
        month: String,
        /// The center's name in the title.
        #[arg(long, default_value = "行政服务中心")]
        center: String,
        /// Evaluation date (default: the month's last day).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
    },
    /// The quarterly review (季度评议): the bulletin of a quarter, with its ranking.
    Quarterly {
        /// The quarter, e.g. 2026-Q3.
        #[arg(long)]
        quarter: String,
        #[arg(long, default_value = "行政服务中心")]
        center: String,
        /// Evaluation date (default: the quarter's last day).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
    },
    /// The annual review (年度考核): the year's bulletin with 同比, the twelve
    /// months' trend, the grades of windows, staff and departments and the
    /// red flags of the year: reports/<year>/annual.md, .html and CSV.
    Annual {
        /// The year, e.g. 2026.
        #[arg(long)]
        year: String,
        #[arg(long, default_value = "行政服务中心")]
        center: String,
        /// Evaluation date (default: the year's last day).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
    },
    /// The weekly publication (周公示): attendance and leave per window and staff.
    Weekly {
        /// The ISO week, e.g. 2026-W42.
        #[arg(long)]
        week: String,
    },
    /// The daily report (日报表) of a day: volumes, cards, attendance exceptions.
    Daily {
        /// The day, e.g. 2026-10-29.
        #[arg(long)]
        date: String,
        #[arg(long, default_value = "行政服务中心")]
        center: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum StepsCommand {
    /// Per item, the step that holds its cases longest in a period, its
    /// share of their time and the days a cut would save (流程再造 targets).
    Bottlenecks {
        /// Any period: 2026-10, 2026-Q3, 2026 …
        #[arg(long, value_parser = period)]
        period: Period,
        /// Evaluation date (default: the last date with case data).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
        #[arg(long, value_enum, default_value_t = crate::view::Format::Table)]
        format: crate::view::Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum RatingsCommand {
    /// The invitations to rate (邀评) of a day: the cases completed
    /// `[ratings] invite_after_days` (3) working days before it and not
    /// rated by its end, each on one day only. Printed, and written as CSV
    /// for the SMS platform (`<reports>/<day>/ratings_invite.csv`, or
    /// `--out`). A read: the store is not changed.
    Invite {
        /// The day the invitations go out (default: the store's date).
        #[arg(long, value_parser = date)]
        as_of: Option<NaiveDate>,
        /// Where to write the CSV (default: under the reports folder).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = crate::view::Format::Table)]
        format: crate::view::Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Compare the catalog in force on two dates (a 流程再造 round).
    Compare {
        #[arg(long, value_parser = date)]
        from: NaiveDate,
        #[arg(long, value_parser = date)]
        to: NaiveDate,
        #[arg(long, value_enum, default_value_t = crate::view::Format::Table)]
        format: crate::view::Format,
    },
}

#[derive(Debug, Subcommand)]
pub enum MetricsCommand {
    /// Case efficiency (`case_metrics`): volumes, on-time and early rates,
    /// compression, speed-up, one-visit rate, elapsed working days.
    Cases {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// Ratings (`rating_metrics`): satisfaction, coverage, bad ratings and
    /// their rectification.
    Ratings {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// The queue (`queue_metrics`): waits, service times, no-shows, jumps.
    Queue {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// Supervision incidents (`incident_metrics`) per source and category.
    Incidents {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// 督办 (`supervision_metrics`): notices issued, replied, escalated,
    /// open past their due date.
    Supervision {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// The 好差评 loop (`rating_loop`) per channel: callbacks (实名 within a
    /// working day), rectification, feedback, appeals and exclusions.
    Loop {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// Complaints (`complaint_metrics`): received, accepted and answered in
    /// time, closed, substantiated, open past a deadline.
    Complaints {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// Special services and refusals (`service_metrics`): 预约, 延时, 上门,
    /// 帮办代办, 容缺受理, 绿色通道, 网上申报, 全程网办, 跨域通办, 现场办结率,
    /// 不予受理 and the share without a reason.
    Services {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// The cases of each channel (`service_channels`; levels center,
    /// department, window): accepted, completed, 现场办结率, refusals.
    Channels {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// The three zeros (三零) of every window (`--level` is not used).
    Zeros {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// The queue jumps (插队) of tickets issued in the period (`--level` is
    /// not used).
    Jumps {
        #[command(flatten)]
        args: MetricsArgs,
    },
    /// The queue by half hour and weekday of the issue time (`queue_hours`,
    /// 分时段等候): tickets, waits, over the target, crowded half hours; a
    /// month, two months, quarter or year; `--level` center or queue.
    QueueHours {
        #[command(flatten)]
        args: MetricsArgs,
    },
}

#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    /// The period: 2026-10-08, 2026-W41, 2026-10, 2026-B5, 2026-Q4 or 2026.
    #[arg(long, value_parser = period)]
    pub period: Period,
    /// The grain, if you want it checked against the period label.
    #[arg(long, value_enum)]
    pub grain: Option<crate::metrics::period::Grain>,
    /// center, department, window, staff or item; for the queue also queue
    /// (the service) and queue_window.
    #[arg(long, default_value = "center", value_parser = metrics_level())]
    pub level: String,
    /// Evaluation date (default: the last date with data).
    #[arg(long, value_parser = date)]
    pub as_of: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = MetricsFormat::Table)]
    pub format: MetricsFormat,
    /// Write to this file instead of standard output (required for xlsx).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// With csv, json or xlsx: add the previous period's and the previous
    /// year's values (环比, 同比) and, for cases, the targets met.
    #[arg(long)]
    pub compare: bool,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// Load a year's official holiday list (CSV `date,workday,name`, UTF-8
    /// or GBK) into the store; it wins over the provisional rule and over a
    /// built-in list of that year.
    Import {
        /// The list, e.g. the State Council notice typed as CSV.
        file: PathBuf,
    },
    /// Where each covered year's days come from: official (built in or
    /// imported), provisional, local.
    Status,
    /// Every date of a range and whether it is a working day.
    Days {
        #[arg(long, value_parser = date)]
        from: NaiveDate,
        #[arg(long, value_parser = date)]
        to: NaiveDate,
        #[arg(long, value_enum, default_value_t = DaysFormat::Csv)]
        format: DaysFormat,
    },
    /// The deadline of a case accepted on a date with a limit of N working days.
    Deadline {
        #[arg(long, value_parser = date)]
        accepted: NaiveDate,
        #[arg(long)]
        days: u32,
    },
    /// Working days d with from < d ≤ to.
    Elapsed {
        #[arg(long, value_parser = date)]
        from: NaiveDate,
        #[arg(long, value_parser = date)]
        to: NaiveDate,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    Table,
    Csv,
    Json,
    Parquet,
    /// A workbook of one sheet (needs --out).
    Xlsx,
}

/// The formats of `metrics`: those of the other data commands, and a
/// workbook with Chinese headers (needs --out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricsFormat {
    Table,
    Csv,
    Json,
    /// A workbook of one sheet with Chinese headers (needs --out).
    Xlsx,
}

impl MetricsFormat {
    /// The printed format, `None` for a workbook.
    pub fn printed(self) -> Option<crate::view::Format> {
        use crate::view::Format;
        match self {
            MetricsFormat::Table => Some(Format::Table),
            MetricsFormat::Csv => Some(Format::Csv),
            MetricsFormat::Json => Some(Format::Json),
            MetricsFormat::Xlsx => None,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DaysFormat {
    Csv,
    Table,
}

/// A date on the command line, in any form the exports use (2026-10-08,
/// 2026/10/8, 20261008, 2026年10月8日).
pub fn date(s: &str) -> Result<NaiveDate, String> {
    crate::ingest::values::parse_date(s).map_err(|e| e.to_string())
}

/// A period label: 2026-10-08, 2026-W41, 2026-10, 2026-B5, 2026-Q4 or 2026.
pub fn period(s: &str) -> Result<Period, String> {
    crate::metrics::period::parse_period(s).map_err(|e| format!("{e:#}"))
}

/// A level of the metric tables: center, department, window, staff, item.
pub fn level() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::metrics::rollup::LEVELS.iter().map(|(l, _)| *l))
}

/// A level of `metrics`: those of [`level`] and the queue's own
/// (`queue`, `queue_window`).
pub fn metrics_level() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(
        crate::metrics::rollup::LEVELS
            .iter()
            .map(|(l, _)| *l)
            .chain(crate::metrics::queue::QUEUE_LEVELS),
    )
}
