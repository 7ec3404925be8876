//! Lenient builds: a live preview of a half-filled document and the blank forms cells fill by
//! hand (DOCUMENTS.md §6 "Blank form mode").
//!
//! Rather than teaching every document module and template about missing values, the request is
//! completed before it is built: each value the schema requires but the request lacks (or gives
//! wrongly) becomes a placeholder that the document code handles like any value: a marker
//! character for text, sentinel dates, times and years. After the view is built, the markers and
//! sentinels are replaced by the dotted lines of the paper forms (`……`, `ngày …… tháng …… năm
//! 20……`, `…… giờ …… phút`). The templates never see a placeholder, and need no change.

use serde_json::{Map, Value, json};

use crate::error::{Issue, pointer_token};
use crate::input::{Schema, pointer_tokens};

/// Stands for a missing short text (a name, a place, a member id): printed as a dotted line.
pub const BLANK: char = '\u{E000}';
/// Stands for a missing long text (a speech, a conclusion): printed as a few dotted lines.
pub const BLANK_TEXT: char = '\u{E001}';
/// A missing date. Chosen so its pieces are unmistakable once formatted.
const BLANK_DATE: &str = "2199-11-29";
/// A missing year.
const BLANK_YEAR: i64 = 2199;
/// A missing month.
const BLANK_MONTH: i64 = 11;
/// A missing time of day.
const BLANK_TIME: &str = "23:59";
/// Rows given to a list the form leaves to be written by hand (members, speakers…).
const BLANK_ROWS: usize = 3;

/// The smallest `maximum` of an amount of money in the templates' schemas (counts stop at
/// 100.000, amounts in đồng go to 10⁹ and beyond); see [`Variant::Probe`].
const MONEY_MAXIMUM: i64 = 1_000_000_000;

/// Dotted line for a short value: room for a name by hand.
const DOTS: &str = "……………………";
/// A long value: about four lines of dots that wrap like words (joined by zero-width spaces).
const DOT_LINES: usize = 120;

/// How much a lenient build fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Only what the schema requires (a preview shows what is given).
    Required,
    /// Also the document's optional lists, so the paper form has room for them.
    Form,
}

/// Which of two sets of placeholders to use. A lenient build is made with both: whatever differs
/// between the two documents depends on a value nobody gave (a count from a made-up member
/// list, the percentage of a blank vote, the label of a placeholder choice), so it is printed as
/// a blank too ([`blank_differences`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The placeholders of the document shown.
    Printed,
    /// Other placeholders (other numbers, the last choice, one more row…), to compare with.
    /// With `large_amounts`, amounts of money are the largest the schema allows instead of
    /// small ones: a small amount against a given one (a member's due from the roster) compares
    /// alike in both small variants, a large one does not.
    Probe { large_amounts: bool },
}

/// Completes `value` so that it passes `schema`: removes the values at the pointers of
/// `issues` (schema problems), then puts a placeholder wherever a required value is missing.
/// Returns the pointers that now hold placeholders.
pub fn complete(
    schema: &Schema,
    value: &mut Value,
    issues: &[Issue],
    fill: Fill,
    variant: Variant,
) -> Completed {
    // A value the document code asked for that is not there (e.g. the `month` of a monthly
    // period) is filled like a required one.
    let needed: Vec<String> =
        issues.iter().filter(|i| value.pointer(&i.pointer).is_none()).map(|i| i.pointer.clone()).collect();
    let mut pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
    // Deepest and last first, so removing an array item does not shift the others still to go.
    pointers.sort_by(|a, b| b.cmp(a));
    pointers.dedup();
    for pointer in pointers {
        remove(value, pointer);
    }
    if !value.is_object() {
        *value = json!({});
    }
    let mut filler = Filler { schema, fill, filled: Vec::new(), needed, variant, large_amount: false };
    if let Some(root) = schema.at("") {
        filler.complete(root, value, String::new(), 0);
    }
    // A made-up roster of a meeting says nothing of who is exempt either: one printed member is.
    let roster_blank = filler.filled.iter().any(|p| p == "/members");
    if roster_blank
        && variant == Variant::Printed
        && value.get("attendance").is_some()
        && let Some(last) = value.get_mut("members").and_then(Value::as_array_mut).and_then(|m| m.last_mut())
        && let Some(last) = last.as_object_mut()
    {
        last.insert("exempt_from_activities".into(), json!(true));
    }
    let attendance_blank = filler.filled.iter().any(|p| p == "/attendance");
    if attendance_blank {
        roll_call(value, variant);
    }
    Completed { filled: filler.filled, attendance_blank, large_amount: filler.large_amount }
}

