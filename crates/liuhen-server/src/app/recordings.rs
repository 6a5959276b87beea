//! 音像记录 (办法第十八条至第二十三条) arriving as files: resumable uploads (the tus 1.0 core,
//! creation, termination and the checksum extension: sha256, or crc32 as a cheap transit check)
//! staged on disk beside the blobs, hashed with SHA-256 as the bytes arrive, moved into the blob
//! store once complete, and only then committed as a `recording.stored` entry naming the blob
//! (with the file's fingerprint, which `liuhen import` asks by). SM3 is computed afterwards on its own thread
//! and logged in a `recording.sm3` entry, so it never holds the upload back.
//!
//! An upload's state is two files in the staging directory: `<id>.json` (who, how long, its
//! metadata) and `<id>.part` (the bytes so far, fsync'd before each acknowledgement), so an
//! upload resumes from its offset after a client or server restart. Nothing half-stored is ever
//! visible: until the entry commits, there is no recording.

use super::App;
use crate::app::AppError;
use crate::app::error::Upload;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use liuhen_log::{BlobRef, EntryDraft, Hash};
use liuhen_store::{CaseRecord, LogStore, Op, RecordingRecord, UserRecord};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::Digest;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The largest upload accepted (a shift of body-camera video is a few GiB).
pub const MAX_UPLOAD: u64 = 64 << 30;

/// The writer's buffer: the small frames of a slow network are gathered into writes of this
/// size, while the large ones of a fast network (hundreds of KiB) go to the file without being
/// copied again.
const WRITE_BUFFER: usize = 256 << 10;

/// A request's `Upload-Checksum` (tus checksum extension), compared with what arrived before
/// anything of the request is kept: SHA-256, or CRC-32 (IEEE) — the transit check `liuhen
/// import` sends with every request, as S3's flexible checksums do, at a fraction of a hash's
/// cost (the server's own SHA-256 of the whole file stays the evidence's identity).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    Sha256([u8; 32]),
    Crc32(u32),
}

/// The digest of one request's bytes, of the algorithm its `Upload-Checksum` named.
enum ChunkDigest {
    Sha256(sha2::Sha256),
    Crc32(crc32fast::Hasher),
}

impl ChunkDigest {
    fn of(c: Checksum) -> ChunkDigest {
        match c {
            Checksum::Sha256(_) => ChunkDigest::Sha256(sha2::Sha256::new()),
            Checksum::Crc32(_) => ChunkDigest::Crc32(crc32fast::Hasher::new()),
        }
    }
    fn update(&mut self, b: &[u8]) {
        match self {
            ChunkDigest::Sha256(h) => h.update(b),
            ChunkDigest::Crc32(h) => h.update(b),
        }
    }
    fn finish(self) -> Checksum {
        match self {
            ChunkDigest::Sha256(h) => Checksum::Sha256(h.finalize().into()),
            ChunkDigest::Crc32(h) => Checksum::Crc32(h.finalize()),
        }
    }
}

/// How much of each end of a file its fingerprint reads.
pub const FINGERPRINT_ENDS: u64 = 64 << 10;

/// A file's fingerprint: SHA-256 over its size (8 bytes, big-endian), its first and its last
/// 64 KiB. Two files with the same SHA-256 have the same fingerprint, so an importer asks the
/// server for recordings of a file's fingerprint (`GET /api/recordings?fingerprint=`) and hashes
/// the whole file only when some match — a new file is read once, to be sent, not twice.
pub fn fingerprint(file: &mut (impl std::io::Read + std::io::Seek), size: u64) -> std::io::Result<String> {
    use std::io::SeekFrom;
    let mut h = sha2::Sha256::new();
    h.update(size.to_be_bytes());
    let mut buf = vec![0u8; usize::try_from(FINGERPRINT_ENDS.min(size)).unwrap_or(0)];
    file.seek(SeekFrom::Start(0))?;
    file.read_exact(&mut buf)?;
    h.update(&buf);
    file.seek(SeekFrom::Start(size - buf.len() as u64))?;
    file.read_exact(&mut buf)?;
    h.update(&buf);
    Ok(hex::encode(h.finalize()))
}

/// The metadata an upload may carry (tus `Upload-Metadata`), with their limits.
pub const METADATA_KEYS: &[&str] = &[
    "filename",
    "filetype",
    "case",
    "device",
    "officers",
    "started_at",
    "ended_at",
    "place",
    "activity",
    // 办法第二十三条: away from base, the return; a late one's written explanation.
    "away_reason",
    "returned_at",
    "late_explanation",
    // The device's clock when the upload began (its offset from the server's is kept).
    "device_clock",
];

/// The metadata that are times.
const MOMENT_KEYS: &[&str] = &["started_at", "ended_at", "returned_at", "device_clock"];

/// A moment as metadata gives it: Unix ms, or `YYYY-MM-DD HH:MM[:SS]` (or with `T`) in
/// Asia/Shanghai.
pub fn parse_moment(s: &str) -> Option<i64> {
    let s = s.trim();
    if !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    let (date, time) = s.split_once(['T', ' '])?;
    let day = liuhen_core::time::Date::parse(date).ok()?;
    let mut parts = time.split(':');
    let mut next = |max: i64| parts.next().map(|p| p.parse::<i64>().ok().filter(|v| (0..max).contains(v)));
    let (h, m) = (next(24)??, next(60)??);
    let sec = next(60).unwrap_or(Some(0))?;
    Some(day.start().0 + ((h * 60 + m) * 60 + sec) * 1000)
}

