//! 音像记录设备 (办法第二十四条、第二十八条): the registry of recording devices — number, model,
//! kind, capabilities (防爆、夜视、定位), where it is kept — and what happens to each: the
//! pre-use check (battery, storage, clock), assignment to one officer and its return or
//! hand-over (专人使用，专人负责), maintenance and repair, retirement. A device's state is the
//! fold of its events; every command returns the event to record or the rules it breaks.

use crate::rules::{CommandError, R_149A, R_149B, R_149C, R_149D, Refusal, Violation};
use crate::time::Timestamp;

/// What a device can do beyond recording (办法第二十八条: 防爆、夜视、定位 for special needs).
pub const CAPABILITIES: [(&str, &str); 3] =
    [("explosion_proof", "防爆"), ("night_vision", "夜视"), ("positioning", "定位")];

/// The kinds of recording device of 办法第十八条.
pub const KINDS: [(&str, &str); 5] = [
    ("body_camera", "执法记录仪"),
    ("camera", "照相机"),
    ("audio_recorder", "录音机"),
    ("video_camera", "摄像机"),
    ("surveillance", "视频监控"),
];

/// An office's bounds for the pre-use check: enough battery and free storage for a shift, and
/// the clock within R-145's five minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckBounds {
    pub min_battery_pct: u8,
    pub min_free_storage_mb: u64,
    pub max_clock_offset_ms: i64,
}

pub const DEFAULT_BOUNDS: CheckBounds =
    CheckBounds { min_battery_pct: 50, min_free_storage_mb: 8 * 1024, max_clock_offset_ms: 5 * 60 * 1000 };

/// How long a passed check stays good for an assignment (one shift).
pub const CHECK_VALID_MS: i64 = 12 * 3600 * 1000;

/// A pre-use check (使用前检查) as the checker read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub at: Timestamp,
    /// Who checked (an officer id or a user).
    pub by: String,
    pub battery_pct: u8,
    pub free_storage_mb: u64,
    /// The device's clock minus the server's.
    pub clock_offset_ms: i64,
}

impl Check {
    /// What falls short of `bounds`, in Chinese; empty when the device is fit for use.
    pub fn shortcomings(&self, bounds: &CheckBounds) -> Vec<String> {
        let mut out = Vec::new();
        if self.battery_pct < bounds.min_battery_pct {
            out.push(format!("电量 {}%，低于 {}%", self.battery_pct, bounds.min_battery_pct));
        }
        if self.free_storage_mb < bounds.min_free_storage_mb {
            out.push(format!("剩余存储 {} MB，低于 {} MB", self.free_storage_mb, bounds.min_free_storage_mb));
        }
        if self.clock_offset_ms.abs() > bounds.max_clock_offset_ms {
            out.push(format!(
                "时钟偏差 {} 秒，超过 {} 秒",
                self.clock_offset_ms / 1000,
                bounds.max_clock_offset_ms / 1000
            ));
        }
        out
    }
}

/// The kinds of upkeep (办法第二十四条 存放、维护、保养).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upkeep {
    /// Routine 维护保养; the device stays where it is.
    Service,
    /// Sent for repair (送修): out of use until repaired.
    RepairStarted,
    /// Back from repair (修复).
    Repaired,
}

impl Upkeep {
    pub const ALL: [(Upkeep, &'static str, &'static str); 3] = [
        (Upkeep::Service, "service", "维护保养"),
        (Upkeep::RepairStarted, "repair_started", "送修"),
        (Upkeep::Repaired, "repaired", "修复"),
    ];
    pub fn code(self) -> &'static str {
        Upkeep::ALL.iter().find(|(u, _, _)| *u == self).map_or("", |(_, c, _)| c)
    }
    pub fn parse(code: &str) -> Option<Upkeep> {
        Upkeep::ALL.iter().find(|(_, c, _)| *c == code).map(|(u, _, _)| *u)
    }
}

/// Where a device is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// In its storage place, free to be assigned.
    InStore,
    /// With one officer (专人使用).
    Assigned { officer: String, since: Timestamp },
    /// Away for repair.
    UnderRepair,
    /// Retired (报废); kept in the registry, takes no command.
    Retired,
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::InStore => "在库",
            Status::Assigned { .. } => "领用中",
            Status::UnderRepair => "维修中",
            Status::Retired => "已报废",
        }
    }
}

