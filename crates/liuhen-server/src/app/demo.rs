//! Demo data: a street office with officers and inspection cases at every stage, some with
//! defects and overdue deadlines, created through the same commands as real work (so the log
//! records them like any other).

use super::App;
use super::cases::{ActInput, OfficerInput};
use super::inspection::InspectionCommand;
use super::summary::{StartInput, SummaryCommand};
use crate::app::AppError;
use liuhen_core::entrustment::Entrustment;
use liuhen_core::inspection::{Initiation, Kind, Open, Source};
use liuhen_core::matter::MatterKind;
use liuhen_core::party::{Party, PartyType};
use liuhen_core::summary::{PartyKind, Penalty, yuan};
use liuhen_core::time::{Date, HOUR_MS, Timestamp};
use liuhen_store::{LogStore, UserRecord};

struct DemoCase {
    no: u32,
    matter: &'static str,
    kind: Kind,
    basis: &'static str,
    source: Source,
    reason: &'static str,
    place: &'static str,
    /// How far to take it: 0 planned, 1 on site, 2 result told, 3 rectification ordered,
    /// 4 closed, 5 re-inspected and closed.
    stage: u8,
    problems: bool,
    announced: bool,
    /// Rectification due, in days from today.
    due_in_days: i64,
}

const CASES: &[DemoCase] = &[
    DemoCase {
        no: 101,
        matter: "消防安全检查",
        kind: Kind::Routine,
        basis: "2026年第四季度消防安全检查计划（已审批）",
        source: Source::Inspection,
        reason: "季度例行检查",
        place: "栗乡街道幸福小区",
        stage: 0,
        problems: false,
        announced: true,
        due_in_days: 0,
    },
    DemoCase {
        no: 102,
        matter: "食品经营监督检查",
        kind: Kind::Triggered,
        basis: "12345热线转办投诉",
        source: Source::Complaint,
        reason: "群众投诉超市销售过期食品",
        place: "栗乡街道某某超市",
        stage: 1,
        problems: false,
        announced: false,
        due_in_days: 0,
    },
    DemoCase {
        no: 103,
        matter: "占道经营检查",
        kind: Kind::Special,
        basis: "街道占道经营专项整治方案",
        source: Source::Assigned,
        reason: "县城管局交办",
        place: "栗乡街道迁安路",
        stage: 3,
        problems: true,
        announced: true,
        due_in_days: -3,
    },
    DemoCase {
        no: 104,
        matter: "建筑垃圾处置检查",
        kind: Kind::Random,
        basis: "双随机抽查（抽取编号 2026-11-07）",
        source: Source::Inspection,
        reason: "双随机抽查",
        place: "栗乡街道某建筑工地",
        stage: 3,
        problems: true,
        announced: true,
        due_in_days: 2,
    },
    DemoCase {
        no: 105,
        matter: "户外广告设置检查",
        kind: Kind::Routine,
        basis: "2026年户外广告检查计划（已审批）",
        source: Source::Inspection,
        reason: "计划检查",
        place: "栗乡街道商业街",
        stage: 4,
        problems: false,
        announced: true,
        due_in_days: 0,
    },
    DemoCase {
        no: 106,
        matter: "燃气安全检查",
        kind: Kind::Triggered,
        basis: "居民反映燃气泄漏隐患",
        source: Source::Complaint,
        reason: "居民反映",
        place: "栗乡街道某餐馆",
        stage: 5,
        problems: true,
        announced: true,
        due_in_days: -5,
    },
];

/// The business a demo inspection is of, where it is one (its inspections counted, R-121).
/// Fictional 统一社会信用代码 with valid check characters.
fn inspected_party(no: u32) -> Option<Party> {
    let (name, uscc, address) = match no {
        102 => ("迁西县某某超市", "92130227MA0D3C1B55", "迁西县栗乡街道商业街 6 号"),
        106 => ("迁西县某某餐馆", "92130227MA0D7H8J2X", "迁西县栗乡街道迁安路 52 号"),
        _ => return None,
    };
    Some(Party {
        kind: PartyType::OtherOrg,
        name: name.to_string(),
        id_type: String::new(),
        id_number: String::new(),
        uscc: uscc.to_string(),
        legal_rep: "李某".to_string(),
        address: address.to_string(),
        phone: String::new(),
        service_address: None,
    })
}

