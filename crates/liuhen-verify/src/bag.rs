//! The 四性检测 (DA/T 70-2018: 真实性、完整性、可用性、安全性) of a liuhen archive package — a
//! BagIt bag, or a directory copied from a disc — with no server: one line per check item,
//! each passed, failed (naming what failed) or not run (never passed when it could not run).
//!
//! The item codes are liuhen's own (`ZS` 真实性, `WZ` 完整性, `KY` 可用性, `AQ` 安全性); what
//! each checks follows domain.md §f.1.

use crate::carrier::Carrier;
use liuhen_log::checkpoint::Checkpoint;
use liuhen_log::{Hash, NoteVerifier, leaf_hash};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// How one item came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    NotRun,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::NotRun => "not-run",
        }
    }
}

/// One check item of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub code: &'static str,
    pub property: &'static str,
    pub name: &'static str,
    pub result: Outcome,
    pub detail: String,
}

/// The formats an archive keeps (GB/T 18894-2016: 版式文档, images, audio, video), by extension.
pub const ACCEPTED: [&str; 10] = ["pdf", "jpg", "jpeg", "tif", "tiff", "wav", "mp3", "mp4", "mpg", "mpeg"];

/// Files of the bag's own making besides the documents and recordings (their formats are
/// plain text, XML, DER and PEM).
const OWN: [&str; 6] = ["json", "txt", "xml", "py", "sh", "pem"];

/// Payload files at most this large are read whole for the checks that need their bytes.
const READ_WHOLE: u64 = 64 << 20;

struct Report(Vec<Item>);

impl Report {
    fn item(&mut self, code: &'static str, property: &'static str, name: &'static str, problems: Vec<String>) {
        let (result, detail) = match problems.first() {
            None => (Outcome::Pass, String::new()),
            Some(first) => (
                Outcome::Fail,
                if problems.len() > 1 {
                    format!("{first}（另有 {} 处）", problems.len() - 1)
                } else {
                    first.clone()
                },
            ),
        };
        self.0.push(Item { code, property, name, result, detail });
    }
}

/// A manifest's lines: path → digest (paths as RFC 8493 writes them, decoded).
fn manifest(c: &dyn Carrier, name: &str) -> Result<BTreeMap<String, String>, String> {
    let text = c.read_string(name).map_err(|e| format!("{name}：无法读取（{e}）"))?;
    let mut out = BTreeMap::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let Some((digest, path)) = line.split_once(char::is_whitespace) else {
            return Err(format!("{name}：无法解析的一行"));
        };
        let path = path.trim_start().replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%");
        out.insert(path, digest.to_ascii_lowercase());
    }
    Ok(out)
}

/// (SHA-256, SHA-512, SM3, length) of a file, read a chunk at a time (a large one hashed on
/// two threads as it is read).
fn digests(c: &dyn Carrier, path: &str) -> std::io::Result<(String, String, String, u64)> {
    let expected = c.len(path).unwrap_or(0);
    let d = liuhen_log::digest::of_reader(&mut c.open(path)?, expected)?;
    Ok((d.sha256, d.sha512, d.sm3, d.size))
}

/// The value of attribute or element `name` in each element `tag` of `xml` (the metadata
/// liuhen writes: one element a line).
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    let close = format!("</{tag}>");
    xml.match_indices(&open).filter_map(|(i, _)| xml[i..].find(&close).map(|j| &xml[i..i + j])).collect()
}

fn inner<'a>(element: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = element.find(&open)? + open.len();
    let end = element[start..].find(&format!("</{tag}>"))?;
    Some(&element[start..start + end])
}

fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let key = format!("{name}=\"");
    let start = element.find(&key)? + key.len();
    let end = element[start..].find('"')?;
    Some(&element[start..start + end])
}

