//! Signature fields: an empty AcroForm signature field over every signing space of a document,
//! so the signers can sign digitally, in place, as the PDF comes out of vanban.
//!
//! Typst has no form fields, so they are added after export as an *incremental update*: Typst's
//! bytes stay untouched (its PDF/A identification, tagging and document id included) and the
//! update appends only the fields, their appearance streams, the pages that reference them and a
//! catalogue with `/AcroForm`. This is also the shape a signing tool writes its own signature in,
//! so the signed file is the original plus two appended revisions.
//!
//! The update is written by hand rather than through a PDF library: it needs only the trailer, the
//! cross-reference table, the catalogue and the page tree of the original, and reading just those
//! (instead of parsing every object of the file) takes a few microseconds instead of half a
//! millisecond per document. Rewritten dictionaries copy every other entry verbatim. The hand
//! reader knows Typst's shape only (a classic cross-reference table, catalogue and pages as plain
//! objects); any other file, e.g. one with a cross-reference stream, gets the same update written
//! by lopdf, so a future Typst that changes its shape costs time, not signature fields.

use std::collections::HashMap;
use std::ops::Range;

use serde::Serialize;

use crate::error::{Error, Result};

/// An empty signature field: name and place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignatureField {
    /// Field name: `thu_ky`, `chu_tri` (minutes), `bi_thu` (resolution, reports),
    /// `nguoi_lap_bieu` (dues report preparer).
    pub name: String,
    /// Page number, from 1.
    pub page: usize,
    /// `[left, bottom, right, top]` in PDF points from the bottom-left corner of the page.
    pub rect: [f64; 4],
}

/// Widget annotation flag "print" (PDF 32000-1, 12.5.3); PDF/A requires it on every widget.
const PRINT_FLAG: i64 = 4;

/// Appends `fields` to `pdf` as an incremental update. Field names must be unique.
pub fn add_fields(pdf: Vec<u8>, fields: &[SignatureField]) -> Result<Vec<u8>> {
    if fields.is_empty() {
        return Ok(pdf);
    }
    match plan_update(&pdf, fields) {
        Ok(update) => Ok(update.append_to(pdf)),
        Err(problem) => {
            tracing::debug!(%problem, "signature fields: not Typst's usual shape, lopdf writes the update");
            update_with_lopdf(pdf, fields).map_err(|library| {
                Error::Internal(format!("adding signature fields: {problem}; with lopdf: {library}"))
            })
        }
    }
}

/// The update of [`plan_update`], written by lopdf for a file the hand reader does not handle.
fn update_with_lopdf(
    pdf: Vec<u8>,
    fields: &[SignatureField],
) -> std::result::Result<Vec<u8>, Box<dyn std::error::Error>> {
    use lopdf::{Dictionary, IncrementalDocument, Object, Stream};

    // Strict: a damaged file is repaired by lenient loading, and an update appended to a repair
    // would describe a file that does not exist.
    let strict = lopdf::LoadOptions { strict: true, ..Default::default() };
    let original = lopdf::Document::load_mem_with_options(&pdf, strict)?;
    let pages = original.get_pages();
    let root = original.trailer.get(b"Root").and_then(Object::as_reference)?;
    let mut document = IncrementalDocument::create_from(pdf, original);
    let mut field_refs = Vec::new();
    for field in fields {
        let page = u32::try_from(field.page)
            .ok()
            .and_then(|number| pages.get(&number).copied())
            .ok_or_else(|| format!("field `{}` is on page {}, past the end", field.name, field.page))?;
        let [left, bottom, right, top] = field.rect;
        let updated = &mut document.new_document;
        let mut appearance = Dictionary::new();
        appearance.set("Type", Object::Name(b"XObject".to_vec()));
        appearance.set("Subtype", Object::Name(b"Form".to_vec()));
        appearance.set("BBox", vec![0.into(), 0.into(), (right - left).into(), (top - bottom).into()]);
        appearance.set("Resources", Dictionary::new());
        let appearance = updated.add_object(Stream::new(appearance, Vec::new()));
        let mut widget = Dictionary::new();
        widget.set("Type", Object::Name(b"Annot".to_vec()));
        widget.set("Subtype", Object::Name(b"Widget".to_vec()));
        widget.set("FT", Object::Name(b"Sig".to_vec()));
        widget.set("T", text_string_object(&field.name));
        widget.set("Rect", [left, bottom, right, top].map(Object::from).to_vec());
        widget.set("F", PRINT_FLAG);
        widget.set("P", page);
        widget.set("AP", Dictionary::from_iter([("N", Object::Reference(appearance))]));
        let widget = updated.add_object(widget);
        field_refs.push(Object::Reference(widget));

        // The page's annotations, inlined if the original kept them in an object of their own.
        let mut annots = match document.get_prev_documents().get_dictionary(page)?.get(b"Annots") {
            Ok(value) => document.get_prev_documents().dereference(value)?.1.clone(),
            Err(_) => Object::Array(Vec::new()),
        };
        document.opt_clone_object_to_new_document(page)?;
        let page = document.new_document.get_dictionary_mut(page)?;
        if let Ok(Object::Array(already)) = page.get(b"Annots") {
            annots = Object::Array(already.clone());
        }
        if let Object::Array(items) = &mut annots {
            items.push(Object::Reference(widget));
        }
        page.set("Annots", annots);
        // Tab order by structure, as PDF/UA asks of any page with annotations.
        page.set("Tabs", Object::Name(b"S".to_vec()));
    }
    document.opt_clone_object_to_new_document(root)?;
    let catalog = document.new_document.get_dictionary_mut(root)?;
    catalog.set("AcroForm", Dictionary::from_iter([("Fields", Object::Array(field_refs))]));
    let mut written = Vec::new();
    document.save_to(&mut written)?;
    Ok(written)
}

