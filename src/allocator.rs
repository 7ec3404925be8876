//! The global allocator, and the one setting vanban changes at run time: how long freed memory
//! is kept before it goes back to the operating system.
//!
//! mimalloc keeps freed pages for its purge delay (1 s by default) so that the next render can
//! reuse them without page faults, which keeps single documents fast. A batch, though, frees a
//! document's worth of memory every few milliseconds on every core; kept for a whole second,
//! those pages pile up into the batch's peak memory. So while a batch runs the delay is short,
//! and it returns to its previous value when the last batch ends.

use std::ffi::c_long;
use std::sync::Mutex;

use libmimalloc_sys::{mi_collect, mi_option_get, mi_option_set, mi_option_t};

/// The allocator of every vanban binary (server, CLI, tests, benchmark): see Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (libmimalloc-sys names no constant for it).
const PURGE_DELAY: mi_option_t = 15;

/// Purge delay while a batch runs, in milliseconds: long enough that a worker reuses the pages
/// its last document freed, short enough that a batch's peak stays near one document per core.
const BATCH_PURGE_DELAY_MS: c_long = 30;

/// Batches running now, and the purge delay to restore when the last one ends.
static BATCHES: Mutex<(usize, c_long)> = Mutex::new((0, 0));

/// Keeps the purge delay short for as long as it lives; one per running batch.
pub struct BatchMemory(());

impl BatchMemory {
    /// Shortens the purge delay (unless it is already shorter, e.g. `MIMALLOC_PURGE_DELAY=0`).
    pub fn start() -> Self {
        let mut batches = BATCHES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if batches.0 == 0 {
            let delay = purge_delay();
            batches.1 = delay;
            if !(0..=BATCH_PURGE_DELAY_MS).contains(&delay) {
                set_purge_delay(BATCH_PURGE_DELAY_MS);
                // mimalloc 3 gives an arena one purge deadline, set when its first freed page is
                // scheduled and kept until it passes: pages freed before the batch would keep a
                // deadline up to the old delay away. Purging now clears the deadlines, so the
                // short delay holds from the batch's first document (measured: without this the
                // 300-cell batch peaked as high as with the default delay).
                // SAFETY: mi_collect may be called from any thread at any time.
                unsafe { mi_collect(true) };
            }
        }
        batches.0 += 1;
        BatchMemory(())
    }
}

impl Drop for BatchMemory {
    fn drop(&mut self) {
        let mut batches = BATCHES.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        batches.0 -= 1;
        if batches.0 == 0 {
            set_purge_delay(batches.1);
        }
    }
}

/// mimalloc's purge delay in milliseconds (negative: never purge).
fn purge_delay() -> c_long {
    // SAFETY: reads one entry of mimalloc's option table; valid from any thread at any time.
    unsafe { mi_option_get(PURGE_DELAY) }
}

fn set_purge_delay(milliseconds: c_long) {
    // SAFETY: writes one aligned word of mimalloc's option table, which mimalloc re-reads each
    // time it schedules a purge; valid from any thread at any time.
    unsafe { mi_option_set(PURGE_DELAY, milliseconds) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_shortens_the_purge_delay_until_the_last_batch_ends() {
        let before = purge_delay();
        let first = BatchMemory::start();
        let second = BatchMemory::start();
        assert!((0..=BATCH_PURGE_DELAY_MS).contains(&purge_delay()));
        drop(first);
        assert!((0..=BATCH_PURGE_DELAY_MS).contains(&purge_delay()), "one batch still runs");
        drop(second);
        assert_eq!(purge_delay(), before);
    }
}
