//! Look-up tables keyed by short names (units, observation kinds): a hash
//! map with the FNV-1a hash, which for keys of a few bytes costs a fraction
//! of the default SipHash — these tables are consulted for nearly every
//! observation of a course file. The keys are the program's own spellings,
//! not attacker-chosen, so SipHash's protection against collision floods is
//! not needed here.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a, 64 bit.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv1a {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A map from names to values hashed with [`Fnv1a`].
pub type NameMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv1a>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_reference_values_and_lookups() {
        // Published FNV-1a 64 test vectors.
        let h = |s: &str| {
            let mut f = Fnv1a::default();
            f.write(s.as_bytes());
            f.finish()
        };
        assert_eq!(h(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(h("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(h("foobar"), 0x8594_4171_f739_67e8);
        let mut m: NameMap<&str, u8> = NameMap::default();
        m.insert("anc", 1);
        m.insert("platelets", 2);
        assert_eq!(m.get("anc"), Some(&1));
        assert_eq!(m.get("plt"), None);
    }
}
