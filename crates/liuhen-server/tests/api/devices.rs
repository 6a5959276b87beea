//! The registry of 音像记录设备 (办法第二十四条、第二十八条): a body camera registered, checked,
//! handed out, passed on, given back, repaired and retired — each step a log entry, refused
//! with its rule when 专人使用、专人负责 or the pre-use check is not kept, and rebuilt from the log.

use crate::helpers::*;
use axum::http::StatusCode;
use liuhen_store::ProjectionReads as _;
use serde_json::{Value, json};

fn rules(r: &Resp) -> Vec<String> {
    r.json()["error"]["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v["rule"].as_str().unwrap().to_string())
        .collect()
}

async fn officer(app: &TestApp, head: &str, name: &str, cert: &str) -> String {
    let body = json!({"name": name, "cert_no": cert, "cert_valid_from": "2024-01-01", "cert_valid_to": "2028-12-31"});
    let r = app.post_as("/api/officers", head, &body).await;
    assert_eq!(r.status, StatusCode::CREATED);
    r.json()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_body_camera_goes_out_to_one_officer_at_a_time_and_every_step_is_logged() {
    let app = spawn_app(liuhen_server::LogAccess::Public).await;
    let head = app.login().await;
    let admin = app.login_admin().await;
    let (wang, li) = (officer(&app, &head, "王明", "13020001").await, officer(&app, &head, "李华", "13020002").await);
    let keeper = app.account(&admin, "keeper", "device_admin").await;
    // An officer account linked to 王明.
    let body = json!({"username": "wangming", "roles": "officer", "password": "initial-pass-1", "officer_id": wang});
    assert_eq!(app.post_as("/api/users", &admin, &body).await.status, StatusCode::CREATED);
    app.approve_all_grants().await;
    let wang_token = app.login_as("wangming", "initial-pass-1").await;
    app.change_password(&wang_token, "initial-pass-1", "changed-pass-2").await;

    let camera = json!({"number": "DSJ-001", "model": "DSJ-V9", "kind": "body_camera",
        "capabilities": ["night_vision", "positioning"], "storage_place": "执法装备室 2 号柜"});
    // Only the 设备管理员 registers; a number is registered once.
    assert_eq!(app.post_as("/api/devices", &wang_token, &camera).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post_as("/api/devices", &keeper, &camera).await.status, StatusCode::CREATED);
    assert_eq!(app.post_as("/api/devices", &keeper, &camera).await.status, StatusCode::CONFLICT);
    let bad = json!({"number": "DSJ 002", "model": "X", "kind": "drone", "storage_place": "室"});
    let r = app.post_as("/api/devices", &keeper, &bad).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let (app_ref, keeper_ref) = (&app, &keeper);
    let cmd = |c: Value| async move { app_ref.post_as("/api/devices/DSJ-001/commands", keeper_ref, &c).await };
    // Not checked yet: not handed out (R-149c).
    let r = cmd(json!({"type": "assign", "officer": wang})).await;
    assert_eq!((r.status, rules(&r)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["R-149c".to_string()]));
    // A failed check is recorded, and still keeps it in.
    let r = cmd(json!({"type": "check", "battery_pct": 20, "free_storage_mb": 30000, "clock_offset_ms": 2000})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["device"]["last_check"]["shortcomings"][0].as_str().unwrap().contains("电量"));
    assert_eq!(rules(&cmd(json!({"type": "assign", "officer": wang})).await), ["R-149c"]);
    // The officer checks it himself (the device shows its clock), then it goes out to him.
    let now = liuhen_server::app::auth::now_ms();
    let r = app
        .post_as("/api/devices/DSJ-001/commands", &wang_token,
            &json!({"type": "check", "battery_pct": 96, "free_storage_mb": 60000, "device_clock": (now + 3000).to_string()}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    let offset = r.json()["device"]["last_check"]["clock_offset_ms"].as_i64().unwrap();
    assert!((2000..60_000).contains(&offset), "{offset}");
    // An officer may not hand out a device; an unknown officer gets none.
    let r =
        app.post_as("/api/devices/DSJ-001/commands", &wang_token, &json!({"type": "assign", "officer": wang})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(cmd(json!({"type": "assign", "officer": "nobody"})).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = cmd(json!({"type": "assign", "officer": wang})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["device"]["holder"], wang.as_str());
    // Out with 王明: not to 李华 too; not into repair; not returned in 李华's name.
    assert_eq!(rules(&cmd(json!({"type": "assign", "officer": li})).await), ["R-149a"]);
    assert_eq!(rules(&cmd(json!({"type": "upkeep", "kind": "repair_started", "note": "镜头进水"})).await), ["R-149b"]);
    assert_eq!(rules(&cmd(json!({"type": "return", "officer": li, "condition": "完好"})).await), ["R-149a"]);
    // 王明 hands it to 李华 himself (his own name, whatever he sends as `from`).
    let r = app
        .post_as("/api/devices/DSJ-001/commands", &wang_token, &json!({"type": "hand_over", "from": li, "to": li}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["device"]["holder"], li.as_str());
    // Now 王明 cannot give it back; the 设备管理员 takes it back from 李华.
    let r = app
        .post_as("/api/devices/DSJ-001/commands", &wang_token, &json!({"type": "return", "condition": "完好"}))
        .await;
    assert_eq!(rules(&r), ["R-149a"]);
    assert_eq!(cmd(json!({"type": "return", "officer": li, "condition": "外壳轻微磨损"})).await.status, StatusCode::OK);
    // Repair, and the check after it; then retired, after which nothing more.
    assert_eq!(cmd(json!({"type": "upkeep", "kind": "repaired", "note": "x"})).await.status, StatusCode::CONFLICT);
    assert_eq!(
        cmd(json!({"type": "upkeep", "kind": "repair_started", "note": "更换外壳"})).await.status,
        StatusCode::OK
    );
    assert_eq!(rules(&cmd(json!({"type": "assign", "officer": wang})).await), ["R-149b"]);
    assert_eq!(cmd(json!({"type": "upkeep", "kind": "repaired", "note": "外壳已更换"})).await.status, StatusCode::OK);
    assert_eq!(rules(&cmd(json!({"type": "assign", "officer": wang})).await), ["R-149c"]);
    assert_eq!(cmd(json!({"type": "move", "storage_place": "二楼装备室"})).await.status, StatusCode::OK);
    assert_eq!(cmd(json!({"type": "retire", "reason": "电池老化"})).await.status, StatusCode::OK);
    assert_eq!(
        cmd(json!({"type": "check", "battery_pct": 99, "free_storage_mb": 1, "clock_offset_ms": 0})).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(cmd(json!({"type": "melt"})).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/api/devices/DSJ-404", Some(&keeper)).await.status, StatusCode::NOT_FOUND);

    // The ledger: every step, newest first, with who recorded it, a page at a time.
    let d = app.get("/api/devices/DSJ-001", Some(&wang_token)).await.json();
    let mut steps: Vec<&str> =
        d["history"].as_array().unwrap().iter().map(|h| h["event"]["type"].as_str().unwrap()).collect();
    steps.reverse();
    assert_eq!(d["events"], 10, "{d}");
    assert!(d["history"].as_array().unwrap().iter().all(|h| h["actor"].as_str().unwrap().starts_with("user:")));
    let (mut paged, mut path) = (Vec::new(), "/api/devices/DSJ-001?limit=3".to_string());
    loop {
        let page = app.get(&path, Some(&wang_token)).await.json();
        assert!(page["history"].as_array().unwrap().len() <= 3, "{page}");
        paged.extend(page["history"].as_array().unwrap().iter().map(|h| h["n"].as_u64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/devices/DSJ-001?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(paged, (0..10).rev().collect::<Vec<u64>>());
    for bad in ["limit=0", "limit=501", "cursor=%E2%98%83"] {
        let r = app.get(&format!("/api/devices/DSJ-001?{bad}"), Some(&wang_token)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(
        steps,
        [
            "registered",
            "checked",
            "checked",
            "assigned",
            "handed_over",
            "returned",
            "upkept",
            "upkept",
            "moved",
            "retired"
        ]
    );
    assert_eq!(d["device"]["status"], "retired");
    let list = app.get("/api/devices", Some(&head)).await.json();
    assert_eq!(list["devices"].as_array().unwrap().len(), 1, "{list}");
    assert!(list["next_cursor"].is_null(), "{list}");
    // Each step is an entry of the log; the registry is rebuilt from them alone.
    let size = liuhen_store::Log::tree_size(&app.store);
    let entries = liuhen_store::Log::entries(&app.store, 0, size).await.unwrap();
    let logged = entries.iter().filter(|e| String::from_utf8_lossy(e).contains("\"device.")).count();
    assert_eq!(logged, steps.len());
    let again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = again.projections_from_log().await.unwrap();
    assert_eq!(
        again.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(from_log.devices.len(), 1);
    assert_eq!(from_log.device_events.len(), steps.len());
    assert!(from_log.settings.iter().all(|s| !s.key.starts_with("device/")), "a device is no setting");
    // The registry by number, a page at a time.
    for n in ["DSJ-003", "DSJ-002"] {
        let more = json!({"number": n, "model": "DSJ-V9", "kind": "body_camera", "storage_place": "执法装备室"});
        assert_eq!(app.post_as("/api/devices", &keeper, &more).await.status, StatusCode::CREATED);
    }
    let (mut numbers, mut path) = (Vec::new(), "/api/devices?limit=2".to_string());
    loop {
        let page = app.get(&path, Some(&head)).await.json();
        numbers.extend(
            page["devices"].as_array().unwrap().iter().map(|d| d["device"]["number"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/devices?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(numbers, ["DSJ-001", "DSJ-002", "DSJ-003"]);
    // Narrowed to a state, or to who holds one.
    let numbers_of = |v: Value| {
        v["devices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["device"]["number"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(numbers_of(app.get("/api/devices?status=in_store", Some(&head)).await.json()), ["DSJ-002", "DSJ-003"]);
    assert_eq!(numbers_of(app.get("/api/devices?status=retired", Some(&head)).await.json()), ["DSJ-001"]);
    assert_eq!(app.get("/api/devices?status=melted", Some(&head)).await.status, StatusCode::BAD_REQUEST);
    assert_eq!(numbers_of(app.get("/api/devices?status=&holder=", Some(&head)).await.json()).len(), 3);
    let check = json!({"type": "check", "battery_pct": 90, "free_storage_mb": 30000, "clock_offset_ms": 0});
    let assign = json!({"type": "assign", "officer": wang});
    for c in [check, assign] {
        assert_eq!(app.post_as("/api/devices/DSJ-003/commands", &keeper, &c).await.status, StatusCode::OK);
    }
    let held = app.get(&format!("/api/devices?holder={wang}"), Some(&head)).await.json();
    assert_eq!(numbers_of(held), ["DSJ-003"]);
    let out = app.get("/api/devices?status=assigned", Some(&head)).await.json();
    assert_eq!(numbers_of(out), ["DSJ-003"]);
}

#[tokio::test]
async fn a_recording_names_a_registered_device_held_by_one_of_its_officers() {
    use crate::uploads::{b64, content, create, header, patch, send};
    let app = spawn_app(liuhen_server::LogAccess::Public).await;
    let head = app.login().await;
    let admin = app.login_admin().await;
    let wang = officer(&app, &head, "王明", "13020001").await;
    let keeper = app.account(&admin, "keeper", "device_admin").await;
    let camera = json!({"number": "DSJ-001", "model": "V9", "kind": "body_camera", "storage_place": "装备室"});
    assert_eq!(app.post_as("/api/devices", &keeper, &camera).await.status, StatusCode::CREATED);
    let cmd = |c: Value| {
        let (app, keeper) = (&app, &keeper);
        async move { app.post_as("/api/devices/DSJ-001/commands", keeper, &c).await.status }
    };
    assert_eq!(
        cmd(json!({"type": "check", "battery_pct": 90, "free_storage_mb": 60000, "clock_offset_ms": 0})).await,
        StatusCode::OK
    );
    assert_eq!(cmd(json!({"type": "assign", "officer": wang})).await, StatusCode::OK);
    let now = liuhen_server::app::auth::now_ms();
    let upload = |device: &str, officers: &str| {
        let (app, head) = (&app, &head);
        let meta = format!(
            "filename {},device {},officers {},started_at {},ended_at {}",
            b64("x.mp4"),
            b64(device),
            b64(officers),
            b64(&(now + 1000).to_string()),
            b64(&(now + 60_000).to_string())
        );
        async move {
            let data = content(32 << 10);
            let a = create(&app.router, head, data.len() as u64, &meta).await;
            let a =
                send(&app.router, patch(&header(&a, "location"), head, 0, axum::body::Body::from(data), None)).await;
            let id = header(&a, "liuhen-recording");
            let r = app.get(&format!("/api/recordings/{id}"), Some(head)).await.json();
            r["flags"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == "R-149d")
                .map(|f| f["message"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert!(upload("DSJ-001", "王明、李华").await.is_empty());
    let f = upload("DSJ-001", "李华").await;
    assert!(f.len() == 1 && f[0].contains("由 王明 领用"), "{f:?}");
    let f = upload("DSJ-404", "王明").await;
    assert!(f.len() == 1 && f[0].contains("未登记"), "{f:?}");
}
