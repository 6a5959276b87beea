//! The office's 权责清单 (enforcement matters): each version is a log entry, so what the rules
//! read on any day can be shown later.

use super::{App, auth::now_ms, body};
use crate::app::AppError;
use liuhen_core::matter::{Matter, MatterKind};
use liuhen_core::penalty::HearingThresholds;
use liuhen_log::EntryDraft;
use liuhen_store::{LogStore, MatterRecord, Op, StoreError, UserRecord};
use serde_json::{Value, json};

pub fn matter_json(m: &Matter) -> Value {
    let mut v = json!({
        "code": m.code, "name": m.name, "kind": m.kind.code(), "legal_basis": m.legal_basis,
        "av_mandatory": m.av_mandatory, "major_decision_review": m.major_decision_review,
        "hearing_threshold_citizen_fen": m.hearing_thresholds.citizen_fen,
        "hearing_threshold_organisation_fen": m.hearing_thresholds.organisation_fen,
        "summary_allowed": m.summary_allowed,
    });
    // Only where one is set: the matters logged before caps existed read back unchanged.
    if let Some(cap) = m.inspection_cap {
        v["inspection_cap"] = json!(cap);
    }
    v
}

pub fn parse_matter(v: &Value) -> Option<Matter> {
    Some(Matter {
        code: v["code"].as_str()?.to_string(),
        name: v["name"].as_str()?.to_string(),
        kind: MatterKind::parse(v["kind"].as_str()?)?,
        legal_basis: v["legal_basis"].as_str()?.to_string(),
        av_mandatory: v["av_mandatory"].as_bool()?,
        major_decision_review: v["major_decision_review"].as_bool()?,
        hearing_thresholds: HearingThresholds {
            citizen_fen: v["hearing_threshold_citizen_fen"].as_u64()?,
            organisation_fen: v["hearing_threshold_organisation_fen"].as_u64()?,
        },
        summary_allowed: v["summary_allowed"].as_bool()?,
        inspection_cap: v["inspection_cap"].as_u64().map(|n| n.min(u32::MAX as u64) as u32),
    })
}

pub(crate) fn matter_record(m: &Matter, at: i64) -> MatterRecord {
    MatterRecord { code: m.code.clone(), name: m.name.clone(), data: matter_json(m).to_string(), created_at_ms: at }
}

impl<S: LogStore> App<S> {
    /// Adds or revises a matter (a new version; the log keeps every one).
    pub async fn put_matter(&self, actor: &UserRecord, m: Matter) -> Result<MatterRecord, AppError> {
        self.allow(actor, super::policy::Action::ManageReference, None)?;
        m.validate().map_err(|e| AppError::BadRequest(e.to_string()))?;
        let record = matter_record(&m, now_ms());
        let d =
            EntryDraft::new(&format!("user:{}", actor.id), "matter.put", None, body(matter_json(&m)), vec![], vec![])
                .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let mut ops = vec![Op::PutMatter(record.clone())];
        // 办法第十九条: a matter now (or no longer) to be recorded whole changes the 24-hour
        // deadlines (办法第二十三条) of every case under it.
        let was = match self.store.matter(&m.code).await {
            Ok(r) => serde_json::from_str::<Value>(&r.data).is_ok_and(|d| d["av_mandatory"] == true),
            Err(liuhen_store::StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        if was != m.av_mandatory {
            let mut after = None;
            loop {
                let q = liuhen_store::CaseQuery {
                    seen_by: liuhen_store::SeenBy { all: true, ..Default::default() },
                    matter: Some(m.name.clone()),
                    after: after.clone(),
                    limit: 500,
                    ..Default::default()
                };
                let page = self.store.case_page(&q).await?;
                for c in &page {
                    let publication = self.publication_of(&c.id).await?;
                    let whole = m.av_mandatory || c.case_type == "coercive_measure";
                    ops.push(
                        self.deadlines_op_owing(c, &super::cases::case_data(c), publication.as_ref(), whole, None)
                            .await?,
                    );
                }
                match page.last() {
                    Some(c) if page.len() == 500 => after = Some((c.updated_at_ms, c.id.clone())),
                    _ => break,
                }
            }
        }
        self.append(d, ops).await?;
        Ok(record)
    }

    /// The matter named `name` (or coded so) on the 权责清单 for a case of `kind`, or R-010a's
    /// refusal: an unknown matter, or one listed for another kind of enforcement.
    pub async fn listed_matter(&self, kind: liuhen_core::matter::MatterKind, name: &str) -> Result<Matter, AppError> {
        let mut found = None;
        for r in self.store.matters_named(name).await? {
            let v: Value = serde_json::from_str(&r.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            let m = parse_matter(&v)
                .ok_or_else(|| AppError::Internal(format!("stored matter {} is malformed", r.code).into()))?;
            if m.name.trim() == name.trim() || m.code == name.trim() {
                // Prefer the entry of the right kind when a name is listed for several.
                if m.kind == kind || found.is_none() {
                    found = Some(m);
                }
            }
        }
        let refused = liuhen_core::matter::check_for_case(found.as_ref(), kind, name.trim());
        match found {
            Some(m) if refused.is_empty() => Ok(m),
            _ => Err(AppError::Refused(refused)),
        }
    }

    /// The 权责清单 as it stands (an office's list: tens or hundreds of matters).
    pub async fn listed_matters(&self) -> Result<Vec<Matter>, AppError> {
        let mut out = Vec::new();
        for r in self.store.matters().await? {
            let v: Value = serde_json::from_str(&r.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            out.push(
                parse_matter(&v)
                    .ok_or_else(|| AppError::Internal(format!("stored matter {} is malformed", r.code).into()))?,
            );
        }
        Ok(out)
    }

    /// The current version of a matter.
    pub async fn matter(&self, code: &str) -> Result<Matter, AppError> {
        let r = match self.store.matter(code).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => return Err(AppError::BadRequest(format!("执法事项 {code} 不在权责清单中"))),
            Err(e) => return Err(e.into()),
        };
        let v: Value = serde_json::from_str(&r.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        parse_matter(&v).ok_or_else(|| AppError::Internal(format!("stored matter {code} is malformed").into()))
    }
}
