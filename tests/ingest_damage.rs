//! Damaged files fed to ingest: truncated, binary, wrong encoding, ragged
//! rows, enormous fields, empty, headers only. Whatever the damage: no
//! panic, the run succeeds with rejects, `stored + rejected = read`, and
//! every row that lies wholly before the damage is stored.

use proptest::prelude::*;
use std::collections::HashSet;
use std::path::Path;
use xiaoneng::ingest::decode::EncodingChoice;
use xiaoneng::ingest::{ingest, IngestOptions};
use xiaoneng::store::Store;

const HEADER: &str = "window_id,name,department\n";

fn row(i: usize) -> String {
    format!("W{i:03},第{i}号综合窗口,行政审批局\n")
}

fn valid_file(n: usize) -> Vec<u8> {
    let mut s = String::from(HEADER);
    for i in 0..n {
        s.push_str(&row(i));
    }
    s.into_bytes()
}

/// Rows whose whole line (newline included) ends at or before `offset`.
fn rows_before(n: usize, offset: usize) -> usize {
    let mut end = HEADER.len();
    let mut k = 0;
    while k < n && end + row(k).len() <= offset {
        end += row(k).len();
        k += 1;
    }
    k
}

#[derive(Debug, Clone)]
enum Damage {
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Nul(usize),
    HugeField(usize),
    DropField(usize),
    Binary(Vec<u8>),
    Empty,
    HeaderOnly,
    GbkReadAsUtf8,
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (0usize..2000).prop_map(Damage::Truncate),
        (0usize..2000, prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(o, b)| Damage::Insert(o, b)),
        (0usize..2000).prop_map(Damage::Nul),
        (0usize..30).prop_map(Damage::HugeField),
        (0usize..30).prop_map(Damage::DropField),
        prop::collection::vec(any::<u8>(), 0..512).prop_map(Damage::Binary),
        Just(Damage::Empty),
        Just(Damage::HeaderOnly),
        Just(Damage::GbkReadAsUtf8),
    ]
}

/// The damaged bytes, the offset before which rows must survive, and the
/// encoding option to use.
fn apply(n: usize, d: &Damage) -> (Vec<u8>, usize, EncodingChoice) {
    let good = valid_file(n);
    let at = |o: usize| {
        // A char boundary, so insertions land between characters.
        let mut o = o.min(good.len());
        while o < good.len() && (good[o] & 0xC0) == 0x80 {
            o += 1;
        }
        o
    };
    match d {
        Damage::Truncate(o) => (good[..at(*o)].to_vec(), at(*o), EncodingChoice::Auto),
        Damage::Insert(o, bytes) => {
            let o = at(*o);
            let mut v = good[..o].to_vec();
            v.extend_from_slice(bytes);
            v.extend_from_slice(&good[o..]);
            (v, o, EncodingChoice::Auto)
        }
        Damage::Nul(o) => {
            let o = at(*o);
            let mut v = good.clone();
            v.insert(o, 0);
            (v, o, EncodingChoice::Auto)
        }
        Damage::HugeField(k) | Damage::DropField(k) => {
            let k = (*k).min(n.saturating_sub(1));
            let offset = HEADER.len() + (0..k).map(|i| row(i).len()).sum::<usize>();
            let bad = if matches!(d, Damage::HugeField(_)) {
                format!("W{k:03},{},行政审批局\n", "长".repeat(200_000))
            } else {
                format!("W{k:03},行政审批局\n")
            };
            let mut v = good[..offset].to_vec();
            v.extend_from_slice(bad.as_bytes());
            v.extend_from_slice(&good[offset + row(k).len()..]);
            (v, offset, EncodingChoice::Auto)
        }
        Damage::Binary(bytes) => (bytes.clone(), 0, EncodingChoice::Auto),
        Damage::Empty => (Vec::new(), 0, EncodingChoice::Auto),
        Damage::HeaderOnly => (HEADER.as_bytes().to_vec(), 0, EncodingChoice::Auto),
        Damage::GbkReadAsUtf8 => {
            let text = String::from_utf8(good).unwrap();
            let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
            (gbk.into_owned(), 0, EncodingChoice::Utf8)
        }
    }
}

fn stored_ids(store: &Store) -> HashSet<String> {
    store
        .distinct("windows", "window_id")
        .unwrap()
        .into_iter()
        .collect()
}

fn check(n: usize, d: &Damage) -> Result<(), TestCaseError> {
    let dir = crate::common::tempdir();
    let (bytes, offset, encoding) = apply(n, d);
    let file = dir.path().join("windows.csv");
    std::fs::write(&file, &bytes).unwrap();
    let store = Store::open(&dir.path().join("store")).unwrap();
    let opts = IngestOptions {
        encoding,
        max_field_bytes: 65_536,
        ..IngestOptions::default()
    };
    let report = ingest(&store, std::slice::from_ref(&file), &opts)
        .map_err(|e| TestCaseError::fail(format!("{e:#}")))?;
    let f = &report.files[0];
    prop_assert_eq!(f.stored + f.rejected, f.read, "{:?}", f);
    let ids = stored_ids(&store);
    prop_assert_eq!(ids.len() as u64, f.stored);
    for i in 0..rows_before(n, offset) {
        prop_assert!(
            ids.contains(&format!("W{i:03}")),
            "row {} before the damage at {} was lost: {:?}",
            i,
            offset,
            f
        );
    }
    if matches!(d, Damage::HugeField(_) | Damage::DropField(_)) {
        prop_assert_eq!(f.rejected, 1, "{:?}", f);
        prop_assert_eq!(f.stored, n as u64 - 1);
    }
    if matches!(d, Damage::GbkReadAsUtf8) {
        prop_assert_eq!(f.stored, 0);
        prop_assert_eq!(f.rejected, n as u64);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
    #[test]
    fn damaged_files_never_panic_nor_lose_earlier_rows(n in 1usize..30, d in damage()) {
        check(n, &d)?;
    }
}

#[test]
fn each_kind_of_damage_once() {
    for d in [
        Damage::Truncate(300),
        Damage::Insert(200, vec![0xff, 0xfe, b'"', b'\n']),
        Damage::Nul(150),
        Damage::HugeField(3),
        Damage::DropField(5),
        Damage::Binary((0..=255).collect()),
        Damage::Empty,
        Damage::HeaderOnly,
        Damage::GbkReadAsUtf8,
    ] {
        check(10, &d).unwrap_or_else(|e| panic!("{d:?}: {e}"));
    }
    assert!(Path::new(env!("CARGO_MANIFEST_DIR")).exists());
}