/// What happened to a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Registered {
        number: String,
        model: String,
        kind: String,
        capabilities: Vec<String>,
        storage_place: String,
    },
    Checked(Check),
    /// Handed to `officer` by the 设备管理员 (领用).
    Assigned {
        officer: String,
        at: Timestamp,
    },
    /// Given back by its holder (归还), in the condition stated.
    Returned {
        officer: String,
        at: Timestamp,
        condition: String,
    },
    /// Passed from its holder to another officer directly (交接), both named.
    HandedOver {
        from: String,
        to: String,
        at: Timestamp,
    },
    Upkept {
        kind: Upkeep,
        at: Timestamp,
        note: String,
    },
    /// Kept somewhere else from now on.
    Moved {
        storage_place: String,
    },
    Retired {
        at: Timestamp,
        reason: String,
    },
}

/// A recording device as its events left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub number: String,
    pub model: String,
    pub kind: String,
    pub capabilities: Vec<String>,
    pub storage_place: String,
    pub status: Status,
    pub last_check: Option<Check>,
}

/// Registers a device: its number, model, kind and where it is kept must be given; the kind
/// and capabilities must be known ones.
pub fn register(
    number: &str,
    model: &str,
    kind: &str,
    capabilities: &[String],
    storage_place: &str,
) -> Result<Event, String> {
    let valid_number = !number.is_empty()
        && number.chars().count() <= 40
        && number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_number {
        return Err("设备编号须为 1–40 位字母、数字、- 或 _".into());
    }
    if model.trim().is_empty() || storage_place.trim().is_empty() {
        return Err("须填写设备型号和存放地点".into());
    }
    if !KINDS.iter().any(|(c, _)| *c == kind) {
        return Err(format!("设备类别“{kind}”不在清单内"));
    }
    let mut caps = capabilities.to_vec();
    caps.sort();
    caps.dedup();
    if let Some(c) = caps.iter().find(|c| !CAPABILITIES.iter().any(|(k, _)| k == c)) {
        return Err(format!("设备功能“{c}”不在清单内"));
    }
    Ok(Event::Registered {
        number: number.to_string(),
        model: model.trim().to_string(),
        kind: kind.to_string(),
        capabilities: caps,
        storage_place: storage_place.trim().to_string(),
    })
}

fn refuse(v: Vec<Violation>) -> CommandError {
    CommandError::Refused(Refusal { violations: v })
}

impl Device {
    /// The device a `Registered` event creates.
    pub fn new(e: &Event) -> Option<Device> {
        match e {
            Event::Registered { number, model, kind, capabilities, storage_place } => Some(Device {
                number: number.clone(),
                model: model.clone(),
                kind: kind.clone(),
                capabilities: capabilities.clone(),
                storage_place: storage_place.clone(),
                status: Status::InStore,
                last_check: None,
            }),
            _ => None,
        }
    }

    pub fn apply(&mut self, e: &Event) {
        match e {
            Event::Registered { .. } => {}
            Event::Checked(c) => self.last_check = Some(c.clone()),
            Event::Assigned { officer, at } | Event::HandedOver { to: officer, at, .. } => {
                self.status = Status::Assigned { officer: officer.clone(), since: *at }
            }
            Event::Returned { .. } => self.status = Status::InStore,
            Event::Upkept { kind: Upkeep::RepairStarted, .. } => self.status = Status::UnderRepair,
            Event::Upkept { kind: Upkeep::Repaired, .. } => {
                self.status = Status::InStore;
                // A repaired device is checked again before its next use.
                self.last_check = None;
            }
            Event::Upkept { kind: Upkeep::Service, .. } => {}
            Event::Moved { storage_place } => self.storage_place = storage_place.clone(),
            Event::Retired { .. } => self.status = Status::Retired,
        }
    }

    fn live(&self, action: &'static str) -> Result<(), CommandError> {
        if self.status == Status::Retired {
            return Err(CommandError::WrongState { state: "已报废", action });
        }
        Ok(())
    }

    /// The holder, if the device is out.
    pub fn holder(&self) -> Option<&str> {
        match &self.status {
            Status::Assigned { officer, .. } => Some(officer),
            _ => None,
        }
    }

    /// The pre-use check: recorded whatever it finds (a failed one keeps the device from use).
    pub fn check(&self, c: Check) -> Result<Event, CommandError> {
        self.live("检查")?;
        if c.battery_pct > 100 {
            return Err(refuse(vec![R_149C.violated("battery_pct", "电量须为 0–100")]));
        }
        Ok(Event::Checked(c))
    }

