//! The closed loop end to end on a fixture worked by hand: 督办 notices
//! opened by red cards, replies (回告) from a vendor's export closing or
//! extending them, escalation to 效能告诫 and 问责 with its points, and
//! complaints (12345 …) followed to their close, counted once.
//!
//! November 2026 has no holiday; weekends 7–8, 14–15, 21–22, 28–29.
//! Working days: Nov 2 Mo #1, 3 #2, 4 #3, 5 #4, 6 Fr #5, 9 Mo #6, 10 #7,
//! 11 #8, 12 #9, 13 Fr #10, 16 Mo #11, 17 #12, 18 #13, 19 #14, 20 Fr #15,
//! 23 Mo #16, 24 #17, 25 #18, 26 #19, 27 Fr #20, 30 Mo #21.
//!
//! ```text
//! case win staff accepted  completed  deadline (3 wd)  red from
//! C01  W01 1001  11-02     open       11-05            11-06
//! C02  W02 1002  11-02     11-17      11-05            11-06
//! C03  W02 1002  11-03     open       11-06            11-09
//! ```
//! Notices (reply due 2 working days after opening):
//! - C01: opened 11-06, due 11-10; 说明情况 on 11-09 (on time, 1 working
//!   day): closed 11-09 by the reply.
//! - C02: opened 11-06, due 11-10; no reply: 效能告诫 11-11 (due 11-13),
//!   问责 11-16; closed 11-17 when C02 completed.
//! - C03: opened 11-09, due 11-11; 延期 asked on 11-10 (on time, 1 day)
//!   to 11-20; no reply by then: 效能告诫 11-23 (due 11-25), 问责 11-26;
//!   open at 11-30.
//!
//! Complaints (accept within 3 working days, answer within 5 of acceptance):
//! - K1 W01/1001 received 11-02, accepted 11-04 (due 11-05), answered 11-11
//!   (due 11-11), 属实, closed 11-12: −2 on W01 (the incident row K1 of the
//!   督查 export, −5, is the same complaint: not counted again).
//! - K2 W02 received 11-02, declined 11-06 (due 11-05: late), closed 11-06.
//! - K3 W02 received 11-03, accepted 11-03, never answered (due 11-10):
//!   past due from 11-11.
//! - K4 人社局 (no window) received 11-16, undecided (due 11-19): past
//!   due from 11-20.
//! - K5 W02 received 11-09, accepted 11-09, answered 11-13 部分属实,
//!   closed 11-13: −1 on W02.
//!
//! Ratings (好差评; callback due 1 working day after a named bad rating, 3
//! after an anonymous one; rectification and feedback within 5, Mon 11-09):
//! - P1 W01 named level 1, 11-02: called back 11-03 (on time), rectified
//!   11-06 (on time), feedback 11-09: −1 on W01.
//! - P2 W01 named level 1, 11-02: appealed, ruled 误评: excluded from
//!   satisfaction, zeros and scores.
//! - P3 W02 anonymous level 2, 11-02: called back 11-05 (on time);
//!   appealed, 维持 (kept); rectified 11-10 (late), no feedback: −1 and −2
//!   (late rectification) on W02.
//! - P4 W02 level 5, 11-03.

use crate::common;

use common::{csv_rows, ok, run};
use std::collections::HashMap;
use std::path::Path;

fn export(inbox: &Path, name: &str, text: &str) {
    std::fs::write(inbox.join(name), text).unwrap();
}

