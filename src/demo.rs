//! The synthetic demo county center (演示县政务服务中心).
//!
//! `generate` writes thirteen months (by default) of realistic export files
//! for a county administrative service center of the size docs/scaling.md calls
//! "county": 27 windows of 22 departments, about 100 staff, about 200 items
//! in two catalog versions (a 流程再造 round on 2026-04-01), about 60 000
//! cases, 50 000 ratings, 70 000 queue tickets and 100 000 fingerprint
//! punches a year, with leave, departures, suspensions, steps, corrections
//! and supervision incidents. It exists so that every report, chart, ranking
//! and query of the program can be tried, shown and tested end to end
//! without a real center's data.
//!
//! The files look like what the center's systems export: one `cases-YYYY-MM`
//! file a month, a ZKTeco `attlog.dat`, the quarterly 民主评议 questionnaires
//! as a GBK CSV with Chinese headers as Excel writes it. Patterns that the
//! supervision office looks for are planted on purpose: a few poorly run
//! windows (more overdue cases, corrections, bad ratings, incidents), habitual
//! late-comers, overlong departures without cover, queue jumps at three
//! windows, open overdue cases, bad ratings rectified late or never, and about
//! twenty deliberately malformed rows that ingestion must reject.
//!
//! Generation is deterministic: a small SplitMix64 generator with one stream
//! per table, so the same [`DemoSpec`] gives byte-identical files. Working
//! days come from the [`Calendar`]; only dates inside the requested months
//! are ever looked up, and anything that would happen after the last day
//! (a completion, a rating, a rectification) is left out, as in a real
//! export taken that night.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Weekday};

use crate::calendar::Calendar;

// ------------------------------------------------------------------ API

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    /// Seed of the pseudo-random generator.
    pub seed: u64,
    /// First month (year, month) of the generated period.
    pub first_month: (i32, u32),
    /// Number of months generated.
    pub months: u32,
    /// Windows of the center: the county's 27 repeated hall after hall
    /// (a city center's 分厅), the last hall possibly cut short.
    pub windows: usize,
    /// Head count of each window, in percent of the county's.
    pub staff_percent: u32,
    /// Cases accepted a year on working days (Saturday appointments come on top).
    pub cases_per_year: u32,
    /// Queue tickets issued a year.
    pub tickets_per_year: u32,
}

impl Default for DemoSpec {
    /// The county: seed 7, October 2025 through October 2026 (13 months).
    fn default() -> Self {
        Self {
            seed: 7,
            first_month: (2025, 10),
            months: 13,
            windows: WINDOWS.len(),
            staff_percent: 100,
            cases_per_year: 60_000,
            tickets_per_year: 70_000,
        }
    }
}

/// The sizes of docs/scaling.md: a county center (the demo), a city center, and
/// one center of a province (a province is 100 of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    County,
    City,
    ProvinceCenter,
}

impl Profile {
    /// The profile's spec. The county keeps the demo's 13 months; the city
    /// and the province's centers are one calendar year, 2025, the year
    /// whose volumes docs/scaling.md gives.
    pub fn spec(self, seed: u64) -> DemoSpec {
        let county = DemoSpec {
            seed,
            ..DemoSpec::default()
        };
        match self {
            Profile::County => county,
            // 200 windows, about 1 000 staff, 2 000 000 cases a year.
            Profile::City => DemoSpec {
                first_month: (2025, 1),
                months: 12,
                windows: 200,
                staff_percent: 135,
                cases_per_year: 2_000_000,
                tickets_per_year: 2_200_000,
                ..county
            },
            // A hundredth of the province: 100 windows, about 500 staff,
            // 1 000 000 cases a year.
            Profile::ProvinceCenter => DemoSpec {
                first_month: (2025, 1),
                months: 12,
                windows: 100,
                staff_percent: 135,
                cases_per_year: 1_000_000,
                tickets_per_year: 1_100_000,
                ..county
            },
        }
    }
}

impl DemoSpec {
    /// Halls of 27 windows (the last one possibly partial).
    fn halls(&self) -> usize {
        self.windows.div_ceil(WINDOWS.len()).max(1)
    }
}

