//! An ISO 9660 image with Joliet (ECMA-119; Joliet, level 3 UCS-2) for evidence discs (DA/T 38):
//! the layout is planned from the files' paths and sizes alone, then written as a stream —
//! the volume descriptors, path tables and directories first, each file's bytes after — so an
//! image of any size is written without holding it. Primary names are 8.3 d-characters (made
//! unique); the Joliet tree carries the real names, Chinese included.

use std::collections::BTreeMap;

pub const SECTOR: u64 = 2048;
/// A file's size must fit one extent (ECMA-119: 32 bits).
pub const MAX_FILE: u64 = u32::MAX as u64 - SECTOR;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IsoError {
    #[error("文件“{0}”超过 4 GiB，单个文件不能写入光盘映像")]
    TooLarge(String),
    #[error("文件名“{0}”过长或含光盘不支持的字符")]
    BadName(String),
}

/// A directory of one tree: its subdirectories and files by name.
#[derive(Default)]
struct Dir {
    dirs: BTreeMap<String, Dir>,
    files: BTreeMap<String, usize>,
}

/// The planned image: everything before the first file's bytes, and where each file goes.
pub struct Plan {
    /// The bytes of sectors 0 up to the first file's extent.
    pub head: Vec<u8>,
    /// The files in the order their bytes follow the head: (index into the input, size).
    pub order: Vec<(usize, u64)>,
    /// The image's size in sectors.
    pub sectors: u64,
}

fn both32(v: u32) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..4].copy_from_slice(&v.to_le_bytes());
    b[4..].copy_from_slice(&v.to_be_bytes());
    b
}

fn both16(v: u16) -> [u8; 4] {
    let mut b = [0u8; 4];
    b[..2].copy_from_slice(&v.to_le_bytes());
    b[2..].copy_from_slice(&v.to_be_bytes());
    b
}

/// A recording date (7 bytes) for Unix ms `at`, in Beijing time (offset +8 h = 32 quarters).
fn record_date(at_ms: i64) -> [u8; 7] {
    let d = liuhen_core::time::Timestamp(at_ms).shanghai_date();
    let secs = (at_ms + 8 * 3_600_000).div_euclid(1000).rem_euclid(86_400);
    // `YYYY-MM-DD`.
    let text = d.to_string();
    let part = |r: std::ops::Range<usize>| text.get(r).and_then(|x| x.parse::<u8>().ok()).unwrap_or(1);
    [
        (d.year() - 1900).clamp(0, 255) as u8,
        part(5..7),
        part(8..10),
        (secs / 3600) as u8,
        (secs / 60 % 60) as u8,
        (secs % 60) as u8,
        32,
    ]
}

/// A volume descriptor date (17 bytes).
fn volume_date(at_ms: i64) -> [u8; 17] {
    let r = record_date(at_ms);
    let text = format!("{:04}{:02}{:02}{:02}{:02}{:02}00", 1900 + u32::from(r[0]), r[1], r[2], r[3], r[4], r[5]);
    let mut b = [0u8; 17];
    b[..16].copy_from_slice(text.as_bytes());
    b[16] = 32;
    b
}

/// A name in UCS-2 big-endian (Joliet), refused beyond the BMP or 64 characters.
fn ucs2(name: &str) -> Result<Vec<u8>, IsoError> {
    let units: Vec<u16> = name.encode_utf16().collect();
    if units.len() > 64
        || units.iter().any(|u| (0xD800..0xE000).contains(u))
        || name.contains(['/', '\\', ':', ';', '*', '?', '"', '<', '>', '|'])
    {
        return Err(IsoError::BadName(name.to_string()));
    }
    Ok(units.iter().flat_map(|u| u.to_be_bytes()).collect())
}

/// d-characters: upper-case letters, digits and `_`.
fn d_chars(s: &str, max: usize) -> String {
    let out: String = s
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            c @ ('A'..='Z' | '0'..='9') => c,
            _ => '_',
        })
        .take(max)
        .collect();
    if out.is_empty() { "_".to_string() } else { out }
}