    /// Whether the last check passed within [`CHECK_VALID_MS`] before `at` (R-149c).
    fn fit_for_use(&self, at: Timestamp, bounds: &CheckBounds) -> Result<(), Violation> {
        match &self.last_check {
            None => Err(R_149C.violated("check", "该设备尚无使用前检查记录")),
            Some(c) if at.0 - c.at.0 > CHECK_VALID_MS || c.at > at => {
                Err(R_149C.violated("check", "最近一次使用前检查已超过十二小时"))
            }
            Some(c) => {
                let short = c.shortcomings(bounds);
                if short.is_empty() { Ok(()) } else { Err(R_149C.violated("check", short.join("；"))) }
            }
        }
    }

    /// 领用: to one officer at a time (R-149a), never while under repair (R-149b), only after
    /// a passed pre-use check (R-149c).
    pub fn assign(&self, officer: &str, at: Timestamp, bounds: &CheckBounds) -> Result<Event, CommandError> {
        self.live("领用")?;
        let mut v = Vec::new();
        if officer.trim().is_empty() {
            v.push(R_149A.violated("officer", "须写明领用的执法人员"));
        }
        if let Some(h) = self.holder() {
            v.push(R_149A.violated("officer", format!("设备仍由 {h} 领用，须先归还或交接")));
        }
        if self.status == Status::UnderRepair {
            v.push(R_149B.violated("status", "设备维修中，修复后方可领用"));
        }
        if let Err(e) = self.fit_for_use(at, bounds) {
            v.push(e);
        }
        if !v.is_empty() {
            return Err(refuse(v));
        }
        Ok(Event::Assigned { officer: officer.to_string(), at })
    }

    /// 归还 by its holder only (R-149a).
    pub fn give_back(&self, officer: &str, at: Timestamp, condition: &str) -> Result<Event, CommandError> {
        self.live("归还")?;
        match self.holder() {
            Some(h) if h == officer => {
                Ok(Event::Returned { officer: officer.to_string(), at, condition: condition.trim().to_string() })
            }
            Some(h) => Err(refuse(vec![R_149A.violated("officer", format!("设备由 {h} 领用，只能由其归还"))])),
            None => Err(CommandError::WrongState { state: self.status.name(), action: "归还" }),
        }
    }

    /// 交接 from the holder to another officer: both named; the receiver takes it as checked
    /// (the last check must still be good, R-149c).
    pub fn hand_over(&self, from: &str, to: &str, at: Timestamp, bounds: &CheckBounds) -> Result<Event, CommandError> {
        self.live("交接")?;
        let Some(h) = self.holder() else {
            return Err(CommandError::WrongState { state: self.status.name(), action: "交接" });
        };
        let mut v = Vec::new();
        if h != from {
            v.push(R_149A.violated("from", format!("设备由 {h} 领用，只能由其交出")));
        }
        if to.trim().is_empty() || to == from {
            v.push(R_149A.violated("to", "须写明接收的另一名执法人员"));
        }
        if let Err(e) = self.fit_for_use(at, bounds) {
            v.push(e);
        }
        if !v.is_empty() {
            return Err(refuse(v));
        }
        Ok(Event::HandedOver { from: from.to_string(), to: to.to_string(), at })
    }

    /// Maintenance and repair (R-149b): sent for repair only once back in store; repaired only
    /// when under repair; every entry says what was done.
    pub fn upkeep(&self, kind: Upkeep, at: Timestamp, note: &str) -> Result<Event, CommandError> {
        self.live("维护")?;
        let mut v = Vec::new();
        if note.trim().is_empty() {
            v.push(R_149B.violated("note", "须写明维护、送修或修复的情况"));
        }
        match (kind, &self.status) {
            (Upkeep::Repaired, s) if *s != Status::UnderRepair => {
                return Err(CommandError::WrongState { state: s.name(), action: "登记修复" });
            }
            (Upkeep::RepairStarted | Upkeep::Service, Status::Assigned { officer, .. }) => {
                v.push(R_149B.violated("status", format!("设备由 {officer} 领用中，须先归还")));
            }
            (Upkeep::RepairStarted, Status::UnderRepair) => {
                return Err(CommandError::WrongState { state: "维修中", action: "送修" });
            }
            _ => {}
        }
        if !v.is_empty() {
            return Err(refuse(v));
        }
        Ok(Event::Upkept { kind, at, note: note.trim().to_string() })
    }