impl<S: LogStore> App<S> {
    /// Seeds the demo office once (when no officer is registered yet): the administrator sets
    /// up the office, its 权责清单 and officers; demo accounts (see [`DEMO_USERS`]) are created
    /// with one shared one-time password, which is returned; the 负责人 opens the cases.
    pub async fn seed_demo(&self, admin: &UserRecord, now: Timestamp) -> Result<Option<String>, AppError> {
        if !self.store.officers().await?.is_empty() {
            return Ok(None);
        }
        let d = |s: &str| Date::parse(s).map_err(|e| AppError::Internal(Box::new(e)));
        // The office itself: a street office with no 行政强制执行权 of its own (a fictional code
        // with a valid check character).
        self.put_agency(
            admin,
            liuhen_core::agency::Agency {
                name: "迁西县栗乡街道办事处".to_string(),
                uscc: "11130227MB0000000J".to_string(),
                has_enforcement_power: false,
                review_organ: "迁西县人民政府".to_string(),
                court: "迁西县人民法院".to_string(),
                seals: vec![liuhen_core::agency::Seal {
                    kind: "公章".to_string(),
                    valid_from: d("2020-01-01")?,
                    valid_to: d("2030-12-31")?,
                }],
                ..liuhen_core::agency::Agency::default()
            },
        )
        .await?;
        // The 权责清单 entries the demo cases use (local values: hearing thresholds, summary
        // procedure, major-decision review, full A/V).
        for (code, name, kind, basis, av, major, summary) in [
            ("P-001", "违法建设", MatterKind::Penalty, "《中华人民共和国城乡规划法》第六十五条", true, true, false),
            ("P-002", "占道经营", MatterKind::Penalty, "《河北省城乡市容和环境卫生条例》第五十条", false, false, true),
            ("L-001", "临时占用道路审批", MatterKind::Licence, "《城市道路管理条例》第三十一条", false, false, false),
            (
                "C-001",
                "扣押占道经营物品",
                MatterKind::Coercion,
                "《河北省城乡市容和环境卫生条例》第五十条",
                true,
                false,
                false,
            ),
            (
                "I-001",
                "食品经营监督检查",
                MatterKind::Inspection,
                "《中华人民共和国食品安全法》第一百一十条",
                false,
                false,
                false,
            ),
            (
                "I-002",
                "消防安全检查",
                MatterKind::Inspection,
                "《中华人民共和国消防法》第五十三条",
                false,
                false,
                false,
            ),
            (
                "I-003",
                "占道经营检查",
                MatterKind::Inspection,
                "《城市市容和环境卫生管理条例》第十四条",
                false,
                false,
                false,
            ),
            (
                "I-004",
                "建筑垃圾处置检查",
                MatterKind::Inspection,
                "《城市建筑垃圾管理规定》第二十条",
                false,
                false,
                false,
            ),
            (
                "I-005",
                "户外广告设置检查",
                MatterKind::Inspection,
                "《城市市容和环境卫生管理条例》第十一条",
                false,
                false,
                false,
            ),
            ("I-006", "燃气安全检查", MatterKind::Inspection, "《城镇燃气管理条例》第四十二条", false, false, false),
        ] {
            self.put_matter(
                admin,
                liuhen_core::matter::Matter {
                    code: code.to_string(),
                    name: name.to_string(),
                    kind,
                    legal_basis: basis.to_string(),
                    av_mandatory: av,
                    major_decision_review: major,
                    hearing_thresholds: liuhen_core::penalty::HearingThresholds::default(),
                    summary_allowed: summary,
                    inspection_cap: None,
                },
            )
            .await?;
        }
        // 办法第二十条: the 音像记录事项清单 and the 执法行为用语指引.
        let av_row = |kind: &str, activity: &str, mode: &str, content: &str, mandatory: bool| {
            serde_json::json!({"kind": kind, "activity": activity, "stage": "调查取证", "place": "执法现场", "mode": mode,
                "recorder": "执法人员", "start": "到达现场、表明身份时", "end": "离开现场时", "content": content,
                "mandatory": mandatory, "retention": "同案卷保管期限"})
        };
        let av_items = serde_json::json!([
            av_row(
                "inspection",
                "现场检查",
                "根据实际情况",
                "出示证件、告知事项、检查过程、发现的问题及当事人意见",
                false
            ),
            av_row("penalty", "现场检查", "根据实际情况", "出示证件、检查、勘验、测量、拍照过程", false),
            av_row("penalty", "调查取证", "根据实际情况", "询问、抽样取证、先行登记保存过程", false),
            av_row("penalty", "当场处罚", "全程", "告知违法事实、理由、依据及权利，听取陈述申辩，交付决定书", true),
            av_row("coercion", "查封扣押", "全程", "通知当事人到场、告知、清点物品、制作清单、交付决定书全过程", true),
            av_row("penalty", "强制拆除", "全程", "拆除全过程及现场情况", true),
            av_row("penalty", "留置送达", "全程", "送达、当事人拒收及见证情况", true),
            av_row("licence", "现场核查", "根据实际情况", "核查过程及申请人意见", false),
        ]);
        self.put_catalogue(admin, super::catalogues::AV_ITEMS, av_items).await?;
        let phrases = serde_json::json!([
            {"scenario": "现场检查", "lines": [
                "您好，我们是迁西县栗乡街道办事处执法人员（姓名），这是我们的执法证件，请您查看。",
                "现在开始录音录像，本次执法过程将全程记录。",
                "根据《（法律依据）》的规定，我们依法对（对象）进行检查，请您配合。",
                "您有陈述、申辩的权利；如认为执法人员与本案有利害关系，可以申请回避。"]},
            {"scenario": "告知陈述申辩", "lines": [
                "根据调查，您存在（违法事实），违反了《（依据）》，拟对您作出（处罚）。",
                "您有权进行陈述和申辩，您有什么陈述、申辩意见？"]},
            {"scenario": "送达", "lines": [
                "现在向您送达（文书名称及文号），请您核对并在送达回证上签名。",
                "您如拒绝签收，我们将依法留置送达，并邀请见证人在场。"]},
            {"scenario": "查封扣押", "lines": [
                "现在开始录音录像。根据《中华人民共和国行政强制法》及（依据），对（物品）实施扣押。",
                "请您在场见证清点，核对物品清单后签名；您可以陈述、申辩，对决定不服可以申请行政复议或者提起行政诉讼。"]},
            {"scenario": "结束", "lines": ["本次执法活动到此结束，录音录像结束，谢谢配合。"]},
        ]);
        self.put_catalogue(admin, super::catalogues::PHRASES, phrases).await?;
        // The office's numbering scheme: a case opened without a number gets the next one.
        let numbering = super::numbering::rows(&[
            ("inspection", "栗街检〔{year}〕{n}号"),
            ("summary_penalty", "栗街简罚〔{year}〕{n}号"),
            ("ordinary_penalty", "栗街罚〔{year}〕{n}号"),
            ("licence", "栗街许〔{year}〕{n}号"),
            ("coercive_measure", "栗街强〔{year}〕{n}号"),
        ]);
        self.put_catalogue(admin, super::catalogues::NUMBERING, numbering).await?;
        let mut ids = Vec::new();
        for (name, cert, to, lawyer) in [
            ("王明", "13020001", "2028-12-31", false),
            ("李华", "13020002", "2028-12-31", false),
            ("陈静", "13020004", "2027-12-31", false),
            ("赵强", "13020003", "2026-06-30", false),
            ("刘法制", "13020009", "2028-12-31", true),
        ] {
            use liuhen_core::matter::MatterKind;
            let input = OfficerInput {
                name: name.to_string(),
                cert_no: cert.to_string(),
                cert_valid_from: d("2024-01-01")?,
                cert_valid_to: d(to)?,
                cert_scope: vec![
                    MatterKind::Penalty,
                    MatterKind::Licence,
                    MatterKind::Coercion,
                    MatterKind::Inspection,
                ],
                legal_qualification: lawyer,
            };
            ids.push(self.register_officer(admin, input).await?.id);
        }
        // The demo's accounts, one per role of the office, sharing a one-time password.
        let password = super::auth::one_time_password();
        let (mut head, mut keeper) = (None, None);
        let mut accounts = std::collections::HashMap::new();
        for (username, roles, officer, unit, name) in DEMO_USERS {
            let new = super::auth::NewUser {
                username: username.to_string(),
                roles: roles.to_string(),
                password: password.clone(),
                must_change_password: true,
                officer_id: officer.map(|i| ids[i].clone()).unwrap_or_default(),
                unit: unit.to_string(),
                name: name.to_string(),
            };
            // 三员分立: the first 负责人 is made as at the server's console; the administrator
            // makes the others, whose roles that see case content that 负责人 then approves.
            let by = if roles.contains("approver") { None } else { Some(admin) };
            let u = self.add_user(by, new).await?;
            accounts.insert(username, u.clone());
            if roles.contains("approver") {
                head = Some(u);
            } else if roles.contains("device_admin") {
                keeper = Some(u);
            }
        }
        if let Some(head) = &head {
            for u in accounts.values_mut().filter(|u| !u.pending_roles.is_empty()) {
                *u = self.decide_grant(head, &u.id, true).await?;
            }
            if let Some(k) = keeper.as_mut() {
                *k = accounts.values().find(|u| u.id == k.id).cloned().unwrap_or_else(|| k.clone());
            }
        }
        if let Some(keeper) = &keeper {
            self.seed_devices(keeper, &ids).await?;
        }
        // The 负责人 opens and handles the demo cases.
        let Some(head) = head else { return Err(AppError::Internal("no demo approver".into())) };
        let admin = &head;
        let who = |name: &str| {
            accounts.get(name).cloned().ok_or_else(|| AppError::Internal(format!("no demo {name}").into()))
        };
        let staff = Staff {
            password: password.clone(),
            head: head.clone(),
            wang: who("wangming")?,
            li: who("lihua")?,
            lawyer: who("liufazhi")?,
            members: [who("wangfuzhuren")?, who("liufuzhuren")?],
        };
        let today = now.shanghai_date();
        // Each account's signing key, made before the story's first signature (a signature
        // stands only when made while its key was valid).
        let made = today.plus_days(-400).start().plus_hours(9);
        let history = self.at_time(made);
        for u in [&staff.head, &staff.wang, &staff.li, &staff.lawyer, &staff.members[0], &staff.members[1]] {
            history.sign_as(u, &staff.password, made.0, b"liuhen demo: the account's key is made").await?;
        }
        let start = today.plus_days(-14).start().plus_hours(9);
        let mut open_with_acts = Vec::new();
        // The closed inspections, with the officer (0 王明, 1 李华) who handled each.
        let mut closed = Vec::new();
        for (i, c) in CASES.iter().enumerate() {
            let t = Timestamp(start.0 + i as i64 * 24 * HOUR_MS);
            let open = Open {
                id: uuid::Uuid::now_v7().to_string(),
                case_no: format!("栗街检〔{}〕{}号", today.year(), c.no),
                matter: c.matter.to_string(),
                kind: c.kind,
                basis: c.basis.to_string(),
                initiation: Initiation {
                    source: c.source,
                    reason: c.reason.to_string(),
                    received_at: Timestamp(t.0 - 24 * HOUR_MS),
                },
                // The food inspection is done under the county bureau's 委托书 (办法第三十一条).
                entrusted: (c.matter == "食品经营监督检查").then(|| Entrustment {
                    letter_no: format!("迁市监委〔{}〕2号", today.year()),
                    entrusting_agency: "迁西县市场监督管理局".to_string(),
                    entrusted_org: "迁西县栗乡街道办事处".to_string(),
                    kinds: vec![MatterKind::Inspection],
                    matters: vec!["食品经营监督检查".to_string()],
                    valid_from: Date::new(today.year(), 1, 1).unwrap_or(today),
                    valid_to: Date::new(today.year(), 12, 31).unwrap_or(today),
                    published: true,
                }),
                party: inspected_party(c.no),
                supervises: None,
            };
            let record = self.open_inspection(admin, open).await?;
            let officers = |a: usize, b: usize| vec![(ids[a].clone(), Some(t)), (ids[b].clone(), Some(t))];
            let act = |problems: bool, at: Timestamp| ActInput {
                at,
                place: c.place.to_string(),
                officers: officers(i % 2, 2),
                recording_announced: c.announced,
                problems_found: problems,
                summary: if problems {
                    "发现问题，现场拍照取证".to_string()
                } else {
                    "未发现违法行为".to_string()
                },
                touches: Vec::new(),
            };
            let mut cmds = Vec::new();
            if c.stage >= 1 {
                cmds.push(InspectionCommand::RecordOnSite(act(c.problems, t)));
            }
            if c.stage >= 2 {
                cmds.push(InspectionCommand::NotifyResult { at: Timestamp(t.0 + 2 * HOUR_MS) });
            }
            if c.stage == 3 || (c.stage == 5 && c.problems) {
                let at = Timestamp(t.0 + 2 * HOUR_MS);
                cmds.push(InspectionCommand::OrderRectification {
                    at,
                    due: today.plus_days(c.due_in_days),
                    service: Some(liuhen_core::service::Service {
                        document: format!("责令改正通知书（栗街责改〔{}〕{}号）", today.year(), c.no),
                        recipient: "经营者".to_string(),
                        at,
                        place: c.place.to_string(),
                        method: liuhen_core::service::Method::Direct {
                            receiver: "经营者".to_string(),
                            relation: String::new(),
                        },
                        servers: ids.iter().take(2).cloned().collect(),
                        recipient_signed: true,
                    }),
                });
            }
            if c.stage == 5 {
                cmds.push(InspectionCommand::Reinspect {
                    act: act(false, Timestamp(t.0 + 72 * HOUR_MS)),
                    rectified: true,
                });
            }
            if c.stage >= 4 {
                cmds.push(InspectionCommand::Close { at: Timestamp(t.0 + 96 * HOUR_MS) });
            }
            for (version, cmd) in cmds.into_iter().enumerate() {
                self.inspection_command(admin, &record.id, version as u64 + 1, cmd).await?;
            }
            if (1..=3).contains(&c.stage) {
                open_with_acts.push(record.id.clone());
            }
            if c.stage >= 4 {
                closed.push((record.id.clone(), i % 2));
            }
        }
        // Records marked as an office marks them: two given a class of their own (办法第二十五条),
        // two with the written reason they were made without a recording.
        for id in open_with_acts.iter().take(2) {
            self.classify_record(admin, id, "act/0", "personal_privacy", "现场记录载有当事人的身份信息和住址", None)
                .await?;
            self.explain_unrecorded(admin, id, "act/0", "检查时执法记录仪电量耗尽，以现场笔录和照片记录").await?;
        }
        // Two on-the-spot penalties: a fine left unpaid past its 15 days, and a warning closed.
        for (n, party, penalty, days_ago, close) in [
            (1, PartyKind::Citizen, Penalty::Fine(yuan(150)), 20, false),
            (2, PartyKind::Organisation, Penalty::Warning, 6, true),
        ] {
            let t = today.plus_days(-days_ago).start().plus_hours(10);
            let input = StartInput {
                case_no: format!("栗街简罚〔{}〕{n}号", today.year()),
                matter: "占道经营".to_string(),
                party_kind: party,
                facts: "在迁安路人行道摆摊经营，影响通行".to_string(),
                act: ActInput {
                    at: t,
                    place: "栗乡街道迁安路".to_string(),
                    officers: vec![(ids[0].clone(), Some(t)), (ids[1].clone(), Some(t))],
                    recording_announced: true,
                    problems_found: true,
                    summary: "现场拍照取证".to_string(),
                    touches: Vec::new(),
                },
                entrusted: None,
                // Fictional identity numbers with valid check characters.
                party: Some(match party {
                    PartyKind::Citizen => Party {
                        kind: PartyType::NaturalPerson,
                        name: "孙某某".to_string(),
                        id_type: liuhen_core::party::RESIDENT_ID_CARD.to_string(),
                        id_number: "130227199201170059".to_string(),
                        uscc: String::new(),
                        legal_rep: String::new(),
                        address: "迁西县栗乡街道迁安路 30 号".to_string(),
                        phone: "13700000000".to_string(),
                        service_address: None,
                    },
                    PartyKind::Organisation => Party {
                        kind: PartyType::OtherOrg,
                        name: "迁西县某某便利店".to_string(),
                        id_type: String::new(),
                        id_number: String::new(),
                        uscc: "92130227MA0D4E5F69".to_string(),
                        legal_rep: "周某".to_string(),
                        address: "迁西县栗乡街道迁安路 18 号".to_string(),
                        phone: String::new(),
                        service_address: None,
                    },
                }),
            };
            let record = self.start_summary(admin, input).await?;
            let signers = vec![ids[0].clone(), ids[1].clone()];
            for (version, cmd) in
                summary_steps(t, format!("No.{:07}", 1000 + n), penalty, signers, close).into_iter().enumerate()
            {
                // The decision is issued by 王明's own account, on the spot.
                let actor = if matches!(cmd, SummaryCommand::IssueDecision { .. }) { &staff.wang } else { admin };
                self.summary_command(actor, &record.id, version as u64 + 1, cmd).await?;
            }
        }
        // One case of each other kind, at a stage with a live deadline. These commands need no
        // working-day calendar, so seeding works in any year.
        if let Err(e) = self.seed_other_kinds(&staff, &ids, today).await {
            tracing::warn!(error = %e, "some demo cases were not seeded");
        }
        // This one counts working days, so it needs this year's calendar.
        match self.seed_unpaid_fine(&staff, &ids, today).await {
            Err(e) => tracing::warn!(error = %e, "the demo case in 强制执行 was not seeded"),
            // Its documents: rendering needs a Chinese font and issuing the seal keys.
            Ok(case) => {
                if let Err(e) = self.seed_documents(&staff, &case, today).await {
                    tracing::warn!(error = %e, "the demo documents were not seeded");
                }
            }
        }
        if let Err(e) = self.seed_demolition(&staff, &ids, today).await {
            tracing::warn!(error = %e, "the demo case in 代履行 was not seeded");
        }
        if let Err(e) = self.seed_archive(&staff, &closed, &who("dangan")?).await {
            tracing::warn!(error = %e, "the demo case files were not seeded");
        }
        Ok(Some(password))
    }