/// The rules of 办法第二十二条、第二十三条 on what the upload says of the recording, at
/// `stored_at`; nothing to check without its start and end.
fn av_findings(state: &UploadState, stored_at: i64) -> Vec<liuhen_core::rules::Violation> {
    use liuhen_core::av::{Away, DEFAULT_CLOCK_BOUND_MS, Recording, check};
    use liuhen_core::time::Timestamp;
    let moment = |k: &str| state.metadata.get(k).and_then(|v| parse_moment(v));
    let (Some(started), Some(ended)) = (moment("started_at"), moment("ended_at")) else { return Vec::new() };
    let text = |k: &str| state.metadata.get(k).cloned().unwrap_or_default();
    let away = match (moment("returned_at"), text("away_reason")) {
        (None, reason) if reason.trim().is_empty() => None,
        (returned, reason) => Some(Away { reason, returned_at: Timestamp(returned.unwrap_or(ended)) }),
    };
    let recording = Recording {
        started_at: Timestamp(started),
        ended_at: Timestamp(ended),
        away,
        late_explanation: text("late_explanation"),
        clock_offset_ms: moment("device_clock").map(|d| d - state.created_at_ms),
        interruptions: Vec::new(),
    };
    check(&recording, Timestamp(stored_at), DEFAULT_CLOCK_BOUND_MS)
}

/// An upload in progress, as its `<id>.json` keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UploadState {
    pub id: String,
    pub user_id: String,
    pub length: u64,
    pub metadata: BTreeMap<String, String>,
    pub created_at_ms: i64,
}

/// Whether a file's first bytes are those of an audio, video or photo format that recorders
/// write: MP4/MOV/3GP, AVI/WAV, Matroska/WebM, MPEG-TS/PS, FLV, Ogg, MP3, AAC, AMR, JPEG, PNG,
/// and the Dahua (`DHAV`) and Hikvision (`IMKH`) containers of body cameras.
pub fn looks_like_media(head: &[u8]) -> bool {
    let at = |i: usize, m: &[u8]| head.get(i..i + m.len()) == Some(m);
    is_iso_bmff(head)
        || (at(0, b"RIFF") && (at(8, b"AVI ") || at(8, b"WAVE")))
        || [&[0x1a, 0x45, 0xdf, 0xa3][..], &[0, 0, 1, 0xba], b"FLV", b"OggS", b"ID3", b"#!AMR", &[0xff, 0xd8, 0xff]]
            .iter()
            .any(|m| at(0, m))
        || at(0, b"\x89PNG")
        || at(0, b"DHAV")
        || at(0, b"IMKH")
        || (head.first() == Some(&0x47) && head.len() >= 12)
        || (head.len() >= 2 && head[0] == 0xff && head[1] & 0xe0 == 0xe0)
}

/// Whether a file's first bytes open an ISO base media file (MP4, MOV, 3GP): a box whose type
/// is one of those that begin such files.
pub fn is_iso_bmff(head: &[u8]) -> bool {
    head.get(4..8).is_some_and(|t| [&b"ftyp"[..], b"moov", b"mdat", b"wide", b"free", b"skip"].contains(&t))
}

/// An MP4/MOV file's creation time (Unix ms) and duration (ms), from its `moov/mvhd` box;
/// `None` when it has none (or a zero creation time). The time is as the device wrote it (UTC
/// by the format; some cameras write local time).
pub fn mp4_times(f: &mut (impl std::io::Read + std::io::Seek)) -> Option<(i64, i64)> {
    use std::io::SeekFrom;
    fn header(f: &mut impl std::io::Read) -> Option<(u64, [u8; 4], u64)> {
        let mut h = [0u8; 8];
        f.read_exact(&mut h).ok()?;
        let size = u64::from(u32::from_be_bytes([h[0], h[1], h[2], h[3]]));
        let kind = [h[4], h[5], h[6], h[7]];
        if size == 1 {
            let mut l = [0u8; 8];
            f.read_exact(&mut l).ok()?;
            return Some((u64::from_be_bytes(l), kind, 16));
        }
        Some((size, kind, 8))
    }
    let end = f.seek(SeekFrom::End(0)).ok()?;
    let (mut at, mut limit) = (0u64, end);
    let mut inside_moov = false;
    for _ in 0..10_000 {
        if at + 8 > limit {
            return None;
        }
        f.seek(SeekFrom::Start(at)).ok()?;
        let (size, kind, head) = header(f)?;
        let size = if size == 0 { limit - at } else { size };
        if size < head {
            return None;
        }
        match (&kind, inside_moov) {
            (b"moov", false) => {
                (limit, inside_moov) = (at + size, true);
                at += head;
            }
            (b"mvhd", true) => {
                let mut v = [0u8; 4];
                f.read_exact(&mut v).ok()?;
                let (creation, timescale, duration) = if v[0] == 1 {
                    let mut b = [0u8; 28];
                    f.read_exact(&mut b).ok()?;
                    let u64_at = |i: usize| u64::from_be_bytes(b[i..i + 8].try_into().unwrap_or_default());
                    (u64_at(0), u64::from(u32::from_be_bytes(b[16..20].try_into().ok()?)), u64_at(20))
                } else {
                    let mut b = [0u8; 16];
                    f.read_exact(&mut b).ok()?;
                    let u32_at = |i: usize| u64::from(u32::from_be_bytes(b[i..i + 4].try_into().unwrap_or_default()));
                    (u32_at(0), u32_at(8), u32_at(12))
                };
                // Seconds since 1904-01-01 UTC.
                let unix = i64::try_from(creation).ok()?.checked_sub(2_082_844_800)?;
                if creation == 0 || unix <= 0 || timescale == 0 {
                    return None;
                }
                let duration_ms = i64::try_from(duration.checked_mul(1000)? / timescale).ok()?;
                return Some((unix * 1000, duration_ms));
            }
            _ => at += size,
        }
    }
    None
}

