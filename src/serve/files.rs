//! 报告: the reports written so far under the reports folder, to open
//! (HTML) or download (xlsx, CSV, Markdown, PNG). Only files inside that
//! folder are served: a path with `..`, a hidden name or a link leading
//! out of it is refused.

use super::html::{self, esc, table, Context, Page};
use super::Reply;
use std::path::{Component, Path, PathBuf};

/// The kinds of files served and how: (extension, content type, label,
/// opened in the browser rather than downloaded).
const KINDS: [(&str, &str, &str, bool); 7] = [
    ("html", "text/html; charset=utf-8", "网页", true),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel",
        false,
    ),
    ("pdf", "application/pdf", "PDF", true),
    ("md", "text/markdown; charset=utf-8", "Markdown", false),
    ("csv", "text/csv; charset=utf-8", "CSV", false),
    ("png", "image/png", "图", true),
    ("svg", "image/svg+xml", "图", true),
];

fn kind(path: &Path) -> Option<&'static (&'static str, &'static str, &'static str, bool)> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    KINDS.iter().find(|k| k.0 == ext)
}

/// Every servable file under `dir` (two folders deep: `<period>/<file>`
/// and `<center>/<period>/<file>`), relative to it.
fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            match e.file_type() {
                Ok(t) if t.is_dir() && depth < 3 => walk(root, &p, depth + 1, out),
                Ok(t) if t.is_file() && kind(&p).is_some() => {
                    if let Ok(rel) = p.strip_prefix(root) {
                        out.push(rel.to_path_buf());
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, 0, &mut out);
    out
}

/// The URL of a report file.
fn href(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .map(|c| super::encode(&c.as_os_str().to_string_lossy()))
        .collect();
    format!("/reports/{}", parts.join("/"))
}

pub fn list(ctx: &Context, dir: &Path) -> Page {
    let mut all = files(dir);
    // Newest period first; in a folder the HTML and workbooks first.
    all.sort_by(|a, b| {
        let rank = |p: &Path| {
            KINDS
                .iter()
                .position(|k| Some(k.0) == p.extension().and_then(|e| e.to_str()))
        };
        (b.parent(), rank(a), a).cmp(&(a.parent(), rank(b), b))
    });
    let mut rows = Vec::new();
    let mut others = Vec::new();
    for rel in &all {
        let Some(k) = kind(rel) else { continue };
        let folder = rel
            .parent()
            .map(|p| p.to_string_lossy().to_string())
            .unwrap_or_default();
        let name = rel
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let size = std::fs::metadata(dir.join(rel))
            .map(|m| m.len())
            .unwrap_or(0);
        let open = match k.3 {
            true => format!("<a href=\"{}\" target=\"_blank\">打开</a>", esc(&href(rel))),
            false => String::new(),
        };
        let row = vec![
            esc(&folder),
            format!(
                "<span data-report=\"{}\">{}</span>",
                esc(&rel.to_string_lossy()),
                esc(&name)
            ),
            k.2.to_string(),
            format!("{:.1} KB", size as f64 / 1024.0),
            open,
            format!(
                "<a href=\"{}?download=1\" download>下载</a>",
                esc(&href(rel))
            ),
        ];
        match k.0 {
            "html" | "xlsx" | "pdf" => rows.push(row),
            _ => others.push(row),
        }
    }
    let headers = ["期别", "文件", "类型", "大小", "", ""];
    let body = format!(
        "<h2>已生成的报告({} 个)</h2>\n<p class=\"muted\">报告目录:{}</p>\n{}<details><summary>表格、Markdown 与图({} 个)</summary>\n{}</details>\n",
        rows.len(),
        esc(&dir.display().to_string()),
        table(&headers, &rows),
        others.len(),
        table(&headers, &others)
    );
    Ok(Some(html::page(ctx, "报告", "/reports", &body)))
}

/// A path under the reports folder that is safe to read: every part a
/// plain, visible name (no `..`, no root, no hidden file).
fn checked(rel: &str) -> Option<PathBuf> {
    let (rel, _) = rel.split_once('?').unwrap_or((rel, ""));
    if rel.is_empty() || rel.contains(['\0', '\\']) {
        return None;
    }
    let path = Path::new(rel);
    let plain = path.components().all(|c| match c {
        Component::Normal(n) => !n.to_string_lossy().starts_with('.'),
        _ => false,
    });
    plain.then(|| path.to_path_buf())
}

/// `/reports/<path>`: the file, if it lies inside the reports folder.
pub fn file(dir: &Path, rel: &str, download: bool) -> Reply {
    let refused = || Reply::html(403, html::message("拒绝访问", "只提供报告目录内的文件。"));
    let Some(rel) = checked(rel) else {
        return refused();
    };
    let (Ok(root), Ok(path)) = (dir.canonicalize(), dir.join(&rel).canonicalize()) else {
        return Reply::html(404, html::message("未找到", "没有这个报告文件。"));
    };
    if !path.starts_with(&root) {
        return refused();
    }
    let Some(k) = kind(&path) else {
        return refused();
    };
    match std::fs::read(&path) {
        Ok(bytes) => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let disposition = match download || !k.3 {
                true => "attachment",
                false => "inline",
            };
            Reply::bytes(k.1, bytes).with_header(
                "Content-Disposition",
                format!("{disposition}; filename*=UTF-8''{}", super::encode(&name)),
            )
        }
        Err(_) => Reply::html(404, html::message("未找到", "没有这个报告文件。")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_inside_the_folder() {
        assert!(checked("2026-10/bulletin.html").is_some());
        for bad in [
            "",
            "../data/store/_metrics.json",
            "2026-10/../../x",
            "/etc/passwd",
            ".hidden",
            "a\\b",
        ] {
            assert!(checked(bad).is_none(), "{bad}");
        }
    }
}
