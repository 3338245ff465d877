//! An operating-system error in a person's words: the one wording every
//! reader uses (course files, lab files). Pure formatting, no I/O.

/// An operating-system error as a person reads it: "No such file or
/// directory", without the OS's " (os error 2)".
pub fn io_words(e: &std::io::Error) -> String {
    let text = e.to_string();
    if e.kind() == std::io::ErrorKind::InvalidData && text.contains("UTF-8") {
        // std's "stream did not contain valid UTF-8", in the user's words,
        // with the line a reader that counts lines added as "(line N)".
        let line = text
            .rsplit_once("(line ")
            .and_then(|(_, rest)| rest.strip_suffix(')'))
            .filter(|n| n.parse::<u64>().is_ok());
        let words = "not UTF-8 text: save it as UTF-8 (a UTF-16 export, or not a text file?)";
        return match line {
            Some(n) => format!("line {n}: {words}"),
            None => words.into(),
        };
    }
    without_os_error(&e.to_string()).to_string()
}

/// `text` without a trailing " (os error N)".
pub fn without_os_error(text: &str) -> &str {
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => &text[..i],
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_errors_and_os_numbers_in_words() {
        let e = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        );
        assert_eq!(
            io_words(&e),
            "not UTF-8 text: save it as UTF-8 (a UTF-16 export, or not a text file?)"
        );
        let at = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8 (line 12)",
        );
        assert_eq!(
            io_words(&at),
            "line 12: not UTF-8 text: save it as UTF-8 (a UTF-16 export, or not a text file?)"
        );
        assert_eq!(
            without_os_error("No such file or directory (os error 2)"),
            "No such file or directory"
        );
        assert_eq!(without_os_error("plain"), "plain");
    }
}
