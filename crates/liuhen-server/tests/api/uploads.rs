//! Resumable uploads (tus 1.0.0) of 音像记录 files: chunks with and without checksums, every
//! kind of bad request refused with nothing kept, a client that vanishes, a server restarted
//! part-way; the stored blob, its SHA-256 and SM3, and the log entry that names it.

use crate::helpers::*;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use liuhen_server::LogAccess;
use liuhen_store::{Log as _, ProjectionReads as _};
use sha2::Digest;
use tower::ServiceExt;

pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

pub(crate) async fn send(router: &Router, req: Request<Body>) -> Answer {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 20).await.unwrap();
    Answer { status, headers, body: String::from_utf8_lossy(&body).to_string() }
}

pub(crate) fn header(a: &Answer, name: &str) -> String {
    a.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

pub(crate) fn b64(s: &str) -> String {
    STANDARD.encode(s.as_bytes())
}

/// `POST /api/uploads` for `length` bytes; the upload's path.
pub(crate) async fn create(router: &Router, token: &str, length: u64, metadata: &str) -> Answer {
    let req = Request::post("/api/uploads")
        .header("authorization", format!("Bearer {token}"))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", length.to_string())
        .header("upload-metadata", metadata)
        .body(Body::empty())
        .unwrap();
    send(router, req).await
}

pub(crate) fn patch(path: &str, token: &str, offset: u64, body: Body, checksum: Option<&[u8]>) -> Request<Body> {
    let mut b = Request::patch(path)
        .header("authorization", format!("Bearer {token}"))
        .header("tus-resumable", "1.0.0")
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", offset.to_string());
    if let Some(bytes) = checksum {
        b = b.header("upload-checksum", format!("sha256 {}", STANDARD.encode(sha2::Sha256::digest(bytes))));
    }
    b.body(body).unwrap()
}

async fn offset(router: &Router, path: &str, token: &str) -> u64 {
    let req = Request::head(path)
        .header("authorization", format!("Bearer {token}"))
        .header("tus-resumable", "1.0.0")
        .body(Body::empty())
        .unwrap();
    let a = send(router, req).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    header(&a, "upload-offset").parse().unwrap()
}

/// An MP4 file's first box, then bytes from a small LCG.
pub(crate) fn content(n: usize) -> Vec<u8> {
    let mut x = 0x2545_f491_u32;
    let mut out = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    out.extend((0..n - out.len()).map(|_| {
        x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (x >> 24) as u8
    }));
    out
}

/// Waits for the SM3 entry that follows a stored recording.
pub(crate) async fn sm3_of(app: &TestApp, token: &str, id: &str) -> String {
    for _ in 0..200 {
        let r = app.get(&format!("/api/recordings/{id}"), Some(token)).await.json();
        if let Some(s) = r["sm3"].as_str() {
            return s.to_string();
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("no SM3 for {id}");
}

#[tokio::test]
async fn a_file_arrives_in_chunks_and_becomes_a_logged_recording_with_both_digests() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let data = content(3 << 20);
    let a = create(
        &app.router,
        &token,
        data.len() as u64,
        &format!("filename {},device {}", b64("执法记录仪_0001.mp4"), b64("DSJ-0001")),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(header(&a, "tus-resumable"), "1.0.0");
    let path = header(&a, "location");
    assert!(path.starts_with("/api/uploads/"), "{path}");
    assert_eq!(offset(&app.router, &path, &token).await, 0);
    let (one, rest) = data.split_at(1 << 20);
    let (two, three) = rest.split_at(1 << 20);
    let a = send(&app.router, patch(&path, &token, 0, Body::from(one.to_vec()), Some(one))).await;
    assert_eq!(
        (a.status, header(&a, "upload-offset")),
        (StatusCode::NO_CONTENT, (1u64 << 20).to_string()),
        "{}",
        a.body
    );
    assert!(header(&a, "liuhen-recording").is_empty(), "not complete yet");
    let a = send(&app.router, patch(&path, &token, 1 << 20, Body::from(two.to_vec()), None)).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT);
    let before = app.store.tree_size();
    let a = send(&app.router, patch(&path, &token, 2 << 20, Body::from(three.to_vec()), Some(three))).await;
    assert_eq!((a.status, header(&a, "upload-offset")), (StatusCode::NO_CONTENT, data.len().to_string()), "{}", a.body);
    let id = header(&a, "liuhen-recording");
    assert!(!id.is_empty());
    // The digests are the file's; SM3 follows in its own entry.
    let r = app.get(&format!("/api/recordings/{id}"), Some(&token)).await.json();
    assert_eq!(r["sha256"], hex::encode(sha2::Sha256::digest(&data)), "{r}");
    assert_eq!(r["size"], data.len());
    assert_eq!(r["filename"], "执法记录仪_0001.mp4");
    assert_eq!(r["metadata"]["device"], "DSJ-0001");
    let sm3 = sm3_of(&app, &token, &id).await;
    assert_eq!(sm3, hex::encode(<sm3::Sm3 as sm3::Digest>::digest(&data)));
    // Played back by ranges under a grant; the grant is the view, and it is in the ledger first.
    let p = app
        .post_as(&format!("/api/recordings/{id}/playback"), &token, &serde_json::json!({"purpose": "核对现场情况"}))
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", String::from_utf8_lossy(&p.body));
    let content = p.json()["content"].as_str().unwrap().to_string();
    let range = |grant_url: &str, token: &str, range: Option<&str>| {
        let mut b = Request::get(grant_url).header("authorization", format!("Bearer {token}"));
        if let Some(v) = range {
            b = b.header("range", v);
        }
        b.body(Body::empty()).unwrap()
    };
    let part = app.router.clone().oneshot(range(&content, &token, Some("bytes=1048570-1048599"))).await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-range"], format!("bytes 1048570-1048599/{}", data.len()).as_str());
    let bytes = axum::body::to_bytes(part.into_body(), 1 << 20).await.unwrap();
    assert_eq!(&bytes[..], &data[1_048_570..1_048_600], "a range across two parts of the stream");
    let whole = app.router.clone().oneshot(range(&content, &token, None)).await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(axum::body::to_bytes(whole.into_body(), 8 << 20).await.unwrap().len(), data.len());
    let beyond = app.router.clone().oneshot(range(&content, &token, Some("bytes=99999999-"))).await.unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    // No grant, a forged one: refused.
    let bare = format!("/api/recordings/{id}/content");
    assert_eq!(app.router.clone().oneshot(range(&bare, &token, None)).await.unwrap().status(), StatusCode::FORBIDDEN);
    let forged = format!("{bare}?grant=00");
    assert_eq!(app.router.clone().oneshot(range(&forged, &token, None)).await.unwrap().status(), StatusCode::FORBIDDEN);
    let me = app.get("/api/me", Some(&token)).await.json();
    let mine =
        app.get(&format!("/api/users/{}/ledger", me["id"].as_str().unwrap()), Some(&token)).await.json()["ledger"]
            .clone();
    let views: Vec<&serde_json::Value> =
        mine.as_array().unwrap().iter().filter(|l| l["record"] == format!("recording/{id}")).collect();
    assert_eq!(views.len(), 1, "one playback, one ledger line: {mine}");
    assert_eq!(views[0]["purpose"], "核对现场情况");
    // One entry names the blob; the blob on disk is the file; the upload is gone.
    let raw = app.store.entries(before, before + 1).await.unwrap();
    let e = liuhen_log::Entry::decode(&raw[0]).unwrap();
    assert_eq!(e.action(), "recording.stored");
    assert_eq!(e.blobs()[0].sha256.to_hex(), r["sha256"].as_str().unwrap());
    let on_disk =
        std::fs::read(app.data.blobs_dir().join(liuhen_store::blob_path(&e.blobs()[0].sha256).to_string())).unwrap();
    assert_eq!(on_disk, data);
    let req = Request::head(&path).header("authorization", format!("Bearer {token}")).header("tus-resumable", "1.0.0");
    assert_eq!(send(&app.router, req.body(Body::empty()).unwrap()).await.status, StatusCode::NOT_FOUND);
    // And the log alone gives the same projection.
    let app2 = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = app2.projections_from_log().await.unwrap();
    assert_eq!(from_log.recordings.len(), 1);
    assert_eq!(
        app2.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn bad_requests_are_refused_and_nothing_of_them_is_kept() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let data = content(4096);
    let r = &app.router;
    // Creation: no length, an empty file, too large, no filename, unknown metadata, not tus.
    for (length, meta, want) in [
        (0, format!("filename {}", b64("a.mp4")), StatusCode::BAD_REQUEST),
        (1 << 40, format!("filename {}", b64("a.mp4")), StatusCode::PAYLOAD_TOO_LARGE),
        (10, String::new(), StatusCode::BAD_REQUEST),
        (10, format!("filename {},secret {}", b64("a.mp4"), b64("x")), StatusCode::BAD_REQUEST),
        (10, "filename !!!".to_string(), StatusCode::BAD_REQUEST),
        // A time the rules read that is none (R-149d, 办法第二十三条): refused, not taken as now.
        (10, format!("filename {},started_at {}", b64("a.mp4"), b64("abc")), StatusCode::BAD_REQUEST),
        (10, format!("filename {},ended_at {}", b64("a.mp4"), b64("2026-13-01 10:00")), StatusCode::BAD_REQUEST),
        (10, format!("filename {},device_clock {}", b64("a.mp4"), b64("昨天")), StatusCode::BAD_REQUEST),
    ] {
        assert_eq!(create(r, &token, length, &meta).await.status, want, "{length} {meta}");
    }
    let no_tus = Request::post("/api/uploads")
        .header("authorization", format!("Bearer {token}"))
        .header("upload-length", "10")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(r, no_tus).await.status, StatusCode::PRECONDITION_FAILED);
    let a = create(r, &token, data.len() as u64, &format!("filename {}", b64("a.mp4"))).await;
    let path = header(&a, "location");
    let (head, tail) = data.split_at(1000);
    assert_eq!(
        send(r, patch(&path, &token, 0, Body::from(head.to_vec()), Some(head))).await.status,
        StatusCode::NO_CONTENT
    );
    // A resume at the wrong offset.
    let a = send(r, patch(&path, &token, 999, Body::from(tail.to_vec()), None)).await;
    assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.body);
    assert!(a.body.contains("UPLOAD_OFFSET_MISMATCH") && a.body.contains("1000"), "{}", a.body);
    // A chunk whose checksum does not match: refused, not kept.
    let a = send(r, patch(&path, &token, 1000, Body::from(tail.to_vec()), Some(b"something else"))).await;
    assert_eq!(a.status.as_u16(), 460, "{}", a.body);
    assert!(a.body.contains("CHECKSUM_MISMATCH"));
    assert_eq!(offset(r, &path, &token).await, 1000);
    // A CRC-32 that does not match (a transit check, `liuhen import`'s), an unknown algorithm,
    // a digest of the wrong length: refused, not kept.
    let with = |algo: &str, digest: &[u8]| {
        let mut req = patch(&path, &token, 1000, Body::from(tail.to_vec()), None);
        req.headers_mut().insert("upload-checksum", format!("{algo} {}", STANDARD.encode(digest)).parse().unwrap());
        req
    };
    let a = send(r, with("crc32", &(crc32fast::hash(tail) ^ 1).to_be_bytes())).await;
    assert_eq!(a.status.as_u16(), 460, "{}", a.body);
    for (algo, digest) in [("md5", &[0u8; 16][..]), ("crc32", &[0u8; 3][..]), ("sha256", &[0u8; 4][..])] {
        let a = send(r, with(algo, digest)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{algo}: {}", a.body);
    }
    assert_eq!(offset(r, &path, &token).await, 1000);
    // More bytes than declared: refused, not kept.
    let mut over = tail.to_vec();
    over.extend_from_slice(b"one byte too many");
    let a = send(r, patch(&path, &token, 1000, Body::from(over), None)).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.body);
    assert_eq!(offset(r, &path, &token).await, 1000);
    // Not the tus content type; somebody else's upload; no such upload; a path for an id.
    let wrong_type = Request::patch(&path)
        .header("authorization", format!("Bearer {token}"))
        .header("tus-resumable", "1.0.0")
        .header("content-type", "application/json")
        .header("upload-offset", "1000")
        .body(Body::from(tail.to_vec()))
        .unwrap();
    assert_eq!(send(r, wrong_type).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let admin = app.login_admin().await;
    let refused = create(r, &admin, 10, &format!("filename {}", b64("a.mp4"))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "the 系统管理员 handles accounts, not evidence");
    let other = app.account(&admin, "wangming", "officer").await;
    assert_eq!(
        send(r, patch(&path, &other, 1000, Body::from(tail.to_vec()), None)).await.status,
        StatusCode::NOT_FOUND
    );
    let bad = "/api/uploads/..%2F..%2Fliuhen.db";
    assert_eq!(send(r, patch(bad, &token, 0, Body::from("x"), None)).await.status, StatusCode::NOT_FOUND);
    // Nothing was stored or logged for any of them; the rest completes the file.
    assert!(app.store.recordings(None, 10).await.unwrap().is_empty());
    let a = send(r, with("crc32", &crc32fast::hash(tail).to_be_bytes())).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    let id = header(&a, "liuhen-recording");
    let rec = app.get(&format!("/api/recordings/{id}"), Some(&token)).await.json();
    assert_eq!(rec["sha256"], hex::encode(sha2::Sha256::digest(&data)));
    // Found by its fingerprint (what `liuhen import` asks before hashing a file whole): the
    // SHA-256 of the size and both ends, computed here independently of the server's code.
    let mut h = sha2::Sha256::new();
    h.update((data.len() as u64).to_be_bytes());
    h.update(&data);
    h.update(&data);
    let print = hex::encode(h.finalize());
    let found = app.get(&format!("/api/recordings?fingerprint={print}"), Some(&token)).await.json();
    assert_eq!(found["recordings"].as_array().map(|a| a.len()), Some(1), "{found}");
    assert_eq!(found["recordings"][0]["id"], id);
    let other_print = format!("{:0>64}", "1");
    let found = app.get(&format!("/api/recordings?fingerprint={other_print}"), Some(&token)).await.json();
    assert_eq!(found["recordings"], serde_json::json!([]));
    let stranger = app.account(&admin, "zhaoliu", "officer").await;
    let found = app.get(&format!("/api/recordings?fingerprint={print}"), Some(&stranger)).await.json();
    assert_eq!(found["recordings"], serde_json::json!([]), "only recordings the caller may see");
    assert_eq!(app.get("/api/recordings?fingerprint=xyz", Some(&token)).await.status, StatusCode::BAD_REQUEST);
    // A file that is not media: refused at its first bytes, nothing kept.
    let a = create(r, &token, 4096, &format!("filename {}", b64("notes.txt"))).await;
    let text_path = header(&a, "location");
    let a = send(r, patch(&text_path, &token, 0, Body::from(vec![b'x'; 4096]), None)).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{}", a.body);
    assert!(a.body.contains("NOT_MEDIA"), "{}", a.body);
    assert_eq!(offset(r, &text_path, &token).await, 0);
    // Termination drops an upload.
    let a = create(r, &token, 10, &format!("filename {}", b64("b.mp4"))).await;
    let path = header(&a, "location");
    let del =
        Request::delete(&path).header("authorization", format!("Bearer {token}")).header("tus-resumable", "1.0.0");
    assert_eq!(send(r, del.body(Body::empty()).unwrap()).await.status, StatusCode::NO_CONTENT);
    let req = Request::head(&path).header("authorization", format!("Bearer {token}")).header("tus-resumable", "1.0.0");
    assert_eq!(send(r, req.body(Body::empty()).unwrap()).await.status, StatusCode::NOT_FOUND);
    // Without a session: 401; the protocol's capabilities are public.
    let anon = Request::post("/api/uploads").header("tus-resumable", "1.0.0").header("upload-length", "10");
    assert_eq!(send(r, anon.body(Body::empty()).unwrap()).await.status, StatusCode::UNAUTHORIZED);
    let opts = send(r, Request::options("/api/uploads").body(Body::empty()).unwrap()).await;
    assert_eq!(header(&opts, "tus-extension"), "creation,termination,checksum");
    assert_eq!(header(&opts, "tus-checksum-algorithm"), "sha256,crc32");
}

#[tokio::test]
async fn a_client_that_vanishes_and_a_server_restarted_part_way_resume_from_the_offset() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let data = content(2 << 20);
    let a = create(&app.router, &token, data.len() as u64, &format!("filename {}", b64("c.mp4"))).await;
    let path = header(&a, "location");
    // The client sends 512 KiB, then its connection breaks.
    let first = data[..512 << 10].to_vec();
    let stream = futures::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from(first)),
        Err(std::io::Error::other("connection reset")),
    ]);
    let _ = send(&app.router, patch(&path, &token, 0, Body::from_stream(stream), None)).await;
    assert_eq!(offset(&app.router, &path, &token).await, 512 << 10, "the bytes received are kept");
    // With a checksum, a broken request keeps nothing.
    let stream = futures::stream::iter(vec![
        Ok::<_, std::io::Error>(bytes::Bytes::from(data[512 << 10..600 << 10].to_vec())),
        Err(std::io::Error::other("connection reset")),
    ]);
    let chunk = &data[512 << 10..1 << 20];
    let _ = send(&app.router, patch(&path, &token, 512 << 10, Body::from_stream(stream), Some(chunk))).await;
    assert_eq!(offset(&app.router, &path, &token).await, 512 << 10);
    // The server restarts: a new process knows nothing but the data directory.
    let restarted = app.restarted();
    assert_eq!(offset(&restarted, &path, &token).await, 512 << 10);
    let a = send(&restarted, patch(&path, &token, 512 << 10, Body::from(chunk.to_vec()), Some(chunk))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    let rest = &data[1 << 20..];
    let a = send(&restarted, patch(&path, &token, 1 << 20, Body::from(rest.to_vec()), Some(rest))).await;
    assert_eq!(a.status, StatusCode::NO_CONTENT, "{}", a.body);
    let id = header(&a, "liuhen-recording");
    let r = app.get(&format!("/api/recordings/{id}"), Some(&token)).await.json();
    assert_eq!(r["sha256"], hex::encode(sha2::Sha256::digest(&data)), "re-hashed from disk after the restart");
    assert_eq!(sm3_of(&app, &token, &id).await, hex::encode(<sm3::Sm3 as sm3::Digest>::digest(&data)));
}

