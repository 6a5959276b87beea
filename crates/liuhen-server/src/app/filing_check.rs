//! The 四性检测 at filing (DA/T 70-2018; R-154): the file as it stands in the store, before it
//! is filed — each document's PDF and each linked recording re-read and re-hashed against the
//! hash the log holds, each seal verified over its PDF, each entry of the case proved into a
//! checkpoint signed now, the 件号 and 页号 continuous, the handover among the case's entries,
//! the formats on the archival list. One line per item, as the package's check has them; an
//! item that cannot run here (the virus scan of stored files) is `not-run`, never `pass`.

use super::App;
use crate::app::AppError;
use liuhen_core::archive::ARCHIVAL_FORMATS as ACCEPTED;
use liuhen_log::Hash;
use liuhen_store::{CaseRecord, LogStore};
use serde_json::Value;
use sha2::Digest as _;

/// How one item came out (as `liuhen-verify` reports a package's: `pass`, `fail`, `not-run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    Fail,
    NotRun,
}

/// One item of the check.
#[derive(Debug, Clone)]
pub struct Item {
    pub code: &'static str,
    pub property: &'static str,
    pub name: &'static str,
    pub result: Outcome,
    pub detail: String,
}

fn item(code: &'static str, property: &'static str, name: &'static str, problems: Vec<String>) -> Item {
    let (result, detail) = match problems.first() {
        None => (Outcome::Pass, String::new()),
        Some(first) if problems.len() > 1 => (Outcome::Fail, format!("{first}（另有 {} 处）", problems.len() - 1)),
        Some(first) => (Outcome::Fail, first.clone()),
    };
    Item { code, property, name, result, detail }
}

/// The items as the log records them.
pub fn items_json(items: &[Item]) -> Value {
    let code = |o: Outcome| match o {
        Outcome::Pass => "pass",
        Outcome::Fail => "fail",
        Outcome::NotRun => "not-run",
    };
    Value::Array(
        items
            .iter()
            .map(|i| {
                serde_json::json!({"code": i.code, "property": i.property, "name": i.name,
                    "result": code(i.result), "detail": i.detail})
            })
            .collect(),
    )
}

