//! Vietnamese text typed in the legacy 8-bit encodings TCVN3 (ABC, fonts `.VnTime`) and VNI
//! (fonts `VNI-Times`). Old office files still hold it: the bytes were shown through a legacy
//! font, so a spreadsheet stores them as Latin-1 letters (`Céng hoµ` for `Cộng hoà`).
//!
//! Detection is conservative: a text is suspect only if it shows something Unicode Vietnamese
//! never does — a Latin-1 character no Vietnamese word uses (`¸`, `§`, `ä`), a capital with a
//! mark inside a lower-case word (TCVN3 `NguyÔn`), a mark letter right after `a` or `e` (VNI
//! `Leâ Vaên`), two tone marks in one syllable — *and* one of the conversions leaves nothing
//! suspect. Many short TCVN3 texts
//! are also valid Unicode (`Chi bé` is `Chi bộ`, but `bé` is a word), so once a file holds
//! clearly legacy text, its other texts made only of Latin-1 letters are read in the same
//! encoding ([`convert_as`]). The importer reports every such text with its conversion and
//! converts only when asked (never a silent guess).

use unicode_normalization::UnicodeNormalization;

/// A legacy encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Legacy {
    /// TCVN 5712:1993 VN3 (ABC), fonts `.VnTime`, `.VnArial`…
    Tcvn3,
    /// VNI, fonts `VNI-Times`…
    Vni,
}

impl Legacy {
    /// The encoding's usual name.
    pub fn name(self) -> &'static str {
        match self {
            Legacy::Tcvn3 => "TCVN3 (ABC)",
            Legacy::Vni => "VNI",
        }
    }
}

/// TCVN3 code points (as Latin-1 characters) and the Vietnamese letters they stand for.
const TCVN3: [(char, char); 67] = [
    ('¡', 'Ă'),
    ('¢', 'Â'),
    ('£', 'Ê'),
    ('¤', 'Ô'),
    ('¥', 'Ơ'),
    ('¦', 'Ư'),
    ('§', 'Đ'),
    ('¨', 'ă'),
    ('©', 'â'),
    ('ª', 'ê'),
    ('«', 'ô'),
    ('¬', 'ơ'),
    ('\u{ad}', 'ư'),
    ('®', 'đ'),
    ('µ', 'à'),
    ('¶', 'ả'),
    ('·', 'ã'),
    ('¸', 'á'),
    ('¹', 'ạ'),
    ('»', 'ằ'),
    ('¼', 'ẳ'),
    ('½', 'ẵ'),
    ('¾', 'ắ'),
    ('Æ', 'ặ'),
    ('Ç', 'ầ'),
    ('È', 'ẩ'),
    ('É', 'ẫ'),
    ('Ê', 'ấ'),
    ('Ë', 'ậ'),
    ('Ì', 'è'),
    ('Î', 'ẻ'),
    ('Ï', 'ẽ'),
    ('Ð', 'é'),
    ('Ñ', 'ẹ'),
    ('Ò', 'ề'),
    ('Ó', 'ể'),
    ('Ô', 'ễ'),
    ('Õ', 'ế'),
    ('Ö', 'ệ'),
    ('×', 'ì'),
    ('Ø', 'ỉ'),
    ('Ü', 'ĩ'),
    ('Ý', 'í'),
    ('Þ', 'ị'),
    ('ß', 'ò'),
    ('á', 'ỏ'),
    ('â', 'õ'),
    ('ã', 'ó'),
    ('ä', 'ọ'),
    ('å', 'ồ'),
    ('æ', 'ổ'),
    ('ç', 'ỗ'),
    ('è', 'ố'),
    ('é', 'ộ'),
    ('ê', 'ờ'),
    ('ë', 'ở'),
    ('ì', 'ỡ'),
    ('í', 'ớ'),
    ('î', 'ợ'),
    ('ï', 'ù'),
    ('ñ', 'ủ'),
    ('ò', 'ũ'),
    ('ó', 'ú'),
    ('ô', 'ụ'),
    ('õ', 'ừ'),
    ('ö', 'ử'),
    ('÷', 'ữ'),
];

/// The rest of TCVN3: `ứ ự` and the `y` row.
const TCVN3_MORE: [(char, char); 7] =
    [('ø', 'ứ'), ('ù', 'ự'), ('ú', 'ỳ'), ('û', 'ỷ'), ('ü', 'ỹ'), ('ý', 'ý'), ('þ', 'ỵ')];