    pub fn move_to(&self, storage_place: &str) -> Result<Event, CommandError> {
        self.live("变更存放地点")?;
        if storage_place.trim().is_empty() {
            return Err(refuse(vec![R_149B.violated("storage_place", "须写明存放地点")]));
        }
        Ok(Event::Moved { storage_place: storage_place.trim().to_string() })
    }

    /// 报废: only once back in store, with the reason.
    pub fn retire(&self, at: Timestamp, reason: &str) -> Result<Event, CommandError> {
        self.live("报废")?;
        let mut v = Vec::new();
        if let Some(h) = self.holder() {
            v.push(R_149A.violated("status", format!("设备由 {h} 领用中，须先归还")));
        }
        if reason.trim().is_empty() {
            v.push(R_149B.violated("reason", "须写明报废原因"));
        }
        if !v.is_empty() {
            return Err(refuse(v));
        }
        Ok(Event::Retired { at, reason: reason.trim().to_string() })
    }
}

/// Who held the device at `t`, by its events in order (`None`: in store, away or retired).
pub fn holder_at(events: &[Event], t: Timestamp) -> Option<String> {
    let mut holder = None;
    for e in events {
        match e {
            Event::Assigned { officer, at } | Event::HandedOver { to: officer, at, .. } if *at <= t => {
                holder = Some(officer.clone())
            }
            Event::Returned { at, .. } | Event::Retired { at, .. } if *at <= t => holder = None,
            _ => {}
        }
    }
    holder
}

/// R-149d on a stored recording: made with a registered device (`events` is `None` for an
/// unregistered one), held at its start by one of its officers (`officers`: the names the
/// recording gives; `holder_name`: the holder's).
pub fn check_recording(
    number: &str,
    events: Option<&[Event]>,
    started_at: Timestamp,
    holder_name: impl Fn(&str) -> String,
    officers: &str,
) -> Vec<Violation> {
    let Some(events) = events else {
        return vec![R_149D.violated("device", format!("设备 {number} 未登记"))];
    };
    match holder_at(events, started_at) {
        None => vec![R_149D.violated("device", format!("录制开始时设备 {number} 未被领用"))],
        Some(h) => {
            let name = holder_name(&h);
            // The names as listed (、 , ; or spaces between them), each compared whole: 王明
            // is not among “王明亮”. A recording that names no officer is the holder's.
            let listed = officers.split(['、', ',', '，', ';', '；', '/', ' ', '\t']).map(str::trim);
            if officers.trim().is_empty() || listed.filter(|n| !n.is_empty()).any(|n| n == name) {
                Vec::new()
            } else {
                vec![
                    R_149D.violated(
                        "officers",
                        format!("录制开始时设备 {number} 由 {name} 领用，不在记录的执法人员之中"),
                    ),
                ]
            }
        }
    }
}

fn hour(h: i64) -> Timestamp {
    Timestamp(1_795_000_000_000 + h * 3_600_000)
}

/// A body camera in store, checked at hour 0 and fit for use.
fn sample() -> Device {
    let mut d = Device::new(&register("DSJ-001", "DSJ-V9", "body_camera", &[], "执法装备室").unwrap()).unwrap();
    d.apply(&d.check(good_check(0)).unwrap());
    d
}

fn good_check_event() -> Event {
    Event::Checked(good_check(0))
}

fn good_check(h: i64) -> Check {
    Check { at: hour(h), by: "o1".into(), battery_pct: 95, free_storage_mb: 60_000, clock_offset_ms: 1_000 }
}

