//! Work cut into pieces done on every core side by side, the results in
//! the pieces' order: the same output as one thread would give.

use std::ops::Range;

/// `f` over `items` on every available core, results in the items' order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    parallel_map_on(cores, items, f)
}

/// `f` over `items` on at most `threads` threads, results in the items'
/// order.
pub fn parallel_map_on<T: Sync, R: Send>(
    threads: usize,
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.min(items.len()).max(1);
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            break;
                        };
                        done.push((i, f(item)));
                    }
                    done
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker thread panicked"))
            .collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// `0..n` cut into about `pieces` runs of rows, in order (none for 0).
pub fn row_runs(n: usize, pieces: usize) -> Vec<Range<usize>> {
    let size = n.div_ceil(pieces.max(1)).max(1);
    (0..n).step_by(size).map(|s| s..(s + size).min(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_items_order() {
        let items: Vec<u32> = (0..1000).collect();
        let out = parallel_map(&items, |i| i * 2);
        assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        assert!(parallel_map(&[] as &[u32], |i| *i).is_empty());
        assert_eq!(parallel_map_on(3, &items, |i| i + 1)[999], 1000);
    }

    #[test]
    fn row_runs_cover_every_row_once_in_order() {
        assert_eq!(row_runs(10, 3), vec![0..4, 4..8, 8..10]);
        assert_eq!(row_runs(2, 16), vec![0..1, 1..2]);
        assert!(row_runs(0, 4).is_empty());
        let rows: Vec<usize> = row_runs(1001, 16).into_iter().flatten().collect();
        assert_eq!(rows, (0..1001).collect::<Vec<_>>());
    }
}
