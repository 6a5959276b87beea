//! `liuhen bench scale`: a demo office grown to N cases through the application's commands,
//! then the pages and lists a 负责人 and an 执法人员 open every day, timed over HTTP against a
//! `liuhen serve` child process. One JSON line per route and account: `route`, `as`, `cases`,
//! `p50_ms`, `p95_ms`, `rows`.

use super::bench::{peak_rss_kib, percentile, sign_in, start_server, stop};
use anyhow::Context;
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[derive(clap::Args)]
pub struct ScaleArgs {
    /// A new data directory (created; it stays valid for serve and verify).
    #[arg(long)]
    data: PathBuf,
    /// How many cases to grow the demo office by.
    #[arg(long, default_value_t = 10_000)]
    cases: usize,
    /// Cases grown at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Requests timed per route and account in each round.
    #[arg(long, default_value_t = 20)]
    samples: usize,
    /// Rounds over every route; a route's p50 and p95 are the medians of its rounds' (a burst of
    /// another process's load on a shared machine then spoils one round, not the figure).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// HTTP clients sending case commands at once, after the routes are timed (0: none).
    #[arg(long, default_value_t = 64)]
    clients: usize,
    /// Seconds the clients send commands for.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Time the routes and commands again on a directory a bench grew before (`--cases` as it
    /// was grown with), without growing it.
    #[arg(long)]
    again: bool,
}

/// The accounts the bench signs in as, and the password it gives them.
const ACCOUNTS: [(&str, &str); 2] = [("zhangzhuren", "负责人"), ("wangming", "执法人员")];
const PASSWORD: &str = "bench-scale-password";

pub async fn scale(args: ScaleArgs) -> anyhow::Result<()> {
    let initialised = liuhen_server::datadir::DataDir::new(&args.data).is_initialised();
    anyhow::ensure!(
        initialised == args.again,
        "{}: {}",
        args.data.display(),
        match args.again {
            true => "no data directory there to time again",
            false => "already holds a data directory: give a new one (or --again to time it again)",
        }
    );
    if !args.again {
        let opened = super::open_data_dir(&args.data, None, liuhen_server::LogAccess::Public).await?;
        let app = &opened.state.app;
        let err = |e: liuhen_server::app::AppError| anyhow::anyhow!("{e}: {e:?}");
        let admin = liuhen_store::ProjectionReads::user_by_username(&opened.store, "admin").await?;
        let now = liuhen_core::time::Timestamp(liuhen_server::app::now_ms());
        let demo = app.seed_demo(&admin, now).await.map_err(err)?.context("the demo office was already seeded")?;
        for (username, _) in ACCOUNTS {
            let user = liuhen_store::ProjectionReads::user_by_username(&opened.store, username).await?;
            app.change_password(&user, &demo, PASSWORD, "", None).await.map_err(err)?;
        }
        let before = liuhen_store::Log::tree_size(&opened.store);
        let started = Instant::now();
        let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let every = (args.cases / 100).max(1);
        let progress = |n: usize| {
            if tty && (n.is_multiple_of(every) || n == args.cases) {
                eprint!("\r  grown {n}/{} cases", args.cases);
                let _ = std::io::stderr().flush();
            }
        };
        let undone = app.grow_demo(args.cases, args.concurrency, &progress).await.map_err(err)?;
        // The recordings' SM3 digests, logged before the directory is handed to the server.
        app.sm3_settled().await;
        if tty {
            eprintln!();
        }
        let seconds = started.elapsed().as_secs_f64();
        let entries = liuhen_store::Log::tree_size(&opened.store) - before;
        let out = json!({"grown": args.cases, "entries": entries, "seconds": seconds,
            "entries_per_s": entries as f64 / seconds, "steps_left_undone": undone});
        println!("{out}");
    }
    // Served as an office serves it.
    let (mut server, base) = start_server(&args.data)?;
    let result = start_check(&base).and_then(|()| time_routes(&base, &args)).and_then(|()| match args.clients {
        0 => Ok(()),
        n => send_commands(&base, n, args.seconds),
    });
    let rss = peak_rss_kib(server.id()).unwrap_or(0);
    // Resident now: the process's own memory (anonymous) and the database's pages it maps
    // (file-backed, the kernel's page cache, shared and reclaimable).
    let anon = super::bench::proc_status_kib(server.id(), "RssAnon").unwrap_or(0);
    let file = super::bench::proc_status_kib(server.id(), "RssFile").unwrap_or(0);
    stop(&mut server);
    result?;
    let mib = |k: u64| (k as f64 / 1024.0 * 10.0).round() / 10.0;
    println!(
        "{}",
        json!({"server_peak_rss_mib": mib(rss), "server_rss_anon_mib": mib(anon), "server_rss_file_mib": mib(file),
            "cases": args.cases})
    );
    Ok(())
}

