//! The API described as OpenAPI 3.1 (`GET /api/openapi.json`) and a reference page rendered from
//! it in the browser (`GET /api/docs`), served from the binary with no CDN.

use axum::Json;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use serde_json::{Map, Value, json};

pub use crate::app::requests::COMMANDS;

/// The schemas of what the server parses, generated from the very types it parses requests
/// into (schemars), so that the description and the parser cannot drift: the application's
/// requests (`app::requests`) and the API's own bodies.
pub fn generated() -> Map<String, Value> {
    use super::{av, cases, documents, publication, session, users};
    let mut g = crate::app::requests::generator();
    crate::app::requests::add_forms(&mut g);
    macro_rules! each {
        ($($t:ty),* $(,)?) => { $( g.subschema_for::<$t>(); )* };
    }
    each!(
        cases::ClassForm,
        documents::NewDocumentForm,
        documents::DocumentCommandForm,
        users::UserForm,
        users::GrantForm,
        users::TokenForm,
        session::LoginForm,
        session::PasswordForm,
        session::CodeForm,
        session::SigningKeyForm,
        session::CredentialsForm,
        publication::PublicationForm,
        publication::StatisticsForm,
        super::archive::CaseFileForm,
        av::DisposalForm,
        av::LinkForm,
        av::InterruptionForm,
        av::UnrecordedForm,
        av::ClipForm,
        super::uploads::PlaybackForm,
        super::devices::DeviceForm,
    );
    let mut defs = g.take_definitions(true);
    crate::app::requests::discriminate(&mut defs);
    if let Some(Value::Object(o)) = defs.get_mut("DocumentCommand") {
        o.insert("discriminator".into(), json!({"propertyName": "type"}));
    }
    defs.insert(
        "Command".into(),
        json!({"type": "object", "required": ["expected_version", "command"],
            "description": "案件命令。command 的种类取决于案件类型（case_type）：x-case-types 给出每种案件类型所用的命令结构，每种命令以 type 区分。嵌套约定：执法活动在 act 下，证据在 item 下，听证在 hearing 下，当事人在 party 下，送达回证在 service 下，命令制作的决定书、告知书、催告书、申请书在 doc 下；其余为命令自身字段。审批、签发、签名的人员取自办理的账号，不由请求填写。",
            "x-case-types": COMMANDS.iter().map(|(t, n)| (t.to_string(), json!(format!("#/components/schemas/{n}")))).collect::<Map<_, _>>(),
            "properties": {
                "expected_version": {"type": "integer", "minimum": 0, "description": "乐观并发：案件当前版本，不符则 409 CONFLICT"},
                "command": {"anyOf": COMMANDS.iter().map(|(_, n)| r(n)).collect::<Vec<_>>()},
            }}),
    );
    defs
}

/// Lays the generated schemas over the hand-written ones: the structure is the generated one;
/// a hand-written description (of the schema or of a property) is kept where it adds words.
fn overlay(schemas: &mut Map<String, Value>) {
    for (name, mut gen_schema) in generated() {
        if let Some(hand) = schemas.get(&name) {
            if let Some(d) = hand.get("description") {
                gen_schema["description"] = d.clone();
            }
            if let (Some(hp), Some(Value::Object(gp))) =
                (hand.get("properties").and_then(Value::as_object), gen_schema.get_mut("properties"))
            {
                for (k, v) in hp {
                    if let (Some(d), Some(Value::Object(g))) = (v.get("description"), gp.get_mut(k)) {
                        g.insert("description".into(), d.clone());
                    }
                }
            }
        }
        describe_fields(&mut gen_schema);
        crate::app::requests::described::constrain(&mut gen_schema);
        schemas.insert(name, gen_schema);
    }
}

/// Gives each property without a description of its own the glossary's words for it.
fn describe_fields(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Object(props)) = o.get_mut("properties") {
                for (k, p) in props.iter_mut() {
                    if let Value::Object(p) = p
                        && !p.contains_key("description")
                        && let Some(d) = super::glossary::describe(k)
                    {
                        p.insert("description".into(), json!(d));
                    }
                }
            }
            o.values_mut().for_each(describe_fields);
        }
        Value::Array(a) => a.iter_mut().for_each(describe_fields),
        _ => {}
    }
}

fn err(desc: &str) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

fn ok(desc: &str, schema: Value) -> Value {
    json!({"description": desc, "content": {"application/json": {"schema": schema}}})
}

fn body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The parameters of a paged list: `limit`, `cursor`, and its filters (name, description).
/// The filters of a list's rows by the case each is of.
const CASE_FILTERS: &[(&str, &str)] = &[
    ("kind", "案件种类：inspection | summary_penalty | ordinary_penalty | licence | coercive_measure"),
    ("unit", "承办机构"),
    ("officer", "执法人员编号"),
    ("matter", "案由（权责清单所列名称）"),
];

fn list_params(filters: &[(&str, &str)]) -> Value {
    let mut p = vec![
        json!({"name": "limit", "in": "query", "required": false, "description": "每页条数（默认 50，至多 500）",
               "schema": {"type": "integer", "minimum": 1, "maximum": 500}}),
        json!({"name": "cursor", "in": "query", "required": false, "description": "上一页返回的 next_cursor（不透明）",
               "schema": {"type": "string"}}),
    ];
    for (name, description) in filters {
        p.push(json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}}));
    }
    Value::Array(p)
}

/// A path parameter `name`, and a page's.
fn path_and_page(name: &str) -> Value {
    let mut p = vec![json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}})];
    p.extend(list_params(&[]).as_array().cloned().unwrap_or_default());
    Value::Array(p)
}

/// A page of `items` under `key`, with the cursor of the next page (`null` on the last).
fn page_of(items: Value, key: &str) -> Value {
    json!({"type": "object", "required": [key, "next_cursor"], "properties": {
        key: {"type": "array", "items": items},
        "next_cursor": {"type": ["string", "null"], "description": "下一页的 cursor；最后一页为 null"}}})
}

fn op(summary: &str, description: &str, responses: Value) -> Value {
    json!({"summary": summary, "description": description, "security": [{"bearer": []}], "responses": responses})
}