/// VNI letters written as one code point.
const VNI_LETTERS: [(char, char); 18] = [
    ('ô', 'ơ'),
    ('ö', 'ư'),
    ('ñ', 'đ'),
    ('í', 'ì'),
    ('ì', 'í'),
    ('æ', 'ỉ'),
    ('ó', 'ĩ'),
    ('ò', 'ị'),
    ('î', 'ỵ'),
    ('Ô', 'Ơ'),
    ('Ö', 'Ư'),
    ('Ñ', 'Đ'),
    ('Í', 'Ì'),
    ('Ì', 'Í'),
    ('Æ', 'Ỉ'),
    ('Ó', 'Ĩ'),
    ('Ò', 'Ị'),
    ('Î', 'Ỵ'),
];

/// VNI marks typed after the letter they modify, as combining characters.
const VNI_MARKS: [(char, &str); 34] = [
    ('ø', "\u{300}"),
    ('ù', "\u{301}"),
    ('û', "\u{309}"),
    ('õ', "\u{303}"),
    ('ï', "\u{323}"),
    ('â', "\u{302}"),
    ('á', "\u{302}\u{301}"),
    ('à', "\u{302}\u{300}"),
    ('å', "\u{302}\u{309}"),
    ('ã', "\u{302}\u{303}"),
    ('ä', "\u{302}\u{323}"),
    ('ê', "\u{306}"),
    ('é', "\u{306}\u{301}"),
    ('è', "\u{306}\u{300}"),
    ('ú', "\u{306}\u{309}"),
    ('ü', "\u{306}\u{303}"),
    ('ë', "\u{306}\u{323}"),
    ('Ø', "\u{300}"),
    ('Ù', "\u{301}"),
    ('Û', "\u{309}"),
    ('Õ', "\u{303}"),
    ('Ï', "\u{323}"),
    ('Â', "\u{302}"),
    ('Á', "\u{302}\u{301}"),
    ('À', "\u{302}\u{300}"),
    ('Å', "\u{302}\u{309}"),
    ('Ã', "\u{302}\u{303}"),
    ('Ä', "\u{302}\u{323}"),
    ('Ê', "\u{306}"),
    ('É', "\u{306}\u{301}"),
    ('È', "\u{306}\u{300}"),
    ('Ú', "\u{306}\u{309}"),
    ('Ü', "\u{306}\u{303}"),
    ('Ë', "\u{306}\u{323}"),
];

/// Whether `c` can appear in Vietnamese written in Unicode (any letter of the alphabet with its
/// marks, or anything outside Latin-1's upper half).
fn is_vietnamese(c: char) -> bool {
    let latin = ('\u{80}'..='\u{24f}').contains(&c) || ('\u{1ea0}'..='\u{1ef9}').contains(&c);
    if c.is_ascii() || !latin {
        return true;
    }
    let mut parts = std::iter::once(c).nfd();
    let base = parts.next().unwrap_or(c);
    (base.is_ascii_alphabetic() || base == 'đ' || base == 'Đ')
        && parts.all(|m| {
            matches!(
                m,
                '\u{300}' | '\u{301}' | '\u{302}' | '\u{303}' | '\u{306}' | '\u{309}' | '\u{31b}' | '\u{323}'
            )
        })
}

/// How many things in `text` Unicode Vietnamese never shows (see the module's documentation).
fn suspicion(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let is_vni_mark = |c: char| VNI_MARKS.iter().any(|(m, _)| *m == c);
    let is_tone = |m: &char| matches!(m, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}');
    // A syllable carries one tone mark at most; the wrong reading of legacy text often gives two.
    let many_tones = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.nfd().filter(is_tone).count() > 1)
        .count();
    many_tones
        + (0..chars.len())
            .filter(|&i| {
                let c = chars[i];
                let before = i.checked_sub(1).map(|j| chars[j]);
                let after = chars.get(i + 1).copied();
                let inside_lower_word = before.is_some_and(char::is_alphabetic)
                    && (before.is_some_and(char::is_lowercase) || after.is_some_and(char::is_lowercase));
                !is_vietnamese(c)
                    || (!c.is_ascii() && c.is_uppercase() && inside_lower_word)
                    || (is_vni_mark(c) && before.is_some_and(|b| "aeAE".contains(b)))
            })
            .count()
}

