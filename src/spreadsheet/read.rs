//! Reading uploads into plain grids of cells, within limits.
//!
//! XLSX and ODS are zip files: before any parser sees one, the central directory's declared
//! sizes are added up and every entry is streamed through a counter that stops one byte past its
//! declared size, so a decompression bomb costs a few milliseconds and no memory. The grids hold
//! only the cells that have something in them, and a cell beyond the row or column limit stops
//! the read (calamine would otherwise allocate the whole rectangle up to it).

use std::collections::BTreeMap;
use std::io::{BufReader, Cursor, Read};

use calamine::{Data, DataRef, Ods, Reader, Xlsx};

use crate::error::{Error, Issue, Result};

/// Bounds on an upload.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most bytes all entries of an XLSX or ODS file may decompress to.
    pub max_unpacked_bytes: u64,
    /// Most entries in the zip.
    pub max_entries: usize,
    /// Most rows a sheet may use (1-based row numbers beyond this are refused).
    pub max_rows: u32,
    /// Most columns a sheet may use.
    pub max_columns: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_unpacked_bytes: 64 * 1024 * 1024, max_entries: 1000, max_rows: 5000, max_columns: 500 }
    }
}

/// A cell's content as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text (or anything the format stores as text).
    Text(String),
    /// A number.
    Number(f64),
    /// TRUE or FALSE.
    Bool(bool),
    /// A date, with the time of day in seconds (dates typed as dates).
    Date { year: i32, month: u32, day: u32, seconds: u32 },
    /// A time of day without a date, in seconds.
    Time(u32),
    /// A formula the spreadsheet never computed (no cached value).
    Uncomputed(String),
    /// A spreadsheet error value such as `#DIV/0!`.
    Error(String),
}

/// One sheet: its name and its non-empty cells by zero-based (row, column).
#[derive(Debug, Clone, Default)]
pub struct Grid {
    /// Sheet name.
    pub name: String,
    /// Non-empty cells.
    pub cells: BTreeMap<(u32, u32), Cell>,
}

impl Grid {
    /// The cell at zero-based (row, column).
    pub fn get(&self, row: u32, column: u32) -> Option<&Cell> {
        self.cells.get(&(row, column))
    }

    /// The number of rows up to the last non-empty one.
    pub fn height(&self) -> u32 {
        self.cells.keys().map(|(row, _)| row + 1).max().unwrap_or(0)
    }

    fn put(&mut self, row: u32, column: u32, cell: Cell, limits: &Limits) -> Result<()> {
        check_position(&self.name, row, column, limits)?;
        self.cells.insert((row, column), cell);
        Ok(())
    }

    /// Copies the top-left value of each merged region into all its cells.
    fn spread_merges(&mut self, merges: &[Region], limits: &Limits) -> Result<()> {
        for &(start, end) in merges {
            let Some(value) = self.cells.get(&start).cloned() else { continue };
            check_position(&self.name, end.0, end.1, limits)?;
            for row in start.0..=end.0 {
                for column in start.1..=end.1 {
                    self.cells.entry((row, column)).or_insert_with(|| value.clone());
                }
            }
        }
        Ok(())
    }
}

fn check_position(sheet: &str, row: u32, column: u32, limits: &Limits) -> Result<()> {
    if row >= limits.max_rows || column >= limits.max_columns {
        return Err(Error::TooLarge(format!(
            "sheet `{sheet}` uses cell {}{}; at most {} rows and {} columns are accepted",
            super::column_letter(column),
            u64::from(row) + 1,
            limits.max_rows,
            limits.max_columns
        )));
    }
    Ok(())
}

fn not_a_workbook(what: &str, detail: impl std::fmt::Display) -> Error {
    Error::Invalid(vec![Issue::error(
        "",
        "unreadable_workbook",
        format!("the file is not a readable {what}: {detail}"),
    )])
}

/// Refuses a zip whose entries decompress to more than the limit, by declared or actual size.
pub fn check_zip(bytes: &[u8], limits: &Limits, what: &str) -> Result<()> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_a_workbook(what, e))?;
    if archive.len() > limits.max_entries {
        return Err(Error::TooLarge(format!(
            "the {what} holds {} files; at most {} are accepted",
            archive.len(),
            limits.max_entries
        )));
    }
    let too_large = || {
        Error::TooLarge(format!(
            "the {what} unpacks to more than {} MiB; a workbook of a few hundred rows needs far less",
            limits.max_unpacked_bytes / (1024 * 1024)
        ))
    };
    let mut declared: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(|e| not_a_workbook(what, e))?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > limits.max_unpacked_bytes {
        return Err(too_large());
    }
    // Declared sizes can lie: decompress each entry, stopping one byte past what it declares.
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|e| not_a_workbook(what, e))?;
        let size = entry.size();
        let read = std::io::copy(&mut (&mut entry).take(size + 1), &mut std::io::sink())
            .map_err(|e| not_a_workbook(what, e))?;
        if read > size {
            return Err(too_large());
        }
    }
    Ok(())
}

