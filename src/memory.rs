//! The process's own memory: its peak, for the stage lines of long runs,
//! and how the allocator keeps what it frees.

use std::ffi::{c_int, c_long};

extern "C" {
    // mimalloc's C API, linked into every build by `mimalloc` (the global
    // allocator of lib.rs).
    fn mi_option_set(option: c_int, value: c_long);
    fn mi_collect(force: bool);
    #[cfg(test)]
    fn mi_option_get(option: c_int) -> c_long;
}

#[cfg(target_os = "linux")]
extern "C" {
    // The C library's prctl(2).
    fn prctl(option: c_int, ...) -> c_int;
}

/// prctl's `PR_SET_THP_DISABLE` (linux/prctl.h).
#[cfg(target_os = "linux")]
const PR_SET_THP_DISABLE: c_int = 41;

/// `mi_option_purge_delay` in the `mi_option_e` of the mimalloc (v3) that
/// `libmimalloc-sys` 0.1.49 builds: milliseconds before freed memory goes
/// back to the system (-1: never; the default, in its options.c, is 1000).
const MI_OPTION_PURGE_DELAY: c_int = 15;

/// The purge delay [`keep_freed_memory`] sets: about twelve days, so
/// that freed memory is never given back on its own but is marked to be
/// given back when asked ([`give_back_freed_memory`]); -1 would not mark
/// it at all.
const KEPT_MS: c_long = 1 << 30;

/// The purge delay that never gives freed memory back, and makes a
/// collection skip the purge ([`leave_freed_memory_to_exit`]).
const NEVER_MS: c_long = -1;

/// `mi_option_allow_thp` in the same enumeration: whether mimalloc asks
/// for transparent huge pages (1, the default) or not (0).
const MI_OPTION_ALLOW_THP: c_int = 43;

/// Keep freed memory for the next allocation instead of giving it back to
/// the system, and take memory from it in plain pages, not transparent
/// huge pages. A batch run frees and allocates column buffers all the
/// time: given back, each one came again as fresh pages the kernel had to
/// zero, which took two thirds of the case metrics of a city year; and
/// faulting in huge pages (2 MiB zeroed at a time) took three quarters of
/// `compute --only steps` on this project's machines, four times the same
/// memory in plain pages (benches/README.md). The peak stays the same:
/// what is kept is used again. Call it first thing in `main`; a run of
/// stages gives back what one stage freed before the next
/// ([`give_back_freed_memory`]).
#[allow(unsafe_code)]
pub fn keep_freed_memory() {
    // SAFETY: plain setters of mimalloc's option table; any value is valid
    // for these options, and setting them while allocating is allowed.
    unsafe {
        mi_option_set(MI_OPTION_PURGE_DELAY, KEPT_MS);
        mi_option_set(MI_OPTION_ALLOW_THP, 0);
    }
    // mimalloc asked for huge pages on the memory it took before `main`:
    // the process-wide switch covers that too (checked at each fault).
    // SAFETY: prctl with integer arguments only; on failure (an old
    // kernel) nothing changes and huge pages stay allowed.
    #[cfg(target_os = "linux")]
    unsafe {
        prctl(
            PR_SET_THP_DISABLE,
            1 as c_long,
            0 as c_long,
            0 as c_long,
            0 as c_long,
        );
    }
}

/// Give back to the system the memory freed since the process began that
/// the allocator kept: between the stages of a long run (the demo's
/// generation, ingest, compute and reports), so that one stage's free
/// memory, cut into pieces the next cannot use, does not add to the next
/// stage's peak. The next stage's first use of that much memory finds
/// fresh pages again.
#[allow(unsafe_code)]
pub fn give_back_freed_memory() {
    // SAFETY: mimalloc's collection of this thread's heap and, forced, the
    // purge of every arena's freed and marked memory; memory in use is
    // not touched.
    unsafe { mi_collect(true) }
}

