//! Forms for the case commands, declared as data: each field has a JSON path, a Chinese label
//! and a kind. A submitted form becomes the same JSON the API takes, and runs through the same
//! code; a rule's refusal is shown beside the field it names.

use serde_json::{Map, Value};

/// The label of the password a signed step asks for (电子签名法第十三条).
const SIGNING_PASSWORD: &str = "本人登录密码（用于电子签名）";

/// What kind of input a field is, and how its text becomes JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    LongText,
    /// `datetime-local`, Asia/Shanghai → Unix ms.
    DateTime,
    /// `YYYY-MM-DD`, kept as text.
    Date,
    /// A checkbox → true/false.
    Bool,
    /// One of the options → its code.
    Select(&'static [(&'static str, &'static str)]),
    /// Comma- or 、-separated names → a list of strings.
    List,
    /// The registered officers as checkboxes → `[{officer_id, id_shown_at}]`, the credentials
    /// shown at the time of the sibling `at` field.
    Officers,
    /// Fixed: not shown, always this JSON text.
    Fixed(&'static str),
    /// Several of the options as checkboxes → their codes, comma-separated.
    Multi(&'static [(&'static str, &'static str)]),
    /// One registered officer, or none → their id (or "").
    Officer,
    /// A password: never shown back.
    Secret,
    /// An amount in yuan (up to two decimals) → fen.
    Yuan,
    /// Registered officers as checkboxes → their ids.
    OfficerList,
    /// A whole number → a JSON number.
    Number,
    /// A whole number, or nothing → null.
    OptNumber,
    /// A `datetime-local`, or nothing → null.
    OptDateTime,
    /// A checkbox that is not sent: it opens the fields that name it in their `when`.
    Gate,
    /// Lines of whitespace-separated columns → a list of objects, one per line (an
    /// instalment plan: `2026-12-31 1000`; seals: `公章 2024-01-01 2028-12-31`).
    Rows(&'static [(&'static str, Col)]),
    /// One item per line → a list of strings.
    Lines,
    /// Several of the options as checkboxes → a list of their codes.
    Checks(&'static [(&'static str, &'static str)]),
    /// The case's records as checkboxes → a list of their ids.
    Records,
}

/// A column of [`Kind::Rows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Text,
    /// `YYYY-MM-DD`, kept as text.
    Date,
    /// Yuan → fen.
    Yuan,
}

/// Upkeep of a recording device (办法第二十四条).
pub const UPKEEP_KINDS: &[(&str, &str)] = &[("service", "维护保养"), ("repair_started", "送修"), ("repaired", "修复")];

/// An instalment plan: due date and amount.
pub const PLAN: &[(&str, Col)] = &[("due", Col::Date), ("amount_fen", Col::Yuan)];
/// Seals: kind, in use from, to.
pub const SEALS: &[(&str, Col)] = &[("kind", Col::Text), ("valid_from", Col::Date), ("valid_to", Col::Date)];

#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The JSON path, dotted for nested objects (`act.at`).
    pub path: &'static str,
    /// The input's name: the path, unless two inputs fill one path in different cases.
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    /// Sent only when the input named first has the value second (a service method's own
    /// fields, a refusal to sign…); otherwise left out of the JSON.
    pub when: Option<(&'static str, &'static str)>,
}

/// The signing password of a role's own step (电子签名法第十三条).
const SIGN: Field = f("password", SIGNING_PASSWORD, Kind::Secret);

const fn f(path: &'static str, label: &'static str, kind: Kind) -> Field {
    Field { path, name: path, label, kind, when: None }
}

/// A field sent only when the input `gate` has `value`, under its own input `name`.
const fn w(
    gate: &'static str,
    value: &'static str,
    name: &'static str,
    path: &'static str,
    label: &'static str,
    kind: Kind,
) -> Field {
    Field { path, name, label, kind, when: Some((gate, value)) }
}

impl Field {
    /// Whether the submitted form sends this field.
    pub fn active(&self, form: &Submitted) -> bool {
        self.when.is_none_or(|(gate, value)| first(form, gate) == value)
    }
}

/// A command (or a case opening) and its fields.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The case type it belongs to, or `new` for opening a case.
    pub case_type: &'static str,
    /// The command's `type` (or the kind of case opened).
    pub command: &'static str,
    pub label: &'static str,
    pub fields: &'static [Field],
}

pub const INSPECTION_KINDS: &[(&str, &str)] =
    &[("routine", "日常检查"), ("random", "双随机抽查"), ("triggered", "有因检查"), ("special", "专项检查")];
pub const SOURCES: &[(&str, &str)] = &[
    ("inspection", "检查发现"),
    ("complaint", "投诉举报"),
    ("assigned", "上级交办"),
    ("transferred", "部门移送"),
    ("monitoring", "监控发现"),
    ("other", "其他"),
];
pub const PARTY_KINDS: &[(&str, &str)] = &[("citizen", "公民"), ("organisation", "法人或者其他组织")];
pub const PARTY_TYPES: &[(&str, &str)] =
    &[("natural_person", "自然人"), ("legal_person", "法人"), ("other_org", "其他组织")];
pub const ID_TYPES: &[(&str, &str)] = &[("居民身份证", "居民身份证"), ("", "无（法人或其他组织）")];
pub const PENALTIES: &[(&str, &str)] = &[("warning", "警告"), ("fine", "罚款")];
/// Where a 案卷's 页号 go.
pub const PAGE_NUMBER_POSITIONS: &[(&str, &str)] =
    &[("", "右上角（缺省）"), ("top_right", "右上角"), ("bottom_right", "右下角"), ("bottom_center", "底部居中")];
/// A kind's retention in the office's table; blank: the kind's least.
pub const RETENTIONS: &[(&str, &str)] =
    &[("", "按该类最短期限"), ("Y", "永久"), ("D30", "定期30年"), ("D10", "定期10年")];
pub const PAYMENT: &[(&str, &str)] = &[("bank", "到指定银行或电子缴纳"), ("on_site", "当场收缴")];
pub const ROLES: &[(&str, &str)] = &[
    ("officer", "执法人员"),
    ("unit_head", "承办机构负责人"),
    ("legal_reviewer", "法制审核人员"),
    ("approver", "负责人"),
    ("discussion_member", "集体讨论成员"),
    ("archivist", "档案管理员"),
    ("device_admin", "设备管理员"),
    ("supervisor", "监督人员"),
    ("sysadmin", "系统管理员"),
];

pub const MATTER_KINDS: &[(&str, &str)] =
    &[("penalty", "行政处罚"), ("licence", "行政许可"), ("coercion", "行政强制"), ("inspection", "行政检查")];
pub const RELATIONS: &[(&str, &str)] =
    &[("当事人本人", "当事人本人"), ("委托代理人", "委托代理人"), ("法定代理人", "法定代理人")];
pub const ACCESS_MODES: &[(&str, &str)] = &[("view", "查阅"), ("copy", "复制")];
pub const TOUCHES: &[(&str, &str)] =
    &[("personal_liberty", "人身自由"), ("life_health", "生命健康"), ("major_property", "重大财产权益")];
pub const AV_MODES: &[(&str, &str)] = &[("全程", "全程"), ("根据实际情况", "根据实际情况")];
pub const STAGE_OPTIONS: &[(&str, &str)] =
    &[("程序启动", "程序启动"), ("调查取证", "调查取证"), ("审查决定", "审查决定"), ("送达执行", "送达执行")];

/// Several groups of fields as one form; `N` must be their total (checked when compiled).
const fn join<const N: usize>(parts: &[&[Field]]) -> [Field; N] {
    let mut out = [f("", "", Kind::Text); N];
    let (mut i, mut p) = (0, 0);
    while p < parts.len() {
        let mut j = 0;
        while j < parts[p].len() {
            out[i] = parts[p][j];
            i += 1;
            j += 1;
        }
        p += 1;
    }
    assert!(i == N, "the form's length is not the sum of its parts");
    out
}

/// The on-site act of 办法第六条 under `prefix`.
macro_rules! act_fields {
    ($p:literal) => {
        [
            f(concat!($p, "at"), "时间", Kind::DateTime),
            f(concat!($p, "place"), "地点", Kind::Text),
            f(concat!($p, "officers"), "执法人员（已出示执法证件）", Kind::Officers),
            f(concat!($p, "recording_announced"), "已告知当事人正在进行执法记录", Kind::Bool),
            f(concat!($p, "problems_found"), "发现问题", Kind::Bool),
            f(concat!($p, "summary"), "情况记录", Kind::LongText),
            f(concat!($p, "touches"), "直接涉及（须全程音像记录，办法第十九条）", Kind::Checks(TOUCHES)),
        ]
    };
}

/// The 当事人 of R-016 under `prefix`: a natural person by 居民身份证, an organisation by its code.
macro_rules! party_fields {
    ($p:literal) => {
        [
            f(concat!($p, "kind"), "当事人", Kind::Select(PARTY_TYPES)),
            f(concat!($p, "name"), "姓名或名称", Kind::Text),
            f(concat!($p, "id_type"), "身份证件", Kind::Select(ID_TYPES)),
            f(concat!($p, "id_number"), "身份证号码", Kind::Text),
            f(concat!($p, "uscc"), "统一社会信用代码（法人或其他组织）", Kind::Text),
            f(concat!($p, "legal_rep"), "法定代表人或负责人", Kind::Text),
            f(concat!($p, "address"), "住所或地址", Kind::Text),
            f(concat!($p, "phone"), "联系电话", Kind::Text),
        ]
    };
}

pub const SERVICE_METHODS: &[(&str, &str)] = &[
    ("direct", "直接送达"),
    ("lien", "留置送达"),
    ("entrusted", "委托送达"),
    ("postal", "邮寄送达"),
    ("electronic", "电子送达"),
    ("public_notice", "公告送达"),
];

/// A field of one 送达方式 under `prefix`: sent only when that method is chosen.
macro_rules! by {
    ($p:literal, $m:literal, $name:literal => $path:literal, $label:literal, $kind:expr) => {
        w(concat!($p, "method.type"), $m, concat!($p, "method.", $name), concat!($p, "method.", $path), $label, $kind)
    };
    ($p:literal, $m:literal, $name:literal, $label:literal, $kind:expr) => {
        by!($p, $m, $name => $name, $label, $kind)
    };
}

