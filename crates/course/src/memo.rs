//! Conversions remembered by their text: a course file spells its dates,
//! observation kinds and units a few hundred distinct ways across a
//! million rows, and converting the same text again gives the same value.

/// A small table of texts (up to `N` bytes) and their converted values:
/// `W` slots, a text's home slot picked by its length and its first, middle
/// and last bytes, and the [`PROBES`] slots from there searched in turn (a
/// course's 30 or so kinds collide in a direct-mapped table of 32, and
/// missed half the time: issue 11). Only a conversion that is a function of
/// the text alone may be remembered (then a text found here gives exactly
/// what converting it gives); a failed conversion is never remembered.
pub(crate) struct Seen<T, const N: usize, const W: usize> {
    slots: [([u8; N], usize, Option<T>); W],
}

impl<T: Copy, const N: usize, const W: usize> Default for Seen<T, N, W> {
    fn default() -> Self {
        Seen {
            slots: [([0; N], 0, None); W],
        }
    }
}

impl<T: Copy, const N: usize, const W: usize> Seen<T, N, W> {
    /// The home slot of a text of 1 to `N` bytes.
    fn slot(b: &[u8]) -> usize {
        let (first, middle, last) = (b[0], b[b.len() / 2], b[b.len() - 1]);
        (b.len() * 7 + usize::from(first) * 3 + usize::from(middle) * 5 + usize::from(last)) % W
    }

    /// The value remembered for exactly this text.
    #[inline]
    pub(crate) fn get(&self, text: &str) -> Option<T> {
        let b = text.as_bytes();
        if b.is_empty() || b.len() > N {
            return None;
        }
        let home = Self::slot(b);
        for k in 0..PROBES {
            let (key, len, value) = &self.slots[(home + k) % W];
            match value {
                Some(v) if *len == b.len() && same_bytes(&key[..b.len()], b) => return Some(*v),
                Some(_) => {}
                None => return None,
            }
        }
        None
    }

    /// Remembers `value` for `text` in the first free slot of its probes,
    /// or in its home slot when they are all taken (a text longer than `N`
    /// bytes is not remembered).
    pub(crate) fn put(&mut self, text: &str, value: T) {
        let b = text.as_bytes();
        if b.is_empty() || b.len() > N {
            return;
        }
        let home = Self::slot(b);
        let at = (0..PROBES)
            .map(|k| (home + k) % W)
            .find(|&i| self.slots[i].2.is_none())
            .unwrap_or(home);
        let (key, len, slot) = &mut self.slots[at];
        key[..b.len()].copy_from_slice(b);
        *len = b.len();
        *slot = Some(value);
    }
}

/// Slots searched from a text's home slot.
const PROBES: usize = 4;

/// `a == b` for two slices of the same length, without a `memcmp` call for
/// the short texts a course repeats on every row (dates, kinds, units, ids):
/// 4 to 16 bytes are compared as two overlapping words from each end, which
/// together cover every byte.
#[inline(always)]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len();
    let word8 =
        |x: &[u8], at: usize| u64::from_le_bytes(x[at..at + 8].try_into().unwrap_or([0; 8]));
    let word4 =
        |x: &[u8], at: usize| u32::from_le_bytes(x[at..at + 4].try_into().unwrap_or([0; 4]));
    match n {
        8..=16 => word8(a, 0) == word8(b, 0) && word8(a, n - 8) == word8(b, n - 8),
        4..=7 => word4(a, 0) == word4(b, 0) && word4(a, n - 4) == word4(b, n - 4),
        _ => a == b,
    }
}

/// The remembered conversions of one reader.
#[derive(Default)]
pub(crate) struct Memo {
    /// Dates (`YYYY-MM-DD`).
    pub(crate) dates: Seen<graftwatch_core::Date, 10, 4>,
    /// Observation kinds.
    pub(crate) kinds: Seen<crate::observation::ObservationKind, 32, 128>,
    /// Units.
    pub(crate) units: Seen<graftwatch_core::Unit, 16, 32>,
}

#[cfg(test)]
mod tests {
    use super::{Seen, same_bytes};

    #[test]
    fn same_bytes_is_slice_equality() {
        let base: Vec<u8> = (0..24u8).map(|i| b'a' + i).collect();
        for n in 0..=24 {
            let a = &base[..n];
            assert!(same_bytes(a, a));
            for k in 0..n {
                let mut b = a.to_vec();
                b[k] ^= 0x20;
                assert!(!same_bytes(a, &b), "length {n}, byte {k}");
            }
        }
    }

    #[test]
    fn a_text_gives_back_only_its_own_value() {
        let mut s: Seen<u32, 4, 2> = Seen::default();
        assert_eq!(s.get("ab"), None);
        s.put("ab", 1);
        assert_eq!(s.get("ab"), Some(1));
        assert_eq!(s.get("a"), None);
        assert_eq!(s.get("abc"), None);
        assert_eq!(s.get(""), None);
        // Too long to remember.
        s.put("abcde", 9);
        assert_eq!(s.get("abcde"), None);
        // Texts sharing a slot replace each other.
        let texts = ["x", "y", "z", "xy", "yx", "zz", "abcd", "dcba"];
        for (i, t) in texts.iter().enumerate() {
            s.put(t, i as u32);
            assert_eq!(s.get(t), Some(i as u32), "{t}");
        }
        for (i, t) in texts.iter().enumerate() {
            assert!(s.get(t).is_none_or(|v| v == i as u32), "{t}");
        }
    }

    #[test]
    fn a_course_s_kinds_all_stay_remembered() {
        // The seed case's 30 observation kinds in the table `Memo` uses.
        let kinds = "anc wbc platelets hemoglobin alc bilirubin alt ast creatinine crp \
            chimerism pb_blasts upper_gi_persistent weight stool_volume stool_episodes \
            skin_rash_bsa marrow_blasts marrow_cellularity temperature ice_score \
            consciousness seizure motor_weakness mrd_flow extramedullary_disease \
            systolic_bp diastolic_bp infection_status ferritin";
        let mut s: Seen<usize, 32, 128> = Seen::default();
        for (i, k) in kinds.split_whitespace().enumerate() {
            s.put(k, i);
        }
        for (i, k) in kinds.split_whitespace().enumerate() {
            assert_eq!(s.get(k), Some(i), "{k}");
        }
        // A text never put is not found, even with every probe taken.
        assert_eq!(s.get("cd34_count"), None);
    }
}
