//! 音像记录 rules that can be checked on a recording itself (办法第二十二条、第二十三条;
//! domain.md §c.12): stored within 24 hours of the recording's end (or of the return from
//! continuous, remote or hard-to-reach enforcement, with that reason given), a late one
//! explained in writing; every interruption explained; the device clock close to the server's.

use crate::rules::{R_140, R_141, R_143, R_144, R_145, Violation};
use crate::time::Timestamp;

/// 24 hours, counted from the exact moment (domain.md TC-6: no holiday extension).
pub const DAY_MS: i64 = 24 * 3600 * 1000;

/// How far a device clock may be from the server's before the recording is flagged;
/// an office may configure another bound.
pub const DEFAULT_CLOCK_BOUND_MS: i64 = 5 * 60 * 1000;

/// Enforcement away from where recordings can be stored (连续执法、异地执法、偏远地区执法):
/// the 24 hours run from the return, and the reason is recorded (办法第二十三条).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Away {
    pub reason: String,
    pub returned_at: Timestamp,
}

/// A gap in a recording (办法第二十二条): explained when recording resumed (a spoken
/// explanation at the start of the resumed segment), or in writing signed by two officers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interruption {
    pub from: Timestamp,
    pub to: Timestamp,
    pub cause: String,
    /// The moment of the spoken explanation in the resumed segment, if any.
    pub spoken_at: Option<Timestamp>,
    /// The written explanation and who signed it.
    pub written: String,
    pub signed_by: Vec<String>,
}

/// What is known of a recording when it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    pub away: Option<Away>,
    /// Why it is stored late, in writing (empty: none given).
    pub late_explanation: String,
    /// The device's clock minus the server's, as measured when the file arrived.
    pub clock_offset_ms: Option<i64>,
    pub interruptions: Vec<Interruption>,
}

/// A spoken explanation counts when it is within this long of the resumption.
pub const SPOKEN_WITHIN_MS: i64 = 2 * 60 * 1000;

/// When a recording must be stored by.
pub fn storage_due(r: &Recording) -> Timestamp {
    let from = r.away.as_ref().map_or(r.ended_at, |a| a.returned_at.max(r.ended_at));
    Timestamp(from.0 + DAY_MS)
}

/// The findings on a recording stored at `stored_at`: R-144 (late without a written
/// explanation, or away without its reason), R-145 (device clock beyond `clock_bound_ms`),
/// R-143 (an interruption unexplained). All are defects of the record, kept with it: the bytes
/// are evidence either way and are never refused.
pub fn check(r: &Recording, stored_at: Timestamp, clock_bound_ms: i64) -> Vec<Violation> {
    let mut found = Vec::new();
    if r.ended_at < r.started_at {
        found.push(R_144.violated("ended_at", "结束时间早于开始时间"));
    }
    if let Some(a) = &r.away
        && a.reason.trim().is_empty()
    {
        found.push(R_144.violated("away", "未载明连续执法、异地执法或偏远地区执法的情况"));
    }
    let due = storage_due(r);
    if stored_at > due && r.late_explanation.trim().is_empty() {
        let hours = (stored_at.0 - due.0).div_euclid(3_600_000);
        found.push(R_144.violated("late_explanation", format!("超过二十四小时存储期限约 {hours} 小时，未书面说明")));
    }
    if let Some(offset) = r.clock_offset_ms
        && offset.abs() > clock_bound_ms
    {
        found.push(R_145.violated("clock_offset_ms", format!("设备时钟与服务器相差 {} 秒", offset / 1000)));
    }
    for i in &r.interruptions {
        if !explained(i) {
            found.push(
                R_143.violated(
                    "interruptions",
                    "中断未在恢复记录时语音说明，也无两名执法人员签名的书面说明".to_string(),
                ),
            );
        }
    }
    found
}

/// Whether an interruption is explained (办法第二十二条): aloud within [`SPOKEN_WITHIN_MS`] of
/// resuming, or in writing signed by at least two officers.
pub fn explained(i: &Interruption) -> bool {
    let spoken = i.spoken_at.is_some_and(|t| t >= i.to && t.0 - i.to.0 <= SPOKEN_WITHIN_MS);
    let mut signers: Vec<&str> = i.signed_by.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    signers.sort_unstable();
    signers.dedup();
    spoken || (!i.written.trim().is_empty() && signers.len() >= 2)
}

/// What an on-site act directly touches that makes its whole recording mandatory (办法第十九条:
/// 直接涉及人身自由、生命健康、重大财产权益的现场执法活动).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Touches {
    PersonalLiberty,
    LifeHealth,
    MajorProperty,
}

impl Touches {
    pub const ALL: [Touches; 3] = [Touches::PersonalLiberty, Touches::LifeHealth, Touches::MajorProperty];

