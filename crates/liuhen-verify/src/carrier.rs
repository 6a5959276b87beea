//! Where a package is read from: a directory (a bag, or a folder copied from a disc), or an ISO
//! 9660 image or optical drive read directly (ECMA-119, with the Joliet tree when there is one)
//! — so a burned disc is checked as it is, with nothing mounted or extracted first.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

const SECTOR: u64 = 2048;
/// Limits against a hostile image: directory depth and the number of records read in all.
const MAX_DEPTH: usize = 64;
const MAX_RECORDS: usize = 1_000_000;

/// The files of a package, by relative path with `/`.
pub trait Carrier {
    /// Every file, sorted.
    fn files(&self) -> &[String];
    fn open(&self, path: &str) -> io::Result<Box<dyn Read + '_>>;
    fn len(&self, path: &str) -> io::Result<u64>;
    /// What a virus scanner is given: the directory or the image.
    fn location(&self) -> &Path;
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.open(path)?.read_to_end(&mut out)?;
        Ok(out)
    }
    fn read_string(&self, path: &str) -> io::Result<String> {
        String::from_utf8(self.read(path)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

/// Opens `path`: a directory as it is, anything else (an image file, a device) as ISO 9660.
pub fn open(path: &Path) -> Result<Box<dyn Carrier>, String> {
    if path.is_dir() { Ok(Box::new(Dir::new(path))) } else { Ok(Box::new(Image::open(path)?)) }
}

/// A directory on a file system.
#[derive(Debug)]
pub struct Dir {
    root: PathBuf,
    files: Vec<String>,
}

impl Dir {
    pub fn new(root: &Path) -> Dir {
        let mut files = Vec::new();
        walk(root, "", &mut files);
        files.sort();
        Dir { root: root.to_path_buf(), files }
    }
}

fn walk(root: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(root.join(rel)) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let r = if rel.is_empty() { name } else { format!("{rel}/{name}") };
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(root, &r, out),
            Ok(_) => out.push(r),
            Err(_) => {}
        }
    }
}

impl Carrier for Dir {
    fn files(&self) -> &[String] {
        &self.files
    }
    fn open(&self, path: &str) -> io::Result<Box<dyn Read + '_>> {
        Ok(Box::new(File::open(self.root.join(path))?))
    }
    fn len(&self, path: &str) -> io::Result<u64> {
        Ok(std::fs::metadata(self.root.join(path))?.len())
    }
    fn location(&self) -> &Path {
        &self.root
    }
}

/// An ISO 9660 image: its files' extents, from the Joliet tree when the image has one (the
/// real names, Chinese included), else from the primary tree.
#[derive(Debug)]
pub struct Image {
    path: PathBuf,
    files: Vec<String>,
    extents: Extents,
}

