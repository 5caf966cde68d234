//! Calendar arithmetic on Unix milliseconds. The host's time zone is never
//! consulted: TOP wants GMT+8 wall time, Aliyun wants UTC.

use crate::prelude::*;
/// TOP's fixed zone: China Standard Time, no daylight saving.
const GMT8_MS: i64 = 8 * 3600 * 1000;
/// 0000-01-01 .. 9999-12-31 is all the formats below can express.
const MIN_MS: i64 = -62_167_219_200_000;
const MAX_MS: i64 = 253_402_300_799_999;
/// Signing instants: 2000-01-01T00:00:00Z ..= 2099-12-31T23:59:59.999Z. The
/// gateways accept a timestamp only within minutes of their clock, so outside
/// this range there is only a broken clock or a bad conversion (NaN → 0 →
/// 1970), which must be refused rather than signed.
pub const SIGN_MIN_MS: i64 = 946_684_800_000;
pub const SIGN_MAX_MS: i64 = 4_102_444_799_999;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

pub fn civil_from_ms(ms: i64) -> Option<Civil> {
    if !(MIN_MS..=MAX_MS).contains(&ms) {
        return None;
    }
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    Some(Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem / 60 % 60,
        second: rem % 60,
    })
}

/// Unix ms of a calendar time; `None` unless it is a real date and time of
/// years 0000..9999 (so the arithmetic cannot overflow).
pub fn ms_from_civil(c: &Civil) -> Option<i64> {
    if !(0..=9999).contains(&c.year)
        || !(1..=12).contains(&c.month)
        || c.day == 0
        || c.day > days_in_month(c.year, c.month)
        || c.hour > 23
        || c.minute > 59
        || c.second > 59
    {
        return None;
    }
    let days = days_from_civil(c.year, c.month, c.day);
    Some((days * 86_400 + (c.hour * 3600 + c.minute * 60 + c.second) as i64) * 1000)
}

fn two(out: &mut String, v: u32) {
    out.push((b'0' + (v / 10 % 10) as u8) as char);
    out.push((b'0' + (v % 10) as u8) as char);
}

fn write_date_time(c: &Civil, sep: char, out: &mut String) {
    let y = c.year as u32;
    two(out, y / 100);
    two(out, y % 100);
    out.push('-');
    two(out, c.month);
    out.push('-');
    two(out, c.day);
    out.push(sep);
    two(out, c.hour);
    out.push(':');
    two(out, c.minute);
    out.push(':');
    two(out, c.second);
}

/// Whether `unix_ms` may be signed as a request's timestamp.
pub fn signable(unix_ms: i64) -> bool {
    (SIGN_MIN_MS..=SIGN_MAX_MS).contains(&unix_ms)
}

/// TOP's signing timestamp: `yyyy-MM-dd HH:mm:ss` in GMT+8; `None` outside
/// the signing range (`signable`).
pub fn top_timestamp(unix_ms: i64) -> Option<String> {
    if !signable(unix_ms) {
        return None;
    }
    top_datetime(unix_ms)
}

/// Any instant of years 0000..9999 as TOP wall time (GMT+8), for date fields.
#[inline(never)] // one copy, shared with `top_timestamp`
pub fn top_datetime(unix_ms: i64) -> Option<String> {
    let c = civil_from_ms(unix_ms.checked_add(GMT8_MS)?)?;
    let mut s = String::with_capacity(19);
    write_date_time(&c, ' ', &mut s);
    Some(s)
}

/// Aliyun's signing timestamp: `yyyy-MM-ddTHH:mm:ssZ` in UTC; `None` outside
/// the signing range (`signable`).
pub fn iso_utc(unix_ms: i64) -> Option<String> {
    if !signable(unix_ms) {
        return None;
    }
    let c = civil_from_ms(unix_ms)?;
    let mut s = String::with_capacity(20);
    write_date_time(&c, 'T', &mut s);
    s.push('Z');
    Some(s)
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &d in b {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (d - b'0') as u32;
    }
    Some(v)
}

