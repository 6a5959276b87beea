//! ffprobe and ffmpeg (Debian's, optional external tools): a recording's creation time and
//! duration from any container a body camera writes (H.265, AVI, MPEG-PS…, where the built-in
//! MP4 reader knows only MP4/MOV), and clips cut without re-encoding. When they are not
//! installed, the callers say so; nothing else depends on them.

use std::path::Path;
use std::process::{Command, Stdio};

/// Whether `tool` (ffprobe, ffmpeg) runs here.
pub fn available(tool: &str) -> bool {
    Command::new(tool).arg("-version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// An ISO 8601 UTC moment as containers tag it (`2026-11-20T09:30:00.000000Z`), in Unix ms.
pub fn parse_utc(s: &str) -> Option<i64> {
    let s = s.trim().strip_suffix('Z').unwrap_or(s.trim());
    let (date, time) = s.split_once(['T', ' '])?;
    let day = liuhen_core::time::Date::parse(date).ok()?;
    let (hms, frac) = time.split_once('.').unwrap_or((time, ""));
    let mut parts = hms.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, sec) = (parts.next()??, parts.next()??, parts.next().unwrap_or(Some(0))?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..61).contains(&sec) || parts.next().is_some() {
        return None;
    }
    let ms = format!("{frac:0<3}").get(..3)?.parse::<i64>().ok()?;
    // Date::start() is midnight in Asia/Shanghai (UTC+8, no daylight saving).
    Some(day.start().0 + 8 * 3_600_000 + ((h * 60 + m) * 60 + sec) * 1000 + ms)
}

/// A file's creation time (Unix ms) and duration (ms) as ffprobe reads them; `None` when
/// ffprobe is missing, fails, or the file tags no creation time.
pub fn ffprobe_times(path: &Path) -> Option<(i64, i64)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration:format_tags=creation_time", "-of", "json"])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    let created = parse_utc(v["format"]["tags"]["creation_time"].as_str()?)?;
    let seconds: f64 = v["format"]["duration"].as_str()?.parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| (created, (seconds * 1000.0).round() as i64))
}

/// Cuts `[from_ms, to_ms)` of `src` into `dst` without re-encoding (stream copy: the clip
/// starts at the key frame at or before `from_ms`). The error is ffmpeg's own message.
pub fn cut(src: &Path, dst: &Path, from_ms: i64, to_ms: i64) -> Result<(), String> {
    let secs = |ms: i64| format!("{}.{:03}", ms / 1000, ms % 1000);
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-ss", &secs(from_ms), "-i"])
        .arg(src)
        .args(["-t", &secs(to_ms - from_ms), "-map", "0", "-c", "copy"])
        .arg(dst)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("ffmpeg: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("ffmpeg failed").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_times_are_read_as_utc() {
        // 2026-11-20T01:30:00Z is 09:30 in Shanghai.
        let t = parse_utc("2026-11-20T01:30:00.250000Z").unwrap();
        assert_eq!(t, crate::app::recordings::parse_moment("2026-11-20 09:30:00").unwrap() + 250);
        assert_eq!(parse_utc("2026-11-20 01:30:00"), Some(t - 250));
        for bad in ["", "2026-11-20", "2026-11-20T25:00:00Z", "2026-13-01T00:00:00Z", "x"] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }
}
