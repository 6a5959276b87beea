//! C2SP tlog-checkpoint: the signed tree head (`origin`, tree size, base64 root hash).

use crate::hash::Hash;
use crate::note::{Note, NoteError, NoteSigner, NoteVerifier, sign_note};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub head: TreeHead,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CheckpointError {
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("malformed checkpoint body: {0}")]
    Malformed(&'static str),
    #[error("checkpoint origin is {got:?}, expected {expected:?}")]
    WrongOrigin { expected: String, got: String },
}

impl Checkpoint {
    /// The note text: `origin\nsize\nbase64(root)\n` (no extension lines).
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.head.size, B64.encode(self.head.root.0))
    }

    pub fn sign(&self, signers: &[NoteSigner]) -> String {
        sign_note(&self.body(), signers)
    }

    /// Parses a checkpoint body (already verified note text).
    pub fn parse_body(text: &str) -> Result<Checkpoint, CheckpointError> {
        let mut lines = text.split('\n');
        let origin = lines.next().filter(|o| !o.is_empty()).ok_or(CheckpointError::Malformed("no origin line"))?;
        let size_str = lines.next().ok_or(CheckpointError::Malformed("no size line"))?;
        if size_str.is_empty()
            || !size_str.bytes().all(|b| b.is_ascii_digit())
            || (size_str.len() > 1 && size_str.starts_with('0'))
        {
            return Err(CheckpointError::Malformed("size is not a decimal number"));
        }
        let size: u64 = size_str.parse().map_err(|_| CheckpointError::Malformed("size is out of range"))?;
        let root_b64 = lines.next().ok_or(CheckpointError::Malformed("no root line"))?;
        let root_bytes = B64.decode(root_b64).map_err(|_| CheckpointError::Malformed("root is not base64"))?;
        let root = Hash::from_slice(&root_bytes).ok_or(CheckpointError::Malformed("root is not 32 bytes"))?;
        // The text ends with a newline, so the split leaves one empty last piece; anything
        // else would be extension lines, which liuhen never writes.
        let rest: Vec<&str> = lines.collect();
        if rest != [""] {
            return Err(CheckpointError::Malformed("unexpected extension lines"));
        }
        Ok(Checkpoint { origin: origin.to_string(), head: TreeHead { size, root } })
    }

    /// Parses and verifies a signed checkpoint: every key in `required` must have signed it,
    /// and its origin must be `origin`.
    pub fn open(note: &[u8], origin: &str, known: &[NoteVerifier]) -> Result<Checkpoint, CheckpointError> {
        let note = Note::parse(note)?;
        let required: Vec<&NoteVerifier> = known.iter().collect();
        let text = note.verify(known, &required)?;
        let cp = Checkpoint::parse_body(text)?;
        if cp.origin != origin {
            return Err(CheckpointError::WrongOrigin { expected: origin.to_string(), got: cp.origin });
        }
        Ok(cp)
    }
}
