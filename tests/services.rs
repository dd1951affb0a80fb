//! Special services and refusals (特色服务与不予受理) end to end, on a case
//! export with a vendor's own headers (办件编号, 申报渠道, 服务方式, 不予受理理由
//! …), worked out by hand.
//!
//! November 2026 has no holiday; Saturday 11-07 is a day off. Hours of
//! `[attendance]` by default: winter (from 10-01) 08:30–17:00. 延时: accepted
//! before 08:30, after 17:00 (to the minute) or on a non-working day, not
//! for a case applied online (网上申报).
//!
//! ```text
//! case win  staff 申报渠道    受理              办结              结果                   服务方式             不予受理理由
//! K00  W01  1001  窗口        10-20 09:00       10-21 09:00       办结                                                       (October)
//! K01  W01  1001  窗口        11-02 09:00       11-02 09:40       办结                                                       现场办结
//! K02  W01  1001  窗口        11-02 18:30       11-03 10:00       准予许可               帮办代办、容缺受理                  延时
//! K03  W02  1002  网上申报    11-03 21:15       11-05 10:00       准予许可               全程网办                            online: not 延时
//! K04  W02  1002  预约        11-07 09:30 (Sa)  11-07 10:10       办结                                                       预约, 延时, 现场办结
//! K05  W01  1001  窗口        11-04 10:00       11-06 11:00       不予受理                                    不属于本机关职权范围
//! K06  W02  1002  窗口        11-05 14:00       11-05 15:00       不予许可                                    (empty)        现场办结, no reason
//! K07  W02  —     自助终端    11-09 08:15       —                                        网上预约;绿色通道                    预约 (not online), 绿色通道, 延时
//! K08  W01  1001  政务服务网  11-10 10:00       11-12 09:00       退件：上传材料不清晰   跨省通办                            online, 跨域通办, reason in the result
//! K09  W02  1002  窗口        11-11 11:00       11-11 11:30       办结                   上门服务                            上门, 现场办结
//! K10  W01  1001  (empty)     2026年11月12日    —                 不予受理                                    无             a date without a time: not 延时; refused on acceptance, no reason
//! K11  W01  1001  窗口        11-13 10:00       11-13 09:00       办结                                                       rejected: completed before accepted (line 13)
//! ```
//!
//! `service_metrics`, November, center (as of 11-30):
//! - accepted 10 (K01–K10); 预约 2 (K04 channel, K07 网上预约); 延时 3 (K02
//!   18:30, K04 Saturday, K07 08:15); 上门 1 (K09); 帮办代办 1, 容缺受理 1
//!   (K02); 绿色通道 1 (K07); 网上申报 2 (K03, K08) → 20.00 %; 全程网办 1
//!   (K03) → 10.00 %; 跨域通办 1 (K08);
//! - completed 8 (K01–K06, K08, K09); 现场办结 4 (K01, K04, K06, K09: a
//!   same-day refusal is completed that day too) → 50.00 %; October 0 / 1
//!   (K00) → 环比 +50.0 pp;
//! - refusals 4 (K05, K06, K08, K10); without a reason 2 (K06 empty, K10
//!   无) → 50.00 %; October none → 环比 —.
//!
//! Windows: W01 accepted 5 (K01 K02 K05 K08 K10), 延时 1, 帮办代办 1, 容缺
//! 受理 1, 网上申报 1, 跨域通办 1, completed 4, 现场办结 1 → 25.00 %,
//! refusals 3, without a reason 1 (K10). W02 accepted 5 (K03 K04 K06 K07
//! K09), 预约 2, 延时 2, 上门 1, 绿色通道 1, 网上申报 1, 全程网办 1, completed
//! 4, 现场办结 3 → 75.00 %, refusals 1, without a reason 1 (K06). Staff 1002:
//! accepted 4 (K07 has no staff member).
//!
//! `service_channels`, November, center: 窗口 (K01 K02 K05 K06 K09) 5 / 5
//! completed / 3 on site → 60.00 % / 2 refused / 1 without a reason; 网上
//! (K03 网上申报, K08 政务服务网) 2 / 2 / 0 / 1 / 0; 预约 (K04) 1 / 1 / 1; 自助
//! (K07 自助终端) 1 / 0; 未填写 (K10) 1 / 0 / 0 / 1 / 1.
//!
//! Reasons: 上传材料不清晰 (K08) 1, 不属于本机关职权范围 (K05) 1: 25.00 % each.

