//! 归档 (办法第二十五条) end to end: a closed case's file handed over by its 承办人 and filed by
//! the 档案管理员 — refused, by rule, while its path's documents are missing or unfinished; the
//! thirty days a deadline until filed; a 档号 of its series; each step by the account that
//! holds it; the projection the log rebuilds.

use crate::cases::{HOUR, T0, act, command, ctx, on_site, open};
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{Value, json};

fn ok(r: &Resp, what: &str) -> Value {
    assert!(r.status.is_success(), "{what}: {} {}", r.status, String::from_utf8_lossy(&r.body));
    r.json()
}

fn codes(r: &Resp) -> Vec<String> {
    r.json()["error"]["violations"]
        .as_array()
        .map(|vs| {
            vs.iter().map(|v| format!("{} {}", v["rule"].as_str().unwrap(), v["detail"].as_str().unwrap())).collect()
        })
        .unwrap_or_default()
}

/// The SHA-256 of the first PDF of the file's 卷内目录.
async fn view_pdf(c: &crate::cases::Ctx, archive: &str, token: &str) -> String {
    let view = ok(&c.app.get(archive, Some(token)).await, "view");
    view["toc"]["lines"][0]["pdf_sha256"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_closed_inspection_is_handed_over_and_filed_once_its_file_is_complete() {
    let c = ctx().await;
    let id =
        ok(&open(&c.app, &c.token, "栗街检〔2026〕71号", "群众投诉").await, "open")["id"].as_str().unwrap().to_string();
    let archive = format!("/api/cases/{id}/archive");
    let admin = c.app.login_admin().await;
    let archivist = c.app.account(&admin, "dangan", "archivist").await;
    // The 负责人 is no 承办人 of the case: the handover is not theirs.
    let r = c.app.post_as(&archive, &c.token, &json!({"action": "hand_over"})).await;
    assert_eq!((r.status, r.json()["error"]["code"].clone()), (StatusCode::FORBIDDEN, json!("NOT_YOUR_STEP")));
    let r = command(&c.app, &c.token, &id, 1, on_site(act(&[&c.a, &c.b], true, false))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    // Not closed: nothing to hand over.
    let r = c.app.post_as(&archive, &c.staff.handler, &json!({"action": "hand_over"})).await;
    assert_eq!((r.status, r.json()["error"]["code"].clone()), (StatusCode::CONFLICT, json!("INVALID_STATE")));
    for (v, s) in [json!({"type": "notify_result", "at": T0 + HOUR}), json!({"type": "close", "at": T0 + 2 * HOUR})]
        .into_iter()
        .enumerate()
    {
        let r = command(&c.app, &c.token, &id, v as u64 + 2, s).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    }
    // The thirty days run from closing (calendar days, R-150): a deadline of the case.
    let view = ok(&c.app.get(&archive, Some(&c.staff.handler)).await, "view");
    assert_eq!(view["state"], "open");
    assert_eq!(view["closed_at"], T0 + 2 * HOUR);
    let due = view["due"].as_i64().unwrap();
    assert_eq!(
        liuhen_core::time::Timestamp(due).shanghai_date().to_string(),
        "2026-12-25",
        "2026-11-25 + 30 days is a Friday"
    );
    let listed = ok(&c.app.get("/api/deadlines?code=T-ARC", Some(&c.token)).await, "deadlines");
    let rows: Vec<&Value> = listed["deadlines"].as_array().unwrap().iter().filter(|d| d["case_id"] == id).collect();
    assert_eq!(rows.len(), 1, "{listed}");
    assert_eq!((&rows[0]["due"], &rows[0]["source"]), (&json!(due), &json!("办法第二十五条")));
    // The path took a 检查结果告知 (notify_result): its 告知书 must be in the file.
    let problems: Vec<&str> =
        view["problems"].as_array().unwrap().iter().map(|p| p["detail"].as_str().unwrap()).collect();
    assert_eq!(problems, ["缺少《行政检查结果告知书》（D52）"], "{view}");
    // Filing before the handover is refused; the handover is refused with what is missing.
    let r = c.app.post_as(&archive, &archivist, &json!({"action": "file"})).await;
    assert_eq!(r.json()["error"]["code"], "INVALID_STATE", "{}", String::from_utf8_lossy(&r.body));
    let r = c.app.post_as(&archive, &c.staff.handler, &json!({"action": "hand_over", "note": "材料齐全"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&r), ["R-152 缺少《行政检查结果告知书》（D52）"]);
    // Drafted and finalised, but not issued under the seal: still refused.
    let body = json!({"code": "D52", "fields": {"party": "某某超市", "findings": "未发现违法行为",
        "measures": "无", "rights": "如不服可申请行政复议或提起行政诉讼"}});
    let doc = ok(&c.app.post_as(&format!("/api/cases/{id}/documents"), &c.staff.handler, &body).await, "D52");
    let doc_id = doc["id"].as_str().unwrap().to_string();
    ok(&c.app.document_command(&c.staff.handler, &doc_id, &json!({"type": "finalise"})).await, "finalise");
    let r = c.app.post_as(&archive, &c.staff.handler, &json!({"action": "hand_over"})).await;
    assert_eq!(codes(&r), ["R-152 《行政检查结果告知书》已定稿但未盖章签发"]);
    ok(&c.app.document_command(&c.token, &doc_id, &json!({"type": "issue"})).await, "issue");
    // The archivist does not hand over; an officer who does not handle the case does not see it.
    let r = c.app.post_as(&archive, &archivist, &json!({"action": "hand_over"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", String::from_utf8_lossy(&r.body));
    let stranger = c.app.account_for("wairen", "officer", &c.expired).await;
    let r = c.app.post_as(&archive, &stranger, &json!({"action": "hand_over"})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A recording of the on-site act, linked before the file is handed over.
    let recording = crate::av::upload(&c.app, &c.token, "site.mp4", T0, T0 + HOUR, "", "").await;
    let body = json!({"case": id, "records": ["act/0"]});
    ok(&c.app.post_as(&format!("/api/recordings/{recording}/link"), &c.token, &body).await, "link");
    // Handed over by the 承办人, once.
    let handed = ok(
        &c.app.post_as(&archive, &c.staff.handler, &json!({"action": "hand_over", "note": "材料齐全"})).await,
        "hand over",
    );
    assert_eq!((&handed["state"], &handed["handed_over"]["name"]), (&json!("handed_over"), &json!("王明")));
    let r = c.app.post_as(&archive, &c.staff.handler, &json!({"action": "hand_over"})).await;
    assert_eq!(r.json()["error"]["code"], "DUPLICATE");
    // The archivist's 待归档 list names it; an officer has no such list.
    let waiting = ok(&c.app.get("/api/archive/files", Some(&archivist)).await, "files");
    assert_eq!(waiting["files"][0]["case_no"], "栗街检〔2026〕71号", "{waiting}");
    assert_eq!(c.app.get("/api/archive/files", Some(&c.staff.handler)).await.status, StatusCode::FORBIDDEN);
    // Filing is the archivist's: not the 负责人's; a retention not in the table is bad input.
    let r = c.app.post_as(&archive, &c.token, &json!({"action": "file"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c.app.post_as(&archive, &archivist, &json!({"action": "file", "retention": "D5"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&r.body));
    // The office's archive settings (办法第二十四条): its 全宗号 and its retention table, where
    // no kind may be kept shorter than its least, and months a loose recording is kept.
    let profile = |retention: Value, months: u32| {
        json!({"name": "迁西县栗乡街道办事处", "uscc": "11130227MB0000000J", "review_organ": "迁西县人民政府",
            "court": "迁西县人民法院", "seals": [{"kind": "行政执法专用章", "valid_from": "2020-01-01", "valid_to": "2030-12-31"}],
            "fonds": "LX01", "retention": retention, "unlinked_months": months})
    };
    let put = |body: Value| {
        let app = &c.app;
        let token = c.token.clone();
        async move { app.put_as("/api/agency", &token, &body).await }
    };
    let r = put(profile(json!({"ordinary_penalty": "D30"}), 6)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(codes(&r), ["R-153 该类案卷保管期限不得短于永久"]);
    assert_eq!(put(profile(json!({}), 5)).await.status, StatusCode::BAD_REQUEST, "under six months");
    ok(&put(profile(json!({"inspection": "D30"}), 12)).await, "profile");
    // The 四性检测 at filing reads the file as stored: the 告知书's PDF changed on disk
    // behind the log's back is refused by item; put back, it passes.
    let pdf = view_pdf(&c, &archive, &archivist).await;
    let blob = c.app.data.blobs_dir().join(format!("sha256/{}/{}/{pdf}", &pdf[0..2], &pdf[2..4]));
    let genuine = std::fs::read(&blob).unwrap();
    let mut changed = genuine.clone();
    let mid = changed.len() / 2;
    changed[mid] ^= 0x01;
    std::fs::write(&blob, &changed).unwrap();
    let r = c.app.post_as(&archive, &archivist, &json!({"action": "file"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&r.body));
    let refused = codes(&r);
    assert!(refused.iter().any(|c| c.starts_with("R-154 ZS-1") && c.contains("与日志所载摘要不符")), "{refused:?}");
    assert!(refused.iter().any(|c| c.starts_with("R-154 ZS-6")), "the seal no longer covers it: {refused:?}");
    std::fs::write(&blob, &genuine).unwrap();
    // Filed at the server's clock (2027-06), long after the thirty days: taken, the lateness a
    // defect in its 备考表; numbered in the office's 全宗, kept as its table says.
    let filed = ok(&c.app.post_as(&archive, &archivist, &json!({"action": "file"})).await, "file");
    let f = &filed["filed"];
    assert_eq!(
        (&f["archive_no"], &f["retention"], &f["on_time"]),
        (&json!("LX01-2027-D30-0001"), &json!("D30"), &json!(false))
    );
    // Its 四性检测 at filing is the file's: every item passed but the virus scan, not run.
    let check = &filed["checked"];
    assert_eq!((&check["link"], &check["passed"]), (&json!("filing"), &json!(true)), "{filed}");
    let results: Vec<(&str, &str)> = check["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["code"].as_str().unwrap(), i["result"].as_str().unwrap()))
        .collect();
    assert!(results.iter().all(|(c, r)| *r == "pass" || (*c == "AQ-2" && *r == "not-run")), "{results:?}");
    let notes: Vec<&str> =
        f["remarks"]["notes"].as_array().unwrap().iter().map(|n| n["rule"].as_str().unwrap()).collect();
    // The case's own defects are noted first (here R-120b, as the inspection recorded it).
    let case = ok(&c.app.get(&format!("/api/cases/{id}"), Some(&c.token)).await, "case");
    let mut expected: Vec<&str> =
        case["data"]["defects"].as_array().unwrap().iter().map(|d| d["rule"].as_str().unwrap()).collect();
    expected.push("R-150");
    assert_eq!(notes, expected);
    assert_eq!(f["toc"]["lines"][0]["title"], "行政检查结果告知书");
    assert_eq!((&f["toc"]["lines"][0]["page_from"], &f["remarks"]["filer"]), (&json!(1), &json!("王明")));
    let r = c.app.post_as(&archive, &archivist, &json!({"action": "file"})).await;
    assert_eq!(r.json()["error"]["code"], "DUPLICATE");
    // Filed: no longer a deadline; on the filed list.
    let listed = ok(&c.app.get("/api/deadlines?code=T-ARC", Some(&c.token)).await, "deadlines");
    assert!(!listed["deadlines"].as_array().unwrap().iter().any(|d| d["case_id"] == id), "{listed}");
    let done = ok(&c.app.get("/api/archive/files?state=filed", Some(&archivist)).await, "filed");
    assert_eq!(done["files"][0]["archive_no"], "LX01-2027-D30-0001");
    // 保管期限: a file of 2027 kept thirty years is kept to the end of 2057 (DA/T 22-2015); it
    // is listed once that day is within the horizon asked, not before.
    assert_eq!(f["keep_until"], "2057-12-31");
    let soon = ok(&c.app.get("/api/archive/retention?days=365", Some(&archivist)).await, "retention");
    assert_eq!(soon["files"], json!([]), "{soon}");
    let later = ok(&c.app.get("/api/archive/retention?days=11200", Some(&archivist)).await, "retention");
    assert_eq!(
        (&later["files"][0]["keep_until"], &later["files"][0]["expired"]),
        (&json!("2057-12-31"), &json!(false))
    );
    let r = c.app.get("/api/archive/retention?days=-1", Some(&archivist)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A change after filing is a new 备考 entry by the archivist, the file as filed untouched.
    let note = |token: &str, text: &str| {
        let (app, path, token) = (&c.app, archive.clone(), token.to_string());
        let body = json!({"action": "note", "note": text});
        async move { app.post_as(&path, &token, &body).await }
    };
    assert_eq!(note(&c.staff.handler, "后补现场照片两张").await.status, StatusCode::FORBIDDEN);
    assert_eq!(note(&archivist, "无").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let noted = ok(&note(&archivist, "后补现场照片两张，见第 2 号备考").await, "note");
    assert_eq!(noted["later_notes"][0]["note"], "后补现场照片两张，见第 2 号备考");
    assert_eq!(noted["filed"], filed["filed"], "the file as filed is untouched");
    // A legal hold (办法第二十六条): the 负责人's, with a reason; while it stands, the file's
    // recording is not disposed of even after its retention has run out; lifted, it may be.
    let hold = |token: &str, action: &str, reason: &str| {
        let (app, path, token) = (&c.app, archive.clone(), token.to_string());
        let body = json!({"action": action, "reason": reason});
        async move { app.post_as(&path, &token, &body).await }
    };
    let r = hold(&archivist, "hold", "当事人就本案提起行政诉讼").await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(hold(&c.token, "hold", "无").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(hold(&c.token, "release", "没有保全可解除").await.json()["error"]["code"], "INVALID_STATE");
    let held = ok(&hold(&c.token, "hold", "当事人就本案提起行政诉讼").await, "hold");
    assert_eq!(held["hold"]["name"], "周主任");
    assert_eq!(hold(&c.token, "hold", "当事人就本案提起行政诉讼").await.json()["error"]["code"], "DUPLICATE");
    c.app.clock.set(liuhen_core::time::Date::parse("2058-01-02").unwrap().start().plus_hours(9).0);
    let request = json!({"step": "request", "reason": "保管期限届满，经鉴定无保存价值"});
    let disposal = format!("/api/recordings/{recording}/disposal");
    let r = c.app.post_as(&disposal, &archivist, &request).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&r.body));
    assert!(
        r.json()["error"]["message"].as_str().unwrap().contains("已依法保全（当事人就本案提起行政诉讼）"),
        "{}",
        r.json()
    );
    let released = ok(&hold(&c.token, "release", "人民法院判决已生效").await, "release");
    assert!(released["hold"].is_null() && released["released"]["reason"] == "人民法院判决已生效", "{released}");
    ok(&c.app.post_as(&disposal, &archivist, &request).await, "requested once the hold is lifted");
    // What the log says is what the tables hold: the file, the 档号 in the register, the deadlines.
    let checker = liuhen_server::app::App::new(c.app.store.clone(), liuhen_store::Blobs::in_memory());
    assert_eq!(checker.check_integrity().await.unwrap().problems, Vec::<String>::new());
}

/// The "done when": an ordinary penalty, taken to closure through the API, its file
/// made complete, handed over by its 承办人 and filed by the 档案管理员; its package (as
/// `liuhen export case` writes it) validates with Python's `bagit` and its own `check.py`, and
/// passes the 四性检测.
#[tokio::test]
async fn an_ordinary_penalty_is_filed_and_its_package_validates_with_bagit() {
    use crate::cases::{day, decided_and_served, ordinary_to_notice, run};
    let c = ctx().await;
    let (id, mut v) = ordinary_to_notice(&c, "栗街罚〔2026〕31号", false).await;
    run(&c, &id, &mut v, decided_and_served(&c)).await;
    let end = [
        json!({"type": "pay", "at": day("2026-08-25"), "receipt_no": "BANK-20260825-7"}),
        json!({"type": "close", "at": day("2026-08-26")}),
    ];
    run(&c, &id, &mut v, end).await;
    let archive = format!("/api/cases/{id}/archive");
    let admin = c.app.login_admin().await;
    let archivist = c.app.account(&admin, "dangan", "archivist").await;
    // What the path it took requires and it lacks: each document by rule, the sealed ones
    // issued under the seal.
    let view = ok(&c.app.get(&archive, Some(&c.staff.handler)).await, "view");
    let missing: Vec<String> = view["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["detail"].as_str()?.rsplit_once('（').map(|(_, c)| c.trim_end_matches('）').to_string()))
        .collect();
    assert!(!missing.is_empty(), "{view}");
    let r = c.app.post_as(&archive, &c.staff.handler, &json!({"action": "hand_over"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let catalogue = ok(&c.app.get("/api/document-catalogue", Some(&c.staff.handler)).await, "catalogue");
    for code in &missing {
        let form = catalogue.as_array().unwrap().iter().find(|f| f["code"] == code.as_str()).unwrap().clone();
        let fields = match code.as_str() {
            "D36" => form_fields(code),
            _ => crate::documents::filled(&form, code),
        };
        let body = json!({"code": code, "fields": fields});
        let d = ok(&c.app.post_as(&format!("/api/cases/{id}/documents"), &c.staff.handler, &body).await, code);
        let doc = d["id"].as_str().unwrap().to_string();
        ok(&c.app.document_command(&c.staff.handler, &doc, &json!({"type": "finalise"})).await, "finalise");
        if form["sealed"] == true {
            ok(&c.app.document_command(&c.token, &doc, &json!({"type": "issue"})).await, "issue");
        }
    }
    // The approval forms, approved by their own accounts along the way, are finalised too.
    let view = ok(&c.app.get(&archive, Some(&c.staff.handler)).await, "view");
    for line in view["toc"]["lines"].as_array().unwrap().iter().filter(|l| l["state"] == "draft") {
        let doc = line["document"].as_str().unwrap();
        ok(&c.app.document_command(&c.staff.handler, doc, &json!({"type": "finalise"})).await, "finalise");
    }
    let view = ok(&c.app.get(&archive, Some(&c.staff.handler)).await, "view");
    assert_eq!(view["problems"], json!([]), "{view}");
    ok(&c.app.post_as(&archive, &c.staff.handler, &json!({"action": "hand_over"})).await, "hand over");
    let filed = ok(&c.app.post_as(&archive, &archivist, &json!({"action": "file"})).await, "file");
    // An ordinary penalty is kept permanently.
    assert_eq!(filed["filed"]["retention"], "Y", "{filed}");
    let lines = filed["filed"]["toc"]["lines"].as_array().unwrap().len();
    assert!(lines >= missing.len(), "{filed}");
    // The office puts its 页号 at the foot, centred.
    let profile = json!({"name": "迁西县栗乡街道办事处", "uscc": "11130227MB0000000J", "review_organ": "迁西县人民政府",
        "court": "迁西县人民法院", "seals": [{"kind": "行政执法专用章", "valid_from": "2020-01-01", "valid_to": "2030-12-31"}],
        "page_number_position": "bottom_center"});
    ok(&c.app.put_as("/api/agency", &c.token, &profile).await, "profile");
    // Exported at the console as the archivist, the server stopped.
    let console = c.app.console();
    let user = liuhen_store::ProjectionReads::user_by_username(&c.app.store, "dangan").await.unwrap();
    let log_pub = std::fs::read_to_string(c.app.data.public_keys_path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let bag = out.path().join("bag");
    // The 四性检测 the CLI runs on what it wrote: the independent verifier's.
    let keys = liuhen_verify::parse_keys(&log_pub).unwrap();
    let four = |dir: &std::path::Path| {
        let items = liuhen_verify::bag::four_properties(dir, Some(&keys));
        Value::Array(
            items.iter().map(|i| json!({"code": i.code, "result": i.result.code(), "detail": i.detail})).collect(),
        )
    };
    let done = console
        .export_case_bag(&user, &id, ("移交档案室", "迁西县档案馆"), &log_pub, (&bag, None), &four)
        .await
        .unwrap();
    let items = done.checked.as_array().unwrap();
    assert!(items.len() > 10 && items.iter().all(|i| i["result"] != "fail"), "{}", done.checked);
    let bagit = std::process::Command::new("python3").args(["-m", "bagit", "--validate"]).arg(&bag).output().unwrap();
    assert!(bagit.status.success(), "{}", String::from_utf8_lossy(&bagit.stderr));
    let check = std::process::Command::new("python3").arg(bag.join("data/check.py")).arg(&bag).output().unwrap();
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    // Every document of the file is in it, the 决定书 with its seal.
    let documents: Vec<String> = std::fs::read_dir(bag.join("data/documents"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        documents.iter().any(|n| n.ends_with("-D36.pdf")) && documents.iter().any(|n| n.ends_with("-D36.seal.der")),
        "{documents:?}"
    );
    let meta = std::fs::read_to_string(bag.join("data/metadata.xml")).unwrap();
    assert!(meta.contains("<档号>0001-2027-Y-0001</档号>") && meta.contains("<行为>archive.filed</行为>"), "{meta}");
    // The 案卷 in one PDF: 卷内目录, the documents' pages numbered on, 备考表.
    let volume = bag.join("data/案卷.pdf");
    let info = std::process::Command::new("pdfinfo").arg(&volume).output().unwrap();
    let pages: u64 = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .unwrap();
    let numbered = filed["filed"]["toc"]["lines"].as_array().unwrap().last().unwrap()["page_to"].as_u64().unwrap();
    assert_eq!(pages, numbered + 2, "目录, every numbered page, 备考表");
    let text = std::process::Command::new("pdftotext").arg(&volume).arg("-").output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("卷内目录") && text.contains("0001-2027-Y-0001") && text.contains("备考表"), "{text}");
    // 页号 1 on the first document's page, at the foot, centred, as the office placed it.
    let boxes = std::process::Command::new("pdftotext")
        .args(["-bbox", "-f", "2", "-l", "2"])
        .arg(&volume)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&boxes.stdout).to_string();
    let attr = |s: &str, k: &str| -> f64 {
        s.split(&format!("{k}=\"")).nth(1).and_then(|r| r.split('"').next()).and_then(|n| n.parse().ok()).unwrap()
    };
    let (w, h) = (attr(&html, "width"), attr(&html, "height"));
    let placed = html.split("<word ").skip(1).any(|word| {
        word.contains(">1</word>") && (0.4 * w..0.6 * w).contains(&attr(word, "xMin")) && attr(word, "yMin") > 0.9 * h
    });
    assert!(placed, "{html}");
}

/// 销毁 (办法第二十四条、第二十六条): refused while held — its case open, or six months not run for
/// a recording of no case; requested by the 档案管理员 with a reason, approved by two 负责人 other
/// than the requester, each by their own account; then only the bytes go, the record stays.
#[tokio::test]
async fn a_recording_is_disposed_of_only_when_not_held_and_approved_by_two_heads() {
    let c = ctx().await;
    let admin = c.app.login_admin().await;
    let archivist = c.app.account(&admin, "dangan", "archivist").await;
    let second_head = c.app.account(&admin, "fuzhuren", "approver").await;
    let id =
        ok(&open(&c.app, &c.token, "栗街检〔2026〕72号", "群众投诉").await, "open")["id"].as_str().unwrap().to_string();
    let r = command(&c.app, &c.token, &id, 1, on_site(act(&[&c.a, &c.b], true, false))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let linked = crate::av::upload(&c.app, &c.token, "a.mp4", T0, T0 + HOUR, "", "").await;
    let body = json!({"case": id, "records": ["act/0"]});
    ok(&c.app.post_as(&format!("/api/recordings/{linked}/link"), &c.token, &body).await, "link");
    let dispose = |rec: &str, token: &str, body: Value| {
        let (app, path) = (&c.app, format!("/api/recordings/{rec}/disposal"));
        let token = token.to_string();
        async move { app.post_as(&path, &token, &body).await }
    };
    let request = json!({"step": "request", "reason": "保管期限届满，经鉴定无保存价值"});
    // Held with its case, which is not closed.
    let r = dispose(&linked, &archivist, request.clone()).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("尚未结案"), "{}", r.json());
    // A recording of no case is kept six months from when it was stored.
    let loose = crate::av::upload(&c.app, &c.token, "b.mp4", T0, T0 + HOUR, "", "").await;
    let stored = liuhen_store::ProjectionReads::recording(&c.app.store, &loose).await.unwrap();
    c.app.clock.set(stored.created_at_ms + 30 * 24 * HOUR);
    let r = dispose(&loose, &archivist, request.clone()).await;
    assert!(r.json()["error"]["message"].as_str().unwrap().contains("至少保存六个月"), "{}", r.json());
    c.app.clock.set(stored.created_at_ms + 184 * 24 * HOUR);
    // Not an officer's to ask; not without a reason.
    assert_eq!(dispose(&loose, &c.staff.handler, request.clone()).await.status, StatusCode::FORBIDDEN);
    let r = dispose(&loose, &archivist, json!({"step": "request", "reason": "无"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    ok(&dispose(&loose, &archivist, request.clone()).await, "request");
    // The archivist does not approve; the same 负责人 approves once; the bytes stay until a
    // second one does.
    let approve = json!({"step": "approve"});
    assert_eq!(dispose(&loose, &archivist, approve.clone()).await.json()["error"]["code"], "NOT_YOUR_STEP");
    let once = ok(&dispose(&loose, &c.token, approve.clone()).await, "first approval");
    assert_eq!(once["disposal"]["approvals"].as_array().unwrap().len(), 1);
    // 销毁审批: the request waits on the list, with who asked and why, and nothing holding it;
    // an officer has no such list.
    let waiting = ok(&c.app.get("/api/archive/disposals", Some(&c.token)).await, "disposals");
    let row = &waiting["disposals"][0];
    assert_eq!((&row["recording"], &row["held"]), (&json!(loose), &Value::Null), "{waiting}");
    assert_eq!(row["disposal"]["requested"]["reason"], "保管期限届满，经鉴定无保存价值");
    assert_eq!(c.app.get("/api/archive/disposals", Some(&c.staff.handler)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(dispose(&loose, &c.token, approve.clone()).await.json()["error"]["code"], "DUPLICATE");
    let sha = liuhen_log::Hash::from_hex(&stored.sha256).unwrap();
    let blobs = liuhen_store::Blobs::local(&c.app.data.blobs_dir()).unwrap();
    assert!(blobs.get(&sha).await.is_ok(), "the bytes stay until the second approval");
    let done = ok(&dispose(&loose, &second_head, approve.clone()).await, "second approval");
    assert!(done["disposal"]["disposed"]["at"].is_i64(), "{done}");
    assert!(blobs.get(&sha).await.is_err(), "the bytes are gone");
    assert_eq!(dispose(&loose, &second_head, approve).await.json()["error"]["code"], "DUPLICATE");
    let waiting = ok(&c.app.get("/api/archive/disposals", Some(&archivist)).await, "disposals");
    assert_eq!(waiting["disposals"], json!([]), "no longer waiting");
    let gone = ok(&c.app.get("/api/archive/disposals?state=disposed", Some(&archivist)).await, "disposed");
    assert_eq!(gone["disposals"][0]["sha256"], json!(stored.sha256));
    // The record stays: the entries, the hash, who asked and who approved.
    let n = liuhen_store::Log::tree_size(&c.app.store);
    let entries = liuhen_store::Log::entries(&c.app.store, 0, n).await.unwrap();
    let steps: Vec<String> = entries
        .iter()
        .map(|e| String::from_utf8_lossy(e).to_string())
        .filter(|e| e.contains("\"recording.disposal\"") && e.contains(&loose))
        .collect();
    assert_eq!(steps.len(), 4, "requested, approved twice, disposed: {steps:?}");
    assert!(steps[3].contains(&stored.sha256), "the disposal names the blob");
    // The tables are what the log says.
    let checker = liuhen_server::app::App::new(c.app.store.clone(), liuhen_store::Blobs::in_memory());
    assert_eq!(checker.check_integrity().await.unwrap().problems, Vec::<String>::new());
}

/// 完整性巡检: every stored file re-hashed; a changed byte, a shortened file, a file gone and a
/// file no entry names are each classed and named, the pass logged, and the alarm served to the
/// 档案管理员 (not to an officer).
#[tokio::test]
async fn the_fixity_pass_names_changed_shortened_missing_and_untracked_files() {
    let c = ctx().await;
    let admin = c.app.login_admin().await;
    let archivist = c.app.account(&admin, "dangan", "archivist").await;
    let mut shas = Vec::new();
    for (name, size) in [("a.mp4", 40_000), ("b.mp4", 50_000), ("c.mp4", 60_000)] {
        // Each of its own bytes (a blob is kept once by its hash).
        use crate::uploads::{b64, content, create, header, patch, send};
        let data = content(size);
        let meta = format!(
            "filename {},started_at {},ended_at {}",
            b64(name),
            b64(&T0.to_string()),
            b64(&(T0 + HOUR).to_string())
        );
        let a = create(&c.app.router, &c.token, data.len() as u64, &meta).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let a =
            send(&c.app.router, patch(&header(&a, "location"), &c.token, 0, axum::body::Body::from(data), None)).await;
        let id = header(&a, "liuhen-recording");
        shas.push(liuhen_store::ProjectionReads::recording(&c.app.store, &id).await.unwrap().sha256);
    }
    let mut checker = None;
    let router = c.app.router_with(|s| checker = Some(s.app.clone()));
    let checker = checker.unwrap();
    assert_eq!(c.app.get_from(&router, "/api/fixity", &archivist).await.json()["checked"], false);
    let first = checker.check_fixity().await.unwrap();
    assert!(first.ok() && first.checked >= 3, "{} {:?}", first.checked, first.failures);
    let path = |hex: &str| c.app.data.blobs_dir().join(format!("sha256/{}/{}/{hex}", &hex[0..2], &hex[2..4]));
    // A byte changed, a file cut short, a file gone, a file put beside them.
    let mut bytes = std::fs::read(path(&shas[0])).unwrap();
    bytes[100] ^= 1;
    std::fs::write(path(&shas[0]), &bytes).unwrap();
    let cut = std::fs::read(path(&shas[1])).unwrap();
    std::fs::write(path(&shas[1]), &cut[..cut.len() - 10]).unwrap();
    std::fs::remove_file(path(&shas[2])).unwrap();
    let stray = "ab".repeat(32);
    std::fs::create_dir_all(path(&stray).parent().unwrap()).unwrap();
    std::fs::write(path(&stray), b"not named by the log").unwrap();
    let second = checker.check_fixity().await.unwrap();
    let mut found: Vec<(String, String)> = second
        .failures
        .iter()
        .map(|f| (f["sha256"].as_str().unwrap().to_string(), f["class"].as_str().unwrap().to_string()))
        .collect();
    found.sort();
    let mut expected = vec![
        (shas[0].clone(), "changed".to_string()),
        (shas[1].clone(), "size".to_string()),
        (shas[2].clone(), "missing".to_string()),
        (stray.clone(), "untracked".to_string()),
    ];
    expected.sort();
    assert_eq!(found, expected);
    // Logged, with the failing hashes only.
    let n = liuhen_store::Log::tree_size(&c.app.store);
    let last = liuhen_store::Log::entries(&c.app.store, second.entry, n).await.unwrap();
    let text = String::from_utf8_lossy(&last[0]).to_string();
    assert!(text.contains("\"fixity.checked\"") && text.contains(&shas[2]) && text.contains("\"failed\":4"), "{text}");
    // The alarm: the archivist reads it; an officer may not.
    let served = c.app.get_from(&router, "/api/fixity", &archivist).await.json();
    assert_eq!((&served["checked"], &served["ok"]), (&json!(true), &json!(false)), "{served}");
    assert_eq!(served["failures"].as_array().unwrap().len(), 4);
    assert_eq!(c.app.get_from(&router, "/api/fixity", &c.staff.handler).await.status, StatusCode::FORBIDDEN);
}
