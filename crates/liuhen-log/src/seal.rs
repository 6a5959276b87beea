//! Electronic seals in the shape of GB/T 38540-2020 (安全电子签章密码技术规范, v4 structures),
//! DER-encoded, signed with SM2/SM3 — plus an Ed25519 signature over the same bytes — so that
//! the OpenSSL command line alone can check them (`docs/seal.md`, `scripts/verify-seal`).
//!
//! ```text
//! SES_Signature ::= SEQUENCE { toSign TBS_Sign, cert OCTET STRING, signatureAlgID OID,
//!                              signature BIT STRING }
//! TBS_Sign      ::= SEQUENCE { version INTEGER(4), eseal SESeal, timeInfo GeneralizedTime,
//!                              dataHash BIT STRING, propertyInfo IA5String }
//! SESeal        ::= SEQUENCE { eSealInfo SES_SealInfo, cert OCTET STRING, signAlgID OID,
//!                              signedValue BIT STRING }
//! SES_SealInfo  ::= SEQUENCE { header SEQUENCE { ID IA5String "ES", version INTEGER(4),
//!                              Vid IA5String }, esID IA5String,
//!                              property SEQUENCE { type INTEGER, name UTF8String,
//!                                certListType INTEGER(1), certList SEQUENCE OF OCTET STRING,
//!                                createDate, validStart, validEnd GeneralizedTime },
//!                              picture SEQUENCE { type IA5String, data OCTET STRING,
//!                                width INTEGER, height INTEGER } }
//! ```
//!
//! Deviation, stated: there is no licensed CA here, so each `cert` slot holds the DER
//! SubjectPublicKeyInfo of the office's SM2 seal key rather than an X.509 certificate; the
//! seal maker and the signer are the same key. `dataHash` is SM3 of the document's bytes;
//! `signedValue` and `signature` are SM2 signatures (DER `SEQUENCE{r, s}`, ID
//! `1234567812345678`) over the DER of `SES_SealInfo` and `TBS_Sign`.

use crate::note::SM2_DISTID;
use ed25519_dalek::Signer as _;
use sm2::dsa::signature::Verifier as _;
use sm2::elliptic_curve::sec1::ToSec1Point;
use sm3::Digest as _;

/// OID 1.2.156.10197.1.501, SM2 signature with SM3 (GB/T 33560).
const OID_SM2_SM3: &[u8] = &[0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x83, 0x75];
/// OID 1.2.840.10045.2.1, id-ecPublicKey.
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
/// OID 1.2.156.10197.1.301, the SM2 curve.
const OID_SM2_CURVE: &[u8] = &[0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D];
/// OID 1.3.101.112, Ed25519.
const OID_ED25519: &[u8] = &[0x2B, 0x65, 0x70];

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("invalid seal key")]
    BadKey,
    #[error("malformed seal structure: {0}")]
    Malformed(&'static str),
    #[error("the document's SM3 does not match the seal's dataHash")]
    WrongData,
    #[error("the seal maker's signature on the seal does not verify")]
    BadSealSignature,
    #[error("the SM2 signature on the sealed data does not verify")]
    BadSignature,
    #[error("the Ed25519 signature does not verify")]
    BadEd25519,
    #[error("the signing time is outside the seal's validity")]
    OutOfValidity,
}

// ---- DER writing -------------------------------------------------------------------------

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}
fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}
fn int(v: u64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(7);
    let mut c = bytes[skip..].to_vec();
    if c[0] & 0x80 != 0 {
        c.insert(0, 0);
    }
    tlv(0x02, &c)
}
fn ia5(s: &str) -> Vec<u8> {
    tlv(0x16, s.as_bytes())
}
fn utf8(s: &str) -> Vec<u8> {
    tlv(0x0C, s.as_bytes())
}
fn octets(b: &[u8]) -> Vec<u8> {
    tlv(0x04, b)
}
fn bits(b: &[u8]) -> Vec<u8> {
    let mut c = vec![0u8];
    c.extend_from_slice(b);
    tlv(0x03, &c)
}
fn oid(o: &[u8]) -> Vec<u8> {
    tlv(0x06, o)
}
/// GeneralizedTime `YYYYMMDDHHMMSSZ` of a Unix time in milliseconds (UTC).
fn gtime(ms: i64) -> Vec<u8> {
    tlv(0x18, civil(ms).as_bytes())
}

