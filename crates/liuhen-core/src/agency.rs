//! 执法主体 (domain.md a.1): the office itself — its name and 统一社会信用代码, whether a statute
//! gives it 行政强制执行权 (a 街道办事处 has none by default, so an unperformed decision goes to the
//! people's court: 行政强制法第十三条、第五十三条), and its seals.

/// A seal of the office (physical, or electronic under GB/T 38540 with issue 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    /// 公章, 行政执法专用章, 行政许可专用章….
    pub kind: String,
    pub valid_from: crate::time::Date,
    pub valid_to: crate::time::Date,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agency {
    pub name: String,
    pub uscc: String,
    /// A statute grants the office 行政强制执行权 (强制法第十三条). Default: no.
    pub has_enforcement_power: bool,
    pub seals: Vec<Seal>,
    /// 救济渠道 posted before enforcement: the organ that hears an application for
    /// 行政复议 against the office's acts…
    pub review_organ: String,
    /// …and the people's court that hears a suit against them.
    pub court: String,
    /// The office's archive (办法第二十五条): its 全宗号, the first part of every 档号 (empty:
    /// "0001")…
    pub fonds: String,
    /// …its retention table by kind of case (办法第二十四条: by category and risk), none shorter
    /// than the kind's least; a kind not in it takes its least…
    pub retention: std::collections::BTreeMap<String, crate::archive::Retention>,
    /// …how many months a recording of no case is kept (domain.md §f.4: at least six)…
    pub unlinked_months: u32,
    /// …and where a 案卷's 页号 go on each page (`top_right`, the default; `bottom_right`;
    /// `bottom_center`).
    pub page_number_position: String,
}

impl Default for Agency {
    /// An office not yet described: no name, no power of its own to enforce.
    fn default() -> Agency {
        Agency {
            name: String::new(),
            uscc: String::new(),
            has_enforcement_power: false,
            seals: Vec::new(),
            review_organ: String::new(),
            court: String::new(),
            fonds: String::new(),
            retention: std::collections::BTreeMap::new(),
            unlinked_months: MIN_UNLINKED_MONTHS,
            page_number_position: PAGE_NUMBER_POSITIONS[0].to_string(),
        }
    }
}

/// What is wrong with an office's archive settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveProblem {
    /// A kind kept shorter than its least.
    Retention(crate::rules::Violation),
    Other(String),
}

/// A recording of no case is kept at least six months (办法第二十四条; domain.md §f.4).
pub const MIN_UNLINKED_MONTHS: u32 = 6;
/// Where a 案卷's 页号 may go: 右上角 (the default), 右下角, 底部居中.
pub const PAGE_NUMBER_POSITIONS: [&str; 3] = ["top_right", "bottom_right", "bottom_center"];
/// The 全宗号 of an office that has not set one.
pub const DEFAULT_FONDS: &str = "0001";

impl Agency {
    /// Whether the office holds, on `date`, a seal of `kind` or its 公章; `None` asks
    /// for any seal it holds.
    pub fn holds_seal(&self, kind: Option<&str>, date: crate::time::Date) -> bool {
        self.seals
            .iter()
            .any(|s| kind.is_none_or(|k| s.kind == k || s.kind == "公章") && s.valid_from <= date && date <= s.valid_to)
    }

    /// What a profile must carry: a name, a valid 统一社会信用代码, seals with sane validity.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("执法主体名称不能为空".to_string());
        }
        if !crate::party::uscc_valid(self.uscc.trim()) {
            return Err("执法主体统一社会信用代码缺失或校验位不符".to_string());
        }
        for s in &self.seals {
            if s.kind.trim().is_empty() || s.valid_to < s.valid_from {
                return Err("印章须写明种类，有效期结束日期不得早于开始日期".to_string());
            }
        }
        self.check_archive().map_err(|p| match p {
            ArchiveProblem::Retention(v) => v.to_string(),
            ArchiveProblem::Other(s) => s,
        })
    }

    /// The archive's settings: a 全宗号 in its form, a retention table of known kinds none kept
    /// shorter than its least, and at least six months for a recording of no case.
    pub fn check_archive(&self) -> Result<(), ArchiveProblem> {
        if !self.fonds.is_empty() && !crate::archive::fonds_ok(&self.fonds) {
            return Err(ArchiveProblem::Other("全宗号须为 1 至 16 位字母或数字".to_string()));
        }
        for (kind, r) in &self.retention {
            if !crate::archive::KINDS.contains(&kind.as_str()) {
                return Err(ArchiveProblem::Other(format!("保管期限表中没有“{kind}”这类案件")));
            }
            crate::archive::check_retention(kind, *r).map_err(ArchiveProblem::Retention)?;
        }
        if !PAGE_NUMBER_POSITIONS.contains(&self.page_number_position.as_str()) {
            return Err(ArchiveProblem::Other("页号位置须为 top_right、bottom_right 或 bottom_center".to_string()));
        }
        if !(MIN_UNLINKED_MONTHS..=1200).contains(&self.unlinked_months) {
            return Err(ArchiveProblem::Other("未关联案件的音像记录至少保存六个月".to_string()));
        }
        Ok(())
    }

    /// The 全宗号 of the office's 档号.
    pub fn fonds(&self) -> &str {
        if self.fonds.is_empty() { DEFAULT_FONDS } else { &self.fonds }
    }

    /// The retention of a file of kind `case_type` in the office's table (its least if absent).
    pub fn retention_for(&self, case_type: &str) -> crate::archive::Retention {
        self.retention.get(case_type).copied().unwrap_or_else(|| crate::archive::least_retention(case_type))
    }
}

/// R-173 (行政处罚法第三十九条): before it enforces, the office has publicly posted who it is (the
/// 实施机关), the basis of the matter, the procedure and the remedies. The procedure is the one
/// this system walks and the basis the 权责清单's; what an office can leave out is its own name
/// and its 救济渠道. A FLAG: the act stands, the gap is a defect of the case.
pub fn prior_posting(a: &Agency, legal_basis: &str) -> Vec<crate::rules::Violation> {
    let mut found = Vec::new();
    for (field, value, what) in [
        ("name", &a.name, "实施机关名称"),
        ("review_organ", &a.review_organ, "行政复议机关"),
        ("court", &a.court, "管辖的人民法院"),
    ] {
        if value.trim().is_empty() {
            found.push(crate::rules::R_173.violated(field, format!("事前公示未载明{what}")));
        }
    }
    if legal_basis.trim().is_empty() {
        found.push(crate::rules::R_173.violated("legal_basis", "事前公示未载明该执法事项的依据"));
    }
    found
}