/// [`text_string`] as a lopdf object.
fn text_string_object(text: &str) -> lopdf::Object {
    if text.is_ascii() {
        lopdf::Object::string_literal(text)
    } else {
        lopdf::Object::String(utf16_with_bom(text), lopdf::StringFormat::Hexadecimal)
    }
}

/// The objects of the update, with the trailer that links it to the original.
struct Update {
    /// `(object number, generation, serialized object body)`.
    objects: Vec<(u32, u16, Vec<u8>)>,
    /// The new trailer dictionary, linked to the original's by `/Prev`.
    trailer: Vec<u8>,
}

fn plan_update(pdf: &[u8], fields: &[SignatureField]) -> std::result::Result<Update, String> {
    let original = Original::read(pdf)?;
    let root = entry_reference(pdf, &original.trailer, b"/Root")?;
    let catalog = original.dictionary(root.0)?;
    let pages = original.pages(entry_reference(pdf, &catalog, b"/Pages")?)?;

    let mut next = original.size;
    let mut objects = Vec::new();
    let mut widgets_by_page: Vec<(ObjectRef, Vec<u32>)> = Vec::new();
    let mut field_refs = Vec::new();
    for field in fields {
        let page = *pages
            .get(field.page.wrapping_sub(1))
            .ok_or_else(|| format!("field `{}` is on page {}, past the end", field.name, field.page))?;
        let [left, bottom, right, top] = field.rect;
        let (appearance, widget) = (next, next + 1);
        next += 2;
        let bbox = format!("[0 0 {} {}]", real(right - left), real(top - bottom));
        objects.push((
            appearance,
            0,
            format!("<</Type/XObject/Subtype/Form/BBox{bbox}/Resources<<>>/Length 0>>\nstream\n\nendstream")
                .into_bytes(),
        ));
        objects.push((
            widget,
            0,
            format!(
                "<</Type/Annot/Subtype/Widget/FT/Sig/T{}/Rect[{} {} {} {}]/F {PRINT_FLAG}/P {} {} R/AP<</N {appearance} 0 R>>>>",
                text_string(&field.name),
                real(left),
                real(bottom),
                real(right),
                real(top),
                page.0,
                page.1,
            )
            .into_bytes(),
        ));
        field_refs.push(format!("{widget} 0 R"));
        match widgets_by_page.iter_mut().find(|(p, _)| *p == page) {
            Some((_, widgets)) => widgets.push(widget),
            None => widgets_by_page.push((page, vec![widget])),
        }
    }

    for (page, widgets) in widgets_by_page {
        let dictionary = original.dictionary(page.0)?;
        let mut annots = match entry(pdf, &dictionary, b"/Annots") {
            Some(value) => array_items(pdf, original.resolve(value)?)?
                .into_iter()
                .map(|item| String::from_utf8_lossy(&pdf[item]).into_owned())
                .collect(),
            None => Vec::new(),
        };
        annots.extend(widgets.iter().map(|w| format!("{w} 0 R")));
        // Tab order by structure, as PDF/UA asks of any page with annotations.
        let replaced = [("/Annots", format!("[{}]", annots.join(" "))), ("/Tabs", "/S".to_string())];
        objects.push((page.0, page.1, rewrite(pdf, &dictionary, &replaced)));
    }
    let acroform = format!("<</Fields[{}]>>", field_refs.join(" "));
    objects.push((root.0, root.1, rewrite(pdf, &catalog, &[("/AcroForm", acroform)])));

    let trailer = rewrite(
        pdf,
        &original.trailer,
        &[
            ("/Size", next.to_string()),
            ("/Root", format!("{} {} R", root.0, root.1)),
            ("/Prev", original.xref_offset.to_string()),
        ],
    );
    Ok(Update { objects, trailer })
}

