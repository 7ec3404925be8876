//! Rulesets and presets: every size, margin and label that DOCUMENTS.md marks as depending on the
//! regulation in force, or as UNCONFIRMED, lives here and nowhere else.
//!
//! The result is a [`Layout`], handed to every template as `data.layout`; templates read their
//! sizes and labels from it instead of writing literals.

use serde::{Deserialize, Serialize};

/// The regulation set a document follows (DOCUMENTS.md §0, §1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum Ruleset {
    /// Hướng dẫn 05-HD/VPTW (27/5/2026), the current rules.
    #[default]
    #[serde(rename = "HD05-2026")]
    Hd05_2026,
    /// Hướng dẫn 36-HD/VPTW (03/4/2018), still the basis of most existing templates.
    #[serde(rename = "HD36-2018")]
    Hd36_2018,
}

/// Page-margin preset (DOCUMENTS.md §2.2, §8 item 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MarginPreset {
    /// 20/20/30/15 mm (top/bottom/left/right), per HD 36 and HD 05 as secondary sources give them.
    #[default]
    Standard,
    /// 25/25/35/15 mm, the older Party values still published by some committees.
    Legacy,
}

/// Page margins in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Margins {
    /// Top margin.
    pub top: f64,
    /// Bottom margin.
    pub bottom: f64,
    /// Left (binding) margin.
    pub left: f64,
    /// Right margin.
    pub right: f64,
}

impl MarginPreset {
    /// The margins of this preset.
    pub fn margins(self) -> Margins {
        match self {
            MarginPreset::Standard => Margins { top: 20.0, bottom: 20.0, left: 30.0, right: 15.0 },
            MarginPreset::Legacy => Margins { top: 25.0, bottom: 25.0, left: 35.0, right: 15.0 },
        }
    }
}

/// Font sizes in points (DOCUMENTS.md §2.3; rows 7–10 UNCONFIRMED).
#[derive(Debug, Clone, Serialize)]
pub struct Sizes {
    /// Body text, header names, number and date lines.
    pub body: f64,
    /// `ĐẢNG CỘNG SẢN VIỆT NAM`.
    pub party_title: f64,
    /// Document kind: `BIÊN BẢN`, `NGHỊ QUYẾT`, `BÁO CÁO` (15–16 pt).
    pub doc_kind: f64,
    /// Trích yếu (subject line) under the document kind.
    pub subject: f64,
    /// The word `Nơi nhận:`.
    pub recipients_label: f64,
    /// Each recipient line.
    pub recipients: f64,
    /// Page numbers from page 2.
    pub page_number: f64,
    /// Table text (PRACTICE: 13 pt keeps wide tables legible within 165 mm).
    pub table: f64,
    /// Text of dense tabular forms such as the dues table F (nine columns): 11 pt in practice,
    /// so amounts like 11.400.000 fit their column.
    pub dense_table: f64,
}

/// Fixed labels printed by the shared layout library.
#[derive(Debug, Clone, Serialize)]
pub struct Labels {
    /// Tiêu đề of every Party document.
    pub party_title: &'static str,
    /// Heading of the recipients list (underlined).
    pub recipients: &'static str,
    /// Mark printed on drafts (§2.1 optional components).
    pub draft_mark: &'static str,
}

/// Everything a template needs to lay a document out, as `data.layout`.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    /// Font family of the whole document; must be loaded and cover Vietnamese.
    pub font: String,
    /// Page margins.
    pub margin_mm: Margins,
    /// Font sizes.
    pub size_pt: Sizes,
    /// First-line indent of body paragraphs (§2.2: 10 mm in HD 05; 12.7 mm in many HD 36 tools).
    pub first_line_indent_mm: f64,
    /// Baseline-to-baseline distance of body lines (§2.2: "exactly 19 pt").
    pub line_spacing_pt: f64,
    /// Space between paragraphs (§2.2: ≥ 6 pt).
    pub paragraph_spacing_pt: f64,
    /// Share of the text width taken by the header's left column (§2.4: 40–45 %).
    pub header_left_pct: f64,
    /// Blank space for a handwritten signature (§2.7: at least 25 mm).
    pub signature_space_mm: f64,
    /// Distance of the page number's baseline from the top edge (§2.10: about 10 mm).
    pub page_number_top_mm: f64,
    /// End the body with the State-style mark `./.` (§5.8: HD 05 says no; many HD 36 documents do).
    pub ends_with_closing_mark: bool,
    /// Fixed labels.
    pub labels: Labels,
}

/// Per-ruleset choices that are not layout: how numbers are written.
#[derive(Debug, Clone, Copy)]
pub struct Conventions {
    /// Print `Số: 05-NQ/CB` (older HD 11 style) instead of `Số 05-NQ/CB` (§2.5).
    pub number_colon: bool,
}

impl Ruleset {
    /// The layout of this ruleset with a margin preset and document font.
    pub fn layout(self, margins: MarginPreset, font: &str) -> Layout {
        let (first_line_indent_mm, line_spacing_pt) = match self {
            Ruleset::Hd05_2026 => (10.0, 19.0),
            // HD 36 gives no exact spacing; 1.3 lines of 14 pt and the 12.7 mm indent of most
            // HD 36-era tools reproduce the documents offices already have.
            Ruleset::Hd36_2018 => (12.7, 18.2),
        };
        Layout {
            font: font.to_string(),
            margin_mm: margins.margins(),
            size_pt: Sizes {
                body: 14.0,
                party_title: 15.0,
                doc_kind: 16.0,
                subject: 14.0,
                recipients_label: 14.0,
                recipients: 12.0,
                page_number: 14.0,
                table: 13.0,
                dense_table: 11.0,
            },
            first_line_indent_mm,
            line_spacing_pt,
            paragraph_spacing_pt: 6.0,
            // 45 % (≈ 74 mm) keeps `ĐẢNG BỘ PHƯỜNG ĐOÀN KẾT` on one line while the right column
            // still holds `ĐẢNG CỘNG SẢN VIỆT NAM` (≈ 73 mm at 15 pt) unwrapped.
            header_left_pct: 45.0,
            signature_space_mm: 30.0,
            page_number_top_mm: 10.0,
            ends_with_closing_mark: self == Ruleset::Hd36_2018,
            labels: Labels {
                party_title: "ĐẢNG CỘNG SẢN VIỆT NAM",
                recipients: "Nơi nhận:",
                draft_mark: "DỰ THẢO",
            },
        }
    }

    /// Writing conventions of this ruleset.
    pub fn conventions(self) -> Conventions {
        // Both rulesets print `Số 05-NQ/CB`; the colon is kept as a switch because local
        // templates still print it (§2.5, §8 item 3).
        Conventions { number_colon: false }
    }
}
