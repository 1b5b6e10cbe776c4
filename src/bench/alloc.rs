//! A counting allocator: wraps the system allocator and tracks the bytes live now and the peak.
//!
//! A `#[global_allocator]` applies to a whole binary, so it is installed only by the native
//! `kafka-playground` program, and counts only once [`enable`] is called (by the `bench`
//! command): every other command pays one relaxed atomic load per allocation.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);
/// Signed: memory allocated before counting began may be freed while it runs.
static CURRENT: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

/// The system allocator, counting live bytes while [`enable`]d.
pub struct CountingAlloc;

fn add(size: usize) {
    let size = isize::try_from(size).unwrap_or(isize::MAX);
    let now = CURRENT
        .fetch_add(size, Ordering::Relaxed)
        .wrapping_add(size);
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn sub(size: usize) {
    let size = isize::try_from(size).unwrap_or(isize::MAX);
    CURRENT.fetch_sub(size, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to `System`; the counters only observe sizes.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && ENABLED.load(Ordering::Relaxed) {
            add(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() && ENABLED.load(Ordering::Relaxed) {
            add(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        if ENABLED.load(Ordering::Relaxed) {
            sub(layout.size());
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() && ENABLED.load(Ordering::Relaxed) {
            sub(layout.size());
            add(new_size);
        }
        p
    }
}

/// Starts counting. Only meaningful in a binary that installed [`CountingAlloc`].
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether byte counts are being kept (memory figures are reported only then).
pub fn counting() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Bytes allocated and not yet freed since counting began.
pub fn current() -> i64 {
    CURRENT.load(Ordering::Relaxed) as i64
}

/// The highest [`current`] since the last [`reset_peak`].
pub fn peak() -> i64 {
    PEAK.load(Ordering::Relaxed) as i64
}

/// Starts a new peak measurement from the bytes live now.
pub fn reset_peak() {
    PEAK.store(CURRENT.load(Ordering::Relaxed), Ordering::Relaxed);
}