    /// 行政处罚（普通程序）: a fine decided two months ago, served, unpaid; the 催告书 served ten
    /// days ago, so the case is in 强制执行 with the court window ahead (T-17).
    /// The office's recording devices (办法第二十四条、第二十八条): one checked and out with
    /// 王明, one away for repair, one in store whose last check found a flat battery.
    async fn seed_devices(&self, keeper: &UserRecord, ids: &[String]) -> Result<(), AppError> {
        use serde_json::json;
        for (number, model, kind, caps) in [
            (
                "DSJ-001",
                "DSJ-V9 执法记录仪",
                "body_camera",
                vec!["night_vision".to_string(), "positioning".to_string()],
            ),
            ("DSJ-002", "DSJ-V9 执法记录仪", "body_camera", vec!["positioning".to_string()]),
            (
                "DSJ-003",
                "DSJ-X7 防爆执法记录仪",
                "body_camera",
                vec!["explosion_proof".to_string(), "night_vision".to_string()],
            ),
            ("XJ-001", "EOS 照相机", "camera", vec![]),
        ] {
            self.register_device(keeper, number, model, kind, &caps, "执法装备室 1 号柜").await?;
        }
        let check = |battery: u64| json!({"type": "check", "battery_pct": battery, "free_storage_mb": 58_000, "clock_offset_ms": 1_500});
        self.device_command(keeper, "DSJ-001", &check(97)).await?;
        self.device_command(keeper, "DSJ-001", &json!({"type": "assign", "officer": ids[0]})).await?;
        self.device_command(
            keeper,
            "DSJ-002",
            &json!({"type": "upkeep", "kind": "repair_started", "note": "镜头进水，送厂家维修"}),
        )
        .await?;
        self.device_command(keeper, "DSJ-003", &check(18)).await?;
        Ok(())
    }

