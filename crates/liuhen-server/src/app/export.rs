//! The archive package of a filed case (办法第二十五条; GB/T 18894, DA/T 46): a BagIt bag (RFC
//! 8493) that proves itself with no liuhen server and no liuhen code. Its payload holds the
//! file's documents (the PDFs as issued, each seal's DER and Ed25519 signature), the recordings
//! linked to the case, every log entry of the case with its inclusion proof against a signed
//! checkpoint, the log's and the seal's public keys, DA/T 46-style metadata (each entry a
//! 业务行为, each file with its SM3), a 说明 in Chinese and `check.py`, which recomputes every
//! proof with Python's standard library and checks the signatures with OpenSSL. Manifests in
//! SHA-512 and SHA-256.
//!
//! Exporting is a record too: the `export.case` entry (who, what, for what, to where) is
//! appended before a byte is written.

use super::App;
use super::policy::Action;
use crate::app::AppError;
use liuhen_log::Hash;
use liuhen_store::{LogStore, UserRecord};
use serde_json::{Value, json};
use sha2::Digest as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The BagIt profile liuhen packages follow (docs/bagit-profile.json).
pub const PROFILE: &str = "https://liuhen.example/bagit-profile/v1";
/// How much of a blob is read at once: a recording is streamed, never held whole.
const CHUNK: u64 = 8 << 20;
/// What the bag's `check.py` holds.
const CHECK_PY: &str = include_str!("../../../../scripts/check-bag.py");
/// The seal check `check.py` runs (the OpenSSL command line, dd, od and awk).
const VERIFY_SEAL: &str = include_str!("../../../../scripts/verify-seal");

/// One payload file: its path in the bag, size and digests.
#[derive(Debug, Clone)]
pub struct BagFile {
    pub path: String,
    pub size: u64,
    pub sha256: String,
    pub sha512: String,
    pub sm3: String,
}

fn bag_file(path: String, d: liuhen_log::digest::Digests) -> BagFile {
    BagFile { path, size: d.size, sha256: d.sha256, sha512: d.sha512, sm3: d.sm3 }
}

/// A file the export could not write or read: said with its cause (a folder that cannot be
/// made, a full disk), never as an internal error.
fn io(what: &str, e: std::io::Error) -> AppError {
    AppError::Unprocessable(format!("无法写入或读取 {what}（{e}）"))
}

/// A bag being written under `root`: payload files first, then the tag files.
pub struct Bag {
    root: PathBuf,
    pub files: Vec<BagFile>,
}

impl Bag {
    /// A new bag at `root`, which must not exist yet (nothing is overwritten).
    pub fn create(root: &Path) -> Result<Bag, AppError> {
        if root.exists() {
            return Err(AppError::Duplicate(format!("{} 已存在，不覆盖", root.display())));
        }
        std::fs::create_dir_all(root.join("data")).map_err(|e| io("creating the bag", e))?;
        Ok(Bag { root: root.to_path_buf(), files: Vec::new() })
    }

    fn open(&self, rel: &str) -> Result<std::fs::File, AppError> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| io("creating a folder", e))?;
        }
        std::fs::File::create_new(&path).map_err(|e| io(rel, e))
    }

    /// Adds payload file `rel` (under `data/`) holding `bytes`. Nothing is synced until
    /// [`sync_tree`]: the package is checked while the system writes it back.
    pub fn add(&mut self, rel: &str, bytes: &[u8]) -> Result<(), AppError> {
        let path = format!("data/{rel}");
        let mut f = self.open(&path)?;
        f.write_all(bytes).map_err(|e| io(&path, e))?;
        let mut d = liuhen_log::digest::Digester::new(bytes.len() as u64);
        d.update(bytes.to_vec());
        self.files.push(bag_file(path, d.finish()));
        Ok(())
    }

    /// Adds payload file `rel` holding blob `sha256` of `size` bytes, read a chunk at a time;
    /// refused when the bytes read are not the blob's (a changed or short blob is never packed).
    pub async fn add_blob(
        &mut self,
        rel: &str,
        blobs: &liuhen_store::Blobs,
        sha256: &Hash,
        size: u64,
    ) -> Result<(), AppError> {
        let path = format!("data/{rel}");
        let mut f = self.open(&path)?;
        // Hashed on two threads as it is written (SHA-256 against the log's, SHA-512, SM3).
        let mut d = liuhen_log::digest::Digester::new(size);
        let mut at = 0;
        while at < size {
            let end = (at + CHUNK).min(size);
            let chunk = blobs.get_range(sha256, at..end).await?;
            if chunk.is_empty() {
                break;
            }
            f.write_all(&chunk).map_err(|e| io(&path, e))?;
            at += chunk.len() as u64;
            d.update(chunk);
        }
        let file = bag_file(path, d.finish());
        if file.sha256 != sha256.to_hex() || file.size != size {
            return Err(AppError::Integrity(format!("blob {} read back otherwise: not packed", sha256.to_hex())));
        }
        self.files.push(file);
        Ok(())
    }

    /// The tag files before the statement: `bagit.txt`, the manifests and `bag-info.txt` (with
    /// `info`, the payload's Oxum and the profile).
    pub fn tags(&self, info: &[(&str, String)]) -> Vec<(String, Vec<u8>)> {
        let line = |digest: &str, path: &str| format!("{digest}  {}\n", manifest_path(path));
        let m512: String = self.files.iter().map(|f| line(&f.sha512, &f.path)).collect();
        let m256: String = self.files.iter().map(|f| line(&f.sha256, &f.path)).collect();
        let bytes: u64 = self.files.iter().map(|f| f.size).sum();
        let mut text = String::new();
        for (k, v) in info {
            text.push_str(&format!("{k}: {}\n", v.replace(['\r', '\n'], " ")));
        }
        text.push_str(&format!("Payload-Oxum: {bytes}.{}\n", self.files.len()));
        text.push_str(&format!("BagIt-Profile-Identifier: {PROFILE}\n"));
        vec![
            ("bagit.txt".into(), BAGIT_TXT.as_bytes().to_vec()),
            ("manifest-sha512.txt".into(), m512.into_bytes()),
            ("manifest-sha256.txt".into(), m256.into_bytes()),
            ("bag-info.txt".into(), text.into_bytes()),
        ]
    }

    /// Writes `tags` (with the signed statement among them) and the tag manifests over them.
    pub fn finish(self, tags: &[(String, Vec<u8>)]) -> Result<PathBuf, AppError> {
        let mut t256 = String::new();
        let mut t512 = String::new();
        for (name, b) in tags {
            write_file(&self.root.join(name), b)?;
            t256.push_str(&format!("{}  {}\n", hex::encode(sha2::Sha256::digest(b)), manifest_path(name)));
            t512.push_str(&format!("{}  {}\n", hex::encode(sha2::Sha512::digest(b)), manifest_path(name)));
        }
        write_file(&self.root.join("tagmanifest-sha512.txt"), t512.as_bytes())?;
        write_file(&self.root.join("tagmanifest-sha256.txt"), t256.as_bytes())?;
        Ok(self.root)
    }
}

