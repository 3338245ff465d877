//! Ranged numeric options: a value outside the range is refused by the
//! argument parser (exit 2) with the range in words, instead of reaching
//! the engines and producing nonsense (a 0 RFU threshold gives "LoD 0.0 %",
//! one bootstrap replicate an interval that misses its own estimate).

/// A number `lo ≤ x ≤ hi` (`lo_open`: `lo < x`), described as `what`.
fn ranged(s: &str, lo: f64, lo_open: bool, hi: f64, what: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number; expected {what}"))?;
    let above = if lo_open { v > lo } else { v >= lo };
    if !(v.is_finite() && above && v <= hi) {
        // As written: `{v}` of 1e300 is a 301-digit number.
        return Err(format!("'{}' is out of range; expected {what}", s.trim()));
    }
    Ok(v)
}

/// A peak height threshold in RFU: above 0, at most 100,000.
pub fn rfu(s: &str) -> Result<f64, String> {
    ranged(s, 0.0, true, 100_000.0, "a height in RFU above 0")
}

/// A fraction of the locus maximum: 0.05 to 1.
pub fn relative(s: &str) -> Result<f64, String> {
    ranged(
        s,
        0.05,
        false,
        1.0,
        "a fraction of the locus maximum from 0.05 to 1",
    )
}

/// Bootstrap replicates: 10 to 100,000.
pub fn replicates(s: &str) -> Result<usize, String> {
    ranged(
        s,
        10.0,
        false,
        100_000.0,
        "10 to 100000 replicates (500 by default)",
    )
    .and_then(whole)
}

/// A count of at least 1 (reads, markers).
pub fn at_least_one(s: &str) -> Result<usize, String> {
    ranged(s, 1.0, false, 1e9, "a whole number of at least 1").and_then(whole)
}

fn whole(v: f64) -> Result<usize, String> {
    if v.fract() == 0.0 {
        Ok(v as usize)
    } else {
        Err(format!("{v} is not a whole number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_of_each_range() {
        assert!(rfu("0").is_err() && rfu("0.1").is_ok() && rfu("-5").is_err());
        assert!(relative("0.04").is_err() && relative("0.05").is_ok() && relative("1.01").is_err());
        assert!(replicates("9").is_err() && replicates("10").is_ok() && replicates("1.5").is_err());
        assert!(at_least_one("0").is_err() && at_least_one("1").is_ok());
        assert!(rfu("abc").unwrap_err().contains("'abc' is not a number"));
        assert_eq!(
            rfu("1e300").unwrap_err(),
            "'1e300' is out of range; expected a height in RFU above 0"
        );
    }
}
