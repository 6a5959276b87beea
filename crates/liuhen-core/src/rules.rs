//! Compliance rules as data: each has an ID, a severity, its source article, a message in
//! Chinese, and examples that violate and satisfy it (domain.md §c).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The transition is refused.
    Block,
    /// Allowed, but stored as a defect for 案卷评查.
    Flag,
    /// Advice.
    Info,
}

/// A rule's identity and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    /// The article(s) it implements, e.g. `行政处罚法第四十二条；办法第六条`.
    pub source: &'static str,
    /// What it requires, in Chinese.
    pub requirement: &'static str,
}

/// One failed rule, with what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: Rule,
    /// The field or item concerned (for the UI to show the refusal beside it).
    pub field: &'static str,
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}：{}", self.rule.id, self.rule.source, self.rule.requirement)?;
        if !self.detail.is_empty() {
            write!(f, "（{}）", self.detail)?;
        }
        Ok(())
    }
}

impl Rule {
    pub fn violated(self, field: &'static str, detail: impl Into<String>) -> Violation {
        Violation { rule: self, field, detail: detail.into() }
    }
}

impl Violation {
    /// The same finding recorded as a defect rather than a refusal (for a BLOCK rule whose
    /// breach the law lets stand once explained in writing, e.g. a late decision).
    pub fn as_flag(self) -> Violation {
        Violation { rule: Rule { severity: Severity::Flag, ..self.rule }, ..self }
    }
}

pub const R_001: Rule = Rule {
    id: "R-001",
    severity: Severity::Block,
    source: "办法第六条；行政处罚法第四十二条",
    requirement: "执法人员不得少于两人",
};
/// R-001 for a licence's on-site 核查 (行政许可法第三十四条第三款: two or more staff).
pub const R_111: Rule = Rule {
    id: "R-111",
    severity: Severity::Block,
    source: "办法第六条；行政许可法第三十四条第三款",
    requirement: "核查须由两名以上工作人员进行",
};
/// A licence's 核查 by two or more staff is R-111, the licence form of R-001.
pub const TWO_FOR_LICENCE: Rule = R_111;
/// R-001 for a coercive measure (行政强制法第十八条第二项).
pub const TWO_FOR_COERCION: Rule = Rule {
    id: "R-001",
    severity: Severity::Block,
    source: "办法第六条；行政强制法第十八条第二项",
    requirement: "行政强制措施须由两名以上行政执法人员实施",
};
/// R-001 for an inspection (办法第六条; 行政执法监督条例 on inspections).
pub const TWO_FOR_INSPECTION: Rule = Rule {
    id: "R-001",
    severity: Severity::Block,
    source: "办法第六条",
    requirement: "行政检查的执法人员不得少于两人",
};
pub const R_010A: Rule = Rule {
    id: "R-010a",
    severity: Severity::Block,
    source: "行政处罚法第十七条；行政许可法第二十二条；行政强制法第十七条第一款；办法第三条",
    requirement: "执法事项须列入本机关权责清单，且只用于清单所列的执法类别（在法定职权范围内实施）",
};
pub const R_008: Rule = Rule {
    id: "R-008",
    severity: Severity::Block,
    source: "办法第三十一条；行政处罚法第二十条；行政许可法第二十四条",
    requirement: "受委托实施执法的，须有书面委托书载明委托的事项、权限和期限并向社会公布，执法行为须在委托范围和期限内，以委托机关名义实施，并依本办法全过程记录",
};
pub const R_009: Rule = Rule {
    id: "R-009",
    severity: Severity::Block,
    source: "行政强制法第十七条第一款",
    requirement: "行政强制措施权不得委托",
};
pub const R_016: Rule = Rule {
    id: "R-016",
    severity: Severity::Block,
    source: "行政处罚法第五十九条第一款第一项；行政强制法第二十四条第二款第一项；行政许可法第二十九条",
    requirement: "当事人须查明并记录：自然人的姓名、身份证件种类和号码，法人或其他组织的名称、统一社会信用代码和法定代表人（负责人），以及住所或地址",
};
pub const R_002: Rule = Rule {
    id: "R-002",
    severity: Severity::Block,
    source: "行政处罚法第四十二条",
    requirement: "执法人员须持有在有效期内、状态正常的执法证件",
};
pub const R_003: Rule = Rule {
    id: "R-003",
    severity: Severity::Block,
    source: "办法第八条第（一）项；行政处罚法第五十五条",
    requirement: "须记录每名执法人员的姓名、执法证号及出示证件的时间",
};
pub const R_010: Rule = Rule {
    id: "R-010",
    severity: Severity::Block,
    source: "办法第七条第（一）项",
    requirement: "依职权启动的，须记录执法事项来源、启动原因和发现时间",
};
pub const R_120A: Rule = Rule {
    id: "R-120a",
    severity: Severity::Block,
    source: "办法第七条；国办发〔2024〕54号",
    requirement: "行政检查须有检查计划或审批，或有据可查的检查原因",
};
pub const R_120B: Rule = Rule {
    id: "R-120b",
    severity: Severity::Flag,
    source: "国办发〔2024〕54号；司法部行政检查文书基本格式文本（试行）",
    requirement: "实施行政检查须向被检查人出具行政检查通知书（检查必审批、必通知）",
};
pub const R_118: Rule = Rule {
    id: "R-118",
    severity: Severity::Flag,
    source: "行政许可法第六十一条第二款",
    requirement: "对被许可人的监督检查，应当将监督检查的情况和处理结果予以记录，由监督检查人员签字后归档",
};
pub const R_121: Rule = Rule {
    id: "R-121",
    severity: Severity::Flag,
    source: "国办发〔2024〕54号",
    requirement: "同一被检查人一年内的行政检查次数不得超过公布的频次上限",
};
pub const R_120D: Rule = Rule {
    id: "R-120d",
    severity: Severity::Block,
    source: "办法第十条；国办发〔2024〕54号",
    requirement: "检查结果须告知被检查人后方可结案",
};
pub const R_120E: Rule = Rule {
    id: "R-120e",
    severity: Severity::Block,
    source: "办法第十条；行政处罚法第二十八条",
    requirement: "检查发现问题的，须责令改正并复查，或转为案件办理，方可结案",
};
pub const R_143: Rule = Rule {
    id: "R-143",
    severity: Severity::Flag,
    source: "办法第二十二条",
    requirement: "音像记录中断的，应当在恢复记录时语音说明中断原因，或者由两名以上执法人员书面说明并签名（归档前须补正）",
};
pub const R_144: Rule = Rule {
    id: "R-144",
    severity: Severity::Flag,
    source: "办法第二十三条",
    requirement: "音像记录应当在执法结束后二十四小时内存储；连续执法、异地执法或者偏远地区执法的，在返回后二十四小时内存储并载明情况；逾期的应当书面说明",
};
pub const R_145: Rule = Rule {
    id: "R-145",
    severity: Severity::Flag,
    source: "办法第二十三条；电子签名法第五条",
    requirement: "音像记录存储时应当核对记录设备的时钟，偏差超过规定范围的应当注明",
};
pub const R_149A: Rule = Rule {
    id: "R-149a",
    severity: Severity::Block,
    source: "办法第二十四条",
    requirement: "音像记录设备专人使用、专人负责：同一时间只由一名执法人员领用，由领用人归还或当面交接，交接双方均须载明",
};
pub const R_149B: Rule = Rule {
    id: "R-149b",
    severity: Severity::Block,
    source: "办法第二十四条",
    requirement: "音像记录设备的存放、维护、保养应当登记；维修中的设备不得领用，维护、送修、修复和报废均须写明情况",
};
pub const R_149C: Rule = Rule {
    id: "R-149c",
    severity: Severity::Block,
    source: "办法第二十四条、第二十八条；办法第二十三条（设备时钟）",
    requirement: "音像记录设备领用、交接前须经使用前检查（电量、存储空间、时钟），检查合格且在十二小时内",
};
pub const R_140: Rule = Rule {
    id: "R-140",
    severity: Severity::Flag,
    source: "办法第十九条、第二十二条",
    requirement: "直接涉及人身自由、生命健康、重大财产权益的现场执法活动和查封、扣押等，应当全程音像记录：记录须覆盖活动的开始至结束，中断之处须有中断说明（归档前须补正）",
};
pub const R_149D: Rule = Rule {
    id: "R-149d",
    severity: Severity::Flag,
    source: "办法第二十四条",
    requirement: "音像记录应当使用登记在册的设备，由领用该设备的执法人员记录（专人使用，专人负责）",
};
pub const R_141: Rule = Rule {
    id: "R-141",
    severity: Severity::Flag,
    source: "办法第十八条；国办发〔2018〕118号",
    requirement: "现场执法、调查取证等容易引发争议的执法活动，应当进行音像记录；文字记录能够全面有效记录的，可以不进行音像记录，但应当书面说明理由",
};

