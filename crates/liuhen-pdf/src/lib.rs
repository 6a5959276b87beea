//! Renders liuhen's documents (执法文书) to A4 PDF with typst, in its own crate because typst is
//! heavy to build.
//!
//! One template (`templates/document.typ`) lays out every document from data: the office, the
//! title, the 文号, labelled blocks, approval opinions, signatures (with their images), the seal
//! and the issue date, page numbers (第 x 页 共 y 页) and a 骑缝 band on the right margin. The
//! data arrives as `/data.json` and images as further virtual files, so nothing is read from
//! disk but fonts. Rendering is deterministic: the same data gives the same bytes, so anyone
//! with the data can render the PDF again and compare its hash.
//!
//! Fonts come from directories (an office's licensed GB/T 9704 fonts first, then the free Noto
//! CJK fonts); a directory without a font that covers Chinese is an error that names what to
//! install. Font files are read when a face is first used, not at start-up.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The one template every document is laid out with.
pub const TEMPLATE: &str = include_str!("../templates/document.typ");
/// A filed case's 案卷 in one PDF: 卷内目录, the documents' pages numbered, 备考表.
pub const VOLUME: &str = include_str!("../templates/volume.typ");

/// Where Debian's `fonts-noto-cjk` puts the Noto Serif/Sans CJK collections (SIL OFL).
pub const DEBIAN_NOTO_CJK: &str = "/usr/share/fonts/opentype/noto";

/// '中': a face that lacks it cannot set a Chinese document.
const PROBE: u32 = 0x4E2D;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no font that covers Chinese was found in {0}; install the free Noto CJK fonts \
         (Debian/Ubuntu: `apt-get install fonts-noto-cjk`) or put a licensed font (e.g. 仿宋_GB2312) \
         in a directory given with --font-dir"
    )]
    NoChineseFont(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the document could not be laid out: {0}")]
    Layout(String),
    #[error("the document data is not valid: {0}")]
    Data(String),
}

/// One face: where it is, its index in a collection, and its bytes once read.
struct Slot {
    path: PathBuf,
    index: u32,
    font: OnceLock<Option<Font>>,
}

/// The fonts found in the configured directories. Cheap to share; faces load on first use.
pub struct Fonts {
    book: LazyHash<FontBook>,
    slots: Vec<Slot>,
    /// Files already read, shared by the faces of one collection.
    files: Mutex<HashMap<PathBuf, Bytes>>,
    dirs: String,
}

impl Fonts {
    /// Scans `dirs` (recursively) for .ttf, .otf, .ttc and .otc files. At least one face must
    /// cover Chinese.
    pub fn scan(dirs: &[PathBuf]) -> Result<Fonts, PdfError> {
        // fontdb maps each file instead of reading it: only the tables a face's description
        // needs are paged in, so a scan of the 90 MB of Noto CJK leaves the heap as it found
        // it (a server that renders no document stays small; `liuhen bench import`).
        let mut db = fontdb::Database::new();
        for d in dirs {
            db.load_fonts_dir(d);
        }
        let mut faces: Vec<(PathBuf, u32, fontdb::ID)> = db
            .faces()
            .filter_map(|f| match &f.source {
                fontdb::Source::File(path) => Some((path.clone(), f.index, f.id)),
                _ => None,
            })
            .collect();
        faces.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let mut book = FontBook::new();
        let mut slots = Vec::new();
        let mut chinese = false;
        for (path, index, id) in faces {
            let Some(Some(info)) = db.with_face_data(id, FontInfo::new) else { continue };
            chinese |= info.coverage.contains(PROBE);
            book.push(info);
            slots.push(Slot { path, index, font: OnceLock::new() });
        }
        let dirs = dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ");
        if !chinese {
            return Err(PdfError::NoChineseFont(if dirs.is_empty() { "(no directory)".into() } else { dirs }));
        }
        Ok(Fonts { book: LazyHash::new(book), slots, files: Mutex::new(HashMap::new()), dirs })
    }

    /// The directories scanned, for messages.
    pub fn dirs(&self) -> &str {
        &self.dirs
    }

    /// The family names found, sorted and without repeats.
    pub fn families(&self) -> Vec<String> {
        let mut v: Vec<String> = self.book.families().map(|(name, _)| name.to_string()).collect();
        v.dedup();
        v
    }

    fn font(&self, index: usize) -> Option<Font> {
        let slot = self.slots.get(index)?;
        slot.font
            .get_or_init(|| {
                let bytes = {
                    let mut files = self.files.lock().ok()?;
                    match files.get(&slot.path) {
                        Some(b) => b.clone(),
                        None => {
                            let b = Bytes::new(std::fs::read(&slot.path).ok()?);
                            files.insert(slot.path.clone(), b.clone());
                            b
                        }
                    }
                };
                Font::new(bytes, slot.index)
            })
            .clone()
    }
}

/// The font directories to use: those given, else `LIUHEN_FONT_DIR` (colon-separated), then
/// Debian's Noto CJK directory.
pub fn default_dirs(given: &[PathBuf]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = given.to_vec();
    if let Ok(v) = std::env::var("LIUHEN_FONT_DIR") {
        dirs.extend(v.split(':').filter(|s| !s.is_empty()).map(PathBuf::from));
    }
    dirs.push(PathBuf::from(DEBIAN_NOTO_CJK));
    dirs
}

/// A rendered document.
#[derive(Debug, Clone)]
pub struct Pdf {
    pub bytes: Vec<u8>,
    pub pages: usize,
}

