//! Numbers as people read them in reasons and evidence: at most three
//! decimals, trailing zeros removed (`2.002`, not `2.002262443438914`;
//! `20`, not `20.000`), very large or very small values in exponent form.

/// A p-value as it is written: two significant digits as a decimal from
/// 0.001 up (`p = 0.018`), `p = 1.35e-82` below, and `p < 1e-300` when it is
/// below what a double holds meaningfully (0 included): "p = 0.00e0" reads
/// as certainty, which no test gives.
pub fn p_value(p: f64) -> String {
    if p < 1e-300 {
        "p < 1e-300".into()
    } else if p >= 1e-3 {
        format!("p = {}", p_decimal(p))
    } else {
        format!("p = {p:.2e}")
    }
}

/// A p-value of 0.001 or more with two significant digits as a decimal:
/// 0.30, 0.018, 0.0012.
fn p_decimal(p: f64) -> String {
    let decimals = (1 - p.log10().floor() as i32).clamp(2, 4) as usize;
    format!("{p:.decimals$}")
}

/// A p-value in a table cell (TSV/CSV): the decimal of [`p_value`] from
/// 0.001 up, `<0.001` below (no exponent, and no "0", which no test gives;
/// written without a space as the `<LoD` cells are).
pub fn p_cell(p: f64) -> String {
    if p >= 1e-3 {
        p_decimal(p)
    } else {
        "<0.001".into()
    }
}

/// A number with at most 3 decimals, trailing zeros removed; exponent form
/// (2 decimals) at or above 10⁵ and below 10⁻³.
pub fn short(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e5 || x.abs() < 1e-3) {
        return format!("{x:.2e}");
    }
    let s = format!("{x:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// A count with its noun in the right number: `counted(1, "day")` is
/// "1 day", `counted(31, "day")` "31 days". Nouns whose plural is not the
/// singular + "s" go through [`counted_as`].
pub fn counted<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str) -> String {
    if n == N::from(1) {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// A count with an explicit plural: `counted_as(2, "relapse", "relapses")`.
pub fn counted_as<N: std::fmt::Display + PartialEq + From<u8>>(
    n: N,
    one: &str,
    many: &str,
) -> String {
    let word = if n == N::from(1) { one } else { many };
    format!("{n} {word}")
}

/// A cell dose such as `2.1 × 10⁷` (three significant digits at most,
/// trailing zeros dropped). Zero prints as `0`; non-finite values as `–`.
pub fn sci(value: f64) -> String {
    if !value.is_finite() {
        return "–".into();
    }
    if value == 0.0 {
        return "0".into();
    }
    let mut exp = value.abs().log10().floor() as i32;
    let mut mant = value / 10f64.powi(exp);
    // Rounding can carry into the next power (9.999 → 10.0).
    if (mant.abs() * 100.0).round() / 100.0 >= 10.0 {
        exp += 1;
        mant /= 10.0;
    }
    let m = trim_zeros(&format!("{mant:.2}"));
    if exp == 0 {
        return m;
    }
    format!("{m} × 10{}", superscript(exp))
}

/// Drops trailing zeros of a decimal (`0.50` → `0.5`, `2.00` → `2`).
pub fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// Superscript digits of an integer (`-5` → `⁻⁵`).
pub fn superscript(n: i32) -> String {
    n.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            '9' => '⁹',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_p_value_cell_is_a_decimal_or_below_a_thousandth() {
        assert_eq!(super::p_cell(0.2959), "0.30");
        assert_eq!(super::p_cell(0.01843), "0.018");
        assert_eq!(super::p_cell(0.001), "0.0010");
        assert_eq!(super::p_cell(0.0), "<0.001");
        assert_eq!(super::p_cell(4e-7), "<0.001");
    }

    #[test]
    fn counts_read_singular_and_plural() {
        assert_eq!(super::counted(1, "day"), "1 day");
        assert_eq!(super::counted(0, "day"), "0 days");
        assert_eq!(super::counted(31, "day"), "31 days");
        assert_eq!(
            super::counted_as(2, "remission", "remissions"),
            "2 remissions"
        );
        assert_eq!(
            super::counted_as(1, "remission", "remissions"),
            "1 remission"
        );
    }

    #[test]
    fn p_values_never_read_as_zero() {
        assert_eq!(p_value(0.0), "p < 1e-300");
        assert_eq!(p_value(1e-301), "p < 1e-300");
        assert_eq!(p_value(1.346e-82), "p = 1.35e-82");
        assert_eq!(p_value(0.5), "p = 0.50");
        assert_eq!(p_value(0.296), "p = 0.30");
        assert_eq!(p_value(0.0184), "p = 0.018");
        assert_eq!(p_value(0.00123), "p = 0.0012");
        assert_eq!(p_value(1.0), "p = 1.00");
        assert_eq!(p_value(0.000_999), "p = 9.99e-4");
    }

    use super::{p_value, short};

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.3), "0.3");
        assert_eq!(short(20.0), "20");
        assert_eq!(short(8.125), "8.125");
        assert_eq!(short(2.002262443438914), "2.002");
        assert_eq!(short(2.6e7), "2.60e7");
        assert_eq!(short(0.0), "0");
        assert_eq!(short(-0.0001), "-1.00e-4");
    }
}