pub const R_142: Rule = Rule {
    id: "R-142",
    severity: Severity::Flag,
    source: "办法第六条第二款",
    requirement: "执法人员应当事先告知当事人已开启行政执法记录",
};

pub const R_022: Rule = Rule {
    id: "R-022",
    severity: Severity::Block,
    source: "办法第十四条",
    requirement: "文字记录有更改的，应当由当事人在更改处确认（捺手印、盖章或对更改后的内容重新签名）",
};
pub const R_015: Rule = Rule {
    id: "R-015",
    severity: Severity::Block,
    source: "行政处罚法第四十一条",
    requirement: "利用电子技术监控设备收集违法事实的，设备须经法制和技术审核、设置地点向社会公布，记录内容经审核，并及时告知当事人",
};
pub const R_023: Rule = Rule {
    id: "R-023",
    severity: Severity::Block,
    source: "办法第十四条",
    requirement: "文字记录为多页的，当事人应当捺骑缝手印或者加盖骑缝章",
};
pub const R_026: Rule = Rule {
    id: "R-026",
    severity: Severity::Block,
    source: "办法第八条第（四）项；最高人民法院关于行政诉讼证据若干问题的规定第十二条",
    requirement: "视听资料须提供原始载体或经核对的复制件，注明制作方法、制作时间、制作人和证明对象；声音资料须附有该声音内容的文字记录",
};
pub const R_021: Rule = Rule {
    id: "R-021",
    severity: Severity::Block,
    source: "办法第十四条",
    requirement: "当事人拒绝签字确认的，执法人员应当在文书中注明，并由两名以上执法人员签字",
};
pub const R_020: Rule = Rule {
    id: "R-020",
    severity: Severity::Block,
    source: "办法第八条第（二）项；行政处罚法第五十五条",
    requirement: "询问笔录须载明起止时间、地点、两名以上询问人、记录人、被询问人身份及与案件关系、出示证件和告知权利情况、问答内容，并经被询问人确认、逐页签名",
};
pub const R_024: Rule = Rule {
    id: "R-024",
    severity: Severity::Block,
    source: "办法第八条第（三）项；最高人民法院关于行政诉讼证据若干问题的规定第十五条",
    requirement: "现场检查（勘验）笔录须载明时间、地点、事件，由执法人员和当事人签名；当事人拒绝签名或者不能签名的，应当注明原因",
};
pub const R_025: Rule = Rule {
    id: "R-025",
    severity: Severity::Flag,
    source: "办法第八条第（四）项；最高人民法院关于行政诉讼证据若干问题的规定第十条",
    requirement: "调取的证据须载明出处；复制件须注明“经核对与原件无误”并由提供人签名或盖章",
};
pub const R_027: Rule = Rule {
    id: "R-027",
    severity: Severity::Block,
    source: "办法第八条第（五）项；行政处罚法第五十六条",
    requirement: "抽样取证须制作抽样取证凭证，载明样品名称、规格批号、数量、抽样方法和封样情况，由当事人和两名以上执法人员签名，并交当事人一份",
};
pub const R_028: Rule = Rule {
    id: "R-028",
    severity: Severity::Block,
    source: "办法第八条第（七）项；行政处罚法第五十六条",
    requirement: "先行登记保存须经负责人事先批准，向当事人送达通知书及物品清单，并在七个工作日内作出处理决定",
};
pub const R_029: Rule = Rule {
    id: "R-029",
    severity: Severity::Flag,
    source: "办法第八条第（六）项；行政强制法第二十五条",
    requirement: "检验、检测、检疫、鉴定、评审须记录受委托机构、委托事项和结果，并将结果告知当事人",
};
pub const R_030: Rule = Rule {
    id: "R-030",
    severity: Severity::Flag,
    source: "最高人民法院关于行政诉讼证据若干问题的规定第十四条",
    requirement: "鉴定意见须载明委托人、委托事项、鉴定依据和鉴定人资质，并有鉴定人签名和鉴定机构盖章",
};
pub const R_031: Rule = Rule {
    id: "R-031",
    severity: Severity::Block,
    source: "行政处罚法第四十六条第三款",
    requirement: "以非法手段取得的证据，不得作为认定案件事实的根据",
};
pub const R_034: Rule = Rule {
    id: "R-034",
    severity: Severity::Block,
    source: "办法第八条第（九）项；行政处罚法第四十四条、第五十二条",
    requirement: "须告知当事人拟处罚的事实、理由、依据及陈述、申辩等权利，并记录其陈述申辩或放弃的情况",
};
pub const R_067A: Rule = Rule {
    id: "R-067a",
    severity: Severity::Block,
    source: "行政处罚法第五十一条",
    requirement: "当场处罚仅限违法事实确凿、有法定依据，且对公民处二百元以下、对法人或者其他组织处三千元以下罚款或者警告",
};
pub const R_067B: Rule = Rule {
    id: "R-067b",
    severity: Severity::Block,
    source: "行政处罚法第五十二条；办法第十三条",
    requirement: "当场处罚决定书须预定格式、编有号码，载明违法行为、处罚依据、罚款数额、时间、地点及执法人员签名",
};
pub const R_067C: Rule = Rule {
    id: "R-067c",
    severity: Severity::Block,
    source: "行政处罚法第五十二条",
    requirement: "当场作出的行政处罚决定，须报所属行政机关备案后方可结案",
};
pub const R_090: Rule = Rule {
    id: "R-090",
    severity: Severity::Block,
    source: "行政处罚法第六十七条",
    requirement: "罚款须在决定送达后缴纳（到指定银行或电子支付），缴纳凭证须记录在案，方可结案",
};
pub const R_089: Rule = Rule {
    id: "R-089",
    severity: Severity::Block,
    source: "行政强制法第三十八条",
    requirement: "催告书、行政强制执行决定书应当直接送达当事人；当事人拒绝接收或者无法直接送达的，方可依照民事诉讼法的有关规定送达",
};
pub const R_093: Rule = Rule {
    id: "R-093",
    severity: Severity::Block,
    source: "行政强制法第五十三条、第五十四条、第五十五条；行政处罚法第七十二条第二款",
    requirement: "申请人民法院强制执行，须在催告书送达十个工作日后当事人仍未履行，且在复议、诉讼期限届满之日起三个月内提出；申请书由负责人签名、加盖印章并注明日期，附决定书及作出决定的事实、理由和依据、当事人的意见及催告情况",
};
pub const R_095A: Rule = Rule {
    id: "R-095a",
    severity: Severity::Block,
    source: "行政强制法第三十五条、第五十四条",
    requirement: "当事人逾期不履行的，申请强制执行前应当书面催告；催告书应当载明履行义务的期限、方式，涉及金钱给付的载明金额和给付方式，以及当事人依法享有的陈述权和申辩权",
};
pub const R_095B: Rule = Rule {
    id: "R-095b",
    severity: Severity::Block,
    source: "行政强制法第三十六条",
    requirement: "当事人收到催告书后的陈述、申辩应当记录、复核",
};
pub const R_094: Rule = Rule {
    id: "R-094",
    severity: Severity::Block,
    source: "行政处罚法第七十四条；办法第十条",
    requirement: "没收的非法财物除依法应当予以销毁的外，必须按照国家规定公开拍卖或者处理；销毁须有两名以上见证人和音像记录；处理经批准，处理记录归档，所得款项上缴国库，方可结案",
};
pub const R_095C: Rule = Rule {
    id: "R-095c",
    severity: Severity::Block,
    source: "行政强制法第十三条、第三十七条",
    requirement: "依法享有行政强制执行权的行政机关，当事人逾期仍不履行且无正当理由的，可以作出强制执行决定；决定书载明当事人、强制执行的理由和依据、方式和时间、救济途径，加盖印章并送达",
};
pub const R_095D: Rule = Rule {
    id: "R-095d",
    severity: Severity::Block,
    source: "行政强制法第四十三条；办法第十九条",
    requirement: "不得在夜间或者法定节假日实施行政强制执行（情况紧急的除外），实施过程全程音像记录",
};
pub const R_095E: Rule = Rule {
    id: "R-095e",
    severity: Severity::Block,
    source: "行政强制法第四十四条",
    requirement: "强制拆除违法的建筑物、构筑物、设施，须先公告限期当事人自行拆除；当事人在法定期限内不申请行政复议或者提起行政诉讼，又不拆除的，方可强制拆除",
};
pub const R_097: Rule = Rule {
    id: "R-097",
    severity: Severity::Block,
    source: "行政强制法第五十条、第五十一条",
    requirement: "代履行须以当事人经催告仍不履行、其后果已经或者将危害交通安全、造成环境污染或者破坏自然资源为前提；代履行前送达载明当事人、理由和依据、方式和时间、标的、费用预算及代履行人的决定书；代履行三日前催告；派员到场监督；完毕后监督人员、代履行人和当事人或者见证人签名，费用由当事人承担",
};
pub const R_091: Rule = Rule {
    id: "R-091",
    severity: Severity::Block,
    source: "行政处罚法第七十二条第一款、第七十三条第三款；行政强制法第四十五条",
    requirement: "加处罚款每日按罚款数额的百分之三计算，不得超出罚款数额；当事人申请行政复议或者提起行政诉讼的，复议或者诉讼期间不予计算（须记录受理机关、案号及起止日期）",
};
pub const R_090B: Rule = Rule {
    id: "R-090b",
    severity: Severity::Block,
    source: "行政处罚法第六十六条第二款",
    requirement: "当事人确有经济困难需要暂缓或者分期缴纳罚款的，须经当事人书面申请和行政机关负责人批准，并载明各期缴纳期限和金额",
};
pub const R_092: Rule = Rule {
    id: "R-092",
    severity: Severity::Block,
    source: "行政处罚法第六十八条、第六十九条",
    requirement: "当场收缴罚款仅限一百元以下，或不当场收缴事后难以执行、边远地区当事人申请的情形，并须出具专用票据",
};

