//! RFC 3986 percent-encoding of UTF-8: everything but `A-Z a-z 0-9 - _ . ~`,
//! upper-case hex. Aliyun's signature needs exactly this; the same form is a
//! valid `application/x-www-form-urlencoded` encoding, so TOP uses it too.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

pub fn encode_into(s: &str, out: &mut String) {
    for part in utf8_percent_encode(s, RFC3986) {
        out.push_str(part);
    }
}

/// `k=v&k=v` with both sides encoded, in the given order.
pub fn form<'a, I>(pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut out = String::with_capacity(256);
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_into(k, &mut out);
        out.push('=');
        encode_into(v, &mut out);
    }
    out
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
    fn rfc3986() {
        assert_eq!(encode("a b*c~d+e/f&g=h"), "a%20b%2Ac~d%2Be%2Ff%26g%3Dh");
        assert_eq!(encode("中"), "%E4%B8%AD");
        assert_eq!(encode("-_.~"), "-_.~");
        assert_eq!(decode_form_component("a+b%20c").as_deref(), Some("a b c"));
    }
}