impl Update {
    /// The original bytes followed by the update's objects, cross-reference section and trailer.
    fn append_to(mut self, mut pdf: Vec<u8>) -> Vec<u8> {
        if pdf.last() != Some(&b'\n') {
            pdf.push(b'\n');
        }
        self.objects.sort_by_key(|(number, ..)| *number);
        let mut offsets = Vec::with_capacity(self.objects.len());
        for (number, generation, body) in &self.objects {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{number} {generation} obj\n").as_bytes());
            pdf.extend_from_slice(body);
            pdf.extend_from_slice(b"\nendobj\n");
        }
        let xref = pdf.len();
        pdf.extend_from_slice(b"xref\n");
        let mut run_start = 0;
        for i in 1..=self.objects.len() {
            let run_ends = i == self.objects.len() || self.objects[i].0 != self.objects[i - 1].0 + 1;
            if run_ends {
                pdf.extend_from_slice(
                    format!("{} {}\n", self.objects[run_start].0, i - run_start).as_bytes(),
                );
                for (offset, (_, generation, _)) in
                    offsets[run_start..i].iter().zip(&self.objects[run_start..i])
                {
                    pdf.extend_from_slice(format!("{offset:010} {generation:05} n\r\n").as_bytes());
                }
                run_start = i;
            }
        }
        pdf.extend_from_slice(b"trailer\n");
        pdf.extend_from_slice(&self.trailer);
        pdf.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF\n").as_bytes());
        pdf
    }
}

/// An indirect reference: object number and generation.
type ObjectRef = (u32, u16);

/// A dictionary's entries as `(key, value)` byte ranges of the file; the key includes its `/`.
type Entries = Vec<(Range<usize>, Range<usize>)>;

/// What the update needs from the original file: where its objects are and its trailer.
struct Original<'a> {
    pdf: &'a [u8],
    /// Byte offset and generation of every object in use, by object number.
    objects: HashMap<u32, (usize, u16)>,
    trailer: Entries,
    xref_offset: usize,
    /// The trailer's `/Size`: the first free object number.
    size: u32,
}

impl<'a> Original<'a> {
    /// Reads the last cross-reference table (Typst writes one, uncompressed) and its trailer.
    fn read(pdf: &'a [u8]) -> std::result::Result<Self, String> {
        let tail_start = pdf.len().saturating_sub(1024);
        let startxref = find_last(&pdf[tail_start..], b"startxref")
            .map(|at| tail_start + at + b"startxref".len())
            .ok_or("no startxref")?;
        let xref_offset: usize =
            word(pdf, skip_space(pdf, startxref)).and_then(parse_number).ok_or("bad startxref")?;
        let mut at = skip_space(pdf, xref_offset);
        if !rest(pdf, at).starts_with(b"xref") {
            return Err("the cross-reference section is not a table".into());
        }
        at += b"xref".len();
        let mut objects = HashMap::new();
        loop {
            at = skip_space(pdf, at);
            if rest(pdf, at).starts_with(b"trailer") {
                break;
            }
            let first: u32 = word(pdf, at).and_then(parse_number).ok_or("bad xref subsection")?;
            at = skip_space(pdf, at + word_len(pdf, at));
            let count: u32 = word(pdf, at).and_then(parse_number).ok_or("bad xref subsection")?;
            at += word_len(pdf, at);
            for number in first..first + count {
                let mut fields = [&b""[..]; 3];
                for field in &mut fields {
                    at = skip_space(pdf, at);
                    *field = word(pdf, at).ok_or("truncated xref table")?;
                    at += field.len();
                }
                if fields[2] == b"n" {
                    let offset = parse_number(fields[0]).ok_or("bad xref offset")?;
                    let generation = parse_number(fields[1]).ok_or("bad xref generation")?;
                    objects.insert(number, (offset, generation));
                }
            }
        }
        let trailer_at = skip_space(pdf, at + b"trailer".len());
        let trailer = entries(pdf, trailer_at)?;
        let size = entry(pdf, &trailer, b"/Size")
            .and_then(|value| parse_number(&pdf[value]))
            .ok_or("trailer without /Size")?;
        Ok(Original { pdf, objects, trailer, xref_offset, size })
    }