pub const R_011: Rule = Rule {
    id: "R-011",
    severity: Severity::Block,
    source: "行政处罚法第五十四条；办法第九条",
    requirement: "普通程序须经立案审批后方可调查",
};
pub const R_012: Rule = Rule {
    id: "R-012",
    severity: Severity::Block,
    source: "行政处罚法第三十六条",
    requirement: "违法行为在二年内未被发现的（涉及公民生命健康安全、金融安全且有危害后果的为五年），不再给予行政处罚",
};
pub const R_032: Rule = Rule {
    id: "R-032",
    severity: Severity::Flag,
    source: "最高人民法院关于行政诉讼证据若干问题的规定第十三条",
    requirement: "证人证言须写明证人的姓名、年龄、性别、职业、住址等基本情况，有证人的签名和日期，并附证人身份证件复印件",
};
pub const R_033: Rule = Rule {
    id: "R-033",
    severity: Severity::Block,
    source: "办法第九条第（一）项",
    requirement: "调查终结报告须载明违法事实、证据、法律依据、自由裁量理由和处理建议",
};
pub const R_035: Rule = Rule {
    id: "R-035",
    severity: Severity::Block,
    source: "办法第八条第（十）项",
    requirement: "论证情况应当记录论证事项、时间、地点、两名以上参加论证人员及其身份、各方意见和论证结论，并由参加人员签名",
};
pub const R_040: Rule = Rule {
    id: "R-040",
    severity: Severity::Block,
    source: "行政处罚法第四十四条、第六十二条",
    requirement: "作出处罚决定前，须送达事先告知书，载明拟处罚内容及事实、理由、依据和陈述申辩权",
};
pub const R_041: Rule = Rule {
    id: "R-041",
    severity: Severity::Block,
    source: "行政处罚法第四十五条",
    requirement: "须对当事人的陈述申辩逐项复核，不得因陈述申辩加重处罚；陈述申辩期限届满或当事人放弃前不得作出决定",
};
pub const R_042: Rule = Rule {
    id: "R-042",
    severity: Severity::Block,
    source: "行政处罚法第六十三条",
    requirement: "拟作出较大数额罚款等处罚的，须告知当事人有要求听证的权利",
};
pub const R_043: Rule = Rule {
    id: "R-043",
    severity: Severity::Block,
    source: "行政处罚法第六十四条第（一）项、第八十五条",
    requirement: "当事人须在告知后五个工作日内提出听证要求；已按时提出的，须组织听证后方可决定",
};
pub const R_044: Rule = Rule {
    id: "R-044",
    severity: Severity::Block,
    source: "行政处罚法第六十四条第（二）项、第八十五条",
    requirement: "须在举行听证的七个工作日前通知当事人听证的时间、地点",
};
pub const R_004: Rule = Rule {
    id: "R-004",
    severity: Severity::Flag,
    source: "办法第八条第（九）项；行政处罚法第四十三条",
    requirement: "当事人申请回避的，应当由行政机关负责人在作出处理决定前决定是否回避并记录",
};
pub const R_004B: Rule = Rule {
    id: "R-004b",
    severity: Severity::Block,
    source: "行政处罚法第四十三条第一款",
    requirement: "决定回避的执法人员不得继续参与本案的调查取证",
};
pub const R_007: Rule = Rule {
    id: "R-007",
    // domain.md has FLAG; issue 15 makes it a BLOCK: "法制审核 by a 法制审核人员 who did not
    // investigate" — a review by an investigator is no review.
    severity: Severity::Block,
    source: "行政处罚法第五十八条；国办发〔2018〕118号",
    requirement: "法制审核人员不得为本案的调查人员",
};
pub const R_005: Rule = Rule {
    id: "R-005",
    severity: Severity::Block,
    source: "行政处罚法第五十八条第二款",
    requirement: "初次从事行政处罚决定法制审核的人员，应当通过国家统一法律职业资格考试取得法律职业资格",
};
pub const R_006: Rule = Rule {
    id: "R-006",
    severity: Severity::Block,
    source: "行政处罚法第六十四条第（四）项；行政许可法第四十八条第一款第（三）项",
    requirement: "听证由本案调查人员（许可申请的审查人员）以外的人员主持",
};
pub const R_050: Rule = Rule {
    id: "R-050",
    severity: Severity::Block,
    source: "行政许可法第四十七条、第四十八条、第八十二条",
    requirement: "许可听证：申请人、利害关系人在被告知听证权利之日起五个工作日内申请，行政机关在二十个工作日内组织听证，并于举行听证七个工作日前通知；听证笔录经参加人确认签字，许可决定根据听证笔录作出",
};
pub const R_011B: Rule = Rule {
    id: "R-011b",
    severity: Severity::Block,
    source: "办法第七条；行政处罚法第五十四条",
    requirement: "决定不予立案的，须经负责人审批并载明不予立案的理由",
};
pub const R_045: Rule = Rule {
    id: "R-045",
    severity: Severity::Block,
    source: "行政处罚法第六十四条第（三）项；行政许可法第四十八条第一款第（一）项",
    requirement: "听证公开举行；不公开的，须载明涉及国家秘密、商业秘密或者个人隐私",
};
pub const R_046: Rule = Rule {
    id: "R-046",
    severity: Severity::Block,
    source: "行政处罚法第六十四条第（五）项",
    requirement: "当事人可以亲自参加听证，也可以委托一至二人代理",
};
pub const R_049: Rule = Rule {
    id: "R-049",
    severity: Severity::Block,
    source: "行政处罚法第六十五条、第五十八条第一款",
    requirement: "听证结束后，须根据听证笔录作出决定（决定须引用听证笔录），并在听证后经法制审核",
};
pub const R_051: Rule = Rule {
    id: "R-051",
    severity: Severity::Block,
    source: "行政处罚法第六十二条",
    requirement: "当事人明确放弃陈述申辩的，须有其签名的书面放弃声明或音像记录；沉默不视为放弃",
};
pub const R_069: Rule = Rule {
    id: "R-069",
    severity: Severity::Block,
    source: "行政处罚法第四十条",
    requirement: "须查明事实：调查终结报告引用的证据须为本案已登记的证据；违法事实不清、证据不足的，不得给予行政处罚",
};
pub const R_070: Rule = Rule {
    id: "R-070",
    severity: Severity::Block,
    source: "行政处罚法第二十七条、第五十七条第一款第（四）项、第八十二条；行政强制法第二十一条",
    requirement: "涉嫌犯罪的，须制作涉嫌犯罪案件移送书移送司法机关；登记保存或扣押的财物随案移交，并书面告知当事人",
};
pub const R_060: Rule = Rule {
    id: "R-060",
    severity: Severity::Block,
    source: "办法第九条第（一）项、第（二）项",
    requirement: "案件处理审批表须记录执法人员的处理建议及事实、证据、依据和裁量情况，以及承办机构拟作出的决定（负责人意见和日期）",
};
pub const R_047: Rule = Rule {
    id: "R-047",
    severity: Severity::Info,
    source: "行政处罚法第六十四条第（六）项",
    requirement: "当事人及其代理人无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利，行政机关终止听证",
};
pub const R_048: Rule = Rule {
    id: "R-048",
    severity: Severity::Block,
    source: "办法第十六条；行政处罚法第六十四条第（八）项",
    requirement: "听证笔录须如实记录，经听证参加人审核无误后签字或者盖章",
};
pub const R_061: Rule = Rule {
    id: "R-061",
    severity: Severity::Block,
    source: "行政处罚法第五十八条；办法第九条第（三）项",
    requirement: "重大执法决定及经过听证程序的案件，须经法制审核通过后方可作出决定",
};
pub const R_062: Rule = Rule {
    id: "R-062",
    severity: Severity::Block,
    source: "行政处罚法第五十七条第二款；办法第九条第（四）项",
    requirement: "对情节复杂或者重大违法行为给予行政处罚，须经负责人集体讨论决定，决定须与讨论结论一致",
};
pub const R_063: Rule = Rule {
    id: "R-063",
    severity: Severity::Block,
    source: "办法第九条第（五）项、第十五条",
    requirement: "处罚决定须经负责人审批，并记录审批意见和日期",
};
pub const R_065: Rule = Rule {
    id: "R-065",
    severity: Severity::Block,
    source: "行政处罚法第五十九条；办法第十三条",
    requirement: "处罚决定书须载明违法事实、处罚依据、履行方式和期限、救济途径，并加盖印章、载明日期",
};
pub const R_066: Rule = Rule {
    id: "R-066",
    severity: Severity::Flag,
    source: "行政处罚法第六十条",
    requirement: "应当自立案之日起九十日内作出行政处罚决定；逾期的须书面说明理由",
};
pub const R_082: Rule = Rule {
    id: "R-082",
    severity: Severity::Flag,
    source: "行政处罚法第六十一条、第八十五条",
    requirement: "当事人不在场的，行政处罚决定书应当在七个工作日内送达",
};
pub const R_080: Rule = Rule {
    id: "R-080",
    severity: Severity::Block,
    source: "办法第十七条；民事诉讼法第八十七条",
    requirement: "向当事人作出的文书须送达：当场交付由当事人签收，或以送达回证记录送达，方可结案",
};
pub const R_081: Rule = Rule {
    id: "R-081",
    severity: Severity::Block,
    source: "办法第十七条第一款",
    requirement: "送达回证应当载明送达文书名称、受送达人、送达时间与地点、送达方式、送达人签字、受送达人签字",
};
pub const R_083: Rule = Rule {
    id: "R-083",
    severity: Severity::Block,
    source: "办法第十七条；民事诉讼法第八十九条",
    requirement: "留置送达须记录拒收理由和日期，由见证人签字或以音像记录送达过程，并将文书留在受送达人住所",
};
pub const R_084: Rule = Rule {
    id: "R-084",
    severity: Severity::Block,
    source: "办法第十七条第二款；民事诉讼法第九十一条",
    requirement: "邮寄送达须记录邮件单号并将邮寄回执归档，以回执上注明的收件日期为送达日期；邮件退回的须另行送达",
};
pub const R_085: Rule = Rule {
    id: "R-085",
    severity: Severity::Block,
    source: "办法第十七条第二款；民事诉讼法第九十一条",
    requirement: "委托送达的，应当记录委托原因和受委托机关，并由受送达人在送达回证上签字",
};
pub const R_086: Rule = Rule {
    id: "R-086",
    severity: Severity::Block,
    source: "行政处罚法第六十一条第二款；民事诉讼法第九十条",
    requirement: "电子送达须经当事人事先同意，记录送达渠道并留存到达受送达人系统的证明",
};
pub const R_087: Rule = Rule {
    id: "R-087",
    severity: Severity::Block,
    source: "办法第十七条第二款；民事诉讼法第九十五条",
    requirement: "公告送达仅在受送达人下落不明或以其他方式无法送达时适用，须记录原因、此前的送达尝试和公告载体，公告文书归档；自公告之日起经过三十日视为送达",
};
pub const R_088: Rule = Rule {
    id: "R-088",
    severity: Severity::Block,
    source: "民事诉讼法第八十八条",
    requirement: "由他人代收的，须记录签收人及其与受送达人的关系",
};
pub const R_133: Rule = Rule {
    id: "R-133",
    severity: Severity::Block,
    source: "办法第五条、第二十六条；电子签名法第十三条",
    requirement: "已记录的内容不得擅自修改；更正须另行记录，载明更正的内容、原值、理由和批准人，原记录予以保留",
};
pub const R_130: Rule = Rule {
    id: "R-130",
    severity: Severity::Block,
    source: "办法第十三条；行政处罚法第五十九条",
    requirement: "向当事人出具的行政执法文书应当加盖办事处印章（签发日有效），载明签发日期和文号",
};
pub const R_132: Rule = Rule {
    id: "R-132",
    severity: Severity::Block,
    source: "办法第十三条（规范、完整、准确）、第十四条至第十七条",
    requirement: "文书定稿前，目录规定的必填项须填写完整，应签名者均已就该内容签名（或依法注明拒签）",
};
pub const R_134: Rule = Rule {
    id: "R-134",
    severity: Severity::Block,
    source: "办法第十二条",
    requirement: "文书须使用本机关规范的文书格式：只填写目录中该文书的栏目，选项栏只填规定的值",
};
pub const R_131: Rule = Rule {
    id: "R-131",
    severity: Severity::Block,
    source: "办法第十五条",
    requirement: "内部审批文书须记录承办人意见和理由、审核人意见、批准人意见，并分别载明日期；不得只签姓名",
};
pub const R_064B: Rule = Rule {
    id: "R-064b",
    severity: Severity::Block,
    source: "办法第三条、第四条",
    requirement: "记录的时间须真实：不得晚于记录时的服务器时间（允许五分钟误差），并符合法定先后顺序（决定不早于告知的送达，送达不早于决定，缴款不早于送达）",
};
pub const R_064: Rule = Rule {
    id: "R-064",
    severity: Severity::Flag,
    source: "办法第十五条（案卷评查）",
    requirement: "审批环节日期须依次为承办、审核、批准；立案、决定、结案不得早于负责人批准之日",
};

