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
use liuhen_store::{LogStore, SettingRecord, StoreError, UserRecord};
use serde_json::{Value, json};

/// The setting prefix of devices.
pub const PREFIX: &str = "device/";

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

/// Folds one entry into the device's setting (`None`: the first, a registration).
pub fn fold(previous: Option<&Value>, event: &Event, actor: &str, at_ms: i64) -> Option<Value> {
    let mut history = previous.and_then(|p| p["history"].as_array().cloned()).unwrap_or_default();
    let mut d = match previous {
        None => Device::new(event)?,
        Some(_) => replay(&history)?,
    };
    if previous.is_some() {
        d.apply(event);
    }
    history.push(json!({"event": event_json(event), "actor": actor, "recorded_at": at_ms}));
    Some(json!({"device": device_json(&d), "history": history}))
}

/// The device its history makes.
fn replay(history: &[Value]) -> Option<Device> {
    let mut events = history.iter().map(|h| event_of(&h["event"]));
    let mut d = Device::new(&events.next()??)?;
    for e in events {
        d.apply(&e?);
    }
    Some(d)
}

pub(crate) fn setting(number: &str, v: &Value, at: i64) -> SettingRecord {
    SettingRecord::new(format!("{PREFIX}{number}"), v.to_string(), at)
}

impl<S: LogStore> App<S> {
    /// R-149d on a recording made with device `number` from `started_at` by `officers` (the
    /// names the upload gives): registered, and held then by one of them.
    pub async fn device_findings(
        &self,
        number: &str,
        started_at: i64,
        officers: &str,
    ) -> Result<Vec<liuhen_core::rules::Violation>, AppError> {
        let events: Option<Vec<Event>> = match self.device_setting(number).await {
            Ok(v) => {
                Some(v["history"].as_array().into_iter().flatten().filter_map(|h| event_of(&h["event"])).collect())
            }
            Err(AppError::NotFound) => None,
            Err(e) => return Err(e),
        };
        let names: std::collections::HashMap<String, String> =
            self.store.officers().await?.into_iter().map(|o| (o.id, o.name)).collect();
        let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
        Ok(device::check_recording(number, events.as_deref(), Timestamp(started_at), name, officers))
    }

    async fn device_setting(&self, number: &str) -> Result<Value, AppError> {
        Ok(self.versioned_device(number).await?.0)
    }

    /// A device with its history, and the version it was read at.
    async fn versioned_device(&self, number: &str) -> Result<(Value, u64), AppError> {
        self.versioned_setting(&format!("{PREFIX}{number}")).await?.ok_or(AppError::NotFound)
    }

    /// A page of the device registry (each with its history), by number, after `cursor`.
    pub async fn devices(
        &self,
        actor: &UserRecord,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Value>, Option<String>), AppError> {
        self.allow(actor, Action::ViewDevices, None)?;
        let (rows, next) = self.settings_page(PREFIX, cursor, false, limit).await?;
        Ok((rows.into_iter().map(|(_, v)| v).collect(), next))
    }

    /// What a device command is asked before it is read: 403 unless `actor` may manage or use
    /// devices, 404 if there is no device `number`.
    pub async fn device_command_first(&self, actor: &UserRecord, number: &str) -> Result<(), AppError> {
        if self.allow(actor, Action::ManageDevices, None).is_err() {
            self.allow(actor, Action::UseDevice, None)?;
        }
        self.device_setting(number).await.map(drop)
    }

    /// One device with its history.
    pub async fn device(&self, actor: &UserRecord, number: &str) -> Result<Value, AppError> {
        self.allow(actor, Action::ViewDevices, None)?;
        self.device_setting(number).await
    }

    async fn record_device(
        &self,
        actor: &UserRecord,
        number: &str,
        prev: Option<(&Value, u64)>,
        e: Event,
    ) -> Result<Value, AppError> {
        let (prev, read) = (prev.map(|p| p.0), prev.map_or(0, |p| p.1));
        let actor_name = format!("user:{}", actor.id);
        let at = now_ms();
        let next = fold(prev, &e, &actor_name, at).ok_or_else(|| AppError::BadRequest("设备记录无法读取".into()))?;
        let code = match &e {
            Event::Registered { .. } => "registered",
            Event::Checked(_) => "checked",
            Event::Assigned { .. } => "assigned",
            Event::Returned { .. } => "returned",
            Event::HandedOver { .. } => "handed_over",
            Event::Upkept { .. } => "upkept",
            Event::Moved { .. } => "moved",
            Event::Retired { .. } => "retired",
        };
        // What an event says in words (a repair note, why a device is retired, where it is
        // kept, who it was handed to…) goes behind a commitment: the public log names only the
        // device and the kind of event.
        let (c, opening) = super::auth::committed(&event_json(&e));
        let d = EntryDraft::new(
            &actor_name,
            &format!("device.{code}"),
            None,
            body(json!({"device": number, "event": {"commit": c.to_hex()}, "recorded_at": at})),
            vec![],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        self.append(d, vec![opening, super::put_setting(setting(number, &next, at), read)]).await?;
        Ok(next)
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
            match self.device_setting(number.trim()).await {
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
        let (prev, read) = self.versioned_device(number).await?;
        let d = replay(prev["history"].as_array().map(Vec::as_slice).unwrap_or_default())
            .ok_or_else(|| AppError::Internal("a device's history does not replay".into()))?;
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
        self.record_device(actor, number, Some((&prev, read)), e).await
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
        let mut v: Option<Value> = None;
        for e in &events {
            assert_eq!(event_of(&event_json(e)).as_ref(), Some(e));
            v = fold(v.as_ref(), e, "user:u", 1);
        }
        let v = v.unwrap();
        assert_eq!(v["history"].as_array().unwrap().len(), events.len());
        assert_eq!(v["device"]["status"], "retired");
        assert_eq!(v["device"]["storage_place"], "二楼");
    }
}