/// What [`complete`] did.
pub struct Completed {
    /// Pointers of the placeholders.
    pub filled: Vec<String>,
    /// Who attended is not known: the form leaves the absent members' names to be written.
    pub attendance_blank: bool,
    /// A placeholder amount of money was made large (only in a probe with `large_amounts`).
    pub large_amount: bool,
}

/// An unknown attendance, made of the member list so that its counts are counts of the cell:
/// everyone present in the printed variant, everyone absent in the probe (one excused), so that
/// every attendance count differs between the two and prints as a blank.
fn roll_call(value: &mut Value, variant: Variant) {
    let ids: Vec<Value> = value
        .get("members")
        .and_then(Value::as_array)
        .map(|members| members.iter().filter_map(|m| m.get("member_id").cloned()).collect())
        .unwrap_or_default();
    let entries = ids
        .into_iter()
        .enumerate()
        .map(|(i, id)| match variant {
            Variant::Printed => json!({ "member_id": id, "present": true }),
            Variant::Probe { .. } => json!({ "member_id": id, "present": false, "excused": i == 0 }),
        })
        .collect();
    value["attendance"] = Value::Array(entries);
}

impl Completed {
    /// Whether a problem found while building is about a placeholder (noise to the user).
    pub fn concerns_placeholder(&self, issue: &Issue) -> bool {
        issue.message.contains([BLANK, BLANK_TEXT])
            || self.filled.iter().any(|filled| {
                issue.pointer == *filled
                    || issue.pointer.strip_prefix(filled.as_str()).is_some_and(|rest| rest.starts_with('/'))
                    // A comparison with a placeholder names it (`before the meeting (/meeting_date)`).
                    || issue.message.contains(&format!("({filled})"))
            })
    }
}

fn remove(value: &mut Value, pointer: &str) {
    if pointer.is_empty() {
        *value = json!({});
        return;
    }
    let tokens: Vec<String> = pointer_tokens(pointer).collect();
    let Some((last, parents)) = tokens.split_last() else { return };
    let mut node = value;
    for token in parents {
        node = match node {
            Value::Object(map) => match map.get_mut(token) {
                Some(next) => next,
                None => return,
            },
            Value::Array(items) => match token.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(next) => next,
                None => return,
            },
            _ => return,
        };
    }
    match node {
        Value::Object(map) => {
            map.remove(last);
        }
        Value::Array(items) => {
            if let Some(i) = last.parse::<usize>().ok().filter(|&i| i < items.len()) {
                items.remove(i);
            }
        }
        _ => {}
    }
}

struct Filler<'s> {
    schema: &'s Schema,
    fill: Fill,
    filled: Vec<String>,
    /// Missing values the document code asked for, filled even when the schema does not
    /// require them.
    needed: Vec<String>,
    variant: Variant,
    /// Whether a placeholder amount of money was made large.
    large_amount: bool,
}