/// Every sheet of an XLSX file, in workbook order.
pub fn xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>> {
    check_zip(bytes, limits, "XLSX workbook")?;
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| not_a_workbook("XLSX workbook", e))?;
    let mut grids = Vec::new();
    for name in workbook.sheet_names() {
        let merges: Vec<_> = workbook
            .merge_cells_by_sheet_name(&name)
            .map_err(|e| not_a_workbook("XLSX workbook", e))?
            .into_iter()
            .map(|d| (d.start, d.end))
            .collect();
        let mut grid = Grid { name: name.clone(), ..Grid::default() };
        let mut cells =
            workbook.worksheet_cells_reader(&name).map_err(|e| not_a_workbook("XLSX workbook", e))?;
        while let Some(cell) =
            cells.next_cell_with_formula().map_err(|e| not_a_workbook("XLSX workbook", e))?
        {
            let (row, column) = cell.pos;
            let value = match (cell.value, cell.formula) {
                (DataRef::Empty, Some(formula)) if !formula.is_empty() => Cell::Uncomputed(formula),
                (value, _) => match from_data_ref(value) {
                    Some(value) => value,
                    None => continue,
                },
            };
            grid.put(row, column, value, limits)?;
        }
        drop(cells);
        grid.spread_merges(&merges, limits)?;
        grids.push(grid);
    }
    Ok(grids)
}

fn from_data_ref(value: DataRef<'_>) -> Option<Cell> {
    Some(match value {
        DataRef::Empty => return None,
        DataRef::String(s) if s.is_empty() => return None,
        DataRef::SharedString("") => return None,
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Int(n) => Cell::Number(n as f64),
        DataRef::Float(n) => Cell::Number(n),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) => date_time(dt.to_ymd_hms_milli(), dt.as_f64()),
        DataRef::DateTimeIso(s) => iso_date_time(&s),
        DataRef::DurationIso(s) => iso_duration(&s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    })
}

fn from_data(value: &Data) -> Option<Cell> {
    Some(match value {
        Data::Empty => return None,
        Data::String(s) if s.is_empty() => return None,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Float(n) => Cell::Number(*n),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => date_time(dt.to_ymd_hms_milli(), dt.as_f64()),
        Data::DateTimeIso(s) => iso_date_time(s),
        Data::DurationIso(s) => iso_duration(s),
        Data::Error(e) => Cell::Error(e.to_string()),
    })
}

fn date_time(
    (year, month, day, hour, minute, second, _): (u16, u8, u8, u8, u8, u8, u16),
    serial: f64,
) -> Cell {
    let seconds = u32::from(hour) * 3600 + u32::from(minute) * 60 + u32::from(second);
    if serial < 1.0 {
        Cell::Time(seconds)
    } else {
        Cell::Date { year: i32::from(year), month: u32::from(month), day: u32::from(day), seconds }
    }
}

/// ODS dates: `2026-11-21` or `2026-11-21T19:30:00`.
fn iso_date_time(text: &str) -> Cell {
    let (date, time) = text.split_once('T').unwrap_or((text, ""));
    let parts: Vec<_> = date.split('-').collect();
    let seconds = hms_seconds(time.split(':').collect());
    match parts.as_slice() {
        [y, m, d] => match (y.parse(), m.parse(), d.parse()) {
            (Ok(year), Ok(month), Ok(day)) => Cell::Date { year, month, day, seconds: seconds.unwrap_or(0) },
            _ => Cell::Text(text.to_string()),
        },
        _ => Cell::Text(text.to_string()),
    }
}

/// ODS times: `PT19H30M00S`.
fn iso_duration(text: &str) -> Cell {
    let Some(rest) = text.strip_prefix("PT") else { return Cell::Text(text.to_string()) };
    let mut seconds = 0.0;
    let mut number = String::new();
    for c in rest.chars() {
        match c {
            'H' => seconds += number.parse::<f64>().unwrap_or(0.0) * 3600.0,
            'M' => seconds += number.parse::<f64>().unwrap_or(0.0) * 60.0,
            'S' => seconds += number.parse::<f64>().unwrap_or(0.0),
            _ => {
                number.push(c);
                continue;
            }
        }
        number.clear();
    }
    Cell::Time(seconds.round() as u32)
}