/// The document. Every route of the router is here (a test checks it).
pub fn document() -> Value {
    let auth_errors = |mut v: Value| {
        v["401"] = err("未登录 (AUTH_REQUIRED)");
        v
    };
    let case_path_param = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    let record_params = json!([
        {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
        {"name": "kind", "in": "path", "required": true, "schema": {"type": "string", "enum": ["act", "evidence"]}},
        {"name": "n", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}},
    ]);
    // A document is a record of its case too (`document/{文书 id}`), classed as the others are.
    let class_params = json!([
        {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
        {"name": "kind", "in": "path", "required": true, "schema": {"type": "string", "enum": ["act", "evidence", "document"]},
         "description": "act 现场执法记录、evidence 调查取证记录、document 执法文书"},
        {"name": "n", "in": "path", "required": true, "schema": {"type": "string"},
         "description": "act、evidence 为序号（0 起）；document 为文书 id"},
    ]);
    // A path parameter `id` described as `what`, then a list's paging and `filters`.
    let id_and_page = |what: &str, filters: &[(&str, &str)]| {
        let mut p = vec![
            json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": what}),
        ];
        p.extend(list_params(filters).as_array().cloned().unwrap_or_default());
        Value::Array(p)
    };
    let user_ledger_params = id_and_page("账号 ID", &[]);
    // A save over what its editor read (the ETag of the read).
    let if_match = json!({"name": "If-Match", "in": "header", "required": false,
        "description": "读取时响应头 ETag 的值（如 \"3\"）：其间已被他人保存的，返回 409", "schema": {"type": "string"}});
    let deadline_params = {
        let mut filters = vec![
            ("code", "期限种类（如 T-AV）"),
            (
                "status",
                "overdue 已逾期 | unknown 无法计算 | due_soon 即将到期 | pending 未到期 | upcoming 即将到期与未到期",
            ),
            ("from", "到期日不早于（YYYY-MM-DD）"),
            ("to", "到期日不晚于（YYYY-MM-DD）"),
        ];
        filters.extend_from_slice(CASE_FILTERS);
        list_params(&filters)
    };
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "留痕 liuhen API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "行政执法全过程记录系统。每一次状态变更都是防篡改日志中的一条记录；不符合法定程序的命令以 422 RULE_VIOLATION 拒绝，并列出每条规则及其条款。时间均为 Unix 毫秒（UTC），日期为 YYYY-MM-DD（北京时间）。",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "POST /api/session 返回的 token，或 liuhen_session Cookie"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                    "code": {"type": "string", "enum": crate::error::CODES.iter().chain(crate::error::UPLOAD_CODES).collect::<Vec<_>>()},
                    "message": {"type": "string", "description": "中文说明"},
                    "violations": {"type": "array", "items": r("Violation")},
                }}}},
                "Violation": {"type": "object", "properties": {
                    "rule": {"type": "string", "examples": ["R-001"]}, "severity": {"type": "string", "enum": ["block", "flag", "info"]},
                    "source": {"type": "string", "examples": ["办法第六条；行政处罚法第四十二条"]}, "requirement": {"type": "string"},
                    "field": {"type": "string"}, "detail": {"type": "string"}, "message": {"type": "string"},
                }},
                "Login": {"type": "object", "required": ["username", "password"], "properties": {"username": {"type": "string"}, "password": {"type": "string"}}},
                "Session": {"type": "object", "properties": {"token": {"type": "string"}, "user": r("User"), "expires_at": {"type": "integer"}, "entry": {"type": "integer", "description": "记录本次登录的日志序号"},
                    "receipt": r("Receipt")}},
                "Receipt": {"type": "object", "description": "日志对已确认写入的签名回执（liuhen-receipt/v1，见 docs/log-format.md）；每个写请求的响应头 Liuhen-Receipt 亦带有（base64），响应头 Liuhen-Entry 逐条给出本次请求写入的日志条目序号。用 liuhen verify --receipts 或 scripts/verify-receipt 核验",
                    "properties": {"index": {"type": "integer"}, "leaf": {"type": "string", "description": "叶哈希（十六进制）"},
                    "note": {"type": "string", "description": "本组写入的签名笔记（Ed25519）"}, "path": {"type": "array", "items": {"type": "string"}, "description": "组内包含证明"}}},
                "User": {"type": "object", "properties": {"id": {"type": "string"}, "username": {"type": "string"}, "role": {"type": "string"}, "must_change_password": {"type": "boolean"}}},
                "NewOfficer": {"type": "object", "required": ["name", "cert_no", "cert_valid_from", "cert_valid_to"], "properties": {
                    "name": {"type": "string"}, "cert_no": {"type": "string", "description": "行政执法证号"},
                    "cert_valid_from": {"type": "string", "format": "date"}, "cert_valid_to": {"type": "string", "format": "date"},
                    "cert_scope": {"type": "array", "items": {"type": "string", "enum": ["penalty", "licence", "coercion", "inspection"]}, "description": "执法证载明的执法类别；省略时为全部四类"},
                    "legal_qualification": {"type": "boolean", "description": "具有法律职业资格，可担任法制审核人员（行政处罚法第五十八条）"}}},
                "Officer": {"type": "object", "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "cert_no": {"type": "string"},
                    "cert_valid_from": {"type": "string"}, "cert_valid_to": {"type": "string"}, "cert_status": {"type": "string", "enum": ["active", "suspended", "revoked"]},
                    "cert_scope": {"type": "array", "items": {"type": "string"}}, "legal_qualification": {"type": "boolean"}}},
                "Service": {"type": "object", "required": ["document", "recipient", "at", "place", "servers", "recipient_signed", "method"], "description": "送达回证（办法第十七条），serve、serve_notice 与 issue_certificate 命令的 service。送达日期：邮寄以回执日期，公告以公告之日起满三十日，其余以 at 为准（R-081, R-083–R-088）。", "properties": {
                    "document": {"type": "string", "description": "送达文书名称及文号"}, "recipient": {"type": "string"}, "at": {"type": "integer"}, "place": {"type": "string"},
                    "servers": {"type": "array", "items": {"type": "string"}, "description": "送达人：已登记执法人员的编号（不是姓名）；未登记的为 422 UNKNOWN_REFERENCE"}, "recipient_signed": {"type": "boolean"},
                    "method": {"type": "object", "required": ["type"], "properties": {
                        "type": {"type": "string", "enum": ["direct", "lien", "entrusted", "postal", "electronic", "public_notice"]},
                        "receiver": {"type": "string"}, "relation": {"type": "string"}, "refusal_reason": {"type": "string"}, "witnesses": {"type": "array", "items": {"type": "string"}},
                        "av_ref": {"type": "string"}, "left_at_residence": {"type": "boolean"}, "agency": {"type": "string"}, "reason": {"type": "string"},
                        "tracking_no": {"type": "string"}, "return_receipt_at": {"type": ["integer", "null"]}, "returned_undelivered": {"type": "boolean"},
                        "consent_ref": {"type": "string"}, "channel": {"type": "string"}, "proof": {"type": "array", "items": {"type": "string"}},
                        "prior_attempts": {"type": "array", "items": {"type": "string"}}, "medium": {"type": "string"}, "published_at": {"type": "integer"}}}}},
                "EvidenceItem": {"type": "object", "required": ["type", "label", "at"], "description": "调查取证事项（办法第八条），record_evidence 命令的 item：询问笔录 (inquiry, R-020)、调取的证据 (collected, R-025, R-031)、现场检查（勘验）笔录 (site_record, R-024)、抽样取证凭证 (sampling, R-027)、检验检测检疫鉴定评审 (testing, R-029, R-030)、证人证言 (testimony, R-032)、先行登记保存 (preservation, R-028：事先批准、送达通知书及清单，七个工作日内以 handle_preservation 作出处理决定)。label 供调查终结报告引用。", "properties": {
                    "type": {"type": "string", "enum": ["inquiry", "site_record", "collected", "sampling", "testing", "testimony", "argumentation", "preservation"]}, "label": {"type": "string"}, "at": {"type": "integer"},
                    "ended_at": {"type": "integer"}, "place": {"type": "string"}, "inquirers": {"type": "array", "items": {"type": "string"}, "description": "执法人员 ID"},
                    "recorder": {"type": "string"}, "interviewee": {"type": "string"}, "relation": {"type": "string"}, "rights_told": {"type": "boolean"},
                    "questions_and_answers": {"type": "string"}, "confirmed": {"type": "boolean"}, "signed_every_page": {"type": "boolean"},
                    "kind": {"type": "string", "description": "collected：documentary, physical, audio_visual, electronic, witness, party_statement, expert_opinion, inspection, on_site；testing：inspection, testing, quarantine, appraisal, review"},
                    "source": {"type": "string"}, "original": {"type": "boolean"}, "copy_verified": {"type": "boolean"}, "lawfully_obtained": {"type": "boolean"},
                    "sample": {"type": "string"}, "batch": {"type": "string"}, "quantity": {"type": "string"}, "method": {"type": "string"},
                    "sealed": {"type": "boolean"}, "party_signed": {"type": "boolean"}, "officers": {"type": "array", "items": {"type": "string"}}, "copy_to_party": {"type": "boolean"},
                    "findings": {"type": "string"}, "no_signature_reason": {"type": "string"}, "witnesses": {"type": "array", "items": {"type": "string"}},
                    "institution": {"type": "string"}, "matter": {"type": "string"}, "result": {"type": "string"}, "result_notified": {"type": "boolean"}, "appraiser_qualified": {"type": "boolean"}, "signed_and_sealed": {"type": "boolean"},
                    "witness": {"type": "string"}, "age": {"type": ["integer", "null"]}, "sex": {"type": "string"}, "occupation": {"type": "string"}, "address": {"type": "string"}, "statement": {"type": "string"}, "signed": {"type": "boolean"}, "id_copy_attached": {"type": "boolean"},
                    "refusal": {"type": ["object", "null"], "description": "拒绝签字的注明（办法第十四条，R-021）", "properties": {"reason": {"type": "string"}, "noted_by": {"type": "array", "items": {"type": "string"}}}},
                    "approved_by": {"type": "string"}, "approved_at": {"type": "integer"}, "items": {"type": "array", "items": {"type": "string"}}, "notice_served": {"type": "boolean"},
                    "participants": {"type": "array", "items": {"type": "string"}, "description": "论证参加人员及身份（R-035）"}, "opinions": {"type": "string"}, "conclusion": {"type": "string"}, "signed_by_all": {"type": "boolean"}}},
                "Act": {"type": "object", "required": ["at", "place", "officers", "recording_announced", "problems_found"], "description": "一次现场执法活动（办法第六条、第八条）", "properties": {
                    "at": {"type": "integer"}, "place": {"type": "string"}, "summary": {"type": "string"},
                    "officers": {"type": "array", "items": {"type": "object", "required": ["officer_id"], "properties": {"officer_id": {"type": "string"}, "id_shown_at": {"type": ["integer", "null"], "description": "出示执法证件的时间"}}}},
                    "touches": {"type": "array", "items": {"type": "string", "enum": ["personal_liberty", "life_health", "major_property"]}, "description": "直接涉及人身自由、生命健康、重大财产权益：该活动须全程音像记录（办法第十九条），未覆盖时在案件音像记录中提示 R-140"},
                    "recording_announced": {"type": "boolean", "description": "已告知当事人开启执法记录（办法第六条第二款）"},
                    "problems_found": {"type": "boolean"}}},
                "Penalty": {"type": "object", "required": ["kind"], "description": "处罚种类（行政处罚法第九条），用于 issue_decision.doc、conclude.proposal、serve_notice、decide.doc；罚款、没收须填金额（分）。简易程序只能警告或小额罚款（R-067a）；除警告和未达较大数额的罚款、没收外，均须告知听证权利（R-042，行政处罚法第六十三条）。",
                    "properties": {"kind": {"type": "string", "enum": ["warning", "fine", "confiscation", "suspend_licence", "lower_qualification", "revoke_licence", "restrict_business", "suspend_business", "order_closure", "restrict_practice"]},
                    "amount_fen": {"type": "integer"}}},
                "Agency": {"type": "object", "required": ["name", "uscc"], "properties": {
                    "name": {"type": "string"}, "uscc": {"type": "string", "description": "统一社会信用代码（GB 32100 校验）"},
                    "has_enforcement_power": {"type": "boolean", "description": "依法享有行政强制执行权（行政强制法第十三条）"},
                    "seals": {"type": "array", "items": {"type": "object", "properties": {"kind": {"type": "string"}, "valid_from": {"type": "string", "format": "date"}, "valid_to": {"type": "string", "format": "date"}}}}}},
                "Party": {"type": "object", "description": "当事人（R-016）：自然人填身份证件种类和号码（居民身份证号码须通过校验），法人或其他组织填统一社会信用代码和法定代表人；查看案件时身份证号码和电话部分隐藏。",
                    "required": ["kind", "name", "address"], "properties": {
                    "kind": {"type": "string", "enum": ["natural_person", "legal_person", "other_org"]}, "name": {"type": "string"},
                    "id_type": {"type": "string", "description": "居民身份证、护照……"}, "id_number": {"type": "string"}, "uscc": {"type": "string"},
                    "legal_rep": {"type": "string"}, "address": {"type": "string"}, "phone": {"type": "string"},
                    "service_address": {"type": ["object", "null"], "description": "送达地址确认书", "properties": {"address": {"type": "string"}, "e_service_consent": {"type": "boolean"}, "channel": {"type": "string"}}}}},
                "Entrustment": {"type": "object", "description": "委托书（办法第三十一条；行政处罚法第二十条；行政许可法第二十四条）。行政强制措施不得委托（R-009）。",
                    "required": ["letter_no", "entrusting_agency", "entrusted_org", "kinds", "matters", "valid_from", "valid_to", "published"], "properties": {
                    "letter_no": {"type": "string"}, "entrusting_agency": {"type": "string", "description": "委托机关"}, "entrusted_org": {"type": "string", "description": "受委托组织"},
                    "kinds": {"type": "array", "items": {"type": "string", "enum": ["penalty", "licence", "coercion", "inspection"]}},
                    "matters": {"type": "array", "items": {"type": "string"}}, "valid_from": {"type": "string", "format": "date"}, "valid_to": {"type": "string", "format": "date"},
                    "published": {"type": "boolean", "description": "已向社会公布"}}},
                "OpenInspection": {"type": "object", "required": ["case_no", "matter", "kind", "basis", "source", "reason", "received_at"], "properties": {
                    "case_no": {"type": "string"}, "matter": {"type": "string"}, "kind": {"type": "string", "enum": ["routine", "random", "triggered", "special"]},
                    "basis": {"type": "string", "description": "检查计划、审批或检查原因（R-120a）"},
                    "source": {"type": "string", "enum": ["inspection", "complaint", "assigned", "transferred", "monitoring", "other"]},
                    "reason": {"type": "string", "description": "启动原因（办法第七条，R-010）"}, "received_at": {"type": "integer"}, "entrustment": r("Entrustment"), "party": r("Party")}},
                "StartSummaryPenalty": {"type": "object", "required": ["case_no", "matter", "party_kind", "facts", "act"], "properties": {
                    "case_no": {"type": "string"}, "matter": {"type": "string"}, "party_kind": {"type": "string", "enum": ["citizen", "organisation"]},
                    "facts": {"type": "string"}, "act": r("Act"), "entrustment": r("Entrustment"), "party": r("Party")}},
                "Matter": {"type": "object", "required": ["code", "name", "kind", "legal_basis"], "properties": {
                    "code": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string", "enum": ["penalty", "licence", "coercion", "inspection"]},
                    "legal_basis": {"type": "string"}, "av_mandatory": {"type": "boolean"}, "major_decision_review": {"type": "boolean"},
                    "hearing_threshold_citizen_fen": {"type": "integer"}, "hearing_threshold_organisation_fen": {"type": "integer"}, "summary_allowed": {"type": "boolean"}}},
                "Measure": {"type": "object", "required": ["case_no", "matter", "kind", "items", "reason", "legal_basis"], "properties": {
                    "case_no": {"type": "string"}, "matter": {"type": "string"}, "kind": {"type": "string", "enum": ["seal", "seize"]},
                    "items": {"type": "array", "items": {"type": "string"}}, "reason": {"type": "string"}, "legal_basis": {"type": "string"}, "entrustment": r("Entrustment"), "party": r("Party")}},
                "Application": {"type": "object", "required": ["case_no", "matter", "received_at", "materials", "receipt_issued"], "properties": {
                    "case_no": {"type": "string"}, "matter": {"type": "string"}, "received_at": {"type": "integer"},
                    "materials": {"type": "array", "items": {"type": "string"}}, "receipt_issued": {"type": "boolean", "description": "已出具收件凭证"}, "entrustment": r("Entrustment"), "applicant": r("Party")}},
                "RegisterLead": {"type": "object", "required": ["case_no", "matter", "party_kind", "source", "reason", "received_at"], "properties": {
                    "case_no": {"type": "string"}, "matter": {"type": "string"}, "party_kind": {"type": "string", "enum": ["citizen", "organisation"]},
                    "source": {"type": "string"}, "reason": {"type": "string"}, "received_at": {"type": "integer"},
                    "major": {"type": "boolean", "description": "另行标记为重大案件（须法制审核和集体讨论）；事项列入重大执法决定法制审核目录的，不论此项均为重大案件"},
                    "matter_code": {"type": "string", "description": "权责清单事项编码；未给出时按 matter 名称查找。不在权责清单或类别不符的，422 R-010a"},
                    "entrustment": r("Entrustment"), "party": r("Party")}},
                "CaseSummary": {"type": "object", "description": "案件列表的一行：不含案件的记录（记录须经案件视图查阅，按密级隐去并记入查阅台账）",
                    "required": ["id", "case_no", "case_type", "type_label", "state", "state_label", "defects", "version", "matter", "party", "unit", "opened_at", "updated_at", "confidentiality", "next_commands"],
                    "properties": {"id": {"type": "string"}, "case_no": {"type": "string"},
                    "case_type": {"type": "string", "enum": ["inspection", "summary_penalty", "ordinary_penalty", "licence", "coercive_measure"]}, "type_label": {"type": "string"},
                    "state": {"type": "string"}, "state_label": {"type": "string"}, "defects": {"type": "integer", "description": "规则发现的案卷缺陷数"}, "version": {"type": "integer"},
                    "matter": {"type": "string"}, "party": {"type": "string", "description": "当事人名称（身份证件号码、联系方式见案件视图）"}, "unit": {"type": "string"},
                    "opened_at": {"type": "integer"}, "updated_at": {"type": "integer"},
                    "confidentiality": {"type": "string", "enum": ["public", "internal", "commercial_secret", "personal_privacy"]},
                    "next_commands": {"type": "array", "items": {"type": "string"}}}},
                "Case": {"allOf": [r("CaseSummary"), {"type": "object", "required": ["data"], "properties": {
                    "data": {"type": "object", "description": "案件的投影：查看人不可查看的记录以“已隐去”代替，身份证件号码、电话遮蔽"},
                    "next_commands": {"type": "array", "items": {"type": "string"}, "description": "当前状态下可办理的命令（type），已办理且不得重复的环节（拟作出决定、已通过且其后无听证的法制审核）除外；当前状态不允许的命令以 409 INVALID_STATE 拒绝，并说明当前可办理的事项"}}}]},
                "CaseWithTimeline": {"allOf": [r("Case"), {"type": "object", "properties": {"timeline": {"type": "array", "items": {"type": "object",
                    "properties": {"index": {"type": "integer", "description": "日志条目序号"}, "time": {"type": "integer"}, "actor": {"type": "string"},
                        "action": {"type": "string"}, "body": {"type": "object", "description": "日志中公开的部分（不含个人信息，详情为承诺值）"},
                        "recorded": {"type": ["object", "null"], "description": "该步骤在承诺值后记录的程序内容：步骤时间 at（毫秒）；经本人密钥签名的步骤（拟作出决定 proposal、法制审核 passed、集体讨论 conclusion/members/record）连同 person、key_id、signature，足以重建签名语句并以 OpenSSL 验证；审批链（approval：handler/reviewer/approver，各含 by 姓名、person 账号、opinion 意见、date 日期）、approver、unit、法制审核（reviewer、passed、opinion）、集体讨论成员 members、回避决定（by、granted）、听证（host、hearing_on、transcript_no、public、agents）、doc_no 文号、receipt_no 缴款凭证；不含当事人身份信息和证据内容"}}}}}}]},
                "Account": {"type": "object", "properties": {"id": {"type": "string"}, "username": {"type": "string"},
                    "roles": {"type": "array", "items": {"type": "string"}}, "role_labels": {"type": "array", "items": {"type": "string"}},
                    "officer_id": {"type": "string"}, "unit": {"type": "string"}, "must_change_password": {"type": "boolean"},
                    "pending_roles": {"type": "array", "items": {"type": "string"}, "description": "系统管理员授予、待负责人批准的可查看案件内容的角色（尚未生效）"}}},
                "NewAccount": {"type": "object", "required": ["username", "roles", "password"], "properties": {"username": {"type": "string"},
                    "roles": {"type": "string"}, "password": {"type": "string", "minLength": 12}, "officer_id": {"type": "string"}, "unit": {"type": "string"}}},
                "PartyAccess": {"type": "object", "properties": {"id": {"type": "string"}, "state": {"type": "string", "enum": ["requested", "approved", "denied", "delivered", "receipted"]},
                    "mode": {"type": "string", "enum": ["view", "copy"]}, "requester": {"type": "string"}, "records": {"type": "string"}, "steps": {"type": "array", "items": {"type": "object"}}}},
                "LedgerLine": {"type": "object", "properties": {"index": {"type": "integer", "description": "日志序号"}, "time": {"type": "integer"},
                    "actor": {"type": "string"}, "access": {"type": "string", "enum": ["view", "download", "export", "print"]}, "what": {"type": "string"}, "record": {"type": "string", "description": "单项记录的编号（如 evidence/0），查阅整个案件的为空"}, "purpose": {"type": "string"}}},
                "Deadline": {"type": "object", "properties": {"case_id": {"type": "string"}, "case_no": {"type": "string"}, "code": {"type": "string"},
                    "label": {"type": "string"}, "source": {"type": "string"}, "due": {"type": "integer"},
                    "status": {"type": "string", "enum": ["overdue", "unknown", "due_soon", "pending"]}, "status_label": {"type": "string"}}},
            },
        },
        "paths": {
            "/api/cases/{id}/publication": {"get": {"summary": "公示预览：公示本案决定将发布的内容", "description": "逐字返回公示时将发布的内容（preview；尚无可公示的决定时为 null）及公示状态（status）。自然人只显示姓氏，身份证件号码、电话（七位以上数字）和住址已隐去；记录中没有的第三人姓名（证人等）系统无法识别，负责人核对后在公示时以 mask 列出。",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "公示预览与状态"}, "404": err("无此案件")}},
                "post": {"summary": "行政执法公示：公示或撤回本案决定", "description": "由负责人办理（否则 403 NOT_YOUR_STEP）。action=publish 公示已作出的行政处罚决定或行政许可决定（自决定之日起七个工作日内，国办发〔2018〕118号），或已实施的查封、扣押决定（二十个工作日内）；逾期记为 on_time=false；公示时 mask 列出预览中须另行隐去的他人姓名或名称（如证人，隐去为“姓+某某”）；action=withdraw 撤回，须写明理由（reason，决定被变更、撤销等情况，三个工作日内）。公示与撤回均记入日志；公示内容中自然人只显示姓氏，不含身份证件号码、电话和住址。未公示的决定、已公示而被变更或撤销却未撤回的决定在期限列表中显示 T-PUB（R-170）。",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": body(r("Publication")),
                "responses": {"200": {"description": "本案的公示记录"}, "400": err("请求有误"), "403": err("不是负责人 (NOT_YOUR_STEP)"), "404": err("无此案件"), "409": err("已公示 (DUPLICATE)；尚无可公示的决定、没有在公示中的决定或已撤回 (INVALID_STATE)"), "422": err("撤回未说明理由 (UNPROCESSABLE)")}}},
            "/api/cases/{id}/archive": {"get": {"summary": "案卷：归档情况与尚缺材料", "description": "本案案卷的状态（state：open 未移交、handed_over 已移交待归档、filed 已归档）、归档期限（due：结案之日起三十日，办法第二十五条，R-150）、按规则列出的尚缺材料（problems：未结案、案件实际经过的程序所要求的文书缺少或未定稿、须盖章的文书未签发（R-152）、须音像记录的活动未关联音像记录（R-140））、该类案卷最短保管期限（least_retention）及按现有文书生成的卷内目录（toc：按法律文书、证据、执行的顺序，页号连续）。能查看本案的人员和档案管理员可查看。",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "案卷情况"}, "404": err("无此案件")}},
                "post": {"summary": "移交归档或归档", "description": "action=hand_over：案件结案后由本案承办人员以本人账号移交（note 为移交说明）；案卷尚缺材料时拒绝（422 RULE_VIOLATION，逐条列出规则和所缺内容）。action=file：档案管理员归档，再次检查案卷，确定保管期限（retention：Y 永久、D30 定期30年、D10 定期10年，不得短于该类案卷的默认期限，R-153）并给出档号（全宗号-年度-保管期限-件号，件号在同一全宗、年度、保管期限内连续），卷内目录和备考表随归档记入日志；超过三十日归档的记为 R-150 缺陷。归档前对案卷进行四性检测（R-154，DA/T 70）：重新读取每份文书的 PDF 和每条音像记录并与日志所载 SHA-256 核对、核验电子印章、将本案日志条目证明到当即签署的检查点、核对件号页号连续和文件格式，任一项不通过即拒绝（422 RULE_VIOLATION，逐项写明）；检测报告随归档记入日志（checked）。归档后不能再移交或归档（409 DUPLICATE）。action=hold / release：负责人对已归档案卷依法保全或解除保全（reason 写明理由，如复议、诉讼、调查或法院要求），保全期间其音像记录一律不得销毁（办法第二十六条）。action=note：档案管理员在归档后添加备考（note 写明情况，如更正、后补材料、法院裁判），作为新的日志条目，不改动已归档的案卷。",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": body(r("CaseFileStep")),
                "responses": {"200": {"description": "本案的案卷记录"}, "400": err("请求有误"), "403": err("不是本案承办人员、档案管理员或负责人 (NOT_YOUR_STEP / FORBIDDEN)"), "404": err("无此案件"), "409": err("未结案、未移交、未归档或未保全 (INVALID_STATE)；已移交、已归档或已保全 (DUPLICATE)"), "422": err("案卷不完整、保管期限过短或四性检测不通过 (RULE_VIOLATION)；未写明理由 (UNPROCESSABLE)")}}},
            "/api/recordings/{id}/disposal": {"post": {"summary": "音像记录销毁：申请或批准", "description": "办法第二十四条、第二十六条。step=request 由档案管理员提出，须写明理由（reason）；step=approve 由负责人批准，须两名申请人以外的负责人各自批准，第二名批准后删除音像文件的内容——日志条目、哈希和销毁记录永久保留，liuhen verify 据销毁记录核对该文件的缺失。音像记录处于保全状态时各步骤一律拒绝（409 INVALID_STATE，写明原因）：所属案件未结案、案卷未归档、行政复议或诉讼未终结、案卷保管期限未满（永久保管的不得销毁）、案卷已依法保全，未关联案件的音像记录保存不足本单位规定的月数（至少六个月）。",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": body(r("DisposalStep")),
                "responses": {"200": {"description": "该音像记录的销毁情况"}, "400": err("请求有误"), "403": err("不是档案管理员或负责人，申请人自行批准 (NOT_YOUR_STEP / FORBIDDEN)"), "404": err("无此音像记录"), "409": err("处于保全状态 (INVALID_STATE)；已申请、已批准或已销毁 (DUPLICATE)"), "422": err("未写明理由 (UNPROCESSABLE)")}}},
            "/api/fixity": {"get": {"summary": "完整性巡检：存储文件的最近一次复核", "description": "档案管理员、负责人、监督人员、系统管理员可查看。服务定期（--fixity-every-hours，缺省 24 小时）逐一读取日志记载的每个音像及文书文件并重算 SHA-256，每次巡检记入日志（fixity.checked）。failures 逐项列出问题文件的 sha256 与类别 class：changed 内容被改动、size 大小不符、missing 文件缺失（经批准销毁的除外）、untracked 存储中有日志未记载的文件。尚未巡检时为 {\"checked\": false}。有问题时档案管理员和负责人的工作台显示告警。",
                "responses": {"200": {"description": "最近一次巡检的结果"}, "403": err("无权")}}},
            "/api/archive/files": {"get": {"summary": "案卷列表（待归档、已归档）", "description": "档案管理员、负责人、监督人员可查看。state=handed_over（默认）为已移交待归档的案卷，state=filed 为已归档的案卷，按最后一步的时间先后排列，分页（limit、cursor）。每行只有案号、案件类型、档号、保管期限和时间，不含案件内容。",
                "parameters": [{"name": "state", "in": "query", "required": false, "schema": {"type": "string", "enum": ["handed_over", "filed"]}},
                    {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                    {"name": "cursor", "in": "query", "required": false, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "案卷一页及下一页的 cursor"}, "400": err("参数有误"), "403": err("无权")}}},
            "/api/archive/retention": {"get": {"summary": "保管期限：即将届满和已届满的案卷", "description": "档案管理员、负责人、监督人员可查看。已归档案卷中保管期限在今后 days 天内（缺省 365 天）届满或已经届满的，按届满日先后排列，分页（limit、cursor）。保管期限自案卷形成年度的次年1月1日起算（DA/T 22-2015），至 keep_until 当日止；永久保管的案卷不列出。expired 为 true 的已届满，可经鉴定提出销毁。",
                "parameters": [{"name": "days", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "maximum": 36600}},
                    {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                    {"name": "cursor", "in": "query", "required": false, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "案卷一页及下一页的 cursor"}, "400": err("参数有误"), "403": err("无权")}}},
            "/api/archive/disposals": {"get": {"summary": "销毁审批：申请中和已销毁的音像记录", "description": "档案管理员、负责人、监督人员可查看。state=requested（缺省）为已申请、待两名负责人批准的，state=disposed 为已销毁的，按申请时间先后排列，分页（limit、cursor）。申请中的每项注明现在是否处于保全状态（held，例如复议、诉讼未终结或保管期限未满），处于保全状态的不能批准。",
                "parameters": [{"name": "state", "in": "query", "required": false, "schema": {"type": "string", "enum": ["requested", "disposed"]}},
                    {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                    {"name": "cursor", "in": "query", "required": false, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "音像记录一页及下一页的 cursor"}, "400": err("参数有误"), "403": err("无权")}}},
            "/api/me/signing-key": {"post": {"requestBody": body(r("SigningKeyRenewal")), "summary": "更换本人的 SM2 签名密钥", "description": "须提交本人登录密码（password）。原密钥注销：注销前所作的签名仍然有效，此后不得再用（电子签名法第十三条）。返回本人全部公钥。首次审批或签名时自动生成密钥，私钥只以本人密码派生的密钥加密保存（AES-256-GCM，Argon2id）；修改密码时随之重新加密。",
                "responses": {"200": {"description": "本人的公钥（PEM）及其生成、注销时间"}, "403": err("密码不正确 (NOT_YOUR_STEP)")}}},
            "/api/statistics/annual": {
                "get": {"summary": "年度行政执法数据（按当前记录统计）", "description": "负责人、监督人员可查看。year 缺省为上一年度。按决定作出日期计入年度（简易程序按当场作出之时，查封、扣押按实施之时，行政检查按现场检查之时）；一个决定计一次；罚没金额按决定金额。返回 figures、已公开的 published（未公开为 null）和公开期限 due（次年1月31日，国办发〔2018〕118号，R-171）。",
                    "parameters": [{"name": "year", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1990}}],
                    "responses": {"200": {"description": "统计数据、公开情况与期限"}, "400": err("year 不是整数"), "403": err("无权")}},
                "post": {"summary": "公开年度行政执法数据", "description": "由负责人办理（否则 403 NOT_YOUR_STEP）；年度须已结束（否则 422 UNPROCESSABLE）；每年度一次（409 DUPLICATE）。公开内容只有统计数字，记入日志（statistics.published），在公示页面 /public/decisions#statistics 与 /public/statistics.json 公开；上一年度未公开的，负责人的期限列表自1月1日起显示 T-STAT。",
                    "requestBody": body(r("AnnualStatistics")),
                    "responses": {"200": {"description": "已公开的年度数据"}, "400": err("请求有误"), "403": err("不是负责人 (NOT_YOUR_STEP)"), "409": err("该年度已公开 (DUPLICATE)"), "422": err("年度尚未结束 (UNPROCESSABLE)")}}},
            "/api/signing-keys/{id}": {"get": {"summary": "按密钥标识查询已公布的签名公钥", "description": "返回 PEM 公钥、所属账号、生成与注销时间。审批、签名的 SM2 签名可仅用 OpenSSL 校验：openssl pkeyutl -verify -pubin -inkey key.pem -rawin -digest sm3 -pkeyopt distid:1234567812345678 -in statement -sigfile signature.der（statement 为文书审批或签名记录中的 statement 经 base64 解码，signature 为其十六进制解码）。",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "公钥"}, "401": err("日志仅限登录用户时须登录 (AUTH_REQUIRED)"), "404": err("无此密钥")}}},
            "/api/session": {"delete": {"summary": "退出登录", "description": "结束本次请求所用的会话或令牌（记入日志），此后该令牌不再有效；清除会话 Cookie。", "responses": {"204": {"description": "已退出"}, "401": err("未登录或会话已结束")}},
                "post": {"summary": "登录", "description": "每次登录尝试都记入日志。同一账号十五分钟内失败五次，锁定十五分钟；同一网络地址十五分钟内失败二十次（不论账号），暂停该地址登录十五分钟。", "requestBody": body(r("Login")),
                "responses": {"200": ok("已登录", r("Session")), "401": err("用户名或密码错误 (BAD_CREDENTIALS)；须输入动态验证码 (TOTP_REQUIRED)"), "400": err("请求有误"),
                    "429": err("账号已锁定 (ACCOUNT_LOCKED)；此网络地址失败次数过多 (TOO_MANY_ATTEMPTS)")}}},
            "/api/me": {"get": op("当前用户", "", auth_errors(json!({"200": ok("当前用户", r("User"))})))},
            "/api/officers": {
                "get": op("执法人员列表", "", auth_errors(json!({"200": ok("执法人员", json!({"type": "array", "items": r("Officer")}))}))),
                "post": {"summary": "登记执法人员", "description": "系统管理员。记入日志。", "security": [{"bearer": []}], "requestBody": body(r("NewOfficer")),
                    "responses": auth_errors(json!({"201": ok("已登记", r("Officer")), "400": err("请求有误"), "403": err("无权"), "409": err("执法证号已登记")}))},
            },
            "/api/agency": {
                "get": op("执法主体信息", "名称、统一社会信用代码、是否依法享有行政强制执行权（街道办事处默认无，逾期不履行的申请人民法院强制执行）、印章。", auth_errors(json!({"200": ok("执法主体", r("Agency"))}))),
                "put": {"summary": "设置执法主体信息", "description": "系统管理员。每个版本都记入日志。请求头 If-Match 给出读取时的 ETag：其间已被他人保存的，返回 409，不作修改；不给出（或为 *）的，直接取代。", "security": [{"bearer": []}],
                    "parameters": [if_match.clone()], "requestBody": body(r("Agency")),
                    "responses": auth_errors(json!({"200": ok("已设置", r("Agency")), "400": err("请求有误"), "403": err("无权"), "409": err("其间已被他人保存")}))},
            },
            "/api/matters": {
                "get": op("权责清单（执法事项）", "", auth_errors(json!({"200": ok("事项", json!({"type": "array", "items": r("Matter")}))}))),
                "post": {"summary": "登记或修订执法事项", "description": "系统管理员。每个版本都记入日志；听证标准、是否适用简易程序、是否重大执法决定由此配置。", "security": [{"bearer": []}], "requestBody": body(r("Matter")),
                    "responses": auth_errors(json!({"201": ok("已登记", r("Matter")), "400": err("请求有误"), "403": err("无权")}))},
            },
            "/api/cases": {"get": {"summary": "案件列表", "description": "本人可见的案件，按最近变更排序，分页（limit、cursor），可按种类、状态、事项、承办机构、执法人员、立案日期筛选，按案号、当事人姓名或名称、案由检索（拉丁字母不区分大小写）。每行为案件摘要，不含案件记录（经案件视图查阅）。翻页期间有变更的案件移到最前，不再出现在后续页中：重新读取第一页，其中变更时间晚于开始翻页时的即是。未列出的参数返回 400。",
                "security": [{"bearer": []}], "parameters": list_params(&[
                    ("kind", "案件种类：inspection、summary_penalty、ordinary_penalty、licence、coercive_measure"),
                    ("state", "案件状态（代码）"), ("matter", "事项（案由），按权责清单名称"), ("unit", "承办机构"),
                    ("officer", "承办的执法人员（ID）"), ("from", "立案（登记）日期起，YYYY-MM-DD"), ("to", "立案（登记）日期止，YYYY-MM-DD"),
                    ("q", "检索：案号、当事人姓名或名称、案由中含有的文字")]),
                "responses": auth_errors(json!({"200": ok("一页案件", page_of(r("CaseSummary"), "cases")), "400": err("查询参数有误")}))}},
            "/api/cases/inspections": {"post": {"summary": "行政检查立项（程序启动）", "description": "办法第七条。", "security": [{"bearer": []}],
                "requestBody": body(r("OpenInspection")),
                "responses": auth_errors(json!({"201": ok("已立项", r("Case")), "400": err("请求有误"), "409": err("案号已存在"), "422": err("规则拒绝 (RULE_VIOLATION)")}))}},
            "/api/cases/summary-penalties": {"post": {"summary": "当场行政处罚（简易程序）", "description": "行政处罚法第五十一条、第五十二条。", "security": [{"bearer": []}],
                "requestBody": body(r("StartSummaryPenalty")),
                "responses": auth_errors(json!({"201": ok("已开始", r("Case")), "400": err("请求有误"), "409": err("编号已存在"), "422": err("规则拒绝 (RULE_VIOLATION)")}))}},
            "/api/cases/penalties": {"post": {"summary": "行政处罚（普通程序）线索登记", "description": "办法第七条；之后依次立案、调查取证、调查终结、法制审核、事先告知、陈述申辩或听证、决定、送达、缴纳、结案。", "security": [{"bearer": []}],
                "requestBody": body(r("RegisterLead")),
                "responses": auth_errors(json!({"201": ok("已登记", r("Case")), "400": err("请求有误"), "409": err("案号已存在"), "422": err("规则拒绝 (RULE_VIOLATION)")}))}},
            "/api/cases/licences": {"post": {"summary": "行政许可申请登记（依申请启动）", "description": "办法第七条第（二）项；行政许可法第三十二条。之后补正、受理或不予受理、现场核查、延期、决定、颁证、结案。", "security": [{"bearer": []}],
                "requestBody": body(r("Application")),
                "responses": auth_errors(json!({"201": ok("已登记", r("Case")), "400": err("请求有误"), "409": err("编号已存在"), "422": err("规则拒绝 (RULE_VIOLATION)")}))}},
            "/api/cases/coercive-measures": {"post": {"summary": "行政强制措施（查封、扣押）提出", "description": "行政强制法第十八条至第二十八条。之后批准（或紧急实施后二十四小时内补批）、实施、延长、处理、结案。", "security": [{"bearer": []}],
                "requestBody": body(r("Measure")),
                "responses": auth_errors(json!({"201": ok("已提出", r("Case")), "400": err("请求有误"), "409": err("文号已存在"), "422": err("规则拒绝 (RULE_VIOLATION)")}))}},
            "/api/cases/{id}": {"get": {"summary": "案件详情与完整时间线", "description": "带 as_of（毫秒）时，返回该时刻的案件状态（由日志重放，可回溯）。每次查阅先记入查阅台账（办法第二十四条），再返回。",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "as_of", "in": "query", "required": false, "schema": {"type": "integer"}},
                    {"name": "purpose", "in": "query", "required": false, "schema": {"type": "string"}, "description": "查阅目的，记入台账（默认“案件办理”）"}],
                "responses": auth_errors(json!({"200": ok("案件", r("CaseWithTimeline")), "404": err("案件不存在")}))}},
            "/api/me/password": {"post": {"summary": "修改密码", "description": "首次登录须先修改初始密码，此前其他接口均返回 403 PASSWORD_CHANGE_REQUIRED。新密码至少 12 位，不得与当前密码或用户名相同。",
                "security": [{"bearer": []}], "requestBody": body(r("PasswordChange")),
                "responses": auth_errors(json!({"200": ok("已修改", json!({"type": "object"})), "400": err("新密码不合要求"), "422": err("当前密码不正确 (UNPROCESSABLE)"), "429": err("错误次数过多，账号已锁定 (ACCOUNT_LOCKED)")}))}},
            "/api/tokens": {
                "get": op("我的接口令牌", "供命令行工具和设备使用的具名令牌（只显示其 SHA-256）。", auth_errors(json!({"200": ok("令牌", json!({"type": "array", "items": {"type": "object"}}))}))),
                "post": {"summary": "新建接口令牌", "description": "名称与有效期（1–366 日）；令牌原文仅在本次应答中出现，系统只保存其 SHA-256。建立记入日志。",
                    "security": [{"bearer": []}], "requestBody": body(r("NewToken")),
                    "responses": auth_errors(json!({"201": ok("已建立", json!({"type": "object"})), "400": err("请求有误")}))}},
            "/api/tokens/{id}": {"delete": {"summary": "撤销接口令牌", "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "令牌的 SHA-256（十六进制）"}],
                "responses": auth_errors(json!({"204": {"description": "已撤销"}, "404": err("令牌不存在")}))}},
            "/api/catalogues/{which}": {
                "get": {"summary": "音像记录事项清单（av-items）或执法行为用语指引（phrases）", "description": "办法第二十条。", "security": [{"bearer": []}],
                    "parameters": [{"name": "which", "in": "path", "required": true, "schema": {"type": "string", "enum": ["av-items", "phrases", "numbering"]}}],
                    "responses": auth_errors(json!({"200": ok("清单", json!({"type": "array", "items": {"type": "object"}})), "404": err("无此清单")}))},
                "put": {"summary": "设置清单（新版本记入日志）", "description": "音像记录事项清单每项：kind 类别、activity 事项、stage 环节、place 场所、mode 方式（全程/根据实际情况）、recorder 记录人、start 开始节点、end 结束节点、content 记录内容、mandatory、retention 保存期限。用语指引每项：scenario 场景、lines 用语。",
                    "security": [{"bearer": []}], "parameters": [{"name": "which", "in": "path", "required": true, "schema": {"type": "string", "enum": ["av-items", "phrases", "numbering"]}}, if_match.clone()],
                    "requestBody": body(json!({"type": "array", "maxItems": 500, "items": {"oneOf": [
                        {"title": "音像记录事项（av-items）", "type": "object", "required": ["kind", "activity", "content", "retention", "mode"], "properties": {
                            "kind": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S", "description": "类别"},
                            "activity": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S", "description": "事项"},
                            "content": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S", "description": "记录内容"},
                            "retention": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S", "description": "保存期限"},
                            "mode": {"type": "string", "enum": ["全程", "根据实际情况"], "description": "记录方式"},
                            "stage": {"type": "string", "maxLength": 500, "description": "执法环节"},
                            "place": {"type": "string", "maxLength": 500, "description": "地点"},
                            "start": {"type": "string", "maxLength": 500, "description": "开始记录的时点"},
                            "end": {"type": "string", "maxLength": 500, "description": "结束记录的时点"},
                            "recorder": {"type": "string", "maxLength": 500, "description": "记录人员"},
                            "mandatory": {"type": "boolean", "description": "应当全程音像记录（办法第十九条）"}}},
                        {"title": "用语指引（phrases）", "type": "object", "required": ["scenario", "lines"], "properties": {
                            "scenario": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S", "description": "场景"},
                            "lines": {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": "\\S"}, "description": "用语"}}},
                        {"title": "编号规则（numbering）", "type": "object", "required": ["kind", "pattern"], "properties": {
                            "kind": {"type": "string", "enum": ["inspection", "summary_penalty", "ordinary_penalty", "licence", "coercive_measure", "D16", "D18b", "D20b", "D32", "D34b", "D36", "D36s", "D41", "D05", "D52", "L02", "L03", "L10"], "description": "案件类型（案号），或盖章文书代码（文号）"},
                            "pattern": {"type": "string", "maxLength": 500, "description": "编号格式，依次含 {year} 和 {n} 各一处，如 栗街罚〔{year}〕{n}号", "pattern": "^(?:(?!\\{year\\}|\\{n\\}).)*\\{year\\}(?:(?!\\{year\\}|\\{n\\}).)*\\{n\\}(?:(?!\\{year\\}|\\{n\\}).)*$"}}},
                    ]}})),
                    "responses": auth_errors(json!({"200": ok("已设置", json!({"type": "array"})), "400": err("内容有误"), "403": err("无权限"), "404": err("无此清单"), "409": err("其间已被他人保存（If-Match）")}))}},
            "/api/inbox": {"get": {"summary": "审批待办", "description": "本人可见案件中等待本人角色办理的事项：批准强制措施、补办批准、承办机构拟决定、法制审核、许可决定、当事人查阅复制申请的审批、内部审批文书的下一步审批。分页（limit、cursor），可按案件筛选：kind 案件种类、unit 承办机构、officer 执法人员编号、matter 案由（同时给出的须都符合）。未列出的参数返回 400。",
                "security": [{"bearer": []}], "parameters": list_params(CASE_FILTERS),
                "responses": auth_errors(json!({"200": ok("一页待办", page_of(json!({"type": "object", "properties": {"case_id": {"type": "string"}, "case_no": {"type": "string"}, "task": {"type": "string"}, "command": {"type": ["string", "null"]}, "document": {"type": ["string", "null"]}}}), "inbox")), "400": err("查询参数有误")}))}},
            "/api/me/totp": {"post": {"summary": "绑定身份验证器（开始）", "description": "生成动态验证码密钥（RFC 6238，HMAC-SHA1，6 位，30 秒），返回 base32 密钥和 otpauth:// 地址；确认前不生效。须提交本人当前密码（已启用时另附 code）。",
                "security": [{"bearer": []}], "requestBody": body(r("Credentials")),
                "responses": auth_errors(json!({"200": ok("密钥", json!({"type": "object"})), "422": err("密码或验证码不正确")}))}},
            "/api/me/totp/confirm": {"post": {"summary": "绑定身份验证器（确认）", "description": "提交应用显示的六位验证码；此后登录须同时提供 code。",
                "security": [{"bearer": []}], "requestBody": body(r("TotpCode")),
                "responses": auth_errors(json!({"200": ok("已启用", json!({"type": "object"})), "400": err("验证码不正确或未开始绑定")}))}},
            "/api/users": {
                "get": {"summary": "账号列表", "description": "仅系统管理员。按用户名排列，分页（limit、cursor）。", "security": [{"bearer": []}],
                    "parameters": list_params(&[]),
                    "responses": auth_errors(json!({"200": ok("一页账号", page_of(r("Account"), "users")), "400": err("查询参数有误"), "403": err("无权限")}))},
                "post": {"summary": "新建账号", "description": "仅系统管理员。角色可多个（逗号分隔）：officer 执法人员、unit_head 承办机构负责人、legal_reviewer 法制审核人员、approver 负责人、discussion_member 集体讨论成员、archivist 档案管理员、device_admin 设备管理员、supervisor 监督人员、sysadmin 系统管理员。首次登录须修改密码。",
                    "security": [{"bearer": []}], "requestBody": body(r("NewAccount")),
                    "responses": auth_errors(json!({"201": ok("已创建", r("Account")), "400": err("请求有误"), "403": err("无权限"), "409": err("用户名、姓名或执法人员已有账号 (DUPLICATE)"), "422": err("系统管理员兼任可查看案件内容的角色，违反三员分立 (UNPROCESSABLE)")}))}},
            "/api/users/{id}/ledger": {"get": {"summary": "人员查阅记录", "description": "某一账号查阅、下载、导出、打印了什么（新在前，分页）。本人可查看自己的；监督人员、负责人可查看任何人的。",
                "security": [{"bearer": []}], "parameters": user_ledger_params,
                "responses": auth_errors(json!({"200": ok("一页台账", page_of(r("LedgerLine"), "ledger")), "400": err("查询参数有误"), "403": err("无权限"), "404": err("账号不存在")}))}},
            "/api/cases/{id}/party-access": {
                "get": {"summary": "当事人查阅、复制台帐", "description": "办法第二十四条：每一申请及其审批、提供、签收。", "security": [{"bearer": []}],
                    "parameters": [case_path_param[0].clone(), list_params(&[])[0].clone(), list_params(&[])[1].clone()],
                    "responses": auth_errors(json!({"200": ok("台帐（一页）", page_of(r("PartyAccess"), "requests")), "400": err("查询参数有误"), "404": err("案件不存在")}))},
                "post": {"summary": "登记当事人查阅、复制申请", "description": "申请人、与当事人的关系、核验的身份证件、材料、用途、方式（view 查阅 / copy 复制）；代理人须有授权委托书。",
                    "security": [{"bearer": []}], "parameters": case_path_param, "requestBody": body(r("PartyAccessRequest")),
                    "responses": auth_errors(json!({"201": ok("已登记", r("PartyAccess")), "400": err("请求有误"), "403": err("无权限"), "404": err("案件不存在")}))}},
            "/api/cases/{id}/party-access/{request}": {"post": {"summary": "审批、提供、签收", "description": "type: decide（负责人或承办机构负责人；不予提供须说明理由）、deliver（查阅须设 30 日内截止时间，复制须记页数；水印载明申请人）、receipt（签收或注明拒签）。",
                "security": [{"bearer": []}], "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "request", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": body(r("PartyAccessStep")),
                "responses": auth_errors(json!({"200": ok("已记录", r("PartyAccess")), "400": err("请求有误"), "403": err("无权限"), "404": err("案件或申请不存在")}))}},
            "/api/cases/{id}/party": {"get": {"summary": "当事人身份信息（不遮蔽）", "description": "案件视图中身份证件号码、电话均遮蔽；送达、执行等确需时，办理本案的人员说明用途后查看，先记入查阅台账。",
                "security": [{"bearer": []}], "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "purpose", "in": "query", "required": true, "schema": {"type": "string"}}],
                "responses": auth_errors(json!({"200": ok("当事人", json!({"type": "object"})), "400": err("未说明用途"), "403": err("无权限"), "404": err("案件或当事人不存在")}))}},
            "/api/cases/{id}/classification": {"post": {"summary": "设定案件密级", "description": "负责人或承办机构负责人设定：public 公开、internal 内部、commercial_secret 商业秘密、personal_privacy 个人隐私；后两者仅办案人员、承办机构负责人、法制审核人员和负责人可见。涉及国家秘密的材料不得存入本系统。记入日志。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "requestBody": body(r("Classification")),
                "responses": auth_errors(json!({"200": ok("已设定", r("Case")), "400": err("请求有误"), "403": err("无权限"), "404": err("案件不存在"), "409": err("密级已被他人修改（expected_class 不符）")}))}},
            "/api/cases/{id}/records/{kind}/{n}": {"get": {"summary": "查看案件的一项记录", "description": "kind/n 为记录在案件中的编号：act/0 现场执法记录，evidence/0 调查取证记录。先记入查阅台账（含记录编号），再返回；记录另定密级而超出查看人范围的，403。",
                "security": [{"bearer": []}], "parameters": record_params.clone(),
                "responses": auth_errors(json!({"200": ok("记录", json!({"type": "object"})), "403": err("记录密级超出查看范围"), "404": err("案件或记录不存在")}))}},
            "/api/cases/{id}/records/{kind}/{n}/classification": {"post": {"summary": "设定记录密级", "description": "可设定案件密级的人员，对案件中的单项记录（act/0、evidence/1，或执法文书 document/{文书 id}）另定密级；只能收窄可见范围（商业秘密、个人隐私的记录，监督人员、档案管理员、集体讨论成员不可见，案件视图中以“已隐去”代替）。记入日志。",
                "security": [{"bearer": []}], "parameters": class_params,
                "requestBody": body(r("Classification")),
                "responses": auth_errors(json!({"204": {"description": "已设定"}, "400": err("请求有误"), "403": err("无权限"), "404": err("案件或记录不存在"), "409": err("密级已被他人修改（expected_class 不符）")}))}},
            "/api/uploads": {
                "options": {"summary": "上传协议能力（tus 1.0.0）", "description": "返回 Tus-Version、Tus-Extension（creation,termination,checksum）、Tus-Checksum-Algorithm（sha256,crc32）、Tus-Max-Size。无需登录。",
                    "responses": {"204": {"description": "协议能力在响应头中"}}},
                "post": {"summary": "开始上传音像记录文件（tus creation）", "description": "请求头：Tus-Resumable: 1.0.0；Upload-Length 为文件字节数；Upload-Metadata 为逗号分隔的“键 base64值”，须含 filename，可含 case（关联的案件，须为可办理的案件）、device、officers、started_at、ended_at、place、activity。响应头 Location 为上传地址。",
                    "security": [{"bearer": []}],
                    "responses": auth_errors(json!({"201": {"description": "已创建，Location 为上传地址"}, "400": err("请求有误"), "412": err("未使用 tus 1.0.0 (TUS_VERSION)"), "413": err("超过上限 (UPLOAD_TOO_LARGE)")}))}},
            "/api/uploads/{id}": {
                "head": {"summary": "查询已上传的字节数", "description": "响应头 Upload-Offset、Upload-Length。服务器或客户端重启后据此续传。",
                    "security": [{"bearer": []}], "parameters": case_path_param,
                    "responses": auth_errors(json!({"200": {"description": "见响应头"}, "404": err("上传不存在")}))},
                "patch": {"summary": "续传（tus core）", "description": "Content-Type: application/offset+octet-stream；Upload-Offset 须等于已收到的字节数；可带 Upload-Checksum: sha256 <base64> 或 crc32 <base64，4 字节大端>。字节写入磁盘并 fsync 后才应答；最后一段到达后文件移入证据存储、记入日志，响应头 Liuhen-Recording 为音像记录编号；SM3 随后在单独线程计算并另记一条日志。校验不符、超过声明大小的请求，其内容一概不保存。",
                    "security": [{"bearer": []}], "parameters": case_path_param,
                    "responses": auth_errors(json!({"204": {"description": "已保存，Upload-Offset 为新的位置"}, "404": err("上传不存在"), "409": err("位置不符 (UPLOAD_OFFSET_MISMATCH)"), "413": err("超过声明的大小 (UPLOAD_TOO_LARGE)"), "415": err("内容类型不符 (UPLOAD_CONTENT_TYPE)；文件不是音频、视频或照片 (NOT_MEDIA)"), "423": err("正在另一请求中上传 (UPLOAD_BUSY)"), "460": err("校验值不符 (CHECKSUM_MISMATCH)"), "507": err("存储空间不足 (STORAGE_FULL)")}))},
                "delete": {"summary": "放弃上传（tus termination）", "security": [{"bearer": []}], "parameters": case_path_param,
                    "responses": auth_errors(json!({"204": {"description": "已删除暂存的内容"}, "404": err("上传不存在")}))}},
            "/api/document-catalogue": {"get": {"summary": "执法文书目录", "description": "每种文书（domain.md e）的编号、名称、适用案件、栏目（key、label、是否必填、可选值）、签名栏（role、name、最少人数、可否注明拒签）、是否内部审批文书、是否须加盖印章签发。办法第十二条。",
                "security": [{"bearer": []}], "responses": auth_errors(json!({"200": ok("文书目录", json!({"type": "array", "items": {"type": "object"}}))}))}},
            "/api/seal-keys": {"get": {"summary": "电子印章公钥", "description": "办事处电子印章的 SM2 与 Ed25519 公钥（PEM）及 SM2 区分标识。任何人可用 OpenSSL 命令行核验签章：scripts/verify-seal 文书.pdf 签章.der sm2.pem [ed25519.pem ed25519.sig]。",
                "responses": json!({"200": ok("公钥", json!({"type": "object"})), "404": err("未配置签章密钥")})}},
            "/api/cases/{id}/documents": {
                "get": {"summary": "案件的文书", "description": "按制作先后排列，分页（limit、cursor）。", "security": [{"bearer": []}],
                    "parameters": id_and_page("案件 ID", &[]),
                    "responses": auth_errors(json!({"200": ok("一页文书", page_of(json!({"type": "object"}), "documents")), "400": err("查询参数有误"), "404": err("案件不存在或无权查看")}))},
                "post": {"summary": "制作文书或更正版本", "description": "code 文书编号（见 /api/document-catalogue）、fields 栏目内容；更正已定稿文书时另写 supersedes（原文书编号）和 reason（更正理由），原文书保留（R-133）。栏目不在目录中、选项值不符、文书不适用于本类案件的 422（R-134）。",
                    "security": [{"bearer": []}], "parameters": case_path_param,
                    "requestBody": body(r("NewDocument")),
                    "responses": auth_errors(json!({"201": ok("文书", json!({"type": "object"})), "400": err("内容有误"), "403": err("不是本案承办人员（法制审核意见书须由法制审核人员起草）(NOT_YOUR_STEP)"), "404": err("案件不存在或无权查看"), "409": err("已有更正版本"), "422": err("违反规则")}))}},
            "/api/documents/{id}": {"get": {"summary": "一份文书", "description": "栏目、状态（draft 草稿、final 已定稿、issued 已签发）、content_hash（内容的 SM3，签名与审批据此绑定）、审批意见、签名、拒签注明、尚缺事项、PDF 的 SHA-256、签发信息（文号、日期、印章、签章的 SHA-256、Ed25519 签名）。查看记入访问台账。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "responses": auth_errors(json!({"200": ok("文书", json!({"type": "object"})), "404": err("不存在或无权查看")}))}},
            "/api/documents/{id}/commands": {"post": {"summary": "办理文书的一步", "description": "type=revise 修改草稿（fields；content_hash 须为修改者所见内容，其后已被他人修改的 409）；revise 仅由执法人员（承办人）办理；approve 内部审批（step=handler 承办人须写 reason / reviewer 承办机构负责人 / approver 负责人，各以本人账号办理、同一人不得审批两个环节，否则 403 NOT_YOUR_STEP；password 为本人登录密码，用本人 SM2 密钥签署审批声明，记录 key_id、signature 与 statement；opinion 不得只写姓名，R-131；content_hash 须为所见内容）；return 退回（当前待审批环节的审批人，reasons 必填；已有审批作废，承办人修改后重新提交）；sign 签名（role、name、method=pad 签名板或 paper 纸质扫描件、image PNG/JPEG base64、content_hash；执法人员以本人账号签名）；refuse 注明当事人拒签（role、who、reason、officers 至少两名执法人员、witness，R-021）；attach 附加文件（key 如 postal_receipt 邮寄回执单、notice_copy 公告文书，file 为 PNG、JPEG 或 PDF 的 base64，办法第十七条）；finalise 定稿（必填栏目、审批、签名齐全，R-132；生成 PDF 记入日志）；issue 签发（由负责人签发，当场文书、送达回证、受理和补正通知由执法人员签发，否则 403 NOT_YOUR_STEP；行政处罚决定书、查封扣押决定书须本案已有审批完成的案件处理审批表，R-131；doc_no 文号（留空则按编号规则自动编号，已被其他文书使用则 409 DUPLICATE）、date；办事处有签发日有效的印章，R-130；生成盖章 PDF，以 SM2 与 Ed25519 签章）。定稿后不得修改（R-133）。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "requestBody": body(r("DocumentCommand")),
                "responses": auth_errors(json!({"200": ok("文书", json!({"type": "object"})), "400": err("内容有误"), "404": err("不存在或无权查看"), "403": err("该步骤不是本账号的角色，或签名密码不是本人的 (NOT_YOUR_STEP)"), "409": err("内容已变更或当前状态下不能办理 (CONFLICT/INVALID_STATE)；已签名、已确认或文号已使用 (DUPLICATE)"), "413": err("签名图像或附件超过 2 MiB (FILE_TOO_LARGE)；请求体超过上限 (PAYLOAD_TOO_LARGE)"), "422": err("违反规则"), "429": err("签名密码错误次数过多，账号已锁定 (ACCOUNT_LOCKED)"), "503": err("没有可用的中文字体")}))}},
            "/api/documents/{id}/pdf": {"get": {"summary": "文书 PDF", "description": "草稿为即时生成的预览（不保存）；定稿、签发的为日志中记录的 PDF，其 SHA-256 与日志一致。下载记入访问台账（purpose 查阅目的）。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "responses": auth_errors(json!({"200": {"description": "application/pdf"}, "404": err("不存在或无权查看")}))}},
            "/api/documents/{id}/seal": {"get": {"summary": "文书的电子签章（DER）", "description": "GB/T 38540 结构的 SES_Signature：dataHash 为签发 PDF 的 SM3，SM2 签名（区分标识 1234567812345678）覆盖 TBS_Sign；另有 Ed25519 签名（见文书的 issued.ed25519）。用 scripts/verify-seal 以 OpenSSL 核验。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "responses": auth_errors(json!({"200": {"description": "application/octet-stream"}, "404": err("未签发或无权查看")}))}},
            "/api/devices": {
                "get": {"summary": "音像记录设备台账", "description": "按编号排列，分页（limit、cursor）：编号、型号、类别、功能（防爆、夜视、定位）、存放地点、状态、领用人、最近一次使用前检查，以及台账记录条数（events）；status（in_store 在库、assigned 领用中、under_repair 维修中、retired 已报废）与 holder（领用的执法人员）筛选。办法第二十四条、第二十八条。",
                    "security": [{"bearer": []}], "parameters": list_params(&[("status", "状态：in_store、assigned、under_repair、retired"), ("holder", "领用的执法人员（编号）")]),
                    "responses": auth_errors(json!({"200": ok("一页设备", page_of(json!({"type": "object"}), "devices")), "400": err("查询参数有误")}))},
                "post": {"summary": "登记设备", "description": "设备管理员登记：number（字母、数字、- 或 _）、model、kind（body_camera 执法记录仪、camera 照相机、audio_recorder 录音机、video_camera 摄像机、surveillance 视频监控）、capabilities（explosion_proof、night_vision、positioning）、storage_place。编号已登记的 409。",
                    "security": [{"bearer": []}], "requestBody": body(r("Device")),
                    "responses": auth_errors(json!({"201": ok("设备", json!({"type": "object"})), "400": err("内容有误"), "409": err("编号已登记")}))}},
            "/api/devices/{number}": {"get": {"summary": "一台设备及其台账", "description": "设备（device）、台账记录条数（events），以及一页台账（history：n 序号、event、actor 记录人、at 时间），最新的在前；next_cursor 翻到更早的记录（limit、cursor）。",
                "security": [{"bearer": []}],
                "parameters": path_and_page("number"),
                "responses": auth_errors(json!({"200": ok("设备", json!({"type": "object", "required": ["device", "events", "history", "next_cursor"]})), "400": err("查询参数有误"), "404": err("未登记")}))}},
            "/api/devices/{number}/commands": {"post": {"summary": "设备的一项记录", "description": "type=check 使用前检查（battery_pct、free_storage_mb、device_clock 设备显示的时间；检查结果无论合格与否都记录）；assign 领用（officer；须在十二小时内检查合格，R-149c）；return 归还（condition）；hand_over 交接（to；设备管理员另写 from）；upkeep 维护（kind=service|repair_started|repaired，note）；move 变更存放地点（storage_place）；retire 报废（reason）。领用、送修、登记、报废由设备管理员办理；执法人员只以本人身份检查、归还、交接。违反 R-149a–c 的 422，列出规则。",
                "security": [{"bearer": []}], "parameters": [{"name": "number", "in": "path", "required": true, "schema": {"type": "string"}}],
                "requestBody": body(json!({"type": "object", "required": ["type"], "properties": {
                    "type": {"type": "string", "enum": ["check", "assign", "return", "hand_over", "upkeep", "move", "retire"]},
                    "battery_pct": {"type": "integer", "description": "电量（%）"}, "free_storage_mb": {"type": "integer", "description": "剩余存储空间（MB）"},
                    "device_clock": {"type": "string", "pattern": "^(\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2})?|\\d{1,15})$", "description": "设备显示的时间（YYYY-MM-DD HH:MM:SS 北京时间，或 Unix 毫秒）"},
                    "clock_offset_ms": {"type": "integer", "description": "设备时钟快于服务器的毫秒数（负数为慢），可代替 device_clock"}, "officer": {"type": "string", "description": "执法人员 ID"},
                    "condition": {"type": "string", "description": "归还时的状况"}, "from": {"type": "string", "description": "交出的执法人员 ID"},
                    "to": {"type": "string", "description": "接收的执法人员 ID"}, "kind": {"type": "string", "enum": ["service", "repair_started", "repaired"]},
                    "note": {"type": "string"}, "storage_place": {"type": "string"}, "reason": {"type": "string"}}})),
                "responses": auth_errors(json!({"200": ok("设备", json!({"type": "object"})), "400": err("内容有误"), "404": err("未登记"), "409": err("当前状态下不能办理"), "422": err("违反规则")}))}},
            "/api/recordings/{id}/link": {"post": {"summary": "音像记录关联案件、文字记录和事项清单", "description": "办法第十八条（与文字记录相衔接）：case 案件编号；records 本案的记录（act/0、evidence/1 等）；av_item 音像记录事项清单中的事项；activity_ended_at 执法活动结束时间（毫秒，用于核对全程记录）。已关联其他案件的，改为关联本案须写明 reason（更正理由），原案件也须可办理。记入日志，不改动原文件。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "requestBody": body(r("RecordingLink")),
                "responses": auth_errors(json!({"200": ok("音像记录", json!({"type": "object"})), "400": err("记录或事项不存在、缺少更正理由"), "404": err("音像记录或案件不存在")}))}},
            "/api/recordings/{id}/clips": {"post": {"summary": "剪辑音像记录片段", "description": "from_ms、to_ms 为自录制开始起的毫秒数，reason 为用途。由服务器上的 ffmpeg 不重新编码地截取（从 from_ms 处或之前最近的关键帧开始），成为一条新的音像记录，载明原记录的编号与 SHA-256、起止和用途（R-145）；原记录从不改变。未安装 ffmpeg 的返回 501 CLIP_UNAVAILABLE。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "requestBody": body(r("Clip")),
                "responses": auth_errors(json!({"201": ok("片段", json!({"type": "object"})), "400": err("起止或用途有误、无法剪辑"), "404": err("音像记录不存在"), "501": err("未安装 ffmpeg (CLIP_UNAVAILABLE)")}))}},
            "/api/recordings/{id}/interruptions": {"post": {"summary": "登记音像记录的中断", "description": "办法第二十二条：from、to（毫秒）、cause 中断原因；spoken_at 恢复记录时语音说明的时刻，或 written 书面说明与 signed_by（两名以上执法人员编号）。replaces 更正先前第几项中断的说明（原项保留并标明被更正）。未说明的中断按 R-143 标出。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "requestBody": body(r("Interruption")),
                "responses": auth_errors(json!({"200": ok("音像记录", json!({"type": "object"})), "400": err("内容有误"), "404": err("音像记录不存在")}))}},
            "/api/cases/{id}/av": {"get": {"summary": "案件的音像记录核查", "description": "逐项记录（act/n、evidence/n）列出关联的音像记录；须全程音像记录的（查封扣押案件、权责清单或事项清单标明的、直接涉及人身自由、生命健康、重大财产权益的现场执法活动），核对记录是否覆盖执法活动的开始至结束，中断是否登记并说明（R-140、R-143）；其余的，无音像记录时须书面说明理由（R-141，unrecorded_reason）。查阅记入台账。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "responses": auth_errors(json!({"200": ok("核查结果", json!({"type": "object"})), "404": err("案件不存在")}))}},
            "/api/cases/{id}/av/unrecorded": {"post": {"requestBody": body(r("Unrecorded")), "summary": "书面说明未进行音像记录的理由", "description": "R-141：现场执法、调查取证记录未进行音像记录的（文字记录能够全面有效记录），书面说明理由；记入日志，新的说明取代旧的（旧的仍在日志中）。请求体：record（如 act/0）、reason。返回案件的音像记录核查。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "responses": auth_errors(json!({"200": ok("核查结果", json!({"type": "object"})), "400": err("记录不存在或未写理由"), "404": err("案件不存在")}))}},
            "/api/av/overdue": {"get": {"summary": "逾期未存储的音像记录", "description": "办法第二十三条：调用者可见的案件中，须全程音像记录的现场执法活动结束二十四小时后仍未关联音像记录的，按到期时间由早到晚分页列出。一次请求只读一页的到期索引，未满一页也可能有 next_cursor。",
                "security": [{"bearer": []}], "parameters": list_params(&[]),
                "responses": auth_errors(json!({"200": ok("逾期事项", json!({"type": "object", "required": ["overdue", "next_cursor"], "properties": {
                    "overdue": {"type": "array", "items": {"type": "object"}}, "next_cursor": {"type": ["string", "null"]}}})), "400": err("limit 或 cursor 无效")}))}},
            "/api/recordings/{id}": {"get": {"summary": "音像记录", "description": "文件的 SHA-256、SM3（计算完成后）、大小、上传人、关联案件和上传时的元数据。关联案件的，可见该案件者可见；未关联的，上传人及可见全部案件者可见。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "responses": auth_errors(json!({"200": ok("音像记录", json!({"type": "object"})), "404": err("不存在")}))}},
            "/api/recordings": {"get": {"summary": "查找音像记录", "description": "sha256=<64 位十六进制>：同一文件的记录；fingerprint=<64 位十六进制>：指纹（文件大小与首尾各 64 KiB 的 SHA-256）相同的记录，导入程序先据此询问，有相符的才计算整个文件的 SHA-256 比对，以跳过已存储的文件（这两种不分页）；否则按存储时间由新到旧分页列出：case=<案件编号> 只列该案件的，并可按办法第二十四条分类查找：unit 执法单位、device 设备编号、officer 执法人员、cause 案由、party 当事人（均为包含匹配，同时给出的须都符合）。只列出调用者可见的。一次请求至多查看 5000 条，未满一页也可能有 next_cursor。",
                "security": [{"bearer": []}], "parameters": list_params(&[("sha256", "文件的 SHA-256（64 位十六进制）"), ("fingerprint", "文件指纹（64 位十六进制）"), ("case", "案件编号"), ("unit", "执法单位"), ("device", "设备编号"), ("officer", "执法人员"), ("cause", "案由"), ("party", "当事人")]),
                "responses": auth_errors(json!({"200": ok("音像记录", page_of(json!({"type": "object"}), "recordings")), "400": err("sha256、fingerprint、limit 或 cursor 有误")}))}},
            "/api/recordings/{id}/playback": {"post": {"requestBody": body(r("Playback")), "summary": "播放音像记录（取得播放授权）", "description": "先在查阅台账中记录本次查阅（关联案件的记入案件台账，记录编号 recording/<id>），再返回播放授权；授权两小时内有效，只供本人对这一音像记录的分段请求使用。请求体可含 purpose（查阅目的）。",
                "security": [{"bearer": []}], "parameters": case_path_param,
                "responses": auth_errors(json!({"200": ok("播放授权", json!({"type": "object", "properties": {"grant": {"type": "string"}, "content": {"type": "string"}, "valid_for_s": {"type": "integer"}}})), "400": err("请求体不符合接口说明"), "404": err("不存在（看不到的音像记录，不论请求体）")}))}},
            "/api/recordings/{id}/content": {"get": {"summary": "音像记录的内容（支持 HTTP Range）", "description": "须带播放授权 grant。无 Range 头返回全部（200）；Range: bytes=a-b 返回该段（206，Content-Range）；无法满足的范围 416。原文件从不改变。",
                "security": [{"bearer": []}], "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}, {"name": "grant", "in": "query", "required": true, "schema": {"type": "string"}}],
                "responses": auth_errors(json!({"200": {"description": "全部内容"}, "206": {"description": "所请求的一段"}, "403": err("无有效的播放授权"), "404": err("不存在"), "416": {"description": "范围无法满足"}}))}},
            "/api/cases/{id}/ledger": {"get": {"summary": "案件查阅台账", "description": "对本案的每次查阅、下载、导出、打印：何人、何时、何物、何目的（办法第二十四条），先后排列，分页（limit、cursor）。record=act/0 等只列该项记录的查阅；此时一次请求至多查看 5000 条台账，未满一页也可能有 next_cursor。",
                "security": [{"bearer": []}], "parameters": id_and_page("案件 ID", &[("record", "只列该项记录（act/0、evidence/1）的查阅")]),
                "responses": auth_errors(json!({"200": ok("一页台账", page_of(r("LedgerLine"), "ledger")), "400": err("查询参数有误"), "403": err("无权查看台账"), "404": err("案件不存在")}))}},
            "/api/cases/{id}/commands": {"post": {"summary": "执行案件命令", "description": "按案件类型执行。每条命令记入日志；被规则拒绝时不记录任何变更。审批环节由持有该角色的账号本人办理，记录的人员、角色和时间取自账号和服务器，不接受客户端填写的姓名或日期（办法第十五条）：file、not_file 依本案审批完成的立案审批表（D02），decide、decide_no_penalty 依案件处理审批表（D30），close 依结案审批表（D50），缺少时 422 R-131；propose 由承办机构负责人（opinion），legal_review 由法制审核人员（其执法人员登记须有法律职业资格），discuss 的参加人员取自各成员以本人账号签名的集体讨论记录（D35），decide_recusal、defer_payment（opinion）、dispose_property、correct_date、许可 decide 与 extend、强制措施 approve（opinion）、ratify、extend、correct_execution_time 由负责人；否则 403 NOT_YOUR_STEP。命令记为已盖章（sealed、voucher_sealed 为 true）的文书，办事处须在该命令的日期（at，缺省为当日）持有有效印章，否则 422 R-130。",
                "security": [{"bearer": []}], "parameters": case_path_param, "requestBody": body(r("Command")),
                "responses": auth_errors(json!({"200": ok("已执行", r("Case")), "400": err("请求有误"),
                    "403": err("不能办理本案，或该步骤不是本账号的角色、签名密码不是本人的 (NOT_YOUR_STEP)"), "404": err("案件不存在"),
                    "409": err("版本冲突 (CONFLICT)；当前状态不能执行 (INVALID_STATE)；文号已由其他案件或文书使用 (DUPLICATE)"),
                    "422": err("规则拒绝 (RULE_VIOLATION)；所指的执法人员等不存在 (UNKNOWN_REFERENCE)"),
                    "429": err("签名密码错误次数过多，账号已锁定 (ACCOUNT_LOCKED)")}))}},
            "/api/deadlines": {"get": {"summary": "期限提醒", "description": "本人可见案件的未完成期限：逾期在前，其次无法计算的，再按到期时间；负责人的第一页先列年度统计数据的公开期限（未加筛选时）。分页（limit、cursor），可筛选：code 期限种类（如 T-AV）、status（与各行的 status 相同：overdue 已逾期、unknown 无法计算、due_soon 即将到期、pending 未到期；upcoming 为后两者）、from/to 到期日期范围（YYYY-MM-DD），以及按案件：kind、unit、officer、matter（同时给出的须都符合）。未列出的参数返回 400。",
                "security": [{"bearer": []}], "parameters": deadline_params,
                "responses": auth_errors(json!({"200": ok("一页期限", page_of(r("Deadline"), "deadlines")), "400": err("查询参数有误")}))}},
            "/api/openapi.json": {"get": {"summary": "本文档", "responses": {"200": {"description": "OpenAPI 3.1"}}}},
            "/api/docs": {"get": {"summary": "接口参考页面", "responses": {"200": {"description": "HTML"}}}},
            "/api/grants": {"get": {"summary": "待负责人批准的角色授权（三员分立：系统管理员授予可查看案件内容的角色，须另一名负责人批准后生效）",
                "parameters": list_params(&[]),
                "responses": auth_errors(json!({"200": ok("账号列表（一页），pending_roles 为待批准的角色", page_of(r("Account"), "grants")), "400": err("查询参数有误"), "403": err("非负责人")}))}},
            "/api/users/{id}/grant": {"post": {"summary": "负责人批准或拒绝该账号待批准的角色（不得审批本人）",
                "requestBody": body(r("GrantDecision")),
                "responses": auth_errors(json!({"200": ok("账号", r("Account")), "403": err("非负责人，或为本人"), "404": err("没有该账号"), "409": err("没有待批准的角色 (INVALID_STATE)")}))}},
            "/api/integrity": {"get": {"summary": "最近一次定期完整性校验（整个日志：数据库文件、每条记录与其叶哈希和瓦片、每个承诺的原文）；发现问题即告警（负责人、系统管理员、监督人员）",
                "responses": auth_errors(json!({"200": ok("最近一次校验", json!({"type": "object", "properties": {"checked": {"type": "boolean"},
                    "checked_at": {"type": "integer"}, "entries": {"type": "integer"}, "ok": {"type": "boolean"},
                    "problems": {"type": "array", "items": {"type": "string"}}, "entry": {"type": "integer", "description": "记录本次校验的日志序号"}}})),
                    "403": err("无权查看")}))}},
            "/api/docs.js": {"get": {"summary": "接口参考页面的脚本（页面不含内联脚本）", "responses": {"200": {"description": "JavaScript"}}}},
            "/log/checkpoint": {"get": {"summary": "最新签名检查点（C2SP tlog-checkpoint）", "responses": {"200": {"description": "text/plain"}, "401": err("日志仅限登录用户")}}},
            "/log/key": {"get": {"summary": "日志验证公钥（每行一个）", "responses": {"200": {"description": "text/plain"}}}},
            "/log/tile/{path}": {"get": {"summary": "日志瓦片与记录包（C2SP tlog-tiles）",
                "parameters": [{"name": "path", "in": "path", "required": true, "schema": {"type": "string"}, "description": "<L>/<N>[.p/<W>] 或 entries/<N>[.p/<W>]"}],
                "responses": {"200": {"description": "application/octet-stream"}, "400": err("路径有误"), "404": err("不存在")}}},
        },
    });
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        overlay(schemas);
    }
    // Every JSON body has its routes' limit (64 KiB; 4 MiB where a signature image may come
    // with a document): 413 naming it.
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let documents = path.starts_with("/api/documents/") || path.ends_with("/documents");
            let limit = if documents { crate::DOCUMENT_BODY_LIMIT } else { crate::API_BODY_LIMIT };
            for op in item.as_object_mut().into_iter().flat_map(|item| item.values_mut()) {
                let json_body = op.pointer("/requestBody/content/application~1json").is_some();
                if let (true, Some(Value::Object(responses))) = (json_body, op.get_mut("responses")) {
                    let e = err(&format!("请求体超过 {limit} 字节 (PAYLOAD_TOO_LARGE)"));
                    responses.entry("413").or_insert(e);
                }
            }
        }
    }
    doc
}

pub async fn openapi() -> impl IntoResponse {
    Json(document())
}

pub async fn docs() -> impl IntoResponse {
    Html(DOCS_HTML)
}

/// The reference page's script (no inline script: the CSP allows scripts from this server only).
pub async fn docs_script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], DOCS_JS)
}

const DOCS_HTML: &str = r#"<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>留痕 liuhen 接口参考</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #ddd}code{background:#f4f4f4;padding:0 .3em}
.m{display:inline-block;min-width:4em;font-weight:bold}.get{color:#0a6}.post{color:#b60}pre{background:#f7f7f7;padding:.6em;overflow:auto;font-size:.85em}</style></head>
<body><h1>留痕 liuhen 接口参考</h1><p id="desc"></p><div id="ops">正在加载 /api/openapi.json …</div>
<script src="/api/docs.js"></script></body></html>"#;

const DOCS_JS: &str = r#"fetch('/api/openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('desc').textContent=doc.info.description;
  const ops=document.getElementById('ops'); ops.textContent='';
  for(const [path,item] of Object.entries(doc.paths)){
    for(const [method,op] of Object.entries(item)){
      const h=document.createElement('h2');
      const m=document.createElement('span'); m.className='m '+method; m.textContent=method.toUpperCase();
      const c=document.createElement('code'); c.textContent=path;
      h.append(m,' ',c,' ',op.summary||''); ops.append(h);
      if(op.description){const p=document.createElement('p'); p.textContent=op.description; ops.append(p);}
      const pre=document.createElement('pre'); pre.textContent='响应：'+Object.entries(op.responses).map(([k,v])=>k+' '+v.description).join('；');
      ops.append(pre);
    }
  }
}).catch(e=>{document.getElementById('ops').textContent='无法加载接口文档：'+e});
"#;

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// Every operation that takes a JSON body says it may be too large, and the commands say
    /// each way a step is refused that is not a rule: the wrong account, a taken number, a lock.
    #[test]
    fn every_body_states_its_limit_and_the_commands_their_refusals() {
        let doc = super::document();
        let mut missing = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if op.pointer("/requestBody/content/application~1json").is_some() && op["responses"]["413"].is_null() {
                    missing.push(format!("{method} {path}"));
                }
            }
        }
        assert_eq!(missing, Vec::<String>::new());
        for path in ["/api/cases/{id}/commands", "/api/documents/{id}/commands"] {
            let responses = &doc["paths"][path]["post"]["responses"];
            for (status, code) in [("403", "NOT_YOUR_STEP"), ("409", "DUPLICATE"), ("429", "ACCOUNT_LOCKED")] {
                let said = responses[status]["description"].as_str().unwrap_or_default();
                assert!(said.contains(code), "{path} {status}: {said}");
            }
        }
    }

    /// Every free-text string a client sends states its limit, the limit the server checks.
    #[test]
    fn every_request_string_states_its_length_limit() {
        fn walk(path: &str, v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(o) => {
                    if crate::app::requests::described::is_string(o)
                        && !["maxLength", "enum", "const", "format"].iter().any(|k| o.contains_key(*k))
                    {
                        out.push(path.to_string());
                    }
                    for (k, x) in o {
                        walk(&format!("{path}/{k}"), x, out);
                    }
                }
                Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| walk(&format!("{path}/{i}"), x, out)),
                _ => {}
            }
        }
        let mut open = Vec::new();
        for (name, schema) in super::generated() {
            walk(&name, &schema, &mut open);
        }
        assert!(open.is_empty(), "{} strings without maxLength:\n{}", open.len(), open.join("\n"));
    }
}
