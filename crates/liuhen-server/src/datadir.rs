//! The data directory: the database, the blobs and the log's signing keys.
//!
//! ```text
//! DIR/liuhen.db        SQLite database (WAL)
//! DIR/blobs/sha256/…   blob store (content-addressed)
//! DIR/uploads/         uploads in progress (`<id>.json`, `<id>.part`), moved into blobs when complete
//! DIR/keys/origin      the log's checkpoint origin
//! DIR/keys/ed25519     Ed25519 seed (hex, mode 0600)
//! DIR/keys/sm2         SM2 secret key (hex, mode 0600)
//! DIR/log.pub          the verifier keys, one per line (give these to auditors)
//! DIR/keys/seal-sm2    the electronic seal's SM2 key (hex, mode 0600; created on first use)
//! DIR/keys/seal-ed25519 the seal's Ed25519 seed (hex, mode 0600)
//! DIR/seal-sm2.pem, DIR/seal-ed25519.pem  the seal's public keys (give these to auditors)
//! ```

use liuhen_log::NoteSigner;
use liuhen_store::LogConfig;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0} is not a liuhen data directory (no keys/origin); start `liuhen serve --data` on it first")]
    NotInitialised(PathBuf),
    #[error("{path}: malformed key file")]
    BadKey { path: PathBuf },
    #[error("invalid origin {0:?}: it must be non-empty, without spaces or '+'")]
    BadOrigin(String),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> DataDirError + '_ {
    move |source| DataDirError::Io { path: path.to_path_buf(), source }
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }
    pub fn db_path(&self) -> PathBuf {
        self.root.join("liuhen.db")
    }
    /// Uploads in progress: on the same file system as the blobs, which they are renamed into.
    pub fn uploads_dir(&self) -> PathBuf {
        self.root.join("uploads")
    }

    pub fn blobs_dir(&self) -> PathBuf {
        self.root.join("blobs")
    }
    /// An office's own working-day table (same format as the shipped one), for years published
    /// after this release: `DIR/workdays.txt`.
    pub fn workdays_path(&self) -> PathBuf {
        self.root.join("workdays.txt")
    }

    /// The shipped calendar plus `DIR/workdays.txt` if present.
    pub fn calendar(&self) -> Result<liuhen_core::calendar::WorkCalendar, DataDirError> {
        let mut cal = liuhen_core::calendar::WorkCalendar::china();
        let path = self.workdays_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let extra = liuhen_core::calendar::WorkCalendar::parse(&text).map_err(|e| DataDirError::Io {
                    path: path.clone(),
                    source: std::io::Error::other(e.to_string()),
                })?;
                cal.merge(extra);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(DataDirError::Io { path, source: e }),
        }
        Ok(cal)
    }

    pub fn public_keys_path(&self) -> PathBuf {
        self.root.join("log.pub")
    }
    fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }

    pub fn is_initialised(&self) -> bool {
        self.keys_dir().join("origin").exists()
    }

    /// Creates the directory and the log's keys. Refuses to overwrite existing keys.
    pub fn init(&self, origin: &str) -> Result<(), DataDirError> {
        if origin.is_empty() || origin.contains('+') || origin.chars().any(char::is_whitespace) {
            return Err(DataDirError::BadOrigin(origin.to_string()));
        }
        let keys = self.keys_dir();
        std::fs::create_dir_all(&keys).map_err(io_err(&keys))?;
        set_mode(&keys, 0o700)?;
        let mut seed = [0u8; 32];
        fill_random(&mut seed);
        write_new(&keys.join("ed25519"), hex::encode(seed).as_bytes())?;
        // Not every 32-byte string is an SM2 scalar (zero, or not below n): draw until one is.
        let sm2 = loop {
            let mut s = [0u8; 32];
            fill_random(&mut s);
            if NoteSigner::sm2(origin, &s).is_ok() {
                break s;
            }
        };
        write_new(&keys.join("sm2"), hex::encode(sm2).as_bytes())?;
        write_new(&keys.join("origin"), origin.as_bytes())?;
        let config = self.log_config(Duration::from_secs(1))?;
        let pubs: String = config.signers.iter().map(|s| format!("{}\n", s.verifier())).collect();
        std::fs::write(self.public_keys_path(), pubs).map_err(io_err(&self.public_keys_path()))?;
        Ok(())
    }

    /// The log's origin and signers, read from the key files.
    pub fn log_config(&self, checkpoint_interval: Duration) -> Result<LogConfig, DataDirError> {
        if !self.is_initialised() {
            return Err(DataDirError::NotInitialised(self.root.clone()));
        }
        let keys = self.keys_dir();
        let origin_path = keys.join("origin");
        let origin = std::fs::read_to_string(&origin_path).map_err(io_err(&origin_path))?.trim().to_string();
        let ed = read_key(&keys.join("ed25519"))?;
        let sm = read_key(&keys.join("sm2"))?;
        let bad = |p: &str| DataDirError::BadKey { path: keys.join(p) };
        let signers = vec![
            NoteSigner::ed25519(&origin, &ed).map_err(|_| bad("ed25519"))?,
            NoteSigner::sm2(&origin, &sm).map_err(|_| bad("sm2"))?,
        ];
        Ok(LogConfig { origin, signers, checkpoint_interval })
    }
}

impl DataDir {
    /// Whether the seal's keys were made (verification must not make them).
    pub fn has_seal_keys(&self) -> bool {
        self.keys_dir().join("seal-sm2").exists()
    }

