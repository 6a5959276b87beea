//! 音像记录 in their cases: linked to the case's records and the catalogue (办法第十八条),
//! coverage of what had to be recorded whole (R-140, 办法第十九条), interruptions and their
//! explanations (R-143, 办法第二十二条), the 24-hour overdue list (办法第二十三条), search by
//! device, officer, cause and unit (办法第二十四条) — all rebuilt from the log.

use crate::helpers::*;
use crate::uploads::{b64, content, create, header, patch, send, sm3_of};
use axum::body::Body;
use axum::http::StatusCode;
use liuhen_server::LogAccess;
use liuhen_store::{Log as _, ProjectionReads as _};
use serde_json::{Value, json};

const MIN: i64 = 60_000;

/// Uploads a small recording from `from` to `to` (ms) made with `device` by `officers`; its id.
pub(crate) async fn upload(
    app: &TestApp,
    token: &str,
    name: &str,
    from: i64,
    to: i64,
    device: &str,
    officers: &str,
) -> String {
    let data = content(64 << 10);
    let meta = format!(
        "filename {},started_at {},ended_at {},device {},officers {}",
        b64(name),
        b64(&from.to_string()),
        b64(&to.to_string()),
        b64(device),
        b64(officers)
    );
    let a = create(&app.router, token, data.len() as u64, &meta).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let a = send(&app.router, patch(&header(&a, "location"), token, 0, Body::from(data), None)).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    header(&a, "liuhen-recording")
}

