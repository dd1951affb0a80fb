//! A set of text keys (every case id of a city year, two million of them)
//! built for filling and looking up a column of them at once: a key of up
//! to 22 bytes lives in its slot, so a look-up is one cache line, asked
//! for some rows ahead ([`KeySet::missing`]). A hash set of strings costs
//! two cache misses per look-up, one at a time: checking the case ids of a
//! city year's ratings, steps and suspensions that way was a tenth of an
//! ingest. Used by the ingest's references and first case dates, and by
//! the rating coverage (`metrics::ratings`, the completed cases looked up
//! among the rated ones).

use polars::prelude::PlRandomState;
use std::hash::BuildHasher;

/// The longest key kept in its slot; longer ones are kept beside.
const INLINE: usize = 22;

/// `Slot::len` of a key kept beside the table (its index in the slot's
/// first four bytes).
const LONG: u8 = u8::MAX;

/// How many keys ahead [`KeySet::missing`] asks for a slot.
const AHEAD: usize = 16;

/// One place of the table: half a cache line.
#[derive(Clone, Copy, Default)]
#[repr(C, align(32))]
struct Slot {
    /// The key's hash with its lowest bit set; 0 for an empty slot.
    tag: u64,
    /// The key's length, or [`LONG`].
    len: u8,
    bytes: [u8; 23],
}

/// A set of keys (text), open addressing with linear probing.
#[derive(Clone)]
pub struct KeySet {
    /// A power of two of slots, at most three quarters full.
    slots: Vec<Slot>,
    /// The keys longer than [`INLINE`] bytes.
    long: Vec<Box<str>>,
    len: usize,
    hasher: PlRandomState,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeySet({} keys)", self.len)
    }
}

impl Default for KeySet {
    fn default() -> Self {
        KeySet::with_capacity(0)
    }
}

impl FromIterator<String> for KeySet {
    fn from_iter<I: IntoIterator<Item = String>>(keys: I) -> Self {
        let keys: Vec<String> = keys.into_iter().collect();
        let mut set = KeySet::default();
        set.extend(keys.iter().map(String::as_str));
        set
    }
}

/// The slots for `n` keys.
fn slots_for(n: usize) -> usize {
    (n.saturating_mul(4) / 3 + 1).next_power_of_two().max(16)
}

