//! 案号 the office expects: a case opened without a number gets the next of its kind and year
//! by the office's numbering scheme (the catalogue `catalogue.numbering`, e.g.
//! `栗街罚〔{year}〕{n}号`) — one more than the highest number of that pattern and year already
//! given, so no number is skipped or given twice; a number typed by hand is kept as typed (and a
//! later one follows it). The highest is read from the index of case numbers, never by reading
//! every case.

use super::App;
use crate::error::ApiError;
use liuhen_store::LogStore;
use serde_json::Value;

/// The kinds of case a pattern is set for.
pub const KINDS: [&str; 5] = ["inspection", "summary_penalty", "ordinary_penalty", "licence", "coercive_measure"];

/// The pattern of `kind` before the office sets its own.
fn default_pattern(kind: &str) -> &'static str {
    match kind {
        "inspection" => "检〔{year}〕{n}号",
        "summary_penalty" => "简罚〔{year}〕{n}号",
        "ordinary_penalty" => "罚〔{year}〕{n}号",
        "licence" => "许〔{year}〕{n}号",
        _ => "强〔{year}〕{n}号",
    }
}

/// A pattern holds `{year}` once, then `{n}` once, and fits a case number (64 characters).
pub fn check_pattern(p: &str) -> Result<(), String> {
    let (y, n) = (p.find("{year}"), p.find("{n}"));
    match (y, n) {
        (Some(y), Some(n)) if y < n && p.matches("{year}").count() == 1 && p.matches("{n}").count() == 1 => {}
        _ => return Err("编号格式须依次含有 {year} 和 {n} 各一处，如 栗街罚〔{year}〕{n}号".to_string()),
    }
    if p.chars().count() > 40 {
        return Err("编号格式不得超过 40 个字符".to_string());
    }
    Ok(())
}

/// The number of `pattern` for `year`: its text before `{n}` and after it.
fn parts(pattern: &str, year: i32) -> (String, String) {
    let filled = pattern.replace("{year}", &year.to_string());
    let (before, after) = filled.split_once("{n}").unwrap_or((filled.as_str(), ""));
    (before.to_string(), after.to_string())
}

/// The `n` of `case_no` if it is a number of `pattern` for `year`.
pub fn sequence(pattern: &str, year: i32, case_no: &str) -> Option<u32> {
    let (before, after) = parts(pattern, year);
    let digits = case_no.strip_prefix(&before)?.strip_suffix(&after)?;
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.starts_with('0') {
        return None;
    }
    digits.parse().ok()
}

impl<S: LogStore> App<S> {
    /// The office's pattern for `kind`.
    async fn pattern(&self, kind: &str) -> Result<String, ApiError> {
        let rows = self.catalogue(super::catalogues::NUMBERING).await?;
        let set = rows.as_array().into_iter().flatten().find(|r| r["kind"] == kind).and_then(|r| r["pattern"].as_str());
        Ok(set.unwrap_or(default_pattern(kind)).to_string())
    }

    /// `typed` (trimmed) if given, else the next number of `kind` in the year of the server's
    /// clock.
    pub(crate) async fn case_no_or_next(&self, kind: &str, typed: &str) -> Result<String, ApiError> {
        if !typed.trim().is_empty() {
            return Ok(typed.trim().to_string());
        }
        let pattern = self.pattern(kind).await?;
        let year = self.clock.now().shanghai_date().year();
        let (before, _) = parts(&pattern, year);
        let taken = self.store.case_numbers(&before, 100_000).await?;
        let last = taken.iter().filter_map(|no| sequence(&pattern, year, no)).max().unwrap_or(0);
        let (before, after) = parts(&pattern, year);
        Ok(format!("{before}{}{after}", last + 1))
    }
}

/// The numbering catalogue's rows as JSON (for the demo).
pub fn rows(patterns: &[(&str, &str)]) -> Value {
    Value::Array(patterns.iter().map(|(k, p)| serde_json::json!({"kind": k, "pattern": p})).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_read_back_only_in_its_pattern_and_year() {
        let p = "栗街罚〔{year}〕{n}号";
        assert_eq!(sequence(p, 2027, "栗街罚〔2027〕12号"), Some(12));
        assert_eq!(sequence(p, 2027, "栗街罚〔2026〕12号"), None, "another year");
        assert_eq!(sequence(p, 2027, "栗街罚〔2027〕012号"), None, "not as the scheme writes it");
        assert_eq!(sequence(p, 2027, "栗街罚〔2027〕十二号"), None);
        assert!(check_pattern(p).is_ok());
        assert!(check_pattern("栗街罚{n}号").is_err(), "no year");
        assert!(check_pattern("{n}-{year}").is_err(), "the year after the number");
    }
}
