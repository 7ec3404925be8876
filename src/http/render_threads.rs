//! The threads that typeset single documents for the HTTP layer: `workers` long-lived OS threads
//! fed from one job queue.
//!
//! Why not tokio's blocking pool: its threads come and go, and a render lands on whichever one is
//! idle, so renders wander over many threads and keep meeting cold allocator heaps. Measured on
//! 2 cores, 8 concurrent clients: 0.88–0.92 of in-process throughput with the pool, 0.91–1.07
//! on these threads (BENCHMARKS.md). [`admission`](super::admission) lets at most `workers`
//! renders in at once, so a job admitted here finds a free thread and never queues behind another.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of render threads. Dropping the last handle lets each thread finish its current
/// job and exit.
pub struct RenderThreads {
    jobs: mpsc::Sender<Job>,
}

/// The job was lost: it panicked, or no render thread is left to take it.
#[derive(Debug)]
pub struct JobLost;

impl RenderThreads {
    /// Starts `count` threads (at least one).
    pub fn start(count: usize) -> std::io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for number in 0..count.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new().name(format!("vanban-render-{number}")).spawn(move || {
                loop {
                    // The lock is released at the end of this statement, before the job runs.
                    let job = queue.lock().ok().and_then(|queue| queue.recv().ok());
                    let Some(job) = job else { break };
                    // A panicking job loses only its own answer (its result channel closes); the
                    // thread lives on for the next one.
                    let _ = catch_unwind(AssertUnwindSafe(job));
                }
            })?;
        }
        Ok(RenderThreads { jobs })
    }

    /// Runs `job` on a render thread and waits for its result without blocking the async worker.
    /// If the waiting future is dropped (a timeout), the job still runs to its end.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, JobLost> {
        let (answer, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(job());
        });
        self.jobs.send(job).map_err(|_| JobLost)?;
        result.await.map_err(|_| JobLost)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_render_threads_and_survive_a_panic() {
        let threads = RenderThreads::start(2).unwrap();
        let thread_name = || std::thread::current().name().unwrap_or("unnamed").to_string();
        assert!(threads.run(|| panic!("a broken job")).await.is_err(), "a panicked job is reported lost");
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..20 {
            seen.insert(threads.run(thread_name).await.expect("the threads outlive the panic"));
        }
        let expected: std::collections::BTreeSet<_> =
            ["vanban-render-0", "vanban-render-1"].map(String::from).into();
        assert!(seen.is_subset(&expected), "every job ran on a render thread: {seen:?}");
    }
}
