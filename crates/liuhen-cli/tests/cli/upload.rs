//! A large 音像记录 upload against the real server: killed part-way (SIGKILL, in the middle of
//! a request), restarted, resumed from the offset it reports; the stored digests are those of
//! `sha256sum` and `openssl dgst -sm3` over the same file.

use crate::helpers::*;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const MIB: u64 = 1 << 20;

/// A file of `mib` MiB that starts like an MP4.
fn video(path: &Path, mib: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    let mut block = vec![0u8; MIB as usize];
    for i in 0..mib {
        for b in block.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes());
        }
        if i == 0 {
            block[..24].copy_from_slice(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom");
        }
        f.write_all(&block).unwrap();
    }
}

/// Reads the file's bytes, and kills the server once `kill_after` of them have been sent.
struct Killing<R> {
    inner: R,
    sent: u64,
    kill_after: u64,
    pid: u32,
}

impl<R: Read> Read for Killing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.sent >= self.kill_after && self.pid != 0 {
            let _ = Command::new("kill").args(["-KILL", &self.pid.to_string()]).status();
            self.pid = 0;
            std::thread::sleep(Duration::from_millis(200));
        }
        let n = self.inner.read(buf)?;
        self.sent += n as u64;
        Ok(n)
    }
}

fn last_word(out: std::process::Output) -> String {
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).split_whitespace().next().unwrap_or_default().to_string()
}

fn patch(
    agent: &ureq::Agent,
    url: &str,
    token: &str,
    offset: u64,
    body: &mut dyn Read,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    agent
        .patch(url)
        .header("authorization", &format!("Bearer {token}"))
        .header("tus-resumable", "1.0.0")
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", &offset.to_string())
        .send(ureq::SendBody::from_reader(body))
}

/// A new account with `roles` on a fresh server, made by its administrator; its session token.
fn account(agent: &ureq::Agent, server: &Server, username: &str, roles: &str) -> String {
    let password = server.admin_password.clone().unwrap();
    let admin = sign_in_changing_password(agent, &server.url, "admin", &password, "admin-password-after");
    let body = serde_json::json!({"username": username, "roles": roles, "password": "first-password-1"});
    let r = agent
        .post(&format!("{}/api/users", server.url))
        .header("authorization", &format!("Bearer {admin}"))
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    sign_in_changing_password(agent, &server.url, username, "first-password-1", "second-password-2")
}

fn offset_of(agent: &ureq::Agent, url: &str, token: &str) -> u64 {
    let r = agent
        .head(url)
        .header("authorization", &format!("Bearer {token}"))
        .header("tus-resumable", "1.0.0")
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.headers().get("upload-offset").unwrap().to_str().unwrap().parse().unwrap()
}