pub const R_013: Rule = Rule {
    id: "R-013",
    severity: Severity::Block,
    source: "行政许可法第三十二条；办法第七条第（二）项",
    requirement: "依申请启动的，须记录申请材料清单、收到时间，并出具收件凭证",
};
pub const R_013B: Rule = Rule {
    id: "R-013b",
    severity: Severity::Block,
    source: "行政许可法第三十二条第一款第（四）项、第八十二条",
    requirement: "材料不齐全的，须当场或者在五个工作日内一次告知需要补正的全部内容；逾期不告知的，自收到材料之日起即为受理",
};
pub const R_014: Rule = Rule {
    id: "R-014",
    severity: Severity::Block,
    source: "行政许可法第三十二条第二款",
    requirement: "受理或者不予受理，须出具加盖专用印章和注明日期的书面凭证；不予受理的须说明理由",
};
pub const R_112: Rule = Rule {
    id: "R-112",
    severity: Severity::Block,
    source: "行政许可法第三十六条",
    requirement: "许可事项直接关系他人重大利益的，应当告知利害关系人，听取申请人、利害关系人的陈述和申辩",
};
pub const R_113: Rule = Rule {
    id: "R-113",
    severity: Severity::Block,
    source: "行政许可法第四十五条",
    requirement: "依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在审查期限内，但须将所需时间书面告知申请人",
};
pub const R_114: Rule = Rule {
    id: "R-114",
    severity: Severity::Block,
    source: "行政许可法第四十二条、第八十二条",
    requirement: "自受理之日起二十个工作日内作出决定；延长十个工作日须经负责人批准，并在期限届满前将理由告知申请人",
};
pub const R_115: Rule = Rule {
    id: "R-115",
    severity: Severity::Block,
    source: "行政许可法第三十八条；办法第十三条",
    requirement: "许可决定须书面作出、加盖印章并载明日期；不予许可的须说明理由并告知申请复议、提起诉讼的权利",
};
pub const R_116: Rule = Rule {
    id: "R-116",
    severity: Severity::Flag,
    source: "行政许可法第四十四条",
    requirement: "作出准予许可决定后十个工作日内颁发、送达许可证件",
};

