//! Fetchers: where the verifier gets the bytes it checks. Over HTTP from a tlog-tiles server,
//! or from a directory laid out the same way (an export, or a static mirror).

use liuhen_log::{Hash, TileId};
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;
use thiserror::Error;

/// The most bytes one tile, bundle or checkpoint may have.
const MAX_RESOURCE: u64 = 16 << 20;

#[derive(Debug, Error)]
pub enum FetchError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Other(String),
}

/// A source of log resources.
pub trait Fetcher {
    /// The signed checkpoint note.
    fn checkpoint(&self) -> Result<Vec<u8>, FetchError>;
    /// A tile or entry bundle, exactly as at its path.
    fn tile(&self, id: &TileId) -> Result<Vec<u8>, FetchError>;
    /// A blob's bytes; `None` when this fetcher cannot reach blobs.
    fn blob(&self, sha256: &Hash) -> Result<Option<Box<dyn Read + '_>>, FetchError>;
}

/// Fetches from a liuhen server (`<url>/log/checkpoint`, `<url>/log/tile/...`).
pub struct HttpFetcher {
    prefix: String,
    agent: ureq::Agent,
}

impl HttpFetcher {
    /// `url` is the server's base URL; the log lives under `<url>/log/`.
    pub fn new(url: &str) -> HttpFetcher {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        HttpFetcher { prefix: format!("{}/log", url.trim_end_matches('/')), agent }
    }

    fn get(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        let url = format!("{}/{}", self.prefix, path);
        let mut resp = self.agent.get(&url).call().map_err(|e| FetchError::Other(format!("{url}: {e}")))?;
        match resp.status().as_u16() {
            200 => {}
            404 => return Err(FetchError::NotFound),
            s => return Err(FetchError::Other(format!("{url}: HTTP {s}"))),
        }
        resp.body_mut()
            .with_config()
            .limit(MAX_RESOURCE)
            .read_to_vec()
            .map_err(|e| FetchError::Other(format!("{url}: {e}")))
    }
}

impl Fetcher for HttpFetcher {
    fn checkpoint(&self) -> Result<Vec<u8>, FetchError> {
        self.get("checkpoint")
    }
    fn tile(&self, id: &TileId) -> Result<Vec<u8>, FetchError> {
        self.get(&id.path())
    }
    fn blob(&self, _sha256: &Hash) -> Result<Option<Box<dyn Read + '_>>, FetchError> {
        Ok(None)
    }
}

/// Fetches from a directory with `checkpoint`, `tile/...` and optionally `blobs/sha256/...`.
pub struct DirFetcher {
    root: PathBuf,
}

impl DirFetcher {
    pub fn new(root: impl Into<PathBuf>) -> DirFetcher {
        DirFetcher { root: root.into() }
    }

    fn read(&self, rel: &str) -> Result<Vec<u8>, FetchError> {
        let path = self.root.join(rel);
        match std::fs::metadata(&path) {
            Ok(m) if m.len() > MAX_RESOURCE => {
                return Err(FetchError::Other(format!("{} is too large", path.display())));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(FetchError::NotFound),
            Err(e) => return Err(FetchError::Other(format!("{}: {e}", path.display()))),
        }
        std::fs::read(&path).map_err(|e| FetchError::Other(format!("{}: {e}", path.display())))
    }
}

impl Fetcher for DirFetcher {
    fn checkpoint(&self) -> Result<Vec<u8>, FetchError> {
        self.read("checkpoint")
    }
    fn tile(&self, id: &TileId) -> Result<Vec<u8>, FetchError> {
        self.read(&id.path())
    }
    fn blob(&self, sha256: &Hash) -> Result<Option<Box<dyn Read + '_>>, FetchError> {
        let h = sha256.to_hex();
        let path = self.root.join(format!("blobs/sha256/{}/{}/{}", &h[0..2], &h[2..4], h));
        match std::fs::File::open(&path) {
            Ok(f) => Ok(Some(Box::new(f))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(FetchError::NotFound),
            Err(e) => Err(FetchError::Other(format!("{}: {e}", path.display()))),
        }
    }
}