/// The 四性检测 of the bag at `dir`. `pinned` are the log's keys the caller trusts; without
/// them the keys the bag carries are used, and the item says so.
///
/// `path` is a directory (a bag, or a folder copied from a disc) or an ISO 9660 image or drive,
/// read directly; an image that cannot be read fails WZ-1 with the reason.
pub fn four_properties(path: &Path, pinned: Option<&[NoteVerifier]>) -> Vec<Item> {
    match crate::carrier::open(path) {
        Ok(c) => four_properties_of(c.as_ref(), pinned),
        Err(e) => {
            let mut r = Report(Vec::new());
            r.item("WZ-1", "完整性", "信息包结构", vec![e]);
            r.0
        }
    }
}

/// The 四性检测 of the package `c` carries.
pub fn four_properties_of(c: &dyn Carrier, pinned: Option<&[NoteVerifier]>) -> Vec<Item> {
    let mut r = Report(Vec::new());
    // 完整性: the package's structure, its manifests, its totals.
    let mut structure = Vec::new();
    match c.read_string("bagit.txt") {
        Ok(t) if t.starts_with("BagIt-Version: 1.0\n") && t.contains("Tag-File-Character-Encoding: UTF-8") => {}
        Ok(_) => structure.push("bagit.txt 不是 BagIt 1.0 声明".to_string()),
        Err(_) => structure.push("缺少 bagit.txt".to_string()),
    }
    if !c.files().iter().any(|f| f.starts_with("data/")) {
        structure.push("缺少 data/ 目录".to_string());
    }
    let info = c.read_string("bag-info.txt").unwrap_or_default();
    let field = |k: &str| info.lines().find_map(|l| l.strip_prefix(&format!("{k}: "))).map(str::trim);
    if info.is_empty() {
        structure.push("缺少 bag-info.txt".to_string());
    }
    r.item("WZ-1", "完整性", "信息包结构", structure);
    let (m256, m512) = (manifest(c, "manifest-sha256.txt"), manifest(c, "manifest-sha512.txt"));
    let on_disk = c.files();
    let payload: BTreeSet<&String> = on_disk.iter().filter(|f| f.starts_with("data/")).collect();
    let mut listed_problems = Vec::new();
    let mut digest_problems = Vec::new();
    let mut sm3s: BTreeMap<String, String> = BTreeMap::new();
    let mut sha256s: BTreeMap<String, String> = BTreeMap::new();
    let mut bytes = 0u64;
    match (&m256, &m512) {
        (Ok(a), Ok(b)) => {
            if a.keys().ne(b.keys()) {
                listed_problems.push("两份清单所列文件不同".to_string());
            }
            for path in a.keys() {
                if !payload.contains(path) {
                    listed_problems.push(format!("清单所列文件缺失：{path}"));
                }
            }
            for path in &payload {
                match digests(c, path) {
                    Ok((s256, s512, s3, n)) => {
                        bytes += n;
                        sm3s.insert((*path).clone(), s3);
                        sha256s.insert((*path).clone(), s256.clone());
                        if a.get(*path).is_some_and(|d| *d != s256) || b.get(*path).is_some_and(|d| *d != s512) {
                            digest_problems.push(format!("{path} 的摘要与清单不符"));
                        }
                    }
                    Err(e) => digest_problems.push(format!("{path} 无法读取（{e}）")),
                }
            }
        }
        (Err(e), _) | (_, Err(e)) => listed_problems.push(e.clone()),
    }
    // Tag files against the tag manifests.
    for name in ["tagmanifest-sha256.txt", "tagmanifest-sha512.txt"] {
        match manifest(c, name) {
            Ok(m) => {
                for (path, want) in m {
                    match digests(c, &path) {
                        Ok((s256, s512, _, _)) if want == s256 || want == s512 => {}
                        Ok(_) => digest_problems.push(format!("{path} 的摘要与 {name} 不符")),
                        Err(_) => listed_problems.push(format!("{name} 所列文件缺失：{path}")),
                    }
                }
            }
            Err(e) => listed_problems.push(e),
        }
    }
    r.item("WZ-2", "完整性", "清单与文件一一对应", listed_problems);
    let oxum = format!("{bytes}.{}", payload.len());
    let totals = match field("Payload-Oxum") {
        Some(o) if o == oxum => Vec::new(),
        Some(o) => vec![format!("Payload-Oxum 为 {o}，实有 {oxum}")],
        None => vec!["bag-info.txt 缺少 Payload-Oxum".to_string()],
    };
    r.item("WZ-3", "完整性", "数据总量（字节数、文件数）", totals);
    // 真实性: fixity.
    r.item("ZS-1", "真实性", "固化信息：SHA-256、SHA-512 摘要", digest_problems);
    // The metadata.
    let xml = c.read_string("data/metadata.xml").unwrap_or_default();
    let mut readable = Vec::new();
    if !xml.starts_with("<?xml") || !xml.trim_end().ends_with("</电子档案元数据>") {
        readable.push("data/metadata.xml 缺失或不完整".to_string());
    }
    r.item("KY-1", "可用性", "元数据可读", readable);
    let mut sm3_problems = Vec::new();
    let files = elements(&xml, "文件");
    let records = elements(&xml, "记录");
    // One disc of several carries its share of the recordings; the metadata lists them all.
    let one_of_several = field("Bag-Count").is_some_and(|c| !c.ends_with(" of 1"));
    for e in files.iter().chain(records.iter()) {
        let (Some(path), Some(sm3)) = (inner(e, "路径"), inner(e, "SM3")) else {
            sm3_problems.push("元数据中一项缺少路径或 SM3".to_string());
            continue;
        };
        if one_of_several && path.starts_with("data/recordings/") && !sm3s.contains_key(path) {
            continue;
        }
        if sm3s.get(path).is_none_or(|s| s != sm3) {
            sm3_problems.push(format!("{path} 的 SM3 与元数据不符"));
        }
    }
    r.item("ZS-2", "真实性", "固化信息：元数据所载 SM3", sm3_problems);
    // 档号: its form, and the same in bag-info and the metadata.
    let no = inner(&xml, "档号").unwrap_or_default();
    let mut number = Vec::new();
    if !archive_no_ok(no) {
        number.push(format!("档号“{no}”不符合 全宗号-年度-保管期限-件号"));
    }
    if field("Bag-Group-Identifier") != Some(no) {
        number.push("bag-info.txt 的 Bag-Group-Identifier 与元数据的档号不同".to_string());
    }
    r.item("ZS-3", "真实性", "档号格式", number);
    // 件号 and 页号: continuous from 1.
    let mut sequence = Vec::new();
    let mut next_page = 1u64;
    for (i, e) in files.iter().enumerate() {
        let n = attribute(e, "件号").and_then(|n| n.parse::<usize>().ok());
        if n != Some(i + 1) {
            sequence.push(format!("第 {} 件的件号为 {}", i + 1, attribute(e, "件号").unwrap_or("（无）")));
            break;
        }
        let pages = inner(e, "页号").and_then(|p| p.split_once('-'));
        match pages.and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?))) {
            Some((a, b)) if a == next_page && b >= a => next_page = b + 1,
            _ => {
                sequence.push(format!("第 {} 件的页号不连续", i + 1));
                break;
            }
        }
    }
    if files.is_empty() {
        sequence.push("元数据未列卷内文件".to_string());
    }
    r.item("WZ-4", "完整性", "件号、页号连续", sequence);
    // 真实性: the checkpoint and every entry's inclusion proof.
    let (sign, proofs) = log_checks(c, pinned);
    r.item("ZS-4", "真实性", "日志检查点签名", sign);
    r.item("ZS-5", "真实性", "日志条目的包含证明", proofs);
    r.item("ZS-8", "真实性", "日志一致性证明（归档时检查点至导出时检查点）", consistency_checks(c, pinned));
    r.item("ZS-7", "真实性", "信息包声明（日志密钥签名，覆盖全部清单与标签文件）", statement_checks(c, pinned, &info));
    // 完整性: the process (业务行为) complete — every entry the metadata names is carried, and
    // the case's filing is among them.
    let mut process = Vec::new();
    let acts = elements(&xml, "业务行为");
    for e in &acts {
        if let Some(p) = inner(e, "日志条目")
            && !payload.contains(&p.to_string())
        {
            process.push(format!("缺少日志条目 {p}"));
        }
    }
    if !acts.iter().any(|e| inner(e, "行为") == Some("archive.filed")) {
        process.push("过程信息中没有归档（archive.filed）".to_string());
    }
    r.item("WZ-5", "完整性", "过程信息完整", process);
    r.item("ZS-9", "真实性", "元数据与日志条目一致，音像记录的摘要由日志条目证明", entry_checks(c, &acts, &sha256s));
    // 真实性: each sealed document's seal over its PDF.
    r.item("ZS-6", "真实性", "电子印章", seal_checks(c, &payload));
    // 可用性: formats on the accepted list, PDFs open without a password.
    let mut formats = Vec::new();
    for p in &payload {
        let ext = p.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        let own = OWN.contains(&ext.as_str())
            || p.ends_with(".seal.der")
            || p.ends_with(".ed25519.sig")
            || p.ends_with(".pub");
        if !own && !ACCEPTED.contains(&ext.as_str()) {
            formats.push(format!("{p}：格式不在归档格式之列"));
        }
        if ext == "pdf" {
            let small = c.len(p).map(|n| n <= READ_WHOLE).unwrap_or(false);
            match if small { c.read(p) } else { Ok(Vec::new()) } {
                Ok(b) if small && !b.starts_with(b"%PDF-") => formats.push(format!("{p} 不是 PDF")),
                Ok(b) if small && b.windows(8).any(|w| w == b"/Encrypt") => formats.push(format!("{p} 已加密")),
                _ => {}
            }
        }
    }
    r.item("KY-2", "可用性", "文件格式与无加密", formats);
    // 安全性: nothing but the package's files on the carrier; a virus scan where ClamAV is.
    let tags = [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
    ];
    let mut listed: BTreeSet<String> = m256.as_ref().map(|m| m.keys().cloned().collect()).unwrap_or_default();
    // A disc's own tag files (说明文件.TXT, 文件目录.XML) are listed in its tag manifest.
    if let Ok(m) = manifest(c, "tagmanifest-sha256.txt") {
        listed.extend(m.into_keys());
    }
    let extra: Vec<String> = on_disk
        .iter()
        .filter(|f| !tags.contains(&f.as_str()) && !listed.contains(*f))
        .map(|f| format!("非归档文件：{f}"))
        .collect();
    r.item("AQ-1", "安全性", "载体上无非归档文件", extra);
    r.0.push(virus_scan(c.location()));
    r.0
}

