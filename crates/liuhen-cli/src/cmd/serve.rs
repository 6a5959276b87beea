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
    /// Serve HTTPS with this certificate chain (PEM; with `--tls-key`). Cookies are then
    /// marked `Secure`.
    #[arg(long, env = "LIUHEN_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM: PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "LIUHEN_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Clients reach liuhen over HTTPS through a TLS-terminating proxy: cookies are marked
    /// `Secure` although liuhen itself serves plain HTTP.
    #[arg(long, env = "LIUHEN_BEHIND_TLS_PROXY")]
    behind_tls_proxy: bool,
    /// How often the whole log is re-checked while serving (the database file, every entry,
    /// tile and opening, every projection column and live session), in hours; the first check
    /// runs as the server starts serving (a projection changed while it was stopped is mended
    /// within the check's time, not one cycle later). 0: never.
    #[arg(long, env = "LIUHEN_VERIFY_EVERY_HOURS", default_value_t = 6.0)]
    verify_every_hours: f64,
    /// How often every stored file (recordings, documents' PDFs and seals) is read back and
    /// re-hashed (完整性巡检), in hours; the first pass an hour after the start. 0: never.
    #[arg(long, env = "LIUHEN_FIXITY_EVERY_HOURS", default_value_t = 24.0)]
    fixity_every_hours: f64,
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
        let admin = liuhen_store::ProjectionReads::user_by_username(&opened.store, "admin")
            .await
            .context("finding the administrator")?;
        let now = liuhen_core::time::Timestamp(liuhen_server::app::now_ms());
        if let Some(password) = opened.state.app.seed_demo(&admin, now).await.map_err(|e| anyhow::anyhow!("{e}"))? {
            let officers = liuhen_store::ProjectionReads::officers(&opened.store).await?.len();
            let cases = liuhen_store::ProjectionReads::cases(&opened.store, 10_000).await?.len();
            let matters = liuhen_store::ProjectionReads::matters(&opened.store).await?.len();
            let q = liuhen_store::DeviceQuery { limit: 1_000, ..Default::default() };
            let devices = liuhen_store::ProjectionReads::device_page(&opened.store, &q).await?.len();
            println!(
                "  已载入演示数据 / demo data seeded: {officers} officers, {matters} matters, {cases} cases of all five kinds, {devices} recording devices"
            );
            println!("  演示账号 demo accounts (共用初始密码 shared password: {password}):");
            for (username, roles, _, unit, _) in liuhen_server::app::demo::DEMO_USERS {
                let labels: Vec<&str> =
                    roles.split(',').filter_map(liuhen_server::app::policy::Role::parse).map(|r| r.label()).collect();
                println!("    {username:<12} {}（{unit}）", labels.join("、"));
            }
        }
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(tls_acceptor(cert, key)?),
        _ => None,
    };
    opened.state.secure_cookies = tls.is_some() || args.behind_tls_proxy;
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("留痕 liuhen 已启动 / started: {scheme}://{addr}/");
    println!("  数据目录 data: {}", opened.dir.root().display());
    println!("  日志 log: {} ({} 条记录 entries)", opened.store.origin(), liuhen_store::Log::tree_size(&opened.store));
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
    // The whole log re-checked on a schedule: a change inside an old tile, which the checks at
    // start do not read again, is found within one cycle; the alarm shows on the 负责人's home
    // page and at /api/integrity.
    if args.verify_every_hours > 0.0 {
        // No number is given, and no session found at start honoured, before the first check.
        opened.state.app.hold_until_checked().await.context("reading the sessions found at start")?;
        let checker = opened.state.app.clone();
        let every = std::time::Duration::from_secs_f64(args.verify_every_hours * 3600.0);
        tokio::spawn(async move {
            let mut first = true;
            loop {
                match checker.check_integrity().await {
                    Ok(r) if r.ok() => tracing::info!(entries = r.entries, "integrity check passed"),
                    Ok(r) => tracing::error!(problems = r.problems.len(), "integrity check FAILED; see /api/integrity"),
                    Err(e) => tracing::error!(error = %e, "integrity check could not run"),
                }
                if std::mem::take(&mut first) {
                    // Numbering, and the sessions found at start, are honoured from here on.
                    println!("启动核验完成 / start check done");
                }
                tokio::time::sleep(every).await;
            }
        });
    }
    // 完整性巡检: every stored file re-hashed on a schedule; the alarm shows on the archivist's
    // and the 负责人's home pages and at /api/fixity.
    if args.fixity_every_hours > 0.0 {
        let checker = opened.state.app.clone();
        let every = std::time::Duration::from_secs_f64(args.fixity_every_hours * 3600.0);
        tokio::spawn(async move {
            tokio::time::sleep(every.min(std::time::Duration::from_secs(3600))).await;
            loop {
                match checker.check_fixity().await {
                    Ok(r) if r.ok() => tracing::info!(blobs = r.checked, "fixity check passed"),
                    Ok(r) => tracing::error!(failures = r.failures.len(), "fixity check FAILED; see /api/fixity"),
                    Err(e) => tracing::error!(error = %e, "fixity check could not run"),
                }
                tokio::time::sleep(every).await;
            }
        });
    }
    let on_shutdown = opened.state.app.clone();
    let app = liuhen_server::router(opened.state);
    match tls {
        None => axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown())
            .await
            .context("serving")?,
        Some(acceptor) => {
            // The client's address reaches the handlers as over plain HTTP.
            let app = app.layer(axum::middleware::map_request(|mut req: axum::extract::Request| async move {
                if let Some(axum::extract::ConnectInfo(ClientAddr(a))) = req.extensions().get().cloned() {
                    req.extensions_mut().insert(axum::extract::ConnectInfo(a));
                }
                req
            }));
            axum::serve(TlsListener::new(listener, acceptor), app.into_make_service_with_connect_info::<ClientAddr>())
                .with_graceful_shutdown(shutdown())
                .await
                .context("serving")?
        }
    }
    // What was refused but not yet summarised, then a last checkpoint, so the entries of the
    // last moments are covered by a signed one.
    if let Err(e) = on_shutdown.summarise_refused(i64::MAX).await {
        eprintln!("warning: refused sign-ins not summarised: {e}");
    }
    liuhen_store::Log::sign_checkpoint(&store).await.context("signing the last checkpoint")?;
    Ok(())
}