/// The item the demo plants with a clear bottleneck, and its bottleneck
/// step (see `PLANTED_BOTTLENECK_WEIGHT`).
pub fn planted_bottleneck(spec: &DemoSpec, cal: &Calendar) -> Result<(String, &'static str)> {
    let days = Days::build(spec, cal)?;
    let center = Center::build(spec, &days);
    let item = center
        .items
        .iter()
        .find(|it| it.planted)
        .context("the demo planted no bottleneck")?;
    let names = step_names(item.v2.steps);
    Ok((
        item.code.clone(),
        names[item.bottleneck.min(names.len() - 1)],
    ))
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct DemoFiles {
    /// Every file written, in writing order.
    pub files: Vec<PathBuf>,
    /// Number of deliberately malformed rows planted in the files.
    pub malformed_rows: usize,
}

/// Writes the demo center's export files into `dir` (created if missing;
/// files of the same names are overwritten, nothing else is touched).
pub fn generate(spec: &DemoSpec, cal: &Calendar, dir: &Path) -> Result<DemoFiles> {
    let days = Days::build(spec, cal)?;
    let center = Center::build(spec, &days);
    let (leaves, roster) = gen_leaves(spec.seed, &days, &center);
    let duty = saturday_duty(spec.seed, &days, &center, &roster);
    let cases = gen_cases(spec, &days, &center, &roster, &duty);
    let corrections = gen_corrections(spec.seed, &days, &center, &cases.cases);
    let ratings = gen_ratings(spec.seed, &days, &center, &cases.cases);
    let questionnaires = gen_questionnaires(spec.seed, &days, &center);
    let tickets = gen_tickets(spec, &days, &center, &roster);
    let punches = gen_punches(spec.seed, &days, &center, &roster, &duty);
    let departures = gen_departures(spec.seed, &days, &center, &roster);
    let incidents = gen_incidents(spec.seed, &days, &center, &roster, spec.halls());

    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating demo folder {}", dir.display()))?;
    let mut out = Output::new(dir, malformed_rows(&days, &center, &cases.cases));
    out.csv("windows.csv", WINDOWS_HEADER, &center.window_rows())?;
    out.csv("staff.csv", STAFF_HEADER, &center.staff_rows())?;
    out.csv("items-2025.csv", ITEMS_HEADER, &center.item_rows(0))?;
    out.csv(
        "item_steps-2025.csv",
        ITEM_STEPS_HEADER,
        &center.item_step_rows(0),
    )?;
    // The 流程再造 catalog, once it is in force within the period.
    if center.catalog_v2 <= days.dates[days.last()] {
        out.csv("items-2026.csv", ITEMS_HEADER, &center.item_rows(1))?;
        out.csv(
            "item_steps-2026.csv",
            ITEM_STEPS_HEADER,
            &center.item_step_rows(1),
        )?;
    }
    out.monthly(&days, "cases", CASES_HEADER, cases.rows)?;
    out.csv("suspensions.csv", SUSPENSIONS_HEADER, &cases.suspensions)?;
    out.csv("case_steps.csv", STEPS_HEADER, &cases.steps)?;
    out.csv("corrections.csv", CORRECTIONS_HEADER, &corrections)?;
    out.monthly(&days, "ratings", RATINGS_HEADER, ratings)?;
    out.gbk(QUESTIONNAIRE_FILE, QUESTIONNAIRE_HEADER, &questionnaires)?;
    out.monthly(&days, "tickets", TICKETS_HEADER, tickets)?;
    out.raw(ATTLOG_FILE, &punches)?;
    out.csv("leaves.csv", LEAVES_HEADER, &leaves)?;
    out.csv("departures.csv", DEPARTURES_HEADER, &departures)?;
    out.csv("incidents.csv", INCIDENTS_HEADER, &incidents)?;
    out.finish()
}

// ------------------------------------------------------------ constants

/// Day-to-day noise of the daily volumes (standard deviation, relative).
const DAILY_NOISE: f64 = 0.08;
/// Share of the work done in the morning session.
const MORNING_SHARE: f64 = 0.6;

/// Application channels of ordinary working days, with their shares.
const CHANNELS: [(&str, f64); 4] = [
    ("窗口", 0.55),
    ("网上", 0.28),
    ("预约", 0.09),
    ("自助", 0.08),
];
/// Channel of the Saturday appointment service (预约服务).
const APPOINTMENT_CHANNEL: &str = "预约";
/// Appointment cases per window and Saturday (inclusive range).
const SATURDAY_CASES: (u32, u32) = (2, 8);
/// Share of self-service cases with no accepting staff member.
const SELF_SERVICE_NO_STAFF: f64 = 0.6;
/// Share of case rows that carry their own limits instead of the catalog's.
const CASE_LIMIT_FILL_RATE: f64 = 0.05;
/// Share of those whose own promised limit differs from the catalog.
const CASE_LIMIT_OWN_SHARE: f64 = 0.2;
/// Overdue share of completed promised cases at an average window.
const OVERDUE_RATE: f64 = 0.015;
/// Instant cases finished on a later working day (overdue instant cases).
const INSTANT_LATE_RATE: f64 = 0.004;
/// Promised cases with a 特别程序 suspension.
const SPECIAL_PROCEDURE_RATE: f64 = 0.02;
/// Promised cases with a 补正 suspension.
const SUPPLEMENT_RATE: f64 = 0.08;
/// Refusals (不予许可) among completed licensing cases.
const REFUSAL_RATE: f64 = 0.025;
/// Old cases left open far past their deadline (promised, instant).
const STALLED_CASES: (usize, usize) = (6, 2);
/// Chance that an eligible case is picked as one of the stalled ones.
const STALL_CHANCE: f64 = 0.0004;
/// Share of promised cases whose steps are exported.
const STEP_SAMPLE_RATE: f64 = 0.25;
/// Share of sampled cases (with 5+ steps) whose 审查 and 审核 run in parallel.
const PARALLEL_STEP_RATE: f64 = 0.15;
/// Share of sampled cases whose steps carry their own step limit (the
/// others take the catalog's, `item_steps`).
const STEP_LIMIT_RATE: f64 = 0.15;
/// Weight of the bottleneck step in the catalog's split of the promised
/// limit and in the time an ordinary item's step takes.
const BOTTLENECK_WEIGHT: f64 = 3.0;
/// Weight of the bottleneck step of the planted item (the promised item
/// with four or more steps and the most case-days): its 审批 holds most of
/// its cases' time, well past the limit the catalog gives it.
const PLANTED_BOTTLENECK_WEIGHT: f64 = 12.0;
/// Cases found with an error (差错件), at an average window.
const CORRECTION_RATE: f64 = 0.003;
/// Completed cases that receive a rating.
const RATING_COVERAGE: f64 = 0.78;
/// Bad ratings (level 1–2) at an average window, on a case finished on time.
const BAD_RATING_RATE: f64 = 0.008;
/// Level 3 and level 4 shares of the ratings.
const LEVEL3_RATE: f64 = 0.025;
const LEVEL4_RATE: f64 = 0.07;
/// Bad ratings never rectified.
const NEVER_RECTIFIED: f64 = 0.05;
/// Bad ratings rectified late (after 5 working days).
const LATE_RECTIFIED: f64 = 0.2;
/// 民主评议 questionnaires per quarter.
const QUESTIONNAIRES_PER_QUARTER: usize = 40;
/// Called tickets whose holder did not come (过号).
const NO_SHOW_RATE: f64 = 0.05;
/// Priority tickets (green channel, elderly, disabled).
const PRIORITY_RATE: f64 = 0.03;
/// Calls of a queue-jumping staff member that skip the head of the queue.
const QUEUE_JUMP_RATE: f64 = 0.05;
/// Windows with a queue-jumping staff member.
const QUEUE_JUMP_WINDOWS: usize = 3;
/// Counter minutes a ticket takes on average (service, no-shows, paperwork
/// between applicants): the queue opens enough counters for the day's
/// tickets at this utilisation.
const MINUTES_PER_TICKET: f64 = 12.0;
const COUNTER_UTILISATION: f64 = 0.75;
/// Late morning arrivals of an average staff member.
const LATE_RATE: f64 = 0.03;
/// Late arrivals of 30 minutes or more, among the late ones.
const VERY_LATE_SHARE: f64 = 0.08;
/// Late afternoon arrivals and early leaves.
const AFTERNOON_LATE_RATE: f64 = 0.01;
const EARLY_LEAVE_RATE: f64 = 0.005;
/// Punches forgotten, and punches pressed twice.
const MISSING_PUNCH_RATE: f64 = 0.01;
const DUPLICATE_PUNCH_RATE: f64 = 0.015;
/// Staff-days absent without leave (旷工).
const ABSENCE_RATE: f64 = 0.001;
/// Chance that a leave starts on a free working day (≈3 % of staff-days on leave).
const LEAVE_START_RATE: f64 = 0.015;
/// Departures (离岗登记) per staff-day, at an average window.
const DEPARTURE_RATE: f64 = 0.05;
/// Overlong departures (over 20 min) among them.
const OVERLONG_DEPARTURE_SHARE: f64 = 0.1;
/// Departures registered without a B岗 cover.
const UNCOVERED_DEPARTURE_SHARE: f64 = 0.15;

/// First day of the first item catalog and of the roster.
const SINCE: (i32, u32, u32) = (2025, 1, 1);
/// First day of the second catalog version (流程再造).
const CATALOG_V2: (i32, u32, u32) = (2026, 4, 1);

const QUESTIONNAIRE_FILE: &str = "评价_民主评议问卷.csv";
const ATTLOG_FILE: &str = "punches_attlog.dat";

const WINDOWS_HEADER: &[&str] = &["window_id", "name", "department"];
const STAFF_HEADER: &[&str] = &[
    "staff_id",
    "name",
    "window_id",
    "role",
    "valid_from",
    "valid_to",
];
const ITEMS_HEADER: &[&str] = &[
    "item_code",
    "name",
    "department",
    "legal_limit_days",
    "promised_limit_days",
    "materials",
    "steps",
    "effective_from",
];
const CASES_HEADER: &[&str] = &[
    "case_id",
    "item_code",
    "window_id",
    "staff_id",
    "channel",
    "accepted_at",
    "completed_at",
    "result",
    "promised_limit_days",
    "legal_limit_days",
];
const SUSPENSIONS_HEADER: &[&str] = &["case_id", "kind", "start", "end", "reason"];
const ITEM_STEPS_HEADER: &[&str] = &["item_code", "step", "limit_days", "effective_from"];

const STEPS_HEADER: &[&str] = &[
    "case_id",
    "seq",
    "step",
    "staff_id",
    "started_at",
    "finished_at",
    "limit_days",
];
const CORRECTIONS_HEADER: &[&str] = &["case_id", "at", "reason"];
const RATINGS_HEADER: &[&str] = &[
    "rating_id",
    "case_id",
    "window_id",
    "staff_id",
    "rated_at",
    "level",
    "channel",
    "comment",
    "rectified_at",
];
const QUESTIONNAIRE_HEADER: &[&str] = &[
    "评价编号",
    "窗口编号",
    "评价时间",
    "评价等级",
    "评价渠道",
    "评价内容",
];
const TICKETS_HEADER: &[&str] = &[
    "ticket_id",
    "queue",
    "issued_at",
    "called_at",
    "finished_at",
    "window_id",
    "staff_id",
    "priority",
    "status",
];
const LEAVES_HEADER: &[&str] = &["staff_id", "kind", "start", "end"];
const DEPARTURES_HEADER: &[&str] = &["staff_id", "out_at", "back_at", "reason", "cover_staff_id"];
const INCIDENTS_HEADER: &[&str] = &[
    "incident_id",
    "date",
    "source",
    "window_id",
    "staff_id",
    "category",
    "substantiated",
    "points",
];

// ----------------------------------------------------------- reference data

/// A department and its items. Item flags: `h` high volume, `w` warm
/// (above average), `i` instant (promised 0) already in the first catalog,
/// `n` no legal limit, `1`/`5`/`3`/`6` legal limit 10/15/30/60 working days
/// (20 otherwise), `N` new in the second catalog, `b` handled by the
/// department's second window.
struct DeptSeed {
    name: &'static str,
    prefix: &'static str,
    items: &'static [(&'static str, &'static str)],
}

const DEPARTMENTS: [DeptSeed; 22] = [
    DeptSeed {
        name: "工商",
        prefix: "GS",
        items: &[
            ("企业名称自主申报", "hin"),
            ("个体工商户设立登记", "h5"),
            ("个体工商户变更登记", "w5"),
            ("个体工商户注销登记", "w5"),
            ("企业设立登记", "w5"),
            ("企业变更登记", "w5"),
            ("企业注销登记", "5"),
            ("农民专业合作社设立登记", "5"),
            ("农民专业合作社变更登记", "5"),
            ("营业执照遗失补领", "i1"),
            ("企业简易注销登记", "N1"),
        ],
    },
    DeptSeed {
        name: "国土",
        prefix: "GT",
        items: &[
            ("建设用地预审", ""),
            ("农用地转用审批", "3"),
            ("国有建设用地使用权出让审批", "3"),
            ("临时用地审批", ""),
            ("采矿权新立登记", "6"),
            ("采矿权延续登记", "3"),
            ("土地复垦方案审查", ""),
            ("地质灾害危险性评估备案", "1"),
            ("土地权属争议调处", "6"),
            ("地质灾害治理工程竣工验收", ""),
        ],
    },
    DeptSeed {
        name: "税务",
        prefix: "SW",
        items: &[
            ("设立税务登记", "w1"),
            ("发票领用", "hi1"),
            ("发票代开", "hin"),
            ("增值税一般纳税人登记", "1b"),
            ("个人所得税综合所得汇算清缴", "wnb"),
            ("纳税证明开具", "win"),
            ("税收减免备案", "1b"),
            ("退抵税申请", "w"),
            ("跨区域涉税事项报告", "1b"),
            ("社会保险费缴费申报", "hnb"),
            ("契税申报", "hb"),
            ("车辆购置税申报", "wb"),
            ("清税证明开具", "1"),
        ],
    },
    DeptSeed {
        name: "公安",
        prefix: "GA",
        items: &[
            ("居民身份证首次申领", "h6"),
            ("居民身份证换领", "h6"),
            ("居民身份证补领", "w6"),
            ("户口迁移", "w"),
            ("出生登记", "wi"),
            ("居住证申领", "w1"),
            ("临时身份证明开具", "w1"),
            ("普通护照签发", "w5b"),
            ("往来港澳通行证签发", "w5b"),
            ("机动车注册登记", "w1b"),
            ("机动车驾驶证换证", "hi1b"),
            ("无犯罪记录证明开具", "w1b"),
        ],
    },
    DeptSeed {
        name: "人社",
        prefix: "RS",
        items: &[
            ("社会保障卡申领", "h1"),
            ("社会保障卡挂失补办", "wi1"),
            ("职工养老保险参保登记", "w"),
            ("城乡居民养老保险参保登记", "w"),
            ("城乡居民养老保险待遇申领", "w"),
            ("退休人员待遇核定", "w"),
            ("就业登记", "hinb"),
            ("失业登记", "wb"),
            ("失业保险金申领", "wb"),
            ("工伤认定", "6b"),
            ("劳动能力鉴定申请", "6b"),
            ("劳务派遣经营许可", "b"),
            ("人力资源服务许可", "b"),
        ],
    },
    DeptSeed {
        name: "民政",
        prefix: "MZ",
        items: &[
            ("结婚登记", "w"),
            ("离婚登记", "w3"),
            ("社会团体成立登记", "6"),
            ("民办非企业单位登记", "6"),
            ("最低生活保障申请", "3"),
            ("特困人员救助供养申请", "3"),
            ("临时救助申请", "1"),
            ("养老机构备案", "1"),
            ("殡葬服务机构设立审批", ""),
            ("慈善组织认定", ""),
        ],
    },
    DeptSeed {
        name: "住建",
        prefix: "ZJ",
        items: &[
            ("建筑工程施工许可", "w5"),
            ("建设工程竣工验收备案", "w1"),
            ("商品房预售许可", "1"),
            ("建筑业企业资质核准", ""),
            ("房屋建筑工程质量监督登记", "1"),
            ("城市建筑垃圾处置核准", ""),
            ("燃气经营许可", ""),
            ("物业服务企业备案", "1"),
            ("房地产开发企业资质核定", "3"),
            ("商品房买卖合同网签备案", "hn"),
            ("建设工程消防设计审查", "5"),
            ("建设工程消防验收", "5"),
        ],
    },
    DeptSeed {
        name: "卫健",
        prefix: "WJ",
        items: &[
            ("医疗机构执业登记", "3"),
            ("医师执业注册", ""),
            ("护士执业注册", ""),
            ("公共场所卫生许可", "w"),
            ("出生医学证明补发", "1"),
            ("生育登记", "wn"),
            ("放射诊疗许可", ""),
            ("饮用水供水单位卫生许可", ""),
            ("母婴保健技术服务执业许可", ""),
            ("医疗机构校验", ""),
            ("职业健康检查机构备案", "1"),
        ],
    },
    DeptSeed {
        name: "市场监管",
        prefix: "SC",
        items: &[
            ("食品经营许可", "h"),
            ("食品经营许可延续", "w"),
            ("食品生产许可", ""),
            ("食品小作坊登记", "w1"),
            ("药品零售企业许可", "3"),
            ("第二类医疗器械经营备案", "1"),
            ("特种设备使用登记", "w1b"),
            ("计量器具强制检定", "wb"),
            ("特种设备作业人员资格认定", "b"),
            ("股权出质登记", "1b"),
            ("工业产品生产许可", "6b"),
            ("广告发布登记", "b"),
        ],
    },
    DeptSeed {
        name: "交通",
        prefix: "JT",
        items: &[
            ("道路货物运输经营许可", "w"),
            ("道路旅客运输经营许可", ""),
            ("道路运输从业人员从业资格证", "w"),
            ("出租汽车经营许可", ""),
            ("超限运输车辆行驶公路许可", "1"),
            ("涉路施工许可", ""),
            ("机动车维修经营备案", "1"),
            ("道路运输证年审", "wn"),
            ("道路运输证配发", "w1"),
            ("船舶登记", ""),
        ],
    },
    DeptSeed {
        name: "水利",
        prefix: "SL",
        items: &[
            ("取水许可", "6"),
            ("河道管理范围内建设项目审批", ""),
            ("生产建设项目水土保持方案审批", ""),
            ("水土保持设施验收报备", "1"),
            ("洪水影响评价审批", ""),
            ("河道采砂许可", ""),
            ("农村集体经济组织修建水库审批", ""),
        ],
    },
    DeptSeed {
        name: "环保",
        prefix: "HB",
        items: &[
            ("建设项目环境影响报告书审批", "6"),
            ("建设项目环境影响报告表审批", "3"),
            ("建设项目环境影响登记表备案", "n"),
            ("排污许可", ""),
            ("危险废物经营许可", ""),
            ("辐射安全许可", ""),
            ("固定污染源排污登记", "1"),
        ],
    },
    DeptSeed {
        name: "规划",
        prefix: "GH",
        items: &[
            ("建设项目用地预审与选址意见书", ""),
            ("建设用地规划许可证", ""),
            ("建设工程规划许可证", "w"),
            ("乡村建设规划许可证", "w"),
            ("规划条件核实", ""),
            ("临时建设工程规划许可", ""),
            ("建设工程设计方案审查", ""),
            ("门牌号编制", "1"),
        ],
    },
    DeptSeed {
        name: "发改",
        prefix: "FG",
        items: &[
            ("企业投资项目核准", ""),
            ("企业投资项目备案", "w1"),
            ("政府投资项目建议书审批", ""),
            ("可行性研究报告审批", ""),
            ("初步设计审批", ""),
            ("固定资产投资项目节能审查", ""),
            ("价格认定", "3"),
        ],
    },
    DeptSeed {
        name: "文旅",
        prefix: "WL",
        items: &[
            ("娱乐场所经营许可", ""),
            ("互联网上网服务营业场所经营许可", ""),
            ("营业性演出审批", ""),
            ("旅行社设立许可", ""),
            ("出版物零售单位设立", ""),
            ("文物保护单位修缮审批", ""),
            ("导游证核发", ""),
            ("公共文化设施场地预约", "win"),
        ],
    },
    DeptSeed {
        name: "教育",
        prefix: "JY",
        items: &[
            ("民办学校办学许可", "3"),
            ("校外培训机构审批", "3"),
            ("教师资格认定", "w6"),
            ("教师资格证书补办", "1"),
            ("中小学生转学", "w1"),
            ("幼儿园设立审批", "3"),
            ("学籍证明开具", "win"),
            ("学历证明补办", "1"),
        ],
    },
    DeptSeed {
        name: "农业",
        prefix: "NY",
        items: &[
            ("农药经营许可", ""),
            ("兽药经营许可", ""),
            ("农作物种子生产经营许可", ""),
            ("动物防疫条件合格证核发", ""),
            ("农村宅基地审批", "w"),
            ("渔业捕捞许可", ""),
            ("生鲜乳收购许可", ""),
            ("拖拉机和联合收割机驾驶证申领", ""),
            ("拖拉机和联合收割机登记", ""),
        ],
    },
    DeptSeed {
        name: "林业",
        prefix: "LY",
        items: &[
            ("林木采伐许可", "w1"),
            ("使用林地审核", "3"),
            ("木材运输证核发", "wn"),
            ("陆生野生动物人工繁育许可", ""),
            ("林草植物检疫证书核发", "1"),
        ],
    },
    DeptSeed {
        name: "商务",
        prefix: "SM",
        items: &[
            ("对外贸易经营者备案", "1"),
            ("酒类商品批发许可", ""),
            ("成品油零售经营资格审核", ""),
            ("单用途商业预付卡备案", "1"),
            ("拍卖企业设立审核", ""),
            ("报废机动车回收企业资质认定", ""),
        ],
    },
    DeptSeed {
        name: "残联",
        prefix: "CL",
        items: &[
            ("残疾人证核发", "w"),
            ("残疾人证换领", "wi"),
            ("残疾人两项补贴申请", "w"),
            ("残疾人辅助器具适配申请", "1"),
            ("残疾人就业登记", "1"),
        ],
    },
    DeptSeed {
        name: "公积金",
        prefix: "GJ",
        items: &[
            ("住房公积金单位缴存登记", "1"),
            ("住房公积金提取", "hi1"),
            ("住房公积金个人住房贷款", "w5"),
            ("住房公积金缴存证明开具", "win"),
            ("公积金贷款结清证明开具", "1"),
            ("住房公积金异地转移接续", "w1"),
        ],
    },
    DeptSeed {
        name: "不动产",
        prefix: "BD",
        items: &[
            ("国有建设用地使用权及房屋所有权首次登记", "w3"),
            ("国有建设用地使用权及房屋所有权转移登记", "h3"),
            ("国有建设用地使用权及房屋所有权变更登记", "w3b"),
            ("抵押权首次登记", "h3b"),
            ("抵押权注销登记", "w3b"),
            ("预告登记", "w3"),
            ("查封登记", "3b"),
            ("更正登记", "3"),
            ("不动产权证书补换证", "w3b"),
            ("不动产登记资料查询", "hinb"),
            ("宅基地使用权及房屋所有权首次登记", "w3"),
            ("居住权登记", "N3b"),
        ],
    },
];

/// A window: its name, department, initial head count, and whether it
/// opens for the Saturday appointment service.
struct WindowSeed {
    name: &'static str,
    dept: &'static str,
    staff: usize,
    saturday: bool,
}

const fn ws(name: &'static str, dept: &'static str, staff: usize, saturday: bool) -> WindowSeed {
    WindowSeed {
        name,
        dept,
        staff,
        saturday,
    }
}

const WINDOWS: [WindowSeed; 27] = [
    ws("工商注册登记窗口", "工商", 4, false),
    ws("国土资源窗口", "国土", 3, false),
    ws("办税服务窗口一", "税务", 6, true),
    ws("办税服务窗口二", "税务", 5, false),
    ws("户政窗口", "公安", 5, true),
    ws("出入境与车驾管窗口", "公安", 4, false),
    ws("社会保险窗口", "人社", 5, true),
    ws("就业与劳动关系窗口", "人社", 3, false),
    ws("民政窗口", "民政", 3, false),
    ws("住房城乡建设窗口", "住建", 5, false),
    ws("卫生健康窗口", "卫健", 3, false),
    ws("食品药品许可窗口", "市场监管", 4, false),
    ws("质量计量窗口", "市场监管", 5, false),
    ws("交通运输窗口", "交通", 3, false),
    ws("水利窗口", "水利", 2, false),
    ws("生态环境窗口", "环保", 3, false),
    ws("规划窗口", "规划", 3, false),
    ws("发展改革窗口", "发改", 2, false),
    ws("文化旅游窗口", "文旅", 2, false),
    ws("教育窗口", "教育", 3, false),
    ws("农业农村窗口", "农业", 3, false),
    ws("林业窗口", "林业", 2, false),
    ws("商务窗口", "商务", 2, false),
    ws("残联窗口", "残联", 2, false),
    ws("住房公积金窗口", "公积金", 5, false),
    ws("不动产登记窗口一", "不动产", 6, true),
    ws("不动产登记窗口二", "不动产", 5, false),
];

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志红文辉玉兰海燕婷雪琳晓东鹏飞颖慧宇欣怡佳浩然子涵梓萱诗雨俊凯思远博文嘉欣";

const SPECIAL_REASONS: &[&str] = &[
    "现场勘验",
    "专家评审",
    "听证",
    "检验检测",
    "公示",
    "征求相关部门意见",
];
const SUPPLEMENT_REASONS: &[&str] = &[
    "材料不全",
    "材料不符合法定形式",
    "需补充身份证明",
    "申请表填写有误, 需重新填写",
    "缺少产权证明材料",
];
const CORRECTION_REASONS: &[&str] = &[
    "证照信息录入错误",
    "适用审批依据错误",
    "超范围要求申请人提供材料",
    "收费标准适用错误",
    "审核把关不严, 材料存在缺陷",
    "送达信息填写错误",
];
const BAD_COMMENTS: &[&str] = &[
    "等待时间太长",
    "工作人员态度不好",
    "材料要求反复变动，跑了好几趟",
    "办理进度不透明, 打电话也问不清楚",
    "窗口人员业务不熟",
    "说好的时间没有办好",
    "午休时间窗口无人",
];
const MEDIUM_COMMENTS: &[&str] = &[
    "一般",
    "排队时间有点长",
    "一次告知不够清楚",
    "办理速度还可以",
];
const GOOD_COMMENTS: &[&str] = &[
    "服务热情周到",
    "办事效率高",
    "一次就办好了，点赞",
    "工作人员耐心解释, 非常满意",
    "比以前快多了",
];
const QUESTIONNAIRE_RESPONDENTS: &[&str] = &[
    "人大代表",
    "政协委员",
    "服务对象",
    "企业代表",
    "部门评议",
    "社会监督员",
];
const QUESTIONNAIRE_COMMENTS: &[&str] = &[
    "窗口服务规范",
    "办事效率较高",
    "工作人员态度热情",
    "建议进一步精简材料",
    "建议延长午间服务",
    "总体满意",
    "一次告知落实较好",
];
const DEPARTURE_REASONS: &[&str] = &[
    "送件至后台科室",
    "到档案室调取资料",
    "复印材料",
    "去财务室对账",
    "接听业务电话",
    "领取办公用品",
];
const LONG_DEPARTURE_REASONS: &[&str] = &["参加临时会议", "身体不适", "送件至局机关", "现场核查"];

/// Complaints found substantiated.
const COMPLAINT_SUBSTANTIATED: f64 = 0.6;
/// Finding and complaint categories: (category, points, names a staff member).
const FINDINGS: &[(&str, i32, bool)] = &[
    ("脱岗", -5, true),
    ("着装不规范", -2, true),
    ("玩手机", -3, true),
    ("串岗聊天", -2, true),
    ("未佩戴工作牌", -2, true),
    ("窗口台面不整洁", -1, false),
];
const COMPLAINTS: &[(&str, i32, bool)] = &[
    ("态度生硬", -5, true),
    ("推诿扯皮", -5, true),
    ("办事拖拉", -3, true),
    ("一次告知不到位", -2, true),
];
/// Favouritism (零关系办事) and bribery complaint categories.
const FAVOURITISM: &str = "优亲厚友";
const BRIBERY: &str = "吃拿卡要";

// ------------------------------------------------------------------ PRNG

/// SplitMix64: a tiny, fast, well-mixed generator; plenty for synthetic data.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    /// A generator for one named stream of the seed (one per table, so a
    /// change to one table does not shift the others).
    fn new(seed: u64, stream: &str) -> Self {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in stream.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let mut rng = Rng(seed ^ h);
        rng.next_u64();
        rng
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in lo..=hi.
    fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    /// Approximately standard normal (Irwin–Hall sum of twelve uniforms).
    fn normal(&mut self) -> f64 {
        let mut s = 0.0;
        for _ in 0..12 {
            s += self.unit();
        }
        s - 6.0
    }

    /// Triangular distribution on [lo, hi] with the given mode.
    fn triangular(&mut self, lo: f64, mode: f64, hi: f64) -> f64 {
        let u = self.unit();
        let cut = (mode - lo) / (hi - lo);
        if u < cut {
            lo + ((hi - lo) * (mode - lo) * u).sqrt()
        } else {
            hi - ((hi - lo) * (hi - mode) * (1.0 - u)).sqrt()
        }
    }

    /// Number of failures before the first success.
    fn geometric(&mut self, p: f64, cap: u32) -> u32 {
        let mut n = 0;
        while n < cap && !self.chance(p) {
            n += 1;
        }
        n
    }

    /// Index drawn by weight (linear scan: for short lists).
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// A count around `mean` with relative noise.
    fn count_around(&mut self, mean: f64, noise: f64) -> u32 {
        (mean * (1.0 + noise * self.normal())).round().max(0.0) as u32
    }
}

/// Cumulative weights for fast repeated draws.
struct Picker {
    cum: Vec<f64>,
    ids: Vec<usize>,
}

impl Picker {
    fn new(pairs: impl IntoIterator<Item = (usize, f64)>) -> Self {
        let mut cum = Vec::new();
        let mut ids = Vec::new();
        let mut total = 0.0;
        for (id, w) in pairs {
            if w > 0.0 {
                total += w;
                cum.push(total);
                ids.push(id);
            }
        }
        Picker { cum, ids }
    }

    fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.cum.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        let i = self
            .cum
            .partition_point(|&c| c <= x)
            .min(self.ids.len() - 1);
        self.ids[i]
    }
}

