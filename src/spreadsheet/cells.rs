//! One cell to one JSON value, by the column's [`Kind`], forgiving in the ways spreadsheets
//! are: dates typed as dates, as `21/11/2026` (day first, the Vietnamese order) or left as serial
//! numbers; counts stored as text or as `12.0`; yes/no in Vietnamese or English.

use serde_json::{Number, Value};
use unicode_normalization::UnicodeNormalization;

use super::layout::Kind;
use super::read::Cell;

/// Why a cell could not become a value (Vietnamese, shown to the ward office).
pub type Refusal = String;

/// The JSON value of a non-empty cell in a column of `kind`.
pub fn value(cell: &Cell, kind: &Kind) -> Result<Value, Refusal> {
    match cell {
        Cell::Uncomputed(formula) => {
            return Err(format!(
                "ô có công thức `={formula}` chưa được tính (không có giá trị lưu sẵn); hãy mở tệp bằng Excel hoặc LibreOffice, tính lại và lưu"
            ));
        }
        Cell::Error(error) => return Err(format!("ô có lỗi {error}")),
        _ => {}
    }
    match kind {
        Kind::Text => Ok(Value::String(text(cell))),
        Kind::Choice(values) => {
            let typed = text(cell);
            values
                .iter()
                .find(|v| v.eq_ignore_ascii_case(typed.trim()))
                .map(|v| Value::String(v.clone()))
                .ok_or_else(|| format!("`{typed}` không có trong danh sách: {}", values.join(", ")))
        }
        Kind::Integer => match number(cell) {
            Some(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Ok(Value::from(n as i64)),
            _ => Err(format!("`{}` không phải là số nguyên", text(cell))),
        },
        Kind::Number => number(cell)
            .and_then(|n| {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    Some(Value::from(n as i64))
                } else {
                    Number::from_f64(n).map(Value::Number)
                }
            })
            .ok_or_else(|| format!("`{}` không phải là số", text(cell))),
        Kind::Boolean => {
            boolean(cell).map(Value::Bool).ok_or_else(|| format!("`{}`: hãy ghi Có hoặc Không", text(cell)))
        }
        Kind::Date => {
            date(cell).map(|(y, m, d)| Value::String(format!("{y:04}-{m:02}-{d:02}"))).ok_or_else(|| {
                format!("`{}` không phải là ngày (ghi dạng ngày/tháng/năm, ví dụ 21/11/2026)", text(cell))
            })
        }
        Kind::Lines(inner) => {
            let whole = text(cell);
            // A list the lines cannot hold (an entry with a line break or outer spaces) is
            // written as JSON.
            if whole.trim_start().starts_with('[')
                && let Ok(list @ Value::Array(_)) = serde_json::from_str::<Value>(&whole)
            {
                return Ok(list);
            }
            let lines: Vec<&str> = whole.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
            if lines.len() == 1 && **inner != Kind::Text {
                return value(cell, inner).map(|v| Value::Array(vec![v]));
            }
            lines
                .iter()
                .map(|line| value(&Cell::Text(line.to_string()), inner))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        Kind::Json => {
            serde_json::from_str(&text(cell)).map_err(|e| format!("không đọc được JSON trong ô: {e}"))
        }
    }
}

/// A cell as text: numbers without a needless `.0`, dates as ISO dates, times as `HH:MM`.
pub fn text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => format!("{}", *n as i64),
        Cell::Number(n) => n.to_string(),
        Cell::Bool(true) => "TRUE".into(),
        Cell::Bool(false) => "FALSE".into(),
        Cell::Date { year, month, day, seconds: 0 } => format!("{year:04}-{month:02}-{day:02}"),
        Cell::Date { year, month, day, seconds } => {
            format!("{year:04}-{month:02}-{day:02} {:02}:{:02}", seconds / 3600, seconds / 60 % 60)
        }
        Cell::Time(seconds) => format!("{:02}:{:02}", seconds / 3600, seconds / 60 % 60),
        Cell::Uncomputed(formula) => format!("={formula}"),
        Cell::Error(error) => error.clone(),
    }
}