/// If `text` reads as legacy-encoded Vietnamese, the encoding and the converted text.
pub fn detect(text: &str) -> Option<(Legacy, String)> {
    let suspects = suspicion(text);
    if suspects == 0 {
        return None;
    }
    let plausible = |converted: &String| suspicion(converted) == 0 && converted != text;
    let vni = Some(from_vni(text)).filter(plausible);
    let tcvn3 = Some(from_tcvn3(text)).filter(plausible);
    match (vni, tcvn3) {
        // VNI marks follow a vowel; TCVN3 letters stand alone. Both fit: count marks after vowels.
        (Some(vni), Some(tcvn3)) => {
            let after_vowel = text
                .chars()
                .zip(text.chars().skip(1))
                .filter(|(a, b)| "aeiouyAEIOUY".contains(*a) && VNI_MARKS.iter().any(|(m, _)| m == b))
                .count();
            if after_vowel >= suspects { Some((Legacy::Vni, vni)) } else { Some((Legacy::Tcvn3, tcvn3)) }
        }
        (Some(vni), None) => Some((Legacy::Vni, vni)),
        (None, Some(tcvn3)) => Some((Legacy::Tcvn3, tcvn3)),
        (None, None) => None,
    }
}

/// The encoding most clearly legacy texts among `texts` are in, if they outnumber the texts
/// plainly in Unicode (holding letters beyond Latin-1, which no legacy font produces).
pub fn prevailing<'t>(texts: impl IntoIterator<Item = &'t str>) -> Option<Legacy> {
    let (mut tcvn3, mut vni, mut unicode) = (0, 0, 0);
    for text in texts {
        match detect(text) {
            Some((Legacy::Tcvn3, _)) => tcvn3 += 1,
            Some((Legacy::Vni, _)) => vni += 1,
            None if text.chars().any(|c| u32::from(c) > 0xff) => unicode += 1,
            None => {}
        }
    }
    match (tcvn3, vni) {
        _ if tcvn3 + vni <= unicode => None,
        _ if tcvn3 >= vni => Some(Legacy::Tcvn3),
        _ => Some(Legacy::Vni),
    }
}

/// `text` read in `encoding`, for a file whose other texts are clearly in it: only a text of
/// Latin-1 letters with at least one beyond ASCII (a legacy font's bytes can be nothing else)
/// that converts to something changed and plausible.
pub fn convert_as(text: &str, encoding: Legacy) -> Option<String> {
    if text.is_ascii() || text.chars().any(|c| u32::from(c) > 0xff) {
        return None;
    }
    let converted = match encoding {
        Legacy::Tcvn3 => from_tcvn3(text),
        Legacy::Vni => from_vni(text),
    };
    (converted != text && suspicion(&converted) == 0).then_some(converted)
}

/// TCVN3 → Unicode. Capitals with tone marks live in a separate font (`.VnTimeH`) that shows the
/// lowercase codes as capitals, so text whose plain letters are all capitals becomes capitals.
pub fn from_tcvn3(text: &str) -> String {
    let converted: String = text
        .chars()
        .map(|c| {
            TCVN3.iter().chain(&TCVN3_MORE).find(|(code, _)| *code == c).map_or(c, |(_, letter)| *letter)
        })
        .collect();
    let has_lower = text.chars().any(|c| c.is_ascii_lowercase());
    let has_upper = text.chars().any(|c| c.is_ascii_uppercase());
    if has_upper && !has_lower { converted.to_uppercase() } else { converted }
}

