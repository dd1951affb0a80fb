//! `xiaoneng serve`: the read-only supervision board (see `crate::serve`).

use super::*;

pub(super) fn serve(
    settings: &Settings,
    bind: std::net::SocketAddr,
    token: Option<String>,
    token_file: Option<std::path::PathBuf>,
    as_of: Option<NaiveDate>,
    center: String,
) -> Result<()> {
    let token = match (token, token_file) {
        (Some(t), _) => Some(t),
        (None, Some(file)) => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read the token file {}", file.display()))?;
            let first = text.lines().next().unwrap_or("").trim().to_string();
            if first.is_empty() {
                bail!(
                    "the token file {} is empty: put the token on its first line",
                    file.display()
                );
            }
            Some(first)
        }
        (None, None) => None,
    };
    crate::serve::serve(
        settings,
        crate::serve::Options {
            bind,
            token,
            as_of,
            center,
        },
    )
}
