//! `xiaoneng serve` in a real browser: the demo is built in a temporary
//! home, the board is started on a free loopback port, and headless
//! Chromium (Debian's package; `scripts/install-chromium.sh` installs it
//! when missing, and the test fails if it cannot) renders today → a
//! window → a case → the lobby board. Every figure read from the rendered
//! DOM (`data-fig` / `data-value`) must equal what `metrics`, `cards` and
//! `rank` print for the same date. Screenshots are saved under
//! `<target>/tmp/board-test/`. Also: a LAN bind without a token is
//! refused, a request without the token gets 401, a path outside the
//! reports folder is refused, and the store is byte for byte and time for
//! time as it was.

use crate::common;

use common::{bin, csv_rows, ok, run};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// The date served and asked of the command line (a Friday with cases,
/// ratings and tickets; the demo's data end on Saturday 2026-10-31).
const DATE: &str = "2026-10-30";
const MONTH: &str = "2026-10";

/// A running `serve`, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Start `serve` and wait until it answers.
fn start(home: &Path, logs: &Path, args: &[&str]) -> Server {
    let port = free_port();
    let log = logs.join(format!("serve-{port}.log"));
    let child = bin()
        .arg("--home")
        .arg(home)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .args(args)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("start xiaoneng serve");
    let mut server = Server { child, port, log };
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            panic!(
                "serve exited ({status}):\n{}",
                std::fs::read_to_string(&server.log).unwrap_or_default()
            );
        }
        if let Some((status, _, _)) = get(port, "/assets/font.ttf", &[]) {
            if status == 200 || status == 401 {
                return server;
            }
        }
        assert!(Instant::now() < deadline, "serve did not answer in 120 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A raw HTTP GET (the path sent exactly as given): status, head, body.
fn get(port: u16, path: &str, headers: &[&str]) -> Option<(u16, String, Vec<u8>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for h in headers {
        req.push_str(h);
        req.push_str("\r\n");
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, head, raw[split + 4..].to_vec()))
}

