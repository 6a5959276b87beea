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
    /// The directory of a local store: its files and directories are fsync'd after each put, since
    /// `object_store`'s local backend renames into place without syncing.
    local_root: Option<std::path::PathBuf>,
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
        Ok(Blobs { store: Arc::new(fs), local_root: Some(dir.canonicalize()?) })
    }

    /// Blobs in memory (tests).
    pub fn in_memory() -> Blobs {
        Blobs { store: Arc::new(object_store::memory::InMemory::new()), local_root: None }
    }

    /// Stores `data` under its hash and returns the reference an entry commits to. On a local
    /// store the blob is on disk when this returns (file and directories fsync'd), so an entry
    /// that commits to it never outlives it.
    pub async fn put(&self, data: Bytes) -> Result<BlobRef, StoreError> {
        let sha256 = Hash::digest(&data);
        let size = data.len() as u64;
        let path = blob_path(&sha256);
        self.store.put(&path, PutPayload::from(data)).await?;
        if let Some(root) = self.local_root.clone() {
            tokio::task::spawn_blocking(move || sync_path(&root, &path))
                .await
                .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        }
        Ok(BlobRef { sha256, size })
    }

    /// Moves the file at `file` (its SHA-256 and size already computed while it was written) into
    /// the store as a blob, and returns its reference. A local store renames it into place
    /// (the staging file must be on the same file system) and fsyncs it and its directories; a
    /// blob already stored is kept and the file removed. Other stores stream it in 8 MiB parts.
    pub async fn put_file(&self, file: &std::path::Path, sha256: Hash, size: u64) -> Result<BlobRef, StoreError> {
        let path = blob_path(&sha256);
        if let Some(root) = self.local_root.clone() {
            let file = file.to_path_buf();
            tokio::task::spawn_blocking(move || -> Result<(), StoreError> {
                let mut target = root.clone();
                for part in path.parts() {
                    target.push(part.as_ref());
                }
                if target.exists() {
                    std::fs::remove_file(&file)?;
                    return Ok(());
                }
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::rename(&file, &target)?;
                sync_path(&root, &path)
            })
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
            return Ok(BlobRef { sha256, size });
        }
        let mut upload =
            object_store::WriteMultipart::new_with_chunk_size(self.store.put_multipart(&path).await?, 8 << 20);
        let mut f = tokio::fs::File::open(file).await?;
        let mut buf = vec![0u8; 8 << 20];
        loop {
            let n = tokio::io::AsyncReadExt::read(&mut f, &mut buf).await?;
            if n == 0 {
                break;
            }
            upload.wait_for_capacity(4).await?;
            upload.write(&buf[..n]);
        }
        upload.finish().await?;
        tokio::fs::remove_file(file).await?;
        Ok(BlobRef { sha256, size })
    }

    /// Every file of a local store (`None` for other stores), walked in order: a blob's file
    /// (`sha256/ab/cd/<hex>`, its directories its hash's first bytes) by its hash, anything else
    /// by its path under the store as `Err`: what a fixity pass compares with the blobs the log
    /// names.
    pub fn local_hashes(&self) -> Option<impl Iterator<Item = Result<Hash, String>> + use<>> {
        let root = self.local_root.clone()?;
        let mut files = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            let mut entries: Vec<_> = std::fs::read_dir(&d).into_iter().flatten().flatten().collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries.into_iter().rev() {
                match e.file_type() {
                    Ok(t) if t.is_dir() => stack.push(e.path()),
                    Ok(_) => files.push(e.path()),
                    Err(_) => {}
                }
            }
        }
        Some(files.into_iter().map(move |f| {
            let rel = f.strip_prefix(&root).map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
            let parts: Vec<&str> = rel.split('/').collect();
            match (&parts[..], parts.last().and_then(|n| Hash::from_hex(n))) {
                (["sha256", a, b, name], Some(h)) if name.get(0..2) == Some(*a) && name.get(2..4) == Some(*b) => Ok(h),
                _ => Err(rel),
            }
        }))
    }

    /// The stored size of a blob, or `NotFound`.
    pub async fn size_of(&self, sha256: &Hash) -> Result<u64, StoreError> {
        Ok(self.store.head(&blob_path(sha256)).await?.size)
    }

    /// Takes a blob's bytes away (办法第二十六条: only by a disposal the application has had
    /// approved and logged first; the entries naming it, its hash and the disposal stay). A blob
    /// already gone is no error.
    pub async fn dispose(&self, sha256: &Hash) -> Result<(), StoreError> {
        let path = blob_path(sha256);
        match self.store.delete(&path).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        if let Some(root) = self.local_root.clone() {
            tokio::task::spawn_blocking(move || {
                let mut dir = root;
                let parts: Vec<_> = path.parts().collect();
                for part in &parts[..parts.len().saturating_sub(1)] {
                    dir.push(part.as_ref());
                }
                std::fs::File::open(&dir).and_then(|d| d.sync_all())
            })
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        }
        Ok(())
    }

    /// Bytes `range` of a blob (for streaming it in parts), or `NotFound`.
    pub async fn get_range(&self, sha256: &Hash, range: std::ops::Range<u64>) -> Result<Bytes, StoreError> {
        match self.store.get_range(&blob_path(sha256), range).await {
            Ok(b) => Ok(b),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// The file of a blob in a local store (to be read in place, e.g. hashed with a reused
    /// buffer); `None` for other stores.
    pub fn local_file(&self, sha256: &Hash) -> Option<std::path::PathBuf> {
        let mut file = self.local_root.clone()?;
        for part in blob_path(sha256).parts() {
            file.push(part.as_ref());
        }
        Some(file)
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

/// Lets the kernel drop the cached pages of `len` bytes of `file` from `offset` (0: to its
/// end), once they are on disk. Evidence is written once and read rarely: a bulk import that
/// drops what it has synced recycles a few hot pages of cache instead of taking fresh memory
/// for every byte — on a virtual machine whose free memory goes back to the host, a fresh page
/// costs several times its copy (`liuhen bench import`: 5.3 s of kernel time per 2 GB without,
/// 1.0 s with). Advice only: nothing is lost when it is ignored.
pub fn uncache(file: &std::fs::File, offset: u64, len: u64) {
    #[cfg(target_os = "linux")]
    let _ = rustix::fs::fadvise(file, offset, std::num::NonZeroU64::new(len), rustix::fs::Advice::DontNeed);
    #[cfg(not(target_os = "linux"))]
    let _ = (file, offset, len);
}

/// fsyncs the file at `path` under `root`, then each directory from its parent up to `root`
/// (any of them may have just been created).
fn sync_path(root: &std::path::Path, path: &Path) -> Result<(), StoreError> {
    let mut file = root.to_path_buf();
    for part in path.parts() {
        file.push(part.as_ref());
    }
    std::fs::File::open(&file)?.sync_all()?;
    let mut dir = file.parent();
    while let Some(d) = dir {
        std::fs::File::open(d)?.sync_all()?;
        if d == root {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}
