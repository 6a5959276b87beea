//! A county's years of cases, for `liuhen bench scale`: a seeded demo office grown by as many
//! cases as asked, through the same application commands a user's requests take (each case
//! opened, worked and viewed by the demo's accounts; nothing written around the log).
//!
//! Ten kinds of history in turn: inspections opened, acted on, notified and closed (four in
//! ten, at each stage); on-the-spot penalties with their parties, decided, delivered and
//! closed or not (two); leads of ordinary penalties with their parties (two); licence
//! applications received and accepted (one); coercive measures proposed (one). Each is viewed
//! once by the 负责人 (an access-ledger entry). An act on the spot has its recording (a small
//! MP4-headed file, uploaded through the tus path and linked to the act); a lead has its
//! 立案审批表 drafted, waiting for its approvals; every fiftieth case the device keeper checks
//! a body camera (its ledger). Dates spread back over ten years (or to when
//! the officers' certificates began, since an act needs a valid one); a step whose
//! period the working-day calendar cannot count in its year is left undone, as an office that
//! had not loaded that year would have left it.

use super::App;
use super::cases::ActInput;
use super::inspection::InspectionCommand;
use super::summary::{StartInput, SummaryCommand};
use crate::app::AppError;
use futures::StreamExt as _;
use liuhen_core::inspection::{Initiation, Kind, Open, Source};
use liuhen_core::party::{Party, PartyType};
use liuhen_core::summary::{PartyKind, Penalty, yuan};
use liuhen_core::time::{HOUR_MS, Timestamp};
use liuhen_store::{LogStore, UserRecord};

const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"];
const GIVEN: &[&str] =
    &["建国", "秀英", "志强", "丽华", "海涛", "桂兰", "俊杰", "玉梅", "国庆", "淑芬", "永刚", "晓燕"];
const INSPECTION_MATTERS: &[&str] =
    &["食品经营监督检查", "消防安全检查", "占道经营检查", "建筑垃圾处置检查", "户外广告设置检查"];
const DAY_MS: i64 = 24 * HOUR_MS;

/// Characters of given names: two of them make one of 2,304 given names.
const GIVEN_CHARS: &[char] = &[
    '建', '国', '秀', '英', '志', '强', '丽', '华', '海', '涛', '桂', '兰', '俊', '杰', '玉', '梅', '庆', '淑', '芬',
    '永', '刚', '晓', '燕', '明', '军', '平', '红', '霞', '伟', '芳', '敏', '静', '勇', '磊', '洋', '艳', '斌', '娟',
    '琳', '超', '春', '林', '文', '辉', '鹏', '飞', '宇', '欣',
];

