//! 2-bit k-mer encoding (k ≤ 31, odd so that no k-mer is its own reverse
//! complement) and a fixed-size open-addressing hash from canonical k-mers to
//! posting lists.

/// 2-bit code of a base (`A`=0, `C`=1, `G`=2, `T`=3), `None` for anything
/// else (N and IUPAC codes break k-mers).
#[inline]
pub fn encode_base(b: u8) -> Option<u64> {
    let c = CODE[b as usize];
    (c < 4).then_some(c as u64)
}

/// Byte → 2-bit code, 4 = not A/C/G/T.
const CODE: [u8; 256] = {
    let mut t = [4u8; 256];
    t[b'A' as usize] = 0;
    t[b'a' as usize] = 0;
    t[b'C' as usize] = 1;
    t[b'c' as usize] = 1;
    t[b'G' as usize] = 2;
    t[b'g' as usize] = 2;
    t[b'T' as usize] = 3;
    t[b't' as usize] = 3;
    t
};

/// Watson–Crick complement of an upper-case base (`A`↔`T`, `C`↔`G`); `N`
/// for anything else.
#[inline]
pub fn complement(b: u8) -> u8 {
    match b {
        b'A' => b'T',
        b'C' => b'G',
        b'G' => b'C',
        b'T' => b'A',
        _ => b'N',
    }
}

/// Reverse complement of an upper-case sequence (each base as [`complement`]).
pub fn reverse_complement(seq: &[u8]) -> Vec<u8> {
    seq.iter().rev().map(|&b| complement(b)).collect()
}

/// Rolling forward and reverse-complement k-mer codes over a sequence.
#[derive(Debug, Clone)]
pub struct KmerRoller {
    k: usize,
    mask: u64,
    shift: u32,
    fwd: u64,
    rev: u64,
    valid: usize,
}

impl KmerRoller {
    /// A roller for k-mers of length `k` (1..=31).
    pub fn new(k: usize) -> Self {
        assert!((1..=31).contains(&k), "k must be in 1..=31");
        KmerRoller {
            k,
            mask: (1u64 << (2 * k)) - 1,
            shift: 2 * (k as u32 - 1),
            fwd: 0,
            rev: 0,
            valid: 0,
        }
    }

    /// Forgets the current window (start of a new sequence).
    pub fn reset(&mut self) {
        self.fwd = 0;
        self.rev = 0;
        self.valid = 0;
    }

    /// Pushes one base; returns `(forward, reverse-complement)` codes once
    /// `k` valid bases have been seen since the last reset or non-ACGT base.
    #[inline]
    pub fn push(&mut self, b: u8) -> Option<(u64, u64)> {
        match encode_base(b) {
            Some(c) => {
                self.fwd = ((self.fwd << 2) | c) & self.mask;
                self.rev = (self.rev >> 2) | ((3 - c) << self.shift);
                self.valid += 1;
                (self.valid >= self.k).then_some((self.fwd, self.rev))
            }
            None => {
                self.valid = 0;
                None
            }
        }
    }
}

/// Mixes a k-mer code into a table slot (splitmix64 finaliser).
#[inline]
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Immutable hash from canonical k-mer codes to a range of postings of type
/// `P`. Built once from `(code, posting)` pairs; lookups are one or a few
/// probes in a power-of-two table at ≤ 50% load.
#[derive(Debug, Clone)]
pub struct KmerTable<P> {
    /// (code, first posting, posting count) per slot, in one array so that a
    /// lookup touches one cache line.
    slots: Vec<(u64, u32, u32)>,
    postings: Vec<P>,
    mask: usize,
}

const EMPTY: u64 = u64::MAX;

impl<P: Clone> KmerTable<P> {
    /// Builds the table; postings of equal codes are kept together in input
    /// order.
    pub fn build(mut entries: Vec<(u64, P)>) -> Self {
        entries.sort_by_key(|e| e.0);
        let distinct = entries.windows(2).filter(|w| w[0].0 != w[1].0).count() + 1;
        let size = (distinct.max(1) * 2).next_power_of_two();
        let mut slots = vec![(EMPTY, 0u32, 0u32); size];
        let mut postings = Vec::with_capacity(entries.len());
        let mut i = 0;
        while i < entries.len() {
            let code = entries[i].0;
            let start = postings.len() as u32;
            while i < entries.len() && entries[i].0 == code {
                postings.push(entries[i].1.clone());
                i += 1;
            }
            let mut slot = mix(code) as usize & (size - 1);
            while slots[slot].0 != EMPTY {
                slot = (slot + 1) & (size - 1);
            }
            slots[slot] = (code, start, postings.len() as u32 - start);
        }
        KmerTable {
            slots,
            postings,
            mask: size - 1,
        }
    }

