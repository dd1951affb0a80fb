//! The layers of the crate hold: a module uses only modules of lower layers,
//! and modules of its own layer without a cycle. The test reads every file
//! under `src/`, finds the top module of each `crate::X` path (and of each
//! `use crate::{X, …}` group, and of a `super::` path that climbs to the
//! crate root; in `src/main.rs`, of each `xiaoneng::X` path), leaving out
//! comments, string literals and `#[cfg(test)]` code (also the files of a
//! `#[cfg(test)] mod x;`), and fails naming the file, the line and the two
//! layers of every import that breaks the rule, or of a use listed in
//! [`NEVER`]. The tests after `the_layers_hold` plant breaks in made-up
//! sources to show each is caught.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first. A module may use any module of a lower layer,
/// and a module of its own layer as long as no cycle forms; never one of a
/// higher layer. Every top module of `src/` (a `src/X.rs` or `src/X/`
/// directory) must be listed: a new one goes into the layer it belongs to.
const LAYERS: &[&[&str]] = &[
    // L0: helpers with no knowledge of the domain.
    &[
        "text",
        "failpoint",
        "memory",
        "parallel",
        "polars_ext",
        "keyset",
    ],
    // L1: pure domain rules: working days, per-person attendance.
    &["calendar", "attendance"],
    // L2: the Parquet store, the only module that knows the layout on disk.
    &["store"],
    // L3: the metrics, pure: no store, no ingest, no config.
    &["metrics"],
    // L4: export files into typed rows, rejects and the store.
    &["ingest"],
    // L5: settings, calendar files, the synthetic center.
    &["config", "calendar_lists", "demo"],
    // L6: the engine that computes and stamps the metric tables.
    &["engine"],
    // L7: what people read: terminal views, reports, SQL queries.
    &["view", "report", "query"],
    // L8: the runs that wire everything: nightly, the province roll-up,
    // the read-only board (`serve`).
    &["nightly", "province", "serve"],
    // L9: the command line and the binary.
    &["cli", "commands", "main"],
];

/// Uses the layers alone would allow but a module's purpose does not:
/// the metrics are pure functions of frames and read no store.
const NEVER: &[(&str, &str)] = &[("metrics", "store")];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// One source file: its path from the package root (`src/…`, with `/`)
/// and its text.
struct Source {
    path: String,
    text: String,
}

fn read_sources() -> Vec<Source> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<Source>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let rel = p.strip_prefix(root).unwrap();
                let path = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                let text = std::fs::read_to_string(&p)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
                out.push(Source { path, text });
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    walk(&root.join("src"), root, &mut out);
    assert!(!out.is_empty(), "no sources under {}/src", root.display());
    out
}

/// The top module of a file and how deep its module sits below the crate
/// root (`src/view.rs` and `src/metrics/mod.rs`: 1; `src/metrics/cases.rs`:
/// 2); `None` for the crate root `src/lib.rs`.
fn top_module(path: &str) -> Option<(String, usize)> {
    let parts: Vec<&str> = path.strip_prefix("src/")?.split('/').collect();
    let file = parts.last()?;
    if parts.len() == 1 {
        return match *file {
            "lib.rs" => None,
            "main.rs" => Some(("main".to_string(), 0)),
            f => Some((f.trim_end_matches(".rs").to_string(), 1)),
        };
    }
    let depth = if *file == "mod.rs" {
        parts.len() - 1
    } else {
        parts.len()
    };
    Some((parts[0].to_string(), depth))
}