/// Each 业务行为 of the metadata against its entry (行为, 行为主体, 叶哈希), and each recording
/// carried against the log: some entry of the case names its SHA-256 (its link does).
fn entry_checks(c: &dyn Carrier, acts: &[&str], sha256s: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    let mut named = BTreeSet::new();
    for e in acts {
        let Some(path) = inner(e, "日志条目") else { continue };
        let Ok(raw) = c.read(path) else { continue };
        let entry = match liuhen_log::entry::Entry::decode(&raw) {
            Ok(entry) => entry,
            Err(err) => {
                out.push(format!("{path} 不是日志条目（{err}）"));
                continue;
            }
        };
        named.extend(entry.blobs().iter().map(|b| b.sha256.to_hex()));
        let unescape =
            |s: &str| s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
        if inner(e, "行为").map(unescape).as_deref() != Some(entry.action())
            || inner(e, "行为主体").map(unescape).as_deref() != Some(entry.actor())
            || inner(e, "叶哈希") != Some(leaf_hash(&raw).to_hex().as_str())
        {
            out.push(format!("元数据所载 {path} 的行为、行为主体或叶哈希与条目不符"));
        }
    }
    for (path, sha) in sha256s.iter().filter(|(p, _)| p.starts_with("data/recordings/")) {
        if !named.contains(sha) {
            out.push(format!("{path} 的摘要没有本案日志条目证明"));
        }
    }
    out
}

