//! Vietnamese formatting rules of DOCUMENTS.md §5 (with the numbering and date-line rules of
//! §2.5, §2.6 and §2.13, and the largest-remainder rounding of §4.4.2).
//!
//! This module owns every rule for turning a value into Vietnamese text: dates and times
//! (§5.1), numbers and counts (§5.2), percentages (§5.3), money (§5.4), amounts in words (§5.5),
//! capitalisation (§5.6), the set of Vietnamese letters and ASCII folding (§5.7), spaced ranges
//! (§5.8) and the document number line (§2.5). Each rule has exactly one implementation here,
//! and every template calls it instead of formatting by itself.
//!
//! The module is pure: no IO, no global state, no allocation beyond the returned strings, and no
//! function panics on any input. Integer arithmetic is used throughout (no floating point), so
//! every rounding is exact. It depends only on `std`.

// ---------------------------------------------------------------------------------------------
// Dates and times (§5.1, §2.6, §2.13)
// ---------------------------------------------------------------------------------------------

/// A real calendar date (proleptic Gregorian, years 1–9999), as used in the date line (§2.6)
/// and in body text (§5.1).
///
/// The fields are private so that a `Date` is always valid: build one with [`Date::new`] or
/// [`Date::parse_iso`]. Dates order chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// Builds a date, or `None` when it does not exist in the calendar (§2.13: dates are
    /// validated): month 1–12, day within the month, 29 February only in leap years.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=9999).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses the JSON input form `YYYY-MM-DD` (§4.0 shapes, e.g. `"2026-11-22"`): exactly four
    /// year digits, two month digits and two day digits, and a real calendar date
    /// (`2026-02-29` is rejected, `2028-02-29` accepted). Anything else is `None`.
    pub fn parse_iso(text: &str) -> Option<Date> {
        let (year, rest) = text.split_once('-')?;
        let (month, day) = rest.split_once('-')?;
        if year.len() != 4 || month.len() != 2 || day.len() != 2 {
            return None;
        }
        Date::new(parse_digits(year)?, parse_digits(month)?, parse_digits(day)?)
    }

    /// The year (1–9999).
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month (1–12).
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month (1–31).
    pub fn day(self) -> u8 {
        self.day
    }

    /// The quarter (1–4) the date falls in, for `quý IV năm 2026` labels (§5.1).
    pub fn quarter(self) -> u8 {
        self.month.div_ceil(3)
    }

    /// The ISO form `2026-11-22`, for machine-readable output only; never printed in a
    /// document (§5.1: "Never print ISO dates").
    pub fn to_iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Parses a non-empty run of ASCII digits (no sign, no spaces) into `T`; `None` otherwise or on
/// overflow. `str::parse` alone would accept a leading `+`.
fn parse_digits<T: TryFrom<u32>>(text: &str) -> Option<T> {
    if text.is_empty() {
        return None;
    }
    let mut value: u32 = 0;
    for byte in text.bytes() {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u32::from(byte - b'0'))?;
    }
    T::try_from(value).ok()
}

/// Whether `year` is a Gregorian leap year (used to validate dates, §2.13).
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` of `year`; 0 for a month outside 1–12 (§2.13 date validation).
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A clock time of day (00:00–23:59) for meeting start and end times (§4.1, §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    hour: u8,
    minute: u8,
}

impl Time {
    /// Builds a time, or `None` unless hour is 0–23 and minute 0–59.
    pub fn new(hour: u8, minute: u8) -> Option<Time> {
        (hour < 24 && minute < 60).then_some(Time { hour, minute })
    }

    /// Parses the JSON input form `HH:MM` (`"19:30"`; a one-digit hour `"7:30"` is also
    /// accepted). Minutes must have two digits. Anything else is `None`.
    pub fn parse_hhmm(text: &str) -> Option<Time> {
        let (hour, minute) = text.split_once(':')?;
        if !(1..=2).contains(&hour.len()) || minute.len() != 2 {
            return None;
        }
        Time::new(parse_digits(hour)?, parse_digits(minute)?)
    }

    /// Minutes since midnight.
    pub fn minutes_of_day(self) -> u32 {
        u32::from(self.hour) * 60 + u32::from(self.minute)
    }

    /// The time in words, `19 giờ 30 phút` (see [`time_words`], §5.1).
    pub fn words(self) -> String {
        time_words(self.hour, self.minute)
    }
}

/// Meeting duration in minutes from `start` to `end` on the same day (§4.1 `duration_minutes`,
/// checked against the 90/120-minute minimum). `None` when `end` is before `start`: meetings do
/// not cross midnight, so that is an input error for the caller to report.
pub fn minutes_between(start: Time, end: Time) -> Option<u32> {
    end.minutes_of_day().checked_sub(start.minutes_of_day())
}

/// Two-digit day: `05`, `22` (§5.1, §2.6: day < 10 gets a leading zero).
fn day_text(day: u8) -> String {
    format!("{day:02}")
}

/// Month with the §2.6 zero rule: `01`, `02` but `3` … `12` ("tháng dưới 3 phải thêm số không").
fn month_text(month: u8) -> String {
    if month <= 2 { format!("{month:02}") } else { month.to_string() }
}

/// `ngày 22 tháng 11 năm 2026`, `ngày 05 tháng 02 năm 2026`, `ngày 03 tháng 4 năm 2026`:
/// a date inside a sentence (§5.1), with the §2.6 zero rule (day < 10 and months 1–2 padded).
/// Years are plain digits, never grouped.
pub fn date_words(date: Date) -> String {
    format!("ngày {} tháng {} năm {}", day_text(date.day), month_text(date.month), date.year)
}

/// The date line under the header (§2.6, §5.1, §2.14 item 4): `Hòa An, ngày 05 tháng 02 năm
/// 2026`. `place` is trimmed; an empty place yields the date words alone (no stray comma).
pub fn date_line(place: &str, date: Date) -> String {
    let place = place.trim();
    if place.is_empty() { date_words(date) } else { format!("{place}, {}", date_words(date)) }
}

/// Short date inside body text (§5.1): `DD/M/YYYY` with the same zero rule — `05/02/2026`,
/// `15/11/2026`, `05/9/2026`. Never used for the header date line.
pub fn short_date(date: Date) -> String {
    format!("{}/{}/{}", day_text(date.day), month_text(date.month), date.year)
}