fn civil(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}{:02}{:02}{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The DER SubjectPublicKeyInfo of an uncompressed SM2 point.
pub fn sm2_spki(point: &[u8]) -> Vec<u8> {
    seq(&[seq(&[oid(OID_EC_PUBLIC_KEY), oid(OID_SM2_CURVE)]), bits(point)])
}
/// The DER SubjectPublicKeyInfo of an Ed25519 key.
pub fn ed25519_spki(key: &[u8; 32]) -> Vec<u8> {
    seq(&[seq(&[oid(OID_ED25519)]), bits(key)])
}
/// PEM armour (`label`: e.g. `PUBLIC KEY`).
pub fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

// ---- DER reading (just enough for our own structure) ---------------------------------------

/// One element: its tag, the whole encoding and its content.
struct Tlv<'a> {
    tag: u8,
    all: &'a [u8],
    content: &'a [u8],
}

fn read(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), SealError> {
    let bad = SealError::Malformed("truncated or non-DER length");
    let (&tag, rest) = input.split_first().ok_or(bad.clone())?;
    let (&first, rest) = rest.split_first().ok_or(bad.clone())?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 || rest.len() < n {
            return Err(bad);
        }
        let len = rest[..n].iter().fold(0usize, |a, b| (a << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return Err(bad);
    }
    let header = input.len() - rest.len();
    Ok((Tlv { tag, all: &input[..header + len], content: &rest[..len] }, &rest[len..]))
}

fn children(content: &[u8]) -> Result<Vec<Tlv<'_>>, SealError> {
    let mut out = Vec::new();
    let mut rest = content;
    while !rest.is_empty() {
        let (t, r) = read(rest)?;
        out.push(t);
        rest = r;
    }
    Ok(out)
}

fn expect<'a>(v: &'a [Tlv<'a>], i: usize, tag: u8, what: &'static str) -> Result<&'a Tlv<'a>, SealError> {
    v.get(i).filter(|t| t.tag == tag).ok_or(SealError::Malformed(what))
}

fn bit_content<'a>(t: &'a Tlv<'a>) -> Result<&'a [u8], SealError> {
    match t.content.split_first() {
        Some((0, rest)) => Ok(rest),
        _ => Err(SealError::Malformed("BIT STRING with unused bits")),
    }
}

// ---- Sealing -------------------------------------------------------------------------------

/// The office's seal keys: an SM2 key (seal maker and signer) and an Ed25519 key.
pub struct SealKeys {
    sm2: sm2::dsa::SigningKey,
    ed25519: ed25519_dalek::SigningKey,
}

impl SealKeys {
    pub fn new(sm2_secret: &[u8; 32], ed25519_seed: &[u8; 32]) -> Result<SealKeys, SealError> {
        let sm2 = sm2::dsa::SigningKey::from_slice(SM2_DISTID, sm2_secret).map_err(|_| SealError::BadKey)?;
        Ok(SealKeys { sm2, ed25519: ed25519_dalek::SigningKey::from_bytes(ed25519_seed) })
    }
    /// The SM2 public key, DER SubjectPublicKeyInfo.
    pub fn sm2_public_der(&self) -> Vec<u8> {
        sm2_spki(self.sm2.verifying_key().to_sec1_point(false).as_bytes())
    }
    /// The Ed25519 public key, DER SubjectPublicKeyInfo.
    pub fn ed25519_public_der(&self) -> Vec<u8> {
        ed25519_spki(&self.ed25519.verifying_key().to_bytes())
    }
}

/// What the seal says about itself (SES_SealInfo).
#[derive(Debug, Clone)]
pub struct SealInfo {
    /// The seal's identifier (esID).
    pub id: String,
    /// The seal's name, e.g. `迁西县栗乡街道办事处行政执法专用章`.
    pub name: String,
    /// GB/T 38540 seal type: 1 单位印章, 2 个人印章.
    pub kind: u64,
    pub created_ms: i64,
    pub valid_from_ms: i64,
    pub valid_to_ms: i64,
    /// The seal's image (SVG) and its size in millimetres.
    pub picture_svg: Vec<u8>,
    pub width_mm: u64,
    pub height_mm: u64,
}