/// The primary (8.3) names of a directory's entries, unique: (real name → primary name).
fn primary_names<'a>(names: impl Iterator<Item = (&'a String, bool)>) -> BTreeMap<String, String> {
    let mut taken = std::collections::BTreeSet::new();
    let mut out = BTreeMap::new();
    for (name, is_dir) in names {
        let (stem, ext) = match name.rsplit_once('.') {
            Some((s, e)) if !is_dir && !s.is_empty() => (s, d_chars(e, 3)),
            _ => (name.as_str(), String::new()),
        };
        let base = d_chars(stem, 8);
        let make = |b: &str| if ext.is_empty() { b.to_string() } else { format!("{b}.{ext}") };
        let mut candidate = make(&base);
        let mut n = 1;
        while taken.contains(&candidate) {
            let suffix = format!("_{n}");
            candidate = make(&format!("{}{suffix}", &base[..base.len().min(8 - suffix.len())]));
            n += 1;
        }
        taken.insert(candidate.clone());
        out.insert(name.clone(), candidate);
    }
    out
}

/// One directory record.
fn record(name: &[u8], extent: u32, size: u32, dir: bool, at: [u8; 7]) -> Vec<u8> {
    let len = 33 + name.len() + (name.len() + 1) % 2;
    let mut r = vec![0u8; len];
    r[0] = len as u8;
    r[2..10].copy_from_slice(&both32(extent));
    r[10..18].copy_from_slice(&both32(size));
    r[18..25].copy_from_slice(&at);
    r[25] = if dir { 2 } else { 0 };
    r[28..32].copy_from_slice(&both16(1));
    r[32] = name.len() as u8;
    r[33..33 + name.len()].copy_from_slice(name);
    r
}

/// Packs records into sectors, none across a sector's end.
fn pack(records: &[Vec<u8>]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    for r in records {
        let used = out.len() as u64 % SECTOR;
        if used + r.len() as u64 > SECTOR {
            out.resize(out.len() + (SECTOR - used) as usize, 0);
        }
        out.extend_from_slice(r);
    }
    let rem = out.len() as u64 % SECTOR;
    if rem != 0 {
        out.resize(out.len() + (SECTOR - rem) as usize, 0);
    }
    out
}

/// A tree flattened: its directories in path-table order (breadth first, by name within a
/// parent), each with its parent's number (1-based) and its identifier in the tree.
struct Flat<'a> {
    dirs: Vec<(&'a Dir, usize, Vec<u8>)>,
}

fn flatten<'a>(root: &'a Dir, ident: &dyn Fn(&Dir, &str) -> Vec<u8>) -> Flat<'a> {
    let mut dirs = vec![(root, 1usize, vec![0u8])];
    let mut i = 0;
    while i < dirs.len() {
        let (d, _, _) = dirs[i];
        let mut kids: Vec<(Vec<u8>, &Dir)> = d.dirs.iter().map(|(n, c)| (ident(d, n), c)).collect();
        kids.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, c) in kids {
            dirs.push((c, i + 1, name));
        }
        i += 1;
    }
    Flat { dirs }
}

fn path_table(flat: &Flat<'_>, extents: &[u32], big: bool) -> Vec<u8> {
    let mut t = Vec::new();
    for (i, (_, parent, name)) in flat.dirs.iter().enumerate() {
        t.push(name.len() as u8);
        t.push(0);
        let (loc, par) = if big {
            (extents[i].to_be_bytes(), (*parent as u16).to_be_bytes())
        } else {
            (extents[i].to_le_bytes(), (*parent as u16).to_le_bytes())
        };
        t.extend_from_slice(&loc);
        t.extend_from_slice(&par);
        t.extend_from_slice(name);
        if name.len() % 2 == 1 {
            t.push(0);
        }
    }
    t
}

fn sectors(bytes: u64) -> u64 {
    bytes.div_ceil(SECTOR)
}

