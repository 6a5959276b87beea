//! The registry of 音像记录设备 (办法第二十四条、第二十八条) on the log: each thing that happens to
//! a device is a `device.<event>` entry (registered, checked, assigned, returned, handed_over,
//! upkept, moved, retired) naming the device, and the device as its entries left it — with its
//! whole history, the 领用/交接 ledger — is the setting `device/<number>`, recomputed by
//! `liuhen rebuild`. `liuhen-core::device` decides every step.

use super::policy::{Action, Role, roles};
use super::{App, auth::now_ms, body};
use crate::app::AppError;
use liuhen_core::device::{self, Check, DEFAULT_BOUNDS, Device, Event, Status, Upkeep};
use liuhen_core::time::Timestamp;
use liuhen_log::EntryDraft;
use liuhen_store::{DeviceEventRecord, DeviceQuery, DeviceRecord, LogStore, Op, StoreError, UserRecord};
use serde_json::{Value, json};

/// The codes of a device's states (its row's `status`).
pub const STATUSES: [&str; 4] = ["in_store", "assigned", "under_repair", "retired"];

/// What a page of the registry is narrowed to.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DeviceFilter {
    /// Only devices in this state: in_store 在库、assigned 领用中、under_repair 维修中、retired 已报废.
    pub status: Option<String>,
    /// Only devices held by this officer (id).
    pub holder: Option<String>,
}

/// An event as its entry's body carries it.
pub fn event_json(e: &Event) -> Value {
    match e {
        Event::Registered { number, model, kind, capabilities, storage_place } => json!({"type": "registered",
            "number": number, "model": model, "kind": kind, "capabilities": capabilities, "storage_place": storage_place}),
        Event::Checked(c) => json!({"type": "checked", "at": c.at.0, "by": c.by, "battery_pct": c.battery_pct,
            "free_storage_mb": c.free_storage_mb, "clock_offset_ms": c.clock_offset_ms}),
        Event::Assigned { officer, at } => json!({"type": "assigned", "officer": officer, "at": at.0}),
        Event::Returned { officer, at, condition } => {
            json!({"type": "returned", "officer": officer, "at": at.0, "condition": condition})
        }
        Event::HandedOver { from, to, at } => json!({"type": "handed_over", "from": from, "to": to, "at": at.0}),
        Event::Upkept { kind, at, note } => json!({"type": "upkept", "kind": kind.code(), "at": at.0, "note": note}),
        Event::Moved { storage_place } => json!({"type": "moved", "storage_place": storage_place}),
        Event::Retired { at, reason } => json!({"type": "retired", "at": at.0, "reason": reason}),
    }
}

/// The event an entry's body carries back.
pub fn event_of(v: &Value) -> Option<Event> {
    let s = |k: &str| v[k].as_str().map(str::to_string);
    let at = || v["at"].as_i64().map(Timestamp);
    Some(match v["type"].as_str()? {
        "registered" => Event::Registered {
            number: s("number")?,
            model: s("model")?,
            kind: s("kind")?,
            capabilities: v["capabilities"].as_array()?.iter().filter_map(|c| c.as_str().map(str::to_string)).collect(),
            storage_place: s("storage_place")?,
        },
        "checked" => Event::Checked(Check {
            at: at()?,
            by: s("by")?,
            battery_pct: u8::try_from(v["battery_pct"].as_u64()?).ok()?,
            free_storage_mb: v["free_storage_mb"].as_u64()?,
            clock_offset_ms: v["clock_offset_ms"].as_i64()?,
        }),
        "assigned" => Event::Assigned { officer: s("officer")?, at: at()? },
        "returned" => Event::Returned { officer: s("officer")?, at: at()?, condition: s("condition")? },
        "handed_over" => Event::HandedOver { from: s("from")?, to: s("to")?, at: at()? },
        "upkept" => Event::Upkept { kind: Upkeep::parse(v["kind"].as_str()?)?, at: at()?, note: s("note")? },
        "moved" => Event::Moved { storage_place: s("storage_place")? },
        "retired" => Event::Retired { at: at()?, reason: s("reason")? },
        _ => return None,
    })
}

