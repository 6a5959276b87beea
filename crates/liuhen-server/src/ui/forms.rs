//! Forms for the case commands, declared as data: each field has a JSON path, a Chinese label
//! and a kind. A submitted form becomes the same JSON the API takes, and runs through the same
//! code; a rule's refusal is shown beside the field it names.

use serde_json::{Map, Value};

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
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The JSON path, dotted for nested objects (`act.at`).
    pub path: &'static str,
    pub label: &'static str,
    pub kind: Kind,
}

const fn f(path: &'static str, label: &'static str, kind: Kind) -> Field {
    Field { path, label, kind }
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

/// A 送达回证 of direct service under `prefix`.
macro_rules! service_fields {
    ($p:literal) => {
        [
            f(concat!($p, "document"), "送达文书（名称及文号）", Kind::Text),
            f(concat!($p, "recipient"), "受送达人", Kind::Text),
            f(concat!($p, "at"), "送达时间", Kind::DateTime),
            f(concat!($p, "place"), "送达地点", Kind::Text),
            f(concat!($p, "servers"), "送达人（多人以、分隔）", Kind::List),
            f(concat!($p, "method.type"), "", Kind::Fixed("\"direct\"")),
            f(concat!($p, "method.receiver"), "签收人", Kind::Text),
            f(concat!($p, "recipient_signed"), "受送达人已在送达回证上签名", Kind::Bool),
        ]
    };
}

const ON_SITE: [Field; 6] = act_fields!("");
const INVESTIGATE: [Field; 6] = act_fields!("act.");
const RECTIFY: [Field; 10] =
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
        f("case_no", "受理编号", Kind::Text),
        f("matter", "许可事项", Kind::Text),
        f("received_at", "收到申请时间", Kind::DateTime),
        f("materials", "申请材料（以、分隔）", Kind::List),
        f("receipt_issued", "已出具收件凭证", Kind::Bool),
    ],
    &party_fields!("applicant."),
]);
const EXCLUDE: [Field; 11] = join(&[
    &[
        f("at", "时间", Kind::DateTime),
        f("kind", "事项", Kind::Select(EXCLUDED)),
        f("working_days", "所需时间（工作日）", Kind::Number),
    ],
    &service_fields!("notice."),
]);
const CERTIFICATE: [Field; 9] = join(&[&[f("certificate_no", "证件编号", Kind::Text)], &service_fields!("service.")]);
const DENIAL: [Field; 8] = service_fields!("service.");
const HEARING: [Field; 6] = [
    f("at", "举行时间", Kind::DateTime),
    f("transcript_no", "听证笔录编号", Kind::Text),
    f("transcript_signed", "听证笔录已经参加人确认签字", Kind::Bool),
    f("public", "公开举行", Kind::Bool),
    f("non_public_reason", "不公开的理由（国家秘密、商业秘密或者个人隐私）", Kind::Text),
    f("agents", "代理人（以、分隔）", Kind::List),
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
/// An opinion with its signer and date under `prefix` (审批表 rows).
macro_rules! opinion_fields {
    ($p:literal, $who:literal) => {
        [
            f(concat!($p, "by"), concat!($who, "姓名"), Kind::Text),
            f(concat!($p, "opinion"), concat!($who, "意见"), Kind::LongText),
            f(concat!($p, "date"), concat!($who, "签字日期"), Kind::Date),
        ]
    };
}
const LEAD: [Field; 14] = join(&[
    &[
        f("case_no", "案号", Kind::Text),
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
const FILE: [Field; 12] = join(&[
    &[f("filed_at", "立案时间", Kind::DateTime), f("violation_ended", "违法行为终了日期", Kind::Date)],
    &opinion_fields!("approval.handler.", "承办人"),
    &opinion_fields!("approval.reviewer.", "审核人"),
    &opinion_fields!("approval.approver.", "批准人"),
    &[f("grave", "涉及生命健康安全、金融安全且有危害后果（追责期限五年）", Kind::Bool)],
]);
const CLOSE_ORDINARY: [Field; 10] = join(&[
    &[f("at", "结案时间", Kind::DateTime)],
    &opinion_fields!("approval.handler.", "承办人"),
    &opinion_fields!("approval.reviewer.", "审核人"),
    &opinion_fields!("approval.approver.", "批准人"),
]);
const NOTICE: [Field; 15] = join(&[
    &[
        f("penalty.kind", "拟作出的处罚", Kind::Select(ALL_PENALTIES)),
        f("penalty.amount_fen", "金额（元）", Kind::Yuan),
        f("facts", "事实", Kind::LongText),
        f("reasons", "理由", Kind::LongText),
        f("legal_basis", "依据", Kind::LongText),
        f("hearing_right_told", "已告知听证权利", Kind::Bool),
    ],
    &[f("statement_days", "陈述申辩期限（工作日）", Kind::Number)],
    &service_fields!("service."),
]);
const DECIDE: [Field; 13] = join(&[
    &[f("at", "决定时间", Kind::DateTime)],
    &opinion_fields!("approver.", "负责人"),
    &[
        f("doc.doc_no", "决定书文号", Kind::Text),
        f("doc.penalty.kind", "处罚种类", Kind::Select(ALL_PENALTIES)),
        f("doc.penalty.amount_fen", "金额（元）", Kind::Yuan),
        f("doc.facts", "违法事实", Kind::LongText),
        f("doc.legal_basis", "处罚依据", Kind::LongText),
        f("doc.performance_days", "履行期限（日）", Kind::Number),
        f("doc.relief_route_stated", "载明申请行政复议、提起行政诉讼的途径和期限", Kind::Bool),
        f("doc.sealed", "加盖印章", Kind::Bool),
        f("late_explanation", "超过九十日的书面说明", Kind::LongText),
    ],
]);
const SERVE: [Field; 8] = service_fields!("service.");
pub const MEASURE_KINDS: &[(&str, &str)] = &[("seal", "查封"), ("seize", "扣押")];
pub const OUTCOMES: &[(&str, &str)] =
    &[("confiscated", "没收"), ("destroyed", "销毁"), ("released", "解除（退还）"), ("transferred", "移送")];
const MEASURE: [Field; 17] = join(&[
    &[
        f("case_no", "文号", Kind::Text),
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
const EXTEND: [Field; 11] = join(&[
    &[
        f("at", "时间", Kind::DateTime),
        f("days", "延长（日，不超过三十日）", Kind::Number),
        f("approver", "批准的负责人", Kind::Text),
    ],
    &service_fields!("notice."),
]);
const DISPOSE: [Field; 10] = join(&[
    &[f("at", "时间", Kind::DateTime), f("outcome", "处理结果", Kind::Select(OUTCOMES))],
    &service_fields!("service."),
]);
const SUMMARY_START: [Field; 18] = join(&[
    &[
        f("case_no", "当场处罚决定书编号", Kind::Text),
        f("matter", "执法事项", Kind::Text),
        f("party_kind", "当事人类型", Kind::Select(PARTY_KINDS)),
        f("facts", "违法事实", Kind::LongText),
    ],
    &act_fields!("act."),
    &party_fields!("party."),
]);
const REINSPECT: [Field; 7] = join(&[&act_fields!("act."), &[f("rectified", "已整改到位", Kind::Bool)]]);

pub const SPECS: &[Spec] = &[
    Spec {
        case_type: "new",
        command: "inspection",
        label: "行政检查立项",
        fields: &[
            f("case_no", "案号", Kind::Text),
            f("matter", "执法事项", Kind::Text),
            f("kind", "检查类型", Kind::Select(INSPECTION_KINDS)),
            f("basis", "检查依据（检查计划、审批或原因）", Kind::LongText),
            f("source", "来源", Kind::Select(SOURCES)),
            f("reason", "启动原因", Kind::LongText),
            f("received_at", "接收或发现时间", Kind::DateTime),
        ],
    },
    Spec { case_type: "inspection", command: "record_on_site", label: "现场检查", fields: &ON_SITE },
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
            f("case_no", "处罚案件案号", Kind::Text),
            f("party_kind", "当事人类型", Kind::Select(PARTY_KINDS)),
        ],
    },
    Spec {
        case_type: "inspection", command: "close", label: "结案", fields: &[f("at", "结案时间", Kind::DateTime)]
    },
    Spec {
        case_type: "new", command: "summary", label: "当场行政处罚（简易程序）", fields: &SUMMARY_START
    },
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
            f("form_no", "决定书编号", Kind::Text),
            f("penalty.kind", "处罚种类", Kind::Select(PENALTIES)),
            f("penalty.amount_fen", "罚款金额（元）", Kind::Yuan),
            f("legal_basis", "处罚依据", Kind::LongText),
            f("signed_by", "签名的执法人员", Kind::OfficerList),
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
        fields: &[
            f("approver.by", "负责人", Kind::Text),
            f("approver.opinion", "审批意见", Kind::LongText),
            f("approver.date", "日期", Kind::Date),
        ],
    },
    Spec { case_type: "coercive_measure", command: "execute", label: "实施查封、扣押", fields: &EXECUTE },
    Spec {
        case_type: "coercive_measure",
        command: "ratify",
        label: "补办批准手续",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("approved", "负责人同意（不同意的应当立即解除）", Kind::Bool),
            f("approver", "负责人", Kind::Text),
        ],
    },
    Spec { case_type: "coercive_measure", command: "extend", label: "延长期限", fields: &EXTEND },
    Spec { case_type: "coercive_measure", command: "dispose", label: "作出处理决定", fields: &DISPOSE },
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
    Spec { case_type: "licence", command: "verify", label: "现场核查", fields: &ON_SITE },
    Spec {
        case_type: "licence",
        command: "extend",
        label: "延长审查期限",
        fields: &[
            f("at", "时间", Kind::DateTime),
            f("approved_by", "批准的负责人", Kind::Text),
            f("reasons_notified", "已将延期理由告知申请人", Kind::Bool),
        ],
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
            f("host", "听证主持人（非审查人员）", Kind::Text),
        ],
    },
    Spec { case_type: "licence", command: "hold_hearing", label: "举行听证", fields: &HEARING },
    Spec {
        case_type: "licence",
        command: "decide",
        label: "作出许可决定",
        fields: &[
            f("at", "决定时间", Kind::DateTime),
            f("granted", "准予许可", Kind::Bool),
            f("sealed", "决定书加盖印章并注明日期", Kind::Bool),
            f("reasons", "不予许可的理由", Kind::LongText),
            f("relief_told", "已告知申请行政复议、提起行政诉讼的权利", Kind::Bool),
            f("late_explanation", "逾期作出的书面说明", Kind::LongText),
        ],
    },
    Spec {
        case_type: "licence", command: "issue_certificate", label: "颁发、送达许可证件", fields: &CERTIFICATE
    },
    Spec { case_type: "licence", command: "serve_denial", label: "送达不予许可决定书", fields: &DENIAL },
    Spec {
        case_type: "licence", command: "close", label: "结案", fields: &[f("at", "结案时间", Kind::DateTime)]
    },
    Spec { case_type: "new", command: "penalty", label: "行政处罚线索登记（普通程序）", fields: &LEAD },
    Spec { case_type: "ordinary_penalty", command: "file", label: "立案", fields: &FILE },
    Spec { case_type: "ordinary_penalty", command: "investigate", label: "现场调查", fields: &INVESTIGATE },
    // Two kinds of 调查取证 record, each a `record_evidence` command (its `type` fixed).
    Spec {
        case_type: "ordinary_penalty",
        command: "record_site_record",
        label: "现场检查（勘验）笔录",
        fields: &[
            f("type", "", Kind::Fixed("\"record_evidence\"")),
            f("item.type", "", Kind::Fixed("\"site_record\"")),
            f("item.label", "证据名称", Kind::Text),
            f("item.at", "时间", Kind::DateTime),
            f("item.place", "地点", Kind::Text),
            f("item.findings", "检查（勘验）情况", Kind::LongText),
            f("item.officers", "签名的执法人员", Kind::OfficerList),
            f("item.party_signed", "当事人已签名", Kind::Bool),
            f("item.no_signature_reason", "当事人未签名的原因", Kind::Text),
        ],
    },
    Spec {
        case_type: "ordinary_penalty",
        command: "record_inquiry",
        label: "询问笔录",
        fields: &[
            f("type", "", Kind::Fixed("\"record_evidence\"")),
            f("item.type", "", Kind::Fixed("\"inquiry\"")),
            f("item.label", "证据名称", Kind::Text),
            f("item.at", "开始时间", Kind::DateTime),
            f("item.ended_at", "结束时间", Kind::DateTime),
            f("item.place", "地点", Kind::Text),
            f("item.inquirers", "询问人（执法人员）", Kind::OfficerList),
            f("item.recorder", "记录人", Kind::Text),
            f("item.interviewee", "被询问人", Kind::Text),
            f("item.relation", "与案件的关系", Kind::Text),
            f("item.rights_told", "已告知权利义务", Kind::Bool),
            f("item.questions_and_answers", "询问内容", Kind::LongText),
            f("item.confirmed", "被询问人已核对无误", Kind::Bool),
            f("item.signed_every_page", "被询问人已逐页签名", Kind::Bool),
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
            f("at", "时间", Kind::DateTime),
            f("unit.by", "承办机构负责人", Kind::Text),
            f("unit.opinion", "意见", Kind::LongText),
            f("unit.date", "签字日期", Kind::Date),
            f("proposal.kind", "拟作出的决定", Kind::Select(ALL_PENALTIES)),
            f("proposal.amount_fen", "金额（元）", Kind::Yuan),
        ],
    },
    Spec {
        case_type: "ordinary_penalty", command: "serve_notice", label: "送达行政处罚事先告知书", fields: &NOTICE
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
    Spec { case_type: "ordinary_penalty", command: "decide", label: "作出行政处罚决定", fields: &DECIDE },
    Spec { case_type: "ordinary_penalty", command: "serve", label: "送达行政处罚决定书", fields: &SERVE },
    Spec {
        case_type: "ordinary_penalty",
        command: "pay",
        label: "缴纳罚款",
        fields: &[f("at", "缴款时间", Kind::DateTime), f("receipt_no", "缴款凭证号码", Kind::Text)],
    },
    Spec { case_type: "ordinary_penalty", command: "close", label: "结案", fields: &CLOSE_ORDINARY },
    Spec {
        case_type: "admin",
        command: "user",
        label: "新建账号",
        fields: &[
            f("username", "用户名（小写字母、数字或 . _ -）", Kind::Text),
            f("roles", "角色（可多选）", Kind::Multi(ROLES)),
            f("unit", "承办机构", Kind::Text),
            f("officer_id", "对应的执法人员（如有）", Kind::Officer),
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
    for field in spec.fields {
        let raw = first(form, field.path).trim();
        let value = match field.kind {
            Kind::Text | Kind::LongText | Kind::Date => Value::from(raw),
            Kind::Secret => Value::from(first(form, field.path)),
            Kind::Yuan => match parse_yuan(raw) {
                Some(fen) => Value::from(fen),
                None if raw.is_empty() => Value::Null,
                None => {
                    errors.push((field.path, "金额须为元，至多两位小数".to_string()));
                    continue;
                }
            },
            Kind::Bool => Value::from(!raw.is_empty()),
            Kind::Select(options) => {
                if !options.iter().any(|(code, _)| *code == raw) {
                    errors.push((field.path, "请选择".to_string()));
                    continue;
                }
                Value::from(raw)
            }
            Kind::List => {
                Value::from(raw.split(['、', ',', '，']).map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>())
            }
            Kind::DateTime => match parse_local(raw) {
                Some(ms) => Value::from(ms),
                None => {
                    errors.push((field.path, "请填写日期和时间".to_string()));
                    continue;
                }
            },
            Kind::Officers => {
                // The credentials are shown at the act's time: the sibling `at`.
                let at_path = match field.path.rsplit_once('.') {
                    Some((parent, _)) => format!("{parent}.at"),
                    None => "at".to_string(),
                };
                let at = parse_local(first(form, &at_path).trim());
                Value::Array(
                    form.iter()
                        .filter(|(k, v)| k == field.path && !v.trim().is_empty())
                        .map(|(_, id)| serde_json::json!({"officer_id": id.trim(), "id_shown_at": at}))
                        .collect(),
                )
            }
            Kind::Fixed(json) => serde_json::from_str(json).unwrap_or(Value::Null),
            Kind::Multi(options) => Value::from(
                form.iter()
                    .filter(|(k, v)| k == field.path && options.iter().any(|(code, _)| code == v))
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            Kind::Officer => Value::from(raw),
            Kind::Number => match raw.parse::<u32>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    errors.push((field.path, "请填写整数".to_string()));
                    continue;
                }
            },
            Kind::OfficerList => Value::Array(
                form.iter()
                    .filter(|(k, v)| k == field.path && !v.trim().is_empty())
                    .map(|(_, id)| Value::from(id.trim()))
                    .collect(),
            ),
        };
        put(&mut obj, field.path, value);
    }
    if errors.is_empty() { Ok(Value::Object(obj)) } else { Err(errors) }
}

/// The field a rule's finding concerns: the one whose path is the finding's field, ends with
/// it, or — for a finding on a whole object (`penalty`) — the object's first field.
pub fn field_of(spec: &Spec, finding_field: &str) -> Option<&'static str> {
    let shown = |f: &&Field| !matches!(f.kind, Kind::Fixed(_));
    spec.fields
        .iter()
        .filter(shown)
        .find(|f| f.path == finding_field || f.path.rsplit('.').next() == Some(finding_field))
        .or_else(|| spec.fields.iter().filter(shown).find(|f| f.path.split('.').next() == Some(finding_field)))
        .map(|f| f.path)
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
        assert_eq!(field_of(s, "officers"), Some("act.officers"));
        let e = to_json(s, &sub(&[("act.at", "yesterday")])).unwrap_err();
        assert_eq!(e[0].0, "act.at");
    }
}
