//! `liuhen user add`: an account created at the server's console (run it with the server
//! stopped, as the database's owner); the password is read from standard input.

use anyhow::Context;
use liuhen_server::app::App;
use liuhen_server::app::auth::NewUser;
use liuhen_server::datadir::DataDir;
use liuhen_store::{Blobs, Log, SqliteStore};
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum What {
    /// Create an account; the password comes from standard input (at least 12 characters).
    Add(AddArgs),
}

#[derive(clap::Args)]
pub struct AddArgs {
    /// The data directory.
    #[arg(long)]
    data: PathBuf,
    #[arg(long)]
    username: String,
    /// One or more role codes, comma-separated: officer, unit_head, legal_reviewer, approver,
    /// discussion_member, archivist, device_admin, supervisor, sysadmin.
    #[arg(long)]
    role: String,
    /// The officer (执法人员) the account belongs to.
    #[arg(long, default_value = "")]
    officer: String,
    /// The 承办机构 the account works in.
    #[arg(long, default_value = "")]
    unit: String,
    /// The name its approvals and signatures are recorded under when it belongs to no
    /// officer (e.g. 张主任).
    #[arg(long, default_value = "")]
    name: String,
}

pub async fn run(what: What) -> anyhow::Result<()> {
    let What::Add(args) = what;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let _lock = super::lock_data_dir(&args.data)?;
    let dir = DataDir::new(&args.data);
    super::refuse_on(dir.key_problems()?)?;
    let config = dir.log_config(Duration::from_secs(3600))?;
    let store = SqliteStore::open(&dir.db_path(), config).await.context("opening the database")?;
    let app = App::new(store.clone(), Blobs::local(&dir.blobs_dir())?);
    super::refuse_on(app.key_problems(&store.verifier_keys()).await.map_err(|e| anyhow::anyhow!("{e}"))?)?;
    let new = NewUser {
        username: args.username.trim().to_string(),
        roles: args.role,
        password,
        must_change_password: true,
        officer_id: args.officer.trim().to_string(),
        unit: args.unit.trim().to_string(),
        name: args.name.trim().to_string(),
    };
    let user = app.add_user(None, new).await.map_err(|e| anyhow::anyhow!("{}", e.message()))?;
    store.sign_checkpoint().await.context("signing a checkpoint")?;
    let labels: Vec<&str> = liuhen_server::app::policy::roles(&user).iter().map(|r| r.label()).collect();
    println!("已创建账号 / account created: {}（{}）；首次登录须修改密码", user.username, labels.join("、"));
    Ok(())
}