    /// Postings of a canonical code (empty slice when absent).
    #[inline]
    pub fn get(&self, code: u64) -> &[P] {
        let mut slot = mix(code) as usize & self.mask;
        loop {
            let (k, s, n) = self.slots[slot];
            if k == code {
                return &self.postings[s as usize..(s + n) as usize];
            }
            if k == EMPTY {
                return &[];
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// Looks up `codes` in order and calls `f(i, postings of codes[i])` for
    /// each (an empty slice when absent). Same answers as [`Self::get`] code
    /// by code, but the home slots of a group of codes are all loaded before
    /// any is examined, so that their cache misses overlap instead of
    /// following one another.
    #[inline]
    pub fn for_each_get(&self, codes: &[u64], mut f: impl FnMut(usize, &[P])) {
        const GROUP: usize = 16;
        for (g, group) in codes.chunks(GROUP).enumerate() {
            let mut first = [(EMPTY, 0u32, 0u32); GROUP];
            for (j, &code) in group.iter().enumerate() {
                first[j] = self.slots[mix(code) as usize & self.mask];
            }
            for (j, &code) in group.iter().enumerate() {
                let (key, s, n) = first[j];
                let postings = if key == code {
                    &self.postings[s as usize..(s + n) as usize]
                } else if key == EMPTY {
                    &[]
                } else {
                    self.get(code)
                };
                f(g * GROUP + j, postings);
            }
        }
    }

    /// Number of distinct k-mers.
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.0 != EMPTY).count()
    }

    /// True when no k-mer is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_codes_match_reverse_complement() {
        let s = b"ACGTTGCAAGGCTTAC";
        let k = 5;
        let mut r = KmerRoller::new(k);
        let codes: Vec<(u64, u64)> = s.iter().filter_map(|&b| r.push(b)).collect();
        assert_eq!(codes.len(), s.len() - k + 1);
        let rc = reverse_complement(s);
        let mut r2 = KmerRoller::new(k);
        let rc_codes: Vec<(u64, u64)> = rc.iter().filter_map(|&b| r2.push(b)).collect();
        for (i, (f, rv)) in codes.iter().enumerate() {
            let (f2, rv2) = rc_codes[rc_codes.len() - 1 - i];
            assert_eq!(*f, rv2);
            assert_eq!(*rv, f2);
        }
    }

    #[test]
    fn n_breaks_kmers() {
        let mut r = KmerRoller::new(3);
        let n = b"ACGNACG".iter().filter_map(|&b| r.push(b)).count();
        assert_eq!(n, 2);
    }

    #[test]
    fn table_finds_all_postings_and_misses_absent_codes() {
        let entries: Vec<(u64, u32)> = (0..1000u64)
            .flat_map(|c| [(c * 7, c as u32), (c * 7, 9999)])
            .collect();
        let t = KmerTable::build(entries);
        assert_eq!(t.len(), 1000);
        for c in 0..1000u64 {
            assert_eq!(t.get(c * 7), &[c as u32, 9999]);
            assert!(t.get(c * 7 + 1).is_empty());
        }
    }

    #[test]
    fn batched_lookup_gives_the_same_answers_in_order() {
        // Dense codes force collisions and probe chains.
        let entries: Vec<(u64, u32)> = (0..3000u64).map(|c| (c * 3, c as u32)).collect();
        let t = KmerTable::build(entries);
        let codes: Vec<u64> = (0..9100u64).collect();
        let mut seen = Vec::new();
        t.for_each_get(&codes, |i, p| seen.push((i, p.to_vec())));
        assert_eq!(seen.len(), codes.len());
        for (i, p) in seen {
            assert_eq!(p, t.get(codes[i]), "code {}", codes[i]);
            if codes[i].is_multiple_of(3) && codes[i] < 9000 {
                assert_eq!(p, vec![(codes[i] / 3) as u32]);
            } else {
                assert!(p.is_empty());
            }
        }
    }
}
