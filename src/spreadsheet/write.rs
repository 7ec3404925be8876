//! Writing workbooks (XLSX, with rust_xlsxwriter): the blank template of a document type, or a
//! batch filled in.
//!
//! Every string goes in as a string cell, never a formula; one that starts like a formula
//! (`=`, `+`, `-`, `@`) also gets Excel's quote prefix, so editing the cell keeps it text.

use rust_xlsxwriter::{
    Color, DataValidation, ExcelDateTime, Format, FormatAlign, Formula, Note, Workbook, Worksheet, XlsxError,
};
use serde_json::Value;

use super::layout::{Column, Kind, Layout};
use super::{
    DEFAULTS_SHEET, GUIDE_SHEET, ITEM_NUMBER, ITEMS_SHEET, LISTS_SHEET, batch_options, column_letter,
};
use crate::catalog::Template;
use crate::error::{Error, Result};

/// Rows of the data area that carry drop-downs and formats (beyond, Excel's defaults apply).
const DATA_ROWS: u32 = 1000;
/// First data row (zero-based): row 1 holds headers, row 2 the hidden pointers.
pub const FIRST_DATA_ROW: u32 = 2;

/// What goes into the workbook besides the layout: the batch's values, if any.
pub struct Content<'a> {
    /// `defaults` of the batch.
    pub defaults: Option<&'a Value>,
    /// The items.
    pub items: &'a [Value],
    /// Batch options shown on the `Chung` sheet (`file_name`, `merged_pdf`, `on_error`).
    pub options: &'a [(&'static str, Value)],
}

/// A note on a cell: (sheet, zero-based row, zero-based column, text).
pub type CellNote = (String, u32, u32, String);

struct Formats {
    header: Format,
    pointer: Format,
    text: Format,
    text_quoted: Format,
    wrapped: Format,
    wrapped_quoted: Format,
    date: Format,
    guide: Format,
    guide_title: Format,
}

impl Formats {
    fn new() -> Self {
        let text = Format::new().set_num_format("@").set_align(FormatAlign::Top);
        let wrapped = text.clone().set_text_wrap();
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xDDEBF7)),
            pointer: Format::new().set_font_color(Color::Gray),
            text_quoted: text.clone().set_quote_prefix(),
            text,
            wrapped_quoted: wrapped.clone().set_quote_prefix(),
            wrapped,
            date: Format::new().set_num_format("dd/mm/yyyy").set_align(FormatAlign::Top),
            guide: Format::new().set_font_size(13).set_text_wrap().set_align(FormatAlign::Top),
            guide_title: Format::new().set_font_size(16).set_bold(),
        }
    }
}

/// The workbook for `template`, filled with `content`, with `notes` on the listed cells.
pub fn workbook(
    template: &Template,
    layout: &Layout,
    content: &Content,
    notes: &[CellNote],
) -> Result<Vec<u8>> {
    build(template, layout, content, notes).map_err(|e| Error::Internal(format!("writing the workbook: {e}")))
}