    /// The office's electronic seal keys (SM2 and Ed25519), created on first use — also in a
    /// data directory made before seals existed — with their public keys as PEM beside `log.pub`.
    pub fn seal_keys(&self) -> Result<liuhen_log::seal::SealKeys, DataDirError> {
        if !self.is_initialised() {
            return Err(DataDirError::NotInitialised(self.root.clone()));
        }
        let keys = self.keys_dir();
        let (sm_path, ed_path) = (keys.join("seal-sm2"), keys.join("seal-ed25519"));
        if !sm_path.exists() {
            let sm2 = loop {
                let mut s = [0u8; 32];
                fill_random(&mut s);
                if liuhen_log::seal::SealKeys::new(&s, &[0u8; 32]).is_ok() {
                    break s;
                }
            };
            let mut ed = [0u8; 32];
            fill_random(&mut ed);
            // The Ed25519 seed first: a crash between the two leaves no SM2 key, so both are made again.
            let _ = std::fs::remove_file(&ed_path);
            write_new(&ed_path, hex::encode(ed).as_bytes())?;
            // The public keys are published once, here, and never rewritten: a private key that
            // no longer matches them is refused by `key_problems`.
            let k = liuhen_log::seal::SealKeys::new(&sm2, &ed)
                .map_err(|_| DataDirError::BadKey { path: sm_path.clone() })?;
            for (name, der) in [("seal-sm2.pem", k.sm2_public_der()), ("seal-ed25519.pem", k.ed25519_public_der())] {
                let p = self.root.join(name);
                let _ = std::fs::remove_file(&p);
                write_new_mode(&p, liuhen_log::seal::pem("PUBLIC KEY", &der).as_bytes(), 0o644)?;
            }
            write_new(&sm_path, hex::encode(sm2).as_bytes())?;
        }
        let k = liuhen_log::seal::SealKeys::new(&read_key(&sm_path)?, &read_key(&ed_path)?)
            .map_err(|_| DataDirError::BadKey { path: sm_path.clone() })?;
        Ok(k)
    }

    /// Every private key that does not match what was published from it: the log's signing
    /// keys against `log.pub`, the seal's against `seal-*.pem`. Each problem names the key file.
    /// (Against the log itself — entry 0 and the recorded seal keys — see
    /// `App::key_problems`.)
    pub fn key_problems(&self) -> Result<Vec<String>, DataDirError> {
        let mut out = Vec::new();
        let config = self.log_config(Duration::from_secs(1))?;
        let published = match std::fs::read_to_string(self.public_keys_path()) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.push("log.pub is missing: the published verifier keys are gone".to_string());
                String::new()
            }
            Err(e) => return Err(DataDirError::Io { path: self.public_keys_path(), source: e }),
        };
        let published: Vec<&str> = published.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        for (file, signer) in ["keys/ed25519", "keys/sm2"].iter().zip(&config.signers) {
            let line = signer.verifier().to_string();
            if !published.is_empty() && !published.contains(&line.as_str()) {
                out.push(format!("{file} does not match the verifier key published in log.pub (the key was replaced)"));
            }
        }
        let keys = self.keys_dir();
        if keys.join("seal-sm2").exists() {
            let sm_path = keys.join("seal-sm2");
            let k = liuhen_log::seal::SealKeys::new(&read_key(&sm_path)?, &read_key(&keys.join("seal-ed25519"))?)
                .map_err(|_| DataDirError::BadKey { path: sm_path })?;
            for (file, pem_file, der) in [
                ("keys/seal-sm2", "seal-sm2.pem", k.sm2_public_der()),
                ("keys/seal-ed25519", "seal-ed25519.pem", k.ed25519_public_der()),
            ] {
                let pem = liuhen_log::seal::pem("PUBLIC KEY", &der);
                match std::fs::read_to_string(self.root.join(pem_file)) {
                    Ok(p) if p == pem => {}
                    Ok(_) => out.push(format!("{file} does not match the published {pem_file} (the key was replaced)")),
                    Err(_) => out.push(format!("{pem_file} is missing: the seal's published key is gone")),
                }
            }
        }
        Ok(out)
    }
}

/// Fills `buf` from the operating system's random source.
pub fn fill_random(buf: &mut [u8]) {
    // The OS RNG failing is not something to continue after: no key or token may be weak.
    getrandom::fill(buf).unwrap_or_else(|e| panic!("the operating system's random source failed: {e}"));
}

fn read_key(path: &Path) -> Result<[u8; 32], DataDirError> {
    let text = std::fs::read_to_string(path).map_err(io_err(path))?;
    let bytes = hex::decode(text.trim()).map_err(|_| DataDirError::BadKey { path: path.to_path_buf() })?;
    bytes.try_into().map_err(|_| DataDirError::BadKey { path: path.to_path_buf() })
}

fn write_new(path: &Path, data: &[u8]) -> Result<(), DataDirError> {
    write_new_mode(path, data, 0o600)
}

/// Creates `path` (refusing to overwrite) with `data`, durably.
fn write_new_mode(path: &Path, data: &[u8], mode: u32) -> Result<(), DataDirError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    let mut f = opts.open(path).map_err(io_err(path))?;
    f.write_all(data).map_err(io_err(path))?;
    f.sync_all().map_err(io_err(path))
}

fn set_mode(path: &Path, mode: u32) -> Result<(), DataDirError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(io_err(path))?;
    }
    Ok(())
}
