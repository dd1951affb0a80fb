//! The fourteen input tables as data: their columns, types, aliases, keys and
//! references. Ingest, the store and the docs (`docs/INPUTS.md`) all read
//! this one description, so a table is described once.

/// The type a column is parsed into and stored as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Text,
    Int,
    Number,
    Bool,
    Date,
    DateTime,
}

/// One column of an input table.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub ty: ColType,
    pub required: bool,
    /// Built-in header aliases (Chinese export headers), the usual one
    /// first (the demo writes it).
    pub aliases: &'static [&'static str],
    /// Table whose key this column must name, if any.
    pub references: Option<&'static str>,
    /// When the file has no header for this column, it keeps the word
    /// written in that other column when the word stood for `true` (the
    /// class of a priority ticket: 老年人, 绿色通道 …).
    pub word_of: Option<&'static str>,
}

/// One input table.
#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    /// Chinese file-name prefixes that identify an export of this table.
    pub file_aliases: &'static [&'static str],
    pub columns: &'static [ColumnSpec],
    /// Columns whose values identify a row; a later row with the same key
    /// replaces the stored one.
    pub key: &'static [&'static str],
    /// Column whose year and month partition the dataset; `None` for the
    /// small dimension tables, stored as one file.
    pub partition_by: Option<&'static str>,
}

impl TableSpec {
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn column(&self, name: &str) -> &ColumnSpec {
        &self.columns[self
            .column_index(name)
            .unwrap_or_else(|| panic!("table {} has no column {name}", self.name))]
    }

    /// The usual export header of a column: its first alias, else its name.
    pub fn usual_header(&self, column: &str) -> &'static str {
        let c = self.column(column);
        c.aliases.first().copied().unwrap_or(c.name)
    }
}

const fn col(
    name: &'static str,
    ty: ColType,
    required: bool,
    aliases: &'static [&'static str],
) -> ColumnSpec {
    ColumnSpec {
        name,
        ty,
        required,
        aliases,
        references: None,
        word_of: None,
    }
}

const fn refcol(
    name: &'static str,
    required: bool,
    aliases: &'static [&'static str],
    table: &'static str,
) -> ColumnSpec {
    ColumnSpec {
        name,
        ty: ColType::Text,
        required,
        aliases,
        references: Some(table),
        word_of: None,
    }
}

/// A text column holding the word of column `of` (see `word_of`).
const fn word_col(
    name: &'static str,
    aliases: &'static [&'static str],
    of: &'static str,
) -> ColumnSpec {
    ColumnSpec {
        name,
        ty: ColType::Text,
        required: false,
        aliases,
        references: None,
        word_of: Some(of),
    }
}

use ColType::{Bool, Date, DateTime, Int, Number, Text};

/// The department of a window or an item, as provinces' systems call it.
const DEPARTMENT: &[&str] = &[
    "部门",
    "所属部门",
    "部门名称",
    "实施部门",
    "实施主体",
    "承办部门",
    "办理部门",
    "主管部门",
    "所属单位",
    "单位",
    "单位名称",
    "dept",
    "deptName",
    "department_name",
    "org",
    "orgName",
    "unit",
];
const ITEM_CODE: &[&str] = &[
    "事项编码",
    "事项代码",
    "事项编号",
    "实施编码",
    "事项实施编码",
    "基本编码",
    "itemCode",
    "itemNo",
    "item_id",
    "matterCode",
    "serviceCode",
];
const PROMISED: &[&str] = &[
    "承诺时限",
    "承诺办结时限",
    "承诺期限",
    "承诺办理时限",
    "承诺时限天数",
    "promisedDays",
    "promiseDays",
    "promiseLimit",
    "promisedLimit",
    "committedDays",
];
const LEGAL: &[&str] = &[
    "法定时限",
    "法定办结时限",
    "法定期限",
    "法定办理时限",
    "legalDays",
    "legalLimit",
    "statutoryLimit",
    "statutoryDays",
];
const EFFECTIVE_FROM: &[&str] = &[
    "生效日期",
    "启用日期",
    "实施日期",
    "生效时间",
    "effectiveFrom",
    "effectiveDate",
    "validFrom",
];