/// A 送达回证 under `prefix`, by any of the six methods (办法第十七条): the method's own fields
/// are sent only when it is chosen.
macro_rules! service_fields {
    ($p:literal) => {
        [
            f(concat!($p, "document"), "送达文书（名称及文号）", Kind::Text),
            f(concat!($p, "recipient"), "受送达人", Kind::Text),
            f(concat!($p, "at"), "送达时间", Kind::DateTime),
            f(concat!($p, "place"), "送达地点", Kind::Text),
            f(concat!($p, "servers"), "送达人", Kind::OfficerList),
            f(concat!($p, "method.type"), "送达方式", Kind::Select(SERVICE_METHODS)),
            by!($p, "direct", "receiver", "签收人", Kind::Text),
            by!($p, "direct", "relation", "代收人与受送达人的关系（本人签收的不填）", Kind::Text),
            by!($p, "lien", "refusal_reason", "拒收情况", Kind::LongText),
            by!($p, "lien", "witnesses", "见证人（以、分隔）", Kind::List),
            by!($p, "lien", "av_ref", "音像记录（编号及时段）", Kind::Text),
            by!($p, "lien", "left_at_residence", "文书已留在受送达人的住所", Kind::Bool),
            by!($p, "entrusted", "agency", "受委托机关", Kind::Text),
            by!($p, "entrusted", "entrust_reason" => "reason", "委托送达的原因", Kind::Text),
            by!($p, "postal", "tracking_no", "邮件单号", Kind::Text),
            by!($p, "postal", "return_receipt_at", "回执签收时间（未收到回执的不填）", Kind::OptDateTime),
            by!($p, "postal", "returned_undelivered", "邮件被退回", Kind::Bool),
            by!($p, "electronic", "consent_ref", "送达地址确认书（受送达人同意电子送达）", Kind::Text),
            by!($p, "electronic", "channel", "送达渠道", Kind::Text),
            by!($p, "electronic", "proof", "到达证明（以、分隔）", Kind::List),
            by!($p, "public_notice", "notice_reason" => "reason", "公告送达的原因（下落不明或其他方式无法送达）", Kind::Text),
            by!($p, "public_notice", "prior_attempts", "此前的送达尝试（以、分隔）", Kind::List),
            by!($p, "public_notice", "medium", "公告载体", Kind::Text),
            by!($p, "public_notice", "published_at", "公告发布时间", Kind::DateTime),
            f(concat!($p, "recipient_signed"), "受送达人已在送达回证上签名", Kind::Bool),
        ]
    };
}

/// The fields of one 送达回证.
const SVC: usize = 25;
const INVESTIGATE: [Field; 7] = act_fields!("act.");
const RECTIFY: [Field; 2 + SVC] =
    join(&[&[f("at", "决定时间", Kind::DateTime), f("due", "整改期限", Kind::Date)], &service_fields!("service.")]);
pub const EXCLUDED: &[(&str, &str)] = &[
    ("听证", "听证"),
    ("招标", "招标"),
    ("拍卖", "拍卖"),
    ("检验", "检验"),
    ("检测", "检测"),
    ("检疫", "检疫"),
    ("鉴定", "鉴定"),
    ("专家评审", "专家评审"),
];
const APPLICATION: [Field; 13] = join(&[
    &[
        f("case_no", "受理编号（留空按本机关编号规则自动编号）", Kind::Text),
        f("matter", "许可事项", Kind::Text),
        f("received_at", "收到申请时间", Kind::DateTime),
        f("materials", "申请材料（以、分隔）", Kind::List),
        f("receipt_issued", "已出具收件凭证", Kind::Bool),
    ],
    &party_fields!("applicant."),
]);
const EXCLUDE: [Field; 3 + SVC] = join(&[
    &[
        f("at", "时间", Kind::DateTime),
        f("kind", "事项", Kind::Select(EXCLUDED)),
        f("working_days", "所需时间（工作日）", Kind::Number),
    ],
    &service_fields!("notice."),
]);
const CERTIFICATE: [Field; 1 + SVC] =
    join(&[&[f("certificate_no", "证件编号", Kind::Text)], &service_fields!("service.")]);
const DENIAL: [Field; SVC] = service_fields!("service.");
const HEARING: [Field; 6] = [
    f("hearing.at", "举行时间", Kind::DateTime),
    f("hearing.transcript_no", "听证笔录编号", Kind::Text),
    f("hearing.transcript_signed", "听证笔录已经参加人确认签字", Kind::Bool),
    f("hearing.public", "公开举行", Kind::Bool),
    f("hearing.non_public_reason", "不公开的理由（国家秘密、商业秘密或者个人隐私）", Kind::Text),
    f("hearing.agents", "代理人（以、分隔）", Kind::List),
];
pub const ALL_PENALTIES: &[(&str, &str)] = &[
    ("warning", "警告"),
    ("fine", "罚款"),
    ("confiscation", "没收违法所得、没收非法财物"),
    ("suspend_licence", "暂扣许可证件"),
    ("lower_qualification", "降低资质等级"),
    ("revoke_licence", "吊销许可证件"),
    ("restrict_business", "限制开展生产经营活动"),
    ("suspend_business", "责令停产停业"),
    ("order_closure", "责令关闭"),
    ("restrict_practice", "限制从业"),
];
const LEAD: [Field; 14] = join(&[
    &[
        f("case_no", "案号（留空按本机关编号规则自动编号）", Kind::Text),
        f("matter", "执法事项", Kind::Text),
        f("matter_code", "权责清单事项编码（如 P-001）", Kind::Text),
        f("party_kind", "当事人类型", Kind::Select(PARTY_KINDS)),
        f("source", "来源", Kind::Select(SOURCES)),
        f("reason", "启动原因", Kind::LongText),
        f("received_at", "接收或发现时间", Kind::DateTime),
        f("major", "属于重大执法决定法制审核目录", Kind::Bool),
    ],
    &[
        f("party.kind", "当事人（如已知）", Kind::Select(PARTY_TYPES)),
        f("party.name", "姓名或名称", Kind::Text),
        f("party.id_type", "身份证件", Kind::Select(ID_TYPES)),
        f("party.id_number", "身份证号码", Kind::Text),
        f("party.address", "住所或地址", Kind::Text),
        f("party.phone", "联系电话", Kind::Text),
    ],
]);
// 立案 and 结案 rest on the case's approved 立案审批表 and 结案审批表 (办法第十五条): the approvals
// are given on the forms, each by its own account, never typed here.
const FILE: [Field; 3] = [
    f("filed_at", "立案时间", Kind::DateTime),
    f("violation_ended", "违法行为终了日期", Kind::Date),
    f("grave", "涉及生命健康安全、金融安全且有危害后果（追责期限五年）", Kind::Bool),
];
const CLOSE_ORDINARY: [Field; 1] = [f("at", "结案时间", Kind::DateTime)];
const NOTICE: [Field; 7 + SVC] = join(&[
    &[
        f("doc.penalty.kind", "拟作出的处罚", Kind::Select(ALL_PENALTIES)),
        f("doc.penalty.amount_fen", "金额（元）", Kind::Yuan),
        f("doc.facts", "事实", Kind::LongText),
        f("doc.reasons", "理由", Kind::LongText),
        f("doc.legal_basis", "依据", Kind::LongText),
        f("doc.hearing_right_told", "已告知听证权利", Kind::Bool),
    ],
    &[f("doc.statement_days", "陈述申辩期限（工作日）", Kind::Number)],
    &service_fields!("service."),
]);
const DECIDE: [Field; 15] = join(&[
    &[f("at", "决定时间", Kind::DateTime)],
    &[
        f("doc.doc_no", "决定书文号", Kind::Text),
        f("doc.penalty.kind", "处罚种类", Kind::Select(ALL_PENALTIES)),
        f("doc.penalty.amount_fen", "金额（元）", Kind::Yuan),
        f("doc.facts", "违法事实", Kind::LongText),
        f("doc.legal_basis", "处罚依据", Kind::LongText),
        f("doc.performance_days", "履行期限（日）", Kind::Number),
        f("doc.relief_route_stated", "载明申请行政复议、提起行政诉讼的途径和期限", Kind::Bool),
        f("doc.sealed", "加盖印章", Kind::Bool),
        f("doc.hearing_transcript", "听证笔录编号（经听证的）", Kind::Text),
        f("late_explanation", "超过九十日的书面说明", Kind::LongText),
    ],
    &[
        f("has_order", "同时责令当事人履行义务（限期拆除、恢复原状等）", Kind::Gate),
        w("has_order", "on", "doc.order.content", "doc.order.content", "责令内容", Kind::LongText),
        w("has_order", "on", "doc.order.deadline", "doc.order.deadline", "履行期限", Kind::Date),
        w("has_order", "on", "doc.order.demolition", "doc.order.demolition", "拆除建筑物、构筑物、设施", Kind::Bool),
    ],
]);
const SERVE: [Field; SVC] = service_fields!("service.");
pub const MEASURE_KINDS: &[(&str, &str)] = &[("seal", "查封"), ("seize", "扣押")];
pub const OUTCOMES: &[(&str, &str)] =
    &[("confiscated", "没收"), ("destroyed", "销毁"), ("released", "解除（退还）"), ("transferred", "移送")];
const MEASURE: [Field; 17] = join(&[
    &[
        f("case_no", "文号（留空按本机关编号规则自动编号）", Kind::Text),
        f("matter", "执法事项", Kind::Text),
        f("kind", "措施", Kind::Select(MEASURE_KINDS)),
        f("items", "物品（以、分隔）", Kind::List),
        f("reason", "理由", Kind::LongText),
        f("legal_basis", "依据", Kind::LongText),
    ],
    &party_fields!("party."),
    &[
        f("property.related_to_case", "物品与违法行为有关", Kind::Bool),
        f("property.necessities_excluded", "不含生活必需品", Kind::Bool),
        f("property.not_sealed_elsewhere", "未被其他国家机关查封", Kind::Bool),
    ],
]);
const EXECUTE: [Field; 17] = {
    let a = act_fields!("act.");
    join(&[
        &[a[0], a[1], a[2], a[3], a[5]],
        &[
            f("emergency", "情况紧急，当场实施（须二十四小时内补批）", Kind::Bool),
            f("checklist.party_notified", "已通知当事人到场", Kind::Bool),
            f("checklist.reasons_and_rights_told", "已当场告知理由、依据及权利、救济途径", Kind::Bool),
            f("checklist.statements_heard", "已听取陈述申辩", Kind::Bool),
            f("checklist.record_signed", "现场笔录已由当事人和执法人员签名（或注明）", Kind::Bool),
            f("doc.term_days", "期限（日，不超过三十日）", Kind::Number),
            f("doc.sealed", "决定书已加盖印章", Kind::Bool),
            f("doc.relief_told", "决定书载明救济途径", Kind::Bool),
            f("doc.inventory_copies", "清单份数", Kind::Number),
            f("doc.handed_over", "决定书和清单已当场交付", Kind::Bool),
            f("av_full", "全程音像记录", Kind::Bool),
            f("act.problems_found", "", Kind::Fixed("true")),
        ],
    ])
};
const EXTEND: [Field; 2 + SVC] =
    join(&[&[f("days", "延长（日，不超过三十日）", Kind::Number)], &service_fields!("notice."), &[SIGN]]);
