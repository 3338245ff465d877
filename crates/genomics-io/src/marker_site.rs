//! Geometry of a marker on the reference, shared by the BAM and FASTQ
//! counters: a single-base substitution, or a pure insertion/deletion with
//! the range over which the indel can slide in a repeat (all placements give
//! the same haplotype, so an aligner may report any of them).

use graftwatch_chimerism::marker::Marker;
use graftwatch_core::GenomicPosition;

/// How a marker changes the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteKind {
    /// Single-nucleotide variant at the site's anchor.
    Snv {
        /// REF base (upper case).
        ref_base: u8,
        /// ALT base (upper case).
        alt_base: u8,
    },
    /// Deletion of `len` reference bases starting at `first` (the base
    /// after the VCF anchor). `shift` = how many positions the deletion can
    /// slide right with an identical result (0 without a reference).
    Deletion {
        /// First deleted base.
        first: GenomicPosition,
        /// Deleted bases.
        len: u32,
        /// Right-slide extent in the repeat.
        shift: u32,
    },
    /// Insertion of `seq` between reference positions `after` and the next
    /// one; `shift` as for deletions (the inserted sequence rotates as it
    /// slides).
    Insertion {
        /// Reference base before the inserted bases.
        after: GenomicPosition,
        /// Inserted bases (upper case).
        seq: Vec<u8>,
        /// Right-slide extent in the repeat.
        shift: u32,
    },
}

/// A marker resolved against the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The VCF anchor / SNV base (the marker's POS).
    pub anchor: GenomicPosition,
    /// Last reference position a read must cover (aligned) to be
    /// classified: the SNV base, or one base past the rightmost indel
    /// placement.
    pub last: GenomicPosition,
    /// Variant kind.
    pub kind: SiteKind,
}

/// Why a marker cannot be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    /// Alleles that are empty or not A/C/G/T.
    #[error("marker {id}: allele {allele:?} is not a non-empty A/C/G/T sequence")]
    BadAllele {
        /// Marker id.
        id: String,
        /// The offending allele.
        allele: String,
    },
    /// Multi-base substitution or complex indel (REF and ALT do not share
    /// the shorter allele as a prefix).
    #[error(
        "marker {id}: {ref_allele}>{alt_allele} is neither a SNV nor a normalised insertion/deletion (expected a single-base substitution, or REF/ALT where the shorter allele is a prefix of the longer one)"
    )]
    Unsupported {
        /// Marker id.
        id: String,
        /// REF.
        ref_allele: String,
        /// ALT.
        alt_allele: String,
    },
    /// The marker's REF does not match the reference sequence.
    #[error("marker {id}: REF {expected} does not match the reference {contig}:{pos} ({found})")]
    RefMismatch {
        /// Marker id.
        id: String,
        /// Contig.
        contig: String,
        /// 1-based position.
        pos: u64,
        /// Marker REF.
        expected: String,
        /// Reference bases found there.
        found: String,
    },
    /// The marker lies (partly) beyond the end of its contig.
    #[error("marker {id}: {contig}:{pos} lies beyond the end of the contig (length {len})")]
    OutOfContig {
        /// Marker id.
        id: String,
        /// Contig.
        contig: String,
        /// 1-based position.
        pos: u64,
        /// Contig length.
        len: u64,
    },
}

fn is_acgt(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| matches!(b.to_ascii_uppercase(), b'A' | b'C' | b'G' | b'T'))
}

/// `p` moved `n` bases right; a marker that would end past the largest
/// position is out of its contig.
fn offset(p: GenomicPosition, n: u64, marker: &Marker) -> Result<GenomicPosition, SiteError> {
    p.checked_add(n).ok_or_else(|| SiteError::OutOfContig {
        id: marker.id.clone(),
        contig: marker.chrom.clone(),
        pos: marker.pos.one_based(),
        len: u64::MAX,
    })
}

/// Checks that the reference has the marker's REF allele (upper-cased in
/// `r`) at its position.
fn check_ref_allele(marker: &Marker, r: &[u8], seq: &[u8]) -> Result<(), SiteError> {
    let pos0 = marker.pos.zero_based();
    let end = usize::try_from(pos0)
        .ok()
        .and_then(|p| p.checked_add(r.len()))
        .unwrap_or(usize::MAX);
    if end > seq.len() {
        return Err(SiteError::OutOfContig {
            id: marker.id.clone(),
            contig: marker.chrom.clone(),
            pos: marker.pos.one_based(),
            len: seq.len() as u64,
        });
    }
    let found = &seq[pos0 as usize..end];
    if found != r {
        return Err(SiteError::RefMismatch {
            id: marker.id.clone(),
            contig: marker.chrom.clone(),
            pos: marker.pos.one_based(),
            expected: marker.ref_allele.clone(),
            found: String::from_utf8_lossy(found).into_owned(),
        });
    }
    Ok(())
}