const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
/// The tag file holding the package's statement, signed with the log's keys.
pub const SIGNATURE_FILE: &str = "bag-signature.txt";

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let mut f = std::fs::File::create_new(path).map_err(|e| io(&path.display().to_string(), e))?;
    f.write_all(bytes).map_err(|e| io(&path.display().to_string(), e))
}

/// Makes every file and folder under `root` durable (fsync), deepest first: the last step of
/// an export, after the check, so the check runs while the system writes the bytes back.
pub fn sync_tree(root: &Path) -> Result<(), AppError> {
    let mut dirs = vec![root.to_path_buf()];
    let mut i = 0;
    while i < dirs.len() {
        for e in std::fs::read_dir(&dirs[i]).map_err(|e| io("syncing the package", e))?.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                dirs.push(p);
            } else {
                std::fs::File::open(&p).and_then(|f| f.sync_all()).map_err(|e| io(&p.display().to_string(), e))?;
            }
        }
        i += 1;
    }
    for d in dirs.iter().rev() {
        std::fs::File::open(d).and_then(|f| f.sync_all()).map_err(|e| io(&d.display().to_string(), e))?;
    }
    if let Some(parent) = root.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = std::fs::File::open(parent).and_then(|f| f.sync_all());
    }
    Ok(())
}

/// The statement a package's signature covers: the log, the 档号, which of how many, and the
/// SHA-256 of every tag file it has besides the tag manifests — the payload manifests among
/// them, so every payload byte is covered by the log's keys.
pub fn statement(origin: &str, archive_no: &str, count: &str, tags: &[(String, Vec<u8>)]) -> String {
    let mut t = format!("{}\n{origin}\n{archive_no}\n{count}\n", liuhen_store::BAG_STATEMENT);
    for (name, b) in tags {
        t.push_str(&format!("{} {}\n", hex::encode(sha2::Sha256::digest(b)), manifest_path(name)));
    }
    t
}

/// A path as a manifest writes it (RFC 8493 §2.1.3: CR, LF and `%` percent-encoded).
fn manifest_path(p: &str) -> String {
    p.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Text for XML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A file name's extension as kept in the bag: letters and digits only, else `bin`.
fn extension(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() && ext.len() <= 8 && ext.chars().all(|c| c.is_ascii_alphanumeric()) => {
            ext.to_ascii_lowercase()
        }
        _ => "bin".to_string(),
    }
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    pub dir: PathBuf,
    pub files: usize,
    pub bytes: u64,
    /// The index of the `export.case` entry.
    pub entry: u64,
    /// The disc images written, when asked for.
    pub discs: Vec<PathBuf>,
    /// The 四性检测 (DA/T 70) of the package as written, as the caller's check reported it
    /// (a JSON array of `{code, property, name, result, detail}`).
    pub checked: Value,
}