// ---------------------------------------------------------- time helpers

const fn hm(h: u32, m: u32) -> u32 {
    h * 3600 + m * 60
}

/// The two office sessions of a day, in seconds after midnight: summer
/// (May–September) afternoons 14:30–17:30, winter 14:00–17:00.
#[derive(Debug, Clone, Copy)]
struct Sessions {
    am: (u32, u32),
    pm: (u32, u32),
}

impl Sessions {
    fn of(d: NaiveDate) -> Self {
        if (5..=9).contains(&d.month()) {
            Sessions {
                am: (hm(8, 30), hm(12, 0)),
                pm: (hm(14, 30), hm(17, 30)),
            }
        } else {
            Sessions {
                am: (hm(8, 30), hm(12, 0)),
                pm: (hm(14, 0), hm(17, 0)),
            }
        }
    }

    /// A busy-hour time: morning peak around 9:30, afternoon around 15:00.
    fn busy_time(&self, rng: &mut Rng) -> u32 {
        let (lo, hi, peak) = if rng.chance(MORNING_SHARE) {
            (self.am.0, self.am.1, 0.3)
        } else {
            (self.pm.0, self.pm.1, 0.35)
        };
        let (lo, hi) = (f64::from(lo), f64::from(hi - 1));
        rng.triangular(lo, lo + peak * (hi - lo), hi) as u32
    }

    /// Any time inside a session, uniformly.
    fn any_time(&self, rng: &mut Rng) -> u32 {
        let (lo, hi) = if rng.chance(MORNING_SHARE) {
            self.am
        } else {
            self.pm
        };
        rng.between(lo, hi - 1)
    }
}

fn at(d: NaiveDate, secs: u32) -> NaiveDateTime {
    let secs = secs.min(86_399);
    d.and_hms_opt(secs / 3600, secs / 60 % 60, secs % 60)
        .expect("seconds below a day make a valid time")
}

fn plus_secs(t: NaiveDateTime, secs: u32) -> NaiveDateTime {
    t + Duration::seconds(i64::from(secs))
}

