//! Containing panics of a third-party decoder on corrupt input.
//!
//! noodles' CRAM codecs (rANS, arithmetic coder, fqzcomp, name tokeniser)
//! index their tables with values taken from the file and panic on a
//! corrupt stream (found by the `cram_count` fuzz target, 2026-12-04:
//! `rans_nx16/decode/bit_pack.rs`, an index out of bounds). graftwatch cannot
//! check every codec's internal state before decoding, so calls into the
//! CRAM decoder run under `guard`: a panic there becomes an input error
//! naming the file and region (exit 2), not an internal error. The binary's
//! panic hook stays silent while [`is_guarded`] is true, so nothing but that
//! error is printed. Panics anywhere else are still internal errors.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is inside a guarded decoder call (a panic
/// hook should then print nothing: the panic is reported as an input error).
pub fn is_guarded() -> bool {
    GUARDED.with(Cell::get)
}

/// Runs `f`; a panic inside it is returned as its message.
pub(crate) fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let was = GUARDED.with(|g| g.replace(true));
    let r = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    r.map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_returned_and_the_flag_is_reset() {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r: Result<(), String> = guard(|| {
            assert!(is_guarded());
            panic!("index out of bounds")
        });
        std::panic::set_hook(hook);
        assert_eq!(r.unwrap_err(), "index out of bounds");
        assert!(!is_guarded());
        assert_eq!(guard(|| 7), Ok(7));
    }
}
