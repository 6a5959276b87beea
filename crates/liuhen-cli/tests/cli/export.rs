//! `liuhen export case`: a filed case's archive package, checked as a court or an archive
//! would — Python's `bagit` and the bag's own `check.py` (Python's standard library and
//! OpenSSL) — and broken as an attacker would: a byte changed in any file, a file removed or
//! added, the wrong account, a case not filed.

use crate::helpers::*;
use std::path::Path;
use std::process::{Command, Output};

fn export(data: &Path, case: &str, out: &Path, user: &str, password: &str) -> Output {
    let args: Vec<std::ffi::OsString> = ["export", "case", case, "--data"]
        .into_iter()
        .map(Into::into)
        .chain([data.as_os_str().into(), "--out".into(), out.as_os_str().into()])
        .chain(["--as", user, "--purpose", "移交档案室", "--to", "栗乡街道档案室"].into_iter().map(Into::into))
        .collect();
    run_with_input(&args, &format!("{password}\n"))
}

/// `python3 -m bagit --validate` and the bag's `check.py`: (bagit's verdict, check.py's, what
/// check.py said).
fn validate(bag: &Path) -> (bool, bool, String) {
    let bagit = Command::new("python3").args(["-m", "bagit", "--validate"]).arg(bag).output().unwrap();
    let check = Command::new("python3").arg(bag.join("data/check.py")).arg(bag).output().unwrap();
    (bagit.status.success(), check.status.success(), text(&check.stdout) + &text(&check.stderr))
}

