//! `liuhen export case`: a filed case's archive package (a BagIt bag), written by the
//! 档案管理员 at the server's console (run it with the server stopped, as the database's owner).
//! The account signs in with its password from standard input; the export is logged — who,
//! what, for what, to where — before a byte is written.

use anyhow::Context;
use std::io::Read;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum What {
    /// A filed case as a BagIt bag: its documents with their seals, its recordings, its log
    /// entries with their proofs, the keys, DA/T 46-style metadata and a 说明.
    Case(CaseArgs),
}

#[derive(clap::Args)]
pub struct CaseArgs {
    /// The case's number (案号) or id.
    case: String,
    /// The data directory.
    #[arg(long)]
    data: PathBuf,
    /// Where to write the bag: a folder that must not exist yet.
    #[arg(long)]
    out: PathBuf,
    /// The 档案管理员's account; its password comes from standard input.
    #[arg(long = "as")]
    username: String,
    /// What the export is for (用途), recorded in the log.
    #[arg(long)]
    purpose: String,
    /// Where it goes (去向: the archive, a court…), recorded in the log.
    #[arg(long = "to")]
    destination: String,
    /// Also write evidence disc images (ISO 9660 + Joliet) of this capacity (`cd`, `dvd`,
    /// `dvd-dl`, `bd`, `bd-dl`, or a size such as `500MiB`) in OUT-discs, each a bag of its own.
    #[arg(long)]
    iso: Option<String>,
}

pub async fn run(what: What) -> anyhow::Result<()> {
    let What::Case(args) = what;
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let opened = super::open_data_dir(&args.data, None, liuhen_server::LogAccess::Public).await?;
    let app = &opened.state.app;
    let err = |e: liuhen_server::app::AppError| anyhow::anyhow!("{}", e.message());
    let login = app.login(&args.username, &password).await.map_err(err)?;
    if login.user.must_change_password {
        anyhow::bail!("该账号须先登录修改初始密码 / the account must change its first password before exporting");
    }
    let user = login.user.clone();
    let query = liuhen_store::CaseQuery { text: Some(args.case.clone()), limit: 50, ..Default::default() };
    let id = match app.case_page(&user, query, None).await.map_err(err)?.0.into_iter().find(|c| c.case_no == args.case)
    {
        Some(c) => c.id,
        None => args.case.clone(),
    };
    let log_pub = std::fs::read_to_string(opened.dir.public_keys_path()).context("reading log.pub")?;
    let capacity = args.iso.as_deref().map(liuhen_server::app::export::disc_capacity).transpose().map_err(err)?;
    let discs_dir = PathBuf::from(format!("{}-discs", args.out.display()));
    // Progress on a terminal: the bytes written so far against the recordings' total (twice
    // over with disc images), read from the folders as they fill.
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
        let (out, discs) = (args.out.clone(), discs_dir.clone());
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let store = opened.store.clone();
        let case = id.clone();
        let twice = capacity.is_some();
        let handle = tokio::spawn(async move {
            let recorded: u64 = liuhen_store::ProjectionReads::recordings(&store, Some(&case), u32::MAX)
                .await
                .map(|rs| rs.iter().map(|r| r.size).sum())
                .unwrap_or(0);
            let total = recorded * if twice { 2 } else { 1 };
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                let done = tree_size(&out) + tree_size(&discs);
                let pct = (done * 100).checked_div(total).unwrap_or(0).min(100);
                eprint!("\r导出中 / exporting: {} MB（音像记录约 {} MB，{pct}%）  ", done >> 20, total >> 20);
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
            eprintln!();
        });
        (stop, handle)
    });
    // The 四性检测 of the package as written (DA/T 70), by the independent verifier against the
    // log's own keys, run by the export before its last fsync.
    let keys = liuhen_verify::parse_keys(&log_pub).context("the log's keys")?;
    let found: std::sync::Mutex<Vec<liuhen_verify::bag::Item>> = std::sync::Mutex::new(Vec::new());
    let check = |dir: &std::path::Path| {
        let items = liuhen_verify::bag::four_properties(dir, Some(&keys));
        let json = items
            .iter()
            .map(|i| {
                serde_json::json!({"code": i.code, "property": i.property, "name": i.name,
                    "result": i.result.code(), "detail": i.detail})
            })
            .collect();
        *found.lock().unwrap_or_else(|e| e.into_inner()) = items;
        serde_json::Value::Array(json)
    };
    let done = app
        .export_case_bag(
            &user,
            &id,
            (&args.purpose, &args.destination),
            &log_pub,
            (&args.out, capacity.map(|c| (c, discs_dir.as_path()))),
            &check,
        )
        .await
        .map_err(err);
    if let Some((stop, handle)) = progress {
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = handle.await;
    }
    // The check's report, recorded.
    let checked = match &done {
        Ok(d) => {
            app.record_file_check(&user, &id, "export", d.checked.clone()).await.map_err(err)?;
            Some(std::mem::take(&mut *found.lock().unwrap_or_else(|e| e.into_inner())))
        }
        Err(_) => None,
    };
    app.logout(&user, &login.token).await.map_err(err)?;
    liuhen_store::Log::sign_checkpoint(&opened.store).await.context("signing a checkpoint")?;
    let done = done?;
    println!(
        "已导出归档信息包 / bag written: {}（{} 个文件，{} 字节；导出记录为日志第 {} 条）",
        done.dir.display(),
        done.files,
        done.bytes,
        done.entry
    );
    for d in &done.discs {
        println!("光盘映像 / disc image: {}", d.display());
    }
    let passed = checked.as_deref().is_some_and(liuhen_verify::bag::print_items);
    if !passed {
        anyhow::bail!("the package failed its four-property check");
    }
    Ok(())
}

/// The bytes of every file under `dir` (0 if it is not there yet).
pub(crate) fn tree_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => tree_size(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}