    async fn seed_unpaid_fine(&self, staff: &Staff, ids: &[String], today: Date) -> Result<String, AppError> {
        let admin = &staff.head;
        use super::ordinary::OrdinaryCommand as C;
        let y = today.year();
        let p = DemoPenalty {
            no: 18,
            party: ("刘某某", "130227197503080041", "迁西县栗乡街道幸福小区 3 号楼 2 单元 601"),
            back: 0,
            fine_yuan: 3000,
            order: None,
        };
        let (id, v) = self.seed_served_penalty(staff, ids, today, &p).await?;
        let at = |days_ago: i64| today.plus_days(-days_ago).start().plus_hours(9);
        let demand = C::ServeDemand(liuhen_core::execution::Demand {
            service: handed(ids, p.party.0, &format!("催告书（栗街催〔{y}〕2号）"), at(10)),
            deadline: today.plus_days(5),
            method: "到县财政指定银行缴纳或电子支付".to_string(),
            amount_fen: yuan(6000),
            statement_right_told: true,
            why_not_direct: String::new(),
        });
        self.ordinary_command(admin, &id, v, demand, None).await?;
        // 行政执法公示: the decision published (late: seventy days after it), on the public page.
        self.publish(admin, &id, &[]).await?;
        Ok(id)
    }

    /// 执法文书 of the unpaid-fine case: its 立案审批表 and 案件处理审批表 (approved by their own
    /// accounts when the case was filed and decided) finalised, and its 行政处罚决定书 issued by
    /// the 负责人 under the seal.
    async fn seed_documents(&self, staff: &Staff, case: &str, today: Date) -> Result<(), AppError> {
        use serde_json::json;
        let (wang, head) = (&staff.wang, &staff.head);
        let y = today.year();
        for d in self.case_documents(wang, case, None, super::policy::MAX_PAGE as usize).await?.0 {
            if d["state"] == "draft" {
                self.document_command(wang, d["id"].as_str().unwrap_or_default(), &json!({"type": "finalise"})).await?;
            }
        }
        let decision = json!({"code": "D36", "fields": {"party": "刘某某", "party_address": "迁西县栗乡街道幸福小区 3 号楼 2 单元 601",
            "facts": "当事人未取得建设工程规划许可证，在幸福小区 3 号楼北侧搭建彩钢房约 20 平方米。有现场检查笔录、询问笔录、现场照片为证。",
            "basis": "依据《中华人民共和国城乡规划法》第六十四条，决定处罚款人民币叁仟元整。",
            "performance": "自收到本决定书之日起十五日内到县财政指定银行缴纳罚款；逾期不缴纳的，每日按罚款数额的百分之三加处罚款。",
            "relief": "如不服本决定，可在收到本决定书之日起六十日内向迁西县人民政府申请行政复议，或者在六个月内向迁西县人民法院提起行政诉讼。"}});
        let d = self.create_document(wang, case, &decision).await?;
        let id = d["id"].as_str().unwrap_or_default().to_string();
        self.document_command(wang, &id, &json!({"type": "finalise"})).await?;
        if self.documents.seal.is_some() {
            // Sealed today: a 成文日期 lies between the drafting and the day it is issued (R-064b).
            let cmd = json!({"type": "issue", "doc_no": format!("栗街罚决〔{y}〕18号")});
            self.document_command(head, &id, &cmd).await?;
        }
        Ok(())
    }

