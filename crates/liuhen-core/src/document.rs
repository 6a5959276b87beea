//! 文字记录 (办法第十一条–第十七条): the catalogue of 执法文书 (domain.md e) as data, and the life
//! of one document — drafted, revised while a draft, approved step by step (内部审批文书), signed
//! or refused, finalised, issued under the office's seal, corrected only by a new version.
//!
//! The content hash a signature or approval binds is computed by the caller (SM3 of the
//! document's canonical content); this module only compares them.

use crate::agency::Agency;
use crate::rules::{CommandError, R_021, R_022, R_130, R_131, R_132, R_133, R_134, Refusal, Violation};
use crate::time::{Date, Timestamp};
use std::collections::BTreeMap;

/// When a field must be filled, or a signer must sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Always,
    Optional,
    /// When the field `.0` holds one of `.1`.
    If(&'static str, &'static [&'static str]),
    /// Unless the field `.0` holds one of `.1`.
    Unless(&'static str, &'static [&'static str]),
}

impl Need {
    fn applies(&self, fields: &BTreeMap<String, String>) -> bool {
        let has = |k: &str, vs: &[&str]| fields.get(k).is_some_and(|v| vs.contains(&v.trim()));
        match *self {
            Need::Always => true,
            Need::Optional => false,
            Need::If(k, vs) => has(k, vs),
            Need::Unless(k, vs) => !has(k, vs),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub key: &'static str,
    pub label: &'static str,
    pub need: Need,
    /// Several lines (facts, Q&A, statements).
    pub long: bool,
    /// A fixed list of values, when not free text.
    pub choices: &'static [&'static str],
    /// A person's identity number: masked in every view (办法第二十四条 保密), whole only in
    /// the document itself.
    pub identity: bool,
}

const fn f(key: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec { key, label, need: Need::Always, long: false, choices: &[], identity: false }
}
const fn long(key: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec { key, label, need: Need::Always, long: true, choices: &[], identity: false }
}
const fn opt(key: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec { key, label, need: Need::Optional, long: false, choices: &[], identity: false }
}
const fn when(key: &'static str, label: &'static str, need: Need) -> FieldSpec {
    FieldSpec { key, label, need, long: true, choices: &[], identity: false }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignerSpec {
    /// `party`, `interviewee`, `officer`, `recorder`, `host`, `participant`, `witness`,
    /// `server`, `recipient`, `member`.
    pub role: &'static str,
    pub name: &'static str,
    /// How many distinct people must sign in this role.
    pub min: u8,
    /// A refusal note (signed by two officers, 办法第十四条) may stand for this role's signature.
    pub refusable: bool,
    pub need: Need,
    /// Every name listed in this field signs (or a refusal names them): e.g. each 听证参加人
    /// reviews and signs the transcript (办法第十六条).
    pub each_of: Option<&'static str>,
}

const fn s(role: &'static str, name: &'static str, min: u8) -> SignerSpec {
    SignerSpec { role, name, min, refusable: false, need: Need::Always, each_of: None }
}
/// A party's signature, which a refusal note may replace (办法第十四条).
const fn p(role: &'static str, name: &'static str) -> SignerSpec {
    SignerSpec { role, name, min: 1, refusable: true, need: Need::Always, each_of: None }
}

/// The names a list field holds: one per line or separated by 、，,；; — what follows a name in
/// brackets (its capacity, e.g. “（当事人）”) is not part of it.
pub fn listed(text: &str) -> Vec<String> {
    text.split(['、', '，', ',', '；', ';', '\n'])
        .map(|n| n.split(['（', '(']).next().unwrap_or_default().trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// Who issues a party-facing document under the office's seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issuer {
    /// 签发 by the 负责人 (行政处罚法第五十七条; 办法第十五条).
    Head,
    /// Issued by the officers on site or at the window: a 当场处罚决定书 (行政处罚法第五十一条),
    /// a voucher, a receipt, a notice of acceptance.
    Officer,
}

impl Issuer {
    pub fn label(self) -> &'static str {
        match self {
            Issuer::Head => "负责人",
            Issuer::Officer => "执法人员",
        }
    }
}

/// One kind of 执法文书 (domain.md e.1, e.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocSpec {
    pub code: &'static str,
    pub name: &'static str,
    /// Kinds of case it serves: `penalty`, `summary`, `inspection`, `licence`, `coercion`.
    pub kinds: &'static [&'static str],
    pub fields: &'static [FieldSpec],
    /// 内部审批文书 (办法第十五条): handler, reviewer and approver opinions, each dated.
    pub approval: bool,
    pub signers: &'static [SignerSpec],
    /// Issued to a party: the office's seal and the issue date (办法第十三条), and a 文号.
    pub sealed: bool,
    /// The seal kind it carries when issued.
    pub seal_kind: &'static str,
    /// Who issues it under the seal (签发): the 负责人, or the officers on site.
    pub issuer: Issuer,
    /// The 内部审批文书 that must be finalised (approved) in the same case before this one is
    /// issued (办法第十五条: the decision rests on the approved 审批表).
    pub requires: Option<&'static str>,
    /// Files kept with it (a scan, a receipt): (key, label, when required).
    pub attachments: &'static [(&'static str, &'static str, Need)],
    pub source: &'static str,
}

const PARTY: FieldSpec = f("party", "当事人");
const ADDRESS: FieldSpec = f("party_address", "当事人地址");
const CAUSE: FieldSpec = f("cause", "案由");
const PEN: &[&str] = &["penalty"];
const PEN_ALL: &[&str] = &["penalty", "summary", "inspection", "licence", "coercion"];
const OFFICERS: SignerSpec = s("officer", "执法人员", 2);
const APPROVAL_SEAL: &str = "";
const ENF_SEAL: &str = "行政执法专用章";
const LIC_SEAL: &str = "行政许可专用章";
const SERVICE_METHODS: &[&str] = &["直接送达", "委托送达", "邮寄送达", "留置送达", "公告送达", "电子送达"];

/// The catalogue: what an ordinary and a summary penalty, an inspection, a licence and a
/// coercive measure need (domain.md e.1, e.2).
pub static CATALOGUE: &[DocSpec] = &[
    DocSpec {
        code: "D02",
        name: "立案审批表",
        kinds: PEN,
        fields: &[CAUSE, PARTY, f("source", "案件来源"), long("facts", "简要案情"), f("provisions", "涉嫌违反的规定")],
        approval: true,
        signers: &[],
        sealed: false,
        seal_kind: APPROVAL_SEAL,
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "行政处罚法第五十四条；办法第七条、第十五条",
    },
    DocSpec {
        code: "D11",
        name: "询问笔录",
        kinds: &["penalty", "coercion", "inspection"],
        fields: &[
            f("started_at", "询问开始时间"),
            f("ended_at", "询问结束时间"),
            f("place", "询问地点"),
            f("inquirers", "询问人及执法证号"),
            f("recorder", "记录人"),
            f("interviewee", "被询问人"),
            FieldSpec { identity: true, ..f("interviewee_id", "被询问人身份证件号码") },
            f("relation", "与案件关系"),
            long("notice", "出示证件及告知权利、回避情况"),
            long("qa", "询问内容（问答）"),
            f("confirmation", "被询问人确认意见"),
        ],
        approval: false,
        signers: &[p("interviewee", "被询问人"), OFFICERS, s("recorder", "记录人", 1)],
        sealed: false,
        seal_kind: "",
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "办法第八条第（二）项、第十四条；行政处罚法第五十五条",
    },
    DocSpec {
        code: "D12",
        name: "现场检查（勘验）笔录",
        kinds: &["penalty", "inspection", "licence"],
        fields: &[
            f("at", "检查时间"),
            f("place", "检查地点"),
            f("officers", "执法人员及执法证号"),
            PARTY,
            opt("present", "在场人员"),
            long("notice", "出示证件及告知情况"),
            long("findings", "现场检查情况"),
            opt("photos", "现场照片、示意图索引"),
        ],
        approval: false,
        signers: &[p("party", "当事人"), OFFICERS, SignerSpec { min: 1, ..s("witness", "见证人", 1) }],
        sealed: false,
        seal_kind: "",
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "办法第八条第（三）项、第十四条；最高人民法院关于行政诉讼证据若干问题的规定第十五条",
    },
    DocSpec {
        code: "D16",
        name: "抽样取证凭证",
        kinds: &["penalty", "inspection"],
        fields: &[
            PARTY,
            f("sample", "样品名称"),
            f("batch", "规格、批号"),
            f("quantity", "抽样数量"),
            f("base", "抽样基数"),
            f("method", "抽样方法"),
            f("sealing", "封样情况"),
            f("storage", "样品保存地点"),
        ],
        approval: false,
        signers: &[p("party", "当事人"), OFFICERS],
        sealed: true,
        seal_kind: ENF_SEAL,
        issuer: Issuer::Officer,
        requires: None,
        attachments: &[],
        source: "行政处罚法第五十六条；办法第八条第（四）项",
    },
    DocSpec {
        code: "D18a",
        name: "先行登记保存证据审批表",
        kinds: PEN,
        fields: &[
            CAUSE,
            PARTY,
            long("reason", "证据可能灭失或者以后难以取得的情形"),
            long("items", "拟先行登记保存的物品（名称、规格、数量）"),
        ],
        approval: true,
        signers: &[],
        sealed: false,
        seal_kind: APPROVAL_SEAL,
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "行政处罚法第五十六条；办法第八条第（五）项、第十五条",
    },
    DocSpec {
        code: "D18b",
        name: "先行登记保存证据通知书",
        kinds: PEN,
        fields: &[
            PARTY,
            ADDRESS,
            long("reason", "先行登记保存的理由"),
            long("items", "物品清单（名称、规格、数量）"),
            f("place", "保存地点"),
            f("keeper", "保管人"),
            long("rights", "七个工作日内作出处理决定的告知及当事人权利"),
        ],
        approval: false,
        signers: &[p("party", "当事人"), OFFICERS],
        sealed: true,
        seal_kind: ENF_SEAL,
        issuer: Issuer::Head,
        requires: Some("D18a"),
        attachments: &[],
        source: "行政处罚法第五十六条；办法第八条第（五）项",
    },
    DocSpec {
        code: "D20b",
        name: "查封（扣押）决定书",
        kinds: &["coercion"],
        fields: &[
            PARTY,
            ADDRESS,
            long("reasons", "查封、扣押的理由"),
            f("basis", "查封、扣押的依据"),
            f("term", "查封、扣押的期限"),
            long("items", "查封、扣押场所、设施或者财物的名称、数量"),
            long("relief", "申请行政复议或者提起行政诉讼的途径和期限"),
        ],
        approval: false,
        signers: &[],
        sealed: true,
        seal_kind: ENF_SEAL,
        issuer: Issuer::Head,
        requires: Some("D30"),
        attachments: &[],
        source: "行政强制法第二十四条；办法第十三条",
    },
    DocSpec {
        code: "D30",
        name: "案件处理审批表",
        kinds: &["penalty", "coercion"],
        fields: &[
            CAUSE,
            PARTY,
            long("facts", "违法事实"),
            long("evidence", "证据"),
            f("basis", "处罚依据"),
            long("proposal", "处理意见及裁量理由"),
            // No 法制审核意见 or 集体讨论结论 typed here: the drafter could claim a review or a
            // discussion that never took place. They are the 法制审核意见书 (D31, signed by the
            // 法制审核人员's own account) and the 集体讨论记录 (D35, confirmed by each member),
            // shown beside this form in the case view.
        ],
        approval: true,
        signers: &[],
        sealed: false,
        seal_kind: APPROVAL_SEAL,
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "行政处罚法第五十七条；办法第九条、第十五条",
    },
    DocSpec {
        code: "D31",
        name: "法制审核意见书",
        kinds: &["penalty", "coercion", "licence"],
        fields: &[
            CAUSE,
            f("trigger", "审核情形"),
            long("checked", "审核内容（主体、程序、事实证据、法律适用、裁量、文书）"),
            f("conclusion", "审核结论"),
            long("opinion", "审核意见"),
            f("reviewer", "法制审核人员"),
        ],
        approval: false,
        signers: &[s("reviewer", "法制审核人员", 1)],
        sealed: false,
        seal_kind: "",
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "行政处罚法第五十八条；办法第九条第（三）项",
    },
    DocSpec {
        code: "D32",
        name: "行政处罚事先告知书",
        kinds: PEN,
        fields: &[
            PARTY,
            ADDRESS,
            long("facts", "违法事实"),
            f("basis", "处罚依据"),
            f("proposed", "拟作出的行政处罚"),
            long("rights", "陈述、申辩（及听证）权利和期限"),
            f("contact", "联系人及电话"),
        ],
        approval: false,
        signers: &[],
        sealed: true,
        seal_kind: ENF_SEAL,
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "行政处罚法第四十四条、第六十三条；办法第九条",
    },
    DocSpec {
        code: "D34b",
        name: "听证通知书",
        kinds: &["penalty", "licence"],
        fields: &[
            PARTY,
            f("time", "听证时间"),
            f("place", "听证地点"),
            f("host", "听证主持人"),
            f("public", "是否公开举行"),
            long("rights", "申请回避、委托代理人等权利及不到场的后果"),
        ],
        approval: false,
        signers: &[],
        sealed: true,
        seal_kind: ENF_SEAL,
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "行政处罚法第六十四条；办法第十六条",
    },
    DocSpec {
        code: "D34c",
        name: "听证笔录",
        kinds: &["penalty", "licence"],
        fields: &[
            CAUSE,
            f("time", "听证时间"),
            f("place", "听证地点"),
            f("host", "听证主持人"),
            f("recorder", "记录人"),
            long("participants", "听证参加人"),
            long("investigator", "调查人员提出的事实、证据和处罚建议"),
            long("statements", "当事人陈述、申辩和质证（原始发言）"),
            opt("final_words", "最后陈述"),
        ],
        approval: false,
        signers: &[
            SignerSpec { each_of: Some("participants"), ..p("participant", "听证参加人") },
            s("host", "听证主持人", 1),
            s("recorder", "记录人", 1),
        ],
        sealed: false,
        seal_kind: "",
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "办法第十六条；行政处罚法第六十四条第（八）项",
    },
    DocSpec {
        code: "D35",
        name: "集体讨论记录",
        kinds: &["penalty", "coercion"],
        fields: &[
            CAUSE,
            f("time", "讨论时间"),
            f("place", "讨论地点"),
            f("host", "主持人"),
            f("members", "参加人员"),
            f("recorder", "记录人"),
            long("summary", "案情介绍"),
            long("opinions", "讨论意见"),
            long("conclusion", "讨论结论"),
        ],
        approval: false,
        // Each member the record lists confirms it with their own account (R-062; the names
        // are the accounts' own).
        signers: &[SignerSpec { each_of: Some("members"), ..s("member", "参加讨论人员", 3) }],
        sealed: false,
        seal_kind: "",
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "行政处罚法第五十七条第二款；办法第九条第（四）项",
    },
    DocSpec {
        code: "D36",
        name: "行政处罚决定书",
        kinds: PEN,
        // 行政处罚法第五十九条: the six items.
        fields: &[
            PARTY,
            ADDRESS,
            long("facts", "违反法律、法规、规章的事实和证据"),
            f("basis", "行政处罚的种类和依据"),
            long("performance", "行政处罚的履行方式和期限"),
            long("relief", "申请行政复议、提起行政诉讼的途径和期限"),
        ],
        approval: false,
        signers: &[],
        sealed: true,
        seal_kind: ENF_SEAL,
        issuer: Issuer::Head,
        requires: Some("D30"),
        attachments: &[],
        source: "行政处罚法第五十九条；办法第十三条",
    },
    DocSpec {
        code: "D36s",
        name: "当场行政处罚决定书",
        kinds: &["summary"],
        fields: &[
            PARTY,
            f("at", "时间"),
            f("place", "地点"),
            long("facts", "违法行为"),
            f("basis", "行政处罚依据"),
            f("penalty", "罚款数额或警告"),
            long("relief", "申请行政复议、提起行政诉讼的途径和期限"),
            f("officers", "执法人员及执法证号"),
        ],
        approval: false,
        signers: &[p("party", "当事人"), OFFICERS],
        sealed: true,
        seal_kind: ENF_SEAL,
        issuer: Issuer::Officer,
        requires: None,
        attachments: &[],
        source: "行政处罚法第五十二条；办法第十三条",
    },
    DocSpec {
        code: "D41",
        name: "送达回证",
        kinds: PEN_ALL,
        fields: &[
            f("document", "送达文书名称及文号"),
            f("recipient", "受送达人"),
            f("served_at", "送达时间"),
            f("place", "送达地点"),
            FieldSpec { choices: SERVICE_METHODS, ..f("method", "送达方式") },
            when("entrust_reason", "委托送达的原因", Need::If("method", &["委托送达"])),
            when("lien_explanation", "留置送达情况说明", Need::If("method", &["留置送达"])),
            when("postal_receipt", "邮寄回执单号", Need::If("method", &["邮寄送达"])),
            when("notice", "公告文书及公告载体", Need::If("method", &["公告送达"])),
            FieldSpec {
                long: false,
                ..when("notice_published_on", "公告发布日期（YYYY-MM-DD）", Need::If("method", &["公告送达"]))
            },
            when("consent", "受送达人书面同意电子送达的文书", Need::If("method", &["电子送达"])),
        ],
        approval: false,
        // 办法第十七条: the server signs; the recipient signs (also for entrusted service);
        // lien service: a witness signs instead of the recipient.
        signers: &[
            s("server", "送达人", 1),
            SignerSpec {
                need: Need::Unless("method", &["留置送达", "邮寄送达", "公告送达", "电子送达"]),
                ..p("recipient", "受送达人")
            },
            SignerSpec { need: Need::If("method", &["留置送达"]), ..s("witness", "见证人", 1) },
        ],
        sealed: true,
        seal_kind: ENF_SEAL,
        issuer: Issuer::Officer,
        requires: None,
        attachments: &[
            // 办法第十七条: the postal return receipt and the public notice are archived.
            ("postal_receipt", "邮寄回执单", Need::If("method", &["邮寄送达"])),
            ("notice_copy", "公告文书及公告情况", Need::If("method", &["公告送达"])),
            ("consent_copy", "受送达人同意电子送达的书面文件", Need::If("method", &["电子送达"])),
        ],
        source: "办法第十七条",
    },
    DocSpec {
        code: "D50",
        name: "结案审批表",
        kinds: PEN_ALL,
        fields: &[CAUSE, PARTY, long("outcome", "处理结果"), long("performance", "执行情况")],
        approval: true,
        signers: &[],
        sealed: false,
        seal_kind: APPROVAL_SEAL,
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "办法第十条、第十五条",
    },
    DocSpec {
        code: "D05",
        name: "行政检查通知书",
        kinds: &["inspection"],
        fields: &[
            PARTY,
            f("time", "检查时间"),
            long("items", "检查事项"),
            opt("prepare", "需准备的材料"),
            f("officers", "执法人员"),
        ],
        approval: false,
        signers: &[],
        sealed: true,
        seal_kind: ENF_SEAL,
        issuer: Issuer::Officer,
        requires: None,
        attachments: &[],
        source: "办法第七条",
    },
    DocSpec {
        code: "D52",
        name: "行政检查结果告知书",
        kinds: &["inspection"],
        fields: &[PARTY, long("findings", "检查结果"), long("measures", "处理措施"), long("rights", "当事人权利")],
        approval: false,
        signers: &[],
        sealed: true,
        seal_kind: ENF_SEAL,
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "办法第十条",
    },
    DocSpec {
        code: "L02",
        name: "补正材料通知书",
        kinds: &["licence"],
        fields: &[f("applicant", "申请人"), f("matter", "申请事项"), long("missing", "需补正的全部内容（一次告知）")],
        approval: false,
        signers: &[],
        sealed: true,
        seal_kind: LIC_SEAL,
        issuer: Issuer::Officer,
        requires: None,
        attachments: &[],
        source: "行政许可法第三十二条第一款第（四）项",
    },
    DocSpec {
        code: "L03",
        name: "受理通知书",
        kinds: &["licence"],
        fields: &[
            f("applicant", "申请人"),
            f("matter", "申请事项"),
            f("accepted_on", "受理日期"),
            f("deadline", "办理期限"),
        ],
        approval: false,
        signers: &[],
        sealed: true,
        seal_kind: LIC_SEAL,
        issuer: Issuer::Officer,
        requires: None,
        attachments: &[],
        source: "行政许可法第三十二条第二款",
    },
    DocSpec {
        code: "L10",
        name: "行政许可决定书",
        kinds: &["licence"],
        fields: &[
            f("applicant", "申请人"),
            f("matter", "申请事项"),
            FieldSpec { choices: &["准予", "不予"], ..f("decision", "决定") },
            long("content", "许可内容或不予许可的理由"),
            when("relief", "申请行政复议、提起行政诉讼的权利", Need::If("decision", &["不予"])),
        ],
        approval: false,
        signers: &[],
        sealed: true,
        seal_kind: LIC_SEAL,
        issuer: Issuer::Head,
        requires: None,
        attachments: &[],
        source: "行政许可法第三十八条；办法第十三条",
    },
];

/// The catalogue entry of `code`.
pub fn spec(code: &str) -> Option<&'static DocSpec> {
    CATALOGUE.iter().find(|s| s.code == code)
}

/// The approval steps of a 内部审批文书, in order (办法第十五条).
pub const STEPS: [(&str, &str); 3] =
    [("handler", "承办人意见"), ("reviewer", "审核人意见"), ("approver", "批准人意见")];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub step: String,
    pub person: String,
    pub name: String,
    pub opinion: String,
    /// The handler's reasons (承办意见和理由).
    pub reason: String,
    pub at: Timestamp,
    pub content_hash: String,
    /// The approver's own SM2 key and signature (DER, hex) over the approval statement
    /// (`liuhen_log::signer::approval_statement`); empty in entries written before them.
    pub key_id: String,
    pub signature: String,
}

/// An approval step returned to the handler with reasons (退回): the approvals given so far are
/// void, and the handler revises and submits again. Nothing is edited by the approver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Return {
    /// The step that returned it (`reviewer` or `approver`).
    pub step: String,
    pub person: String,
    pub name: String,
    pub reasons: String,
    pub at: Timestamp,
    pub content_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub role: String,
    pub name: String,
    /// The signer's account or officer id when one signed in; empty for a party at a pad.
    pub person: String,
    /// `pad` (handwriting on the signing pad) or `paper` (a scan of the signed page).
    pub method: String,
    /// SHA-256 of the signature image or scan.
    pub image_sha256: String,
    pub content_hash: String,
    pub at: Timestamp,
    /// An officer's or member's own SM2 key and signature (DER, hex) over the signing
    /// statement; empty for a party at a pad and in entries written before them.
    pub key_id: String,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalNote {
    pub role: String,
    pub who: String,
    pub reason: String,
    /// The officers who note it: at least two (办法第十四条).
    pub officers: Vec<String>,
    pub witness: String,
    pub content_hash: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A new document, or a new version of a finalised one (`supersedes`, with the reason).
    Drafted {
        code: String,
        fields: BTreeMap<String, String>,
        supersedes: Option<(String, String)>,
    },
    Revised {
        fields: BTreeMap<String, String>,
    },
    Approved(Approval),
    Returned(Return),
    Signed(Signature),
    Refused(RefusalNote),
    /// A file kept with the document (its SHA-256 names the blob).
    Attached {
        key: String,
        sha256: String,
        media_type: String,
        at: Timestamp,
    },
    /// The content is fixed; `pdf_sha256` is the rendering's hash.
    Finalised {
        content_hash: String,
        pdf_sha256: String,
        pages: u32,
        at: Timestamp,
    },
    /// Issued to the party under the seal, with the issue date and 文号.
    Issued {
        doc_no: String,
        date: Date,
        seal_kind: String,
        pdf_sha256: String,
        at: Timestamp,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Draft,
    Final,
    Issued,
}

impl State {
    pub fn code(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Final => "final",
            State::Issued => "issued",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            State::Draft => "草稿",
            State::Final => "已定稿",
            State::Issued => "已签发",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub spec: &'static DocSpec,
    pub fields: BTreeMap<String, String>,
    pub supersedes: Option<(String, String)>,
    pub state: State,
    pub approvals: Vec<Approval>,
    /// How many of `approvals` a return has voided (the first ones).
    pub voided: usize,
    pub returns: Vec<Return>,
    pub signatures: Vec<Signature>,
    pub refusals: Vec<RefusalNote>,
    /// (key, SHA-256, media type) of the files kept with it.
    pub attachments: Vec<(String, String, String)>,
    /// Changes made after the party signed (办法第十四条: 文字记录有更改的，由当事人在更改处确认):
    /// (field, before, after). The party's fresh signature on the changed content confirms them.
    pub changes: Vec<(String, String, String)>,
    pub pdf_sha256: Option<String>,
    pub pages: u32,
    pub issued: Option<(String, Date, String)>,
}

pub const MAX_FIELD: usize = 20_000;

/// R-134 (the approved template) and basic hygiene on what a draft may hold: only the
/// catalogue's keys, a listed value where there is a list, no control characters.
fn check_fields(spec: &DocSpec, fields: &BTreeMap<String, String>) -> Result<(), CommandError> {
    let mut found = Vec::new();
    for (k, v) in fields {
        match spec.fields.iter().find(|f| f.key == k) {
            None => found.push(R_134.violated("fields", format!("{}没有“{k}”一项", spec.name))),
            Some(fs) => {
                if v.chars().count() > MAX_FIELD || v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    found.push(R_134.violated(fs.key, format!("“{}”过长或含有控制字符", fs.label)));
                } else if !fs.choices.is_empty() && !v.trim().is_empty() && !fs.choices.contains(&v.trim()) {
                    found.push(R_134.violated(fs.key, format!("“{}”须为：{}", fs.label, fs.choices.join("、"))));
                }
            }
        }
    }
    if found.is_empty() { Ok(()) } else { Err(Refusal { violations: found }.into()) }
}

/// Starts a document of `code` (a correction names the version it replaces and why: R-133).
pub fn draft(
    code: &str,
    kind: &str,
    fields: BTreeMap<String, String>,
    supersedes: Option<(String, String)>,
) -> Result<Event, CommandError> {
    let spec = spec(code).ok_or_else(|| {
        CommandError::from(Refusal {
            violations: vec![R_134.violated("code", format!("文书目录中没有 {code}"))]
        })
    })?;
    if !spec.kinds.contains(&kind) {
        return Err(Refusal {
            violations: vec![R_134.violated("code", format!("{}不适用于此类案件", spec.name))]
        }
        .into());
    }
    if let Some((_, reason)) = &supersedes
        && reason.trim().chars().count() < 2
    {
        return Err(Refusal {
            violations: vec![R_133.violated("reason", "更正须写明理由，原文书予以保留")]
        }
        .into());
    }
    check_fields(spec, &fields)?;
    Ok(Event::Drafted { code: code.to_string(), fields, supersedes })
}

impl Document {
    pub fn new(e: &Event) -> Option<Document> {
        let Event::Drafted { code, fields, supersedes } = e else { return None };
        Some(Document {
            spec: spec(code)?,
            fields: fields.clone(),
            supersedes: supersedes.clone(),
            state: State::Draft,
            approvals: Vec::new(),
            voided: 0,
            returns: Vec::new(),
            signatures: Vec::new(),
            refusals: Vec::new(),
            attachments: Vec::new(),
            changes: Vec::new(),
            pdf_sha256: None,
            pages: 0,
            issued: None,
        })
    }

    pub fn apply(&mut self, e: &Event) {
        match e {
            Event::Drafted { .. } => {}
            Event::Revised { fields } => {
                let party_signed =
                    self.signatures.iter().any(|s| self.spec.signers.iter().any(|x| x.role == s.role && x.refusable));
                if party_signed {
                    for f in self.spec.fields {
                        let before = self.fields.get(f.key).cloned().unwrap_or_default();
                        let after = fields.get(f.key).cloned().unwrap_or_default();
                        if before != after {
                            self.changes.push((f.key.to_string(), before, after));
                        }
                    }
                }
                self.fields = fields.clone();
            }
            Event::Approved(a) => self.approvals.push(a.clone()),
            Event::Returned(r) => {
                self.voided = self.approvals.len();
                self.returns.push(r.clone());
            }
            Event::Signed(s) => self.signatures.push(s.clone()),
            Event::Refused(r) => self.refusals.push(r.clone()),
            Event::Attached { key, sha256, media_type, .. } => {
                self.attachments.retain(|(k, _, _)| k != key);
                self.attachments.push((key.clone(), sha256.clone(), media_type.clone()));
            }
            Event::Finalised { pdf_sha256, pages, .. } => {
                self.state = State::Final;
                self.pdf_sha256 = Some(pdf_sha256.clone());
                self.pages = *pages;
            }
            Event::Issued { doc_no, date, seal_kind, pdf_sha256, .. } => {
                self.state = State::Issued;
                self.pdf_sha256 = Some(pdf_sha256.clone());
                self.issued = Some((doc_no.clone(), *date, seal_kind.clone()));
            }
        }
    }

    fn draft_only(&self, action: &'static str) -> Result<(), CommandError> {
        if self.state == State::Draft {
            Ok(())
        } else {
            // a finalised record is never edited; a correction is a new version.
            Err(Refusal {
                violations: vec![
                    R_133.violated(
                        "state",
                        format!("文书{}后不能{action}；如需更正，请另起更正版本", self.state.name()),
                    ),
                ],
            }
            .into())
        }
    }

    /// A draft's fields replaced (a finalised document refuses: R-133).
    pub fn revise(&self, fields: BTreeMap<String, String>) -> Result<Event, CommandError> {
        self.draft_only("修改")?;
        check_fields(self.spec, &fields)?;
        Ok(Event::Revised { fields })
    }

    /// One step of an internal approval (办法第十五条, R-131): an opinion that is more than a
    /// name, the handler's reasons, in order handler → reviewer → approver; each dated `at`.
    pub fn approve(&self, a: Approval) -> Result<Event, CommandError> {
        self.draft_only("审批")?;
        let mut found = Vec::new();
        if !self.spec.approval {
            return Err(CommandError::WrongState { state: "非内部审批文书", action: "审批" });
        }
        let Some(pos) = STEPS.iter().position(|(k, _)| *k == a.step) else {
            return Err(Refusal {
                violations: vec![R_131.violated("step", "审批环节须为 handler、reviewer 或 approver")],
            }
            .into());
        };
        let current = self.current_approvals(&a.content_hash);
        if current.iter().any(|x| x.step == a.step) {
            return Err(CommandError::WrongState { state: "该环节已审批", action: "再次审批" });
        }
        if let Some((_, prev)) = pos.checked_sub(1).map(|i| STEPS[i])
            && !current.iter().any(|x| x.step == STEPS[pos - 1].0)
        {
            found.push(R_131.violated("step", format!("须先有{prev}")));
        }
        let text = a.opinion.trim();
        if text.chars().count() < 2 || text == a.name.trim() {
            found.push(R_131.violated("opinion", format!("{}须写明意见（不得只签姓名）", STEPS[pos].1)));
        }
        if a.step == "handler" && a.reason.trim().chars().count() < 2 {
            found.push(R_131.violated("reason", "承办人须写明承办意见的理由"));
        }
        if found.is_empty() { Ok(Event::Approved(a)) } else { Err(Refusal { violations: found }.into()) }
    }

    /// The approvals that stand on `content_hash`: given on that content and not voided by a
    /// return since.
    pub fn current_approvals(&self, content_hash: &str) -> Vec<&Approval> {
        self.approvals.iter().skip(self.voided).filter(|a| a.content_hash == content_hash).collect()
    }

    /// The next approval step waiting on `content_hash`, if any.
    pub fn next_step(&self, content_hash: &str) -> Option<(&'static str, &'static str)> {
        if !self.spec.approval || self.state != State::Draft {
            return None;
        }
        let current = self.current_approvals(content_hash);
        STEPS.iter().copied().find(|(k, _)| !current.iter().any(|a| a.step == *k))
    }

    /// 退回: the step now waiting (after the handler's) sends the form back with reasons
    /// (办法第十五条; R-131). The approvals given are void; the handler revises and submits again.
    pub fn return_step(&self, r: Return) -> Result<Event, CommandError> {
        self.draft_only("退回")?;
        if !self.spec.approval {
            return Err(CommandError::WrongState { state: "非内部审批文书", action: "退回" });
        }
        match self.next_step(&r.content_hash) {
            Some((step, _)) if step == r.step && step != "handler" => {}
            Some(("handler", _)) => {
                return Err(CommandError::WrongState { state: "承办人尚未提交审批", action: "退回" });
            }
            _ => {
                return Err(Refusal {
                    violations: vec![R_131.violated("step", "只能由当前待审批环节退回")]
                }
                .into());
            }
        }
        if r.reasons.trim().chars().count() < 2 {
            return Err(Refusal { violations: vec![R_131.violated("reasons", "退回须写明理由")] }.into());
        }
        Ok(Event::Returned(r))
    }

    /// A signature bound to the content it was given to sign.
    pub fn sign(&self, s: Signature) -> Result<Event, CommandError> {
        self.draft_only("签名")?;
        if !self.spec.signers.iter().any(|x| x.role == s.role) {
            return Err(Refusal {
                violations: vec![R_134.violated("role", format!("{}无“{}”签名栏", self.spec.name, s.role))],
            }
            .into());
        }
        if s.name.trim().is_empty() || s.image_sha256.len() != 64 {
            return Err(Refusal {
                violations: vec![R_134.violated("signature", "签名须有签名人姓名和签名图像")]
            }
            .into());
        }
        Ok(Event::Signed(s))
    }

    /// A file kept with the draft: a scan of a receipt, the public notice (办法第十七条). A later
    /// file of the same kind replaces it in the document; both stay in the log.
    pub fn attach(&self, key: &str, sha256: &str, media_type: &str, at: Timestamp) -> Result<Event, CommandError> {
        self.draft_only("附加文件")?;
        if !self.spec.attachments.iter().any(|(k, _, _)| *k == key) {
            return Err(Refusal {
                violations: vec![R_134.violated("key", format!("{}无此附件栏", self.spec.name))]
            }
            .into());
        }
        Ok(Event::Attached { key: key.into(), sha256: sha256.into(), media_type: media_type.into(), at })
    }

    /// A refusal to sign, noted and signed by at least two distinct officers (办法第十四条, R-021).
    pub fn refuse(&self, r: RefusalNote) -> Result<Event, CommandError> {
        self.draft_only("注明拒签")?;
        let Some(signer) = self.spec.signers.iter().find(|x| x.role == r.role) else {
            return Err(Refusal {
                violations: vec![R_134.violated("role", format!("{}无此签名栏", self.spec.name))]
            }
            .into());
        };
        let mut found = Vec::new();
        if !signer.refusable {
            found.push(R_021.violated("role", format!("{}须签名，不适用拒签注明", signer.name)));
        }
        let mut officers: Vec<&str> = r.officers.iter().map(|o| o.trim()).filter(|o| !o.is_empty()).collect();
        officers.sort_unstable();
        officers.dedup();
        if officers.len() < 2 {
            found.push(R_021.violated("officers", "当事人拒绝签字的，须由两名以上执法人员签字注明"));
        }
        if r.reason.trim().is_empty() {
            found.push(R_021.violated("reason", "须注明拒绝签字的情况"));
        }
        if found.is_empty() { Ok(Event::Refused(r)) } else { Err(Refusal { violations: found }.into()) }
    }

    /// What still keeps the draft from being finalised with `content_hash`: required fields
    /// approvals and signatures or refusal notes (办法第十四条、第十六条、
    /// 第十七条; R-021) on this very content.
    pub fn missing(&self, content_hash: &str) -> Vec<Violation> {
        let mut found = Vec::new();
        for fs in self.spec.fields {
            let filled = self.fields.get(fs.key).is_some_and(|v| !v.trim().is_empty());
            if !filled && (fs.need == Need::Always || (fs.need != Need::Optional && fs.need.applies(&self.fields))) {
                found.push(R_132.violated(fs.key, format!("“{}”未填写", fs.label)));
            }
        }
        if self.spec.approval {
            for (step, name) in STEPS {
                if !self.current_approvals(content_hash).iter().any(|a| a.step == step) {
                    found.push(R_131.violated("approvals", format!("缺少{name}（或内容修改后未重新审批）")));
                }
            }
        }
        for (key, label, need) in self.spec.attachments {
            if need.applies(&self.fields) && !self.attachments.iter().any(|(k, _, _)| k == key) {
                found.push(R_132.violated("attachments", format!("须附{label}（办法第十七条）")));
            }
        }
        for signer in self.spec.signers {
            if !(signer.need == Need::Always || signer.need.applies(&self.fields)) {
                continue;
            }
            let mut who: Vec<&str> = self
                .signatures
                .iter()
                .filter(|s| s.role == signer.role && s.content_hash == content_hash)
                .map(|s| s.name.trim())
                .collect();
            who.sort_unstable();
            who.dedup();
            if let Some(key) = signer.each_of {
                // 办法第十六条: each listed participant reviews and signs (or the refusal is noted).
                for n in listed(self.fields.get(key).map_or("", String::as_str)) {
                    let signed = self
                        .signatures
                        .iter()
                        .any(|s| s.role == signer.role && s.name.trim() == n && s.content_hash == content_hash);
                    let refused = self
                        .refusals
                        .iter()
                        .any(|r| r.role == signer.role && r.who.trim() == n && r.content_hash == content_hash);
                    if !signed && !refused {
                        found.push(
                            R_132.violated("signatures", format!("缺少{}“{n}”的签名（或拒签注明）", signer.name)),
                        );
                    }
                }
            }
            let refused = signer.refusable
                && self.refusals.iter().any(|r| r.role == signer.role && r.content_hash == content_hash);
            if signer.refusable && !self.changes.is_empty() && who.is_empty() && !refused {
                // 办法第十四条: a record changed after the party signed is confirmed by them at
                // the change (here: their signature on the changed content).
                let changed: Vec<&str> = self
                    .changes
                    .iter()
                    .filter_map(|(k, _, _)| self.spec.fields.iter().find(|f| f.key == k).map(|f| f.label))
                    .collect();
                found.push(R_022.violated(
                    "signatures",
                    format!("{}签名后“{}”有更改，须由其确认", signer.name, changed.join("、")),
                ));
            }
            if who.len() < usize::from(signer.min) && !refused {
                let rule = if signer.refusable { R_021 } else { R_132 };
                found.push(rule.violated(
                    "signatures",
                    format!("缺少{}签名（至少{}人；内容修改后须重新签名）", signer.name, signer.min),
                ));
            }
        }
        found
    }

    /// 公告送达: the day the document counts as served — thirty days after the notice was
    /// published (民事诉讼法第九十五条); `None` for other methods or without a valid date.
    pub fn deemed_served_on(&self) -> Option<Date> {
        if self.fields.get("method").map(|m| m.trim()) != Some("公告送达") {
            return None;
        }
        let published = Date::parse(self.fields.get("notice_published_on")?.trim()).ok()?;
        Some(published.plus_days(crate::service::PUBLIC_NOTICE_DAYS))
    }

    /// Fixes the content: refused while anything is missing.
    pub fn finalise(
        &self,
        content_hash: &str,
        pdf_sha256: &str,
        pages: u32,
        at: Timestamp,
    ) -> Result<Event, CommandError> {
        self.draft_only("定稿")?;
        let missing = self.missing(content_hash);
        if !missing.is_empty() {
            return Err(Refusal { violations: missing }.into());
        }
        Ok(Event::Finalised { content_hash: content_hash.into(), pdf_sha256: pdf_sha256.into(), pages, at })
    }

    /// Issues a finalised party-facing document under a seal of the office valid on `date`,
    /// with that issue date and a 文号 (办法第十三条, R-130).
    pub fn issue(
        &self,
        agency: &Agency,
        doc_no: &str,
        date: Date,
        pdf_sha256: &str,
        at: Timestamp,
    ) -> Result<Event, CommandError> {
        if self.state != State::Final {
            return Err(CommandError::WrongState { state: self.state.name(), action: "签发（须先定稿）" });
        }
        if !self.spec.sealed {
            return Err(CommandError::WrongState { state: "内部文书", action: "签发" });
        }
        let mut found = Vec::new();
        let kind = self.spec.seal_kind;
        if !agency.holds_seal(Some(kind), date) {
            found.push(R_130.violated("seal", format!("办事处无签发日有效的“{kind}”或公章")));
        }
        if doc_no.trim().is_empty() {
            found.push(R_130.violated("doc_no", "须有文号"));
        }
        if !found.is_empty() {
            return Err(Refusal { violations: found }.into());
        }
        let seal_kind = agency
            .seals
            .iter()
            .find(|s| s.kind == kind && s.valid_from <= date && date <= s.valid_to)
            .map_or("公章", |s| s.kind.as_str());
        Ok(Event::Issued {
            doc_no: doc_no.trim().into(),
            date,
            seal_kind: seal_kind.into(),
            pdf_sha256: pdf_sha256.into(),
            at,
        })
    }
}

/// A signature on the pad by `name` as `role`, for the examples and tests.
#[cfg(test)]
fn sample_signature(role: &str, name: &str, at: Timestamp) -> Signature {
    Signature {
        role: role.into(),
        name: name.into(),
        person: String::new(),
        method: "pad".into(),
        image_sha256: "a".repeat(64),
        content_hash: "h".into(),
        at,
        key_id: String::new(),
        signature: String::new(),
    }
}

#[cfg(test)]
pub(crate) fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    use crate::agency::Seal;
    let at = Timestamp(1_795_000_000_000);
    let ids = |r: Result<Event, CommandError>| match r {
        Err(CommandError::Refused(r)) => r.violations.iter().map(|v| v.rule.id).collect(),
        _ => Vec::new(),
    };
    let fields = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let doc = |code: &str, kind: &str, fs: BTreeMap<String, String>| {
        Document::new(&draft(code, kind, fs, None).unwrap()).unwrap()
    };
    let sig = |role: &str, name: &str| sample_signature(role, name, at);
    let refusal = |officers: &[&str]| RefusalNote {
        role: "party".into(),
        who: "某某".into(),
        reason: "当事人拒绝签字".into(),
        officers: officers.iter().map(|s| s.to_string()).collect(),
        witness: String::new(),
        content_hash: "h".into(),
        at,
    };
    let approval = |step: &str, opinion: &str, reason: &str| Approval {
        step: step.into(),
        person: "u1".into(),
        name: "王明".into(),
        opinion: opinion.into(),
        reason: reason.into(),
        at,
        content_hash: "h".into(),
        key_id: String::new(),
        signature: String::new(),
    };
    let filed = doc("D02", "penalty", fields(&[("cause", "占道经营")]));
    let photo = doc("D12", "inspection", BTreeMap::new());
    let decision = {
        let mut d = doc("D36", "penalty", BTreeMap::new());
        d.apply(&Event::Finalised { content_hash: "h".into(), pdf_sha256: "p".into(), pages: 1, at });
        d
    };
    let agency = |valid_to: &str| Agency {
        name: "迁西县栗乡街道办事处".into(),
        uscc: String::new(),
        has_enforcement_power: false,
        review_organ: String::new(),
        court: String::new(),
        seals: vec![Seal {
            kind: "行政执法专用章".into(),
            valid_from: Date::parse("2026-01-01").unwrap(),
            valid_to: Date::parse(valid_to).unwrap(),
        }],
        ..Agency::default()
    };
    let day = Date::parse("2026-11-27").unwrap();
    let all_fields_d11 = fields(&[
        ("started_at", "2026-11-27 09:00"),
        ("ended_at", "2026-11-27 09:40"),
        ("place", "办事处询问室"),
        ("inquirers", "王明 13010001、李强 13010002"),
        ("recorder", "李强"),
        ("interviewee", "赵六"),
        ("interviewee_id", "130227199001011234"),
        ("relation", "当事人"),
        ("notice", "已出示执法证，告知申请回避的权利"),
        ("qa", "问：……答：……"),
        ("confirmation", "以上笔录我看过，和我说的一样"),
    ]);
    let inquiry = |filled: bool| {
        let mut d = doc("D11", "penalty", all_fields_d11.clone());
        if !filled {
            d.apply(&Event::Revised { fields: BTreeMap::new() });
        }
        for (r, n) in [("officer", "王明"), ("officer", "李强"), ("recorder", "李强")] {
            d.apply(&Event::Signed(sig(r, n)));
        }
        d.apply(&Event::Signed(sig("interviewee", "赵六")));
        d
    };
    let fin = |d: &Document| d.finalise("h", "p", 1, at);
    let unsigned = {
        let mut d = doc("D11", "penalty", all_fields_d11.clone());
        for (r, n) in [("officer", "王明"), ("officer", "李强"), ("recorder", "李强")] {
            d.apply(&Event::Signed(sig(r, n)));
        }
        d
    };
    // Changed after the interviewee signed: confirmed only by their signature on the new content.
    let changed = |confirmed: bool| {
        let mut d = inquiry(true);
        let mut f = d.fields.clone();
        f.insert("qa".into(), "问：……答：……（补充）".into());
        d.apply(&Event::Revised { fields: f });
        if confirmed {
            d.apply(&Event::Signed(Signature { content_hash: "h2".into(), ..sig("interviewee", "赵六") }));
        }
        d
    };
    let fin2 = |d: &Document| d.finalise("h2", "p", 1, at);
    vec![
        ("R-022", ids(fin2(&changed(false))), ids(fin2(&changed(true)))),
        ("R-021", ids(photo.refuse(refusal(&["王明", "王明"]))), ids(photo.refuse(refusal(&["王明", "李强"])))),
        ("R-021", ids(fin(&unsigned)), ids(fin(&inquiry(true)))),
        (
            "R-131",
            ids(filed.approve(approval("handler", "王明", "事实清楚"))),
            ids(filed.approve(approval("handler", "建议立案", "有违法嫌疑"))),
        ),
        ("R-132", ids(fin(&inquiry(false))), ids(fin(&inquiry(true)))),
        (
            "R-133",
            ids(decision.revise(BTreeMap::new())),
            ids(doc("D36", "penalty", BTreeMap::new()).revise(BTreeMap::new())),
        ),
        (
            "R-134",
            ids(draft("D36", "penalty", fields(&[("colour", "红")]), None)),
            ids(draft("D36", "penalty", fields(&[("party", "某某")]), None)),
        ),
        (
            "R-130",
            ids(decision.issue(&agency("2026-06-30"), "栗街罚决〔2026〕3号", day, "p", at)),
            ids(decision.issue(&agency("2026-12-31"), "栗街罚决〔2026〕3号", day, "p", at)),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_notice_counts_as_served_thirty_days_after_it_was_published() {
        let fields = |method: &str| -> BTreeMap<String, String> {
            [("method", method), ("notice_published_on", "2026-11-02")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let d = Document::new(&draft("D41", "penalty", fields("公告送达"), None).unwrap()).unwrap();
        assert_eq!(d.deemed_served_on(), Some(Date::parse("2026-12-02").unwrap()));
        let d = Document::new(&draft("D41", "penalty", fields("直接送达"), None).unwrap()).unwrap();
        assert_eq!(d.deemed_served_on(), None);
    }

    #[test]
    fn each_hearing_participant_listed_signs_or_has_the_refusal_noted() {
        assert_eq!(listed("张某某（当事人）、李某（委托代理人）\n王某;赵某"), ["张某某", "李某", "王某", "赵某"]);
        let at = Timestamp(1_795_000_000_000);
        let fields: BTreeMap<String, String> = CATALOGUE
            .iter()
            .find(|s| s.code == "D34c")
            .unwrap()
            .fields
            .iter()
            .map(|f| {
                (
                    f.key.to_string(),
                    if f.key == "participants" { "张某某（当事人）、李某（代理人）" } else { "内容" }.to_string(),
                )
            })
            .collect();
        let mut d = Document::new(&draft("D34c", "penalty", fields, None).unwrap()).unwrap();
        let sign = |role: &str, name: &str| Event::Signed(sample_signature(role, name, at));
        for (r, n) in [("host", "主持人"), ("recorder", "记录员"), ("participant", "张某某")] {
            d.apply(&sign(r, n));
        }
        let missing = d.missing("h");
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].detail.contains("李某"), "{missing:?}");
        d.apply(&Event::Refused(RefusalNote {
            role: "participant".into(),
            who: "李某".into(),
            reason: "拒绝在笔录上签字".into(),
            officers: vec!["王明".into(), "李华".into()],
            witness: String::new(),
            content_hash: "h".into(),
            at,
        }));
        assert!(d.missing("h").is_empty(), "{:?}", d.missing("h"));
    }

    /// 集体讨论记录: every member it lists confirms it (three at least); a name listed
    /// but not signed for leaves it unfinished, however many others signed.
    #[test]
    fn each_member_a_discussion_record_lists_signs_it() {
        let at = Timestamp(1_795_000_000_000);
        let fields: BTreeMap<String, String> = CATALOGUE
            .iter()
            .find(|s| s.code == "D35")
            .unwrap()
            .fields
            .iter()
            .map(|f| {
                (
                    f.key.to_string(),
                    if f.key == "members" { "张主任、王副主任、刘副主任、赵委员" } else { "内容" }.to_string(),
                )
            })
            .collect();
        let mut d = Document::new(&draft("D35", "penalty", fields, None).unwrap()).unwrap();
        for n in ["张主任", "王副主任", "刘副主任"] {
            d.apply(&Event::Signed(sample_signature("member", n, at)));
        }
        let missing = d.missing("h");
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].detail.contains("赵委员"), "{missing:?}");
        d.apply(&Event::Signed(sample_signature("member", "赵委员", at)));
        assert!(d.missing("h").is_empty(), "{:?}", d.missing("h"));
    }
}
