//! Spreadsheets for ward offices: the workbook of a document type, a batch written into one, and
//! an uploaded XLSX, ODS or CSV read back into a batch request, every value remembering its cell.
//!
//! ```text
//! schema ─layout→ columns ─write→ XLSX          (template, or a batch filled in)
//! XLSX/ODS/CSV ─read (limits)→ grids ─columns→ batch JSON + provenance (pointer → sheet!A1)
//! ```
//!
//! The workbook has `Hướng dẫn` (instructions), `Chung` (the batch `defaults`, one field per
//! row), `Chi bộ` (one item per row: Vietnamese headers in row 1, the JSON Pointer each column
//! fills in hidden row 2, so columns can be reordered and headers reworded), one sheet per list
//! of objects (keyed by the item's `STT`), and the hidden `Danh mục` behind the drop-downs.
//! Problems found later (schema, consistency) are located back to cells through
//! [`Provenance`], so a dry run and a 422 name the sheet, row and column.

mod cells;
mod layout;
pub mod legacy;
pub mod read;
mod write;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value, json};

pub use layout::{Column, Kind, Layout, ListSheet};
pub use read::Limits;

use crate::Engine;
use crate::catalog::{Catalog, Template};
use crate::error::{Error, Issue, Location, Result, Severity};
use read::{Cell, Grid};

/// The instructions sheet.
pub const GUIDE_SHEET: &str = "Hướng dẫn";
/// The sheet of the batch `defaults`.
pub const DEFAULTS_SHEET: &str = "Chung";
/// The sheet with one row per item.
pub const ITEMS_SHEET: &str = "Chi bộ";
/// The hidden sheet of drop-down lists.
pub const LISTS_SHEET: &str = "Danh mục";
/// Pointer-row marker of the item number column (`STT`).
pub const ITEM_NUMBER: &str = "#";
/// Media type of XLSX.
pub const XLSX_MEDIA_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Media type of ODS.
pub const ODS_MEDIA_TYPE: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// Batch options on the `Chung` sheet: pointer-row key (`#` and the request field), label, kind.
fn batch_options() -> [(&'static str, &'static str, Kind); 3] {
    [
        ("#file_name", "Mẫu tên tệp PDF (để trống: mặc định)", Kind::Text),
        ("#merged_pdf", "Thêm một tệp PDF gộp tất cả để in (all.pdf)", Kind::Boolean),
        (
            "#on_error",
            "Khi một chi bộ có lỗi: fail (dừng cả lô) hoặc skip (bỏ qua chi bộ đó)",
            Kind::Choice(vec!["fail".into(), "skip".into()]),
        ),
    ]
}

/// A spreadsheet format we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Office Open XML workbook (Excel).
    Xlsx,
    /// OpenDocument spreadsheet (LibreOffice Calc).
    Ods,
    /// Comma- (or semicolon-, tab-) separated values: the items sheet alone.
    Csv,
}

impl Format {
    /// The format of a `Content-Type` (its essence, lower-case), if it is a spreadsheet.
    pub fn from_media_type(essence: &str) -> Option<Format> {
        match essence {
            XLSX_MEDIA_TYPE => Some(Format::Xlsx),
            ODS_MEDIA_TYPE => Some(Format::Ods),
            "text/csv" | "application/csv" | "text/comma-separated-values" => Some(Format::Csv),
            _ => None,
        }
    }

    /// The format of a file, by its extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "ods" => Some(Format::Ods),
            "csv" | "tsv" | "txt" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// How an upload is read.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The template; needed for CSV, else read from the `Chung` sheet.
    pub template: Option<String>,
    /// Use the Unicode conversion of text detected as TCVN3 or VNI (reported either way).
    pub convert_legacy: bool,
    /// Size, row and column limits.
    pub limits: Limits,
}

/// An upload read into a batch request.
#[derive(Debug)]
pub struct Imported {
    /// The batch request (`template`, `defaults`, `items`, options).
    pub batch: Value,
    /// Where each value came from.
    pub provenance: Provenance,
    /// Cells that could not be read (a date that is no date, a formula without a value…).
    pub errors: Vec<Issue>,
    /// Cells read but worth a look (legacy-encoded text).
    pub warnings: Vec<Issue>,
}

