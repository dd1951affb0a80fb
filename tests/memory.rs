//! The allocator keeps what the process frees (a batch run allocates the
//! same amount again and again), and gives it back between the stages of
//! a long run when asked. One test in its own process: nothing else
//! allocates beside it.

#[cfg(target_os = "linux")]
fn resident_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        / 1024
}

#[cfg(target_os = "linux")]
#[test]
fn freed_memory_is_kept_until_given_back() {
    xiaoneng::memory::keep_freed_memory();
    let before = resident_mib();
    let block = std::hint::black_box(vec![1u8; 512 << 20]);
    assert_eq!(block.iter().map(|b| *b as usize).sum::<usize>(), 512 << 20);
    let holding = resident_mib();
    assert!(holding >= before + 500, "{before} → {holding} MiB");
    drop(std::hint::black_box(block));
    let kept = resident_mib();
    assert!(
        kept + 16 >= holding,
        "freed memory was given back at once: {holding} → {kept} MiB"
    );
    xiaoneng::memory::give_back_freed_memory();
    let given_back = resident_mib();
    assert!(given_back + 400 <= kept, "{kept} → {given_back} MiB");
}
