//! 案号 and 文号 the office expects: a case opened without a number, or a document issued without
//! one, gets the next of its kind (or document) and year by the office's numbering scheme (the
//! catalogue `catalogue.numbering`, e.g. `栗街罚〔{year}〕{n}号`, `栗街罚决〔{year}〕{n}号`) — one more
//! than the highest number of that pattern and year already given, so no number is skipped or
//! given twice; a number typed by hand is kept as typed (and a later one follows it). The
//! highest 案号 is read from the index of case numbers; the highest 文号 of a series, and which
//! document holds each 文号, from one setting each — never by reading every case or document.

use super::App;
use crate::app::AppError;
use liuhen_store::{DocNumberRecord, LogStore};
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

/// The pattern of party-facing document `code` before the office sets its own.
fn default_doc_pattern(code: &str) -> Option<&'static str> {
    Some(match code {
        "D16" => "抽样〔{year}〕{n}号",
        "D18b" => "登保〔{year}〕{n}号",
        "D20b" => "封扣〔{year}〕{n}号",
        "D32" => "罚告〔{year}〕{n}号",
        "D34b" => "听通〔{year}〕{n}号",
        "D36" => "罚决〔{year}〕{n}号",
        "D36s" => "简罚决〔{year}〕{n}号",
        "D41" => "送〔{year}〕{n}号",
        "D05" => "检通〔{year}〕{n}号",
        "D52" => "检告〔{year}〕{n}号",
        "L02" => "许补〔{year}〕{n}号",
        "L03" => "许受〔{year}〕{n}号",
        "L10" => "许决〔{year}〕{n}号",
        _ => return None,
    })
}

/// What a numbering row may be set for: a kind of case, or a document issued under seal.
pub fn numbered(kind: &str) -> bool {
    KINDS.contains(&kind) || default_doc_pattern(kind).is_some()
}

/// A full-width letter, digit or sign (Ａ, ３, －) or a mathematical digit (𝟐) as its ASCII
/// character; any other character as it is.
pub fn ascii_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        // Mathematical digits (bold, double-struck, sans-serif, monospace…).
        '\u{1D7CE}'..='\u{1D7FF}' => char::from_digit((c as u32 - 0x1D7CE) % 10, 10).unwrap_or(c),
        _ => c,
    }
}

/// The 文号 a case event gives a document of the case — a decision's (`doc.doc_no`, or
/// `doc_no` of an enforcement or substitute decision), a 移送书's, a pre-numbered 当场处罚决定书's
/// (`doc.form_no` as sent, `form_no` as recorded) — in a command as sent or an event as recorded.
/// A 案号 or 文号 in the one form the office writes (GB/T 9704: Arabic numerals, the year in
/// 六角括号 〔〕): full-width letters and digits made ASCII, the other brackets made 〔〕, spaces
/// dropped — so two numbers that read the same are the same number, and a look-alike is a
/// duplicate, not a new one.
pub fn canonical_no(no: &str) -> String {
    let chars: String = no
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(ascii_width)
        .map(|c| match c {
            '[' | '(' | '【' | '〈' | '〖' | '［' | '﹝' | '〘' | '⦅' | '｟' | '︹' => '〔',
            ']' | ')' | '】' | '〉' | '〗' | '］' | '﹞' | '〙' | '⦆' | '｠' | '︺' => '〕',
            '號' => '号',
            _ => c,
        })
        .collect();
    sequence_in_figures(&chars)
}

/// The sequence before the closing 号 written in figures without leading zeros: `〔2026〕023号`
/// and `〔2026〕二十三号` are `〔2026〕23号`.
fn sequence_in_figures(no: &str) -> String {
    let Some(end) = no.rfind('号') else { return no.to_string() };
    let head = &no[..end];
    let numeral = |c: char| c.is_ascii_digit() || "〇零一二两三四五六七八九十百千万".contains(c);
    let start = head.char_indices().rev().take_while(|(_, c)| numeral(*c)).last().map_or(end, |(i, _)| i);
    let run = &head[start..];
    if run.is_empty() {
        return no.to_string();
    }
    if run.chars().all(|c| c.is_ascii_digit()) {
        // Figures of any length: leading zeros dropped as text, so a run too long for a number
        // (which no series holds) is still written one way only (helper 18).
        let figures = match run.trim_start_matches('0') {
            "" => "0",
            f => f,
        };
        return format!("{}{figures}{}", &head[..start], &no[end..]);
    }
    match liuhen_core::summary::amounts_in(run).first().map(|fen| fen / 100) {
        Some(v) if v > 0 => format!("{}{v}{}", &head[..start], &no[end..]),
        _ => no.to_string(),
    }
}

