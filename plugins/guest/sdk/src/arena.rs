//! A call-scoped bump arena in front of the system allocator, so a call needs no `memory.grow`.
//!
//! Why: the host runs every call in a fresh instance whose memory is reset in place. Rust's
//! wasm allocator (dlmalloc) takes its first heap segment with `memory.grow`, so every fresh
//! instance grew its memory, and the host paid two `mprotect` calls (grow, then shrink back on
//! reset) per call. [`CallArena`] serves allocations from a static array inside the module's
//! initial memory instead, and starts over whenever every arena allocation has been freed (the
//! end of each call: the host frees the returned strings in post-return), so reused instances
//! keep using the same few pages. What does not fit goes to the system allocator as before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, UnsafeCell};

/// Size of the arena the SDK installs in wasm guests (feature `call-arena`, on by default).
pub const ARENA_BYTES: usize = 256 * 1024;

/// The arena's bytes, aligned so that common layouts need no padding at the start.
#[repr(C, align(16))]
struct Bytes<const N: usize>(UnsafeCell<[u8; N]>);

/// Bump allocator over `N` static bytes with a fallback to [`System`]: frees roll the bump
/// pointer back when they release the newest allocation and reset it when none is live.
///
/// Not thread-safe: the SDK installs it only in single-threaded wasm guests.
pub struct CallArena<const N: usize> {
    bytes: Bytes<N>,
    /// Offset of the first free byte.
    next: Cell<usize>,
    /// Arena allocations not yet freed.
    live: Cell<usize>,
}

// SAFETY: `CallArena` is only `Sync` on wasm32 without the `atomics` feature, where a guest
// has exactly one thread, so its cells are never accessed concurrently.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
unsafe impl<const N: usize> Sync for CallArena<N> {}

impl<const N: usize> CallArena<N> {
    /// An empty arena (const, so it can be a `static` in `.bss`).
    pub const fn new() -> Self {
        Self {
            bytes: Bytes(UnsafeCell::new([0; N])),
            next: Cell::new(0),
            live: Cell::new(0),
        }
    }

    fn base(&self) -> usize {
        self.bytes.0.get() as usize
    }

    fn owns(&self, ptr: *mut u8) -> bool {
        let addr = ptr as usize;
        addr >= self.base() && addr < self.base() + N
    }

    /// Arena allocations currently live (for tests and diagnostics).
    pub fn live(&self) -> usize {
        self.live.get()
    }

    /// Bytes of the arena currently in use up to the bump pointer.
    pub fn used(&self) -> usize {
        self.next.get()
    }

    /// Bump-allocate `layout`, or `None` when it does not fit in the rest of the arena.
    fn bump(&self, layout: Layout) -> Option<*mut u8> {
        let start = (self.base() + self.next.get()).checked_next_multiple_of(layout.align())?;
        let end = start.checked_add(layout.size())?;
        if end > self.base() + N {
            return None;
        }
        self.next.set(end - self.base());
        self.live.set(self.live.get() + 1);
        // Derive the pointer from the arena's own pointer to keep its provenance.
        Some(
            self.bytes
                .0
                .get()
                .cast::<u8>()
                .wrapping_add(start - self.base()),
        )
    }
}

