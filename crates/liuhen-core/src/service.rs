//! 送达 (办法第十七条): how a document reached the party, what its 送达回证 must carry for each
//! method, and the date the law counts as the date of service.

use crate::rules::{R_081, R_083, R_084, R_085, R_086, R_087, R_088, Violation};
use crate::time::{DAY_MS, Timestamp};

/// A method of service (民事诉讼法第八十七条至第九十五条, applied by 行政处罚法第六十一条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// 直接送达, to the party or to someone who signs for them.
    Direct {
        receiver: String,
        /// Empty when the receiver is the party; otherwise 同住成年家属, 收发室, 代理人….
        relation: String,
    },
    /// 留置送达: the party refused; the document was left at their residence.
    Lien {
        refusal_reason: String,
        /// Witnesses from a grassroots organisation or the employer.
        witnesses: Vec<String>,
        /// The A/V record of the process, if any.
        av_ref: String,
        left_at_residence: bool,
    },
    /// 委托送达 through another agency.
    Entrusted { agency: String, reason: String },
    /// 邮寄送达: the date on the return receipt is the date of service.
    Postal { tracking_no: String, return_receipt_at: Option<Timestamp>, returned_undelivered: bool },
    /// 电子送达, with the party's prior consent.
    Electronic { consent_ref: String, channel: String, proof: Vec<String> },
    /// 公告送达: deemed served thirty days after publication.
    PublicNotice { reason: String, prior_attempts: Vec<String>, medium: String, published_at: Timestamp },
}

impl Method {
    pub fn code(&self) -> &'static str {
        match self {
            Method::Direct { .. } => "direct",
            Method::Lien { .. } => "lien",
            Method::Entrusted { .. } => "entrusted",
            Method::Postal { .. } => "postal",
            Method::Electronic { .. } => "electronic",
            Method::PublicNotice { .. } => "public_notice",
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            Method::Direct { .. } => "直接送达",
            Method::Lien { .. } => "留置送达",
            Method::Entrusted { .. } => "委托送达",
            Method::Postal { .. } => "邮寄送达",
            Method::Electronic { .. } => "电子送达",
            Method::PublicNotice { .. } => "公告送达",
        }
    }
}

/// One service, as its 送达回证 records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The document's name and 文号.
    pub document: String,
    pub recipient: String,
    /// When it was handed over, left, signed for, or arrived.
    pub at: Timestamp,
    pub place: String,
    pub method: Method,
    /// The officers who served it and signed the receipt.
    pub servers: Vec<String>,
    /// The recipient (or the receiver) signed the receipt.
    pub recipient_signed: bool,
}

/// 公告送达: deemed served this many days after the notice is published (民事诉讼法第九十五条,
/// applied by 行政处罚法第六十一条).
pub const PUBLIC_NOTICE_DAYS: i64 = 30;

impl Service {
    /// The date the law counts as the date of service; `None` while it has not happened.
    pub fn served_at(&self) -> Option<Timestamp> {
        match &self.method {
            Method::Postal { return_receipt_at, returned_undelivered: false, .. } => *return_receipt_at,
            Method::Postal { .. } => None,
            Method::PublicNotice { published_at, .. } => Some(Timestamp(published_at.0 + PUBLIC_NOTICE_DAYS * DAY_MS)),
            _ => Some(self.at),
        }
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// ..R-088: what the receipt must carry for its method.
pub fn check(s: &Service) -> Vec<Violation> {
    let mut found = Vec::new();
    for (field, value, what) in [
        ("document", &s.document, "送达文书名称"),
        ("recipient", &s.recipient, "受送达人"),
        ("place", &s.place, "送达地点"),
    ] {
        if blank(value) {
            found.push(R_081.violated(field, format!("送达回证未载明{what}")));
        }
    }
    if s.servers.iter().all(|x| blank(x)) {
        found.push(R_081.violated("servers", "送达人未签字"));
    }
    match &s.method {
        Method::Direct { receiver, relation } => {
            if !s.recipient_signed {
                found.push(R_081.violated("recipient_signed", "受送达人未在送达回证上签字"));
            }
            if blank(receiver) {
                found.push(R_088.violated("receiver", "未记录签收人"));
            } else if receiver.trim() != s.recipient.trim() && blank(relation) {
                found.push(R_088.violated("relation", "他人代收的，须记录代收人与受送达人的关系"));
            }
        }
        Method::Lien { refusal_reason, witnesses, av_ref, left_at_residence } => {
            if blank(refusal_reason) {
                found.push(R_083.violated("refusal_reason", "未记录拒收理由"));
            }
            if witnesses.iter().all(|w| blank(w)) && blank(av_ref) {
                found.push(R_083.violated("witnesses", "须有见证人签字或以音像记录送达过程"));
            }
            if !left_at_residence {
                found.push(R_083.violated("left_at_residence", "文书未留置于受送达人住所"));
            }
        }
        Method::Entrusted { agency, reason } => {
            if blank(agency) {
                found.push(R_085.violated("agency", "未记录受委托机关"));
            }
            if blank(reason) {
                found.push(R_085.violated("reason", "未记录委托原因（办法第十七条第二款）"));
            }
            if !s.recipient_signed {
                found.push(R_085.violated("recipient_signed", "受送达人未在送达回证上签字"));
            }
        }
        Method::Postal { tracking_no, return_receipt_at, returned_undelivered } => {
            if blank(tracking_no) {
                found.push(R_084.violated("tracking_no", "未记录邮件单号"));
            }
            if *returned_undelivered {
                found.push(R_084.violated("returned_undelivered", "邮件被退回，须以其他方式送达"));
            } else if return_receipt_at.is_none() {
                found.push(R_084.violated("return_receipt_at", "未取得邮寄回执，不能认定已送达"));
            }
        }
        Method::Electronic { consent_ref, channel, proof } => {
            if blank(consent_ref) {
                found.push(R_086.violated("consent_ref", "电子送达须事先取得当事人同意（送达地址确认书）"));
            }
            if blank(channel) {
                found.push(R_086.violated("channel", "未记录电子送达渠道"));
            }
            if proof.iter().all(|p| blank(p)) {
                found.push(R_086.violated("proof", "未留存到达受送达人系统的证明"));
            }
        }
        Method::PublicNotice { reason, prior_attempts, medium, published_at: _ } => {
            if blank(reason) {
                found.push(R_087.violated("reason", "未记录公告送达的原因"));
            }
            if prior_attempts.iter().all(|a| blank(a)) {
                found.push(R_087.violated("prior_attempts", "须先以其他方式送达未果或受送达人下落不明"));
            }
            if blank(medium) {
                found.push(R_087.violated("medium", "未记录公告载体"));
            }
        }
    }
    found
}
