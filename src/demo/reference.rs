//! The demo's constants: the rates that shape each table, and the county
//! center it is built from (departments and their items, windows, names,
//! and the words of reasons, comments and supervision findings).

// ------------------------------------------------------------------ rates

/// Day-to-day noise of the daily volumes (standard deviation, relative).
pub(super) const DAILY_NOISE: f64 = 0.08;
/// Share of the work done in the morning session.
pub(super) const MORNING_SHARE: f64 = 0.6;

/// Application channels of ordinary working days, with their shares.
pub(super) const CHANNELS: [(&str, f64); 4] = [
    ("窗口", 0.55),
    ("网上", 0.28),
    ("预约", 0.09),
    ("自助", 0.08),
];
/// Channel of the Saturday appointment service (预约服务).
pub(super) const APPOINTMENT_CHANNEL: &str = "预约";
/// Appointment cases per window and Saturday (inclusive range).
pub(super) const SATURDAY_CASES: (u32, u32) = (2, 8);
/// Share of self-service cases with no accepting staff member.
pub(super) const SELF_SERVICE_NO_STAFF: f64 = 0.6;
/// Share of case rows that carry their own limits instead of the catalog's.
pub(super) const CASE_LIMIT_FILL_RATE: f64 = 0.05;
/// Share of those whose own promised limit differs from the catalog.
pub(super) const CASE_LIMIT_OWN_SHARE: f64 = 0.2;
/// Overdue share of completed promised cases at an average window.
pub(super) const OVERDUE_RATE: f64 = 0.015;
/// Instant cases finished on a later working day (overdue instant cases).
pub(super) const INSTANT_LATE_RATE: f64 = 0.004;
/// Promised cases with a 特别程序 suspension.
pub(super) const SPECIAL_PROCEDURE_RATE: f64 = 0.02;
/// Promised cases with a 补正 suspension.
pub(super) const SUPPLEMENT_RATE: f64 = 0.08;
/// Refusals (不予许可) among completed licensing cases.
pub(super) const REFUSAL_RATE: f64 = 0.025;
/// Old cases left open far past their deadline (promised, instant).
pub(super) const STALLED_CASES: (usize, usize) = (6, 2);
/// Chance that an eligible case is picked as one of the stalled ones.
pub(super) const STALL_CHANCE: f64 = 0.0004;
/// Share of promised cases whose steps are exported.
pub(super) const STEP_SAMPLE_RATE: f64 = 0.25;
/// Share of sampled cases (with 5+ steps) whose 审查 and 审核 run in parallel.
pub(super) const PARALLEL_STEP_RATE: f64 = 0.15;
/// Share of sampled cases whose steps carry their own step limit (the
/// others take the catalog's, `item_steps`).
pub(super) const STEP_LIMIT_RATE: f64 = 0.15;
/// Weight of the bottleneck step in the catalog's split of the promised
/// limit and in the time an ordinary item's step takes.
pub(super) const BOTTLENECK_WEIGHT: f64 = 3.0;
/// Weight of the bottleneck step of the planted item (the promised item
/// with four or more steps and the most case-days): its 审批 holds most of
/// its cases' time, well past the limit the catalog gives it.
pub(super) const PLANTED_BOTTLENECK_WEIGHT: f64 = 12.0;
/// Cases found with an error (差错件), at an average window.
pub(super) const CORRECTION_RATE: f64 = 0.003;
/// Completed cases that receive a rating.
pub(super) const RATING_COVERAGE: f64 = 0.78;
/// Bad ratings (level 1–2) at an average window, on a case finished on time.
pub(super) const BAD_RATING_RATE: f64 = 0.008;
/// Level 3 and level 4 shares of the ratings.
pub(super) const LEVEL3_RATE: f64 = 0.025;
pub(super) const LEVEL4_RATE: f64 = 0.07;
/// Bad ratings never rectified.
pub(super) const NEVER_RECTIFIED: f64 = 0.05;
/// Bad ratings rectified late (after 5 working days).
pub(super) const LATE_RECTIFIED: f64 = 0.2;
/// 民主评议 questionnaires per quarter.
pub(super) const QUESTIONNAIRES_PER_QUARTER: usize = 40;
/// Called tickets whose holder did not come (过号).
pub(super) const NO_SHOW_RATE: f64 = 0.05;
/// Priority tickets (green channel, elderly, disabled).
pub(super) const PRIORITY_RATE: f64 = 0.03;
/// Calls of a queue-jumping staff member that skip the head of the queue.
pub(super) const QUEUE_JUMP_RATE: f64 = 0.05;
/// Windows with a queue-jumping staff member.
pub(super) const QUEUE_JUMP_WINDOWS: usize = 3;
/// Counter minutes a ticket takes on average (service, no-shows, paperwork
/// between applicants): the queue opens enough counters for the day's
/// tickets at this utilisation.
pub(super) const MINUTES_PER_TICKET: f64 = 12.0;
pub(super) const COUNTER_UTILISATION: f64 = 0.6;
/// The hours of the queue tickets (取号时间): the morning takes this
/// share, most of it in a peak from 9:00 to 10:30; the afternoon's peak is
/// the first hour and a half after the lunch break.
pub(super) const TICKET_MORNING_SHARE: f64 = 0.58;
/// Tickets of a session that come in its peak (the others spread evenly).
pub(super) const TICKET_PEAK_SHARE: f64 = 0.6;
/// The busiest service (不动产登记, as in most county centers): its queue
/// takes this many times its share of the cases' work, and its counters
/// are planned for the day's tickets less this factor: it waits longest.
pub(super) const BUSIEST_QUEUE: &str = "不动产";
pub(super) const BUSIEST_QUEUE_FACTOR: f64 = 2.5;
pub(super) const BUSIEST_QUEUE_UNDERPLANNED: f64 = 1.5;
/// Late morning arrivals of an average staff member.
pub(super) const LATE_RATE: f64 = 0.03;
/// Late arrivals of 30 minutes or more, among the late ones.
pub(super) const VERY_LATE_SHARE: f64 = 0.08;
/// Late afternoon arrivals and early leaves.
pub(super) const AFTERNOON_LATE_RATE: f64 = 0.01;
pub(super) const EARLY_LEAVE_RATE: f64 = 0.005;
/// Punches forgotten, and punches pressed twice.
pub(super) const MISSING_PUNCH_RATE: f64 = 0.01;
pub(super) const DUPLICATE_PUNCH_RATE: f64 = 0.015;
/// Staff-days absent without leave (旷工).
pub(super) const ABSENCE_RATE: f64 = 0.001;
/// Chance that a leave starts on a free working day (≈3 % of staff-days on leave).
pub(super) const LEAVE_START_RATE: f64 = 0.015;
/// Departures (离岗登记) per staff-day, at an average window.
pub(super) const DEPARTURE_RATE: f64 = 0.05;
/// Overlong departures (over 20 min) among them.
pub(super) const OVERLONG_DEPARTURE_SHARE: f64 = 0.1;
/// Departures registered without a B岗 cover.
pub(super) const UNCOVERED_DEPARTURE_SHARE: f64 = 0.15;