const STAFF_ID: &[&str] = &[
    "工号",
    "人员编号",
    "员工编号",
    "考勤号",
    "用户编号",
    "职工号",
    "人员工号",
    "人员代码",
    "staff_no",
    "staffNo",
    "staffCode",
    "empNo",
    "emp_id",
    "employeeId",
    "employeeNo",
    "userId",
    "userNo",
    "pin",
    "badgeNo",
    "AC-No",
];
const WINDOW_ID: &[&str] = &[
    "窗口编号",
    "窗口代码",
    "窗口号",
    "窗口ID",
    "windowNo",
    "windowCode",
    "win_id",
    "winNo",
    "counterId",
    "counterNo",
    "counter",
];
const CASE_ID: &[&str] = &[
    "办件编号",
    "申办号",
    "受理编号",
    "业务流水号",
    "办件号",
    "办件流水号",
    "业务编号",
    "申报号",
    "受理号",
    "申办编号",
    "caseNo",
    "caseNumber",
    "case_code",
    "applyNo",
    "applicationNo",
    "bizNo",
    "serialNo",
];

/// All tables, in the order ingest must process them: a table comes after
/// every table its columns reference.
pub static TABLES: &[TableSpec] = &[
    TableSpec {
        name: "windows",
        file_aliases: &["窗口"],
        columns: &[
            col("window_id", Text, true, WINDOW_ID),
            col(
                "name",
                Text,
                true,
                &[
                    "窗口名称",
                    "窗口名",
                    "名称",
                    "windowName",
                    "winName",
                    "counterName",
                ],
            ),
            col("department", Text, true, DEPARTMENT),
        ],
        key: &["window_id"],
        partition_by: None,
    },
    TableSpec {
        name: "staff",
        file_aliases: &["人员", "花名册", "工作人员"],
        columns: &[
            col("staff_id", Text, true, STAFF_ID),
            col(
                "name",
                Text,
                true,
                &[
                    "姓名",
                    "人员姓名",
                    "员工姓名",
                    "staffName",
                    "empName",
                    "employeeName",
                    "userName",
                ],
            ),
            refcol("window_id", true, WINDOW_ID, "windows"),
            col(
                "role",
                Text,
                false,
                &["岗位", "职务", "角色", "position", "post", "title"],
            ),
            col(
                "valid_from",
                Date,
                false,
                &[
                    "起始日期",
                    "入驻日期",
                    "生效日期",
                    "入职日期",
                    "开始日期",
                    "startDate",
                    "validFrom",
                ],
            ),
            col(
                "valid_to",
                Date,
                false,
                &[
                    "截止日期",
                    "离开日期",
                    "失效日期",
                    "离职日期",
                    "结束日期",
                    "endDate",
                    "validTo",
                ],
            ),
        ],
        key: &["staff_id", "valid_from"],
        partition_by: None,
    },
    TableSpec {
        name: "items",
        file_aliases: &["事项", "事项目录"],
        columns: &[
            col("item_code", Text, true, ITEM_CODE),
            col(
                "name",
                Text,
                true,
                &["事项名称", "名称", "itemName", "matterName", "serviceName"],
            ),
            col("department", Text, true, DEPARTMENT),
            col("legal_limit_days", Int, false, LEGAL),
            col("promised_limit_days", Int, true, PROMISED),
            col(
                "materials",
                Int,
                false,
                &[
                    "申报材料数",
                    "材料数",
                    "申报材料",
                    "材料份数",
                    "materials",
                    "materialCount",
                ],
            ),
            col(
                "steps",
                Int,
                false,
                &["环节数", "审批环节", "办理环节数", "stepCount"],
            ),
            col("effective_from", Date, true, EFFECTIVE_FROM),
        ],
        key: &["item_code", "effective_from"],
        partition_by: None,
    },
    TableSpec {
        name: "item_steps",
        file_aliases: &["环节时限", "事项环节"],
        columns: &[
            refcol("item_code", true, ITEM_CODE, "items"),
            col(
                "step",
                Text,
                true,
                &["环节", "环节名称", "stepName", "nodeName"],
            ),
            col(
                "limit_days",
                Int,
                true,
                &["环节时限", "时限", "stepLimit", "limitDays"],
            ),
            col("effective_from", Date, true, EFFECTIVE_FROM),
        ],
        key: &["item_code", "step", "effective_from"],
        partition_by: None,
    },
    TableSpec {
        name: "punches",
        file_aliases: &["考勤", "打卡", "指纹"],
        columns: &[
            refcol("staff_id", true, STAFF_ID, "staff"),
            col(
                "punched_at",
                DateTime,
                true,
                &[
                    "打卡时间",
                    "签到时间",
                    "考勤时间",
                    "刷卡时间",
                    "签到签退时间",
                    "checkTime",
                    "punchTime",
                    "clockTime",
                    "attendanceTime",
                    "datetime",
                ],
            ),
            col(
                "device_id",
                Text,
                false,
                &[
                    "设备号",
                    "机器号",
                    "设备编号",
                    "考勤机",
                    "deviceNo",
                    "machineNo",
                    "sn",
                ],
            ),
        ],
        key: &["staff_id", "punched_at"],
        partition_by: Some("punched_at"),
    },
    TableSpec {
        name: "leaves",
        file_aliases: &["请假", "休假"],
        columns: &[
            refcol("staff_id", true, STAFF_ID, "staff"),
            col("kind", Text, true, &["请假类型", "类型", "假别"]),
            col("start", DateTime, true, &["开始时间", "请假开始"]),
            col("end", DateTime, true, &["结束时间", "请假结束"]),
        ],
        key: &["staff_id", "start"],
        partition_by: Some("start"),
    },
    TableSpec {
        name: "departures",
        file_aliases: &["离岗"],
        columns: &[
            refcol("staff_id", true, STAFF_ID, "staff"),
            col("out_at", DateTime, true, &["离岗时间"]),
            col("back_at", DateTime, false, &["返岗时间", "回岗时间"]),
            col("reason", Text, false, &["事由", "离岗事由", "原因"]),
            refcol("cover_staff_id", false, &["B岗工号", "顶岗人工号"], "staff"),
        ],
        key: &["staff_id", "out_at"],
        partition_by: Some("out_at"),
    },
    TableSpec {
        name: "cases",
        file_aliases: &["办件"],
        columns: &[
            col("case_id", Text, true, CASE_ID),
            refcol("item_code", true, ITEM_CODE, "items"),
            refcol("window_id", true, WINDOW_ID, "windows"),
            refcol(
                "staff_id",
                false,
                &[
                    "受理人工号",
                    "工号",
                    "受理人编号",
                    "受理人",
                    "经办人工号",
                    "staffNo",
                    "staffId",
                    "acceptorId",
                    "handlerId",
                    "operatorId",
                ],
                "staff",
            ),
            col(
                "channel",
                Text,
                false,
                &[
                    "申报渠道",
                    "渠道",
                    "申请方式",
                    "申报方式",
                    "applyChannel",
                    "source",
                ],
            ),
            col(
                "accepted_at",
                DateTime,
                true,
                &[
                    "受理时间",
                    "收件时间",
                    "申请时间",
                    "受理日期",
                    "收件日期",
                    "acceptTime",
                    "acceptDate",
                    "receiveTime",
                    "receivedAt",
                    "applyTime",
                ],
            ),
            col(
                "completed_at",
                DateTime,
                false,
                &[
                    "办结时间",
                    "办结日期",
                    "完成时间",
                    "finishTime",
                    "completeTime",
                    "finishedAt",
                    "closeTime",
                    "endTime",
                ],
            ),
            col(
                "result",
                Text,
                false,
                &["办理结果", "办结结果", "结果", "审批结果", "outcome"],
            ),
            col("promised_limit_days", Int, false, PROMISED),
            col("legal_limit_days", Int, false, LEGAL),
            col(
                "supplements",
                Int,
                false,
                &[
                    "补正次数",
                    "是否补正",
                    "补正",
                    "supplementCount",
                    "supplements",
                ],
            ),
            // 特色服务: one or more words (预约、帮办代办 …), see `[services]`.
            col(
                "mode",
                Text,
                false,
                &[
                    "服务方式",
                    "办理方式",
                    "特色服务",
                    "服务类型",
                    "服务模式",
                    "办理模式",
                    "特色服务类型",
                    "便民服务",
                    "服务标签",
                    "serviceMode",
                    "serviceType",
                    "handleMode",
                ],
            ),
            col(
                "refusal_reason",
                Text,
                false,
                &[
                    "不予受理理由",
                    "不予受理原因",
                    "不予许可理由",
                    "不予许可原因",
                    "退件原因",
                    "退件理由",
                    "驳回原因",
                    "驳回理由",
                    "不予办理原因",
                    "原因",
                    "理由",
                    "refuseReason",
                    "rejectReason",
                    "returnReason",
                ],
            ),
        ],
        key: &["case_id"],
        partition_by: Some("accepted_at"),
    },
    TableSpec {
        name: "suspensions",
        file_aliases: &["挂起", "暂停", "特别程序", "补正"],
        columns: &[
            refcol("case_id", true, CASE_ID, "cases"),
            col(
                "kind",
                Text,
                true,
                &[
                    "类型",
                    "挂起类型",
                    "暂停类型",
                    "程序类型",
                    "特别程序类型",
                    "suspendType",
                    "type",
                ],
            ),
            col(
                "start",
                Date,
                true,
                &[
                    "开始日期",
                    "开始时间",
                    "起始日期",
                    "暂停开始",
                    "挂起时间",
                    "startDate",
                    "startTime",
                ],
            ),
            col(
                "end",
                Date,
                false,
                &[
                    "结束日期",
                    "结束时间",
                    "暂停结束",
                    "恢复时间",
                    "endDate",
                    "endTime",
                ],
            ),
            col("reason", Text, false, &["原因", "事由", "说明", "remark"]),
        ],
        key: &["case_id", "kind", "start"],
        partition_by: Some("start"),
    },
    TableSpec {
        name: "case_steps",
        file_aliases: &["环节", "办理环节"],
        columns: &[
            refcol("case_id", true, CASE_ID, "cases"),
            col("seq", Int, true, &["序号", "环节序号"]),
            col("step", Text, true, &["环节", "环节名称"]),
            refcol("staff_id", false, &["办理人工号", "工号"], "staff"),
            col("started_at", DateTime, true, &["开始时间", "接收时间"]),
            col("finished_at", DateTime, false, &["完成时间", "办结时间"]),
            col("limit_days", Int, false, &["环节时限"]),
        ],
        key: &["case_id", "seq"],
        partition_by: Some("started_at"),
    },
    TableSpec {
        name: "corrections",
        file_aliases: &["纠错", "差错"],
        columns: &[
            refcol("case_id", true, CASE_ID, "cases"),
            col("at", DateTime, true, &["纠错时间", "发现时间", "时间"]),
            col("reason", Text, false, &["原因", "差错原因"]),
        ],
        key: &["case_id", "at"],
        partition_by: Some("at"),
    },
    TableSpec {
        name: "ratings",
        file_aliases: &["评价", "好差评"],
        columns: &[
            col(
                "rating_id",
                Text,
                true,
                &[
                    "评价编号",
                    "评价流水号",
                    "评价ID",
                    "ratingId",
                    "ratingNo",
                    "evalId",
                    "evaluationId",
                ],
            ),
            refcol("case_id", false, CASE_ID, "cases"),
            refcol("window_id", true, WINDOW_ID, "windows"),
            refcol("staff_id", false, STAFF_ID, "staff"),
            col(
                "rated_at",
                DateTime,
                true,
                &[
                    "评价时间",
                    "评价日期",
                    "rateTime",
                    "ratedAt",
                    "evalTime",
                    "evaluationTime",
                ],
            ),
            col(
                "level",
                Int,
                true,
                &[
                    "评价等级",
                    "等级",
                    "评分",
                    "评价结果",
                    "满意度",
                    "score",
                    "rating",
                    "grade",
                ],
            ),
            col(
                "channel",
                Text,
                false,
                &["评价渠道", "渠道", "评价方式", "source"],
            ),
            col(
                "comment",
                Text,
                false,
                &["评价内容", "意见", "备注", "评价意见", "remark", "content"],
            ),
            col(
                "rectified_at",
                DateTime,
                false,
                &["整改时间", "整改完成时间", "rectifyTime", "rectifiedAt"],
            ),
            col(
                "named",
                Bool,
                false,
                &["实名", "是否实名", "实名评价", "评价人类型", "isRealName"],
            ),
            col(
                "called_back_at",
                DateTime,
                false,
                &["回访时间", "回访日期", "核实时间", "callbackTime"],
            ),
            col(
                "feedback_at",
                DateTime,
                false,
                &["反馈时间", "整改反馈时间", "反馈日期", "feedbackTime"],
            ),
            col(
                "appeal_result",
                Text,
                false,
                &["申诉复核结果", "复核结果", "申诉结果", "appealResult"],
            ),
        ],
        key: &["rating_id"],
        partition_by: Some("rated_at"),
    },
    TableSpec {
        name: "tickets",
        file_aliases: &["叫号", "排队", "取号"],
        columns: &[
            col(
                "ticket_id",
                Text,
                true,
                &[
                    "票号",
                    "排队号",
                    "流水号",
                    "取号编号",
                    "ticketNo",
                    "queueNo",
                    "number",
                ],
            ),
            col(
                "queue",
                Text,
                true,
                &[
                    "队列",
                    "业务类型",
                    "队列名称",
                    "业务队列",
                    "queueName",
                    "businessType",
                    "service",
                ],
            ),
            col(
                "issued_at",
                DateTime,
                true,
                &["取号时间", "issueTime", "takeTime", "getTime"],
            ),
            col("called_at", DateTime, false, &["叫号时间", "callTime"]),
            col(
                "finished_at",
                DateTime,
                false,
                &["完成时间", "办结时间", "结束时间", "finishTime", "endTime"],
            ),
            refcol("window_id", false, WINDOW_ID, "windows"),
            refcol("staff_id", false, STAFF_ID, "staff"),
            col(
                "priority",
                Bool,
                false,
                &[
                    "优先",
                    "是否优先",
                    "绿色通道",
                    "优先类型",
                    "优先类别",
                    "客户类型",
                    "人员类别",
                    "vip",
                    "priorityType",
                ],
            ),
            col("status", Text, false, &["状态", "叫号状态", "state"]),
            word_col("priority_class", &["优先人群", "priorityClass"], "priority"),
        ],
        key: &["ticket_id"],
        partition_by: Some("issued_at"),
    },
    TableSpec {
        name: "incidents",
        file_aliases: &["督查", "巡查", "事件"],
        columns: &[
            col("incident_id", Text, false, &["编号", "事件编号"]),
            col("date", Date, true, &["日期", "发生日期"]),
            col("source", Text, true, &["来源"]),
            refcol("window_id", true, WINDOW_ID, "windows"),
            refcol("staff_id", false, STAFF_ID, "staff"),
            col("category", Text, true, &["类别", "问题类别"]),
            col("substantiated", Bool, false, &["属实", "是否属实"]),
            col("points", Number, false, &["分值", "扣分", "加减分"]),
        ],
        key: &["incident_id"],
        partition_by: Some("date"),
    },
    TableSpec {
        name: "replies",
        file_aliases: &["回告", "督办回告", "督办回复", "督办反馈"],
        columns: &[
            col(
                "notice_id",
                Text,
                false,
                &[
                    "督办编号",
                    "督办单号",
                    "通知编号",
                    "督办通知编号",
                    "noticeId",
                ],
            ),
            refcol("case_id", false, CASE_ID, "cases"),
            col(
                "replied_at",
                DateTime,
                true,
                &["回告时间", "回复时间", "反馈时间", "replyTime", "repliedAt"],
            ),
            col(
                "outcome",
                Text,
                true,
                &[
                    "回告结果",
                    "回告类型",
                    "回复结果",
                    "处理结果",
                    "结果",
                    "outcome",
                ],
            ),
            col(
                "new_date",
                Date,
                false,
                &["延期至", "申请延期至", "延期日期", "新办结日期", "newDate"],
            ),
            col(
                "reason",
                Text,
                false,
                &["情况说明", "说明", "原因", "理由", "延期理由", "reason"],
            ),
        ],
        key: &["notice_id", "case_id", "replied_at"],
        partition_by: Some("replied_at"),
    },
    TableSpec {
        name: "complaints",
        file_aliases: &["投诉", "12345", "效能投诉", "工单"],
        columns: &[
            col(
                "complaint_id",
                Text,
                true,
                &["投诉编号", "工单编号", "工单号", "编号", "complaintId"],
            ),
            col(
                "received_at",
                DateTime,
                true,
                &["登记时间", "来件时间", "投诉时间", "收到时间", "receivedAt"],
            ),
            col(
                "channel",
                Text,
                false,
                &["投诉渠道", "渠道", "来源", "来件渠道", "channel"],
            ),
            refcol("window_id", false, WINDOW_ID, "windows"),
            refcol("staff_id", false, STAFF_ID, "staff"),
            col(
                "department",
                Text,
                false,
                &["被投诉部门", "涉及部门", "部门"],
            ),
            col(
                "category",
                Text,
                false,
                &["投诉类别", "问题类别", "问题类型", "类别", "category"],
            ),
            col("accepted_at", DateTime, false, &["受理时间", "acceptedAt"]),
            col(
                "declined_at",
                DateTime,
                false,
                &["不予受理时间", "不受理时间", "declinedAt"],
            ),
            col(
                "replied_at",
                DateTime,
                false,
                &["答复时间", "回复时间", "repliedAt"],
            ),
            col(
                "result",
                Text,
                false,
                &["核查结果", "调查结果", "是否属实", "处理结果", "result"],
            ),
            col(
                "closed_at",
                DateTime,
                false,
                &["办结时间", "结案时间", "关闭时间", "closedAt"],
            ),
            col("points", Number, false, &["分值", "扣分"]),
        ],
        key: &["complaint_id"],
        partition_by: Some("received_at"),
    },
];