/// A time in words (§5.1 `Vào lúc 19 giờ 30 phút`): hour without a leading zero, minutes always
/// two digits — `19 giờ 30 phút`, `7 giờ 05 phút`, `21 giờ 00 phút`.
///
/// A whole hour keeps `00 phút` rather than `21 giờ`: minutes forms print the blanks
/// `… giờ … phút` and are filled with both numbers, so the generated text keeps that shape and
/// start and end times read alike. Values are printed as given (callers pass a valid [`Time`]).
pub fn time_words(hour: u8, minute: u8) -> String {
    format!("{hour} giờ {minute:02} phút")
}

/// Month period label (§5.1): `tháng 11 năm 2026`; months 1–2 keep the date-line zero
/// (`tháng 02 năm 2026`) so periods and dates follow one rule. `None` for a month outside 1–12.
pub fn month_label(month: u8, year: i32) -> Option<String> {
    (1..=12).contains(&month).then(|| format!("tháng {} năm {year}", month_text(month)))
}

/// Quarter period label with a Roman numeral (§5.1, §4.2): `quý IV năm 2026`. `None` for a
/// quarter outside 1–4.
pub fn quarter_label(quarter: u8, year: i32) -> Option<String> {
    (1..=4).contains(&quarter).then(|| format!("quý {} năm {year}", roman(u32::from(quarter))))
}

/// Half-year period label (§5.1): half 1 → `6 tháng đầu năm 2026`, half 2 → `6 tháng cuối năm
/// 2026`. `None` for any other half.
pub fn half_year_label(half: u8, year: i32) -> Option<String> {
    match half {
        1 => Some(format!("6 tháng đầu năm {year}")),
        2 => Some(format!("6 tháng cuối năm {year}")),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers (§5.2) and document numbers (§2.5)
// ---------------------------------------------------------------------------------------------

/// Integer with a dot every three digits (§5.2): `1.200`, `8.400.000`, `120`. Never a comma.
pub fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    out
}

/// A count in a generated sentence with the §5.2 `count_leading_zero` style: below 10 a leading
/// zero (`07 đảng viên`, `01 Bí thư`, `00`), from 10 on as [`group_thousands`] (`43`, `1.200`).
/// Inside tables use [`group_thousands`] instead.
pub fn count2(n: u64) -> String {
    if n < 10 { format!("{n:02}") } else { group_thousands(n) }
}

/// A count standing before its noun in a generated sentence (§5.2, decided 2026-12-01): like
/// [`count2`] (`01 đồng chí`, `09 đồng chí`, `20 đồng chí`) except that zero stays `0`.
pub fn count_before_noun(n: u64) -> String {
    if n == 0 { "0".to_string() } else { count2(n) }
}

/// A fraction of people or items, slash without spaces (§5.2): `43/47`, `1.200/1.500`.
pub fn fraction(part: u64, whole: u64) -> String {
    format!("{}/{}", group_thousands(part), group_thousands(whole))
}

/// The blank printed instead of a number not yet assigned (§2.5 `Số      -NQ/CB`): six
/// NO-BREAK SPACEs (U+00A0). Ordinary spaces could be collapsed or broken by the layout engine;
/// no-break spaces keep a visible gap (about 7 mm at 14 pt, room to write the number by hand)
/// and never allow a line break before the `-NQ/CB` code.
pub const UNASSIGNED_NUMBER_BLANK: &str = "\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}";

/// The running number of a document (§2.5, §2.13): at least two digits (`01` … `09`, `11`,
/// `127`), no thousands separator. Numbers start at 01, so 0 (printed `00`) is for the caller to
/// reject.
pub fn document_seq(seq: u32) -> String {
    format!("{seq:02}")
}

/// Number and symbol without the word `Số` (§2.5), for citations such as `Kết luận số
/// 45-KL/ĐU`: `05-NQ/CB`; `None` (unassigned) gives [`UNASSIGNED_NUMBER_BLANK`] + `-NQ/CB`.
pub fn number_symbol(seq: Option<u32>, type_code: &str, issuer_code: &str) -> String {
    let number = seq.map_or_else(|| UNASSIGNED_NUMBER_BLANK.to_string(), document_seq);
    format!("{number}-{type_code}/{issuer_code}")
}

/// The header number line (§2.5, §2.14 item 3): `Số 05-NQ/CB`; with `colon` (older local
/// style, off by default) `Số: 05-NQ/CB`. An unassigned number (`None`) prints a visible blank:
/// `Số` + space + six no-break spaces + `-NQ/CB` (see [`UNASSIGNED_NUMBER_BLANK`]).
pub fn number_line(seq: Option<u32>, type_code: &str, issuer_code: &str, colon: bool) -> String {
    let label = if colon { "Số:" } else { "Số" };
    format!("{label} {}", number_symbol(seq, type_code, issuer_code))
}

/// Roman numeral for quarters (`I`–`IV`) and section headings (`I-`, `II-`, …; §2.3 6b, §5.1).
/// Values 1–3999 use standard subtractive notation; 0 and values above 3999 (which have no
/// ordinary Roman form) fall back to Arabic digits.
pub fn roman(n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    if n == 0 || n > 3999 {
        return n.to_string();
    }
    let mut rest = n;
    let mut out = String::new();
    for (value, numeral) in TABLE {
        while rest >= value {
            out.push_str(numeral);
            rest -= value;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Percentages (§5.3, §4.1 computed numbers, §4.4.2 largest remainder)
// ---------------------------------------------------------------------------------------------

/// `numerator / denominator × 100` in tenths of a percent, rounded half-up exactly with integer
/// arithmetic (§5.3); 0 when the denominator is 0; saturates instead of overflowing.
fn tenths_half_up(numerator: u64, denominator: u64) -> u64 {
    if denominator == 0 {
        return 0;
    }
    let num = u128::from(numerator) * 2000 + u128::from(denominator);
    let tenths = num / (u128::from(denominator) * 2);
    u64::try_from(tenths).unwrap_or(u64::MAX)
}

/// A value given in tenths printed with one decimal and a comma (§5.2, §5.3): 149 → `14,9`,
/// 0 → `0,0`, 1000 → `100,0`, 12345 → `1.234,5`.
pub fn format_tenths(tenths: u64) -> String {
    format!("{},{}", group_thousands(tenths / 10), tenths % 10)
}

/// A ratio as a percentage number with one decimal and no `%`, for table cells (§5.3, §4.4.1
/// table D): 44/47 → `93,6`, 47/47 → `100,0`, 0/47 → `0,0`. Rounded half-up at the printed
/// digit from integers. A zero denominator gives `0,0` (the caller validates its inputs).
pub fn decimal1(numerator: u64, denominator: u64) -> String {
    format_tenths(tenths_half_up(numerator, denominator))
}

/// A ratio as a percentage in prose (§5.3, §4.1 `attendance_pct`, `vote_for_pct`): one decimal,
/// comma, `%` without a space — 43/47 → `91,5%`, 45/50 → `90,0%`.
///
/// `,0` is dropped only for an exact 0% (numerator 0) or an exact 100% (numerator equals
/// denominator): `100%`, `0%`. A value that merely rounds to 100,0 (1999/2000) prints `100,0%`,
/// so `đạt 100%` always means everybody. A zero denominator (nobody required, no voters) gives
/// `0%`; the caller is expected to have validated the counts (§2.14 item 11).
pub fn percent(numerator: u64, denominator: u64) -> String {
    if numerator == 0 || denominator == 0 {
        return "0%".to_string();
    }
    if numerator == denominator {
        return "100%".to_string();
    }
    format!("{}%", decimal1(numerator, denominator))
}

/// Shares of a column of counts in tenths of a percent that add up to exactly 1000 (100,0%),
/// by the largest-remainder method (§5.3, §4.4.2 table E): each share is first rounded down,
/// then the missing tenths go one each to the largest remainders; equal remainders are served
/// in input order. Table E: `[7, 36, 4, 0]` → `[149, 766, 85, 0]` (`14,9`, `76,6`, `8,5`,
/// `0,0`). When all counts are 0 every share is 0 (the sum is then 0, not 1000).
pub fn largest_remainder_tenths(counts: &[u64]) -> Vec<u64> {
    let total: u128 = counts.iter().map(|&c| u128::from(c)).sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    // (input position, floor share, remainder); the floor share is at most 1000.
    let mut parts: Vec<(usize, u64, u128)> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let scaled = u128::from(c) * 1000;
            (i, u64::try_from(scaled / total).unwrap_or(1000), scaled % total)
        })
        .collect();
    let floor_sum: u64 = parts.iter().map(|p| p.1).sum();
    let missing = usize::try_from(1000_u64.saturating_sub(floor_sum)).unwrap_or(0);
    parts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    for part in parts.iter_mut().take(missing) {
        part.1 += 1;
    }
    parts.sort_by_key(|p| p.0);
    parts.into_iter().map(|p| p.1).collect()
}

/// A percentage column that sums to 100,0 (§5.3, §4.4.2 table E), formatted for table cells:
/// `[7, 36, 4, 0]` → `["14,9", "76,6", "8,5", "0,0"]`.
pub fn percent_column(counts: &[u64]) -> Vec<String> {
    largest_remainder_tenths(counts).into_iter().map(format_tenths).collect()
}

/// A rate given in basis points (hundredths of a percent) with as few decimals as needed and
/// `%` without a space (§5.3, §4.4.3 table F `Tỷ lệ`): 100 → `1%`, 50 → `0,5%`, 30 → `0,3%`,
/// 25 → `0,25%`. Rates are exact inputs, so no trailing `,0` is printed.
pub fn rate_percent_bp(basis_points: u64) -> String {
    let whole = group_thousands(basis_points / 100);
    let hundredths = basis_points % 100;
    if hundredths == 0 {
        format!("{whole}%")
    } else if hundredths.is_multiple_of(10) {
        format!("{whole},{}%", hundredths / 10)
    } else {
        format!("{whole},{hundredths:02}%")
    }
}

// ---------------------------------------------------------------------------------------------
// Money (§5.4) and amounts in words (§5.5)
// ---------------------------------------------------------------------------------------------

/// An amount of money for a table cell (§5.4): `120.250` (dot grouping, no decimals).
pub fn money(amount: u64) -> String {
    group_thousands(amount)
}

/// An amount of money in prose (§5.4): `120.250 đồng`. Never `VNĐ`.
pub fn money_dong(amount: u64) -> String {
    format!("{} đồng", money(amount))
}

/// The word for the thousands scale in [`amount_in_words`] (§5.5 step 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThousandWord {
    /// `nghìn`, the northern/standard written form (default).
    #[default]
    Nghin,
    /// `ngàn`, the southern form.
    Ngan,
}

impl ThousandWord {
    /// The word as printed.
    pub fn word(self) -> &'static str {
        match self {
            ThousandWord::Nghin => "nghìn",
            ThousandWord::Ngan => "ngàn",
        }
    }
}

