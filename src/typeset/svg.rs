//! The live preview's SVG writer: a page drawn for a screen, as fast as it can be written.
//!
//! typst-svg draws a page well but slowly for a preview asked for after every pause in typing:
//! for every glyph it hashes the font, checks the glyph's colour tables, measures its bounding
//! box and writes a fill, and it outlines each glyph again on every page and at every text size
//! (3.5–5 ms for one page of these templates, more than the PDF export of the whole document).
//! This writer keeps each glyph's outline in font units once per process (the fonts are the
//! bundled or configured ones, fixed at start-up, so the cache is bounded by their glyph
//! count), scales it per text run, and writes a glyph as one `<use>` with an x in font units.
//!
//! It draws what the templates use: text in a solid colour, lines, rectangles and curves with
//! solid fills and strokes, clipping. A page with anything else (images, gradients, tilings,
//! stroked text, colour or bitmap glyphs) returns `None` and is drawn by typst-svg instead.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::{Arc, LazyLock, RwLock};

use ttf_parser::{GlyphId, OutlineBuilder};
use typst::layout::{Frame, FrameItem, Point, Transform};
use typst::text::color::should_outline;
use typst::text::{FontInstance, TextItem};
use typst::visualize::{Curve, CurveItem, FillRule, FixedStroke, Geometry, LineCap, LineJoin, Paint, Shape};
use typst_layout::Page;

