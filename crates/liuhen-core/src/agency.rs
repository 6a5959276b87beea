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
}

impl Default for Agency {
    /// An office not yet described: no name, no power of its own to enforce.
    fn default() -> Agency {
        Agency { name: String::new(), uscc: String::new(), has_enforcement_power: false, seals: Vec::new() }
    }
}

impl Agency {
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
        Ok(())
    }
}