/// How many first bytes [`looks_like_media`] needs.
const SNIFF: usize = 12;

/// The SHA-256 of an upload's bytes so far, while this process has seen them all.
type Running = Arc<tokio::sync::Mutex<Option<sha2::Sha256>>>;

/// The staging directory and the uploads this process is hashing.
#[derive(Debug)]
pub struct Uploads {
    dir: PathBuf,
    live: Mutex<HashMap<String, Running>>,
    /// Per upload, the bytes known to be on disk (fsync'd): what `HEAD` reports, never the
    /// file's length while a `PATCH` is still writing into it.
    durable: Mutex<HashMap<String, u64>>,
    /// Requests receiving bytes now, and when the last one ended: SM3 waits while uploads
    /// are coming in (it must not hold them back).
    receiving: Arc<Activity>,
    /// SM3 digests still to be computed and logged (see [`App::sm3_settled`]).
    sm3_pending: Arc<tokio::sync::watch::Sender<usize>>,
}

/// How long after the last upload request SM3 waits: a bulk import's next file follows within
/// milliseconds, so SM3 runs in the pauses, and catches up once the import is over.
pub const QUIET_MS: i64 = 500;

/// Upload requests under way, and when the last one ended.
#[derive(Debug, Default)]
pub struct Activity {
    receiving: std::sync::atomic::AtomicUsize,
    last_ms: std::sync::atomic::AtomicI64,
}

impl Activity {
    /// No upload request for [`QUIET_MS`].
    pub fn quiet(&self) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        self.receiving.load(SeqCst) == 0 && super::auth::now_ms() - self.last_ms.load(SeqCst) >= QUIET_MS
    }
}

/// Counts a request as receiving while it lives.
struct Receiving(Arc<Activity>);

impl Drop for Receiving {
    fn drop(&mut self) {
        use std::sync::atomic::Ordering::SeqCst;
        self.0.last_ms.store(super::auth::now_ms(), SeqCst);
        self.0.receiving.fetch_sub(1, SeqCst);
    }
}

impl Uploads {
    pub fn new(dir: PathBuf) -> Uploads {
        // A clip's scratch space left by a crash (clips are cut in `clip-<id>/`) is only scratch.
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.file_name().to_string_lossy().starts_with("clip-") {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        Uploads {
            dir,
            live: Mutex::new(HashMap::new()),
            durable: Mutex::new(HashMap::new()),
            receiving: Arc::default(),
            sm3_pending: Arc::new(tokio::sync::watch::Sender::new(0)),
        }
    }

    fn receiving(&self) -> Receiving {
        self.receiving.receiving.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Receiving(self.receiving.clone())
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether SM3 may take the CPU: no request is receiving bytes, and either no other upload
    /// is under way in this process (a single upload's SM3 starts at once) or none received
    /// anything for [`QUIET_MS`] (a bulk import's next file follows within milliseconds).
    pub fn quiet(&self) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        if self.receiving.receiving.load(SeqCst) > 0 {
            return false;
        }
        self.live.lock().unwrap_or_else(|e| e.into_inner()).is_empty() || self.receiving.quiet()
    }

    fn state_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    fn part_path(&self, id: &str) -> PathBuf {
        self.dir.join(format!("{id}.part"))
    }

    fn running(&self, id: &str) -> Running {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        live.entry(id.to_string()).or_default().clone()
    }

    fn forget(&self, id: &str) {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
        self.durable.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }

    fn forget_durable(&self, id: &str) {
        self.durable.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }

    fn durable_offset(&self, id: &str) -> Option<u64> {
        self.durable.lock().unwrap_or_else(|e| e.into_inner()).get(id).copied()
    }

    fn set_durable(&self, id: &str, offset: u64) {
        self.durable.lock().unwrap_or_else(|e| e.into_inner()).insert(id.to_string(), offset);
    }
}

/// What a `PATCH` left: the new offset, and the recording once the upload is complete.
#[derive(Debug)]
pub struct Appended {
    pub offset: u64,
    pub recording: Option<RecordingRecord>,
}

fn not_media() -> AppError {
    AppError::Upload(Upload::NotMedia, "文件不是可识别的音频、视频或照片格式".to_string())
}

/// A write that failed: a full disk is said so (507), the rest is internal.
fn write_error(e: std::io::Error) -> AppError {
    if e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28) {
        AppError::Upload(Upload::StorageFull, "服务器存储空间不足，本次上传的内容未保存，请联系管理员".to_string())
    } else {
        io(e)
    }
}

/// Cuts a staged file back to `len` bytes, durably.
async fn truncate(part: &Path, len: u64) -> std::io::Result<()> {
    let file = tokio::fs::OpenOptions::new().write(true).open(part).await?;
    file.set_len(len).await?;
    file.sync_all().await
}

fn io(e: std::io::Error) -> AppError {
    AppError::Internal(Box::new(e))
}

/// An upload id is a UUID: anything else is no upload (and never a path).
fn valid_id(id: &str) -> bool {
    id.len() == 36 && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
}

/// fsyncs a file and its directory.
async fn sync(file: &Path) -> Result<(), AppError> {
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::File::open(&file)?.sync_all()?;
        if let Some(dir) = file.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    })
    .await
    .map_err(|e| AppError::Internal(Box::new(e)))?
    .map_err(io)
}

/// The SHA-256 state over the first `len` bytes of `file`.
pub(crate) async fn rehash(file: &Path, len: u64) -> Result<sha2::Sha256, AppError> {
    let file = file.to_path_buf();
    tokio::task::spawn_blocking(move || -> std::io::Result<sha2::Sha256> {
        use std::io::Read;
        let mut f = std::fs::File::open(&file)?.take(len);
        let mut h = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                return Ok(h);
            }
            h.update(&buf[..n]);
        }
    })
    .await
    .map_err(|e| AppError::Internal(Box::new(e)))?
    .map_err(io)
}

