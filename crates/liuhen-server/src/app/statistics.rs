//! 年度行政执法数据 (R-171; 国办发〔2018〕118号): the office's enforcement figures of a year,
//! published by 31 January of the next year — on the public page and as JSON, a log entry in the
//! clear (counts only: no person, no case), the setting `statistics.annual/<year>` its
//! projection. The counting rules: a decision counts in the year it was taken (a penalty by its
//! decision, a 简易程序 one by its 当场处罚决定书; a licence by its decision; a 查封、扣押 when executed;
//! an inspection by its on-site act); a decision counts once, under its penalty; 罚没金额 is the
//! fines and confiscations as decided. Until the year's figures are published, the 负责人 has a
//! deadline (T-STAT) on their list from 1 January.

use super::App;
use super::policy::{Role, roles};
use crate::app::AppError;
use liuhen_core::time::{Date, Timestamp};
use liuhen_log::EntryDraft;
use liuhen_store::{AnnualStatisticsRecord, CaseRecord, LogStore, Op, UserRecord};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Where the rule comes from.
pub const SOURCE: &str = "国办发〔2018〕118号（每年1月31日前公开上年度行政执法总体情况有关数据）";
/// What the deadline asks.
pub const LABEL: &str = "公开上年度行政执法统计数据";

/// When case `c` (its projection `data`) took the decision the figures count, if it did.
pub(crate) fn counted_at(case_type: &str, data: &Value) -> Option<i64> {
    match case_type {
        "ordinary_penalty" if !data["penalty"].is_null() => data["decided_at"].as_i64(),
        // 当场作出: the 当场处罚决定书's time.
        "summary_penalty" if !data["penalty"].is_null() => data["decided_at"].as_i64(),
        "licence" => data["decided_at"].as_i64(),
        "coercive_measure" => data["executed_at"].as_i64(),
        "inspection" => data["acts"][0]["at"].as_i64(),
        _ => None,
    }
}

/// The figures of `year` from the office's cases.
pub fn tally<'a>(year: i32, cases: impl IntoIterator<Item = &'a CaseRecord>) -> Value {
    let mut by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let (mut penalties, mut amount_fen, mut granted, mut denied, mut seal, mut seize, mut inspections) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    for c in cases {
        let Ok(data) = serde_json::from_str::<Value>(&c.data) else { continue };
        let Some(at) = counted_at(&c.case_type, &data) else { continue };
        if Timestamp(at).shanghai_date().year() != year {
            continue;
        }
        match c.case_type.as_str() {
            "ordinary_penalty" | "summary_penalty" => {
                penalties += 1;
                let p = &data["penalty"];
                *by_kind.entry(p["label"].as_str().unwrap_or("其他").to_string()).or_default() += 1;
                amount_fen += p["amount_fen"].as_u64().unwrap_or(0);
            }
            "licence" if data["granted"] == true => granted += 1,
            "licence" => denied += 1,
            "coercive_measure" if data["kind"] == "seal" => seal += 1,
            "coercive_measure" => seize += 1,
            _ => inspections += 1,
        }
    }
    json!({
        "year": year,
        "penalties": {"total": penalties, "by_kind": by_kind, "amount_fen": amount_fen},
        "licences": {"granted": granted, "denied": denied},
        "coercive_measures": {"seal": seal, "seize": seize},
        "inspections": inspections,
    })
}

/// The last day the figures of `year` may be published: 31 January of the next year, its end.
pub fn due(year: i32) -> Timestamp {
    Date::new(year + 1, 1, 31).map(Date::end).unwrap_or(Timestamp(i64::MAX))
}

impl<S: LogStore> App<S> {
    /// The figures of `year` as they stand now (for the 负责人 to check before publishing).
    pub async fn annual_statistics(&self, actor: &UserRecord, year: i32) -> Result<Value, AppError> {
        if !roles(actor).iter().any(|r| matches!(r, Role::Approver | Role::Supervisor)) {
            return Err(AppError::Forbidden);
        }
        Ok(tally(year, &self.cases_counted_in(year).await?))
    }

    /// The published figures of `year`, if published.
    pub async fn published_statistics(&self, year: i32) -> Result<Option<Value>, AppError> {
        let row = self.store.year_statistics(year as i64).await.map(|r| (r.data, r.version));
        Ok(super::versioned_json(row)?.map(|(v, _)| v))
    }