impl Site {
    /// Resolves `marker`; with `contig_seq` (the marker's contig from the
    /// reference) the REF allele is checked and the slide range of indels in
    /// repeats computed.
    pub fn resolve(marker: &Marker, contig_seq: Option<&[u8]>) -> Result<Site, SiteError> {
        for allele in [&marker.ref_allele, &marker.alt_allele] {
            if !is_acgt(allele) {
                return Err(SiteError::BadAllele {
                    id: marker.id.clone(),
                    allele: allele.clone(),
                });
            }
        }
        let r = marker.ref_allele.to_ascii_uppercase().into_bytes();
        let a = marker.alt_allele.to_ascii_uppercase().into_bytes();
        if let Some(seq) = contig_seq {
            check_ref_allele(marker, &r, seq)?;
        }
        let unsupported = || SiteError::Unsupported {
            id: marker.id.clone(),
            ref_allele: marker.ref_allele.clone(),
            alt_allele: marker.alt_allele.clone(),
        };
        let anchor = marker.pos;
        if r.len() == a.len() {
            if r.len() != 1 || r == a {
                return Err(unsupported());
            }
            Ok(Site {
                anchor,
                last: anchor,
                kind: SiteKind::Snv {
                    ref_base: r[0],
                    alt_base: a[0],
                },
            })
        } else if r.len() > a.len() {
            if !r.starts_with(&a) {
                return Err(unsupported());
            }
            Site::deletion(marker, r.len() - a.len(), a.len(), contig_seq)
        } else {
            if !a.starts_with(&r) {
                return Err(unsupported());
            }
            Site::insertion(marker, a[r.len()..].to_vec(), r.len(), contig_seq)
        }
    }

    /// A deletion of `len` bases after the `kept` bases the REF and ALT
    /// alleles share, with how far it slides right in a repeat.
    fn deletion(
        marker: &Marker,
        len: usize,
        kept: usize,
        contig_seq: Option<&[u8]>,
    ) -> Result<Site, SiteError> {
        let anchor = marker.pos;
        let first = offset(anchor, kept as u64, marker)?;
        let f = first.zero_based() as usize;
        let len = len as u32;
        let mut shift = 0u32;
        if let Some(seq) = contig_seq {
            let l = len as usize;
            while f + shift as usize + l < seq.len()
                && seq[f + shift as usize + l] == seq[f + shift as usize]
            {
                shift += 1;
            }
        }
        Ok(Site {
            anchor,
            last: offset(first, u64::from(len) + u64::from(shift), marker)?,
            kind: SiteKind::Deletion { first, len, shift },
        })
    }

    /// An insertion of `ins` after the `ref_len` bases of the REF allele,
    /// with how far it slides right in a repeat.
    fn insertion(
        marker: &Marker,
        ins: Vec<u8>,
        ref_len: usize,
        contig_seq: Option<&[u8]>,
    ) -> Result<Site, SiteError> {
        let anchor = marker.pos;
        let after = offset(anchor, ref_len as u64 - 1, marker)?;
        let mut shift = 0u32;
        if let Some(seq) = contig_seq {
            let start = after.zero_based() as usize + 1;
            while start + (shift as usize) < seq.len()
                && seq[start + shift as usize] == ins[shift as usize % ins.len()]
            {
                shift += 1;
            }
        }
        Ok(Site {
            anchor,
            last: offset(after, 1 + u64::from(shift), marker)?,
            kind: SiteKind::Insertion {
                after,
                seq: ins,
                shift,
            },
        })
    }

    /// True when a read deletion of `len` bases starting at 0-based
    /// (read-walk) coordinate `first0` is this marker's deletion (at any
    /// equivalent placement).
    pub fn matches_deletion(&self, first0: u64, len: u32) -> bool {
        match &self.kind {
            SiteKind::Deletion {
                first,
                len: l,
                shift,
            } => {
                let f = first.zero_based();
                len == *l && first0 >= f && first0 <= f + u64::from(*shift)
            }
            _ => false,
        }
    }