const DISPOSE: [Field; 2 + SVC] = join(&[
    &[f("at", "时间", Kind::DateTime), f("outcome", "处理结果", Kind::Select(OUTCOMES))],
    &service_fields!("service."),
]);
const SUMMARY_START: [Field; 19] = join(&[
    &[
        f("case_no", "当场处罚决定书编号（留空按本机关编号规则自动编号）", Kind::Text),
        f("matter", "执法事项", Kind::Text),
        f("party_kind", "当事人类型", Kind::Select(PARTY_KINDS)),
        f("facts", "违法事实", Kind::LongText),
    ],
    &act_fields!("act."),
    &party_fields!("party."),
]);
/// A refusal to sign a record (办法第十四条) under `prefix`, sent only when ticked.
macro_rules! refusal_fields {
    ($p:literal) => {
        [
            f(concat!($p, "refused"), "当事人（被询问人）拒绝签名", Kind::Gate),
            w(concat!($p, "refused"), "on", concat!($p, "reason"), concat!($p, "reason"), "拒签情况", Kind::Text),
            w(
                concat!($p, "refused"),
                "on",
                concat!($p, "noted_by"),
                concat!($p, "noted_by"),
                "注明情况的执法人员",
                Kind::OfficerList,
            ),
        ]
    };
}

pub const EVIDENCE_KINDS: &[(&str, &str)] = &[
    ("documentary", "书证"),
    ("physical", "物证"),
    ("audio_visual", "视听资料"),
    ("electronic", "电子数据"),
    ("witness", "证人证言"),
    ("party_statement", "当事人的陈述"),
    ("expert_opinion", "鉴定意见"),
    ("inspection", "勘验笔录"),
    ("on_site", "现场笔录"),
];
pub const TEST_KINDS: &[(&str, &str)] =
    &[("inspection", "检验"), ("testing", "检测"), ("quarantine", "检疫"), ("appraisal", "鉴定"), ("review", "评审")];

/// The 调查取证 records of 办法第八条, each a `record_evidence` command with its `item.type`.
const EV_SITE: [Field; 12] = [
    f("type", "", Kind::Fixed("\"record_evidence\"")),
    f("item.type", "", Kind::Fixed("\"site_record\"")),
    f("item.label", "证据名称", Kind::Text),
    f("item.at", "时间", Kind::DateTime),
    f("item.place", "地点", Kind::Text),
    f("item.findings", "检查（勘验）情况", Kind::LongText),
    f("item.officers", "签名的执法人员", Kind::OfficerList),
    f("item.party_signed", "当事人已签名", Kind::Bool),
    f("item.no_signature_reason", "当事人未签名的原因", Kind::Text),
    f("item.witnesses", "见证人（以、分隔）", Kind::List),
    f("item.pages", "笔录页数（不填为 1 页）", Kind::OptNumber),
    f("item.cross_page_sealed", "多页的，当事人已捺骑缝手印或加盖骑缝章", Kind::Bool),
];
const EV_INQUIRY: [Field; 19] = join(&[
    &[
        f("type", "", Kind::Fixed("\"record_evidence\"")),
        f("item.type", "", Kind::Fixed("\"inquiry\"")),
        f("item.label", "证据名称", Kind::Text),
        f("item.at", "开始时间", Kind::DateTime),
        f("item.ended_at", "结束时间", Kind::DateTime),
        f("item.place", "地点", Kind::Text),
        f("item.inquirers", "询问人（执法人员）", Kind::OfficerList),
        f("item.recorder", "记录人（执法人员）", Kind::Officer),
        f("item.interviewee", "被询问人", Kind::Text),
        f("item.relation", "与案件的关系", Kind::Text),
        f("item.rights_told", "已告知权利义务", Kind::Bool),
        f("item.questions_and_answers", "询问内容", Kind::LongText),
        f("item.confirmed", "被询问人已核对无误", Kind::Bool),
        f("item.signed_every_page", "被询问人已逐页签名", Kind::Bool),
        f("item.pages", "笔录页数（不填为 1 页）", Kind::OptNumber),
        f("item.cross_page_sealed", "多页的，当事人已捺骑缝手印或加盖骑缝章", Kind::Bool),
    ],
    &refusal_fields!("item.refusal."),
]);
const EV_COLLECTED: [Field; 15] = [
    f("type", "", Kind::Fixed("\"record_evidence\"")),
    f("item.type", "", Kind::Fixed("\"collected\"")),
    f("item.label", "证据名称", Kind::Text),
    f("item.at", "收集时间", Kind::DateTime),
    f("item.kind", "证据种类", Kind::Select(EVIDENCE_KINDS)),
    f("item.source", "证据出处", Kind::Text),
    f("item.original", "原件、原物", Kind::Bool),
    f("item.copy_verified", "复制件已与原件核对无误（注明出处并签章）", Kind::Bool),
    f("item.lawfully_obtained", "以合法手段取得", Kind::Bool),
    f("item.av.production_method", "视听资料：制作方法", Kind::Text),
    f("item.av.produced_at", "视听资料：制作时间", Kind::OptDateTime),
    f("item.av.producer", "视听资料：制作人", Kind::Text),
    f("item.av.proves", "视听资料：证明对象", Kind::Text),
    f("item.av.sound", "视听资料含有声音", Kind::Bool),
    f("item.av.transcript", "声音内容的文字记录", Kind::LongText),
];
const EV_SAMPLING: [Field; 15] = join(&[
    &[
        f("type", "", Kind::Fixed("\"record_evidence\"")),
        f("item.type", "", Kind::Fixed("\"sampling\"")),
        f("item.label", "证据名称", Kind::Text),
        f("item.at", "抽样时间", Kind::DateTime),
        f("item.sample", "样品名称", Kind::Text),
        f("item.batch", "规格批号", Kind::Text),
        f("item.quantity", "数量", Kind::Text),
        f("item.method", "抽样方法", Kind::Text),
        f("item.sealed", "样品已封存", Kind::Bool),
        f("item.party_signed", "当事人已签名", Kind::Bool),
        f("item.officers", "抽样的执法人员", Kind::OfficerList),
        f("item.copy_to_party", "抽样取证凭证已交当事人", Kind::Bool),
    ],
    &refusal_fields!("item.refusal."),
]);
const EV_TESTING: [Field; 11] = [
    f("type", "", Kind::Fixed("\"record_evidence\"")),
    f("item.type", "", Kind::Fixed("\"testing\"")),
    f("item.label", "证据名称", Kind::Text),
    f("item.at", "委托时间", Kind::DateTime),
    f("item.kind", "种类", Kind::Select(TEST_KINDS)),
    f("item.institution", "检测、鉴定机构", Kind::Text),
    f("item.matter", "委托事项", Kind::Text),
    f("item.result", "结论", Kind::LongText),
    f("item.result_notified", "结果已告知当事人", Kind::Bool),
    f("item.appraiser_qualified", "鉴定人具有资质", Kind::Bool),
    f("item.signed_and_sealed", "鉴定意见有鉴定人签名和机构盖章", Kind::Bool),
];
const EV_TESTIMONY: [Field; 12] = [
    f("type", "", Kind::Fixed("\"record_evidence\"")),
    f("item.type", "", Kind::Fixed("\"testimony\"")),
    f("item.label", "证据名称", Kind::Text),
    f("item.at", "时间", Kind::DateTime),
    f("item.witness", "证人", Kind::Text),
    f("item.age", "年龄", Kind::OptNumber),
    f("item.sex", "性别", Kind::Text),
    f("item.occupation", "职业", Kind::Text),
    f("item.address", "住址", Kind::Text),
    f("item.statement", "证言", Kind::LongText),
    f("item.signed", "证人已签名", Kind::Bool),
    f("item.id_copy_attached", "附证人身份证件复印件", Kind::Bool),
];
const EV_ARGUMENTATION: [Field; 10] = [
    f("type", "", Kind::Fixed("\"record_evidence\"")),
    f("item.type", "", Kind::Fixed("\"argumentation\"")),
    f("item.label", "证据名称", Kind::Text),
    f("item.at", "时间", Kind::DateTime),
    f("item.matter", "论证事项", Kind::Text),
    f("item.place", "地点", Kind::Text),
    f("item.participants", "参加人员（以、分隔）", Kind::List),
    f("item.opinions", "各方意见", Kind::LongText),
    f("item.conclusion", "论证结论", Kind::LongText),
    f("item.signed_by_all", "参加人员均已签名", Kind::Bool),
];
/// The approver is the 负责人 who approved the case's 先行登记保存证据审批表 with their own account.
const EV_PRESERVATION: [Field; 6] = [
    f("type", "", Kind::Fixed("\"record_evidence\"")),
    f("item.type", "", Kind::Fixed("\"preservation\"")),
    f("item.label", "证据名称", Kind::Text),
    f("item.at", "保存时间", Kind::DateTime),
    f("item.items", "保存的物品（以、分隔）", Kind::List),
    f("item.notice_served", "先行登记保存通知书已送达当事人", Kind::Bool),
];
const NOT_FILE: [Field; 1] = [f("reasons", "不予立案的理由", Kind::LongText)];
const IDENTIFY: [Field; 8] = party_fields!("party.");
pub const NO_PENALTY_GROUNDS: &[(&str, &str)] = &[
    ("minor_corrected", "违法行为轻微并及时改正，没有造成危害后果"),
    ("first_minor", "初次违法且危害后果轻微并及时改正"),
    ("no_fault", "当事人有证据足以证明没有主观过错"),
    ("not_established", "违法事实不能成立"),
    ("transfer_to_judicial", "违法行为涉嫌犯罪，移送司法机关"),
];
const NO_PENALTY: [Field; 7] = join(&[
    &[f("at", "决定时间", Kind::DateTime)],
    &[
        f("ground", "理由", Kind::Select(NO_PENALTY_GROUNDS)),
        f("reasons", "具体说明", Kind::LongText),
        f("has_transfer", "移送司法机关（涉嫌犯罪案件移送书）", Kind::Gate),
        w("has_transfer", "on", "transfer.doc_no", "transfer.doc_no", "移送书文号", Kind::Text),
        w("has_transfer", "on", "transfer.organ", "transfer.organ", "接受移送的司法机关", Kind::Text),
        w(
            "has_transfer",
            "on",
            "transfer.property_notice",
            "transfer.property_notice",
            "随案移送财物的书面告知",
            Kind::Text,
        ),
    ],
]);
const DEMAND: [Field; 5 + SVC] = join(&[
    &[
        f("doc.deadline", "履行期限", Kind::Date),
        f("doc.method", "履行方式和给付方式", Kind::Text),
        f("doc.amount_fen", "金额（元，含加处罚款）", Kind::Yuan),
        f("doc.statement_right_told", "已告知陈述申辩权", Kind::Bool),
        f("why_not_direct", "未直接送达的原因（直接或留置送达的不填）", Kind::Text),
    ],
    &service_fields!("service."),
]);
const ENFORCE: [Field; 6 + SVC] = join(&[
    &[
        f("at", "决定时间", Kind::DateTime),
        f("doc.doc_no", "强制执行决定书文号", Kind::Text),
        f("doc.method_and_time", "强制执行的方式和时间", Kind::Text),
        f("doc.reasons_and_basis", "理由和依据", Kind::LongText),
        f("doc.relief_told", "载明救济途径", Kind::Bool),
        f("doc.sealed", "加盖印章", Kind::Bool),
    ],
    &service_fields!("service."),
]);
const SUBSTITUTE: [Field; 9 + SVC] = join(&[
    &[
        f("at", "决定时间", Kind::DateTime),
        f("doc.doc_no", "代履行决定书文号", Kind::Text),
        f("doc.harm", "当事人逾期不履行造成或将造成的危害", Kind::LongText),
        f("doc.reasons_and_basis", "理由和依据", Kind::LongText),
        f("doc.method_and_time", "代履行的方式和时间", Kind::Text),
        f("doc.object", "标的", Kind::Text),
        f("doc.cost_budget_fen", "费用预算（元）", Kind::Yuan),
        f("doc.performer", "代履行人", Kind::Text),
        f("doc.sealed", "加盖印章", Kind::Bool),
    ],
    &service_fields!("service."),
]);
const DEFER: [Field; 4] = [
    f("reasons", "当事人申请的理由", Kind::LongText),
    f("opinion", "负责人意见", Kind::LongText),
    f("plan", "缴纳计划（每行：到期日 金额元，如 2026-12-31 1000）", Kind::Rows(PLAN)),
    SIGN,
];
pub const RELIEF_KINDS: &[(&str, &str)] = &[("review", "行政复议"), ("litigation", "行政诉讼")];
pub const RELIEF_OUTCOMES: &[(&str, &str)] =
    &[("upheld", "维持原决定"), ("revoked", "撤销原决定"), ("changed", "变更原决定"), ("withdrawn", "申请人撤回")];