pub const R_100A: Rule = Rule {
    id: "R-100a",
    severity: Severity::Block,
    source: "行政强制法第十八条第（一）项",
    requirement: "实施行政强制措施前须向行政机关负责人报告并经批准",
};
pub const R_100B: Rule = Rule {
    id: "R-100b",
    severity: Severity::Block,
    source: "行政强制法第十九条",
    requirement: "情况紧急当场实施的，须在二十四小时内向负责人报告并补办批准手续；负责人认为不应当采取的，应当立即解除",
};
/// R-100 (b), when the 24 hours passed: the measure is released at once, and the late report
/// stays a defect of the case (the release itself is what the law requires then).
pub const R_100C: Rule = Rule {
    id: "R-100c",
    severity: Severity::Flag,
    source: "行政强制法第十九条",
    requirement: "情况紧急当场实施后超过二十四小时未补办批准手续的，应当立即解除，不得再补办批准",
};
pub const R_101: Rule = Rule {
    id: "R-101",
    severity: Severity::Block,
    source: "行政强制法第十八条",
    requirement: "实施强制措施须通知当事人到场，当场告知理由、依据及权利、救济途径，听取陈述申辩，制作现场笔录并由当事人和执法人员签名（当事人拒绝的注明，不到场的由见证人签名）",
};
pub const R_102: Rule = Rule {
    id: "R-102",
    severity: Severity::Block,
    source: "行政强制法第二十四条；办法第十三条",
    requirement: "查封、扣押决定书须当场交付，载明理由、依据、期限、物品清单及救济途径，加盖印章；清单一式二份",
};
pub const R_103: Rule = Rule {
    id: "R-103",
    severity: Severity::Block,
    source: "行政强制法第二十五条",
    requirement: "查封、扣押期限不得超过三十日；延长一次不超过三十日，须经负责人批准并在期限届满前书面告知当事人理由",
};
pub const R_104: Rule = Rule {
    id: "R-104",
    severity: Severity::Block,
    source: "行政强制法第二十七条、第二十八条",
    requirement: "须在查封、扣押期限内作出处理决定；期限届满未作决定的，应当解除",
};
pub const R_105: Rule = Rule {
    id: "R-105",
    severity: Severity::Block,
    source: "行政强制法第二十三条",
    requirement: "查封、扣押限于涉案的场所、设施或者财物，不得查封、扣押与违法行为无关的财物和公民个人及其所扶养家属的生活必需品；已被其他国家机关依法查封的，不得重复查封",
};
pub const R_106: Rule = Rule {
    id: "R-106",
    severity: Severity::Block,
    source: "办法第十九条",
    requirement: "查封、扣押等直接涉及重大财产权益的现场执法活动，应当进行全程音像记录",
};

