//! Time as the statutes count it: instants in UTC milliseconds, civil dates in Asia/Shanghai
//! (UTC+8 all year; China has kept no daylight saving time since 1991).

use std::fmt;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// A civil date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

const SHANGHAI_OFFSET_MS: i64 = 8 * 3600 * 1000;
pub const DAY_MS: i64 = 86_400_000;
pub const HOUR_MS: i64 = 3_600_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("日期格式应为 YYYY-MM-DD：{0:?}")]
pub struct DateError(pub String);

impl Timestamp {
    /// The civil date of this instant in Asia/Shanghai (an instant outside years 1–9999 reads
    /// as the nearest of them: a typed time never overflows).
    pub fn shanghai_date(self) -> Date {
        const FIRST: i64 = -62_135_596_800_000; // 0001-01-01T00:00:00Z
        const LAST: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
        let ms = self.0.clamp(FIRST, LAST - SHANGHAI_OFFSET_MS);
        Date::from_days((ms + SHANGHAI_OFFSET_MS).div_euclid(DAY_MS))
    }

    pub fn plus_hours(self, hours: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(hours.saturating_mul(HOUR_MS)))
    }

    /// "YYYY-MM-DD HH:MM" in Asia/Shanghai: how a moment is written for people.
    pub fn to_minute(self) -> String {
        let d = self.shanghai_date();
        let minutes = (self.0 - d.start().0).div_euclid(60_000);
        format!("{d} {:02}:{:02}", minutes / 60, minutes % 60)
    }
}

/// Weekday, Monday = 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Date {
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let err = || DateError(s.chars().take(40).collect());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| {
            s.get(r).filter(|p| p.bytes().all(|c| c.is_ascii_digit())).and_then(|p| p.parse::<u32>().ok())
        };
        let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
            return Err(err());
        };
        Date::new(y as i32, m as u8, d as u8).ok_or_else(err)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    pub fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    pub fn plus_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }

    /// The same day `n` months later, or the last day of that month when it has no such day
    /// (民法典第二百零二条: 到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日).
    pub fn plus_months(self, n: u32) -> Date {
        let months = i64::from(self.year) * 12 + i64::from(self.month - 1) + i64::from(n);
        let year = months.div_euclid(12) as i32;
        let month = (months.rem_euclid(12) + 1) as u8;
        Date { year, month, day: self.day.min(days_in_month(year, month)) }
    }

    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.days() + 3).rem_euclid(7) {
            0 => Weekday::Mon,
            1 => Weekday::Tue,
            2 => Weekday::Wed,
            3 => Weekday::Thu,
            4 => Weekday::Fri,
            5 => Weekday::Sat,
            _ => Weekday::Sun,
        }
    }

    /// The first instant of this date in Asia/Shanghai.
    pub fn start(self) -> Timestamp {
        Timestamp(self.days() * DAY_MS - SHANGHAI_OFFSET_MS)
    }

    /// The last millisecond of this date in Asia/Shanghai (a deadline "on" this day).
    pub fn end(self) -> Timestamp {
        Timestamp(self.start().0 + DAY_MS - 1)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}
