//! Decimal numbers to `f64` without the general parser where the answer is
//! exact: Clinger's fast path, shared by the JSON scanner and the CSV
//! reader (issue 11: `str::parse::<f64>` was 5 % of reading a large CSV
//! course).
//!
//! A decimal whose digits, read as one integer `m`, make at most 19 digits
//! and `m ≤ 2^53`, with `k ≤ 22` digits after the point, is `m / 10^k` with
//! both operands exact `f64`s; IEEE division rounds once, correctly, so
//! the result is the nearest `f64` to the decimal — what `str::parse`
//! (correctly rounded) gives. Anything else is left to the general parser.

/// The digits of a number read so far, as an integer (exact while there
/// are at most 19 of them).
#[derive(Default)]
pub(crate) struct Mantissa {
    /// The value of the first 19 digits.
    pub(crate) value: u64,
    /// How many digits were read (also past 19).
    pub(crate) digits: usize,
}

impl Mantissa {
    /// Adds one digit `0..=9`.
    #[inline]
    pub(crate) fn push(&mut self, d: u8) {
        if self.digits < 19 {
            self.value = self.value * 10 + u64::from(d);
        }
        self.digits += 1;
    }

    /// `±value / 10^after_point` when that is exact (see the module doc).
    #[inline]
    pub(crate) fn exact(&self, after_point: usize, negative: bool) -> Option<f64> {
        if self.digits > 19 || self.value > 1 << 53 || after_point >= POW10.len() {
            return None;
        }
        let v = self.value as f64 / POW10[after_point];
        Some(if negative { -v } else { v })
    }
}

/// 10^0 … 10^22: the powers of ten an `f64` holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A plain decimal `-?D+(.D+)?` as its exact `f64`; `None` for any other
/// form (sign `+`, exponent, `.5`, `5.`, too many digits …), which the
/// caller parses with `str::parse`.
pub(crate) fn plain(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let (negative, b) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    let mut m = Mantissa::default();
    let mut i = 0;
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        m.push(c - b'0');
        i += 1;
    }
    if i == 0 {
        return None;
    }
    let mut after_point = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let from = i;
        while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
            m.push(c - b'0');
            i += 1;
        }
        after_point = i - from;
        if after_point == 0 {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    m.exact(after_point, negative)
}

#[cfg(test)]
mod tests {
    use super::plain;

    /// Whatever `plain` answers is what `str::parse` answers, bit for bit.
    fn agrees(s: &str) -> bool {
        match plain(s) {
            Some(v) => {
                let p: f64 = s.parse().expect("a plain decimal parses");
                assert_eq!(v.to_bits(), p.to_bits(), "{s}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn plain_decimals_are_exact_and_the_rest_is_left_to_the_parser() {
        for s in [
            "0",
            "-0",
            "7",
            "0.9",
            "18.4",
            "-2.5",
            "100",
            "0.1",
            "0.3000000000000001",
            "9007199254740992",
            "1234567.89012345",
            "0.000000000000000001",
        ] {
            assert!(agrees(s), "{s} not taken");
        }
        for s in [
            "",
            "-",
            "+1",
            "1e5",
            "1E5",
            ".5",
            "5.",
            "1.2.3",
            "1,5",
            " 1",
            "1 ",
            "0x10",
            "inf",
            "NaN",
            "9007199254740993",
            "0.30000000000000004",
            "123456789.0123456789",
            "12345678901234567890",
            "0.00000000000000000000001",
            "1-",
            "--1",
        ] {
            assert!(!agrees(s), "{s} taken");
        }
        // Random decimals of every length the fast path takes.
        let mut rng = graftwatch_core::SeededRng::new(0x2545_f491_4f6c_dd1d);
        let mut taken = 0;
        for _ in 0..20_000 {
            let bits = rng.below(54);
            let int = rng.below(1 << bits).to_string();
            let n = rng.below(24);
            let frac: String = (0..n)
                .map(|_| char::from(b'0' + rng.below(10) as u8))
                .collect();
            let s = if frac.is_empty() {
                int
            } else {
                format!("{int}.{frac}")
            };
            taken += usize::from(agrees(&s));
        }
        assert!(taken > 5_000, "{taken}");
    }
}
