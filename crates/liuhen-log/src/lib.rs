//! The liuhen log format and its mathematics, with no I/O.
//!
//! Every change of state in liuhen is an [`entry::Entry`] appended to one log. The log is an
//! RFC 6962 Merkle tree ([`tree`]) published as C2SP tlog-tiles ([`tile`]) under C2SP signed
//! checkpoints ([`checkpoint`], [`note`]) signed with Ed25519 and with SM2/SM3. This crate is the
//! only stable serialized format of the system; the verifier depends on it alone.

#![forbid(unsafe_code)]

pub mod checkpoint;
pub mod digest;
pub mod entry;
pub mod hash;
pub mod note;
pub mod receipt;
pub mod seal;
pub mod signer;
pub mod tile;
pub mod tree;

pub use checkpoint::{Checkpoint, CheckpointError, TreeHead};
pub use entry::{BlobRef, Entry, EntryDraft, EntryError, PreparedEntry, commitment};
pub use hash::{Hash, leaf_hash, mth, node_hash};
pub use note::{NoteSigner, NoteVerifier};
pub use tile::{TileId, Tiler};
pub use tree::{HashSource, ProofError};

#[cfg(test)]
mod tests;
