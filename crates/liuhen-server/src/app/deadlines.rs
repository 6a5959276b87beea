//! The deadline list (期限) as a projection: each case's open deadlines — its periods not yet
//! met, and its 公示 to publish or withdraw — are rows written with the entry that changes
//! them (a case command, an opening, a publication), so the list is a range of the index by
//! due time with the policy's filter, never a pass over every case. Overdue first, then those
//! the calendar cannot compute, then the rest by due time; the office's annual figures (T-STAT)
//! lead a 负责人's first page.

use super::App;
use super::cases::{DUE_SOON_MS, DeadlineItem, provisional_label};
use crate::app::AppError;
use liuhen_core::calendar::{self, DeadlineStatus, WorkCalendar};
use liuhen_core::time::Timestamp;
use liuhen_store::{CaseRecord, DeadlineQuery, DeadlineRecord, DueRange, LogStore, Op, UserRecord};
use serde_json::Value;

/// What a case's recordings owe (办法第二十三条): whether the whole case must be recorded (查封、
/// 扣押, or a matter the 权责清单 marks so), and which of its records have a recording linked.
#[derive(Debug, Clone, Default)]
pub(crate) struct AvOwed {
    pub whole: bool,
    pub linked: std::collections::HashSet<String>,
}

/// The code of the 24-hour deadline to store an act's recording (办法第二十三条).
pub const AV_CODE: &str = "T-AV";

/// Every deadline code a list may be narrowed to: the procedures' and the server's own.
pub fn codes() -> Vec<&'static str> {
    let mut all = liuhen_core::calendar::DEADLINE_CODES.to_vec();
    all.extend([AV_CODE, PUB_CODE, STAT_CODE, super::archive::CODE]);
    all
}

/// The deadline to publish a decision (R-170: 国办发〔2018〕118号, its working days by kind).
pub const PUB_CODE: &str = "T-PUB";
/// The deadline of the annual statistics report (国办发〔2018〕118号).
pub const STAT_CODE: &str = "T-STAT";

/// What else a case's deadlines follow: its publication and its file (`None`: none yet).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Alongside<'a> {
    pub publication: Option<&'a Value>,
    pub file: Option<&'a Value>,
}

/// The open deadlines of `case` (its publication and file as `along`; what its recordings owe
/// as `av`).
pub(crate) fn deadline_rows(
    case: &CaseRecord,
    data: &Value,
    along: Alongside<'_>,
    av: &AvOwed,
    cal: &WorkCalendar,
) -> Result<Vec<DeadlineRecord>, AppError> {
    let publication = along.publication;
    let mut rows = Vec::new();
    let mut row = |code: &str, label: String, source: &str, due: Option<i64>, record: &str| {
        rows.push(DeadlineRecord {
            case_id: case.id.clone(),
            n: rows.len() as u32,
            code: code.to_string(),
            label,
            source: source.to_string(),
            due_at_ms: due,
            record: record.to_string(),
        })
    };
    // 办法第二十三条: an act that had to be recorded whole, with no recording linked yet, has its
    // recording stored within 24 hours of its end.
    for (rid, _, label, record) in super::records::records_in(data) {
        if !rid.starts_with("act/") || !(av.whole || super::av::touches(&record)) || av.linked.contains(&rid) {
            continue;
        }
        let Some(at) = record["ended_at"].as_i64().or(record["at"].as_i64()) else { continue };
        let label = format!("{label}：音像记录于活动结束后二十四小时内存储");
        row(AV_CODE, label, "办法第二十三条", Some(at + liuhen_core::av::DAY_MS), &rid);
    }
    // 行政执法公示: a decision not yet published, or a changed one not withdrawn.
    if let Some((due, label)) = super::publication::publication_deadline(&case.case_type, data, publication, cal)? {
        row(PUB_CODE, label, super::publication::source(&case.case_type), Some(due.0), "");
    }
    // 办法第二十五条: filed within thirty days of closing.
    if let Some(due) = super::archive::deadline(data, along.file, cal) {
        row(super::archive::CODE, "立卷归档（结案之日起三十日内）".to_string(), super::archive::SOURCE, Some(due), "");
    }
    for d in data["deadlines"].as_array().into_iter().flatten() {
        // Done (in time or late: a late one is a defect of the case, no longer an open item).
        if d["done_at"].is_i64() {
            continue;
        }
        let code = d["code"].as_str().unwrap_or_default();
        let source = d["source"].as_str().unwrap_or_default();
        match d["due"].as_i64() {
            Some(due) => row(code, provisional_label(d), source, Some(due), ""),
            // Not computable (the calendar lacks a year): shown, never hidden.
            None => row(
                code,
                format!(
                    "{}（{}）",
                    d["label"].as_str().unwrap_or_default(),
                    d["not_computable"].as_str().unwrap_or("无法计算")
                ),
                source,
                None,
                "",
            ),
        }
    }
    Ok(rows)
}