struct Doc<'a> {
    library: LazyHash<Library>,
    fonts: &'a Fonts,
    main: FileId,
    source: Source,
    files: HashMap<FileId, Bytes>,
}

impl World for Doc<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotFound(id.vpath().get_with_slash().into()))
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or_else(|| FileError::NotFound(id.vpath().get_with_slash().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }
    /// Documents never read the clock: their dates are in their data.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn file_id(path: &str) -> Result<FileId, PdfError> {
    let vp = VirtualPath::new(path).map_err(|e| PdfError::Data(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vp).intern())
}

/// Renders `data` (see `templates/document.typ` for its shape) with `images`, virtual files
/// the data names by path (e.g. `/img/sig-0.png`).
/// The PDF is PDF/A-2b, dated `data.pdf_date`.
pub fn render(fonts: &Fonts, data: &serde_json::Value, images: &[(String, Vec<u8>)]) -> Result<Pdf, PdfError> {
    compile(fonts, TEMPLATE, data, images, true)
}

/// Where a 案卷's 页号 go on each page of its documents (the office's choice).
pub const PAGE_NUMBER_POSITIONS: [&str; 3] = ["top_right", "bottom_right", "bottom_center"];

/// Renders a filed case's 案卷 (see `templates/volume.typ` for `data`) over its documents'
/// PDFs, `pdfs` the virtual files `data.documents[].path` names (`/img/…`).
pub fn render_volume(fonts: &Fonts, data: &serde_json::Value, pdfs: &[(String, Vec<u8>)]) -> Result<Pdf, PdfError> {
    compile(fonts, VOLUME, data, pdfs, false)
}

/// Renders with another template source (an office's own layout, or a test's).
pub fn render_source(
    fonts: &Fonts,
    template: &str,
    data: &serde_json::Value,
    images: &[(String, Vec<u8>)],
) -> Result<Pdf, PdfError> {
    compile(fonts, template, data, images, false)
}

fn compile(
    fonts: &Fonts,
    template: &str,
    data: &serde_json::Value,
    images: &[(String, Vec<u8>)],
    archival: bool,
) -> Result<Pdf, PdfError> {
    let main = file_id("/main.typ")?;
    let mut files = HashMap::new();
    files.insert(file_id("/data.json")?, Bytes::new(data.to_string().into_bytes()));
    for (path, bytes) in images {
        if !path.starts_with("/img/") {
            return Err(PdfError::Data(format!("image path {path} must start with /img/")));
        }
        files.insert(file_id(path)?, Bytes::new(bytes.clone()));
    }
    let world = Doc {
        library: LazyHash::new(Library::builder().build()),
        fonts,
        main,
        source: Source::new(main, template.to_string()),
        files,
    };
    let doc: typst_layout::PagedDocument = typst::compile(&world).output.map_err(|errors| {
        PdfError::Layout(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })?;
    // The file's date is the data's (`pdf_date`, YYYY-MM-DD, Beijing): the same data makes the
    // same bytes. A document is PDF/A-2b (ISO 19005-2, level B) — the archival form GB/T 18894
    // accepts for 版式文档: fonts embedded, colours defined, XMP metadata, typst refusing what
    // would break it; a rendition over other PDFs (a 案卷) cannot be, as PDF/A embeds none.
    let date = data["pdf_date"].as_str().and_then(|d| {
        let mut p = d.split('-').map(|x| x.parse::<i64>().ok());
        let (y, m, dd) = (p.next()??, p.next()??, p.next()??);
        typst::foundations::Datetime::from_ymd(i32::try_from(y).ok()?, u8::try_from(m).ok()?, u8::try_from(dd).ok()?)
    });
    let standards = match (archival, date) {
        (true, Some(_)) => typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b])
            .map_err(|e| PdfError::Layout(format!("PDF/A-2b: {}", e.message())))?,
        (true, None) => return Err(PdfError::Data("an archival PDF needs its date (pdf_date)".into())),
        (false, _) => typst_pdf::PdfStandards::default(),
    };
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom("liuhen".into()),
        creator: typst::foundations::Smart::Custom(Some("liuhen".into())),
        timestamp: date.and_then(|d| typst_pdf::Timestamp::new_local(d, 8 * 60)),
        standards,
        ..Default::default()
    };
    let bytes = typst_pdf::pdf(&doc, &options).map_err(|errors| {
        PdfError::Layout(errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
    })?;
    Ok(Pdf { bytes, pages: doc.pages().len() })
}

/// Whether `bytes` is an image the renderer can place (PNG, JPEG, GIF, SVG…): a signature or
/// scan is checked when it arrives, so a document never fails to render later.
pub fn check_image(fonts: &Fonts, bytes: &[u8]) -> Result<(), PdfError> {
    let template = "#set page(width: 20mm, height: 20mm, margin: 0mm)\n#image(\"/img/probe\", width: 10mm)";
    render_source(fonts, template, &serde_json::Value::Null, &[("/img/probe".into(), bytes.to_vec())]).map(drop)
}

/// The fonts of this process, scanned once.
pub fn shared(dirs: &[PathBuf]) -> Result<Arc<Fonts>, PdfError> {
    static FONTS: OnceLock<Mutex<HashMap<Vec<PathBuf>, Arc<Fonts>>>> = OnceLock::new();
    let cache = FONTS.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(f) = cache.lock().ok().and_then(|c| c.get(dirs).cloned()) {
        return Ok(f);
    }
    let f = Arc::new(Fonts::scan(dirs)?);
    if let Ok(mut c) = cache.lock() {
        c.insert(dirs.to_vec(), f.clone());
    }
    Ok(f)
}

#[cfg(test)]
mod tests;
