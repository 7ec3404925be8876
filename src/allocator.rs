//! The global allocator, and the two settings vanban changes: no transparent huge pages, and how
//! long freed memory is kept before it goes back to the operating system.
//!
//! mimalloc asks Linux for transparent huge pages (2 MiB) on its arenas. Typst's live heap is only
//! ~20 MB, spread thinly over many pages, and one small object left in a 2 MiB page keeps all of
//! it resident: measured over 10,000 varied renders, RSS rose from 118 to 133 MB with huge pages,
//! and stayed at 77–79 MB without (batch peak 115 → 72 MB), for about 5 % of single-document
//! speed. So huge pages are off for the whole process, before `main`, unless `MIMALLOC_ALLOW_THP`
//! is set (`MIMALLOC_ALLOW_THP=1` brings them back where speed matters more than memory).
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

/// Turns transparent huge pages off for this process unless `MIMALLOC_ALLOW_THP` decides.
/// Listed in `.init_array`, so it runs before `main` in every binary that links vanban, as the
/// global allocator applies to every one: before the heap has grown, whichever `main` it is.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static DISABLE_HUGE_PAGES: extern "C" fn() = disable_huge_pages;

#[cfg(target_os = "linux")]
extern "C" fn disable_huge_pages() {
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // SAFETY: PR_SET_THP_DISABLE only sets a flag of this process; no memory is touched.
        // A kernel without it fails the call, which leaves huge pages as they were.
        unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) };
    }
}

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

    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_before_main() {
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
            return;
        }
        // SAFETY: PR_GET_THP_DISABLE reads this process's flag.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) }, 1);
    }

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