    /// Every year's published figures, the latest first (for the public page): the table's
    /// key read backwards, a row a year published (since 1990: fewer than a hundred).
    pub async fn all_published_statistics(&self) -> Result<Vec<Value>, AppError> {
        let mut out = Vec::new();
        for row in self.store.annual_statistics(100).await? {
            out.push(serde_json::from_str(&row.data).map_err(|e| AppError::Internal(Box::new(e)))?);
        }
        Ok(out)
    }

    /// Publishes the figures of `year`, by the 负责人 once the year has ended; once a year.
    pub async fn publish_statistics(&self, actor: &UserRecord, year: i32) -> Result<Value, AppError> {
        if !roles(actor).contains(&Role::Approver) {
            return Err(AppError::NotYourStep("公开年度行政执法统计数据须由负责人以本人账号办理".into()));
        }
        let now = self.clock.now();
        if year >= now.shanghai_date().year() || year < 1990 {
            return Err(AppError::Unprocessable(format!("{year} 年尚未结束，不能公开该年度的统计数据")));
        }
        if self.published_statistics(year).await?.is_some() {
            return Err(AppError::Duplicate(format!("{year} 年度的行政执法统计数据已公开")));
        }
        let figures = tally(year, &self.cases_counted_in(year).await?);
        let body = json!({"year": year, "due": due(year).0, "on_time": now <= due(year), "figures": figures,
                          "recorded_at": now.0});
        let record = published_record(&body, now.0);
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            "statistics.published",
            None,
            super::body(body.clone()),
            vec![],
            vec![],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        // Once a year: a publication at the same moment finds this one (the key is created).
        match self.append(d, vec![Op::PutAnnualStatistics { record, expected_version: Some(0) }]).await {
            Err(AppError::Stale(_)) => Err(AppError::Duplicate(format!("{year} 年度的行政执法统计数据已公开"))),
            other => other.map(|_| body),
        }
    }

    /// The year the office's log began (its first entry's), if it has one.
    /// The cases whose counted decision fell in `year` (an index range of the projection).
    async fn cases_counted_in(&self, year: i32) -> Result<Vec<CaseRecord>, AppError> {
        let (from, before) = year_range(year)?;
        Ok(self.store.cases_counted(from, before, u32::MAX).await?)
    }

    async fn log_began(&self) -> Result<Option<i32>, AppError> {
        if self.store.tree_size() == 0 {
            return Ok(None);
        }
        let first = self.store.entries(0, 1).await?;
        let Some(raw) = first.first() else { return Ok(None) };
        let e = liuhen_log::Entry::decode(raw).map_err(|e| AppError::Integrity(format!("entry 0: {e}")))?;
        Ok(Some(Timestamp(e.time_ms).shanghai_date().year()))
    }

    /// The figures of the year just ended, not yet published: (year, due) from 1 January.
    pub async fn statistics_due(&self, now: Timestamp) -> Result<Option<(i32, Timestamp)>, AppError> {
        let year = now.shanghai_date().year() - 1;
        // An office whose log began after that year has nothing to publish for it — unless it
        // recorded decisions of that year since (entered after the fact).
        match self.log_began().await? {
            Some(began) if began <= year => {}
            Some(_) => {
                let (from, before) = year_range(year)?;
                if self.store.cases_counted(from, before, 1).await?.is_empty() {
                    return Ok(None);
                }
            }
            None => return Ok(None),
        }
        Ok(match self.published_statistics(year).await? {
            Some(_) => None,
            None => Some((year, due(year))),
        })
    }
}

/// `year` in Asia/Shanghai as Unix ms: its first moment and the next year's.
fn year_range(year: i32) -> Result<(i64, i64), AppError> {
    let day =
        |y: i32| liuhen_core::time::Date::new(y, 1, 1).ok_or_else(|| AppError::BadRequest(format!("年度 {y} 无效")));
    Ok((day(year)?.start().0, day(year + 1)?.start().0))
}

/// The row a `statistics.published` entry's body makes (the rebuild folds it the same).
pub fn published_record(body: &Value, at: i64) -> AnnualStatisticsRecord {
    let year = body["year"].as_i64().unwrap_or_default();
    let v = json!({"year": year, "published_at": body["recorded_at"].as_i64().unwrap_or(at), "due": body["due"],
                   "on_time": body["on_time"], "figures": body["figures"]});
    AnnualStatisticsRecord { year, data: v.to_string(), updated_at_ms: at, version: 0 }
}

