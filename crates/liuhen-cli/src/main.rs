//! `liuhen`: the one command of the system — serve, verify, bench.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

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