fn fmt_dt(t: NaiveDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn fmt_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

fn ymd((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("constant dates are valid")
}

// ------------------------------------------------------------------ days

/// The calendar days of the generated period, with working days looked up
/// once from the calendar.
struct Days {
    dates: Vec<NaiveDate>,
    work: Vec<bool>,
    /// Normal Saturdays (a working Friday before, a working Monday after)
    /// when a few windows open for appointments in the morning.
    appointment: Vec<bool>,
    /// Volume factor of each working day (weekday, season, holidays).
    factor: Vec<f64>,
    /// Indices of the working days.
    workdays: Vec<usize>,
    /// Number of working days with index ≤ i.
    upto: Vec<usize>,
}

impl Days {
    fn build(spec: &DemoSpec, cal: &Calendar) -> Result<Self> {
        let (y, m) = spec.first_month;
        ensure!(spec.months > 0, "the demo needs at least one month");
        let first = NaiveDate::from_ymd_opt(y, m, 1)
            .with_context(|| format!("invalid first month {y}-{m}"))?;
        let end = first
            .checked_add_months(chrono::Months::new(spec.months))
            .context("demo period out of range")?;
        let dates: Vec<NaiveDate> = first.iter_days().take_while(|d| *d < end).collect();
        let work = dates
            .iter()
            .map(|&d| {
                cal.is_workday(d)
                    .with_context(|| format!("working-day calendar lookup for {d}"))
            })
            .collect::<Result<Vec<bool>>>()?;
        let n = dates.len();
        let appointment = (0..n)
            .map(|i| {
                dates[i].weekday() == Weekday::Sat
                    && !work[i]
                    && i >= 1
                    && work[i - 1]
                    && i + 2 < n
                    && work[i + 2]
            })
            .collect();
        let workdays: Vec<usize> = (0..n).filter(|&i| work[i]).collect();
        let mut upto = Vec::with_capacity(n);
        let mut c = 0;
        for &w in &work {
            c += usize::from(w);
            upto.push(c);
        }
        let factor = volume_factors(&dates, &work);
        Ok(Days {
            dates,
            work,
            appointment,
            factor,
            workdays,
            upto,
        })
    }

    fn len(&self) -> usize {
        self.dates.len()
    }

    fn last(&self) -> usize {
        self.dates.len() - 1
    }

    /// Index of the n-th working day strictly after day `i` (n = 0: `i`
    /// itself), or None past the end of the period.
    fn after(&self, i: usize, n: usize) -> Option<usize> {
        if n == 0 {
            return Some(i);
        }
        self.workdays.get(self.upto[i] + n - 1).copied()
    }

    fn index_of(&self, d: NaiveDate) -> Option<usize> {
        let i = (d - self.dates[0]).num_days();
        usize::try_from(i).ok().filter(|&i| i < self.len())
    }

    /// The first working day `frac` of the way through the period or later.
    fn fraction(&self, frac: f64) -> usize {
        let i = ((self.len() as f64 * frac) as usize).min(self.last());
        (i..self.len()).find(|&j| self.work[j]).unwrap_or(i)
    }

    /// Index of each month's first day, with the month.
    fn months(&self) -> Vec<(usize, i32, u32)> {
        (0..self.len())
            .filter(|&i| i == 0 || self.dates[i].day() == 1)
            .map(|i| (i, self.dates[i].year(), self.dates[i].month()))
            .collect()
    }

    /// The first working day on or after the given day of month `m` (index
    /// into `months()`), else the month's last working day.
    fn workday_in_month(&self, m: usize, day_of_month: u32) -> usize {
        let months = self.months();
        let (start, y, mo) = months[m.min(months.len() - 1)];
        let in_month: Vec<usize> = (start..self.len())
            .take_while(|&i| self.dates[i].year() == y && self.dates[i].month() == mo)
            .filter(|&i| self.work[i])
            .collect();
        in_month
            .iter()
            .copied()
            .find(|&i| self.dates[i].day() >= day_of_month)
            .or_else(|| in_month.last().copied())
            .unwrap_or(start)
    }

    fn end_of_period(&self) -> NaiveDateTime {
        at(self.dates[self.last()], 86_399)
    }
}

/// Volume factor of each day: weekday (Monday peak, Friday lower), season
/// (busy March and September, quiet February and October), and quieter
/// days just before and after a long holiday. Zero on non-working days.
fn volume_factors(dates: &[NaiveDate], work: &[bool]) -> Vec<f64> {
    const MONTH: [f64; 12] = [
        0.95, 0.7, 1.25, 1.05, 1.0, 1.05, 0.95, 0.9, 1.2, 0.9, 1.0, 1.1,
    ];
    let n = dates.len();
    // Long breaks: runs of 4+ non-working days (Spring Festival, National Day, May Day).
    let mut near_break = vec![1.0; n];
    let mut i = 0;
    while i < n {
        if work[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && !work[i] {
            i += 1;
        }
        if i - start >= 4 {
            for (j, f) in near_break
                .iter_mut()
                .enumerate()
                .take(start)
                .skip(start.saturating_sub(5))
            {
                *f = if start - j <= 2 { 0.7 } else { 0.85 };
            }
            for f in near_break.iter_mut().take((i + 3).min(n)).skip(i) {
                *f = 0.85;
            }
        }
    }
    (0..n)
        .map(|i| {
            if !work[i] {
                return 0.0;
            }
            let weekday = match dates[i].weekday() {
                Weekday::Mon => 1.25,
                Weekday::Tue => 1.05,
                Weekday::Wed => 1.0,
                Weekday::Thu => 0.97,
                Weekday::Fri => 0.8,
                Weekday::Sat | Weekday::Sun => 0.85,
            };
            weekday * MONTH[dates[i].month0() as usize] * near_break[i]
        })
        .collect()
}

// ---------------------------------------------------------------- center

/// Quality classes of the windows: multipliers of the problem rates.
const GOOD: f64 = 0.4;
const NORMAL: f64 = 1.0;
const POOR: f64 = 2.5;

struct Dept {
    name: &'static str,
    queue: String,
    windows: Vec<usize>,
    /// Share of the walk-in traffic (from its items' volume).
    share: f64,
}

struct Window {
    id: String,
    name: String,
    /// Index of the window's seed in WINDOWS.
    seed: usize,
    dept: usize,
    quality: f64,
    saturday: bool,
    /// Staff member who calls tickets out of order now and then.
    jumper: Option<usize>,
}

struct Spell {
    window: usize,
    role: &'static str,
    from: NaiveDate,
    to: Option<NaiveDate>,
}

struct Person {
    id: u32,
    name: String,
    spells: Vec<Spell>,
    /// Home fingerprint clock.
    device: u8,
    /// Multiplier of the late-arrival rate.
    lateness: f64,
}

impl Person {
    fn window_on(&self, d: NaiveDate) -> Option<usize> {
        self.spells
            .iter()
            .find(|s| s.from <= d && s.to.is_none_or(|t| d <= t))
            .map(|s| s.window)
    }

    fn is_lead(&self) -> bool {
        self.spells
            .iter()
            .any(|s| matches!(s.role, "首席代表" | "窗口负责人"))
    }
}

#[derive(Debug, Clone, Copy)]
struct Terms {
    promised: u32,
    materials: u32,
    steps: u32,
}

struct Item {
    code: String,
    name: &'static str,
    dept: usize,
    window: usize,
    licensing: bool,
    legal: Option<u32>,
    weight: f64,
    /// Step (index ≥ 1) that holds most of the time: the bottleneck.
    bottleneck: usize,
    /// The item planted with a clear bottleneck (see PLANTED_BOTTLENECK_WEIGHT).
    planted: bool,
    /// Terms of the first catalog (None: new in the second).
    v1: Option<Terms>,
    v2: Terms,
}

struct Center {
    depts: Vec<Dept>,
    windows: Vec<Window>,
    staff: Vec<Person>,
    items: Vec<Item>,
    since: NaiveDate,
    catalog_v2: NaiveDate,
}

impl Center {
    fn build(spec: &DemoSpec, days: &Days) -> Self {
        let seed = spec.seed;
        let since = ymd(SINCE).min(days.dates[0]);
        let catalog_v2 = ymd(CATALOG_V2);
        let mut depts: Vec<Dept> = DEPARTMENTS
            .iter()
            .enumerate()
            .map(|(i, d)| Dept {
                name: d.name,
                queue: format!("{}-{}", char::from(b'A' + i as u8), d.name),
                windows: Vec::new(),
                share: 0.0,
            })
            .collect();
        let mut rng = Rng::new(seed, "center");
        // The county's shares: 7 good windows, 16 normal, 4 poor of 27.
        let n = spec.windows.max(1);
        let good = (n * 7 + 13) / 27;
        let poor = (n * 4 + 13) / 27;
        let mut quality: Vec<f64> = [
            vec![GOOD; good],
            vec![NORMAL; n - good - poor],
            vec![POOR; poor],
        ]
        .concat();
        shuffle(&mut rng, &mut quality);
        let hall_name = ["", "", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        let mut windows: Vec<Window> = (0..n)
            .map(|i| {
                let (hall, k) = (i / WINDOWS.len(), i % WINDOWS.len());
                let w = &WINDOWS[k];
                let dept = DEPARTMENTS
                    .iter()
                    .position(|d| d.name == w.dept)
                    .expect("every window's department is listed");
                depts[dept].windows.push(i);
                Window {
                    id: if n < 100 {
                        format!("W{:02}", i + 1)
                    } else {
                        format!("W{:03}", i + 1)
                    },
                    name: match hall_name.get(hall) {
                        Some(&"") => w.name.to_string(),
                        Some(h) => format!("{}（{h}厅）", w.name),
                        None => format!("{}（{}厅）", w.name, hall + 1),
                    },
                    seed: k,
                    dept,
                    quality: quality[i],
                    saturday: w.saturday,
                    jumper: None,
                }
            })
            .collect();
        // Each hall serves the whole catalog of its departments under its
        // own item codes.
        let mut items = Vec::new();
        for hall in 0..spec.halls() {
            let in_hall: Vec<Vec<usize>> = depts
                .iter()
                .map(|d| {
                    d.windows
                        .iter()
                        .copied()
                        .filter(|&w| w / WINDOWS.len() == hall)
                        .collect()
                })
                .collect();
            items.extend(build_items(&mut rng, &in_hall, hall));
        }
        // The planted bottleneck: of the promised items with 4+ steps, the
        // one with the most case-days (volume × promised limit), held at its
        // 审批.
        if let Some(p) = items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.v2.promised >= 5 && it.v2.steps >= 4 && it.v1.is_some())
            .max_by(|a, b| {
                let days = |it: &Item| it.weight * f64::from(it.v2.promised);
                days(a.1).total_cmp(&days(b.1)).then(b.0.cmp(&a.0))
            })
            .map(|(i, _)| i)
        {
            items[p].planted = true;
            let names = step_names(items[p].v2.steps);
            items[p].bottleneck = names.iter().position(|n| *n == "审批").unwrap_or(1);
        }
        let total: f64 = items.iter().map(|it| it.weight).sum();
        for it in &items {
            depts[it.dept].share += it.weight / total;
        }
        let staff = build_staff(&mut rng, days, &depts, &windows, spec.staff_percent, since);
        // Queue jumpers: one ordinary staff member at a few busy windows.
        let mut candidates: Vec<usize> = (0..windows.len())
            .filter(|&w| WINDOWS[windows[w].seed].staff >= 4 && !windows[w].saturday)
            .collect();
        shuffle(&mut rng, &mut candidates);
        for &w in candidates.iter().take(QUEUE_JUMP_WINDOWS * spec.halls()) {
            windows[w].jumper = staff.iter().position(|p| {
                p.spells.len() == 1 && p.spells[0].window == w && p.spells[0].role == "工作人员"
            });
        }
        Center {
            depts,
            windows,
            staff,
            items,
            since,
            catalog_v2,
        }
    }

    fn window_rows(&self) -> Vec<String> {
        self.windows
            .iter()
            .map(|w| line(&[&w.id, &w.name, self.depts[w.dept].name]))
            .collect()
    }

    fn staff_rows(&self) -> Vec<String> {
        let mut rows = Vec::new();
        for p in &self.staff {
            for s in &p.spells {
                rows.push(line(&[
                    &p.id.to_string(),
                    &p.name,
                    &self.windows[s.window].id,
                    s.role,
                    &fmt_date(s.from),
                    &s.to.map(fmt_date).unwrap_or_default(),
                ]));
            }
        }
        rows
    }

    /// Rows of catalog version 0 (first) or 1 (second).
    fn item_rows(&self, version: usize) -> Vec<String> {
        let effective = fmt_date(if version == 0 {
            self.since
        } else {
            self.catalog_v2
        });
        self.items
            .iter()
            .filter_map(|it| {
                let t = if version == 0 { it.v1? } else { it.v2 };
                Some(line(&[
                    &it.code,
                    it.name,
                    self.depts[it.dept].name,
                    &it.legal.map(|l| l.to_string()).unwrap_or_default(),
                    &t.promised.to_string(),
                    &t.materials.to_string(),
                    &t.steps.to_string(),
                    &effective,
                ]))
            })
            .collect()
    }

    /// Step limits of catalog version 0 (first) or 1 (second): each
    /// promised item's limit split over its steps by their planned weight.
    fn item_step_rows(&self, version: usize) -> Vec<String> {
        let effective = fmt_date(if version == 0 {
            self.since
        } else {
            self.catalog_v2
        });
        let mut out = Vec::new();
        for it in &self.items {
            let Some(t) = (if version == 0 { it.v1 } else { Some(it.v2) }) else {
                continue;
            };
            if t.promised == 0 {
                continue;
            }
            let names = step_names(t.steps);
            let limits = split_limit(t.promised, &step_weights(names, it.bottleneck, false));
            for (name, limit) in names.iter().zip(limits) {
                out.push(line(&[&it.code, name, &limit.to_string(), &effective]));
            }
        }
        out
    }

    /// Catalog terms in force on a date (None: the item is not in force yet).
    fn terms_on(&self, item: usize, d: NaiveDate) -> Option<Terms> {
        let it = &self.items[item];
        if d >= self.catalog_v2 {
            Some(it.v2)
        } else {
            it.v1
        }
    }
}

fn shuffle<T>(rng: &mut Rng, xs: &mut [T]) {
    for i in (1..xs.len()).rev() {
        let j = rng.below(i + 1);
        xs.swap(i, j);
    }
}

/// The items of one hall: `windows` lists each department's windows in the
/// hall (a department without one has no items there). Hall 0 has the
/// county's codes (GA001 …), hall h codes from h×100+1 (GA101 …).
fn build_items(rng: &mut Rng, windows: &[Vec<usize>], hall: usize) -> Vec<Item> {
    let mut items = Vec::new();
    for (d, seed) in DEPARTMENTS.iter().enumerate() {
        let windows = &windows[d];
        if windows.is_empty() {
            continue;
        }
        for (k, &(name, flags)) in seed.items.iter().enumerate() {
            let has = |c: char| flags.contains(c);
            let legal = if has('n') {
                None
            } else if has('1') {
                Some(10)
            } else if has('5') {
                Some(15)
            } else if has('3') {
                Some(30)
            } else if has('6') {
                Some(60)
            } else {
                Some(20)
            };
            let weight = if has('h') {
                f64::from(rng.between(45, 75))
            } else if has('w') {
                f64::from(rng.between(8, 16))
            } else {
                0.5 + 3.0 * rng.unit()
            };
            let instant_v1 = has('i');
            let promised_v1 = if instant_v1 {
                0
            } else {
                match legal {
                    Some(l) => ((f64::from(l) * (0.4 + 0.2 * rng.unit())).round() as u32).max(1),
                    None => *rng.pick(&[3, 5, 7, 10]),
                }
            };
            let steps_v1 = if instant_v1 {
                rng.between(1, 2)
            } else if legal.unwrap_or(0) >= 30 {
                rng.between(4, 6)
            } else {
                rng.between(3, 5)
            };
            let materials_v1 = if instant_v1 {
                rng.between(1, 4)
            } else {
                rng.between(3, 12)
            };
            let v1 = Terms {
                promised: promised_v1,
                materials: materials_v1,
                steps: steps_v1,
            };
            let becomes_instant = instant_v1
                || rng.chance(if has('h') || has('w') || legal == Some(10) {
                    0.4
                } else {
                    0.3
                });
            let v2 = if becomes_instant {
                Terms {
                    promised: 0,
                    materials: v1.materials.saturating_sub(rng.between(0, 1)).max(1),
                    steps: v1.steps.saturating_sub(rng.between(0, 2)).max(1),
                }
            } else {
                Terms {
                    promised: ((f64::from(v1.promised) * (0.3 + 0.35 * rng.unit())).round() as u32)
                        .max(1),
                    materials: if rng.chance(0.25) {
                        v1.materials.saturating_sub(rng.between(1, 2)).max(2)
                    } else {
                        v1.materials
                    },
                    steps: if rng.chance(0.4) {
                        v1.steps.saturating_sub(1).max(2)
                    } else {
                        v1.steps
                    },
                }
            };
            let window = if has('b') && windows.len() > 1 {
                windows[1]
            } else {
                windows[0]
            };
            let licensing = ["许可", "审批", "核准", "认定", "审核", "审查", "核定"]
                .iter()
                .any(|w| name.contains(w));
            items.push(Item {
                code: format!("{}{:03}", seed.prefix, hall * 100 + k + 1),
                name,
                dept: d,
                window,
                licensing,
                legal,
                weight,
                bottleneck: rng.between(1, 3) as usize,
                planted: false,
                v1: (!has('N')).then_some(v1),
                v2,
            });
        }
    }
    items
}

fn build_staff(
    rng: &mut Rng,
    days: &Days,
    depts: &[Dept],
    windows: &[Window],
    staff_percent: u32,
    since: NaiveDate,
) -> Vec<Person> {
    let mut names = NameMaker::default();
    let mut staff: Vec<Person> = Vec::new();
    let mut next_id = 1001;
    for (w, window) in windows.iter().enumerate() {
        let seed = &WINDOWS[window.seed];
        let head_count = (seed.staff * staff_percent as usize + 50) / 100;
        let first_of_dept = depts.iter().any(|d| d.windows.first() == Some(&w));
        for k in 0..head_count {
            let role = if k == 0 {
                if first_of_dept {
                    "首席代表"
                } else {
                    "窗口负责人"
                }
            } else if k + 1 == head_count {
                "B岗"
            } else {
                "工作人员"
            };
            staff.push(Person {
                id: next_id,
                name: names.make(rng),
                spells: vec![Spell {
                    window: w,
                    role,
                    from: since,
                    to: None,
                }],
                device: if rng.chance(0.7) { 1 } else { 2 },
                lateness: 1.0,
            });
            next_id += 1;
        }
    }
    let date = |f: f64| days.dates[days.fraction(f)];
    let ordinary = |staff: &[Person], w: usize| {
        staff
            .iter()
            .rposition(|p| {
                p.spells[0].window == w && p.spells[0].role == "工作人员" && p.spells.len() == 1
            })
            .expect("windows named below have ordinary staff")
    };
    // In each whole hall: two leave the center, one moves from 就业与劳动关系
    // to 社会保险, two join later.
    let halls = windows.len() / WINDOWS.len();
    for o in (0..halls).map(|h| h * WINDOWS.len()) {
        for (w, f) in [(9, 0.3), (12, 0.62)] {
            let i = ordinary(&staff, o + w);
            staff[i].spells[0].to = Some(date(f));
        }
        let i = ordinary(&staff, o + 7);
        let moved = date(0.5);
        staff[i].spells[0].to = moved.pred_opt();
        staff[i].spells.push(Spell {
            window: o + 6,
            role: "工作人员",
            from: moved,
            to: None,
        });
        for (w, f) in [(2, 0.38), (25, 0.72)] {
            staff.push(Person {
                id: next_id,
                name: names.make(rng),
                spells: vec![Spell {
                    window: o + w,
                    role: "工作人员",
                    from: date(f),
                    to: None,
                }],
                device: 1,
                lateness: 1.0,
            });
            next_id += 1;
        }
    }
    // Lateness: a personal propensity (the window's quality adds to it at
    // punch time), and a few habitual late-comers.
    for p in staff.iter_mut() {
        p.lateness = rng.unit() + 0.5;
    }
    for _ in 0..5 * halls.max(1) {
        let i = rng.below(staff.len());
        staff[i].lateness = 5.0;
    }
    staff
}

/// Unique Chinese names.
#[derive(Default)]
struct NameMaker {
    used: HashSet<String>,
}

impl NameMaker {
    fn make(&mut self, rng: &mut Rng) -> String {
        let surnames: Vec<char> = SURNAMES.chars().collect();
        let given: Vec<char> = GIVEN.chars().collect();
        loop {
            let mut name = String::new();
            name.push(*rng.pick(&surnames));
            name.push(*rng.pick(&given));
            if rng.chance(0.7) {
                name.push(*rng.pick(&given));
            }
            if self.used.insert(name.clone()) {
                return name;
            }
        }
    }
}

// ---------------------------------------------------------------- roster

/// Leave flags of a staff-day.
const LEAVE_AM: u8 = 1;
const LEAVE_PM: u8 = 2;
const ABSENT: u8 = 4;
const OFF: u8 = LEAVE_AM | LEAVE_PM;

/// Who is where each day.
struct Roster {
    /// Per day and window: staff active there.
    active: Vec<Vec<Vec<usize>>>,
    /// Per day and window: active staff with no leave or absence that day.
    available: Vec<Vec<Vec<usize>>>,
    /// Per staff and day: leave flags.
    flags: Vec<Vec<u8>>,
}

impl Roster {
    fn build(days: &Days, center: &Center, flags: Vec<Vec<u8>>) -> Self {
        let nw = center.windows.len();
        let mut active = vec![vec![Vec::new(); nw]; days.len()];
        let mut available = vec![vec![Vec::new(); nw]; days.len()];
        for (i, &d) in days.dates.iter().enumerate() {
            for (s, p) in center.staff.iter().enumerate() {
                if let Some(w) = p.window_on(d) {
                    active[i][w].push(s);
                    if flags[s][i] == 0 {
                        available[i][w].push(s);
                    }
                }
            }
        }
        Roster {
            active,
            available,
            flags,
        }
    }

    /// Someone of the window to handle work that day: a staff member not on
    /// leave, else anyone active.
    fn handler(&self, rng: &mut Rng, day: usize, w: usize) -> Option<usize> {
        let pool = if self.available[day][w].is_empty() {
            &self.active[day][w]
        } else {
            &self.available[day][w]
        };
        (!pool.is_empty()).then(|| *rng.pick(pool))
    }

    /// The window's lead if available that day, else any handler.
    fn lead(&self, rng: &mut Rng, center: &Center, day: usize, w: usize) -> Option<usize> {
        self.available[day][w]
            .iter()
            .copied()
            .find(|&s| center.staff[s].is_lead())
            .or_else(|| self.handler(rng, day, w))
    }
}

// ---------------------------------------------------------------- leaves

/// Leave records and the roster that knows about them.
fn gen_leaves(seed: u64, days: &Days, center: &Center) -> (Vec<String>, Roster) {
    let mut rng = Rng::new(seed, "leaves");
    let n = days.len();
    let mut flags = vec![vec![0u8; n]; center.staff.len()];
    let mut leaves: Vec<(NaiveDateTime, u32, String)> = Vec::new();
    let mut record = |s: usize, kind: &str, start: NaiveDateTime, end: NaiveDateTime| {
        let id = center.staff[s].id;
        leaves.push((
            start,
            id,
            line(&[&id.to_string(), kind, &fmt_dt(start), &fmt_dt(end)]),
        ));
    };
    let active_on = |s: usize, i: usize| center.staff[s].window_on(days.dates[i]).is_some();

    // One maternity leave of about three months.
    let mother = rng.below(center.staff.len());
    let start = days.after(days.fraction(0.4), 1).unwrap_or(0);
    let end = days.after(start, 64).unwrap_or(days.last());
    if active_on(mother, start) && active_on(mother, end) {
        for f in &mut flags[mother][start..=end] {
            *f = OFF;
        }
        let end_day = days.dates[end];
        record(
            mother,
            "产假",
            at(days.dates[start], Sessions::of(days.dates[start]).am.0),
            at(end_day, Sessions::of(end_day).pm.1),
        );
    }

    for (s, own) in flags.iter_mut().enumerate() {
        let mut i = 0;
        while i < n {
            if !days.work[i] || own[i] != 0 || !active_on(s, i) || !rng.chance(LEAVE_START_RATE) {
                i += 1;
                continue;
            }
            let d = days.dates[i];
            let sess = Sessions::of(d);
            let shape = rng.weighted(&[0.35, 0.25, 0.25, 0.12, 0.03]);
            if shape == 0 {
                let kind = ["事假", "病假", "公务外出"][rng.weighted(&[0.4, 0.3, 0.3])];
                let (span, flag) = if rng.chance(0.5) {
                    (sess.am, LEAVE_AM)
                } else {
                    (sess.pm, LEAVE_PM)
                };
                own[i] = flag;
                record(s, kind, at(d, span.0), at(d, span.1));
                i += 1;
                continue;
            }
            let (len, kind) = match shape {
                1 => (
                    1,
                    ["事假", "病假", "年假", "公务外出"][rng.weighted(&[0.35, 0.35, 0.15, 0.15])],
                ),
                2 => (
                    rng.between(2, 3) as usize,
                    ["病假", "年假", "出差"][rng.weighted(&[0.3, 0.35, 0.35])],
                ),
                3 => (rng.between(4, 5) as usize, ["年假", "出差"][rng.below(2)]),
                _ => (
                    rng.between(3, 10) as usize,
                    ["婚假", "丧假", "病假"][rng.below(3)],
                ),
            };
            let Some(last) = days.after(i, len - 1) else {
                break;
            };
            if (i..=last).any(|j| own[j] != 0) || !active_on(s, last) {
                i += 1;
                continue;
            }
            for f in &mut own[i..=last] {
                *f = OFF;
            }
            let end_day = days.dates[last];
            record(
                s,
                kind,
                at(d, sess.am.0),
                at(end_day, Sessions::of(end_day).pm.1),
            );
            i = last + 1;
        }
        // Absence without leave (旷工).
        for (i, f) in own.iter_mut().enumerate() {
            if days.work[i] && *f == 0 && active_on(s, i) && rng.chance(ABSENCE_RATE) {
                *f = ABSENT;
            }
        }
    }
    leaves.sort_by_key(|l| (l.0, l.1));
    let rows = leaves.into_iter().map(|(_, _, l)| l).collect();
    (rows, Roster::build(days, center, flags))
}

/// Saturday appointment duty: (day, window, staff) for each appointment
/// Saturday and each window that opens then.
fn saturday_duty(
    seed: u64,
    days: &Days,
    center: &Center,
    roster: &Roster,
) -> Vec<(usize, usize, usize)> {
    let mut rng = Rng::new(seed, "saturday");
    let mut duty = Vec::new();
    for i in (0..days.len()).filter(|&i| days.appointment[i]) {
        for (w, win) in center.windows.iter().enumerate() {
            if !win.saturday {
                continue;
            }
            let free: Vec<usize> = roster.active[i][w]
                .iter()
                .copied()
                .filter(|&s| roster.flags[s][i] == 0)
                .collect();
            if !free.is_empty() {
                duty.push((i, w, *rng.pick(&free)));
            }
        }
    }
    duty
}

// ----------------------------------------------------------------- cases

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
struct Plan {
    k: usize,
    blocks: Vec<Block>,
}

impl Plan {
    /// Working-day offset from acceptance of the moment `a` active days
    /// have elapsed (after the stops that start by then).
    fn offset(&self, a: usize) -> usize {
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
struct Case {
    id: String,
    window: usize,
    staff: Option<usize>,
    channel: &'static str,
    completed: Option<NaiveDateTime>,
    overdue: bool,
}

struct CaseTables {
    cases: Vec<Case>,
    rows: Vec<(NaiveDate, String)>,
    suspensions: Vec<String>,
    steps: Vec<String>,
}

/// One case to create: what the day loop decided.
struct Intake {
    item: usize,
    window: usize,
    staff: Option<usize>,
    channel: &'static str,
    accepted: NaiveDateTime,
}

fn gen_cases(
    spec: &DemoSpec,
    days: &Days,
    center: &Center,
    roster: &Roster,
    duty: &[(usize, usize, usize)],
) -> CaseTables {
    let mut rng = Rng::new(spec.seed, "cases");
    let halls = spec.halls();
    // Wide enough for the busiest day (a quarter above the mean, times the
    // seasonal and weekday peaks).
    let width = if spec.cases_per_year > 1_500_000 {
        5
    } else {
        4
    };
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
    let channel_weights: Vec<f64> = CHANNELS.iter().map(|c| c.1).collect();
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
        let sess = Sessions::of(d);
        let mut intake: Vec<Intake> = Vec::new();
        if days.work[i] {
            let picker = if d >= center.catalog_v2 {
                &after_v2
            } else {
                &before_v2
            };
            for _ in 0..rng.count_around(base * days.factor[i], DAILY_NOISE) {
                let item = picker.draw(&mut rng);
                let window = center.items[item].window;
                let channel = CHANNELS[rng.weighted(&channel_weights)].0;
                let staff = if channel == "自助" && rng.chance(SELF_SERVICE_NO_STAFF) {
                    None
                } else {
                    roster.handler(&mut rng, i, window)
                };
                intake.push(Intake {
                    item,
                    window,
                    staff,
                    channel,
                    accepted: at(d, sess.busy_time(&mut rng)),
                });
            }
        }
        for &(_, w, s) in duty.iter().filter(|t| t.0 == i) {
            let own = Picker::new(
                center
                    .items
                    .iter()
                    .enumerate()
                    .filter(|(k, it)| it.window == w && center.terms_on(*k, d).is_some())
                    .map(|(k, it)| (k, it.weight)),
            );
            if own.is_empty() {
                continue;
            }
            for _ in 0..rng.between(SATURDAY_CASES.0, SATURDAY_CASES.1) {
                intake.push(Intake {
                    item: own.draw(&mut rng),
                    window: w,
                    staff: Some(s),
                    channel: APPOINTMENT_CHANNEL,
                    accepted: at(d, rng.between(sess.am.0, sess.am.1 - 900)),
                });
            }
        }
        intake.sort_by_key(|c| c.accepted);
        for (seq, c) in intake.into_iter().enumerate() {
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
                &mut rng, days, center, roster, &mut out, id, c, i, terms, quality, stall,
            );
        }
    }
    out
}

/// Creates one case with its suspensions and (for a sample) its steps.
#[allow(clippy::too_many_arguments)]
fn make_case(
    rng: &mut Rng,
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
    // Case-specific limits on a few rows.
    let own_limits = rng.chance(CASE_LIMIT_FILL_RATE).then(|| {
        let promised = if terms.promised > 0 && rng.chance(CASE_LIMIT_OWN_SHARE) {
            let p = terms.promised + rng.between(1, 5);
            item.legal.map_or(p, |l| p.min(l))
        } else {
            terms.promised
        };
        (promised, item.legal)
    });
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
    let done_offset = plan.offset(plan.k);
    let done_day = days.after(day, done_offset);

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
        out.suspensions.push(line(&[
            &id,
            kind.label(),
            &fmt_date(days.dates[*s]),
            &e.map(|e| fmt_date(days.dates[e])).unwrap_or_default(),
            reason,
        ]));
    }

    let mut completed = done_day.map(|j| completion_time(rng, days, c.accepted, j, promised == 0));
    if promised > 0 && rng.chance(STEP_SAMPLE_RATE) {
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
            &fmt_dt(c.accepted),
            &completed.map(fmt_dt).unwrap_or_default(),
            result,
            &own_promised,
            &own_legal,
        ]),
    ));
    out.cases.push(Case {
        id,
        window: c.window,
        staff: c.staff,
        channel: c.channel,
        completed,
        overdue,
    });
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

