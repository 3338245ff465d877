//! Settings file (`graftwatch.toml`) parser on arbitrary text: an error or
//! a config, never a panic, hang or unbounded allocation. A config that
//! parses must also print back to TOML that parses to the same settings.
#![no_main]
use graftwatch_config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(c) = Config::from_toml_str(text, "fuzz.toml") else {
        return;
    };
    let printed = c.to_toml_string();
    let again = Config::from_toml_str(&printed, "printed.toml");
    assert!(again.is_ok(), "printed config does not parse: {again:?}\n{printed}");
});
