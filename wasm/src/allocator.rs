//! The .wasm's global allocator: talc, with a cache of freed small blocks in
//! front of it.
//!
//! A `prepare` makes 20–40 small allocations (parameter names and values,
//! the parsed JSON tree, the canonical string) and frees them all before it
//! returns. Through talc each alloc/free pair cost ~30 ns in wasm, 13–17% of
//! `prepare` (issue 5). Blocks of up to `MAX` bytes are kept per 16-byte size
//! class on a singly linked free list instead, so the next request of that
//! class is a pop. No crate offers such a front for another allocator on
//! wasm32; talc stays for everything else (and for refilling the lists).
//!
//! Each list keeps at most `KEEP` bytes of blocks; beyond that a freed block
//! goes back to talc, so after one huge request (a parse of megabytes makes
//! hundreds of thousands of small blocks) the memory is talc's to reuse for
//! anything, not parked here. The bench's memory check covers the steady
//! state: wasm memory stays flat over 10^6 `prepare` calls.
//!
//! Single-threaded only (wasm32 without atomics; `lib.rs` selects it).

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;
use core::ptr;

const CLASS: usize = 16;
const MAX: usize = 1024;
const CLASSES: usize = MAX / CLASS;
/// Bytes of free blocks kept per class: at most 4 MiB parked over all 64
/// classes, far more than one `prepare` of the bench's requests frees.
const KEEP: usize = 64 * 1024;

pub struct Cached {
    inner: talc::wasm::WasmDynamicTalc,
    /// Head of each class's free list; a free block's first word is the next one.
    free: [Cell<*mut u8>; CLASSES],
    /// Bytes of blocks on each list.
    kept: [Cell<usize>; CLASSES],
}

// wasm32 without atomics has one thread.
unsafe impl Sync for Cached {}

impl Cached {
    pub const fn new() -> Cached {
        Cached {
            inner: talc::wasm::new_wasm_dynamic_allocator(),
            free: [const { Cell::new(ptr::null_mut()) }; CLASSES],
            kept: [const { Cell::new(0) }; CLASSES],
        }
    }
}

/// The size class of a layout the cache serves, or `None` (large or over-aligned).
fn class(l: Layout) -> Option<usize> {
    (l.size() <= MAX && l.align() <= CLASS).then(|| l.size().saturating_sub(1) / CLASS)
}

/// The layout every block of class `c` has in talc: its full class size, so a
/// block serves any request of the class.
fn class_layout(c: usize) -> Layout {
    // CLASS is a power of two and (c + 1) * CLASS ≤ MAX: always valid.
    Layout::from_size_align((c + 1) * CLASS, CLASS).unwrap_or(Layout::new::<[u8; MAX]>())
}

unsafe impl GlobalAlloc for Cached {
    // Not inlined: the methods are small, but inlining them (and talc behind
    // them) into every allocation site made the .wasm 20 KB larger.
    #[inline(never)]
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let Some(c) = class(l) else {
            return self.inner.alloc(l);
        };
        let head = &self.free[c];
        let p = head.get();
        if p.is_null() {
            return self.inner.alloc(class_layout(c));
        }
        // SAFETY: `p` is a free block of this class (≥ 16 bytes, 16-aligned)
        // whose first word `dealloc` set to the next free block.
        head.set(p.cast::<*mut u8>().read());
        let kept = &self.kept[c];
        kept.set(kept.get().wrapping_sub((c + 1) * CLASS));
        p
    }

    #[inline(never)]
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        let Some(c) = class(l) else {
            return self.inner.dealloc(p, l);
        };
        let kept = &self.kept[c];
        let size = (c + 1) * CLASS;
        if kept.get() + size > KEEP {
            return self.inner.dealloc(p, class_layout(c));
        }
        kept.set(kept.get() + size);
        let head = &self.free[c];
        // SAFETY: the block is ours again and at least one word long.
        p.cast::<*mut u8>().write(head.get());
        head.set(p);
    }

    #[inline(never)]
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align_unchecked(new_size, l.align());
        match (class(l), class(new)) {
            // Both large: talc may grow in place.
            (None, None) => self.inner.realloc(p, l, new_size),
            // Same class: the block already has room.
            (Some(a), Some(b)) if a == b => p,
            _ => {
                let q = self.alloc(new);
                if !q.is_null() {
                    ptr::copy_nonoverlapping(p, q, l.size().min(new_size));
                    self.dealloc(p, l);
                }
                q
            }
        }
    }
}