/// The year a page or a request asks for (`?year=`).
#[derive(serde::Deserialize)]
pub struct YearQuery {
    pub year: Option<i32>,
}

/// A year's published figures as (item, figure) lines.
pub fn figure_lines(f: &Value) -> Vec<(String, String)> {
    let n = |v: &Value| v.as_u64().unwrap_or(0).to_string();
    let mut out = vec![("行政处罚（件）".to_string(), n(&f["penalties"]["total"]))];
    for (kind, count) in f["penalties"]["by_kind"].as_object().into_iter().flatten() {
        out.push((format!("　其中：{kind}（件）"), n(count)));
    }
    let fen = f["penalties"]["amount_fen"].as_u64().unwrap_or(0);
    out.push(("罚没金额（元）".to_string(), format!("{}.{:02}", fen / 100, fen % 100)));
    out.push(("准予行政许可（件）".to_string(), n(&f["licences"]["granted"])));
    out.push(("不予行政许可（件）".to_string(), n(&f["licences"]["denied"])));
    out.push(("查封（件）".to_string(), n(&f["coercive_measures"]["seal"])));
    out.push(("扣押（件）".to_string(), n(&f["coercive_measures"]["seize"])));
    out.push(("行政检查（次）".to_string(), n(&f["inspections"])));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(case_type: &str, data: Value) -> CaseRecord {
        CaseRecord {
            id: String::new(),
            case_no: String::new(),
            case_type: case_type.to_string(),
            state: String::new(),
            version: 1,
            matter: String::new(),
            opened_at_ms: 0,
            updated_at_ms: 0,
            data: data.to_string(),
            opened_by: String::new(),
            unit: String::new(),
            confidentiality: String::new(),
            party: String::new(),
            officers: String::new(),
            counted_at_ms: None,
        }
    }

    /// Each counting rule: the year of the decision; a 不予处罚 and an undecided case not
    /// counted; 罚没金额 as decided; a denial apart from a grant; a seal apart from a seizure.
    #[test]
    fn a_year_counts_the_decisions_taken_in_it() {
        let at = |d: &str| Date::parse(d).unwrap().start().plus_hours(10).0;
        let fine = |fen: u64| json!({"kind": "fine", "label": "罚款", "amount_fen": fen});
        let cases = [
            case("ordinary_penalty", json!({"penalty": fine(500_000), "decided_at": at("2026-03-01")})),
            // Decided on 31 December in Beijing time (16:00 UTC the same day): in the year.
            case("ordinary_penalty", json!({"penalty": fine(100_000), "decided_at": at("2026-12-31")})),
            case("ordinary_penalty", json!({"penalty": fine(700_000), "decided_at": at("2027-01-01")})),
            case("ordinary_penalty", json!({"penalty": null, "decided_at": at("2026-05-01")})),
            case(
                "summary_penalty",
                json!({"penalty": {"kind": "warning", "label": "警告"}, "decided_at": at("2026-06-01")}),
            ),
            case("summary_penalty", json!({"penalty": null, "decided_at": null})),
            case("licence", json!({"granted": true, "decided_at": at("2026-02-01")})),
            case("licence", json!({"granted": false, "decided_at": at("2026-02-02")})),
            case("licence", json!({"decided_at": null})),
            case("coercive_measure", json!({"kind": "seal", "executed_at": at("2026-04-01")})),
            case("coercive_measure", json!({"kind": "seize", "executed_at": at("2026-04-02")})),
            case("coercive_measure", json!({"kind": "seize", "executed_at": null})),
            case("inspection", json!({"acts": [{"at": at("2026-07-01")}]})),
            case("inspection", json!({"acts": []})),
        ];
        let t = tally(2026, &cases);
        assert_eq!(t["penalties"], json!({"total": 3, "by_kind": {"罚款": 2, "警告": 1}, "amount_fen": 600_000}));
        assert_eq!(t["licences"], json!({"granted": 1, "denied": 1}));
        assert_eq!(t["coercive_measures"], json!({"seal": 1, "seize": 1}));
        assert_eq!(t["inspections"], 1);
        assert_eq!(tally(2027, &cases)["penalties"]["amount_fen"], 700_000);
        assert_eq!(due(2026), Date::parse("2027-01-31").unwrap().end());
    }
}
