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

use crate::batch::{ScopedJob, WorkerThreads};

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

    /// Hands `job` to a render thread; if none is left, the job is dropped without running.
    fn submit(&self, job: Job) {
        // A closed queue hands the job back inside the error, where it is dropped.
        let _ = self.jobs.send(job);
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

/// A batch's workers on the render threads. The batch holds every render slot while it runs, so
/// each worker finds a thread of its own, and documents are typeset by the same threads, with the
/// same warm allocator heaps, as single renders: batch threads started afresh added their own heaps
/// next to the render threads' (a batch of 96 minutes after single renders peaked at 125 MB
/// instead of 94 MB; BENCHMARKS.md).
impl WorkerThreads for RenderThreads {
    fn run<'s>(&self, jobs: Vec<ScopedJob<'s>>, meanwhile: &mut dyn FnMut()) {
        // Every job carries a sender of `finished`; a job that ran, panicked or was dropped unrun
        // has dropped its sender, and `recv` fails once all of them are gone.
        let (finished, all_finished) = mpsc::channel::<()>();
        /// Waits for every job on every way out of `run`, unwinding included.
        struct WaitForJobs(mpsc::Receiver<()>);
        impl Drop for WaitForJobs {
            fn drop(&mut self) {
                while self.0.recv().is_ok() {}
            }
        }
        let wait = WaitForJobs(all_finished);
        for job in jobs {
            let finished = finished.clone();
            let job: ScopedJob<'s> = Box::new(move || {
                let _finished = finished;
                job();
            });
            // SAFETY: the job borrows data that lives for 's, and it runs (or is dropped) before
            // `run` returns: `wait` blocks, on every exit from this function, until every job's
            // `finished` sender has been dropped, which happens only when the job has finished
            // or has been dropped without running. Only the lifetime changes; the layout of the
            // boxed closure is the same.
            let job: Job = unsafe { std::mem::transmute::<ScopedJob<'s>, Job>(job) };
            self.submit(job);
        }
        drop(finished);
        meanwhile();
        drop(wait);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

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

    #[test]
    fn a_batch_borrows_the_render_threads_and_run_returns_after_its_workers() {
        let threads = RenderThreads::start(2).unwrap();
        let (ran_on, finished) = (Mutex::new(Vec::new()), AtomicUsize::new(0));
        let jobs: Vec<ScopedJob> = (0..2)
            .map(|_| {
                Box::new(|| {
                    // Long enough that `run` would return first if it did not wait.
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    ran_on.lock().unwrap().push(std::thread::current().name().map(String::from));
                    finished.fetch_add(1, Ordering::SeqCst);
                }) as ScopedJob
            })
            .collect();
        let mut meanwhile_ran = false;
        WorkerThreads::run(&threads, jobs, &mut || meanwhile_ran = true);
        assert!(meanwhile_ran);
        assert_eq!(finished.load(Ordering::SeqCst), 2, "both workers finished before run returned");
        let names = ran_on.into_inner().unwrap();
        assert!(
            names.iter().all(|name| name.as_deref().is_some_and(|n| n.starts_with("vanban-render-"))),
            "the workers ran on the render threads: {names:?}"
        );
    }

    #[test]
    fn a_panicking_batch_worker_does_not_leave_run_waiting() {
        let threads = RenderThreads::start(1).unwrap();
        let jobs: Vec<ScopedJob> = vec![Box::new(|| panic!("a broken worker"))];
        WorkerThreads::run(&threads, jobs, &mut || {});
        let (sender, receiver) = mpsc::channel();
        threads.submit(Box::new(move || sender.send(()).unwrap()));
        receiver.recv().expect("the render thread outlives the panic");
    }
}
