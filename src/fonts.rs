//! Fonts: the bundled Liberation Serif 2.1 plus any fonts the operator adds, parsed once per
//! process. The host's fonts are never scanned: an old system Liberation Serif without
//! Vietnamese glyphs would silently shadow the bundled one.

use std::path::Path;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontStyle, FontWeight};

use crate::error::{Error, Result};
use crate::vietnamese::VIETNAMESE_LETTERS;

/// The family used when none is configured: metric-compatible with Times New Roman (§2.2).
pub const DEFAULT_FAMILY: &str = "Liberation Serif";

/// Fonts compiled into the binary (SIL OFL 1.1, licence in `fonts/LICENSE-liberation.txt`).
const BUNDLED: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];

/// The loaded fonts and their metadata, shared read-only by every render.
pub struct FontSet {
    /// Typst's index of the fonts; index `i` describes `fonts[i]`.
    pub book: FontBook,
    /// The parsed fonts.
    pub fonts: Vec<Font>,
    /// The family documents are set in.
    pub family: String,
}

impl FontSet {
    /// Loads the bundled fonts, then every `.ttf`/`.otf`/`.ttc`/`.otc` file in `extra_dir`, and
    /// checks that `family` exists in the four styles documents use and covers all 134
    /// Vietnamese letters.
    pub fn load(extra_dir: Option<&Path>, family: &str) -> Result<Self> {
        let mut fonts: Vec<Font> = BUNDLED.iter().flat_map(|data| Font::iter(Bytes::new(*data))).collect();
        if let Some(dir) = extra_dir {
            fonts.extend(load_dir(dir)?);
        }
        let book = FontBook::from_fonts(&fonts);
        let set = FontSet { book, fonts, family: family.to_string() };
        set.check_family()?;
        Ok(set)
    }

    /// Refuses a document font that lacks a style or any Vietnamese letter: Typst would otherwise
    /// fall back glyph by glyph and print a mixture of typefaces.
    fn check_family(&self) -> Result<()> {
        let wanted = self.family.to_lowercase();
        let styles = [
            ("regular", FontStyle::Normal, FontWeight::REGULAR),
            ("bold", FontStyle::Normal, FontWeight::BOLD),
            ("italic", FontStyle::Italic, FontWeight::REGULAR),
        ];
        for (name, style, weight) in styles {
            let font = self
                .fonts
                .iter()
                .find(|f| {
                    let info = f.info();
                    info.family.to_lowercase() == wanted
                        && info.variant.style == style
                        && info.variant.weight == weight
                })
                .ok_or_else(|| {
                    Error::Setup(format!("font family `{}` has no {name} style loaded", self.family))
                })?;
            let missing: String =
                VIETNAMESE_LETTERS.iter().filter(|c| !font.info().coverage.contains(**c as u32)).collect();
            if !missing.is_empty() {
                return Err(Error::Setup(format!(
                    "font `{}` ({name}) lacks Vietnamese letters: {missing}",
                    self.family
                )));
            }
        }
        Ok(())
    }
}

fn load_dir(dir: &Path) -> Result<Vec<Font>> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::Setup(format!("cannot read fonts directory {}: {e}", dir.display())))?;
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut fonts = Vec::new();
    for path in paths {
        let is_font = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc" | "otc"));
        if is_font {
            let data = std::fs::read(&path)?;
            let before = fonts.len();
            fonts.extend(Font::iter(Bytes::new(data)));
            if fonts.len() == before {
                return Err(Error::Setup(format!("{} is not a usable font", path.display())));
            }
        }
    }
    Ok(fonts)
}
