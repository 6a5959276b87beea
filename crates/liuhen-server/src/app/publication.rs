//! 行政执法公示 (国办发〔2018〕118号; 行政处罚法第四十八条; 政府信息公开条例): decisions of
//! penalties and licences published within seven working days of the decision, withdrawn with
//! an explanation within three working days once changed or revoked; each publication and
//! withdrawal a log entry (the published text behind a commitment), the case's row of the
//! `publications` table its projection (the public list pages it by time of publication). What is published names no natural person in full and
//! carries no identity number, phone or address (the publication rules: 姓名 masked as
//! “张某某”; an organisation by name and 统一社会信用代码).

use super::App;
use super::policy::{Role, roles};
use crate::app::AppError;
use liuhen_core::calendar::Period;
use liuhen_core::time::Timestamp;
use liuhen_log::entry::Entry;
use liuhen_store::{CaseRecord, LogStore, Op, PublicationRecord, UserRecord};
use serde_json::{Value, json};

/// Working days from a penalty or licence decision to its publication (国办发〔2018〕118号).
pub const PUBLISH_WORKING_DAYS: u32 = 7;
/// Working days from any other enforcement decision (a 查封、扣押) to its publication.
pub const PUBLISH_OTHER_WORKING_DAYS: u32 = 20;
/// Working days from a change or revocation to the withdrawal (国办发〔2018〕118号).
pub const WITHDRAW_WORKING_DAYS: u32 = 3;
/// Where the rule comes from: for a penalty, also 行政处罚法第四十八条.
pub const SOURCE: &str = "国办发〔2018〕118号；行政处罚法第四十八条";

/// The source of the 公示 rule for a case of `case_type`.
pub fn source(case_type: &str) -> &'static str {
    match case_type {
        "ordinary_penalty" | "summary_penalty" => SOURCE,
        "licence" => "国办发〔2018〕118号；行政许可法第四十条",
        _ => "国办发〔2018〕118号",
    }
}

/// The working days case type `case_type`'s decision has to be published in: seven for
/// a penalty or a licence, twenty for another enforcement decision; `None` for a kind with no
/// decision to publish.
pub fn publish_days(case_type: &str) -> Option<u32> {
    match case_type {
        "ordinary_penalty" | "summary_penalty" | "licence" => Some(PUBLISH_WORKING_DAYS),
        "coercive_measure" => Some(PUBLISH_OTHER_WORKING_DAYS),
        _ => None,
    }
}

/// When the case's publishable decision was taken, from its projection: a penalty's decision
/// (not a 不予处罚), a licence's, a 查封、扣押 once executed.
fn decided_at(case_type: &str, data: &Value) -> Option<Timestamp> {
    match case_type {
        "ordinary_penalty" | "summary_penalty" if !data["penalty"].is_null() => data["decided_at"].as_i64(),
        "licence" => data["decided_at"].as_i64(),
        "coercive_measure" => data["executed_at"].as_i64(),
        _ => None,
    }
    .map(Timestamp)
}

/// When the decision was changed or revoked (a relief's outcome), if it was.
fn changed_at(data: &Value) -> Option<Timestamp> {
    data["reliefs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| matches!(r["concluded"]["outcome"].as_str(), Some("revoked" | "changed")))
        .filter_map(|r| r["concluded"]["at"].as_i64())
        .max()
        .map(Timestamp)
}

fn cal_err(e: liuhen_core::calendar::CalendarError) -> AppError {
    AppError::BadRequest(e.to_string())
}

/// 复姓 (two-character surnames): a name starting with one keeps both characters.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯", "轩辕",
    "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延", "万俟", "澹台", "公冶", "太史", "申屠", "钟离", "闻人",
    "赫连", "拓跋", "东郭", "左丘", "第五", "濮阳", "淳于", "单于", "司空", "仲孙", "乐正", "壤驷",
];

/// A name's surname and given name (a 复姓 is two characters; a name of two characters or
/// fewer has no given name worth masking apart).
fn surname_and_given(name: &str) -> (String, String) {
    let name: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    let n = if COMPOUND_SURNAMES.iter().any(|s| name.starts_with(s)) && name.chars().count() > 2 { 2 } else { 1 };
    (name.chars().take(n).collect(), name.chars().skip(n).collect())
}

/// A natural person's name as published: the surname and 某某.
fn masked_name(name: &str) -> String {
    let (surname, _) = surname_and_given(name);
    if surname.is_empty() { String::new() } else { format!("{surname}某某") }
}

/// Every piece of `address` that pins a place down (four characters or more, with a figure in
/// it: `幸福路8号`, `3单元501室`), the longest first.
fn address_pieces(address: &str) -> Vec<String> {
    let chars: Vec<char> = address.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = Vec::new();
    for i in 0..chars.len() {
        for j in (i + 4)..=chars.len() {
            let piece: String = chars[i..j].iter().collect();
            if piece.chars().any(digit_like) {
                out.push(piece);
            }
        }
    }
    out.sort_by_key(|p| std::cmp::Reverse(p.chars().count()));
    out.dedup();
    out
}