/// Where a page of the list starts: the range (0 overdue, 1 not computable, 2 the rest) and the
/// last row of the page before in it.
/// What the deadline list is narrowed to: the cases (their kind, unit, officer, matter), the
/// kind of deadline (`T-AV`…), where it stands, and a range of due times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadlineFilter {
    pub cases: liuhen_store::CaseFilter,
    pub code: Option<String>,
    pub status: Option<DueStatus>,
    pub due_from: Option<i64>,
    pub due_before: Option<i64>,
}

impl DeadlineFilter {
    fn is_empty(&self) -> bool {
        *self == DeadlineFilter::default()
    }
}

/// Where a deadline stands, as each row of the list says it (`overdue`, `unknown`, `due_soon`,
/// `pending`); `upcoming` is the last two together. The first three are the list's ranges, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueStatus {
    /// Past due.
    Overdue = 0,
    /// Not computable (a date the case does not have yet).
    Unknown = 1,
    /// Not yet due (soon or later).
    Upcoming = 2,
    /// Due within [`DUE_SOON_MS`].
    DueSoon = 3,
    /// Due later than that.
    Pending = 4,
}

impl DueStatus {
    /// The status a query names: a row's (`overdue`, `unknown`, `due_soon`, `pending`) or
    /// `upcoming` (`due_soon` and `pending`).
    pub fn parse(s: &str) -> Result<DueStatus, AppError> {
        match s {
            "overdue" => Ok(DueStatus::Overdue),
            "unknown" => Ok(DueStatus::Unknown),
            "upcoming" => Ok(DueStatus::Upcoming),
            "due_soon" => Ok(DueStatus::DueSoon),
            "pending" => Ok(DueStatus::Pending),
            _ => Err(AppError::BadRequest("status 须为 overdue、unknown、due_soon、pending 或 upcoming".into())),
        }
    }

    /// The range of the list it is in.
    fn range(self) -> usize {
        (self as usize).min(2)
    }

    /// The due times it narrows `from`..`before` to at `now`.
    fn due_between(self, now: i64, from: Option<i64>, before: Option<i64>) -> (Option<i64>, Option<i64>) {
        // Due soon: due no later than `now` + DUE_SOON_MS, as `calendar::status` says it.
        let soon = now.saturating_add(DUE_SOON_MS).saturating_add(1);
        match self {
            DueStatus::DueSoon => (from, Some(before.map_or(soon, |b| b.min(soon)))),
            DueStatus::Pending => (Some(from.map_or(soon, |f| f.max(soon))), before),
            _ => (from, before),
        }
    }
}

fn parse(cursor: &str) -> Result<(u8, i64, String, u32), AppError> {
    let bad = || AppError::BadRequest("cursor 无效（须为上一页返回的 next_cursor）".into());
    let (n, key) = super::policy::parse_cursor(cursor)?;
    let (range, rest) = key.split_once(':').ok_or_else(bad)?;
    let (due, case) = rest.split_once(':').ok_or_else(bad)?;
    Ok((range.parse().map_err(|_| bad())?, due.parse().map_err(|_| bad())?, case.to_string(), n as u32))
}

/// The records the recordings are linked to.
pub(crate) fn linked_records<'a>(
    recordings: impl IntoIterator<Item = &'a liuhen_store::RecordingRecord>,
) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    for r in recordings {
        let data: Value = serde_json::from_str(&r.data).unwrap_or(Value::Null);
        for x in data["links"]["records"].as_array().into_iter().flatten() {
            if let Some(x) = x.as_str() {
                out.insert(x.to_string());
            }
        }
    }
    out
}

impl<S: LogStore> App<S> {
    /// The op that sets case `case`'s open deadlines, its publication and its recordings read
    /// from the store (`changed`: a recording as it is about to be written).
    /// `data`: the case's JSON (its `data`, parsed — or as just made).
    pub(crate) async fn deadlines_op(
        &self,
        case: &CaseRecord,
        data: &Value,
        changed: Option<&liuhen_store::RecordingRecord>,
    ) -> Result<Op, AppError> {
        let publication = self.publication_of(&case.id).await?;
        self.deadlines_op_with(case, data, publication.as_ref(), changed).await
    }

    /// [`deadlines_op`](Self::deadlines_op) with the case's file as given.
    pub(crate) async fn deadlines_op_filed(
        &self,
        case: &CaseRecord,
        data: &Value,
        file: &Value,
    ) -> Result<Op, AppError> {
        let publication = self.publication_of(&case.id).await?;
        let whole = self.owes_whole_recording(case).await?;
        let along = Alongside { publication: publication.as_ref(), file: Some(file) };
        self.deadlines_op_along(case, data, along, whole, None).await
    }

    /// [`deadlines_op`](Self::deadlines_op) with the case's publication as given.
    pub(crate) async fn deadlines_op_with(
        &self,
        case: &CaseRecord,
        data: &Value,
        publication: Option<&Value>,
        changed: Option<&liuhen_store::RecordingRecord>,
    ) -> Result<Op, AppError> {
        let whole = self.owes_whole_recording(case).await?;
        self.deadlines_op_owing(case, data, publication, whole, changed).await
    }