    /// 归档 (办法第二十五条): each closed inspection's 检查结果告知书 issued, its file handed over by
    /// the officer who handled it, the first filed by the 档案管理员 — the other waits on the
    /// archivist's list.
    async fn seed_archive(
        &self,
        staff: &Staff,
        closed: &[(String, usize)],
        archivist: &UserRecord,
    ) -> Result<(), AppError> {
        use serde_json::json;
        if self.documents.seal.is_none() {
            return Ok(());
        }
        for (n, (case, officer)) in closed.iter().enumerate() {
            let handler = if *officer == 0 { &staff.wang } else { &staff.li };
            let notice = json!({"code": "D52", "fields": {"party": "经营者", "findings": "经检查，未发现违法行为（整改已完成）",
                "measures": "无需采取进一步措施", "rights": "如不服，可依法申请行政复议或者提起行政诉讼。"}});
            let d = self.create_document(handler, case, &notice).await?;
            let id = d["id"].as_str().unwrap_or_default().to_string();
            self.document_command(handler, &id, &json!({"type": "finalise"})).await?;
            self.document_command(&staff.head, &id, &json!({"type": "issue"})).await?;
            self.hand_over(handler, case, "检查材料齐全，移交归档").await?;
            if n == 0 {
                self.file_case(archivist, case, None).await?;
            }
        }
        Ok(())
    }

    /// The app as if the server's clock read `t`: the demo's approvals and signatures are dated
    /// when its story has them (before what rests on them, R-064), not when it is seeded.
    fn at_time(&self, t: Timestamp) -> App<S> {
        let mut past = self.clone();
        past.clock = super::Clock::starting_at(t.0);
        past
    }

    /// An 内部审批文书 of `code` on `case`, approved in turn by the 承办人, the 承办机构负责人
    /// and the 负责人, each with their own account (办法第十五条): the chain a command rests on.
    #[allow(clippy::too_many_arguments)]
    async fn approve_form(
        &self,
        staff: &Staff,
        case: &str,
        code: &str,
        fields: serde_json::Value,
        opinions: [&str; 3],
        reason: &str,
    ) -> Result<liuhen_core::penalty::Approval, AppError> {
        use serde_json::json;
        let d = self.create_document(&staff.wang, case, &json!({"code": code, "fields": fields})).await?;
        let id = d["id"].as_str().unwrap_or_default().to_string();
        let steps = [(&staff.wang, "handler"), (&staff.li, "reviewer"), (&staff.head, "approver")];
        for ((u, step), opinion) in steps.into_iter().zip(opinions) {
            let cmd = json!({"type": "approve", "step": step, "opinion": opinion, "content_hash": d["content_hash"],
                "password": staff.password,
                "reason": reason});
            self.document_command(u, &id, &cmd).await?;
        }
        let found = self.approved_form(case, code).await?;
        found.map(|(_, a, _)| a).ok_or_else(|| AppError::Internal(format!("demo {code} not approved").into()))
    }

    /// A 集体讨论记录 on `case` concluding `conclusion`, confirmed by the 负责人 and the other two
    /// heads with their own accounts: the members it names.
    async fn discussion(
        &self,
        staff: &Staff,
        case: &str,
        conclusion: &str,
    ) -> Result<(String, Vec<String>, String), AppError> {
        use serde_json::json;
        let fields = json!({"cause": "违法建设", "time": "负责人集体讨论会", "place": "栗乡街道办事处第一会议室",
            "host": "张主任", "members": "张主任、王副主任、刘副主任", "recorder": "李华",
            "summary": "承办人介绍案件事实、证据、依据和拟处理意见", "opinions": "与会人员一致同意承办机构意见",
            "conclusion": conclusion});
        let d = self.create_document(&staff.wang, case, &json!({"code": "D35", "fields": fields})).await?;
        let id = d["id"].as_str().unwrap_or_default().to_string();
        // The smallest PNG: what a signing pad's canvas sends.
        const PNG: &str =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
        for u in [&staff.head, &staff.members[0], &staff.members[1]] {
            let cmd = json!({"type": "sign", "role": "member", "method": "pad", "image": PNG, "content_hash": d["content_hash"],
                "password": staff.password});
            self.document_command(u, &id, &cmd).await?;
        }
        self.document_command(&staff.wang, &id, &json!({"type": "finalise"})).await?;
        self.discussion_members(case).await
    }

    /// The 承办机构负责人's own opinion, dated by the server.
    async fn unit_opinion(&self, staff: &Staff, opinion: &str) -> Result<liuhen_core::penalty::Opinion, AppError> {
        let me = self.signer(&staff.li, "", &[]).await?;
        me.opinion(super::policy::Role::UnitHead, "承办机构意见", opinion)
    }

    /// 行政处罚（普通程序） with 责令限期拆除: the fine paid, the shed left standing; demanded,
    /// announced, and — the relief periods over — 代履行 decided and the party reminded three
    /// days ago, so the substitute performance is due (行政强制法第四十四条、第五十一条).
    async fn seed_demolition(&self, staff: &Staff, ids: &[String], today: Date) -> Result<(), AppError> {
        let admin = &staff.head;
        use super::ordinary::OrdinaryCommand as C;
        let y = today.year();
        let p = DemoPenalty {
            no: 7,
            party: ("周某某", "130227196811090028", "迁西县栗乡街道栗园路 12 号"),
            back: 164,
            fine_yuan: 2000,
            order: Some(liuhen_core::penalty::Order {
                content: "限期拆除院内违法搭建的彩钢房".to_string(),
                deadline: today.plus_days(-200),
                demolition: true,
            }),
        };
        let (id, v) = self.seed_served_penalty(staff, ids, today, &p).await?;
        let at = |days_ago: i64| today.plus_days(-days_ago).start().plus_hours(9);
        let name = p.party.0;
        let steps = [
            C::Pay { at: at(228), receipt_no: format!("BANK-{y}-0007") },
            C::ServeDemand(liuhen_core::execution::Demand {
                service: handed(ids, name, &format!("催告书（栗街催〔{y}〕1号）"), at(190)),
                deadline: today.plus_days(-180),
                method: "自行拆除院内彩钢房并清运".to_string(),
                amount_fen: 0,
                statement_right_told: true,
                why_not_direct: String::new(),
            }),
            C::AnnounceDemolition {
                at: at(175),
                notice_no: format!("栗街拆告〔{y}〕1号"),
                place: "栗园路 12 号院门及社区公告栏".to_string(),
                deadline: today.plus_days(-165),
            },
            C::DecideSubstitute(liuhen_core::execution::SubstituteDecision {
                at: at(20),
                doc_no: format!("栗街代履〔{y}〕1号"),
                harm: "彩钢房占压消防通道，危及通行安全".to_string(),
                reasons_and_basis: "经催告、公告逾期仍不拆除；《行政强制法》第四十四条、第五十条".to_string(),
                method_and_time: "委托第三方拆除，自送达之日起十日内实施".to_string(),
                object: "院内东侧彩钢房一间，约 20 平方米".to_string(),
                cost_budget_fen: yuan(3000),
                performer: "迁西县某拆除工程有限公司".to_string(),
                sealed: true,
                service: handed(ids, name, &format!("代履行决定书（栗街代履〔{y}〕1号）"), at(20)),
            }),
            C::RemindSubstitute(handed(ids, name, "代履行催告书", at(3))),
        ];
        for (i, cmd) in steps.into_iter().enumerate() {
            self.ordinary_command(admin, &id, v + i as u64, cmd, None).await?;
        }
        // 行政执法公示: its decision published too (the public page lists the latest first).
        self.publish(admin, &id, &[]).await?;
        Ok(())
    }

