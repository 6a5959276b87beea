//! Clips of a recording (R-145: derived copies link to the original): a stretch cut by ffmpeg
//! without re-encoding becomes a new blob and a new recording (`recording.clipped`) that names
//! the original's id and SHA-256, the stretch and why it was cut. The original never changes.

use super::{App, auth::now_ms, body};
use crate::app::AppError;
use liuhen_log::{EntryDraft, Hash};
use liuhen_store::{LogStore, RecordingRecord, UserRecord};
use serde_json::{Value, json};
use sha2::Digest;

/// The longest clip (a shift).
pub const MAX_CLIP_MS: i64 = 12 * 3600 * 1000;

/// The extension of a file name, if it is a plain short one (`mp4`, `avi`…).
fn extension(name: &str) -> Option<String> {
    let (_, ext) = name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    (1..=5).contains(&ext.len()).then_some(ext).filter(|e| e.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes a directory when dropped (the clip's scratch space).
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl<S: LogStore> App<S> {
    /// Cuts `[from_ms, to_ms)` (from the recording's start) of recording `id` into a new
    /// recording, by those who act on its case (or its uploader, while it has none).
    pub async fn clip_recording(
        &self,
        actor: &UserRecord,
        id: &str,
        from_ms: i64,
        to_ms: i64,
        reason: &str,
    ) -> Result<RecordingRecord, AppError> {
        let original = self.recording(actor, id).await?;
        self.may_change_recording(actor, &original).await?;
        if from_ms < 0 || to_ms <= from_ms || to_ms - from_ms > MAX_CLIP_MS {
            return Err(AppError::Unprocessable("片段的起止有误：须 0 ≤ 开始 < 结束，且不超过十二小时".into()));
        }
        if reason.trim().is_empty() {
            return Err(AppError::BadRequest("须写明剪辑的用途".into()));
        }
        if !tokio::task::spawn_blocking(|| super::media::available("ffmpeg")).await.unwrap_or(false) {
            return Err(AppError::Upload(
                crate::app::error::Upload::ClipUnavailable,
                "服务器未安装 ffmpeg，不能剪辑".into(),
            ));
        }
        let data: Value = serde_json::from_str(&original.data).map_err(|e| AppError::Internal(Box::new(e)))?;
        let name = data["filename"].as_str().unwrap_or(&original.id).to_string();
        let ext = extension(&name).unwrap_or_else(|| "mp4".into());
        // The original, copied part by part into scratch space beside the uploads (ffmpeg needs
        // a file it can seek in; the blob may be remote).
        let new_id = uuid::Uuid::now_v7().to_string();
        let scratch = Scratch(self.uploads.dir().join(format!("clip-{new_id}")));
        tokio::fs::create_dir_all(&scratch.0).await.map_err(|e| AppError::Internal(Box::new(e)))?;
        let src = scratch.0.join(format!("original.{ext}"));
        let dst = scratch.0.join(format!("clip.{ext}"));
        let sha = Hash::from_hex(&original.sha256).ok_or_else(|| AppError::Internal("a recording's digest".into()))?;
        {
            use tokio::io::AsyncWriteExt;
            let mut f = tokio::fs::File::create(&src).await.map_err(|e| AppError::Internal(Box::new(e)))?;
            let mut at = 0;
            while at < original.size {
                let end = (at + (8 << 20)).min(original.size);
                let part = self.blobs.get_range(&sha, at..end).await?;
                f.write_all(&part).await.map_err(|e| AppError::Internal(Box::new(e)))?;
                at = end;
            }
            f.flush().await.map_err(|e| AppError::Internal(Box::new(e)))?;
        }
        let (s, d) = (src.clone(), dst.clone());
        tokio::task::spawn_blocking(move || super::media::cut(&s, &d, from_ms, to_ms))
            .await
            .map_err(|e| AppError::Internal(Box::new(e)))?
            .map_err(|e| AppError::BadRequest(format!("无法剪辑：{e}")))?;
        let len = tokio::fs::metadata(&dst).await.map_err(|e| AppError::Internal(Box::new(e)))?.len();
        if len == 0 {
            return Err(AppError::BadRequest("所选时段没有内容".into()));
        }
        let digest = Hash(super::recordings::rehash(&dst, len).await?.finalize().into());
        let blob = self.blobs.put_file(&dst, digest, len).await?;
        let stored_at = now_ms();
        let mut metadata = data["metadata"].clone();
        if let Some(start) = metadata["started_at"].as_str().and_then(super::recordings::parse_moment) {
            metadata["started_at"] = json!((start + from_ms).to_string());
            metadata["ended_at"] = json!((start + to_ms).to_string());
        }
        let (stem, _) = name.rsplit_once('.').unwrap_or((&name, ""));
        let detail = json!({
            "recording": new_id, "filename": format!("{stem}_片段_{}-{}s.{ext}", from_ms / 1000, (to_ms + 999) / 1000),
            "metadata": metadata, "uploaded_by": format!("user:{}", actor.id), "stored_at": stored_at, "flags": [],
            "clip_of": {"recording": original.id, "sha256": original.sha256, "from_ms": from_ms, "to_ms": to_ms,
                        "reason": reason.trim()},
        });
        let (c, opening) = super::auth::committed(&detail);
        let case = Some(original.case_id.as_str()).filter(|c| !c.is_empty());
        let d = EntryDraft::new(
            &format!("user:{}", actor.id),
            "recording.clipped",
            case,
            body(json!({"recording": new_id, "clip_of": original.id, "detail": {"commit": c.to_hex()}})),
            vec![blob],
            vec![c],
        )
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
        let record = RecordingRecord {
            id: new_id,
            sha256: digest.to_hex(),
            size: len,
            case_id: original.case_id.clone(),
            uploaded_by: format!("user:{}", actor.id),
            created_at_ms: stored_at,
            data: super::recordings::recording_data(&detail, &blob, None).to_string(),
            version: 0,
        };
        self.add_recording(d, opening, blob, record).await
    }
}
