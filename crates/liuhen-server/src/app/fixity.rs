//! 完整性巡检 (fixity; DA/T 97, DA/T 70 长期保存): every blob the log names is read back and
//! re-hashed on a schedule, a page at a time, and each failure classed — `changed` (its bytes
//! hash otherwise), `size` (another length), `missing` (gone with no logged disposal) — and each
//! file of the blob store the log does not name is `untracked`. The pass is logged
//! (`fixity.checked`: counts and the failing hashes only) and its report kept for the alarm on
//! the 档案管理员's and the 负责人's home pages and `GET /api/fixity`.

use super::App;
use super::policy::{Role, roles};
use crate::app::AppError;
use liuhen_log::Hash;
use liuhen_store::{LogStore, UserRecord};
use serde_json::{Value, json};

/// Blobs read from the store at a time.
const PAGE: u32 = 256;
/// Failures named in the entry and the report (the rest counted).
const LISTED: usize = 100;

/// What a fixity pass found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixityReport {
    pub checked_at_ms: i64,
    pub checked: u64,
    pub bytes: u64,
    /// `{sha256, class, detail}`.
    pub failures: Vec<Value>,
    pub failures_not_listed: u64,
    pub entry: u64,
}

impl FixityReport {
    pub fn ok(&self) -> bool {
        self.failures.is_empty() && self.failures_not_listed == 0
    }

    pub fn json(&self) -> Value {
        json!({"ok": self.ok(), "checked_at": self.checked_at_ms, "blobs": self.checked, "bytes": self.bytes,
               "failures": self.failures, "failures_not_listed": self.failures_not_listed, "entry": self.entry})
    }
}

/// The label of a failure's class, in Chinese.
pub fn class_label(class: &str) -> &'static str {
    match class {
        "changed" => "内容被改动",
        "size" => "大小不符",
        "missing" => "文件缺失",
        "untracked" => "日志未记载的文件",
        _ => "其他",
    }
}

impl<S: LogStore> App<S> {
    /// Whether blob `sha` was disposed of by a logged disposal (its recording says so).
    async fn disposed(&self, sha: &Hash) -> Result<bool, AppError> {
        let hex = sha.to_hex();
        Ok(self
            .store
            .recordings_by_sha256(&hex)
            .await?
            .iter()
            .any(|r| serde_json::from_str::<Value>(&r.data).is_ok_and(|d| !d["disposal"]["disposed"].is_null())))
    }

    /// One fixity pass over every blob (see the module), logged and kept as the latest report.
    pub async fn check_fixity(&self) -> Result<FixityReport, AppError> {
        let mut failures = Vec::new();
        let mut not_listed = 0u64;
        let mut fail = |sha: &str, class: &str, detail: String| {
            if failures.len() < LISTED {
                failures.push(json!({"sha256": sha, "class": class, "label": class_label(class), "detail": detail}));
            } else {
                not_listed += 1;
            }
        };
        let (mut checked, mut bytes) = (0u64, 0u64);
        let mut after = None;
        loop {
            let page = self.store.blob_page(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.sha256);
            for b in &page {
                let hex = b.sha256.to_hex();
                checked += 1;
                match self.blobs.size_of(&b.sha256).await {
                    Err(liuhen_store::StoreError::NotFound) => {
                        if !self.disposed(&b.sha256).await? {
                            fail(&hex, "missing", "日志记载的文件不在存储中，且没有销毁记录".into());
                        }
                        continue;
                    }
                    Err(e) => {
                        fail(&hex, "missing", format!("无法读取：{e}"));
                        continue;
                    }
                    Ok(actual) if actual != b.size => {
                        fail(&hex, "size", format!("记载 {} 字节，实有 {actual} 字节", b.size));
                        continue;
                    }
                    Ok(_) => {}
                }
                let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
                let mut read = 0u64;
                while read < b.size {
                    let end = (read + (8 << 20)).min(b.size);
                    let chunk = self.blobs.get_range(&b.sha256, read..end).await?;
                    if chunk.is_empty() {
                        break;
                    }
                    sha2::Digest::update(&mut hasher, &chunk);
                    read += chunk.len() as u64;
                }
                bytes += read;
                if hex::encode(sha2::Digest::finalize(hasher)) != hex {
                    fail(&hex, "changed", "内容的 SHA-256 与记载不符".into());
                }
            }
        }
        // Files the log does not name.
        if let Some(files) = self.blobs.local_hashes() {
            for f in files {
                match f {
                    Ok(h) if self.store.blob_named(&h).await? => {}
                    Ok(h) => fail(&h.to_hex(), "untracked", "存储中有日志未记载的文件".into()),
                    // Named by its path in the report only: a path is no hash and may say anything.
                    Err(path) => fail("", "untracked", format!("存储中有不是摘要命名的文件：{path}")),
                }
            }
        }
        // The log keeps hashes and classes only (a file's odd name is never logged).
        let listed: Vec<Value> = failures
            .iter()
            .map(|f| {
                let sha = f["sha256"].as_str().filter(|h| Hash::from_hex(h).is_some());
                json!({"sha256": sha, "class": f["class"]})
            })
            .collect();
        let body = json!({"checked": checked, "bytes": bytes, "failed": failures.len() as u64 + not_listed,
                          "failures": listed});
        let d = liuhen_log::EntryDraft::new("system", "fixity.checked", None, super::body(body), vec![], vec![])
            .map_err(|e| AppError::Internal(Box::new(e)))?;
        let receipt = self.append(d, vec![]).await?;
        if !failures.is_empty() {
            tracing::error!(failures = failures.len(), "the fixity check found problems");
        }
        let report = FixityReport {
            checked_at_ms: receipt.time_ms,
            checked,
            bytes,
            failures,
            failures_not_listed: not_listed,
            entry: receipt.index,
        };
        *self.fixity.lock().unwrap_or_else(|e| e.into_inner()) = Some(report.clone());
        Ok(report)
    }

    /// A fixity pass now, asked for by the 档案管理员 (the 完整性巡检 page): as the scheduled one.
    pub async fn check_fixity_now(&self, actor: &UserRecord) -> Result<FixityReport, AppError> {
        if !roles(actor).contains(&Role::Archivist) {
            return Err(AppError::NotYourStep("立即巡检须由档案管理员发起".into()));
        }
        self.check_fixity().await
    }

    /// The latest fixity pass, for the 档案管理员, the 负责人, the 监督人员 and the 系统管理员.
    pub fn fixity_report(&self, actor: &UserRecord) -> Result<Option<FixityReport>, AppError> {
        if !roles(actor)
            .iter()
            .any(|r| matches!(r, Role::Archivist | Role::Approver | Role::Supervisor | Role::SysAdmin))
        {
            return Err(AppError::Forbidden);
        }
        Ok(self.fixity.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
}
