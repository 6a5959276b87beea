//! Read-modify-writes under contention (issue 16): 32 requests at once on one document, one
//! device, one recording, one case's record classes and its reasons for records without a
//! recording. No process-wide lock orders them: each names the version it read, the store
//! refuses a stale one inside the append's transaction, and the loser reads again. None is
//! lost — every one answered 200 is in the projection, and the projection equals a replay of
//! the log.

use crate::documents::{PNG, day, office};
use axum::http::StatusCode;
use serde_json::{Value, json};

const N: usize = 32;

fn all_ok(statuses: &[StatusCode], what: &str) {
    assert!(statuses.iter().all(|s| s.is_success()), "{what}: {statuses:?}");
}

#[tokio::test]
async fn thirty_two_concurrent_read_modify_writes_of_one_row_lose_none() {
    let o = office().await;
    let app = &o.app;

    // One document: 32 signatures at once, each on the content it saw (the same).
    let body = json!({"code": "D16", "fields": {"party": "张某某"}});
    let d = app.post_as(&format!("/api/cases/{}/documents", o.case), &o.wang, &body).await.json();
    let (doc, hash) = (d["id"].as_str().unwrap().to_string(), d["content_hash"].clone());
    let sign = |k: usize| {
        let (doc, hash, wang) = (&doc, &hash, &o.wang);
        async move {
            let body = json!({"type": "sign", "role": "party", "name": format!("签名人{k}"), "image": PNG, "content_hash": hash});
            app.document_command(wang, doc, &body).await.status
        }
    };
    all_ok(&futures::future::join_all((0..N).map(sign)).await, "signatures");
    let d = app.get(&format!("/api/documents/{doc}"), Some(&o.wang)).await.json();
    assert_eq!(d["signatures"].as_array().unwrap().len(), N, "{d}");

    // One case with N + 1 on-site acts: each act's class, and each act's reason for having no
    // recording, given at once — all in one setting of the case each.
    let case = &o.case;
    for k in 1..=N {
        let t = day("2026-08-11") + k as i64 * 60_000;
        let act = json!({"at": t, "place": "幸福路 8 号", "recording_announced": true, "problems_found": true,
            "summary": format!("复查 {k}"), "officers": o.officers.iter().map(|x| json!({"officer_id": x, "id_shown_at": t})).collect::<Vec<_>>()});
        let v = app.get(&format!("/api/cases/{case}"), Some(&o.head)).await.json()["version"].as_u64().unwrap();
        let r = app
            .post_as(
                &format!("/api/cases/{case}/commands"),
                &o.head,
                &json!({"expected_version": v, "command": {"type": "investigate", "act": act}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    }
    let (head, officers) = (&o.head, &o.officers);
    let classify = |k: usize| async move {
        let body = json!({"class": "personal_privacy", "reason": format!("第 {k} 次检查涉及个人隐私")});
        app.post_as(&format!("/api/cases/{case}/records/act/{k}/classification"), head, &body).await.status
    };
    let explain = |k: usize| async move {
        let body = json!({"record": format!("act/{k}"), "reason": format!("第 {k} 次复查为书面检查，笔录已足以记录")});
        app.post_as(&format!("/api/cases/{case}/av/unrecorded"), head, &body).await.status
    };
    let (classified, explained) =
        tokio::join!(futures::future::join_all((1..=N).map(classify)), futures::future::join_all((1..=N).map(explain)));
    all_ok(&classified, "classifications");
    all_ok(&explained, "reasons");
    let reasons = liuhen_store::ProjectionReads::record_marks(&app.store, case, "unrecorded").await.unwrap();
    assert_eq!(reasons.len(), N, "{reasons:?}");
    for k in 1..=N {
        let r = app.get(&format!("/api/cases/{case}/records/act/{k}"), Some(&o.head)).await.json();
        assert_eq!(r["class"], "personal_privacy", "act/{k}: {r}");
    }
    // One record classified 32 times at once, each a read-modify-write of its row: every one
    // logged, the row the last one's.
    let reclassify = |k: usize| async move {
        let class = if k.is_multiple_of(2) { "commercial_secret" } else { "internal" };
        let body = json!({"class": class, "reason": format!("第 {k} 次复核定级")});
        app.post_as(&format!("/api/cases/{case}/records/act/1/classification"), head, &body).await.status
    };
    all_ok(&futures::future::join_all((0..N).map(reclassify)).await, "reclassifications");
    let size = liuhen_store::Log::tree_size(&app.store);
    let entries = liuhen_store::Log::entries(&app.store, 0, size).await.unwrap();
    let last = (0..size as usize)
        .rev()
        .find(|&i| {
            let e = liuhen_log::Entry::decode(&entries[i]).unwrap();
            e.action() == "record.classified" && e.body()["record"] == "act/1"
        })
        .unwrap();
    let classified = entries.iter().filter(|e| String::from_utf8_lossy(e).contains("record.classified")).count();
    assert_eq!(classified, 2 * N);
    let row = liuhen_store::ProjectionReads::record_mark(&app.store, case, "class", "act/1").await.unwrap();
    assert_eq!(row.version, last as u64 + 1);
    let e = liuhen_log::Entry::decode(&entries[last]).unwrap();
    assert_eq!(row.data, Value::from(e.body()["class"].as_str().unwrap()).to_string());

    // Classified by 32 at once, each naming the class it read (办法第二十四条: a class raised by
    // one is not lowered unseen by another): one wins, the rest are 409 and append nothing —
    // for the record and for the case alike.
    let read = row.data.trim_matches('"').to_string();
    let size = liuhen_store::Log::tree_size(&app.store);
    let contend = |path: String, from: String| {
        let statuses = (0..N).map(move |k| {
            let (path, from) = (path.clone(), from.clone());
            async move {
                let class = if k.is_multiple_of(2) { "personal_privacy" } else { "commercial_secret" };
                let body = json!({"class": class, "reason": format!("第 {k} 次复核"), "expected_class": from});
                app.post_as(&path, head, &body).await.status
            }
        });
        futures::future::join_all(statuses)
    };
    let statuses = contend(format!("/api/cases/{case}/records/act/1/classification"), read.clone()).await;
    assert_eq!(statuses.iter().filter(|s| s.is_success()).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| s.is_success() || *s == StatusCode::CONFLICT), "{statuses:?}");
    let now = liuhen_store::Log::tree_size(&app.store);
    let added: Vec<String> = liuhen_store::Log::entries(&app.store, size, now)
        .await
        .unwrap()
        .iter()
        .map(|e| liuhen_log::Entry::decode(e).unwrap().action().to_string())
        .collect();
    assert_eq!(added, ["record.classified"]);
    let was = app.get(&format!("/api/cases/{case}"), Some(head)).await.json()["confidentiality"]
        .as_str()
        .unwrap()
        .to_string();
    let size = liuhen_store::Log::tree_size(&app.store);
    let statuses = contend(format!("/api/cases/{case}/classification"), was).await;
    assert_eq!(statuses.iter().filter(|s| s.is_success()).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| s.is_success() || *s == StatusCode::CONFLICT), "{statuses:?}");
    assert_eq!(liuhen_store::Log::tree_size(&app.store), size + 1);

    // One device: 32 checks at once by the 设备管理员, each in its ledger.
    let admin = app.login_admin().await;
    let keeper = app.account(&admin, "keeper", "device_admin").await;
    let camera = json!({"number": "DSJ-009", "model": "DSJ-V9", "kind": "body_camera", "storage_place": "装备室"});
    assert_eq!(app.post_as("/api/devices", &keeper, &camera).await.status, StatusCode::CREATED);
    let check = |k: usize| {
        let keeper = &keeper;
        async move {
            let body =
                json!({"type": "check", "battery_pct": 60 + k as u64, "free_storage_mb": 30000, "clock_offset_ms": 0});
            app.post_as("/api/devices/DSJ-009/commands", keeper, &body).await.status
        }
    };
    all_ok(&futures::future::join_all((0..N).map(check)).await, "checks");
    let dev = app.get("/api/devices/DSJ-009", Some(&keeper)).await.json();
    assert_eq!(dev["history"].as_array().unwrap().len(), 1 + N, "{dev}");

    // One recording: 32 interruptions at once, while its SM3 is being logged.
    let t0 = day("2026-08-10");
    let rec = crate::av::upload(app, &o.head, "DSJ-009_0001.mp4", t0, t0 + 3_600_000, "DSJ-009", "王明").await;
    let gap = |k: usize| {
        let rec = &rec;
        async move {
            let from = t0 + k as i64 * 60_000;
            let body = json!({"from": from, "to": from + 30_000, "cause": "设备故障",
                "written": format!("第 {k} 次电池松动"), "signed_by": [officers[0]]});
            app.post_as(&format!("/api/recordings/{rec}/interruptions"), head, &body).await.status
        }
    };
    all_ok(&futures::future::join_all((0..N).map(gap)).await, "interruptions");
    crate::uploads::sm3_of(app, &o.head, &rec).await;
    let r = app.get(&format!("/api/recordings/{rec}"), Some(&o.head)).await.json();
    assert_eq!(r["interruptions"].as_array().unwrap().len(), N, "{r}");

    // What the projections hold is what a replay of the log gives, versions included.
    let again = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
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

/// Two servers on one store take turns commanding one case. Each keeps the case as its own last
/// command left it, by version; the other server moving the case on makes that stale, and the
/// next command there replays the log instead — it is accepted on the version the client read,
/// and the case equals a replay of the log.
#[tokio::test]
async fn two_servers_command_one_case_in_turn_from_what_the_log_says() {
    let o = office().await;
    let (app, case) = (&o.app, &o.case);
    let other = app.restarted();
    for k in 1..=4 {
        let t = day("2026-08-11") + k as i64 * 60_000;
        let act = json!({"at": t, "place": "幸福路 8 号", "recording_announced": true, "problems_found": true,
            "summary": format!("复查 {k}"), "officers": o.officers.iter().map(|x| json!({"officer_id": x, "id_shown_at": t})).collect::<Vec<_>>()});
        let v = liuhen_store::ProjectionReads::case(&app.store, case).await.unwrap().version;
        let body = json!({"expected_version": v, "command": {"type": "investigate", "act": act}});
        let status = if k % 2 == 1 {
            app.post_as(&format!("/api/cases/{case}/commands"), &o.head, &body).await.status
        } else {
            let req = axum::http::Request::post(format!("/api/cases/{case}/commands"))
                .header("content-type", "application/json")
                .header("authorization", format!("Bearer {}", o.head))
                .body(axum::body::Body::from(body.to_string()))
                .unwrap();
            tower::ServiceExt::oneshot(other.clone(), req).await.unwrap().status()
        };
        assert_eq!(status, StatusCode::OK, "command {k}");
    }
    let record = liuhen_store::ProjectionReads::case(&app.store, case).await.unwrap();
    let acts = serde_json::from_str::<Value>(&record.data).unwrap()["acts"].as_array().map(Vec::len);
    let replayed = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = replayed.projections_from_log().await.unwrap();
    assert_eq!(
        liuhen_store::ProjectionReads::projection_differences(
            &replayed.store,
            &liuhen_store::ProjectionScratch::of(&from_log).unwrap()
        )
        .await
        .unwrap(),
        Vec::<String>::new()
    );
    assert!(acts >= Some(4), "{acts:?}");
}