impl<S: LogStore> App<S> {
    /// Exports filed case `case_id` as a bag at `out` (a folder that must not exist) for
    /// `purpose`, to `destination`, by the 档案管理员 `actor`; `log_pub` is the log's verifier
    /// keys (`log.pub`). The export entry is appended, and a checkpoint signed over it, before
    /// anything is written. `check` is the 四性检测 run on the package as written, before the
    /// last fsync (the independent verifier's, which this crate does not depend on).
    pub async fn export_case_bag(
        &self,
        actor: &UserRecord,
        case_id: &str,
        (purpose, destination): (&str, &str),
        log_pub: &str,
        (out, discs): (&Path, Option<(u64, &Path)>),
        check: &(dyn Fn(&Path) -> Value + Send + Sync),
    ) -> Result<Exported, AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, Action::FileCase, Some(&case))?;
        let (file, _) = self.case_file_of(case_id).await?;
        let file = file
            .filter(|f| !f["filed"].is_null())
            .ok_or_else(|| AppError::InvalidState("该案卷尚未归档：归档后方可导出归档信息包".into()))?;
        let (purpose, destination) = (purpose.trim(), destination.trim());
        if purpose.chars().count() < 2 || destination.chars().count() < 2 {
            return Err(AppError::BadRequest("导出须写明用途（purpose）和去向（destination）".into()));
        }
        for dir in std::iter::once(out).chain(discs.map(|(_, d)| d)) {
            if dir.exists() {
                return Err(AppError::Duplicate(format!("{} 已存在，不覆盖", dir.display())));
            }
        }
        let filed = &file["filed"];
        let archive_no = filed["archive_no"].as_str().unwrap_or_default().to_string();
        // A recording no disc of this capacity holds is refused before anything is recorded.
        if let Some((capacity, _)) = discs {
            for r in self.store.recordings(Some(case_id), u32::MAX).await? {
                if on_disc(r.size) + DISC_OVERHEAD > capacity {
                    return Err(AppError::Unprocessable(format!(
                        "音像记录 {}（{} 字节）大于一张光盘的可用容量，请选用更大容量的光盘",
                        r.id, r.size
                    )));
                }
            }
        }
        // The record of the export, before the bytes leave.
        let name = self.actor_name(actor).await?;
        let c = super::Committed::new(
            case_id,
            json!({"archive_no": archive_no, "format": if discs.is_some() { "bagit+iso9660" } else { "bagit" },
                   "disc_capacity": discs.map(|(c, _)| c)}),
            &json!({"name": name, "purpose": purpose, "destination": destination}),
            self.clock.now().0,
        )?;
        let (d, opening) = c.draft(&format!("user:{}", actor.id), "export.case", case_id)?;
        let entry = self.append(d, vec![opening]).await?.index;
        // Written after the record; a failure is recorded too, and what was written of the
        // package taken away (it never existed before: nothing of anyone else's is touched).
        let written: Result<Exported, AppError> = async {
            let checkpoint = self.store.sign_checkpoint().await?;
            let size: u64 = checkpoint
                .lines()
                .nth(1)
                .and_then(|l| l.parse().ok())
                .ok_or_else(|| AppError::Internal("unreadable checkpoint".into()))?;
            let mut bag = Bag::create(out)?;
            // The file's documents, in its order, as issued (with their seals).
            let mut documents = Vec::new();
            for (n, line) in filed["toc"]["lines"].as_array().into_iter().flatten().enumerate() {
                let code = line["code"].as_str().unwrap_or_default();
                let stem = format!("documents/{:02}-{code}", n + 1);
                let mut parts = json!({"line": line});
                if let Some(sha) = line["pdf_sha256"].as_str().and_then(Hash::from_hex) {
                    let size = self.blobs.size_of(&sha).await?;
                    bag.add_blob(&format!("{stem}.pdf"), &self.blobs, &sha, size).await?;
                    parts["pdf"] = json!(format!("data/{stem}.pdf"));
                }
                let id = line["document"].as_str().unwrap_or_default();
                let row = self.store.document(id).await?;
                let v: Value = serde_json::from_str(&row.data).map_err(|e| AppError::Internal(Box::new(e)))?;
                if let Some(seal) = v["extra"]["seal_sha256"].as_str().and_then(Hash::from_hex) {
                    let der = self.blobs.get(&seal).await?;
                    bag.add(&format!("{stem}.seal.der"), &der)?;
                    parts["seal"] = json!(format!("data/{stem}.seal.der"));
                }
                if let Some(sig) = v["extra"]["ed25519"].as_str() {
                    use base64::Engine as _;
                    let raw = base64::engine::general_purpose::STANDARD
                        .decode(sig)
                        .map_err(|e| AppError::Internal(Box::new(e)))?;
                    bag.add(&format!("{stem}.ed25519.sig"), &raw)?;
                    parts["ed25519"] = json!(format!("data/{stem}.ed25519.sig"));
                }
                documents.push(parts);
            }
            // The 案卷 in one PDF, for reading and printing: 卷内目录, every page of the documents
            // with its 页号 where the office places it, 备考表.
            let volume = self.render_volume(&case, filed).await?;
            bag.add("案卷.pdf", &volume)?;
            // The recordings linked to the case, carried by hash, each with its label (办法第二十五条:
            // 事项、时间、地点、方式、执法人员; the device and 密级 too).
            let mut recordings = Vec::new();
            let mut labels = std::collections::BTreeMap::new();
            let data = super::cases::case_data(&case);
            for r in self.store.recordings(Some(case_id), u32::MAX).await? {
                let sha =
                    Hash::from_hex(&r.sha256).ok_or_else(|| AppError::Internal("unreadable recording hash".into()))?;
                let v: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
                let rel = format!("recordings/{}.{}", r.id, extension(v["filename"].as_str().unwrap_or_default()));
                bag.add_blob(&rel, &self.blobs, &sha, r.size).await?;
                recordings.push(json!({"id": r.id, "path": format!("data/{rel}"), "sha256": r.sha256}));
                labels.insert(format!("data/{rel}"), self.recording_label(&case, &data, &v).await?);
            }
            // Every entry of the case, each with its inclusion proof against the checkpoint.
            let mut entries = Vec::new();
            for (index, raw) in self.store.case_entries(case_id).await? {
                if index >= size {
                    continue;
                }
                let rel = format!("log/entries/{index:012}.json");
                bag.add(&rel, &raw)?;
                let path = self.store.inclusion_proof(index, size).await?;
                let leaf = liuhen_log::hash::leaf_hash(&raw);
                let proof = json!({"index": index, "tree_size": size, "leaf_hash": leaf.to_hex(),
                    "path": path.iter().map(Hash::to_hex).collect::<Vec<_>>()});
                bag.add(&format!("log/proofs/{index:012}.json"), proof.to_string().as_bytes())?;
                let e = liuhen_log::entry::Entry::decode(&raw)
                    .map_err(|err| AppError::Integrity(format!("entry {index}: {err}")))?;
                entries.push((index, e.action().to_string(), e.actor().to_string(), e.time_ms, leaf));
            }
            bag.add("log/checkpoint.txt", checkpoint.as_bytes())?;
            // The checkpoint the filing was first sealed under, and the consistency proof from it to
            // the export's: the log the file was filed in is a prefix of the one it leaves from.
            let filed_at = entries.iter().filter(|e| e.1 == "archive.filed").map(|e| e.0).max();
            if let Some(f) = filed_at {
                let first = self.store.checkpoint_at_least(f + 1).await?;
                let old: u64 = first
                    .lines()
                    .nth(1)
                    .and_then(|l| l.parse().ok())
                    .ok_or_else(|| AppError::Internal("unreadable checkpoint".into()))?;
                let path = self.store.consistency_proof(old, size).await?;
                bag.add("log/checkpoint-filed.txt", first.as_bytes())?;
                let proof =
                    json!({"old_size": old, "new_size": size, "path": path.iter().map(Hash::to_hex).collect::<Vec<_>>()});
                bag.add("log/consistency.json", proof.to_string().as_bytes())?;
            }
            bag.add("keys/log.pub", log_pub.as_bytes())?;
            if let Some(keys) = &self.documents.seal {
                bag.add("keys/seal-sm2.pem", liuhen_log::seal::pem("PUBLIC KEY", &keys.sm2_public_der()).as_bytes())?;
                bag.add(
                    "keys/seal-ed25519.pem",
                    liuhen_log::seal::pem("PUBLIC KEY", &keys.ed25519_public_der()).as_bytes(),
                )?;
            }
            bag.add("check.py", CHECK_PY.as_bytes())?;
            bag.add("verify-seal.sh", VERIFY_SEAL.as_bytes())?;
            bag.add("说明.txt", explanation(&archive_no).as_bytes())?;
            let organ = self.agency().await.map(|a| a.name).unwrap_or_default();
            let meta = metadata(&case, &file, &organ, &bag.files, &recordings, &entries);
            bag.add("metadata.xml", meta.as_bytes())?;
            let files = bag.files.len();
            let bytes = bag.files.iter().map(|f| f.size).sum();
            let info = [
                ("Source-Organization", organ),
                ("External-Identifier", case.case_no.clone()),
                ("Bag-Group-Identifier", archive_no.clone()),
                ("Bag-Count", "1 of 1".to_string()),
                ("Bagging-Date", self.clock.now().shanghai_date().to_string()),
                ("Bag-Software-Agent", format!("liuhen {}", env!("CARGO_PKG_VERSION"))),
                ("External-Description", format!("{} 案卷（档号 {archive_no}）的归档信息包", case.case_no)),
                ("Liuhen-Checkpoint-Size", size.to_string()),
                ("Liuhen-Export-Entry", entry.to_string()),
            ];
            let mut tags = bag.tags(&info);
            let signed = self.sign_statement(&archive_no, "1 of 1", &tags).await?;
            tags.push((SIGNATURE_FILE.to_string(), signed.into_bytes()));
            let dir = bag.finish(&tags)?;
            // The 四性检测 of the package as written, read back while the system writes it out.
            let checked = check(&dir);
            let images = match discs {
                Some((capacity, folder)) => {
                    self.write_discs(&dir, folder, capacity, &archive_no, &labels, &explanation(&archive_no)).await?
                }
                None => Vec::new(),
            };
            sync_tree(&dir)?;
            if let Some((_, folder)) = discs {
                sync_tree(folder)?;
            }
            Ok(Exported { dir, files, bytes, entry, discs: images, checked })
        }
        .await;
        match written {
            Ok(done) => Ok(done),
            Err(e) => {
                for dir in std::iter::once(out).chain(discs.map(|(_, d)| d)) {
                    let _ = std::fs::remove_dir_all(dir);
                }
                let c = super::Committed::new(
                    case_id,
                    json!({"export_entry": entry}),
                    &json!({"name": name, "error": e.message()}),
                    self.clock.now().0,
                )?;
                let (d, opening) = c.draft(&format!("user:{}", actor.id), "export.failed", case_id)?;
                let failed = self.append(d, vec![opening]).await?.index;
                Err(AppError::Unprocessable(format!(
                    "导出失败，未留下不完整的信息包（导出记录为日志第 {entry} 条，失败记录为第 {failed} 条）：{}",
                    e.message()
                )))
            }
        }
    }

    /// The PDF of a filed file's 案卷 (`filed`: its `archive.filed` record).
    async fn render_volume(&self, case: &liuhen_store::CaseRecord, filed: &Value) -> Result<Vec<u8>, AppError> {
        let office = self.agency().await?;
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let mut pdfs = Vec::new();
        let mut documents = Vec::new();
        let mut lines = Vec::new();
        for line in filed["toc"]["lines"].as_array().into_iter().flatten() {
            let (from, to) = (line["page_from"].as_u64().unwrap_or(1), line["page_to"].as_u64().unwrap_or(1));
            lines.push(
                json!({"n": line["n"], "doc_no": text(&line["doc_no"]), "responsible": text(&line["responsible"]),
                "title": text(&line["title"]), "date": text(&line["date"]), "pages": format!("{from}-{to}"),
                "part": text(&line["part"])}),
            );
            if let Some(sha) = line["pdf_sha256"].as_str().and_then(Hash::from_hex) {
                let path = format!("/img/{}.pdf", pdfs.len() + 1);
                pdfs.push((path.clone(), self.blobs.get(&sha).await?.to_vec()));
                documents.push(json!({"path": path, "pages": to + 1 - from, "first": from}));
            }
        }
        let remarks = &filed["remarks"];
        let notes: Vec<String> =
            remarks["notes"].as_array().into_iter().flatten().map(|n| text(&n["message"])).collect();
        let data = json!({"archive_no": text(&filed["archive_no"]), "case_no": case.case_no, "agency": office.name,
            "pdf_date": text(&remarks["filed_on"]),
            "position": office.page_number_position, "lines": lines, "documents": documents,
            "remarks": {"notes": notes, "filer": text(&remarks["filer"]), "checker": text(&remarks["checker"]),
                "filed_on": text(&remarks["filed_on"])}});
        let dirs = self.documents.font_dirs.clone();
        let pdf = tokio::task::spawn_blocking(move || {
            let fonts = liuhen_pdf::shared(&dirs)?;
            liuhen_pdf::render_volume(&fonts, &data, &pdfs)
        })
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))?
        .map_err(|e| match e {
            liuhen_pdf::PdfError::NoChineseFont(_) => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(Box::new(other)),
        })?;
        Ok(pdf.bytes)
    }

    /// The package statement over `tags`, signed with the log's keys.
    async fn sign_statement(
        &self,
        archive_no: &str,
        count: &str,
        tags: &[(String, Vec<u8>)],
    ) -> Result<String, AppError> {
        let checkpoint = self.store.latest_checkpoint().await?;
        let origin = checkpoint.lines().next().unwrap_or_default();
        let text = statement(origin, archive_no, count, tags);
        Ok(self.store.sign_bag_statement(&text).await?)
    }

    /// What a disc's catalogue says of a recording (办法第二十五条): the matter, time, place,
    /// method and officers, the device and the case's 密级, as XML elements.
    async fn recording_label(
        &self,
        case: &liuhen_store::CaseRecord,
        data: &Value,
        v: &Value,
    ) -> Result<String, AppError> {
        let meta = &v["metadata"];
        let text = |x: &Value| {
            x.as_str().map(str::to_string).unwrap_or_else(|| if x.is_null() { String::new() } else { x.to_string() })
        };
        // The place of the first act it is linked to.
        let place = v["links"]["records"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str()?.strip_prefix("act/")?.parse::<usize>().ok())
            .find_map(|n| data["acts"][n]["place"].as_str().map(str::to_string))
            .unwrap_or_default();
        let mut officers = Vec::new();
        for id in super::policy::officers_in(data) {
            if let Ok(o) = self.store.officer(&id).await {
                officers.push(o.name);
            }
        }
        let device = text(&meta["device"]);
        Ok(format!(
            "<文件名>{}</文件名><执法事项>{}</执法事项><时间>{} 至 {}</时间><地点>{}</地点><方式>{}</方式><执法人员>{}</执法人员><设备>{}</设备><密级>{}</密级>",
            esc(&text(&v["filename"])),
            esc(&case.matter),
            esc(&text(&meta["started_at"])),
            esc(&text(&meta["ended_at"])),
            esc(&place),
            if device.is_empty() { "音像采集" } else { "执法记录仪录音录像" },
            esc(&officers.join("、")),
            esc(&device),
            super::records::class_label(&case.confidentiality)
        ))
    }
}