/// The projection's JSON of a recording: what the upload said, and the digests.
pub fn recording_data(detail: &Value, blob: &BlobRef, sm3: Option<&str>) -> Value {
    let mut v = json!({
        "filename": detail["filename"], "metadata": detail["metadata"], "uploaded_by": detail["uploaded_by"],
        "sha256": blob.sha256.to_hex(), "size": blob.size, "sm3": sm3,
        "stored_at": detail["stored_at"], "flags": detail["flags"],
    });
    if !detail["fingerprint"].is_null() {
        v["fingerprint"] = detail["fingerprint"].clone();
    }
    // A clip names the original it was cut from (R-145: derived copies link to the original).
    if !detail["clip_of"].is_null() {
        v["clip_of"] = detail["clip_of"].clone();
    }
    v
}

impl<S: LogStore> App<S> {
    /// Starts an upload of `length` bytes with its metadata (`filename` required; `case` links
    /// it to a case the user acts on).
    pub async fn create_upload(
        &self,
        actor: &UserRecord,
        length: u64,
        metadata: BTreeMap<String, String>,
    ) -> Result<UploadState, AppError> {
        self.allow(actor, super::policy::Action::UploadRecording, None)?;
        if length == 0 {
            return Err(AppError::BadRequest("上传的文件为空".to_string()));
        }
        if length > MAX_UPLOAD {
            return Err(AppError::Upload(Upload::TooLarge, format!("文件超过上限（{} GiB）", MAX_UPLOAD >> 30)));
        }
        if let Some(k) = metadata.keys().find(|k| !METADATA_KEYS.contains(&k.as_str())) {
            return Err(AppError::BadRequest(format!("未知的元数据：{}", k.chars().take(32).collect::<String>())));
        }
        if metadata.values().any(|v| v.chars().count() > 500 || v.chars().any(|c| c == '\n' || super::unprintable(c))) {
            return Err(AppError::BadRequest("元数据过长或含有控制字符".to_string()));
        }
        if metadata.get("filename").is_none_or(|f| f.trim().is_empty()) {
            return Err(AppError::BadRequest("须提供文件名（filename）".to_string()));
        }
        // A time the rules read (办法第二十二条–第二十四条) is one, or absent — never taken as
        // another time in silence.
        for k in MOMENT_KEYS {
            if let Some(v) = metadata.get(*k).filter(|v| !v.trim().is_empty())
                && parse_moment(v).is_none()
            {
                return Err(AppError::BadRequest(format!("{k} 须为 Unix 毫秒数或“YYYY-MM-DD HH:MM[:SS]”（北京时间）")));
            }
        }
        if let Some(case) = metadata.get("case") {
            let record = self.store.case(case).await?;
            self.allow(actor, super::policy::Action::CommandCase, Some(&record))?;
        }
        let state = UploadState {
            id: uuid::Uuid::now_v7().to_string(),
            user_id: actor.id.clone(),
            length,
            metadata,
            created_at_ms: super::auth::now_ms(),
        };
        tokio::fs::create_dir_all(&self.uploads.dir).await.map_err(io)?;
        let part = self.uploads.part_path(&state.id);
        tokio::fs::File::create(&part).await.map_err(io)?;
        self.uploads.set_durable(&state.id, 0);
        let path = self.uploads.state_path(&state.id);
        let text = serde_json::to_vec(&state).map_err(|e| AppError::Internal(Box::new(e)))?;
        tokio::fs::write(&path, text).await.map_err(io)?;
        sync(&path).await?;
        sync(&part).await?;
        Ok(state)
    }

    /// An upload of `actor`'s and its offset (the bytes durably received).
    pub async fn upload(&self, actor: &UserRecord, id: &str) -> Result<(UploadState, u64), AppError> {
        if !valid_id(id) {
            return Err(AppError::NotFound);
        }
        let text = match tokio::fs::read(self.uploads.state_path(id)).await {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(AppError::NotFound),
            Err(e) => return Err(io(e)),
        };
        let state: UploadState = serde_json::from_slice(&text).map_err(|e| AppError::Internal(Box::new(e)))?;
        if state.user_id != actor.id {
            return Err(AppError::NotFound);
        }
        let part = self.uploads.part_path(id);
        let len = tokio::fs::metadata(&part).await.map_err(io)?.len();
        let offset = match self.uploads.durable_offset(id) {
            Some(d) => d.min(len),
            // Not seen by this process (it restarted): what the file holds is made durable
            // first, then reported.
            None => {
                let path = part.clone();
                tokio::task::spawn_blocking(move || std::fs::OpenOptions::new().append(true).open(&path)?.sync_all())
                    .await
                    .map_err(|e| AppError::Internal(Box::new(e)))?
                    .map_err(io)?;
                self.uploads.set_durable(id, len);
                len
            }
        };
        Ok((state, offset))
    }

