//! Decode limits (graftwatch patch; not in upstream noodles-cram 0.102.0).
//!
//! A CRAM slice declares its record count, and each record its read length,
//! feature count and byte-array lengths, as numbers decoded from the file.
//! With constant (single-symbol Huffman) encodings such a number costs no
//! input bytes, so a few corrupt bytes could make the decoder reserve or
//! fill gigabytes (the fuzzer found `features.reserve(n)` with n up to
//! 2^31). These limits bound what one slice may materialise. They are far
//! above what real files use (htslib writes at most 10,000 records and
//! about 5 Mbases per slice by default; the longest sequenced reads are a
//! few Mbases), so no real file reaches them.

use std::{io, mem};

use crate::record::Feature;

/// Most records one slice may declare.
pub const MAX_RECORDS_PER_SLICE: usize = 1 << 20;

/// Longest read length a record may declare (64 Mbases).
pub const MAX_READ_LENGTH: usize = 1 << 26;

/// Longest byte array one decode may materialise (64 MiB).
pub const MAX_BYTE_ARRAY_LEN: usize = 1 << 26;

/// Budget of bytes one slice's records may materialise: read lengths,
/// features and byte arrays decoded into owned buffers (512 MiB).
pub const MAX_DECODED_BYTES_PER_SLICE: usize = 1 << 29;

/// Remaining decode budget of one slice.
#[derive(Debug)]
pub struct Budget {
    remaining: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            remaining: MAX_DECODED_BYTES_PER_SLICE,
        }
    }
}

impl Budget {
    /// Charges `n` bytes for `what`; an error once the slice's budget is spent.
    pub fn charge(&mut self, n: usize, what: &str) -> io::Result<()> {
        match self.remaining.checked_sub(n) {
            Some(rest) => {
                self.remaining = rest;
                Ok(())
            }
            None => Err(exceeded(what)),
        }
    }

    /// Charges `count` features.
    pub fn charge_features(&mut self, count: usize) -> io::Result<()> {
        let bytes = count
            .checked_mul(mem::size_of::<Feature<'_>>())
            .ok_or_else(|| exceeded("feature count"))?;
        self.charge(bytes, "feature count")
    }
}

fn exceeded(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{what} exceeds the decode limit of one slice ({} MiB of decoded data)",
            MAX_DECODED_BYTES_PER_SLICE >> 20
        ),
    )
}

/// Checks a count or length decoded from the file against its limit.
pub fn check(value: usize, limit: usize, what: &str) -> io::Result<usize> {
    if value <= limit {
        Ok(value)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{what} {value} exceeds the decode limit {limit}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_budget() {
        let mut budget = Budget::default();
        assert!(budget.charge(MAX_DECODED_BYTES_PER_SLICE, "x").is_ok());
        assert!(budget.charge(1, "x").is_err());
        assert!(Budget::default().charge_features(usize::MAX).is_err());
    }

    #[test]
    fn test_check() {
        assert!(check(MAX_READ_LENGTH, MAX_READ_LENGTH, "read length").is_ok());
        assert!(check(MAX_READ_LENGTH + 1, MAX_READ_LENGTH, "read length").is_err());
    }
}