/// The names of the residential estates or villages an address names (`滨河小区`, `幸福新村`):
/// from after the last place or road before them to their ending.
fn estates(address: &str) -> Vec<String> {
    const ENDINGS: [&str; 9] = ["小区", "花园", "公寓", "大厦", "家园", "新村", "社区", "苑", "庄园"];
    let chars: Vec<char> = address.chars().filter(|c| !c.is_whitespace()).collect();
    let text: String = chars.iter().collect();
    let mut out = Vec::new();
    for ending in ENDINGS {
        for (byte, _) in text.match_indices(ending) {
            let end = text[..byte].chars().count() + ending.chars().count();
            let start = chars[..end - ending.chars().count()]
                .iter()
                .rposition(|c| "省市县区镇乡道路街号".contains(*c))
                .map_or(0, |p| p + 1);
            if end - start >= 3 {
                out.push(chars[start..end].iter().collect());
            }
        }
    }
    out
}

/// The figures of an address: a run of figures (in any script, Chinese numerals too) before
/// 单元, 室 or 号楼, or after a road's or village's name and before 号 (`迁安路三十号`), or a
/// door written `3-2-601`, starred — whoever's address it is (an address is never published).
/// Figures elsewhere stay (`二层`, `第65条`, `罚款5000元` are facts).
fn mask_doors(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let figure = |c: char| digit_like(c) || "两十百千廿卅拾佰".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let mut j = i;
        while j < chars.len() && (figure(chars[j]) || (j > i && chars[j].is_whitespace())) {
            j += 1;
        }
        if j == i {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // `3-2-601`, `三-二-六〇一`: three or four runs of figures joined by dashes, the first short.
        let mut k = j;
        let mut runs = 1;
        while k + 1 < chars.len() && "-－—–".contains(chars[k]) && figure(chars[k + 1]) {
            k += 1;
            while k < chars.len() && figure(chars[k]) {
                k += 1;
            }
            runs += 1;
        }
        let coded = (3..=4).contains(&runs) && j - i <= 3;
        let next = chars.get(j).copied();
        let after = |w: &str| i >= 2 && chars[i - 2..i].iter().collect::<String>() == w;
        let door = matches!(next, Some('单' | '室'))
            || (next == Some('号') && matches!(chars.get(j + 1), Some('楼' | '院')))
            || after("单元");
        let house = next == Some('号') && i > 0 && "路街巷道村弄里牌".contains(chars[i - 1]);
        if coded {
            out.extend(chars[i..k].iter().map(|c| if figure(*c) { '*' } else { *c }));
            i = k;
        } else if door || house {
            out.extend(std::iter::repeat_n('*', chars[i..j].iter().filter(|c| figure(**c)).count()));
            i = j;
        } else {
            out.extend(&chars[i..j]);
            i = j;
        }
    }
    out
}

/// Free text as published (a decision's facts and basis, a withdrawal's reason): the natural
/// person's name masked wherever it appears (spaced out or not), their recorded address
/// withheld, and every number of seven or more digits — an identity number, a mobile, a
/// landline, an account — starred, whatever its digits (ASCII, full-width, mathematical,
/// Chinese 一二三 or 壹贰叁) and however spaced or dashed (`138 1234-5678`, `+86 139…`), an
/// identity number's closing X included. A name the record does not hold (a witness's) the
/// 负责人 sees in the preview and names among `also` (masked as a name is).
pub fn redacted(text: &str, party: &Value) -> String {
    redacted_also(text, party, &[])
}

/// A document's number as published: any name, address or phone or identity number in it
/// masked, its serial number (up to ten digits: `No.0001234`) kept.
pub fn redacted_number(no: &str, party: &Value) -> String {
    let mut out = no.to_string();
    if let Some(name) = party["name"].as_str().filter(|n| n.chars().count() >= 2 && party["kind"] == "natural_person") {
        out = replace_spaced(&out, name, &masked_name(name));
    }
    mask_numbers_of(&out, 11)
}

/// [`redacted`], with `also` (names or other words the record does not know as personal)
/// masked too.
pub fn redacted_also(text: &str, party: &Value, also: &[String]) -> String {
    let mut out = text.to_string();
    for term in also.iter().map(|t| t.trim()).filter(|t| t.chars().count() >= 2) {
        out = replace_spaced(&out, term, &masked_name(term));
    }
    if party["kind"] == "natural_person"
        && let Some(name) = party["name"].as_str().filter(|n| n.chars().count() >= 2)
    {
        out = replace_spaced(&out, name, &masked_name(name));
        // The given name alone too (`三丰承认`), when it is two characters or more.
        let (_, given) = surname_and_given(name);
        if given.chars().count() >= 2 {
            out = replace_spaced(&out, &given, "某某");
        }
    }
    if let Some(address) = party["address"].as_str().filter(|a| a.chars().count() >= 4) {
        out = replace_spaced(&out, address, "（地址不予公示）");
        // Part of it as typed in the facts (`家住幸福路8号3单元501室`), and the name of the estate
        // or village it is in (`滨河小区`).
        for piece in address_pieces(address).into_iter().chain(estates(address)) {
            out = replace_spaced(&out, &piece, "（地址不予公示）");
        }
    }
    mask_numbers(&mask_doors(&out))
}

