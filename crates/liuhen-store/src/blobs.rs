//! Blobs (files of evidence) in an `object_store`, keyed by their SHA-256: the log commits to
//! the hash and the blob store stays dumb.

use bytes::Bytes;
use liuhen_log::{BlobRef, Hash};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;

use crate::StoreError;

#[derive(Clone, Debug)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
}

/// `sha256/ab/cd/abcd…`: the content-addressed key of a blob.
pub fn blob_path(sha256: &Hash) -> Path {
    let h = sha256.to_hex();
    Path::from(format!("sha256/{}/{}/{}", &h[0..2], &h[2..4], h))
}

impl Blobs {
    /// Blobs under a local directory.
    pub fn local(dir: &std::path::Path) -> Result<Blobs, StoreError> {
        std::fs::create_dir_all(dir)?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)?;
        Ok(Blobs { store: Arc::new(fs) })
    }

    /// Blobs in memory (tests).
    pub fn in_memory() -> Blobs {
        Blobs { store: Arc::new(object_store::memory::InMemory::new()) }
    }

    /// Stores `data` under its hash and returns the reference an entry commits to.
    pub async fn put(&self, data: Bytes) -> Result<BlobRef, StoreError> {
        let sha256 = Hash::digest(&data);
        let size = data.len() as u64;
        self.store.put(&blob_path(&sha256), PutPayload::from(data)).await?;
        Ok(BlobRef { sha256, size })
    }

    /// The bytes of a blob, or `NotFound`.
    pub async fn get(&self, sha256: &Hash) -> Result<Bytes, StoreError> {
        match self.store.get(&blob_path(sha256)).await {
            Ok(r) => Ok(r.bytes().await?),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }
}