/// The word read for a zero tens digit before a non-zero unit, `105` → `một trăm linh năm`
/// (§5.5 step 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZeroTensWord {
    /// `linh` (default).
    #[default]
    Linh,
    /// `lẻ`, the southern form.
    Le,
}

impl ZeroTensWord {
    /// The word as printed.
    pub fn word(self) -> &'static str {
        match self {
            ZeroTensWord::Linh => "linh",
            ZeroTensWord::Le => "lẻ",
        }
    }
}

/// Office settings for [`amount_in_words`] (§5.5). `Default` gives the standard reading:
/// `tư` after `mươi`, `nghìn`, `linh`, no `chẵn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordsOptions {
    /// Read a final 4 after `mươi` as `tư` (`hai mươi tư`, default) instead of `bốn`.
    pub tu_for_four: bool,
    /// `nghìn` (default) or `ngàn`.
    pub thousand_word: ThousandWord,
    /// `linh` (default) or `lẻ`.
    pub zero_tens_word: ZeroTensWord,
    /// Append `chẵn` to round amounts (`Hai triệu đồng chẵn`); default off. "Round" means a
    /// non-zero multiple of 1.000 đồng.
    pub append_chan: bool,
}

impl Default for WordsOptions {
    fn default() -> Self {
        WordsOptions {
            tu_for_four: true,
            thousand_word: ThousandWord::Nghin,
            zero_tens_word: ZeroTensWord::Linh,
            append_chan: false,
        }
    }
}

/// The reading of a single digit.
fn digit_word(digit: u64) -> &'static str {
    match digit {
        0 => "không",
        1 => "một",
        2 => "hai",
        3 => "ba",
        4 => "bốn",
        5 => "năm",
        6 => "sáu",
        7 => "bảy",
        8 => "tám",
        _ => "chín",
    }
}

/// Reads one group of three digits `abc` (0–999) per §5.5 step 2. `leading` is true only for
/// the first non-zero group of the whole number, which omits `không trăm` and `linh`.
fn push_group(words: &mut Vec<&'static str>, group: u64, leading: bool, options: WordsOptions) {
    if group == 0 {
        return;
    }
    let (a, b, c) = (group / 100 % 10, group / 10 % 10, group % 10);
    let has_hundreds = a > 0 || !leading;
    if has_hundreds {
        words.push(digit_word(a));
        words.push("trăm");
    }
    match b {
        0 if c != 0 && has_hundreds => words.push(options.zero_tens_word.word()),
        0 => {}
        1 => words.push("mười"),
        _ => {
            words.push(digit_word(b));
            words.push("mươi");
        }
    }
    let unit = match c {
        0 => return,
        1 if b >= 2 => "mốt",
        4 if b >= 2 && options.tu_for_four => "tư",
        5 if b >= 1 => "lăm",
        _ => digit_word(c),
    };
    words.push(unit);
}

