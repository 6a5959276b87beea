//! The working-day calendar and deadline arithmetic (domain.md §0.4, §d).
//!
//! - Working days (工作日): 行政处罚法第八十五条, 行政强制法第六十九条, 行政许可法第八十二条.
//! - Calendar days: the start day is not counted; a period whose last day is a rest day ends on
//!   the next working day (民事诉讼法第八十五条, applied by analogy).
//! - Hours: from the exact instant, no extension (行政强制法第十九条, 办法第二十三条).
//!
//! The calendar is data (`data/cn-workdays.txt`), one year at a time; it refuses to compute in a
//! year it does not hold.

use crate::time::{Date, Timestamp, Weekday};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("工作日历未包含 {0} 年的节假日安排，无法计算以工作日计的期限")]
    YearNotLoaded(i32),
    #[error("工作日历数据第 {line} 行有误：{why}")]
    BadData { line: usize, why: String },
}

/// Weekends, statutory holidays and 调休 working weekends, by year.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeSet<i32>,
    /// `true`: a working weekend day; `false`: a holiday on a weekday.
    exceptions: BTreeMap<Date, bool>,
    /// Counts every day of a year it lacks as a working day (暂按自然日) instead of refusing:
    /// for showing deadlines, never for deciding a rule.
    estimate: bool,
}

/// How a period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    WorkingDays(u32),
    CalendarDays(u32),
    Hours(u32),
    /// Months, to the corresponding day (民法典第二百零二条), moved past a holiday like days.
    Months(u32),
}

impl WorkCalendar {
    /// The calendar shipped with liuhen (2025–2026).
    pub fn china() -> WorkCalendar {
        // The shipped data is checked by a test; failing here would be a build defect.
        WorkCalendar::parse(include_str!("../data/cn-workdays.txt")).unwrap_or_default()
    }

