//! Time-based one-time passwords (RFC 6238 over HMAC-SHA1, RFC 4226), the optional second
//! factor of a sign-in: an authenticator app shows the code for the current 30 seconds.

use hmac::{KeyInit, Mac};

/// The code for `secret` at Unix time `t_s`: `digits` digits, 30-second steps.
pub fn code(secret: &[u8], t_s: u64, digits: u32) -> u32 {
    let counter = (t_s / 30).to_be_bytes();
    let Ok(mut mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret) else { return 0 };
    mac.update(&counter);
    let h = mac.finalize().into_bytes();
    // RFC 4226 §5.3 dynamic truncation.
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = u32::from_be_bytes([h[offset] & 0x7f, h[offset + 1], h[offset + 2], h[offset + 3]]);
    bin % 10u32.pow(digits)
}

/// Whether `typed` is the 6-digit code of the step at `t_s` or the one before or after
/// (clock drift of up to 30 seconds).
pub fn accepts(secret: &[u8], t_s: u64, typed: &str) -> bool {
    let typed = typed.trim();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Ok(n) = typed.parse::<u32>() else { return false };
    [t_s.saturating_sub(30), t_s, t_s + 30].iter().any(|t| code(secret, *t, 6) == n)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for b in bytes {
        buf = (buf << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            out.push(BASE32[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(BASE32[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// RFC 4648 base32 (no padding) back to bytes.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        buf = (buf << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            out.push((buf >> (bits - 8)) as u8);
            bits -= 8;
        }
        buf &= (1 << bits) - 1;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1, 8 digits.
    #[test]
    fn the_rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (t, want) in [
            (59, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(code(secret, t, 8), want, "T = {t}");
        }
        assert!(accepts(secret, 59, &format!("{:06}", code(secret, 59, 6))));
        assert!(accepts(secret, 89, &format!("{:06}", code(secret, 59, 6))), "the step before");
        assert!(!accepts(secret, 150, &format!("{:06}", code(secret, 59, 6))));
        assert!(!accepts(secret, 59, "12345a"));
    }

    /// RFC 4648 §10 vectors.
    #[test]
    fn base32_as_rfc_4648() {
        for (raw, want) in [
            ("", ""),
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
            ("fooba", "MZXW6YTB"),
            ("foobar", "MZXW6YTBOI"),
        ] {
            assert_eq!(base32(raw.as_bytes()), want);
            assert_eq!(base32_decode(want).unwrap(), raw.as_bytes());
        }
    }
}
