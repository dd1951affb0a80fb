//! The `xiaoneng` binary: parse the command line, run it, print the whole
//! error chain and exit 0 (done), 1 (failed) or 2 (usage). `nightly` has its
//! own codes: 0 done, 1 done with rejected rows, 2 failed.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    xiaoneng::memory::keep_freed_memory();
    let cli = xiaoneng::cli::Cli::parse();
    let code = match xiaoneng::commands::run(cli) {
        Ok(exit) => ExitCode::from(exit.code()),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xiaoneng: error: {e:#}");
            ExitCode::FAILURE
        }
    };
    // The run's memory goes with the process, not block by block first.
    xiaoneng::memory::leave_freed_memory_to_exit();
    code
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