/// What the upload says of the recording is checked against 办法第二十三条 when it is stored:
/// late without a written explanation, a device clock far off — kept as the
/// recording's defects, never a reason to refuse the evidence.
#[tokio::test]
async fn a_late_recording_and_a_wrong_device_clock_are_flagged_and_an_explained_one_is_not() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let now = liuhen_server::app::now_ms();
    let (two_days_ago, an_hour_ago) = ((now - 48 * 3_600_000).to_string(), (now - 3_600_000).to_string());
    let data = content(4096);
    let mut flags = Vec::new();
    for (ended, extra) in [
        (&two_days_ago, format!(",device_clock {}", b64(&(now + 11 * 60_000).to_string()))),
        (&two_days_ago, format!(",late_explanation {}", b64("暴雨断网，返回后即存储"))),
        (&an_hour_ago, String::new()),
    ] {
        let meta = format!(
            "filename {},started_at {},ended_at {}{extra}",
            b64("a.mp4"),
            b64(&(ended.parse::<i64>().unwrap() - 600_000).to_string()),
            b64(ended)
        );
        let a = create(&app.router, &token, data.len() as u64, &meta).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        let path = header(&a, "location");
        let a = send(&app.router, patch(&path, &token, 0, Body::from(data.clone()), None)).await;
        let id = header(&a, "liuhen-recording");
        let r = app.get(&format!("/api/recordings/{id}"), Some(&token)).await.json();
        let rules: Vec<String> =
            r["flags"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_string()).collect();
        flags.push(rules);
    }
    assert_eq!(flags, [vec!["R-144", "R-145"], vec![], vec![]]);
    let app2 = liuhen_server::app::App::new(app.store.clone(), liuhen_store::Blobs::in_memory());
    let from_log = app2.projections_from_log().await.unwrap();
    assert_eq!(
        app2.store.projection_differences(&liuhen_store::ProjectionScratch::of(&from_log).unwrap()).await.unwrap(),
        Vec::<String>::new()
    );
}