fn home() -> tempfile::TempDir {
    let h = crate::common::tempdir();
    let inbox = h.path().join("data/inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    export(
        &inbox,
        "windows.csv",
        "window_id,name,department\nW01,税务窗口,税务局\nW02,社保窗口,人社局\n",
    );
    export(
        &inbox,
        "staff.csv",
        "staff_id,name,window_id,valid_from\n1001,张三,W01,2026-01-01\n1002,李四,W02,2026-01-01\n",
    );
    export(&inbox, "items.csv", "item_code,name,department,legal_limit_days,promised_limit_days,effective_from\nI01,登记,税务局,20,3,2026-01-01\n");
    export(
        &inbox,
        "cases.csv",
        "case_id,item_code,window_id,staff_id,accepted_at,completed_at\n\
         C01,I01,W01,1001,2026-11-02 09:00,\n\
         C02,I01,W02,1002,2026-11-02 09:00,2026-11-17 10:00\n\
         C03,I01,W02,1002,2026-11-03 09:00,\n",
    );
    // A vendor's 回告 export: its own headers and words; two bad rows.
    export(
        &inbox,
        "督办回告_11月.csv",
        "督办单号,办件编号,回复时间,处理结果,延期日期,情况说明\n\
         ,C01,2026-11-09 15:00,说明情况,,申请人材料未到齐\n\
         C03,,2026-11-10 10:00,延期,2026-11-20,需现场勘验\n\
         ,,2026-11-10 11:00,办结,,\n\
         C02,,2026-11-12 09:00,已阅,,\n",
    );
    // A 12345 export, its own headers.
    export(
        &inbox,
        "12345工单_11月.csv",
        "工单编号,登记时间,来件渠道,窗口编号,工号,被投诉部门,问题类型,受理时间,不予受理时间,答复时间,核查结果,办结时间\n\
         K1,2026-11-02 09:00,12345,W01,1001,,态度生硬,2026-11-04 10:00,,2026-11-11 15:00,属实,2026-11-12 09:00\n\
         K2,2026-11-02 09:30,效能热线,W02,,,不属于受理范围,,2026-11-06 10:00,,,2026-11-06 10:00\n\
         K3,2026-11-03 09:00,信箱,W02,,,办事拖拉,2026-11-03 14:00,,,,\n\
         K4,2026-11-16 09:00,网上,,,人社局,办事指南不清,,,,,\n\
         K5,2026-11-09 09:00,现场,W02,,,一次告知不到位,2026-11-09 10:00,,2026-11-13 10:00,部分属实,2026-11-13 16:00\n",
    );
    // A 好差评 export with the loop's columns, in its vendor's words.
    export(
        &inbox,
        "好差评_11月.csv",
        "评价编号,办件编号,窗口编号,工号,评价时间,评价等级,评价渠道,整改时间,实名,回访时间,反馈时间,申诉复核结果\n\
         P1,,W01,1001,2026-11-02 10:00,非常不满意,二维码,2026-11-06 10:00,实名,2026-11-03 10:00,2026-11-09 10:00,\n\
         P2,,W01,1001,2026-11-02 11:00,1,二维码,,实名,2026-11-04 10:00,,误评\n\
         P3,,W02,1002,2026-11-02 11:00,不满意,网上,2026-11-10 10:00,匿名,2026-11-05 10:00,,维持原评价\n\
         P4,,W02,1002,2026-11-03 09:00,5,评价器,,,,,\n",
    );
    // The 督查 export carries K1 as an incident too.
    export(
        &inbox,
        "督查_11月.csv",
        "编号,日期,来源,窗口编号,工号,类别,属实,分值\nK1,2026-11-12,投诉,W01,1001,态度生硬,是,-5\n",
    );
    ok(h.path(), &["ingest"]);
    ok(h.path(), &["compute", "--as-of", "2026-11-30"]);
    h
}

fn month_row(home: &Path, family: &str, level: &str, key: &str) -> HashMap<String, String> {
    common::metric_rows(home, family, "2026-11", level, "2026-11-30")
        .into_iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("no {family} row for {level} {key}"))
}

