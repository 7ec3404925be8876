//! The global allocator, and the one setting vanban changes: no transparent huge pages.
//!
//! mimalloc asks Linux for transparent huge pages (2 MiB) on its arenas. Typst's live heap is only
//! ~20 MB, spread thinly over many pages, and one small object left in a 2 MiB page keeps all of
//! it resident: measured over 10,000 varied renders, RSS rose from 118 to 133 MB with huge pages,
//! and stayed at 77–79 MB without (batch peak 115 → 72 MB), for about 5 % of single-document
//! speed. So huge pages are off for the whole process, before `main`, unless `MIMALLOC_ALLOW_THP`
//! is set (`MIMALLOC_ALLOW_THP=1` brings them back where speed matters more than memory).
//!
//! mimalloc keeps freed pages for its purge delay (1 s) so that the next document reuses them
//! without page faults. Batches keep that delay too. A batch used to shorten it to 30 ms, to keep
//! its peak down while huge pages were on; without huge pages that bought 8 MB of peak (a 300-cell
//! batch, 53 against 61 MB) for a second of kernel time per hundred documents: every few
//! documents the freed pages went back to Linux and the next document faulted them in again,
//! zeroed (96 minutes: 61,000 page faults against 18,000, 8.3 % of CPU time in page faults and
//! `madvise` against 2.4 %; BENCHMARKS.md).

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

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_off_before_main() {
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
            return;
        }
        // SAFETY: PR_GET_THP_DISABLE reads this process's flag.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) }, 1);
    }
}
