//! `liuhen serve`.

use anyhow::Context;
use clap::ValueEnum;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The data directory (created on first run).
    #[arg(long, env = "LIUHEN_DATA")]
    data: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "LIUHEN_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The log's origin on first run (default: liuhen.local/<random>).
    #[arg(long)]
    origin: Option<String>,
    /// Seed a demo street office (officers, cases at every stage) into an empty directory.
    #[arg(long)]
    demo: bool,
    /// Who may read the log's checkpoint and tiles.
    #[arg(long, env = "LIUHEN_LOG_ACCESS", value_enum, default_value_t = Access::Public)]
    log_access: Access,
    /// A reverse proxy in front of liuhen: for requests from it, the client is the last
    /// address its `X-Forwarded-For` names (sign-in rate limiting counts by client).
    #[arg(long, env = "LIUHEN_TRUSTED_PROXY")]
    trusted_proxy: Option<std::net::IpAddr>,
    /// A directory of fonts for the documents' PDFs, searched before LIUHEN_FONT_DIR and the
    /// free Noto CJK fonts (e.g. an office's licensed 仿宋_GB2312 and 方正小标宋); repeatable.
    #[arg(long = "font-dir")]
    font_dirs: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Access {
    Public,
    SignedIn,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let access = match args.log_access {
        Access::Public => liuhen_server::LogAccess::Public,
        Access::SignedIn => liuhen_server::LogAccess::SignedIn,
    };
    let mut opened = super::open_data_dir(&args.data, args.origin.as_deref(), access).await?;
    opened.state.app.trusted_proxy = args.trusted_proxy;
    if !args.font_dirs.is_empty() {
        let seal = opened.state.app.documents.seal.clone();
        opened.state.app.documents = std::sync::Arc::new(liuhen_server::app::documents::DocConfig {
            font_dirs: liuhen_pdf::default_dirs(&args.font_dirs),
            seal,
        });
    }
    // Say now, not at the first PDF, when no font can set Chinese.
    if let Err(e) = liuhen_pdf::shared(&opened.state.app.documents.font_dirs) {
        eprintln!("warning: {e}");
    }
    if args.demo {
        let admin = liuhen_store::LogStore::user_by_username(&opened.store, "admin")
            .await
            .context("finding the administrator")?;
        let now = liuhen_core::time::Timestamp(liuhen_server::app::now_ms());
        if let Some(password) = opened.state.app.seed_demo(&admin, now).await.map_err(|e| anyhow::anyhow!("{e}"))? {
            let officers = liuhen_store::LogStore::officers(&opened.store).await?.len();
            let cases = liuhen_store::LogStore::cases(&opened.store, 10_000).await?.len();
            let matters = liuhen_store::LogStore::matters(&opened.store).await?.len();
            let devices = liuhen_store::LogStore::settings(&opened.store)
                .await?
                .iter()
                .filter(|s| s.key.starts_with(liuhen_server::app::devices::PREFIX))
                .count();
            println!(
                "  已载入演示数据 / demo data seeded: {officers} officers, {matters} matters, {cases} cases of all five kinds, {devices} recording devices"
            );
            println!("  演示账号 demo accounts (共用初始密码 shared password: {password}):");
            for (username, roles, _, unit) in liuhen_server::app::demo::DEMO_USERS {
                let labels: Vec<&str> =
                    roles.split(',').filter_map(liuhen_server::app::policy::Role::parse).map(|r| r.label()).collect();
                println!("    {username:<12} {}（{unit}）", labels.join("、"));
            }
        }
    }
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("留痕 liuhen 已启动 / started: http://{addr}/");
    println!("  数据目录 data: {}", opened.dir.root().display());
    println!(
        "  日志 log: {} ({} 条记录 entries)",
        opened.store.origin(),
        liuhen_store::LogStore::tree_size(&opened.store)
    );
    println!("  验证公钥 verifier keys: {}", opened.dir.public_keys_path().display());
    if let Some(pw) = &opened.admin_password {
        println!("  管理员 administrator: admin  一次性密码 one-time password: {pw}");
        println!("  （首次登录后须修改密码 / change it at first sign-in）");
    }
    println!("就绪 / ready");
    let store = opened.store.clone();
    // Attempts refused while an account or address was locked: one summary entry each a window.
    let throttle = opened.state.app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = throttle.summarise_refused(liuhen_server::app::now_ms()).await {
                tracing::warn!(error = %e, "refused sign-ins not summarised; will retry");
            }
        }
    });
    let on_shutdown = opened.state.app.clone();
    let app = liuhen_server::router(opened.state);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown())
        .await
        .context("serving")?;
    // What was refused but not yet summarised, then a last checkpoint, so the entries of the
    // last moments are covered by a signed one.
    if let Err(e) = on_shutdown.summarise_refused(i64::MAX).await {
        eprintln!("warning: refused sign-ins not summarised: {e}");
    }
    liuhen_store::LogStore::sign_checkpoint(&store).await.context("signing the last checkpoint")?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