/// At the end of `main`: the memory the allocator holds is left to the
/// kernel, which takes it back with the process. Otherwise mimalloc's exit
/// handler gives back, range by range, every freed block the run kept
/// ([`keep_freed_memory`]), and the kernel flushes both cores' page tables
/// for each: 0.13 s on one core at the very end of a city ingest, for
/// memory that is freed anyway a moment later. A purge delay below zero
/// makes that collection skip its purge (`mi_arenas_try_purge` in
/// mimalloc's arena.c); blocks freed after the call are kept too.
#[allow(unsafe_code)]
pub fn leave_freed_memory_to_exit() {
    // SAFETY: a plain setter of mimalloc's option table, as above.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, NEVER_MS) }
}

/// `items` collected into a vector sized once for `bound` of them, at
/// most. `collect` on a filter cannot know its length and grows the vector
/// by doublings; for millions of rows each doubling is a larger block of
/// fresh pages the kernel zeroes (4 % of a city's `compute --only queue`
/// before its calls were sized). Capacity never written is never faulted
/// in.
pub fn collect_sized<T>(bound: usize, items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out = Vec::with_capacity(bound);
    out.extend(items);
    out
}

/// Ask the processor to bring the memory of `cell` into its cache (the
/// cache line it starts on and the next one when it reaches into it): a
/// hint for a look-up some steps ahead, so that its miss overlaps the work
/// between. Nothing changes where the machine has no such instruction.
#[inline(always)]
#[allow(unsafe_code)]
pub fn prefetch<T>(cell: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let at = cell.as_ptr().cast::<i8>();
        let last = (at as usize + std::mem::size_of_val(cell)).saturating_sub(1);
        // SAFETY: `sse`, the feature the instruction needs, is part of
        // every x86_64 processor; a prefetch reads nothing and never
        // faults, whatever the address.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(at);
            if last / 64 != at as usize / 64 {
                _mm_prefetch::<_MM_HINT_T0>(at.wrapping_add(64));
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = cell;
}

/// The allocator's purge delay (ms; -1 never).
#[cfg(test)]
#[allow(unsafe_code)]
fn purge_delay() -> c_long {
    // SAFETY: a plain getter of mimalloc's option table.
    unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) }
}

/// The peak resident memory of this process (MiB), from `/proc` on Linux;
/// `None` elsewhere.
pub fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

#[cfg(test)]
mod tests {
    #[test]
    fn freed_memory_is_kept_after_the_call_and_left_to_exit_at_the_end() {
        // The option's index is mimalloc's purge delay, whose default is
        // 1000 ms (MIMALLOC_PURGE_DELAY overrides it; no other option of
        // mimalloc v3 defaults to 1000), and the call sets it (a call
        // before this test's has set it already). The one test that sets
        // the option, so that no other test reads it between the calls.
        let before = super::purge_delay();
        assert!(
            before == 1000
                || before == super::KEPT_MS
                || std::env::var_os("MIMALLOC_PURGE_DELAY").is_some(),
            "{before}"
        );
        super::keep_freed_memory();
        assert_eq!(super::purge_delay(), super::KEPT_MS);
        super::leave_freed_memory_to_exit();
        assert_eq!(super::purge_delay(), super::NEVER_MS);
        super::keep_freed_memory();
        assert_eq!(super::purge_delay(), super::KEPT_MS);
    }

    #[test]
    fn a_filter_is_collected_in_order_into_room_for_its_bound() {
        let kept = super::collect_sized(10, (0..10).filter(|i| i % 3 == 0));
        assert_eq!(kept, [0, 3, 6, 9]);
        assert_eq!(kept.capacity(), 10);
    }

    #[test]
    fn the_peak_is_known_on_linux() {
        if cfg!(target_os = "linux") {
            let peak = super::peak_rss_mib().expect("VmHWM in /proc/self/status");
            assert!(peak > 0);
        }
    }
}