impl<S: LogStore> App<S> {
    /// The 四性检测 of case `case`'s file at filing: `toc` is its 卷内目录 as it will be filed.
    pub(crate) async fn check_at_filing(&self, case: &CaseRecord, toc: &Value) -> Result<Vec<Item>, AppError> {
        let mut fixity = Vec::new();
        let mut formats = Vec::new();
        let mut seals = Vec::new();
        let ed25519 = self.documents.seal.as_ref().and_then(|k| {
            let der = k.ed25519_public_der();
            <[u8; 32]>::try_from(der.get(der.len().checked_sub(32)?..)?).ok()
        });
        let lines = toc["lines"].as_array().cloned().unwrap_or_default();
        for line in &lines {
            let title = line["title"].as_str().unwrap_or_default();
            let Some(sha) = line["pdf_sha256"].as_str().and_then(Hash::from_hex) else { continue };
            let pdf = match self.blobs.get(&sha).await {
                Ok(b) => b,
                Err(e) => {
                    fixity.push(format!("《{title}》的 PDF 无法读取（{e}）"));
                    continue;
                }
            };
            if sha2::Sha256::digest(&pdf)[..] != sha.0[..] {
                fixity.push(format!("《{title}》的 PDF 与日志所载摘要不符"));
            }
            if !pdf.starts_with(b"%PDF-") || pdf.windows(8).any(|w| w == b"/Encrypt") {
                formats.push(format!("《{title}》不是未加密的 PDF"));
            }
            let id = line["document"].as_str().unwrap_or_default();
            let row = self.store.document(id).await?;
            let v: Value = serde_json::from_str(&row.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            if let Some(seal) = v["extra"]["seal_sha256"].as_str().and_then(Hash::from_hex) {
                use base64::Engine as _;
                let der = self.blobs.get(&seal).await;
                let sig = v["extra"]["ed25519"]
                    .as_str()
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok());
                let ed = match (&sig, &ed25519) {
                    (Some(s), Some(k)) => Some((s.as_slice(), k)),
                    _ => None,
                };
                match der {
                    Ok(der) => {
                        if let Err(e) = liuhen_log::seal::verify(&der, &pdf, ed) {
                            seals.push(format!("《{title}》的电子印章无效：签章与文书不符或签名无法验证（{e}）"));
                        }
                    }
                    Err(_) => seals.push(format!("《{title}》的印章数据缺失或无法读取")),
                }
            }
        }
        // The recordings linked to the case, each re-read a chunk at a time.
        for r in self.store.recordings(Some(&case.id), u32::MAX).await? {
            let v: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
            let name = v["filename"].as_str().unwrap_or(&r.id).to_string();
            let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
            if !ACCEPTED.contains(&ext.as_str()) {
                formats.push(format!("音像记录 {name}：格式不在归档格式之列"));
            }
            let Some(sha) = Hash::from_hex(&r.sha256) else {
                fixity.push(format!("音像记录 {name} 的摘要无法解析"));
                continue;
            };
            let mut h = sha2::Sha256::new();
            let mut at = 0u64;
            let mut problem = None;
            while at < r.size {
                match self.blobs.get_range(&sha, at..(at + (8 << 20)).min(r.size)).await {
                    Ok(chunk) if !chunk.is_empty() => {
                        h.update(&chunk);
                        at += chunk.len() as u64;
                    }
                    Ok(_) => break,
                    Err(e) => {
                        problem = Some(format!("音像记录 {name} 无法读取（{e}）"));
                        break;
                    }
                }
            }
            match problem {
                Some(p) => fixity.push(p),
                None if at != r.size || h.finalize()[..] != sha.0[..] => {
                    fixity.push(format!("音像记录 {name} 与日志所载摘要不符"))
                }
                None => {}
            }
        }
        // Every entry of the case, proved into a checkpoint signed now (itself checked
        // consistent with every checkpoint before it).
        let (mut signed, mut proofs, mut process) = (Vec::new(), Vec::new(), Vec::new());
        match self.store.sign_checkpoint().await {
            Err(e) => signed.push(format!("无法签署检查点：{e}")),
            Ok(note) => {
                let mut body = note.lines();
                let (_, size, root) = (body.next(), body.next(), body.next());
                let size: u64 = size.and_then(|s| s.parse().ok()).unwrap_or(0);
                let root = root.and_then(|r| {
                    use base64::Engine as _;
                    base64::engine::general_purpose::STANDARD.decode(r).ok().and_then(|b| Hash::from_slice(&b))
                });
                let entries = self.store.case_entries(&case.id).await?;
                if !entries.iter().any(|(_, raw)| String::from_utf8_lossy(raw).contains("\"archive.handed_over\"")) {
                    process.push("过程信息中没有移交（archive.handed_over）".to_string());
                }
                match root {
                    None => signed.push("检查点无法解析".to_string()),
                    Some(root) => {
                        for (index, raw) in entries.iter().filter(|(i, _)| *i < size) {
                            let path = self.store.inclusion_proof(*index, size).await?;
                            let leaf = liuhen_log::hash::leaf_hash(raw);
                            if liuhen_log::tree::verify_inclusion(*index, size, &leaf, &path, &root).is_err() {
                                proofs.push(format!("日志第 {index} 条不在检查点的根哈希中"));
                            }
                        }
                    }
                }
            }
        }
        // 件号 and 页号 continuous from 1.
        let mut sequence = Vec::new();
        let mut next_page = 1;
        for (i, l) in lines.iter().enumerate() {
            let (n, from, to) = (l["n"].as_u64(), l["page_from"].as_u64(), l["page_to"].as_u64());
            if n != Some(i as u64 + 1) || from != Some(next_page) || to < from {
                sequence.push(format!("第 {} 件的件号或页号不连续", i + 1));
                break;
            }
            next_page = to.unwrap_or(next_page) + 1;
        }
        Ok(vec![
            item("ZS-1", "真实性", "固化信息：文书与音像记录的摘要", fixity),
            item("ZS-4", "真实性", "日志检查点", signed),
            item("ZS-5", "真实性", "日志条目的包含证明", proofs),
            item("ZS-6", "真实性", "电子印章", seals),
            item("WZ-4", "完整性", "件号、页号连续", sequence),
            item("WZ-5", "完整性", "过程信息完整", process),
            item("KY-2", "可用性", "文件格式与无加密", formats),
            Item {
                code: "AQ-2",
                property: "安全性",
                name: "病毒检测（ClamAV）",
                result: Outcome::NotRun,
                detail: "归档时不扫描存储中的文件；导出信息包时扫描".to_string(),
            },
        ])
    }
}
