//! 行政检查 as a case kind: its events in JSON, and its commands.

use super::App;
use super::cases::{ActInput, CaseKind, act_from_json, act_json, deadlines_json};
use crate::app::AppError;
use liuhen_core::calendar::WorkCalendar;
use liuhen_core::inspection::{self, Event, Initiation, Inspection, Kind, Open, Source};
use liuhen_core::time::{Date, Timestamp};
use liuhen_store::{CaseRecord, LogStore, UserRecord};
use serde_json::{Value, json};

/// A command on an inspection, as parsed at the edge (officers by ID).
#[derive(Debug, Clone)]
pub enum InspectionCommand {
    RecordOnSite(ActInput),
    NotifyResult {
        at: Timestamp,
    },
    OrderRectification {
        at: Timestamp,
        due: Date,
        service: Option<liuhen_core::service::Service>,
    },
    Reinspect {
        act: ActInput,
        rectified: bool,
    },
    /// Hand the problem found to a new ordinary penalty case (numbered `case_no`).
    ConvertToCase {
        at: Timestamp,
        /// The penalty matter of the 权责清单 the violation falls under.
        matter: String,
        case_no: String,
        party_kind: liuhen_core::summary::PartyKind,
    },
    Close {
        at: Timestamp,
    },
}

impl CaseKind for Inspection {
    type Event = Event;
    const CODE: &'static str = "inspection";

    fn from_first(e: &Event) -> Option<Inspection> {
        match e {
            Event::Opened(o) => Some(Inspection::new(o.clone())),
            _ => None,
        }
    }
    fn apply(&mut self, e: &Event, flags: &[liuhen_core::rules::Violation]) {
        Inspection::apply(self, e, flags)
    }
    crate::case_kind_basics!(open);
    fn party(&self) -> Option<&liuhen_core::party::Party> {
        self.open.party.as_ref()
    }

    fn to_json(&self, _cal: &WorkCalendar) -> Value {
        let c = self;
        // Lists are made as values and moved in: `json!` would copy each through a serializer.
        let mut v = json!({
            "id": c.open.id,
            "case_no": c.open.case_no,
            "entrusted": super::cases::entrusted_json(c.open.entrusted.as_ref()),
            "party": super::cases::party_view(c.open.party.as_ref()),
            "case_type": Self::CODE,
            "type_label": "行政检查",
            "matter": c.open.matter,
            "kind": c.open.kind.code(),
            "basis": c.open.basis,
            "source": c.open.initiation.source.code(),
            "source_label": c.open.initiation.source.label(),
            "reason": c.open.initiation.reason,
            "received_at": c.open.initiation.received_at.0,
            "state": c.state.code(),
            "state_label": c.state.label(),
            "closed_at": c.closed_at.map(|t| t.0),
            "version": c.version,
            "problems_found": c.problems_found,
            "rectified": c.rectified,
            "converted_to": c.converted_to,
        });
        v["acts"] = Value::Array(c.acts.iter().map(act_json).collect());
        v["defects"] =
            Value::Array(c.defects.iter().map(|v| json!({"rule": v.rule.id, "message": v.to_string()})).collect());
        v["deadlines"] = deadlines_json(c.deadlines(), Vec::new());
        v
    }