/// Said when a package is checked against the keys it carries: they prove nothing against
/// whoever made it.
pub const UNPINNED: &str = "注意：未给出 --keys，使用信息包自带的日志公钥核验；应以监督部门或法院持有的 log.pub 核验 \
     / note: checked against the keys the package carries; give --keys with the log.pub you hold";

/// A 档号 as liuhen writes it: 全宗号 (letters, digits), year, retention code, 件号 of four digits or more.
pub fn archive_no_ok(no: &str) -> bool {
    let parts: Vec<&str> = no.split('-').collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    parts.len() == 4
        && !parts[0].is_empty()
        && parts[0].len() <= 16
        && parts[0].bytes().all(|b| b.is_ascii_alphanumeric())
        && parts[1].len() == 4
        && digits(parts[1])
        && ["Y", "D30", "D10"].contains(&parts[2])
        && parts[3].len() >= 4
        && digits(parts[3])
}

/// The log's keys: those pinned, else those the bag carries (`data/keys/log.pub`).
fn keys_of(c: &dyn Carrier, pinned: Option<&[NoteVerifier]>) -> Vec<NoteVerifier> {
    match pinned {
        Some(k) => k.to_vec(),
        None => {
            let text = c.read_string("data/keys/log.pub").unwrap_or_default();
            crate::parse_keys(&text).unwrap_or_default()
        }
    }
}