fn build(
    template: &Template,
    layout: &Layout,
    content: &Content,
    notes: &[CellNote],
) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let mut lists = Worksheet::new();
    lists.set_name(LISTS_SHEET)?;
    let mut choices = Choices { sheet: &mut lists, next_column: 0 };

    let mut guide = Worksheet::new();
    guide.set_name(GUIDE_SHEET)?;
    write_guide(&mut guide, template, layout, &formats)?;

    let mut defaults = Worksheet::new();
    defaults.set_name(DEFAULTS_SHEET)?;
    write_defaults(&mut defaults, template, layout, content, &formats, &mut choices)?;

    let mut items = Worksheet::new();
    items.set_name(ITEMS_SHEET)?;
    let number_column = Column { pointer: ITEM_NUMBER.into(), header: "STT".into(), kind: Kind::Integer };
    let columns: Vec<&Column> = std::iter::once(&number_column).chain(&layout.columns).collect();
    write_header(&mut items, &columns, &formats, &mut choices)?;
    for (index, item) in content.items.iter().enumerate() {
        let row = FIRST_DATA_ROW + index as u32;
        items.write_number(row, 0, (index + 1) as f64)?;
        for (column, spec) in columns.iter().enumerate().skip(1) {
            if let Some(value) = item.pointer(&spec.pointer) {
                write_value(&mut items, row, column as u16, value, &spec.kind, &formats)?;
            }
        }
    }

    let mut list_sheets = Vec::new();
    for list in &layout.lists {
        let mut sheet = Worksheet::new();
        sheet.set_name(&list.sheet)?;
        let key = Column {
            pointer: list.pointer.clone(),
            header: "STT chi bộ (hoặc Chung)".into(),
            kind: Kind::Text,
        };
        let columns: Vec<&Column> = std::iter::once(&key).chain(&list.columns).collect();
        write_header(&mut sheet, &columns, &formats, &mut choices)?;
        let owners = content.defaults.into_iter().map(|d| ("Chung".to_string(), d));
        let owners =
            owners.chain(content.items.iter().enumerate().map(|(i, item)| ((i + 1).to_string(), item)));
        let mut row = FIRST_DATA_ROW;
        for (owner, value) in owners {
            for entry in value.pointer(&list.pointer).and_then(Value::as_array).into_iter().flatten() {
                sheet.write_string(row, 0, &owner)?;
                for (column, spec) in columns.iter().enumerate().skip(1) {
                    if let Some(value) = entry.pointer(&spec.pointer) {
                        write_value(&mut sheet, row, column as u16, value, &spec.kind, &formats)?;
                    }
                }
                row += 1;
            }
        }
        list_sheets.push(sheet);
    }

    let mut sheets = vec![guide, defaults, items];
    sheets.extend(list_sheets);
    for (sheet_name, row, column, text) in notes {
        if let Some(sheet) = sheets.iter_mut().find(|s| s.name() == *sheet_name) {
            sheet.insert_note(*row, *column as u16, &Note::new(text).set_author("vanban"))?;
        }
    }
    sheets[2].set_active(true);
    lists.set_hidden(true);
    for sheet in sheets {
        workbook.push_worksheet(sheet);
    }
    workbook.push_worksheet(lists);
    workbook.save_to_buffer()
}

/// The hidden `Danh mục` sheet: one column per drop-down list.
struct Choices<'a> {
    sheet: &'a mut Worksheet,
    next_column: u16,
}

impl Choices<'_> {
    /// A drop-down of `values`, its list written to the hidden sheet (an inline list is limited
    /// to 255 characters).
    fn validation(&mut self, values: &[String]) -> Result<DataValidation, XlsxError> {
        let column = self.next_column;
        self.next_column += 1;
        for (row, value) in values.iter().enumerate() {
            self.sheet.write_string(row as u32, column, value)?;
        }
        let letter = column_letter(u32::from(column));
        let range = format!("='{LISTS_SHEET}'!${letter}$1:${letter}${}", values.len().max(1));
        DataValidation::new()
            .allow_list_formula(Formula::new(range))
            .set_error_title("Giá trị không hợp lệ")?
            .set_error_message("Hãy chọn một giá trị trong danh sách.")
    }
}

fn validation_for(kind: &Kind, choices: &mut Choices) -> Result<Option<DataValidation>, XlsxError> {
    Ok(match kind {
        Kind::Choice(values) => Some(choices.validation(values)?),
        Kind::Boolean => Some(choices.validation(&["Có".to_string(), "Không".to_string()])?),
        Kind::Date => Some(
            DataValidation::new()
                .allow_any_value()
                .set_input_title("Ngày")?
                .set_input_message("Ghi ngày/tháng/năm, ví dụ 21/11/2026.")?,
        ),
        Kind::Lines(_) => Some(
            DataValidation::new()
                .allow_any_value()
                .set_input_title("Danh sách")?
                .set_input_message("Mỗi mục một dòng (Alt+Enter để xuống dòng trong ô).")?,
        ),
        _ => None,
    })
}

