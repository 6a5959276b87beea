//! The UI in a real browser: `tests/browser/walk.mjs` drives Debian's chromium through
//! playwright-core against `liuhen serve --demo` (`scripts/test` installs both), then the access
//! ledger read through the API shows the browser's view of the case.

use crate::helpers::{Server, agent, login, repo_root};
use std::process::Command;

#[test]
fn a_browser_signs_in_finds_the_demo_cases_and_its_view_is_in_the_ledger() {
    let browser_dir = repo_root().join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "playwright-core or chromium is missing: run scripts/test, which installs them"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &["--demo"]);
    let password = server.demo_password.clone().expect("the demo accounts' password");
    let shots = repo_root().join("target/browser-screenshots");
    let out = Command::new("node")
        .arg(browser_dir.join("walk.mjs"))
        .env("LIUHEN_URL", &server.url)
        .env("LIUHEN_USER", "zhangzhuren")
        .env("LIUHEN_PASSWORD", &password)
        .env("LIUHEN_SCREENSHOTS", &shots)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let case_id = stdout.lines().last().unwrap_or_default().trim().to_string();
    assert!(!case_id.is_empty(), "{stdout}");

    // The API agrees: the browser's view is in the case's ledger, with who and why.
    let agent = agent();
    // The browser changed the initial password to `<password>-new`.
    let (_, session) = login(&agent, &server.url, "zhangzhuren", &format!("{password}-new")).unwrap();
    let token = session["token"].as_str().unwrap().to_string();
    let mut r = agent
        .get(format!("{}/api/cases/{case_id}/ledger", server.url))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(r.status(), 200);
    let page: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let ledger = page["ledger"].clone();
    let admin = format!("user:{}", session["user"]["id"].as_str().unwrap());
    assert!(
        ledger
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["actor"] == admin.as_str() && l["access"] == "view" && l["purpose"] == "案件办理（页面查阅）"),
        "{ledger}"
    );
    // No gap: each user's own ledger holds exactly the views their browser made, newest first.
    // The 负责人: the demo case once, the case they created twice (after creating it, after the
    // step), the notice's page when they opened it and after issuing it, then the recording
    // they uploaded and played.
    let views_of = |token: &str, user_id: &str| -> serde_json::Value {
        let mut r = agent
            .get(format!("{}/api/users/{user_id}/ledger", server.url))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        let page: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        page["ledger"].clone()
    };
    let what = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().unwrap().iter().map(|l| l["what"].as_str().unwrap_or_default().to_string()).collect()
    };
    let mine = views_of(&token, session["user"]["id"].as_str().unwrap());
    let views = what(&mine);
    assert_eq!(views.len(), 6, "{mine}");
    assert!(views[0].contains("音像记录") && views[0].contains("浏览器录制.webm"), "the playback: {mine}");
    assert_eq!(mine[0]["purpose"], "浏览器测试播放", "{mine}");
    assert!(views[1..3].iter().all(|v| v.starts_with("执法文书：行政检查结果告知书")), "{mine}");
    assert!(views[3].contains("栗街检〔2026〕901号") && views[4].contains("栗街检〔2026〕901号"), "{mine}");
    assert!(views[5].contains(&case_id), "{mine}");
    // The officer who drafted (办法第十五条): the case, their 现场检查笔录's page, PDF and page
    // after the signature, the case again, the notice after each of its steps and when its
    // 送达回证 was started from it, and the 送达回证.
    let (_, officer) = login(&agent, &server.url, "wangming", &format!("{password}-new")).unwrap();
    let theirs = views_of(officer["token"].as_str().unwrap(), officer["user"]["id"].as_str().unwrap());
    let views = what(&theirs);
    assert!(views[0].starts_with("执法文书：送达回证"), "{theirs}");
    assert!(views.iter().any(|v| v.starts_with("执法文书 PDF：现场检查")), "{theirs}");
    assert!(theirs.as_array().unwrap().iter().any(|l| l["purpose"] == "制作送达回证"), "{theirs}");
    assert!(views.last().unwrap().contains("栗街检〔2026〕901号"), "{theirs}");
}

/// The 档案管理员's pages in a real browser (`tests/browser/archive.mjs`): the waiting file
/// filed under a 档号, the retention list, a fixity pass run from the page, and a disposal of a
/// held recording refused in Chinese; the API then shows the file filed under that 档号.
#[test]
fn the_archivist_files_checks_fixity_and_is_refused_a_held_disposal_in_a_browser() {
    let browser_dir = repo_root().join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").exists() && std::path::Path::new("/usr/bin/chromium").exists(),
        "playwright-core or chromium is missing: run scripts/test, which installs them"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(&dir.path().join("data"), &["--demo"]);
    let password = server.demo_password.clone().expect("the demo accounts' password");
    let agent = agent();
    let head =
        crate::helpers::sign_in_changing_password(&agent, &server.url, "zhangzhuren", &password, "head-password-2");
    // A recording 李华 brings in from her camera today: of no case yet, kept six months.
    let lihua = crate::helpers::sign_in_changing_password(&agent, &server.url, "lihua", &password, "lihua-password-2");
    let media = dir.path().join("DCIM");
    std::fs::create_dir_all(&media).unwrap();
    std::fs::write(media.join("a.mp4"), crate::upload::mp4_with_times(1_795_138_200, 60, 64 << 10)).unwrap();
    let out = Command::new(crate::helpers::bin())
        .args(["import", "--server", &server.url, "--token", &lihua, "--device", "DSJ-001"])
        .arg(&media)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut r = agent
        .get(format!("{}/api/recordings?limit=1", server.url))
        .header("Authorization", &format!("Bearer {head}"))
        .call()
        .unwrap();
    let list: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let recording = list["recordings"][0]["id"].as_str().expect("the demo has recordings").to_string();
    let shots = repo_root().join("target/browser-screenshots");
    let out = Command::new("node")
        .arg(browser_dir.join("archive.mjs"))
        .env("LIUHEN_URL", &server.url)
        .env("LIUHEN_USER", "dangan")
        .env("LIUHEN_PASSWORD", &password)
        .env("LIUHEN_RECORDING", &recording)
        .env("LIUHEN_SCREENSHOTS", &shots)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let archive_no = stdout.lines().last().unwrap_or_default().trim().to_string();
    let mut r = agent
        .get(format!("{}/api/archive/files?state=filed", server.url))
        .header("Authorization", &format!("Bearer {head}"))
        .call()
        .unwrap();
    let filed: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert!(filed["files"].as_array().unwrap().iter().any(|f| f["archive_no"] == archive_no.as_str()), "{filed}");
    // The refused disposal left nothing waiting.
    let mut r = agent
        .get(format!("{}/api/archive/disposals", server.url))
        .header("Authorization", &format!("Bearer {head}"))
        .call()
        .unwrap();
    let waiting: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(waiting["disposals"], serde_json::json!([]), "{waiting}");
}