/// The checkpoint's signatures, and each entry's leaf and proof to its root.
fn log_checks(c: &dyn Carrier, pinned: Option<&[NoteVerifier]>) -> (Vec<String>, Vec<String>) {
    let note = match c.read("data/log/checkpoint.txt") {
        Ok(n) => n,
        Err(_) => return (vec!["缺少 data/log/checkpoint.txt".into()], vec!["无检查点，无法核验".into()]),
    };
    let keys = &keys_of(c, pinned)[..];
    let origin = keys.first().map(|k| k.name().to_string()).unwrap_or_default();
    let head = match Checkpoint::open(&note, &origin, keys) {
        Ok(cp) => cp.head,
        Err(e) => return (vec![format!("检查点签名无效：{e}")], vec!["检查点不可信，未核验".into()]),
    };
    let mut proofs = Vec::new();
    let names: Vec<&String> = c.files().iter().filter(|f| f.starts_with("data/log/proofs/")).collect();
    if names.is_empty() {
        proofs.push("没有日志条目".to_string());
    }
    for name in names {
        let file = name.rsplit('/').next().unwrap_or_default().to_string();
        let problem = (|| -> Result<(), String> {
            let proof = c.read_string(name).map_err(|e| e.to_string())?;
            let entry = c.read(&format!("data/log/entries/{file}")).map_err(|_| "缺少条目".to_string())?;
            let num = |k: &str| -> Result<u64, String> {
                proof
                    .split(&format!("\"{k}\":"))
                    .nth(1)
                    .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|n| n.parse().ok())
                    .ok_or_else(|| format!("证明缺少 {k}"))
            };
            let (index, size) = (num("index")?, num("tree_size")?);
            if size != head.size {
                return Err("证明的树大小与检查点不同".into());
            }
            let path = proof_path(&proof).ok_or_else(|| "证明中有无法解析的哈希".to_string())?;
            liuhen_log::tree::verify_inclusion(index, size, &leaf_hash(&entry), &path, &head.root)
                .map_err(|e| format!("不在检查点的根哈希中（{e}）"))
        })();
        if let Err(e) = problem {
            proofs.push(format!("日志条目 {file}：{e}"));
        }
    }
    (Vec::new(), proofs)
}