    fn event_name(e: &Event) -> &'static str {
        match e {
            Event::Opened(_) => "opened",
            Event::OnSiteRecorded(_) => "on_site_recorded",
            Event::ResultNotified { .. } => "result_notified",
            Event::RectificationOrdered { .. } => "rectification_ordered",
            Event::Reinspected { .. } => "reinspected",
            Event::ConvertedToCase { .. } => "converted_to_case",
            Event::Closed { .. } => "closed",
        }
    }

    fn event_json(e: &Event) -> Value {
        match e {
            Event::Opened(o) => {
                let mut v = super::cases::with_party(
                    super::cases::with_entrusted(
                        json!({
                            "id": o.id, "case_no": o.case_no, "matter": o.matter, "kind": o.kind.code(), "basis": o.basis,
                            "source": o.initiation.source.code(), "reason": o.initiation.reason, "received_at": o.initiation.received_at.0,
                        }),
                        o.entrusted.as_ref(),
                    ),
                    "party",
                    o.party.as_ref(),
                );
                // Only on a supervision: the entries logged before read back unchanged.
                if let Some(lic) = &o.supervises {
                    v["supervises"] = json!(lic);
                }
                v
            }
            Event::OnSiteRecorded(a) => json!({ "act": act_json(a) }),
            Event::ResultNotified { at, problems_found } => json!({ "at": at.0, "problems_found": problems_found }),
            Event::RectificationOrdered { at, due, service } => {
                json!({ "at": at.0, "due": due.to_string(), "service": service.as_ref().map(super::service::service_json) })
            }
            Event::Reinspected { act, rectified } => json!({ "act": act_json(act), "rectified": rectified }),
            Event::ConvertedToCase { at, case_id, case_no } => {
                json!({ "at": at.0, "case_id": case_id, "case_no": case_no })
            }
            Event::Closed { at } => json!({ "at": at.0 }),
        }
    }

    fn parse_event(v: &Value) -> Option<Event> {
        Some(match v["event"].as_str()? {
            "opened" => Event::Opened(Open {
                id: v["id"].as_str()?.to_string(),
                case_no: v["case_no"].as_str()?.to_string(),
                matter: v["matter"].as_str()?.to_string(),
                kind: Kind::parse(v["kind"].as_str()?)?,
                basis: v["basis"].as_str()?.to_string(),
                initiation: Initiation {
                    source: Source::parse(v["source"].as_str()?)?,
                    reason: v["reason"].as_str()?.to_string(),
                    received_at: Timestamp(v["received_at"].as_i64()?),
                },
                entrusted: super::cases::parse_entrusted(&v["entrusted"])?,
                party: super::cases::parse_party(&v["party"])?,
                supervises: v["supervises"].as_str().map(str::to_string),
            }),
            "on_site_recorded" => Event::OnSiteRecorded(act_from_json(&v["act"])?),
            "result_notified" => Event::ResultNotified {
                at: Timestamp(v["at"].as_i64()?),
                problems_found: v["problems_found"].as_bool()?,
            },
            "rectification_ordered" => Event::RectificationOrdered {
                at: Timestamp(v["at"].as_i64()?),
                due: Date::parse(v["due"].as_str()?).ok()?,
                service: match &v["service"] {
                    Value::Null => None,
                    s => Some(super::service::parse_service(s)?),
                },
            },
            "reinspected" => {
                Event::Reinspected { act: act_from_json(&v["act"])?, rectified: v["rectified"].as_bool()? }
            }
            "converted_to_case" => Event::ConvertedToCase {
                at: Timestamp(v["at"].as_i64()?),
                case_id: v["case_id"].as_str()?.to_string(),
                case_no: v["case_no"].as_str()?.to_string(),
            },
            "closed" => Event::Closed { at: Timestamp(v["at"].as_i64()?) },
            _ => return None,
        })
    }
}

/// 行政检查通知书.
const NOTICE: &str = "D05";
/// 现场检查（勘验）笔录.
const SITE_RECORD: &str = "D12";

/// The inspections of one party under one matter in one year, kept as one row so
/// counting them reads one row: a digest of the matter and the party's identity (never the
/// number itself), and the year of 程序启动.
pub(crate) fn inspected_key(open: &Open) -> Option<(String, i64)> {
    use sha2::Digest as _;
    let who = open.party.as_ref()?.identity()?;
    let digest = sha2::Sha256::digest(format!("{}\n{who}", open.matter).as_bytes());
    let year = open.initiation.received_at.shanghai_date().year();
    Some((hex::encode(&digest[..16]), year as i64))
}

/// The inspection cases a party's row lists.
pub(crate) fn inspected_cases(row: Option<&liuhen_store::PartyInspectionsRecord>) -> Vec<String> {
    row.and_then(|r| serde_json::from_str::<Vec<String>>(&r.cases).ok()).unwrap_or_default()
}

/// The row listing `cases` as the inspections of `party` in `year`.
pub(crate) fn inspected_record(
    (party, year): &(String, i64),
    cases: &[String],
) -> liuhen_store::PartyInspectionsRecord {
    liuhen_store::PartyInspectionsRecord {
        party: party.clone(),
        year: *year,
        cases: json!(cases).to_string(),
        updated_at_ms: 0,
        version: 0,
    }
}

impl<S: LogStore> App<S> {
    /// Opens an inspection case (程序启动, 办法第七条).
    pub async fn open_inspection(&self, actor: &UserRecord, mut open: Open) -> Result<CaseRecord, AppError> {
        self.allow(actor, super::policy::Action::CreateCase, None)?;
        self.not_in_future(&json!({"received_at": open.initiation.received_at.0}))?;
        let m = self.listed_matter(liuhen_core::matter::MatterKind::Inspection, &open.matter).await?;
        open.matter = m.name.clone();
        // a supervision names a licence case the actor sees.
        if let Some(lic) = &open.supervises {
            let unknown = || AppError::UnknownReference(format!("没有可见的行政许可案件 {lic}"));
            let case = match self.store.case(lic).await {
                Ok(c) if c.case_type == <liuhen_core::licence::Licence as CaseKind>::CODE => c,
                Ok(_) | Err(liuhen_store::StoreError::NotFound) => return Err(unknown()),
                Err(e) => return Err(e.into()),
            };
            self.allow(actor, super::policy::Action::ViewCase, Some(&case)).map_err(|_| unknown())?;
        }
        // this party's inspections under the matter this year, against the published
        // cap — counted again if another opening for the party came in between.
        let (open, m) = (&open, &m);
        self.with_case_no("inspection", &open.case_no, |case_no| {
            let open = Open { case_no, ..open.clone() };
            async move { self.open_inspection_numbered(actor, open, m).await }
        })
        .await
    }