/// Reads 0 ≤ n < 1.000.000.000 as up to three groups with the scales `triệu`, `nghìn` and none,
/// skipping all-zero groups (§5.5 step 3).
fn push_below_billion(words: &mut Vec<&'static str>, n: u64, leading: bool, options: WordsOptions) {
    let groups = [
        (n / 1_000_000 % 1000, Some("triệu")),
        (n / 1000 % 1000, Some(options.thousand_word.word())),
        (n % 1000, None),
    ];
    let mut leading = leading;
    for (group, scale) in groups {
        if group == 0 {
            continue;
        }
        push_group(words, group, leading, options);
        if let Some(scale) = scale {
            words.push(scale);
        }
        leading = false;
    }
}

/// Reads any n > 0 recursively around `tỷ`: the part above 10⁹ is read as a number followed by
/// `tỷ`, which yields `nghìn tỷ`, `triệu tỷ` (§5.5 step 1) and `một nghìn không trăm linh một
/// tỷ` for 1.001 × 10⁹ without repeating `tỷ`.
fn push_number(words: &mut Vec<&'static str>, n: u64, leading: bool, options: WordsOptions) {
    const BILLION: u64 = 1_000_000_000;
    let (high, low) = (n / BILLION, n % BILLION);
    if high > 0 {
        push_number(words, high, leading, options);
        words.push("tỷ");
        push_below_billion(words, low, false, options);
    } else {
        push_below_billion(words, low, leading, options);
    }
}

/// A number read in lower-case words without a unit (§5.5 steps 1–3): 0 → `không`,
/// 120250 → `một trăm hai mươi nghìn hai trăm năm mươi`, 1005000 → `một triệu không trăm linh
/// năm nghìn`.
pub fn number_in_words(n: u64, options: &WordsOptions) -> String {
    if n == 0 {
        return digit_word(0).to_string();
    }
    let mut words = Vec::new();
    push_number(&mut words, n, true, *options);
    words.join(" ")
}