    /// [`deadlines_op_owing`](Self::deadlines_op_owing) with the case's publication and file as given.
    async fn deadlines_op_along(
        &self,
        case: &CaseRecord,
        data: &Value,
        along: Alongside<'_>,
        whole: bool,
        changed: Option<&liuhen_store::RecordingRecord>,
    ) -> Result<Op, AppError> {
        let mut recordings = self.store.recordings(Some(&case.id), u32::MAX).await?;
        recordings.retain(|r| changed.is_none_or(|c| c.id != r.id));
        recordings.extend(changed.filter(|c| c.case_id == case.id).cloned());
        let av = AvOwed { whole, linked: linked_records(&recordings) };
        Ok(Op::SetDeadlines { case_id: case.id.clone(), rows: deadline_rows(case, data, along, &av, &self.calendar)? })
    }

    /// [`deadlines_op_with`](Self::deadlines_op_with) for a case that must (`whole`) or need not
    /// be recorded whole.
    pub(crate) async fn deadlines_op_owing(
        &self,
        case: &CaseRecord,
        data: &Value,
        publication: Option<&Value>,
        whole: bool,
        changed: Option<&liuhen_store::RecordingRecord>,
    ) -> Result<Op, AppError> {
        let (file, _) = self.case_file_of(&case.id).await?;
        let along = Alongside { publication, file: file.as_ref() };
        self.deadlines_op_along(case, data, along, whole, changed).await
    }

    /// A page of the open deadlines of the cases `user` may see (see the module's order),
    /// narrowed by `filter`, with the cursor of the next page.
    pub async fn deadline_page(
        &self,
        user: &UserRecord,
        now: Timestamp,
        filter: &DeadlineFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<DeadlineItem>, Option<String>), AppError> {
        let mut out = Vec::new();
        let start = cursor.map(parse).transpose()?;
        // the office's figures of the year just ended, the 负责人's to publish.
        if start.is_none()
            && filter.is_empty()
            && super::policy::roles(user).contains(&super::policy::Role::Approver)
            && let Some((year, due)) = self.statistics_due(now).await?
        {
            out.push(DeadlineItem {
                case_id: String::new(),
                case_no: "本办事处".to_string(),
                code: STAT_CODE.to_string(),
                label: format!("{}（{year} 年度）", super::statistics::LABEL),
                source: super::statistics::SOURCE.to_string(),
                due: due.0,
                status: calendar::status(due, None, now, DUE_SOON_MS),
            });
        }
        let seen_by = super::policy::seen_by(user);
        let mut seen = super::records::SeenRecords::default();
        let ranges = [DueRange::Before(now.0), DueRange::Unknown, DueRange::From(now.0)];
        let first = start.as_ref().map_or(0, |s| s.0 as usize);
        let mut next = None;
        for (i, range) in ranges.into_iter().enumerate().skip(first) {
            if filter.status.is_some_and(|s| s.range() != i) {
                continue;
            }
            let after = start.as_ref().filter(|s| s.0 as usize == i).map(|s| (s.1, s.2.clone(), s.3));
            let want = limit.saturating_sub(out.len());
            if want == 0 {
                // Full: the next page starts at this range.
                next = Some(super::policy::cursor_of(0, &format!("{i}:{}:", i64::MIN)));
                break;
            }
            let (due_from, due_before) = match filter.status {
                Some(s) => s.due_between(now.0, filter.due_from, filter.due_before),
                None => (filter.due_from, filter.due_before),
            };
            let q = DeadlineQuery {
                seen_by: seen_by.clone(),
                code: filter.code.clone(),
                range,
                due_from,
                due_before,
                cases: filter.cases.clone(),
                after,
                limit: want as u32 + 1,
            };
            let rows = self.store.deadline_page(&q).await?;
            let more = rows.len() > want;
            for (mut d, case_no) in rows.into_iter().take(want) {
                // 办法第二十四条: a record classed beyond the reader is not named by its deadline.
                if !d.record.is_empty() && self.record_withheld(user, &d.case_id, &d.record, &mut seen).await? {
                    d.label = format!("{}：音像记录于活动结束后二十四小时内存储", super::records::WITHHELD_LABEL);
                }
                let (due, status) = match d.due_at_ms {
                    Some(due) => (due, calendar::status(Timestamp(due), None, now, DUE_SOON_MS)),
                    None => (0, DeadlineStatus::Unknown),
                };
                if more && out.len() + 1 == limit {
                    let key = format!("{i}:{}:{}", d.due_at_ms.unwrap_or(0), d.case_id);
                    next = Some(super::policy::cursor_of(i64::from(d.n), &key));
                }
                out.push(DeadlineItem {
                    case_id: d.case_id,
                    case_no,
                    code: d.code,
                    label: d.label,
                    source: d.source,
                    due,
                    status,
                });
            }
            if more {
                break;
            }
        }
        Ok((out, next))
    }
}
