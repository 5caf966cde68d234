//! Signers: pure functions of parameters and secret.

use crate::prelude::*;
pub mod acs3;
pub mod aliyun_rpc;
pub mod percent;
pub mod top;

/// Upper-case hex, as TOP sends its sign.
pub fn hex_upper(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// Sorts `v` by `key` (bytewise): the signers' parameter order. Equal keys
/// do not occur (parameter names are unique), so stability does not matter.
pub fn sort_by_name<T>(v: &mut [T], key: impl Fn(&T) -> &[u8]) {
    sort_unstable(v, |a, b| key(a) < key(b));
}

/// Insertion sort for short slices, heapsort beyond: O(n log n) in the worst
/// case for any input (an unmodelled call may carry 10^5 parameters), in far
/// less code than std's pattern-defeating quicksort (~8 KB of wasm per
/// element type).
pub fn sort_unstable<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    if v.len() <= 16 {
        for i in 1..v.len() {
            let mut j = i;
            while j > 0 && less(&v[j], &v[j - 1]) {
                v.swap(j - 1, j);
                j -= 1;
            }
        }
        return;
    }
    let sift = |v: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&v[child], &v[child + 1]) {
            child += 1;
        }
        if !less(&v[root], &v[child]) {
            return;
        }
        v.swap(root, child);
        root = child;
    };
    for i in (0..v.len() / 2).rev() {
        sift(v, i, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift(v, 0, end);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_like_std() {
        let mut seed = 7u64;
        for n in [0usize, 1, 2, 5, 16, 17, 33, 400, 5000] {
            let mut v: Vec<String> = (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    format!("k{}", seed >> 40)
                })
                .collect();
            v.dedup();
            let mut want = v.clone();
            want.sort();
            super::sort_by_name(&mut v, |s| s.as_bytes());
            assert_eq!(v, want);
        }
    }
}