/// DA/T 46-style metadata: the file (聚合层次 案卷), its documents and recordings (each with its
/// SM3 and SHA-256), and each log entry of the case as a 业务行为.
fn metadata(
    case: &liuhen_store::CaseRecord,
    file: &Value,
    organ: &str,
    files: &[BagFile],
    recordings: &[Value],
    entries: &[(u64, String, String, i64, Hash)],
) -> String {
    let digests = |path: &str| {
        files.iter().find(|f| f.path == path).map_or(String::new(), |f| {
            format!("<SHA256>{}</SHA256><SM3>{}</SM3><字节数>{}</字节数>", f.sha256, f.sm3, f.size)
        })
    };
    let filed = &file["filed"];
    let retention = liuhen_core::archive::Retention::parse(filed["retention"].as_str().unwrap_or_default())
        .map_or("", |r| r.label());
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<电子档案元数据 参照标准=\"DA/T 46-2009\">\n  <聚合层次>案卷</聚合层次>\n");
    x.push_str(&format!("  <来源><立档单位名称>{}</立档单位名称></来源>\n", esc(organ)));
    x.push_str(&format!(
        "  <档号>{}</档号>\n  <案号>{}</案号>\n  <保管期限>{}</保管期限>\n",
        esc(filed["archive_no"].as_str().unwrap_or_default()),
        esc(&case.case_no),
        retention
    ));
    let date =
        |ms: &Value| ms.as_i64().map_or(String::new(), |t| liuhen_core::time::Timestamp(t).shanghai_date().to_string());
    x.push_str(&format!(
        "  <内容描述><案件类型>{}</案件类型><执法事项>{}</执法事项><归档日期>{}</归档日期><立卷人>{}</立卷人><检查人>{}</检查人></内容描述>\n",
        esc(&case.case_type),
        esc(&case.matter),
        date(&filed["at"]),
        esc(filed["remarks"]["filer"].as_str().unwrap_or_default()),
        esc(filed["remarks"]["checker"].as_str().unwrap_or_default())
    ));
    x.push_str("  <卷内文件>\n");
    for (n, line) in filed["toc"]["lines"].as_array().into_iter().flatten().enumerate() {
        let path = format!("data/documents/{:02}-{}.pdf", n + 1, line["code"].as_str().unwrap_or_default());
        x.push_str(&format!(
            "    <文件 件号=\"{}\"><文号>{}</文号><题名>{}</题名><责任者>{}</责任者><日期>{}</日期><页号>{}-{}</页号><路径>{}</路径>{}</文件>\n",
            n + 1,
            esc(line["doc_no"].as_str().unwrap_or_default()),
            esc(line["title"].as_str().unwrap_or_default()),
            esc(line["responsible"].as_str().unwrap_or_default()),
            esc(line["date"].as_str().unwrap_or_default()),
            line["page_from"],
            line["page_to"],
            path,
            digests(&path)
        ));
    }
    x.push_str("  </卷内文件>\n  <音像记录>\n");
    for r in recordings {
        let path = r["path"].as_str().unwrap_or_default();
        x.push_str(&format!(
            "    <记录 标识=\"{}\"><路径>{path}</路径>{}</记录>\n",
            esc(r["id"].as_str().unwrap_or_default()),
            digests(path)
        ));
    }
    x.push_str("  </音像记录>\n  <业务实体>\n");
    for (index, action, actor, at, leaf) in entries {
        x.push_str(&format!(
            "    <业务行为 日志序号=\"{index}\"><行为>{}</行为><行为主体>{}</行为主体><行为时间>{}</行为时间><叶哈希>{}</叶哈希><日志条目>data/log/entries/{index:012}.json</日志条目><包含证明>data/log/proofs/{index:012}.json</包含证明></业务行为>\n",
            esc(action),
            esc(actor),
            liuhen_core::time::Timestamp(*at).to_minute(),
            leaf.to_hex()
        ));
    }
    x.push_str("  </业务实体>\n  <日志检查点>data/log/checkpoint.txt</日志检查点>\n</电子档案元数据>\n");
    x
}