/// One page as a standalone SVG image, or `None` if it holds something this writer leaves to
/// typst-svg.
pub(super) fn page(page: &Page) -> Option<String> {
    let size = page.frame.size();
    let mut writer = PageWriter {
        out: String::with_capacity(64 * 1024),
        fonts: Vec::new(),
        glyphs: Vec::new(),
        clips: Vec::new(),
    };
    let (width, height) = (size.x.to_pt().max(1.0), size.y.to_pt().max(1.0));
    writer.out.push_str(r#"<svg class="typst-doc" viewBox="0 0 "#);
    writer.num(width, 2);
    writer.out.push(' ');
    writer.num(height, 2);
    writer.out.push_str(r#"" width=""#);
    writer.num(width, 2);
    writer.out.push_str(r#"pt" height=""#);
    writer.num(height, 2);
    writer
        .out
        .push_str(r#"pt" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">"#);
    if let Some(fill) = page.fill_or_white() {
        writer.out.push_str(r#"<rect width="100%" height="100%" fill=""#);
        writer.out.push_str(&solid(&fill)?);
        writer.out.push_str(r#""/>"#);
    }
    writer.frame(&page.frame, Transform::identity())?;
    writer.definitions();
    writer.out.push_str("</svg>");
    Some(writer.out)
}

/// A glyph's outline in font units (y up) as SVG path data; `None` for a glyph without one
/// (a space).
type Outline = Option<Arc<str>>;

/// Every outline drawn so far, by font and glyph: bounded by the glyphs of the loaded fonts.
static OUTLINES: LazyLock<RwLock<HashMap<(FontInstance, u16), Outline>>> = LazyLock::new(Default::default);

/// A font of this page and the definition each of its glyphs got (`None`: nothing to draw).
struct PageFont {
    font: FontInstance,
    glyphs: HashMap<u16, Option<usize>>,
}

struct PageWriter {
    out: String,
    fonts: Vec<PageFont>,
    /// Glyph outlines this page uses, in the order of their ids (`g0`, `g1`, …).
    glyphs: Vec<Arc<str>>,
    /// Clip paths this page uses, in the order of their ids (`c0`, …).
    clips: Vec<String>,
}

impl PageWriter {
    fn frame(&mut self, frame: &Frame, state: Transform) -> Option<()> {
        for (position, item) in frame.items() {
            let state = state.pre_concat(Transform::translate(position.x, position.y));
            match item {
                FrameItem::Group(group) => {
                    let state = state.pre_concat(group.transform);
                    match &group.clip {
                        None => self.frame(&group.frame, state)?,
                        Some(clip) => {
                            // The clip path lives in the group's own space.
                            let id = self.clips.len();
                            let mut path = String::new();
                            curve_path(&mut path, clip);
                            self.clips.push(path);
                            self.out.push_str("<g");
                            self.transform(state);
                            let _ = write!(self.out, r#" clip-path="url(#c{id})">"#);
                            self.frame(&group.frame, Transform::identity())?;
                            self.out.push_str("</g>");
                        }
                    }
                }
                FrameItem::Text(text) => self.text(text, state)?,
                FrameItem::Shape(shape, _) => self.shape(shape, state)?,
                FrameItem::Image(..) => return None,
                // A preview is an image: links and introspection tags draw nothing.
                FrameItem::Link(..) | FrameItem::Tag(_) => {}
            }
        }
        Some(())
    }

    /// A run of text: one group scaled from font units to the text size (and flipped, fonts
    /// are y-up), one `<use>` per glyph.
    fn text(&mut self, text: &TextItem, state: Transform) -> Option<()> {
        if text.stroke.is_some() {
            return None;
        }
        let fill = solid(&text.fill)?;
        let units_per_em = text.font.units_per_em();
        let scale = text.size.to_pt() / units_per_em;
        let font = self.page_font(&text.font);
        self.out.push_str(r#"<g fill=""#);
        self.out.push_str(&fill);
        self.out.push_str(r#"" transform="matrix("#);
        let (a, b, c, d) = (state.sx.get(), state.ky.get(), state.kx.get(), state.sy.get());
        self.nums(&[a * scale, b * scale, -c * scale, -d * scale], 8);
        self.out.push(' ');
        self.nums(&[state.tx.to_pt(), state.ty.to_pt()], 2);
        self.out.push_str(")\">");
        let (mut x, mut y) = (0.0, 0.0);
        for glyph in &text.glyphs {
            if let Some(id) = self.glyph(font, glyph.id)? {
                let _ = write!(self.out, r##"<use xlink:href="#g{id}" x=""##);
                self.num((x + glyph.x_offset.get()) * units_per_em, 1);
                let glyph_y = y + glyph.y_offset.get();
                if glyph_y != 0.0 {
                    self.out.push_str(r#"" y=""#);
                    self.num(glyph_y * units_per_em, 1);
                }
                self.out.push_str(r#""/>"#);
            }
            x += glyph.x_advance.get();
            y += glyph.y_advance.get();
        }
        self.out.push_str("</g>");
        Some(())
    }

    /// The index of `font` in this page's font list, added on first use.
    fn page_font(&mut self, font: &FontInstance) -> usize {
        match self.fonts.iter().position(|known| known.font == *font) {
            Some(index) => index,
            None => {
                self.fonts.push(PageFont { font: font.clone(), glyphs: HashMap::new() });
                self.fonts.len() - 1
            }
        }
    }

    /// The page's definition of a glyph (`Some(None)`: a glyph with nothing to draw); `None`
    /// for a glyph this writer cannot draw.
    fn glyph(&mut self, font: usize, glyph: u16) -> Option<Option<usize>> {
        if let Some(&known) = self.fonts[font].glyphs.get(&glyph) {
            return Some(known);
        }
        let outline = outline(&self.fonts[font].font, glyph)?;
        let id = outline.map(|path| {
            self.glyphs.push(path);
            self.glyphs.len() - 1
        });
        self.fonts[font].glyphs.insert(glyph, id);
        Some(id)
    }

    fn shape(&mut self, shape: &Shape, state: Transform) -> Option<()> {
        self.out.push_str(r#"<path d=""#);
        match &shape.geometry {
            Geometry::Line(to) => {
                self.out.push_str("M0 0L");
                self.nums(&[to.x.to_pt(), to.y.to_pt()], 2);
            }
            Geometry::Rect(size) => {
                self.out.push_str("M0 0H");
                self.num(size.x.to_pt(), 2);
                self.out.push('V');
                self.num(size.y.to_pt(), 2);
                self.out.push_str("H0Z");
            }
            Geometry::Curve(curve) => curve_path(&mut self.out, curve),
        }
        self.out.push('"');
        match &shape.fill {
            Some(fill) => {
                self.out.push_str(r#" fill=""#);
                self.out.push_str(&solid(fill)?);
                self.out.push('"');
                if shape.fill_rule == FillRule::EvenOdd {
                    self.out.push_str(r#" fill-rule="evenodd""#);
                }
            }
            None => self.out.push_str(r#" fill="none""#),
        }
        if let Some(stroke) = &shape.stroke {
            self.stroke(stroke)?;
        }
        self.transform(state);
        self.out.push_str("/>");
        Some(())
    }

    /// Stroke attributes; SVG's defaults (butt caps, miter joins, limit 4) are Typst's too.
    fn stroke(&mut self, stroke: &FixedStroke) -> Option<()> {
        self.out.push_str(r#" stroke=""#);
        self.out.push_str(&solid(&stroke.paint)?);
        self.out.push_str(r#"" stroke-width=""#);
        self.num(stroke.thickness.to_pt(), 3);
        self.out.push('"');
        match stroke.cap {
            LineCap::Butt => {}
            LineCap::Round => self.out.push_str(r#" stroke-linecap="round""#),
            LineCap::Square => self.out.push_str(r#" stroke-linecap="square""#),
        }
        match stroke.join {
            LineJoin::Miter => {}
            LineJoin::Round => self.out.push_str(r#" stroke-linejoin="round""#),
            LineJoin::Bevel => self.out.push_str(r#" stroke-linejoin="bevel""#),
        }
        if stroke.miter_limit.get() != 4.0 {
            self.out.push_str(r#" stroke-miterlimit=""#);
            self.num(stroke.miter_limit.get(), 2);
            self.out.push('"');
        }
        if let Some(dash) = &stroke.dash {
            self.out.push_str(r#" stroke-dasharray=""#);
            let lengths: Vec<f64> = dash.array.iter().map(|length| length.to_pt()).collect();
            self.nums(&lengths, 2);
            self.out.push_str(r#"" stroke-dashoffset=""#);
            self.num(dash.phase.to_pt(), 2);
            self.out.push('"');
        }
        Some(())
    }

    /// A `transform` attribute placing an element drawn at the origin.
    fn transform(&mut self, state: Transform) {
        if state.is_identity() {
            return;
        }
        if state.sx.get() == 1.0 && state.sy.get() == 1.0 && state.kx.get() == 0.0 && state.ky.get() == 0.0 {
            self.out.push_str(r#" transform="translate("#);
        } else {
            self.out.push_str(r#" transform="matrix("#);
            self.nums(&[state.sx.get(), state.ky.get(), state.kx.get(), state.sy.get()], 6);
            self.out.push(' ');
        }
        self.nums(&[state.tx.to_pt(), state.ty.to_pt()], 2);
        self.out.push_str(r#")""#);
    }

    fn definitions(&mut self) {
        if self.glyphs.is_empty() && self.clips.is_empty() {
            return;
        }
        self.out.push_str("<defs>");
        for (id, path) in self.glyphs.iter().enumerate() {
            let _ = write!(self.out, r#"<path id="g{id}" d="{path}"/>"#);
        }
        for (id, path) in self.clips.iter().enumerate() {
            let _ = write!(self.out, r#"<clipPath id="c{id}"><path d="{path}"/></clipPath>"#);
        }
        self.out.push_str("</defs>");
    }

    fn num(&mut self, value: f64, decimals: i32) {
        push_num(&mut self.out, value, decimals);
    }

    fn nums(&mut self, values: &[f64], decimals: i32) {
        for (n, value) in values.iter().enumerate() {
            if n > 0 {
                self.out.push(' ');
            }
            self.num(*value, decimals);
        }
    }
}

/// The outline of `glyph`, from the process-wide cache; `None` if it is not drawn as an
/// outline (a colour or bitmap glyph).
fn outline(font: &FontInstance, glyph: u16) -> Option<Outline> {
    let key = (font.clone(), glyph);
    if let Some(known) = OUTLINES.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Some(known.clone());
    }
    if !should_outline(font, GlyphId(glyph)) {
        return None;
    }
    let mut path = OutlinePath(String::new());
    let outline = font.ttf().outline_glyph(GlyphId(glyph), &mut path).map(|_| Arc::from(path.0));
    OUTLINES.write().unwrap_or_else(|e| e.into_inner()).insert(key, outline.clone());
    Some(outline)
}

/// Path data of a glyph outline, in font units.
struct OutlinePath(String);

impl OutlineBuilder for OutlinePath {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.push('M');
        self.point(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.push('L');
        self.point(x, y);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.0.push('Q');
        self.point(x1, y1);
        self.0.push(' ');
        self.point(x, y);
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.0.push('C');
        self.point(x1, y1);
        self.0.push(' ');
        self.point(x2, y2);
        self.0.push(' ');
        self.point(x, y);
    }
    fn close(&mut self) {
        self.0.push('Z');
    }
}

impl OutlinePath {
    fn point(&mut self, x: f32, y: f32) {
        push_num(&mut self.0, x.into(), 1);
        self.0.push(' ');
        push_num(&mut self.0, y.into(), 1);
    }
}

/// Path data of a Typst curve, in points.
fn curve_path(out: &mut String, curve: &Curve) {
    let point = |out: &mut String, p: Point| {
        push_num(out, p.x.to_pt(), 2);
        out.push(' ');
        push_num(out, p.y.to_pt(), 2);
    };
    for item in curve.0.iter() {
        match *item {
            CurveItem::Move(to) => {
                out.push('M');
                point(out, to);
            }
            CurveItem::Line(to) => {
                out.push('L');
                point(out, to);
            }
            CurveItem::Cubic(first, second, to) => {
                out.push('C');
                point(out, first);
                out.push(' ');
                point(out, second);
                out.push(' ');
                point(out, to);
            }
            CurveItem::Close => out.push('Z'),
        }
    }
}

/// A solid paint as an SVG colour; `None` for gradients and tilings.
fn solid(paint: &Paint) -> Option<String> {
    match paint {
        Paint::Solid(color) => Some(color.to_hex().into()),
        Paint::Gradient(_) | Paint::Tiling(_) => None,
    }
}

/// `value` rounded to `decimals`, in the shortest form (`12`, `12.5`, never `-0`).
fn push_num(out: &mut String, value: f64, decimals: i32) {
    let factor = 10f64.powi(decimals);
    let rounded = (value * factor).round() / factor + 0.0;
    let _ = write!(out, "{rounded}");
}

#[cfg(test)]
mod tests {
    use quick_xml::events::{BytesStart, Event};

    use crate::{Engine, EngineConfig};

    /// An affine map `[a b c d e f]`: x' = a·x + c·y + e, y' = b·x + d·y + f (SVG's order).
    type Affine = [f64; 6];

    fn then(outer: Affine, inner: Affine) -> Affine {
        let [a, b, c, d, e, f] = outer;
        let [a2, b2, c2, d2, e2, f2] = inner;
        [
            a * a2 + c * b2,
            b * a2 + d * b2,
            a * c2 + c * d2,
            b * c2 + d * d2,
            a * e2 + c * f2 + e,
            b * e2 + d * f2 + f,
        ]
    }

    fn parse_transform(text: &str) -> Affine {
        let (name, args) = text.trim().trim_end_matches(')').split_once('(').expect("a transform");
        let n: Vec<f64> =
            args.split([' ', ',']).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap()).collect();
        match (name, n.as_slice()) {
            ("translate", [x]) => [1.0, 0.0, 0.0, 1.0, *x, 0.0],
            ("translate", [x, y]) => [1.0, 0.0, 0.0, 1.0, *x, *y],
            ("scale", [s]) => [*s, 0.0, 0.0, *s, 0.0, 0.0],
            ("scale", [x, y]) => [*x, 0.0, 0.0, *y, 0.0, 0.0],
            ("matrix", [a, b, c, d, e, f]) => [*a, *b, *c, *d, *e, *f],
            _ => panic!("unexpected transform {text}"),
        }
    }

    /// What an SVG page draws: the page coordinates (in points, to 0.05 pt) of every `<use>` of
    /// a glyph, and how many paths it draws outside its definitions (lines, rules, table
    /// borders); panics on a reference to an undefined glyph.
    fn drawn(svg: &str) -> (Vec<(i64, i64)>, usize) {
        let mut reader = quick_xml::Reader::from_str(svg);
        let attribute =
            |e: &BytesStart<'_>, name: &str| e.try_get_attribute(name).unwrap().map(|a| a.value.into_owned());
        let (mut stack, mut positions, mut used, mut defined) =
            (vec![[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]], Vec::new(), Vec::new(), Vec::new());
        let (mut paths, mut in_definitions) = (0, false);
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) if e.name().as_ref() == "g" => {
                    let own = attribute(&e, "transform")
                        .map_or([1.0, 0.0, 0.0, 1.0, 0.0, 0.0], |t| parse_transform(&t));
                    stack.push(then(*stack.last().unwrap(), own));
                }
                Event::End(e) if e.name().as_ref() == "g" => {
                    stack.pop();
                }
                Event::Start(e) if e.name().as_ref() == "defs" => in_definitions = true,
                Event::End(e) if e.name().as_ref() == "defs" => in_definitions = false,
                Event::Start(e) | Event::Empty(e) => {
                    if let Some(id) = attribute(&e, "id") {
                        defined.push(id);
                    }
                    if e.name().as_ref() == "path" && !in_definitions {
                        paths += 1;
                    }
                    if e.name().as_ref() == "use" {
                        let href = attribute(&e, "xlink:href").expect("a glyph reference");
                        used.push(href.trim_start_matches('#').to_string());
                        let coordinate =
                            |name| attribute(&e, name).map_or(0.0, |v| v.parse::<f64>().unwrap());
                        let [a, b, c, d, e2, f] = *stack.last().unwrap();
                        let (x, y) = (coordinate("x"), coordinate("y"));
                        let round = |v: f64| (v * 20.0).round() as i64;
                        positions.push((round(a * x + c * y + e2), round(b * x + d * y + f)));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        for id in &used {
            assert!(defined.contains(id), "<use> of an undefined glyph #{id}");
        }
        (positions, paths)
    }

    /// Every page of every bundled example is drawn by this writer (no fallback), with every
    /// glyph where typst-svg puts it and the same lines (typst-svg also draws the page's
    /// background as a path, this writer as a `<rect>`).
    #[test]
    fn pages_of_every_example_put_every_glyph_where_typst_svg_does() {
        let engine = Engine::new(&EngineConfig::default()).unwrap();
        for template in engine.catalog.templates() {
            let built = engine.resolve(&template.id, template.example.to_string().as_bytes()).unwrap();
            let spec = engine.job_spec(template, &built);
            let (document, _) = engine.typesetter.compile(&spec, built.data).unwrap();
            for (n, page) in document.pages().iter().enumerate() {
                let ours =
                    super::page(page).unwrap_or_else(|| panic!("{} page {}: fell back", template.id, n + 1));
                let theirs = typst_svg::svg(page, &typst_svg::SvgOptions::default());
                let ((ours, our_paths), (theirs, their_paths)) = (drawn(&ours), drawn(&theirs));
                assert_eq!(our_paths + 1, their_paths, "{} page {}", template.id, n + 1);
                assert!(ours.len() > 100, "{} page {}: {} glyphs", template.id, n + 1, ours.len());
                // Each of our glyphs matches one of theirs within 0.05 pt.
                let mut unmatched = theirs.clone();
                let moved: Vec<_> = ours
                    .iter()
                    .filter(|a| {
                        match unmatched.iter().position(|b| (a.0 - b.0).abs() <= 1 && (a.1 - b.1).abs() <= 1)
                        {
                            Some(found) => {
                                unmatched.swap_remove(found);
                                false
                            }
                            None => true,
                        }
                    })
                    .collect();
                assert!(
                    moved.is_empty() && unmatched.is_empty(),
                    "{} page {}: {moved:?} {unmatched:?}",
                    template.id,
                    n + 1
                );
            }
        }
    }
}
