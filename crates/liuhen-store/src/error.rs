//! Store errors, with `NotFound` and `Conflict` distinct from failures.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The thing asked for does not exist (yet).
    #[error("not found")]
    NotFound,
    /// A concurrent writer got there first, or a uniqueness rule refused the change.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A read-modify-write's row moved on since it was read (its `expected_version` is not the
    /// stored one): read again and decide again.
    #[error("stale: {0}")]
    Stale(String),
    /// What it would create already exists (a case number, a certificate number, a username).
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The request is malformed (an entry too large, a bad range).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The log refused to act because its own state does not check out (for example, a
    /// checkpoint that would be inconsistent with one signed before).
    #[error("log integrity: {0}")]
    Integrity(String),
    /// The store is shutting down or its writer stopped.
    #[error("store is unavailable: {0}")]
    Unavailable(String),
    #[error("database error")]
    Database(#[from] rusqlite::Error),
    #[error("blob store error")]
    Blob(#[from] object_store::Error),
    #[error("i/o error")]
    Io(#[from] std::io::Error),
}