/// The 说明: how to check the package without liuhen.
fn explanation(archive_no: &str) -> String {
    format!(
        "档号 {archive_no} 归档信息包说明\n\n\
本信息包按 BagIt（RFC 8493）组织，无需留痕系统即可核验：\n\
1. 完整性：manifest-sha512.txt 与 manifest-sha256.txt 列出 data/ 下每个文件的摘要。可用\n   \
sha256sum -c manifest-sha256.txt（或 python3 -m bagit --validate 本目录）逐一核对，任何一个字节改动都会不符。\n\
   metadata.xml 另列每个文件的 SM3 摘要，可用 openssl dgst -sm3 文件 核对。\n\
2. 日志：data/log/entries/ 是本案在执法记录日志中的全部条目（原始字节），data/log/proofs/ 是每个条目\n   \
对 data/log/checkpoint.txt 所载日志根哈希的包含证明（RFC 6962）。检查点由日志密钥签名，公钥在 data/keys/log.pub。\n   \
data/log/checkpoint-filed.txt 是归档后首个检查点，data/log/consistency.json 是它到导出时检查点的一致性证明：\n   \
归档时的日志是导出时日志的前缀，其间没有改写。\n\
3. 一键核验：在本目录运行 python3 data/check.py 本目录 log.pub（log.pub 与 check.py 宜用监督部门或法院自行保存的副本，\n   \
信息包内的文件可能与信息包一起被改动）。它只用 Python 标准库和 OpenSSL 命令行：核对清单摘要，\n   \
逐条重算包含证明并与检查点的根哈希比对，核对一致性证明，用 OpenSSL 核验检查点的 Ed25519 签名和每份文书的电子印章签名。\n   \
全部通过时输出“核验通过”，否则指出第一处不符。\n\
4. 文书：data/documents/ 下为归档的执法文书 PDF（按卷内目录顺序，即 metadata.xml 的件号），盖章文书另附\n   \
电子签章（.seal.der，GB/T 38540 结构）与 Ed25519 签名（.ed25519.sig）；印章公钥在 data/keys/。\n\
5. 音像记录：data/recordings/ 下为本案关联的音像记录，文件名为其编号，摘要见 metadata.xml。\n\
6. 案卷：data/案卷.pdf 为便于阅读和打印的整卷：卷内目录、各文书的全部页面（按本单位规定的位置加注连续页号）和备考表；\n   \
原件以 data/documents/ 下盖章的 PDF 为准。\n"
    )
}