fn write_header(
    sheet: &mut Worksheet,
    columns: &[&Column],
    formats: &Formats,
    choices: &mut Choices,
) -> Result<(), XlsxError> {
    for (index, spec) in columns.iter().enumerate() {
        let column = index as u16;
        sheet.write_string_with_format(0, column, &spec.header, &formats.header)?;
        sheet.write_string_with_format(1, column, &spec.pointer, &formats.pointer)?;
        let width = match spec.kind {
            Kind::Lines(_) | Kind::Json => 48.0,
            Kind::Text => 28.0,
            _ if index == 0 => 8.0,
            _ => 14.0,
        };
        sheet.set_column_width(column, width)?;
        let format = match spec.kind {
            Kind::Text | Kind::Choice(_) => Some(&formats.text),
            Kind::Lines(_) | Kind::Json => Some(&formats.wrapped),
            Kind::Date => Some(&formats.date),
            _ => None,
        };
        if let Some(format) = format {
            sheet.set_column_format(column, format)?;
        }
        if let Some(validation) = validation_for(&spec.kind, choices)? {
            sheet.add_data_validation(
                FIRST_DATA_ROW,
                column,
                FIRST_DATA_ROW + DATA_ROWS,
                column,
                &validation,
            )?;
        }
    }
    sheet.set_row_hidden(1)?;
    sheet.set_row_height(0, 45)?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, 1)?;
    Ok(())
}

fn write_defaults(
    sheet: &mut Worksheet,
    template: &Template,
    layout: &Layout,
    content: &Content,
    formats: &Formats,
    choices: &mut Choices,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, "Mục (chung cho mọi chi bộ)", &formats.header)?;
    sheet.write_string_with_format(0, 1, "Giá trị", &formats.header)?;
    sheet.write_string_with_format(0, 2, "Trường", &formats.header)?;
    sheet.set_column_width(0, 48)?;
    sheet.set_column_width(1, 48)?;
    sheet.set_column_hidden(2)?;
    sheet.set_freeze_panes(1, 0)?;
    let template_row =
        [("#template", "Mẫu văn bản (không sửa)", Value::String(template.id.clone()), Kind::Text)];
    let options = batch_options().into_iter().map(|(key, label, kind)| {
        let value = content.options.iter().find(|(k, _)| *k == key).map_or(Value::Null, |(_, v)| v.clone());
        (key, label, value, kind)
    });
    let fields = layout.columns.iter().map(|c| {
        let value = content.defaults.and_then(|d| d.pointer(&c.pointer)).cloned().unwrap_or(Value::Null);
        (c.pointer.as_str(), c.header.as_str(), value, c.kind.clone())
    });
    // Row 0 holds the headers.
    for (row, (pointer, label, value, kind)) in
        (1..).zip(template_row.into_iter().chain(options).chain(fields))
    {
        sheet.write_string(row, 0, label)?;
        sheet.write_string_with_format(row, 2, pointer, &formats.pointer)?;
        write_value(sheet, row, 1, &value, &kind, formats)?;
        if let Some(validation) = validation_for(&kind, choices)? {
            sheet.add_data_validation(row, 1, row, 1, &validation)?;
        }
    }
    Ok(())
}

/// One value in one cell, in the form its kind reads back.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: &Value,
    kind: &Kind,
    formats: &Formats,
) -> Result<(), XlsxError> {
    match (kind, value) {
        (_, Value::Null) => {}
        (Kind::Date, Value::String(text)) => match iso_date(text) {
            Some(date) => {
                sheet.write_date_with_format(row, column, &date, &formats.date)?;
            }
            None => write_text(sheet, row, column, text, formats, false)?,
        },
        (Kind::Integer | Kind::Number, Value::Number(n)) => {
            sheet.write_number(row, column, n.as_f64().unwrap_or_default())?;
        }
        (Kind::Boolean, Value::Bool(b)) => {
            write_text(sheet, row, column, if *b { "Có" } else { "Không" }, formats, false)?
        }
        (Kind::Lines(_), Value::Array(entries)) if entries.iter().all(is_line) => {
            let lines: Vec<String> = entries.iter().map(line_text).collect();
            write_text(sheet, row, column, &lines.join("\n"), formats, true)?;
        }
        (Kind::Text | Kind::Choice(_), Value::String(text))
            if !text.contains('\n') || *kind == Kind::Text =>
        {
            write_text(sheet, row, column, text, formats, text.contains('\n'))?;
        }
        // Anything else (including a value of the wrong type) as JSON text, so nothing is lost
        // and the import reports it where it is.
        (_, other) => write_text(sheet, row, column, &other.to_string(), formats, true)?,
    }
    Ok(())
}