/// A rustls acceptor for the certificate chain and key in these PEM files.
fn tls_acceptor(cert: &std::path::Path, key: &std::path::Path) -> anyhow::Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading the certificate {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("reading the certificate {}", cert.display()))?;
    anyhow::ensure!(!certs.is_empty(), "{} holds no certificate", cert.display());
    let key =
        PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading the private key {}", key.display()))?;
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the certificate and key do not go together")?;
    Ok(tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config)))
}

/// A client's address behind TLS (for `ConnectInfo`).
#[derive(Clone, Copy, Debug)]
struct ClientAddr(SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TlsListener>> for ClientAddr {
    fn connect_info(stream: axum::serve::IncomingStream<'_, TlsListener>) -> ClientAddr {
        ClientAddr(*stream.remote_addr())
    }
}

/// Accepts TCP connections and completes their TLS handshakes on tasks of their own (a slow
/// or silent client holds up nobody; a handshake not done in ten seconds is dropped).
struct TlsListener {
    local: SocketAddr,
    ready: tokio::sync::mpsc::Receiver<(tokio_rustls::server::TlsStream<tokio::net::TcpStream>, SocketAddr)>,
}

impl TlsListener {
    fn new(tcp: tokio::net::TcpListener, acceptor: tokio_rustls::TlsAcceptor) -> TlsListener {
        let local = tcp.local_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
        let (tx, ready) = tokio::sync::mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let (stream, addr) = match tcp.accept().await {
                    Ok(x) => x,
                    Err(e) => {
                        tracing::warn!(error = %e, "accepting a connection failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (acceptor, tx) = (acceptor.clone(), tx.clone());
                tokio::spawn(async move {
                    let handshake = tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(stream));
                    match handshake.await {
                        Ok(Ok(tls)) => {
                            let _ = tx.send((tls, addr)).await;
                        }
                        Ok(Err(e)) => tracing::debug!(error = %e, %addr, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%addr, "TLS handshake timed out"),
                    }
                });
            }
        });
        TlsListener { local, ready }
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(x) => x,
            // The accepting task ended only with the runtime.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
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