/// Waits for the integrity check a server runs as it starts (it reads the whole log, and the
/// 文号 register waits for it), so that the routes are timed as an office uses them after it:
/// one JSON line, `start_check_s`.
fn start_check(base: &str) -> anyhow::Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let started = Instant::now();
    let token = sign_in(&agent, base, ACCOUNTS[0].0, PASSWORD)?;
    loop {
        let mut r =
            agent.get(format!("{base}/api/integrity")).header("authorization", format!("Bearer {token}")).call()?;
        let report: Value = serde_json::from_str(&r.body_mut().read_to_string()?).unwrap_or(Value::Null);
        if report["checked"] == true {
            let out = json!({"start_check_s": round(started.elapsed().as_secs_f64()), "ok": report["ok"],
                "entries": report["entries"]});
            println!("{out}");
            return Ok(());
        }
        anyhow::ensure!(started.elapsed().as_secs() < 1800, "the check at start did not finish in 30 minutes");
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

fn time_routes(base: &str, args: &ScaleArgs) -> anyhow::Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    for (username, role) in ACCOUNTS {
        let token = sign_in(&agent, base, username, PASSWORD)?;
        let get = |path: &str| -> anyhow::Result<(f64, u16, String)> {
            let t = Instant::now();
            let mut r = agent.get(format!("{base}{path}")).header("authorization", format!("Bearer {token}")).call()?;
            let status = r.status().as_u16();
            let body = r.body_mut().with_config().limit(64 << 20).read_to_string()?;
            Ok((t.elapsed().as_secs_f64() * 1000.0, status, body))
        };
        let me: Value = serde_json::from_str(&get("/api/me")?.2)?;
        let first: Value = serde_json::from_str(&get("/api/cases")?.2)?;
        let case = first["cases"][0]["id"].as_str().unwrap_or_default().to_string();
        let party = first["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|c| c["party"].as_str().filter(|p| !p.is_empty()))
            .unwrap_or("王建国")
            .to_string();
        // A deep page: twenty pages in.
        let mut deep = "/api/cases".to_string();
        for _ in 0..20 {
            let page: Value = serde_json::from_str(&get(&deep)?.2)?;
            match page["next_cursor"].as_str() {
                Some(c) => deep = format!("/api/cases?cursor={c}"),
                None => break,
            }
        }
        let search = format!("/api/cases?q={}", escape(&party));
        let mut routes = vec![
            ("工作台", "/".to_string()),
            ("案件列表", "/api/cases".to_string()),
            ("案件列表（页面）", "/cases".to_string()),
            ("案件列表第 21 页", deep.clone()),
            ("检索当事人", search),
            ("案件", format!("/api/cases/{case}?purpose=%E6%A1%88%E4%BB%B6%E5%8A%9E%E7%90%86")),
            ("审批待办", "/api/inbox".to_string()),
            ("期限", "/api/deadlines".to_string()),
            ("逾期音像", "/api/av/overdue".to_string()),
            ("音像记录", "/api/recordings".to_string()),
            ("音像记录按当事人检索", format!("/api/recordings?party={}", escape(&party))),
            ("查阅记录", format!("/api/users/{}/ledger", me["id"].as_str().unwrap_or_default())),
            ("案件文书", format!("/api/cases/{case}/documents")),
            ("设备台账", "/api/devices".to_string()),
        ];
        // A case's ledger is the supervising roles' to read, not the officer's.
        if role == "负责人" {
            routes.push(("案件查阅台账", format!("/api/cases/{case}/ledger")));
        }
        // Each round times every route in turn, so a burst of load elsewhere falls on one
        // round of several routes rather than on every sample of one.
        let mut timed: Vec<Timed> = routes.into_iter().map(|(name, path)| Timed::new(name, path)).collect();
        for _ in 0..args.rounds.max(1) {
            for route in &mut timed {
                let mut ms = Vec::with_capacity(args.samples);
                for _ in 0..args.samples {
                    let (t, s, body) = get(&route.path)?;
                    ms.push(t);
                    route.status = s;
                    if route.rows.is_null() {
                        route.rows = match serde_json::from_str::<Value>(&body) {
                            Ok(Value::Array(a)) => json!(a.len()),
                            // A page: its rows, whatever the list calls them.
                            Ok(Value::Object(m)) => {
                                m.values().find_map(|v| v.as_array()).map_or(Value::Null, |a| json!(a.len()))
                            }
                            _ => Value::Null,
                        };
                    }
                }
                ms.sort_by(f64::total_cmp);
                route.p50.push(percentile(&ms, 0.5));
                route.p95.push(percentile(&ms, 0.95));
            }
        }
        for route in timed {
            let line = json!({"route": route.name, "path": route.path.split('?').next(), "as": role,
                "cases": args.cases, "status": route.status, "p50_ms": round(median(route.p50.clone())),
                "p95_ms": round(median(route.p95.clone())),
                "p95_ms_rounds": route.p95.iter().map(|x| round(*x)).collect::<Vec<_>>(), "rows": route.rows});
            println!("{line}");
        }
    }
    Ok(())
}

/// One route's figures over the rounds.
struct Timed {
    name: &'static str,
    path: String,
    status: u16,
    rows: Value,
    p50: Vec<f64>,
    p95: Vec<f64>,
}

impl Timed {
    fn new(name: &'static str, path: String) -> Self {
        Timed { name, path, status: 0, rows: Value::Null, p50: Vec::new(), p95: Vec::new() }
    }
}

/// The middle of `xs` (the mean of the two middle ones when even).
fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => 0.0,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

/// `clients` threads, each with a session of the 负责人 and 16 inspections of its own at a
/// time, record on-site acts (`record_on_site`, each naming the version it read) for `seconds`,
/// a case at a time in turn; a case that has [`ACTS_EACH`] acts is replaced by a new one opened
/// (an inspection of a few visits, as a street office's are — not one case grown by hundreds).
/// The commands — acts and openings — appended per second through the whole HTTP path
/// (sign-in check, policy, body, aggregate, projections, log group commit, receipt). One JSON line.
fn send_commands(base: &str, clients: usize, seconds: u64) -> anyhow::Result<()> {
    const CASES_EACH: usize = 16;
    const ACTS_EACH: u64 = 4;
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let post = |token: &str, path: &str, body: &Value| -> anyhow::Result<(u16, Value)> {
        let mut r = agent
            .post(format!("{base}{path}"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .send(body.to_string().as_bytes())?;
        let status = r.status().as_u16();
        Ok((status, serde_json::from_str(&r.body_mut().read_to_string()?).unwrap_or(Value::Null)))
    };
    let sign_in = || -> anyhow::Result<String> {
        let (_, s) = post("", "/api/session", &json!({"username": ACCOUNTS[0].0, "password": PASSWORD}))?;
        Ok(s["token"].as_str().context("no token")?.to_string())
    };
    let token = sign_in()?;
    let get = |path: &str| -> anyhow::Result<Value> {
        let mut r = agent.get(format!("{base}{path}")).header("authorization", format!("Bearer {token}")).call()?;
        Ok(serde_json::from_str(&r.body_mut().read_to_string()?)?)
    };
    let now = liuhen_server::app::now_ms();
    // A run's own case numbers: a directory timed again takes new ones.
    let run = now / 1000 % 100_000;
    let officers: Vec<String> = get("/api/officers")?
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["cert_valid_to"].as_str().is_some_and(|t| t > "2027"))
        .filter_map(|o| o["id"].as_str().map(str::to_string))
        .take(2)
        .collect();
    anyhow::ensure!(officers.len() == 2, "the demo office has no two officers with valid certificates");
    let matter = get("/api/matters")?
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["kind"] == "inspection")
        .and_then(|m| m["name"].as_str().map(str::to_string))
        .context("no inspection matter in the 权责清单")?;
    let act = |at: i64| {
        json!({"type": "record_on_site", "act": {"at": at, "place": "某小区", "recording_announced": true,
            "problems_found": false, "summary": "未发现问题",
            "officers": officers.iter().map(|o| json!({"officer_id": o, "id_shown_at": at})).collect::<Vec<_>>()}})
    };
    let stop_at = std::sync::OnceLock::new();
    let results = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let (post, act, matter, stop_at, run) = (&post, &act, &matter, &stop_at, run);
                scope.spawn(move || -> anyhow::Result<(Vec<f64>, usize, usize)> {
                    let token = sign_in()?;
                    let mut opened = 0usize;
                    let mut open = || -> anyhow::Result<(String, u64)> {
                        let body = json!({"case_no": format!("栗街检〔2026〕B{run}-{c}-{opened}号"), "matter": matter,
                            "kind": "routine", "basis": "检查计划", "source": "inspection", "reason": "例行检查",
                            "received_at": now - 7_200_000});
                        opened += 1;
                        let (status, v) = post(&token, "/api/cases/inspections", &body)?;
                        anyhow::ensure!(status == 201, "opening an inspection: {status} {v}");
                        Ok((v["id"].as_str().context("no id")?.to_string(), v["version"].as_u64().unwrap_or(1)))
                    };
                    let mut cases = Vec::new();
                    for _ in 0..CASES_EACH {
                        cases.push(open()?);
                    }
                    // Every client starts together, once all have their cases.
                    let until = *stop_at.get_or_init(|| Instant::now() + std::time::Duration::from_secs(seconds));
                    let (mut ms, mut refused, mut openings) = (Vec::new(), 0, 0);
                    let mut n = 0usize;
                    while Instant::now() < until {
                        let slot = n % CASES_EACH;
                        n += 1;
                        if cases[slot].1 > ACTS_EACH {
                            let t = Instant::now();
                            cases[slot] = open()?;
                            ms.push(t.elapsed().as_secs_f64() * 1000.0);
                            openings += 1;
                            continue;
                        }
                        let (id, version) = &mut cases[slot];
                        let body = json!({"expected_version": *version, "command": act(now - 3_600_000)});
                        let t = Instant::now();
                        let (status, v) = post(&token, &format!("/api/cases/{id}/commands"), &body)?;
                        ms.push(t.elapsed().as_secs_f64() * 1000.0);
                        match v["version"].as_u64() {
                            Some(next) if status == 200 => *version = next,
                            _ => refused += 1,
                        }
                    }
                    Ok((ms, refused, openings))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a client thread panicked")).collect::<Vec<_>>()
    });
    let (mut ms, mut refused, mut openings) = (Vec::new(), 0, 0);
    for r in results {
        let (m, x, o) = r?;
        ms.extend(m);
        refused += x;
        openings += o;
    }
    ms.sort_by(f64::total_cmp);
    let done = ms.len() - refused;
    println!(
        "{}",
        json!({"commands_http": done, "of_them_openings": openings, "clients": clients, "seconds": seconds,
            "refused": refused,
            "commands_per_s": round(done as f64 / seconds as f64),
            "p50_ms": round(percentile(&ms, 0.5)), "p95_ms": round(percentile(&ms, 0.95))})
    );
    Ok(())
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// `s` percent-encoded for a query string.
fn escape(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