fn both32(b: &[u8]) -> u64 {
    u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl Image {
    pub fn open(path: &Path) -> Result<Image, String> {
        let mut f = File::open(path).map_err(|e| format!("无法打开光盘映像 {}：{e}", path.display()))?;
        let size = f.seek(SeekFrom::End(0)).map_err(|e| e.to_string())?;
        let sector = |f: &mut File, n: u64| -> Result<[u8; SECTOR as usize], String> {
            let mut b = [0u8; SECTOR as usize];
            f.seek(SeekFrom::Start(n * SECTOR))
                .and_then(|_| f.read_exact(&mut b))
                .map_err(|_| "光盘映像被截断".to_string())?;
            Ok(b)
        };
        // The volume descriptors, from sector 16 to the terminator.
        let (mut primary, mut joliet) = (None, None);
        for n in 16..16 + 64 {
            let d = sector(&mut f, n)?;
            if &d[1..6] != b"CD001" {
                return Err("不是 ISO 9660 光盘映像（缺少卷描述符）".into());
            }
            match d[0] {
                1 if primary.is_none() => primary = Some(d),
                2 if [&b"%/@"[..], b"%/C", b"%/E"].contains(&&d[88..91]) => joliet = Some(d),
                255 => break,
                _ => {}
            }
        }
        let Some(p) = primary else { return Err("光盘映像没有主卷描述符".into()) };
        let extents = tree(&mut f, size, &joliet.unwrap_or(p), joliet.is_some())?;
        // A reader without Joliet sees the primary tree: it must hold the same files, byte for
        // byte the same extents, or a disc could show one reader one thing and another another.
        if joliet.is_some() {
            let mut a: Vec<_> = tree(&mut f, size, &p, false)?.into_values().collect();
            let mut b: Vec<_> = extents.values().cloned().collect();
            a.sort();
            b.sort();
            if a != b {
                return Err("光盘映像的主目录与 Joliet 目录所指的文件不同".into());
            }
        }
        let files = extents.keys().cloned().collect();
        Ok(Image { path: path.to_path_buf(), files, extents })
    }

    /// Where each file's bytes lie in the image: (offset, length) of each of its extents.
    pub fn extents(&self) -> &Extents {
        &self.extents
    }
}

type Extents = BTreeMap<String, Vec<(u64, u64)>>;

/// The files of the directory tree the volume descriptor `d` roots, with their extents.
fn tree(f: &mut File, size: u64, d: &[u8; SECTOR as usize], ucs2: bool) -> Result<Extents, String> {
    let root = &d[156..156 + 34];
    if !consistent(root) {
        return Err("光盘映像的根目录记录字节序不一致".into());
    }
    let mut extents = Extents::new();
    let mut seen = BTreeSet::new();
    let mut records = 0usize;
    let mut stack = vec![(String::new(), both32(&root[2..6]), both32(&root[10..14]), 0usize)];
    while let Some((prefix, lba, len, depth)) = stack.pop() {
        let mut pending: Option<String> = None;
        if depth > MAX_DEPTH || !seen.insert(lba) {
            return Err("光盘映像的目录结构有环或过深".into());
        }
        if (lba + len.div_ceil(SECTOR)) * SECTOR > size {
            return Err(format!("目录“{prefix}”超出光盘映像"));
        }
        let mut bytes = vec![0u8; len as usize];
        f.seek(SeekFrom::Start(lba * SECTOR)).and_then(|_| f.read_exact(&mut bytes)).map_err(|e| e.to_string())?;
        let mut at = 0usize;
        while at < bytes.len() {
            let rl = bytes[at] as usize;
            if rl == 0 {
                // Records never cross a sector: the rest of this one is padding.
                at = (at / SECTOR as usize + 1) * SECTOR as usize;
                continue;
            }
            if rl < 34 || at + rl > bytes.len() {
                return Err(format!("目录“{prefix}”中有损坏的目录记录"));
            }
            records += 1;
            if records > MAX_RECORDS {
                return Err("光盘映像的目录记录过多".into());
            }
            let r = &bytes[at..at + rl];
            at += rl;
            let (extent, data_len, flags, name_len) = (both32(&r[2..6]), both32(&r[10..14]), r[25], r[32] as usize);
            if 33 + name_len > rl {
                return Err(format!("目录“{prefix}”中有损坏的文件名"));
            }
            // Read as every reader reads it, or refused: no extended attribute record before the
            // data (a reader skipping it reads other bytes), both byte orders of each number the
            // same, no interleaving, no hidden or associated file — only a directory or a file,
            // of one extent or of several in a row.
            if r[1] != 0 || !consistent(r) || r[26] != 0 || r[27] != 0 || flags & !0x82 != 0 {
                return Err(format!(
                    "目录“{prefix}”中有本核验不接受的目录记录（扩展属性、字节序不一致、交错或隐藏文件）"
                ));
            }
            let raw = &r[33..33 + name_len];
            if raw == [0] || raw == [1] {
                continue;
            }
            let name = if ucs2 {
                let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
                String::from_utf16(&units).map_err(|_| format!("目录“{prefix}”中的文件名不是 UCS-2"))?
            } else {
                String::from_utf8_lossy(raw).to_string()
            };
            let name = name.split(';').next().unwrap_or_default();
            let name = if ucs2 { name } else { name.strip_suffix('.').unwrap_or(name) };
            if name.is_empty() || name.contains('/') || name == "." || name == ".." {
                return Err(format!("目录“{prefix}”中有不允许的文件名"));
            }
            let full = if prefix.is_empty() { name.to_string() } else { format!("{prefix}/{name}") };
            if flags & 0x02 != 0 {
                stack.push((full, extent, data_len, depth + 1));
            } else {
                if extent * SECTOR + data_len > size {
                    return Err(format!("文件“{full}”超出光盘映像"));
                }
                // A file of several extents (flag 0x80 on all but the last) is their sequence,
                // its records one after another; any other name given twice is refused.
                let continues = pending.as_deref() == Some(full.as_str());
                if extents.contains_key(&full) && !continues {
                    return Err(format!("光盘映像中有重名的文件“{full}”"));
                }
                pending = (flags & 0x80 != 0).then(|| full.clone());
                extents.entry(full).or_default().push((extent * SECTOR, data_len));
            }
        }
        if let Some(p) = pending.take() {
            return Err(format!("文件“{p}”的后续部分缺失"));
        }
    }
    Ok(extents)
}

/// Whether a directory record's numbers recorded in both byte orders (ECMA-119 7.2.3, 7.3.3)
/// agree: its extent, its length and its volume sequence number.
fn consistent(r: &[u8]) -> bool {
    let le32 = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    le32(&r[2..6]) == be32(&r[6..10])
        && le32(&r[10..14]) == be32(&r[14..18])
        && u16::from_le_bytes([r[28], r[29]]) == u16::from_be_bytes([r[30], r[31]])
}

impl Carrier for Image {
    fn files(&self) -> &[String] {
        &self.files
    }
    fn open(&self, path: &str) -> io::Result<Box<dyn Read + '_>> {
        let parts = self.extents.get(path).ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        let mut reader: Box<dyn Read> = Box::new(io::empty());
        for &(offset, len) in parts {
            let mut f = File::open(&self.path)?;
            f.seek(SeekFrom::Start(offset))?;
            reader = Box::new(reader.chain(f.take(len)));
        }
        Ok(reader)
    }
    fn len(&self, path: &str) -> io::Result<u64> {
        let parts = self.extents.get(path).ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?;
        Ok(parts.iter().map(|p| p.1).sum())
    }
    fn location(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An image made by another tool (xorriso, as mkisofs with Joliet) reads back with its
    /// Chinese names and bytes; a truncated image, or a file that is no image, is refused.
    #[test]
    fn reads_an_image_another_tool_made_and_refuses_a_broken_one() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        std::fs::create_dir_all(src.join("data/录音录像")).unwrap();
        std::fs::write(src.join("说明文件.TXT"), "说明\n").unwrap();
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(src.join("data/录音录像/现场检查.mp4"), &big).unwrap();
        let img = tmp.path().join("disc.iso");
        let made = std::process::Command::new("xorriso")
            .args(["-as", "mkisofs", "-J", "-R", "-quiet", "-o"])
            .arg(&img)
            .arg(&src)
            .status()
            .expect("xorriso is installed by scripts/test");
        assert!(made.success());
        let image = Image::open(&img).unwrap();
        assert_eq!(image.files(), ["data/录音录像/现场检查.mp4", "说明文件.TXT"]);
        assert_eq!(image.read("data/录音录像/现场检查.mp4").unwrap(), big);
        assert_eq!(image.len("说明文件.TXT").unwrap(), 7);
        assert_eq!(image.read_string("说明文件.TXT").unwrap(), "说明\n");
        assert!(image.read("nothing").is_err());
        // Through `open`, a directory is a directory and a file an image.
        assert_eq!(open(&src).unwrap().files(), image.files());
        assert_eq!(open(&img).unwrap().files(), image.files());
        let bytes = std::fs::read(&img).unwrap();
        let cut = tmp.path().join("cut.iso");
        std::fs::write(&cut, &bytes[..17 * 2048]).unwrap();
        assert!(Image::open(&cut).is_err());
        let (offset, len) = image.extents()["data/录音录像/现场检查.mp4"][0];
        std::fs::write(&cut, &bytes[..(offset + len / 2) as usize]).unwrap();
        let e = Image::open(&cut).expect_err("a cut image is refused");
        assert!(e.contains("超出") || e.contains("截断"), "{e}");
        let not = tmp.path().join("not.iso");
        std::fs::write(&not, vec![0u8; 40 * 2048]).unwrap();
        assert!(Image::open(&not).unwrap_err().contains("不是 ISO 9660"));
    }

    /// An image of `files` made by xorriso (as mkisofs, with Joliet) under `dir`.
    fn joliet_image(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
        let src = dir.join("src");
        std::fs::create_dir_all(&src).unwrap();
        for (name, text) in files {
            std::fs::write(src.join(name), text).unwrap();
        }
        let img = dir.join("disc.iso");
        let made = std::process::Command::new("xorriso")
            .args(["-as", "mkisofs", "-J", "-quiet", "-o"])
            .arg(&img)
            .arg(&src)
            .status()
            .expect("xorriso is installed by scripts/test");
        assert!(made.success());
        img
    }

    /// A disc whose Joliet tree points a name at other bytes than its primary tree does (what
    /// one reader shows is not what another shows) is refused.
    #[test]
    fn an_image_whose_two_trees_disagree_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let img = joliet_image(tmp.path(), &[("A.TXT", "genuine\n"), ("B.TXT", "planted\n")]);
        assert_eq!(Image::open(&img).unwrap().read_string("A.TXT").unwrap(), "genuine\n");
        let mut bytes = std::fs::read(&img).unwrap();
        let ucs2 = |n: &str| n.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>();
        let record = |bytes: &[u8], n: &str| bytes.windows(10).position(|w| w == ucs2(n)).unwrap() - 33;
        let (a, b) = (record(&bytes, "A.TXT"), record(&bytes, "B.TXT"));
        let extent: Vec<u8> = bytes[b + 2..b + 10].to_vec();
        bytes[a + 2..a + 10].copy_from_slice(&extent);
        std::fs::write(&img, &bytes).unwrap();
        let e = Image::open(&img).unwrap_err();
        assert!(e.contains("主目录与 Joliet 目录"), "{e}");
    }

    /// A record a reader would read otherwise than this check — an extended attribute record
    /// before the data, byte orders that disagree, a hidden file, a multi-extent file cut short
    /// — is refused, not passed (helper 21: xorriso read other bytes for such a file).
    #[test]
    fn a_record_other_readers_read_otherwise_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let img = joliet_image(tmp.path(), &[("A.TXT", "genuine\n")]);
        let bytes = std::fs::read(&img).unwrap();
        let name: Vec<u8> = "A.TXT".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let at = bytes.windows(10).position(|w| w == name).unwrap() - 33;
        for (what, offset, value) in [
            ("extended attribute", 1, 1u8),
            ("big-endian extent", 9, 0x55),
            ("hidden", 25, 0x01),
            ("multi-extent cut short", 25, 0x80),
            ("interleave", 26, 1),
        ] {
            let mut changed = bytes.clone();
            changed[at + offset] = value;
            let bad = tmp.path().join("bad.iso");
            std::fs::write(&bad, &changed).unwrap();
            assert!(Image::open(&bad).is_err(), "{what} passed");
        }
        assert!(Image::open(&img).is_ok());
    }
}