/// Plans an image named `volume` (its label) of `files` (`a/b/c` paths, sizes), dated `at_ms`.
pub fn plan(volume: &str, files: &[(String, u64)], at_ms: i64) -> Result<Plan, IsoError> {
    let mut root = Dir::default();
    for (i, (path, size)) in files.iter().enumerate() {
        if *size > MAX_FILE {
            return Err(IsoError::TooLarge(path.clone()));
        }
        let parts: Vec<&str> = path.split('/').collect();
        let mut d = &mut root;
        for p in &parts[..parts.len() - 1] {
            ucs2(p)?;
            d = d.dirs.entry((*p).to_string()).or_default();
        }
        let name = parts[parts.len() - 1];
        ucs2(name)?;
        d.files.insert(name.to_string(), i);
    }
    let at = record_date(at_ms);
    // Identifiers in each tree.
    let primary = |d: &Dir| primary_names(d.dirs.keys().map(|n| (n, true)).chain(d.files.keys().map(|n| (n, false))));
    let p_ident = |d: &Dir, n: &str| primary(d).get(n).cloned().unwrap_or_default().into_bytes();
    let j_ident = |_: &Dir, n: &str| ucs2(n).unwrap_or_default();
    let pflat = flatten(&root, &p_ident);
    let jflat = flatten(&root, &j_ident);
    // Sizes of each tree's directory extents: records depend only on names, not locations.
    let dir_records = |d: &Dir, joliet: bool, own: u32, parent: u32, ext: &dyn Fn(&Dir) -> u32, file_ext: &[u32]| {
        let names = primary(d);
        let ident = |n: &str, is_file: bool| -> Vec<u8> {
            if joliet {
                ucs2(n).unwrap_or_default()
            } else if is_file {
                format!("{};1", names.get(n).cloned().unwrap_or_default()).into_bytes()
            } else {
                names.get(n).cloned().unwrap_or_default().into_bytes()
            }
        };
        let mut entries: Vec<(Vec<u8>, u32, u32, bool)> = Vec::new();
        for (n, c) in &d.dirs {
            entries.push((ident(n, false), ext(c), 0, true));
        }
        for (n, i) in &d.files {
            entries.push((ident(n, true), file_ext[*i], files[*i].1 as u32, false));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut recs = vec![record(&[0], own, 0, true, at), record(&[1], parent, 0, true, at)];
        recs.extend(entries.into_iter().map(|(n, e, s, dir)| record(&n, e, s, dir, at)));
        recs
    };
    let none = vec![0u32; files.len()];
    let zero = |_: &Dir| 0u32;
    let size_of = |d: &Dir, joliet: bool| pack(&dir_records(d, joliet, 0, 0, &zero, &none)).len() as u64;
    // Where everything goes.
    let pt = |flat: &Flat<'_>| path_table(flat, &vec![0; flat.dirs.len()], false).len() as u64;
    let (p_pt, j_pt) = (pt(&pflat), pt(&jflat));
    let mut next = 19u64;
    let p_l = next;
    next += sectors(p_pt);
    let p_m = next;
    next += sectors(p_pt);
    let j_l = next;
    next += sectors(j_pt);
    let j_m = next;
    next += sectors(j_pt);
    let mut p_ext = Vec::new();
    for (d, _, _) in &pflat.dirs {
        p_ext.push(next as u32);
        next += sectors(size_of(d, false));
    }
    let mut j_ext = Vec::new();
    for (d, _, _) in &jflat.dirs {
        j_ext.push(next as u32);
        next += sectors(size_of(d, true));
    }
    let data_start = next;
    let mut order: Vec<(usize, u64)> = (0..files.len()).map(|i| (i, files[i].1)).collect();
    order.sort_by(|a, b| files[a.0].0.cmp(&files[b.0].0));
    let mut file_ext = vec![0u32; files.len()];
    for (i, size) in &order {
        if *size > 0 {
            file_ext[*i] = next as u32;
            next += sectors(*size);
        }
    }
    let total = next;
    // The directories, now that every location is known.
    let locate = |flat: &Flat<'_>, ext: &[u32]| {
        let index: BTreeMap<*const Dir, u32> =
            flat.dirs.iter().enumerate().map(|(i, (d, _, _))| (*d as *const Dir, ext[i])).collect();
        move |d: &Dir| index.get(&(d as *const Dir)).copied().unwrap_or(0)
    };
    let p_loc = locate(&pflat, &p_ext);
    let j_loc = locate(&jflat, &j_ext);
    let mut head = vec![0u8; (data_start * SECTOR) as usize];
    let put = |head: &mut Vec<u8>, at: u64, bytes: &[u8]| {
        let s = (at * SECTOR) as usize;
        head[s..s + bytes.len()].copy_from_slice(bytes);
    };
    let root_size = |joliet: bool| sectors(size_of(&root, joliet)) * SECTOR;
    for (sector, joliet) in [(16u64, false), (17, true)] {
        let mut v = vec![0u8; SECTOR as usize];
        v[0] = if joliet { 2 } else { 1 };
        v[1..6].copy_from_slice(b"CD001");
        v[6] = 1;
        let text = |s: &str, len: usize| -> Vec<u8> {
            if joliet {
                let mut b: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).take(len).collect();
                while b.len() < len {
                    b.extend_from_slice(&[0, 0x20]);
                }
                b.truncate(len);
                b
            } else {
                let mut b: Vec<u8> = d_chars(s, len).into_bytes();
                b.resize(len, b' ');
                b
            }
        };
        v[8..40].copy_from_slice(&text("", 32));
        v[40..72].copy_from_slice(&text(volume, 32));
        v[80..88].copy_from_slice(&both32(total as u32));
        if joliet {
            v[88..91].copy_from_slice(b"%/E");
        }
        v[120..124].copy_from_slice(&both16(1));
        v[124..128].copy_from_slice(&both16(1));
        v[128..132].copy_from_slice(&both16(SECTOR as u16));
        let (ptsize, l, m, root_ext) = if joliet { (j_pt, j_l, j_m, j_ext[0]) } else { (p_pt, p_l, p_m, p_ext[0]) };
        v[132..140].copy_from_slice(&both32(ptsize as u32));
        v[140..144].copy_from_slice(&(l as u32).to_le_bytes());
        v[148..152].copy_from_slice(&(m as u32).to_be_bytes());
        v[156..190].copy_from_slice(&record(&[0], root_ext, root_size(joliet) as u32, true, at));
        for (from, len) in [(190, 128), (318, 128), (446, 128), (702, 37), (739, 37), (776, 37)] {
            v[from..from + len].copy_from_slice(&text("", len));
        }
        v[574..702].copy_from_slice(&text("LIUHEN", 128));
        let date = volume_date(at_ms);
        v[813..830].copy_from_slice(&date);
        v[830..847].copy_from_slice(&date);
        v[847..863].copy_from_slice(b"0000000000000000");
        v[864..880].copy_from_slice(b"0000000000000000");
        v[881] = 1;
        put(&mut head, sector, &v);
    }
    let mut term = vec![0u8; 7];
    term[0] = 255;
    term[1..6].copy_from_slice(b"CD001");
    term[6] = 1;
    put(&mut head, 18, &term);
    put(&mut head, p_l, &path_table(&pflat, &p_ext, false));
    put(&mut head, p_m, &path_table(&pflat, &p_ext, true));
    put(&mut head, j_l, &path_table(&jflat, &j_ext, false));
    put(&mut head, j_m, &path_table(&jflat, &j_ext, true));
    for (flat, ext, joliet, loc) in [
        (&pflat, &p_ext, false, &p_loc as &dyn Fn(&Dir) -> u32),
        (&jflat, &j_ext, true, &j_loc as &dyn Fn(&Dir) -> u32),
    ] {
        for (i, (d, parent, _)) in flat.dirs.iter().enumerate() {
            let parent_ext = ext[*parent - 1];
            let mut recs = dir_records(d, joliet, ext[i], parent_ext, loc, &file_ext);
            // "." and ".." carry their directories' sizes.
            let own = sectors(size_of(d, joliet)) * SECTOR;
            let parent_dir = flat.dirs[*parent - 1].0;
            let up = sectors(size_of(parent_dir, joliet)) * SECTOR;
            recs[0][10..18].copy_from_slice(&both32(own as u32));
            recs[1][10..18].copy_from_slice(&both32(up as u32));
            // A subdirectory's record carries its size too.
            for r in recs.iter_mut().skip(2).filter(|r| r[25] == 2) {
                let e = u32::from_le_bytes([r[2], r[3], r[4], r[5]]);
                if let Some(pos) = ext.iter().position(|x| *x == e) {
                    let s = sectors(size_of(flat.dirs[pos].0, joliet)) * SECTOR;
                    r[10..18].copy_from_slice(&both32(s as u32));
                }
            }
            put(&mut head, u64::from(ext[i]), &pack(&recs));
        }
    }
    Ok(Plan { head, order: order.into_iter().filter(|(_, s)| *s > 0).collect(), sectors: total })
}

