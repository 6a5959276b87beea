//! 受委托执法 (办法第三十一条): an organisation enforcing under this office's written entrustment
//! (委托书) records the whole process by the same rules; the entrustment itself must be lawful
//! and cover the act. A case carries a snapshot of the letter it relied on, so replaying the log
//! sees what the check saw.

use crate::matter::MatterKind;
use crate::rules::{R_008, R_009, Violation};
use crate::time::Date;

/// A 委托书: who entrusts whom with what, for how long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entrustment {
    /// The letter's 文号.
    pub letter_no: String,
    /// 委托机关: the agency in whose name the entrusted organisation acts.
    pub entrusting_agency: String,
    /// 受委托组织.
    pub entrusted_org: String,
    /// The kinds of enforcement entrusted.
    pub kinds: Vec<MatterKind>,
    /// The matters (事项) entrusted, by name as in the 权责清单.
    pub matters: Vec<String>,
    pub valid_from: Date,
    pub valid_to: Date,
    /// The entrustment was made public (行政处罚法第二十条第二款; 行政许可法第二十四条第一款).
    pub published: bool,
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// a coercive measure is never carried out under an entrustment.
pub fn for_coercion(e: Option<&Entrustment>) -> Vec<Violation> {
    match e {
        Some(_) => vec![R_009.violated("entrusted", "行政强制措施不得委托其他组织实施")],
        None => Vec::new(),
    }
}

/// R-008 (the letter covers this kind, matter and date, and was published) and R-009 (no
/// coercive measure under entrustment) for a case started on `on`.
pub fn check(e: Option<&Entrustment>, kind: MatterKind, matter: &str, on: Date) -> Vec<Violation> {
    let Some(e) = e else { return Vec::new() };
    if kind == MatterKind::Coercion {
        return for_coercion(Some(e));
    }
    let mut found = Vec::new();
    if blank(&e.letter_no) || blank(&e.entrusting_agency) || blank(&e.entrusted_org) {
        found.push(R_008.violated("entrusted", "委托书须载明文号、委托机关和受委托组织"));
    }
    if !e.kinds.contains(&kind) || !e.matters.iter().any(|m| m.trim() == matter.trim()) {
        found.push(R_008.violated("entrusted", format!("“{matter}”不在委托事项范围内")));
    }
    if on < e.valid_from || on > e.valid_to {
        found.push(R_008.violated("entrusted", format!("{on} 不在委托期限（{}至{}）内", e.valid_from, e.valid_to)));
    }
    if !e.published {
        found.push(R_008.violated("entrusted", "委托书及委托的组织和事项未向社会公布"));
    }
    found
}