    /// The byte range of an object's value (after `n g obj`).
    fn object(&self, number: u32) -> std::result::Result<Range<usize>, String> {
        let &(offset, _) = self.objects.get(&number).ok_or_else(|| format!("object {number} is missing"))?;
        let mut at = offset;
        for expected in [None, None, Some(&b"obj"[..])] {
            at = skip_space(self.pdf, at);
            let token = word(self.pdf, at).ok_or_else(|| format!("object {number} is truncated"))?;
            if expected.is_some_and(|e| e != token) {
                return Err(format!("object {number} has no `obj` header"));
            }
            at += token.len();
        }
        let start = skip_space(self.pdf, at);
        Ok(start..value_end(self.pdf, start)?)
    }

    fn dictionary(&self, number: u32) -> std::result::Result<Entries, String> {
        entries(self.pdf, self.object(number)?.start)
    }

    /// A value, or the object it refers to.
    fn resolve(&self, value: Range<usize>) -> std::result::Result<Range<usize>, String> {
        match parse_reference(&self.pdf[value.clone()]) {
            Some((number, _)) => self.object(number),
            None => Ok(value),
        }
    }

    /// The page objects in order, walking the page tree from its root.
    fn pages(&self, root: ObjectRef) -> std::result::Result<Vec<ObjectRef>, String> {
        let mut pages = Vec::new();
        let mut pending = vec![root];
        let mut visits = 0;
        while let Some(node) = pending.pop() {
            visits += 1;
            if visits > self.objects.len() {
                return Err("the page tree has a cycle".into());
            }
            let dictionary = self.dictionary(node.0)?;
            match entry(self.pdf, &dictionary, b"/Kids") {
                Some(kids) => {
                    let kids = array_items(self.pdf, self.resolve(kids)?)?;
                    for kid in kids.into_iter().rev() {
                        pending.push(
                            parse_reference(&self.pdf[kid]).ok_or("a page tree kid is not a reference")?,
                        );
                    }
                }
                None => pages.push(node),
            }
        }
        Ok(pages)
    }
}

fn entry(pdf: &[u8], entries: &Entries, key: &[u8]) -> Option<Range<usize>> {
    entries.iter().find(|(k, _)| &pdf[k.clone()] == key).map(|(_, v)| v.clone())
}

fn entry_reference(pdf: &[u8], entries: &Entries, key: &[u8]) -> std::result::Result<ObjectRef, String> {
    entry(pdf, entries, key)
        .and_then(|value| parse_reference(&pdf[value]))
        .ok_or_else(|| format!("no {} reference", String::from_utf8_lossy(key)))
}

/// The dictionary with `replaced` keys set (in that order, after the others, which keep their
/// original bytes).
fn rewrite(pdf: &[u8], entries: &Entries, replaced: &[(&str, String)]) -> Vec<u8> {
    let mut out = b"<<".to_vec();
    for (key, value) in entries {
        if !replaced.iter().any(|(name, _)| name.as_bytes() == &pdf[key.clone()]) {
            out.extend_from_slice(&pdf[key.clone()]);
            out.push(b' ');
            out.extend_from_slice(&pdf[value.clone()]);
        }
    }
    for (name, value) in replaced {
        out.extend_from_slice(name.as_bytes());
        out.push(b' ');
        out.extend_from_slice(value.as_bytes());
    }
    out.extend_from_slice(b">>");
    out
}