/// The zero bytes that end a file of `size` on its sector.
pub fn padding(size: u64) -> usize {
    ((SECTOR - size % SECTOR) % SECTOR) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` (path, bytes) as an image through the plan, as a stream.
    fn image(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let list: Vec<(String, u64)> = files.iter().map(|(p, b)| ((*p).to_string(), b.len() as u64)).collect();
        let plan = plan("测试光盘", &list, 1_796_688_411_000).unwrap();
        let mut out = plan.head.clone();
        for (i, size) in &plan.order {
            out.extend_from_slice(&files[*i].1);
            out.resize(out.len() + padding(*size), 0);
        }
        assert_eq!(out.len() as u64, plan.sectors * SECTOR);
        out
    }

    /// xorriso (libisofs) and isoinfo (cdrkit) read the image: the Joliet tree's Chinese names,
    /// every file's bytes back as written, the 8.3 names unique.
    #[test]
    fn xorriso_and_isoinfo_read_the_image_with_its_chinese_names() {
        let dir = tempfile::tempdir().unwrap();
        let big: Vec<u8> = (0..5000u32).flat_map(|i| i.to_le_bytes()).collect();
        let files = vec![
            ("说明文件.TXT", "本光盘为证据光盘。\n".as_bytes().to_vec()),
            ("文件目录.XML", b"<?xml version=\"1.0\"?><x/>".to_vec()),
            ("bagit.txt", b"BagIt-Version: 1.0\n".to_vec()),
            ("data/documents/01-D52.pdf", b"%PDF-1.7 one".to_vec()),
            ("data/documents/02-D52.pdf", b"%PDF-1.7 two".to_vec()),
            ("data/documents/决定书.pdf", b"%PDF-1.7 three".to_vec()),
            ("data/documents/告知书.pdf", b"%PDF-1.7 four".to_vec()),
            ("data/recordings/执法记录仪-01.mp4", big.clone()),
            ("data/empty.txt", Vec::new()),
        ];
        let img = dir.path().join("d.iso");
        std::fs::write(&img, image(&files)).unwrap();
        let found = std::process::Command::new("xorriso").arg("-indev").arg(&img).arg("-find").output().unwrap();
        let listed = String::from_utf8_lossy(&found.stdout).to_string();
        assert!(found.status.success(), "{}", String::from_utf8_lossy(&found.stderr));
        for (p, _) in &files {
            assert!(listed.contains(&format!("'./{p}'")), "{p} not in:\n{listed}");
        }
        let out = dir.path().join("out");
        let x = std::process::Command::new("xorriso")
            .args(["-osirrox", "on", "-indev"])
            .arg(&img)
            .args(["-extract", "/"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(x.status.success(), "{}", String::from_utf8_lossy(&x.stderr));
        for (p, bytes) in &files {
            assert_eq!(&std::fs::read(out.join(p)).unwrap(), bytes, "{p}");
        }
        let info = std::process::Command::new("isoinfo").args(["-d", "-i"]).arg(&img).output().unwrap();
        let said = String::from_utf8_lossy(&info.stdout).to_string();
        assert!(said.contains("Joliet with UCS level 3 found"), "{said}");
        let l = std::process::Command::new("isoinfo").args(["-J", "-l", "-i"]).arg(&img).output().unwrap();
        let said = String::from_utf8_lossy(&l.stdout).to_string();
        assert!(l.status.success() && said.contains("Directory listing of /data/documents/"), "{said}");
        assert!(said.contains(" 20000 ") && said.contains("01-D52.pdf"), "{said}");
        let primary = std::process::Command::new("isoinfo").args(["-l", "-i"]).arg(&img).output().unwrap();
        let said = String::from_utf8_lossy(&primary.stdout).to_string();
        // Two names that map to the same 8.3 name are told apart.
        assert!(
            said.contains("01_D52.PDF;1") && said.contains(" ___.PDF;1") && said.contains(" ____1.PDF;1"),
            "{said}"
        );
    }

    #[test]
    fn a_file_over_four_gib_or_a_bad_name_is_refused() {
        assert_eq!(plan("x", &[("a.mp4".into(), 5 << 30)], 0).err(), Some(IsoError::TooLarge("a.mp4".into())));
        assert!(matches!(plan("x", &[("a:b.txt".into(), 1)], 0), Err(IsoError::BadName(_))));
        assert!(matches!(plan("x", &[("😀.txt".into(), 1)], 0), Err(IsoError::BadName(_))));
    }
}