fn hms_seconds(parts: Vec<&str>) -> Option<u32> {
    let numbers: Vec<u32> =
        parts.iter().map(|p| p.split('.').next().unwrap_or("").parse().ok()).collect::<Option<_>>()?;
    match numbers.as_slice() {
        [h, m] => Some(h * 3600 + m * 60),
        [h, m, s] => Some(h * 3600 + m * 60 + s),
        _ => None,
    }
}

/// A merged region or a used position found while scanning ODS content.
/// A merged region: (first row, first column), (last row, last column).
type Region = ((u32, u32), (u32, u32));

struct OdsScan {
    /// Per table: merged regions ((first row, first column), (last row, last column)).
    merges: Vec<Vec<Region>>,
}

/// Every sheet of an ODS file, in workbook order.
pub fn ods(bytes: &[u8], limits: &Limits) -> Result<Vec<Grid>> {
    check_zip(bytes, limits, "ODS workbook")?;
    let scan = scan_ods(bytes, limits)?;
    let mut workbook: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(|e| not_a_workbook("ODS workbook", e))?;
    let mut grids = Vec::new();
    for (index, name) in workbook.sheet_names().into_iter().enumerate() {
        let values = workbook.worksheet_range(&name).map_err(|e| not_a_workbook("ODS workbook", e))?;
        let formulas = workbook.worksheet_formula(&name).map_err(|e| not_a_workbook("ODS workbook", e))?;
        let mut grid = Grid { name: name.clone(), ..Grid::default() };
        for (row, column, value) in values.used_cells() {
            let (row, column) = (
                row as u32 + values.start().map_or(0, |s| s.0),
                column as u32 + values.start().map_or(0, |s| s.1),
            );
            if let Some(cell) = from_data(value) {
                grid.put(row, column, cell, limits)?;
            }
        }
        for (row, column, formula) in formulas.used_cells() {
            let (row, column) = (
                row as u32 + formulas.start().map_or(0, |s| s.0),
                column as u32 + formulas.start().map_or(0, |s| s.1),
            );
            if !formula.is_empty() && grid.get(row, column).is_none() {
                grid.put(row, column, Cell::Uncomputed(formula.clone()), limits)?;
            }
        }
        if let Some(merges) = scan.merges.get(index) {
            grid.spread_merges(merges, limits)?;
        }
        grids.push(grid);
    }
    Ok(grids)
}

/// Walks `content.xml` once, counting repeated rows and columns, before calamine expands them:
/// content beyond the limits is refused here. Also collects merged regions, which calamine does
/// not report for ODS.
fn scan_ods(bytes: &[u8], limits: &Limits) -> Result<OdsScan> {
    use quick_xml::events::Event;
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| not_a_workbook("ODS workbook", e))?;
    let content = archive.by_name("content.xml").map_err(|e| not_a_workbook("ODS workbook", e))?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buffer = Vec::new();
    let mut scan = OdsScan { merges: Vec::new() };
    let (mut row, mut next_row, mut column, mut row_repeats) = (0u64, 0u64, 0u64, 1u64);
    let mut sheet = String::new();
    let attribute = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> u64 {
        e.try_get_attribute(name).ok().flatten().and_then(|a| a.value.parse().ok()).unwrap_or(1)
    };
    loop {
        buffer.clear();
        let event = reader.read_event_into(&mut buffer).map_err(|e| not_a_workbook("ODS workbook", e))?;
        let (element, has_children) = match &event {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::Eof => break,
            _ => continue,
        };
        match element.name().as_ref() {
            "table:table" => {
                scan.merges.push(Vec::new());
                next_row = 0;
                sheet = element
                    .try_get_attribute("table:name")
                    .ok()
                    .flatten()
                    .map(|a| a.value.into_owned())
                    .unwrap_or_default();
            }
            "table:table-row" => {
                row = next_row;
                row_repeats = attribute(element, "table:number-rows-repeated");
                next_row = row.saturating_add(row_repeats);
                column = 0;
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let repeats = attribute(element, "table:number-columns-repeated");
                let has_value =
                    has_children || element.try_get_attribute("office:value-type").ok().flatten().is_some();
                if has_value {
                    let last_row = row.saturating_add(row_repeats).saturating_sub(1);
                    let last_column = column.saturating_add(repeats).saturating_sub(1);
                    check_position(&sheet, clamp(last_row), clamp(last_column), limits)?;
                }
                let spanned_rows = attribute(element, "table:number-rows-spanned");
                let spanned_columns = attribute(element, "table:number-columns-spanned");
                if spanned_rows > 1 || spanned_columns > 1 {
                    let end = (row + spanned_rows - 1, column + spanned_columns - 1);
                    check_position(&sheet, clamp(end.0), clamp(end.1), limits)?;
                    if let Some(merges) = scan.merges.last_mut() {
                        merges.push(((clamp(row), clamp(column)), (clamp(end.0), clamp(end.1))));
                    }
                }
                column = column.saturating_add(repeats);
            }
            _ => {}
        }
    }
    Ok(scan)
}