/// VNI → Unicode (NFC).
pub fn from_vni(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_is_letter = false;
    for c in text.chars() {
        if let Some((_, letter)) = VNI_LETTERS.iter().find(|(code, _)| *code == c) {
            out.push(*letter);
            previous_is_letter = true;
        } else if let Some((_, marks)) =
            VNI_MARKS.iter().find(|(code, _)| *code == c).filter(|_| previous_is_letter)
        {
            out.push_str(marks);
        } else {
            out.push(c);
            previous_is_letter = c.is_alphabetic();
        }
    }
    out.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcvn3_is_detected_and_converted() {
        assert_eq!(
            detect("Céng hoµ x· héi chñ nghÜa ViÖt Nam"),
            Some((Legacy::Tcvn3, "Cộng hoà xã hội chủ nghĩa Việt Nam".to_string()))
        );
        // TCVN3 writes ư as 0xAD (a soft hyphen in Latin-1), invisible in most editors.
        assert_eq!(detect("M\u{ad}êng Kh\u{ad}¬ng"), Some((Legacy::Tcvn3, "Mường Khương".to_string())));
        assert_eq!(from_tcvn3("§¶NG CéNG S¶N"), "ĐẢNG CỘNG SẢN");
    }

    #[test]
    fn vni_is_detected_and_converted() {
        assert_eq!(
            detect("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam"),
            Some((Legacy::Vni, "Cộng hòa xã hội chủ nghĩa Việt Nam".to_string()))
        );
        assert_eq!(from_vni("Ñaûng boä phöôøng"), "Đảng bộ phường");
    }

    /// Texts as a ward office's old files hold them: typed with the ABC keyboard in `.VnTime`
    /// (TCVN3) or with VNI in `VNI-Times`, each byte shown as its Latin-1 character.
    #[test]
    fn real_tcvn3_texts() {
        let clear = [
            ("§¶ng bé ph\u{ad}êng BÕn NghÐ", "Đảng bộ phường Bến Nghé"),
            ("NguyÔn V¨n An", "Nguyễn Văn An"),
            ("TrÇn ThÞ Thu H\u{ad}¬ng", "Trần Thị Thu Hương"),
            ("Chi bé khu phè 3 ph\u{ad}êng §«ng H¶i", "Chi bộ khu phố 3 phường Đông Hải"),
            ("Häp chi bé th\u{ad}êng kú th¸ng 11", "Họp chi bộ thường kỳ tháng 11"),
        ];
        for (typed, meant) in clear {
            assert_eq!(detect(typed), Some((Legacy::Tcvn3, meant.to_string())), "{typed}");
        }
        // `Chi bé` alone is also Unicode (bé is a word): only a file's other texts tell.
        assert_eq!(detect("Chi bé"), None);
        assert_eq!(detect("Chi bé khu phè 3"), None);
        assert_eq!(convert_as("Chi bé", Legacy::Tcvn3).as_deref(), Some("Chi bộ"));
        assert_eq!(convert_as("Chi bé khu phè 3", Legacy::Tcvn3).as_deref(), Some("Chi bộ khu phố 3"));
        assert_eq!(prevailing(["Chi bé", "NguyÔn V¨n An", "STT"]), Some(Legacy::Tcvn3));
    }

    #[test]
    fn real_vni_texts() {
        let clear = [
            ("Chi boä", "Chi bộ"),
            ("Ñaûng boä phöôøng Beán Ngheù", "Đảng bộ phường Bến Nghé"),
            ("Leâ Vaên Taùm", "Lê Văn Tám"),
            ("Nguyeãn Thò Thu Höông", "Nguyễn Thị Thu Hương"),
            ("Hoïp chi boä thöôøng kyø thaùng 11", "Họp chi bộ thường kỳ tháng 11"),
        ];
        for (typed, meant) in clear {
            assert_eq!(detect(typed), Some((Legacy::Vni, meant.to_string())), "{typed}");
        }
        assert_eq!(prevailing(["Chi boä", "Leâ Vaên Taùm"]), Some(Legacy::Vni));
        assert_eq!(convert_as("Hoaø", Legacy::Vni).as_deref(), Some("Hoà"));
    }

    #[test]
    fn context_never_touches_unicode_beyond_latin1_or_plain_ascii() {
        assert_eq!(convert_as("Nguyễn Văn An", Legacy::Tcvn3), None);
        assert_eq!(convert_as("CHI BO 5", Legacy::Tcvn3), None);
        assert_eq!(prevailing(["Chi bé", "Nguyễn Văn An"]), None);
        // One odd text among Unicode ones does not make a file legacy.
        assert_eq!(prevailing(["NguyÔn V¨n An", "Hoàn thành bê tông hóa ngõ", "Đảng bộ"]), None);
    }

    #[test]
    fn unicode_vietnamese_is_left_alone() {
        for text in [
            "Cộng hoà xã hội chủ nghĩa Việt Nam",
            "ĐẢNG BỘ PHƯỜNG",
            "Nguyễn Thị Ánh",
            "x = 5",
            "Số 19-NQ/CB",
            "Hoàng Thị Ánh Tuyết",
            "Khoẻ, Thuý, Xuân, Yên, Quân",
            "Chi bộ Khu phố Mới",
            "ThS. Lê Văn Hoà",
        ] {
            assert_eq!(detect(text), None, "{text}");
        }
    }
}