    /// An ordinary penalty from the lead to the decision's service, `p.back` days earlier than
    /// the unpaid-fine case's dates (lead 92 days ago, served 71 days ago). Returns the case and
    /// its version.
    async fn seed_served_penalty(
        &self,
        staff: &Staff,
        ids: &[String],
        today: Date,
        p: &DemoPenalty,
    ) -> Result<(String, u64), AppError> {
        use super::ordinary::OrdinaryCommand as C;
        use liuhen_core::penalty::{DecisionDoc, HearingThresholds, Lead, Notice, Report};
        use serde_json::json;
        let admin = &staff.head;
        let (y, no, name) = (today.year(), p.no, p.party.0);
        let at = |days_ago: i64| today.plus_days(-days_ago - p.back).start().plus_hours(9);
        let fine = Penalty::Fine(yuan(p.fine_yuan));
        let lead = Lead {
            id: uuid::Uuid::now_v7().to_string(),
            case_no: format!("栗街罚〔{y}〕{no}号"),
            matter: "违法建设".to_string(),
            party_kind: PartyKind::Citizen,
            initiation: Initiation {
                source: Source::Inspection,
                reason: "巡查发现违法搭建".to_string(),
                received_at: at(92),
            },
            major: false,
            thresholds: HearingThresholds::default(),
            entrusted: None,
            party: Some(Party {
                kind: PartyType::NaturalPerson,
                name: name.to_string(),
                id_type: liuhen_core::party::RESIDENT_ID_CARD.to_string(),
                id_number: p.party.1.to_string(),
                uscc: String::new(),
                legal_rep: String::new(),
                address: p.party.2.to_string(),
                phone: "13900000000".to_string(),
                service_address: None,
            }),
        };
        let id = self.register_lead(&staff.wang, lead).await?.id;
        let yuan_text = p.fine_yuan;
        let filing = self
            .at_time(at(91))
            .approve_form(
                staff,
                &id,
                "D02",
                json!({"cause": "违法建设", "party": name, "source": "巡查发现",
                    "facts": "当事人未经规划许可搭建彩钢房。", "provisions": "《中华人民共和国城乡规划法》第四十条"}),
                ["建议立案调查", "同意立案，由王明、李华承办", "同意立案"],
                "有证据证明存在未经规划许可搭建建筑物的违法行为，属本机关管辖",
            )
            .await?;
        let handling = self
            .at_time(at(73))
            .approve_form(
                staff,
                &id,
                "D30",
                json!({"cause": "违法建设", "party": name, "facts": "未经规划许可搭建彩钢房约 18 平方米",
                    "evidence": "现场勘验笔录、现场照片", "basis": "《中华人民共和国城乡规划法》第六十四条",
                    "proposal": format!("罚款{yuan_text}元；面积较小，按裁量基准处罚")}),
                [&format!("建议罚款{yuan_text}元"), "同意承办人意见", &format!("同意罚款{yuan_text}元")],
                "事实清楚，证据确凿，适用依据正确",
            )
            .await?;
        let unit = self.at_time(at(78)).unit_opinion(staff, &format!("拟同意承办人意见，罚款{yuan_text}元")).await?;
        let act = ActInput {
            at: at(88),
            place: p.party.2.to_string(),
            officers: vec![(ids[0].clone(), Some(at(88))), (ids[1].clone(), Some(at(88)))],
            recording_announced: true,
            problems_found: true,
            summary: "现场勘验、测量搭建面积并拍照".to_string(),
            touches: Vec::new(),
        };
        // 违法建设 is on the 重大执法决定法制审核目录: the 法制审核 by 刘法制's account and the
        // 集体讨论 its three members confirmed with their own accounts come before the decision.
        let review = C::LegalReview {
            at: at(77),
            reviewer_id: staff.lawyer.officer_id.clone(),
            passed: true,
            opinion: "事实清楚，证据确凿，程序合法，适用依据正确，裁量适当，同意".to_string(),
            password: staff.password.clone(),
        };
        let (record, members, _) = self.at_time(at(74)).discussion(staff, &id, &format!("罚款{yuan_text}元")).await?;
        let discuss = C::Discuss { at: at(74), members, conclusion: fine, record, password: staff.password.clone() };
        let steps = vec![
            C::File {
                approval: filing,
                filed_at: at(90),
                violation_ended: today.plus_days(-100 - p.back),
                grave: false,
            },
            C::Investigate(act),
            C::RecordEvidence(liuhen_core::evidence::Item {
                label: "现场勘验笔录".to_string(),
                at: at(88),
                body: liuhen_core::evidence::Body::SiteRecord(liuhen_core::evidence::SiteRecord {
                    place: p.party.2.to_string(),
                    findings: "未经批准搭建彩钢房一间，实测 18 平方米，现场拍照 12 张".to_string(),
                    officers: vec![ids[0].clone(), ids[1].clone()],
                    party_signed: true,
                    no_signature_reason: String::new(),
                    witnesses: vec![],
                    // Two pages, the party's thumbprint across them (办法第十四条).
                    pages: liuhen_core::evidence::CrossPages { pages: 2, cross_page_sealed: true },
                }),
            }),
            C::Conclude(Report {
                facts: "当事人未经批准搭建彩钢房 18 平方米".to_string(),
                evidence: vec!["现场勘验笔录".to_string()],
                legal_basis: "《城乡规划法》第六十五条".to_string(),
                discretion: "面积较小，按裁量基准处罚".to_string(),
                proposal: fine,
            }),
            C::Propose { at: at(78), unit, proposal: fine, password: staff.password.clone() },
            review,
            C::ServeNotice(Notice {
                served_at: at(75),
                service: handed(ids, name, &format!("行政处罚事先告知书（栗街罚告〔{y}〕{no}号）"), at(75)),
                penalty: fine,
                facts: "未经批准搭建彩钢房".to_string(),
                reasons: "违反乡村建设规划管理规定".to_string(),
                legal_basis: "《城乡规划法》第六十五条".to_string(),
                hearing_right_told: true,
                statement_days: 5,
            }),
            discuss,
            C::Waive(liuhen_core::penalty::Waiver { at: at(74), signed_statement: true, av_ref: String::new() }),
            C::Decide {
                at: at(72),
                approver: handling.approver,
                doc: DecisionDoc {
                    doc_no: format!("栗街罚决〔{y}〕{no}号"),
                    penalty: fine,
                    facts: "未经批准搭建彩钢房 18 平方米".to_string(),
                    legal_basis: "《城乡规划法》第六十四条、第六十五条".to_string(),
                    performance_days: 15,
                    relief_route_stated: true,
                    sealed: true,
                    hearing_transcript: String::new(),
                    order: p.order.clone(),
                },
                late_explanation: String::new(),
            },
            C::Serve(handed(ids, name, &format!("行政处罚决定书（栗街罚决〔{y}〕{no}号）"), at(71))),
        ];
        let n = steps.len() as u64;
        for (version, cmd) in steps.into_iter().enumerate() {
            // Each step by the account whose step it is.
            let actor = match cmd {
                C::Propose { .. } => &staff.li,
                C::LegalReview { .. } => &staff.lawyer,
                C::Discuss { .. } => &staff.head,
                _ => admin,
            };
            self.ordinary_command(actor, &id, version as u64 + 1, cmd, None).await?;
        }
        Ok((id, n + 1))
    }