#[test]
fn notices_replies_escalations_and_complaints_worked_by_hand() {
    let h = home();
    let home = h.path();

    // The two bad replies are kept with their reasons.
    let rejects = ok(home, &["rejects", "--table", "replies"]);
    assert!(
        rejects.contains("督办回告_11月.csv:4") && rejects.contains("neither a notice nor a case"),
        "{rejects}"
    );
    assert!(
        rejects.contains("督办回告_11月.csv:5") && rejects.contains("outcome '已阅'"),
        "{rejects}"
    );

    // The notices as of 11-30.
    let notices = csv_rows(&ok(
        home,
        &["notices", "--as-of", "2026-11-30", "--format", "csv"],
    ));
    let by: HashMap<&str, &HashMap<String, String>> = notices
        .iter()
        .map(|n| (n["notice_id"].as_str(), n))
        .collect();
    assert_eq!(notices.len(), 3);
    let field = |id: &str, f: &str| by[id][f].clone();
    assert_eq!(field("C01", "opened_on"), "2026-11-06");
    assert_eq!(field("C01", "replied_on"), "2026-11-09");
    assert_eq!(field("C01", "reply_days"), "1");
    assert_eq!(field("C01", "outcome"), "已说明情况");
    assert_eq!(field("C01", "closed_by"), "回告");
    assert_eq!(field("C01", "window_name"), "税务窗口");
    assert_eq!(field("C01", "staff_name"), "张三");
    assert_eq!(field("C02", "warned_on"), "2026-11-11");
    assert_eq!(field("C02", "referred_on"), "2026-11-16");
    assert_eq!(field("C02", "closed_on"), "2026-11-17");
    assert_eq!(field("C02", "closed_by"), "办结");
    assert_eq!(field("C03", "replied_on"), "2026-11-10");
    assert_eq!(field("C03", "outcome"), "申请延期");
    assert_eq!(field("C03", "warned_on"), "2026-11-23");
    assert_eq!(field("C03", "referred_on"), "2026-11-26");
    assert_eq!(field("C03", "stage_name"), "问责");
    assert_eq!(field("C03", "closed_on"), "");
    // --open keeps C03 only.
    let open = csv_rows(&ok(
        home,
        &[
            "notices",
            "--as-of",
            "2026-11-30",
            "--open",
            "--format",
            "csv",
        ],
    ));
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["notice_id"], "C03");

    // supervision_metrics, November.
    let s = month_row(home, "supervision", "center", "center");
    let got: Vec<&str> = [
        "issued",
        "replied",
        "replied_on_time",
        "warned",
        "referred",
        "closed",
        "open_past_due",
    ]
    .iter()
    .map(|c| s[*c].as_str())
    .collect();
    assert_eq!(got, ["3", "2", "2", "2", "2", "2", "1"]);
    assert_eq!(s["on_time_reply_rate"].parse::<f64>().unwrap(), 1.0);
    assert_eq!(s["mean_reply_days"].parse::<f64>().unwrap(), 1.0);
    let w2 = month_row(home, "supervision", "window", "W02");
    assert_eq!(
        (
            w2["issued"].as_str(),
            w2["warned"].as_str(),
            w2["open_past_due"].as_str()
        ),
        ("2", "2", "1")
    );

    // complaint_metrics, November.
    let c = month_row(home, "complaints", "center", "center");
    let got: Vec<&str> = [
        "received",
        "decided",
        "accepted_in_time",
        "declined",
        "answered",
        "answered_in_time",
        "closed",
        "concluded",
        "substantiated",
        "open_past_due",
    ]
    .iter()
    .map(|k| c[*k].as_str())
    .collect();
    assert_eq!(got, ["5", "4", "3", "1", "2", "2", "3", "2", "2", "2"]);
    assert_eq!(c["accepted_in_time_rate"].parse::<f64>().unwrap(), 0.75);
    // K4 has no window: it counts for its own department.
    let dept = month_row(home, "complaints", "department", "人社局");
    assert_eq!(
        (dept["received"].as_str(), dept["open_past_due"].as_str()),
        ("4", "2")
    );

    // Score events of November: the escalations and the complaints, once.
    let events = csv_rows(&ok(
        home,
        &[
            "query",
            "select window_id, source, row_key, kind, points from score_events \
             where grain = 'month' and period = '2026-11' and source in ('notices', 'complaints', 'incidents') \
             order by window_id, source, row_key, kind",
            "--format",
            "csv",
        ],
    ));
    let got: Vec<(String, String, String, String, f64)> = events
        .iter()
        .map(|e| {
            (
                e["window_id"].clone(),
                e["source"].clone(),
                e["row_key"].clone(),
                e["kind"].clone(),
                e["points"].parse().unwrap(),
            )
        })
        .collect();
    let want = |w: &str, s: &str, k: &str, kind: &str, p: f64| {
        (
            w.to_string(),
            s.to_string(),
            k.to_string(),
            kind.to_string(),
            p,
        )
    };
    assert_eq!(
        got,
        [
            want("W01", "complaints", "K1", "complaint", -2.0),
            want("W02", "complaints", "K5", "complaint", -1.0),
            want("W02", "notices", "C02", "referral", -5.0),
            want("W02", "notices", "C02", "warning", -2.0),
            want("W02", "notices", "C03", "referral", -5.0),
            want("W02", "notices", "C03", "warning", -2.0),
        ]
    );
    // W01 = 100 − 2 (C01 open and overdue at 11-30) − 2 (K1) − 1 (P1; P2
    // excluded) = 95.
    let scores = csv_rows(&ok(
        home,
        &[
            "rank",
            "--period",
            "2026-11",
            "--as-of",
            "2026-11-30",
            "--format",
            "csv",
        ],
    ));
    let w01 = scores.iter().find(|r| r["window_id"] == "W01").unwrap();
    assert_eq!(w01["score"].parse::<f64>().unwrap(), 95.0);
    let rating_events = csv_rows(&ok(
        home,
        &[
            "query",
            "select window_id, row_key, kind from score_events \
             where grain = 'month' and period = '2026-11' and source = 'ratings' order by 1, 2, 3",
            "--format",
            "csv",
        ],
    ));
    let got: Vec<String> = rating_events
        .iter()
        .map(|e| format!("{} {} {}", e["window_id"], e["row_key"], e["kind"]))
        .collect();
    assert_eq!(
        got,
        [
            "W01 P1 bad_rating",
            "W02 P3 bad_rating",
            "W02 P3 late_rectification"
        ]
    );

    // The 好差评 loop, every channel, November.
    let loop_rows = common::metric_rows(home, "loop", "2026-11", "center", "2026-11-30");
    let all = loop_rows.iter().find(|r| r["channel"] == "全部").unwrap();
    let got: Vec<&str> = [
        "bad_ratings",
        "callbacks_due",
        "called_back",
        "called_back_on_time",
        "named_due",
        "named_on_time",
        "rectification_due",
        "rectified",
        "rectified_on_time",
        "feedback_given",
        "appealed",
        "excluded",
    ]
    .iter()
    .map(|c| all[*c].as_str())
    .collect();
    assert_eq!(
        got,
        ["2", "2", "2", "2", "1", "1", "2", "2", "1", "1", "2", "1"]
    );
    // Satisfaction by channel: 全部 P1 P3 P4 (P2 excluded), P4 satisfied;
    // 评价器 P4: 100 %; 二维码 P1: 0 %.
    assert_eq!(all["ratings"], "3");
    let rate = |channel: &str, c: &str| -> f64 {
        let r = loop_rows.iter().find(|r| r["channel"] == channel).unwrap();
        r[c].parse().unwrap()
    };
    assert_eq!(rate("评价器", "satisfaction_rate"), 1.0);
    assert_eq!(rate("二维码", "satisfaction_rate"), 0.0);
    let web = loop_rows.iter().find(|r| r["channel"] == "网上").unwrap();
    assert_eq!(web["rectified_on_time_rate"].parse::<f64>().unwrap(), 0.0);
    // Satisfaction leaves P2 out: 3 ratings, 1 satisfied.
    let r = month_row(home, "ratings", "center", "center");
    assert_eq!((r["ratings"].as_str(), r["level_1"].as_str()), ("3", "1"));
    // The daily report of 11-03: P1's callback due (done); P2 excluded.
    ok(home, &["report", "daily", "--date", "2026-11-03"]);
    let daily = std::fs::read_to_string(home.join("reports/2026-11-03/daily.md")).unwrap();
    assert!(
        daily.contains("好差评:当日回访到期差评 1 件,其中未回访 0 件"),
        "{daily}"
    );
    assert!(
        daily.contains("| P1 | W01 | 税务窗口 | 1001 | 张三 | 2026-11-02 | 实名 | 是 |"),
        "{daily}"
    );
    // The three zeros count K1 once.
    let zeros = csv_rows(&ok(
        home,
        &[
            "metrics",
            "zeros",
            "--period",
            "2026-11",
            "--as-of",
            "2026-11-30",
            "--format",
            "csv",
        ],
    ));
    let z1 = zeros.iter().find(|r| r["key"] == "W01").unwrap();
    assert_eq!(z1["substantiated_complaints"], "1");

    // The daily report of 11-20: C03's reply due that day; K3 and K4 past
    // a deadline.
    ok(home, &["report", "daily", "--date", "2026-11-20"]);
    let daily = std::fs::read_to_string(home.join("reports/2026-11-20/daily.md")).unwrap();
    assert!(
        daily.contains("督办:当日新督办 0 件,当日回告到期 1 件,逾期未结 0 件"),
        "{daily}"
    );
    assert!(daily.contains("投诉:当日到期 0 件,超期 2 件。"), "{daily}");
    assert!(daily.contains("| K4 |"), "{daily}");
    // 11-19: K4 to be accepted that day; K3 past its answer date.
    ok(home, &["report", "daily", "--date", "2026-11-19"]);
    let daily = std::fs::read_to_string(home.join("reports/2026-11-19/daily.md")).unwrap();
    assert!(daily.contains("投诉:当日到期 1 件,超期 1 件。"), "{daily}");
    assert!(daily.contains("| 当日到期 | K4 |"), "{daily}");
    // 11-11: C02 escalated that day, past due.
    ok(home, &["report", "daily", "--date", "2026-11-11"]);
    let daily = std::fs::read_to_string(home.join("reports/2026-11-11/daily.md")).unwrap();
    assert!(
        daily.contains("督办:当日新督办 0 件,当日回告到期 0 件,逾期未结 1 件"),
        "{daily}"
    );
    assert!(
        daily.contains("| 逾期未结 | C02 | W02 | 社保窗口 | 1002 | 李四 |"),
        "{daily}"
    );

    // The bulletin's 督办与整改.
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
    let bulletin = std::fs::read_to_string(home.join("reports/2026-11/bulletin.md")).unwrap();
    assert!(bulletin.contains(
        "本月红牌督办 3 件,已回告 2 件,其中按期回告 2 件(按期回告率 100.00%),平均回告用时 1.00 个工作日;效能告诫 2 件,问责移送 2 件;月末逾期未结 1 件。"
    ), "{bulletin}");
    assert!(bulletin.contains(
        "本月受理投诉 5 件,按期受理率 75.00%,不予受理 1 件;答复 2 件,按期答复率 100.00%;办结 3 件,核查属实(含部分属实) 2 件;月末超期未结 2 件。"
    ), "{bulletin}");
    assert!(bulletin.contains("| C03 | W02 | 社保窗口 | 1002 | 李四 | 2026-11-09 | 2026-11-23 | 2026-11-26 | 2026-11-10 | — |"), "{bulletin}");
    assert!(bulletin.contains(
        "好差评闭环:本月应回访差评 2 件,回访率 100.00%;实名差评 1 件,一个工作日内回访率 100.00%;应整改 2 件,整改率 100.00%,按期整改率 50.00%,反馈率 50.00%;申诉复核 2 件,复核排除 1 件。"
    ), "{bulletin}");
    // K3 (答复, raised 11-11) and K4 (受理, raised 11-20) are cards; K2,
    // declined the day after its accept date, never ended a day past it.
    assert!(
        bulletin.contains("本月投诉超期亮牌 2 张(受理超期 1 张,答复超期 1 张)。"),
        "{bulletin}"
    );
    // Their list for people: K3's window named beside its code (W02 社保窗口,
    // no staff member), K4 with its department and no window.
    let listed = std::fs::read_to_string(home.join("reports/2026-11/complaint_cards.csv")).unwrap();
    let rows: Vec<&str> = listed.lines().collect();
    assert_eq!(
        rows[0],
        "\u{feff}投诉编号,窗口,窗口名称,工号,姓名,部门,登记日期,超期环节,期限,亮牌日期,解除日期"
    );
    assert!(
        rows.contains(&"K3,W02,社保窗口,,,,2026-11-03,答复,2026-11-10,2026-11-11,"),
        "{listed}"
    );
    assert!(
        rows.contains(&"K4,,,,,人社局,2026-11-16,受理,2026-11-19,2026-11-20,"),
        "{listed}"
    );
    assert!(
        bulletin.contains("| 评价器 | 1 | 100.00% | 0 |"),
        "{bulletin}"
    );
    assert!(
        bulletin.contains("| P2 | W01 | 税务窗口 | 1001 | 张三 | 2026-11-02 | 1 | 二维码 | 误评 |"),
        "{bulletin}"
    );

    // Reads wrote nothing: a second run of the same reads changes no file
    // of the store.
    let before = store_listing(home);
    run(home, &["notices", "--as-of", "2026-11-20"]);
    run(home, &["cards", "--as-of", "2026-11-20"]);
    assert_eq!(before, store_listing(home));
}

/// Every file of the store with its size and modification time.
fn store_listing(home: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![home.join("data/store")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else {
                out.push((
                    e.path().display().to_string(),
                    m.len(),
                    m.modified().unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}