use crate::common;

use common::{csv_rows, ok};
use std::collections::HashMap;
use std::path::Path;

const CASES_FILE: &str = "办件_特色服务_11月.csv";

fn home() -> tempfile::TempDir {
    let h = crate::common::tempdir();
    let inbox = h.path().join("data/inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    let export = |name: &str, text: &str| std::fs::write(inbox.join(name), text).unwrap();
    export(
        "windows.csv",
        "window_id,name,department\nW01,税务窗口,税务局\nW02,社保窗口,人社局\n",
    );
    export(
        "staff.csv",
        "staff_id,name,window_id,valid_from\n1001,张三,W01,2026-01-01\n1002,李四,W02,2026-01-01\n",
    );
    export(
        "items.csv",
        "item_code,name,department,legal_limit_days,promised_limit_days,effective_from\n\
         I01,税务登记,税务局,20,3,2026-01-01\nI02,社保转移,人社局,20,5,2026-01-01\n",
    );
    export(
        CASES_FILE,
        "办件编号,事项编码,窗口编号,受理人工号,申报渠道,受理时间,办结时间,办理结果,服务方式,不予受理理由\n\
         K00,I01,W01,1001,窗口,2026-10-20 09:00,2026-10-21 09:00,办结,,\n\
         K01,I01,W01,1001,窗口,2026-11-02 09:00,2026-11-02 09:40,办结,,\n\
         K02,I01,W01,1001,窗口,2026-11-02 18:30,2026-11-03 10:00,准予许可,帮办代办、容缺受理,\n\
         K03,I02,W02,1002,网上申报,2026-11-03 21:15,2026-11-05 10:00,准予许可,全程网办,\n\
         K04,I02,W02,1002,预约,2026-11-07 09:30,2026-11-07 10:10,办结,,\n\
         K05,I01,W01,1001,窗口,2026-11-04 10:00,2026-11-06 11:00,不予受理,,不属于本机关职权范围\n\
         K06,I02,W02,1002,窗口,2026-11-05 14:00,2026-11-05 15:00,不予许可,,\n\
         K07,I02,W02,,自助终端,2026-11-09 08:15,,,网上预约;绿色通道,\n\
         K08,I01,W01,1001,政务服务网,2026-11-10 10:00,2026-11-12 09:00,退件：上传材料不清晰,跨省通办,\n\
         K09,I02,W02,1002,窗口,2026-11-11 11:00,2026-11-11 11:30,办结,上门服务,\n\
         K10,I01,W01,1001,,2026年11月12日,,不予受理,,无\n\
         K11,I01,W01,1001,窗口,2026-11-13 10:00,2026-11-13 09:00,办结,,\n",
    );
    ok(h.path(), &["ingest"]);
    ok(h.path(), &["compute", "--as-of", "2026-11-30"]);
    h
}

fn rows(home: &Path, family: &str, level: &str) -> Vec<HashMap<String, String>> {
    common::metric_rows(home, family, "2026-11", level, "2026-11-30")
}

fn row<'a>(rows: &'a [HashMap<String, String>], key: &str) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no row {key} in {rows:?}"))
}

fn counts(r: &HashMap<String, String>, columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| r[*c].clone()).collect()
}

fn rate(r: &HashMap<String, String>, c: &str) -> Option<f64> {
    let v = &r[c];
    (!v.is_empty()).then(|| v.parse().unwrap())
}

