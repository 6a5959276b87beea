//! Renders real documents with the system's Noto CJK fonts and reads them back with pdftotext.
use super::*;
use serde_json::json;

fn fonts() -> Arc<Fonts> {
    shared(&default_dirs(&[])).expect("fonts-noto-cjk is installed by scripts/test")
}

fn text_of(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("d.pdf");
    std::fs::write(&f, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg("-layout").arg(&f).arg("-").output().expect("pdftotext");
    assert!(out.status.success());
    // Typst spaces CJK from Latin and digits (and pdftotext keeps the layout): compare text
    // without any whitespace.
    String::from_utf8(out.stdout).unwrap().chars().filter(|c| !c.is_whitespace()).collect()
}

fn sample() -> serde_json::Value {
    json!({
        "agency": "迁西县栗乡街道办事处", "title": "行政处罚决定书", "doc_no": "栗街罚决〔2026〕3号",
        "case_no": "LX-2026-0003", "lead": "当事人：某某商店\n地址：栗乡街道新华路1号",
        "blocks": [{"label": "违法事实", "text": "2026年11月3日，当事人在新华路占道经营。"},
                   {"label": "处罚依据", "text": "《城市市容和环境卫生管理条例》第三十六条"}],
        "approvals": [], "signatures": [],
        "seal": {"agency": "迁西县栗乡街道办事处", "kind": "行政执法专用章", "date": "2026年11月27日"},
        "footer": "liuhen doc 7"
    })
}

#[test]
fn a_chinese_a4_document_carries_its_fields_page_numbers_and_seal() {
    let pdf = render(&fonts(), &sample(), &[]).unwrap();
    // To look at it: LIUHEN_PDF_KEEP=/tmp/x.pdf cargo test -p liuhen-pdf.
    if let Ok(p) = std::env::var("LIUHEN_PDF_KEEP") {
        std::fs::write(p, &pdf.bytes).unwrap();
    }
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    assert_eq!(pdf.pages, 1);
    let text = text_of(&pdf.bytes);
    for needle in
        ["行政处罚决定书", "栗街罚决〔2026〕3号", "新华路占道经营", "第三十六条", "第1页共1页", "2026年11月27日"]
    {
        assert!(text.contains(needle), "{needle} not in:\n{text}");
    }
}

#[test]
fn the_same_data_renders_the_same_bytes() {
    let f = fonts();
    let a = render(&f, &sample(), &[]).unwrap();
    let b = render(&f, &sample(), &[]).unwrap();
    assert_eq!(a.bytes, b.bytes);
}

#[test]
fn markup_in_a_field_is_text_not_code() {
    let mut d = sample();
    d["blocks"][0]["text"] = json!("#panic(\"x\") ]} *粗* $x$ <script>");
    let text = text_of(&render(&fonts(), &d, &[]).unwrap().bytes);
    assert!(text.contains("#panic(\"x\")]}*粗*$x$<script>"), "{text}");
}

#[test]
fn a_long_record_runs_over_pages_and_numbers_them() {
    let mut d = sample();
    d["blocks"] = json!([{"label": "问答", "text": "问：请陈述经过。\n答：我在门口摆摊。\n".repeat(60)}]);
    let pdf = render(&fonts(), &d, &[]).unwrap();
    assert!(pdf.pages >= 2);
    assert!(text_of(&pdf.bytes).contains(&format!("共{}页", pdf.pages)));
}

#[test]
fn a_cross_page_signature_is_drawn_on_every_page() {
    let mut d = sample();
    d["blocks"] = json!([{"label": "问答", "text": "问：请陈述经过。\n答：我在门口摆摊。\n".repeat(60)}]);
    d["cross_page"] = json!("/img/party.png");
    let png = base64_png();
    let pdf = render(&fonts(), &d, &[("/img/party.png".into(), png)]).unwrap();
    assert!(pdf.pages >= 2);
    let text = text_of(&pdf.bytes);
    assert_eq!(text.matches("骑缝签名").count(), pdf.pages, "{text}");
}

/// A 1×1 PNG.
fn base64_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00,
        0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x64, 0x60, 0xF8, 0x5F, 0x0F, 0x00, 0x02, 0x87, 0x01, 0x80,
        0xEB, 0x47, 0xBA, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

#[test]
fn an_image_is_checked_before_it_is_kept() {
    let f = fonts();
    check_image(&f, &base64_png()).unwrap();
    let mut broken = base64_png();
    broken.truncate(30);
    assert!(matches!(check_image(&f, &broken), Err(PdfError::Layout(_))));
    assert!(check_image(&f, b"\x89PNG\r\n\x1a\n garbage").is_err());
}

#[test]
fn without_a_chinese_font_the_error_says_what_to_install() {
    let empty = tempfile::tempdir().unwrap();
    let e = Fonts::scan(&[empty.path().to_path_buf()]).err().unwrap();
    assert!(e.to_string().contains("fonts-noto-cjk"), "{e}");
}

#[test]
fn an_image_outside_img_is_refused() {
    let e = render(&fonts(), &sample(), &[("/etc/passwd".into(), vec![1])]).unwrap_err();
    assert!(matches!(e, PdfError::Data(_)));
}

/// What the text layer says is what was typed (an archived PDF is searched and copied from):
/// no character the layout added — a long Chinese paragraph, a long number, a URL each read
/// back verbatim, with no zero-width space — and a run with no break opportunity still breaks
/// inside the page rather than running off it.
#[test]
fn the_text_layer_reads_as_typed_and_long_runs_stay_on_the_page() {
    let number = "1302271980051200331302271980051200331302271980051200331302271980";
    let url = "https://example.gov.cn/zhifa/gongshi/2026/11/27/xingzhengchufa-juedingshu-0003.html";
    let paragraph = "当事人未取得建设工程规划许可证，违反《中华人民共和国城乡规划法》第四十条第一款的规定，\
        在幸福小区三号楼北侧擅自搭建彩钢房约二十平方米，经责令限期改正逾期仍未改正，依据该法第六十四条作出本决定。";
    let mut d = sample();
    d["blocks"] = json!([{"label": "违法事实", "text": paragraph},
                         {"label": "编号", "text": number}, {"label": "网址", "text": url}]);
    let pdf = render(&fonts(), &d, &[]).unwrap();
    if let Ok(p) = std::env::var("LIUHEN_PDF_KEEP") {
        std::fs::write(p, &pdf.bytes).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("d.pdf");
    std::fs::write(&f, &pdf.bytes).unwrap();
    let raw = std::process::Command::new("pdftotext").arg(&f).arg("-").output().unwrap();
    let raw = String::from_utf8(raw.stdout).unwrap();
    assert!(!raw.contains('\u{200B}'), "zero-width spaces in the text layer: {raw:?}");
    // Lines end where the layout broke them; within a line nothing was added.
    let joined: String = raw.lines().collect();
    for phrase in [paragraph, number, url] {
        assert!(joined.contains(phrase), "{phrase} not read back verbatim from:\n{raw}");
    }
    // Every word lies within the A4 page's 595 points.
    let boxes = std::process::Command::new("pdftotext").arg("-bbox").arg(&f).arg("-").output().unwrap();
    let boxes = String::from_utf8(boxes.stdout).unwrap();
    let right: Vec<f64> =
        boxes.split("xMax=\"").skip(1).filter_map(|r| r.split('"').next().and_then(|x| x.parse().ok())).collect();
    assert!(!right.is_empty());
    assert!(right.iter().all(|x| *x <= 595.0 - 28.0), "a word runs off the page: {right:?}");
}