/// First day of the first item catalog and of the roster.
pub(super) const SINCE: (i32, u32, u32) = (2025, 1, 1);
/// First day of the second catalog version (流程再造).
pub(super) const CATALOG_V2: (i32, u32, u32) = (2026, 4, 1);

// ----------------------------------------------------------- reference data

/// A department and its items. Item flags: `h` high volume, `w` warm
/// (above average), `i` instant (promised 0) already in the first catalog,
/// `n` no legal limit, `1`/`5`/`3`/`6` legal limit 10/15/30/60 working days
/// (20 otherwise), `N` new in the second catalog, `b` handled by the
/// department's second window.
pub(super) struct DeptSeed {
    pub(super) name: &'static str,
    pub(super) prefix: &'static str,
    pub(super) items: &'static [(&'static str, &'static str)],
}

pub(super) const DEPARTMENTS: [DeptSeed; 22] = [
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
pub(super) struct WindowSeed {
    pub(super) name: &'static str,
    pub(super) dept: &'static str,
    pub(super) staff: usize,
    pub(super) saturday: bool,
}

const fn ws(name: &'static str, dept: &'static str, staff: usize, saturday: bool) -> WindowSeed {
    WindowSeed {
        name,
        dept,
        staff,
        saturday,
    }
}

pub(super) const WINDOWS: [WindowSeed; 27] = [
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

pub(super) const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
pub(super) const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华建国志红文辉玉兰海燕婷雪琳晓东鹏飞颖慧宇欣怡佳浩然子涵梓萱诗雨俊凯思远博文嘉欣";

pub(super) const SPECIAL_REASONS: &[&str] = &[
    "现场勘验",
    "专家评审",
    "听证",
    "检验检测",
    "公示",
    "征求相关部门意见",
];
pub(super) const SUPPLEMENT_REASONS: &[&str] = &[
    "材料不全",
    "材料不符合法定形式",
    "需补充身份证明",
    "申请表填写有误, 需重新填写",
    "缺少产权证明材料",
];
pub(super) const CORRECTION_REASONS: &[&str] = &[
    "证照信息录入错误",
    "适用审批依据错误",
    "超范围要求申请人提供材料",
    "收费标准适用错误",
    "审核把关不严, 材料存在缺陷",
    "送达信息填写错误",
];
pub(super) const BAD_COMMENTS: &[&str] = &[
    "等待时间太长",
    "工作人员态度不好",
    "材料要求反复变动，跑了好几趟",
    "办理进度不透明, 打电话也问不清楚",
    "窗口人员业务不熟",
    "说好的时间没有办好",
    "午休时间窗口无人",
];
pub(super) const MEDIUM_COMMENTS: &[&str] = &[
    "一般",
    "排队时间有点长",
    "一次告知不够清楚",
    "办理速度还可以",
];
pub(super) const GOOD_COMMENTS: &[&str] = &[
    "服务热情周到",
    "办事效率高",
    "一次就办好了，点赞",
    "工作人员耐心解释, 非常满意",
    "比以前快多了",
];
pub(super) const QUESTIONNAIRE_RESPONDENTS: &[&str] = &[
    "人大代表",
    "政协委员",
    "服务对象",
    "企业代表",
    "部门评议",
    "社会监督员",
];
pub(super) const QUESTIONNAIRE_COMMENTS: &[&str] = &[
    "窗口服务规范",
    "办事效率较高",
    "工作人员态度热情",
    "建议进一步精简材料",
    "建议延长午间服务",
    "总体满意",
    "一次告知落实较好",
];
pub(super) const DEPARTURE_REASONS: &[&str] = &[
    "送件至后台科室",
    "到档案室调取资料",
    "复印材料",
    "去财务室对账",
    "接听业务电话",
    "领取办公用品",
];
pub(super) const LONG_DEPARTURE_REASONS: &[&str] =
    &["参加临时会议", "身体不适", "送件至局机关", "现场核查"];

/// Complaints found substantiated.
pub(super) const COMPLAINT_SUBSTANTIATED: f64 = 0.6;
/// Finding and complaint categories: (category, points, names a staff member).
pub(super) const FINDINGS: &[(&str, i32, bool)] = &[
    ("脱岗", -5, true),
    ("着装不规范", -2, true),
    ("玩手机", -3, true),
    ("串岗聊天", -2, true),
    ("未佩戴工作牌", -2, true),
    ("窗口台面不整洁", -1, false),
];
pub(super) const COMPLAINTS: &[(&str, i32, bool)] = &[
    ("态度生硬", -5, true),
    ("推诿扯皮", -5, true),
    ("办事拖拉", -3, true),
    ("一次告知不到位", -2, true),
];
/// Favouritism (零关系办事) and bribery complaint categories.
pub(super) const FAVOURITISM: &str = "优亲厚友";
pub(super) const BRIBERY: &str = "吃拿卡要";

// Special services and refusals (`services`), drawn from a stream of
// their own.

/// Mode words of window cases (窗口 and 预约 channels): (share, the words a
/// vendor writes for it).
pub(super) const WINDOW_MODES: [(f64, &[&str]); 5] = [
    (0.04, &["预约", "网上预约", "微信预约"]),
    (0.04, &["帮办代办", "代办", "帮办"]),
    (0.01, &["绿色通道"]),
    (0.004, &["上门服务", "送证上门"]),
    (0.01, &["跨省通办", "省内通办", "异地通办"]),
];
/// 容缺受理 among the window's promised cases.
pub(super) const INCOMPLETE_RATE: f64 = 0.015;
/// 全程网办 among the online cases, and the words for it.
pub(super) const FULLY_ONLINE_RATE: f64 = 0.45;
pub(super) const FULLY_ONLINE_WORDS: &[&str] = &["全程网办", "不见面审批", "全流程网办"];
/// 跨域通办 among the online cases.
pub(super) const ONLINE_CROSS_RATE: f64 = 0.02;
/// How two mode words share a cell.
pub(super) const MODE_SEPARATORS: &[&str] = &["、", "；", "/"];
/// Window cases of a working day accepted before the morning start (早间
/// 延时), and after the afternoon end (晚间延时: only cases not completed
/// that day and without exported steps, so nothing else moves).
pub(super) const MORNING_RATE: f64 = 0.006;
pub(super) const EVENING_RATE: f64 = 0.015;
/// Quickly completed window cases that were 不予受理, and completed online
/// cases that were returned (退件).
pub(super) const NOT_ACCEPTED_RATE: f64 = 0.01;
pub(super) const RETURNED_RATE: f64 = 0.015;
/// Refusals recorded without a reason (an empty cell), and with the
/// placeholder 无; of those with one, the share written in the result cell
/// (不予受理（申请材料不齐全）) instead of the reason column.
pub(super) const NO_REASON_RATE: f64 = 0.12;
pub(super) const PLACEHOLDER_REASON_RATE: f64 = 0.03;
pub(super) const REASON_IN_RESULT_RATE: f64 = 0.1;
/// The reasons of each kind of refusal.
pub(super) const REFUSED_REASONS: &[&str] = &[
    "不符合法定条件",
    "申请材料不真实",
    "不符合规划要求",
    "超出法定经营范围",
    "安全条件不达标",
    "现场核查不合格",
];
pub(super) const NOT_ACCEPTED_REASONS: &[&str] = &[
    "不属于本机关职权范围",
    "申请材料不齐全",
    "申请事项依法不需要取得许可",
    "申请人主体资格不符",
    "重复申请",
];
pub(super) const RETURNED_REASONS: &[&str] = &[
    "上传材料不清晰",
    "申请材料不全",
    "信息填写有误",
    "非本辖区事项",
];
