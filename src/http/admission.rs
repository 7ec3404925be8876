//! Admission control: at most `workers` renders at once, a bounded queue behind them, and a
//! clear refusal (503 with `Retry-After`) beyond that, so a month-end rush degrades into quick
//! "try again" answers instead of unbounded memory and timeouts for everyone.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Render slots and the queue in front of them.
pub struct Admission {
    slots: Arc<Semaphore>,
    workers: usize,
    queue: usize,
    waiting: AtomicUsize,
}

/// The queue is full (or the server is closing): the caller should answer 503.
#[derive(Debug)]
pub struct Busy;

impl Admission {
    /// `workers` slots, with up to `queue` requests waiting for one.
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        Admission { slots: Arc::new(Semaphore::new(workers)), workers, queue, waiting: AtomicUsize::new(0) }
    }

    /// Render slots in total.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Waits for `slots` render slots (a batch takes all of them), or fails at once when the
    /// queue is full. The slots are held until the permit is dropped, after the render ends.
    pub async fn admit(&self, slots: usize) -> Result<OwnedSemaphorePermit, Busy> {
        let slots = slots.clamp(1, self.workers) as u32;
        if let Ok(permit) = self.slots.clone().try_acquire_many_owned(slots) {
            return Ok(permit);
        }
        let _waiting = Waiting::enter(&self.waiting);
        if self.waiting.load(Ordering::SeqCst) > self.queue {
            return Err(Busy);
        }
        self.slots.clone().acquire_many_owned(slots).await.map_err(|_| Busy)
    }

    /// Requests waiting for a slot.
    pub fn queued(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Slots currently rendering.
    pub fn in_flight(&self) -> usize {
        self.workers - self.slots.available_permits()
    }
}

/// Counts a waiting request for as long as it waits (also when its client goes away).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Waiting(counter)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let admission = Arc::new(Admission::new(1, 1));
        let running = admission.admit(1).await.expect("a free slot");
        assert_eq!(admission.in_flight(), 1);
        let queued = {
            let admission = admission.clone();
            tokio::spawn(async move { admission.admit(1).await.map(drop) })
        };
        while admission.queued() == 0 {
            tokio::task::yield_now().await;
        }
        assert!(admission.admit(1).await.is_err(), "the second waiter finds the queue full");
        drop(running);
        assert!(queued.await.unwrap().is_ok(), "the queued request gets the slot");
        assert_eq!((admission.queued(), admission.in_flight()), (0, 0));
    }
}