/// Whether `c` is a digit in any script a number is typed in.
fn digit_like(c: char) -> bool {
    c.is_ascii_digit()
        || ('０'..='９').contains(&c)
        || ('\u{1D7CE}'..='\u{1D7FF}').contains(&c)
        || ('\u{0660}'..='\u{0669}').contains(&c)
        || ('\u{06F0}'..='\u{06F9}').contains(&c)
        || "〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖幺".contains(c)
}

/// What may stand between the digits of one number: spaces, dashes, a plus, dots, slashes,
/// underscores, the brackets of an area code (`(0315)5612345`); for a phone or identity number
/// (`least` 11) also the enumeration comma (`138、1234、5678`), which in a published decision
/// more often lists figures of the facts.
fn number_separator(c: char, least: usize) -> bool {
    c.is_whitespace() || "-－—–‐+＋.·/／，_＿()（）".contains(c) || (least >= 11 && c == '、')
}

/// Every run of seven or more digits (separators between them allowed) starred.
fn mask_numbers(text: &str) -> String {
    mask_numbers_of(text, 7)
}

/// The phones and identity numbers in `text` starred (runs of eleven digits or more: a mobile
/// phone's, an identity number's; a date, an amount, a 文号 stay), for a reader who does not
/// handle the case (办法第二十四条 保密).
pub(crate) fn mask_personal_numbers(text: &str) -> String {
    mask_numbers_of(text, 11)
}

/// Keys whose values are identifiers, digests, numbers of documents or signatures — never a
/// person's number typed as text: left as they are by [`mask_personal_json`].
fn kept_key(k: &str) -> bool {
    k == "id"
        || k.ends_with("_id")
        || k.ends_with("_ids")
        || k.ends_with("sha256")
        || k.ends_with("hash")
        || k.ends_with("_no")
        || ["signature", "commit", "leaf", "token", "recording", "record", "document", "blob", "uscc"].contains(&k)
}

/// Text that is a digest or an id (hex of 32 characters or more, dashes allowed).
fn digest_like(s: &str) -> bool {
    s.len() >= 32 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// Every phone or identity number typed in the text of `v`, at any depth, starred as
/// [`mask_personal_numbers`] does; identifiers, digests and signatures left. Whether any was.
pub(crate) fn mask_personal_json(v: &mut Value) -> bool {
    match v {
        Value::String(s) if !digest_like(s) => {
            let masked = mask_personal_numbers(s);
            let changed = masked != *s;
            *s = masked;
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |c, x| mask_personal_json(x) | c),
        Value::Object(o) => {
            o.iter_mut().filter(|(k, _)| !kept_key(k)).fold(false, |c, (_, x)| mask_personal_json(x) | c)
        }
        _ => false,
    }
}

/// One signed unit (a step with its details, a record) as a reader who does not handle the case
/// reads it: masked as [`mask_personal_json`] does, and where a number was starred, the
/// signatures in it withheld — a signature over a short number is a way to find it, trying each
/// candidate against the signer's public key (helper 18). Whether anything was.
pub(crate) fn mask_signed_unit(unit: &mut Value) -> bool {
    let changed = mask_personal_json(unit);
    if changed {
        withhold_signatures(unit);
    }
    changed
}

/// Every `signature` in `v` (and the `statement` beside it) withheld: null, `signature_withheld`.
pub(crate) fn withhold_signatures(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if o.get("signature").is_some_and(|s| s.as_str().is_some_and(|s| !s.is_empty())) {
                o.insert("signature".into(), Value::Null);
                o.insert("signature_withheld".into(), Value::from(true));
                if o.contains_key("statement") {
                    o.insert("statement".into(), Value::Null);
                }
            }
            o.values_mut().for_each(withhold_signatures);
        }
        Value::Array(items) => items.iter_mut().for_each(withhold_signatures),
        _ => {}
    }
}

/// Every run of `least` or more digits starred (see [`mask_numbers`]).
fn mask_numbers_of(text: &str, least: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !digit_like(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits, separators between digits, an X closing an identity number.
        let (start, mut end, mut digits) = (i, i, 0);
        let mut j = i;
        while j < chars.len() {
            if digit_like(chars[j]) {
                digits += 1;
                end = j + 1;
            } else if matches!(chars[j], 'X' | 'x' | 'Ｘ') && digits > 0 {
                digits += 1;
                end = j + 1;
                break;
            } else if !number_separator(chars[j], least) {
                break;
            }
            j += 1;
        }
        // A date written with dashes (`2026-08-17`) is a date, not a number to hide.
        let run: String = chars[start..end].iter().collect();
        let parts: Vec<&str> = run.split(['-', '.', '/']).collect();
        let date = parts.len() == 3
            && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            && parts[0].len() == 4
            && parts[1].len() <= 2
            && parts[2].len() <= 2;
        // A passport's or a travel permit's number: one or two capitals, then seven to nine
        // digits typed together (`E12345678`, `护照号G1234567`).
        let letters = chars[..start].iter().rev().take_while(|c| c.is_ascii_uppercase()).count();
        let before = chars[..start.saturating_sub(letters)].last().is_none_or(|c| !c.is_ascii_alphanumeric());
        let passport = (1..=2).contains(&letters) && before && (7..=9).contains(&digits) && end - start == digits;
        if (digits >= least || passport) && !date {
            out.extend(std::iter::repeat_n('*', digits));
        } else {
            out.extend(&chars[start..end]);
        }
        i = end;
    }
    out
}

