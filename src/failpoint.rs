//! Test hooks that stop the process at named points, as a kill would.
//!
//! `XIAONENG_FAIL_AT=<point>` aborts the first time a run reaches
//! `<point>`; `<point>#<n>` the n-th time (a nightly run commits several
//! times). Points: `staged`, `journal`, `applying` (inside every commit,
//! see `store`) and the nightly steps `ingested`, `archived`, `computed`,
//! `cards`, `daily`, `reports` (see `nightly`).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Abort here if `XIAONENG_FAIL_AT` names this point (and this hit).
pub fn fail_point(point: &str) {
    static HITS: AtomicUsize = AtomicUsize::new(0);
    let Ok(spec) = std::env::var("XIAONENG_FAIL_AT") else {
        return;
    };
    let (name, nth) = match spec.split_once('#') {
        Some((name, n)) => (name, n.parse::<usize>().unwrap_or(1)),
        None => (spec.as_str(), 1),
    };
    if name != point {
        return;
    }
    if HITS.fetch_add(1, Ordering::SeqCst) + 1 == nth {
        eprintln!("xiaoneng: XIAONENG_FAIL_AT={spec}: aborting as if killed");
        std::process::abort();
    }
}
