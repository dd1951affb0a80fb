//! `xiaoneng init`: the configuration template.

use super::*;

pub(super) fn init(home: &std::path::Path, force: bool) -> Result<()> {
    let path = home.join(CONFIG_FILE);
    if path.exists() && !force {
        bail!("{} exists; pass --force to overwrite it", path.display());
    }
    std::fs::create_dir_all(home).with_context(|| format!("cannot create {}", home.display()))?;
    std::fs::write(&path, TEMPLATE).with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}
