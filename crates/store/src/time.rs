//! UTC timestamps as ISO 8601 text (`2026-12-03T07:45:12.123456Z`): stored
//! as text on both backends so they sort and compare the same.

use std::time::{SystemTime, UNIX_EPOCH};

use graftwatch_core::Date;

/// Now, UTC, microsecond precision.
pub fn now_utc() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_utc(d.as_secs() as i64, d.subsec_micros())
}

/// Now, whole seconds since the Unix epoch.
pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs() as i64
}

/// Today's UTC date as `YYYY-MM-DD`.
pub fn today_utc() -> String {
    now_utc()[..10].to_string()
}

/// Formats seconds since the Unix epoch (UTC) plus microseconds.
pub fn format_utc(secs: i64, micros: u32) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = Date::from_days_since_epoch(days as i32).ymd();
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// A stored UTC time to the minute, as people read it:
/// "2026-12-05 11:22 UTC".
pub fn minute(at: &str) -> String {
    match at.get(..16) {
        Some(m) if at.len() > 16 => format!("{} UTC", m.replacen('T', " ", 1)),
        _ => at.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_utc(951_782_400 + 86_399, 7),
            "2000-02-29T23:59:59.000007Z"
        );
        assert_eq!(now_utc().len(), 27);
    }
}
