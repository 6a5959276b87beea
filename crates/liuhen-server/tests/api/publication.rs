//! 行政执法公示 (国办发〔2018〕118号): a decision is published by the 负责人 within seven working
//! days — a deadline until then — on a public page and feed that need no sign-in and carry no
//! identity number, phone or full name of a person; a withdrawal is published with its reason.

use crate::helpers::*;
use axum::http::StatusCode;
use liuhen_server::LogAccess;
use liuhen_store::ProjectionReads as _;
use serde_json::{Value, json};

const HOUR: i64 = 3_600_000;

async fn command(app: &TestApp, token: &str, id: &str, version: u64, cmd: Value) -> Resp {
    let cmd = app.signed_step(token, cmd).await;
    app.post_as(&format!("/api/cases/{id}/commands"), token, &json!({"expected_version": version, "command": cmd}))
        .await
}

/// An office with one officer and its approval staff, whose calendar has 2027 (the licences'
/// periods run in working days of that year); the 负责人's token.
async fn office() -> (TestApp, String, Staff, liuhen_core::calendar::WorkCalendar) {
    let mut cal = liuhen_core::calendar::WorkCalendar::china();
    cal.merge(liuhen_core::calendar::WorkCalendar::parse("year 2027\noff 2027-01-01 元旦").unwrap());
    let app = spawn_app_with_calendar(LogAccess::Public, cal.clone()).await;
    let head = app.login().await;
    let body =
        json!({"name": "王明", "cert_no": "13020001", "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"});
    let a = app.post_as("/api/officers", &head, &body).await.json()["id"].as_str().unwrap().to_string();
    let staff = app.staff(&a, "").await;
    (app, head, staff, cal)
}

