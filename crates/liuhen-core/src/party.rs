//! 当事人 (domain.md a.3): who a case is against or for — identified so that a decision names the
//! right person (行政处罚法第五十九条第一款第一项; 行政强制法第二十四条第二款第一项). Identity numbers
//! are checked by their check characters: 居民身份证 (GB 11643) and 统一社会信用代码 (GB 32100).
//! Party data is personal: it reaches the log only inside an event's commitment.

use crate::rules::{R_016, Violation};
use crate::summary::PartyKind;

/// 自然人, 法人 or 其他组织.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyType {
    NaturalPerson,
    LegalPerson,
    OtherOrg,
}

impl PartyType {
    pub fn code(self) -> &'static str {
        match self {
            PartyType::NaturalPerson => "natural_person",
            PartyType::LegalPerson => "legal_person",
            PartyType::OtherOrg => "other_org",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PartyType::NaturalPerson => "自然人",
            PartyType::LegalPerson => "法人",
            PartyType::OtherOrg => "其他组织",
        }
    }
    pub fn parse(s: &str) -> Option<PartyType> {
        [PartyType::NaturalPerson, PartyType::LegalPerson, PartyType::OtherOrg].into_iter().find(|k| k.code() == s)
    }
}

/// The 送达地址确认书: where and how the party accepts service (R-086 reads the consent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceAddress {
    pub address: String,
    /// Written consent to 电子送达.
    pub e_service_consent: bool,
    /// The channel consented to (e-mail address, platform account…).
    pub channel: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub kind: PartyType,
    /// 姓名 or 名称.
    pub name: String,
    /// 居民身份证, 护照, 港澳居民来往内地通行证… (natural persons).
    pub id_type: String,
    pub id_number: String,
    /// 统一社会信用代码 (legal persons and other organisations).
    pub uscc: String,
    /// 法定代表人 or 负责人.
    pub legal_rep: String,
    pub address: String,
    pub phone: String,
    pub service_address: Option<ServiceAddress>,
}

pub const RESIDENT_ID_CARD: &str = "居民身份证";

/// Whether an identity document's type, as typed, names the 居民身份证 (`身份证`, `二代身份证`,
/// `居民身份证`…): its number is checked and counted as one, whatever the wording.
pub fn names_resident_id(id_type: &str) -> bool {
    let t: String = id_type.chars().filter(|c| !c.is_whitespace()).collect();
    t.contains("身份证") && !t.contains("港") && !t.contains("澳") && !t.contains("台") && !t.contains("外国")
}

/// An identity number as written once: full-width letters and digits made ASCII, spaces
/// dropped, upper case — so one number typed two ways is one party.
fn canonical_number(n: &str) -> String {
    n.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect::<String>()
        .to_uppercase()
}

impl Party {
    /// Who the party is, across cases: the 统一社会信用代码, else the ID document's type and
    /// number; `None` when neither is known.
    pub fn identity(&self) -> Option<String> {
        if !self.uscc.trim().is_empty() {
            return Some(format!("uscc:{}", self.uscc.trim().to_uppercase()));
        }
        if !self.id_number.trim().is_empty() {
            let kind = if names_resident_id(&self.id_type) { RESIDENT_ID_CARD } else { self.id_type.trim() };
            return Some(format!("{kind}:{}", canonical_number(&self.id_number)));
        }
        None
    }
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Whether an 18-character 居民身份证号码 carries the right check character (GB 11643-1999).
pub fn resident_id_valid(n: &str) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let b = n.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    b"10X98765432"[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

/// Whether a 统一社会信用代码 carries the right check character (GB 32100-2015).
pub fn uscc_valid(code: &str) -> bool {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let b = code.as_bytes();
    if b.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (c, w) in b[..17].iter().zip(WEIGHTS) {
        match CHARS.iter().position(|x| x == c) {
            Some(v) => sum += v * w,
            None => return false,
        }
    }
    let check = (31 - sum % 31) % 31;
    CHARS[check] == b[17]
}

impl Party {
    /// The penalty rules' distinction (limits and hearing thresholds differ).
    pub fn party_kind(&self) -> PartyKind {
        match self.kind {
            PartyType::NaturalPerson => PartyKind::Citizen,
            PartyType::LegalPerson | PartyType::OtherOrg => PartyKind::Organisation,
        }
    }

    /// The identity number with all but its first six and last four characters hidden, for
    /// views whose task does not need it (办法第二十四条 保密).
    pub fn masked_id(&self) -> String {
        mask_id(if self.kind == PartyType::NaturalPerson { &self.id_number } else { &self.uscc })
    }
}

/// An identity number with all but its first six and last four characters hidden (a short one
/// wholly), as views show it (办法第二十四条 保密).
pub fn mask_id(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    chars.iter().enumerate().map(|(i, c)| if i < 6 || i >= chars.len() - 4 { *c } else { '*' }).collect()
}

/// the party is identified — a natural person by name and identity document (a 居民身份证
/// number must pass its check), an organisation by name, 统一社会信用代码 and 法定代表人 — with an
/// address to serve at; and the party is of the kind the case says.
pub fn check(p: &Party, kind_stated: Option<PartyKind>) -> Vec<Violation> {
    let mut found = Vec::new();
    if blank(&p.name) {
        found.push(R_016.violated("party.name", "未记录当事人姓名或名称"));
    }
    match p.kind {
        PartyType::NaturalPerson => {
            if blank(&p.id_type) || blank(&p.id_number) {
                found.push(R_016.violated("party.id_number", "未记录当事人身份证件种类和号码"));
            } else if names_resident_id(&p.id_type) && !resident_id_valid(p.id_number.trim()) {
                found.push(R_016.violated("party.id_number", "居民身份证号码校验位不符"));
            }
        }
        PartyType::LegalPerson | PartyType::OtherOrg => {
            if !uscc_valid(p.uscc.trim()) {
                found.push(R_016.violated("party.uscc", "统一社会信用代码缺失或校验位不符"));
            }
            if blank(&p.legal_rep) {
                found.push(R_016.violated("party.legal_rep", "未记录法定代表人或负责人"));
            }
        }
    }
    if blank(&p.address) {
        found.push(R_016.violated("party.address", "未记录当事人住所或地址"));
    }
    if let Some(stated) = kind_stated
        && stated != p.party_kind()
    {
        found.push(R_016.violated("party.kind", format!("当事人为{}，与案件所记当事人类型不符", p.kind.label())));
    }
    found
}