/// The hashes of a proof's `"path"` (the JSON liuhen writes), `None` if one is no hash.
fn proof_path(json: &str) -> Option<Vec<Hash>> {
    json.split("\"path\":[")
        .nth(1)
        .and_then(|r| r.split(']').next())
        .unwrap_or_default()
        .split(',')
        .map(|h| h.trim().trim_matches('"'))
        .filter(|h| !h.is_empty())
        .map(Hash::from_hex)
        .collect()
}

/// The checkpoint the filing was first sealed under (`checkpoint-filed.txt`), signed with the
/// log's keys, and the RFC 6962 consistency proof from it to the package's checkpoint.
fn consistency_checks(c: &dyn Carrier, pinned: Option<&[NoteVerifier]>) -> Vec<String> {
    let keys = &keys_of(c, pinned)[..];
    let origin = keys.first().map(|k| k.name().to_string()).unwrap_or_default();
    let open = |name: &str| -> Result<Checkpoint, String> {
        let note = c.read(&format!("data/log/{name}")).map_err(|_| format!("缺少 data/log/{name}"))?;
        Checkpoint::open(&note, &origin, keys).map_err(|e| format!("{name} 的签名无效：{e}"))
    };
    let (old, new) = match (open("checkpoint-filed.txt"), open("checkpoint.txt")) {
        (Ok(o), Ok(n)) => (o.head, n.head),
        (Err(e), _) | (_, Err(e)) => return vec![e],
    };
    let Ok(text) = c.read_string("data/log/consistency.json") else {
        return vec!["缺少 data/log/consistency.json".into()];
    };
    let num = |k: &str| {
        text.split(&format!("\"{k}\":"))
            .nth(1)
            .and_then(|r| r.split(|ch: char| !ch.is_ascii_digit()).next()?.parse::<u64>().ok())
    };
    if num("old_size") != Some(old.size) || num("new_size") != Some(new.size) {
        return vec!["一致性证明的树大小与两个检查点不符".into()];
    }
    match proof_path(&text) {
        None => vec!["一致性证明中有无法解析的哈希".into()],
        Some(path) => match liuhen_log::tree::verify_consistency(old.size, new.size, &old.root, &new.root, &path) {
            Ok(()) => Vec::new(),
            Err(e) => vec![format!("归档时的日志不是导出时日志的前缀（{e}）")],
        },
    }
}

/// The package's signed statement (`bag-signature.txt`): signed with the log's keys (pinned, or
/// carried), of this log, naming the 档号 and disc bag-info does, and covering — by SHA-256 —
/// exactly the tag files besides the tag manifests (the payload manifests among them).
fn statement_checks(c: &dyn Carrier, pinned: Option<&[NoteVerifier]>, info: &str) -> Vec<String> {
    let field = |k: &str| info.lines().find_map(|l| l.strip_prefix(&format!("{k}: ")).map(str::trim));
    let keys = &keys_of(c, pinned)[..];
    let Ok(bytes) = c.read("bag-signature.txt") else {
        return vec!["缺少 bag-signature.txt：信息包未签名".into()];
    };
    let note = match liuhen_log::note::Note::parse(&bytes) {
        Ok(n) => n,
        Err(e) => return vec![format!("bag-signature.txt 无法解析：{e}")],
    };
    let required: Vec<&NoteVerifier> = keys.iter().collect();
    let text = match note.verify(keys, &required) {
        Ok(t) => t.to_string(),
        Err(e) => return vec![format!("信息包声明的签名无效：{e}")],
    };
    let lines: Vec<&str> = text.trim_end_matches('\n').split('\n').collect();
    let origin = keys.first().map(|k| k.name().to_string()).unwrap_or_default();
    if lines.len() < 4 || lines[0] != "liuhen-bag/v1" || lines[1] != origin {
        return vec!["bag-signature.txt 不是本日志的信息包声明".into()];
    }
    let mut out = Vec::new();
    if field("Bag-Group-Identifier") != Some(lines[2]) || field("Bag-Count") != Some(lines[3]) {
        out.push("bag-info.txt 的档号或光盘序号与签名声明不同".into());
    }
    let covered: BTreeMap<&str, &str> =
        lines[4..].iter().filter_map(|l| l.split_once(' ')).map(|(d, n)| (n, d)).collect();
    let present: Vec<&String> = c
        .files()
        .iter()
        .filter(|n| !n.contains('/') && !n.starts_with("tagmanifest-") && *n != "bag-signature.txt")
        .collect();
    for n in &present {
        match covered.get(n.as_str()) {
            None => out.push(format!("签名声明未涵盖的标签文件：{n}")),
            Some(d) => match digests(c, n) {
                Ok((s256, _, _, _)) if s256 == *d => {}
                _ => out.push(format!("{n} 与签名声明不符")),
            },
        }
    }
    for n in covered.keys() {
        if !present.iter().any(|p| p.as_str() == *n) {
            out.push(format!("签名声明涵盖的文件缺失：{n}"));
        }
    }
    out
}

