//! The deadline list (期限) as a projection: each case's open deadlines — its periods not yet
//! met, and its 公示 to publish or withdraw — are rows written with the entry that changes
//! them (a case command, an opening, a publication), so the list is a range of the index by
//! due time with the policy's filter, never a pass over every case. Overdue first, then those
//! the calendar cannot compute, then the rest by due time; the office's annual figures (T-STAT)
//! lead a 负责人's first page.

use super::App;
use super::cases::{DUE_SOON_MS, DeadlineItem, provisional_label};
use crate::error::ApiError;
use liuhen_core::calendar::{self, DeadlineStatus, WorkCalendar};
use liuhen_core::time::Timestamp;
use liuhen_store::{CaseRecord, DeadlineQuery, DeadlineRecord, DueRange, LogStore, Op, UserRecord};
use serde_json::Value;

/// The open deadlines of `case` (its publication as `publication`, `None` if never published).
pub(crate) fn deadline_rows(
    case: &CaseRecord,
    publication: Option<&Value>,
    cal: &WorkCalendar,
) -> Result<Vec<DeadlineRecord>, ApiError> {
    let data: Value = serde_json::from_str(&case.data).unwrap_or(Value::Null);
    let mut rows = Vec::new();
    let mut row = |code: &str, label: String, source: &str, due: Option<i64>| {
        rows.push(DeadlineRecord {
            case_id: case.id.clone(),
            n: rows.len() as u32,
            code: code.to_string(),
            label,
            source: source.to_string(),
            due_at_ms: due,
        })
    };
    // 行政执法公示: a decision not yet published, or a changed one not withdrawn.
    if let Some((due, label)) = super::publication::publication_deadline(&case.case_type, &data, publication, cal)? {
        row("T-PUB", label, super::publication::source(&case.case_type), Some(due.0));
    }
    for d in data["deadlines"].as_array().into_iter().flatten() {
        // Done (in time or late: a late one is a defect of the case, no longer an open item).
        if d["done_at"].is_i64() {
            continue;
        }
        let code = d["code"].as_str().unwrap_or_default();
        let source = d["source"].as_str().unwrap_or_default();
        match d["due"].as_i64() {
            Some(due) => row(code, provisional_label(d), source, Some(due)),
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
            ),
        }
    }
    Ok(rows)
}

/// Where a page of the list starts: the range (0 overdue, 1 not computable, 2 the rest) and the
/// last row of the page before in it.
fn parse(cursor: &str) -> Result<(u8, i64, String, u32), ApiError> {
    let bad = || ApiError::BadRequest("cursor 无效（须为上一页返回的 next_cursor）".into());
    let (n, key) = super::policy::parse_cursor(cursor)?;
    let (range, rest) = key.split_once(':').ok_or_else(bad)?;
    let (due, case) = rest.split_once(':').ok_or_else(bad)?;
    Ok((range.parse().map_err(|_| bad())?, due.parse().map_err(|_| bad())?, case.to_string(), n as u32))
}

impl<S: LogStore> App<S> {
    /// The op that sets case `case`'s open deadlines, its publication read from the store.
    pub(crate) async fn deadlines_op(&self, case: &CaseRecord) -> Result<Op, ApiError> {
        let publication = self.json_setting(&format!("{}{}", super::publication::PREFIX, case.id)).await?;
        Ok(Op::SetDeadlines {
            case_id: case.id.clone(),
            rows: deadline_rows(case, publication.as_ref(), &self.calendar)?,
        })
    }

    /// A page of the open deadlines of the cases `user` may see (see the module's order), with
    /// the cursor of the next page.
    pub async fn deadline_page(
        &self,
        user: &UserRecord,
        now: Timestamp,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<DeadlineItem>, Option<String>), ApiError> {
        let mut out = Vec::new();
        let start = cursor.map(parse).transpose()?;
        // the office's figures of the year just ended, the 负责人's to publish.
        if start.is_none()
            && super::policy::roles(user).contains(&super::policy::Role::Approver)
            && let Some((year, due)) = self.statistics_due(now).await?
        {
            out.push(DeadlineItem {
                case_id: String::new(),
                case_no: "本办事处".to_string(),
                code: "T-STAT".to_string(),
                label: format!("{}（{year} 年度）", super::statistics::LABEL),
                source: super::statistics::SOURCE.to_string(),
                due: due.0,
                status: calendar::status(due, None, now, DUE_SOON_MS),
            });
        }
        let seen_by = super::policy::seen_by(user);
        let ranges = [DueRange::Before(now.0), DueRange::Unknown, DueRange::From(now.0)];
        let first = start.as_ref().map_or(0, |s| s.0 as usize);
        let mut next = None;
        for (i, range) in ranges.into_iter().enumerate().skip(first) {
            let after = start.as_ref().filter(|s| s.0 as usize == i).map(|s| (s.1, s.2.clone(), s.3));
            let want = limit.saturating_sub(out.len());
            if want == 0 {
                // Full: the next page starts at this range.
                next = Some(super::policy::cursor_of(0, &format!("{i}:{}:", i64::MIN)));
                break;
            }
            let q = DeadlineQuery { seen_by: seen_by.clone(), range, after, limit: want as u32 + 1 };
            let rows = self.store.deadline_page(&q).await?;
            let more = rows.len() > want;
            for (d, case_no) in rows.into_iter().take(want) {
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