impl KeySet {
    /// An empty set with room for `n` keys.
    pub fn with_capacity(n: usize) -> Self {
        KeySet {
            slots: vec![Slot::default(); slots_for(n)],
            long: Vec::new(),
            len: 0,
            hasher: PlRandomState::default(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn tag(&self, key: &str) -> u64 {
        self.hasher.hash_one(key) | 1
    }

    /// The slot a tag's probe starts at.
    fn home(&self, tag: u64) -> usize {
        (tag >> 1) as usize & (self.slots.len() - 1)
    }

    fn holds(&self, slot: &Slot, key: &str) -> bool {
        if slot.len == LONG {
            let at =
                u32::from_le_bytes([slot.bytes[0], slot.bytes[1], slot.bytes[2], slot.bytes[3]]);
            &*self.long[at as usize] == key
        } else {
            &slot.bytes[..slot.len as usize] == key.as_bytes()
        }
    }

    /// The slot holding `key`, or the empty slot where it would go.
    fn find(&self, tag: u64, key: &str) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = self.home(tag);
        loop {
            let s = &self.slots[at];
            if s.tag == 0 || (s.tag == tag && self.holds(s, key)) {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// Room for `more` keys beyond those held.
    pub fn reserve(&mut self, more: usize) {
        let want = slots_for(self.len.saturating_add(more));
        if want > self.slots.len() {
            self.rehash(want);
        }
    }

    fn rehash(&mut self, slots: usize) {
        let old = std::mem::replace(&mut self.slots, vec![Slot::default(); slots]);
        let mask = slots - 1;
        for s in old.into_iter().filter(|s| s.tag != 0) {
            let mut at = self.home(s.tag);
            while self.slots[at].tag != 0 {
                at = (at + 1) & mask;
            }
            self.slots[at] = s;
        }
    }

    /// Add `key`; false when it was there already.
    pub fn insert(&mut self, key: &str) -> bool {
        if slots_for(self.len + 1) > self.slots.len() {
            self.rehash(self.slots.len() * 2);
        }
        let tag = self.tag(key);
        self.insert_tagged(tag, key)
    }

    /// Add each of `keys`, each one's slot asked for [`AHEAD`] keys before.
    pub fn extend<'k>(&mut self, keys: impl IntoIterator<Item = &'k str>) {
        let keys: Vec<&str> = keys.into_iter().collect();
        self.reserve(keys.len());
        let tags: Vec<u64> = keys.iter().map(|k| self.tag(k)).collect();
        for (i, (key, &tag)) in keys.iter().zip(&tags).enumerate() {
            if let Some(&ahead) = tags.get(i + AHEAD) {
                crate::memory::prefetch(std::slice::from_ref(&self.slots[self.home(ahead)]));
            }
            self.insert_tagged(tag, key);
        }
    }

    /// Add `key` of hash `tag` (the table has room for it).
    fn insert_tagged(&mut self, tag: u64, key: &str) -> bool {
        let at = self.find(tag, key);
        if self.slots[at].tag != 0 {
            return false;
        }
        let mut slot = Slot {
            tag,
            ..Slot::default()
        };
        if key.len() <= INLINE {
            slot.len = key.len() as u8;
            slot.bytes[..key.len()].copy_from_slice(key.as_bytes());
        } else {
            let index = u32::try_from(self.long.len()).expect("fewer than 2^32 long keys");
            slot.len = LONG;
            slot.bytes[..4].copy_from_slice(&index.to_le_bytes());
            self.long.push(key.into());
        }
        self.slots[at] = slot;
        self.len += 1;
        true
    }

    pub fn contains(&self, key: &str) -> bool {
        let tag = self.tag(key);
        self.slots[self.find(tag, key)].tag != 0
    }

    /// The positions in `keys` of those not in the set (an absent key,
    /// `None`, names nothing and is never missing), in order. Each key's
    /// slot is asked for [`AHEAD`] keys before it is looked at.
    pub fn missing(&self, keys: &[Option<&str>]) -> Vec<usize> {
        let tags: Vec<u64> = keys.iter().map(|k| k.map_or(0, |k| self.tag(k))).collect();
        let mut out = Vec::new();
        for (i, (key, &tag)) in keys.iter().zip(&tags).enumerate() {
            if let Some(&ahead) = tags.get(i + AHEAD).filter(|t| **t != 0) {
                crate::memory::prefetch(std::slice::from_ref(&self.slots[self.home(ahead)]));
            }
            if let Some(key) = key {
                if self.slots[self.find(tag, key)].tag == 0 {
                    out.push(i);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_long_and_chinese_keys_are_told_apart() {
        let long = "C".repeat(INLINE + 1);
        let keys = ["", "W01", "W1", "BJ2025030100001", "窗口一", long.as_str()];
        let mut set = KeySet::default();
        for k in keys {
            assert!(set.insert(k), "{k} added");
            assert!(!set.insert(k), "{k} added once");
        }
        assert_eq!(set.len(), keys.len());
        for k in keys {
            assert!(set.contains(k), "{k}");
        }
        // A prefix, a key one byte longer, a long key one byte off.
        let other_long = "C".repeat(INLINE) + "D";
        for k in [
            "W0",
            "W011",
            "窗口",
            "BJ2025030100002",
            other_long.as_str(),
            "C",
        ] {
            assert!(!set.contains(k), "{k}");
        }
        assert_eq!(std::mem::size_of::<Slot>(), 32);
    }

    #[test]
    fn a_set_grows_and_finds_every_key_and_only_those() {
        // Past several doublings from the smallest table, keys of both kinds.
        let mut set = KeySet::with_capacity(0);
        let key = |i: usize| match i % 3 {
            0 => format!("BJ{i:013}"),
            1 => format!("S{i}"),
            _ => format!("a long key of more than twenty-two bytes {i}"),
        };
        for i in 0..5_000 {
            assert!(set.insert(&key(i)));
        }
        assert_eq!(set.len(), 5_000);
        let asked: Vec<String> = (0..10_000).map(key).collect();
        let mut keys: Vec<Option<&str>> = asked.iter().map(|k| Some(k.as_str())).collect();
        keys[7_000] = None;
        let missing = set.missing(&keys);
        let expected: Vec<usize> = (5_000..10_000).filter(|&i| i != 7_000).collect();
        assert_eq!(missing, expected);
        assert!((0..5_000).all(|i| set.contains(&key(i))));
        // Added all at once, with repeats: the same set.
        let mut again = KeySet::default();
        again.extend(
            asked[..5_000]
                .iter()
                .chain(&asked[..10])
                .map(String::as_str),
        );
        assert_eq!(again.len(), 5_000);
        assert_eq!(again.missing(&keys), expected);
        // Reserving room keeps every key.
        set.reserve(100_000);
        assert!((0..5_000).all(|i| set.contains(&key(i))));
        assert!(!set.contains(&key(5_000)));
    }
}
