//! 调查取证 items (办法第八条第（二）至（七）、（十）项): inquiries, 现场检查（勘验）笔录, evidence
//! taken in, samples, 检验检测鉴定, 先行登记保存 and 论证, each checked against what its record must carry before it counts as evidence.

use crate::rules::{
    R_015, R_020, R_021, R_023, R_024, R_025, R_026, R_027, R_028, R_029, R_030, R_032, R_035, Violation,
};
use crate::time::Timestamp;

/// The kinds of evidence of 行政处罚法第四十六条.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Documentary,
    Physical,
    AudioVisual,
    Electronic,
    Witness,
    PartyStatement,
    ExpertOpinion,
    Inspection,
    OnSite,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Documentary,
        Kind::Physical,
        Kind::AudioVisual,
        Kind::Electronic,
        Kind::Witness,
        Kind::PartyStatement,
        Kind::ExpertOpinion,
        Kind::Inspection,
        Kind::OnSite,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Kind::Documentary => "documentary",
            Kind::Physical => "physical",
            Kind::AudioVisual => "audio_visual",
            Kind::Electronic => "electronic",
            Kind::Witness => "witness",
            Kind::PartyStatement => "party_statement",
            Kind::ExpertOpinion => "expert_opinion",
            Kind::Inspection => "inspection",
            Kind::OnSite => "on_site",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Documentary => "书证",
            Kind::Physical => "物证",
            Kind::AudioVisual => "视听资料",
            Kind::Electronic => "电子数据",
            Kind::Witness => "证人证言",
            Kind::PartyStatement => "当事人的陈述",
            Kind::ExpertOpinion => "鉴定意见",
            Kind::Inspection => "勘验笔录",
            Kind::OnSite => "现场笔录",
        }
    }
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// The note on a record that the party (or interviewee) refused to sign or confirm (办法第十四条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalNote {
    pub reason: String,
    /// Officer ids who signed the note; at least two of the case's investigators.
    pub noted_by: Vec<String>,
}

/// A 询问笔录.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inquiry {
    pub ended_at: Timestamp,
    pub place: String,
    /// Officer ids; each must have taken part in the case's investigation.
    pub inquirers: Vec<String>,
    pub recorder: String,
    pub interviewee: String,
    /// The interviewee's relation to the case (当事人、证人…).
    pub relation: String,
    /// Credentials shown and the rights (incl. recusal) told, as the record states.
    pub rights_told: bool,
    pub questions_and_answers: String,
    /// The interviewee confirmed the record (“以上笔录我已看过，与我说的一致”).
    pub confirmed: bool,
    /// Signed (or thumbprinted) on every page.
    pub signed_every_page: bool,
    /// When the interviewee refused to confirm or sign.
    pub refusal: Option<RefusalNote>,
    /// The record's pages and, for more than one, the party's 骑缝 thumbprint or seal.
    pub pages: CrossPages,
}

/// A paper record's pages: more than one needs the party's 骑缝手印 or 骑缝章 across them
/// (办法第十四条).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrossPages {
    pub pages: u32,
    pub cross_page_sealed: bool,
}

impl Default for CrossPages {
    fn default() -> CrossPages {
        CrossPages { pages: 1, cross_page_sealed: false }
    }
}

/// How a 视听资料 was made (最高人民法院关于行政诉讼证据若干问题的规定第十二条).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AvProvenance {
    /// 制作方法 (e.g. 执法记录仪现场拍摄、调取监控录像).
    pub production_method: String,
    pub produced_at: Option<Timestamp>,
    /// 制作人.
    pub producer: String,
    /// 证明对象: what it proves.
    pub proves: String,
    /// It carries sound: then a transcript of what is said is attached.
    pub sound: bool,
    pub transcript: String,
}