/// Step names for a step count.
fn step_names(n: u32) -> &'static [&'static str] {
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
fn write_steps(
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
            let finish = if g == 0 {
                Some(plus_secs(start, rng.between(120, 900)))
            } else {
                days.after(day, plan.offset(pos)).map(|j| {
                    if days.dates[j] <= start.date() {
                        plus_secs(start, rng.between(120, 1800))
                    } else {
                        at(days.dates[j], Sessions::of(days.dates[j]).any_time(rng))
                    }
                })
            }
            .filter(|f| *f <= end);
            let start_day = days.index_of(start.date()).unwrap_or(day);
            let handler = match names[g] {
                "受理" => c.staff.or_else(|| roster.handler(rng, start_day, c.window)),
                "审批" | "决定" => roster.lead(rng, center, start_day, c.window),
                _ => roster.handler(rng, start_day, c.window),
            };
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

/// The weight of each step in a case's time: none for 受理, the bottleneck
/// heavy (very heavy for the planted item), 送达 light.
fn step_weights(names: &[&str], bottleneck: usize, planted: bool) -> Vec<f64> {
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
fn split_limit(promised: u32, weights: &[f64]) -> Vec<u32> {
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

// ----------------------------------------------------------- corrections

fn gen_corrections(seed: u64, days: &Days, center: &Center, cases: &[Case]) -> Vec<String> {
    let mut rng = Rng::new(seed, "corrections");
    let mut rows: Vec<(NaiveDateTime, String)> = Vec::new();
    for c in cases {
        let Some(done) = c.completed else { continue };
        if !rng.chance(CORRECTION_RATE * center.windows[c.window].quality) {
            continue;
        }
        let Some(day) = days.index_of(done.date()) else {
            continue;
        };
        let Some(j) = days.after(day, rng.between(1, 15) as usize) else {
            continue;
        };
        let t = at(days.dates[j], rng.between(hm(9, 0), hm(16, 30)));
        rows.push((t, line(&[&c.id, &fmt_dt(t), *rng.pick(CORRECTION_REASONS)])));
    }
    rows.sort_by_key(|r| r.0);
    rows.into_iter().map(|r| r.1).collect()
}

// --------------------------------------------------------------- ratings

fn gen_ratings(
    seed: u64,
    days: &Days,
    center: &Center,
    cases: &[Case],
) -> Vec<(NaiveDate, String)> {
    let mut rng = Rng::new(seed, "ratings");
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
        ratings.push(RatingRow {
            case_id: c.id.clone(),
            window: c.window,
            staff: c.staff,
            rated,
            level,
            channel,
            comment,
            rectified,
        });
    }
    ratings.sort_by(|a, b| (a.rated, &a.case_id).cmp(&(b.rated, &b.case_id)));
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
            ]),
        ));
    }
    rows
}