const MODES: [&str; 10] = [
    "accepted",
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
const ENDS: [&str; 4] = [
    "completed",
    "on_site_completed",
    "refused",
    "refused_without_reason",
];

#[test]
fn special_services_and_refusals_worked_by_hand() {
    let h = home();
    let home = h.path();

    // K11 is rejected with its file, line and reason; the others stored.
    let rejects = ok(home, &["rejects", "--table", "cases"]);
    assert!(
        rejects.contains(&format!("{CASES_FILE}:13")) && rejects.contains("before accepted_at"),
        "{rejects}"
    );
    assert_eq!(rejects.matches(CASES_FILE).count(), 1, "{rejects}");

    // service_metrics, November.
    let center_rows = rows(home, "services", "center");
    let c = row(&center_rows, "center");
    assert_eq!(
        counts(c, &MODES),
        ["10", "2", "3", "1", "1", "1", "1", "2", "1", "1"]
    );
    assert_eq!(counts(c, &ENDS), ["8", "4", "4", "2"]);
    assert_eq!(rate(c, "online_rate"), Some(0.2));
    assert_eq!(rate(c, "fully_online_rate"), Some(0.1));
    assert_eq!(rate(c, "on_site_rate"), Some(0.5));
    assert_eq!(rate(c, "no_reason_share"), Some(0.5));

    let windows = rows(home, "services", "window");
    let w1 = row(&windows, "W01");
    assert_eq!(
        counts(w1, &MODES),
        ["5", "0", "1", "0", "1", "1", "0", "1", "0", "1"]
    );
    assert_eq!(counts(w1, &ENDS), ["4", "1", "3", "1"]);
    assert_eq!(rate(w1, "on_site_rate"), Some(0.25));
    let w2 = row(&windows, "W02");
    assert_eq!(
        counts(w2, &MODES),
        ["5", "2", "2", "1", "0", "0", "1", "1", "1", "0"]
    );
    assert_eq!(counts(w2, &ENDS), ["4", "3", "1", "1"]);
    assert_eq!(rate(w2, "on_site_rate"), Some(0.75));
    assert_eq!(rate(w2, "no_reason_share"), Some(1.0));
    // Departments are their windows here; the staff level leaves K07 out.
    let departments = rows(home, "services", "department");
    assert_eq!(row(&departments, "人社局")["accepted"], "5");
    let staff = rows(home, "services", "staff");
    assert_eq!(row(&staff, "1002")["accepted"], "4");
    assert_eq!(row(&staff, "1001")["refused"], "3");

    // October's row: K00 completed the next day, no refusal.
    let october = csv_rows(&ok(
        home,
        &[
            "metrics",
            "services",
            "--period",
            "2026-10",
            "--as-of",
            "2026-11-30",
            "--format",
            "csv",
        ],
    ));
    let oct = row(&october, "center");
    assert_eq!(counts(oct, &ENDS), ["1", "0", "0", "0"]);
    assert_eq!(rate(oct, "no_reason_share"), None, "no refusal: null");

    // service_channels, November, center.
    let channels = rows(home, "channels", "center");
    let channel = |name: &str| {
        channels
            .iter()
            .find(|r| r["channel"] == name)
            .unwrap_or_else(|| panic!("no channel {name} in {channels:?}"))
    };
    let figures = [
        "accepted",
        "completed",
        "on_site_completed",
        "refused",
        "refused_without_reason",
    ];
    assert_eq!(counts(channel("窗口"), &figures), ["5", "5", "3", "2", "1"]);
    assert_eq!(rate(channel("窗口"), "on_site_rate"), Some(0.6));
    assert_eq!(counts(channel("网上"), &figures), ["2", "2", "0", "1", "0"]);
    assert_eq!(counts(channel("预约"), &figures), ["1", "1", "1", "0", "0"]);
    assert_eq!(counts(channel("自助"), &figures), ["1", "0", "0", "0", "0"]);
    assert_eq!(rate(channel("自助"), "on_site_rate"), None);
    assert_eq!(
        counts(channel("未填写"), &figures),
        ["1", "0", "0", "1", "1"]
    );
    assert_eq!(channels.len(), 5, "{channels:?}");
    let by_window = rows(home, "channels", "window");
    assert_eq!(
        by_window
            .iter()
            .filter(|r| r["key"] == "W01")
            .map(|r| r["channel"].as_str())
            .collect::<Vec<_>>(),
        ["未填写", "窗口", "网上"]
    );

    // The stored tables answer SQL.
    let q = csv_rows(&ok(
        home,
        &[
            "query",
            "select key, after_hours, refused_without_reason from service_metrics \
             where grain = 'month' and period = '2026-11' and level = 'window' order by key",
            "--format",
            "csv",
        ],
    ));
    let got: Vec<String> = q
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["key"], r["after_hours"], r["refused_without_reason"]
            )
        })
        .collect();
    assert_eq!(got, ["W01 1 1", "W02 2 1"]);
    let q = csv_rows(&ok(
        home,
        &[
            "query",
            "select sum(accepted) as n from service_channels \
             where grain = 'month' and period = '2026-11' and level = 'center'",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(q[0]["n"], "10");
    // The day grain: K04's Saturday.
    let q = csv_rows(&ok(
        home,
        &[
            "query",
            "select appointment, after_hours, on_site_completed from service_metrics \
             where grain = 'day' and period = '2026-11-07' and level = 'center'",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(
        counts(&q[0], &["appointment", "after_hours", "on_site_completed"]),
        ["1", "1", "1"]
    );
}

#[test]
fn the_bulletin_section_worked_by_hand() {
    let h = home();
    let home = h.path();
    ok(
        home,
        &[
            "report",
            "monthly",
            "--month",
            "2026-11",
            "--center",
            "测试中心",
            "--as-of",
            "2026-11-30",
        ],
    );
    let dir = home.join("reports/2026-11");
    let md = std::fs::read_to_string(dir.join("bulletin.md")).unwrap();
    let section = {
        let start = md.find("## 三、特色服务与不予受理").expect("the section");
        let end = md.find("## 四、电子监察").expect("the next section");
        assert!(
            md.find("## 二、办件效能与目标").unwrap() < start,
            "after 二"
        );
        md[start..end].to_string()
    };
    let want = [
        "本月受理办件 10 件,其中网上申报 2 件(网上申报率 20.00%),全程网办 1 件(全程网办率 10.00%),跨域通办 1 件;预约 2 件,延时服务 3 件,上门服务 1 件,帮办代办 1 件,容缺受理 1 件,绿色通道 1 件。",
        "办结 8 件,其中受理当日办结(现场办结) 4 件,现场办结率 50.00%,环比 +50.0pp。",
        "不予受理、不予许可等办件 4 件,环比 —,其中未记录理由 2 件,占 50.00%。",
        // Channels by volume, then by name.
        "| 渠道 | 受理 | 办结 | 现场办结 | 现场办结率 | 不予受理(许可) | 未记录理由 |",
        "| 窗口 | 5 | 5 | 3 | 60.00% | 2 | 1 |\n| 网上 | 2 | 2 | 0 | 0.00% | 1 | 0 |\n| 未填写 | 1 | 0 | 0 | — | 1 | 1 |\n| 自助 | 1 | 0 | 0 | — | 0 | 0 |\n| 预约 | 1 | 1 | 1 | 100.00% | 0 | 0 |",
        // Windows with their names and departments.
        "| 窗口 | 窗口名称 | 部门 | 受理 | 预约 | 延时 | 上门 | 帮办代办 | 容缺受理 | 绿色通道 | 网上申报 | 全程网办 | 跨域通办 | 现场办结率 | 不予受理(许可) | 未记录理由 |",
        "| W01 | 税务窗口 | 税务局 | 5 | 0 | 1 | 0 | 1 | 1 | 0 | 1 | 0 | 1 | 25.00% | 3 | 1 |",
        "| W02 | 社保窗口 | 人社局 | 5 | 2 | 2 | 1 | 0 | 0 | 1 | 1 | 1 | 0 | 75.00% | 1 | 1 |",
        // The reasons, then the refusals without one, with names.
        "| 上传材料不清晰 | 1 | 25.00% |\n| 不属于本机关职权范围 | 1 | 25.00% |",
        "| K06 | W02 | 社保窗口 | 1002 | 李四 | 社保转移 | 不予许可 | 2026-11-05 |\n| K10 | W01 | 税务窗口 | 1001 | 张三 | 税务登记 | 不予受理 | 2026-11-12 |",
    ];
    for w in want {
        assert!(section.contains(w), "{w}\nnot in\n{section}");
    }
    // The tables behind it, as CSV for people (Chinese headers).
    let refusals = common::report_rows(&dir.join("refusals.csv"));
    let listed: Vec<String> = refusals
        .iter()
        .map(|r| format!("{} {} {}", r["办件编号"], r["不予受理日期"], r["理由"]))
        .collect();
    assert_eq!(
        listed,
        [
            "K06 2026-11-05 ",
            "K05 2026-11-06 不属于本机关职权范围",
            "K08 2026-11-12 上传材料不清晰",
            "K10 2026-11-12 ",
        ]
    );
    assert!(dir.join("services_by_window.csv").exists());
    assert!(dir.join("service_channels.csv").exists());
}