/// The 文号 fields of a case command (see [`doc_numbers`]) put in their one form.
pub fn canonical_numbers(v: &mut Value) {
    for path in ["/doc/doc_no", "/doc/form_no", "/doc_no", "/form_no", "/transfer/doc_no"] {
        if let Some(Value::String(s)) = v.pointer_mut(path) {
            *s = canonical_no(s);
        }
    }
}

pub fn doc_numbers(v: &Value) -> Vec<String> {
    [&v["doc"]["doc_no"], &v["doc"]["form_no"], &v["doc_no"], &v["form_no"], &v["transfer"]["doc_no"]]
        .into_iter()
        .filter_map(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The register's row of 文号 `no` a case event of case `case` gives: held by the case (no
/// document), in its series when it reads as one ([`series_of`]).
pub fn case_doc_number(no: &str, case: &str) -> DocNumberRecord {
    let (series, n) = series_of(no).map_or((None, None), |(s, n)| (Some(s), Some(n)));
    DocNumberRecord {
        doc_no: no.to_string(),
        case_id: case.to_string(),
        document: String::new(),
        series,
        n,
        updated_at_ms: 0,
        version: 0,
    }
}

/// The series a 文号 a case event gives belongs to, and its place in it: its last run of digits
/// is the sequence (`栗街罚决〔2026〕12号` → (`栗街罚决〔2026〕{n}号`, 12)), as every pattern
/// writes it (`{n}` after `{year}`, no digit after `{n}`). None for a number with no such run
/// or one written with a leading zero (not as a scheme writes it).
pub fn series_of(no: &str) -> Option<(String, u64)> {
    let end = no.rfind(|c: char| c.is_ascii_digit())? + 1;
    let start = no[..end].trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let digits = &no[start..end];
    if digits.starts_with('0') {
        return None;
    }
    Some((format!("{}{{n}}{}", &no[..start], &no[end..]), digits.parse().ok()?))
}

/// The most digits a 文号's number may have (a year of one series never nears a billion): a
/// number beyond would be its series' last, and the next after it no number the series reads
/// as its own — the series stalled on it. A run with a leading zero (a pre-printed form's
/// `No.0000021`) is no number of a series, and may be as long as it is.
pub const MAX_SEQUENCE_DIGITS: usize = 9;

/// Refuses a typed 文号 whose number (its last run of digits) is longer than a series holds.
pub fn check_sequence(no: &str) -> Result<(), AppError> {
    let Some(end) = no.rfind(|c: char| c.is_ascii_digit()).map(|i| i + 1) else { return Ok(()) };
    let start = no[..end].trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if end - start > MAX_SEQUENCE_DIGITS && !no[start..].starts_with('0') {
        return Err(AppError::BadRequest(format!("文号“{no}”的序号过长（至多 {MAX_SEQUENCE_DIGITS} 位数字）")));
    }
    Ok(())
}

/// The 文号 an issue gives, with what records it: what the issued entry carries so the rebuild
/// registers the same (`numbered`).
pub struct DocNo {
    pub no: String,
    pub numbered: Value,
}

/// The register's row of the 文号 an issue gives (`numbered`, as the issued entry carries it):
/// the document and case holding it, its place in the pattern's series when it is one.
pub fn doc_number_of(numbered: &Value) -> DocNumberRecord {
    DocNumberRecord {
        doc_no: numbered["no"].as_str().unwrap_or_default().to_string(),
        case_id: numbered["case"].as_str().unwrap_or_default().to_string(),
        document: numbered["document"].as_str().unwrap_or_default().to_string(),
        series: numbered["series"].as_str().map(str::to_string),
        n: numbered["n"].as_u64(),
        updated_at_ms: 0,
        version: 0,
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
    /// The office's pattern for `kind` (a kind of case or a document's code).
    async fn pattern(&self, kind: &str) -> Result<String, AppError> {
        let rows = self.catalogue(super::catalogues::NUMBERING).await?;
        let set = rows.as_array().into_iter().flatten().find(|r| r["kind"] == kind).and_then(|r| r["pattern"].as_str());
        let default = default_doc_pattern(kind).unwrap_or_else(|| default_pattern(kind));
        Ok(set.unwrap_or(default).to_string())
    }

    /// Refuses a 文号 a command on case `case` gives that another case or a document of
    /// another case holds (409 DUPLICATE). The register rows are then written at the versions
    /// read (a number taken meanwhile is `Stale`).
    pub(crate) async fn doc_numbers_free(&self, case: &str, command: &Value) -> Result<(), AppError> {
        for no in doc_numbers(command) {
            check_sequence(&no)?;
            if let (Some(holder), _) = self.doc_number(&no).await?
                && holder.case_id != case
            {
                return Err(AppError::Duplicate(format!("文号“{no}”已由其他案件或文书使用")));
            }
        }
        Ok(())
    }

    /// A server holds its numbering — the 文号 register and the 案号 of new cases — from its start
    /// until an integrity check has found the projections as the log has them (or mended them
    /// from it): a register or case row deleted with a shell while the server was stopped would
    /// otherwise let a number be given twice.
    /// So are the sessions the server found at its start: a session row added with a shell
    /// while it was stopped would otherwise act in an account's name until the check ends it
    /// (one signed in after the start is honoured at once).
    pub async fn hold_until_checked(&self) -> Result<(), AppError> {
        self.numbering_held.store(true, std::sync::atomic::Ordering::SeqCst);
        let now = super::now_ms();
        let live = self.store.sessions(None).await?.into_iter().filter(|s| s.expires_at_ms > now);
        *self.inherited_sessions.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(live.map(|s| s.token_sha256).collect());
        Ok(())
    }

    /// `Unavailable` while the register is held (see [`Self::hold_until_checked`]).
    fn numbering_open(&self) -> Result<(), AppError> {
        match self.numbering_held.load(std::sync::atomic::Ordering::SeqCst) {
            true => Err(AppError::Unavailable(super::error::NUMBERING_HELD.into())),
            false => Ok(()),
        }
    }

    /// Who holds 文号 `no` and the version its row was read at (`None`, 0: never given).
    pub(crate) async fn doc_number(&self, no: &str) -> Result<(Option<DocNumberRecord>, u64), AppError> {
        self.numbering_open()?;
        match self.store.doc_number(no).await {
            Ok(r) => {
                let read = r.version;
                Ok((Some(r), read))
            }
            Err(liuhen_store::StoreError::NotFound) => Ok((None, 0)),
            Err(e) => Err(e.into()),
        }
    }

    /// The next 文号 of document `code` in the office's pattern and the server's year, one more
    /// than the highest its series holds, for a case command that gives none (its register row
    /// is created with the command: two commands given the same next number, one is `Stale`).
    pub(crate) async fn next_doc_no(&self, code: &str) -> Result<String, AppError> {
        let pattern = self.pattern(code).await?;
        let (before, after) = parts(&pattern, self.clock.now().shanghai_date().year());
        let last = self.series_last(&format!("{before}{{n}}{after}")).await?;
        Ok(format!("{before}{}{after}", last + 1))
    }

    /// The highest number series `series` holds (0 when none is given yet).
    pub(crate) async fn series_last(&self, series: &str) -> Result<u64, AppError> {
        self.numbering_open()?;
        Ok(self.store.series_last(series).await?)
    }

    /// The registry writes of the 文号 a case event gives (`numbers`) for case `case`: each
    /// held by the case, each series' highest number raised — every one conditional on the
    /// registry as read here. A number another case or document took since the command was
    /// checked is `Stale` (the command is decided again, and then refused or renumbered).
    pub(crate) async fn case_doc_no_ops(
        &self,
        case: &str,
        numbers: &[String],
        at: i64,
    ) -> Result<Vec<liuhen_store::Op>, AppError> {
        let mut ops = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for no in numbers.iter().filter(|no| seen.insert(no.as_str())) {
            let (held, read) = self.doc_number(no).await?;
            if held.is_some_and(|h| h.case_id != case) {
                return Err(AppError::Stale(format!("文号“{no}”刚由其他案件或文书使用")));
            }
            let record = DocNumberRecord { updated_at_ms: at, ..case_doc_number(no, case) };
            ops.push(liuhen_store::Op::PutDocNumber { record, expected_version: Some(read) });
        }
        Ok(ops)
    }

    /// The 文号 document `id` of `code` on case `case` is issued with: `typed` (trimmed) if
    /// given, else the next of the office's pattern in the year of the server's clock. A 文号
    /// another document holds is refused (409 DUPLICATE), except the one the document corrects
    /// (`supersedes`), whose number its correction keeps. The registry writes come with the
    /// versions read here (a number taken in between makes the issue `Stale`, decided again).
    pub(crate) async fn doc_no_or_next(
        &self,
        (id, case, code): (&str, &str, &str),
        typed: &str,
        supersedes: Option<&str>,
    ) -> Result<(DocNo, Vec<liuhen_store::Op>), AppError> {
        let pattern = self.pattern(code).await?;
        let year = self.clock.now().shanghai_date().year();
        let (before, after) = parts(&pattern, year);
        let series = format!("{before}{{n}}{after}");
        let last = self.series_last(&series).await?;
        let no = match canonical_no(typed) {
            t if t.is_empty() => format!("{before}{}{after}", last + 1),
            t => {
                check_sequence(&t)?;
                t
            }
        };
        let (held, no_read) = self.doc_number(&no).await?;
        if let Some(holder) = held {
            // The document it corrects keeps its number; so does the case's own decision.
            let own_decision = holder.document.is_empty() && holder.case_id == case;
            if Some(holder.document.as_str()) != supersedes && !own_decision {
                return Err(AppError::Duplicate(format!("文号“{no}”已由其他文书使用")));
            }
        }
        let mut numbered = serde_json::json!({"no": no, "document": id, "case": case});
        if let Some(n) = sequence(&pattern, year, &no) {
            numbered["series"] = Value::from(series);
            numbered["n"] = Value::from(n);
        }
        // Only a number of the pattern's own series is in it (`numbered["series"]`).
        let ops =
            vec![liuhen_store::Op::PutDocNumber { record: doc_number_of(&numbered), expected_version: Some(no_read) }];
        Ok((DocNo { no, numbered }, ops))
    }

    /// Opens a case (`open`, given its 案号) numbered `typed` (trimmed) if given, else the next
    /// number of `kind` in the year of the server's clock. No lock: the case-number index is
    /// unique, so of openings at the same moment that take the same next number one is
    /// created and the others (refused as duplicates) take the number after it.
    pub(crate) async fn with_case_no<T, F, Fut>(&self, kind: &str, typed: &str, mut open: F) -> Result<T, AppError>
    where
        F: FnMut(String) -> Fut,
        Fut: std::future::Future<Output = Result<T, AppError>>,
    {
        // A 案号 is unique by the cases' index: a case row deleted while the server was stopped
        // would let its number be taken again, so no case opens before the check at start.
        self.numbering_open()?;
        let typed = canonical_no(typed);
        if !typed.is_empty() {
            return open(typed).await;
        }
        let mut round = 0;
        loop {
            let next = self.next_case_no(kind).await?;
            match open(next).await {
                // Taken a moment ago by another opening (which is committed): the next one.
                Err(AppError::Duplicate(_)) if round < super::RETRIES => round += 1,
                other => return other,
            }
        }
    }

    /// The next number of `kind` in the year of the server's clock: one more than the highest
    /// of its pattern and year in the index of case numbers.
    async fn next_case_no(&self, kind: &str) -> Result<String, AppError> {
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
    fn a_number_written_otherwise_is_the_same_number() {
        for written in [
            "栗街罚决〔2026〕12号",
            "栗街罚决［２０２６］１２号",
            " 栗街罚决 (2026) 12 号",
            "栗街罚决【2026】12号",
            "栗街罚决﹝2026﹞12號",
            "栗街罚决〔2026〕012号",
            "栗街罚决〔2026〕十二号",
            "栗街罚决〔2026〕𝟏𝟐号",
        ] {
            assert_eq!(canonical_no(written), "栗街罚决〔2026〕12号", "{written}");
        }
        // Figures too many for a number: still one way only (helper 18).
        let long = "栗街检〔2026〕99999999999999999999999号";
        for written in ["栗街检〔2026〕0099999999999999999999999号", "栗街检〔2026〕099999999999999999999999号", long]
        {
            assert_eq!(canonical_no(written), long, "{written}");
        }
        assert_eq!(canonical_no("栗街检〔2026〕000号"), canonical_no("栗街检〔2026〕0号"));
        let mut cmd = serde_json::json!({"type": "decide", "doc": {"doc_no": "栗街罚决［２０２６］１２号"}});
        canonical_numbers(&mut cmd);
        assert_eq!(doc_numbers(&cmd), ["栗街罚决〔2026〕12号"]);
        assert_eq!(series_of(&canonical_no("罚决〔2026〕１２号")), Some(("罚决〔2026〕{n}号".to_string(), 12)));
    }

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

    #[test]
    fn a_typed_number_falls_in_the_series_its_pattern_would_give() {
        let p = "栗街罚决〔{year}〕{n}号";
        let (before, after) = parts(p, 2026);
        assert_eq!(series_of("栗街罚决〔2026〕12号"), Some((format!("{before}{{n}}{after}"), 12)));
        assert_eq!(series_of("12"), Some(("{n}".to_string(), 12)));
        assert_eq!(series_of("栗街罚决〔2026〕012号"), None);
        assert_eq!(series_of("栗街罚决"), None);
    }
}