pub const PENALTY_ANCHORS: &[(&str, &str)] = &[
    ("filed_at", "立案日期"),
    ("decided_at", "决定日期"),
    ("served_at", "决定书送达日期"),
    ("demand_served_at", "催告书送达日期"),
];
pub const LICENCE_ANCHORS: &[(&str, &str)] = &[
    ("received_at", "收到申请日期"),
    ("accepted_at", "受理日期"),
    ("decided_at", "许可决定日期"),
    ("certificate_at", "证件送达日期"),
];
/// A correction of a recorded date: the original stays in the log.
macro_rules! correction_fields {
    ($anchors:expr) => {
        [
            f("anchor", "更正的日期", Kind::Select($anchors)),
            f("to", "更正为", Kind::DateTime),
            f("reason", "更正理由", Kind::LongText),
            SIGN,
        ]
    };
}
const CORRECT_PENALTY: [Field; 4] = correction_fields!(PENALTY_ANCHORS);
const CORRECT_LICENCE: [Field; 4] = correction_fields!(LICENCE_ANCHORS);
const REINSPECT: [Field; 8] = join(&[&act_fields!("act."), &[f("rectified", "已整改到位", Kind::Bool)]]);

pub const SPECS: &[Spec] = &[
    Spec {
        case_type: "new",
        command: "inspection",
        label: "行政检查立项",
        fields: &[
            f("case_no", "案号（留空按本机关编号规则自动编号）", Kind::Text),
            f("matter", "执法事项", Kind::Text),
            f("kind", "检查类型", Kind::Select(INSPECTION_KINDS)),
            f("basis", "检查依据（检查计划、审批或原因）", Kind::LongText),
            f("source", "来源", Kind::Select(SOURCES)),
            f("reason", "启动原因", Kind::LongText),
            f("received_at", "接收或发现时间", Kind::DateTime),
        ],
    },
    Spec { case_type: "inspection", command: "record_on_site", label: "现场检查", fields: &INVESTIGATE },
    Spec {
        case_type: "inspection",
        command: "notify_result",
        label: "告知检查结果",
        fields: &[f("at", "告知时间", Kind::DateTime)],
    },
    Spec {
        case_type: "inspection", command: "order_rectification", label: "责令改正（直接送达）", fields: &RECTIFY
    },
    Spec { case_type: "inspection", command: "reinspect", label: "复查", fields: &REINSPECT },
    Spec {
        case_type: "inspection",
        command: "convert_to_case",
        label: "转为行政处罚案件",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("case_no", "处罚案件案号（留空按本机关编号规则自动编号）", Kind::Text),
            f("matter", "违法行为所属的行政处罚事项（权责清单）", Kind::Text),
            f("party_kind", "当事人类型", Kind::Select(PARTY_KINDS)),
        ],
    },
    Spec {
        case_type: "inspection", command: "close", label: "结案", fields: &[f("at", "结案时间", Kind::DateTime)]
    },
    Spec {
        case_type: "new", command: "summary", label: "当场行政处罚（简易程序）", fields: &SUMMARY_START
    },
    Spec { case_type: "summary_penalty", command: "identify_party", label: "确定当事人", fields: &IDENTIFY },
    Spec {
        case_type: "summary_penalty",
        command: "hear",
        label: "告知权利并听取陈述申辩",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("rights_told", "已告知作出处罚的事实、理由、依据及陈述申辩权", Kind::Bool),
            f("statement", "当事人的陈述申辩", Kind::LongText),
            f("waived", "当事人明确放弃陈述申辩", Kind::Bool),
        ],
    },
    Spec {
        case_type: "summary_penalty",
        command: "issue_decision",
        label: "当场作出处罚决定",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("doc.form_no", "决定书编号", Kind::Text),
            f("doc.penalty.kind", "处罚种类", Kind::Select(PENALTIES)),
            f("doc.penalty.amount_fen", "罚款金额（元）", Kind::Yuan),
            f("doc.legal_basis", "处罚依据", Kind::LongText),
            f("doc.signed_by", "其他签名的执法人员（本人作为办理人自动签名）", Kind::OfficerList),
        ],
    },
    Spec {
        case_type: "summary_penalty",
        command: "deliver",
        label: "当场交付决定书",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("party_signed", "当事人已签收", Kind::Bool),
            f("refusal_signed_by", "当事人拒绝签收的，签名注明的执法人员", Kind::OfficerList),
        ],
    },
    Spec {
        case_type: "summary_penalty",
        command: "record",
        label: "报所属机关备案",
        fields: &[f("at", "备案时间", Kind::DateTime)],
    },
    Spec {
        case_type: "summary_penalty",
        command: "pay",
        label: "缴纳罚款",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("method", "缴纳方式", Kind::Select(PAYMENT)),
            f("receipt_no", "票据号码", Kind::Text),
            f("hard_to_enforce", "当场收缴：事后难以执行", Kind::Bool),
        ],
    },
    Spec {
        case_type: "summary_penalty",
        command: "close",
        label: "结案",
        fields: &[f("at", "结案时间", Kind::DateTime)],
    },
    Spec {
        case_type: "new", command: "coercion", label: "提出行政强制措施（查封、扣押）", fields: &MEASURE
    },
    Spec {
        case_type: "coercive_measure",
        command: "approve",
        label: "负责人批准",
        fields: &[f("opinion", "审批意见", Kind::LongText), SIGN],
    },
    Spec { case_type: "coercive_measure", command: "execute", label: "实施查封、扣押", fields: &EXECUTE },
    Spec {
        case_type: "coercive_measure",
        command: "ratify",
        label: "补办批准手续",
        fields: &[f("approved", "负责人同意（超过二十四小时或不同意的，应当立即解除）", Kind::Bool), SIGN],
    },
    Spec { case_type: "coercive_measure", command: "extend", label: "延长期限", fields: &EXTEND },
    Spec { case_type: "coercive_measure", command: "dispose", label: "作出处理决定", fields: &DISPOSE },
    Spec {
        case_type: "coercive_measure",
        command: "correct_execution_time",
        label: "更正实施时间",
        fields: &[f("to", "更正为", Kind::DateTime), f("reason", "更正理由", Kind::LongText), SIGN],
    },
    Spec {
        case_type: "coercive_measure",
        command: "close",
        label: "结案",
        fields: &[f("at", "结案时间", Kind::DateTime)],
    },
    Spec { case_type: "new", command: "licence", label: "行政许可申请登记", fields: &APPLICATION },
    Spec {
        case_type: "licence",
        command: "request_correction",
        label: "一次告知补正",
        fields: &[f("at", "告知时间", Kind::DateTime), f("items", "需要补正的全部内容（以、分隔）", Kind::List)],
    },
    Spec {
        case_type: "licence",
        command: "corrected",
        label: "申请人已补正",
        fields: &[f("at", "补正时间", Kind::DateTime)],
    },
    Spec {
        case_type: "licence",
        command: "accept",
        label: "受理",
        fields: &[
            f("at", "受理时间", Kind::DateTime),
            f("voucher_sealed", "受理凭证加盖专用印章并注明日期", Kind::Bool),
        ],
    },
    Spec {
        case_type: "licence",
        command: "refuse",
        label: "不予受理",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("voucher_sealed", "不予受理凭证加盖专用印章并注明日期", Kind::Bool),
            f("reason", "理由", Kind::LongText),
        ],
    },
    Spec { case_type: "licence", command: "verify", label: "现场核查", fields: &INVESTIGATE },
    Spec {
        case_type: "licence",
        command: "extend",
        label: "延长审查期限",
        fields: &[f("reasons_notified", "已将延期理由告知申请人", Kind::Bool), SIGN],
    },
    Spec {
        case_type: "licence", command: "exclude_period", label: "扣除听证、检验、鉴定等所需时间", fields: &EXCLUDE
    },
    Spec {
        case_type: "licence",
        command: "tell_hearing_right",
        label: "告知听证权利",
        fields: &[f("at", "告知时间", Kind::DateTime)],
    },
    Spec {
        case_type: "licence",
        command: "request_hearing",
        label: "申请听证",
        fields: &[f("at", "申请时间", Kind::DateTime)],
    },
    Spec {
        case_type: "licence",
        command: "schedule_hearing",
        label: "通知听证",
        fields: &[
            f("notified_at", "通知时间", Kind::DateTime),
            f("hearing_on", "听证日期", Kind::Date),
            f("host", "听证主持人（非审查人员）", Kind::Officer),
        ],
    },
    Spec { case_type: "licence", command: "hold_hearing", label: "举行听证", fields: &HEARING },
    Spec {
        case_type: "licence",
        command: "hear_interested_party",
        label: "告知利害关系人并听取意见",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("party", "利害关系人", Kind::Text),
            f("statement", "陈述和申辩", Kind::LongText),
        ],
    },
    Spec {
        case_type: "licence",
        command: "decide",
        label: "作出许可决定",
        fields: &[
            f("granted", "准予许可", Kind::Bool),
            f("sealed", "决定书加盖印章并注明日期", Kind::Bool),
            f("reasons", "不予许可的理由", Kind::LongText),
            f("relief_told", "已告知申请行政复议、提起行政诉讼的权利", Kind::Bool),
            f("late_explanation", "逾期作出的书面说明", Kind::LongText),
            f("affects_others", "许可事项直接关系他人重大利益（须已听取利害关系人意见）", Kind::Bool),
            SIGN,
        ],
    },
    Spec {
        case_type: "licence", command: "issue_certificate", label: "颁发、送达许可证件", fields: &CERTIFICATE
    },
    Spec { case_type: "licence", command: "serve_denial", label: "送达不予许可决定书", fields: &DENIAL },
    Spec {
        case_type: "licence", command: "close", label: "结案", fields: &[f("at", "结案时间", Kind::DateTime)]
    },
    Spec { case_type: "licence", command: "record_site_record", label: "现场核查笔录", fields: &EV_SITE },
    Spec { case_type: "licence", command: "record_inquiry", label: "询问笔录", fields: &EV_INQUIRY },
    Spec { case_type: "licence", command: "record_collected", label: "调取材料", fields: &EV_COLLECTED },
    Spec { case_type: "licence", command: "record_testing", label: "检验、检测、鉴定", fields: &EV_TESTING },
    Spec {
        case_type: "licence", command: "record_argumentation", label: "专家评审、论证", fields: &EV_ARGUMENTATION
    },
    Spec { case_type: "licence", command: "correct_date", label: "更正日期", fields: &CORRECT_LICENCE },
    Spec { case_type: "new", command: "penalty", label: "行政处罚线索登记（普通程序）", fields: &LEAD },
    Spec { case_type: "ordinary_penalty", command: "file", label: "立案", fields: &FILE },
    Spec { case_type: "ordinary_penalty", command: "investigate", label: "现场调查", fields: &INVESTIGATE },
    Spec { case_type: "ordinary_penalty", command: "not_file", label: "不予立案", fields: &NOT_FILE },
    Spec { case_type: "ordinary_penalty", command: "identify_party", label: "确定当事人", fields: &IDENTIFY },
    // The kinds of 调查取证 record, each a `record_evidence` command (its `type` fixed).
    Spec {
        case_type: "ordinary_penalty",
        command: "record_site_record",
        label: "现场检查（勘验）笔录",
        fields: &EV_SITE,
    },
    Spec { case_type: "ordinary_penalty", command: "record_inquiry", label: "询问笔录", fields: &EV_INQUIRY },
    Spec { case_type: "ordinary_penalty", command: "record_collected", label: "调取证据", fields: &EV_COLLECTED },
    Spec { case_type: "ordinary_penalty", command: "record_sampling", label: "抽样取证", fields: &EV_SAMPLING },
    Spec { case_type: "ordinary_penalty", command: "record_testing", label: "检测、鉴定", fields: &EV_TESTING },
    Spec { case_type: "ordinary_penalty", command: "record_testimony", label: "证人证言", fields: &EV_TESTIMONY },
    Spec { case_type: "ordinary_penalty", command: "record_argumentation", label: "论证", fields: &EV_ARGUMENTATION },
    Spec {
        case_type: "ordinary_penalty",
        command: "record_preservation",
        label: "先行登记保存",
        fields: &EV_PRESERVATION,
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "handle_preservation",
        label: "先行登记保存的处理决定（七日内）",
        fields: &[
            f("label", "证据名称（与登记保存时一致）", Kind::Text),
            f("at", "决定时间", Kind::DateTime),
            f("measure", "处理措施（记录、检测、移送、退还等）", Kind::Text),
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "request_recusal",
        label: "申请回避",
        fields: &[
            f("at", "申请时间", Kind::DateTime),
            f("officer", "申请回避的执法人员", Kind::Officer),
            f("reason", "理由", Kind::LongText),
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "decide_recusal",
        label: "回避决定",
        fields: &[
            f("officer", "申请回避的执法人员", Kind::Officer),
            f("granted", "决定回避", Kind::Bool),
            f("opinion", "意见", Kind::LongText),
            SIGN,
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "conclude",
        label: "调查终结",
        fields: &[
            f("facts", "违法事实", Kind::LongText),
            f("evidence", "证据（已登记的证据名称，以、分隔）", Kind::List),
            f("legal_basis", "法律依据", Kind::LongText),
            f("discretion", "自由裁量理由", Kind::LongText),
            f("proposal.kind", "处理建议", Kind::Select(ALL_PENALTIES)),
            f("proposal.amount_fen", "金额（元）", Kind::Yuan),
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "propose",
        label: "承办机构拟作出决定",
        fields: &[
            f("opinion", "承办机构负责人意见", Kind::LongText),
            f("proposal.kind", "拟作出的决定", Kind::Select(ALL_PENALTIES)),
            f("proposal.amount_fen", "金额（元）", Kind::Yuan),
            SIGN,
        ],
    },
    Spec {
        case_type: "ordinary_penalty", command: "serve_notice", label: "送达行政处罚事先告知书", fields: &NOTICE
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "legal_review",
        label: "法制审核",
        fields: &[f("passed", "审核通过", Kind::Bool), f("opinion", "审核意见", Kind::LongText), SIGN],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "discuss",
        label: "集体讨论",
        fields: &[
            f("at", "讨论时间", Kind::DateTime),
            f("conclusion.kind", "讨论决定", Kind::Select(ALL_PENALTIES)),
            f("conclusion.amount_fen", "金额（元）", Kind::Yuan),
            SIGN,
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "waive",
        label: "当事人放弃陈述申辩",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("signed_statement", "有当事人签名的书面放弃声明", Kind::Bool),
            f("av_ref", "或音像记录（编号及时段）", Kind::Text),
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "hear_statement",
        label: "听取陈述申辩",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("statement", "陈述申辩", Kind::LongText),
            f("reexamination", "复核意见", Kind::LongText),
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "request_hearing",
        label: "当事人要求听证",
        fields: &[f("at", "提出时间", Kind::DateTime)],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "schedule_hearing",
        label: "通知听证",
        fields: &[
            f("notified_at", "通知时间", Kind::DateTime),
            f("hearing_on", "听证日期", Kind::Date),
            f("host", "听证主持人（非本案调查人员）", Kind::Officer),
        ],
    },
    Spec { case_type: "ordinary_penalty", command: "hold_hearing", label: "举行听证", fields: &HEARING },
    Spec {
        case_type: "ordinary_penalty",
        command: "terminate_hearing",
        label: "终止听证",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("reason", "理由（无正当理由拒不出席、中途退出等）", Kind::LongText),
        ],
    },
    Spec { case_type: "ordinary_penalty", command: "decide", label: "作出行政处罚决定", fields: &DECIDE },
    Spec {
        case_type: "ordinary_penalty",
        command: "decide_no_penalty",
        label: "不予行政处罚或移送司法机关",
        fields: &NO_PENALTY,
    },
    Spec { case_type: "ordinary_penalty", command: "serve", label: "送达行政处罚决定书", fields: &SERVE },
    Spec {
        case_type: "ordinary_penalty",
        command: "pay",
        label: "缴纳罚款",
        fields: &[f("at", "缴款时间", Kind::DateTime), f("receipt_no", "缴款凭证号码", Kind::Text)],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "seek_relief",
        label: "当事人申请行政复议或提起行政诉讼",
        fields: &[
            f("kind", "途径", Kind::Select(RELIEF_KINDS)),
            f("at", "申请或起诉时间", Kind::DateTime),
            f("organ", "复议机关或人民法院", Kind::Text),
            f("reference", "案号", Kind::Text),
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "conclude_relief",
        label: "复议、诉讼结果",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("outcome", "结果", Kind::Select(RELIEF_OUTCOMES)),
            f("changed_fine_fen", "变更后的罚款（元）", Kind::Yuan),
        ],
    },
    Spec {
        case_type: "ordinary_penalty", command: "defer_payment", label: "暂缓或分期缴纳罚款", fields: &DEFER
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "pay_instalment",
        label: "分期缴纳",
        fields: &[
            f("at", "缴款时间", Kind::DateTime),
            f("receipt_no", "缴款凭证号码", Kind::Text),
            f("amount_fen", "金额（元）", Kind::Yuan),
        ],
    },
    Spec { case_type: "ordinary_penalty", command: "serve_demand", label: "送达催告书", fields: &DEMAND },
    Spec {
        case_type: "ordinary_penalty",
        command: "hear_demand_statement",
        label: "听取对催告的陈述申辩",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("statement", "陈述申辩", Kind::LongText),
            f("reexamination", "复核意见", Kind::LongText),
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "apply_court",
        label: "申请人民法院强制执行",
        fields: &[
            f("at", "申请时间", Kind::DateTime),
            f("doc.court", "人民法院", Kind::Text),
            f("doc.sealed", "申请书加盖印章（申请书由负责人以本人账号签名）", Kind::Bool),
            f("doc.with_decision", "附行政决定书及作出决定的事实、理由和依据", Kind::Bool),
            f("doc.with_party_opinions", "附当事人的意见及催告情况", Kind::Bool),
            f("doc.with_demand_record", "附催告书及送达回证", Kind::Bool),
            f("doc.object", "申请强制执行的标的", Kind::Text),
            SIGN,
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "record_court_ruling",
        label: "人民法院裁定",
        fields: &[
            f("at", "裁定时间", Kind::DateTime),
            f("ruling_no", "裁定书文号", Kind::Text),
            f("enforce", "裁定准予执行（不勾选为不予执行）", Kind::Bool),
        ],
    },
    Spec {
        case_type: "ordinary_penalty", command: "decide_enforcement", label: "作出强制执行决定", fields: &ENFORCE
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "record_enforcement",
        label: "实施强制执行",
        fields: &[
            f("at", "实施时间", Kind::DateTime),
            f("urgent", "情况紧急（夜间或法定节假日实施）", Kind::Bool),
            f("av_ref", "音像记录（编号及时段）", Kind::Text),
            f("result", "执行情况", Kind::LongText),
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "dispose_property",
        label: "没收财物的处理",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("method", "处理方式（公开拍卖、销毁、移交等）", Kind::Text),
            f("witnesses", "见证人（销毁的，以、分隔）", Kind::List),
            f("av_ref", "音像记录（编号及时段）", Kind::Text),
            f("treasury_receipt", "拍卖款上缴国库凭证", Kind::Text),
            SIGN,
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "record_performance",
        label: "当事人履行（复查）",
        fields: &[
            f("at", "复查时间", Kind::DateTime),
            f("verified_by", "复查人员（至少二人）", Kind::OfficerList),
            f("record", "复查记录", Kind::LongText),
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "announce_demolition",
        label: "强制拆除公告",
        fields: &[
            f("at", "公告时间", Kind::DateTime),
            f("notice_no", "公告编号", Kind::Text),
            f("place", "公告地点", Kind::Text),
            f("deadline", "限期自行拆除的日期", Kind::Date),
        ],
    },
    Spec {
        case_type: "ordinary_penalty", command: "decide_substitute", label: "作出代履行决定", fields: &SUBSTITUTE
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "remind_substitute",
        label: "代履行前催告（三日前）",
        fields: &SERVE,
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "perform_substitute",
        label: "实施代履行",
        fields: &[
            f("at", "实施时间", Kind::DateTime),
            f("supervisors", "到场监督的执法人员", Kind::OfficerList),
            f("performer_signed", "代履行人已在文书上签名", Kind::Bool),
            f("party_or_witness", "当事人或见证人", Kind::Text),
            f("cost_fen", "代履行费用（元）", Kind::Yuan),
            f("urgent", "情况紧急（夜间或法定节假日实施）", Kind::Bool),
            f("av_ref", "音像记录（编号及时段）", Kind::Text),
            f("result", "实施情况", Kind::LongText),
        ],
    },
    Spec { case_type: "ordinary_penalty", command: "close", label: "结案", fields: &CLOSE_ORDINARY },
    Spec { case_type: "ordinary_penalty", command: "correct_date", label: "更正日期", fields: &CORRECT_PENALTY },
    Spec {
        case_type: "party",
        command: "request",
        label: "登记当事人查阅、复制申请",
        fields: &[
            f("at", "申请时间", Kind::DateTime),
            f("requester", "申请人", Kind::Text),
            f("relation", "与当事人的关系", Kind::Select(RELATIONS)),
            f("id_checked", "核验的身份证件（种类）", Kind::Text),
            f("authorisation", "授权委托书（代理人申请的）", Kind::Text),
            f("records", "申请查阅、复制的材料", Kind::Text),
            f("purpose", "用途", Kind::Text),
            f("mode", "方式", Kind::Select(ACCESS_MODES)),
        ],
    },
    Spec {
        case_type: "party",
        command: "decide",
        label: "审批查阅、复制申请",
        fields: &[
            f("type", "", Kind::Fixed("\"decide\"")),
            f("at", "审批时间", Kind::DateTime),
            f("approved", "同意提供", Kind::Bool),
            f("reasons", "不予提供的理由", Kind::LongText),
        ],
    },
    Spec {
        case_type: "party",
        command: "deliver",
        label: "提供查阅、复制材料",
        fields: &[
            f("type", "", Kind::Fixed("\"deliver\"")),
            f("at", "提供时间", Kind::DateTime),
            f("records", "提供的记录", Kind::Records),
            f("until", "查阅截止时间（查阅的，至多三十日）", Kind::OptDateTime),
            f("pages", "复制页数（复制的）", Kind::OptNumber),
            f("watermark", "水印（不填则自动载明申请人、案号、日期）", Kind::Text),
        ],
    },
    Spec {
        case_type: "party",
        command: "receipt",
        label: "申请人签收",
        fields: &[
            f("type", "", Kind::Fixed("\"receipt\"")),
            f("at", "签收时间", Kind::DateTime),
            f("signed_by", "签收人", Kind::Text),
            f("refusal", "拒绝签收的情况", Kind::Text),
        ],
    },
    Spec {
        case_type: "admin",
        command: "officer",
        label: "登记执法人员",
        fields: &[
            f("name", "姓名", Kind::Text),
            f("cert_no", "执法证号", Kind::Text),
            f("cert_valid_from", "执法证有效期起", Kind::Date),
            f("cert_valid_to", "执法证有效期止", Kind::Date),
            f("cert_scope", "执法类别", Kind::Checks(MATTER_KINDS)),
            f("legal_qualification", "具有法律职业资格", Kind::Bool),
        ],
    },
    Spec {
        case_type: "admin",
        command: "matter",
        label: "权责清单事项（同一编码即修改）",
        fields: &[
            f("code", "事项编码（如 P-001）", Kind::Text),
            f("name", "事项名称", Kind::Text),
            f("kind", "类别", Kind::Select(MATTER_KINDS)),
            f("legal_basis", "法律依据", Kind::LongText),
            f("av_mandatory", "应当全程音像记录", Kind::Bool),
            f("major_decision_review", "列入重大执法决定法制审核目录", Kind::Bool),
            f("hearing_threshold_citizen_fen", "听证标准：对公民罚款（元，不填用默认）", Kind::Yuan),
            f("hearing_threshold_organisation_fen", "听证标准：对法人或其他组织罚款（元，不填用默认）", Kind::Yuan),
            f("summary_allowed", "可以适用简易程序", Kind::Bool),
            f("inspection_cap", "检查事项：每年对同一被检查人的检查次数上限（不填为不限）", Kind::OptNumber),
        ],
    },
    Spec {
        case_type: "admin",
        command: "agency",
        label: "执法主体",
        fields: &[
            f("name", "名称", Kind::Text),
            f("uscc", "统一社会信用代码", Kind::Text),
            f("has_enforcement_power", "法律授予行政强制执行权", Kind::Bool),
            f("review_organ", "行政复议机关（事前公示的救济渠道）", Kind::Text),
            f("court", "管辖的人民法院（事前公示的救济渠道）", Kind::Text),
            f(
                "seals",
                "印章（每行：种类 启用日期 停用日期，如 行政执法专用章 2024-01-01 2028-12-31）",
                Kind::Rows(SEALS),
            ),
            f("fonds", "全宗号（档号的第一段，不填为 0001）", Kind::Text),
            f("retention.ordinary_penalty", "保管期限：行政处罚（普通程序）", Kind::Select(RETENTIONS)),
            f("retention.coercive_measure", "保管期限：行政强制", Kind::Select(RETENTIONS)),
            f("retention.summary_penalty", "保管期限：行政处罚（简易程序）", Kind::Select(RETENTIONS)),
            f("retention.licence", "保管期限：行政许可", Kind::Select(RETENTIONS)),
            f("retention.inspection", "保管期限：行政检查", Kind::Select(RETENTIONS)),
            f("unlinked_months", "未关联案件的音像记录保存月数（至少 6，不填为 6）", Kind::OptNumber),
            f("page_number_position", "案卷页号位置", Kind::Select(PAGE_NUMBER_POSITIONS)),
        ],
    },
    Spec {
        case_type: "admin",
        command: "av_item",
        label: "音像记录事项（增加一项）",
        fields: &[
            f("kind", "执法类别", Kind::Text),
            f("activity", "执法事项（与表单活动对应，如 现场检查、查封扣押、留置送达）", Kind::Text),
            f("stage", "执法环节", Kind::Select(STAGE_OPTIONS)),
            f("place", "地点", Kind::Text),
            f("mode", "记录方式", Kind::Select(AV_MODES)),
            f("recorder", "记录人", Kind::Text),
            f("start", "开始记录的时点", Kind::Text),
            f("end", "结束记录的时点", Kind::Text),
            f("content", "记录内容", Kind::LongText),
            f("mandatory", "必须音像记录", Kind::Bool),
            f("retention", "保存期限", Kind::Text),
        ],
    },
    Spec {
        case_type: "admin",
        command: "phrase",
        label: "执法用语（同一场景即替换）",
        fields: &[
            f("scenario", "场景（如 现场检查、告知陈述申辩、送达、查封扣押）", Kind::Text),
            f("lines", "用语（每行一句）", Kind::Lines),
        ],
    },
    Spec {
        case_type: "device",
        command: "register",
        label: "登记音像记录设备",
        fields: &[
            f("number", "设备编号（字母、数字、- 或 _）", Kind::Text),
            f("model", "型号", Kind::Text),
            f("kind", "类别", Kind::Select(&liuhen_core::device::KINDS)),
            f("capabilities", "功能（办法第二十八条）", Kind::Checks(&liuhen_core::device::CAPABILITIES)),
            f("storage_place", "存放地点", Kind::Text),
        ],
    },
    Spec {
        case_type: "device",
        command: "check",
        label: "使用前检查",
        fields: &[
            f("battery_pct", "电量（%）", Kind::Number),
            f("free_storage_mb", "剩余存储空间（MB）", Kind::Number),
            f("device_clock", "设备显示的时间（YYYY-MM-DD HH:MM:SS）", Kind::Text),
        ],
    },
    Spec {
        case_type: "device",
        command: "assign",
        label: "领用",
        fields: &[f("officer", "领用的执法人员", Kind::Officer)],
    },
    Spec {
        case_type: "device",
        command: "return",
        label: "归还",
        fields: &[
            f("officer", "归还的执法人员（设备管理员代收时选择；执法人员本人归还不必选）", Kind::Officer),
            f("condition", "设备状况", Kind::Text),
        ],
    },
    Spec {
        case_type: "device",
        command: "hand_over",
        label: "交接",
        fields: &[
            f("from", "交出的执法人员（设备管理员办理时选择）", Kind::Officer),
            f("to", "接收的执法人员", Kind::Officer),
        ],
    },
    Spec {
        case_type: "device",
        command: "upkeep",
        label: "维护、送修、修复",
        fields: &[f("kind", "类别", Kind::Select(UPKEEP_KINDS)), f("note", "情况", Kind::LongText)],
    },
    Spec {
        case_type: "device",
        command: "move",
        label: "变更存放地点",
        fields: &[f("storage_place", "新的存放地点", Kind::Text)],
    },
    Spec {
        case_type: "device", command: "retire", label: "报废", fields: &[f("reason", "报废原因", Kind::LongText)]
    },
    Spec {
        case_type: "recording",
        command: "link",
        label: "关联案件记录（办法第十八条）",
        fields: &[
            f("records", "对应的文字记录", Kind::Records),
            f("av_item", "音像记录事项清单中的事项（如 现场检查）", Kind::Text),
            f("activity_ended_at", "执法活动结束时间（核对全程记录用）", Kind::OptDateTime),
            f("reason", "更正理由（已关联其他案件时必填）", Kind::Text),
        ],
    },
    Spec {
        case_type: "recording",
        command: "interruption",
        label: "登记中断（办法第二十二条）",
        fields: &[
            f("from", "中断开始", Kind::DateTime),
            f("to", "恢复记录", Kind::DateTime),
            f("cause", "中断原因（设备故障、天气恶劣、人为阻挠等）", Kind::Text),
            f("spoken_at", "恢复记录时语音说明的时刻", Kind::OptDateTime),
            f("written", "书面说明（无法语音说明时）", Kind::LongText),
            f("signed_by", "书面说明签名的执法人员（两名以上）", Kind::OfficerList),
            f("replaces", "更正先前第几项中断（从 0 起，不更正则不填）", Kind::OptNumber),
        ],
    },
    Spec {
        case_type: "recording",
        command: "clip",
        label: "剪辑片段（原记录不变）",
        fields: &[
            f("from", "自录制开始的第几秒起", Kind::Number),
            f("to", "至第几秒", Kind::Number),
            f("reason", "用途（如 证明当事人拒绝停止施工）", Kind::Text),
        ],
    },
    Spec {
        case_type: "recording",
        command: "play",
        label: "播放音像记录",
        fields: &[f("purpose", "查阅目的（记入查阅台账）", Kind::Text)],
    },
    Spec {
        case_type: "admin",
        command: "user",
        label: "新建账号",
        fields: &[
            f("username", "用户名（小写字母、数字或 . _ -）", Kind::Text),
            f("roles", "角色（可多选；可查看案件内容的角色须经负责人批准后生效）", Kind::Multi(ROLES)),
            f("unit", "承办机构", Kind::Text),
            f("officer_id", "对应的执法人员（如有）", Kind::Officer),
            f("name", "姓名或称谓（无执法人员登记时，审批、签名记在此名下，如 张主任）", Kind::Text),
            f("password", "初始密码（至少 12 位，首次登录须修改）", Kind::Secret),
        ],
    },
];

/// The form of `command` for a case of `case_type`.
pub fn spec(case_type: &str, command: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.case_type == case_type && s.command == command)
}

/// The commands with forms for a case type.
pub fn commands(case_type: &str) -> impl Iterator<Item = &'static Spec> + '_ {
    SPECS.iter().filter(move |s| s.case_type == case_type)
}

/// The stages of 办法第七条至第十条 (and what follows), as the case page groups its forms.
pub const STAGES: &[&str] = &["程序启动", "调查取证", "审查决定", "送达执行", "结案与更正"];

/// The stage a command's form belongs to.
pub fn stage_of(command: &str) -> &'static str {
    match command {
        "file" | "not_file" | "identify_party" | "request_recusal" | "decide_recusal" | "request_correction"
        | "corrected" | "accept" | "refuse" | "approve" | "ratify" => STAGES[0],
        "investigate"
        | "record_on_site"
        | "verify"
        | "reinspect"
        | "execute"
        | "extend"
        | "exclude_period"
        | "handle_preservation"
        | "conclude"
        | "notify_result"
        | "order_rectification" => STAGES[1],
        c if c.starts_with("record_")
            && !matches!(c, "record_performance" | "record_enforcement" | "record_court_ruling") =>
        {
            STAGES[1]
        }
        "propose"
        | "legal_review"
        | "discuss"
        | "serve_notice"
        | "waive"
        | "hear_statement"
        | "hear"
        | "tell_hearing_right"
        | "request_hearing"
        | "schedule_hearing"
        | "hold_hearing"
        | "terminate_hearing"
        | "hear_interested_party"
        | "decide"
        | "decide_no_penalty"
        | "issue_decision"
        | "dispose" => STAGES[2],
        "close" | "correct_date" | "correct_execution_time" | "record" | "convert_to_case" => STAGES[4],
        _ => STAGES[3],
    }
}

/// `YYYY-MM-DDTHH:MM` (Asia/Shanghai) as Unix ms.
pub fn parse_local(s: &str) -> Option<i64> {
    let (date, time) = s.split_once('T')?;
    let d = liuhen_core::time::Date::parse(date).ok()?;
    let (h, m) = time.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.get(..2)?.parse().ok()?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Some(d.start().0 + (h * 60 + m) * 60_000)
}

/// "3000" or "3000.50" yuan as fen.
pub fn parse_yuan(s: &str) -> Option<u64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || whole.len() > 12
        || frac.len() > 2
        || !(whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let frac: u64 = format!("{frac:0<2}").parse().ok()?;
    Some(whole.parse::<u64>().ok()? * 100 + frac)
}

/// Sets `value` at the dotted `path` in `obj`.
fn put(obj: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            obj.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let inner = obj.entry(head.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = inner {
                put(m, rest, value);
            }
        }
    }
}

/// The submitted values of a form: name → values (a checkbox group has several).
pub type Submitted = Vec<(String, String)>;

fn first<'a>(form: &'a Submitted, name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// The JSON a submitted form stands for, or the fields whose text could not be read
/// (path → message).
pub fn to_json(spec: &Spec, form: &Submitted) -> Result<Value, Vec<(&'static str, String)>> {
    let mut obj = Map::new();
    let mut errors = Vec::new();
    for field in spec.fields.iter().filter(|fld| fld.active(form)) {
        let raw = first(form, field.name).trim();
        let value = match field.kind {
            Kind::Gate => continue,
            Kind::Text | Kind::LongText | Kind::Date => Value::from(raw),
            Kind::Secret => Value::from(first(form, field.name)),
            Kind::Yuan => match parse_yuan(raw) {
                Some(fen) => Value::from(fen),
                None if raw.is_empty() => Value::Null,
                None => {
                    errors.push((field.name, "金额须为元，至多两位小数".to_string()));
                    continue;
                }
            },
            Kind::Bool => Value::from(!raw.is_empty()),
            Kind::Select(options) => {
                if !options.iter().any(|(code, _)| *code == raw) {
                    errors.push((field.name, "请选择".to_string()));
                    continue;
                }
                Value::from(raw)
            }
            Kind::Lines => Value::from(raw.lines().map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>()),
            Kind::Checks(options) => Value::from(
                form.iter()
                    .filter(|(k, v)| k == field.name && options.iter().any(|(code, _)| code == v))
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>(),
            ),
            Kind::List => {
                Value::from(raw.split(['、', ',', '，']).map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>())
            }
            Kind::DateTime => match parse_local(raw) {
                Some(ms) => Value::from(ms),
                None => {
                    errors.push((field.name, "请填写日期和时间".to_string()));
                    continue;
                }
            },
            Kind::OptDateTime => match parse_local(raw) {
                Some(ms) => Value::from(ms),
                None if raw.is_empty() => Value::Null,
                None => {
                    errors.push((field.name, "请填写日期和时间，或者不填".to_string()));
                    continue;
                }
            },
            Kind::Officers => {
                // The credentials are shown at the act's time: the sibling `at`.
                let at_path = match field.name.rsplit_once('.') {
                    Some((parent, _)) => format!("{parent}.at"),
                    None => "at".to_string(),
                };
                let at = parse_local(first(form, &at_path).trim());
                Value::Array(
                    form.iter()
                        .filter(|(k, v)| k == field.name && !v.trim().is_empty())
                        .map(|(_, id)| serde_json::json!({"officer_id": id.trim(), "id_shown_at": at}))
                        .collect(),
                )
            }
            Kind::Fixed(json) => serde_json::from_str(json).unwrap_or(Value::Null),
            Kind::Multi(options) => Value::from(
                form.iter()
                    .filter(|(k, v)| k == field.name && options.iter().any(|(code, _)| code == v))
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Kind::Officer => Value::from(raw),
            Kind::Number => match raw.parse::<u32>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    errors.push((field.name, "请填写整数".to_string()));
                    continue;
                }
            },
            Kind::OptNumber => match raw.parse::<u32>() {
                Ok(n) => Value::from(n),
                Err(_) if raw.is_empty() => Value::Null,
                Err(_) => {
                    errors.push((field.name, "请填写整数，或者不填".to_string()));
                    continue;
                }
            },
            Kind::Rows(cols) => match parse_rows(raw, cols) {
                Ok(rows) => rows,
                Err(message) => {
                    errors.push((field.name, message));
                    continue;
                }
            },
            Kind::OfficerList | Kind::Records => Value::Array(
                form.iter()
                    .filter(|(k, v)| k == field.name && !v.trim().is_empty())
                    .map(|(_, id)| Value::from(id.trim()))
                    .collect(),
            ),
        };
        put(&mut obj, field.path, value);
    }
    if errors.is_empty() { Ok(Value::Object(obj)) } else { Err(errors) }
}

/// Lines of whitespace-separated `cols` as a list of objects.
fn parse_rows(raw: &str, cols: &[(&str, Col)]) -> Result<Value, String> {
    let lines: Vec<&str> = raw.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.len() > 60 {
        return Err("至多 60 行".to_string());
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if parts.len() != cols.len() {
                return Err(format!("第 {} 行应有 {} 项，以空格分隔", i + 1, cols.len()));
            }
            let mut row = Map::new();
            for ((key, col), part) in cols.iter().zip(parts) {
                let v = match col {
                    Col::Text => Value::from(part),
                    Col::Date => {
                        liuhen_core::time::Date::parse(part).map_err(|_| format!("第 {} 行日期有误：{part}", i + 1))?;
                        Value::from(part)
                    }
                    Col::Yuan => Value::from(
                        parse_yuan(part.trim_end_matches('元'))
                            .ok_or_else(|| format!("第 {} 行金额有误：{part}", i + 1))?,
                    ),
                };
                row.insert(key.to_string(), v);
            }
            Ok(Value::Object(row))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

/// The input a rule's finding concerns, among those the form sent: the one whose path is the
/// finding's field, ends with it, or — for a finding on a whole object (`penalty`) — the
/// object's first field.
pub fn field_of(spec: &Spec, form: &Submitted, finding_field: &str) -> Option<&'static str> {
    let shown = |f: &&Field| !matches!(f.kind, Kind::Fixed(_) | Kind::Gate) && f.active(form);
    spec.fields
        .iter()
        .filter(shown)
        .find(|f| f.path == finding_field || f.path.rsplit('.').next() == Some(finding_field))
        .or_else(|| spec.fields.iter().filter(shown).find(|f| f.path.split('.').next() == Some(finding_field)))
        // A record nested deeper (doc.penalty.kind for "penalty").
        .or_else(|| spec.fields.iter().filter(shown).find(|f| f.path.split('.').any(|s| s == finding_field)))
        .map(|f| f.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(pairs: &[(&str, &str)]) -> Submitted {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn a_form_becomes_the_apis_json() {
        let s = spec("inspection", "reinspect").unwrap();
        let v = to_json(
            s,
            &sub(&[
                ("act.at", "2026-11-20T09:30"),
                ("act.place", "幸福路 8 号"),
                ("act.officers", "o1"),
                ("act.officers", "o2"),
                ("act.recording_announced", "on"),
                ("rectified", "on"),
            ]),
        )
        .unwrap();
        // 2026-11-20 09:30 in Asia/Shanghai.
        let at = 1_795_138_200_000_i64;
        assert_eq!(v["act"]["at"], at);
        assert_eq!(v["act"]["officers"][1], serde_json::json!({"officer_id": "o2", "id_shown_at": at}));
        assert_eq!(
            (v["act"]["recording_announced"].as_bool(), v["act"]["problems_found"].as_bool()),
            (Some(true), Some(false))
        );
        assert_eq!(field_of(s, &Vec::new(), "officers"), Some("act.officers"));
        let e = to_json(s, &sub(&[("act.at", "yesterday")])).unwrap_err();
        assert_eq!(e[0].0, "act.at");
    }

    /// The variants of a command enum, as serde names them when refusing an unknown one.
    fn variants<T: serde::de::DeserializeOwned>() -> Vec<String> {
        let Err(e) = serde_json::from_value::<T>(serde_json::json!({"type": "__none__"})) else {
            panic!("an unknown command was accepted")
        };
        let msg = e.to_string();
        let list = msg.split("expected one of ").nth(1).expect("serde lists the variants");
        list.split(", ").map(|v| v.trim_matches(|c: char| c == '`' || c.is_whitespace()).to_string()).collect()
    }

    /// A plausible text for every input of `spec`, with the gates chosen by `choice`.
    fn filled(spec: &Spec, choice: &[(&str, &str)]) -> Submitted {
        let mut out = Vec::new();
        for fld in spec.fields {
            let v = match fld.kind {
                Kind::Text | Kind::LongText | Kind::Secret => "某某".to_string(),
                Kind::DateTime | Kind::OptDateTime => "2026-11-20T09:30".to_string(),
                Kind::Date => "2026-11-30".to_string(),
                Kind::Bool | Kind::Gate => "on".to_string(),
                Kind::Select(opts) | Kind::Multi(opts) => opts[0].0.to_string(),
                Kind::List => "甲、乙".to_string(),
                Kind::Officers | Kind::OfficerList | Kind::Officer => "o1".to_string(),
                Kind::Records => "act/0".to_string(),
                Kind::Fixed(_) => continue,
                Kind::Yuan => "100.50".to_string(),
                Kind::Number | Kind::OptNumber => "3".to_string(),
                Kind::Rows(cols) => {
                    let line = |day: &str| {
                        let cell = |c: &Col| match c {
                            Col::Text => "某某".to_string(),
                            Col::Date => day.to_string(),
                            Col::Yuan => "50.50".to_string(),
                        };
                        cols.iter().map(|(_, c)| cell(c)).collect::<Vec<_>>().join(" ")
                    };
                    format!("{}\n{}", line("2026-12-31"), line("2027-01-31"))
                }
                Kind::Lines => "甲\n乙".to_string(),
                Kind::Checks(opts) => opts[0].0.to_string(),
            };
            let v = choice.iter().find(|(name, _)| *name == fld.name).map_or(v, |(_, c)| c.to_string());
            out.push((fld.name.to_string(), v));
        }
        out
    }

    /// A role's own step is signed with the performer's own key (电子签名法第十三条): its form
    /// asks for the password that opens it, and no other form does.
    #[test]
    fn every_role_step_asks_for_the_signing_password() {
        let mut signed = 0;
        for spec in SPECS {
            let asks = spec.fields.iter().any(|f| f.path == "password");
            let kinds = ["coercive_measure", "inspection", "licence", "ordinary_penalty", "summary_penalty"];
            if !kinds.contains(&spec.case_type) {
                continue;
            }
            let role = crate::app::policy::role_step(spec.case_type, spec.command).is_some();
            assert_eq!(asks, role, "{} {}", spec.case_type, spec.command);
            signed += usize::from(role);
        }
        assert!(signed >= 14, "{signed}");
    }

    /// Every command of every case type has a form, and every form — with each choice of its
    /// gates (each 送达方式, a refusal ticked or not) — makes JSON the API's command takes.
    #[test]
    fn every_command_has_a_form_the_api_takes() {
        use crate::app::requests::cases::{
            CoercionCommandForm, CommandForm, LicenceCommandForm, OrdinaryCommandForm, SummaryCommandForm,
        };
        fn check<T: serde::de::DeserializeOwned>(case_type: &str) {
            for variant in variants::<T>() {
                let has = commands(case_type).any(|s| {
                    s.command == variant
                        || s.fields.iter().any(|f| f.path == "type" && f.kind == Kind::Fixed(leak(&variant)))
                });
                assert!(has, "{case_type}: no form for the command {variant}");
            }
            for spec in commands(case_type) {
                let mut choices: Vec<Vec<(&str, &str)>> = vec![Vec::new()];
                for fld in spec.fields {
                    if let Some((gate, value)) = fld.when {
                        let gate_kind = spec.fields.iter().find(|g| g.name == gate).map(|g| g.kind);
                        let off = if gate_kind == Some(Kind::Gate) { "" } else { value };
                        for c in [vec![(gate, value)], vec![(gate, off)]] {
                            if !choices.contains(&c) {
                                choices.push(c);
                            }
                        }
                    }
                }
                for choice in choices {
                    let mut json = to_json(spec, &filled(spec, &choice))
                        .unwrap_or_else(|e| panic!("{case_type}/{}: {e:?}", spec.command));
                    if json.get("type").is_none() {
                        json["type"] = Value::from(spec.command);
                    }
                    if let Err(e) = serde_json::from_value::<T>(json.clone()) {
                        panic!("{case_type}/{} with {choice:?}: {e}\n{json}", spec.command);
                    }
                }
            }
        }
        fn leak(s: &str) -> &'static str {
            Box::leak(format!("\"{s}\"").into_boxed_str())
        }
        check::<CommandForm>("inspection");
        check::<SummaryCommandForm>("summary_penalty");
        check::<OrdinaryCommandForm>("ordinary_penalty");
        check::<LicenceCommandForm>("licence");
        check::<CoercionCommandForm>("coercive_measure");
    }

    /// The administration forms make the JSON the API's forms take.
    #[test]
    fn the_administration_forms_make_the_apis_json() {
        fn takes<T: serde::de::DeserializeOwned>(command: &str) {
            let spec = spec("admin", command).unwrap();
            let json = to_json(spec, &filled(spec, &[])).unwrap();
            if let Err(e) = serde_json::from_value::<T>(json.clone()) {
                panic!("admin/{command}: {e}\n{json}");
            }
        }
        takes::<crate::app::requests::cases::OfficerForm>("officer");
        takes::<crate::app::requests::cases::MatterForm>("matter");
        takes::<crate::app::requests::cases::AgencyForm>("agency");
        let party = |command: &str| {
            let spec = spec("party", command).unwrap();
            to_json(spec, &filled(spec, &[])).unwrap()
        };
        serde_json::from_value::<crate::app::requests::party_access::RequestForm>(party("request")).unwrap();
        for step in ["decide", "deliver", "receipt"] {
            if let Err(e) = serde_json::from_value::<crate::app::requests::party_access::StepForm>(party(step)) {
                panic!("party/{step}: {e}");
            }
        }
        let spec = spec("admin", "agency").unwrap();
        let mut form = filled(spec, &[]);
        form.retain(|(k, _)| k != "seals");
        form.push(("seals".to_string(), "公章 2024-01-01 2028-12-31".to_string()));
        let v = to_json(spec, &form).unwrap();
        assert_eq!(v["seals"][0]["kind"], "公章");
        // Each catalogue row passes the catalogue's own check.
        let row = to_json(spec_of("av_item"), &filled(spec_of("av_item"), &[])).unwrap();
        crate::app::catalogues::validate(crate::app::catalogues::AV_ITEMS, &Value::Array(vec![row])).unwrap();
        let row = to_json(spec_of("phrase"), &filled(spec_of("phrase"), &[])).unwrap();
        crate::app::catalogues::validate(crate::app::catalogues::PHRASES, &Value::Array(vec![row])).unwrap();
    }

    fn spec_of(command: &str) -> &'static Spec {
        spec("admin", command).unwrap()
    }

    #[test]
    fn rows_are_read_line_by_line() {
        assert_eq!(
            parse_rows("2026-12-31 1000\n\n2027-01-31 999.5元", PLAN).unwrap(),
            serde_json::json!([{"due": "2026-12-31", "amount_fen": 100_000}, {"due": "2027-01-31", "amount_fen": 99_950}])
        );
        assert!(parse_rows("2026-13-01 5", PLAN).unwrap_err().contains("第 1 行"));
        assert!(parse_rows("2026-12-31", PLAN).is_err());
        assert_eq!(
            parse_rows("公章 2024-01-01 2028-12-31", SEALS).unwrap(),
            serde_json::json!([{"kind": "公章", "valid_from": "2024-01-01", "valid_to": "2028-12-31"}])
        );
    }
}

/// The `maxLength` the API's description states for the field at the dotted `path` of what
/// `spec` submits, when the description has one: the page's input stops where the server does.
pub fn max_length(spec: &Spec, path: &str) -> Option<u64> {
    static SCHEMAS: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    let schemas = SCHEMAS.get_or_init(crate::app::requests::schemas);
    let resolve = |mut v: &'static Value| -> &'static Value {
        for _ in 0..8 {
            if let Some(r) = v["$ref"].as_str() {
                v = &schemas[r.rsplit('/').next().unwrap_or_default()];
            } else if let Some(alt) = v["anyOf"].as_array().or_else(|| v["oneOf"].as_array()) {
                // An Option<…>: the alternative that is not null.
                match alt.iter().find(|a| a["type"] != "null") {
                    Some(a) => v = a,
                    None => break,
                }
            } else if v["type"] == "array" {
                v = &v["items"];
            } else {
                break;
            }
        }
        v
    };
    let root: &'static Value = if spec.case_type == "new" {
        let name = match spec.command {
            "inspection" => "OpenInspection",
            "summary" => "StartSummaryPenalty",
            "penalty" => "RegisterLead",
            "licence" => "Application",
            "coercion" => "Measure",
            _ => return None,
        };
        schemas.get(name)?
    } else {
        let name = crate::app::requests::COMMANDS.iter().find(|(t, _)| *t == spec.case_type)?.1;
        schemas.get(name)?["oneOf"].as_array()?.iter().find(|v| {
            let t = &v["properties"]["type"];
            t["const"] == spec.command || t["enum"].as_array().is_some_and(|e| e.len() == 1 && e[0] == spec.command)
        })?
    };
    let mut v = root;
    for seg in path.split('.') {
        v = resolve(&resolve(v)["properties"][seg]);
    }
    v["maxLength"].as_u64()
}

#[cfg(test)]
mod max_length_tests {
    #[test]
    fn a_forms_limits_are_the_descriptions() {
        let on_site = super::spec("inspection", "record_on_site").unwrap();
        assert_eq!(super::max_length(on_site, "act.place"), Some(200));
        let lead = super::spec("new", "penalty").unwrap();
        assert_eq!(super::max_length(lead, "reason"), Some(2000));
        assert_eq!(super::max_length(lead, "no.such.field"), None);
    }
}