pub const R_117: Rule = Rule {
    id: "R-117",
    severity: Severity::Info,
    source: "行政许可法第五十条",
    requirement: "延续行政许可有效期的，应在有效期届满三十日前提出申请；有效期届满前未作出决定的，视为准予延续",
};
pub const R_150: Rule = Rule {
    id: "R-150",
    severity: Severity::Flag,
    source: "办法第二十五条",
    requirement: "执法行为结束之日起三十日内，将执法全过程记录资料（文字和音像）立卷归档",
};
pub const R_152: Rule = Rule {
    id: "R-152",
    severity: Severity::Block,
    source: "办法第二十五条；案卷评查标准",
    requirement: "案卷须包含案件实际经过的程序所要求的全部文书，文书已定稿、须盖章的已签发，音像记录齐全、中断已说明",
};
pub const R_153: Rule = Rule {
    id: "R-153",
    severity: Severity::Block,
    source: "办法第二十四条；机关文件材料归档范围和文书档案保管期限规定（国家档案局令第8号）",
    requirement: "归档时确定保管期限（永久、定期30年、定期10年），不得短于该类案卷的默认期限",
};
pub const R_154: Rule = Rule {
    id: "R-154",
    severity: Severity::Block,
    source: "办法第二十五条；DA/T 70-2018《文书类电子档案检测一般要求》",
    requirement: "归档时进行真实性、完整性、可用性、安全性检测（四性检测），不合格的不得归档",
};
pub const R_173: Rule = Rule {
    id: "R-173",
    severity: Severity::Flag,
    source: "行政处罚法第三十九条；国办发〔2018〕118号",
    requirement: "执法前公示实施机关、立案依据、实施程序和救济渠道",
};