    /// True when a read insertion of `ins` after 0-based (read-walk)
    /// coordinate `after0` is this marker's insertion (at any equivalent
    /// placement, rotated).
    pub fn matches_insertion(&self, after0: u64, ins: &[u8]) -> bool {
        match &self.kind {
            SiteKind::Insertion { after, seq, shift } => {
                let a = after.zero_based();
                if ins.len() != seq.len() || after0 < a || after0 > a + u64::from(*shift) {
                    return false;
                }
                let j = ((after0 - a) as usize) % seq.len();
                let rotated = seq[j..].iter().chain(seq[..j].iter());
                ins.iter()
                    .zip(rotated)
                    .all(|(x, y)| x.to_ascii_uppercase() == *y)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pos: u64, r: &str, a: &str) -> Marker {
        Marker {
            id: "m".into(),
            chrom: "c".into(),
            pos: GenomicPosition::from_one_based(pos).expect("test positions are 1-based"),
            ref_allele: r.into(),
            alt_allele: a.into(),
        }
    }

    #[test]
    fn the_ref_allele_may_end_at_the_contig_end_but_not_past_it() {
        let seq = b"ACGTACGT";
        assert!(check_ref_allele(&m(7, "GT", "G"), b"GT", seq).is_ok());
        let e = check_ref_allele(&m(8, "TA", "T"), b"TA", seq).unwrap_err();
        assert!(matches!(e, SiteError::OutOfContig { len: 8, .. }), "{e}");
        let e = check_ref_allele(&m(9, "A", "C"), b"A", seq).unwrap_err();
        assert!(matches!(e, SiteError::OutOfContig { pos: 9, .. }), "{e}");
    }

    #[test]
    fn snv_resolves_and_checks_reference() {
        let seq = b"ACGTACGT";
        let s = Site::resolve(&m(3, "G", "T"), Some(seq)).unwrap();
        assert_eq!(s.anchor.zero_based(), 2);
        assert_eq!(s.last, s.anchor);
        let e = Site::resolve(&m(3, "A", "T"), Some(seq)).unwrap_err();
        assert!(matches!(e, SiteError::RefMismatch { .. }), "{e}");
    }

    #[test]
    fn deletion_in_homopolymer_slides_right() {
        // ref: C A A A A G ; delete one A after anchor C at pos 1
        let seq = b"CAAAAG";
        let s = Site::resolve(&m(1, "CA", "C"), Some(seq)).unwrap();
        assert_eq!(
            s.kind,
            SiteKind::Deletion {
                first: GenomicPosition::from_one_based(2).unwrap(),
                len: 1,
                shift: 3
            }
        );
        assert!(s.matches_deletion(1, 1));
        assert!(s.matches_deletion(4, 1));
        assert!(!s.matches_deletion(5, 1));
        assert!(!s.matches_deletion(1, 2));
        assert_eq!(s.last.zero_based(), 5);
        // Without reference: exact anchor only.
        let s = Site::resolve(&m(1, "CA", "C"), None).unwrap();
        assert!(s.matches_deletion(1, 1));
        assert!(!s.matches_deletion(2, 1));
    }

    #[test]
    fn insertion_in_dinucleotide_repeat_rotates() {
        // ref: G A C A C T ; insert AC after G (pos 1)
        let seq = b"GACACT";
        let s = Site::resolve(&m(1, "G", "GAC"), Some(seq)).unwrap();
        assert_eq!(
            s.kind,
            SiteKind::Insertion {
                after: GenomicPosition::MIN,
                seq: b"AC".to_vec(),
                shift: 4
            }
        );
        assert!(s.matches_insertion(0, b"AC"));
        assert!(s.matches_insertion(1, b"CA"));
        assert!(!s.matches_insertion(1, b"AC"));
        assert!(s.matches_insertion(2, b"AC"));
        assert!(!s.matches_insertion(5, b"AC"));
    }

    #[test]
    fn rejects_mnp_complex_and_bad_alleles() {
        assert!(matches!(
            Site::resolve(&m(1, "AC", "GT"), None),
            Err(SiteError::Unsupported { .. })
        ));
        assert!(matches!(
            Site::resolve(&m(1, "AC", "T"), None),
            Err(SiteError::Unsupported { .. })
        ));
        assert!(matches!(
            Site::resolve(&m(1, "A", "<DEL>"), None),
            Err(SiteError::BadAllele { .. })
        ));
        assert!(matches!(
            Site::resolve(&m(8, "TA", "T"), Some(b"ACGTACGT")),
            Err(SiteError::OutOfContig { .. })
        ));
    }
}