#[test]
fn a_large_upload_survives_a_killed_server_and_its_digests_match_sha256sum_and_openssl() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, file) = (tmp.path().join("data"), tmp.path().join("shift.mp4"));
    let size = 320 * MIB;
    video(&file, 320);
    let mut server = Server::start(&data);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(300)))
        .build()
        .into();
    // The 设备管理员 uploads from a 采集工作站 (the 系统管理员 may not; an officer's account,
    // which sees case content, would first need a 负责人's approval).
    let token = account(&agent, &server, "caiji", "device_admin");
    let r = agent
        .post(&format!("{}/api/uploads", server.url))
        .header("authorization", &format!("Bearer {token}"))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", &size.to_string())
        .header("upload-metadata", "filename c2hpZnQubXA0,device RFNKLTAwMDE=")
        .send_empty()
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let path = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    let mut f = std::fs::File::open(&file).unwrap();
    // 96 MiB arrive and are acknowledged.
    let r = patch(&agent, &format!("{}{path}", server.url), &token, 0, &mut (&mut f).take(96 * MIB)).unwrap();
    assert_eq!(r.status().as_u16(), 204);
    // The next request is cut by the server's death after about 64 MiB more.
    let pid = server.child.id();
    let mut killing = Killing { inner: (&mut f).take(160 * MIB), sent: 0, kill_after: 64 * MIB, pid };
    let cut = patch(&agent, &format!("{}{path}", server.url), &token, 96 * MIB, &mut killing);
    assert!(cut.is_err() || cut.unwrap().status().as_u16() != 204, "the request did not complete");
    let _ = server.child.wait();
    // Restarted, the server says where to resume: at least what it acknowledged, at most what
    // was sent.
    let server = Server::start(&data);
    let url = format!("{}{path}", server.url);
    let offset = offset_of(&agent, &url, &token);
    assert!((96 * MIB..=160 * MIB).contains(&offset), "resume at {offset}");
    f.seek(SeekFrom::Start(offset)).unwrap();
    let r = patch(&agent, &url, &token, offset, &mut f).unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let recording = r.headers().get("liuhen-recording").unwrap().to_str().unwrap().to_string();
    // The digests it logged are the file's, as other tools compute them.
    let deadline = Instant::now() + Duration::from_secs(120);
    let stored = loop {
        let mut r = agent
            .get(&format!("{}/api/recordings/{recording}", server.url))
            .header("authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
        if v["sm3"].is_string() {
            break v;
        }
        assert!(Instant::now() < deadline, "no SM3 digest: {v}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(stored["size"], size);
    assert_eq!(stored["sha256"], last_word(Command::new("sha256sum").arg(&file).output().unwrap()));
    let sm3 = Command::new("openssl").args(["dgst", "-sm3", "-r"]).arg(&file).output().unwrap();
    assert_eq!(stored["sm3"], last_word(sm3));
}

/// A small MP4: `ftyp`, `moov/mvhd` (creation time, duration), then `pad` bytes of `mdat`.
pub fn mp4_with_times(creation_unix_s: u32, duration_s: u32, pad: usize) -> Vec<u8> {
    let mut mvhd = 108u32.to_be_bytes().to_vec();
    mvhd.extend_from_slice(b"mvhd\0\0\0\0");
    for v in [creation_unix_s + 2_082_844_800, creation_unix_s + 2_082_844_800, 1000, duration_s * 1000] {
        mvhd.extend_from_slice(&v.to_be_bytes());
    }
    mvhd.resize(108, 0);
    let mut out = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    out.extend_from_slice(&116u32.to_be_bytes());
    out.extend_from_slice(b"moov");
    out.extend_from_slice(&mvhd);
    out.extend_from_slice(&(8 + pad as u32).to_be_bytes());
    out.extend_from_slice(b"mdat");
    out.extend((0..pad).map(|i| (i * 31 % 251) as u8));
    out
}

fn import(url: &str, token: &str, dir: &Path) -> serde_json::Value {
    import_with(url, token, dir, &[])
}

fn import_with(url: &str, token: &str, dir: &Path, more: &[&str]) -> serde_json::Value {
    let out = Command::new(bin())
        .args(["import", "--server", url, "--token", token, "--device", "DSJ-0001", "--chunk-mib", "1"])
        .args(more)
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    serde_json::from_str(text(&out.stdout).lines().last().unwrap()).unwrap()
}

#[test]
fn a_folder_is_imported_once_with_what_its_files_say_and_an_interrupted_import_resumes() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, dir) = (tmp.path().join("data"), tmp.path().join("DCIM"));
    std::fs::create_dir_all(dir.join("100MEDIA")).unwrap();
    // 2026-11-20 09:30 Asia/Shanghai, ten minutes long.
    std::fs::write(dir.join("a.mp4"), mp4_with_times(1_795_138_200, 600, 3 << 20)).unwrap();
    std::fs::write(dir.join("100MEDIA/b.mp4"), mp4_with_times(1_795_141_800, 60, 2 << 20)).unwrap();
    std::fs::write(dir.join("100MEDIA/b.mp4.json"), r#"{"device": "DSJ-0002", "place": "幸福路 8 号"}"#).unwrap();
    std::fs::write(dir.join("notes.txt"), "交班记录").unwrap();
    let server = Server::start(&data);
    let agent = agent();
    // The 采集工作站's account: a 设备管理员.
    let token = account(&agent, &server, "caiji", "device_admin");
    let summary = import(&server.url, &token, &dir);
    assert_eq!((summary["stored"].as_u64(), summary["not_media"].as_u64()), (Some(2), Some(1)), "{summary}");
    assert_eq!(summary["hashed"].as_u64(), Some(0), "new files are read once, to be sent: {summary}");
    let mut r = agent
        .get(&format!("{}/api/recordings", server.url))
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    let list: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let by_name =
        |name: &str| list["recordings"].as_array().unwrap().iter().find(|x| x["filename"] == name).cloned().unwrap();
    let a = by_name("a.mp4");
    assert_eq!(a["metadata"]["started_at"], "1795138200000", "from the MP4's mvhd");
    assert_eq!(a["metadata"]["ended_at"], "1795138800000");
    assert_eq!(a["metadata"]["device"], "DSJ-0001");
    let b = by_name("100MEDIA/b.mp4");
    assert_eq!(
        (b["metadata"]["device"].as_str(), b["metadata"]["place"].as_str()),
        (Some("DSJ-0002"), Some("幸福路 8 号"))
    );
    // Again: nothing is sent twice; each file's fingerprint matched, its SHA-256 decided.
    let summary = import(&server.url, &token, &dir);
    assert_eq!((summary["stored"].as_u64(), summary["already_stored"].as_u64()), (Some(0), Some(2)), "{summary}");
    assert_eq!(summary["hashed"].as_u64(), Some(2), "{summary}");
    // Recognised by its hash, not its name: a copy elsewhere is not sent; a file with the same
    // size and ends (the same fingerprint) but another middle is.
    let other = tmp.path().join("DCIM2");
    std::fs::create_dir_all(&other).unwrap();
    let mut a = std::fs::read(dir.join("a.mp4")).unwrap();
    std::fs::write(other.join("copy-of-a.mp4"), &a).unwrap();
    let middle = a.len() / 2;
    a[middle] ^= 0xff;
    std::fs::write(other.join("almost-a.mp4"), &a).unwrap();
    // (With a CRC-32 on each request, which the server checks.)
    let summary = import_with(&server.url, &token, &other, &["--crc32"]);
    assert_eq!(
        (summary["already_stored"].as_u64(), summary["stored"].as_u64(), summary["hashed"].as_u64()),
        (Some(1), Some(1), Some(2)),
        "{summary}"
    );
    // An import cut off after its first megabyte of c.mp4 (its state file says where) resumes.
    let c = mp4_with_times(1_795_145_400, 30, 3 << 20);
    std::fs::write(dir.join("c.mp4"), &c).unwrap();
    let r = agent
        .post(&format!("{}/api/uploads", server.url))
        .header("authorization", &format!("Bearer {token}"))
        .header("tus-resumable", "1.0.0")
        .header("upload-length", &c.len().to_string())
        .header("upload-metadata", "filename Yy5tcDQ=")
        .send_empty()
        .unwrap();
    let location = r.headers().get("location").unwrap().to_str().unwrap().to_string();
    let r = agent
        .patch(&format!("{}{location}", server.url))
        .header("authorization", &format!("Bearer {token}"))
        .header("tus-resumable", "1.0.0")
        .header("content-type", "application/offset+octet-stream")
        .header("upload-offset", "0")
        .send(&c[..1 << 20])
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    std::fs::write(dir.join(".liuhen-import.json"), serde_json::json!({"c.mp4": location}).to_string()).unwrap();
    let summary = import(&server.url, &token, &dir);
    assert_eq!((summary["resumed"].as_u64(), summary["stored"].as_u64()), (Some(1), Some(1)), "{summary}");
    assert_eq!(summary["bytes_sent"].as_u64(), Some(c.len() as u64 - (1 << 20)), "only what was missing");
    assert!(!dir.join(".liuhen-import.json").exists(), "nothing left under way");
    let sha = last_word(Command::new("sha256sum").arg(dir.join("c.mp4")).output().unwrap());
    let mut r = agent
        .get(&format!("{}/api/recordings?sha256={sha}", server.url))
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    let found: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(found["recordings"].as_array().unwrap().len(), 1, "{found}");
}

#[test]
fn a_matroska_files_creation_time_and_duration_come_from_ffprobe() {
    assert!(
        Command::new("ffmpeg").arg("-version").output().is_ok_and(|o| o.status.success()),
        "ffmpeg is missing: run scripts/test, which installs it"
    );
    let tmp = tempfile::tempdir().unwrap();
    let (data, dir) = (tmp.path().join("data"), tmp.path().join("CAM"));
    std::fs::create_dir_all(&dir).unwrap();
    // Six seconds of H.264 in Matroska, tagged 2026-11-20T01:30:00Z (09:30 in Shanghai).
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-f", "lavfi", "-i", "testsrc=duration=6:size=160x120:rate=10", "-c:v", "libx264"])
        .args(["-metadata", "creation_time=2026-11-20T01:30:00Z"])
        .arg(dir.join("d.mkv"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let server = Server::start(&data);
    let agent = agent();
    let token = account(&agent, &server, "caiji", "device_admin");
    let summary = import(&server.url, &token, &dir);
    assert_eq!(summary["stored"].as_u64(), Some(1), "{summary}");
    let mut r = agent
        .get(&format!("{}/api/recordings", server.url))
        .header("authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    let list: serde_json::Value = serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    let d = &list["recordings"][0];
    assert_eq!(d["filename"], "d.mkv");
    assert_eq!(d["metadata"]["started_at"], "1795138200000", "from ffprobe: {d}");
    assert_eq!(d["metadata"]["ended_at"], "1795138206000");
}
