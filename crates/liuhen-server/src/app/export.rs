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

/// Digests of one stream, as it is written.
#[derive(Default)]
struct Digests {
    sha256: sha2::Sha256,
    sha512: sha2::Sha512,
    sm3: sm3::Sm3,
    size: u64,
}

impl Digests {
    fn update(&mut self, b: &[u8]) {
        self.sha256.update(b);
        self.sha512.update(b);
        sm3::Digest::update(&mut self.sm3, b);
        self.size += b.len() as u64;
    }

    fn file(self, path: String) -> BagFile {
        BagFile {
            path,
            size: self.size,
            sha256: hex::encode(self.sha256.finalize()),
            sha512: hex::encode(self.sha512.finalize()),
            sm3: hex::encode(sm3::Digest::finalize(self.sm3)),
        }
    }
}

fn io(what: &str, e: std::io::Error) -> AppError {
    AppError::Internal(format!("{what}: {e}").into())
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

    /// Adds payload file `rel` (under `data/`) holding `bytes`.
    pub fn add(&mut self, rel: &str, bytes: &[u8]) -> Result<(), AppError> {
        let path = format!("data/{rel}");
        let mut f = self.open(&path)?;
        f.write_all(bytes).map_err(|e| io(&path, e))?;
        f.sync_all().map_err(|e| io(&path, e))?;
        let mut d = Digests::default();
        d.update(bytes);
        self.files.push(d.file(path));
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
        let mut d = Digests::default();
        let mut at = 0;
        while at < size {
            let end = (at + CHUNK).min(size);
            let chunk = blobs.get_range(sha256, at..end).await?;
            if chunk.is_empty() {
                break;
            }
            f.write_all(&chunk).map_err(|e| io(&path, e))?;
            d.update(&chunk);
            at += chunk.len() as u64;
        }
        f.sync_all().map_err(|e| io(&path, e))?;
        let file = d.file(path);
        if file.sha256 != sha256.to_hex() || file.size != size {
            return Err(AppError::Integrity(format!("blob {} read back otherwise: not packed", sha256.to_hex())));
        }
        self.files.push(file);
        Ok(())
    }

    /// Writes the tag files: `bagit.txt`, the manifests, `bag-info.txt` (with `info`, the
    /// payload's Oxum and the profile) and the tag manifests.
    pub fn finish(self, info: &[(&str, String)]) -> Result<PathBuf, AppError> {
        let write = |name: &str, text: &str| -> Result<BagFile, AppError> {
            let mut f = std::fs::File::create_new(self.root.join(name)).map_err(|e| io(name, e))?;
            f.write_all(text.as_bytes()).map_err(|e| io(name, e))?;
            f.sync_all().map_err(|e| io(name, e))?;
            let mut d = Digests::default();
            d.update(text.as_bytes());
            Ok(d.file(name.to_string()))
        };
        let mut tags = vec![write("bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")?];
        let line = |digest: &str, path: &str| format!("{digest}  {}\n", manifest_path(path));
        let m512: String = self.files.iter().map(|f| line(&f.sha512, &f.path)).collect();
        let m256: String = self.files.iter().map(|f| line(&f.sha256, &f.path)).collect();
        tags.push(write("manifest-sha512.txt", &m512)?);
        tags.push(write("manifest-sha256.txt", &m256)?);
        let bytes: u64 = self.files.iter().map(|f| f.size).sum();
        let mut text = String::new();
        for (k, v) in info {
            text.push_str(&format!("{k}: {}\n", v.replace(['\r', '\n'], " ")));
        }
        text.push_str(&format!("Payload-Oxum: {bytes}.{}\n", self.files.len()));
        text.push_str(&format!("BagIt-Profile-Identifier: {PROFILE}\n"));
        tags.push(write("bag-info.txt", &text)?);
        let t512: String = tags.iter().map(|f| line(&f.sha512, &f.path)).collect();
        let t256: String = tags.iter().map(|f| line(&f.sha256, &f.path)).collect();
        write("tagmanifest-sha512.txt", &t512)?;
        write("tagmanifest-sha256.txt", &t256)?;
        if let Ok(dir) = std::fs::File::open(&self.root) {
            let _ = dir.sync_all();
        }
        Ok(self.root)
    }
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
}

impl<S: LogStore> App<S> {
    /// Exports filed case `case_id` as a bag at `out` (a folder that must not exist) for
    /// `purpose`, to `destination`, by the 档案管理员 `actor`; `log_pub` is the log's verifier
    /// keys (`log.pub`). The export entry is appended, and a checkpoint signed over it, before
    /// anything is written.
    pub async fn export_case_bag(
        &self,
        actor: &UserRecord,
        case_id: &str,
        (purpose, destination): (&str, &str),
        log_pub: &str,
        out: &Path,
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
        if out.exists() {
            return Err(AppError::Duplicate(format!("{} 已存在，不覆盖", out.display())));
        }
        let filed = &file["filed"];
        let archive_no = filed["archive_no"].as_str().unwrap_or_default().to_string();
        // The record of the export, before the bytes leave.
        let name = self.actor_name(actor).await?;
        let c = super::Committed::new(
            case_id,
            json!({"archive_no": archive_no, "format": "bagit"}),
            &json!({"name": name, "purpose": purpose, "destination": destination}),
            self.clock.now().0,
        )?;
        let (d, opening) = c.draft(&format!("user:{}", actor.id), "export.case", case_id)?;
        let entry = self.append(d, vec![opening]).await?.index;
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
                let size = self.blobs.get(&sha).await?.len() as u64;
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
        // The recordings linked to the case, carried by hash.
        let mut recordings = Vec::new();
        for r in self.store.recordings(Some(case_id), u32::MAX).await? {
            let sha =
                Hash::from_hex(&r.sha256).ok_or_else(|| AppError::Internal("unreadable recording hash".into()))?;
            let v: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
            let rel = format!("recordings/{}.{}", r.id, extension(v["filename"].as_str().unwrap_or_default()));
            bag.add_blob(&rel, &self.blobs, &sha, r.size).await?;
            recordings.push(json!({"id": r.id, "path": format!("data/{rel}"), "sha256": r.sha256}));
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
        let dir = bag.finish(&info)?;
        Ok(Exported { dir, files, bytes, entry })
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
对 data/log/checkpoint.txt 所载日志根哈希的包含证明（RFC 6962）。检查点由日志密钥签名，公钥在 data/keys/log.pub。\n\
3. 一键核验：在本目录运行 python3 data/check.py 。它只用 Python 标准库和 OpenSSL 命令行：核对清单摘要，\n   \
逐条重算包含证明并与检查点的根哈希比对，用 OpenSSL 核验检查点的 Ed25519 签名和每份文书的电子印章签名。\n   \
全部通过时输出“核验通过”，否则指出第一处不符。\n\
4. 文书：data/documents/ 下为归档的执法文书 PDF（按卷内目录顺序，即 metadata.xml 的件号），盖章文书另附\n   \
电子签章（.seal.der，GB/T 38540 结构）与 Ed25519 签名（.ed25519.sig）；印章公钥在 data/keys/。\n\
5. 音像记录：data/recordings/ 下为本案关联的音像记录，文件名为其编号，摘要见 metadata.xml。\n"
    )
}
