//! Enforcement officers (执法人员) and their certificates.

use crate::matter::MatterKind;
use crate::time::{Date, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertStatus {
    Active,
    Suspended,
    Revoked,
}

/// An officer as known when an act is recorded (a snapshot: later changes to the registry do not
/// rewrite what was true then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Officer {
    pub id: String,
    pub name: String,
    /// 行政执法证号.
    pub cert_no: String,
    pub cert_valid_from: Date,
    pub cert_valid_to: Date,
    pub cert_status: CertStatus,
    /// The kinds of enforcement the certificate covers (执法类别).
    pub cert_scope: Vec<MatterKind>,
    /// 法律职业资格 (required of legal reviewers, 行政处罚法第五十八条第二款).
    pub legal_qualification: bool,
}

impl Officer {
    /// Whether the certificate allows acting at `at` (Asia/Shanghai date).
    /// Whether the certificate covers this kind of enforcement.
    pub fn covers(&self, kind: MatterKind) -> bool {
        self.cert_scope.contains(&kind)
    }

    pub fn cert_valid_at(&self, at: Timestamp) -> bool {
        let d = at.shanghai_date();
        self.cert_status == CertStatus::Active && self.cert_valid_from <= d && d <= self.cert_valid_to
    }
}