impl<'s> Filler<'s> {
    /// Fills what is missing inside `value`, described by `node`.
    fn complete(&mut self, node: &'s Value, value: &mut Value, pointer: String, depth: usize) {
        let node = self.pick(node, value);
        match value {
            Value::Object(map) => {
                let Some(properties) = node.get("properties").and_then(Value::as_object) else { return };
                let required: Vec<&str> = node
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                for (name, property) in properties {
                    let here = format!("{pointer}/{}", pointer_token(name));
                    match map.get_mut(name) {
                        Some(child) => self.complete(property, child, here, depth + 1),
                        None if required.contains(&name.as_str()) || self.needed.contains(&here) => {
                            map.insert(name.clone(), self.placeholder(property, &here, depth + 1));
                            self.filled.push(here);
                        }
                        None if self.fill == Fill::Form && depth == 0 && self.is_list(property) => {
                            let list = if self.is_list_of_sections(property) {
                                // Each row would be a numbered heading of its own (`VI- ……`):
                                // the form leaves room for one section the cell may add, not a
                                // row of empty headings.
                                let rows = self.blank_rows(1);
                                self.rows(property, &here, depth + 1, rows)
                            } else {
                                self.placeholder(property, &here, depth + 1)
                            };
                            map.insert(name.clone(), list);
                            self.filled.push(here);
                        }
                        None => {}
                    }
                }
            }
            Value::Array(items) => {
                let Some(item) = node.get("items") else { return };
                for (i, child) in items.iter_mut().enumerate() {
                    self.complete(item, child, format!("{pointer}/{i}"), depth + 1);
                }
                let min = node.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                while items.len() < min {
                    let here = format!("{pointer}/{}", items.len());
                    items.push(self.placeholder(item, &here, depth + 1));
                    self.filled.push(here);
                }
            }
            _ => {}
        }
    }