/// A disc's capacity in bytes from its kind (`cd` 700 MB, `dvd` 4.7 GB, `dvd-dl`, `bd` 25 GB,
/// `bd-dl`) or a size (`500MiB`, `2GiB`, bytes).
pub fn disc_capacity(s: &str) -> Result<u64, AppError> {
    let t = s.trim().to_ascii_lowercase();
    let sectors = |n: u64| n * super::iso::SECTOR;
    let bytes = match t.as_str() {
        "cd" => sectors(360_000),
        "dvd" => sectors(2_295_104),
        "dvd-dl" => sectors(4_173_824),
        "bd" => sectors(12_219_392),
        "bd-dl" => sectors(24_438_784),
        _ => {
            let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
            let n: u64 = num
                .parse()
                .map_err(|_| AppError::BadRequest(format!("光盘容量“{s}”无法识别（cd、dvd、bd 或如 500MiB）")))?;
            match unit {
                "" => n,
                "kib" => n << 10,
                "mib" => n << 20,
                "gib" => n << 30,
                _ => return Err(AppError::BadRequest(format!("光盘容量“{s}”无法识别（cd、dvd、bd 或如 500MiB）"))),
            }
        }
    };
    if bytes < 256 << 10 {
        return Err(AppError::BadRequest("光盘容量至少 256 KiB".into()));
    }
    Ok(bytes)
}