impl<const N: usize> Default for CallArena<N> {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: arena blocks lie inside `bytes`, are aligned as requested, and never overlap a live
// block: the bump pointer only moves back over the newest block when it is freed, and to 0
// when no block is live. Everything else is delegated to `System` unchanged.
unsafe impl<const N: usize> GlobalAlloc for CallArena<N> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.bump(layout) {
            Some(ptr) => ptr,
            // SAFETY: the caller's contract for `layout` is passed on unchanged.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !self.owns(ptr) {
            // SAFETY: `ptr` is not an arena block, so `System` allocated it with `layout`.
            unsafe { System.dealloc(ptr, layout) };
            return;
        }
        let live = self.live.get() - 1;
        self.live.set(live);
        let offset = ptr as usize - self.base();
        if live == 0 {
            self.next.set(0);
        } else if offset + layout.size() == self.next.get() {
            self.next.set(offset);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !self.owns(ptr) {
            // SAFETY: `ptr` came from `System` with `layout`; the caller vouches for `new_size`.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        let offset = ptr as usize - self.base();
        if offset + layout.size() == self.next.get() && offset + new_size <= N {
            // The newest block grows or shrinks in place.
            self.next.set(offset + new_size);
            return ptr;
        }
        // SAFETY: `new_size` with the old alignment is a valid layout (caller's contract).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for `alloc`; the copy stays within both blocks, which do not overlap
        // because the old one is still live; then the old block is freed with its own layout.
        unsafe {
            let new_ptr = self.alloc(new_layout);
            if !new_ptr.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new_ptr, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new_ptr
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn blocks_are_aligned_reused_lifo_and_reset_when_all_are_freed() {
        let arena = CallArena::<1024>::new();
        unsafe {
            let a = arena.alloc(layout(3, 1));
            let b = arena.alloc(layout(8, 8));
            assert!(arena.owns(a) && arena.owns(b));
            assert_eq!(b as usize % 8, 0);
            assert!(b as usize >= a as usize + 3);
            // Freeing the newest block rolls the bump pointer back over it.
            let used = arena.used();
            arena.dealloc(b, layout(8, 8));
            assert!(arena.used() < used);
            let c = arena.alloc(layout(8, 8));
            assert_eq!(c, b);
            arena.dealloc(a, layout(3, 1));
            assert_eq!(arena.live(), 1);
            arena.dealloc(c, layout(8, 8));
            assert_eq!((arena.live(), arena.used()), (0, 0));
        }
    }

    #[test]
    fn realloc_grows_the_newest_block_in_place_and_moves_others() {
        let arena = CallArena::<1024>::new();
        unsafe {
            let a = arena.alloc(layout(4, 1));
            a.copy_from_nonoverlapping(b"abcd".as_ptr(), 4);
            let grown = arena.realloc(a, layout(4, 1), 64);
            assert_eq!(grown, a);
            let b = arena.alloc(layout(4, 1));
            let moved = arena.realloc(grown, layout(64, 1), 128);
            assert_ne!(moved, grown);
            assert_eq!(std::slice::from_raw_parts(moved, 4), b"abcd");
            assert_eq!(arena.live(), 2);
            arena.dealloc(b, layout(4, 1));
            arena.dealloc(moved, layout(128, 1));
            assert_eq!((arena.live(), arena.used()), (0, 0));
        }
    }

    #[test]
    fn what_does_not_fit_goes_to_the_system_allocator() {
        let arena = CallArena::<64>::new();
        unsafe {
            let small = arena.alloc(layout(32, 8));
            let big = arena.alloc(layout(4096, 8));
            assert!(arena.owns(small) && !arena.owns(big));
            big.write_bytes(7, 4096);
            // An arena block that outgrows the arena moves to the system allocator.
            let moved = arena.realloc(small, layout(32, 8), 1000);
            assert!(!arena.owns(moved));
            assert_eq!(arena.live(), 0);
            arena.dealloc(big, layout(4096, 8));
            arena.dealloc(moved, layout(1000, 8));
        }
    }

    proptest::proptest! {
        /// Random alloc/realloc/free sequences: live blocks are aligned, never overlap and keep
        /// their contents.
        #[test]
        fn live_blocks_never_overlap(ops in proptest::collection::vec((0u8..3, 1usize..200, 0u32..4, 0usize..64), 1..200)) {
            let arena = CallArena::<2048>::new();
            let mut blocks: Vec<(*mut u8, Layout, u8)> = Vec::new();
            for (step, (kind, size, align_log2, pick)) in ops.into_iter().enumerate() {
                let fill = step as u8;
                unsafe {
                    match kind {
                        0 => {
                            let block_layout = layout(size, 1 << align_log2);
                            let ptr = arena.alloc(block_layout);
                            proptest::prop_assert!(!ptr.is_null());
                            proptest::prop_assert_eq!(ptr as usize % block_layout.align(), 0);
                            ptr.write_bytes(fill, size);
                            blocks.push((ptr, block_layout, fill));
                        }
                        1 if !blocks.is_empty() => {
                            let (ptr, block_layout, old_fill) = blocks.swap_remove(pick % blocks.len());
                            let new_ptr = arena.realloc(ptr, block_layout, size);
                            let kept = block_layout.size().min(size);
                            proptest::prop_assert!(std::slice::from_raw_parts(new_ptr, kept).iter().all(|&byte| byte == old_fill));
                            new_ptr.write_bytes(fill, size);
                            blocks.push((new_ptr, layout(size, block_layout.align()), fill));
                        }
                        _ if !blocks.is_empty() => {
                            let (ptr, block_layout, old_fill) = blocks.swap_remove(pick % blocks.len());
                            proptest::prop_assert!(std::slice::from_raw_parts(ptr, block_layout.size()).iter().all(|&byte| byte == old_fill));
                            arena.dealloc(ptr, block_layout);
                        }
                        _ => {}
                    }
                }
                for (index, (ptr, block_layout, _)) in blocks.iter().enumerate() {
                    for (other_ptr, other_layout, _) in &blocks[index + 1..] {
                        let (start, end) = (*ptr as usize, *ptr as usize + block_layout.size());
                        let (other_start, other_end) = (*other_ptr as usize, *other_ptr as usize + other_layout.size());
                        proptest::prop_assert!(end <= other_start || other_end <= start);
                    }
                }
            }
            for (ptr, block_layout, _) in blocks {
                unsafe { arena.dealloc(ptr, block_layout) };
            }
            proptest::prop_assert_eq!((arena.live(), arena.used()), (0, 0));
        }
    }
}