/// Each `*.seal.der` over its PDF, with the Ed25519 signature and the carried key when present.
fn seal_checks(c: &dyn Carrier, payload: &BTreeSet<&String>) -> Vec<String> {
    let key = c.read_string("data/keys/seal-ed25519.pem").ok().and_then(|pem| {
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64_decode(&b64)?;
        <[u8; 32]>::try_from(der.get(der.len().checked_sub(32)?..)?).ok()
    });
    let mut out = Vec::new();
    for p in payload.iter().filter(|p| p.ends_with(".seal.der")) {
        let stem = p.trim_end_matches(".seal.der");
        let (Ok(der), Ok(pdf)) = (c.read(p), c.read(&format!("{stem}.pdf"))) else {
            out.push(format!("{stem}：缺少文书或签章"));
            continue;
        };
        let sig = c.read(&format!("{stem}.ed25519.sig")).ok();
        let ed = match (&sig, &key) {
            (Some(s), Some(k)) => Some((s.as_slice(), k)),
            _ => None,
        };
        if let Err(e) = liuhen_log::seal::verify(&der, &pdf, ed) {
            out.push(format!("{stem}.pdf 的电子印章无效：签章与文书不符或签名无法验证（{e}）"));
        }
    }
    out
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes: Vec<u8> = s.bytes().filter(|b| *b != b'=').collect();
    let mut out = Vec::new();
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c)? << (18 - 6 * i);
        }
        let take = chunk.len().saturating_sub(1);
        out.extend_from_slice(&n.to_be_bytes()[1..1 + take]);
    }
    Some(out)
}

/// ClamAV's `clamscan` over the package, when installed; otherwise not run (never passed).
fn virus_scan(dir: &Path) -> Item {
    let mut item = Item {
        code: "AQ-2",
        property: "安全性",
        name: "病毒检测（ClamAV）",
        result: Outcome::NotRun,
        detail: String::new(),
    };
    match std::process::Command::new("clamscan").args(["-r", "--no-summary", "--infected"]).arg(dir).output() {
        Err(_) => item.detail = "未安装 ClamAV（clamscan），未检测".to_string(),
        Ok(out) => match out.status.code() {
            Some(0) => item.result = Outcome::Pass,
            Some(1) => {
                item.result = Outcome::Fail;
                item.detail = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("发现病毒").to_string();
            }
            _ => item.detail = format!("clamscan 未能完成：{}", String::from_utf8_lossy(&out.stderr).trim()),
        },
    }
    item
}

/// Prints the report, a line an item; whether no item failed.
pub fn print_items(items: &[Item]) -> bool {
    for i in items {
        let detail = if i.detail.is_empty() { String::new() } else { format!("：{}", i.detail) };
        println!("[{}] {} {} {}{detail}", i.result.code(), i.code, i.property, i.name);
    }
    let failed = items.iter().filter(|i| i.result == Outcome::Fail).count();
    if failed == 0 {
        println!("四性检测通过 / four-property check passed");
    } else {
        println!("四性检测未通过：{failed} 项不合格 / FAILED: {failed} items");
    }
    failed == 0
}