/// The entries of the dictionary starting at `at`.
fn entries(pdf: &[u8], at: usize) -> std::result::Result<Entries, String> {
    if !rest(pdf, at).starts_with(b"<<") {
        return Err(format!("expected a dictionary at byte {at}"));
    }
    let mut list = Vec::new();
    let mut at = at + 2;
    loop {
        at = skip_space(pdf, at);
        if rest(pdf, at).starts_with(b">>") {
            return Ok(list);
        }
        if pdf.get(at) != Some(&b'/') {
            return Err(format!("expected a name at byte {at}"));
        }
        let key = at..value_end(pdf, at)?;
        let value_start = skip_space(pdf, key.end);
        let value = value_start..value_end(pdf, value_start)?;
        at = value.end;
        list.push((key, value));
    }
}

/// The items of the array at `range`.
fn array_items(pdf: &[u8], range: Range<usize>) -> std::result::Result<Vec<Range<usize>>, String> {
    if pdf.get(range.start) != Some(&b'[') {
        return Err(format!("expected an array at byte {}", range.start));
    }
    let mut items = Vec::new();
    let mut at = range.start + 1;
    loop {
        at = skip_space(pdf, at);
        if pdf.get(at) == Some(&b']') {
            return Ok(items);
        }
        let end = value_end(pdf, at)?;
        items.push(at..end);
        at = end;
    }
}

