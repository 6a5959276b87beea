//! `liuhen`: the one command of the system — serve, verify, bench.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc: under 64 clients of case commands glibc's malloc took a quarter of the server's
/// CPU (the JSON of each case made, parsed and freed across the runtime's threads).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "liuhen", version, about = "留痕：行政执法全过程记录系统")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server on a data directory (created with keys and an administrator on first run).
    Serve(cmd::serve::Args),
    /// Verify a log from a data directory or a server: every entry, tile, signature and blob.
    Verify(cmd::verify::Args),
    /// Regenerate the projections (accounts, officers, cases) from the log alone.
    Rebuild(cmd::rebuild::Args),
    /// Send the 音像记录 files of a folder to a server (resumable, skips what it already has).
    Import(cmd::import::Args),
    /// Accounts, at the console (with the server stopped).
    User {
        #[command(subcommand)]
        what: cmd::user::What,
    },
    /// Archive packages of filed cases (with the server stopped).
    Export {
        #[command(subcommand)]
        what: cmd::export::What,
    },
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        what: cmd::bench::What,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("LIUHEN_LOG").unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve(_)) {
        pin_malloc_threshold();
    }
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("liuhen: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let res = rt.block_on(async {
        match cli.command {
            Command::Serve(a) => cmd::serve::run(a).await.map(|()| true),
            Command::Verify(a) => cmd::verify::run(a).await,
            Command::Rebuild(a) => cmd::rebuild::run(a).await.map(|()| true),
            Command::Import(a) => tokio::task::spawn_blocking(move || cmd::import::run(a))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
                .and_then(|r| r),
            Command::User { what } => cmd::user::run(what).await.map(|()| true),
            Command::Export { what } => cmd::export::run(what).await.map(|()| true),
            Command::Bench { what } => cmd::bench::run(what).await.map(|()| true),
        }
    });
    match res {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("liuhen: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// glibc raises its mmap threshold to the size of the largest mapped block freed (up to 32 MiB):
/// once a sign-in had freed Argon2's 19 MiB, every upload buffer below that size came from
/// per-thread arenas that keep what is given back, and a server in a bulk import reached 64 MiB
/// (`liuhen bench import`). `serve` pins the threshold at 1 MiB: Argon2's memory and the SM3
/// reader's go back to the system when freed, while the network's buffers (hundreds of KiB,
/// one per read) are reused from the arenas — at glibc's initial 128 KiB each was a fresh
/// mapping, and a bulk import lost a tenth of its speed to faulting them in. The environment
/// is the only safe way to set it: the process execs itself once with it (same pid, same
/// arguments); a threshold already set is kept.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn pin_malloc_threshold() {
    use std::os::unix::process::CommandExt;
    const VAR: &str = "MALLOC_MMAP_THRESHOLD_";
    if std::env::var_os(VAR).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let mut args = std::env::args_os();
    let mut cmd = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        cmd.arg0(arg0);
    }
    let err = cmd.args(args).env(VAR, "1048576").exec();
    eprintln!("warning: could not restart with {VAR} set ({err}); memory use may grow after sign-ins");
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn pin_malloc_threshold() {}