/// A device's JSON: what it is, where it is, who has it, its last check.
pub fn device_json(d: &Device) -> Value {
    let (status, holder, since) = match &d.status {
        Status::InStore => ("in_store", None, None),
        Status::Assigned { officer, since } => ("assigned", Some(officer.clone()), Some(since.0)),
        Status::UnderRepair => ("under_repair", None, None),
        Status::Retired => ("retired", None, None),
    };
    let check = d.last_check.as_ref().map(|c| {
        json!({"at": c.at.0, "by": c.by, "battery_pct": c.battery_pct, "free_storage_mb": c.free_storage_mb,
               "clock_offset_ms": c.clock_offset_ms, "shortcomings": c.shortcomings(&DEFAULT_BOUNDS)})
    });
    json!({"number": d.number, "model": d.model, "kind": d.kind, "capabilities": d.capabilities,
           "storage_place": d.storage_place, "status": status, "status_name": d.status.name(),
           "holder": holder, "since": since, "last_check": check})
}

/// The events that say who holds a device: R-149d asks the last of them before a recording
/// began ([`device::holder_at`] of that one alone is its holder over the whole ledger).
pub const CUSTODY: [&str; 4] = ["assigned", "handed_over", "returned", "retired"];

/// An event's code (its `type`, and its entry's action `device.<code>`).
pub fn event_code(e: &Event) -> &'static str {
    match e {
        Event::Registered { .. } => "registered",
        Event::Checked(_) => "checked",
        Event::Assigned { .. } => "assigned",
        Event::Returned { .. } => "returned",
        Event::HandedOver { .. } => "handed_over",
        Event::Upkept { .. } => "upkept",
        Event::Moved { .. } => "moved",
        Event::Retired { .. } => "retired",
    }
}

/// When an event happened: its own time, else (a registration, a move) when it was recorded.
fn event_at(e: &Event, recorded_at: i64) -> i64 {
    match e {
        Event::Checked(c) => c.at.0,
        Event::Assigned { at, .. }
        | Event::Returned { at, .. }
        | Event::HandedOver { at, .. }
        | Event::Upkept { at, .. }
        | Event::Retired { at, .. } => at.0,
        Event::Registered { .. } | Event::Moved { .. } => recorded_at,
    }
}

/// The device a stored row's JSON ([`device_json`]) describes.
pub fn device_of(v: &Value) -> Option<Device> {
    let s = |k: &str| v[k].as_str().map(str::to_string);
    let status = match v["status"].as_str()? {
        "in_store" => Status::InStore,
        "assigned" => Status::Assigned { officer: s("holder")?, since: Timestamp(v["since"].as_i64()?) },
        "under_repair" => Status::UnderRepair,
        "retired" => Status::Retired,
        _ => return None,
    };
    let c = &v["last_check"];
    let last_check = match c.is_null() {
        true => None,
        false => Some(Check {
            at: Timestamp(c["at"].as_i64()?),
            by: c["by"].as_str()?.to_string(),
            battery_pct: u8::try_from(c["battery_pct"].as_u64()?).ok()?,
            free_storage_mb: c["free_storage_mb"].as_u64()?,
            clock_offset_ms: c["clock_offset_ms"].as_i64()?,
        }),
    };
    Some(Device {
        number: s("number")?,
        model: s("model")?,
        kind: s("kind")?,
        capabilities: v["capabilities"]
            .as_array()?
            .iter()
            .map(|c| c.as_str().map(str::to_string))
            .collect::<Option<_>>()?,
        storage_place: s("storage_place")?,
        status,
        last_check,
    })
}