/// `text` with every occurrence of `what` replaced by `with`, also where spaces were typed
/// between its characters.
fn replace_spaced(text: &str, what: &str, with: &str) -> String {
    let want: Vec<char> = what.chars().filter(|c| !c.is_whitespace()).collect();
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let (mut j, mut k) = (i, 0);
        while j < chars.len() && k < want.len() {
            if super::numbering::ascii_width(chars[j]) == super::numbering::ascii_width(want[k]) {
                k += 1;
            } else if !(k > 0 && chars[j].is_whitespace()) {
                break;
            }
            j += 1;
        }
        if k == want.len() && !want.is_empty() {
            out.push_str(with);
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// A penalty as published: its kind, and the amount of a fine or confiscation in 元.
fn published_penalty(p: &Value) -> String {
    let label = p["label"].as_str().unwrap_or_default();
    match p["amount_fen"].as_u64() {
        Some(fen) => format!("{label} {}.{:02} 元", fen / 100, fen % 100),
        None => label.to_string(),
    }
}

/// The party as published: a natural person by masked name only; an organisation by its name
/// and 统一社会信用代码.
fn published_party(p: &Value) -> Value {
    if p.is_null() {
        return Value::Null;
    }
    if p["kind"] == "natural_person" {
        json!({"name": masked_name(p["name"].as_str().unwrap_or_default())})
    } else {
        json!({"name": p["name"], "uscc": p["uscc"]})
    }
}

/// Folds a `publication.*` entry (its body and opened detail) into the case's setting.
pub fn fold(
    prev: Option<&Value>,
    action: &str,
    body: &serde_json::Map<String, Value>,
    detail: &Value,
    at: i64,
) -> Option<Value> {
    let mut v = prev.cloned().unwrap_or_else(|| json!({}));
    v["case"] = body.get("case")?.clone();
    match action {
        "publication.published" => {
            v["published"] = json!({"at": at, "due": body.get("due")?, "on_time": body.get("on_time")?,
                                    "content": detail.get("content")?});
            v["withdrawn"] = Value::Null;
        }
        "publication.withdrawn" => {
            v["withdrawn"] = json!({"at": at, "reason": detail.get("reason")?, "due": body.get("due")?,
                                    "on_time": body.get("on_time")?});
        }
        _ => return None,
    }
    Some(v)
}

/// The row of case `case`'s 公示 as `fold` leaves it (`v`), written at `at`.
pub fn record(case: &str, v: &Value, at: i64) -> PublicationRecord {
    PublicationRecord {
        case_id: case.to_string(),
        published_at_ms: v["published"]["at"].as_i64(),
        data: v.to_string(),
        updated_at_ms: at,
        version: 0,
    }
}

impl<S: LogStore> App<S> {
    pub(crate) async fn publication_of(&self, case: &str) -> Result<Option<Value>, AppError> {
        Ok(self.versioned_publication(case).await?.0)
    }

    /// The case's publication and the version it was read at (0: none yet).
    async fn versioned_publication(&self, case: &str) -> Result<(Option<Value>, u64), AppError> {
        let row = super::versioned_json(self.store.publication(case).await.map(|r| (r.data, r.version)))?;
        Ok(row.map_or((None, 0), |(v, read)| (Some(v), read)))
    }

    /// The opened details of the case's last entry named `action`.
    pub(crate) async fn last_detail(&self, case: &str, action: &str) -> Result<Option<Value>, AppError> {
        let mut found = None;
        for (index, raw) in self.store.case_entries(case).await? {
            let e = Entry::decode(&raw).map_err(|err| AppError::Integrity(format!("entry {index}: {err}")))?;
            if e.action() == action
                && let Some(c) = e.commits().first()
            {
                found = Some(super::opened_detail(&self.store, index, c).await?);
            }
        }
        Ok(found)
    }

    /// What a decided case publishes, and when it was decided; refused for a case with no
    /// decision to publish.
    async fn publishable(&self, case: &CaseRecord, also: &[String]) -> Result<(Value, Timestamp), AppError> {
        let redacted = |text: &str, party: &Value| redacted_also(text, party, also);
        let data: Value = serde_json::from_str(&case.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        let decided = decided_at(&case.case_type, &data);
        let organ = self.agency().await.map(|a| a.name).unwrap_or_default();
        match (case.case_type.as_str(), decided) {
            ("ordinary_penalty", Some(at)) if !data["penalty"].is_null() => {
                let d = self.last_detail(&case.id, "case.decided").await?.unwrap_or(Value::Null);
                let party = self.load_party(case).await?;
                Ok((
                    json!({"title": "行政处罚决定公示", "case_no": case.case_no,
                           "doc_no": redacted_number(d["doc"]["doc_no"].as_str().unwrap_or_default(), &party),
                           "party": published_party(&party), "matter": case.matter,
                           "facts": redacted(d["doc"]["facts"].as_str().unwrap_or_default(), &party),
                           "legal_basis": redacted(d["doc"]["legal_basis"].as_str().unwrap_or_default(), &party),
                           "penalty": published_penalty(&data["penalty"]),
                           "organ": organ, "decided_on": at.shanghai_date().to_string()}),
                    at,
                ))
            }
            // A 当场处罚决定 (简易程序) is a penalty decision too: its 决定书's number and basis.
            ("summary_penalty", Some(at)) if !data["penalty"].is_null() => {
                let d = self.last_detail(&case.id, "case.decision_issued").await?.unwrap_or(Value::Null);
                let party = self.load_party(case).await?;
                Ok((
                    json!({"title": "行政处罚决定公示", "case_no": case.case_no,
                           "doc_no": redacted_number(d["form_no"].as_str().unwrap_or_default(), &party),
                           "party": published_party(&party), "matter": case.matter,
                           "facts": redacted(data["facts"].as_str().unwrap_or_default(), &party),
                           "legal_basis": redacted(d["legal_basis"].as_str().unwrap_or_default(), &party),
                           "penalty": published_penalty(&data["penalty"]),
                           "organ": organ, "decided_on": at.shanghai_date().to_string()}),
                    at,
                ))
            }
            ("licence", Some(at)) => {
                let party = self.load_party(case).await?;
                let granted = data["granted"] == true;
                Ok((
                    json!({"title": "行政许可决定公示", "case_no": case.case_no, "party": published_party(&party),
                           "matter": case.matter, "decision": if granted { "准予行政许可" } else { "不予行政许可" },
                           "organ": organ, "decided_on": at.shanghai_date().to_string()}),
                    at,
                ))
            }
            ("coercive_measure", Some(at)) => {
                let party = self.load_party(case).await?;
                let kind = if data["kind"] == "seal" { "查封" } else { "扣押" };
                Ok((
                    json!({"title": "行政强制措施决定公示", "case_no": case.case_no, "party": published_party(&party),
                           "matter": case.matter, "decision": kind,
                           "legal_basis": redacted(data["legal_basis"].as_str().unwrap_or_default(), &party),
                           "organ": organ, "decided_on": at.shanghai_date().to_string()}),
                    at,
                ))
            }
            _ => Err(AppError::InvalidState("本案尚未作出可公示的行政处罚、行政许可或行政强制措施决定".into())),
        }
    }

    /// The case's party as recorded (unmasked, for building what is published; never served).
    async fn load_party(&self, case: &CaseRecord) -> Result<Value, AppError> {
        use super::cases::CaseKind as _;
        let party = match case.case_type.as_str() {
            "ordinary_penalty" => {
                let (c, _) = self.load_case::<liuhen_core::penalty::Ordinary>(&case.id).await?;
                super::cases::party_json(c.party())
            }
            "licence" => {
                let (c, _) = self.load_case::<liuhen_core::licence::Licence>(&case.id).await?;
                super::cases::party_json(c.party())
            }
            "coercive_measure" => {
                let (c, _) = self.load_case::<liuhen_core::coercion::Coercion>(&case.id).await?;
                super::cases::party_json(c.party())
            }
            "summary_penalty" => {
                let (c, _) = self.load_case::<liuhen_core::summary::Summary>(&case.id).await?;
                super::cases::party_json(c.party())
            }
            _ => Value::Null,
        };
        Ok(party)
    }

    async fn record_publication(
        &self,
        actor: &UserRecord,
        case: &CaseRecord,
        action: &str,
        body: Value,
        detail: Value,
        (prev, read): (Option<Value>, u64),
    ) -> Result<Value, AppError> {
        let c = super::Committed::new(&case.id, body, &detail, self.clock.now().0)?;
        let now = c.at;
        let next = fold(prev.as_ref(), action, &c.body, &detail, now)
            .ok_or_else(|| AppError::Internal("publication fold".into()))?;
        let (d, opening) = c.draft(&format!("user:{}", actor.id), action, &case.id)?;
        // The case's 公示 deadline follows its publication.
        let deadlines = self.deadlines_op_with(case, &super::cases::case_data(case), Some(&next), None).await?;
        let ops = vec![
            opening,
            Op::PutPublication { record: record(&case.id, &next, now), expected_version: Some(read) },
            deadlines,
        ];
        self.append(d, ops).await?;
        Ok(next)
    }

    /// What publishing the case's decision would post, word for word (masked with `also` too),
    /// for the 负责人 to check first; `None` for a case with nothing to publish.
    pub async fn publication_preview(
        &self,
        actor: &UserRecord,
        case_id: &str,
        also: &[String],
    ) -> Result<Option<Value>, AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, super::policy::Action::ViewCase, Some(&case))?;
        match self.publishable(&case, also).await {
            Ok((content, _)) => Ok(Some(content)),
            Err(AppError::InvalidState(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Publishes the case's decision (行政执法公示), by the 负责人, with `also` (a witness's or
    /// another third party's name the preview showed) masked as the party's name is.
    pub async fn publish(&self, actor: &UserRecord, case_id: &str, also: &[String]) -> Result<Value, AppError> {
        super::retrying(|| self.publish_once(actor, case_id, also)).await
    }

    /// [`publish`](Self::publish) from one read of the case's publication.
    async fn publish_once(&self, actor: &UserRecord, case_id: &str, also: &[String]) -> Result<Value, AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, super::policy::Action::CommandCase, Some(&case))?;
        if !roles(actor).contains(&Role::Approver) {
            return Err(AppError::NotYourStep("行政执法公示须由负责人以本人账号办理".into()));
        }
        let (prev, read) = self.versioned_publication(case_id).await?;
        match &prev {
            Some(p) if p["withdrawn"].is_null() => return Err(AppError::Duplicate("该决定已公示".into())),
            // Withdrawn because it was changed or revoked: not published again.
            Some(_) => return Err(AppError::InvalidState("该决定的公示已撤回，不再重新公示".into())),
            None => {}
        }
        let (content, decided) = self.publishable(&case, also).await?;
        let days = publish_days(&case.case_type).unwrap_or(PUBLISH_WORKING_DAYS);
        let due = self.calendar.estimating().due(decided, Period::WorkingDays(days)).map_err(cal_err)?;
        let on_time = self.clock.now() <= due;
        self.record_publication(
            actor,
            &case,
            "publication.published",
            json!({"kind": case.case_type, "due": due.0,
            "on_time": on_time}),
            json!({"content": content}),
            (prev, read),
        )
        .await
    }

    /// Withdraws a publication with the explanation published in its place, within three
    /// working days of the change or revocation it follows.
    pub async fn withdraw_publication(
        &self,
        actor: &UserRecord,
        case_id: &str,
        reason: &str,
    ) -> Result<Value, AppError> {
        super::retrying(|| self.withdraw_publication_once(actor, case_id, reason)).await
    }

    /// [`withdraw_publication`](Self::withdraw_publication) from one read of the publication.
    async fn withdraw_publication_once(
        &self,
        actor: &UserRecord,
        case_id: &str,
        reason: &str,
    ) -> Result<Value, AppError> {
        let case = self.store.case(case_id).await?;
        self.allow(actor, super::policy::Action::CommandCase, Some(&case))?;
        if !roles(actor).contains(&Role::Approver) {
            return Err(AppError::NotYourStep("撤回公示须由负责人以本人账号办理".into()));
        }
        let (prev, read) = self.versioned_publication(case_id).await?;
        if !prev.as_ref().is_some_and(|p| !p["published"].is_null() && p["withdrawn"].is_null()) {
            return Err(AppError::InvalidState("该案没有在公示中的决定".into()));
        }
        if reason.trim().chars().count() < 4 {
            return Err(AppError::Unprocessable("撤回公示须说明理由（决定被变更、撤销或确认违法的情况）".into()));
        }
        // From the change: the relief that revoked or changed the decision, else now.
        let data: Value = serde_json::from_str(&case.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        let changed = changed_at(&data).unwrap_or_else(|| self.clock.now());
        let due =
            self.calendar.estimating().due(changed, Period::WorkingDays(WITHDRAW_WORKING_DAYS)).map_err(cal_err)?;
        let on_time = self.clock.now() <= due;
        self.record_publication(
            actor,
            &case,
            "publication.withdrawn",
            json!({"due": due.0, "on_time": on_time}),
            // What stands in the decision's place is published: masked as the decision was.
            json!({"reason": redacted(reason.trim(), &self.load_party(&case).await?)}),
            (prev, read),
        )
        .await
    }

    /// A page of the publications, the latest published first, after `cursor`, as the public sees
    /// them: the decision's content, or — withdrawn — the explanation in its place.
    pub async fn public_decisions(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Value>, Option<String>), AppError> {
        // The cursor says where the page before ended by the publication time of its last row
        // and how many rows of that very time it held — no case's id in a public address.
        let (at, skip) = match cursor {
            None => (None, 0),
            Some(c) => {
                let (at, n) = super::policy::parse_cursor(c)?;
                let n = n
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n <= super::policy::MAX_PAGE as usize)
                    .ok_or_else(|| AppError::BadRequest("cursor 无效（须为上一页返回的 next_cursor）".into()))?;
                (Some(at), n)
            }
        };
        let q = liuhen_store::PublicationQuery {
            after: at.map(|at| (at + 1, String::new())),
            limit: (limit + skip) as u32 + 1,
        };
        let mut rows = self.store.publication_page(&q).await?;
        rows.drain(..skip.min(rows.len()));
        let next = match (rows.len() > limit, rows.get(limit.saturating_sub(1))) {
            (true, Some(last)) => {
                let last_at = last.published_at_ms.unwrap_or(0);
                let same = rows.iter().take(limit).filter(|r| r.published_at_ms == last.published_at_ms).count();
                let before = if at == Some(last_at) { skip } else { 0 };
                Some(super::policy::cursor_of(last_at, &(same + before).to_string()))
            }
            _ => None,
        };
        let mut out = Vec::new();
        for row in rows.iter().take(limit) {
            let v: Value = serde_json::from_str(&row.data).map_err(|e| AppError::Internal(Box::new(e)))?;
            let mut item = v["published"]["content"].clone();
            item["published_at"] = v["published"]["at"].clone();
            if !v["withdrawn"].is_null() {
                item = json!({"title": item["title"], "case_no": item["case_no"], "doc_no": item["doc_no"],
                              "published_at": item["published_at"], "withdrawn_at": v["withdrawn"]["at"],
                              "withdrawn_reason": v["withdrawn"]["reason"]});
            }
            out.push(item);
        }
        Ok((out, next))
    }

    /// The publication deadline of a decided case not yet published (for the deadlines list).
    /// Where the case's 公示 stands, for its page: `None` for a case with nothing to publish;
    /// else (what to say, whether it may be published now, whether it may be withdrawn).
    pub async fn publication_status(&self, case: &CaseRecord) -> Result<Option<(String, bool, bool)>, AppError> {
        let when = |t: i64| Timestamp(t).shanghai_date().to_string();
        let due = self.publication_due(case).await?;
        let said = match (self.publication_of(&case.id).await?, due) {
            (None, None) => return Ok(None),
            (None, Some((due, label))) => (format!("未公示（{label}，期限 {}）", when(due.0)), true, false),
            (Some(p), due) if p["withdrawn"].is_null() => {
                let mut s = format!("已公示（{}）", p["published"]["at"].as_i64().map(when).unwrap_or_default());
                if let Some((due, label)) = due {
                    s.push_str(&format!("；{label}，期限 {}", when(due.0)));
                }
                (s, false, true)
            }
            (Some(p), _) => {
                let at = p["withdrawn"]["at"].as_i64().map(when).unwrap_or_default();
                (format!("已撤回（{at}）：{}", p["withdrawn"]["reason"].as_str().unwrap_or_default()), false, false)
            }
        };
        Ok(Some(said))
    }

    pub(crate) async fn publication_due(&self, case: &CaseRecord) -> Result<Option<(Timestamp, String)>, AppError> {
        let data: Value = serde_json::from_str(&case.data).unwrap_or(Value::Null);
        publication_deadline(&case.case_type, &data, self.publication_of(&case.id).await?.as_ref(), &self.calendar)
    }
}

/// The 公示 deadline of a case of `case_type` whose projection is `data`, given its
/// publication (`None`: never published): publish a decision within its working days, or —
/// published, then changed or revoked — withdraw it within three.
pub(crate) fn publication_deadline(
    case_type: &str,
    data: &Value,
    publication: Option<&Value>,
    calendar: &liuhen_core::calendar::WorkCalendar,
) -> Result<Option<(Timestamp, String)>, AppError> {
    let Some(days) = publish_days(case_type) else { return Ok(None) };
    // By the calendar; in a year it lacks, by plain days and said so.
    let due = |from: Timestamp, days: u32, label: String| -> Result<(Timestamp, String), AppError> {
        match calendar.due(from, Period::WorkingDays(days)) {
            Ok(due) => Ok((due, label)),
            Err(_) => {
                let due = calendar.estimating().due(from, Period::WorkingDays(days)).map_err(cal_err)?;
                Ok((due, format!("{label}（暂按自然日，工作日历缺少该年度）")))
            }
        }
    };
    match publication {
        None => {
            // A revoked decision no longer carries its penalty: nothing left to publish.
            let Some(decided) = decided_at(case_type, data) else { return Ok(None) };
            Ok(Some(due(decided, days, format!("作出决定之日起{days}个工作日内公示"))?))
        }
        // Published, then changed or revoked: withdrawn within three working days.
        Some(p) if p["withdrawn"].is_null() && !p["published"].is_null() => match changed_at(data) {
            Some(changed) => Ok(Some(due(
                changed,
                WITHDRAW_WORKING_DAYS,
                "决定被变更或撤销之日起三个工作日内撤回公示并说明理由".to_string(),
            )?)),
            None => Ok(None),
        },
        Some(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::redacted;

    /// No identity number or phone survives however it is typed, the party's name and address
    /// are masked however spaced, and the ordinary numbers of a decision stay.
    #[test]
    fn numbers_names_and_addresses_are_masked_however_typed() {
        let party =
            serde_json::json!({"kind": "natural_person", "name": "钱小二", "address": "迁西县栗乡街道幸福路 8 号"});
        let facts = "A身份证 1302 2719 9001 0112 3X；B电话 138-1234-5678；C１３８１２３４５６７８；D电话一三八一二三四五六七八；\
            E电话 +86 139 1234 5678；F座机0315-561-2345；G𝟏𝟑𝟗𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖；J当事人钱 小 二；L手机号壹叁玖壹贰叁肆伍陆柒捌；\
            M身份证号码：130227 19900101 123X；N家在迁西县栗乡街道幸福路8号；于 2026 年 8 月 17 日在第 65 条所指地点搭建 18 平方米，罚款 5000 元";
        let out = redacted(facts, &party);
        for private in [
            "1302",
            "2719",
            "1234",
            "5678",
            "１３８",
            "一三八",
            "0315",
            "561",
            "𝟏𝟑𝟗",
            "小 二",
            "钱小二",
            "壹叁玖",
            "19900101",
            "幸福路",
        ] {
            assert!(!out.contains(private), "{private} left in: {out}");
        }
        for kept in ["钱某某", "2026 年 8 月 17 日", "第 65 条", "18 平方米", "罚款 5000 元"] {
            assert!(out.contains(kept), "{kept} lost: {out}");
        }
    }

    /// A landline with its area code in brackets, a number split by underscores or (a phone's)
    /// enumeration commas, a passport's number: starred for a reader who does not handle the
    /// case; a 文号, a date, an amount and a 统一社会信用代码's check stay.
    #[test]
    fn landlines_split_numbers_and_passports_are_starred() {
        let text = "座机(0315)5612345、（0315）5612346；手机138_1234_5678、139、1234、5678；\
            护照号E12345678，通行证C1234567；栗街罚〔2026〕41号，2026-08-17，罚款 3000 元，No.0001234，代码91130227MA0ABCDE1X";
        let out = super::mask_personal_numbers(text);
        for private in ["5612345", "5612346", "0315", "138", "139", "5678", "E12345678", "C1234567"] {
            assert!(!out.contains(private), "{private} left in: {out}");
        }
        for kept in
            ["栗街罚〔2026〕41号", "2026-08-17", "罚款 3000 元", "No.0001234", "护照号E********", "91130227MA0ABCDE1X"]
        {
            assert!(out.contains(kept), "{kept} lost: {out}");
        }
        // In a published decision, a list of figures stays.
        let facts = super::mask_numbers("违反第3、4、5、6、7、8、9项，罚款 3000、5000 元");
        assert!(facts.contains("3、4、5、6、7、8、9") && facts.contains("3000、5000"), "{facts}");
    }

    /// A given name alone, a 复姓, part of the recorded address, and any door number.
    #[test]
    fn a_given_name_a_compound_surname_and_part_of_an_address_are_masked() {
        let party = serde_json::json!({"kind": "natural_person", "name": "欧阳三丰",
                                       "address": "迁西县栗乡街道幸福路8号3单元501室"});
        let facts = "当事人欧阳三丰家住幸福路 8 号3单元501室，三丰承认；邻居住7号楼2单元302室";
        let out = redacted(facts, &party);
        for private in ["三丰", "幸福路", "501", "302", "7号楼", "8 号"] {
            assert!(!out.contains(private), "{private} left in: {out}");
        }
        assert!(out.starts_with("当事人欧阳某某家住（地址不予公示）"), "{out}");
        assert_eq!(redacted("违法加建二层、三层彩钢房 2 层", &party).matches('层').count(), 3, "floors are facts");
        // A phone split by slashes or full-width commas; the address typed in full-width figures.
        let out = redacted("电话138/1234/5678、138，1234，5678；住迁西县栗乡街道幸福路８号３单元５０１室", &party);
        for private in ["1234", "5678", "幸福路"] {
            assert!(!out.contains(private), "{private} left in: {out}");
        }
        // A document's number keeps its serial, never a name or a phone.
        assert_eq!(super::redacted_number("No.0001234", &party), "No.0001234");
        assert_eq!(super::redacted_number("欧阳三丰13812345678", &party), "欧阳某某***********");
        // Other scripts and forms of the same, and the estate's name.
        let party2 = serde_json::json!({"kind": "natural_person", "name": "司马光",
                                        "address": "迁西县栗乡街道滨河小区3号楼2单元601室"});
        let out = redacted(
            "电话١٣٨١٢٣٤٥٦٧٨、幺三八幺二三四五六七八；住滨河小区3号楼2单元601，即3—2—601、三-二-六〇一；迁安路叁拾号、30号院、门牌30号",
            &party2,
        );
        for private in ["١٣٨", "幺三八", "滨河小区", "601", "叁拾", "30号院", "门牌30"] {
            assert!(!out.contains(private), "{private} left in: {out}");
        }
        // The same address in Chinese numerals or in short.
        let out = redacted("住幸福小区三号楼二单元六零一室，即3-2-601；店在迁安路三十号、迁安路卅号", &party);
        for private in ["三号楼", "二单元", "六零一", "3-2-601", "三十号", "卅号"] {
            assert!(!out.contains(private), "{private} left in: {out}");
        }
        for kept in ["于 2026-08-17", "第 65 条", "罚款 5000 元", "二层"] {
            let text = format!("当事人{kept}");
            assert!(redacted(&text, &party).contains(kept), "{kept} lost");
        }
        // A two-character name's single given character is not masked everywhere.
        let party = serde_json::json!({"kind": "natural_person", "name": "张三", "address": "x"});
        assert_eq!(redacted("张三于三日内", &party), "张某某于三日内");
    }
}
