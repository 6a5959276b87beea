//! 归档 (办法第二十五条): a closed case becomes one case file (一案一卷, R-151) within thirty days
//! holding every document the path it took requires, finished, under a 档号
//! and a retention period no shorter than its kind's (R-153; 国家档案局令第8号).
//!
//! What a path requires is read from the steps the case took — its events' names — never from
//! what a client says; what the file holds is the case's standing documents.

use crate::calendar::{CalendarError, Period, WorkCalendar};
use crate::document::{self, State};
use crate::rules::{R_150, R_152, R_153, R_154, Violation};
use crate::time::Timestamp;

/// 办法第二十五条: calendar days from the end of the enforcement action (结案) to filing.
pub const ARCHIVE_DAYS: u32 = 30;

/// The day the file is due: thirty calendar days after closure, moved past a day off;
/// a year the calendar lacks is estimated from weekends (never later than the truth).
pub fn due(cal: &WorkCalendar, closed_at: Timestamp) -> Result<Timestamp, CalendarError> {
    cal.reminder_due(closed_at, Period::CalendarDays(ARCHIVE_DAYS))
}

/// Filing at `at` a case closed at `closed_at`: R-150 as a defect when late (the file is still
/// taken: a late file is better than none). Where the calendar lacks a year the period crosses,
/// the end is estimated from weekends alone (never later than the truth), and the finding says so.
pub fn timeliness(cal: &WorkCalendar, closed_at: Timestamp, at: Timestamp) -> Vec<Violation> {
    let estimated = match cal.within(closed_at, Period::CalendarDays(ARCHIVE_DAYS), at) {
        Ok(true) => return Vec::new(),
        Ok(false) => false,
        Err(_) => true,
    };
    let Ok(due) = due(cal, closed_at) else { return Vec::new() };
    if at <= due {
        return Vec::new();
    }
    let note = if estimated { "（日历缺少该年度节假日，按周末估算）" } else { "" };
    vec![R_150.violated("filed_at", format!("应于{}前归档{note}", due.shanghai_date()))]
}

/// 保管期限 (国家档案局令第8号: 永久, 定期 30 年, 定期 10 年), with the codes a 档号 writes (DA/T 22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Retention {
    Years10,
    Years30,
    Permanent,
}

impl Retention {
    pub const ALL: [Retention; 3] = [Retention::Permanent, Retention::Years30, Retention::Years10];

    pub fn code(self) -> &'static str {
        match self {
            Retention::Permanent => "Y",
            Retention::Years30 => "D30",
            Retention::Years10 => "D10",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Retention::Permanent => "永久",
            Retention::Years30 => "定期30年",
            Retention::Years10 => "定期10年",
        }
    }

    pub fn parse(code: &str) -> Option<Retention> {
        Retention::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Years kept after filing (`None`: for ever).
    pub fn years(self) -> Option<u32> {
        match self {
            Retention::Permanent => None,
            Retention::Years30 => Some(30),
            Retention::Years10 => Some(10),
        }
    }
}

/// The last day a file of 年度 `year` is kept under `retention` (`None`: 永久). A retention
/// runs from the first of January after the year the file was formed (DA/T 22-2015: 保管期限
/// 自文件形成年度的次年1月1日起算): a file of 2026 kept ten years is kept to 2036-12-31.
pub fn keep_until(retention: Retention, year: i32) -> Option<crate::time::Date> {
    crate::time::Date::new(year + retention.years()? as i32, 12, 31)
}

/// a file is filed only when its 四性检测 at filing failed no item; `items` are
/// (code, name, failed, detail) — an item not run (no virus scanner) is no failure.
pub fn four_properties_verdict(items: &[(&str, &str, bool, &str)]) -> Vec<Violation> {
    items
        .iter()
        .filter(|(_, _, failed, _)| *failed)
        .map(|(code, name, _, detail)| R_154.violated("four_properties", format!("{code} {name}：{detail}")))
        .collect()
}

/// The formats an archive keeps (GB/T 18894-2016: 版式文档, images, audio, video), by extension.
pub const ARCHIVAL_FORMATS: [&str; 10] = ["pdf", "jpg", "jpeg", "tif", "tiff", "wav", "mp3", "mp4", "mpg", "mpeg"];

/// The kinds of case a file is of, as the office's retention table names them.
pub const KINDS: [&str; 5] = ["ordinary_penalty", "coercive_measure", "summary_penalty", "licence", "inspection"];

/// The shortest retention of a case of type `case_type` (R-153; 8号令附件: 行政处罚等 "重要的
/// 永久、一般的30年" — an ordinary procedure and a coercive measure are 重要, an on-the-spot
/// penalty and a licence 一般; an inspection 定期10年).
pub fn least_retention(case_type: &str) -> Retention {
    match case_type {
        "ordinary_penalty" | "coercive_measure" => Retention::Permanent,
        "summary_penalty" | "licence" => Retention::Years30,
        _ => Retention::Years10,
    }
}

/// the retention chosen, refused when shorter than the kind's least.
pub fn check_retention(case_type: &str, chosen: Retention) -> Result<(), Violation> {
    let least = least_retention(case_type);
    if chosen < least {
        Err(R_153.violated("retention", format!("该类案卷保管期限不得短于{}", least.label())))
    } else {
        Ok(())
    }
}