/// Maps JSON Pointers of the batch request back to cells.
#[derive(Debug, Default)]
pub struct Provenance {
    cells: BTreeMap<String, Location>,
    rows: BTreeMap<String, RowAnchor>,
}

#[derive(Debug, Clone)]
struct RowAnchor {
    sheet: String,
    row: u32,
    /// Pointer (relative to the row's object) → column letter.
    columns: Arc<Vec<(String, String)>>,
}

impl Provenance {
    /// The cell behind `pointer`: the cell itself, the `Chung` cell an item inherited it from,
    /// or the cell of the row and column where it belongs (a missing value).
    pub fn locate(&self, pointer: &str) -> Option<Location> {
        if let Some(location) = self.cells.get(pointer) {
            return Some(location.clone());
        }
        if let Some(rest) = item_relative(pointer)
            && let Some(location) = self.cells.get(&format!("/defaults{rest}"))
        {
            return Some(location.clone());
        }
        let (key, anchor) = self
            .rows
            .iter()
            .filter(|(key, _)| pointer == key.as_str() || pointer.starts_with(&format!("{key}/")))
            .max_by_key(|(key, _)| key.len())?;
        let relative = &pointer[key.len()..];
        let column = anchor
            .columns
            .iter()
            .find(|(p, _)| p == relative)
            .or_else(|| {
                anchor
                    .columns
                    .iter()
                    .find(|(p, _)| !relative.is_empty() && p.starts_with(&format!("{relative}/")))
            })
            .or_else(|| anchor.columns.first())
            .map_or_else(|| "A".to_string(), |(_, letter)| letter.clone());
        Some(Location { sheet: anchor.sheet.clone(), row: anchor.row, column })
    }

    /// The issues with their cells.
    pub fn locate_all(&self, issues: Vec<Issue>) -> Vec<Issue> {
        issues
            .into_iter()
            .map(|mut issue| {
                if issue.location.is_none() {
                    issue.location = self.locate(&issue.pointer);
                }
                issue
            })
            .collect()
    }
}

/// `/items/3/vote/for` → `/vote/for`.
fn item_relative(pointer: &str) -> Option<&str> {
    let rest = pointer.strip_prefix("/items/")?;
    let slash = rest.find('/')?;
    rest[..slash].parse::<usize>().ok()?;
    Some(&rest[slash..])
}