fn number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Number(n) => Some(*n),
        // Numbers stored as text, perhaps with a thousands separator or a decimal comma.
        Cell::Text(s) => {
            let s = s.trim().replace([' ', '\u{a0}'], "");
            s.parse().ok().or_else(|| {
                let dots = s.matches('.').count();
                let commas = s.matches(',').count();
                match (dots, commas) {
                    (d, 0) if d > 1 => s.replace('.', "").parse().ok(),
                    (0, 1) => s.replace(',', ".").parse().ok(),
                    (0, c) if c > 1 => s.replace(',', "").parse().ok(),
                    _ => None,
                }
            })
        }
        _ => None,
    }
}

fn boolean(cell: &Cell) -> Option<bool> {
    match cell {
        Cell::Bool(b) => Some(*b),
        Cell::Number(n) if *n == 0.0 || *n == 1.0 => Some(*n == 1.0),
        // Windows-1258 and Mac keyboards give decomposed letters: compare in NFC.
        Cell::Text(s) => match s.trim().nfc().collect::<String>().to_lowercase().as_str() {
            "có" | "co" | "x" | "true" | "đúng" | "1" | "yes" => Some(true),
            "không" | "khong" | "false" | "sai" | "0" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A date typed as a date, as a serial number, or as text day/month/year or year-month-day.
pub fn date(cell: &Cell) -> Option<(i32, u32, u32)> {
    let valid = |(y, m, d): (i32, u32, u32)| {
        ((1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d)).then_some((y, m, d))
    };
    match cell {
        Cell::Date { year, month, day, .. } => valid((*year, *month, *day)),
        // Excel's serial day 1 is 1900-01-01 and it counts a 29 February 1900 that never was;
        // days from 61 on are days since 1899-12-30.
        Cell::Number(n) if n.fract() == 0.0 && (61.0..2_958_466.0).contains(n) => {
            Some(civil_from_days(*n as i64 - 25_569))
        }
        Cell::Text(s) => {
            let s = s.trim();
            let parts: Vec<&str> = s.split(['/', '-', '.']).map(str::trim).collect();
            let [a, b, c] = parts.as_slice() else { return None };
            let (a, b, c): (u32, u32, i32) = if a.len() == 4 {
                let (y, m, d) = (a.parse().ok()?, b.parse().ok()?, c.parse().ok()?);
                return valid((y, m, d));
            } else {
                (a.parse().ok()?, b.parse().ok()?, c.parse().ok()?)
            };
            if c < 1000 {
                return None;
            }
            valid((c, b, a))
        }
        _ => None,
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dates_come_in_three_shapes() {
        let expected = json!("2026-11-21");
        for cell in [
            Cell::Date { year: 2026, month: 11, day: 21, seconds: 0 },
            Cell::Text("21/11/2026".into()),
            Cell::Text("21-11-2026".into()),
            Cell::Text("2026-11-21".into()),
            Cell::Number(46_347.0),
        ] {
            assert_eq!(value(&cell, &Kind::Date), Ok(expected.clone()), "{cell:?}");
        }
        assert!(value(&Cell::Text("31/02/2026".into()), &Kind::Date).is_err());
        assert!(value(&Cell::Text("hôm qua".into()), &Kind::Date).is_err());
    }

    #[test]
    fn numbers_stored_as_text_or_floats_are_counts() {
        assert_eq!(value(&Cell::Text(" 12 ".into()), &Kind::Integer), Ok(json!(12)));
        assert_eq!(value(&Cell::Number(12.0), &Kind::Integer), Ok(json!(12)));
        assert_eq!(value(&Cell::Text("1.500.000".into()), &Kind::Integer), Ok(json!(1_500_000)));
        assert!(value(&Cell::Number(12.5), &Kind::Integer).is_err());
        assert_eq!(value(&Cell::Number(5.0), &Kind::Text), Ok(json!("5")));
        assert_eq!(value(&Cell::Time(19 * 3600 + 30 * 60), &Kind::Text), Ok(json!("19:30")));
    }

    #[test]
    fn lines_become_lists_and_formulas_without_values_are_refused() {
        let kind = Kind::Lines(Box::new(Kind::Text));
        assert_eq!(value(&Cell::Text("a\n\n b \r\nc".into()), &kind), Ok(json!(["a", "b", "c"])));
        assert!(
            value(&Cell::Uncomputed("SUM(A1:A3)".into()), &Kind::Integer)
                .unwrap_err()
                .contains("chưa được tính")
        );
        assert_eq!(value(&Cell::Text("Có".into()), &Kind::Boolean), Ok(json!(true)));
    }
}