    async fn seed_other_kinds(&self, staff: &Staff, ids: &[String], today: Date) -> Result<(), AppError> {
        use liuhen_core::coercion::{Checklist, Kind as MeasureKind, Measure, MeasureDoc};
        use liuhen_core::licence::Application;
        use liuhen_core::penalty::{HearingThresholds, Lead};
        use serde_json::json;
        let admin = &staff.head;
        let y = today.year();
        let at = |days_ago: i64| today.plus_days(-days_ago).start().plus_hours(9);
        let act = |t: Timestamp| ActInput {
            at: t,
            place: "栗乡街道".to_string(),
            officers: vec![(ids[0].clone(), Some(t)), (ids[1].clone(), Some(t))],
            recording_announced: true,
            problems_found: true,
            summary: "现场检查、拍照取证".to_string(),
            touches: Vec::new(),
        };
        // 行政处罚（普通程序）: filed ten days ago, investigating.
        let lead = Lead {
            id: uuid::Uuid::now_v7().to_string(),
            case_no: format!("栗街罚〔{y}〕21号"),
            matter: "违法建设".to_string(),
            party_kind: PartyKind::Citizen,
            initiation: Initiation {
                source: Source::Complaint,
                reason: "群众举报院内违法搭建".to_string(),
                received_at: at(12),
            },
            major: false,
            thresholds: HearingThresholds::default(),
            entrusted: None,
            party: None,
        };
        let r = self.register_lead(&staff.wang, lead.clone()).await?;
        let filing = json!({"cause": "违法建设", "party": "待查", "source": "群众举报",
            "facts": "群众举报院内违法搭建彩钢房。", "provisions": "《中华人民共和国城乡规划法》第四十条"});
        let approval = self
            .at_time(at(11))
            .approve_form(
                staff,
                &r.id,
                "D02",
                filing.clone(),
                ["建议立案调查", "同意立案", "同意立案"],
                "举报线索具体，经初步核实存在违法搭建",
            )
            .await?;
        use super::ordinary::OrdinaryCommand;
        self.ordinary_command(
            admin,
            &r.id,
            1,
            OrdinaryCommand::File { approval, filed_at: at(10), violation_ended: today.plus_days(-20), grave: false },
            None,
        )
        .await?;
        self.ordinary_command(admin, &r.id, 2, OrdinaryCommand::Investigate(act(at(8))), None).await?;
        use liuhen_core::evidence::{Body, Inquiry, Item};
        let inquiry = Item {
            label: "询问笔录（当事人）".to_string(),
            at: at(8).plus_hours(2),
            body: Body::Inquiry(Inquiry {
                ended_at: at(8).plus_hours(3),
                place: "栗乡街道办事处询问室".to_string(),
                inquirers: vec![ids[0].clone(), ids[1].clone()],
                recorder: ids[1].clone(),
                interviewee: "当事人本人".to_string(),
                relation: "当事人".to_string(),
                rights_told: true,
                questions_and_answers: "问：院内彩钢房何时搭建？答：今年七月。".to_string(),
                confirmed: true,
                signed_every_page: true,
                refusal: None,
                pages: liuhen_core::evidence::CrossPages::default(),
            }),
        };
        self.ordinary_command(admin, &r.id, 3, OrdinaryCommand::RecordEvidence(inquiry), None).await?;
        // Materials registered for preservation and not yet handled: T-04 runs (行政处罚法第五十六条),
        // on the 先行登记保存证据审批表 the 负责人 approved beforehand with their own account.
        let form = json!({"cause": "违法建设", "party": "待查", "reason": "彩钢板已部分拆下，可能被转移，证据可能灭失",
            "items": "彩钢夹芯板 20 块；角钢 6 根"});
        let approval =
            self.approve_form(staff, &r.id, "D18a", form, ["建议先行登记保存", "同意", "同意"], "证据可能灭失").await?;
        let now = self.clock.now();
        let preserved = Item {
            label: "先行登记保存（彩钢板）".to_string(),
            at: now,
            body: Body::Preservation(liuhen_core::evidence::Preservation {
                approved_by: approval.approver.by,
                approved_at: now,
                items: vec!["彩钢夹芯板 20 块".to_string(), "角钢 6 根".to_string()],
                notice_served: true,
            }),
        };
        self.ordinary_command(admin, &r.id, 4, OrdinaryCommand::RecordEvidence(preserved), None).await?;
        // A recusal request the head has yet to decide.
        let recusal = OrdinaryCommand::RequestRecusal {
            at: at(7),
            officer: ids[0].clone(),
            reason: "当事人称执法人员与其有邻里纠纷".to_string(),
        };
        self.ordinary_command(admin, &r.id, 5, recusal, None).await?;
        // A lead whose 立案审批表 waits for the 承办机构负责人 (李华's 审批待办).
        let pending = Lead {
            id: uuid::Uuid::now_v7().to_string(),
            case_no: format!("栗街罚〔{y}〕22号"),
            initiation: Initiation { received_at: at(2), ..lead.initiation.clone() },
            ..lead
        };
        let r = self.register_lead(&staff.wang, pending).await?;
        let d = self.create_document(&staff.wang, &r.id, &json!({"code": "D02", "fields": filing})).await?;
        let cmd = json!({"type": "approve", "step": "handler", "opinion": "建议立案调查", "content_hash": d["content_hash"],
            "password": staff.password,
            "reason": "举报线索具体，经初步核实存在违法搭建"});
        self.document_command(&staff.wang, d["id"].as_str().unwrap_or_default(), &cmd).await?;
        // 行政许可: accepted 35 days ago, no decision yet (overdue).
        let app = Application {
            id: uuid::Uuid::now_v7().to_string(),
            case_no: format!("栗街许〔{y}〕5号"),
            matter: "临时占用道路审批".to_string(),
            received_at: at(36),
            materials: vec!["申请书".to_string(), "营业执照复印件".to_string(), "占道平面图".to_string()],
            receipt_issued: true,
            entrusted: None,
            applicant: Some(Party {
                kind: PartyType::LegalPerson,
                name: "迁西县某某商贸有限公司".to_string(),
                id_type: String::new(),
                id_number: String::new(),
                uscc: "91130227MA0A1B2C3A".to_string(),
                legal_rep: "王某".to_string(),
                address: "迁西县栗乡街道迁安路 12 号".to_string(),
                phone: "0315-5600000".to_string(),
                service_address: None,
            }),
            renewal: None,
        };
        let r = self.apply_for_licence(admin, app).await?;
        use super::licence::LicenceCommand;
        self.licence_command(admin, &r.id, 1, LicenceCommand::Accept { at: at(35), voucher_sealed: true }, None)
            .await?;
        // 行政强制措施: a seizure executed 29 days ago with a 30-day term (due soon).
        let m = Measure {
            id: uuid::Uuid::now_v7().to_string(),
            case_no: format!("栗街强〔{y}〕3号"),
            matter: "扣押占道经营物品".to_string(),
            kind: MeasureKind::Seize,
            items: vec!["三轮车一辆".to_string(), "货架两个".to_string()],
            reason: "经责令仍占道经营".to_string(),
            legal_basis: "《河北省城乡市容和环境卫生条例》".to_string(),
            entrusted: None,
            party: Some(Party {
                kind: PartyType::NaturalPerson,
                name: "吴某某".to_string(),
                id_type: liuhen_core::party::RESIDENT_ID_CARD.to_string(),
                id_number: "130227198005120033".to_string(),
                uscc: String::new(),
                legal_rep: String::new(),
                address: "迁西县栗乡街道迁安路 6 号".to_string(),
                phone: String::new(),
                service_address: None,
            }),
            property: liuhen_core::coercion::PropertyCheck {
                related_to_case: true,
                necessities_excluded: true,
                not_sealed_elsewhere: true,
            },
        };
        let r = self.propose_measure(admin, m).await?;
        use super::coercion::CoercionCommand;
        // Approved the day before it was carried out (the demo's story is back-dated).
        let head = liuhen_core::penalty::Opinion {
            date: at(30).shanghai_date(),
            ..self.signer(admin, &r.id, &[]).await?.opinion(
                super::policy::Role::Approver,
                "批准行政强制措施",
                "同意扣押",
            )?
        };
        let sign = super::signer::StepSign { step: "approve".into(), password: staff.password.clone() };
        self.coercion_command(admin, &r.id, 1, CoercionCommand::Approve { approver: head }, Some(&sign)).await?;
        let checklist = Checklist {
            party_notified: true,
            reasons_and_rights_told: true,
            statements_heard: true,
            record_signed: true,
        };
        let doc = MeasureDoc { term_days: 30, sealed: true, relief_told: true, inventory_copies: 2, handed_over: true };
        self.coercion_command(
            admin,
            &r.id,
            2,
            CoercionCommand::Execute { act: act(at(29)), emergency: false, checklist, doc, av_full: true },
            None,
        )
        .await?;
        Ok(())
    }
}

