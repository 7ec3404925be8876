//! Safe file names for downloads and zip entries, and the `Content-Disposition` that offers
//! them with their Vietnamese name: whatever a pattern or a title produced, the
//! result has no path separators, no `..`, no control characters and a bounded length.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Longest file name produced, in characters (well under the 255 bytes most file systems allow,
/// even when every character is a 3-byte Vietnamese letter).
pub const MAX_CHARS: usize = 80;

/// Makes `name` safe to use as a single file name ending in `.pdf`. Never returns an empty stem.
pub fn sanitize_pdf_name(name: &str) -> String {
    let stem = name.strip_suffix(".pdf").or_else(|| name.strip_suffix(".PDF")).unwrap_or(name);
    let mut clean = String::with_capacity(stem.len());
    for c in stem.chars() {
        let replacement = match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => continue,
            c => c,
        };
        clean.push(replacement);
    }
    // No `..` anywhere, and no leading or trailing dots or spaces (hidden files, Windows quirks).
    while clean.contains("..") {
        clean = clean.replace("..", ".");
    }
    let trimmed: String =
        clean.trim_matches(|c: char| c == '.' || c.is_whitespace()).chars().take(MAX_CHARS).collect();
    let trimmed = trimmed.trim_end_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.is_empty() { "document.pdf".to_string() } else { format!("{trimmed}.pdf") }
}

/// RFC 5987 `attr-char`: everything else is percent-encoded in `filename*`.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment; filename="ascii.pdf"; filename*=UTF-8''Bi%C3%AAn…` (RFC 6266, RFC 5987).
pub fn content_disposition(ascii_name: &str, display_name: &str) -> String {
    let fallback: String = ascii_name
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(display_name, ATTR_CHAR)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_neutralised() {
        assert_eq!(sanitize_pdf_name("../../etc/passwd"), "-.-etc-passwd.pdf");
        assert_eq!(sanitize_pdf_name("a\\b\u{0}c.pdf"), "a-bc.pdf");
        assert_eq!(sanitize_pdf_name("...."), "document.pdf");
        assert_eq!(sanitize_pdf_name(""), "document.pdf");
        assert_eq!(sanitize_pdf_name("Biên bản tháng 11.pdf"), "Biên bản tháng 11.pdf");
        assert_eq!(sanitize_pdf_name(&"x".repeat(500)).chars().count(), MAX_CHARS + 4);
    }
}