/// Evidence taken in (调取书证、物证以及其他证据).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collected {
    pub kind: Kind,
    /// 出处: where and from whom it came.
    pub source: String,
    pub original: bool,
    /// A copy carries “经核对与原件无误” and the provider's signature or seal.
    pub copy_verified: bool,
    /// False when it was obtained unlawfully (行政处罚法第四十六条第三款).
    pub lawfully_obtained: bool,
    /// For a 视听资料: how, when and by whom it was made, and what it proves.
    pub av: Option<AvProvenance>,
    /// Collected by an 电子技术监控设备.
    pub monitoring: Option<Monitoring>,
}

/// Evidence an 电子技术监控设备 collected (行政处罚法第四十一条): the device passed the legal and
/// technical review and its site was made public; the record was reviewed before use; the
/// party was told of the facts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Monitoring {
    /// The device (its number or place).
    pub device: String,
    /// 经过法制和技术审核.
    pub device_reviewed: bool,
    /// 设置地点向社会公布.
    pub site_published: bool,
    /// 记录内容经审核符合要求.
    pub content_reviewed: bool,
    /// 及时告知当事人违法事实.
    pub party_notified_at: Option<Timestamp>,
}

/// A 抽样取证凭证.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sampling {
    pub sample: String,
    pub batch: String,
    pub quantity: String,
    pub method: String,
    pub sealed: bool,
    pub party_signed: bool,
    /// Officer ids who signed; each must have taken part in the investigation.
    pub officers: Vec<String>,
    pub copy_to_party: bool,
    /// When the party refused to sign.
    pub refusal: Option<RefusalNote>,
}

/// A written 证人证言 (最高人民法院关于行政诉讼证据若干问题的规定第十三条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Testimony {
    pub witness: String,
    pub age: Option<u32>,
    pub sex: String,
    pub occupation: String,
    pub address: String,
    pub statement: String,
    /// Signed and dated by the witness.
    pub signed: bool,
    /// A copy of the witness's identity document is attached.
    pub id_copy_attached: bool,
}

/// A 现场检查（勘验）笔录 (办法第八条第（三）项).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRecord {
    pub place: String,
    /// What was examined and found.
    pub findings: String,
    /// Officer ids who signed; each must have taken part in the investigation.
    pub officers: Vec<String>,
    pub party_signed: bool,
    /// Why the party did not sign (refused, absent, unable), when they did not.
    pub no_signature_reason: String,
    /// Others present who signed as witnesses.
    pub witnesses: Vec<String>,
    pub pages: CrossPages,
}

/// 检验、检测、检疫、鉴定、评审 (办法第八条第（六）项).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKind {
    Inspection,
    Testing,
    Quarantine,
    Appraisal,
    Review,
}

impl TestKind {
    pub const ALL: [TestKind; 5] =
        [TestKind::Inspection, TestKind::Testing, TestKind::Quarantine, TestKind::Appraisal, TestKind::Review];
    pub fn code(self) -> &'static str {
        match self {
            TestKind::Inspection => "inspection",
            TestKind::Testing => "testing",
            TestKind::Quarantine => "quarantine",
            TestKind::Appraisal => "appraisal",
            TestKind::Review => "review",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TestKind::Inspection => "检验",
            TestKind::Testing => "检测",
            TestKind::Quarantine => "检疫",
            TestKind::Appraisal => "鉴定",
            TestKind::Review => "评审",
        }
    }
    pub fn parse(s: &str) -> Option<TestKind> {
        TestKind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// A commissioned test or appraisal and its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Testing {
    pub kind: TestKind,
    /// The institution commissioned, and what it was asked.
    pub institution: String,
    pub matter: String,
    pub result: String,
    /// The result was notified to the party.
    pub result_notified: bool,
    /// For 鉴定意见: the appraiser's qualification, signature and the institution's seal.
    pub appraiser_qualified: bool,
    pub signed_and_sealed: bool,
}

/// 论证 (办法第八条第（十）项): experts or officials heard on a technical or legal question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argumentation {
    /// What was argued.
    pub matter: String,
    pub place: String,
    /// Who took part, each with their position or qualification ("张某，某大学教授").
    pub participants: Vec<String>,
    /// The opinions, including dissent.
    pub opinions: String,
    pub conclusion: String,
    /// Every participant signed the record.
    pub signed_by_all: bool,
}