    /// The alternative of `node` that fits `value`'s JSON type (the first non-null one otherwise).
    fn pick(&self, node: &'s Value, value: &Value) -> &'s Value {
        let schema: &'s Schema = self.schema;
        let alternatives = schema.alternatives(node);
        let fits = |alternative: &&Value| match alternative.get("type").and_then(Value::as_str) {
            Some("object") => value.is_object(),
            Some("array") => value.is_array(),
            Some("string") => value.is_string(),
            Some("integer" | "number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            _ => false,
        };
        alternatives.iter().copied().find(fits).or_else(|| alternatives.first().copied()).unwrap_or(node)
    }

    fn is_list(&self, node: &'s Value) -> bool {
        let node = self.pick(node, &Value::Null);
        node.get("type").and_then(Value::as_str) == Some("array") && node.get("items").is_some()
    }

    /// Whether the list `node` is made of free sections: items of a heading and its text, and
    /// nothing else (the minutes' `extra_sections`, each printed as a numbered section of its
    /// own). Items with more to them (an agenda item's presenter) are entries under a fixed
    /// heading, where a few rows give room to write.
    fn is_list_of_sections(&self, node: &'s Value) -> bool {
        let node = self.pick(node, &Value::Null);
        node.get("items")
            .map(|item| self.pick(item, &Value::Null))
            .and_then(|item| item.get("properties"))
            .and_then(Value::as_object)
            .is_some_and(|properties| {
                let mut names: Vec<&str> = properties.keys().map(String::as_str).collect();
                names.sort_unstable();
                names == ["text", "title"]
            })
    }

    /// How many placeholder rows a list gets when the printed document has `printed` of them:
    /// the probe has one more, so that what counts the rows differs between the two.
    fn blank_rows(&self, printed: usize) -> usize {
        match self.variant {
            Variant::Printed => printed,
            Variant::Probe { .. } => printed + 1,
        }
    }

    /// The list `node` with `rows` placeholder items (within its `maxItems`).
    fn rows(&mut self, node: &'s Value, pointer: &str, depth: usize, rows: usize) -> Value {
        let node = self.pick(node, &Value::Null);
        let rows = rows.min(node.get("maxItems").and_then(Value::as_u64).unwrap_or(u64::MAX) as usize);
        let Some(item) = node.get("items") else { return Value::Array(Vec::new()) };
        let items = (0..rows)
            .map(|row| {
                let mut item = self.placeholder(item, &format!("{pointer}/{row}"), depth + 1);
                // Placeholder members stay distinct, so that references to them (the roll
                // call) find them; the row number is not printed (ids are not).
                if let Some(id) =
                    item.get_mut("member_id").filter(|id| id.as_str() == Some(&BLANK.to_string()))
                {
                    *id = json!(format!("{BLANK}{}", row_marker(row)));
                }
                item
            })
            .collect();
        Value::Array(items)
    }

    /// A value that passes `node` and prints as a blank.
    fn placeholder(&mut self, node: &'s Value, pointer: &str, depth: usize) -> Value {
        let node = self.pick(node, &Value::Null);
        if let Some(constant) = node.get("const") {
            return constant.clone();
        }
        let choices = node.get("enum").and_then(Value::as_array).filter(|e| !e.is_empty());
        if let Some(choices) = choices {
            let choice = match self.variant {
                Variant::Printed => choices.first(),
                Variant::Probe { .. } => choices.last(),
            };
            return choice.cloned().unwrap_or(Value::Null);
        }
        match node.get("type").and_then(Value::as_str) {
            Some("object") => {
                let mut value = Value::Object(Map::new());
                self.complete(node, &mut value, pointer.to_string(), depth);
                value
            }
            Some("array") => {
                let min = node.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let rows = if depth <= 1 { min.max(self.blank_rows(BLANK_ROWS)) } else { min };
                self.rows(node, pointer, depth, rows)
            }
            Some("integer" | "number") => {
                let minimum = node.get("minimum").and_then(Value::as_i64).unwrap_or(0);
                let maximum = node.get("maximum").and_then(Value::as_i64).unwrap_or(i64::MAX);
                // Counts above the minimum in both variants, so that what a count decides
                // (a vote's dissent clause) is printed, and different, so that a vote's
                // percentage differs too (the probe's voters may be none).
                // The probe's counts also differ from one another (by the field's pointer), so
                // that ratios of two counts differ between the variants too.
                let above = |n: i64| minimum.saturating_add(n).min(maximum);
                let probe = above(2 + (pointer.len() % 5) as i64);
                let blank = match self.variant {
                    _ if minimum >= 1900 => BLANK_YEAR,
                    // An amount of money: none printed (so nothing is said to be paid, which would
                    // ask how), the largest allowed in the large-amounts probe.
                    Variant::Printed if maximum >= MONEY_MAXIMUM => minimum,
                    Variant::Probe { large_amounts: true } if maximum >= MONEY_MAXIMUM => {
                        self.large_amount = true;
                        maximum
                    }
                    Variant::Printed if minimum == 1 && maximum == 12 => BLANK_MONTH,
                    Variant::Probe { .. } if minimum == 1 && maximum == 12 => BLANK_MONTH - 1,
                    Variant::Printed => above(1),
                    Variant::Probe { .. } if probe != above(1) => probe,
                    Variant::Probe { .. } => minimum,
                };
                json!(blank.clamp(minimum, maximum))
            }
            Some("boolean") => json!(self.variant != Variant::Printed),
            _ => {
                let pattern = node.get("pattern").and_then(Value::as_str).unwrap_or("");
                if pattern.contains("{4}-") {
                    json!(BLANK_DATE)
                } else if pattern.contains(':') {
                    json!(BLANK_TIME)
                } else if node.get("maxLength").and_then(Value::as_u64).unwrap_or(0) >= 2000 {
                    json!(BLANK_TEXT.to_string())
                } else {
                    json!(BLANK.to_string())
                }
            }
        }
    }
}

/// A private-use character per placeholder row, appended to a placeholder id to keep the rows
/// apart; removed with the placeholder when the view is dotted.
fn row_marker(row: usize) -> char {
    char::from_u32(0xE100 + (row as u32 % 0x100)).unwrap_or(BLANK)
}

/// Turns placeholders in the built view into the dotted lines of a paper form.
pub fn dot(value: &mut Value) {
    match value {
        Value::String(text) => {
            if let Some(dotted) = dotted(text) {
                *text = dotted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(dot),
        Value::Object(map) => map.values_mut().for_each(dot),
        _ => {}
    }
}

/// The text with its placeholders printed as blanks, or `None` when it has none.
pub fn dotted(text: &str) -> Option<String> {
    let year = BLANK_YEAR.to_string();
    let has_placeholder = text.contains([BLANK, BLANK_TEXT])
        || ["2198", &year, "2200"].iter().any(|y| text.contains(y))
        || text.contains("23 giờ 59");
    if !has_placeholder {
        return None;
    }
    let long: String = vec!["…"; DOT_LINES].join("\u{200B}");
    let mut out: String = text.chars().filter(|c| !('\u{E100}'..='\u{E1FF}').contains(c)).collect();
    out = out.replace(BLANK_TEXT, &long).replace(BLANK, DOTS);
    for (sentinel, blank) in [
        ("ngày 29 tháng 11 năm 2199", "ngày …… tháng …… năm 20……"),
        ("29/11/2199", "……/……/20……"),
        ("tháng 11 năm 2199", "tháng …… năm 20……"),
        ("THÁNG 11 NĂM 2199", "THÁNG …… NĂM 20……"),
        ("2199", "20……"),
        // The year before or after a blank year (the next period, the previous one).
        ("2200", "20……"),
        ("2198", "20……"),
        ("23 giờ 59 phút", "…… giờ …… phút"),
    ] {
        out = out.replace(sentinel, blank);
    }
    Some(out)
}

/// Prints as blanks whatever differs between the document made with the printed placeholders
/// and the one made with the probe's ([`Variant`]): strings at the same place are compared word
/// by word (lists only as far as both go; the probe's extra row adds nothing).
pub fn blank_differences(printed: &mut Value, probe: &Value) {
    match (printed, probe) {
        (Value::String(text), Value::String(other)) if text != other => {
            *text = blank_different_words(text, other);
        }
        (Value::Array(items), Value::Array(others)) => {
            // The probe's lists may have one more placeholder row: an item that is the same
            // there one row later (a fixed last line after the rows) is the same item.
            let shift = others.len().saturating_sub(items.len());
            for (i, item) in items.iter_mut().enumerate() {
                if others.get(i + shift) == Some(item) {
                    continue;
                }
                if let Some(other) = others.get(i) {
                    blank_differences(item, other);
                }
            }
        }
        (Value::Object(map), Value::Object(others)) => {
            for (key, item) in map.iter_mut() {
                if let Some(other) = others.get(key) {
                    blank_differences(item, other);
                }
            }
        }
        _ => {}
    }
}

/// A short blank for a word or number nobody gave.
const WORD_BLANK: &str = "……";

/// `text` with each run of its words that `other` does not share (longest common subsequence
/// of words) printed as a blank. A run right after a blank is dropped: the blank already
/// leaves room for it (`Đồng chí …… - Bí thư Chi bộ` → `Đồng chí ……`).
pub fn blank_different_words(text: &str, other: &str) -> String {
    let ours = words(text);
    let theirs = words(other);
    // Texts this long are free text given by the user, never made of placeholders.
    if ours.len() * theirs.len() > 4_000_000 {
        return text.to_string();
    }
    let shared = common_words(&ours, &theirs);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < ours.len() {
        if shared[i] {
            out.push_str(ours[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < ours.len() && !shared[i] {
            i += 1;
        }
        // Spaces and punctuation around the differing words stay as they are.
        let run = &ours[start..i];
        let is_word = |w: &&str| w.chars().any(char::is_alphanumeric);
        let Some(first) = run.iter().position(is_word) else {
            run.iter().for_each(|w| out.push_str(w));
            continue;
        };
        let last = run.iter().rposition(is_word).unwrap_or(first);
        if out.trim_end_matches([' ', '-']).ends_with('…') {
            while out.ends_with([' ', '-']) {
                out.pop();
            }
        } else {
            run[..first].iter().for_each(|w| out.push_str(w));
            out.push_str(WORD_BLANK);
        }
        run[last + 1..].iter().for_each(|w| out.push_str(w));
        if out.ends_with('…') && ours.get(i).is_some_and(is_word) {
            out.push(' ');
        }
    }
    out
}

/// Words, numbers (`1.234,5`) and single other characters, in order.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(at, c)) in chars.iter().enumerate() {
        let joins_number = matches!(c, '.' | ',')
            && k > 0
            && chars[k - 1].1.is_ascii_digit()
            && chars.get(k + 1).is_some_and(|(_, n)| n.is_ascii_digit());
        if c.is_alphanumeric() || joins_number {
            start.get_or_insert(at);
        } else {
            if let Some(s) = start.take() {
                out.push(&text[s..at]);
            }
            out.push(&text[at..at + c.len_utf8()]);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// For each of `ours`, whether it belongs to a longest common subsequence with `theirs`.
fn common_words(ours: &[&str], theirs: &[&str]) -> Vec<bool> {
    let (n, m) = (ours.len(), theirs.len());
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[at(i, j)] = if ours[i] == theirs[j] {
                table[at(i + 1, j + 1)] + 1
            } else {
                table[at(i + 1, j)].max(table[at(i, j + 1)])
            };
        }
    }
    let mut shared = vec![false; n];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if ours[i] == theirs[j] {
            shared[i] = true;
            i += 1;
            j += 1;
        } else if table[at(i + 1, j)] >= table[at(i, j + 1)] {
            i += 1;
        } else {
            j += 1;
        }
    }
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_print_as_the_blanks_of_paper_forms() {
        let line = format!("{BLANK}, ngày 29 tháng 11 năm 2199");
        assert_eq!(dotted(&line).unwrap(), format!("{DOTS}, ngày …… tháng …… năm 20……"));
        assert_eq!(dotted("Vào lúc 23 giờ 59 phút").unwrap(), "Vào lúc …… giờ …… phút");
        assert_eq!(dotted("Có mặt 17/19 đồng chí."), None, "a given text is left alone");
    }

    #[test]
    fn what_differs_between_the_two_placeholder_sets_prints_as_blanks() {
        assert_eq!(
            blank_different_words(
                "Có mặt: 20/20 đồng chí (đạt 100%), trong đó đảng viên chính thức: 19; vắng mặt: 00 đồng chí (có lý do: 0; không có lý do: 0).",
                "Có mặt: 0/20 đồng chí (đạt 0%), trong đó đảng viên chính thức: 0; vắng mặt: 20 đồng chí (có lý do: 1; không có lý do: 19)."
            ),
            "Có mặt: ……/20 đồng chí (đạt ……%), trong đó đảng viên chính thức: ……; vắng mặt: …… đồng chí (có lý do: ……; không có lý do: ……)."
        );
        assert_eq!(
            blank_different_words("Tổng số phải thu: 1.234.000 đồng.", "Tổng số phải thu: 5.678.000 đồng."),
            "Tổng số phải thu: …… đồng."
        );
        assert_eq!(
            blank_different_words(
                &format!("Đồng chí {DOTS} - Bí thư Chi bộ trình bày:"),
                &format!("Đồng chí {DOTS} trình bày:")
            ),
            format!("Đồng chí {DOTS} trình bày:"),
            "a made-up title after a blank name goes with the name"
        );
        assert_eq!(blank_different_words("QUÝ I NĂM 20……", "QUÝ II NĂM 20……"), "QUÝ …… NĂM 20……");
    }
}