    pub fn code(self) -> &'static str {
        match self {
            Touches::PersonalLiberty => "personal_liberty",
            Touches::LifeHealth => "life_health",
            Touches::MajorProperty => "major_property",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Touches::PersonalLiberty => "人身自由",
            Touches::LifeHealth => "生命健康",
            Touches::MajorProperty => "重大财产权益",
        }
    }

    pub fn parse(code: &str) -> Option<Touches> {
        Touches::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// R-141 on an on-site or evidence-collection record that need not be recorded whole: it has a
/// recording, or a written reason why none was made (the text record was enough).
pub fn unrecorded(recordings: usize, reason: &str) -> Option<Violation> {
    (recordings == 0 && reason.trim().is_empty())
        .then(|| R_141.violated("recordings", "未进行音像记录，也未书面说明理由"))
}

/// A stretch of time, `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: Timestamp,
    pub to: Timestamp,
}

/// Cameras split a recording into files; consecutive files this close count as continuous.
pub const CONTINUOUS_WITHIN_MS: i64 = 10_000;

/// The stretches of `activity` that no recording covers, longer than
/// [`CONTINUOUS_WITHIN_MS`], in order.
pub fn gaps(activity: Span, recordings: &[Span]) -> Vec<Span> {
    let mut spans: Vec<Span> = recordings.iter().copied().filter(|s| s.to > s.from).collect();
    spans.sort_by_key(|s| s.from);
    let mut out = Vec::new();
    let mut covered_to = activity.from;
    for s in spans {
        if s.from.0 - covered_to.0 > CONTINUOUS_WITHIN_MS && covered_to < activity.to {
            out.push(Span { from: covered_to, to: s.from.min(activity.to) });
        }
        covered_to = covered_to.max(s.to);
    }
    if activity.to.0 - covered_to.0 > CONTINUOUS_WITHIN_MS {
        out.push(Span { from: covered_to, to: activity.to });
    }
    out
}

/// R-140 on an activity that must be recorded whole (办法第十九条): its recordings cover it
/// from start to end, and every gap is a recorded interruption (whose explanation R-143
/// checks). `shown` formats a moment for the finding.
pub fn coverage(
    activity: Span,
    recordings: &[Span],
    interruptions: &[Interruption],
    shown: impl Fn(Timestamp) -> String,
) -> Vec<Violation> {
    if recordings.is_empty() {
        return vec![R_140.violated("recordings", "未关联任何音像记录")];
    }
    let mut found = Vec::new();
    for g in gaps(activity, recordings) {
        let noted = interruptions
            .iter()
            .any(|i| i.from.0 <= g.from.0 + CONTINUOUS_WITHIN_MS && i.to.0 + CONTINUOUS_WITHIN_MS >= g.to.0);
        if !noted {
            found.push(
                R_140.violated("recordings", format!("{} 至 {} 无音像记录，也未登记中断", shown(g.from), shown(g.to))),
            );
        }
    }
    for i in interruptions.iter().filter(|i| !explained(i)) {
        found.push(
            R_143
                .violated("interruptions", format!("{} 至 {} 的中断（{}）未说明", shown(i.from), shown(i.to), i.cause)),
        );
    }
    found
}

/// Hour `h` of the examples' day.
fn hour(h: i64) -> Timestamp {
    Timestamp(1_795_000_000_000 + h * 3_600_000)
}

/// An hour's recording from hour 0, its device clock two seconds off.
fn sample() -> Recording {
    Recording {
        started_at: hour(0),
        ended_at: hour(1),
        away: None,
        late_explanation: String::new(),
        clock_offset_ms: Some(2_000),
        interruptions: Vec::new(),
    }
}