/// The table of that name.
pub fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().find(|t| t.name == name)
}

/// The table a file belongs to, from its name: the stem or the parent
/// folder starts with a table name or one of its Chinese names; ZKTeco
/// `*attlog.dat` exports are punches.
pub fn table_for_path(path: &std::path::Path) -> Option<&'static TableSpec> {
    table_and_reason(path).map(|(t, _)| t)
}

/// [`table_for_path`] with why: the name or prefix that told it.
pub fn table_and_reason(path: &std::path::Path) -> Option<(&'static TableSpec, String)> {
    let file_name = path.file_name()?.to_string_lossy().to_lowercase();
    if file_name.ends_with("attlog.dat") {
        return table("punches").map(|t| (t, "a ZKTeco *attlog.dat export".to_string()));
    }
    let by_prefix = |s: &str| {
        // Longest match first, so `case_steps` is not taken for `cases`.
        let mut best: Option<(&'static TableSpec, &str)> = None;
        for t in TABLES {
            for prefix in std::iter::once(&t.name).chain(t.file_aliases.iter()) {
                if s.starts_with(prefix) && best.is_none_or(|(_, p)| prefix.len() > p.len()) {
                    best = Some((t, prefix));
                }
            }
        }
        best
    };
    if let Some((t, prefix)) = by_prefix(&file_name) {
        return Some((t, format!("the file name starts with '{prefix}'")));
    }
    let parent = path.parent()?.file_name()?.to_string_lossy().to_lowercase();
    by_prefix(&parent).map(|(t, prefix)| (t, format!("its folder's name starts with '{prefix}'")))
}

/// The header names and value words of every table, as docs/INPUTS.md
/// prints them (a test keeps the two the same).
pub fn headers_markdown() -> String {
    let mut out = String::new();
    for t in TABLES {
        out.push_str(&format!(
            "### {}\n\n| column | headers | value words |\n|---|---|---|\n",
            t.name
        ));
        for c in t.columns {
            let mut words: Vec<String> = super::vocab::built_in_words(t.name, c.name)
                .into_iter()
                .chain(super::checks::closed_words(t.name, c.name))
                .map(str::to_string)
                .collect();
            if let Some(of) = c.word_of {
                words.push(format!("the word of {of} when it stands for yes"));
            }
            out.push_str(&format!(
                "| {}{} | {} | {} |\n",
                c.name,
                if c.required { "*" } else { "" },
                c.aliases.join(", "),
                words.join(", ")
            ));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// `UPDATE_DOCS=1 cargo test --release --lib docs_list` rewrites it.
    #[test]
    fn docs_list_every_header_and_word() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/INPUTS.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let (begin, end) = ("<!-- headers:begin -->\n", "<!-- headers:end -->");
        let (a, b) = (
            doc.find(begin).unwrap() + begin.len(),
            doc.find(end).unwrap(),
        );
        let want = headers_markdown();
        if std::env::var("UPDATE_DOCS").is_ok() {
            std::fs::write(&path, format!("{}{want}{}", &doc[..a], &doc[b..])).unwrap();
        } else {
            assert_eq!(
                &doc[a..b],
                want,
                "docs/INPUTS.md is stale: UPDATE_DOCS=1 cargo test"
            );
        }
    }

    #[test]
    fn references_point_to_earlier_tables() {
        for (i, t) in TABLES.iter().enumerate() {
            for c in t.columns {
                if let Some(r) = c.references {
                    let j = TABLES.iter().position(|u| u.name == r).unwrap();
                    assert!(j < i, "{}.{} references {r}, listed later", t.name, c.name);
                }
            }
            for k in t.key {
                assert!(t.column_index(k).is_some(), "{} key {k}", t.name);
            }
        }
    }

    #[test]
    fn no_header_names_two_columns_of_a_table() {
        use crate::ingest::vocab::normalise_header;
        for t in TABLES {
            let mut seen = std::collections::BTreeMap::new();
            for c in t.columns {
                for h in std::iter::once(&c.name).chain(c.aliases) {
                    if let Some(other) = seen.insert(normalise_header(h), c.name) {
                        assert_eq!(
                            other, c.name,
                            "{}: '{h}' names {other} and {}",
                            t.name, c.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn file_names_name_their_table() {
        let name = |p: &str| table_for_path(Path::new(p)).map(|t| t.name);
        assert_eq!(name("inbox/cases-2026-10.csv"), Some("cases"));
        assert_eq!(name("inbox/case_steps.csv"), Some("case_steps"));
        assert_eq!(name("inbox/办件_10月.csv"), Some("cases"));
        assert_eq!(name("inbox/评价_民主评议问卷.csv"), Some("ratings"));
        assert_eq!(name("x/1_attlog.dat"), Some("punches"));
        assert_eq!(name("inbox/ratings/october.csv"), Some("ratings"));
        assert_eq!(name("inbox/unknown.csv"), None);
    }
}