/// A citizen party numbered `n`: a name spread as a county's are — one party in ten has one of
/// the most common names (180 of them), the rest one of 34,560 (so a full name is rarely more
/// than a few parties', as among a county's residents) — and a resident ID number with its
/// GB 11643 check character.
fn citizen(n: usize) -> Party {
    let surname = SURNAMES[n % SURNAMES.len()];
    let name = match n % 10 {
        0 => format!("{surname}{}", GIVEN[(n / SURNAMES.len()) % GIVEN.len()]),
        _ => {
            // A permutation of the 2,304 given names (7,919 is prime to their number).
            let g = (n / SURNAMES.len()).wrapping_mul(7_919) % (GIVEN_CHARS.len() * GIVEN_CHARS.len());
            format!("{surname}{}{}", GIVEN_CHARS[g / GIVEN_CHARS.len()], GIVEN_CHARS[g % GIVEN_CHARS.len()])
        }
    };
    let body = format!("13022719{:02}{:02}{:02}{:03}", 60 + n % 40, 1 + n % 12, 1 + n % 28, n % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(WEIGHTS).map(|(c, w)| c.to_digit(10).unwrap_or(0) * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    Party {
        kind: PartyType::NaturalPerson,
        name,
        id_type: liuhen_core::party::RESIDENT_ID_CARD.to_string(),
        id_number: format!("{body}{check}"),
        uscc: String::new(),
        legal_rep: String::new(),
        address: format!("迁西县栗乡街道迁安路 {} 号", 1 + n % 300),
        phone: String::new(),
        service_address: None,
    }
}

/// The accounts and officers a grown office works with.
struct Crew {
    head: UserRecord,
    wang: UserRecord,
    keeper: UserRecord,
    officers: Vec<String>,
}

impl<S: LogStore> App<S> {
    /// Grows the seeded demo office by `cases` cases, `concurrency` at a time; `done` is told
    /// each time one more is in. Returns how many steps were left undone (a year the calendar
    /// lacks), by kind of step.
    pub async fn grow_demo(
        &self,
        cases: usize,
        concurrency: usize,
        done: &(dyn Fn(usize) + Sync),
    ) -> Result<std::collections::BTreeMap<String, u64>, AppError> {
        let crew = Crew {
            head: self.store.user_by_username("zhangzhuren").await?,
            wang: self.store.user_by_username("wangming").await?,
            keeper: self.store.user_by_username("shebei").await?,
            officers: Vec::new(),
        };
        // Officers whose certificates are valid now; the story begins when all of theirs were.
        let today = self.clock.now().shanghai_date().to_string();
        let valid: Vec<_> = self
            .store
            .officers()
            .await?
            .into_iter()
            .filter(|o| o.cert_status == "active" && o.cert_valid_to >= today)
            .collect();
        let since = valid.iter().map(|o| o.cert_valid_from.clone()).max().unwrap_or_default();
        let since = liuhen_core::time::Date::parse(&since).map_err(|e| AppError::Internal(Box::new(e)))?;
        let crew = Crew { officers: valid.into_iter().map(|o| o.id).collect(), ..crew };
        if crew.officers.len() < 2 {
            return Err(AppError::Internal("the demo office has no officers to grow with".into()));
        }
        let now = self.clock.now();
        // Back over ten years, or to when the officers' certificates began.
        let span = (now.0 - DAY_MS - since.start().plus_hours(9).0).clamp(DAY_MS, 3650 * DAY_MS);
        let mut undone = std::collections::BTreeMap::new();
        let mut count = 0;
        let mut runs = futures::stream::iter(0..cases)
            .map(|i| {
                let crew = &crew;
                async move {
                    // Spread back over the span, the newest last.
                    let t = Timestamp(now.0 - span * (cases - i) as i64 / cases.max(1) as i64 - DAY_MS);
                    self.grow_one(crew, i, t).await
                }
            })
            .buffer_unordered(concurrency.max(1));
        while let Some(r) = runs.next().await {
            if let Some(step) = r? {
                *undone.entry(step).or_insert(0) += 1;
            }
            count += 1;
            done(count);
        }
        Ok(undone)
    }

    /// Case `i` of the grown office, begun at `t`: the step left undone, if one was.
    async fn grow_one(&self, crew: &Crew, i: usize, t: Timestamp) -> Result<Option<String>, AppError> {
        let y = t.shanghai_date().year();
        let head = &crew.head;
        let mut a = &crew.officers[i % crew.officers.len()];
        // An on-the-spot decision is made by an officer who was there, with their own account.
        if matches!(i % 10, 4 | 5) {
            a = &crew.wang.officer_id;
        }
        let b = crew.officers.iter().find(|o| *o != a).unwrap_or(a);
        let act = |at: Timestamp, place: String| ActInput {
            at,
            place,
            officers: vec![(a.clone(), Some(at)), (b.clone(), Some(at))],
            recording_announced: true,
            // One that found a problem is not closed before rectification (R-120e).
            problems_found: i.is_multiple_of(3) && i % 4 != 3,
            summary: "现场检查、拍照取证".to_string(),
            touches: Vec::new(),
        };
        let place = format!("栗乡街道迁安路 {} 号", 1 + i % 300);
        let n = 100_000 + i;
        let undone = |e: AppError, step: &str| match e {
            AppError::CalendarMissing(_) => Ok(Some(step.to_string())),
            e => Err(e),
        };
        let id = match i % 10 {
            0..=3 => {
                let open = Open {
                    id: uuid::Uuid::now_v7().to_string(),
                    case_no: format!("栗街检〔{y}〕{n}号"),
                    matter: INSPECTION_MATTERS[i % INSPECTION_MATTERS.len()].to_string(),
                    kind: Kind::Routine,
                    basis: "年度检查计划".to_string(),
                    initiation: Initiation {
                        source: Source::Inspection,
                        reason: "日常检查".to_string(),
                        received_at: Timestamp(t.0 - DAY_MS),
                    },
                    entrusted: None,
                    party: None,
                    supervises: None,
                };
                let r = self.open_inspection(head, open).await?;
                let mut cmds = Vec::new();
                let stage = i % 4;
                if stage >= 1 {
                    cmds.push(InspectionCommand::RecordOnSite(act(t, place.clone())));
                }
                if stage >= 2 {
                    cmds.push(InspectionCommand::NotifyResult { at: Timestamp(t.0 + 2 * HOUR_MS) });
                }
                if stage >= 3 {
                    cmds.push(InspectionCommand::Close { at: Timestamp(t.0 + 96 * HOUR_MS) });
                }
                for (v, cmd) in cmds.into_iter().enumerate() {
                    if let Err(e) = self.inspection_command(head, &r.id, v as u64 + 1, cmd).await {
                        return undone(e, "inspection");
                    }
                }
                if stage >= 1 {
                    self.record_act(head, &r.id, t, i).await?;
                }
                r.id
            }
            4 | 5 => {
                let input = StartInput {
                    case_no: format!("栗街简罚〔{y}〕{n}号"),
                    matter: "占道经营".to_string(),
                    party_kind: PartyKind::Citizen,
                    facts: "在迁安路人行道摆摊经营，影响通行".to_string(),
                    act: act(t, place),
                    entrusted: None,
                    party: Some(citizen(i)),
                };
                let r = self.start_summary(head, input).await?;
                let penalty =
                    if i.is_multiple_of(2) { Penalty::Warning } else { Penalty::Fine(yuan(50 + (i % 4) as u64 * 50)) };
                let signers = vec![a.clone(), b.clone()];
                let cmds = super::demo::summary_steps(t, format!("No.{n:07}"), penalty, signers, i.is_multiple_of(2));
                for (v, cmd) in cmds.into_iter().enumerate() {
                    let actor = if matches!(cmd, SummaryCommand::IssueDecision { .. }) { &crew.wang } else { head };
                    if let Err(e) = self.summary_command(actor, &r.id, v as u64 + 1, cmd).await {
                        return undone(e, "summary_penalty");
                    }
                }
                self.record_act(head, &r.id, t, i).await?;
                r.id
            }
            6 | 7 => {
                let lead = liuhen_core::penalty::Lead {
                    id: uuid::Uuid::now_v7().to_string(),
                    case_no: format!("栗街罚〔{y}〕{n}号"),
                    matter: "违法建设".to_string(),
                    party_kind: PartyKind::Citizen,
                    initiation: Initiation {
                        source: Source::Complaint,
                        reason: "群众举报院内违法搭建".to_string(),
                        received_at: t,
                    },
                    major: false,
                    thresholds: liuhen_core::penalty::HearingThresholds::default(),
                    entrusted: None,
                    party: Some(citizen(i)),
                };
                let r = self.register_lead(&crew.wang, lead).await?;
                let filing = serde_json::json!({"code": "D02", "fields": {"cause": "违法建设", "party": citizen(i).name,
                    "source": "群众举报", "facts": "院内搭建彩钢房", "provisions": "《城乡规划法》第四十条"}});
                self.create_document(&crew.wang, &r.id, &filing).await?;
                r.id
            }
            8 => {
                let application = liuhen_core::licence::Application {
                    id: uuid::Uuid::now_v7().to_string(),
                    case_no: format!("栗街许〔{y}〕{n}号"),
                    matter: "临时占用道路审批".to_string(),
                    received_at: t,
                    materials: vec!["申请书".to_string(), "占道平面图".to_string()],
                    receipt_issued: true,
                    entrusted: None,
                    applicant: Some(citizen(i)),
                    renewal: None,
                };
                let r = match self.apply_for_licence(head, application).await {
                    Ok(r) => r,
                    Err(e) => return undone(e, "licence"),
                };
                let accept =
                    super::licence::LicenceCommand::Accept { at: Timestamp(t.0 + HOUR_MS), voucher_sealed: true };
                if let Err(e) = self.licence_command(head, &r.id, 1, accept, None).await {
                    return undone(e, "licence");
                }
                r.id
            }
            _ => {
                let m = liuhen_core::coercion::Measure {
                    id: uuid::Uuid::now_v7().to_string(),
                    case_no: format!("栗街强〔{y}〕{n}号"),
                    matter: "扣押占道经营物品".to_string(),
                    kind: liuhen_core::coercion::Kind::Seize,
                    items: vec!["三轮车一辆".to_string()],
                    reason: "经责令仍占道经营".to_string(),
                    legal_basis: "《河北省城乡市容和环境卫生条例》".to_string(),
                    entrusted: None,
                    party: Some(citizen(i)),
                    property: liuhen_core::coercion::PropertyCheck {
                        related_to_case: true,
                        necessities_excluded: true,
                        not_sealed_elsewhere: true,
                    },
                };
                match self.propose_measure(head, m).await {
                    Ok(r) => r.id,
                    Err(e) => return undone(e, "coercive_measure"),
                }
            }
        };
        // Read once by the 负责人: a line of the access ledger.
        self.view_case(head, &id, None, "案件办理").await?;
        if i.is_multiple_of(50) {
            let check = serde_json::json!({"type": "check", "battery_pct": 40 + i % 60,
                "free_storage_mb": 58_000, "clock_offset_ms": (i % 3000) as i64});
            self.device_command(&crew.keeper, &format!("DSJ-00{}", 1 + (i / 50) % 3), &check).await?;
        }
        Ok(None)
    }

    /// The recording of case `case`'s first act (at `t`), the `i`-th of the grown office: a file
    /// of a few KiB that opens as an MP4, uploaded by `actor` with the body camera's metadata
    /// and linked to the act.
    async fn record_act(&self, actor: &UserRecord, case: &str, t: Timestamp, i: usize) -> Result<(), AppError> {
        let mut bytes = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
        bytes.extend(format!("liuhen bench recording {i} of case {case}\n").bytes().cycle().take(4096));
        let metadata = [
            ("filename", format!("DSJ-001_{i:07}.mp4")),
            ("case", case.to_string()),
            ("device", "DSJ-001".to_string()),
            ("started_at", t.0.to_string()),
            ("ended_at", (t.0 + 10 * 60_000).to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let upload = self.create_upload(actor, bytes.len() as u64, metadata).await?;
        let body = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(bytes))]);
        let appended = self.append_upload(actor, &upload.id, 0, None, body).await?;
        let recording =
            appended.recording.ok_or_else(|| AppError::Internal("a complete upload stored no recording".into()))?;
        let link = super::av::Link {
            case: case.to_string(),
            records: vec!["act/0".to_string()],
            av_item: "现场检查".to_string(),
            activity_ended_at: Some(t.0 + 10 * 60_000),
            reason: String::new(),
        };
        self.link_recording(actor, &recording.id, link).await?;
        Ok(())
    }
}
