//! `liuhen rebuild` and `liuhen verify` on projections: the log alone reproduces the state.

use crate::helpers::*;
use serde_json::{Value, json};

fn post(agent: &ureq::Agent, url: &str, token: &str, body: &Value) -> (u16, Value) {
    let mut resp = agent
        .post(url)
        .header("content-type", "application/json")
        .header("authorization", &format!("Bearer {token}"))
        .send(body.to_string().as_bytes())
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn get_json(agent: &ureq::Agent, url: &str, token: &str) -> Value {
    let mut resp = agent.get(url).header("authorization", &format!("Bearer {token}")).call().unwrap();
    serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap()
}

#[test]
fn rebuild_then_verify_reproduces_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    // The first 负责人 who handles the cases is made at the console (a 系统管理员 sees no case,
    // and a role it grants that sees them waits for a 负责人's approval).
    drop(Server::start(dir.path()));
    let out = console_add(data, "zhang", "approver", "zhang-test-password");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let server = Server::start(dir.path());
    let agent = agent();
    let token = sign_in_changing_password(&agent, &server.url, "zhang", "zhang-test-password", "zhang-new-password");
    let mut officers = Vec::new();
    for (name, cert) in [("王明", "13020001"), ("李华", "13020002")] {
        let (st, o) = post(
            &agent,
            &format!("{}/api/officers", server.url),
            &token,
            &json!({"name": name, "cert_no": cert, "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"}),
        );
        assert_eq!(st, 201);
        officers.push(o["id"].as_str().unwrap().to_string());
    }
    // The 权责清单 lists the matter the cases are opened on (R-010a).
    let (st, m) = post(
        &agent,
        &format!("{}/api/matters", server.url),
        &token,
        &json!({"code": "I-002", "name": "消防安全检查", "kind": "inspection", "legal_basis": "《中华人民共和国消防法》第五十三条"}),
    );
    assert_eq!(st, 201, "{m}");
    let t0 = 1_795_568_400_000i64;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let (st, c) = post(
            &agent,
            &format!("{}/api/cases/inspections", server.url),
            &token,
            &json!({"case_no": format!("栗街检〔2026〕{n}号"), "matter": "消防安全检查", "kind": "routine",
                    "basis": "2026年第四季度检查计划", "source": "inspection", "reason": "季度例行检查", "received_at": t0}),
        );
        assert_eq!(st, 201, "{c}");
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    let act = json!({"type": "record_on_site", "act": {"at": t0, "place": "某某小区", "recording_announced": true,
        "problems_found": false, "summary": "未发现问题",
        "officers": officers.iter().map(|o| json!({"officer_id": o, "id_shown_at": t0})).collect::<Vec<_>>()}});
    let (st, _) = post(
        &agent,
        &format!("{}/api/cases/{}/commands", server.url, ids[0]),
        &token,
        &json!({"expected_version": 1, "command": act}),
    );
    assert_eq!(st, 200);
    let before = get_json(&agent, &format!("{}/api/cases/{}", server.url, ids[0]), &token);
    drop(server);

    let out = run(&["verify", "--data", data]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        text(&out.stdout).contains("projections match the log, column by column — 2 accounts, 2 officers, 3 cases"),
        "{}",
        text(&out.stdout)
    );

    // A projection edited behind the application's back is caught, and rebuilt from the log.
    let conn = rusqlite::Connection::open(dir.path().join("liuhen.db")).unwrap();
    conn.execute("UPDATE cases SET state = 'closed', version = 9 WHERE id = ?1", [&ids[0]]).unwrap();
    conn.execute("DELETE FROM officers WHERE cert_no = '13020002'", []).unwrap();
    drop(conn);
    let out = run(&["verify", "--data", data]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains(&format!("cases {}: column state differs from what the log records", ids[0])), "{err}");
    assert!(err.contains(&format!("officers {} is in the log but not stored", officers[1])), "{err}");

    let out = run(&["rebuild", "--data", data]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("2 accounts, 2 officers, 3 cases"));
    // Into a pipe, no progress: only the results.
    assert!(!text(&out.stderr).contains("条日志"), "{}", text(&out.stderr));
    let out = run(&["verify", "--data", data]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    // On a terminal (a pseudo-terminal made by `script`), each pass over the log says how far it
    // has come, on a line it rewrites.
    for (args, pass) in [("rebuild", "由日志计算投影"), ("verify", "核对承诺原文")] {
        let cmd = format!("{} {args} --data {data}", bin());
        let out = std::process::Command::new("script").args(["-qec", &cmd, "/dev/null"]).output().unwrap();
        let seen = text(&out.stdout);
        assert!(out.status.success(), "{seen}");
        assert!(seen.contains(&format!("{pass}：0 / ")) && seen.contains("条日志（0%）"), "{args}: {seen}");
    }

    // The same state as before, served again; the 负责人 signs in with the same password.
    let server = Server::start(dir.path());
    let (st, s) = login(&agent, &server.url, "zhang", "zhang-new-password").unwrap();
    assert_eq!(st, 200, "{s}");
    let token = s["token"].as_str().unwrap().to_string();
    let after = get_json(&agent, &format!("{}/api/cases/{}", server.url, ids[0]), &token);
    for k in ["state", "version", "data", "case_no"] {
        assert_eq!(after[k], before[k], "{k}");
    }
    assert_eq!(after["timeline"].as_array().unwrap().len(), before["timeline"].as_array().unwrap().len());
}

#[test]
fn the_readme_run_command_gives_a_living_demo_office_that_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &["--demo"]);
    let agent = agent();
    // The demo's 负责人 sees every case; the administrator none.
    let pw = server.demo_password.clone().expect("the demo accounts' password is printed");
    let admin_pw = server.admin_password.clone().unwrap();
    let admin = sign_in_changing_password(&agent, &server.url, "admin", &admin_pw, "admin-new-password");
    assert_eq!(get_json(&agent, &format!("{}/api/cases", server.url), &admin)["cases"], json!([]));
    let token = sign_in_changing_password(&agent, &server.url, "zhangzhuren", &pw, "zhang-new-password");
    let cases = get_json(&agent, &format!("{}/api/cases?limit=500", server.url), &token)["cases"].clone();
    let mut kinds: Vec<&str> = cases.as_array().unwrap().iter().map(|c| c["case_type"].as_str().unwrap()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert_eq!(kinds, ["coercive_measure", "inspection", "licence", "ordinary_penalty", "summary_penalty"]);
    let deadlines = get_json(&agent, &format!("{}/api/deadlines", server.url), &token)["deadlines"].clone();
    assert_eq!(deadlines[0]["status"], "overdue");
    drop(server);
    // A second start does not seed again; the whole directory verifies, projections included.
    let server = Server::start_with(dir.path(), &["--demo"]);
    let (_, s) = login(&agent, &server.url, "zhangzhuren", "zhang-new-password").unwrap();
    let token = s["token"].as_str().unwrap().to_string();
    let again = get_json(&agent, &format!("{}/api/cases?limit=500", server.url), &token)["cases"].clone();
    assert_eq!(again.as_array().unwrap().len(), cases.as_array().unwrap().len());
    drop(server);
    let out = run(&["verify", "--data", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("5 officers, {} cases", cases.as_array().unwrap().len())),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_account_added_at_the_console_signs_in_with_its_roles() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    drop(Server::start(dir.path()));
    let add = |username: &str, role: &str, password: &str| console_add(data, username, role, password);
    // Unknown roles and short passwords are refused with a clear message.
    let out = add("wang", "chief", "a-long-enough-password");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("未知的角色"), "{}", text(&out.stderr));
    let out = add("wang", "officer", "short");
    assert!(text(&out.stderr).contains("密码至少 12 位"), "{}", text(&out.stderr));
    let out = add("wang", "officer,unit_head", "a-long-enough-password");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("执法人员、承办机构负责人"), "{}", text(&out.stdout));
    let server = Server::start(dir.path());
    let agent = agent();
    let (st, s) = login(&agent, &server.url, "wang", "a-long-enough-password").unwrap();
    assert_eq!(st, 200, "{s}");
    assert_eq!(s["user"]["must_change_password"], true);
    drop(server);
    let out = run(&["verify", "--data", data]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
}