#[test]
fn a_filed_case_exports_as_a_bag_that_checks_without_liuhen_and_fails_on_any_change() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let server = Server::start_with(&data, &["--demo"]);
    let pw = server.demo_password.clone().unwrap();
    let agent = agent();
    let dangan = sign_in_changing_password(&agent, &server.url, "dangan", &pw, "dangan-password-2");
    sign_in_changing_password(&agent, &server.url, "wangming", &pw, "wangming-password-2");
    // The demo's second closed inspection, handed over by 李华: two recordings of hers linked to
    // its on-site act, then filed — a file whose recordings span discs.
    let lihua = sign_in_changing_password(&agent, &server.url, "lihua", &pw, "lihua-password-2");
    let call = |path: &str, token: &str, body: Option<serde_json::Value>| {
        let url = format!("{}{path}", server.url);
        let auth = format!("Bearer {token}");
        let mut r = match body {
            Some(b) => agent
                .post(&url)
                .header("authorization", &auth)
                .header("content-type", "application/json")
                .send(b.to_string().as_bytes())
                .unwrap(),
            None => agent.get(&url).header("authorization", &auth).call().unwrap(),
        };
        let status = r.status().as_u16();
        (status, serde_json::from_str::<serde_json::Value>(&r.body_mut().read_to_string().unwrap()).unwrap())
    };
    let (_, waiting_files) = call("/api/archive/files", &dangan, None);
    let second = waiting_files["files"][0]["case"].as_str().unwrap().to_string();
    let media = tmp.path().join("DCIM");
    std::fs::create_dir_all(&media).unwrap();
    for (name, at) in [("a.mp4", 1_795_138_200u32), ("b.mp4", 1_795_141_800)] {
        std::fs::write(media.join(name), crate::upload::mp4_with_times(at, 60, 300 << 10)).unwrap();
    }
    let out = Command::new(bin())
        .args(["import", "--server", &server.url, "--token", &lihua, "--device", "DSJ-001"])
        .arg(&media)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, list) = call("/api/recordings?limit=50", &lihua, None);
    let mine: Vec<String> = list["recordings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["filename"] == "a.mp4" || r["filename"] == "b.mp4")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(mine.len(), 2, "{list}");
    for id in &mine {
        let (status, body) = call(
            &format!("/api/recordings/{id}/link"),
            &lihua,
            Some(serde_json::json!({"case": second, "records": ["act/0"]})),
        );
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) =
        call(&format!("/api/cases/{second}/archive"), &dangan, Some(serde_json::json!({"action": "file"})));
    assert_eq!(status, 200, "{body}");
    // While the server runs, a console command is refused: one process writes a data directory
    // at a time (an export behind the server's back would leave its log behind the file's).
    let busy = tmp.path().join("busy");
    let r = export(&data, "栗街检〔2026〕106号", &busy, "dangan", "dangan-password-2");
    assert!(!r.status.success() && text(&r.stderr).contains("正被另一个留痕进程使用"), "{}", text(&r.stderr));
    assert!(!busy.exists());
    let year = {
        let mut s = server;
        let pid = s.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        s.child.wait().unwrap();
        // The demo numbers its cases in the year it was seeded.
        let conn = rusqlite::Connection::open(data.join("liuhen.db")).unwrap();
        let no: String =
            conn.query_row("SELECT archive_no FROM case_files WHERE state = 'filed'", [], |r| r.get(0)).unwrap();
        no.split('-').nth(1).unwrap().to_string()
    };
    let filed = format!("栗街检〔{year}〕105号");
    let open = format!("栗街检〔{year}〕101号");
    // Only the 档案管理员 exports; only a filed case.
    let out = tmp.path().join("bag");
    let r = export(&data, &filed, &out, "wangming", "wangming-password-2");
    assert!(!r.status.success() && !out.exists(), "an officer exported: {}", text(&r.stdout));
    let r = export(&data, &open, &out, "dangan", "dangan-password-2");
    assert!(!r.status.success() && text(&r.stderr).contains("尚未归档"), "{}", text(&r.stderr));
    let r = export(&data, &filed, &out, "dangan", "not-the-password");
    assert!(!r.status.success() && !out.exists());
    let r = export(&data, &filed, &out, "dangan", "dangan-password-2");
    assert!(r.status.success(), "{}{}", text(&r.stdout), text(&r.stderr));
    // Its 四性检测, run on the package as written and recorded: every item passes but the virus
    // scan, which is not run where ClamAV is not installed — never passed.
    let said = text(&r.stdout);
    for code in [
        "WZ-1", "WZ-2", "WZ-3", "WZ-4", "WZ-5", "ZS-1", "ZS-2", "ZS-3", "ZS-4", "ZS-5", "ZS-6", "ZS-8", "ZS-9", "KY-1",
        "KY-2", "AQ-1",
    ] {
        assert!(said.contains(&format!("[pass] {code} ")), "{code}: {said}");
    }
    let clam = Command::new("clamscan").arg("--version").output().is_ok();
    assert!(said.contains(if clam { "[pass] AQ-2" } else { "[not-run] AQ-2" }), "{said}");
    // Never over a bag already there.
    let again = export(&data, &filed, &out, "dangan", "dangan-password-2");
    assert!(!again.status.success() && text(&again.stderr).contains("已存在"), "{}", text(&again.stderr));
    let (bagit, check, said) = validate(&out);
    assert!(bagit && check && said.contains("核验通过"), "{said}");
    assert!(said.contains("1 份盖章文书的电子签章有效"), "{said}");
    let info = std::fs::read_to_string(out.join("bag-info.txt")).unwrap();
    assert!(info.contains(&format!("Bag-Group-Identifier: 0001-{year}-D10-0001")), "{info}");
    // The export was logged before the bag was written: its entry is in the bag, proved.
    let entry: String = info.lines().find_map(|l| l.strip_prefix("Liuhen-Export-Entry: ")).unwrap().to_string();
    let logged =
        std::fs::read_to_string(out.join(format!("data/log/entries/{:012}.json", entry.parse::<u64>().unwrap())))
            .unwrap();
    assert!(logged.contains("\"export.case\""), "{logged}");
    let meta = std::fs::read_to_string(out.join("data/metadata.xml")).unwrap();
    assert!(meta.contains("<行为>archive.filed</行为>") && meta.contains("<行为>export.case</行为>"), "{meta}");
    // The log still verifies, export and all.
    let v = run(&["verify", "--data", data.to_str().unwrap()]);
    assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));
    // One byte changed in any file, payload or tag: both checks fail.
    let mut files = Vec::new();
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            } else {
                files.push(e.path());
            }
        }
    }
    files.sort();
    assert!(files.len() > 20, "{files:?}");
    for f in &files {
        let rel = f.strip_prefix(&out).unwrap().to_path_buf();
        let copy = tmp.path().join("changed");
        let _ = std::fs::remove_dir_all(&copy);
        assert!(Command::new("cp").arg("-a").arg(&out).arg(&copy).status().unwrap().success());
        let target = copy.join(&rel);
        let mut bytes = std::fs::read(&target).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x01;
        std::fs::write(&target, bytes).unwrap();
        let (bagit, check, said) = validate(&copy);
        assert!(!check, "check.py took {rel:?} changed: {said}");
        assert!(!bagit, "bagit took {rel:?} changed");
    }
    // The 四性检测 (`liuhen verify --bag`) names the item: a changed byte, a removed file, a gap
    // in 件号, an extra file.
    let four = |bag: &Path| {
        let o = run(&["verify", "--bag", bag.to_str().unwrap()]);
        (o.status.success(), text(&o.stdout))
    };
    let fresh = |name: &str| {
        let copy = tmp.path().join(name);
        assert!(Command::new("cp").arg("-a").arg(&out).arg(&copy).status().unwrap().success());
        copy
    };
    assert!(four(&out).0, "{}", four(&out).1);
    let copy = fresh("byte");
    let pdf = copy.join("data/documents/01-D52.pdf");
    let mut b = std::fs::read(&pdf).unwrap();
    let at = b.len() / 2;
    b[at] ^= 0x01;
    std::fs::write(&pdf, b).unwrap();
    let (ok, said) = four(&copy);
    assert!(!ok && said.contains("[fail] ZS-1") && said.contains("01-D52.pdf 的摘要与清单不符"), "{said}");
    assert!(said.contains("[fail] ZS-6"), "the seal no longer covers the PDF: {said}");
    // A file removed, a file added: both checks fail, and the report names them.
    let copy = fresh("removed");
    std::fs::remove_file(copy.join("data/documents/01-D52.pdf")).unwrap();
    let (bagit, check, _) = validate(&copy);
    assert!(!bagit && !check);
    let (ok, said) = four(&copy);
    assert!(
        !ok && said.contains("[fail] WZ-2") && said.contains("清单所列文件缺失：data/documents/01-D52.pdf"),
        "{said}"
    );
    let copy = fresh("added");
    std::fs::write(copy.join("data/documents/extra.pdf"), b"%PDF-1.7").unwrap();
    let (bagit, check, said) = validate(&copy);
    assert!(!bagit && !check && said.contains("extra.pdf"), "{said}");
    let (ok, said) = four(&copy);
    assert!(!ok && said.contains("[fail] AQ-1") && said.contains("非归档文件：data/documents/extra.pdf"), "{said}");
    // Changed and saved again with the standard tool (manifests remade, no key needed): the
    // statement signed with the log's key no longer covers it — check.py and ZS-7 say so. An
    // extra tag file at the root, listed in remade tag manifests, is named too.
    let resave = |bag: &Path| {
        let code = format!("import bagit; bagit.Bag({:?}).save(manifests=True)", bag.to_str().unwrap());
        assert!(Command::new("python3").args(["-c", &code]).status().unwrap().success());
    };
    let copy = fresh("resaved");
    let meta = copy.join("data/metadata.xml");
    let xml = std::fs::read_to_string(&meta).unwrap().replace("定期10年", "永久");
    std::fs::write(&meta, xml).unwrap();
    resave(&copy);
    let (bagit, check, said) = validate(&copy);
    assert!(bagit && !check && said.contains("differs from what the signed statement covers"), "{said}");
    let (ok, said) = four(&copy);
    assert!(!ok && said.contains("[fail] ZS-7") && !said.contains("[fail] ZS-1"), "{said}");
    let copy = fresh("extratag");
    std::fs::write(copy.join("extra-tag.txt"), b"planted").unwrap();
    resave(&copy);
    let (_, check, said) = validate(&copy);
    assert!(!check, "{said}");
    let (ok, said) = four(&copy);
    assert!(!ok && said.contains("[fail] ZS-7"), "{said}");
    // The consistency proof from the filing's checkpoint to the export's: real (the log grew in
    // between), and one hash of it changed — the manifests remade so only the proof is wrong —
    // fails check.py and ZS-8.
    let proof: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("data/log/consistency.json")).unwrap()).unwrap();
    assert!(
        proof["old_size"].as_u64() < proof["new_size"].as_u64() && !proof["path"].as_array().unwrap().is_empty(),
        "{proof}"
    );
    // check.py's own RFC 9162 check (Python alone) takes the proof and refuses it changed.
    let python = |path_json: &str| {
        let code = format!(
            "import base64, importlib.util, json, sys\n\
             spec = importlib.util.spec_from_file_location('check', {check:?}); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n\
             old = open({filed:?}, 'rb').read().decode().split('\\n'); new = open({latest:?}, 'rb').read().decode().split('\\n')\n\
             path = [bytes.fromhex(h) for h in json.loads(sys.argv[1])]\n\
             sys.exit(0 if m.consistent(int(old[1]), int(new[1]), base64.b64decode(old[2]), base64.b64decode(new[2]), path) else 1)",
            check = out.join("data/check.py").to_str().unwrap(),
            filed = out.join("data/log/checkpoint-filed.txt").to_str().unwrap(),
            latest = out.join("data/log/checkpoint.txt").to_str().unwrap(),
        );
        Command::new("python3").args(["-c", &code, path_json]).status().unwrap().success()
    };
    assert!(python(&proof["path"].to_string()), "check.py takes the real proof");
    let mut forged = proof.clone();
    forged["path"][0] = serde_json::json!("00".repeat(32));
    assert!(!python(&forged["path"].to_string()), "check.py refuses a changed proof");
    let copy = fresh("forked");
    std::fs::write(copy.join("data/log/consistency.json"), forged.to_string()).unwrap();
    resave(&copy);
    let (_, check, _) = validate(&copy);
    assert!(!check);
    let (ok, said) = four(&copy);
    assert!(!ok && said.contains("[fail] ZS-8"), "{said}");
    // A gap in 件号 (the manifest fails on the changed metadata too; the item is named).
    let copy = fresh("gap");
    let meta = copy.join("data/metadata.xml");
    let xml = std::fs::read_to_string(&meta).unwrap().replace("件号=\"1\"", "件号=\"2\"");
    std::fs::write(&meta, &xml).unwrap();
    let (ok, said) = four(&copy);
    assert!(!ok && said.contains("[fail] WZ-4") && said.contains("第 1 件的件号为 2"), "{said}");
    // Evidence discs: the file with its two recordings on discs too small for both, each disc
    // a bag of its own with the catalogue and 说明 at its root, read by xorriso and isoinfo.
    let second_no = format!("栗街检〔{year}〕106号");
    // A disc too small for one of its recordings: refused before anything is recorded.
    let args = |out: &Path, iso: &str| -> Vec<String> {
        let mut a: Vec<String> = ["export", "case", &second_no, "--data", data.to_str().unwrap(), "--out"]
            .into_iter()
            .map(str::to_string)
            .collect();
        a.push(out.to_str().unwrap().to_string());
        a.extend(["--as", "dangan", "--purpose", "刻录证据光盘", "--to", "档案室", "--iso", iso].map(str::to_string));
        a
    };
    let r = run_with_input(&args(&tmp.path().join("small"), "300KiB"), "dangan-password-2\n");
    assert!(!r.status.success() && text(&r.stderr).contains("大于一张光盘的可用容量"), "{}", text(&r.stderr));
    assert!(!text(&r.stderr).contains("日志第"), "nothing recorded: {}", text(&r.stderr));
    // Written where no folder can be made: the failure is recorded after the export's entry,
    // and nothing half-written is left.
    let blocker = tmp.path().join("a-file");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let r = run_with_input(&args(&blocker.join("bag"), "768KiB"), "dangan-password-2\n");
    let said = text(&r.stderr);
    assert!(!r.status.success() && said.contains("导出失败") && said.contains("失败记录为第"), "{said}");
    assert!(!tmp.path().join("a-file/bag-discs").exists());
    let v = run(&["verify", "--data", data.to_str().unwrap()]);
    assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));
    let bag2 = tmp.path().join("bag2");
    let args: Vec<String> = [
        "export",
        "case",
        &second_no,
        "--data",
        data.to_str().unwrap(),
        "--out",
        bag2.to_str().unwrap(),
        "--as",
        "dangan",
        "--purpose",
        "刻录证据光盘",
        "--to",
        "档案室",
        "--iso",
        "768KiB",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    let r = run_with_input(&args, "dangan-password-2\n");
    assert!(r.status.success(), "{}{}", text(&r.stdout), text(&r.stderr));
    let discs_dir = tmp.path().join("bag2-discs");
    let mut images: Vec<_> = std::fs::read_dir(&discs_dir).unwrap().flatten().map(|e| e.path()).collect();
    images.sort();
    assert_eq!(images.len(), 2, "{images:?}: {}", text(&r.stdout));
    let mut carried = 0;
    for (k, img) in images.iter().enumerate() {
        // The image itself, read with no mount and no extraction, is a bag that passes; one
        // byte changed in any file on it fails the check, naming an item.
        let (ok, said) = four(img);
        assert!(ok, "image {k}: {said}");
        let on_image = liuhen_verify::carrier::Image::open(img).unwrap();
        let original = std::fs::read(img).unwrap();
        assert!(on_image.extents().len() > 20, "{:?}", on_image.extents().keys());
        for (name, parts) in on_image.extents() {
            let (offset, len) = parts[0];
            if len == 0 {
                continue;
            }
            let mut changed = original.clone();
            changed[(offset + len / 2) as usize] ^= 0x01;
            let flipped = tmp.path().join("flipped.iso");
            std::fs::write(&flipped, &changed).unwrap();
            let items = liuhen_verify::bag::four_properties(&flipped, None);
            let failed: Vec<_> = items.iter().filter(|i| i.result == liuhen_verify::bag::Outcome::Fail).collect();
            assert!(!failed.is_empty(), "image {k}: {name} changed and still passed");
        }
        let found = Command::new("xorriso").arg("-indev").arg(img).arg("-find").output().unwrap();
        let listed = text(&found.stdout);
        for name in [
            "'./说明文件.TXT'",
            "'./文件目录.XML'",
            "'./bagit.txt'",
            "'./data/metadata.xml'",
            "'./data/log/checkpoint.txt'",
        ] {
            assert!(listed.contains(name), "{name} not on {img:?}:\n{listed}");
        }
        let info = Command::new("isoinfo").args(["-J", "-l", "-i"]).arg(img).output().unwrap();
        assert!(info.status.success() && text(&info.stdout).contains("Directory listing of /data/recordings/"));
        let copy = tmp.path().join(format!("disc{k}"));
        let x = Command::new("xorriso")
            .args(["-osirrox", "on", "-indev"])
            .arg(img)
            .args(["-extract", "/"])
            .arg(&copy)
            .output()
            .unwrap();
        assert!(x.status.success(), "{}", text(&x.stderr));
        let catalogue = std::fs::read_to_string(copy.join("文件目录.XML")).unwrap();
        assert!(
            catalogue.contains("<执法事项>")
                && catalogue.contains("<设备>DSJ-001</设备>")
                && catalogue.contains("李华"),
            "{catalogue}"
        );
        let bag_info = std::fs::read_to_string(copy.join("bag-info.txt")).unwrap();
        assert!(bag_info.contains(&format!("Bag-Count: {} of 2", k + 1)), "{bag_info}");
        carried += std::fs::read_dir(copy.join("data/recordings")).map(|d| d.count()).unwrap_or(0);
        // Each disc is a bag on its own, and passes the 四性检测 on its own.
        let (bagit, check, said) = validate(&copy);
        assert!(bagit && check, "disc {k}: {said}");
        let (ok, said) = four(&copy);
        assert!(ok, "disc {k}: {said}");
        // A recording swapped for other bytes and the disc's manifests remade: no entry of the
        // case proves its hash (ZS-9), nor does the signed statement cover the manifests (ZS-7).
        let swapped = tmp.path().join(format!("swapped{k}"));
        assert!(Command::new("cp").arg("-a").arg(&copy).arg(&swapped).status().unwrap().success());
        if let Some(rec) = std::fs::read_dir(swapped.join("data/recordings")).unwrap().flatten().next() {
            std::fs::write(rec.path(), crate::upload::mp4_with_times(1_795_138_200, 60, 1000)).unwrap();
            resave(&swapped);
            let (ok, said) = four(&swapped);
            assert!(!ok && said.contains("[fail] ZS-9") && said.contains("的摘要没有本案日志条目证明"), "{said}");
            assert!(said.contains("[fail] ZS-7"), "{said}");
        }
        // A file that is no part of the archive, added to the disc: named.
        std::fs::write(copy.join("autorun.inf"), b"[autorun]").unwrap();
        let (ok, said) = four(&copy);
        assert!(!ok && said.contains("[fail] AQ-1") && said.contains("非归档文件：autorun.inf"), "{said}");
    }
    assert_eq!(carried, 2, "each recording on one disc");
}
