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

/// The parts' items in the parts' order, moved once into a vector sized
/// for all of them; the first part that failed gives the error.
pub fn joined<T, E>(parts: Vec<Result<Vec<T>, E>>) -> Result<Vec<T>, E> {
    let parts = parts.into_iter().collect::<Result<Vec<_>, E>>()?;
    let mut out = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        out.extend(part);
    }
    Ok(out)
}

/// `f(0), f(1), …, f(n - 1)` in order, worked out on every core: one run
/// of rows per core, each written in place.
pub fn map_rows<T: Clone + Default + Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores <= 1 || n < MIN_PARALLEL_ROWS {
        return (0..n).map(f).collect();
    }
    let mut out = vec![T::default(); n];
    let size = n.div_ceil(cores);
    std::thread::scope(|scope| {
        for (k, piece) in out.chunks_mut(size).enumerate() {
            let f = &f;
            scope.spawn(move || {
                for (slot, i) in piece.iter_mut().zip(k * size..) {
                    *slot = f(i);
                }
            });
        }
    });
    out
}

/// Fewer rows than this are worked out on one core.
pub const MIN_PARALLEL_ROWS: usize = 1 << 15;

/// `items` sorted by `cmp`, stably (equal items keep their order), on
/// every core: runs of them sorted side by side, then merged, an item of
/// an earlier run first among equals. The same order as `sort_by`.
pub fn sorted_by<T: Copy + Send + Sync>(
    items: Vec<T>,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) -> Vec<T> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores <= 1 || items.len() < MIN_PARALLEL_SORT {
        let mut items = items;
        items.sort_by(cmp);
        return items;
    }
    let runs = parallel_map(&row_runs(items.len(), cores), |run| {
        let mut run = items[run.clone()].to_vec();
        run.sort_by(&cmp);
        run
    });
    drop(items);
    runs.into_iter()
        .reduce(|a, b| merged(a, b, &cmp))
        .unwrap_or_default()
}

/// `items` sorted by `cmp` in place on two cores, not stably (as
/// `sort_unstable_by`): split at the middle rank, then each side sorted on
/// its own core. No copy is made. Equal items may end in any order, so it
/// is for orders where equal items are alike, or where that does not matter.
pub fn sort_unstable_by<T: Send>(
    items: &mut [T],
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores <= 1 || items.len() < MIN_PARALLEL_SORT {
        items.sort_unstable_by(cmp);
        return;
    }
    let middle = items.len() / 2;
    items.select_nth_unstable_by(middle, &cmp);
    let (low, high) = items.split_at_mut(middle);
    std::thread::scope(|scope| {
        scope.spawn(|| low.sort_unstable_by(&cmp));
        high.sort_unstable_by(&cmp);
    });
}

/// Fewer items than this are sorted on one core.
const MIN_PARALLEL_SORT: usize = 1 << 14;

/// Two sorted runs as one, `a`'s item first among equals.
fn merged<T: Copy>(a: Vec<T>, b: Vec<T>, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<T> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if cmp(&b[j], &a[i]).is_lt() {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
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
    fn parts_are_joined_in_order_or_give_the_first_error() {
        let parts: Vec<Result<Vec<u8>, &str>> = vec![Ok(vec![1, 2]), Ok(vec![]), Ok(vec![3])];
        assert_eq!(joined(parts), Ok(vec![1, 2, 3]));
        let failed: Vec<Result<Vec<u8>, &str>> = vec![Ok(vec![1]), Err("second"), Err("third")];
        assert_eq!(joined(failed), Err("second"));
    }

    #[test]
    fn rows_mapped_on_every_core_are_in_order() {
        let n = MIN_PARALLEL_ROWS * 3 + 5;
        let squares = map_rows(n, |i| (i as u64) * (i as u64));
        assert_eq!(squares.len(), n);
        assert!(squares
            .iter()
            .enumerate()
            .all(|(i, s)| *s == (i * i) as u64));
        assert_eq!(map_rows(3, |i| i + 1), vec![1, 2, 3]);
        assert!(map_rows(0, |i| i).is_empty());
    }

    #[test]
    fn sorted_on_every_core_is_the_stable_sort() {
        // (key, original position): few keys, so equal keys abound, and
        // the position shows whether equals kept their order.
        let mut seed = 7u64;
        let items: Vec<(u8, u32)> = (0..100_000u32)
            .map(|i| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                ((seed >> 59) as u8, i)
            })
            .collect();
        let by_key = |a: &(u8, u32), b: &(u8, u32)| a.0.cmp(&b.0);
        let mut expected = items.clone();
        expected.sort_by(by_key);
        assert_eq!(sorted_by(items.clone(), by_key), expected);
        // Equal keys in position order: the sort was stable.
        assert!(expected
            .windows(2)
            .all(|w| w[0].0 < w[1].0 || w[0].1 < w[1].1));
        // Short inputs, on one core, and runs merged with either one empty.
        assert_eq!(sorted_by(vec![3, 1, 2], |a, b| a.cmp(b)), vec![1, 2, 3]);
        assert_eq!(
            merged(vec![1, 3], vec![], |a: &i32, b| a.cmp(b)),
            vec![1, 3]
        );
        assert_eq!(merged(vec![], vec![2], |a: &i32, b| a.cmp(b)), vec![2]);
        assert_eq!(
            merged(vec![(1, 'a'), (2, 'a')], vec![(1, 'b')], |a, b| a
                .0
                .cmp(&b.0)),
            vec![(1, 'a'), (1, 'b'), (2, 'a')]
        );
    }

    #[test]
    fn sorted_in_place_on_two_cores_is_sorted() {
        let mut seed = 11u64;
        let mut items: Vec<u64> = (0..100_000)
            .map(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                seed >> 40
            })
            .collect();
        let mut expected = items.clone();
        expected.sort_unstable();
        sort_unstable_by(&mut items, |a, b| a.cmp(b));
        assert_eq!(items, expected);
        let mut short = vec![5, 3, 9, 1];
        sort_unstable_by(&mut short, |a, b| b.cmp(a));
        assert_eq!(short, vec![9, 5, 3, 1]);
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
