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

/// Sorts `v` by `key` (bytewise): the signers' parameter order. A shell sort
/// (Ciura's gaps): parameter lists are short, and std's pattern-defeating
/// quicksort cost ~8 KB of wasm per element type. Equal keys do not occur
/// (parameter names are unique), so stability does not matter.
pub fn sort_by_name<T>(v: &mut [T], key: impl Fn(&T) -> &[u8]) {
    const GAPS: [usize; 9] = [1750, 701, 301, 132, 57, 23, 10, 4, 1];
    for gap in GAPS {
        for i in gap..v.len() {
            let mut j = i;
            while j >= gap && key(&v[j - gap]) > key(&v[j]) {
                v.swap(j - gap, j);
                j -= gap;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_like_std() {
        let mut seed = 7u64;
        for n in [0usize, 1, 2, 5, 33, 400, 5000] {
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