/// Where the value starting at `at` ends: dictionary, array, string, name, number, keyword or
/// `n g R` reference.
fn value_end(pdf: &[u8], at: usize) -> std::result::Result<usize, String> {
    let truncated = || format!("value at byte {at} runs past the end");
    match pdf.get(at).ok_or_else(truncated)? {
        b'<' if pdf.get(at + 1) == Some(&b'<') => {
            let mut at = at + 2;
            loop {
                at = skip_space(pdf, at);
                if pdf.get(at).is_none() {
                    return Err(truncated());
                }
                if rest(pdf, at).starts_with(b">>") {
                    return Ok(at + 2);
                }
                at = value_end(pdf, at)?;
            }
        }
        b'<' => rest(pdf, at).iter().position(|&b| b == b'>').map(|end| at + end + 1).ok_or_else(truncated),
        b'[' => {
            let mut at = at + 1;
            loop {
                at = skip_space(pdf, at);
                match pdf.get(at) {
                    None => return Err(truncated()),
                    Some(b']') => return Ok(at + 1),
                    Some(_) => at = value_end(pdf, at)?,
                }
            }
        }
        b'(' => {
            let (mut depth, mut at) = (0usize, at);
            loop {
                match pdf.get(at).ok_or_else(truncated)? {
                    b'\\' => at += 1,
                    b'(' => depth += 1,
                    b')' if depth == 1 => return Ok(at + 1),
                    b')' => depth -= 1,
                    _ => {}
                }
                at += 1;
            }
        }
        b'/' => Ok(at + 1 + word_len(pdf, at + 1)),
        _ => {
            let end = at + word_len(pdf, at);
            if end == at {
                return Err(format!("unexpected byte at {at}"));
            }
            // `n g R`: two integers and the keyword R.
            let generation_at = skip_space(pdf, end);
            let r_at = skip_space(pdf, generation_at + word_len(pdf, generation_at));
            let is_reference = parse_number::<u32>(&pdf[at..end]).is_some()
                && word(pdf, generation_at).and_then(parse_number::<u16>).is_some()
                && word(pdf, r_at) == Some(b"R");
            Ok(if is_reference { r_at + 1 } else { end })
        }
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

fn is_delimiter(byte: u8) -> bool {
    matches!(byte, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// Skips white space and comments.
fn skip_space(pdf: &[u8], mut at: usize) -> usize {
    while let Some(&byte) = pdf.get(at) {
        if byte == b'%' {
            while pdf.get(at).is_some_and(|&b| b != b'\n' && b != b'\r') {
                at += 1;
            }
        } else if is_space(byte) {
            at += 1;
        } else {
            break;
        }
    }
    at
}

/// Length of the run of regular characters at `at`.
/// The bytes from `at` on (none past the end: offsets come from the file itself).
fn rest(pdf: &[u8], at: usize) -> &[u8] {
    pdf.get(at..).unwrap_or_default()
}

fn word_len(pdf: &[u8], at: usize) -> usize {
    rest(pdf, at).iter().take_while(|&&b| !is_space(b) && !is_delimiter(b)).count()
}

fn word(pdf: &[u8], at: usize) -> Option<&[u8]> {
    let len = word_len(pdf, at);
    (len > 0).then(|| &pdf[at..at + len])
}

fn parse_number<T: std::str::FromStr>(bytes: &[u8]) -> Option<T> {
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

fn parse_reference(bytes: &[u8]) -> Option<ObjectRef> {
    let mut parts = bytes.split(|&b| is_space(b)).filter(|part| !part.is_empty());
    let reference = (parse_number(parts.next()?)?, parse_number(parts.next()?)?);
    (parts.next()? == b"R" && parts.next().is_none()).then_some(reference)
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|window| window == needle)
}

/// A PDF number in points: four decimals are a fraction of a micrometre; no exponent form.
fn real(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".into() } else { text.into() }
}

/// A PDF text string: a literal for ASCII, UTF-16BE with a byte order mark otherwise.
fn text_string(text: &str) -> String {
    if text.is_ascii() {
        let mut literal = String::from("(");
        for c in text.chars() {
            if matches!(c, '(' | ')' | '\\') {
                literal.push('\\');
            }
            literal.push(c);
        }
        literal.push(')');
        literal
    } else {
        let hex: String = utf16_with_bom(text).iter().map(|byte| format!("{byte:02X}")).collect();
        format!("<{hex}>")
    }
}

/// A non-ASCII PDF text string's bytes: UTF-16BE after a byte order mark.
fn utf16_with_bom(text: &str) -> Vec<u8> {
    [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small PDF in Typst's shape: a page tree two levels deep, one page with a link already.
    fn sample() -> Vec<u8> {
        let objects = [
            "<</Type/Catalog/Pages 2 0 R/Lang(vi \\) \\(x)>>",
            "<</Type/Pages/Kids[3 0 R 4 0 R]/Count 3>>",
            "<</Type/Page/Parent 2 0 R/Annots[9 0 R]>>",
            "<</Type/Pages/Parent 2 0 R/Kids[5 0 R]/Count 2>>",
            "<</Type/Page/Parent 4 0 R/MediaBox[0 0 595.2756 841.8898]>>",
        ];
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in objects.iter().enumerate() {
            offsets.push(pdf.len());
            pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
        }
        let xref = pdf.len();
        pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
        for offset in offsets {
            pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        pdf.extend_from_slice(
            format!("trailer\n<</Size 6/Root 1 0 R/ID[(a\\)b)(c)]>>\nstartxref\n{xref}\n%%EOF").as_bytes(),
        );
        pdf
    }

    fn field(name: &str, page: usize) -> SignatureField {
        SignatureField { name: name.into(), page, rect: [85.0, 316.15747, 295.5, 401.19684] }
    }

    fn text(pdf: &[u8]) -> String {
        String::from_utf8_lossy(pdf).into_owned()
    }

    #[test]
    fn the_update_appends_widgets_pages_catalogue_and_a_linked_trailer() {
        let original = sample();
        let updated = add_fields(original.clone(), &[field("bi_thu", 2), field("thư ký", 2)]).unwrap();
        assert!(updated.starts_with(&original), "the original bytes are untouched");
        let update = text(&updated[original.len()..]);
        assert!(update.contains("6 0 obj\n<</Type/XObject/Subtype/Form/BBox[0 0 210.5 85.0394]"), "{update}");
        assert!(update.contains("/T(bi_thu)/Rect[85 316.1575 295.5 401.1968]/F 4/P 5 0 R/AP<</N 6 0 R>>"));
        assert!(update.contains("/T<FEFF0074006801B00020006B00FD>"), "non-ASCII names in UTF-16: {update}");
        // The second page is the first kid of the nested node; its other entries are kept.
        assert!(update.contains(
            "5 0 obj\n<</Type /Page/Parent 4 0 R/MediaBox [0 0 595.2756 841.8898]/Annots [7 0 R 9 0 R]/Tabs /S>>"
        ));
        assert!(update.contains(
            "1 0 obj\n<</Type /Catalog/Pages 2 0 R/Lang (vi \\) \\(x)/AcroForm <</Fields[7 0 R 9 0 R]>>>>"
        ));
        assert!(update.contains("trailer\n<</ID [(a\\)b)(c)]/Size 10/Root 1 0 R/Prev "), "{update}");
        assert!(update.ends_with("%%EOF\n"));
    }

    #[test]
    fn the_cross_reference_section_points_at_each_new_object() {
        let original = sample();
        let updated = add_fields(original.clone(), &[field("bi_thu", 1)]).unwrap();
        let update = text(&updated);
        let xref_at: usize =
            update.rsplit("startxref\n").next().unwrap().lines().next().unwrap().parse().unwrap();
        let table = &update[xref_at..];
        // Objects 1 (catalogue) and 3 (page) alone, then 6 and 7 (appearance, widget) as a run.
        let mut lines = table.lines().skip(1);
        for (number, count) in [(1, 1), (3, 1), (6, 2)] {
            assert_eq!(lines.next().unwrap(), format!("{number} {count}"));
            for n in number..number + count {
                let entry = lines.next().unwrap();
                let offset: usize = entry[..10].parse().unwrap();
                assert!(update[offset..].starts_with(&format!("{n} 0 obj\n")), "entry for {n}");
            }
        }
        assert!(update.contains("/Annots [9 0 R 7 0 R]"), "existing annotations are kept first");
        assert!(update.contains(&format!(
            "/Prev {}>>",
            text(&original).rsplit("startxref\n").next().unwrap().lines().next().unwrap()
        )));
    }

    #[test]
    fn a_file_with_a_cross_reference_stream_gets_the_same_update_from_lopdf() {
        let mut original = Vec::new();
        lopdf::Document::load_mem(&sample()).unwrap().save_modern(&mut original).unwrap();
        let fields = [field("bi_thu", 2), field("thư ký", 1)];
        assert!(
            plan_update(&original, &fields).is_err(),
            "the hand reader declines a cross-reference stream"
        );

        let updated = add_fields(original.clone(), &fields).unwrap();
        assert!(updated.starts_with(&original), "the original bytes are untouched");
        let startxref =
            text(&updated).rsplit("startxref\n").next().unwrap().lines().next().unwrap().to_owned();
        let xref_object = text(&updated[startxref.parse::<usize>().unwrap()..]);
        assert!(
            xref_object.contains("/XRef"),
            "the update keeps the file's cross-reference kind: {xref_object}"
        );

        let document = lopdf::Document::load_mem(&updated).unwrap();
        let pages = document.get_pages();
        let acroform = document.catalog().unwrap().get(b"AcroForm").unwrap().as_dict().unwrap();
        let widgets = acroform.get(b"Fields").unwrap().as_array().unwrap();
        assert_eq!(widgets.len(), 2);
        for (widget, (name, page)) in widgets
            .iter()
            .zip([(&b"bi_thu"[..], 2), (&b"\xFE\xFF\x00t\x00h\x01\xB0\x00 \x00k\x00\xFD"[..], 1)])
        {
            let id = widget.as_reference().unwrap();
            let widget = document.get_dictionary(id).unwrap();
            assert_eq!(widget.get(b"FT").unwrap().as_name().unwrap(), b"Sig");
            assert_eq!(widget.get(b"T").unwrap().as_str().unwrap(), name);
            assert_eq!(widget.get(b"F").unwrap().as_i64().unwrap(), PRINT_FLAG);
            assert_eq!(widget.get(b"P").unwrap().as_reference().unwrap(), pages[&page]);
            let rect: Vec<f32> = widget
                .get(b"Rect")
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_float().unwrap())
                .collect();
            assert_eq!(rect, [85.0, 316.15747, 295.5, 401.19684]);
            let page = document.get_dictionary(pages[&page]).unwrap();
            let annots = page.get(b"Annots").unwrap().as_array().unwrap();
            assert_eq!(annots.last().unwrap().as_reference().unwrap(), id, "the widget is on its page");
            assert_eq!(page.get(b"Tabs").unwrap().as_name().unwrap(), b"S");
        }
        let first_page = document.get_dictionary(pages[&1]).unwrap();
        assert_eq!(
            first_page.get(b"Annots").unwrap().as_array().unwrap()[0].as_reference().unwrap(),
            (9, 0),
            "existing annotations are kept first"
        );
    }

    #[test]
    fn a_field_past_the_last_page_or_a_broken_file_is_an_internal_error() {
        assert!(matches!(add_fields(sample(), &[field("bi_thu", 4)]), Err(Error::Internal(_))));
        assert!(matches!(add_fields(sample(), &[field("bi_thu", 0)]), Err(Error::Internal(_))));
        let mut truncated = sample();
        truncated.truncate(truncated.len() / 2);
        assert!(matches!(add_fields(truncated, &[field("bi_thu", 1)]), Err(Error::Internal(_))));
        assert_eq!(add_fields(b"not a pdf".to_vec(), &[]).unwrap(), b"not a pdf", "no fields, no change");
    }
}
