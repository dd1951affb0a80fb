//! `xiaoneng serve`: the supervision board, a read-only web server over
//! the store for the office and the hall's screen.
//!
//! Why it is shaped this way:
//! - **One snapshot per store state.** The store is opened read-only
//!   (`engine::open_store_read`, a shared lock) only while a snapshot is
//!   loaded ([`snapshot`]): the figures of the as-of date through one
//!   [`Reading`](crate::engine::Reading), as `metrics`, `cards` and `rank`
//!   read them, so every figure a page shows equals the command line's.
//!   The lock is then released, so the nightly job is never kept out by a
//!   page being read; a watcher reloads the snapshot when the store's
//!   control files change, and every page answers from memory.
//! - **Never writes.** Nothing here opens the store for writing or writes a
//!   file; reports are only read, from inside the reports folder.
//! - **A small synchronous server.** `tiny_http` on a few std threads: an
//!   async stack (axum on hyper's server feature) would rebuild the whole
//!   polars dependency tree (ARCHITECTURE.md).
//! - **Loopback unless a token.** A non-loopback address is refused
//!   without a token ([`auth`]).

mod auth;
mod board;
mod case;
mod files;
mod html;
mod rank;
mod snapshot;
mod today;
mod window;

use crate::config::Settings;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub use snapshot::Snapshot;

/// What `serve` was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub bind: std::net::SocketAddr,
    pub token: Option<String>,
    /// A fixed evaluation date (default: the store's, at each load).
    pub as_of: Option<NaiveDate>,
    /// The center's name in the titles.
    pub center: String,
}

/// Request threads: pages answer from memory, so a few are plenty for an
/// office and a lobby screen.
const WORKERS: usize = 4;
/// How often the watcher looks at the store's control files.
const WATCH_EVERY: Duration = Duration::from_secs(5);

/// The snapshot pages read, swapped whole by the watcher.
struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    /// The last reload that failed (a writer holding the store), shown in
    /// the pages' footer until a reload succeeds.
    reload_error: RwLock<Option<String>>,
    settings: Settings,
    options: Options,
}

/// Check the options, load the first snapshot, listen and answer until
/// the process is stopped.
pub fn serve(settings: &Settings, options: Options) -> Result<()> {
    auth::check_bind(options.bind, options.token.as_deref())?;
    let server = tiny_http::Server::http(options.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", options.bind))?;
    let start = Instant::now();
    let first = Snapshot::load(settings, &options)?;
    eprintln!(
        "serve: figures as of {} loaded in {:.2} s{}",
        first.as_of,
        start.elapsed().as_secs_f64(),
        first
            .note
            .as_ref()
            .map_or(String::new(), |n| format!(" ({n})"))
    );
    for p in &first.problems {
        eprintln!("serve: left out of the pages: {p}");
    }
    let shared = Arc::new(Shared {
        snapshot: RwLock::new(Arc::new(first)),
        reload_error: RwLock::new(None),
        settings: settings.clone(),
        options: options.clone(),
    });
    eprintln!(
        "serve: http://{}/ (read-only{}); Ctrl-C stops",
        options.bind,
        match options.token {
            Some(_) => ", token required",
            None => "",
        }
    );
    {
        let shared = shared.clone();
        std::thread::Builder::new()
            .name("watch".into())
            .spawn(move || watch(&shared))
            .context("cannot start the store watcher")?;
    }
    let server = Arc::new(server);
    let workers: Vec<_> = (0..WORKERS)
        .map(|k| {
            let (server, shared) = (server.clone(), shared.clone());
            std::thread::Builder::new()
                .name(format!("http-{k}"))
                .spawn(move || {
                    for request in server.incoming_requests() {
                        answer(&shared, request);
                    }
                })
        })
        .collect::<std::io::Result<_>>()
        .context("cannot start the request threads")?;
    for w in workers {
        let _ = w.join();
    }
    Ok(())
}

/// Reload the snapshot when the store's state changes (and has stayed the
/// same for one more look, so a reload does not race a writer's commits).
fn watch(shared: &Shared) {
    let root = shared.settings.store.clone();
    let mut seen = snapshot::store_state(&root);
    loop {
        std::thread::sleep(WATCH_EVERY);
        let now = snapshot::store_state(&root);
        let current = shared.snapshot.read().map(|s| s.state.clone());
        let Ok(current) = current else { return };
        if now == current || now != seen {
            seen = now;
            continue;
        }
        let start = Instant::now();
        match Snapshot::load(&shared.settings, &shared.options) {
            Ok(next) => {
                eprintln!(
                    "serve: the store changed; figures as of {} reloaded in {:.2} s",
                    next.as_of,
                    start.elapsed().as_secs_f64()
                );
                if let Ok(mut s) = shared.snapshot.write() {
                    *s = Arc::new(next);
                }
                if let Ok(mut e) = shared.reload_error.write() {
                    *e = None;
                }
            }
            Err(e) => {
                eprintln!("serve: reload failed, still showing the last figures: {e:#}");
                if let Ok(mut slot) = shared.reload_error.write() {
                    *slot = Some(format!("{e:#}"));
                }
            }
        }
    }
}

/// A page or file to send.
pub(crate) struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
    headers: Vec<(String, String)>,
}