/// 先行登记保存 (行政处罚法第五十六条): evidence that may be lost, registered and kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preservation {
    /// The 负责人 who approved it, and when: before it was carried out.
    pub approved_by: String,
    pub approved_at: Timestamp,
    /// The 物品清单.
    pub items: Vec<String>,
    /// The 通知书 and list were delivered to the party.
    pub notice_served: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Inquiry(Inquiry),
    Collected(Collected),
    Sampling(Sampling),
    Preservation(Preservation),
    SiteRecord(SiteRecord),
    Testing(Testing),
    Testimony(Testimony),
    Argumentation(Argumentation),
}

/// One 调查取证 item. `label` names it in the closing report's evidence list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub label: String,
    pub at: Timestamp,
    pub body: Body,
}

impl Item {
    /// The officers the record names as having done it.
    pub fn officers(&self) -> &[String] {
        match &self.body {
            Body::Inquiry(q) => &q.inquirers,
            Body::Sampling(s) => &s.officers,
            Body::SiteRecord(r) => &r.officers,
            Body::Collected(_)
            | Body::Testing(_)
            | Body::Testimony(_)
            | Body::Preservation(_)
            | Body::Argumentation(_) => &[],
        }
    }

    /// False only for evidence obtained unlawfully, which no decision may rest on.
    pub fn usable(&self) -> bool {
        !matches!(&self.body, Body::Collected(c) if !c.lawfully_obtained)
    }
}

/// R-023 (办法第十四条): a record of several pages the party signed carries their 骑缝 mark.
fn cross_pages(p: CrossPages) -> Option<Violation> {
    (p.pages > 1 && !p.cross_page_sealed)
        .then(|| R_023.violated("cross_page_sealed", format!("笔录共 {} 页，当事人未捺骑缝手印或加盖骑缝章", p.pages)))
}

/// R-015 (行政处罚法第四十一条): what an 电子技术监控设备 recorded is evidence only from a reviewed,
/// publicly sited device, its record reviewed, the party told.
fn monitoring(m: &Monitoring) -> Vec<Violation> {
    let mut found = Vec::new();
    if blank(&m.device) {
        found.push(R_015.violated("device", "未记录电子技术监控设备"));
    }
    for (field, ok, what) in [
        ("device_reviewed", m.device_reviewed, "设备未经法制和技术审核"),
        ("site_published", m.site_published, "设置地点未向社会公布"),
        ("content_reviewed", m.content_reviewed, "记录内容未经审核，不得作为证据"),
        ("party_notified_at", m.party_notified_at.is_some(), "未及时告知当事人违法事实"),
    ] {
        if !ok {
            found.push(R_015.violated(field, what));
        }
    }
    found
}

