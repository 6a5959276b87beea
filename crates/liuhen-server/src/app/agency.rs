//! The office's profile (执法主体, domain.md a.1): each version is a log entry and the current one
//! a setting, read by the rules that depend on it (who applies to the court, R-093).

use super::{App, auth::now_ms, body};
use crate::app::AppError;
use liuhen_core::agency::{Agency, Seal};
use liuhen_core::time::Date;
use liuhen_log::EntryDraft;
use liuhen_store::{LogStore, SettingRecord, StoreError, UserRecord};
use serde_json::{Value, json};

pub const KEY: &str = "agency";

pub fn agency_json(a: &Agency) -> Value {
    json!({
        "name": a.name, "uscc": a.uscc, "has_enforcement_power": a.has_enforcement_power,
        "review_organ": a.review_organ, "court": a.court,
        "fonds": a.fonds, "unlinked_months": a.unlinked_months, "page_number_position": a.page_number_position,
        "retention": a.retention.iter().map(|(k, r)| (k.clone(), json!(r.code()))).collect::<serde_json::Map<_, _>>(),
        "seals": a.seals.iter().map(|s| json!({
            "kind": s.kind, "valid_from": s.valid_from.to_string(), "valid_to": s.valid_to.to_string(),
        })).collect::<Vec<_>>(),
    })
}

pub fn parse_agency(v: &Value) -> Option<Agency> {
    Some(Agency {
        name: v["name"].as_str()?.to_string(),
        uscc: v["uscc"].as_str()?.to_string(),
        has_enforcement_power: v["has_enforcement_power"].as_bool()?,
        seals: v["seals"]
            .as_array()?
            .iter()
            .map(|s| {
                Some(Seal {
                    kind: s["kind"].as_str()?.to_string(),
                    valid_from: Date::parse(s["valid_from"].as_str()?).ok()?,
                    valid_to: Date::parse(s["valid_to"].as_str()?).ok()?,
                })
            })
            .collect::<Option<_>>()?,
        // Profiles logged before R-173 was kept name no 救济渠道.
        review_organ: v["review_organ"].as_str().unwrap_or_default().to_string(),
        court: v["court"].as_str().unwrap_or_default().to_string(),
        // Profiles logged before the archive's settings take the defaults.
        fonds: v["fonds"].as_str().unwrap_or_default().to_string(),
        retention: v["retention"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, r)| Some((k.clone(), liuhen_core::archive::Retention::parse(r.as_str()?)?)))
            .collect(),
        page_number_position: v["page_number_position"]
            .as_str()
            .unwrap_or(liuhen_core::agency::PAGE_NUMBER_POSITIONS[0])
            .to_string(),
        unlinked_months: v["unlinked_months"]
            .as_u64()
            .map_or(liuhen_core::agency::MIN_UNLINKED_MONTHS, |m| m.min(u64::from(u32::MAX)) as u32),
    })
}

pub(crate) fn agency_record(a: &Agency, at: i64) -> SettingRecord {
    SettingRecord::new(KEY, agency_json(a).to_string(), at)
}

impl<S: LogStore> App<S> {
    /// Sets the office's profile (a new version; the log keeps every one).
    pub async fn put_agency(&self, actor: &UserRecord, a: Agency) -> Result<Agency, AppError> {
        self.put_agency_if(actor, a, None).await
    }

    /// [`put_agency`](Self::put_agency) over the profile of version `read` (what its editor
    /// read, the `ETag` of `GET /api/agency`): another saved since is a conflict (409), not
    /// overwritten unseen. `None`: whatever is there is replaced.
    pub async fn put_agency_if(&self, actor: &UserRecord, a: Agency, read: Option<u64>) -> Result<Agency, AppError> {
        self.allow(actor, super::policy::Action::ManageReference, None)?;
        a.check_archive().map_err(|p| match p {
            liuhen_core::agency::ArchiveProblem::Retention(v) => AppError::Refused(vec![v]),
            liuhen_core::agency::ArchiveProblem::Other(s) => AppError::Unprocessable(s),
        })?;
        a.validate().map_err(AppError::BadRequest)?;
        let d =
            EntryDraft::new(&format!("user:{}", actor.id), "agency.put", None, body(agency_json(&a)), vec![], vec![])
                .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let op = match read {
            Some(v) => super::put_setting(agency_record(&a, now_ms()), v),
            None => super::set_setting(agency_record(&a, now_ms())),
        };
        self.append(d, vec![op]).await?;
        Ok(a)
    }

    /// The profile's version (0 before the office sets it): what an editor names when saving.
    pub async fn agency_version(&self) -> Result<u64, AppError> {
        super::setting_version(&self.store, KEY).await
    }

    /// The current profile; an office not yet described has no 行政强制执行权 of its own.
    pub async fn agency(&self) -> Result<Agency, AppError> {
        match self.store.setting(KEY).await {
            Ok(r) => {
                let v: Value = serde_json::from_str(&r.data).map_err(|e| AppError::Internal(Box::new(e)))?;
                parse_agency(&v).ok_or_else(|| AppError::Internal("stored agency profile is malformed".into()))
            }
            Err(StoreError::NotFound) => Ok(Agency::default()),
            Err(e) => Err(e.into()),
        }
    }
}

/// A version named by an editor that is no longer the row's: said as a conflict (409).
pub fn stale_is_conflict(e: AppError) -> AppError {
    match e {
        AppError::Stale(m) => AppError::Conflict(format!("已被他人修改，请重新读取后再保存 {m}").trim().to_string()),
        e => e,
    }
}