/// For the rules table: (rule, findings that violate it, findings that satisfy it).
pub fn examples() -> Vec<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let ids = |r: Result<Event, CommandError>| match r {
        Err(CommandError::Refused(r)) => r.violations.iter().map(|v| v.rule.id).collect(),
        _ => Vec::new(),
    };
    let b = &DEFAULT_BOUNDS;
    let out = {
        let mut d = sample();
        d.apply(&d.assign("o1", hour(1), b).unwrap());
        d
    };
    let repairing = {
        let mut d = sample();
        d.apply(&d.upkeep(Upkeep::RepairStarted, hour(1), "镜头进水").unwrap());
        d
    };
    let history = [
        register("DSJ-001", "V9", "body_camera", &[], "装备室").unwrap(),
        good_check_event(),
        Event::Assigned { officer: "o1".into(), at: hour(1) },
        Event::Returned { officer: "o1".into(), at: hour(4), condition: "完好".into() },
    ];
    let name = |id: &str| if id == "o1" { "王明".to_string() } else { id.to_string() };
    let rec = |events: Option<&[Event]>, h: i64, officers: &str| -> Vec<&'static str> {
        check_recording("DSJ-001", events, hour(h), name, officers).iter().map(|v| v.rule.id).collect()
    };
    let flat = {
        let mut d = sample();
        d.apply(&Event::Checked(Check { battery_pct: 12, ..good_check(1) }));
        d
    };
    vec![
        // Out with o1: not to o2 as well; back from o1 first.
        ("R-149a", ids(out.assign("o2", hour(2), b)), ids(sample().assign("o2", hour(2), b))),
        ("R-149a", ids(out.give_back("o2", hour(3), "完好")), ids(out.give_back("o1", hour(3), "完好"))),
        ("R-149a", ids(out.hand_over("o2", "o3", hour(2), b)), ids(out.hand_over("o1", "o3", hour(2), b))),
        // Under repair: not out; repaired and checked again, it goes.
        ("R-149b", ids(repairing.assign("o1", hour(2), b)), ids(sample().assign("o1", hour(2), b))),
        (
            "R-149b",
            ids(sample().upkeep(Upkeep::Service, hour(1), " ")),
            ids(sample().upkeep(Upkeep::Service, hour(1), "清洁镜头")),
        ),
        // A failed check (battery), a check a day old, none at all.
        ("R-149c", ids(flat.assign("o1", hour(2), b)), ids(sample().assign("o1", hour(2), b))),
        ("R-149c", ids(sample().assign("o1", hour(30), b)), ids(sample().assign("o1", hour(11), b))),
        // A recording from an unregistered device, one made while the camera was in store, one
        // by officers other than its holder; then one by its holder.
        ("R-149d", rec(None, 2, "王明"), rec(Some(&history), 2, "王明、李华")),
        ("R-149d", rec(Some(&history), 5, "王明"), rec(Some(&history), 3, "王明")),
        ("R-149d", rec(Some(&history), 2, "李华"), rec(Some(&history), 2, "")),
        // A name that holds the holder's is not the holder's.
        ("R-149d", rec(Some(&history), 2, "王明亮"), rec(Some(&history), 2, "李华, 王明")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_goes_out_comes_back_is_repaired_and_checked_again() {
        let b = &DEFAULT_BOUNDS;
        let mut d = sample();
        d.apply(&d.assign("o1", hour(1), b).unwrap());
        assert_eq!(d.holder(), Some("o1"));
        d.apply(&d.hand_over("o1", "o2", hour(2), b).unwrap());
        assert_eq!(d.holder(), Some("o2"));
        d.apply(&d.give_back("o2", hour(3), "外壳磨损").unwrap());
        assert_eq!(d.status, Status::InStore);
        d.apply(&d.upkeep(Upkeep::RepairStarted, hour(4), "外壳更换").unwrap());
        assert!(matches!(d.upkeep(Upkeep::RepairStarted, hour(4), "x"), Err(CommandError::WrongState { .. })));
        d.apply(&d.upkeep(Upkeep::Repaired, hour(5), "已更换外壳").unwrap());
        // Repaired: the old check no longer counts.
        assert!(d.assign("o1", hour(6), b).is_err());
        d.apply(&d.check(good_check(6)).unwrap());
        assert!(d.assign("o1", hour(6), b).is_ok());
        d.apply(&d.retire(hour(7), "电池老化无法更换").unwrap());
        assert!(matches!(d.assign("o1", hour(7), b), Err(CommandError::WrongState { state: "已报废", .. })));
    }

    #[test]
    fn registration_names_what_is_wrong() {
        assert!(register("DSJ 1", "m", "body_camera", &[], "室").is_err());
        assert!(register("DSJ-1", "m", "drone", &[], "室").unwrap_err().contains("drone"));
        assert!(register("DSJ-1", "m", "camera", &["x-ray".into()], "室").is_err());
        let e = register(
            "DSJ-1",
            "m",
            "camera",
            &["positioning".into(), "night_vision".into(), "positioning".into()],
            "室",
        );
        assert!(
            matches!(e, Ok(Event::Registered { capabilities, .. }) if capabilities == ["night_vision", "positioning"])
        );
    }

    #[test]
    fn a_check_names_each_shortcoming() {
        let c = Check { battery_pct: 10, free_storage_mb: 100, clock_offset_ms: -400_000, ..good_check(0) };
        assert_eq!(c.shortcomings(&DEFAULT_BOUNDS).len(), 3);
        assert!(good_check(0).shortcomings(&DEFAULT_BOUNDS).is_empty());
    }
}