    /// Appends the bytes of `body` at `offset` (which must be the upload's offset). With a
    /// `checksum` (the SHA-256 of this request's bytes) nothing of a mismatching request is
    /// kept; without one, the bytes received before the client vanished are kept, so it can
    /// resume. The bytes are on disk before this returns; the last ones complete the upload.
    pub async fn append_upload<E: std::fmt::Display>(
        &self,
        actor: &UserRecord,
        id: &str,
        offset: u64,
        checksum: Option<Checksum>,
        mut body: impl Stream<Item = Result<Bytes, E>> + Unpin,
    ) -> Result<Appended, AppError> {
        let (state, current) = self.upload(actor, id).await?;
        let running = self.uploads.running(id);
        let Ok(mut hasher) = running.try_lock() else {
            return Err(AppError::Upload(Upload::Busy, "该文件正在另一请求中上传".to_string()));
        };
        if offset != current {
            return Err(AppError::Upload(
                Upload::OffsetMismatch,
                format!("上传位置不符：服务器已收到 {current} 字节，请求从第 {offset} 字节续传"),
            ));
        }
        let _receiving = self.uploads.receiving();
        let part = self.uploads.part_path(id);
        let before = match hasher.take() {
            Some(h) => h,
            None => rehash(&part, current).await?,
        };
        // The bytes go to a writer on a blocking thread (buffered file writes and the hashes),
        // while this task keeps receiving: the network and the disk overlap.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(6);
        let (file_path, start) = (part.clone(), before.clone());
        // The request's own digest only when it came with a checksum to compare (SHA-256 is
        // the server's largest cost per byte after the copies).
        let writer = tokio::task::spawn_blocking(move || -> std::io::Result<(sha2::Sha256, Option<Checksum>, u64)> {
            use std::io::Write;
            let file = std::fs::OpenOptions::new().append(true).open(&file_path)?;
            let mut out = std::io::BufWriter::with_capacity(WRITE_BUFFER, file);
            let (mut total, mut chunk, mut written) = (start, checksum.map(ChunkDigest::of), 0u64);
            while let Some(b) = rx.blocking_recv() {
                out.write_all(&b)?;
                total.update(&b);
                if let Some(c) = chunk.as_mut() {
                    c.update(&b);
                }
                written += b.len() as u64;
            }
            let file = out.into_inner().map_err(std::io::IntoInnerError::into_error)?;
            file.sync_all()?;
            liuhen_store::uncache(&file, 0, 0);
            Ok((total, chunk.map(ChunkDigest::finish), written))
        });
        let mut received = 0u64;
        let mut failure: Option<AppError> = None;
        let mut vanished = false;
        // The file's first bytes are held back until they show it is media.
        let mut head: Option<Vec<u8>> = (current == 0).then(Vec::new);
        while let Some(next) = body.next().await {
            let bytes = match next {
                Ok(b) => b,
                Err(e) => {
                    tracing::info!(upload = id, "upload body ended early: {e}");
                    vanished = true;
                    break;
                }
            };
            if current + received + bytes.len() as u64 > state.length {
                failure =
                    Some(AppError::Upload(Upload::TooLarge, format!("超过声明的文件大小（{} 字节）", state.length)));
                break;
            }
            received += bytes.len() as u64;
            let bytes = match head.as_mut() {
                None => bytes,
                Some(h) => {
                    h.extend_from_slice(&bytes);
                    if h.len() < SNIFF.min(state.length as usize) {
                        continue;
                    }
                    if !looks_like_media(h) {
                        failure = Some(not_media());
                        break;
                    }
                    Bytes::from(head.take().unwrap_or_default())
                }
            };
            if tx.send(bytes).await.is_err() {
                break;
            }
        }
        // A request that ended before the first bytes could be judged keeps nothing.
        if let Some(h) = head.filter(|h| !h.is_empty())
            && failure.is_none()
        {
            if h.len() >= SNIFF.min(state.length as usize) && looks_like_media(&h) {
                let _ = tx.send(Bytes::from(h)).await;
            } else if !vanished {
                failure = Some(not_media());
            }
        }
        drop(tx);
        let written = writer.await.map_err(|e| AppError::Internal(Box::new(e)))?;
        let (total, chunk_digest, written) = match written {
            Ok(w) => w,
            Err(e) => {
                failure = failure.or(Some(write_error(e)));
                (before.clone(), None, 0)
            }
        };
        if failure.is_none() && checksum.is_some_and(|c| vanished || chunk_digest != Some(c)) {
            failure = Some(AppError::Upload(Upload::ChecksumMismatch, "本次上传内容的校验值不符，未保存".to_string()));
        }
        if let Some(e) = failure {
            // Nothing of a refused request is kept.
            if let Err(t) = truncate(&part, current).await {
                // The offset is the file's length, whatever it is now (made durable again).
                tracing::error!(upload = id, "truncating a refused request: {t}");
                *hasher = None;
                self.uploads.forget_durable(id);
                return Err(e);
            }
            *hasher = Some(before);
            return Err(e);
        }
        // What is on disk, not what was received: held-back first bytes may not have been kept.
        let offset = current + written;
        self.uploads.set_durable(id, offset);
        if offset < state.length {
            *hasher = Some(total);
            return Ok(Appended { offset, recording: None });
        }
        let sha256 = Hash(total.finalize().into());
        let recording = self.store_recording(actor, &state, &part, sha256).await?;
        *hasher = None;
        drop(hasher);
        self.uploads.forget(id);
        let _ = tokio::fs::remove_file(self.uploads.state_path(id)).await;
        Ok(Appended { offset, recording: Some(recording) })
    }

    /// A stored recording, for those who see its case — or, not yet linked to one, for its
    /// uploader and those who see every case (as if it were a case the uploader opened).
    pub async fn recording(&self, actor: &UserRecord, id: &str) -> Result<RecordingRecord, AppError> {
        let r = self.store.recording(id).await?;
        if r.uploaded_by == format!("user:{}", actor.id) {
            return Ok(r);
        }
        if !r.case_id.is_empty() {
            let case = self.store.case(&r.case_id).await?;
            self.allow(actor, super::policy::Action::ViewCase, Some(&case))?;
            // A recording of a record withheld from the actor is withheld with it.
            if !self.sees_linked_records(actor, &r, &case, &self.record_classes(&case.id).await?) {
                return Err(AppError::NotFound);
            }
            return Ok(r);
        }
        match self.recording_seen(actor, &r, None) {
            true => Ok(r),
            false => Err(AppError::NotFound),
        }
    }