/// Parses exactly `yyyy-MM-dd HH:mm:ss` (`sep` = ' ') or `yyyy-MM-ddTHH:mm:ss` (`sep` = 'T'),
/// checking the calendar (no 2023-02-30, no 24:00:00).
pub fn parse_civil(s: &str, sep: u8) -> Option<Civil> {
    let b = s.as_bytes();
    if b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != sep
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let c = Civil {
        year: digits(&b[0..4])? as i64,
        month: digits(&b[5..7])?,
        day: digits(&b[8..10])?,
        hour: digits(&b[11..13])?,
        minute: digits(&b[14..16])?,
        second: digits(&b[17..19])?,
    };
    ms_from_civil(&c).map(|_| c)
}

/// Accepts TOP wall time as given, or an ISO-8601 UTC instant such as
/// `JSON.stringify(new Date())` makes (`2022-09-23T01:00:00.000Z`), converted to GMT+8.
pub fn normalize_top_datetime(s: &str) -> Option<String> {
    if parse_civil(s, b' ').is_some() {
        return Some(s.to_string());
    }
    let ms = parse_iso_utc_ms(s)?;
    top_datetime(ms)
}

/// `yyyy-MM-ddTHH:mm:ss[.fff]Z` → Unix ms.
pub fn parse_iso_utc_ms(s: &str) -> Option<i64> {
    let body = s.strip_suffix('Z')?;
    let (main, frac) = match body.get(19..) {
        Some("") => (body, 0),
        Some(rest) => {
            let f = rest.strip_prefix('.')?;
            if f.is_empty() || f.len() > 9 {
                return None;
            }
            let mut ms = digits(f.as_bytes())? as i64;
            for _ in f.len()..3 {
                ms *= 10;
            }
            for _ in 3..f.len() {
                ms /= 10;
            }
            (body.get(..19)?, ms)
        }
        None => return None,
    };
    let c = parse_civil(main, b'T')?;
    Some(ms_from_civil(&c)? + frac)
}

/// TOP timestamp given as wall time in GMT+8 → Unix ms.
pub fn parse_top_timestamp_ms(s: &str) -> Option<i64> {
    parse_civil(s, b' ')
        .and_then(|c| ms_from_civil(&c))
        .map(|ms| ms - GMT8_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        // 2016-01-01 04:00:00 UTC is 12:00:00 in GMT+8.
        assert_eq!(
            top_timestamp(1_451_620_800_000).unwrap(),
            "2016-01-01 12:00:00"
        );
        assert_eq!(iso_utc(1_456_231_584_000).unwrap(), "2016-02-23T12:46:24Z");
        assert_eq!(top_datetime(-1).unwrap(), "1970-01-01 07:59:59");
        // Never signed as 1970 (NaN as i64 is 0), nor at the ends of i64.
        for t in [0, -1, i64::MIN, i64::MAX, SIGN_MIN_MS - 1, SIGN_MAX_MS + 1] {
            assert!(top_timestamp(t).is_none() && iso_utc(t).is_none(), "{t}");
        }
        assert_eq!(iso_utc(SIGN_MIN_MS).unwrap(), "2000-01-01T00:00:00Z");
        assert_eq!(iso_utc(SIGN_MAX_MS).unwrap(), "2099-12-31T23:59:59Z");
        assert_eq!(top_timestamp(SIGN_MAX_MS).unwrap(), "2100-01-01 07:59:59");
    }

    #[test]
    fn parse_round_trip() {
        assert_eq!(
            parse_top_timestamp_ms("2016-01-01 12:00:00"),
            Some(1_451_620_800_000)
        );
        assert!(parse_civil("2023-02-29 00:00:00", b' ').is_none());
        assert!(parse_civil("2024-02-29 00:00:00", b' ').is_some());
        assert!(parse_civil("2024-02-29 24:00:00", b' ').is_none());
        assert!(parse_civil("2024-2-29 10:00:00", b' ').is_none());
        assert!(parse_civil("２024-02-29 10:00:0", b' ').is_none());
        assert_eq!(
            normalize_top_datetime("2022-09-23T01:00:00.000Z").unwrap(),
            "2022-09-23 09:00:00"
        );
        assert_eq!(parse_iso_utc_ms("1970-01-01T00:00:00.5Z"), Some(500));
    }
}
