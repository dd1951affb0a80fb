//! Bytes to text. Exports arrive as UTF-8 (with or without a BOM), as
//! GBK/GB18030 the way Excel writes them in China, or as UTF-16 "Unicode
//! text". Damage (bytes invalid in the file's encoding) never fails the
//! whole file: it becomes U+FFFD, and the rows holding it are rejected, so
//! the rows before the damage are kept.

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE};
use serde::{Deserialize, Serialize};

/// How the encoding of an input file is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum EncodingChoice {
    /// BOM, then valid UTF-8, then GB18030.
    #[default]
    Auto,
    Utf8,
    Gbk,
}

/// A decoded file.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    /// The encoding used, for messages.
    pub encoding: &'static str,
    /// Whether some bytes were not valid in that encoding (replaced by U+FFFD).
    pub damaged: bool,
}

/// The character that replaces undecodable bytes.
pub const DAMAGE: char = char::REPLACEMENT_CHARACTER;

/// Decode a file's bytes: a BOM says the encoding; else valid UTF-8 (most
/// exports) is taken as the text, its buffer kept, not copied; else the
/// choice, or (`auto`) line-by-line UTF-8 or GB18030.
pub fn decode(bytes: Vec<u8>, choice: EncodingChoice) -> Decoded {
    let with = |enc: &'static Encoding, body: &[u8]| {
        let (text, damaged) = enc.decode_without_bom_handling(body);
        Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            damaged,
        }
    };
    if let Some(body) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return with(encoding_rs::UTF_8, body);
    }
    if let Some(body) = bytes.strip_prefix(b"\xFF\xFE") {
        return with(UTF_16LE, body);
    }
    if let Some(body) = bytes.strip_prefix(b"\xFE\xFF") {
        return with(UTF_16BE, body);
    }
    if choice != EncodingChoice::Gbk && simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: the bytes were just checked to be valid UTF-8.
        #[allow(unsafe_code)]
        let text = unsafe { String::from_utf8_unchecked(bytes) };
        return Decoded {
            text,
            encoding: "UTF-8",
            damaged: false,
        };
    }
    match choice {
        EncodingChoice::Utf8 => with(encoding_rs::UTF_8, &bytes),
        EncodingChoice::Gbk => with(GB18030, &bytes),
        // A UTF-8 file with some damaged lines still has more lines of
        // valid non-ASCII UTF-8 than broken ones; a GBK file has almost none.
        EncodingChoice::Auto if mostly_utf8(&bytes) => utf8_by_line(&bytes),
        EncodingChoice::Auto => with(GB18030, &bytes),
    }
}

/// Whether, of the lines holding non-ASCII bytes, at least as many are
/// valid UTF-8 as not.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut valid, mut invalid) = (0usize, 0usize);
    for line in bytes.split(|b| *b == b'\n').filter(|l| !l.is_ascii()) {
        if std::str::from_utf8(line).is_ok() {
            valid += 1;
        } else {
            invalid += 1;
        }
    }
    valid >= invalid
}

/// Decode line by line, so damage in one line never changes another
/// (`\n` is never part of a multi-byte sequence).
fn utf8_by_line(bytes: &[u8]) -> Decoded {
    let mut text = String::with_capacity(bytes.len());
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&String::from_utf8_lossy(line));
    }
    Decoded {
        text,
        encoding: "UTF-8",
        damaged: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_file_is_recognised() {
        let (bytes, _, _) = GB18030.encode("办件编号,受理时间\nA1,2026-10-08\n");
        let d = decode(bytes.to_vec(), EncodingChoice::Auto);
        assert_eq!(d.encoding, "gb18030");
        assert!(!d.damaged);
        assert!(d.text.starts_with("办件编号"));
    }

    #[test]
    fn valid_utf8_is_taken_as_it_is() {
        let text = "窗口编号,窗口名称\r\nW01,综合受理窗口\n";
        let d = decode(text.into(), EncodingChoice::Auto);
        assert_eq!(
            (d.text.as_str(), d.encoding, d.damaged),
            (text, "UTF-8", false)
        );
        // A BOM is still taken off, and UTF-16 still read as UTF-16.
        let d = decode(b"\xEF\xBB\xBFW01\n".to_vec(), EncodingChoice::Auto);
        assert_eq!(d.text, "W01\n");
        let d = decode(b"\xFF\xFEW\x000\x00".to_vec(), EncodingChoice::Auto);
        assert_eq!((d.text.as_str(), d.encoding), ("W0", "UTF-16LE"));
    }

    #[test]
    fn utf8_with_bom_and_damage() {
        let d = decode("\u{feff}窗口编号\nW01\n".into(), EncodingChoice::Auto);
        assert_eq!(d.text, "窗口编号\nW01\n");
        let good = "窗口编号,窗口名称\n".to_string() + &"W01,综合受理窗口\n".repeat(5);
        let mut bytes = good.as_bytes().to_vec();
        bytes.extend_from_slice(b"\xff\xfe\xfd\n");
        let d = decode(bytes, EncodingChoice::Auto);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.damaged);
        assert!(d.text.starts_with(&good));
        assert!(d.text.contains(DAMAGE));
    }
}