    /// Whether `actor` sees every record of `case` recording `r` is linked to, given the
    /// classes of the case's records (`classes`): a record's own 密级 narrows who sees its
    /// recordings as it narrows who sees the record (办法第二十五条). Its uploader always does.
    pub(crate) fn sees_linked_records(
        &self,
        actor: &UserRecord,
        r: &RecordingRecord,
        case: &CaseRecord,
        classes: &serde_json::Map<String, Value>,
    ) -> bool {
        if classes.is_empty() || r.uploaded_by == format!("user:{}", actor.id) {
            return true;
        }
        let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
        data["links"]["records"].as_array().into_iter().flatten().filter_map(Value::as_str).all(|record| {
            let class = classes.get(record).and_then(Value::as_str);
            self.sees_record(actor, case, class)
        })
    }

    /// Whether `actor` sees recording `r`: its uploader; those who see its case (`case`, when
    /// it has one); not yet linked, those who see every case (as if it were a case the uploader
    /// opened).
    pub(crate) fn recording_seen(&self, actor: &UserRecord, r: &RecordingRecord, case: Option<&CaseRecord>) -> bool {
        if r.uploaded_by == format!("user:{}", actor.id) {
            return true;
        }
        if let Some(c) = case {
            return self.allow(actor, super::policy::Action::ViewCase, Some(c)).is_ok();
        }
        let uploader = r.uploaded_by.strip_prefix("user:").unwrap_or_default();
        let scope = super::policy::CaseScope {
            opened_by: uploader,
            unit: "",
            confidentiality: "internal",
            officers: Vec::new(),
        };
        super::policy::decide(actor, super::policy::Action::ViewCase, Some(&scope)) == super::policy::Decision::Allow
    }