/// Every rule this crate enforces.
pub const ALL: &[Rule] = &[
    R_140, R_149A, R_149B, R_149C, R_149D, R_001, R_002, R_003, R_004, R_004B, R_005, R_006, R_007, R_008, R_009,
    R_010A, R_010, R_011, R_011B, R_012, R_013, R_013B, R_014, R_015, R_016, R_020, R_021, R_022, R_023, R_024, R_025,
    R_026, R_027, R_028, R_029, R_030, R_031, R_032, R_033, R_034, R_035, R_040, R_041, R_042, R_043, R_044, R_045,
    R_046, R_047, R_048, R_049, R_050, R_051, R_060, R_061, R_062, R_063, R_064, R_064B, R_065, R_066, R_067A, R_067B,
    R_067C, R_069, R_070, R_080, R_081, R_082, R_083, R_084, R_085, R_086, R_087, R_088, R_089, R_090, R_090B, R_091,
    R_092, R_093, R_094, R_095A, R_095B, R_095C, R_095D, R_095E, R_097, R_100A, R_100B, R_100C, R_101, R_102, R_103,
    R_104, R_105, R_106, R_111, R_112, R_113, R_117, R_118, R_114, R_115, R_116, R_120A, R_120B, R_120D, R_120E, R_121,
    R_130, R_131, R_132, R_133, R_134, R_141, R_142, R_143, R_144, R_145, R_150, R_152, R_153, R_154, R_173,
];

/// A refused command: every BLOCK rule that failed, plus the FLAGs found on the way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.violations.iter().map(ToString::to_string).collect::<Vec<_>>().join("；"))]
pub struct Refusal {
    pub violations: Vec<Violation>,
}

/// The findings to keep as the case's defects for 案卷评查: FLAGs, not INFO advice.
pub fn defects(flags: &[Violation]) -> impl Iterator<Item = Violation> + '_ {
    flags.iter().filter(|v| v.rule.severity == Severity::Flag).cloned()
}

/// Splits findings into a refusal (if any BLOCK failed) or the FLAG defects to record.
pub fn decide(found: Vec<Violation>) -> Result<Vec<Violation>, Refusal> {
    if found.iter().any(|v| v.rule.severity == Severity::Block) {
        Err(Refusal { violations: found })
    } else {
        Ok(found)
    }
}

/// Why a command was not carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Rules failed.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// The command does not apply in the current state (named in Chinese).
    #[error("当前状态“{state}”下不能{action}")]
    WrongState { state: &'static str, action: &'static str },
    /// A period in working days cannot be computed (a year without a calendar).
    #[error(transparent)]
    Calendar(#[from] crate::calendar::CalendarError),
}