struct RatingRow {
    case_id: String,
    window: usize,
    staff: Option<usize>,
    rated: NaiveDateTime,
    level: u32,
    channel: &'static str,
    comment: &'static str,
    rectified: Option<NaiveDateTime>,
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
fn gen_questionnaires(seed: u64, days: &Days, center: &Center) -> Vec<String> {
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

// --------------------------------------------------------------- tickets

struct Ticket {
    issued: u32,
    priority: bool,
    called: Option<u32>,
    finished: Option<u32>,
    server: usize,
}

fn gen_tickets(
    spec: &DemoSpec,
    days: &Days,
    center: &Center,
    roster: &Roster,
) -> Vec<(NaiveDate, String)> {
    let mut rng = Rng::new(spec.seed, "tickets");
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
        for dept in &center.depts {
            // A floor so that small departments still see a ticket or two.
            let share = dept.share * 0.9 + 0.1 / center.depts.len() as f64;
            let n = rng.count_around(base * days.factor[i] * share, 0.15) as usize;
            let (load, workdays) = month_load[&(d.year(), d.month())];
            let planned = base * load / workdays * share;
            let mut servers: Vec<(usize, usize)> = dept
                .windows
                .iter()
                .flat_map(|&w| roster.available[i][w].iter().map(move |&s| (w, s)))
                .collect();
            if n == 0 || servers.is_empty() {
                continue;
            }
            shuffle(&mut rng, &mut servers);
            let open_minutes = f64::from(sess.am.1 - sess.am.0 + sess.pm.1 - sess.pm.0) / 60.0;
            let counters = ((planned * MINUTES_PER_TICKET / (open_minutes * COUNTER_UTILISATION))
                .ceil() as usize)
                .clamp(1, servers.len());
            servers.truncate(counters);
            let jumpers: Vec<bool> = servers
                .iter()
                .map(|&(w, s)| center.windows[w].jumper == Some(s))
                .collect();
            let tickets = simulate_queue(&mut rng, &sess, n, &jumpers);
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

/// One queue on one day: `n` tickets issued through the sessions (a late
/// morning rush before lunch), served first come first served by the
/// counters, priority tickets first; a jumping counter now and then calls
/// a ticket further back. Times in seconds after midnight.
fn simulate_queue(rng: &mut Rng, sess: &Sessions, n: usize, jumpers: &[bool]) -> Vec<Ticket> {
    const STOP_ISSUING: u32 = 15 * 60;
    let mut issued: Vec<u32> = (0..n)
        .map(|_| match rng.weighted(&[0.4, 0.2, 0.4]) {
            0 => {
                let (lo, hi) = (f64::from(sess.am.0), f64::from(sess.am.1 - STOP_ISSUING));
                rng.triangular(lo, lo + 0.3 * (hi - lo), hi) as u32
            }
            1 => rng.between(hm(11, 0), sess.am.1 - STOP_ISSUING),
            _ => {
                let (lo, hi) = (f64::from(sess.pm.0), f64::from(sess.pm.1 - STOP_ISSUING));
                rng.triangular(lo, lo + 0.35 * (hi - lo), hi) as u32
            }
        })
        .collect();
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

// --------------------------------------------------------------- punches

/// ZKTeco attlog lines: PIN padded to 9, time, device, status (0 in, 1
/// out), verify mode 1 (fingerprint), work code 0; in time order.
fn gen_punches(
    seed: u64,
    days: &Days,
    center: &Center,
    roster: &Roster,
    duty: &[(usize, usize, usize)],
) -> Vec<String> {
    let mut rng = Rng::new(seed, "punches");
    let mut punches: Vec<(NaiveDateTime, u32, u8, u8)> = Vec::new();
    for i in 0..days.len() {
        let d = days.dates[i];
        let sess = Sessions::of(d);
        for (s, p) in center.staff.iter().enumerate() {
            let Some(w) = p.window_on(d) else { continue };
            let flags = roster.flags[s][i];
            let on_duty = days.appointment[i] && duty.iter().any(|t| t.0 == i && t.2 == s);
            if !(days.work[i] || on_duty) || flags & (ABSENT) != 0 {
                continue;
            }
            let late = LATE_RATE * p.lateness * center.windows[w].quality.sqrt();
            let mut day_punches: Vec<(u32, u8)> = Vec::new();
            if flags & LEAVE_AM == 0 {
                let morning_in = if rng.chance(late) {
                    let minutes = if rng.chance(VERY_LATE_SHARE) {
                        rng.between(30, 70)
                    } else {
                        rng.between(1, 15)
                    };
                    sess.am.0 + minutes * 60 + rng.between(0, 59)
                } else {
                    sess.am.0 - rng.between(1, 600)
                };
                day_punches.push((morning_in, 0));
                day_punches.push((out_time(&mut rng, sess.am.1), 1));
            }
            if days.work[i] && flags & LEAVE_PM == 0 {
                let afternoon_in = if rng.chance(AFTERNOON_LATE_RATE * p.lateness) {
                    sess.pm.0 + rng.between(60, 1200)
                } else {
                    sess.pm.0 - rng.between(1, 600)
                };
                day_punches.push((afternoon_in, 0));
                day_punches.push((out_time(&mut rng, sess.pm.1), 1));
            }
            for (secs, status) in day_punches {
                if rng.chance(MISSING_PUNCH_RATE) {
                    continue;
                }
                let device = if rng.chance(0.9) {
                    p.device
                } else {
                    3 - p.device
                };
                punches.push((at(d, secs), p.id, device, status));
                if rng.chance(DUPLICATE_PUNCH_RATE) {
                    punches.push((at(d, secs + rng.between(3, 50)), p.id, device, status));
                }
            }
        }
    }
    punches.sort_unstable();
    punches
        .into_iter()
        .map(|(t, pin, device, status)| attlog_line(&pin.to_string(), &fmt_dt(t), device, status))
        .collect()
}

fn out_time(rng: &mut Rng, session_end: u32) -> u32 {
    if rng.chance(EARLY_LEAVE_RATE) {
        session_end - rng.between(5 * 60, 40 * 60)
    } else {
        session_end + rng.between(1, 600)
    }
}

fn attlog_line(pin: &str, time: &str, device: u8, status: u8) -> String {
    format!("{pin:>9}\t{time}\t{device}\t{status}\t1\t0")
}

// ------------------------------------------------------------ departures

fn gen_departures(seed: u64, days: &Days, center: &Center, roster: &Roster) -> Vec<String> {
    let mut rng = Rng::new(seed, "departures");
    let mut rows = Vec::new();
    for i in (0..days.len()).filter(|&i| days.work[i]) {
        let d = days.dates[i];
        let sess = Sessions::of(d);
        for (w, win) in center.windows.iter().enumerate() {
            for &s in &roster.available[i][w] {
                if !rng.chance(DEPARTURE_RATE * win.quality.sqrt()) {
                    continue;
                }
                let overlong = rng.chance(OVERLONG_DEPARTURE_SHARE * win.quality);
                let minutes = if overlong {
                    rng.between(21, 60)
                } else {
                    rng.between(5, 15)
                };
                let (lo, hi) = if rng.chance(0.55) { sess.am } else { sess.pm };
                let out_secs = rng.between(lo + 600, hi - (minutes + 10) * 60);
                let out = at(d, out_secs);
                let back = plus_secs(out, minutes * 60 + rng.between(0, 59));
                let reason = if overlong {
                    *rng.pick(LONG_DEPARTURE_REASONS)
                } else {
                    *rng.pick(DEPARTURE_REASONS)
                };
                let others: Vec<usize> = roster.available[i][w]
                    .iter()
                    .copied()
                    .filter(|&o| o != s)
                    .collect();
                let cover =
                    if others.is_empty() || rng.chance(UNCOVERED_DEPARTURE_SHARE * win.quality) {
                        None
                    } else {
                        others
                            .iter()
                            .copied()
                            .find(|&o| center.staff[o].spells.iter().any(|sp| sp.role == "B岗"))
                            .or_else(|| Some(*rng.pick(&others)))
                    };
                rows.push(line(&[
                    &center.staff[s].id.to_string(),
                    &fmt_dt(out),
                    &fmt_dt(back),
                    reason,
                    &cover
                        .map(|c| center.staff[c].id.to_string())
                        .unwrap_or_default(),
                ]));
            }
        }
    }
    rows
}

// ------------------------------------------------------------- incidents

/// Supervision incidents: patrol and covert findings, complaints (some not
/// substantiated), commendations and banners; findings lean to the poor
/// windows, commendations to the good ones.
fn gen_incidents(
    seed: u64,
    days: &Days,
    center: &Center,
    roster: &Roster,
    halls: usize,
) -> Vec<String> {
    let halls = halls as u32;
    let mut rng = Rng::new(seed, "incidents");
    let bad_weights: Vec<f64> = center.windows.iter().map(|w| w.quality).collect();
    let good_weights: Vec<f64> = center.windows.iter().map(|w| 1.0 / w.quality).collect();
    let mut rows = Vec::new();
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
            rows.push(line(&[
                &format!("DC{y}{month:02}{:03}", k + 1),
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
    rows
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

// ------------------------------------------------------------ bad rows

/// A deliberately malformed row: the file it goes in, the raw line, and
/// what is wrong with it.
struct BadRow {
    file: String,
    line: String,
    what: &'static str,
}

/// The planted malformed rows: ingestion must reject each, with its reason.
/// They have their own keys and nothing refers to them.
fn malformed_rows(days: &Days, center: &Center, cases: &[Case]) -> Vec<BadRow> {
    let months = days.months();
    let month_file = |table: &str, m: usize| {
        let (_, y, mo) = months[m.min(months.len() - 1)];
        format!("{table}-{y}-{mo:02}.csv")
    };
    let day = |m: usize, dom: u32| days.dates[days.workday_in_month(m, dom)];
    let stamp = |m: usize, dom: u32, secs: u32| fmt_dt(at(day(m, dom), secs));
    let ymd_of = |m: usize, dom: u32| day(m, dom).format("%Y%m%d").to_string();
    let w = 2; // 办税服务窗口一
    let win = &center.windows[w].id;
    let staff = center
        .staff
        .iter()
        .find(|p| p.spells[0].window == w)
        .map(|p| p.id.to_string())
        .unwrap_or_default();
    let item = center
        .items
        .iter()
        .find(|it| it.window == w && it.v1.is_some())
        .map(|it| it.code.clone())
        .unwrap_or_default();
    let bad = |file: String, fields: &[&str], what: &'static str| BadRow {
        file,
        line: line(fields),
        what,
    };
    let case_id = |m: usize, n: u32| format!("BJ{}{n:04}", ymd_of(m, 12));
    // A real, completed case of that month, for rows whose only fault is elsewhere.
    let real_case = |m: usize| {
        let prefix = format!("BJ{}", ymd_of(m, 12));
        cases
            .iter()
            .find(|c| c.id.starts_with(&prefix) && c.completed.is_some())
            .or(cases.first())
            .map(|c| c.id.clone())
            .unwrap_or_default()
    };
    let queue = &center.depts[center.windows[w].dept].queue;
    let mut rows = vec![
        bad(
            month_file("cases", 1),
            &[
                &case_id(1, 9001),
                &item,
                win,
                &staff,
                "窗口",
                "2026-13-45 09:12:00",
                "",
                "",
                "",
                "",
            ],
            "cases: accepted_at is not a date (2026-13-45)",
        ),
        bad(
            month_file("cases", 2),
            &[
                &case_id(2, 9002),
                &item,
                "W99",
                &staff,
                "窗口",
                &stamp(2, 12, hm(9, 40)),
                "",
                "",
                "",
                "",
            ],
            "cases: unknown window W99",
        ),
        bad(
            month_file("cases", 3),
            &[
                &case_id(3, 9003),
                &item,
                win,
                &staff,
                "窗口",
                &stamp(3, 12, hm(15, 10)),
                &stamp(3, 12, hm(10, 5)),
                "办结",
                "",
                "",
            ],
            "cases: completed_at before accepted_at",
        ),
        bad(
            month_file("cases", 5),
            &[&case_id(5, 9004), &item, win, &staff],
            "cases: ragged row (4 of 10 fields)",
        ),
        bad(
            month_file("cases", 7),
            &[
                &case_id(7, 9005),
                "",
                win,
                &staff,
                "网上",
                &stamp(7, 12, hm(10, 0)),
                "",
                "",
                "",
                "",
            ],
            "cases: empty required item_code",
        ),
        bad(
            month_file("cases", 9),
            &[
                &case_id(9, 9006),
                "ZZ999",
                win,
                &staff,
                "窗口",
                &stamp(9, 12, hm(11, 0)),
                "",
                "",
                "",
                "",
            ],
            "cases: unknown item code ZZ999",
        ),
        bad(
            month_file("ratings", 2),
            &[
                &format!("PJ{}99001", ymd_of(2, 15)),
                "",
                win,
                &staff,
                &stamp(2, 15, hm(10, 30)),
                "7",
                "评价器",
                "",
                "",
            ],
            "ratings: level 7 (outside 1–5)",
        ),
        bad(
            month_file("ratings", 6),
            &[
                &format!("PJ{}99002", ymd_of(6, 15)),
                "",
                "W99",
                "",
                &stamp(6, 15, hm(15, 30)),
                "5",
                "短信",
                "",
                "",
            ],
            "ratings: unknown window W99",
        ),
        bad(
            month_file("ratings", 8),
            &[&format!("PJ{}99003", ymd_of(8, 15)), "", win],
            "ratings: ragged row (3 of 9 fields)",
        ),
        bad(
            month_file("tickets", 4),
            &[
                &format!("{}Z901", ymd_of(4, 20)),
                queue,
                &stamp(4, 20, hm(10, 0)),
                &stamp(4, 20, hm(9, 45)),
                &stamp(4, 20, hm(9, 55)),
                win,
                &staff,
                "false",
                "完成",
            ],
            "tickets: called_at before issued_at",
        ),
        bad(
            month_file("tickets", 10),
            &[
                &format!("{}Z902", ymd_of(10, 20)),
                queue,
                "2026-02-30 09:00:00",
                "",
                "",
                win,
                &staff,
                "false",
                "过号",
            ],
            "tickets: issued_at is not a date (2026-02-30)",
        ),
        bad(
            "suspensions.csv".into(),
            &[
                &real_case(3),
                "暂停",
                &fmt_date(day(3, 13)),
                &fmt_date(day(3, 16)),
                "材料不全",
            ],
            "suspensions: kind 暂停 (neither 特别程序 nor 补正)",
        ),
        bad(
            "suspensions.csv".into(),
            &[
                &real_case(6),
                "补正",
                &fmt_date(day(6, 20)),
                &fmt_date(day(6, 13)),
                "材料不全",
            ],
            "suspensions: end before start",
        ),
        bad(
            "case_steps.csv".into(),
            &[
                &real_case(4),
                "9",
                "审查",
                &staff,
                &stamp(4, 12, hm(15, 0)),
                &stamp(4, 12, hm(9, 0)),
                "",
            ],
            "case_steps: finished_at before started_at",
        ),
        bad(
            "corrections.csv".into(),
            &[&real_case(5), "", "证照信息录入错误"],
            "corrections: empty required at",
        ),
        bad(
            "leaves.csv".into(),
            &[
                &staff,
                "事假",
                &stamp(2, 20, hm(14, 0)),
                &stamp(2, 20, hm(8, 30)),
            ],
            "leaves: end before start",
        ),
        bad(
            "leaves.csv".into(),
            &[
                "9999",
                "病假",
                &stamp(8, 20, hm(8, 30)),
                &stamp(8, 20, hm(12, 0)),
            ],
            "leaves: unknown staff 9999",
        ),
        bad(
            "departures.csv".into(),
            &[
                &staff,
                &stamp(3, 20, hm(10, 30)),
                &stamp(3, 20, hm(10, 10)),
                "复印材料",
                "",
            ],
            "departures: back_at before out_at",
        ),
        bad(
            "departures.csv".into(),
            &[
                "",
                &stamp(9, 20, hm(15, 0)),
                &stamp(9, 20, hm(15, 10)),
                "复印材料",
                "",
            ],
            "departures: empty required staff_id",
        ),
        bad(
            "incidents.csv".into(),
            &[
                "DC-X01",
                &fmt_date(day(5, 20)),
                "巡查",
                "W99",
                "",
                "玩手机",
                "true",
                "-3",
            ],
            "incidents: unknown window W99",
        ),
        bad(
            "incidents.csv".into(),
            &[
                "DC-X02",
                "2026-13-45",
                "暗访",
                win,
                "",
                "着装不规范",
                "true",
                "-2",
            ],
            "incidents: date is not a date (2026-13-45)",
        ),
    ];
    let d = day(4, 20);
    rows.push(BadRow {
        file: ATTLOG_FILE.into(),
        line: attlog_line(
            &staff,
            &format!("{}-{:02}-1? 08:2x:07", d.year(), d.month()),
            1,
            0,
        ),
        what: "punches: garbled timestamp",
    });
    rows.push(BadRow {
        file: ATTLOG_FILE.into(),
        line: attlog_line("9999", &stamp(7, 20, hm(8, 25)), 1, 0),
        what: "punches: unknown PIN 9999",
    });
    rows
}

// ---------------------------------------------------------------- output

/// A CSV line, quoting fields that hold a comma, quote or line break.
fn line(fields: &[&str]) -> String {
    let mut s = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            s.push('"');
            s.push_str(&f.replace('"', "\"\""));
            s.push('"');
        } else {
            s.push_str(f);
        }
    }
    s
}

/// Writes the files, planting the malformed rows in the ones they belong to.
struct Output {
    dir: PathBuf,
    bad: Vec<BadRow>,
    files: Vec<PathBuf>,
    malformed: usize,
}

impl Output {
    fn new(dir: &Path, bad: Vec<BadRow>) -> Self {
        Output {
            dir: dir.to_path_buf(),
            bad,
            files: Vec::new(),
            malformed: 0,
        }
    }

    fn planted(&self, name: &str) -> Vec<String> {
        self.bad
            .iter()
            .filter(|b| b.file == name)
            .map(|b| b.line.clone())
            .collect()
    }

    /// The file's text: header, rows, and this file's malformed rows spread
    /// evenly among them.
    fn render(
        &mut self,
        name: &str,
        header: Option<String>,
        rows: &[String],
        newline: &str,
    ) -> Vec<u8> {
        let planted = self.planted(name);
        let mut text = String::with_capacity(rows.iter().map(|r| r.len() + 1).sum::<usize>() + 256);
        if let Some(h) = header {
            text.push_str(&h);
            text.push_str(newline);
        }
        let k = planted.len();
        let mut next = 0;
        for (i, r) in rows.iter().enumerate() {
            while next < k && i >= (next + 1) * rows.len() / (k + 1) {
                text.push_str(&planted[next]);
                text.push_str(newline);
                next += 1;
            }
            text.push_str(r);
            text.push_str(newline);
        }
        for p in &planted[next..] {
            text.push_str(p);
            text.push_str(newline);
        }
        self.malformed += k;
        text.into_bytes()
    }

    fn save(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        let file = File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        let mut w = BufWriter::new(file);
        w.write_all(bytes)
            .and_then(|()| w.flush())
            .with_context(|| format!("writing {}", path.display()))?;
        self.files.push(path);
        Ok(())
    }

    /// A UTF-8 CSV with the English header.
    fn csv(&mut self, name: &str, header: &[&str], rows: &[String]) -> Result<()> {
        let bytes = self.render(name, Some(line(header)), rows, "\n");
        self.save(name, &bytes)
    }

    /// One `{table}-YYYY-MM.csv` per month of the period.
    fn monthly(
        &mut self,
        days: &Days,
        table: &str,
        header: &[&str],
        rows: Vec<(NaiveDate, String)>,
    ) -> Result<()> {
        let mut by_month: BTreeMap<(i32, u32), Vec<String>> = days
            .months()
            .iter()
            .map(|&(_, y, m)| ((y, m), Vec::new()))
            .collect();
        for (d, r) in rows {
            by_month.entry((d.year(), d.month())).or_default().push(r);
        }
        for ((y, m), rows) in by_month {
            self.csv(&format!("{table}-{y}-{m:02}.csv"), header, &rows)?;
        }
        Ok(())
    }

    /// A GBK CSV with CRLF line ends and no BOM, as Excel saves it in China.
    fn gbk(&mut self, name: &str, header: &[&str], rows: &[String]) -> Result<()> {
        let bytes = self.render(name, Some(line(header)), rows, "\r\n");
        let text = String::from_utf8(bytes).context("demo rows are UTF-8")?;
        let (encoded, _, unmappable) = encoding_rs::GBK.encode(&text);
        if unmappable {
            bail!("{name}: text not representable in GBK");
        }
        self.save(name, &encoded)
    }

    /// A headerless text file (the ZKTeco attlog).
    fn raw(&mut self, name: &str, rows: &[String]) -> Result<()> {
        let bytes = self.render(name, None, rows, "\n");
        self.save(name, &bytes)
    }

    fn finish(self) -> Result<DemoFiles> {
        let lost: Vec<&str> = self
            .bad
            .iter()
            .filter(|b| !self.files.iter().any(|f| f.ends_with(&b.file)))
            .map(|b| b.what)
            .collect();
        ensure!(
            lost.is_empty(),
            "malformed rows without a file to go in: {}",
            lost.join("; ")
        );
        Ok(DemoFiles {
            files: self.files,
            malformed_rows: self.malformed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real calendar (the scratch stub in development).
    fn official_calendar() -> Calendar {
        Calendar::official()
    }

    /// A scratch folder under the system temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("xiaoneng-demo-{}-{name}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn generate_into(spec: &DemoSpec, name: &str) -> (Scratch, DemoFiles) {
        let dir = Scratch::new(name);
        let files = generate(spec, &official_calendar(), &dir.0).expect("demo generation");
        (dir, files)
    }

    /// Data lines of the files whose name starts with `prefix`.
    fn data_lines(files: &DemoFiles, prefix: &str) -> Vec<String> {
        let mut lines = Vec::new();
        for f in &files.files {
            let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if !name.starts_with(prefix) {
                continue;
            }
            let bytes = std::fs::read(f).expect("readable file");
            let text = match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => encoding_rs::GBK.decode(e.as_bytes()).0.into_owned(),
            };
            let skip = usize::from(!name.ends_with(".dat"));
            lines.extend(text.lines().skip(skip).map(str::to_owned));
        }
        lines
    }

    #[test]
    fn same_spec_gives_identical_files() {
        let spec = DemoSpec {
            seed: 11,
            first_month: (2026, 1),
            months: 3,
            ..DemoSpec::default()
        };
        let (_a, first) = generate_into(&spec, "det-a");
        let (_b, second) = generate_into(&spec, "det-b");
        assert_eq!(first.files.len(), second.files.len());
        assert_eq!(first.malformed_rows, second.malformed_rows);
        for (x, y) in first.files.iter().zip(&second.files) {
            assert_eq!(x.file_name(), y.file_name());
            let (bx, by) = (std::fs::read(x).unwrap(), std::fs::read(y).unwrap());
            assert!(bx == by, "{} differs between two runs", x.display());
        }
    }

    #[test]
    fn default_volumes_are_those_of_a_county_center() {
        let (_dir, files) = generate_into(&DemoSpec::default(), "volumes");
        // 13 months: the county profile per year, scaled.
        let count = |prefix: &str| data_lines(&files, prefix).len();
        let within = |what: &str, n: usize, lo: usize, hi: usize| {
            assert!((lo..=hi).contains(&n), "{what}: {n} not in {lo}..={hi}");
        };
        within("cases", count("cases-"), 58_000, 75_000);
        within("ratings", count("ratings-"), 42_000, 62_000);
        within("tickets", count("tickets-"), 65_000, 88_000);
        within("punches", count("punches"), 90_000, 120_000);
        within("staff", count("staff"), 100, 106);
        within("windows", count("windows"), 27, 27);
        within("items v1", count("items-2025"), 180, 220);
        within("questionnaires", count("评价"), 150, 170);
        within("leaves", count("leaves"), 250, 600);
        within("suspensions", count("suspensions"), 2_000, 6_000);
        within("malformed rows", files.malformed_rows, 15, 30);
        // windows, staff, 2 catalogs and their 2 step-limit files; 13 months
        // of cases, ratings, tickets; suspensions, steps, corrections;
        // questionnaires; attlog, leaves, departures, incidents.
        assert_eq!(files.files.len(), 6 + 13 * 3 + 3 + 1 + 4);
    }

    #[test]
    fn cases_fall_on_working_days_or_saturday_appointments() {
        let cal = official_calendar();
        let spec = DemoSpec::default();
        let (_dir, files) = generate_into(&spec, "workdays");
        let mut saturdays = 0;
        for l in data_lines(&files, "cases-") {
            let fields: Vec<&str> = l.split(',').collect();
            if fields.len() != CASES_HEADER.len() {
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

    #[test]
    fn city_profile_has_the_sizes_of_domain_md() {
        // One month of the city: 200 windows, about 1 000 staff, about
        // 2 000 000 cases a year (January is a little below the mean).
        let spec = DemoSpec {
            months: 1,
            ..Profile::City.spec(7)
        };
        let (_dir, files) = generate_into(&spec, "city");
        let windows = data_lines(&files, "windows");
        assert_eq!(windows.len(), 200);
        let ids: HashSet<&str> = windows
            .iter()
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(ids.len(), 200, "window ids are unique");
        assert!(windows.iter().any(|l| l.contains("（二厅）")));
        let staff: HashSet<String> = data_lines(&files, "staff")
            .iter()
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect();
        assert!((950..=1100).contains(&staff.len()), "{} staff", staff.len());
        let items = data_lines(&files, "items-2025");
        let codes: HashSet<&str> = items.iter().map(|l| l.split(',').next().unwrap()).collect();
        assert_eq!(codes.len(), items.len(), "item codes are unique");
        assert!(items.len() > 1_000, "{} items", items.len());
        assert!(
            data_lines(&files, "items-2026").is_empty(),
            "no catalog that comes into force after the period"
        );
        let cases = data_lines(&files, "cases");
        assert!(
            (130_000..=190_000).contains(&cases.len()),
            "{} cases in January",
            cases.len()
        );
        // Fixed-width case ids: text order is acceptance order (but for
        // the rows planted malformed).
        let ids: Vec<&str> = cases.iter().filter_map(|l| l.split(',').next()).collect();
        let odd = ids.iter().filter(|id| id.len() != "BJ2025010200001".len());
        assert!(odd.count() <= files.malformed_rows);
    }

    #[test]
    fn questionnaires_are_gbk_not_utf8() {
        let spec = DemoSpec {
            months: 3,
            ..DemoSpec::default()
        };
        let (_dir, files) = generate_into(&spec, "gbk");
        let path = files
            .files
            .iter()
            .find(|f| f.ends_with(QUESTIONNAIRE_FILE))
            .expect("questionnaire file written");
        let bytes = std::fs::read(path).unwrap();
        assert!(std::str::from_utf8(&bytes).is_err());
        assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&bytes);
        assert!(!had_errors);
        assert!(text.starts_with("评价编号,窗口编号,评价时间,评价等级,评价渠道,评价内容\r\n"));
        assert_eq!(text.lines().count(), 1 + QUESTIONNAIRES_PER_QUARTER);
    }

    #[test]
    fn working_day_arithmetic_agrees_with_the_calendar() {
        let cal = official_calendar();
        let days = Days::build(&DemoSpec::default(), &cal).unwrap();
        for i in 0..days.len() {
            for n in 0..=12 {
                if let Some(j) = days.after(i, n) {
                    let expected = cal.deadline(days.dates[i], n as u32).unwrap();
                    assert_eq!(days.dates[j], expected, "{} + {n}", days.dates[i]);
                }
            }
        }
    }

    #[test]
    fn catalog_round_compresses_promised_limits() {
        let cal = official_calendar();
        let days = Days::build(&DemoSpec::default(), &cal).unwrap();
        let center = Center::build(&DemoSpec::default(), &days);
        let both: Vec<&Item> = center.items.iter().filter(|it| it.v1.is_some()).collect();
        let before: u32 = both.iter().map(|it| it.v1.unwrap().promised).sum();
        let after: u32 = both.iter().map(|it| it.v2.promised).sum();
        let compression = 1.0 - f64::from(after) / f64::from(before);
        assert!(
            (0.6..=0.75).contains(&compression),
            "compression {compression}"
        );
        for it in &center.items {
            for t in it.v1.iter().chain([&it.v2]) {
                assert!(it.legal.is_none_or(|l| t.promised <= l), "{}", it.code);
            }
        }
    }
}