/// Folds one event into a device's row (`None`: the first, a registration), recorded by
/// `actor` at `recorded_at`: the device's next row and its ledger's next line. The row's time
/// and version are the store's to give (its entry's).
pub fn fold(
    previous: Option<&DeviceRecord>,
    event: &Event,
    actor: &str,
    recorded_at: i64,
) -> Option<(DeviceRecord, DeviceEventRecord)> {
    let (mut d, n) = match previous {
        None => (Device::new(event)?, 0),
        Some(r) => (device_of(&serde_json::from_str(&r.data).ok()?)?, r.events),
    };
    if previous.is_some() {
        d.apply(event);
    }
    let (status, holder) = match &d.status {
        Status::InStore => ("in_store", ""),
        Status::Assigned { officer, .. } => ("assigned", officer.as_str()),
        Status::UnderRepair => ("under_repair", ""),
        Status::Retired => ("retired", ""),
    };
    let row = DeviceRecord {
        number: d.number.clone(),
        status: status.to_string(),
        holder: holder.to_string(),
        data: device_json(&d).to_string(),
        events: n + 1,
        updated_at_ms: recorded_at,
        version: 0,
    };
    let line = DeviceEventRecord {
        device: d.number.clone(),
        n,
        kind: event_code(event).to_string(),
        at_ms: event_at(event, recorded_at),
        actor: actor.to_string(),
        data: event_json(event).to_string(),
    };
    Some((row, line))
}

/// A device's JSON for its readers: what it is and its state, and how long its ledger is.
fn registry_json(r: &DeviceRecord) -> Result<Value, AppError> {
    let device: Value = serde_json::from_str(&r.data).map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(json!({"device": device, "events": r.events}))
}

/// A line of a ledger for its readers.
fn line_json(e: &DeviceEventRecord) -> Result<Value, AppError> {
    let event: Value = serde_json::from_str(&e.data).map_err(|e| AppError::Internal(Box::new(e)))?;
    Ok(json!({"n": e.n, "event": event, "actor": e.actor, "at": e.at_ms}))
}