    /// The recordings `actor` may see of one blob (by SHA-256, hex), oldest first.
    pub async fn recordings_of_blob(&self, actor: &UserRecord, sha256: &str) -> Result<Vec<RecordingRecord>, AppError> {
        let mut out = Vec::new();
        for r in self.store.recordings_by_sha256(&sha256.to_ascii_lowercase()).await? {
            if self.recording(actor, &r.id).await.is_ok() {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The recordings `actor` may see whose file has `fingerprint` ([`fingerprint`]).
    pub async fn recordings_by_fingerprint(
        &self,
        actor: &UserRecord,
        fingerprint: &str,
    ) -> Result<Vec<RecordingRecord>, AppError> {
        let mut out = Vec::new();
        for r in self.store.recordings_by_fingerprint(&fingerprint.to_ascii_lowercase()).await? {
            if self.recording(actor, &r.id).await.is_ok() {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Ends an upload and drops its bytes (tus termination).
    pub async fn terminate_upload(&self, actor: &UserRecord, id: &str) -> Result<(), AppError> {
        self.upload(actor, id).await?;
        let running = self.uploads.running(id);
        let Ok(_guard) = running.try_lock() else {
            return Err(AppError::Upload(Upload::Busy, "该文件正在另一请求中上传".to_string()));
        };
        tokio::fs::remove_file(self.uploads.state_path(id)).await.map_err(io)?;
        tokio::fs::remove_file(self.uploads.part_path(id)).await.map_err(io)?;
        self.uploads.forget(id);
        Ok(())
    }

    /// Moves a complete upload into the blob store and commits it as a recording; then starts
    /// its SM3.
    async fn store_recording(
        &self,
        actor: &UserRecord,
        state: &UploadState,
        part: &Path,
        sha256: Hash,
    ) -> Result<RecordingRecord, AppError> {
        let (file, size) = (part.to_path_buf(), state.length);
        let print = tokio::task::spawn_blocking(move || fingerprint(&mut std::fs::File::open(file)?, size))
            .await
            .map_err(|e| AppError::Internal(Box::new(e)))?
            .map_err(io)?;
        let blob = self.blobs.put_file(part, sha256, state.length).await?;
        let case = state.metadata.get("case").cloned().unwrap_or_default();
        let stored_at = super::auth::now_ms();
        let mut findings = av_findings(state, stored_at);
        // 专人使用 (办法第二十四条): the device named, registered and held by one of its officers.
        let meta = |k: &str| state.metadata.get(k).map(String::as_str).unwrap_or_default();
        if !meta("device").trim().is_empty() {
            let start = parse_moment(meta("started_at")).unwrap_or(state.created_at_ms);
            findings.extend(self.device_findings(meta("device").trim(), start, meta("officers")).await?);
        }
        let flags: Vec<Value> = findings
            .iter()
            .map(|v| json!({"rule": v.rule.id, "source": v.rule.source, "field": v.field, "message": v.to_string()}))
            .collect();
        let detail = json!({
            "recording": state.id, "filename": state.metadata.get("filename"), "metadata": state.metadata,
            "uploaded_by": format!("user:{}", actor.id), "stored_at": stored_at, "flags": flags,
            "fingerprint": print,
        });
        let (c, opening) = super::auth::committed(&detail);
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            "recording.stored",
            Some(&case).filter(|c| !c.is_empty()).map(String::as_str),
            super::body(json!({"recording": state.id, "detail": {"commit": c.to_hex()}})),
            vec![blob],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let record = RecordingRecord {
            id: state.id.clone(),
            sha256: sha256.to_hex(),
            size: blob.size,
            case_id: case,
            uploaded_by: format!("user:{}", actor.id),
            created_at_ms: super::auth::now_ms(),
            data: recording_data(&detail, &blob, None).to_string(),
            version: 0,
        };
        self.add_recording(d, opening, blob, record).await
    }

    /// Logs a new recording (`d`, its detail's `opening`) of `blob`, already durable, with its
    /// projection `record`; its SM3 follows on its own.
    pub(crate) async fn add_recording(
        &self,
        d: EntryDraft,
        opening: Op,
        blob: BlobRef,
        record: RecordingRecord,
    ) -> Result<RecordingRecord, AppError> {
        let created = Op::PutRecording { record: record.clone(), expected_version: Some(0) };
        let stored = self.append(d, vec![opening, Op::RecordBlob(blob), created]).await?;
        let record = RecordingRecord { version: stored.index + 1, ..record };
        self.spawn_sm3(record.clone(), blob);
        Ok(record)
    }

    /// Computes a stored recording's SM3 on its own thread, then logs it (`recording.sm3`).
    /// One recording at a time: a bulk import never has more than one core hashing SM3.
    pub(crate) fn spawn_sm3(&self, record: RecordingRecord, blob: BlobRef) {
        let app = self.clone();
        let pending = self.uploads.sm3_pending.clone();
        pending.send_modify(|n| *n += 1);
        tokio::spawn(async move {
            // Counted down however the task ends.
            struct Done(Arc<tokio::sync::watch::Sender<usize>>);
            impl Drop for Done {
                fn drop(&mut self) {
                    self.0.send_modify(|n| *n -= 1);
                }
            }
            let _done = Done(pending);
            static ONE_AT_A_TIME: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
            let _turn = ONE_AT_A_TIME.acquire().await;
            match sm3_of(&app.blobs, &blob, Some(app.uploads.clone())).await {
                Ok(digest) => {
                    if let Err(e) = app.record_sm3(&record.id, &hex::encode(digest)).await {
                        tracing::error!(recording = record.id, "logging the SM3 digest: {e}");
                    }
                }
                Err(e) => tracing::error!(recording = record.id, "computing the SM3 digest: {e}"),
            }
        });
    }

    /// Waits until every SM3 digest begun so far is logged (a bulk load done in process, before
    /// it hands the directory to a server).
    pub async fn sm3_settled(&self) {
        let mut pending = self.uploads.sm3_pending.subscribe();
        let _ = pending.wait_for(|n| *n == 0).await;
    }

    /// Logs recording `id`'s SM3 digest and adds it to the projection (read again if a link or
    /// an interruption changed the recording in between).
    pub async fn record_sm3(&self, id: &str, sm3_hex: &str) -> Result<(), AppError> {
        super::retrying(|| async move {
            let mut record = self.store.recording(id).await?;
            let read = record.version;
            let mut data: Value = serde_json::from_str(&record.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            data["sm3"] = json!(sm3_hex);
            record.data = data.to_string();
            let d = EntryDraft::new(
                "system",
                "recording.sm3",
                Some(&record.case_id).filter(|c| !c.is_empty()).map(String::as_str),
                super::body(json!({"recording": id, "sm3": sm3_hex})),
                vec![],
                vec![],
            )
            .map_err(|e| AppError::Internal(Box::new(e)))?;
            self.append(d, vec![Op::PutRecording { record, expected_version: Some(read) }]).await?;
            Ok(())
        })
        .await
    }
}

/// How long a playback grant lasts.
pub const GRANT_MS: i64 = 2 * 3600 * 1000;

/// A playback grant: who may read which recording's bytes, until when.
#[derive(Debug, Clone)]
pub struct Grant {
    pub user_id: String,
    pub recording: String,
    pub until_ms: i64,
}

impl<S: LogStore> App<S> {
    /// Opens a recording for playback: the view is in the ledger (on its case, with the
    /// record `recording/<id>`) before the grant is returned; the grant then covers every
    /// range request of that playback for [`GRANT_MS`].
    pub async fn grant_playback(&self, actor: &UserRecord, id: &str, purpose: &str) -> Result<String, AppError> {
        let r = self.recording(actor, id).await?;
        self.ledger_recording(actor, &r, super::ledger::Access::View, purpose).await?;
        let mut secret = [0u8; 24];
        crate::datadir::fill_random(&mut secret);
        let grant = hex::encode(secret);
        let now = super::auth::now_ms();
        let mut grants = self.grants.lock().unwrap_or_else(|e| e.into_inner());
        grants.retain(|_, g| g.until_ms > now);
        grants.insert(grant.clone(), Grant { user_id: actor.id.clone(), recording: r.id, until_ms: now + GRANT_MS });
        Ok(grant)
    }

    /// The recording `id` if `grant` lets `actor` read its bytes now (403 otherwise).
    pub async fn granted(&self, actor: &UserRecord, id: &str, grant: &str) -> Result<RecordingRecord, AppError> {
        let r = self.recording(actor, id).await?;
        let now = super::auth::now_ms();
        let grants = self.grants.lock().unwrap_or_else(|e| e.into_inner());
        match grants.get(grant) {
            Some(g) if g.user_id == actor.id && g.recording == r.id && g.until_ms > now => Ok(r),
            _ => Err(AppError::Forbidden),
        }
    }

    /// One access to a recording in the ledger: on its case when it has one.
    pub async fn ledger_recording(
        &self,
        actor: &UserRecord,
        r: &RecordingRecord,
        access: super::ledger::Access,
        purpose: &str,
    ) -> Result<u64, AppError> {
        let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
        let what = format!("音像记录“{}”", data["filename"].as_str().unwrap_or(&r.id));
        let record = format!("recording/{}", r.id);
        let case = Some(r.case_id.as_str()).filter(|c| !c.is_empty());
        self.record_access_on(actor, case, Some(&record), access, &what, purpose).await
    }
}

/// The SM3 of a blob: read in 2 MiB parts (at most three in memory), hashed on a thread of its
/// own — pausing between parts while `busy` says uploads are coming in (a request receiving
/// bytes, or one ended less than [`QUIET_MS`] ago), so that SM3 (seven times slower than
/// SHA-256 here) never takes the CPU an upload or a bulk import needs.
pub async fn sm3_of(
    blobs: &liuhen_store::Blobs,
    blob: &BlobRef,
    busy: Option<Arc<Uploads>>,
) -> Result<[u8; 32], AppError> {
    const PART: u64 = 2 << 20;
    // A local blob is read in place on the hashing thread, through one reused buffer: no part
    // is allocated per read (on a busy server those allocations fragmented the heap).
    if let Some(file) = blobs.local_file(&blob.sha256) {
        let size = blob.size;
        return tokio::task::spawn_blocking(move || -> std::io::Result<[u8; 32]> {
            use std::io::Read;
            let mut f = std::fs::File::open(&file)?;
            let mut h = sm3::Sm3::new();
            let mut buf = vec![0u8; PART as usize];
            let mut left = size;
            while left > 0 {
                while busy.as_ref().is_some_and(|b| !b.quiet()) {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                let n = usize::try_from(left.min(PART)).unwrap_or(PART as usize);
                f.read_exact(&mut buf[..n])?;
                sm3::Digest::update(&mut h, &buf[..n]);
                liuhen_store::uncache(&f, size - left, n as u64);
                left -= n as u64;
            }
            Ok(<[u8; 32]>::from(sm3::Digest::finalize(h)))
        })
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))?
        .map_err(io);
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(1);
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut h = sm3::Sm3::new();
        while let Some(b) = rx.blocking_recv() {
            sm3::Digest::update(&mut h, &b);
        }
        let _ = done.send(<[u8; 32]>::from(sm3::Digest::finalize(h)));
    });
    let mut offset = 0;
    while offset < blob.size {
        while busy.as_ref().is_some_and(|b| !b.quiet()) {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let end = (offset + PART).min(blob.size);
        let bytes = blobs.get_range(&blob.sha256, offset..end).await?;
        if tx.send(bytes).await.is_err() {
            break;
        }
        offset = end;
    }
    drop(tx);
    result.await.map_err(|e| AppError::Internal(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::looks_like_media;

    #[test]
    fn moments_are_read_in_shanghai_time_or_as_unix_ms() {
        use super::parse_moment;
        // 2026-11-20 09:30 in Asia/Shanghai.
        assert_eq!(parse_moment("2026-11-20T09:30"), Some(1_795_138_200_000));
        assert_eq!(parse_moment("2026-11-20 09:30:15"), Some(1_795_138_215_000));
        assert_eq!(parse_moment("1795138200000"), Some(1_795_138_200_000));
        for bad in ["2026-11-20", "2026-11-20T24:00", "2026-11-20T09:60", "yesterday", "2026-13-01T00:00", ""] {
            assert_eq!(parse_moment(bad), None, "{bad}");
        }
    }

    /// A minimal MP4: `ftyp`, then `moov` holding a version-0 `mvhd`.
    pub fn tiny_mp4(creation_unix_s: u32, timescale: u32, duration: u32) -> Vec<u8> {
        let mut mvhd = Vec::new();
        mvhd.extend_from_slice(&108u32.to_be_bytes());
        mvhd.extend_from_slice(b"mvhd");
        mvhd.extend_from_slice(&[0, 0, 0, 0]);
        for v in [creation_unix_s + 2_082_844_800, creation_unix_s + 2_082_844_800, timescale, duration] {
            mvhd.extend_from_slice(&v.to_be_bytes());
        }
        mvhd.resize(108, 0);
        let mut out = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
        out.extend_from_slice(&(8 + mvhd.len() as u32).to_be_bytes());
        out.extend_from_slice(b"moov");
        out.extend_from_slice(&mvhd);
        out
    }

    #[test]
    fn an_mp4_tells_its_creation_time_and_duration() {
        // 2026-11-20 01:30:00 UTC, 90 s at 1000 units a second.
        let mut f = std::io::Cursor::new(tiny_mp4(1_795_138_200, 1000, 90_000));
        assert_eq!(super::mp4_times(&mut f), Some((1_795_138_200_000, 90_000)));
        let mut not = std::io::Cursor::new(b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec());
        assert_eq!(super::mp4_times(&mut not), None);
        let mut garbage = std::io::Cursor::new(vec![0xffu8; 64]);
        assert_eq!(super::mp4_times(&mut garbage), None);
    }

    #[test]
    fn media_is_told_by_its_first_bytes() {
        for media in [
            &b"\0\0\0\x18ftypmp42\0\0\0\0"[..],
            b"RIFF\x10\0\0\0AVI LIST",
            b"RIFF\x10\0\0\0WAVEfmt ",
            b"\x1a\x45\xdf\xa3\x01\0\0\0\0\0\0\x1f",
            b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01",
            b"\x89PNG\r\n\x1a\n\0\0\0\r",
            b"#!AMR\n\x3c\x91\x17\x16\xbe\x66",
            b"ID3\x04\0\0\0\0\0\x23TSS",
            b"DHAV\xfd\0\0\0\0\0\0\0",
            b"IMKH\x01\x01\0\0\x02\0\0\x01",
        ] {
            assert!(looks_like_media(media), "{media:?}");
        }
        for other in [
            &b"hello, world!"[..],
            b"%PDF-1.7\n%\xe2\xe3",
            b"PK\x03\x04\x14\0\x06\0\x08\0\0\0",
            b"RIFF\x10\0\0\0WEBPVP8 ",
            b"",
        ] {
            assert!(!looks_like_media(other), "{other:?}");
        }
    }
}