fn rules(v: &Value, record: &str) -> Vec<String> {
    let r = v["records"].as_array().unwrap().iter().find(|r| r["record"] == record).unwrap();
    r["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect()
}

/// 王明 and 李华, registered with valid certificates; their ids.
pub async fn two_officers(app: &TestApp, head: &str) -> Vec<String> {
    let mut officers = Vec::new();
    for (name, cert) in [("王明", "13020001"), ("李华", "13020002")] {
        let body =
            json!({"name": name, "cert_no": cert, "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"});
        officers.push(app.post_as("/api/officers", head, &body).await.json()["id"].as_str().unwrap().to_string());
    }
    officers
}

/// A special inspection of `matter` opened by `head`, with its on-site record (`act/0`) made by
/// `officers` at `t0`; its id.
async fn inspected_at(
    app: &TestApp,
    head: &str,
    case_no: &str,
    matter: &str,
    place: &str,
    officers: &[String],
    t0: i64,
) -> String {
    let body = json!({"case_no": case_no, "matter": matter, "kind": "special", "basis": "专项检查方案",
        "source": "inspection", "reason": "专项检查", "received_at": t0 - 3_600_000});
    let case = app.post_as("/api/cases/inspections", head, &body).await.json()["id"].as_str().unwrap().to_string();
    let act = json!({"type": "record_on_site", "act": {"at": t0, "place": place, "recording_announced": true,
        "problems_found": false, "summary": "未发现问题",
        "officers": officers.iter().map(|o| json!({"officer_id": o, "id_shown_at": t0})).collect::<Vec<_>>()}});
    let r = app
        .post_as(&format!("/api/cases/{case}/commands"), head, &json!({"expected_version": 1, "command": act}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    case
}

/// 办法第二十三条's overdue list pages as every list does: earliest due first, `limit` rows and
/// an opaque `next_cursor`, every overdue act once across the pages; a bad limit or cursor is 400.
#[tokio::test]
async fn the_overdue_list_pages_earliest_due_first() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let officers = two_officers(&app, &head).await;
    let matter = json!({"code": "I-011", "name": "消防安全现场检查", "kind": "inspection",
        "legal_basis": "《消防法》第五十三条", "av_mandatory": true});
    assert_eq!(app.post_as("/api/matters", &head, &matter).await.status, StatusCode::CREATED);
    let t0 = 1_795_568_400_000_i64;
    let mut cases = Vec::new();
    for i in 0..5 {
        let no = format!("栗街检〔2026〕{}号", 40 + i);
        // Opened in an order other than their acts' times.
        let at = t0 + ((i * 3) % 5) as i64 * 3_600_000;
        cases.push((at, inspected_at(&app, &head, &no, "消防安全现场检查", "某商场", &officers, at).await));
    }
    cases.sort();
    let (mut seen, mut cursor, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let url = match &cursor {
            None => "/api/av/overdue?limit=2".to_string(),
            Some(c) => format!("/api/av/overdue?limit=2&cursor={c}"),
        };
        let page = app.get(&url, Some(&head)).await.json();
        let rows = page["overdue"].as_array().unwrap();
        assert!(rows.len() <= 2, "{page}");
        seen.extend(rows.iter().map(|o| (o["due"].as_i64().unwrap(), o["case"].as_str().unwrap().to_string())));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert!(pages >= 3, "{pages} pages");
    let dues: Vec<i64> = seen.iter().map(|(d, _)| *d).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "earliest due first: {dues:?}");
    let ids: Vec<String> = seen.into_iter().map(|(_, c)| c).collect();
    assert_eq!(ids, cases.into_iter().map(|(_, c)| c).collect::<Vec<_>>());
    for bad in ["limit=0", "limit=501", "cursor=not-a-cursor", "limit=x"] {
        let r = app.get(&format!("/api/av/overdue?{bad}"), Some(&head)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// 办法第十九条、第二十三条: the 24-hour deadline follows the 权责清单 — a matter marked for whole
/// recording after its cases' acts makes those acts overdue, and unmarking it clears them.
#[tokio::test]
async fn a_matter_marked_for_whole_recording_later_makes_its_past_acts_overdue() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let officers = two_officers(&app, &head).await;
    let matter = |mandatory: bool| {
        json!({"code": "I-010", "name": "燃气安全现场检查", "kind": "inspection",
            "legal_basis": "《城镇燃气管理条例》第四十一条", "av_mandatory": mandatory})
    };
    assert_eq!(app.post_as("/api/matters", &head, &matter(false)).await.status, StatusCode::CREATED);
    let t0 = 1_795_568_400_000_i64;
    let case = inspected_at(&app, &head, "栗街检〔2026〕32号", "燃气安全现场检查", "某餐馆后厨", &officers, t0).await;
    let overdue_here = |v: Value| {
        v["overdue"].as_array().unwrap().iter().any(|o| o["case"] == case.as_str() && o["record"] == "act/0")
    };
    // Not a matter to record whole, nothing touching liberty or property: nothing owed.
    assert!(!overdue_here(app.get("/api/av/overdue", Some(&head)).await.json()));
    // The 权责清单 now says it must be: the act is overdue, in the list and among the deadlines.
    assert_eq!(app.post_as("/api/matters", &head, &matter(true)).await.status, StatusCode::CREATED);
    assert!(overdue_here(app.get("/api/av/overdue", Some(&head)).await.json()));
    let deadlines = app.get("/api/deadlines", Some(&head)).await.json();
    assert!(deadlines.to_string().contains("T-AV"), "{deadlines}");
    // And no longer: cleared.
    assert_eq!(app.post_as("/api/matters", &head, &matter(false)).await.status, StatusCode::CREATED);
    assert!(!overdue_here(app.get("/api/av/overdue", Some(&head)).await.json()));
}

#[tokio::test]
async fn a_mandatory_activity_is_covered_by_its_linked_recordings_with_every_gap_explained() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let officers = two_officers(&app, &head).await;
    // A matter the 权责清单 says must be recorded whole, and an inspection of it.
    let matter = json!({"code": "I-009", "name": "危险化学品现场检查", "kind": "inspection",
        "legal_basis": "《危险化学品安全管理条例》第六条", "av_mandatory": true});
    assert_eq!(app.post_as("/api/matters", &head, &matter).await.status, StatusCode::CREATED);
    let t0 = 1_795_568_400_000_i64;
    let case = inspected_at(&app, &head, "栗街检〔2026〕31号", "危险化学品现场检查", "某化工仓库", &officers, t0).await;

    // Nothing stored yet, more than 24 hours after the act: overdue, and not covered.
    let overdue = app.get("/api/av/overdue", Some(&head)).await.json();
    assert!(
        overdue["overdue"].as_array().unwrap().iter().any(|o| o["case"] == case.as_str() && o["record"] == "act/0"),
        "{overdue}"
    );
    let av = app.get(&format!("/api/cases/{case}/av"), Some(&head)).await.json();
    assert_eq!(rules(&av, "act/0"), ["R-140"], "{av}");

    // Two files from the body camera with ten minutes missing between them.
    let one = upload(&app, &head, "DSJ-001_0001.mp4", t0 - MIN, t0 + 20 * MIN, "DSJ-001", "王明、李华").await;
    let two = upload(&app, &head, "DSJ-001_0002.mp4", t0 + 30 * MIN, t0 + 60 * MIN, "DSJ-001", "王明、李华").await;
    let link = |records: Value| json!({"case": case, "records": records, "activity_ended_at": t0 + 60 * MIN});
    // A record the case does not have, a catalogue item that does not exist: refused.
    let r = app.post_as(&format!("/api/recordings/{one}/link"), &head, &link(json!(["act/7"]))).await;
    assert_eq!(r.json()["error"]["code"], "UNKNOWN_REFERENCE", "{}", String::from_utf8_lossy(&r.body));
    let r = app
        .post_as(
            &format!("/api/recordings/{one}/link"),
            &head,
            &json!({"case": case, "records": ["act/0"], "av_item": "不存在"}),
        )
        .await;
    assert_eq!(r.json()["error"]["code"], "UNKNOWN_REFERENCE");
    let r = app.post_as(&format!("/api/recordings/{one}/link"), &head, &link(json!(["act/0"]))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["case_id"], case.as_str());
    // The first file alone leaves the last forty minutes uncovered.
    let av = app.get(&format!("/api/cases/{case}/av"), Some(&head)).await.json();
    assert_eq!(rules(&av, "act/0"), ["R-140"], "{av}");
    assert!(av.to_string().contains("无音像记录"), "{av}");
    assert!(
        app.get("/api/av/overdue", Some(&head)).await.json()["overdue"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["case"] != case.as_str())
    );
    app.post_as(&format!("/api/recordings/{two}/link"), &head, &link(json!(["act/0"]))).await;
    // Both: the ten-minute hole is still a gap until it is recorded as an interruption.
    let av = app.get(&format!("/api/cases/{case}/av"), Some(&head)).await.json();
    assert_eq!(rules(&av, "act/0"), ["R-140"], "{av}");
    // Recorded, written by one officer only: no longer a gap, but not explained (R-143).
    let gap = json!({"from": t0 + 20 * MIN, "to": t0 + 30 * MIN, "cause": "设备故障",
        "written": "执法记录仪电池故障，更换备用电池", "signed_by": [officers[0]]});
    let r = app.post_as(&format!("/api/recordings/{one}/interruptions"), &head, &gap).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let av = app.get(&format!("/api/cases/{case}/av"), Some(&head)).await.json();
    assert_eq!(rules(&av, "act/0"), ["R-143"], "{av}");
    // Corrected with both officers' signatures: covered and explained. The first stays, superseded.
    let mut fixed = gap.clone();
    fixed["signed_by"] = json!(officers);
    fixed["replaces"] = json!(0);
    assert_eq!(
        app.post_as(&format!("/api/recordings/{one}/interruptions"), &head, &fixed).await.status,
        StatusCode::OK
    );
    let av = app.get(&format!("/api/cases/{case}/av"), Some(&head)).await.json();
    assert!(rules(&av, "act/0").is_empty(), "{av}");
    let r = app.get(&format!("/api/recordings/{one}"), Some(&head)).await.json();
    assert_eq!(r["interruptions"][0]["superseded_by"], 1, "{r}");
    assert_eq!(
        app.post_as(&format!("/api/recordings/{one}/interruptions"), &head, &fixed).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Bad interruptions: backwards, no cause, an unknown signer.
    // (400 where the description forbids it, 422 where only the server can tell.)
    for (bad, status) in [
        (json!({"from": t0, "to": t0 - 1, "cause": "x"}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"from": t0, "to": t0 + 1, "cause": " "}), StatusCode::BAD_REQUEST),
        (
            json!({"from": t0, "to": t0 + 1, "cause": "x", "written": "y", "signed_by": ["nobody", "nobody2"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        assert_eq!(
            app.post_as(&format!("/api/recordings/{one}/interruptions"), &head, &bad).await.status,
            status,
            "{bad}"
        );
    }

    // Found by device, officer, cause and unit (办法第二十四条); not by another device.
    let found = |q: &str| {
        let app = &app;
        let head = &head;
        let q = q.to_string();
        async move {
            let v = app.get(&format!("/api/recordings?{q}"), Some(head)).await.json();
            let mut ids: Vec<String> =
                v["recordings"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
            ids.sort();
            ids
        }
    };
    let mut both = vec![one.clone(), two.clone()];
    both.sort();
    assert_eq!(found("device=DSJ-001").await, both);
    assert_eq!(found("device=DSJ-002").await, Vec::<String>::new());
    let enc = |s: &str| s.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
    assert_eq!(found(&format!("officer={}", enc("李华"))).await, both);
    assert_eq!(found(&format!("cause={}&device=DSJ-001", enc("危险化学品"))).await, both);
    assert_eq!(found(&format!("cause={}", enc("占道经营"))).await, Vec::<String>::new());
    assert_eq!(found(&format!("unit={}", enc("综合行政执法"))).await, both);

    // Moving a recording to another case needs a reason.
    let other = app.open_inspection(&head, "栗街检〔2026〕32号").await;
    let r = app.post_as(&format!("/api/recordings/{two}/link"), &head, &json!({"case": other})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_as(
            &format!("/api/recordings/{two}/link"),
            &head,
            &json!({"case": other, "reason": "误关联，应属 32 号案"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let av = app.get(&format!("/api/cases/{case}/av"), Some(&head)).await.json();
    assert_eq!(rules(&av, "act/0"), ["R-140"], "the second file left the case: {av}");

    // Everything above is in the log and comes back from it alone (once the SM3 entries that
    // follow each upload on their own are in).
    sm3_of(&app, &head, &one).await;
    sm3_of(&app, &head, &two).await;
    let again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// The recordings list pages newest first with an opaque cursor, the search narrowing each
/// page; what a caller may not see is on no page; a cursor not given by the server is 400.
#[tokio::test]
async fn the_recordings_list_pages_newest_first_and_shows_only_what_the_caller_sees() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let admin = app.login_admin().await;
    let t0 = 1_795_568_400_000_i64;
    let mut ids = Vec::new();
    for (i, device) in ["DSJ-001", "DSJ-002", "DSJ-001", "DSJ-001", "DSJ-002"].iter().enumerate() {
        let at = t0 + i as i64 * MIN;
        ids.push(upload(&app, &head, &format!("{device}_{i:04}.mp4"), at, at + MIN, device, "王明").await);
    }
    let page = |q: String, token: String| {
        let app = &app;
        async move {
            let v = app.get(&format!("/api/recordings?{q}"), Some(&token)).await.json();
            let ids: Vec<String> =
                v["recordings"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
            (ids, v["next_cursor"].as_str().map(str::to_string))
        }
    };
    // All five, two at a time, newest first: every one once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..3 {
        let q = format!("limit=2{}", cursor.as_deref().map(|c| format!("&cursor={c}")).unwrap_or_default());
        let (got, next) = page(q, head.clone()).await;
        assert!(got.len() <= 2);
        seen.extend(got);
        cursor = next;
        if cursor.is_none() {
            break;
        }
    }
    assert!(cursor.is_none(), "three pages of two hold five");
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);
    // The search narrows the pages: DSJ-002's two, then nothing more.
    let (got, next) = page("device=DSJ-002&limit=2".into(), head.clone()).await;
    assert_eq!(got, [ids[4].clone(), ids[1].clone()]);
    let rest =
        page(format!("device=DSJ-002&limit=2&cursor={}", next.expect("a full page goes on")), head.clone()).await;
    assert_eq!(rest, (vec![], None));
    // Another officer, who opened nothing and uploaded nothing: none of them.
    let stranger = app.account(&admin, "zhaoliu", "officer").await;
    assert_eq!(page("limit=500".into(), stranger).await, (vec![], None));
    // A cursor the server did not give, a limit out of range: 400.
    for q in ["cursor=not-a-cursor", "limit=0", "limit=501"] {
        assert_eq!(app.get(&format!("/api/recordings?{q}"), Some(&head)).await.status, StatusCode::BAD_REQUEST, "{q}");
    }
}

#[tokio::test]
async fn an_act_that_touches_personal_liberty_must_be_recorded_whole_whatever_its_matter() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let officers = two_officers(&app, &head).await;
    // An ordinary matter: nothing on the 权责清单 asks for a whole recording.
    let matter = json!({"code": "I-010", "name": "门前三包检查", "kind": "inspection", "legal_basis": "《市容环境卫生管理条例》"});
    assert_eq!(app.post_as("/api/matters", &head, &matter).await.status, StatusCode::CREATED);
    let t0 = 1_795_568_400_000_i64;
    let mut cases = Vec::new();
    for (n, touches) in [(41, json!([])), (42, json!(["personal_liberty"])), (43, json!(["no_such_thing"]))] {
        let body = json!({"case_no": format!("栗街检〔2026〕{n}号"), "matter": "门前三包检查", "kind": "special",
            "basis": "专项检查方案", "source": "inspection", "reason": "专项检查", "received_at": t0 - 3_600_000});
        let case = app.post_as("/api/cases/inspections", &head, &body).await.json()["id"].as_str().unwrap().to_string();
        let act = json!({"type": "record_on_site", "act": {"at": t0, "place": "迁安路", "recording_announced": true,
            "problems_found": true, "summary": "当事人阻碍执法，依法将其带离现场", "touches": touches,
            "officers": officers.iter().map(|o| json!({"officer_id": o, "id_shown_at": t0})).collect::<Vec<_>>()}});
        let r = app
            .post_as(&format!("/api/cases/{case}/commands"), &head, &json!({"expected_version": 1, "command": act}))
            .await;
        if n == 43 {
            // 办法第十九条 names three things; anything else is refused, not ignored.
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&r.body));
            continue;
        }
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        cases.push(case);
    }
    let (plain, touching) = (&cases[0], &cases[1]);
    // The ordinary act need not be recorded whole, but without a recording it needs a written
    // reason (R-141): none, an empty one, one for a record the case has not, then one.
    let av = app.get(&format!("/api/cases/{plain}/av"), Some(&head)).await.json();
    let act = |v: &Value| v["records"].as_array().unwrap().iter().find(|r| r["record"] == "act/0").cloned().unwrap();
    assert_eq!(
        (act(&av)["mandatory"].as_bool(), rules(&av, "act/0")),
        (Some(false), vec!["R-141".to_string()]),
        "{av}"
    );
    let explain = |record: &str, reason: &str| json!({"record": record, "reason": reason});
    let url = format!("/api/cases/{plain}/av/unrecorded");
    for (bad, status) in [
        (explain("act/0", "  "), StatusCode::BAD_REQUEST),
        (explain("act/5", "文字记录已全面记载"), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        assert_eq!(app.post_as(&url, &head, &bad).await.status, status, "{bad}");
    }
    let why = "当场制作现场检查笔录并由当事人签字确认，文字记录已能全面有效记录";
    let r = app.post_as(&url, &head, &explain("act/0", why)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let av = app.get(&format!("/api/cases/{plain}/av"), Some(&head)).await.json();
    assert_eq!((rules(&av, "act/0").len(), act(&av)["unrecorded_reason"]["reason"].as_str()), (0, Some(why)), "{av}");
    // A written reason does not excuse what must be recorded whole.
    let url = format!("/api/cases/{touching}/av/unrecorded");
    assert_eq!(app.post_as(&url, &head, &explain("act/0", why)).await.status, StatusCode::OK);
    let av = app.get(&format!("/api/cases/{touching}/av"), Some(&head)).await.json();
    assert_eq!(act(&av)["mandatory"], true, "{av}");
    assert_eq!(rules(&av, "act/0"), ["R-140"], "no recording covers it: {av}");
    // Only the act that had to be recorded whole is overdue 24 hours on.
    let overdue = app.get("/api/av/overdue", Some(&head)).await.json();
    let listed = |case: &str| overdue["overdue"].as_array().unwrap().iter().any(|o| o["case"] == case);
    assert!(listed(touching) && !listed(plain), "{overdue}");
    // Covered from start to end: nothing to say.
    let rec = upload(&app, &head, "DSJ-002_0001.mp4", t0 - MIN, t0 + 30 * MIN, "DSJ-002", "王明、李华").await;
    let link = json!({"case": touching, "records": ["act/0"], "activity_ended_at": t0 + 25 * MIN});
    let r = app.post_as(&format!("/api/recordings/{rec}/link"), &head, &link).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let av = app.get(&format!("/api/cases/{touching}/av"), Some(&head)).await.json();
    assert_eq!(rules(&av, "act/0"), Vec::<String>::new(), "{av}");
    // The flag is part of the act in the log: the projections come back the same from it.
    sm3_of(&app, &head, &rec).await;
    let again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn only_those_who_act_on_the_case_link_a_recording_to_it() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let admin = app.login_admin().await;
    let case = app.open_inspection(&head, "栗街检〔2026〕33号").await;
    let officer = app.account(&admin, "stranger", "officer").await;
    let t0 = 1_795_568_400_000_i64;
    let mine = upload(&app, &officer, "x.mp4", t0, t0 + MIN, "DSJ-009", "某").await;
    // The stranger's own recording, a case he does not see: 404, as if it did not exist.
    let r = app.post_as(&format!("/api/recordings/{mine}/link"), &officer, &json!({"case": case})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // A supervisor sees the case and the file but acts on neither.
    let sup = app.account(&admin, "jiandu", "supervisor").await;
    let r = app.post_as(&format!("/api/recordings/{mine}/link"), &sup, &json!({"case": case})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/cases/{case}/av"), Some(&officer)).await.status, StatusCode::NOT_FOUND);
    // The 负责人 links it; it is the case's now, seen by those who see the case.
    let r = app.post_as(&format!("/api/recordings/{mine}/link"), &head, &json!({"case": case})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(app.get(&format!("/api/recordings/{mine}"), Some(&sup)).await.status, StatusCode::OK);
}

/// A six-second H.264 MP4 made by ffmpeg, uploaded by `token` as 执法记录仪_0007.mp4 (started
/// 2026-11-20 01:30:00Z, as its own metadata says): its id and its bytes.
pub(crate) async fn mp4_recording(app: &TestApp, token: &str) -> (String, Vec<u8>) {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("in.mp4");
    let out = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=6:size=160x120:rate=10",
            "-c:v",
            "libx264",
            "-g",
            "10",
        ])
        .args(["-metadata", "creation_time=2026-11-20T01:30:00Z"])
        .arg(&src)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Its times, as ffprobe reads them.
    assert_eq!(liuhen_server::app::media::ffprobe_times(&src), Some((1_795_138_200_000, 6000)));
    let bytes = std::fs::read(&src).unwrap();
    let a = create(
        &app.router,
        token,
        bytes.len() as u64,
        &format!("filename {},started_at {}", b64("执法记录仪_0007.mp4"), b64("1795138200000")),
    )
    .await;
    let a = send(&app.router, patch(&header(&a, "location"), token, 0, Body::from(bytes.clone()), None)).await;
    (header(&a, "liuhen-recording"), bytes)
}

#[tokio::test]
async fn a_clip_is_a_new_recording_that_names_its_original_which_never_changes() {
    assert!(liuhen_server::app::media::available("ffmpeg"), "ffmpeg is missing: run scripts/test, which installs it");
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    let (original, bytes) = mp4_recording(&app, &head).await;
    let before = app.get(&format!("/api/recordings/{original}"), Some(&head)).await.json();
    // Seconds 2 to 4, for the file of evidence.
    let r = app
        .post_as(
            &format!("/api/recordings/{original}/clips"),
            &head,
            &json!({"from_ms": 2000, "to_ms": 4000, "reason": "证明当事人拒绝停止施工"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let clip = r.json();
    assert_eq!(clip["clip_of"]["recording"], original.as_str());
    assert_eq!(clip["clip_of"]["sha256"], before["sha256"]);
    assert_ne!(clip["sha256"], before["sha256"]);
    assert_eq!(clip["metadata"]["started_at"], "1795138202000", "{clip}");
    // The clip plays as about two seconds of video.
    let grant = app
        .post_as(&format!("/api/recordings/{}/playback", clip["id"].as_str().unwrap()), &head, &json!({}))
        .await
        .json();
    let content = app.get(grant["content"].as_str().unwrap(), Some(&head)).await;
    assert_eq!(content.status, StatusCode::OK);
    let tmp = tempfile::tempdir().unwrap();
    let cut = tmp.path().join("clip.mp4");
    std::fs::write(&cut, &content.body).unwrap();
    let probe = std::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"])
        .arg(&cut)
        .output()
        .unwrap();
    let seconds: f64 = String::from_utf8_lossy(&probe.stdout).trim().parse().unwrap();
    assert!((1.5..=2.6).contains(&seconds), "{seconds}");
    // The original is as it was, byte for byte.
    let after = app.get(&format!("/api/recordings/{original}"), Some(&head)).await.json();
    assert_eq!(after["sha256"], before["sha256"]);
    let grant = app.post_as(&format!("/api/recordings/{original}/playback"), &head, &json!({})).await.json();
    assert_eq!(app.get(grant["content"].as_str().unwrap(), Some(&head)).await.body, bytes);
    // Bad stretches and a missing reason: refused, nothing stored (once both SM3 entries are in).
    sm3_of(&app, &head, &original).await;
    sm3_of(&app, &head, clip["id"].as_str().unwrap()).await;
    let size = app.store.tree_size();
    for bad in [
        json!({"from_ms": 4000, "to_ms": 2000, "reason": "x"}),
        json!({"from_ms": -1, "to_ms": 2000, "reason": "x"}),
        json!({"from_ms": 0, "to_ms": 2000, "reason": " "}),
    ] {
        let r = app.post_as(&format!("/api/recordings/{original}/clips"), &head, &bad).await;
        // 400 where the description already forbids it (strict mode tells which), 422 where only
        // the server can (an end before the start).
        assert!(r.status.is_client_error() && r.status != StatusCode::NOT_FOUND, "{bad}: {}", r.status);
    }
    assert_eq!(app.store.tree_size(), size);
    assert!(
        std::fs::read_dir(app.data.uploads_dir()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("clip-")),
        "no scratch left"
    );
    // Scratch a crash left behind is cleared when the server starts.
    std::fs::create_dir_all(app.data.uploads_dir().join("clip-left-by-a-crash")).unwrap();
    let _restarted = app.restarted();
    assert!(!app.data.uploads_dir().join("clip-left-by-a-crash").exists());
    // Rebuilt from the log alone, clip and all.
    let again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// A record with its own 密级 (办法第二十五条) is withheld whole from those beyond it: on the
/// case's 音像记录 its label, times, written reason (R-141) and recordings; and the recording
/// linked to it — its page, the search, its playback. Those within its class see all of it.
#[tokio::test]
async fn a_withheld_records_reason_and_recording_are_withheld_with_it() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    assert!(app.seed_demo().await);
    let admin = app.login_admin().await;
    let supervisor = app.account(&admin, "jiancha", "supervisor").await;
    // A case of the demo whose act/0 is classed 个人隐私 and was made without a recording.
    let mut case = None;
    for c in app.store.cases(1_000).await.unwrap() {
        if !app.store.record_marks(&c.id, "class").await.unwrap().is_empty() {
            case = Some(c);
        }
    }
    let case = case.expect("the demo marks a record");
    let av = |token: String| {
        let path = format!("/api/cases/{}/av", case.id);
        let app = &app;
        async move {
            let v = app.get(&path, Some(&token)).await.json();
            v["records"].as_array().unwrap().iter().find(|r| r["record"] == "act/0").unwrap().clone()
        }
    };
    let seen = av(head.clone()).await;
    assert!(seen["unrecorded_reason"]["reason"].as_str().is_some_and(|r| r.contains("电量")), "{seen}");
    let withheld = av(supervisor.clone()).await;
    assert_eq!(withheld["label"], "已隐去", "{withheld}");
    assert!(withheld["unrecorded_reason"].is_null() && withheld["at"].is_null(), "{withheld}");
    assert!(!withheld.to_string().contains("电量"), "{withheld}");

    // A recording linked to it: the supervisor finds it nowhere.
    let t0 = seen["at"].as_i64().unwrap();
    let rec = upload(&app, &head, "act0.mp4", t0, t0 + 10 * MIN, "", "").await;
    let link = json!({"case": case.id, "records": ["act/0"], "reason": "补充关联"});
    let r = app.post_as(&format!("/api/recordings/{rec}/link"), &head, &link).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(av(head.clone()).await["recordings"], json!([rec]));
    assert_eq!(av(supervisor.clone()).await["recordings"], json!([]));
    assert_eq!(app.get(&format!("/api/recordings/{rec}"), Some(&supervisor)).await.status, StatusCode::NOT_FOUND);
    let purpose = json!({"purpose": "监督检查"});
    let r = app.post_as(&format!("/api/recordings/{rec}/playback"), &supervisor, &purpose).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Whatever the body: a malformed one is 400 to whoever sees the recording, 404 to whoever not.
    let raw = |token: &str, body: &'static str| {
        axum::http::Request::post(format!("/api/recordings/{rec}/playback"))
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    for body in ["{", "[1]", r#"{"purpose": 7}"#, r#"{"purpose": "x", "more": 1}"#] {
        assert_eq!(app.request(raw(&supervisor, body)).await.status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(app.request(raw(&head, body)).await.status, StatusCode::BAD_REQUEST, "{body}");
    }
    let listed = |token: String| {
        let path = format!("/api/recordings?case={}", case.id);
        let app = &app;
        async move { app.get(&path, Some(&token)).await.json()["recordings"].to_string() }
    };
    assert!(listed(head.clone()).await.contains(&rec));
    assert!(!listed(supervisor.clone()).await.contains(&rec));
    // Linked to another record as well: withheld there too, with what its times would tell.
    // A case with two records, the first classed, a recording linked to both.
    let mut shared = None;
    for c in app.store.cases(1_000).await.unwrap() {
        let v = app.get(&format!("/api/cases/{}/av", c.id), Some(&head)).await.json();
        let ids: Vec<String> =
            v["records"].as_array().unwrap().iter().map(|r| r["record"].as_str().unwrap().to_string()).collect();
        if ids.len() < 2 {
            continue;
        }
        let class = json!({"class": "personal_privacy", "reason": "涉及个人隐私"});
        let path = format!("/api/cases/{}/records/{}/classification", c.id, ids[0]);
        let r = app.post_as(&path, &head, &class).await;
        assert!(r.status.is_success(), "{}: {}", r.status, String::from_utf8_lossy(&r.body));
        let other = upload(&app, &head, "both.mp4", t0, t0 + 10 * MIN, "", "").await;
        let link = json!({"case": c.id, "records": [ids[0], ids[1]], "reason": "同一段录像"});
        let r = app.post_as(&format!("/api/recordings/{other}/link"), &head, &link).await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
        shared = Some((c.id.clone(), other));
        break;
    }
    let (shared_case, other) = shared.expect("a demo case with two records takes a recording");
    let v = app.get(&format!("/api/cases/{shared_case}/av"), Some(&supervisor)).await.json();
    assert!(!v.to_string().contains(&other), "{v}");
    let v = app.get(&format!("/api/cases/{shared_case}/av"), Some(&head)).await.json();
    assert!(v.to_string().contains(&other), "{v}");
    assert_eq!(app.get(&format!("/api/recordings/{rec}"), Some(&head)).await.status, StatusCode::OK);
}

/// `liuhen rebuild` holds one part of the log at a time and puts what it wrote aside before
/// the next: with parts of a single entry, every row a later entry changes — a recording's
/// SM3 and links, a document's steps and its 文号's series, a party's inspections — is read
/// back from where the pass put it, and the projections are still the stored ones.
#[tokio::test]
async fn a_rebuild_an_entry_at_a_time_reads_back_what_it_put_aside_and_agrees() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    assert!(app.seed_demo().await);
    let case = app.store.cases(1).await.unwrap().remove(0);
    let v = app.get(&format!("/api/cases/{}/av", case.id), Some(&head)).await.json();
    let record = v["records"][0]["record"].as_str().unwrap().to_string();
    let t0 = v["records"][0]["at"].as_i64().unwrap();
    let rec = upload(&app, &head, "later.mp4", t0, t0 + 10 * MIN, "", "").await;
    sm3_of(&app, &head, &rec).await;
    let link = json!({"case": case.id, "records": [record], "reason": "补充关联"});
    let r = app.post_as(&format!("/api/recordings/{rec}/link"), &head, &link).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    for part in [1, liuhen_server::app::rebuild::ENTRIES_AT_ONCE] {
        let mut again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
        again.log_part = part;
        let scratch = liuhen_store::ProjectionScratch::new().unwrap();
        again.projections_into(&scratch).await.unwrap();
        assert_eq!(again.store.projection_differences(&scratch).await.unwrap(), Vec::<String>::new(), "part {part}");
        let counts = scratch.counts().unwrap();
        for t in ["recordings", "documents", "settings", "record_marks"] {
            assert!(counts[t] > 0, "{t}: {counts:?}");
        }
    }
}

/// `liuhen verify` reads the cases' search index too: a case's entries taken out of it, or
/// another's words put into a case's, with a SQLite shell, are named by case (a search would
/// miss the one and find the other for a name it does not hold).
#[tokio::test]
async fn a_search_index_changed_with_a_sqlite_shell_is_named_by_verify() {
    let app = spawn_app(LogAccess::Public).await;
    let _head = app.login().await;
    assert!(app.seed_demo().await);
    let again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    assert_eq!(again.log_differences().await.unwrap(), Vec::<String>::new());
    let cases = app.store.cases(2).await.unwrap();
    let conn = rusqlite::Connection::open(app.data.db_path()).unwrap();
    conn.execute(
        "INSERT INTO case_terms (case_terms, rowid, case_no, party, matter) \
         SELECT 'delete', rowid, case_no, party, matter FROM cases WHERE id = ?1",
        [&cases[0].id],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO case_terms (rowid, case_no, party, matter) SELECT rowid, 'x', '周某某', 'x' FROM cases WHERE id = ?1",
        [&cases[1].id],
    )
    .unwrap();
    let found = again.log_differences().await.unwrap();
    assert_eq!(found.len(), 2, "{found:?}");
    for c in &cases {
        assert!(found.iter().any(|l| l.starts_with("search index") && l.contains(&c.id)), "{found:?}");
    }
    assert!(!found.iter().any(|l| l.contains("周某某")), "{found:?}");
}