/// What a disc holds: its path on the disc, and where its bytes come from.
enum Source {
    File(PathBuf),
    Bytes(Vec<u8>),
}

/// A file's size on a disc, in whole sectors.
fn on_disc(size: u64) -> u64 {
    size.div_ceil(super::iso::SECTOR) * super::iso::SECTOR
}

/// Room a disc keeps for its descriptors, path tables, directories and tag files.
const DISC_OVERHEAD: u64 = 128 << 10;

impl<S: LogStore> App<S> {
    /// Writes the bag at `bag` as evidence disc images (ISO 9660 + Joliet) of `capacity` bytes in
    /// folder `out`, each a complete bag of its own (`Bag-Count: k of n`, the recordings shared
    /// out, everything else on every disc) with `说明文件.TXT` (`readme`) and `文件目录.XML` (the
    /// catalogue: `labels` of each recording on that disc, by its path) at its root. Written as a
    /// stream: a file's bytes are read a chunk at a time, never an image whole.
    pub async fn write_discs(
        &self,
        bag: &Path,
        out: &Path,
        capacity: u64,
        archive_no: &str,
        labels: &std::collections::BTreeMap<String, String>,
        readme: &str,
    ) -> Result<Vec<PathBuf>, AppError> {
        let at_ms = self.clock.now().0;
        let read = |name: &str| std::fs::read_to_string(bag.join(name)).map_err(|e| io(name, e));
        let digests = |name: &str| -> Result<std::collections::BTreeMap<String, String>, AppError> {
            Ok(read(name)?
                .lines()
                .filter_map(|l| l.split_once("  "))
                .map(|(d, p)| (p.to_string(), d.to_string()))
                .collect())
        };
        let (m256, m512) = (digests("manifest-sha256.txt")?, digests("manifest-sha512.txt")?);
        let size = |p: &str| std::fs::metadata(bag.join(p)).map(|m| m.len()).map_err(|e| io(p, e));
        let mut common = Vec::new();
        let mut shared = Vec::new();
        for p in m256.keys() {
            if p.starts_with("data/recordings/") {
                shared.push((p.clone(), size(p)?))
            } else {
                common.push((p.clone(), size(p)?))
            }
        }
        let fixed: u64 = common.iter().map(|(_, s)| on_disc(*s)).sum::<u64>() + DISC_OVERHEAD;
        if fixed >= capacity {
            return Err(AppError::Unprocessable("光盘容量不足以容纳案卷的文书、日志和元数据".into()));
        }
        let room = capacity - fixed;
        // First fit, largest first.
        shared.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut discs: Vec<(u64, Vec<(String, u64)>)> = vec![(0, Vec::new())];
        for (p, s) in shared {
            if on_disc(s) > room {
                return Err(AppError::Unprocessable(format!(
                    "音像记录 {p} 大于一张光盘的可用容量，请选用更大容量的光盘"
                )));
            }
            match discs.iter_mut().find(|(used, _)| used + on_disc(s) <= room) {
                Some(d) => {
                    d.0 += on_disc(s);
                    d.1.push((p, s));
                }
                None => discs.push((on_disc(s), vec![(p, s)])),
            }
        }
        std::fs::create_dir_all(out).map_err(|e| io("creating the disc folder", e))?;
        let n = discs.len();
        let info = read("bag-info.txt")?;
        let mut written = Vec::new();
        for (k, (_, mine)) in discs.into_iter().enumerate() {
            let mut files: Vec<(String, u64, Source)> = Vec::new();
            let mut payload: Vec<&(String, u64)> = common.iter().chain(mine.iter()).collect();
            payload.sort();
            let bytes: u64 = payload.iter().map(|(_, s)| s).sum();
            let line =
                |m: &std::collections::BTreeMap<String, String>, p: &str| format!("{}  {}\n", m[p], manifest_path(p));
            let man256: String = payload.iter().map(|(p, _)| line(&m256, p)).collect();
            let man512: String = payload.iter().map(|(p, _)| line(&m512, p)).collect();
            let bag_info: String = info
                .lines()
                .map(|l| {
                    if l.starts_with("Bag-Count: ") {
                        format!("Bag-Count: {} of {n}\n", k + 1)
                    } else if l.starts_with("Payload-Oxum: ") {
                        format!("Payload-Oxum: {bytes}.{}\n", payload.len())
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect();
            let mut catalogue = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<证据光盘目录 档号=\"{}\" 光盘=\"{} / {n}\">\n",
                esc(archive_no),
                k + 1
            );
            for (p, s) in &mine {
                catalogue.push_str(&format!(
                    "  <音像记录><路径>{}</路径><字节数>{s}</字节数><SHA256>{}</SHA256>{}</音像记录>\n",
                    esc(p),
                    m256[p.as_str()],
                    labels.get(p).map_or("", String::as_str)
                ));
            }
            catalogue.push_str("</证据光盘目录>\n");
            let readme = format!("{readme}\n本光盘为第 {} 张，共 {n} 张。\n", k + 1);
            let mut tags: Vec<(String, Vec<u8>)> = vec![
                ("bagit.txt".into(), read("bagit.txt")?.into_bytes()),
                ("bag-info.txt".into(), bag_info.into_bytes()),
                ("manifest-sha256.txt".into(), man256.into_bytes()),
                ("manifest-sha512.txt".into(), man512.into_bytes()),
                ("说明文件.TXT".into(), readme.into_bytes()),
                ("文件目录.XML".into(), catalogue.into_bytes()),
            ];
            let signed = self.sign_statement(archive_no, &format!("{} of {n}", k + 1), &tags).await?;
            tags.push((SIGNATURE_FILE.to_string(), signed.into_bytes()));
            let mut t256 = String::new();
            let mut t512 = String::new();
            for (name, b) in &tags {
                t256.push_str(&format!("{}  {name}\n", hex::encode(sha2::Sha256::digest(b))));
                t512.push_str(&format!("{}  {name}\n", hex::encode(sha2::Sha512::digest(b))));
            }
            for (name, b) in tags {
                let len = b.len() as u64;
                files.push((name, len, Source::Bytes(b)));
            }
            files.push(("tagmanifest-sha256.txt".into(), t256.len() as u64, Source::Bytes(t256.into_bytes())));
            files.push(("tagmanifest-sha512.txt".into(), t512.len() as u64, Source::Bytes(t512.into_bytes())));
            for (p, s) in payload {
                files.push((p.clone(), *s, Source::File(bag.join(p))));
            }
            let list: Vec<(String, u64)> = files.iter().map(|(p, s, _)| (p.clone(), *s)).collect();
            let volume = format!("{archive_no}-{}", k + 1);
            let plan = super::iso::plan(&volume, &list, at_ms).map_err(|e| AppError::Unprocessable(e.to_string()))?;
            let path = out.join(format!("{archive_no}-{}-of-{n}.iso", k + 1));
            let mut img = std::io::BufWriter::with_capacity(
                1 << 20,
                std::fs::File::create_new(&path).map_err(|e| io("creating a disc image", e))?,
            );
            img.write_all(&plan.head).map_err(|e| io("writing a disc image", e))?;
            let mut buf = vec![0u8; CHUNK as usize];
            for (i, size) in &plan.order {
                match &files[*i].2 {
                    Source::Bytes(b) => img.write_all(b).map_err(|e| io("writing a disc image", e))?,
                    Source::File(f) => {
                        use std::io::Read as _;
                        let mut r = std::fs::File::open(f).map_err(|e| io("reading the bag", e))?;
                        let mut left = *size;
                        while left > 0 {
                            let want = (left as usize).min(buf.len());
                            r.read_exact(&mut buf[..want]).map_err(|e| io("reading the bag", e))?;
                            img.write_all(&buf[..want]).map_err(|e| io("writing a disc image", e))?;
                            left -= want as u64;
                        }
                    }
                }
                img.write_all(&vec![0u8; super::iso::padding(*size)]).map_err(|e| io("writing a disc image", e))?;
            }
            img.flush().map_err(|e| io("writing a disc image", e))?;
            written.push(path);
        }
        Ok(written)
    }
}
