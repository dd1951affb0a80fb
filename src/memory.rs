//! The process's own memory figures, for the stage lines of long runs.

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
    fn the_peak_is_known_on_linux() {
        if cfg!(target_os = "linux") {
            let peak = super::peak_rss_mib().expect("VmHWM in /proc/self/status");
            assert!(peak > 0);
        }
    }
}
