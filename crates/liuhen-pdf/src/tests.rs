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
        "footer": "liuhen doc 7", "pdf_date": "2026-11-27"
    })
}

/// A document is PDF/A-2b, dated by its data (pdfinfo reads the claim from its XMP; typst
/// refuses to write what would break the standard); without its date it is refused.
#[test]
fn a_document_is_pdf_a_2b_dated_by_its_data() {
    let pdf = render(&fonts(), &sample(), &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("a.pdf");
    std::fs::write(&f, &pdf.bytes).unwrap();
    let info = std::process::Command::new("pdfinfo").arg("-meta").arg(&f).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    let claim = |k: &str, v: &str| {
        info.contains(&format!("<pdfaid:{k}>{v}</pdfaid:{k}>")) || info.contains(&format!("pdfaid:{k}=\"{v}\""))
    };
    assert!(claim("part", "2") && claim("conformance", "B"), "{info}");
    assert!(info.contains("2026-11-27"), "dated by its data: {info}");
    let mut undated = sample();
    undated.as_object_mut().unwrap().remove("pdf_date");
    assert!(matches!(render(&fonts(), &undated, &[]), Err(PdfError::Data(_))));
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

/// The words on page `page` of `pdf` with their boxes (pdftotext -bbox), and the page's size.
fn words_on(pdf: &[u8], page: usize) -> (Vec<(String, f64, f64)>, f64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("v.pdf");
    std::fs::write(&f, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(&f)
        .arg("-")
        .output()
        .expect("pdftotext");
    let html = String::from_utf8(out.stdout).unwrap();
    let num = |s: &str, k: &str| -> f64 {
        s.split(&format!("{k}=\"")).nth(1).and_then(|r| r.split('"').next()).and_then(|n| n.parse().ok()).unwrap()
    };
    let page_tag = html.split("<page ").nth(1).unwrap();
    let (w, h) = (num(page_tag, "width"), num(page_tag, "height"));
    let words = html
        .split("<word ")
        .skip(1)
        .map(|w| {
            let text = w.split('>').nth(1).and_then(|r| r.split('<').next()).unwrap_or_default().to_string();
            (text, num(w, "xMin"), num(w, "yMin"))
        })
        .collect();
    (words, w, h)
}

/// A 案卷 in one PDF: the 卷内目录, every page of its documents as they are with the 页号
/// stamped where the office places it, continuous across documents, and the 备考表.
#[test]
fn a_volume_numbers_its_documents_pages_where_the_office_places_them() {
    let f = fonts();
    let one = render(&f, &sample(), &[]).unwrap();
    let mut long = sample();
    long["blocks"] = json!([{"label": "问答", "text": "问：请陈述经过。\n答：我在门口摆摊。\n".repeat(60)}]);
    let two = render(&f, &long, &[]).unwrap();
    assert!(two.pages >= 2);
    let data = |position: &str| {
        json!({"archive_no": "0001-2026-Y-0001", "case_no": "栗街罚〔2026〕3号", "agency": "迁西县栗乡街道办事处",
            "position": position,
            "lines": [{"n": 1, "doc_no": "栗街罚决〔2026〕3号", "responsible": "迁西县栗乡街道办事处", "title": "行政处罚决定书",
                       "date": "2026-11-27", "pages": "1-1", "part": "法律文书部分"},
                      {"n": 2, "doc_no": "", "responsible": "迁西县栗乡街道办事处", "title": "询问笔录",
                       "date": "2026-11-20", "pages": format!("2-{}", 1 + two.pages), "part": "证据部分"}],
            "documents": [{"path": "/img/1.pdf", "pages": 1, "first": 1}, {"path": "/img/2.pdf", "pages": two.pages, "first": 2}],
            "remarks": {"notes": ["R-150 逾期归档"], "filer": "王明", "checker": "档案员", "filed_on": "2026-12-08"}})
    };
    let pdfs = [("/img/1.pdf".to_string(), one.bytes.clone()), ("/img/2.pdf".to_string(), two.bytes.clone())];
    for (position, right, top) in [("top_right", true, true), ("bottom_center", false, false)] {
        let v = render_volume(&f, &data(position), &pdfs).unwrap();
        assert_eq!(v.pages, 1 + 1 + two.pages + 1, "目录, the documents' pages, 备考表");
        let text = text_of(&v.bytes);
        for needle in
            ["卷内目录", "0001-2026-Y-0001", "询问笔录", "新华路占道经营", "备考表", "R-150逾期归档", "立卷人：王明"]
        {
            assert!(text.contains(needle), "{needle} not in {text}");
        }
        // Each document page carries its 页号, where it was asked for.
        for (page, number) in [(2, "1"), (3, "2"), (2 + two.pages, &*(1 + two.pages).to_string())] {
            let (words, w, h) = words_on(&v.bytes, page);
            let at = words.iter().filter(|(t, _, _)| t == number).find(|(_, x, y)| {
                (if right { *x > 0.8 * w } else { *x > 0.4 * w && *x < 0.6 * w })
                    && (if top { *y < 0.1 * h } else { *y > 0.9 * h })
            });
            assert!(at.is_some(), "{position}: no 页号 {number} in place on page {page}: {words:?}");
        }
    }
}