fn clamp(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A CSV file as the items sheet: UTF-8 (with or without BOM), UTF-16 (BOM, or a text of
/// ASCII letters with zero bytes between), else Windows-1258; the delimiter is sniffed.
pub fn csv(bytes: &[u8], sheet_name: &str, limits: &Limits) -> Result<(Grid, &'static str)> {
    let (text, encoding) = decode_text(bytes);
    let mut body = text.as_str();
    // Excel's `sep=;` first line names the delimiter.
    let mut delimiter = None;
    if let Some(rest) = body.strip_prefix("sep=") {
        let mut chars = rest.chars();
        delimiter = chars.next().filter(char::is_ascii).map(|c| c as u8);
        body = rest.split_once('\n').map_or("", |(_, after)| after);
    }
    let delimiter = delimiter.unwrap_or_else(|| sniff_delimiter(body));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut grid = Grid { name: sheet_name.to_string(), ..Grid::default() };
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| not_a_workbook("CSV file", e))?;
        for (column, field) in record.iter().enumerate() {
            if !field.trim().is_empty() {
                grid.put(clamp(row as u64), clamp(column as u64), Cell::Text(field.to_string()), limits)?;
            }
        }
    }
    Ok((grid, encoding))
}

/// Decodes a text file, naming the encoding found.
pub fn decode_text(bytes: &[u8]) -> (String, &'static str) {
    use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1258};
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        return (text.into_owned(), encoding.name());
    }
    // UTF-16 without a BOM: in Vietnamese text most code units have a zero byte.
    let zeros_at = |parity: usize| bytes.iter().skip(parity).step_by(2).filter(|b| **b == 0).count();
    if bytes.len() >= 4 && zeros_at(1) * 3 > bytes.len() / 2 {
        return (UTF_16LE.decode_without_bom_handling(bytes).0.into_owned(), UTF_16LE.name());
    }
    if bytes.len() >= 4 && zeros_at(0) * 3 > bytes.len() / 2 {
        return (UTF_16BE.decode_without_bom_handling(bytes).0.into_owned(), UTF_16BE.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), "UTF-8"),
        Err(_) => (WINDOWS_1258.decode_without_bom_handling(bytes).0.into_owned(), WINDOWS_1258.name()),
    }
}

/// The most frequent of `,` `;` tab `|` outside quotes on the first line.
fn sniff_delimiter(text: &str) -> u8 {
    let first_line = text.lines().next().unwrap_or("");
    let mut in_quotes = false;
    let mut counts = [0usize; 4];
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    for byte in first_line.bytes() {
        if byte == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes && let Some(i) = CANDIDATES.iter().position(|c| *c == byte) {
            counts[i] += 1;
        }
    }
    let best = (0..4).max_by_key(|i| (counts[*i], std::cmp::Reverse(*i))).unwrap_or(0);
    CANDIDATES[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_encodings_are_recognised() {
        let text = "Tên chi bộ;Số\nCHI BỘ THÔN ĐÔNG HẢI;19\n";
        let utf16le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend_from_slice(text.as_bytes());
        for (bytes, name) in [(text.as_bytes().to_vec(), "UTF-8"), (with_bom, "UTF-8"), (utf16le, "UTF-16LE")]
        {
            let (decoded, encoding) = decode_text(&bytes);
            assert_eq!(encoding, name);
            use unicode_normalization::UnicodeNormalization;
            assert_eq!(decoded.nfc().collect::<String>(), text, "{name}");
        }
        // Windows-1258 writes `Đảng` as Đ, a, a combining hook, n, g.
        let (decoded, encoding) = decode_text(&[0xD0, b'a', 0xD2, b'n', b'g', b';', b'1']);
        assert_eq!(encoding, "windows-1258");
        use unicode_normalization::UnicodeNormalization;
        assert_eq!(decoded.nfc().collect::<String>(), "Đảng;1");
        assert_eq!(sniff_delimiter("a;b;\"c,d\"\n"), b';');
        assert_eq!(sniff_delimiter("a,b,c\n"), b',');
        assert_eq!(sniff_delimiter("a\tb\n"), b'\t');
    }
}