impl Reply {
    fn html(status: u16, body: String) -> Reply {
        Reply {
            status,
            content_type: "text/html; charset=utf-8",
            body: body.into_bytes(),
            headers: Vec::new(),
        }
    }

    fn bytes(content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            content_type,
            body,
            headers: Vec::new(),
        }
    }

    fn with_header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_string(), value));
        self
    }
}

/// A request's path (percent-decoded segments joined by `/`) and query.
pub(crate) struct Target {
    pub path: String,
    pub query: Vec<(String, String)>,
}

impl Target {
    fn parse(url: &str) -> Target {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let query = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k, true), decode(v, true))
            })
            .collect();
        Target {
            path: decode(path, false),
            query,
        }
    }

    /// The value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Percent-decoding of a URL part (and `+` as a space: in a query);
/// bytes that are not UTF-8 are replaced.
pub(crate) fn decode(s: &str, plus_is_space: bool) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', h, l]) => hex(*h).zip(hex(*l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
                continue;
            }
            (None, b'+') if plus_is_space => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encoding of a path segment or query value.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Answer one request: the token, then the page; one line on stderr with
/// the time it took.
fn answer(shared: &Shared, request: tiny_http::Request) {
    let start = Instant::now();
    let method = request.method().clone();
    let url = request.url().to_string();
    let reply = match method {
        tiny_http::Method::Get | tiny_http::Method::Head => {
            match auth::check(shared.options.token.as_deref(), &request) {
                auth::Verdict::Allowed => route(shared, &Target::parse(&url)),
                auth::Verdict::SetCookie(cookie, location) => Reply::html(303, String::new())
                    .with_header("Set-Cookie", cookie)
                    .with_header("Location", location),
                auth::Verdict::Denied => Reply::html(401, html::message("需要令牌", auth::DENIED))
                    .with_header("WWW-Authenticate", "Bearer".into()),
            }
        }
        _ => Reply::html(405, html::message("不支持", "只读服务:仅支持 GET。"))
            .with_header("Allow", "GET, HEAD".into()),
    };
    let status = reply.status;
    let mut response = tiny_http::Response::from_data(match method {
        tiny_http::Method::Head => Vec::new(),
        _ => reply.body,
    })
    .with_status_code(status);
    let mut headers = vec![
        ("Content-Type".to_string(), reply.content_type.to_string()),
        ("X-Content-Type-Options".to_string(), "nosniff".to_string()),
        ("Referrer-Policy".to_string(), "no-referrer".to_string()),
    ];
    headers.extend(reply.headers);
    for (name, value) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
    // The token is never logged.
    let shown = url.split('?').next().unwrap_or("");
    eprintln!(
        "{method} {shown} {status} {:.1} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
}

/// The page of a path.
fn route(shared: &Shared, target: &Target) -> Reply {
    let snapshot = match shared.snapshot.read() {
        Ok(s) => s.clone(),
        Err(_) => return Reply::html(500, html::message("错误", "内部错误")),
    };
    let reload_error = shared.reload_error.read().ok().and_then(|e| e.clone());
    let ctx = html::Context {
        snapshot: &snapshot,
        reload_error: reload_error.as_deref(),
    };
    let segments: Vec<&str> = target.path.trim_matches('/').split('/').collect();
    let page = match segments.as_slice() {
        [""] => today::page(&ctx),
        ["board"] => board::page(&ctx),
        ["rank"] => rank::page(&ctx, target),
        ["rank", "explain"] => rank::explain(&ctx, target),
        ["window", id] => window::page(&ctx, id, target),
        ["case", id] => case::page(&ctx, id),
        ["reports"] => files::list(&ctx, &shared.settings.reports),
        ["reports", ..] => {
            let rel = target.path.trim_start_matches('/');
            return files::file(
                &shared.settings.reports,
                rel.strip_prefix("reports/").unwrap_or(""),
                target.param("download").is_some(),
            );
        }
        ["assets", "font.ttf"] => {
            return Reply::bytes("font/ttf", crate::report::html::FONT.to_vec())
                .with_header("Cache-Control", "public, max-age=86400".into())
        }
        _ => Ok(None),
    };
    match page {
        Ok(Some(body)) => Reply::html(200, body),
        Ok(None) => Reply::html(404, html::message("未找到", "没有这个页面。")),
        Err(e) => Reply::html(500, html::message("错误", &format!("{e:#}"))),
    }
}