/// The `Bằng chữ:` text of an amount (§5.5): the number in words, first letter capitalised,
/// ending with `đồng` — 120250 → `Một trăm hai mươi nghìn hai trăm năm mươi đồng`, 0 →
/// `Không đồng`. With `append_chan`, a non-zero multiple of 1.000 ends `đồng chẵn`.
pub fn amount_in_words(amount: u64, options: &WordsOptions) -> String {
    let mut text = capitalize_first(&number_in_words(amount, options));
    text.push_str(" đồng");
    if options.append_chan && amount > 0 && amount.is_multiple_of(1000) {
        text.push_str(" chẵn");
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Capitalisation (§5.6)
// ---------------------------------------------------------------------------------------------

/// Full Unicode upper-casing for CAPS header elements (§5.6): `Chi bộ thôn Đông Hải` →
/// `CHI BỘ THÔN ĐÔNG HẢI` (`đ` → `Đ`, `ư` → `Ư`, `ỹ` → `Ỹ`); diacritics are never stripped.
pub fn upper(s: &str) -> String {
    s.to_uppercase()
}

/// Upper-cases only the first character, Unicode-aware, leaving the rest as typed (§5.5
/// "capitalise only the first letter", §5.6 sentence case): `đồng` → `Đồng`.
pub fn capitalize_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Vietnamese letters, ASCII folding and slugs (§5.7, §4.3 file names)
// ---------------------------------------------------------------------------------------------

/// The 134 Vietnamese letters that carry a diacritic (§5.7 font coverage check), in NFC:
/// the 67 lower-case letters — `đ` and the 12 vowels `a ă â e ê i o ô ơ u ư y` with every tone
/// mark (the 6 vowels `ă â ê ô ơ ư` also without one) — followed by their 67 upper-case forms in
/// the same order. Plain ASCII letters are not included (every font has them).
///
/// Order within each case: the `a` family (17), `đ` (1), `e` (11), `i` (5), `o` (17), `u`
/// (11), `y` (5); tones in the order huyền, sắc, hỏi, ngã, nặng.
pub const VIETNAMESE_LETTERS: [char; 134] = [
    'à', 'á', 'ả', 'ã', 'ạ', 'ă', 'ằ', 'ắ', 'ẳ', 'ẵ', 'ặ', 'â', 'ầ', 'ấ', 'ẩ', 'ẫ', 'ậ', //
    'đ', //
    'è', 'é', 'ẻ', 'ẽ', 'ẹ', 'ê', 'ề', 'ế', 'ể', 'ễ', 'ệ', //
    'ì', 'í', 'ỉ', 'ĩ', 'ị', //
    'ò', 'ó', 'ỏ', 'õ', 'ọ', 'ô', 'ồ', 'ố', 'ổ', 'ỗ', 'ộ', 'ơ', 'ờ', 'ớ', 'ở', 'ỡ', 'ợ', //
    'ù', 'ú', 'ủ', 'ũ', 'ụ', 'ư', 'ừ', 'ứ', 'ử', 'ữ', 'ự', //
    'ỳ', 'ý', 'ỷ', 'ỹ', 'ỵ', //
    'À', 'Á', 'Ả', 'Ã', 'Ạ', 'Ă', 'Ằ', 'Ắ', 'Ẳ', 'Ẵ', 'Ặ', 'Â', 'Ầ', 'Ấ', 'Ẩ', 'Ẫ', 'Ậ', //
    'Đ', //
    'È', 'É', 'Ẻ', 'Ẽ', 'Ẹ', 'Ê', 'Ề', 'Ế', 'Ể', 'Ễ', 'Ệ', //
    'Ì', 'Í', 'Ỉ', 'Ĩ', 'Ị', //
    'Ò', 'Ó', 'Ỏ', 'Õ', 'Ọ', 'Ô', 'Ồ', 'Ố', 'Ổ', 'Ỗ', 'Ộ', 'Ơ', 'Ờ', 'Ớ', 'Ở', 'Ỡ', 'Ợ', //
    'Ù', 'Ú', 'Ủ', 'Ũ', 'Ụ', 'Ư', 'Ừ', 'Ứ', 'Ử', 'Ữ', 'Ự', //
    'Ỳ', 'Ý', 'Ỷ', 'Ỹ', 'Ỵ', //
];

/// The base ASCII letter of each family of [`VIETNAMESE_LETTERS`] and its length, in the order
/// of one case (67 letters).
const LETTER_FAMILIES: [(char, usize); 7] =
    [('a', 17), ('d', 1), ('e', 11), ('i', 5), ('o', 17), ('u', 11), ('y', 5)];

/// Number of letters of one case in [`VIETNAMESE_LETTERS`].
const LETTERS_PER_CASE: usize = 67;

/// The ASCII base of one Vietnamese letter, keeping its case; `None` for any other character.
fn fold_letter(c: char) -> Option<char> {
    let index = VIETNAMESE_LETTERS.iter().position(|&letter| letter == c)?;
    let mut offset = index % LETTERS_PER_CASE;
    for (base, len) in LETTER_FAMILIES {
        if offset < len {
            return Some(if index >= LETTERS_PER_CASE { base.to_ascii_uppercase() } else { base });
        }
        offset -= len;
    }
    None
}

/// Whether `c` is a combining diacritical mark (U+0300–U+036F), as found in NFD ("Unicode tổ
/// hợp", §5.7) input.
fn is_combining_mark(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Replaces every Vietnamese letter by its ASCII base letter, keeping case (`đ` → `d`, `Đ` →
/// `D`, `ỹ` → `y`, `Ư` → `U`), and drops combining marks U+0300–U+036F so NFC and NFD input
/// fold alike (§5.7). `Ð` (U+00D0, often typed for `Đ`) also folds to `D`. Every other
/// character is kept unchanged. For search keys and file names only — never for printed text.
pub fn fold_to_ascii(s: &str) -> String {
    s.chars()
        .filter(|&c| !is_combining_mark(c))
        .map(|c| match c {
            '\u{d0}' => 'D',
            _ => fold_letter(c).unwrap_or(c),
        })
        .collect()
}

/// An ASCII slug for file names (§4.3 `NQ_<seq>_<cell-slug>_<YYYY-MM>.pdf`): folded with
/// [`fold_to_ascii`], lower-cased, every run of other characters replaced by one `-`, trimmed
/// of `-`. `CHI BỘ THÔN ĐÔNG HẢI` → `chi-bo-thon-dong-hai`. The result contains only
/// `[a-z0-9-]` and may be empty (callers supply a fallback).
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_dash = false;
    for c in fold_to_ascii(s).chars() {
        if c.is_ascii_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_dash = true;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    /// One case per line: `case!(expression, expected)`; failures name the expression.
    macro_rules! case {
        ($actual:expr, $expected:expr) => {
            assert_eq!($actual, $expected, "{}", stringify!($actual));
        };
    }

    fn d(year: i32, month: u8, day: u8) -> Date {
        Date::new(year, month, day).expect("test date is valid")
    }

    fn t(hour: u8, minute: u8) -> Time {
        Time::new(hour, minute).expect("test time is valid")
    }

    fn words(n: u64) -> String {
        amount_in_words(n, &WordsOptions::default())
    }

    fn words_with(n: u64, change: impl FnOnce(&mut WordsOptions)) -> String {
        let mut options = WordsOptions::default();
        change(&mut options);
        amount_in_words(n, &options)
    }

    // ----- §5.1 dates and times -----

    #[test]
    fn date_line_examples_of_5_1_and_2_6() {
        case!(date_line("Hòa An", d(2026, 2, 5)), "Hòa An, ngày 05 tháng 02 năm 2026");
        case!(date_line("Hòa An", d(2026, 11, 22)), "Hòa An, ngày 22 tháng 11 năm 2026");
        case!(date_line("Hạ Long", d(2018, 2, 20)), "Hạ Long, ngày 20 tháng 02 năm 2018");
        case!(date_line("  Hòa An ", d(2026, 1, 9)), "Hòa An, ngày 09 tháng 01 năm 2026");
        case!(date_line("", d(2026, 4, 22)), "ngày 22 tháng 4 năm 2026");
    }

    #[test]
    fn date_words_zero_rule() {
        case!(date_words(d(2026, 4, 3)), "ngày 03 tháng 4 năm 2026");
        case!(date_words(d(2026, 1, 9)), "ngày 09 tháng 01 năm 2026");
        case!(date_words(d(2026, 2, 3)), "ngày 03 tháng 02 năm 2026");
        case!(date_words(d(2026, 3, 10)), "ngày 10 tháng 3 năm 2026");
        case!(date_words(d(2026, 12, 31)), "ngày 31 tháng 12 năm 2026");
        case!(date_words(d(2026, 11, 22)), "ngày 22 tháng 11 năm 2026");
    }

    #[test]
    fn short_date_examples_of_5_1() {
        case!(short_date(d(2026, 2, 5)), "05/02/2026");
        case!(short_date(d(2026, 11, 15)), "15/11/2026");
        case!(short_date(d(2026, 9, 5)), "05/9/2026");
        case!(short_date(d(2026, 12, 10)), "10/12/2026");
        case!(short_date(d(2026, 1, 1)), "01/01/2026");
    }

    #[test]
    fn time_words_pads_minutes_only() {
        case!(time_words(19, 30), "19 giờ 30 phút");
        case!(time_words(7, 5), "7 giờ 05 phút");
        case!(time_words(21, 0), "21 giờ 00 phút");
        case!(time_words(0, 0), "0 giờ 00 phút");
        case!(t(21, 15).words(), "21 giờ 15 phút");
    }

    #[test]
    fn parse_iso_accepts_real_dates() {
        case!(Date::parse_iso("2026-11-22"), Some(d(2026, 11, 22)));
        case!(Date::parse_iso("2028-02-29"), Some(d(2028, 2, 29)));
        case!(Date::parse_iso("2000-02-29"), Some(d(2000, 2, 29)));
        case!(Date::parse_iso("2026-12-31"), Some(d(2026, 12, 31)));
        case!(Date::parse_iso("0001-01-01").map(Date::year), Some(1));
    }

    #[test]
    fn parse_iso_rejects_invalid_dates_and_shapes() {
        for bad in [
            "2026-02-29",
            "1900-02-29",
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "2026-01-32",
            "0000-01-01",
            "2026-1-5",
            "26-01-05",
            "2026/01/05",
            "2026-01-05T00:00",
            " 2026-01-05",
            "2026-+1-05",
            "+202-01-05",
            "２０２６-01-05",
            "",
            "--",
            "2026-01-",
        ] {
            assert_eq!(Date::parse_iso(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn date_new_validates_calendar() {
        case!(Date::new(2026, 2, 29), None);
        case!(Date::new(2024, 2, 29).is_some(), true);
        case!(Date::new(2026, 6, 31), None);
        case!(Date::new(10_000, 1, 1), None);
        case!(Date::new(-5, 1, 1), None);
        case!(days_in_month(2026, 0), 0);
        case!(days_in_month(2026, 13), 0);
        case!(is_leap_year(2100), false);
    }

    #[test]
    fn dates_order_chronologically_and_print_iso() {
        assert!(d(2026, 11, 22) < d(2026, 12, 1));
        assert!(d(2025, 12, 31) < d(2026, 1, 1));
        case!(d(2026, 2, 5).to_iso(), "2026-02-05");
        case!(d(2026, 11, 22).quarter(), 4);
        case!(d(2026, 3, 31).quarter(), 1);
        case!(d(2026, 4, 1).quarter(), 2);
    }

    #[test]
    fn parse_hhmm_and_minutes_between() {
        case!(Time::parse_hhmm("19:30"), Some(t(19, 30)));
        case!(Time::parse_hhmm("7:05"), Some(t(7, 5)));
        case!(Time::parse_hhmm("00:00"), Some(t(0, 0)));
        case!(Time::parse_hhmm("23:59"), Some(t(23, 59)));
        for bad in ["24:00", "19:60", "19:5", "019:30", "1930", "19-30", "", ":", "a9:30", "+9:30"] {
            assert_eq!(Time::parse_hhmm(bad), None, "{bad:?}");
        }
        case!(minutes_between(t(19, 30), t(21, 15)), Some(105));
        case!(minutes_between(t(19, 30), t(21, 45)), Some(135));
        case!(minutes_between(t(19, 30), t(19, 30)), Some(0));
        case!(minutes_between(t(21, 15), t(19, 30)), None);
    }

    #[test]
    fn period_labels() {
        case!(month_label(11, 2026).as_deref(), Some("tháng 11 năm 2026"));
        case!(month_label(2, 2026).as_deref(), Some("tháng 02 năm 2026"));
        case!(month_label(0, 2026), None);
        case!(month_label(13, 2026), None);
        case!(quarter_label(4, 2026).as_deref(), Some("quý IV năm 2026"));
        case!(quarter_label(1, 2027).as_deref(), Some("quý I năm 2027"));
        case!(quarter_label(5, 2026), None);
        case!(half_year_label(1, 2026).as_deref(), Some("6 tháng đầu năm 2026"));
        case!(half_year_label(2, 2026).as_deref(), Some("6 tháng cuối năm 2026"));
        case!(half_year_label(3, 2026), None);
    }

    // ----- §5.2 numbers, §2.5 document numbers -----

    #[test]
    fn group_thousands_uses_dots() {
        case!(group_thousands(0), "0");
        case!(group_thousands(120), "120");
        case!(group_thousands(1200), "1.200");
        case!(group_thousands(12_420), "12.420");
        case!(group_thousands(120_250), "120.250");
        case!(group_thousands(8_400_000), "8.400.000");
        case!(group_thousands(u64::MAX), "18.446.744.073.709.551.615");
    }

    #[test]
    fn count2_leading_zero_below_ten() {
        case!(count2(0), "00");
        case!(count2(1), "01");
        case!(count2(7), "07");
        case!(count2(10), "10");
        case!(count2(43), "43");
        case!(count2(1200), "1.200");
    }

    #[test]
    fn fraction_has_no_spaces() {
        case!(fraction(43, 47), "43/47");
        case!(fraction(1200, 1500), "1.200/1.500");
    }

    #[test]
    fn number_line_and_symbol() {
        case!(number_line(Some(5), "NQ", "CB", false), "Số 05-NQ/CB");
        case!(number_line(Some(5), "NQ", "CB", true), "Số: 05-NQ/CB");
        case!(number_line(Some(11), "NQ", "CB", false), "Số 11-NQ/CB");
        case!(number_line(Some(399), "QĐ", "TW", false), "Số 399-QĐ/TW");
        case!(number_line(Some(12), "CV", "CB", false), "Số 12-CV/CB");
        case!(number_line(None, "NQ", "CB", false), "Số \u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}-NQ/CB");
        case!(number_line(None, "NQ", "CB", true), "Số: \u{a0}\u{a0}\u{a0}\u{a0}\u{a0}\u{a0}-NQ/CB");
        case!(number_symbol(Some(45), "KL", "ĐU"), "45-KL/ĐU");
        case!(document_seq(1), "01");
        case!(document_seq(1234), "1234");
        case!(UNASSIGNED_NUMBER_BLANK.chars().count(), 6);
    }

    #[test]
    fn roman_numerals() {
        let expected = [
            "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
            "XVI", "XVII", "XVIII", "XIX", "XX",
        ];
        for (n, numeral) in (1..).zip(expected) {
            assert_eq!(roman(n), numeral, "{n}");
        }
        case!(roman(40), "XL");
        case!(roman(2026), "MMXXVI");
        case!(roman(3999), "MMMCMXCIX");
        case!(roman(0), "0");
        case!(roman(4000), "4000");
        case!(roman(u32::MAX), "4294967295");
    }

    // ----- §5.3 percentages -----

    #[test]
    fn percent_examples() {
        case!(percent(43, 47), "91,5%");
        case!(percent(42, 42), "100%");
        case!(percent(0, 47), "0%");
        case!(percent(45, 50), "90,0%");
        case!(percent(1, 3), "33,3%");
        case!(percent(2, 3), "66,7%");
        case!(percent(48, 47), "102,1%");
    }

    #[test]
    fn percent_rounds_half_up_exactly() {
        // 1/8 = 12,5% exactly; 1/16 = 6,25% → 6,3; 1/80 = 1,25% → 1,3; 3/1600 = 0,1875 → 0,2.
        case!(percent(1, 8), "12,5%");
        case!(percent(1, 16), "6,3%");
        case!(percent(1, 80), "1,3%");
        case!(percent(3, 1600), "0,2%");
        // 1/2000 = 0,05% → 0,1 (half-up); 1/2001 just below → 0,0.
        case!(percent(1, 2000), "0,1%");
        case!(percent(1, 2001), "0,0%");
        // Rounds to 100,0 without being everybody: keeps the decimal.
        case!(percent(1999, 2000), "100,0%");
    }

    #[test]
    fn percent_with_zero_denominator_is_zero() {
        case!(percent(0, 0), "0%");
        case!(percent(5, 0), "0%");
        case!(decimal1(5, 0), "0,0");
    }

    #[test]
    fn percent_extremes_do_not_panic() {
        case!(percent(u64::MAX, u64::MAX), "100%");
        case!(percent(1, u64::MAX), "0,0%");
        case!(decimal1(u64::MAX, 1), "1.844.674.407.370.955.161,5");
    }

    #[test]
    fn decimal1_table_d_cells() {
        case!(decimal1(44, 47), "93,6");
        case!(decimal1(43, 47), "91,5");
        case!(decimal1(45, 47), "95,7");
        case!(decimal1(44 + 43 + 45, 47 * 3), "93,6");
        case!(decimal1(47, 47), "100,0");
        case!(decimal1(0, 47), "0,0");
    }

    #[test]
    fn largest_remainder_table_e() {
        case!(largest_remainder_tenths(&[7, 36, 4, 0]), vec![149, 766, 85, 0]);
        case!(percent_column(&[7, 36, 4, 0]), vec!["14,9", "76,6", "8,5", "0,0"]);
    }

    #[test]
    fn largest_remainder_sums_to_1000() {
        for counts in [
            vec![1, 1, 1],
            vec![1, 2, 3, 4, 5, 6, 7],
            vec![5],
            vec![0, 9, 0],
            vec![13, 17, 19, 23, 29],
            vec![1; 1500],
            vec![u64::MAX, u64::MAX, 1],
        ] {
            let shares = largest_remainder_tenths(&counts);
            assert_eq!(shares.len(), counts.len());
            assert_eq!(shares.iter().sum::<u64>(), 1000, "{counts:?}");
        }
        // Ties go to the earlier entries.
        case!(largest_remainder_tenths(&[1, 1, 1]), vec![334, 333, 333]);
        case!(percent_column(&[5]), vec!["100,0"]);
    }

    #[test]
    fn largest_remainder_of_nothing() {
        case!(largest_remainder_tenths(&[]), Vec::<u64>::new());
        case!(largest_remainder_tenths(&[0, 0]), vec![0, 0]);
    }

    #[test]
    fn format_tenths_examples() {
        case!(format_tenths(149), "14,9");
        case!(format_tenths(0), "0,0");
        case!(format_tenths(1000), "100,0");
        case!(format_tenths(12_345), "1.234,5");
    }

    #[test]
    fn rate_percent_table_f() {
        case!(rate_percent_bp(100), "1%");
        case!(rate_percent_bp(50), "0,5%");
        case!(rate_percent_bp(30), "0,3%");
        case!(rate_percent_bp(20), "0,2%");
        case!(rate_percent_bp(25), "0,25%");
        case!(rate_percent_bp(5), "0,05%");
        case!(rate_percent_bp(0), "0%");
    }

    // ----- §5.4 money -----

    #[test]
    fn money_formats() {
        case!(money(120_250), "120.250");
        case!(money(5000), "5.000");
        case!(money(0), "0");
        case!(money_dong(120_250), "120.250 đồng");
        case!(money_dong(8_400_000), "8.400.000 đồng");
    }

    // ----- §5.5 amount in words -----

    #[test]
    fn amount_in_words_spec_vectors() {
        case!(words(5000), "Năm nghìn đồng");
        case!(words(12_420), "Mười hai nghìn bốn trăm hai mươi đồng");
        case!(words(15_000), "Mười lăm nghìn đồng");
        case!(words(21_000), "Hai mươi mốt nghìn đồng");
        case!(words(105_000), "Một trăm linh năm nghìn đồng");
        case!(words(120_250), "Một trăm hai mươi nghìn hai trăm năm mươi đồng");
        case!(words(1_005_000), "Một triệu không trăm linh năm nghìn đồng");
        case!(words(2_000_000), "Hai triệu đồng");
    }

    #[test]
    fn amount_in_words_small_numbers() {
        case!(words(0), "Không đồng");
        case!(words(1), "Một đồng");
        case!(words(4), "Bốn đồng");
        case!(words(5), "Năm đồng");
        case!(words(10), "Mười đồng");
        case!(words(11), "Mười một đồng");
        case!(words(14), "Mười bốn đồng");
        case!(words(15), "Mười lăm đồng");
        case!(words(20), "Hai mươi đồng");
        case!(words(21), "Hai mươi mốt đồng");
        case!(words(24), "Hai mươi tư đồng");
        case!(words(25), "Hai mươi lăm đồng");
        case!(words(55), "Năm mươi lăm đồng");
        case!(words(99), "Chín mươi chín đồng");
    }

    #[test]
    fn amount_in_words_hundreds() {
        case!(words(100), "Một trăm đồng");
        case!(words(101), "Một trăm linh một đồng");
        case!(words(104), "Một trăm linh bốn đồng");
        case!(words(105), "Một trăm linh năm đồng");
        case!(words(110), "Một trăm mười đồng");
        case!(words(111), "Một trăm mười một đồng");
        case!(words(115), "Một trăm mười lăm đồng");
        case!(words(121), "Một trăm hai mươi mốt đồng");
        case!(words(999), "Chín trăm chín mươi chín đồng");
    }

    #[test]
    fn amount_in_words_inner_groups_say_khong_tram() {
        case!(words(1000), "Một nghìn đồng");
        case!(words(1001), "Một nghìn không trăm linh một đồng");
        case!(words(1010), "Một nghìn không trăm mười đồng");
        case!(words(1100), "Một nghìn một trăm đồng");
        case!(words(31_250), "Ba mươi mốt nghìn hai trăm năm mươi đồng");
        case!(words(84_000), "Tám mươi tư nghìn đồng");
        case!(words(1_000_000), "Một triệu đồng");
        case!(words(1_001_000), "Một triệu không trăm linh một nghìn đồng");
        case!(words(1_010_000), "Một triệu không trăm mười nghìn đồng");
        case!(words(1_000_005), "Một triệu không trăm linh năm đồng");
        case!(words(1_000_100), "Một triệu một trăm đồng");
        case!(words(4_140_000), "Bốn triệu một trăm bốn mươi nghìn đồng");
        case!(words(6_250_000), "Sáu triệu hai trăm năm mươi nghìn đồng");
    }

    #[test]
    fn amount_in_words_billions() {
        case!(words(1_000_000_000), "Một tỷ đồng");
        case!(words(1_000_000_005), "Một tỷ không trăm linh năm đồng");
        case!(words(2_500_000_000), "Hai tỷ năm trăm triệu đồng");
        case!(words(1_000_000_000_000), "Một nghìn tỷ đồng");
        case!(words(1_001_000_000_000), "Một nghìn không trăm linh một tỷ đồng");
        case!(words(1_000_005_000_000), "Một nghìn tỷ không trăm linh năm triệu đồng");
        case!(words(1_000_000_000_000_000), "Một triệu tỷ đồng");
        case!(words(1_000_000_000_000_000_000), "Một tỷ tỷ đồng");
    }

    #[test]
    fn amount_in_words_max_does_not_panic() {
        case!(
            words(u64::MAX),
            "Mười tám tỷ bốn trăm bốn mươi sáu triệu bảy trăm bốn mươi tư nghìn không trăm bảy \
             mươi ba tỷ bảy trăm linh chín triệu năm trăm năm mươi mốt nghìn sáu trăm mười lăm \
             đồng"
        );
    }

    #[test]
    fn amount_in_words_options() {
        case!(words_with(24, |o| o.tu_for_four = false), "Hai mươi bốn đồng");
        case!(words_with(84_000, |o| o.tu_for_four = false), "Tám mươi bốn nghìn đồng");
        case!(words_with(5000, |o| o.thousand_word = ThousandWord::Ngan), "Năm ngàn đồng");
        case!(words_with(1_000_000_000_000, |o| o.thousand_word = ThousandWord::Ngan), "Một ngàn tỷ đồng");
        case!(words_with(105, |o| o.zero_tens_word = ZeroTensWord::Le), "Một trăm lẻ năm đồng");
        case!(words_with(2_000_000, |o| o.append_chan = true), "Hai triệu đồng chẵn");
        case!(words_with(5000, |o| o.append_chan = true), "Năm nghìn đồng chẵn");
        case!(
            words_with(120_250, |o| o.append_chan = true),
            "Một trăm hai mươi nghìn hai trăm năm mươi đồng"
        );
        case!(words_with(0, |o| o.append_chan = true), "Không đồng");
    }

    #[test]
    fn number_in_words_is_lower_case_without_unit() {
        let options = WordsOptions::default();
        case!(number_in_words(0, &options), "không");
        case!(number_in_words(43, &options), "bốn mươi ba");
        case!(number_in_words(1_005_000, &options), "một triệu không trăm linh năm nghìn");
    }

    // ----- §5.6 capitalisation -----

    #[test]
    fn upper_uses_full_unicode_mapping() {
        case!(upper("đ ư ỹ ơ ă â ê ô ị"), "Đ Ư Ỹ Ơ Ă Â Ê Ô Ị");
        case!(upper("Chi bộ thôn Đông Hải"), "CHI BỘ THÔN ĐÔNG HẢI");
        case!(upper("Đảng bộ xã Hòa An"), "ĐẢNG BỘ XÃ HÒA AN");
        case!(upper("Huyện uỷ Định Hoá"), "HUYỆN UỶ ĐỊNH HOÁ");
        case!(upper(""), "");
    }

    #[test]
    fn capitalize_first_only() {
        case!(capitalize_first("đồng chí"), "Đồng chí");
        case!(capitalize_first("một trăm"), "Một trăm");
        case!(capitalize_first("ủy ban Nhân dân"), "Ủy ban Nhân dân");
        case!(capitalize_first(""), "");
    }

    // ----- §5.7 letters, folding, slugs -----

    #[test]
    fn vietnamese_letters_are_134_distinct_cased_pairs() {
        let (lower, upper_half) = VIETNAMESE_LETTERS.split_at(LETTERS_PER_CASE);
        case!(lower.len(), 67);
        case!(upper_half.len(), 67);
        case!(LETTER_FAMILIES.iter().map(|f| f.1).sum::<usize>(), LETTERS_PER_CASE);
        for (l, u) in lower.iter().zip(upper_half) {
            assert!(l.is_lowercase() && u.is_uppercase(), "{l} {u}");
            assert_eq!(l.to_uppercase().collect::<String>(), u.to_string());
            assert_eq!(u.to_lowercase().collect::<String>(), l.to_string());
        }
        for (i, a) in VIETNAMESE_LETTERS.iter().enumerate() {
            assert!(!a.is_ascii(), "{a}");
            assert!(!VIETNAMESE_LETTERS.iter().skip(i + 1).any(|b| b == a), "duplicate {a}");
        }
        for needed in ['ỹ', 'Ỹ', 'ỵ', 'Ỵ', 'đ', 'Đ', 'ư', 'Ự', 'ẵ', 'Ẫ'] {
            assert!(VIETNAMESE_LETTERS.contains(&needed), "{needed}");
        }
    }

    #[test]
    fn fold_maps_every_letter_to_its_base() {
        let folded: String = fold_to_ascii(&VIETNAMESE_LETTERS.iter().collect::<String>());
        let expected = "aaaaaaaaaaaaaaaaadeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyy";
        case!(folded, format!("{expected}{}", expected.to_ascii_uppercase()));
    }

    #[test]
    fn fold_to_ascii_examples() {
        case!(fold_to_ascii("đ Đ ỹ Ỹ Ư ơ"), "d D y Y U o");
        case!(fold_to_ascii("Trần Thị Mai Lan"), "Tran Thi Mai Lan");
        case!(fold_to_ascii("Đinh Thị Ngọc Ánh"), "Dinh Thi Ngoc Anh");
        // NFD input: base letters followed by combining marks.
        case!(fold_to_ascii("Vie\u{302}\u{323}t Nam"), "Viet Nam");
        case!(fold_to_ascii("Ho\u{300}a An"), "Hoa An");
        case!(fold_to_ascii("\u{d0}ảng"), "Dang");
        case!(fold_to_ascii("“x” ²"), "“x” ²");
    }

    #[test]
    fn slug_examples() {
        case!(slug("CHI BỘ THÔN ĐÔNG HẢI"), "chi-bo-thon-dong-hai");
        case!(slug("Chi bộ thôn Đông Hải"), "chi-bo-thon-dong-hai");
        case!(slug("  --Chi bộ  (số 3) / Khối 5--  "), "chi-bo-so-3-khoi-5");
        case!(slug("Chi bo\u{323} tho\u{302}n"), "chi-bo-thon");
        case!(slug("../../etc/passwd"), "etc-passwd");
        case!(slug("Café ñandú"), "cafe-andu");
        case!(slug(""), "");
        case!(slug("—*—"), "");
    }

    #[test]
    fn slug_output_is_always_safe() {
        let inputs = ["CHI BỘ\u{0}\n\t", "ǅemal 🚩 x", "A\u{30a}ngström", "\u{202e}rtl", "漢字"];
        for input in inputs {
            let s = slug(input);
            assert!(
                s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{input:?} → {s:?}"
            );
            assert!(!s.starts_with('-') && !s.ends_with('-') && !s.contains("--"), "{s:?}");
        }
    }
}