/// a 视听资料 says how, when and by whom it was made and what it proves; sound comes with
/// its transcript; a copy is one checked against the original carrier (R-025 asks that too).
fn av_provenance(c: &Collected) -> Vec<Violation> {
    let Some(av) = &c.av else {
        return vec![R_026.violated("av", "视听资料未注明制作方法、制作时间、制作人和证明对象")];
    };
    let mut found = Vec::new();
    for (field, value, what) in [
        ("production_method", &av.production_method, "制作方法"),
        ("producer", &av.producer, "制作人"),
        ("proves", &av.proves, "证明对象"),
    ] {
        if blank(value) {
            found.push(R_026.violated(field, format!("视听资料未注明{what}")));
        }
    }
    if av.produced_at.is_none() {
        found.push(R_026.violated("produced_at", "视听资料未注明制作时间"));
    }
    if av.sound && blank(&av.transcript) {
        found.push(R_026.violated("transcript", "声音资料须附有该声音内容的文字记录"));
    }
    if !c.original && !c.copy_verified {
        found.push(R_026.violated("original", "须提供原始载体或经核对无误的复制件"));
    }
    found
}

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// Counts the officers in `ids` that took part in the investigation, without repeats.
fn investigators_among(ids: &[String], investigators: &[String]) -> usize {
    let mut seen: Vec<&String> = ids.iter().filter(|id| investigators.contains(id)).collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// ..R-030, R-032: what the record of `item` must carry. `investigators` are the officers
/// who showed credentials on the case's on-site acts.
pub fn check(item: &Item, investigators: &[String]) -> Vec<Violation> {
    let mut found = Vec::new();
    if blank(&item.label) {
        found.push(R_020.violated("label", "证据须有名称以便在调查终结报告中引用"));
    }
    match &item.body {
        Body::Inquiry(q) => {
            if q.ended_at <= item.at {
                found.push(R_020.violated("ended_at", "结束时间须晚于开始时间"));
            }
            for (field, value, what) in [
                ("place", &q.place, "询问地点"),
                ("recorder", &q.recorder, "记录人"),
                ("interviewee", &q.interviewee, "被询问人身份"),
                ("relation", &q.relation, "被询问人与案件的关系"),
                ("questions_and_answers", &q.questions_and_answers, "问答内容"),
            ] {
                if blank(value) {
                    found.push(R_020.violated(field, format!("未记录{what}")));
                }
            }
            if investigators_among(&q.inquirers, investigators) < 2 {
                found.push(R_020.violated("inquirers", "询问人须为两名以上参与本案调查并出示证件的执法人员"));
            }
            if !q.rights_told {
                found.push(R_020.violated("rights_told", "未记录出示证件并告知权利（含申请回避）"));
            }
            match (&q.refusal, q.confirmed && q.signed_every_page) {
                (_, true) => {}
                (Some(note), false) => found.extend(check_refusal(note, investigators)),
                (None, false) => {
                    if !q.confirmed {
                        found.push(R_020.violated("confirmed", "被询问人未确认笔录"));
                    }
                    if !q.signed_every_page {
                        found.push(R_020.violated("signed_every_page", "被询问人须逐页签名或捺指印"));
                    }
                }
            }
            if q.refusal.is_none() {
                found.extend(cross_pages(q.pages));
            }
        }
        Body::Collected(c) => {
            if blank(&c.source) {
                found.push(R_025.violated("source", "未载明证据出处"));
            }
            if !c.original && !c.copy_verified {
                found.push(R_025.violated("copy_verified", "复制件未注明“经核对与原件无误”并由提供人签名或盖章"));
            }
            if c.kind == Kind::AudioVisual {
                found.extend(av_provenance(c));
            }
            if let Some(m) = &c.monitoring {
                found.extend(monitoring(m));
            }
        }
        Body::Sampling(s) => {
            for (field, value, what) in [
                ("sample", &s.sample, "样品名称"),
                ("batch", &s.batch, "规格或批号"),
                ("quantity", &s.quantity, "数量"),
                ("method", &s.method, "抽样方法或基数"),
            ] {
                if blank(value) {
                    found.push(R_027.violated(field, format!("抽样取证凭证未记录{what}")));
                }
            }
            if !s.sealed {
                found.push(R_027.violated("sealed", "未记录封样情况"));
            }
            match (&s.refusal, s.party_signed) {
                (_, true) => {}
                (Some(note), false) => found.extend(check_refusal(note, investigators)),
                (None, false) => found.push(R_027.violated("party_signed", "当事人未在抽样取证凭证上签名")),
            }
            if investigators_among(&s.officers, investigators) < 2 {
                found.push(R_027.violated("officers", "须两名以上参与本案调查的执法人员签名"));
            }
            if !s.copy_to_party {
                found.push(R_027.violated("copy_to_party", "抽样取证凭证未交当事人一份"));
            }
        }
        Body::SiteRecord(r) => {
            for (field, value, what) in
                [("place", &r.place, "检查（勘验）地点"), ("findings", &r.findings, "检查（勘验）情况")]
            {
                if blank(value) {
                    found.push(R_024.violated(field, format!("未记录{what}")));
                }
            }
            if investigators_among(&r.officers, investigators) < 2 {
                found.push(R_024.violated("officers", "须两名以上参与本案调查的执法人员签名"));
            }
            if !r.party_signed && blank(&r.no_signature_reason) {
                found.push(R_024.violated("no_signature_reason", "当事人未签名的，须注明原因"));
            }
            if r.party_signed {
                found.extend(cross_pages(r.pages));
            }
        }
        Body::Testing(t) => {
            for (field, value, what) in [
                ("institution", &t.institution, "受委托机构"),
                ("matter", &t.matter, "委托事项"),
                ("result", &t.result, "结果"),
            ] {
                if blank(value) {
                    found.push(R_029.violated(field, format!("未记录{}{what}", t.kind.label())));
                }
            }
            if !t.result_notified {
                found.push(R_029.violated("result_notified", format!("{}结果未告知当事人", t.kind.label())));
            }
            if t.kind == TestKind::Appraisal && !(t.appraiser_qualified && t.signed_and_sealed) {
                found.push(
                    R_030.violated("signed_and_sealed", "鉴定意见须载明鉴定人资质，并有鉴定人签名和鉴定机构盖章"),
                );
            }
        }
        Body::Argumentation(a) => {
            for (field, value, what) in [
                ("matter", &a.matter, "论证事项"),
                ("place", &a.place, "地点"),
                ("opinions", &a.opinions, "各方意见"),
                ("conclusion", &a.conclusion, "论证结论"),
            ] {
                if blank(value) {
                    found.push(R_035.violated(field, format!("论证记录未写明{what}")));
                }
            }
            if a.participants.iter().filter(|p| !blank(p)).count() < 2 {
                found.push(R_035.violated("participants", "论证须有两名以上参加人员"));
            }
            if !a.signed_by_all {
                found.push(R_035.violated("signed_by_all", "论证记录未经参加人员签名"));
            }
        }
        Body::Testimony(t) => {
            for (field, value, what) in [
                ("witness", &t.witness, "证人姓名"),
                ("sex", &t.sex, "性别"),
                ("occupation", &t.occupation, "工作单位或职业"),
                ("address", &t.address, "住址"),
                ("statement", &t.statement, "证言内容"),
            ] {
                if blank(value) {
                    found.push(R_032.violated(field, format!("证人证言未写明{what}")));
                }
            }
            if t.age.is_none() {
                found.push(R_032.violated("age", "证人证言未写明年龄"));
            }
            if !t.signed {
                found.push(R_032.violated("signed", "证人未签名并注明日期"));
            }
            if !t.id_copy_attached {
                found.push(R_032.violated("id_copy_attached", "未附证人身份证件复印件"));
            }
        }
        Body::Preservation(p) => {
            if blank(&p.approved_by) {
                found.push(R_028.violated("approved_by", "先行登记保存须经行政机关负责人批准"));
            }
            if p.approved_at > item.at {
                found.push(R_028.violated("approved_at", "先行登记保存须在实施前批准"));
            }
            if p.items.iter().all(|i| blank(i)) {
                found.push(R_028.violated("items", "未开列物品清单"));
            }
            if !p.notice_served {
                found.push(R_028.violated("notice_served", "未向当事人送达先行登记保存通知书及物品清单"));
            }
        }
    }
    found
}

/// a refusal to sign is noted with its reason and signed by two of the investigators.
fn check_refusal(note: &RefusalNote, investigators: &[String]) -> Vec<Violation> {
    let mut found = Vec::new();
    if blank(&note.reason) {
        found.push(R_021.violated("refusal", "未注明拒绝签字的情况"));
    }
    if investigators_among(&note.noted_by, investigators) < 2 {
        found.push(R_021.violated("refusal", "拒绝签字的注明须由两名以上执法人员签字"));
    }
    found
}