/// A sealed document's signature data.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// DER of SES_Signature.
    pub der: Vec<u8>,
    /// DER of TBS_Sign, the bytes both signatures are over.
    pub tbs: Vec<u8>,
    /// SM2 signature (DER) over `tbs`.
    pub sm2: Vec<u8>,
    /// Ed25519 signature over `tbs`.
    pub ed25519: Vec<u8>,
}

/// Seals `data` (the document's bytes) at `time_ms`; `property` names the document (e.g. its
/// id and 文号, ASCII).
pub fn seal(keys: &SealKeys, info: &SealInfo, data: &[u8], time_ms: i64, property: &str) -> Sealed {
    let spki = keys.sm2_public_der();
    let seal_info = seq(&[
        seq(&[ia5("ES"), int(4), ia5("liuhen")]),
        ia5(&info.id),
        seq(&[
            int(info.kind),
            utf8(&info.name),
            int(1),
            seq(&[octets(&spki)]),
            gtime(info.created_ms),
            gtime(info.valid_from_ms),
            gtime(info.valid_to_ms),
        ]),
        seq(&[ia5("SVG"), octets(&info.picture_svg), int(info.width_mm), int(info.height_mm)]),
    ]);
    let maker: sm2::dsa::Signature = keys.sm2.sign(&seal_info);
    let eseal = seq(&[seal_info, octets(&spki), oid(OID_SM2_SM3), bits(maker.to_der().as_bytes())]);
    let hash = sm3::Sm3::digest(data);
    let property: String = property.chars().filter(char::is_ascii).collect();
    let tbs = seq(&[int(4), eseal, gtime(time_ms), bits(&hash), ia5(&property)]);
    let sig: sm2::dsa::Signature = keys.sm2.sign(&tbs);
    let sm2 = sig.to_der().as_bytes().to_vec();
    let der = seq(&[tbs.clone(), octets(&spki), oid(OID_SM2_SM3), bits(&sm2)]);
    let ed25519 = keys.ed25519.sign(&tbs).to_bytes().to_vec();
    Sealed { der, tbs, sm2, ed25519 }
}

/// What a verified seal says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub seal_id: String,
    pub seal_name: String,
    /// `YYYYMMDDHHMMSSZ`.
    pub time: String,
    pub property: String,
}

/// Checks a seal (`der`, SES_Signature) over `data`: the maker's signature on the seal, the
/// validity window, the data hash and the SM2 signature; and, given, the Ed25519 signature
/// with `ed25519_public` (32 bytes).
pub fn verify(der: &[u8], data: &[u8], ed25519: Option<(&[u8], &[u8; 32])>) -> Result<Verified, SealError> {
    let (top, rest) = read(der)?;
    if top.tag != 0x30 || !rest.is_empty() {
        return Err(SealError::Malformed("SES_Signature"));
    }
    let sig = children(top.content)?;
    let tbs = expect(&sig, 0, 0x30, "TBS_Sign")?;
    let cert = expect(&sig, 1, 0x04, "cert")?;
    let sm2_sig = bit_content(expect(&sig, 3, 0x03, "signature")?)?;
    let key = sm2_key(cert.content)?;
    let t = children(tbs.content)?;
    let eseal = expect(&t, 1, 0x30, "eseal")?;
    let time =
        std::str::from_utf8(expect(&t, 2, 0x18, "timeInfo")?.content).map_err(|_| SealError::Malformed("time"))?;
    let hash = bit_content(expect(&t, 3, 0x03, "dataHash")?)?;
    let property = String::from_utf8_lossy(expect(&t, 4, 0x16, "propertyInfo")?.content).to_string();
    // The seal: its maker's signature over SES_SealInfo.
    let e = children(eseal.content)?;
    let info = expect(&e, 0, 0x30, "eSealInfo")?;
    let maker_key = sm2_key(expect(&e, 1, 0x04, "maker cert")?.content)?;
    let maker_sig = bit_content(expect(&e, 3, 0x03, "signedValue")?)?;
    let s = sm2::dsa::Signature::from_der(maker_sig).map_err(|_| SealError::BadSealSignature)?;
    maker_key.verify(info.all, &s).map_err(|_| SealError::BadSealSignature)?;
    let i = children(info.content)?;
    let seal_id = String::from_utf8_lossy(expect(&i, 1, 0x16, "esID")?.content).to_string();
    let prop = children(expect(&i, 2, 0x30, "property")?.content)?;
    let seal_name = String::from_utf8_lossy(expect(&prop, 1, 0x0C, "name")?.content).to_string();
    let from = expect(&prop, 5, 0x18, "validStart")?.content;
    let to = expect(&prop, 6, 0x18, "validEnd")?.content;
    if time.as_bytes() < from || time.as_bytes() > to {
        return Err(SealError::OutOfValidity);
    }
    if hash != sm3::Sm3::digest(data).as_slice() {
        return Err(SealError::WrongData);
    }
    let s = sm2::dsa::Signature::from_der(sm2_sig).map_err(|_| SealError::BadSignature)?;
    key.verify(tbs.all, &s).map_err(|_| SealError::BadSignature)?;
    if let Some((sig, public)) = ed25519 {
        let k = ed25519_dalek::VerifyingKey::from_bytes(public).map_err(|_| SealError::BadKey)?;
        let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| SealError::BadEd25519)?;
        k.verify_strict(tbs.all, &sig).map_err(|_| SealError::BadEd25519)?;
    }
    Ok(Verified { seal_id, seal_name, time: time.to_string(), property })
}