/// Chromium, installed by `scripts/install-chromium.sh` when missing.
fn chromium() -> PathBuf {
    let found = || {
        Command::new("chromium")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !found() {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-chromium.sh");
        let status = Command::new("bash").arg(&script).status();
        assert!(
            status.is_ok_and(|s| s.success()) && found(),
            "Chromium is missing and {} could not install it (it needs apt-get and root or \
             passwordless sudo): install Debian's `chromium` package and run the test again",
            script.display()
        );
    }
    PathBuf::from("chromium")
}

/// Headless Chromium with a profile of its own, killed after two minutes.
fn browser(profile: &Path, args: &[String]) -> std::process::Output {
    Command::new("timeout")
        .arg("120")
        .arg(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("run chromium")
}

/// The DOM of a page after its scripts ran.
fn dom(profile: &Path, url: &str) -> String {
    let out = browser(profile, &["--dump-dom".into(), url.into()]);
    let dom = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        dom.contains("</html>"),
        "chromium rendered nothing for {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

/// A screenshot of a page.
fn screenshot(profile: &Path, url: &str, file: &Path, size: (u32, u32)) {
    let out = browser(
        profile,
        &[
            format!("--window-size={},{}", size.0, size.1),
            format!("--screenshot={}", file.display()),
            url.into(),
        ],
    );
    assert!(
        file.metadata().is_ok_and(|m| m.len() > 10_000),
        "no screenshot of {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every figure of a DOM: `data-fig` → `data-value`.
fn figures(dom: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut rest = dom;
    while let Some(i) = rest.find("data-fig=\"") {
        rest = &rest[i + 10..];
        let Some(end) = rest.find('"') else { break };
        let name = unescape(&rest[..end]);
        rest = &rest[end + 1..];
        if let Some(v) = rest.strip_prefix(" data-value=\"") {
            let end = v.find('"').expect("closed data-value");
            out.insert(name, unescape(&v[..end]));
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every value of `attr="…"` in a DOM, in order.
fn attrs(dom: &str, attr: &str) -> Vec<String> {
    let key = format!("{attr}=\"");
    dom.match_indices(&key)
        .map(|(i, _)| {
            let v = &dom[i + key.len()..];
            unescape(&v[..v.find('"').unwrap_or(0)])
        })
        .collect()
}

/// The page's figure equals the command line's value (numbers to the last
/// bits of a double; empty for none).
fn same(figs: &HashMap<String, String>, name: &str, cli: &str, what: &str) {
    let page = figs
        .get(name)
        .unwrap_or_else(|| panic!("{what}: the page shows no figure {name}"));
    let equal = match (page.parse::<f64>(), cli.parse::<f64>()) {
        (Ok(a), Ok(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
        _ => page.trim() == cli.trim(),
    };
    assert!(
        equal,
        "{what}: {name} is {page:?} on the page, {cli:?} on the command line"
    );
}

/// One CSV row of a command's output.
fn cli_row(home: &Path, args: &[&str]) -> HashMap<String, String> {
    let rows = csv_rows(&ok(home, args));
    assert_eq!(rows.len(), 1, "one row from {args:?}");
    rows.into_iter().next().unwrap()
}

/// Every file of the store with its size and modification time.
fn store_files(dir: &Path) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            }
            out.insert(e.path(), (m.len(), m.modified().unwrap()));
        }
    }
    out
}

#[test]
fn the_board_shows_the_command_lines_figures_in_a_real_browser() {
    // Installed (or the test fails) before anything else is done.
    chromium();
    let home = common::demo_home();
    let home = home.path();
    let work = crate::common::tempdir();
    let profile = work.path().join("chromium-profile");
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("board-test");
    std::fs::create_dir_all(&shots).unwrap();
    let store = home.join("data/store");
    let before = store_files(&store);

    // A LAN address without a token is refused before anything is read.
    let lan = run(
        home,
        &["serve", "--bind", &format!("0.0.0.0:{}", free_port())],
    );
    assert!(
        !lan.status.success(),
        "serve on 0.0.0.0 without a token started"
    );
    let why = String::from_utf8_lossy(&lan.stderr);
    assert!(why.contains("without a token"), "{why}");

    let server = start(home, work.path(), &["--as-of", DATE]);
    let as_of = ["--as-of", DATE, "--format", "csv"];
    let with = |args: &[&'static str]| -> Vec<&str> {
        args.iter().copied().chain(as_of.iter().copied()).collect()
    };

    // 今日: the cards, the day's figures and the month so far.
    let cards = csv_rows(&ok(home, &with(&["cards"])));
    let reds: Vec<&HashMap<String, String>> =
        cards.iter().filter(|c| c["colour"] == "red").collect();
    let yellows = cards.len() - reds.len();
    assert!(!reds.is_empty(), "the demo has red cards on {DATE}");
    let today = dom(&profile, &server.url("/"));
    let figs = figures(&today);
    same(&figs, "as_of", DATE, "today");
    same(&figs, "cards.red", &reds.len().to_string(), "today");
    same(&figs, "cards.yellow", &yellows.to_string(), "today");
    let mut per_window: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in &cards {
        let e = per_window.entry(c["window_id"].as_str()).or_default();
        match c["colour"].as_str() {
            "red" => e.0 += 1,
            _ => e.1 += 1,
        }
    }
    for (w, (r, y)) in &per_window {
        same(
            &figs,
            &format!("window.{w}.cards.red"),
            &r.to_string(),
            "today by window",
        );
        same(
            &figs,
            &format!("window.{w}.cards.yellow"),
            &y.to_string(),
            "today by window",
        );
    }
    for c in reds.iter().filter(|c| c["step"].is_empty()) {
        let over = -c["remaining_days"].parse::<i64>().unwrap();
        same(
            &figs,
            &format!("card.{}.days_over", c["case_id"]),
            &over.to_string(),
            "open past deadline",
        );
        same(
            &figs,
            &format!("card.{}.deadline", c["case_id"]),
            &c["deadline"],
            "open past deadline",
        );
    }
    let day_cases = cli_row(
        home,
        &with(&["metrics", "cases", "--period", DATE, "--level", "center"]),
    );
    for c in [
        "accepted",
        "completed",
        "completed_instant",
        "overdue_completed",
        "overdue_open",
    ] {
        same(
            &figs,
            &format!("day.cases.{c}"),
            &day_cases[c],
            "the day's cases",
        );
    }
    assert_ne!(day_cases["accepted"], "0", "a working day with cases");
    let day_ratings = cli_row(
        home,
        &with(&["metrics", "ratings", "--period", DATE, "--level", "center"]),
    );
    for c in ["ratings", "satisfaction_rate", "bad_ratings"] {
        same(
            &figs,
            &format!("day.ratings.{c}"),
            &day_ratings[c],
            "the day's ratings",
        );
    }
    let day_queue = cli_row(
        home,
        &with(&["metrics", "queue", "--period", DATE, "--level", "center"]),
    );
    for c in ["tickets", "wait_mean_min", "wait_p90_min"] {
        same(
            &figs,
            &format!("day.queue.{c}"),
            &day_queue[c],
            "the day's waits",
        );
    }
    let month = cli_row(
        home,
        &with(&["metrics", "cases", "--period", MONTH, "--level", "center"]),
    );
    for c in [
        "accepted",
        "completed",
        "on_time_rate",
        "promise_compression",
        "actual_speedup",
        "overdue_open",
    ] {
        same(
            &figs,
            &format!("month.cases.{c}"),
            &month[c],
            "the month so far",
        );
    }
    let day_windows = csv_rows(&ok(
        home,
        &with(&["metrics", "cases", "--period", DATE, "--level", "window"]),
    ));
    for r in &day_windows {
        for c in ["accepted", "completed", "overdue_open"] {
            same(
                &figs,
                &format!("day.window.{}.cases.{c}", r["key"]),
                &r[c],
                "the day per window",
            );
        }
    }
    screenshot(
        &profile,
        &server.url("/"),
        &shots.join("1-today.png"),
        (1280, 2400),
    );

    // → a window: the one of the most overdue case card, linked from today.
    let card = reds
        .iter()
        .filter(|c| c["step"].is_empty())
        .min_by_key(|c| c["remaining_days"].parse::<i64>().unwrap())
        .unwrap();
    let (case, window) = (card["case_id"].as_str(), card["window_id"].as_str());
    assert!(
        today.contains(&format!("href=\"/window/{window}\"")),
        "today links {window}"
    );
    assert!(
        today.contains(&format!("href=\"/case/{case}\"")),
        "today links {case}"
    );
    let page = dom(&profile, &server.url(&format!("/window/{window}")));
    let figs = figures(&page);
    same(&figs, "window", window, "the window");
    let w_month = csv_rows(&ok(
        home,
        &with(&["metrics", "cases", "--period", MONTH, "--level", "window"]),
    ));
    let w_month = w_month
        .iter()
        .find(|r| r["key"] == window)
        .expect("the window's month");
    for c in [
        "accepted",
        "completed",
        "instant_rate",
        "on_time_rate",
        "early_rate",
        "overdue_completed",
        "overdue_open",
    ] {
        same(
            &figs,
            &format!("month.cases.{c}"),
            &w_month[c],
            "the window's month",
        );
    }
    let w_ratings = csv_rows(&ok(
        home,
        &with(&["metrics", "ratings", "--period", MONTH, "--level", "window"]),
    ));
    let w_ratings = w_ratings
        .iter()
        .find(|r| r["key"] == window)
        .expect("the window's ratings");
    same(
        &figs,
        "month.ratings.satisfaction_rate",
        &w_ratings["satisfaction_rate"],
        "the window's ratings",
    );
    let ranking = csv_rows(&ok(home, &with(&["rank", "--period", MONTH])));
    let ranked = ranking
        .iter()
        .find(|r| r["window_id"] == window)
        .expect("the window is ranked");
    same(
        &figs,
        "month.rank.score",
        &ranked["score"],
        "the window's score",
    );
    same(
        &figs,
        "month.rank.rank",
        &ranked["rank"],
        "the window's rank",
    );
    let carded = cards.iter().filter(|c| c["window_id"] == window).count();
    assert_eq!(
        attrs(&page, "data-case").len(),
        carded,
        "the window's cards"
    );
    assert!(page.contains("<svg"), "the window's trends are drawn");
    assert!(page.contains("每日受理与办结"), "the chart's Chinese title");
    screenshot(
        &profile,
        &server.url(&format!("/window/{window}")),
        &shots.join("2-window.png"),
        (1280, 2400),
    );

    // → a case: its deadline and days over as `cards` has them.
    let page = dom(&profile, &server.url(&format!("/case/{case}")));
    let figs = figures(&page);
    same(&figs, "case", case, "the case");
    same(
        &figs,
        "case.deadline",
        &card["deadline"],
        "the case's deadline",
    );
    same(&figs, "case.card", "red", "the case's card");
    let over = -card["remaining_days"].parse::<i64>().unwrap();
    same(
        &figs,
        "case.card.days_over",
        &over.to_string(),
        "the case's days over",
    );
    assert!(
        page.contains("红黄牌") && page.contains("办理环节"),
        "the case's sections"
    );
    screenshot(
        &profile,
        &server.url(&format!("/case/{case}")),
        &shots.join("3-case.png"),
        (1280, 1400),
    );

    // → the lobby board: every slide is in the page, one shown at a time.
    let page = dom(&profile, &server.url("/board"));
    let figs = figures(&page);
    assert_eq!(attrs(&page, "data-slide"), ["cards", "ratings", "flags"]);
    same(
        &figs,
        "board.cards.red",
        &reds.len().to_string(),
        "the board",
    );
    same(
        &figs,
        "board.cards.yellow",
        &yellows.to_string(),
        "the board",
    );
    same(
        &figs,
        "board.day.cases.completed",
        &day_cases["completed"],
        "the board",
    );
    for c in ["ratings", "satisfaction_rate", "bad_ratings"] {
        same(
            &figs,
            &format!("board.day.ratings.{c}"),
            &day_ratings[c],
            "the board's ratings",
        );
    }
    let flags: Vec<&HashMap<String, String>> =
        ranking.iter().filter(|r| r["band"] == "红旗窗口").collect();
    assert!(
        !flags.is_empty(),
        "the demo has red-flag windows in {MONTH}"
    );
    let shown: Vec<String> = attrs(&page, "data-flag");
    let expected: Vec<String> = flags.iter().map(|r| r["window_id"].clone()).collect();
    assert_eq!(shown, expected, "the board's red-flag windows");
    for r in &flags {
        same(
            &figs,
            &format!("board.flag.{}.score", r["window_id"]),
            &r["score"],
            "the board's red flags",
        );
    }
    for (k, name) in ["cards", "ratings", "flags"].iter().enumerate() {
        let file = shots.join(format!("4-board-{name}.png"));
        screenshot(
            &profile,
            &server.url(&format!("/board?slide={k}")),
            &file,
            (1920, 1080),
        );
    }

    // 排名: every window's score and rank, and the explanation's link.
    let page = dom(&profile, &server.url("/rank"));
    let figs = figures(&page);
    for r in &ranking {
        let p = format!("rank.{MONTH}.{}", r["window_id"]);
        same(&figs, &format!("{p}.score"), &r["score"], "the ranking");
        same(&figs, &format!("{p}.rank"), &r["rank"], "the ranking");
        same(&figs, &format!("{p}.band"), &r["band"], "the ranking");
    }
    let first = &ranking[0]["window_id"];
    let explain = ok(
        home,
        &[
            "rank",
            "--period",
            MONTH,
            "--as-of",
            DATE,
            "--explain",
            first,
            "--format",
            "csv",
        ],
    );
    let page = dom(
        &profile,
        &server.url(&format!("/rank/explain?period={MONTH}&window={first}")),
    );
    let events = csv_rows(&explain);
    assert!(!events.is_empty(), "{first} has score events");
    assert!(
        events
            .iter()
            .all(|e| page.contains(&format!("<td>{}</td>", e["row_key"]))),
        "the explanation lists the events"
    );
    screenshot(
        &profile,
        &server.url("/rank"),
        &shots.join("5-rank.png"),
        (1280, 1600),
    );

    // 报告: listed, opened; nothing outside the reports folder.
    let page = dom(&profile, &server.url("/reports"));
    assert!(attrs(&page, "data-report")
        .iter()
        .any(|r| r == "2026-10/bulletin.html"));
    let (status, head, body) = get(server.port, "/reports/2026-10/bulletin.html", &[]).unwrap();
    assert_eq!(status, 200);
    assert!(head.contains("text/html") && body.len() > 1000);
    for outside in [
        "/reports/../data/store/_metrics.json",
        "/reports/%2e%2e/data/store/_metrics.json",
        "/reports/..%2fdata/store/_metrics.json",
        "/reports/%2fetc/passwd",
    ] {
        let (status, _, body) = get(server.port, outside, &[]).unwrap();
        assert!(status == 403 || status == 404, "{outside}: {status}");
        assert!(
            !String::from_utf8_lossy(&body).contains("as_of"),
            "{outside} leaked"
        );
    }
    drop(server);

    // With a token (here from a file): nothing without it.
    let token = "board-test-token-0123456789abcdef";
    let token_file = work.path().join("token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    let server = start(
        home,
        work.path(),
        &["--token-file", token_file.to_str().unwrap()],
    );
    assert_eq!(get(server.port, "/", &[]).unwrap().0, 401);
    assert_eq!(
        get(
            server.port,
            "/board",
            &["Authorization: Bearer wrong-token-0123456789"]
        )
        .unwrap()
        .0,
        401
    );
    let bearer = format!("Authorization: Bearer {token}");
    assert_eq!(get(server.port, "/board", &[&bearer]).unwrap().0, 200);
    let (status, head, _) = get(server.port, &format!("/board?token={token}"), &[]).unwrap();
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("Set-Cookie: "))
        .unwrap_or_else(|| panic!("no cookie: {head}"));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(head.contains("Location: /board"), "{head}");
    let cookie = format!("Cookie: {}", cookie.split(';').next().unwrap());
    assert_eq!(get(server.port, "/", &[&cookie]).unwrap().0, 200);
    drop(server);

    // The server read the store and wrote nothing.
    assert_eq!(
        store_files(&store),
        before,
        "the store changed while served"
    );
    eprintln!("screenshots: {}", shots.display());
}