impl<S: LogStore> App<S> {
    /// R-149d on a recording made with device `number` from `started_at` by `officers` (the
    /// names the upload gives): registered, and held then by one of them — asked of the last
    /// custody line of its ledger at or before then, not of the whole ledger.
    pub async fn device_findings(
        &self,
        number: &str,
        started_at: i64,
        officers: &str,
    ) -> Result<Vec<liuhen_core::rules::Violation>, AppError> {
        let custody: Option<Vec<Event>> = match self.store.device(number).await {
            Ok(_) => {
                let last = self.store.last_device_event(number, &CUSTODY, started_at).await?;
                let parsed = last.map(|l| serde_json::from_str(&l.data).ok().as_ref().and_then(event_of));
                match parsed {
                    Some(None) => return Err(AppError::Internal("a device's ledger line does not read".into())),
                    Some(Some(e)) => Some(vec![e]),
                    None => Some(Vec::new()),
                }
            }
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        let names: std::collections::HashMap<String, String> =
            self.store.officers().await?.into_iter().map(|o| (o.id, o.name)).collect();
        let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
        Ok(device::check_recording(number, custody.as_deref(), Timestamp(started_at), name, officers))
    }

    /// A device's row; `NotFound` if it was never registered.
    async fn device_row(&self, number: &str) -> Result<DeviceRecord, AppError> {
        match self.store.device(number).await {
            Ok(r) => Ok(r),
            Err(StoreError::NotFound) => Err(AppError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// A page of the device registry, by number, after `cursor`; only those in `status` (its
    /// code) or held by officer `holder` if given.
    pub async fn devices(
        &self,
        actor: &UserRecord,
        filter: &DeviceFilter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Value>, Option<String>), AppError> {
        self.allow(actor, Action::ViewDevices, None)?;
        // An empty filter is none: every state, every holder.
        if let Some(s) = filter.status.as_deref().filter(|s| !s.is_empty())
            && !STATUSES.contains(&s)
        {
            return Err(AppError::BadRequest(format!("status 须为 {}", STATUSES.join("、"))));
        }
        let after = cursor.map(|c| super::policy::parse_cursor(c).map(|(_, k)| k)).transpose()?;
        let q = DeviceQuery {
            status: filter.status.clone().filter(|s| !s.is_empty()),
            holder: filter.holder.clone().filter(|s| !s.is_empty()),
            after,
            limit: limit as u32 + 1,
        };
        let rows = self.store.device_page(&q).await?;
        let more = rows.len() > limit;
        let rows: Vec<DeviceRecord> = rows.into_iter().take(limit).collect();
        let next = if more { rows.last().map(|r| super::policy::cursor_of(0, &r.number)) } else { None };
        Ok((rows.iter().map(registry_json).collect::<Result<_, _>>()?, next))
    }

    /// What a device command is asked before it is read: 403 unless `actor` may manage or use
    /// devices, 404 if there is no device `number`.
    pub async fn device_command_first(&self, actor: &UserRecord, number: &str) -> Result<(), AppError> {
        if self.allow(actor, Action::ManageDevices, None).is_err() {
            self.allow(actor, Action::UseDevice, None)?;
        }
        self.device_row(number).await.map(drop)
    }

    /// One device, with a page of its ledger, newest line first (before line `cursor`).
    pub async fn device(
        &self,
        actor: &UserRecord,
        number: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Value, AppError> {
        self.allow(actor, Action::ViewDevices, None)?;
        let row = self.device_row(number).await?;
        let before = cursor
            .map(|c| {
                super::policy::parse_cursor(c)
                    .and_then(|(n, _)| u64::try_from(n).map_err(|_| AppError::BadRequest("cursor 无效".into())))
            })
            .transpose()?;
        let lines = self.store.device_events(number, before, limit as u32 + 1).await?;
        let more = lines.len() > limit;
        let lines = &lines[..lines.len().min(limit)];
        let next = if more { lines.last().map(|l| super::policy::cursor_of(l.n as i64, "")) } else { None };
        let mut v = registry_json(&row)?;
        v["history"] = Value::Array(lines.iter().map(line_json).collect::<Result<_, _>>()?);
        v["next_cursor"] = next.map_or(Value::Null, Value::from);
        Ok(v)
    }

    /// Records event `e` of device `number` (`prev`: its row as read; `None` registers it),
    /// refused as stale if the device moved on since.
    async fn record_device(
        &self,
        actor: &UserRecord,
        number: &str,
        prev: Option<&DeviceRecord>,
        e: Event,
    ) -> Result<Value, AppError> {
        let actor_name = format!("user:{}", actor.id);
        let at = now_ms();
        let (row, line) =
            fold(prev, &e, &actor_name, at).ok_or_else(|| AppError::Internal("a device's row does not read".into()))?;
        // What an event says in words (a repair note, why a device is retired, where it is
        // kept, who it was handed to…) goes behind a commitment: the public log names only the
        // device and the kind of event.
        let (c, opening) = super::auth::committed(&event_json(&e));
        let d = EntryDraft::new(
            &actor_name,
            &format!("device.{}", event_code(&e)),
            None,
            body(json!({"device": number, "event": {"commit": c.to_hex()}, "recorded_at": at})),
            vec![],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let expected_version = prev.map_or(0, |p| p.version);
        let answer = registry_json(&row)?;
        self.append(d, vec![opening, Op::RecordDeviceEvent { device: row, event: line, expected_version }]).await?;
        Ok(answer)
    }

    /// Registers a device (the 设备管理员); a number already registered is 409.
    pub async fn register_device(
        &self,
        actor: &UserRecord,
        number: &str,
        model: &str,
        kind: &str,
        capabilities: &[String],
        storage_place: &str,
    ) -> Result<Value, AppError> {
        self.allow(actor, Action::ManageDevices, None)?;
        let e =
            device::register(number.trim(), model, kind, capabilities, storage_place).map_err(AppError::BadRequest)?;
        let e = &e;
        super::retrying(|| async move {
            match self.device_row(number.trim()).await {
                Err(AppError::NotFound) => {}
                Ok(_) => return Err(AppError::Conflict(format!("设备编号 {} 已登记", number.trim()))),
                Err(e) => return Err(e),
            }
            self.record_device(actor, number.trim(), None, e.clone()).await
        })
        .await
    }

    /// One step in a device's life, from the API's JSON: `check`, `assign`, `return`,
    /// `hand_over`, `upkeep`, `move` or `retire`. The 设备管理员 does every step and names the
    /// officer; an officer checks, returns and hands over only as themself.
    pub async fn device_command(&self, actor: &UserRecord, number: &str, cmd: &Value) -> Result<Value, AppError> {
        super::retrying(|| self.device_command_once(actor, number, cmd)).await
    }

    /// [`device_command`](Self::device_command) from one read of the device.
    async fn device_command_once(&self, actor: &UserRecord, number: &str, cmd: &Value) -> Result<Value, AppError> {
        let kind = cmd["type"].as_str().unwrap_or_default();
        let managed = !matches!(kind, "check" | "return" | "hand_over");
        self.allow(actor, if managed { Action::ManageDevices } else { Action::UseDevice }, None)?;
        let admin = roles(actor).contains(&Role::DeviceAdmin);
        let text = |k: &str, max: usize| -> Result<String, AppError> {
            let t = cmd[k].as_str().unwrap_or_default().trim().to_string();
            if t.chars().count() > max || t.chars().any(super::unprintable) {
                return Err(AppError::BadRequest(format!("{k} 过长或含有控制字符、不可见字符")));
            }
            Ok(t)
        };
        // Who acts as the officer: the one named by the 设备管理员, else the actor's own.
        let me = |k: &str| -> Result<String, AppError> {
            if admin {
                return text(k, 64);
            }
            if actor.officer_id.is_empty() {
                return Err(AppError::BadRequest("账号未关联执法人员，不能领用或交接设备".into()));
            }
            Ok(actor.officer_id.clone())
        };
        let prev = self.device_row(number).await?;
        let d = serde_json::from_str(&prev.data)
            .ok()
            .as_ref()
            .and_then(device_of)
            .ok_or_else(|| AppError::Internal("a device's row does not read".into()))?;
        let now = Timestamp(now_ms());
        let known_officer = |id: String| async move {
            match self.store.officer(&id).await {
                Ok(_) => Ok(id),
                Err(StoreError::NotFound) => Err(AppError::UnknownReference(format!("执法人员 {id} 未登记"))),
                Err(e) => Err(e.into()),
            }
        };
        let e = match kind {
            "check" => {
                let num =
                    |k: &str| cmd[k].as_u64().ok_or_else(|| AppError::BadRequest(format!("须填写 {k}（非负整数）")));
                let offset = match (cmd["clock_offset_ms"].as_i64(), cmd["device_clock"].as_str()) {
                    (Some(o), _) => o,
                    (None, Some(c)) => {
                        super::recordings::parse_moment(c)
                            .ok_or_else(|| AppError::BadRequest("device_clock 须为“YYYY-MM-DD HH:MM:SS”".into()))?
                            - now.0
                    }
                    (None, None) => return Err(AppError::BadRequest("须填写设备时钟 device_clock".into())),
                };
                let battery = u8::try_from(num("battery_pct")?).unwrap_or(u8::MAX);
                let by =
                    if actor.officer_id.is_empty() { format!("user:{}", actor.id) } else { actor.officer_id.clone() };
                d.check(Check {
                    at: now,
                    by,
                    battery_pct: battery,
                    free_storage_mb: num("free_storage_mb")?,
                    clock_offset_ms: offset,
                })?
            }
            "assign" => d.assign(&known_officer(text("officer", 64)?).await?, now, &DEFAULT_BOUNDS)?,
            "return" => d.give_back(&me("officer")?, now, &text("condition", 500)?)?,
            "hand_over" => d.hand_over(&me("from")?, &known_officer(text("to", 64)?).await?, now, &DEFAULT_BOUNDS)?,
            "upkeep" => {
                let k = Upkeep::parse(cmd["kind"].as_str().unwrap_or_default())
                    .ok_or_else(|| AppError::BadRequest("kind 须为 service、repair_started 或 repaired".into()))?;
                d.upkeep(k, now, &text("note", 1000)?)?
            }
            "move" => d.move_to(&text("storage_place", 200)?)?,
            "retire" => d.retire(now, &text("reason", 1000)?)?,
            _ => {
                return Err(AppError::BadRequest(
                    "type 须为 check、assign、return、hand_over、upkeep、move 或 retire".into(),
                ));
            }
        };
        self.record_device(actor, number, Some(&prev), e).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_reads_back_as_itself() {
        let at = Timestamp(1_795_000_000_000);
        let events = [
            device::register("DSJ-1", "V9", "body_camera", &["positioning".into()], "装备室").unwrap(),
            Event::Checked(Check { at, by: "o1".into(), battery_pct: 90, free_storage_mb: 9000, clock_offset_ms: -3 }),
            Event::Assigned { officer: "o1".into(), at },
            Event::HandedOver { from: "o1".into(), to: "o2".into(), at },
            Event::Returned { officer: "o2".into(), at, condition: "完好".into() },
            Event::Upkept { kind: Upkeep::RepairStarted, at, note: "送修".into() },
            Event::Upkept { kind: Upkeep::Repaired, at, note: "修复".into() },
            Event::Moved { storage_place: "二楼".into() },
            Event::Retired { at, reason: "老化".into() },
        ];
        let mut row: Option<DeviceRecord> = None;
        let mut device: Option<Device> = None;
        for (n, e) in events.iter().enumerate() {
            assert_eq!(event_of(&event_json(e)).as_ref(), Some(e));
            let (next, line) = fold(row.as_ref(), e, "user:u", 1).unwrap();
            assert_eq!((line.n, next.events), (n as u64, n as u64 + 1));
            assert_eq!(line.kind, event_code(e));
            // The row reads back as the device its events make.
            match device.as_mut() {
                None => device = Device::new(e),
                Some(d) => d.apply(e),
            }
            assert_eq!(device_of(&serde_json::from_str(&next.data).unwrap()).as_ref(), device.as_ref(), "{e:?}");
            row = Some(next);
        }
        let row = row.unwrap();
        assert_eq!((row.status.as_str(), row.events), ("retired", events.len() as u64));
        let v: Value = serde_json::from_str(&row.data).unwrap();
        assert_eq!(v["storage_place"], "二楼");
    }

    /// R-149d asks the store for the last custody line at or before a time (in ledger order):
    /// the holder it gives is the one the whole ledger gives, at every time — including a line
    /// recorded after another but of an earlier time.
    #[test]
    fn the_last_custody_line_says_who_held_a_device_as_the_whole_ledger_does() {
        let t = |h: i64| Timestamp(1_795_000_000_000 + h * 3_600_000);
        let events = [
            device::register("DSJ-1", "V9", "body_camera", &[], "装备室").unwrap(),
            Event::Checked(Check {
                at: t(1),
                by: "o1".into(),
                battery_pct: 90,
                free_storage_mb: 9000,
                clock_offset_ms: 0,
            }),
            Event::Assigned { officer: "o1".into(), at: t(2) },
            Event::HandedOver { from: "o1".into(), to: "o2".into(), at: t(4) },
            Event::Returned { officer: "o2".into(), at: t(6), condition: "完好".into() },
            Event::Moved { storage_place: "二楼".into() },
            Event::Assigned { officer: "o3".into(), at: t(8) },
            // Recorded late: a hand-over of an earlier hour.
            Event::HandedOver { from: "o3".into(), to: "o4".into(), at: t(7) },
            Event::Retired { at: t(10), reason: "老化".into() },
        ];
        let mut row = None;
        let mut lines = Vec::new();
        for e in &events {
            let (next, line) = fold(row.as_ref(), e, "user:u", t(0).0).unwrap();
            lines.push(line);
            row = Some(next);
        }
        for h in 0..12 {
            let last = lines
                .iter()
                .rev()
                .find(|l| CUSTODY.contains(&l.kind.as_str()) && l.at_ms <= t(h).0)
                .map(|l| event_of(&serde_json::from_str(&l.data).unwrap()).unwrap());
            assert_eq!(device::holder_at(last.as_slice(), t(h)), device::holder_at(&events, t(h)), "hour {h}");
        }
    }
}
