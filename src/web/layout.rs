//! The per-template layout file, `templates/<id>/form.json`: the order of the guided steps, the
//! fields of each, widgets, help texts and the fields deliberately hidden from secretaries.
//!
//! Fields are named by JSON Pointer patterns in which `*` stands for any list index
//! (`/assignments/*/assignee_ids`). A step field places its whole subtree.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::shape::{Kind, Shape};
use crate::catalog::Catalog;
use crate::error::{Error, Result};

/// One guided step: one topic per screen on a phone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Anchor id, `thoi-gian`.
    pub id: String,
    /// Vietnamese heading.
    pub title: String,
    /// A sentence telling the secretary what this step is for.
    #[serde(default)]
    pub help: Option<String>,
    /// Pointer patterns shown in this step, in order.
    pub fields: Vec<String>,
}

/// How a field is edited when its schema alone does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Widget {
    /// One member, chosen from the roster (`/members`).
    Member,
    /// Several members, ticked in the roster.
    Members,
    /// Present / excused / absent and a reason, one line per roster member.
    Attendance,
    /// Vote counts with an "all in favour" shortcut.
    Votes,
}

/// The layout of one template's form.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    #[serde(default, rename = "$comment")]
    _comment: Option<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Fields kept as they are loaded but never shown (settings an integrator chooses).
    pub hidden: Vec<String>,
    /// Widgets by pointer pattern.
    #[serde(default)]
    pub widgets: BTreeMap<String, Widget>,
    /// Help texts by pointer pattern, shown under the label.
    #[serde(default)]
    pub help: BTreeMap<String, String>,
    /// Vietnamese names of choice values, by pointer pattern then value.
    #[serde(default)]
    pub options: BTreeMap<String, BTreeMap<String, String>>,
}

/// File name of the layout inside a template folder.
pub const LAYOUT_FILE: &str = "form.json";

impl Layout {
    /// The layout of template `id`.
    pub fn of_template(catalog: &Catalog, id: &str) -> Result<Layout> {
        let path = format!("/{id}/{LAYOUT_FILE}");
        let file = catalog
            .files()
            .iter()
            .find(|f| f.path == path)
            .ok_or_else(|| Error::Setup(format!("template `{id}` has no {LAYOUT_FILE}")))?;
        serde_json::from_slice(&file.data).map_err(|e| Error::Setup(format!("{path}: {e}")))
    }

    /// Whether the value at `pointer` is hidden (itself or a parent listed in `hidden`).
    pub fn is_hidden(&self, pointer: &str) -> bool {
        self.hidden.iter().any(|pattern| covers(pattern, pointer))
    }

    /// The widget of the field at `pointer`.
    pub fn widget(&self, pointer: &str) -> Option<Widget> {
        let pattern = pattern_of(pointer);
        self.widgets.get(&pattern).copied()
    }

    /// Help text of the field at `pointer`.
    pub fn help(&self, pointer: &str) -> Option<&str> {
        self.help.get(&pattern_of(pointer)).map(String::as_str)
    }

    /// The Vietnamese name of a choice value of the field at `pointer`.
    pub fn option_label(&self, pointer: &str, value: &str) -> Option<&str> {
        self.options.get(&pattern_of(pointer))?.get(value).map(String::as_str)
    }

    /// Every field of `shape` that no step places and `hidden` does not list, as patterns.
    /// Empty when the layout is complete.
    pub fn unplaced(&self, shape: &Shape) -> Vec<String> {
        let mut missing = Vec::new();
        let placed: Vec<&String> = self.steps.iter().flat_map(|s| &s.fields).chain(&self.hidden).collect();
        walk(shape, String::new(), &mut |pattern, _| {
            if !placed.iter().any(|p| covers(p, pattern)) {
                missing.push(pattern.to_string());
            }
        });
        missing
    }

    /// Every identifier value (`official_recognition`) of a choice shown to secretaries that
    /// has no Vietnamese name in `options`, as `pattern = value`. Values written in Vietnamese
    /// (`Hoàn thành tốt nhiệm vụ`) name themselves.
    pub fn unnamed_choices(&self, shape: &Shape) -> Vec<String> {
        let mut missing = Vec::new();
        walk(shape, String::new(), &mut |pattern, field| {
            if let Kind::Choice(values) = &field.kind
                && !self.is_hidden(pattern)
            {
                let identifier =
                    |v: &&str| v.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                for value in values.iter().filter_map(serde_json::Value::as_str).filter(identifier) {
                    if self.option_label(pattern, value).is_none() {
                        missing.push(format!("{pattern} = {value}"));
                    }
                }
            }
        });
        missing
    }

    /// Step fields, widgets and help texts that name nothing in `shape` (typos in the layout
    /// file). Hidden fields may name what a schema does not have yet.
    pub fn unknown(&self, shape: &Shape) -> Vec<String> {
        let tokens = |p: &str| p.split('/').skip(1).map(str::to_string).collect::<Vec<_>>();
        self.steps
            .iter()
            .flat_map(|s| &s.fields)
            .chain(self.widgets.keys())
            .chain(self.help.keys())
            .filter(|p| {
                let tokens = tokens(p);
                let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
                shape.at(&tokens).is_none()
            })
            .cloned()
            .collect()
    }
}

/// Calls `visit` with the pattern and shape of every leaf and every list of `shape`.
fn walk(shape: &Shape, pattern: String, visit: &mut dyn FnMut(&str, &Shape)) {
    match &shape.kind {
        Kind::Object(fields) => {
            for (name, field) in fields {
                walk(field, format!("{pattern}/{name}"), visit);
            }
        }
        Kind::List(item) => {
            visit(&pattern, shape);
            walk(item, format!("{pattern}/*"), visit);
        }
        _ => visit(&pattern, shape),
    }
}

/// The pattern of a concrete pointer: list indices become `*`.
pub fn pattern_of(pointer: &str) -> String {
    pointer
        .split('/')
        .map(|token| if !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) { "*" } else { token })
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether `pattern` names `pointer` or one of its parents.
fn covers(pattern: &str, pointer: &str) -> bool {
    let pattern = pattern_of(pattern);
    let pointer = pattern_of(pointer);
    pointer == pattern || pointer.strip_prefix(&pattern).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_covers_its_subtree_only() {
        assert!(covers("/meeting", "/meeting/chair/member_id"));
        assert!(covers("/members/*/status", "/members/12/status"));
        assert!(!covers("/meeting", "/meetings/0/date"));
        assert_eq!(pattern_of("/votes/3/for"), "/votes/*/for");
    }
}
