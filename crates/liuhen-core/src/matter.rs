//! Enforcement matters (执法事项) of the office's 权责清单: the local values the rules read —
//! hearing thresholds, whether the summary procedure is open, whether the legal review and
//! collective discussion are required, whether A/V must cover the whole act.

use crate::penalty::HearingThresholds;
use crate::rules::{R_010A, Violation};

/// Which kind of enforcement a matter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatterKind {
    Penalty,
    Licence,
    Coercion,
    Inspection,
}

impl MatterKind {
    pub fn code(self) -> &'static str {
        match self {
            MatterKind::Penalty => "penalty",
            MatterKind::Licence => "licence",
            MatterKind::Coercion => "coercion",
            MatterKind::Inspection => "inspection",
        }
    }
    pub fn parse(s: &str) -> Option<MatterKind> {
        [MatterKind::Penalty, MatterKind::Licence, MatterKind::Coercion, MatterKind::Inspection]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// One entry of the 权责清单.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matter {
    pub code: String,
    pub name: String,
    pub kind: MatterKind,
    /// 设定依据、处罚依据 (article, paragraph, item).
    pub legal_basis: String,
    /// On the 音像记录事项清单 as full-process (办法第十九条、第二十条).
    pub av_mandatory: bool,
    /// On the 重大执法决定法制审核目录 (legal review and collective discussion required).
    pub major_decision_review: bool,
    pub hearing_thresholds: HearingThresholds,
    /// The summary procedure may be used (行政处罚法第五十一条 still limits the amounts).
    pub summary_allowed: bool,
    /// For an inspection matter: the published cap on inspections of one party a year
    /// (国办发〔2024〕54号: 年度检查频次上限; R-121).
    pub inspection_cap: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatterError {
    #[error("事项编码须为 1–32 位字母、数字、点或连字符")]
    BadCode,
    #[error("事项名称和法律依据不能为空")]
    Missing,
}

impl Matter {
    pub fn validate(&self) -> Result<(), MatterError> {
        let code_ok = !self.code.is_empty()
            && self.code.len() <= 32
            && self.code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !code_ok {
            return Err(MatterError::BadCode);
        }
        if self.name.trim().is_empty() || self.legal_basis.trim().is_empty() {
            return Err(MatterError::Missing);
        }
        Ok(())
    }
}

impl MatterKind {
    /// The kind in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            MatterKind::Penalty => "行政处罚",
            MatterKind::Licence => "行政许可",
            MatterKind::Coercion => "行政强制",
            MatterKind::Inspection => "行政检查",
        }
    }
}

/// R-010a: a case is opened only on a matter of the office's 权责清单 (`found`, looked up by the
/// name or code `asked`), and only for the kind of case the matter is listed for.
pub fn check_for_case(found: Option<&Matter>, kind: MatterKind, asked: &str) -> Vec<Violation> {
    match found {
        None => vec![R_010A.violated("matter", format!("执法事项“{asked}”不在本机关权责清单中"))],
        Some(m) if m.kind != kind => vec![
            R_010A.violated("matter", format!("“{}”是{}事项，不能用于{}案件", m.name, m.kind.label(), kind.label())),
        ],
        Some(_) => Vec::new(),
    }
}