fn sm2_key(spki: &[u8]) -> Result<sm2::dsa::VerifyingKey, SealError> {
    let (top, _) = read(spki)?;
    let parts = children(top.content)?;
    let point = bit_content(expect(&parts, 1, 0x03, "subjectPublicKey")?)?;
    sm2::dsa::VerifyingKey::from_sec1_bytes(SM2_DISTID, point).map_err(|_| SealError::BadKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SealKeys {
        SealKeys::new(&[7u8; 32], &[9u8; 32]).unwrap()
    }
    fn info() -> SealInfo {
        SealInfo {
            id: "seal-1".into(),
            name: "迁西县栗乡街道办事处行政执法专用章".into(),
            kind: 1,
            created_ms: 1_767_225_600_000,
            valid_from_ms: 1_767_225_600_000,
            valid_to_ms: 1_798_761_599_000,
            picture_svg: b"<svg/>".to_vec(),
            width_mm: 42,
            height_mm: 42,
        }
    }

    #[test]
    fn a_seal_verifies_and_any_change_is_caught() {
        let k = keys();
        let data = "行政处罚决定书".as_bytes();
        let s = seal(&k, &info(), data, 1_795_000_000_000, "doc-1");
        let ed: [u8; 32] = k.ed25519.verifying_key().to_bytes();
        let v = verify(&s.der, data, Some((&s.ed25519, &ed))).unwrap();
        assert_eq!(v.seal_name, "迁西县栗乡街道办事处行政执法专用章");
        assert_eq!(v.time, "20261118110640Z");
        assert_eq!(verify(&s.der, b"changed", None), Err(SealError::WrongData));
        let mut bad = s.der.clone();
        let at = bad.windows(6).position(|w| w == b"doc-1\x30").unwrap_or(bad.len() / 2);
        bad[at] ^= 1;
        assert!(verify(&bad, data, None).is_err());
        let mut ed_sig = s.ed25519.clone();
        ed_sig[0] ^= 1;
        assert_eq!(verify(&s.der, data, Some((&ed_sig, &ed))), Err(SealError::BadEd25519));
        // Out of the seal's validity.
        let late = seal(&k, &info(), data, 1_900_000_000_000, "doc-1");
        assert_eq!(verify(&late.der, data, None), Err(SealError::OutOfValidity));
    }

    #[test]
    fn generalized_time_is_utc_civil_time() {
        assert_eq!(civil(0), "19700101000000Z");
        assert_eq!(civil(951_782_400_000), "20000229000000Z");
        assert_eq!(civil(1_795_000_000_999), "20261118110640Z");
    }

    #[test]
    fn truncated_or_garbage_input_is_an_error_not_a_panic() {
        let s = seal(&keys(), &info(), b"x", 1_795_000_000_000, "d");
        for n in 0..s.der.len() {
            assert!(verify(&s.der[..n], b"x", None).is_err());
        }
        assert!(verify(&[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], b"x", None).is_err());
    }
}
