//! Signers: pure functions of parameters and secret.

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