    /// [`open_inspection`](Self::open_inspection) once it has its 案号.
    async fn open_inspection_numbered(
        &self,
        actor: &UserRecord,
        open: Open,
        m: &liuhen_core::matter::Matter,
    ) -> Result<CaseRecord, AppError> {
        let open = &open;
        super::retrying(|| async move {
            let key = inspected_key(open);
            let mut extra = Vec::new();
            let mut decided = inspection::open(open.clone());
            if let Some(key) = key {
                let held = match self.store.party_inspections(&key.0, key.1).await {
                    Ok(r) => Some(r),
                    Err(liuhen_store::StoreError::NotFound) => None,
                    Err(e) => return Err(e.into()),
                };
                let read = held.as_ref().map_or(0, |r| r.version);
                let mut cases = inspected_cases(held.as_ref());
                if let Ok((_, flags)) = &mut decided {
                    flags.extend(inspection::frequency(m.inspection_cap, cases.len()));
                }
                cases.push(open.id.clone());
                let record = inspected_record(&key, &cases);
                extra.push(liuhen_store::Op::PutPartyInspections { record, expected_version: Some(read) });
            }
            self.open_case_with::<Inspection>(actor, decided, &m.legal_basis, extra).await
        })
        .await
    }

    /// Applies a command to an inspection, if the case is still at `expected_version`.
    pub async fn inspection_command(
        &self,
        actor: &UserRecord,
        id: &str,
        expected_version: u64,
        cmd: InspectionCommand,
    ) -> Result<CaseRecord, AppError> {
        if let InspectionCommand::ConvertToCase { at, matter, case_no, party_kind } = cmd {
            return self.convert_inspection(actor, id, expected_version, at, &matter, &case_no, party_kind).await;
        }
        // Officers are resolved before deciding: the decision sees their certificates as now.
        let act = match &cmd {
            InspectionCommand::RecordOnSite(a) | InspectionCommand::Reinspect { act: a, .. } => {
                Some(self.act(a.clone()).await?)
            }
            _ => None,
        };
        // R-120b: the 行政检查通知书 issued to the inspected party (a flag when not); R-118: a
        // supervision closes on its 现场检查笔录 signed by the inspectors.
        let notice_issued = match &cmd {
            InspectionCommand::RecordOnSite(_) => self.issued_document(id, NOTICE).await?,
            _ => false,
        };
        let site_record_signed = match &cmd {
            InspectionCommand::Close { .. } => self.final_document(id, SITE_RECORD).await?,
            _ => false,
        };
        self.command::<Inspection>(actor, id, expected_version, None, move |case| match (cmd, act) {
            (InspectionCommand::RecordOnSite(_), Some(act)) => case.record_on_site(act, notice_issued),
            (InspectionCommand::NotifyResult { at }, _) => case.notify_result(at),
            (InspectionCommand::OrderRectification { at, due, service }, _) => {
                case.order_rectification(at, due, service)
            }
            (InspectionCommand::Reinspect { rectified, .. }, Some(act)) => case.reinspect(act, rectified),
            (InspectionCommand::Close { at }, _) => case.close(at).map(|(e, mut flags)| {
                flags.extend(inspection::supervision(&case.open, site_record_signed));
                (e, flags)
            }),
            (InspectionCommand::ConvertToCase { .. }, _) => unreachable_act(),
            (_, None) => unreachable_act(),
        })
        .await
    }
}

impl<S: LogStore> App<S> {
    /// Opens an ordinary penalty case from an inspection's findings (source 检查发现, the
    /// inspection named in its reason), then links the inspection to it.
    #[allow(clippy::too_many_arguments)]
    async fn convert_inspection(
        &self,
        actor: &UserRecord,
        id: &str,
        expected_version: u64,
        at: Timestamp,
        matter: &str,
        case_no: &str,
        party_kind: liuhen_core::summary::PartyKind,
    ) -> Result<CaseRecord, AppError> {
        let (case, _) = self.load_case::<Inspection>(id).await?;
        if case.version != expected_version {
            return Err(AppError::Conflict(format!(
                "案件当前版本为 {}，请求基于版本 {expected_version}",
                case.version
            )));
        }
        // Refuse before creating anything if the inspection cannot be converted.
        case.convert_to_case(at, "-", case_no)?;
        let lead = liuhen_core::penalty::Lead {
            id: uuid::Uuid::now_v7().to_string(),
            case_no: case_no.to_string(),
            // The penalty matter the violation falls under, not the inspection's (R-010a).
            matter: matter.to_string(),
            party_kind,
            initiation: Initiation {
                source: Source::Inspection,
                reason: format!("行政检查{}发现违法行为，转为案件办理", case.open.case_no),
                received_at: at,
            },
            major: false,
            thresholds: liuhen_core::penalty::HearingThresholds::default(),
            // Found under an entrustment: the penalty case stands on the same letter (R-008
            // checks that it covers penalties too).
            entrusted: case.open.entrusted.clone(),
            party: case.open.party.clone(),
        };
        let created = self.register_lead(actor, lead).await?;
        self.command::<Inspection>(actor, id, expected_version, None, |c| {
            c.convert_to_case(at, &created.id, &created.case_no)
        })
        .await
    }
}

/// An act-carrying command always has its act resolved above.
fn unreachable_act() -> inspection::Decision {
    Err(liuhen_core::rules::CommandError::WrongState { state: "未知", action: "记录现场检查" })
}
