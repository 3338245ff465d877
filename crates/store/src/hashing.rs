//! SHA-256 and HMAC-SHA-256 as lowercase hex.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The chain hash of a revision of `kind` with payload `payload` written on
/// a revision whose chain hash is `prev` (empty for the first): the one
/// formula the writes, the replays, the derived state and `audit verify`
/// use.
pub fn chain_hash(prev: &str, kind: crate::types::RevisionKind, payload: &str) -> String {
    sha256_hex(&[
        prev.as_bytes(),
        kind.as_str().as_bytes(),
        payload.as_bytes(),
    ])
}

/// SHA-256 of `parts` concatenated with a 0x1f separator, as hex.
pub fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h.update([0x1f]);
        }
        h.update(p);
    }
    hex(&h.finalize())
}

/// HMAC-SHA-256 with `key` over `parts` joined by 0x1f, as hex.
pub fn hmac_hex(key: &[u8], parts: &[&[u8]]) -> String {
    // HMAC accepts keys of any length.
    let mut m = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            m.update(&[0x1f]);
        }
        m.update(p);
    }
    hex(&m.finalize().into_bytes())
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

/// Parses lowercase or uppercase hex.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            hmac_hex(b"Jefe", &[b"what do ya want for nothing?"]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            sha256_hex(&[b"abc"]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(unhex("0aFf"), Some(vec![10, 255]));
        assert_eq!(unhex("0g"), None);
    }
}
