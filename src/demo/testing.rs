//! Helpers of the demo's tests: generating into a scratch folder and
//! reading the data lines back.

use std::path::PathBuf;

use super::{generate, DemoFiles, DemoSpec};
use crate::calendar::Calendar;

/// A scratch folder under the system temp dir, removed on drop.
pub(super) struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("xiaoneng-demo-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Generates `spec` with the real calendar (the scratch stub in
/// development) into a scratch folder named after `name`.
pub(super) fn generate_into(spec: &DemoSpec, name: &str) -> (Scratch, DemoFiles) {
    let dir = Scratch::new(name);
    let files = generate(spec, &Calendar::official(), &dir.0).expect("demo generation");
    (dir, files)
}

/// Data lines of the files whose name starts with `prefix`.
pub(super) fn data_lines(files: &DemoFiles, prefix: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for f in &files.files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if !name.starts_with(prefix) {
            continue;
        }
        let bytes = std::fs::read(f).expect("readable file");
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => encoding_rs::GBK.decode(e.as_bytes()).0.into_owned(),
        };
        let skip = usize::from(!name.ends_with(".dat"));
        lines.extend(text.lines().skip(skip).map(str::to_owned));
    }
    lines
}
