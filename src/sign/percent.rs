//! RFC 3986 percent-encoding of UTF-8: everything but `A-Z a-z 0-9 - _ . ~`,
//! upper-case hex. Aliyun's signature needs exactly this; the same form is a
//! valid `application/x-www-form-urlencoded` encoding, so TOP uses it too.

use crate::prelude::*;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// "%00%01…%FF": each byte's escape is a 3-byte slice (a memcpy, no char pushes).
const TRIPLES: &str = concat!(
    "%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F",
    "%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2D%2E%2F%30%31%32%33%34%35%36%37%38%39%3A%3B%3C%3D%3E%3F",
    "%40%41%42%43%44%45%46%47%48%49%4A%4B%4C%4D%4E%4F%50%51%52%53%54%55%56%57%58%59%5A%5B%5C%5D%5E%5F",
    "%60%61%62%63%64%65%66%67%68%69%6A%6B%6C%6D%6E%6F%70%71%72%73%74%75%76%77%78%79%7A%7B%7C%7D%7E%7F",
    "%80%81%82%83%84%85%86%87%88%89%8A%8B%8C%8D%8E%8F%90%91%92%93%94%95%96%97%98%99%9A%9B%9C%9D%9E%9F",
    "%A0%A1%A2%A3%A4%A5%A6%A7%A8%A9%AA%AB%AC%AD%AE%AF%B0%B1%B2%B3%B4%B5%B6%B7%B8%B9%BA%BB%BC%BD%BE%BF",
    "%C0%C1%C2%C3%C4%C5%C6%C7%C8%C9%CA%CB%CC%CD%CE%CF%D0%D1%D2%D3%D4%D5%D6%D7%D8%D9%DA%DB%DC%DD%DE%DF",
    "%E0%E1%E2%E3%E4%E5%E6%E7%E8%E9%EA%EB%EC%ED%EE%EF%F0%F1%F2%F3%F4%F5%F6%F7%F8%F9%FA%FB%FC%FD%FE%FF",
);

pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// Table-driven twin of `utf8_percent_encode(s, RFC3986)`: this runs over every
/// byte of every signed request, and the crate's per-chunk iterator was ~7% of
/// `prepare`. `encode` (the crate) stays as the reference; a property test
/// checks both agree.
pub fn encode_into(s: &str, out: &mut String) {
    let mut b = Vec::new();
    encode_bytes(s, &mut b);
    // Percent-encoding output is ASCII: this cannot fail.
    out.push_str(core::str::from_utf8(&b).unwrap_or_default());
}

/// `encode_into` onto bytes. Writes through a local slice sized for the worst
/// case, then trims: with `push`/`push_str` every store could alias the
/// buffer's own length, so it was reloaded per byte; JSON bodies escape every
/// few bytes (this was 13% of a 50-sub-order funds.flow.notify `prepare`).
pub fn encode_bytes(s: &str, out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + s.len() * 3, 0);
    let mut n = 0;
    if let Some(o) = out.get_mut(start..) {
        for &c in s.as_bytes() {
            if UNRESERVED[c as usize] {
                if let Some(x) = o.get_mut(n) {
                    *x = c;
                }
                n += 1;
            } else {
                let at = c as usize * 3;
                if let (Some(x), Some(t)) =
                    (o.get_mut(n..n + 3), TRIPLES.as_bytes().get(at..at + 3))
                {
                    x.copy_from_slice(t);
                }
                n += 3;
            }
        }
    }
    out.truncate(start + n);
}

/// `encode_into(s, once)` as bytes, and into `twice` the encoding of that
/// encoding (each `%` becomes `%25`): the canonical query and its part of
/// Aliyun's StringToSign in one pass instead of encoding the whole query
/// again. Runs of unreserved bytes (most of a query) go in as slices: ~4%
/// of a ConfirmDisburse `prepare` over a byte-at-a-time loop.
pub fn encode_twice(s: &str, once: &mut Vec<u8>, twice: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    once.reserve(s.len() * 3);
    twice.reserve(s.len() * 5);
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        // A run of unreserved bytes is copied as one slice into both.
        let start = i;
        while i < b.len() && UNRESERVED[b[i] as usize] {
            i += 1;
        }
        if let Some(run) = b.get(start..i) {
            once.extend_from_slice(run);
            twice.extend_from_slice(run);
        }
        if let Some(&c) = b.get(i) {
            let (hi, lo) = (HEX[(c >> 4) as usize], HEX[(c & 15) as usize]);
            once.extend_from_slice(&[b'%', hi, lo]);
            twice.extend_from_slice(&[b'%', b'2', b'5', hi, lo]);
            i += 1;
        }
    }
}

/// RFC 3986 unreserved: `A-Z a-z 0-9 - _ . ~`.
const UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.' || c == b'~';
        i += 1;
    }
    t
};

/// `k=v&k=v` with both sides encoded, in the given order.
pub fn form<'a, I>(pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = Vec::with_capacity(256);
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push(b'&');
        }
        encode_bytes(k, &mut out);
        out.push(b'=');
        encode_bytes(v, &mut out);
    }
    // ASCII (see `encode_into`).
    String::from_utf8(out).unwrap_or_default()
}

/// Sorts `params` by name (bytewise) in place and encodes them as `form` does:
/// the canonical query of both Aliyun signatures.
pub fn sorted_form(params: &mut [(&str, &str)], skip: &str) -> String {
    super::sort_by_name(params, |p| p.0.as_bytes());
    form(params.iter().copied().filter(|(k, _)| *k != skip))
}

/// Decodes `application/x-www-form-urlencoded` (`+` is a space). Used by the
/// sandbox, which must accept what other SDKs send.
pub fn decode_form_component(s: &str) -> Option<String> {
    let replaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&replaced)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_encoder_matches_the_crate() {
        for s in [
            "",
            "a b*c~d+e/f&g=h",
            "中文 😀",
            "-_.~AZaz09",
            "\u{0}\u{7f}\u{80}",
        ] {
            let mut fast = String::new();
            encode_into(s, &mut fast);
            assert_eq!(fast, encode(s));
        }
    }

    #[test]
    fn encode_twice_is_encode_of_encode() {
        for s in [
            "",
            "a b*c~d+e/f&g=h",
            "中文 😀",
            "-_.~AZaz09",
            "%25",
            "\u{0}\u{7f}\u{80}",
        ] {
            let (mut once, mut twice) = (Vec::new(), Vec::new());
            encode_twice(s, &mut once, &mut twice);
            assert_eq!(String::from_utf8(once).unwrap(), encode(s));
            assert_eq!(String::from_utf8(twice).unwrap(), encode(&encode(s)));
        }
    }

    #[test]
    fn rfc3986() {
        assert_eq!(encode("a b*c~d+e/f&g=h"), "a%20b%2Ac~d%2Be%2Ff%26g%3Dh");
        assert_eq!(encode("中"), "%E4%B8%AD");
        assert_eq!(encode("-_.~"), "-_.~");
        assert_eq!(decode_form_component("a+b%20c").as_deref(), Some("a b c"));
    }
}
