//! The office's 音像记录事项清单 and 执法行为用语指引 (办法第二十条): what to record on A/V in
//! which activity, and what to say. Each version is a log entry (`catalogue.put`) and the
//! current one a setting; the forms show officers the rows that fit the activity at hand.

use super::{App, auth::now_ms, body};
use crate::app::AppError;
use liuhen_log::EntryDraft;
use liuhen_store::{LogStore, SettingRecord, StoreError, UserRecord};
use serde_json::{Value, json};

/// The two catalogues, by setting key.
pub const AV_ITEMS: &str = "catalogue.av_items";
pub const PHRASES: &str = "catalogue.phrases";
/// The office's numbering scheme (案号 per kind of case, 文号 per document issued under seal:
/// `{year}` and `{n}` in a pattern).
pub const NUMBERING: &str = "catalogue.numbering";

/// Checks a catalogue's JSON: the 音像记录事项清单 is a list of rows with 类别, 事项, 方式
/// (全程 or 根据实际情况), 记录内容 and 保存期限; the 用语指引 a list of scenarios with lines.
pub fn validate(key: &str, v: &Value) -> Result<(), String> {
    let rows = v.as_array().ok_or("须为列表")?;
    if rows.len() > 500 {
        return Err("不得超过 500 项".to_string());
    }
    let text = |r: &Value, k: &str, what: &str| -> Result<(), String> {
        match r[k].as_str() {
            Some(s) if !s.trim().is_empty() && s.chars().count() <= 500 => Ok(()),
            _ => Err(format!("第 {} 项未填写{what}", rows.iter().position(|x| x == r).unwrap_or(0) + 1)),
        }
    };
    // The fields each row may have (as the description declares them), each text at most 500.
    let fields: &[&str] = match key {
        AV_ITEMS => &[
            "kind",
            "activity",
            "content",
            "retention",
            "mode",
            "stage",
            "place",
            "start",
            "end",
            "recorder",
            "mandatory",
        ],
        NUMBERING => &["kind", "pattern"],
        _ => &["scenario", "lines"],
    };
    for r in rows {
        let row = r.as_object().ok_or("每一项须为对象")?;
        if let Some(k) = row.keys().find(|k| !fields.contains(&k.as_str())) {
            return Err(format!("未知字段 {k}"));
        }
        if row.values().any(|x| x.as_str().is_some_and(|s| s.chars().count() > 500)) {
            return Err("每项文字不得超过 500 个字符".to_string());
        }
        match key {
            AV_ITEMS => {
                if !(r["mandatory"].is_null() || r["mandatory"].is_boolean()) {
                    return Err("mandatory 须为 true 或 false".to_string());
                }
                for (k, what) in
                    [("kind", "类别"), ("activity", "事项"), ("content", "记录内容"), ("retention", "保存期限")]
                {
                    text(r, k, what)?;
                }
                if !matches!(r["mode"].as_str(), Some("全程" | "根据实际情况")) {
                    return Err("记录方式须为“全程”或“根据实际情况”".to_string());
                }
            }
            NUMBERING => {
                text(r, "pattern", "编号格式")?;
                if !super::numbering::numbered(r["kind"].as_str().unwrap_or_default()) {
                    return Err("编号种类须为案件类型（inspection、summary_penalty、ordinary_penalty、licence、\
                                coercive_measure）或盖章文书代码（如 D36）"
                        .into());
                }
                super::numbering::check_pattern(r["pattern"].as_str().unwrap_or_default())?;
            }
            PHRASES => {
                text(r, "scenario", "场景")?;
                let lines = r["lines"].as_array().ok_or("用语须为列表")?;
                if lines.is_empty() || lines.iter().any(|l| l.as_str().is_none_or(|s| s.trim().is_empty())) {
                    return Err("每个场景须有用语".to_string());
                }
            }
            _ => return Err("未知的清单".to_string()),
        }
    }
    Ok(())
}

pub(crate) fn record(key: &str, v: &Value, at: i64) -> SettingRecord {
    SettingRecord::new(key, v.to_string(), at)
}

impl<S: LogStore> App<S> {
    /// Sets a catalogue (a new version; the log keeps every one).
    pub async fn put_catalogue(&self, actor: &UserRecord, key: &str, v: Value) -> Result<(), AppError> {
        self.put_catalogue_if(actor, key, v, None).await
    }

    /// The catalogue's version (0 before the office sets it): what an editor names when saving.
    pub async fn catalogue_version(&self, key: &str) -> Result<u64, AppError> {
        super::setting_version(&self.store, key).await
    }

    /// Changes catalogue `key` by `change` from one read of it, saved over the version read:
    /// another save in between is read again and changed again (no addition lost).
    pub async fn change_catalogue(
        &self,
        actor: &UserRecord,
        key: &str,
        change: impl Fn(&mut Vec<Value>) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        let change = &change;
        super::retrying(|| async move {
            let (row, read) = match self.store.setting(key).await {
                Ok(r) => (serde_json::from_str(&r.data).map_err(|e| AppError::Internal(Box::new(e)))?, r.version),
                Err(StoreError::NotFound) => (Value::Array(Vec::new()), 0),
                Err(e) => return Err(e.into()),
            };
            let Value::Array(mut rows) = row else { return Err(AppError::Internal("catalogue is not a list".into())) };
            change(&mut rows)?;
            self.put_catalogue_if(actor, key, Value::Array(rows), Some(read)).await
        })
        .await
    }

    /// [`put_catalogue`](Self::put_catalogue) over the catalogue of version `read` (its
    /// editor's; another saved since: 409). `None`: whatever is there is replaced.
    pub async fn put_catalogue_if(
        &self,
        actor: &UserRecord,
        key: &str,
        v: Value,
        read: Option<u64>,
    ) -> Result<(), AppError> {
        self.allow(actor, super::policy::Action::ManageReference, None)?;
        validate(key, &v).map_err(AppError::BadRequest)?;
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            "catalogue.put",
            None,
            body(json!({"key": key, "rows": v})),
            vec![],
            vec![],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let op = match read {
            Some(r) => super::put_setting(record(key, &v, now_ms()), r),
            None => super::set_setting(record(key, &v, now_ms())),
        };
        self.append(d, vec![op]).await?;
        Ok(())
    }

    /// A catalogue as it stands (empty before the office sets it).
    pub async fn catalogue(&self, key: &str) -> Result<Value, AppError> {
        match self.store.setting(key).await {
            Ok(r) => serde_json::from_str(&r.data).map_err(|e| AppError::Internal(Box::new(e))),
            Err(StoreError::NotFound) => Ok(Value::Array(Vec::new())),
            Err(e) => Err(e.into()),
        }
    }
}