/// A 档号 (DA/T 22): 全宗号-年度-保管期限代码-件号, the 件号 four digits at least.
pub fn archive_no(fonds: &str, year: i32, retention: Retention, item: u64) -> String {
    format!("{fonds}-{year}-{}-{item:04}", retention.code())
}

/// The series a 档号 is numbered in: one per 全宗, year and retention.
pub fn archive_series(fonds: &str, year: i32, retention: Retention) -> String {
    format!("{fonds}-{year}-{}-{{n}}", retention.code())
}

/// A 档号 read back: (全宗号, 年度, 保管期限, 件号); `None` when it is not one.
pub fn parse_archive_no(no: &str) -> Option<(String, i32, Retention, u64)> {
    let mut parts = no.rsplitn(4, '-');
    let item = parts.next()?;
    let retention = Retention::parse(parts.next()?)?;
    let year = parts.next()?;
    let fonds = parts.next()?;
    let digits = |s: &str, n: usize| s.len() >= n && s.bytes().all(|b| b.is_ascii_digit());
    if fonds.is_empty() || !fonds_ok(fonds) || !digits(year, 4) || year.len() != 4 || !digits(item, 4) {
        return None;
    }
    Some((fonds.to_string(), year.parse().ok()?, retention, item.parse().ok()?))
}

/// A 全宗号 as a 档号 writes it: letters and digits, at most 16.
pub fn fonds_ok(fonds: &str) -> bool {
    !fonds.is_empty() && fonds.len() <= 16 && fonds.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Where a document goes in the file (domain.md §e.3, profile B — one volume in the order of
/// the procedure): the legal documents, then the evidence, then execution and closing; within
/// each part the catalogue's order. A code not listed goes last in the legal documents.
pub fn filing_rank(code: &str) -> (u8, usize) {
    const LEGAL: [&str; 24] = [
        "D01", "D02", "D03", "D04", "D05", "L02", "L03", "D18a", "D18b", "D20a", "D20b", "D20e", "D20f", "D22", "D30",
        "D31", "D32", "D34b", "D35", "D36", "D36s", "D37", "L10", "D52",
    ];
    const EVIDENCE: [&str; 8] = ["D11", "D12", "D13", "D14", "D15", "D16", "D20c", "D34c"];
    const EXECUTION: [&str; 8] = ["D41", "D44", "D45", "D46", "D47", "D48", "D49", "D50"];
    for (part, list) in [(1u8, &LEGAL[..]), (2, &EVIDENCE[..]), (3, &EXECUTION[..])] {
        if let Some(i) = list.iter().position(|c| *c == code) {
            return (part, i);
        }
    }
    (1, LEGAL.len())
}

/// The part of the file (1–3) by name.
pub fn part_label(part: u8) -> &'static str {
    match part {
        1 => "法律文书部分",
        2 => "证据部分",
        _ => "执行部分",
    }
}

/// The documents a case of type `case_type` that took `steps` (its events' names) must hold in
/// its file: each with the step that requires it.
pub fn required_documents(case_type: &str, steps: &[&str]) -> Vec<(&'static str, &'static str)> {
    let table: &[(&str, &str)] = match case_type {
        "ordinary_penalty" => &[
            ("filed", "D02"),
            ("legal_reviewed", "D31"),
            ("notice_served", "D32"),
            ("hearing_scheduled", "D34b"),
            ("hearing_held", "D34c"),
            ("discussed", "D35"),
            ("decided", "D30"),
            ("decided", "D36"),
            ("not_penalised", "D30"),
            ("closed", "D50"),
        ],
        "summary_penalty" => &[("decision_issued", "D36s")],
        "licence" => &[("accepted", "L03"), ("correction_requested", "L02"), ("decided", "L10")],
        "coercive_measure" => &[("executed", "D20b")],
        "inspection" => &[("result_notified", "D52")],
        _ => &[],
    };
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for (step, code) in table {
        if steps.contains(step) && !out.iter().any(|(c, _)| c == code) {
            out.push((code, step));
        }
    }
    out
}

/// One standing document of the case as the file check sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledDocument {
    pub code: String,
    pub state: State,
}

/// What keeps a case of type `case_type` that took `steps` from being filed with `documents`
/// each required document missing, each document not finished — a draft, or a
/// sealed one not issued under the seal.
pub fn completeness(case_type: &str, steps: &[&str], documents: &[FiledDocument]) -> Vec<Violation> {
    let name = |code: &str| document::spec(code).map_or(code.to_string(), |s| s.name.to_string());
    let mut found = Vec::new();
    for (code, _) in required_documents(case_type, steps) {
        if !documents.iter().any(|d| d.code == code) {
            found.push(R_152.violated("documents", format!("缺少《{}》（{code}）", name(code))));
        }
    }
    for d in documents {
        let sealed = document::spec(&d.code).is_some_and(|s| s.sealed);
        match d.state {
            State::Draft => found.push(R_152.violated("documents", format!("《{}》尚未定稿", name(&d.code)))),
            State::Final if sealed => {
                found.push(R_152.violated("documents", format!("《{}》已定稿但未盖章签发", name(&d.code))))
            }
            _ => {}
        }
    }
    found
}