/// The text with comments, string and character literals blanked out
/// (newlines kept, so lines still count).
fn strip_comments_and_literals(text: &str) -> Vec<char> {
    let s: Vec<char> = text.chars().collect();
    let mut out = s.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in &mut out[from..to.min(s.len())] {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < s.len() {
        let at = |k: usize| s.get(k).copied().unwrap_or('\0');
        if at(i) == '/' && at(i + 1) == '/' {
            let mut j = i;
            while j < s.len() && s[j] != '\n' {
                j += 1;
            }
            blank(&mut out, i, j);
            i = j;
        } else if at(i) == '/' && at(i + 1) == '*' {
            let (mut j, mut depth) = (i, 0);
            while j < s.len() {
                if at(j) == '/' && at(j + 1) == '*' {
                    depth += 1;
                    j += 2;
                } else if at(j) == '*' && at(j + 1) == '/' {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if (at(i) == 'r' || (at(i) == 'b' && at(i + 1) == 'r'))
            && (i == 0 || !ident(s[i - 1]))
            && {
                let mut k = i + if at(i) == 'b' { 2 } else { 1 };
                while at(k) == '#' {
                    k += 1;
                }
                at(k) == '"'
            }
        {
            // A raw string: r"…", r#"…"#, br#"…"#.
            let mut k = i + if at(i) == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            let mut j = k + 1;
            while j < s.len() {
                if s[j] == '"' && (1..=hashes).all(|h| at(j + h) == '#') {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            blank(&mut out, i, j);
            i = j;
        } else if at(i) == '"' {
            let mut j = i + 1;
            while j < s.len() && s[j] != '"' {
                if s[j] == '\\' {
                    j += 1;
                }
                j += 1;
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if at(i) == '\'' {
            // A character literal ('a', '{', '\n', '\u{7f}'), not a lifetime.
            let end = if at(i + 1) == '\\' {
                (i + 3..s.len().min(i + 12)).find(|&k| s[k] == '\'')
            } else if at(i + 2) == '\'' {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    blank(&mut out, i, e + 1);
                    i = e + 1;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The code with every `#[cfg(test)]` item blanked out: from the
/// attribute to the end of the item (its closing brace, or its `;`).
fn strip_test_code(code: &mut [char]) {
    let attr: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut i = 0;
    while i + attr.len() <= code.len() {
        if code[i..i + attr.len()] != attr[..] {
            i += 1;
            continue;
        }
        let mut j = i + attr.len();
        while j < code.len() && code[j] != '{' && code[j] != ';' {
            j += 1;
        }
        if j < code.len() && code[j] == '{' {
            let mut depth = 0;
            while j < code.len() {
                match code[j] {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        let end = (j + 1).min(code.len());
        for c in &mut code[i..end] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        i = end;
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
}

/// The tokens of stripped code, each with its line (from 1).
fn tokens(code: &[char]) -> Vec<(Token, usize)> {
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < code.len() {
        let c = code[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < code.len() && (code[i].is_alphanumeric() || code[i] == '_') {
                i += 1;
            }
            out.push((Token::Ident(code[start..i].iter().collect()), line));
        } else if c.is_ascii_digit() {
            while i < code.len() && (code[i].is_alphanumeric() || code[i] == '_') {
                i += 1;
            }
        } else if c == ':' && code.get(i + 1) == Some(&':') {
            out.push((Token::Path, line));
            i += 2;
        } else {
            out.push((Token::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// The crate-root names a path names from `tokens[at]` on (just after its
/// `crate::`): one name, or each first name of a `{…}` group.
fn root_names(t: &[(Token, usize)], at: usize) -> Vec<(String, usize)> {
    match t.get(at) {
        Some((Token::Ident(name), line)) => vec![(name.clone(), *line)],
        Some((Token::Punct('{'), _)) => {
            let (mut out, mut depth, mut expect) = (Vec::new(), 0, true);
            for (tok, line) in &t[at..] {
                match tok {
                    Token::Punct('{') => {
                        depth += 1;
                        expect = depth == 1;
                        continue;
                    }
                    Token::Punct('}') => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Token::Punct(',') if depth == 1 => {
                        expect = true;
                        continue;
                    }
                    Token::Ident(name) if depth == 1 && expect && name != "self" => {
                        out.push((name.clone(), *line));
                    }
                    _ => {}
                }
                expect = false;
            }
            out
        }
        _ => Vec::new(),
    }
}

/// The crate-root names a file uses outside its test code, with their
/// lines: `crate::X…`, `use crate::{X, …}`, `super::…::X` climbing to the
/// root, and in the binary `xiaoneng::X`.
fn references(src: &Source) -> Vec<(String, usize)> {
    let Some((_, depth)) = top_module(&src.path) else {
        return Vec::new();
    };
    let mut code = strip_comments_and_literals(&src.text);
    strip_test_code(&mut code);
    let t = tokens(&code);
    let is = |k: usize, want: &Token| t.get(k).is_some_and(|(tok, _)| tok == want);
    let ident = |k: usize, want: &str| matches!(t.get(k), Some((Token::Ident(n), _)) if n == want);
    let root = if src.path == "src/main.rs" {
        "xiaoneng"
    } else {
        "crate"
    };
    let mut out = Vec::new();
    // Inline `mod x { … }` blocks deepen `super::`; their brace depths.
    let (mut braces, mut inline_mods) = (0usize, Vec::<usize>::new());
    let mut k = 0;
    while k < t.len() {
        match &t[k].0 {
            Token::Punct('{') => braces += 1,
            Token::Punct('}') => {
                braces = braces.saturating_sub(1);
                if inline_mods.last() == Some(&braces) {
                    inline_mods.pop();
                }
            }
            Token::Ident(n)
                if n == "mod"
                    && matches!(t.get(k + 1), Some((Token::Ident(_), _)))
                    && is(k + 2, &Token::Punct('{')) =>
            {
                inline_mods.push(braces);
            }
            Token::Ident(n)
                if n == root
                    && is(k + 1, &Token::Path)
                    && !(k > 0 && is(k - 1, &Token::Punct('$')))
                    && !(k > 0 && is(k - 1, &Token::Path)) =>
            {
                out.extend(root_names(&t, k + 2));
            }
            Token::Ident(n) if n == "super" && !(k > 0 && is(k - 1, &Token::Path)) => {
                let mut climbs = 0;
                let mut j = k;
                while ident(j, "super") && is(j + 1, &Token::Path) {
                    climbs += 1;
                    j += 2;
                }
                if climbs > 0 && climbs >= depth + inline_mods.len() {
                    out.extend(root_names(&t, j));
                }
                k = j.max(k + 1);
                continue;
            }
            _ => {}
        }
        k += 1;
    }
    out
}

/// The directories and files of the modules declared `#[cfg(test)] mod
/// x;` in these sources: test code too (`src/demo/testing.rs`).
fn test_only_files(sources: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    for src in sources {
        let t = tokens(&strip_comments_and_literals(&src.text));
        let cfg_test = [
            Token::Punct('#'),
            Token::Punct('['),
            Token::Ident("cfg".into()),
            Token::Punct('('),
            Token::Ident("test".into()),
            Token::Punct(')'),
            Token::Punct(']'),
        ];
        for k in 0..t.len() {
            if t.len() - k < cfg_test.len() + 3
                || !t[k..k + cfg_test.len()]
                    .iter()
                    .zip(&cfg_test)
                    .all(|((a, _), b)| a == b)
            {
                continue;
            }
            // Past other attributes and a visibility, to `mod x;`.
            let mut j = k + cfg_test.len();
            loop {
                match t.get(j).map(|(tok, _)| tok) {
                    Some(Token::Punct('#')) => {
                        let mut depth = 0;
                        while j < t.len() {
                            match t[j].0 {
                                Token::Punct('[') => depth += 1,
                                Token::Punct(']') => {
                                    depth -= 1;
                                    if depth == 0 {
                                        break;
                                    }
                                }
                                _ => {}
                            }
                            j += 1;
                        }
                        j += 1;
                    }
                    Some(Token::Ident(n)) if n == "pub" => {
                        j += 1;
                        if t.get(j).is_some_and(|(tok, _)| *tok == Token::Punct('(')) {
                            while j < t.len() && t[j].0 != Token::Punct(')') {
                                j += 1;
                            }
                            j += 1;
                        }
                    }
                    _ => break,
                }
            }
            if let (
                Some((Token::Ident(m), _)),
                Some((Token::Ident(name), _)),
                Some((Token::Punct(';'), _)),
            ) = (t.get(j), t.get(j + 1), t.get(j + 2))
            {
                if m == "mod" {
                    let dir = match src.path.rsplit_once('/') {
                        Some((dir, "mod.rs" | "lib.rs" | "main.rs")) => dir.to_string(),
                        _ => src.path.trim_end_matches(".rs").to_string(),
                    };
                    out.push(format!("{dir}/{name}.rs"));
                    out.push(format!("{dir}/{name}/"));
                }
            }
        }
    }
    out
}

/// Every break of the layers in these sources, one message each.
fn violations(sources: &[Source]) -> Vec<String> {
    let mut out = Vec::new();
    let mut modules = BTreeSet::new();
    // Same-layer uses: (from, to) → where first seen.
    let mut peers: BTreeMap<(String, String), String> = BTreeMap::new();
    let test_only = test_only_files(sources);
    for src in sources {
        let Some((me, _)) = top_module(&src.path) else {
            continue;
        };
        modules.insert(me.clone());
        if test_only
            .iter()
            .any(|t| src.path == *t || (t.ends_with('/') && src.path.starts_with(t.as_str())))
        {
            continue;
        }
        let Some(mine) = layer_of(&me) else {
            out.push(format!(
                "{}: the top module `{me}` is not in the layer table of tests/layers.rs: \
                 add it to the layer it belongs to",
                src.path
            ));
            continue;
        };
        for (to, line) in references(src) {
            if to == me {
                continue;
            }
            let Some(theirs) = layer_of(&to) else {
                out.push(format!(
                    "{}:{line}: `{me}` (L{mine}) uses `{to}`, which is not in the layer \
                     table of tests/layers.rs: add it to the layer it belongs to",
                    src.path
                ));
                continue;
            };
            if NEVER.contains(&(me.as_str(), to.as_str())) {
                out.push(format!(
                    "{}:{line}: `{me}` (L{mine}) uses `{to}` (L{theirs}), which it must never \
                     use (NEVER in tests/layers.rs)",
                    src.path
                ));
            } else if theirs > mine {
                out.push(format!(
                    "{}:{line}: `{me}` (L{mine}) uses `{to}` (L{theirs}), a higher layer",
                    src.path
                ));
            } else if theirs == mine {
                peers
                    .entry((me.clone(), to))
                    .or_insert_with(|| format!("{}:{line}", src.path));
            }
        }
    }
    for layer in LAYERS {
        for m in *layer {
            if !modules.contains(*m) {
                out.push(format!(
                    "`{m}` is in the layer table of tests/layers.rs but has no src/{m}.rs \
                     or src/{m}/: remove it"
                ));
            }
        }
    }
    // A same-layer use a → b is a cycle when b reaches a back.
    let reaches = |from: &str, to: &str| -> Option<Vec<String>> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![vec![from.to_string()]];
        while let Some(path) = stack.pop() {
            let last = path.last().unwrap().clone();
            if last == to {
                return Some(path);
            }
            if !seen.insert(last.clone()) {
                continue;
            }
            for (a, b) in peers.keys() {
                if *a == last {
                    let mut next = path.clone();
                    next.push(b.clone());
                    stack.push(next);
                }
            }
        }
        None
    };
    for ((a, b), at) in &peers {
        if let Some(back) = reaches(b, a) {
            let layer = layer_of(a).unwrap();
            out.push(format!(
                "{at}: `{a}` (L{layer}) uses `{b}` (L{layer}) of its own layer, \
                 in a cycle: {a} → {}",
                back.join(" → ")
            ));
        }
    }
    out
}

#[test]
fn the_layers_hold() {
    let found = violations(&read_sources());
    assert!(
        found.is_empty(),
        "the layers are broken (the table is in tests/layers.rs):\n{}",
        found.join("\n")
    );
}

// The checker itself, on planted sources.

fn source(path: &str, text: &str) -> Source {
    Source {
        path: path.to_string(),
        text: text.to_string(),
    }
}

/// One file per module of the table, using nothing.
fn clean_crate() -> Vec<Source> {
    LAYERS
        .iter()
        .flat_map(|layer| layer.iter())
        .map(|m| match *m {
            "main" => source("src/main.rs", "fn main() {}\n"),
            m => source(&format!("src/{m}.rs"), "pub fn f() {}\n"),
        })
        .collect()
}

fn with(mut sources: Vec<Source>, planted: Source) -> Vec<Source> {
    sources.retain(|s| s.path != planted.path);
    sources.push(planted);
    sources
}

#[test]
fn a_clean_crate_passes() {
    assert_eq!(violations(&clean_crate()), Vec::<String>::new());
}

#[test]
fn an_upward_import_is_caught_in_every_spelling() {
    for (path, text, line) in [
        ("src/view.rs", "use crate::nightly::RunRecord;\n", 1),
        (
            "src/view.rs",
            "use crate::{\n    text::pad,\n    nightly::{self, RunRecord},\n};\n",
            3,
        ),
        (
            "src/view.rs",
            "fn f() {\n    crate::nightly::nightly();\n}\n",
            2,
        ),
        ("src/metrics/cases.rs", "use super::super::nightly;\n", 1),
        ("src/metrics/mod.rs", "use super::nightly::RunRecord;\n", 1),
        (
            "src/view.rs",
            "mod inner {\n    use super::super::nightly::RunRecord;\n}\n",
            2,
        ),
    ] {
        let found = violations(&with(clean_crate(), source(path, text)));
        let at = format!("{path}:{line}: ");
        assert!(
            found.len() == 1 && found[0].starts_with(&at) && found[0].contains("(L8)"),
            "{text:?}: {found:?}"
        );
    }
    let found = violations(&with(
        clean_crate(),
        source("src/metrics/cases.rs", "use crate::calendar::Calendar;\n"),
    ));
    assert_eq!(found, Vec::<String>::new(), "a lower layer");
    let found = violations(&with(
        clean_crate(),
        source("src/metrics/cases.rs", "\n\nuse crate::store::Store;\n"),
    ));
    assert_eq!(
        found,
        vec![
            "src/metrics/cases.rs:3: `metrics` (L3) uses `store` (L2), which it must never use \
             (NEVER in tests/layers.rs)"
        ]
    );
    let found = violations(&with(
        clean_crate(),
        source("src/metrics/cases.rs", "use crate::ingest::Touched;\n"),
    ));
    assert_eq!(
        found,
        vec!["src/metrics/cases.rs:1: `metrics` (L3) uses `ingest` (L4), a higher layer"]
    );
}

#[test]
fn tests_comments_and_strings_do_not_count() {
    let text = r##"
// use crate::nightly;
/* crate::nightly::f() /* nested */ crate::nightly */
const S: &str = "crate::nightly::f()";
const R: &str = r#"crate::nightly "quoted" "#;
const C: char = '{';
fn f<'a>(x: &'a str) -> &'a str { x }
use super::view_helper;
#[cfg(test)]
mod tests {
    use crate::nightly::RunRecord;
    fn g() { let _ = '}'; crate::nightly::f(); }
}
#[cfg(test)]
use crate::nightly::RunRecord;
pub(crate) fn h() { crate::text::pad("", 1); }
macro_rules! m { () => { $crate::nightly::f() }; }
"##;
    let found = violations(&with(clean_crate(), source("src/metrics/cases.rs", text)));
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn a_same_layer_cycle_is_caught_and_a_same_layer_use_is_not() {
    let one_way = with(
        clean_crate(),
        source("src/report.rs", "use crate::view::f;\n"),
    );
    assert_eq!(violations(&one_way), Vec::<String>::new());
    let cycle = with(one_way, source("src/view.rs", "\nuse crate::report::f;\n"));
    let found = violations(&cycle);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().any(
        |f| f.starts_with("src/report.rs:1: `report` (L7) uses `view` (L7)")
            && f.ends_with("report → view → report")
    ));
    assert!(found
        .iter()
        .any(|f| f.starts_with("src/view.rs:2: `view` (L7) uses `report` (L7)")));
}

#[test]
fn a_module_missing_from_the_table_is_caught() {
    let found = violations(&with(clean_crate(), source("src/shiny/mod.rs", "")));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].contains("`shiny` is not in the layer table"),
        "{found:?}"
    );
    let found = violations(&with(
        clean_crate(),
        source("src/view.rs", "use crate::shiny::Thing;\n"),
    ));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("src/view.rs:1: `view` (L7) uses `shiny`, which is not"));
    let mut gone = clean_crate();
    gone.retain(|s| s.path != "src/query.rs");
    let found = violations(&gone);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("`query` is in the layer table"),
        "{found:?}"
    );
}

#[test]
fn a_test_only_module_file_does_not_count() {
    let demo = |decl: &str| {
        let crate_ = with(clean_crate(), source("src/demo/mod.rs", decl));
        with(
            crate_,
            source("src/demo/testing.rs", "use crate::nightly::RunRecord;\n"),
        )
    };
    let found = violations(&demo("#[cfg(test)]\nmod testing;\n"));
    assert_eq!(found, Vec::<String>::new());
    let found = violations(&demo(
        "#[cfg(test)]\n#[allow(dead_code)]\npub(crate) mod testing;\n",
    ));
    assert_eq!(found, Vec::<String>::new());
    let found = violations(&demo("mod testing;\n"));
    assert_eq!(
        found,
        vec!["src/demo/testing.rs:1: `demo` (L5) uses `nightly` (L8), a higher layer"]
    );
}