#[tokio::test]
async fn a_licence_decision_is_published_in_time_masked_and_withdrawn_with_its_reason() {
    let (app, head, staff, cal) = office().await;
    let applicant = json!({"kind": "natural_person", "name": "张三丰", "id_type": "居民身份证",
        "id_number": "130227198005120033", "address": "迁西县栗乡街道幸福路 8 号", "phone": "13800000000"});
    let r = app
        .post_as("/api/cases/licences", &staff.handler, &json!({"case_no": "栗街许〔2027〕1号", "matter": "临时占用道路审批",
            "received_at": CLOCK_MS - 48 * HOUR, "materials": ["申请书"], "receipt_issued": true, "applicant": applicant}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert_eq!(
        command(
            &app,
            &staff.handler,
            &id,
            1,
            json!({"type": "accept", "at": CLOCK_MS - 24 * HOUR, "voucher_sealed": true})
        )
        .await
        .status,
        StatusCode::OK
    );
    let decide = json!({"type": "decide", "granted": true, "sealed": true, "relief_told": true});
    let r = command(&app, &head, &id, 2, decide).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    // Until published, a deadline of the case.
    let pending =
        |list: &Value| list.as_array().unwrap().iter().any(|d| d["code"] == "T-PUB" && d["case_id"] == id.as_str());
    assert!(
        pending(&app.get("/api/deadlines?limit=500", Some(&head)).await.json()["deadlines"].clone()),
        "the publication deadline is listed"
    );
    let publish = json!({"action": "publish"});
    let r = app.post_as(&format!("/api/cases/{id}/publication"), &staff.handler, &publish).await;
    assert_eq!(
        r.json()["error"]["code"],
        "NOT_YOUR_STEP",
        "an officer publishes: {}",
        String::from_utf8_lossy(&r.body)
    );
    let r = app.post_as(&format!("/api/cases/{id}/publication"), &head, &publish).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["published"]["on_time"], true, "{}", r.json());
    assert!(
        !pending(&app.get("/api/deadlines?limit=500", Some(&head)).await.json()["deadlines"].clone()),
        "published: no longer pending"
    );
    let again = app.post_as(&format!("/api/cases/{id}/publication"), &head, &publish).await;
    assert_eq!((again.status, again.json()["error"]["code"].clone()), (StatusCode::CONFLICT, json!("DUPLICATE")));
    // Anyone reads it, signed in or not; a person only by surname, no number, no phone.
    let page = String::from_utf8(app.get("/public/decisions", None).await.body).unwrap();
    let feed = app.get("/public/decisions.json", None).await;
    assert_eq!(feed.status, StatusCode::OK);
    let feed = String::from_utf8(feed.body).unwrap();
    for text in [&page, &feed] {
        assert!(
            text.contains("行政许可决定公示") && text.contains("栗街许〔2027〕1号") && text.contains("张某某"),
            "{text}"
        );
        for private in ["张三丰", "130227198005120033", "13800000000", "幸福路"] {
            assert!(!text.contains(private), "{private} published: {text}");
        }
    }
    assert!(page.contains("准予行政许可"), "{page}");
    // Withdrawn: with its reason, which stands in the decision's place.
    let r = app.post_as(&format!("/api/cases/{id}/publication"), &head, &json!({"action": "withdraw"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a withdrawal needs its reason");
    let reason = "该许可决定已被依法撤销，撤回公示";
    let r = app
        .post_as(&format!("/api/cases/{id}/publication"), &head, &json!({"action": "withdraw", "reason": reason}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["withdrawn"]["on_time"], true);
    let page = String::from_utf8(app.get("/public/decisions", None).await.body).unwrap();
    assert!(page.contains(reason) && page.contains("撤回") && !page.contains("准予行政许可"), "{page}");
    // Withdrawn stays withdrawn: the revoked decision is not published again.
    let r = app.post_as(&format!("/api/cases/{id}/publication"), &head, &publish).await;
    assert_eq!(r.json()["error"]["code"], "INVALID_STATE", "{}", String::from_utf8_lossy(&r.body));
    // The log reproduces the publications.
    let mut again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    again.calendar = std::sync::Arc::new(cal);
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        liuhen_store::ProjectionReads::projection_differences(
            &again.store,
            &liuhen_store::ProjectionScratch::of(&from_log).unwrap()
        )
        .await
        .unwrap(),
        Vec::<String>::new()
    );
}

/// 行政处罚法第三十九条: the public page posts who the office is, each matter with its
/// basis, the procedure of each kind of enforcement and the remedies; a case opened before the
/// office posted them carries the defect, one opened after does not.
#[tokio::test]
async fn the_office_posts_who_it_is_its_bases_procedures_and_remedies_before_it_enforces() {
    let app = spawn_app(LogAccess::Public).await;
    let head = app.login().await;
    // An office that has not yet posted its 救济渠道.
    let admin = app.login_admin().await;
    let bare = json!({"name": "迁西县栗乡街道办事处", "uscc": "11130227MB0000000J"});
    assert_eq!(app.put_as("/api/agency", &admin, &bare).await.status, StatusCode::OK);
    let defects = |case: &Value| -> Vec<String> {
        case["data"]["defects"].as_array().unwrap().iter().map(|d| d["rule"].as_str().unwrap().to_string()).collect()
    };
    let early = app.open_inspection(&head, "栗街检〔2027〕1号").await;
    let case = app.get(&format!("/api/cases/{early}"), Some(&head)).await.json();
    assert!(defects(&case).contains(&"R-173".to_string()), "{case}");
    let page = String::from_utf8(app.get("/public/decisions", None).await.body).unwrap();
    assert!(page.contains("执法事前公示") && page.contains("消防安全检查") && page.contains("《测试依据》第一条"));
    assert!(page.contains("（尚未公示）"), "no 救济渠道 posted yet");
    let profile = json!({"name": "迁西县栗乡街道办事处", "uscc": "11130227MB0000000J",
        "review_organ": "迁西县人民政府", "court": "迁西县人民法院"});
    let r = app.put_as("/api/agency", &admin, &profile).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let later = app.open_inspection(&head, "栗街检〔2027〕2号").await;
    let case = app.get(&format!("/api/cases/{later}"), Some(&head)).await.json();
    assert!(!defects(&case).contains(&"R-173".to_string()), "{case}");
    let page = String::from_utf8(app.get("/public/decisions", None).await.body).unwrap();
    for posted in
        ["迁西县栗乡街道办事处", "迁西县人民政府申请行政复议", "迁西县人民法院提起行政诉讼", "行政强制法第三章"]
    {
        assert!(page.contains(posted), "{posted} is posted");
    }
    assert!(!page.contains("（尚未公示）"));
}

/// R-171 (国办发〔2018〕118号): the office's figures of a year are published by 31 January of
/// the next year — by the 负责人 only, once the year has ended, once; counted by the year of the
/// decision; on the public page and as JSON with no person in them; until then a T-STAT
/// deadline on the 负责人's list. The rebuild from the log gives the same projection.
#[tokio::test]
async fn the_years_figures_are_published_by_the_head_by_the_end_of_january() {
    let (app, head, staff, cal) = office().await;
    let on = |d: &str| liuhen_core::time::Date::parse(d).unwrap().start().plus_hours(10).0;
    // A licence granted in December 2026, and one decided in 2027: only the first counts for 2026.
    for (no, received, decided) in
        [("栗街许〔2026〕8号", "2026-12-01", "2026-12-10"), ("栗街许〔2027〕9号", "2027-03-01", "2027-03-05")]
    {
        let applicant = json!({"kind": "natural_person", "name": "张三丰", "id_type": "居民身份证",
            "id_number": "130227198005120033", "address": "迁西县栗乡街道幸福路 8 号", "phone": "13800000000"});
        let r = app
            .post_as(
                "/api/cases/licences",
                &staff.handler,
                &json!({"case_no": no, "matter": "临时占用道路审批",
                "received_at": on(received), "materials": ["申请书"], "receipt_issued": true, "applicant": applicant}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.body));
        let id = r.json()["id"].as_str().unwrap().to_string();
        let accept = json!({"type": "accept", "at": on(received) + HOUR, "voucher_sealed": true});
        assert_eq!(command(&app, &staff.handler, &id, 1, accept).await.status, StatusCode::OK);
        // Decided by the 负责人 on that day, by the server's clock.
        let decide = json!({"type": "decide", "granted": true, "sealed": true, "relief_told": true});
        app.clock.set(on(decided));
        let r = command(&app, &head, &id, 2, decide).await;
        app.clock.set(CLOCK_MS);
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    }
    // The 负责人's list holds the deadline: 31 January 2027 (past at the tests' clock).
    async fn t_stat(app: &TestApp, head: &str) -> Option<Value> {
        let list = app.get("/api/deadlines?limit=500", Some(head)).await.json()["deadlines"].clone();
        list.as_array().unwrap().iter().find(|d| d["code"] == "T-STAT").cloned()
    }
    let due = t_stat(&app, &head).await.expect("T-STAT until published");
    assert_eq!(due["due"], liuhen_core::time::Date::parse("2027-01-31").unwrap().end().0);
    assert_eq!(due["status"], "overdue");
    let figures = app.get("/api/statistics/annual?year=2026", Some(&head)).await.json();
    assert_eq!(figures["figures"]["licences"], json!({"granted": 1, "denied": 0}), "{figures}");
    assert!(figures["published"].is_null());
    // Not the officer's to publish; not a year still running; once.
    let publish = |year: i32| json!({"year": year});
    let r = app.post_as("/api/statistics/annual", &staff.handler, &publish(2026)).await;
    assert_eq!(r.json()["error"]["code"], "NOT_YOUR_STEP", "{}", String::from_utf8_lossy(&r.body));
    let r = app.post_as("/api/statistics/annual", &head, &publish(2027)).await;
    assert_eq!(r.json()["error"]["code"], "UNPROCESSABLE", "{}", String::from_utf8_lossy(&r.body));
    let r = app.post_as("/api/statistics/annual", &head, &publish(2026)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["on_time"], false, "published after 31 January");
    let r = app.post_as("/api/statistics/annual", &head, &publish(2026)).await;
    assert_eq!(r.json()["error"]["code"], "DUPLICATE", "{}", String::from_utf8_lossy(&r.body));
    assert!(t_stat(&app, &head).await.is_none(), "published: no longer due");
    // For anyone, without signing in: the figures, and no person.
    let feed = String::from_utf8(app.get("/public/statistics.json", None).await.body).unwrap();
    let page = String::from_utf8(app.get("/public/decisions", None).await.body).unwrap();
    let feed_json: Value = serde_json::from_str(&feed).unwrap();
    assert_eq!(feed_json[0]["year"], 2026, "{feed}");
    assert_eq!(feed_json[0]["figures"]["licences"]["granted"], 1, "{feed}");
    assert!(page.contains("2026 年度") && page.contains("准予行政许可（件）"), "{page}");
    for text in [&feed, &page] {
        assert!(!text.contains("张三丰") && !text.contains("130227198005120033"), "{text}");
    }
    let mut again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    again.calendar = std::sync::Arc::new(cal);
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}
