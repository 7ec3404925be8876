//! `multipart/form-data` bodies (RFC 7578), as a browser sends a form with a file input.
//!
//! The body is already in memory and bounded by the router's body limit, so the parts are
//! slices of it; nothing is streamed. Only what a form sends is understood: each part's
//! `Content-Disposition: form-data; name="…"; filename="…"` and `Content-Type`.

/// One field of a submitted form.
#[derive(Debug, PartialEq, Eq)]
pub struct Part<'a> {
    /// The field's `name`.
    pub name: String,
    /// The chosen file's name, for a file input.
    pub file_name: Option<String>,
    /// The part's own `Content-Type`, lower-case, if given.
    pub content_type: Option<String>,
    /// The value or the file's bytes.
    pub data: &'a [u8],
}

/// The boundary of a `multipart/form-data` content type, if it is one.
pub fn boundary(content_type: &str) -> Option<String> {
    let (essence, parameters) = content_type.split_once(';')?;
    if !essence.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    let boundary = parameter(parameters, "boundary")?;
    // RFC 2046: 1 to 70 characters.
    (1..=70).contains(&boundary.len()).then_some(boundary)
}

/// The parts of `body`, or `None` if it is not well-formed multipart.
pub fn parts<'a>(body: &'a [u8], boundary: &str) -> Option<Vec<Part<'a>>> {
    let delimiter = format!("--{boundary}");
    let next_delimiter = format!("\r\n--{boundary}");
    let mut rest = &body[find(body, delimiter.as_bytes())? + delimiter.len()..];
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Some(parts);
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let header_end = find(rest, b"\r\n\r\n")?;
        let headers = std::str::from_utf8(&rest[..header_end]).ok()?;
        let content = &rest[header_end + 4..];
        let end = find(content, next_delimiter.as_bytes())?;
        let mut part =
            Part { name: String::new(), file_name: None, content_type: None, data: &content[..end] };
        for line in headers.split("\r\n") {
            let (name, value) = line.split_once(':')?;
            if name.trim().eq_ignore_ascii_case("content-disposition") {
                let (kind, parameters) = value.split_once(';').unwrap_or((value, ""));
                if !kind.trim().eq_ignore_ascii_case("form-data") {
                    return None;
                }
                part.name = parameter(parameters, "name")?;
                part.file_name = parameter(parameters, "filename");
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_ascii_lowercase());
            }
        }
        parts.push(part);
        rest = &content[end + next_delimiter.len()..];
    }
}

/// The value of `name` in `; a=1; b="x; y"` (quoted or not).
fn parameter(parameters: &str, name: &str) -> Option<String> {
    let mut rest = parameters;
    loop {
        rest = rest.trim_start_matches([';', ' ', '\t']);
        if rest.is_empty() {
            return None;
        }
        let (key, after) = rest.split_once('=')?;
        let (value, after) = match after.strip_prefix('"') {
            Some(quoted) => {
                let mut value = String::new();
                let mut chars = quoted.char_indices();
                let end = loop {
                    match chars.next()? {
                        (i, '"') => break i + 1,
                        (_, '\\') => value.push(chars.next()?.1),
                        (_, c) => value.push(c),
                    }
                };
                (value, &quoted[end..])
            }
            None => {
                let end = after.find(';').unwrap_or(after.len());
                (after[..end].trim().to_string(), &after[end..])
            }
        };
        if key.trim().eq_ignore_ascii_case(name) {
            return Some(value);
        }
        rest = after;
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_form_with_a_file_is_split_into_its_fields() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"template\"\r\n\r\nresolution\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"Th\xc3\xa1ng 11; b\\\"n.xlsx\"\r\n\
            Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n\
            PK\x03\x04\r\n--X not the end\r\n--XyZ--\r\n";
        let boundary = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let parts = parts(body, &boundary).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data), ("template", &b"resolution"[..]));
        assert_eq!(parts[0].file_name, None);
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].file_name.as_deref(), Some("Tháng 11; b\"n.xlsx"));
        assert_eq!(parts[1].data, b"PK\x03\x04\r\n--X not the end");
        assert!(parts[1].content_type.as_deref().is_some_and(|t| t.ends_with(".sheet")));
    }

    #[test]
    fn quoted_boundaries_and_malformed_bodies() {
        assert_eq!(boundary("Multipart/Form-Data; boundary=\"a b\"").as_deref(), Some("a b"));
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        // No closing delimiter, no blank line after the headers, not form-data.
        assert_eq!(parts(b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx", "b"), None);
        assert_eq!(parts(b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n--b--", "b"), None);
        assert_eq!(parts(b"--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--", "b"), None);
        assert_eq!(parts(b"--b--\r\n", "b"), Some(Vec::new()));
    }
}