/// A list entry that fits on one line of a cell.
fn is_line(value: &Value) -> bool {
    match value {
        Value::String(s) => !s.contains('\n') && !s.trim().is_empty() && s.trim() == s,
        Value::Number(_) | Value::Bool(_) => true,
        _ => false,
    }
}

fn line_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Text as a string cell; text that starts like a formula gets the quote prefix too.
fn write_text(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    text: &str,
    formats: &Formats,
    wrap: bool,
) -> Result<(), XlsxError> {
    let formula_like = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let format = match (wrap, formula_like) {
        (false, false) => &formats.text,
        (false, true) => &formats.text_quoted,
        (true, false) => &formats.wrapped,
        (true, true) => &formats.wrapped_quoted,
    };
    sheet.write_string_with_format(row, column, text, format)?;
    Ok(())
}

fn iso_date(text: &str) -> Option<ExcelDateTime> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    let year: u16 = year.parse().ok()?;
    // Excel's dates start in 1900; a date it cannot hold stays text.
    (year >= 1900).then_some(())?;
    let date = ExcelDateTime::from_ymd(year, month.parse().ok()?, day.parse().ok()?).ok()?;
    // rust_xlsxwriter accepts 31 February; such a date must stay text to be reported on import.
    let round_trip = super::cells::date(&super::read::Cell::Text(text.to_string()));
    round_trip.map(|_| date)
}

fn write_guide(
    sheet: &mut Worksheet,
    template: &Template,
    layout: &Layout,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 110)?;
    let mut lines = vec![
        format!("Tạo hàng loạt: {}", template.meta.title),
        String::new(),
        format!("1. Trang «{DEFAULTS_SHEET}»: ghi những gì mọi chi bộ dùng chung (đảng bộ cấp trên, địa danh, kỳ, căn cứ…). Ô để trống thì mỗi chi bộ tự ghi."),
        format!("2. Trang «{ITEMS_SHEET}»: mỗi chi bộ một dòng, bắt đầu từ dòng 3. Cột STT đánh số 1, 2, 3… Ô của một chi bộ thay cho giá trị chung."),
        "3. Có thể sửa tên cột, đổi thứ tự cột, thêm dòng; không xóa dòng 2 đang ẩn (mã trường, vanban dùng để đọc đúng cột).".into(),
        "4. Ngày ghi dạng ngày/tháng/năm (21/11/2026). Số ghi bằng chữ số. Có/Không chọn trong danh sách.".into(),
        "5. Ô có nhiều mục (căn cứ, nơi nhận…): mỗi mục một dòng trong ô (Alt+Enter để xuống dòng).".into(),
    ];
    if !layout.lists.is_empty() {
        let names: Vec<_> = layout.lists.iter().map(|l| format!("«{}»", l.sheet)).collect();
        lines.push(format!(
            "6. Danh sách nhiều dòng ({}): mỗi mục một dòng trên trang riêng; cột A ghi STT của chi bộ (hoặc «Chung» nếu dùng chung), các mục giữ đúng thứ tự.",
            names.join(", ")
        ));
    }
    lines.extend([
        String::new(),
        "Khi tải lên: vanban kiểm tra tất cả các ô trước khi tạo văn bản. Bấm «Kiểm tra» (dry run) để xem từng lỗi theo trang, dòng, cột; khi không còn lỗi, vanban tạo một tệp zip gồm mỗi chi bộ một PDF.".into(),
        "Văn bản cũ gõ bằng phông TCVN3 (.VnTime) hoặc VNI được phát hiện và báo kèm bản chuyển sang Unicode; vanban chỉ chuyển khi được yêu cầu.".into(),
        "Có thể lưu thành CSV (chỉ trang Chi bộ) hoặc ODS (LibreOffice); XLSX vẫn là cách tốt nhất.".into(),
    ]);
    for (row, line) in lines.iter().enumerate() {
        let format = if row == 0 { &formats.guide_title } else { &formats.guide };
        sheet.write_string_with_format(row as u32, 0, line, format)?;
    }
    Ok(())
}