    pub fn parse(text: &str) -> Result<WorkCalendar, CalendarError> {
        let mut cal = WorkCalendar::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: &str| CalendarError::BadData { line: i + 1, why: why.to_string() };
            let mut parts = line.split_whitespace();
            match (parts.next(), parts.next()) {
                (Some("year"), Some(y)) => {
                    cal.years.insert(y.parse().map_err(|_| bad("year"))?);
                }
                (Some(kind @ ("on" | "off")), Some(d)) => {
                    let date = Date::parse(d).map_err(|e| bad(&e.to_string()))?;
                    if !cal.years.contains(&date.year()) {
                        return Err(bad("date before its year line"));
                    }
                    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
                    if (kind == "on") != weekend {
                        return Err(bad("'on' must be a weekend day and 'off' a weekday"));
                    }
                    cal.exceptions.insert(date, kind == "on");
                }
                _ => return Err(bad("expected 'year', 'on' or 'off'")),
            }
        }
        Ok(cal)
    }

    /// Adds the years of `other` (a later notice, or an office's own table). A year present in
    /// both takes `other`'s days.
    pub fn merge(&mut self, other: WorkCalendar) {
        for y in &other.years {
            self.exceptions.retain(|d, _| d.year() != *y);
        }
        self.years.extend(other.years);
        self.exceptions.extend(other.exceptions);
    }

    /// The years this calendar can compute in.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// This calendar, counting the days of a year it lacks as plain days (暂按自然日): a
    /// working-day period runs as calendar days and a calendar-day period is not carried past a
    /// rest day — never later than the true date. For a deadline's display only.
    pub fn estimating(&self) -> WorkCalendar {
        WorkCalendar { estimate: true, ..self.clone() }
    }

    /// Whether a year is in the calendar (else a date in it is only estimated).
    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, d: Date) -> Result<bool, CalendarError> {
        if !self.years.contains(&d.year()) {
            if self.estimate {
                return Ok(true);
            }
            return Err(CalendarError::YearNotLoaded(d.year()));
        }
        Ok(match self.exceptions.get(&d) {
            Some(working) => *working,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        })
    }

    /// The `n`th working day after `anchor` (the anchor day itself is not counted).
    pub fn add_working_days(&self, anchor: Date, n: u32) -> Result<Date, CalendarError> {
        let mut d = anchor;
        let mut left = n;
        while left > 0 {
            d = d.plus_days(1);
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// `anchor + n` calendar days, moved to the next working day if that day is a rest day.
    pub fn add_calendar_days(&self, anchor: Date, n: u32) -> Result<Date, CalendarError> {
        let mut d = anchor.plus_days(i64::from(n));
        while !self.is_working_day(d)? {
            d = d.plus_days(1);
        }
        Ok(d)
    }

    /// Working days strictly between two dates (for "at least N working days before").
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        let mut n = 0;
        let mut d = from.plus_days(1);
        while d < to {
            if self.is_working_day(d)? {
                n += 1;
            }
            d = d.plus_days(1);
        }
        Ok(n)
    }

    /// The last instant of a period that starts at `anchor`.
    /// As [`WorkCalendar::due`], for a reminder (a deadline shown, not a gate): a period in
    /// calendar days or months does not wait for the year's calendar. Its last day moves past a
    /// day off (民法典第二百零三条); in a year not loaded only weekends are known to be off, so
    /// the date shown is never later than the true one (a holiday announced later can only move
    /// it on). A period in working days still needs its year.
    pub fn reminder_due(&self, anchor: Timestamp, period: Period) -> Result<Timestamp, CalendarError> {
        let last = match period {
            Period::CalendarDays(n) => anchor.shanghai_date().plus_days(i64::from(n)),
            Period::Months(n) => anchor.shanghai_date().plus_months(n),
            other => return self.due(anchor, other),
        };
        let mut d = last;
        loop {
            let open = match self.is_working_day(d) {
                Ok(working) => working,
                Err(_) => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
            };
            if open {
                return Ok(d.end());
            }
            d = d.plus_days(1);
        }
    }

    /// Whether `at` falls within the period that starts at `anchor`. A period ends no earlier
    /// than its plain last day (for working days: every unknown day counted as one), so a time by
    /// then is within it even when the calendar lacks the year (a holiday could only move the
    /// end later); past the plain day, the year's calendar is needed.
    pub fn within(&self, anchor: Timestamp, period: Period, at: Timestamp) -> Result<bool, CalendarError> {
        match self.due(anchor, period) {
            Ok(due) => Ok(at <= due),
            Err(e) => {
                let plain = match period {
                    Period::CalendarDays(n) => anchor.shanghai_date().plus_days(i64::from(n)).end(),
                    Period::Months(n) => anchor.shanghai_date().plus_months(n).end(),
                    // Counting every unknown day as a working day ends no later than the truth.
                    Period::WorkingDays(_) => self.estimating().due(anchor, period)?,
                    Period::Hours(_) => return Err(e),
                };
                if at <= plain { Ok(true) } else { Err(e) }
            }
        }
    }

    pub fn due(&self, anchor: Timestamp, period: Period) -> Result<Timestamp, CalendarError> {
        match period {
            Period::Hours(h) => Ok(anchor.plus_hours(i64::from(h))),
            Period::WorkingDays(n) => Ok(self.add_working_days(anchor.shanghai_date(), n)?.end()),
            Period::CalendarDays(n) => Ok(self.add_calendar_days(anchor.shanghai_date(), n)?.end()),
            Period::Months(n) => {
                let mut d = anchor.shanghai_date().plus_months(n);
                // 民法典第二百零三条: a period whose last day is a holiday ends the next working day.
                while !self.is_working_day(d)? {
                    d = d.plus_days(1);
                }
                Ok(d.end())
            }
        }
    }
}

/// The codes of the deadlines the procedures compute (domain.md §d): what a deadline list may
/// be narrowed to, with the server's own (recordings, publication, statistics).
pub const DEADLINE_CODES: &[&str] = &[
    "T-03",
    "T-04",
    "T-08",
    "T-11",
    "T-17",
    "T-18",
    "T-19",
    "T-20",
    "T-23",
    "T-24",
    "T-27",
    "T-28",
    "T-29",
    "I-rectify",
];

/// A deadline of a case: what is due, by when, and when it was done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The deadline's ID in domain.md §d, or a local code.
    pub code: &'static str,
    /// What is due, in Chinese.
    pub label: &'static str,
    /// The source of the period.
    pub source: &'static str,
    /// When it falls due; an error when the calendar lacks a year it spans, so that one
    /// deadline that cannot be computed never hides the others.
    pub due: Result<Timestamp, CalendarError>,
    pub done_at: Option<Timestamp>,
}

/// Where a deadline stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineStatus {
    Met,
    Pending,
    DueSoon,
    Overdue,
    /// The due date could not be computed (a year the calendar lacks).
    Unknown,
}

/// Classifies a deadline at `now`: met if done by `due`, overdue after it, due soon within
/// `warn_ms` of it.
pub fn status(due: Timestamp, done_at: Option<Timestamp>, now: Timestamp, warn_ms: i64) -> DeadlineStatus {
    match done_at {
        Some(t) if t <= due => DeadlineStatus::Met,
        Some(_) => DeadlineStatus::Overdue,
        None if now > due => DeadlineStatus::Overdue,
        None if now.0 + warn_ms >= due.0 => DeadlineStatus::DueSoon,
        None => DeadlineStatus::Pending,
    }
}