fn location(sheet: &str, row: u32, column: u32) -> Location {
    Location { sheet: sheet.to_string(), row: row + 1, column: column_letter(column) }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`.
pub fn column_letter(column: u32) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// The blank workbook of `template` (one of `catalog`'s).
pub fn template_workbook(catalog: &Catalog, template: &Template) -> Result<Vec<u8>> {
    let layout = Layout::of_template(catalog, template);
    write::workbook(template, &layout, &write::Content { defaults: None, items: &[], options: &[] }, &[])
}

/// A batch request (JSON) written into its template's workbook. A value the workbook has no
/// place for is a 422 at its pointer.
pub fn export(catalog: &Catalog, batch: &Value) -> Result<Vec<u8>> {
    let template_id = batch.get("template").and_then(Value::as_str).ok_or_else(|| {
        Error::Invalid(vec![Issue::error("/template", "required", "the batch names no template")])
    })?;
    let template = catalog.get(template_id)?;
    let layout = Layout::of_template(catalog, template);
    let defaults = batch.get("defaults").filter(|d| !d.is_null());
    let items: &[Value] = batch.get("items").and_then(Value::as_array).map_or(&[], Vec::as_slice);
    let mut problems = Vec::new();
    if let Some(defaults) = defaults {
        unplaced(&layout, defaults, "", "/defaults", &mut problems);
    }
    for (index, item) in items.iter().enumerate() {
        unplaced(&layout, item, "", &format!("/items/{index}"), &mut problems);
    }
    if let Some(object) = batch.as_object() {
        for key in object.keys() {
            if !["template", "defaults", "items", "file_name", "merged_pdf", "on_error"]
                .contains(&key.as_str())
            {
                problems.push(Issue::error(
                    format!("/{key}"),
                    "unknown_field",
                    "not a field of a batch request",
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let options: Vec<(&'static str, Value)> = batch_options()
        .iter()
        .filter_map(|(key, _, _)| batch.get(&key[1..]).map(|value| (*key, value.clone())))
        .collect();
    write::workbook(template, &layout, &write::Content { defaults, items, options: &options }, &[])
}

/// Values of `value` (at `relative` inside an item) that no column or list sheet holds.
fn unplaced(layout: &Layout, value: &Value, relative: &str, absolute: &str, problems: &mut Vec<Issue>) {
    if layout.column(relative).is_some() || value.is_null() {
        return;
    }
    if let Some(list) = layout.list(relative) {
        let Some(entries) = value.as_array() else {
            problems.push(Issue::error(absolute, "not_in_workbook", "a list of objects was expected here"));
            return;
        };
        for (index, entry) in entries.iter().enumerate() {
            let Some(object) = entry.as_object() else {
                problems.push(Issue::error(
                    format!("{absolute}/{index}"),
                    "not_in_workbook",
                    "an object was expected here",
                ));
                continue;
            };
            for (key, field) in object {
                let pointer = format!("/{}", crate::error::pointer_token(key));
                if !field.is_null() && !list.columns.iter().any(|c| c.pointer == pointer) {
                    problems.push(Issue::error(
                        format!("{absolute}/{index}{pointer}"),
                        "not_in_workbook",
                        "the workbook has no column for this field",
                    ));
                }
            }
        }
        return;
    }
    match value.as_object() {
        Some(object) => {
            for (key, field) in object {
                let token = format!("/{}", crate::error::pointer_token(key));
                unplaced(
                    layout,
                    field,
                    &format!("{relative}{token}"),
                    &format!("{absolute}{token}"),
                    problems,
                );
            }
        }
        None => problems.push(Issue::error(
            absolute,
            "not_in_workbook",
            "the workbook has no column for this field",
        )),
    }
}

/// Reads an upload into a batch request. Fails only if the file cannot be read at all or breaks
/// a limit; problems in cells are in [`Imported::errors`].
pub fn import(catalog: &Catalog, bytes: &[u8], format: Format, options: &ImportOptions) -> Result<Imported> {
    let limits = &options.limits;
    let grids = match format {
        Format::Xlsx => read::xlsx(bytes, limits)?,
        Format::Ods => read::ods(bytes, limits)?,
        Format::Csv => vec![read::csv(bytes, ITEMS_SHEET, limits)?.0],
    };
    let defaults_grid = grids.iter().find(|g| g.name == DEFAULTS_SHEET);
    let template_id =
        options.template.clone().or_else(|| defaults_grid.and_then(template_of)).ok_or_else(|| {
            Error::Invalid(vec![Issue::error(
                "/template",
                "template_required",
                "name the template (`?template=resolution`, `--template`): a CSV file holds only the items",
            )])
        })?;
    let template = catalog.get(&template_id)?;
    let layout = Layout::of_template(catalog, template);
    let mut reader = Importer {
        layout: &layout,
        provenance: Provenance::default(),
        errors: Vec::new(),
        warnings: Vec::new(),
        convert_legacy: options.convert_legacy,
        file_legacy: legacy::prevailing(
            grids
                .iter()
                // The office's own texts: not the sheets and headers the workbook came with.
                .filter(|grid| grid.name != GUIDE_SHEET && grid.name != LISTS_SHEET)
                .flat_map(|grid| {
                    let values_only = grid.name == DEFAULTS_SHEET;
                    grid.cells.iter().filter(
                        move |((row, column), _)| {
                            if values_only { *column == 1 } else { *row >= 1 }
                        },
                    )
                })
                .filter_map(|(_, cell)| match cell {
                    Cell::Text(text) => Some(text.as_str()),
                    _ => None,
                }),
        ),
    };
    let mut batch = Map::new();
    batch.insert("template".into(), Value::String(template.id.clone()));
    let mut defaults = Value::Object(Map::new());
    if let Some(grid) = defaults_grid {
        reader.defaults(grid, &mut defaults, &mut batch);
    }
    let items_grid = grids
        .iter()
        .find(|g| g.get(1, 0) == Some(&Cell::Text(ITEM_NUMBER.into())))
        .or_else(|| grids.iter().find(|g| g.name == ITEMS_SHEET))
        .or_else(|| (format == Format::Csv).then(|| &grids[0]));
    let Some(items_grid) = items_grid else {
        return Err(Error::Invalid(vec![Issue::error(
            "/items",
            "no_items_sheet",
            format!("the workbook has no sheet «{ITEMS_SHEET}» (one row per cell)"),
        )]));
    };
    let (mut items, numbers) = reader.items(items_grid);
    for grid in &grids {
        let Some(Cell::Text(pointer)) = grid.get(1, 0) else { continue };
        if let Some(list) = layout.list(pointer) {
            reader.list(grid, list, &numbers, &mut defaults, &mut items);
        }
    }
    if items.is_empty() {
        let mut issue = Issue::error(
            "/items",
            "no_items",
            format!("trang «{}» chưa có chi bộ nào (mỗi chi bộ một dòng)", items_grid.name),
        );
        issue.location = Some(location(&items_grid.name, write::FIRST_DATA_ROW, 0));
        reader.errors.push(issue);
    }
    if defaults.as_object().is_some_and(|d| !d.is_empty()) {
        batch.insert("defaults".into(), defaults);
    }
    batch.insert("items".into(), Value::Array(items));
    let Importer { provenance, errors, warnings, .. } = reader;
    Ok(Imported { batch: Value::Object(batch), provenance, errors, warnings })
}

fn template_of(grid: &Grid) -> Option<String> {
    let row = (0..grid.height()).find(|row| grid.get(*row, 2) == Some(&Cell::Text("#template".into())))?;
    Some(cells::text(grid.get(row, 1)?).trim().to_string())
}

struct Importer<'a> {
    layout: &'a Layout,
    provenance: Provenance,
    errors: Vec<Issue>,
    warnings: Vec<Issue>,
    convert_legacy: bool,
    /// The legacy encoding the file's clearly legacy texts are in, if any.
    file_legacy: Option<legacy::Legacy>,
}

impl Importer<'_> {
    /// One cell's value, or `None` (its problem recorded) if it has none.
    fn cell_value(
        &mut self,
        cell: &Cell,
        kind: &Kind,
        pointer: &str,
        sheet: &str,
        row: u32,
        column: u32,
    ) -> Option<Value> {
        let here = location(sheet, row, column);
        let mut value = match cells::value(cell, kind) {
            Ok(value) => value,
            Err(message) => {
                let mut issue = Issue::error(pointer, "cell_value", message);
                issue.location = Some(here);
                self.errors.push(issue);
                return None;
            }
        };
        self.check_legacy(&mut value, pointer, &here);
        self.provenance.cells.insert(pointer.to_string(), here);
        Some(value)
    }

    /// Reports (and, if asked, converts) text that reads as TCVN3 or VNI.
    fn check_legacy(&mut self, value: &mut Value, pointer: &str, here: &Location) {
        match value {
            Value::String(text) => {
                let found = legacy::detect(text)
                    .map(|(encoding, converted)| (encoding, converted, ""))
                    .or_else(|| {
                        let encoding = self.file_legacy?;
                        let converted = legacy::convert_as(text, encoding)?;
                        Some((encoding, converted, " như các ô khác của tệp"))
                    });
                if let Some((encoding, converted, like_the_rest)) = found {
                    let action = if self.convert_legacy {
                        "đã chuyển sang Unicode"
                    } else {
                        "chưa chuyển: để dùng bản chuyển, gửi lại và chọn chuyển sang Unicode \
                         (convert_legacy=true, --convert-legacy)"
                    };
                    let mut issue = Issue::warning(
                        pointer,
                        "legacy_encoding",
                        format!(
                            "chữ có vẻ gõ bằng bảng mã {}{like_the_rest}: «{text}» đọc là «{converted}» ({action})",
                            encoding.name()
                        ),
                    );
                    issue.location = Some(here.clone());
                    self.warnings.push(issue);
                    if self.convert_legacy {
                        *text = converted;
                    }
                }
            }
            Value::Array(entries) => {
                for (index, entry) in entries.iter_mut().enumerate() {
                    self.check_legacy(entry, &format!("{pointer}/{index}"), here);
                }
            }
            _ => {}
        }
    }

    /// The `Chung` sheet: pointer in column C, value in column B.
    fn defaults(&mut self, grid: &Grid, defaults: &mut Value, batch: &mut Map<String, Value>) {
        for row in 1..grid.height() {
            let Some(Cell::Text(pointer)) = grid.get(row, 2) else { continue };
            let Some(cell) = grid.get(row, 1) else { continue };
            if pointer == "#template" {
                continue;
            }
            if let Some((key, _, kind)) = batch_options().into_iter().find(|(key, _, _)| key == pointer) {
                let key = &key[1..];
                if let Some(value) = self.cell_value(cell, &kind, &format!("/{key}"), &grid.name, row, 1) {
                    batch.insert(key.to_string(), value);
                }
                continue;
            }
            let Some(column) = self.layout.column(pointer) else {
                self.unknown_column(&grid.name, row, 2, pointer);
                continue;
            };
            let absolute = format!("/defaults{pointer}");
            if let Some(value) = self.cell_value(cell, &column.kind, &absolute, &grid.name, row, 1) {
                set(defaults, pointer, value);
            }
        }
    }

    fn unknown_column(&mut self, sheet: &str, row: u32, column: u32, header: &str) {
        let mut issue = Issue::error(
            "",
            "unknown_column",
            format!("cột «{header}» không ứng với trường nào của mẫu văn bản này"),
        );
        issue.location = Some(location(sheet, row, column));
        self.errors.push(issue);
    }

    /// Which column fills which pointer: the hidden pointer row if present, else the headers
    /// (matched loosely, or a header that is itself a pointer). Returns the first data row.
    fn columns(&mut self, grid: &Grid, known: &[&Column]) -> (Vec<(u32, Column)>, u32) {
        let width = grid.cells.keys().map(|(_, c)| c + 1).max().unwrap_or(0);
        let pointer_row = (0..width).any(|c| match grid.get(1, c) {
            Some(Cell::Text(t)) => t == ITEM_NUMBER || t.starts_with('/'),
            _ => false,
        });
        let (key_row, first_data_row) = if pointer_row { (1, 2) } else { (0, 1) };
        let mut columns = Vec::new();
        let mut seen = HashMap::new();
        for c in 0..width {
            let Some(cell) = grid.get(key_row, c) else { continue };
            let key = cells::text(cell);
            let found = known
                .iter()
                .find(|col| col.pointer == key.trim() || (!pointer_row && loose(&col.header) == loose(&key)));
            match found {
                Some(column) => {
                    if let Some(previous) = seen.insert(column.pointer.clone(), c) {
                        let mut issue = Issue::error(
                            "",
                            "duplicate_column",
                            format!(
                                "cột {} và cột {} cùng ghi vào một trường",
                                column_letter(previous),
                                column_letter(c)
                            ),
                        );
                        issue.location = Some(location(&grid.name, key_row, c));
                        self.errors.push(issue);
                    } else {
                        columns.push((c, (*column).clone()));
                    }
                }
                None => self.unknown_column(&grid.name, key_row, c, &key),
            }
        }
        (columns, first_data_row)
    }

    /// The items sheet; returns the items and, per item, its number (`STT`).
    fn items(&mut self, grid: &Grid) -> (Vec<Value>, HashMap<String, usize>) {
        let number = Column { pointer: ITEM_NUMBER.into(), header: "STT".into(), kind: Kind::Integer };
        let known: Vec<&Column> = std::iter::once(&number).chain(&self.layout.columns).collect();
        let (columns, first_row) = self.columns(grid, &known);
        let letters: Arc<Vec<(String, String)>> =
            Arc::new(columns.iter().map(|(c, col)| (col.pointer.clone(), column_letter(*c))).collect());
        let mut items = Vec::new();
        let mut numbers = HashMap::new();
        for row in first_row..grid.height() {
            let has_data =
                columns.iter().any(|(c, col)| col.pointer != ITEM_NUMBER && grid.get(row, *c).is_some());
            if !has_data {
                continue;
            }
            let index = items.len();
            let prefix = format!("/items/{index}");
            self.provenance.rows.insert(
                prefix.clone(),
                RowAnchor { sheet: grid.name.clone(), row: row + 1, columns: letters.clone() },
            );
            let mut item = Value::Object(Map::new());
            let mut item_number = (index + 1).to_string();
            for (c, column) in &columns {
                let Some(cell) = grid.get(row, *c) else { continue };
                if column.pointer == ITEM_NUMBER {
                    item_number = cells::text(cell).trim().to_string();
                    continue;
                }
                let pointer = format!("{prefix}{}", column.pointer);
                if let Some(value) = self.cell_value(cell, &column.kind, &pointer, &grid.name, row, *c) {
                    set(&mut item, &column.pointer, value);
                }
            }
            if let Some(previous) = numbers.insert(item_number.clone(), index) {
                let mut issue = Issue::error(
                    format!("/items/{previous}"),
                    "duplicate_number",
                    format!("STT {item_number} có ở hai dòng; mỗi chi bộ một số"),
                );
                issue.location = Some(location(&grid.name, row, 0));
                self.errors.push(issue);
            }
            items.push(item);
        }
        (items, numbers)
    }

    /// A list sheet: each row appended to the list of the item it names (or of `Chung`).
    fn list(
        &mut self,
        grid: &Grid,
        list: &ListSheet,
        numbers: &HashMap<String, usize>,
        defaults: &mut Value,
        items: &mut [Value],
    ) {
        let key = Column { pointer: list.pointer.clone(), header: String::new(), kind: Kind::Text };
        let known: Vec<&Column> = std::iter::once(&key).chain(&list.columns).collect();
        let (columns, first_row) = self.columns(grid, &known);
        let letters: Arc<Vec<(String, String)>> =
            Arc::new(columns.iter().map(|(c, col)| (col.pointer.clone(), column_letter(*c))).collect());
        let key_column = columns.iter().find(|(_, col)| col.pointer == list.pointer).map(|(c, _)| *c);
        for row in first_row..grid.height() {
            let has_data =
                columns.iter().any(|(c, col)| col.pointer != list.pointer && grid.get(row, *c).is_some());
            if !has_data {
                continue;
            }
            let owner =
                key_column.and_then(|c| grid.get(row, c)).map(|cell| cells::text(cell).trim().to_string());
            let (target, prefix) = match owner.as_deref() {
                Some(o) if o.eq_ignore_ascii_case("chung") => (&mut *defaults, "/defaults".to_string()),
                Some(o) if numbers.contains_key(o) => {
                    let index = numbers[o];
                    (&mut items[index], format!("/items/{index}"))
                }
                other => {
                    let mut issue = Issue::error(
                        "",
                        "unknown_item",
                        format!(
                            "cột A phải ghi STT của một chi bộ trên trang «{ITEMS_SHEET}» hoặc «Chung», không phải «{}»",
                            other.unwrap_or("")
                        ),
                    );
                    issue.location = Some(location(&grid.name, row, key_column.unwrap_or(0)));
                    self.errors.push(issue);
                    continue;
                }
            };
            let entries = ensure_array(target, &list.pointer);
            let entry_index = entries.len();
            let entry_prefix = format!("{prefix}{}/{entry_index}", list.pointer);
            let mut entry = Value::Object(Map::new());
            for (c, column) in &columns {
                if column.pointer == list.pointer {
                    continue;
                }
                let Some(cell) = grid.get(row, *c) else { continue };
                let pointer = format!("{entry_prefix}{}", column.pointer);
                if let Some(value) = self.cell_value(cell, &column.kind, &pointer, &grid.name, row, *c) {
                    set(&mut entry, &column.pointer, value);
                }
            }
            ensure_array(target, &list.pointer).push(entry);
            self.provenance.rows.insert(
                entry_prefix,
                RowAnchor { sheet: grid.name.clone(), row: row + 1, columns: letters.clone() },
            );
        }
    }
}

/// Header text compared loosely: NFC, case, spaces and punctuation do not matter.
fn loose(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().flat_map(char::to_lowercase).filter(|c| c.is_alphanumeric()).collect()
}

/// Sets `value` at `pointer` (of object keys) inside `target`, creating objects on the way.
fn set(target: &mut Value, pointer: &str, value: Value) {
    let mut current = target;
    let tokens: Vec<String> =
        pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
    for (i, token) in tokens.iter().enumerate() {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let Value::Object(map) = current else { return };
        if i + 1 == tokens.len() {
            map.insert(token.clone(), value);
            return;
        }
        current = map.entry(token.clone()).or_insert_with(|| Value::Object(Map::new()));
    }
}

fn ensure_array<'v>(target: &'v mut Value, pointer: &str) -> &'v mut Vec<Value> {
    if !target.pointer(pointer).is_some_and(Value::is_array) {
        set(target, pointer, Value::Array(Vec::new()));
    }
    match target.pointer_mut(pointer) {
        Some(Value::Array(entries)) => entries,
        _ => unreachable!("an array was just set at {pointer}"),
    }
}

/// What a dry run found: every problem with its cell, and a line per item.
#[derive(Debug, Serialize)]
pub struct DryRun {
    /// True when the batch would render with no error.
    pub ok: bool,
    /// Template id.
    pub template: String,
    /// Number of items.
    pub items: usize,
    /// Per item: its row and whether it has problems.
    pub rows: Vec<RowStatus>,
    /// Every error and warning.
    pub problems: Vec<Issue>,
}

/// One item in a dry run.
#[derive(Debug, Serialize)]
pub struct RowStatus {
    /// Position in `items`.
    pub index: usize,
    /// Where the item's row is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Errors of this item.
    pub errors: usize,
    /// Warnings of this item.
    pub warnings: usize,
}

/// Checks a batch request as `POST /v1/batch` would, renders nothing, and lists every problem
/// (located in the spreadsheet when it came from one).
pub fn dry_run(
    engine: &Engine,
    batch: &Value,
    imported: Option<&Imported>,
    max_items: usize,
) -> Result<DryRun> {
    let mut problems: Vec<Issue> =
        imported.map(|i| [i.errors.clone(), i.warnings.clone()].concat()).unwrap_or_default();
    let mut checked = batch.clone();
    if let Some(object) = checked.as_object_mut() {
        // Every problem of every item, whatever the request says to do with them.
        object.insert("on_error".into(), json!("fail"));
    }
    match engine.prepare_batch_request(checked, max_items) {
        Ok(_) => {}
        Err(Error::Invalid(issues)) => problems.extend(issues),
        Err(other) => return Err(other),
    }
    if let Some(imported) = imported {
        problems = imported.provenance.locate_all(problems);
    }
    let items = batch.get("items").and_then(Value::as_array).map_or(0, Vec::len);
    let rows = (0..items)
        .map(|index| {
            let prefix = format!("/items/{index}");
            let mine = |severity| {
                problems
                    .iter()
                    .filter(|p| {
                        p.severity == severity
                            && (p.pointer == prefix || p.pointer.starts_with(&format!("{prefix}/")))
                    })
                    .count()
            };
            RowStatus {
                index,
                location: imported.and_then(|i| i.provenance.locate(&prefix)),
                errors: mine(Severity::Error),
                warnings: mine(Severity::Warning),
            }
        })
        .collect();
    Ok(DryRun {
        ok: !problems.iter().any(|p| p.severity == Severity::Error),
        template: batch.get("template").and_then(Value::as_str).unwrap_or_default().to_string(),
        items,
        rows,
        problems,
    })
}

/// Reads an upload and prepares its batch: a 422 locates every problem in the spreadsheet.
pub fn prepare<'e>(
    engine: &'e Engine,
    imported: &Imported,
    max_items: usize,
) -> Result<crate::batch::PreparedBatch<'e>> {
    if !imported.errors.is_empty() {
        return Err(Error::Invalid(imported.errors.clone()));
    }
    engine.prepare_batch_request(imported.batch.clone(), max_items).map_err(|error| match error {
        Error::Invalid(issues) => Error::Invalid(imported.provenance.locate_all(issues)),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        let letters: Vec<_> = [0, 25, 26, 27, 701, 702].into_iter().map(column_letter).collect();
        assert_eq!(letters, ["A", "Z", "AA", "AB", "ZZ", "AAA"]);
    }

    #[test]
    fn pointers_are_set_through_objects() {
        let mut value = json!({});
        set(&mut value, "/vote/for", json!(3));
        set(&mut value, "/vote/against", json!(0));
        set(&mut value, "/a~1b", json!(true));
        assert_eq!(value, json!({ "vote": { "for": 3, "against": 0 }, "a/b": true }));
    }
}
