//! `liuhen rebuild`: regenerate the projections from the log (run it with the server stopped).

use anyhow::Context;
use liuhen_server::app::App;
use liuhen_server::datadir::DataDir;
use liuhen_store::{Blobs, Log, SqliteStore};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The data directory.
    #[arg(long)]
    data: PathBuf,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let _lock = super::lock_data_dir(&args.data)?;
    let dir = DataDir::new(&args.data);
    super::refuse_on(dir.key_problems()?)?;
    let config = dir.log_config(Duration::from_secs(3600))?;
    let store = SqliteStore::open(&dir.db_path(), config).await.context("opening the database")?;
    let mut app = App::new(store.clone(), Blobs::local(&dir.blobs_dir())?);
    app.calendar = std::sync::Arc::new(dir.calendar()?);
    super::refuse_on(app.key_problems(&store.verifier_keys()).await.map_err(|e| anyhow::anyhow!("{e}"))?)?;
    app.progress = super::terminal_progress();
    let p = app.rebuild().await.map_err(|e| anyhow::anyhow!("{e}"));
    super::end_progress(&app.progress);
    let p = p?;
    store.sign_checkpoint().await.context("signing a checkpoint")?;
    println!(
        "已由日志重建 / rebuilt from the log: {} accounts, {} officers, {} cases (log now {} entries)",
        p.users,
        p.officers,
        p.cases,
        store.tree_size()
    );
    Ok(())
}