/// A `PATCH` from offset 0 whose body arrives as the test sends it: the sender, and the
/// request's answer to come.
fn slow_patch(
    app: &TestApp,
    path: &str,
    token: &str,
) -> (tokio::sync::mpsc::Sender<Result<bytes::Bytes, std::io::Error>>, tokio::task::JoinHandle<StatusCode>) {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(1);
    let stream = futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    let (router, req) = (app.router.clone(), patch(path, token, 0, Body::from_stream(stream), None));
    (tx, tokio::spawn(async move { router.oneshot(req).await.unwrap().status() }))
}

/// Two requests on one upload at once: the second is told it is busy (423) and changes nothing;
/// a full disk is said so (507) and nothing is kept.
#[tokio::test]
async fn concurrent_requests_and_a_full_disk_are_refused_cleanly() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let data = content(256 << 10);
    let a = create(&app.router, &token, data.len() as u64, &format!("filename {}", b64("a.mp4"))).await;
    let path = header(&a, "location");
    // The first request's body arrives slowly: its first half, then (later) the rest.
    let (tx, first) = slow_patch(&app, &path, &token);
    tx.send(Ok(bytes::Bytes::from(data[..128 << 10].to_vec()))).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let second = send(&app.router, patch(&path, &token, 0, Body::from(data.clone()), None)).await;
    assert_eq!(second.status.as_u16(), 423, "{}", second.body);
    assert!(second.body.contains("UPLOAD_BUSY"));
    tx.send(Ok(bytes::Bytes::from(data[128 << 10..].to_vec()))).await.unwrap();
    drop(tx);
    assert_eq!(first.await.unwrap(), StatusCode::NO_CONTENT);
    // A disk that is full: the staged file is /dev/full, where every write fails with ENOSPC.
    let a = create(&app.router, &token, data.len() as u64, &format!("filename {}", b64("b.mp4"))).await;
    let path = header(&a, "location");
    let id = path.rsplit('/').next().unwrap();
    let part = app.data.uploads_dir().join(format!("{id}.part"));
    std::fs::remove_file(&part).unwrap();
    std::os::unix::fs::symlink("/dev/full", &part).unwrap();
    let a = send(&app.router, patch(&path, &token, 0, Body::from(data.clone()), None)).await;
    assert_eq!(a.status.as_u16(), 507, "{}", a.body);
    assert!(a.body.contains("STORAGE_FULL") && a.body.contains("存储空间不足"), "{}", a.body);
    assert_eq!(app.store.recordings(None, 10).await.unwrap().len(), 1, "only the first upload is stored");
}

/// `HEAD` reports the bytes on disk for good (fsync'd), never those a `PATCH` still running has
/// written but not yet synced: a client that resumes from it loses nothing in a crash.
#[tokio::test]
async fn head_reports_only_the_bytes_synced_to_disk() {
    let app = spawn_app(LogAccess::Public).await;
    let token = app.login().await;
    let data = content(1 << 20);
    let a = create(&app.router, &token, data.len() as u64, &format!("filename {}", b64("c.mp4"))).await;
    let path = header(&a, "location");
    let (tx, first) = slow_patch(&app, &path, &token);
    // More than the write buffer: these bytes reach the file, not yet the disk for good.
    tx.send(Ok(bytes::Bytes::from(data[..600 << 10].to_vec()))).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let id = path.rsplit('/').next().unwrap();
    let written = std::fs::metadata(app.data.uploads_dir().join(format!("{id}.part"))).unwrap().len();
    assert!(written > 0, "the request's bytes are in the file already");
    assert_eq!(offset(&app.router, &path, &token).await, 0, "nothing synced yet");
    drop(tx);
    assert_eq!(first.await.unwrap(), StatusCode::NO_CONTENT);
    assert_eq!(offset(&app.router, &path, &token).await, 600 << 10);
}