/// For the rules table: (rule, findings that violate it, findings that satisfy it).
pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let ids = |v: Vec<Violation>| v.into_iter().map(|x| x.rule.id).collect::<Vec<_>>();
    let t = hour;
    let base = sample();
    let gap = Interruption {
        from: t(0),
        to: Timestamp(t(0).0 + 60_000),
        cause: "电池耗尽".into(),
        spoken_at: None,
        written: String::new(),
        signed_by: Vec::new(),
    };
    let bound = DEFAULT_CLOCK_BOUND_MS;
    let activity = Span { from: t(0), to: t(2) };
    let shown = |x: Timestamp| x.0.to_string();
    let whole = [Span { from: t(0), to: t(1) }, Span { from: Timestamp(t(1).0 + 2_000), to: t(2) }];
    let broken = [Span { from: t(0), to: t(1) }, Span { from: Timestamp(t(1).0 + 600_000), to: t(2) }];
    let noted = Interruption {
        from: t(1),
        to: Timestamp(t(1).0 + 600_000),
        cause: "设备故障".into(),
        spoken_at: Some(Timestamp(t(1).0 + 610_000)),
        written: String::new(),
        signed_by: Vec::new(),
    };
    let some = |v: Option<Violation>| ids(v.into_iter().collect());
    vec![
        // No recording and no word; then a recording; then a written reason instead.
        ("R-141", some(unrecorded(0, " ")), some(unrecorded(1, ""))),
        ("R-141", some(unrecorded(0, "")), some(unrecorded(0, "书证由当事人提交，文字记录已全面记载"))),
        // Two files a couple of seconds apart cover the activity; ten minutes missing do not —
        // unless the interruption is recorded; nothing at all never does.
        ("R-140", ids(coverage(activity, &broken, &[], shown)), ids(coverage(activity, &whole, &[], shown))),
        (
            "R-140",
            ids(coverage(activity, &broken, &[], shown)),
            ids(coverage(activity, &broken, std::slice::from_ref(&noted), shown)),
        ),
        ("R-140", ids(coverage(activity, &[], &[], shown)), ids(coverage(activity, &whole, &[], shown))),
        // Stored a day and a half after the end, without a word; then with the written reason.
        (
            "R-144",
            ids(check(&base, t(37), bound)),
            ids(check(
                &Recording { late_explanation: "暴雨断网，次日返回后存储".into(), ..base.clone() },
                t(37),
                bound,
            )),
        ),
        // Away from base: the 24 hours run from the return.
        (
            "R-144",
            ids(check(&base, t(60), bound)),
            ids(check(
                &Recording { away: Some(Away { reason: "连续执法".into(), returned_at: t(48) }), ..base.clone() },
                t(60),
                bound,
            )),
        ),
        (
            "R-145",
            ids(check(&Recording { clock_offset_ms: Some(-11 * 60_000), ..base.clone() }, t(2), bound)),
            ids(check(&base, t(2), bound)),
        ),
        // An interruption explained by neither; then aloud on resuming; then in writing by two.
        (
            "R-143",
            ids(check(&Recording { interruptions: vec![gap.clone()], ..base.clone() }, t(2), bound)),
            ids(check(
                &Recording {
                    interruptions: vec![Interruption { spoken_at: Some(Timestamp(gap.to.0 + 30_000)), ..gap.clone() }],
                    ..base.clone()
                },
                t(2),
                bound,
            )),
        ),
        (
            "R-143",
            ids(check(
                &Recording {
                    interruptions: vec![Interruption {
                        written: "设备电池耗尽".into(),
                        signed_by: vec!["王明".into()],
                        ..gap.clone()
                    }],
                    ..base.clone()
                },
                t(2),
                bound,
            )),
            ids(check(
                &Recording {
                    interruptions: vec![Interruption {
                        written: "设备电池耗尽".into(),
                        signed_by: vec!["王明".into(), "李华".into()],
                        ..gap
                    }],
                    ..base.clone()
                },
                t(2),
                bound,
            )),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64) -> Timestamp {
        hour(h)
    }

    fn recording() -> Recording {
        sample()
    }

    #[test]
    fn gaps_are_found_at_the_start_between_files_and_at_the_end() {
        let span = |a: i64, b: i64| Span { from: Timestamp(a * 1000), to: Timestamp(b * 1000) };
        let activity = span(0, 600);
        // Started 30 s late, a 60 s hole, stopped 100 s early; overlapping files merge.
        let recs = [span(30, 200), span(150, 300), span(360, 500)];
        assert_eq!(gaps(activity, &recs), vec![span(0, 30), span(300, 360), span(500, 600)]);
        // Files five seconds apart are one recording; so is a start 3 s late.
        assert!(gaps(activity, &[span(3, 300), span(305, 600)]).is_empty());
        // A recording longer than the activity covers it.
        assert!(gaps(activity, &[span(-60, 700)]).is_empty());
        let shown = |t: Timestamp| t.0.to_string();
        let f = coverage(activity, &recs, &[], shown);
        assert_eq!(f.len(), 3);
        assert!(f.iter().all(|v| v.rule.id == "R-140"));
    }

    #[test]
    fn an_interruption_written_by_one_officer_twice_is_not_explained() {
        let i = Interruption {
            from: t(0),
            to: t(1),
            cause: "阻挠".into(),
            spoken_at: None,
            written: "被围堵".into(),
            signed_by: vec!["王明".into(), " 王明".into()],
        };
        assert!(!explained(&i));
        assert!(explained(&Interruption { signed_by: vec!["王明".into(), "李华".into()], ..i }));
    }

    #[test]
    fn twenty_four_hours_run_from_the_end_or_the_return() {
        assert_eq!(storage_due(&recording()), t(25));
        let away = Recording { away: Some(Away { reason: "异地执法".into(), returned_at: t(49) }), ..recording() };
        assert_eq!(storage_due(&away), t(73));
        assert!(check(&away, t(70), DEFAULT_CLOCK_BOUND_MS).is_empty());
        assert!(check(&recording(), t(25), DEFAULT_CLOCK_BOUND_MS).is_empty(), "the 24th hour is in time");
    }
}