/// The demo's accounts that take the steps of an approval: the 承办人 (王明), the
/// 承办机构负责人 (李华) and the 负责人.
struct Staff {
    /// The demo accounts' shared password: what each signs with (their own SM2 key opens
    /// only with it).
    password: String,
    head: UserRecord,
    wang: UserRecord,
    li: UserRecord,
    /// The 法制审核人员 (刘法制, with the 法律职业资格).
    lawyer: UserRecord,
    /// The other two heads of the collective discussion besides the 负责人.
    members: [UserRecord; 2],
}

/// A demo penalty case: its number, party (name, 居民身份证号码, address), how many days before
/// the unpaid-fine case's dates it runs, the fine and any order.
struct DemoPenalty {
    no: u32,
    party: (&'static str, &'static str, &'static str),
    back: i64,
    fine_yuan: u64,
    order: Option<liuhen_core::penalty::Order>,
}

/// A document handed to `name` at the office, two officers (the first two of `ids`) serving,
/// signed for.
/// An on-the-spot penalty's steps from its act at `t`: heard, decided on pre-numbered form
/// `form_no` signed by `signed_by`, delivered, filed the next day, and closed if `close`.
pub(super) fn summary_steps(
    t: Timestamp,
    form_no: String,
    penalty: Penalty,
    signed_by: Vec<String>,
    close: bool,
) -> Vec<SummaryCommand> {
    let mut cmds = vec![
        SummaryCommand::Hear {
            at: t, rights_told: true, statement: "当事人表示马上整改".to_string(), waived: false
        },
        SummaryCommand::IssueDecision {
            at: t,
            form_no,
            penalty,
            legal_basis: "《河北省城乡市容和环境卫生条例》".to_string(),
            signed_by,
        },
        SummaryCommand::Deliver { at: t, party_signed: true, refusal_signed_by: vec![] },
        SummaryCommand::Record { at: Timestamp(t.0 + 24 * HOUR_MS) },
    ];
    if close {
        cmds.push(SummaryCommand::Close { at: Timestamp(t.0 + 48 * HOUR_MS) });
    }
    cmds
}

fn handed(ids: &[String], name: &str, document: &str, t: Timestamp) -> liuhen_core::service::Service {
    use liuhen_core::service::{Method, Service};
    Service {
        document: document.to_string(),
        recipient: name.to_string(),
        at: t,
        place: "栗乡街道办事处".to_string(),
        method: Method::Direct { receiver: name.to_string(), relation: String::new() },
        servers: ids.iter().take(2).cloned().collect(),
        recipient_signed: true,
    }
}

/// The demo's accounts: username, roles, the officer they are (index into the demo officers),
/// and their unit.
pub const DEMO_USERS: [(&str, &str, Option<usize>, &str, &str); 9] = [
    ("zhangzhuren", "approver,discussion_member", None, "栗乡街道综合行政执法办公室", "张主任"),
    ("wangming", "officer", Some(0), "栗乡街道综合行政执法办公室", ""),
    ("lihua", "officer,unit_head", Some(1), "栗乡街道综合行政执法办公室", ""),
    ("liufazhi", "legal_reviewer", Some(4), "栗乡街道党政综合办公室", ""),
    ("wangfuzhuren", "discussion_member", None, "栗乡街道办事处", "王副主任"),
    ("liufuzhuren", "discussion_member", None, "栗乡街道办事处", "刘副主任"),
    ("dangan", "archivist", None, "栗乡街道党政综合办公室", "档案员赵某"),
    ("shebei", "device_admin", None, "栗乡街道党政综合办公室", "设备管理员钱某"),
    ("jiandu", "supervisor", None, "迁西县司法局", "司法局孙某"),
];
