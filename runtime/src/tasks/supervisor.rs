//! [`Supervisor`]: one task per key, with a concurrency limit, panic isolation,
//! a bounded grace once a task's input has ended, and cancellation.
//!
//! A panic in a task is caught and reported as [`TaskOutcome::Panicked`]; the
//! other tasks and the supervisor go on. A cancelled task's future is dropped
//! where it stands (at its next `.await`) and reported as
//! [`TaskOutcome::Cancelled`], so the owner can clean up after it.

use super::deadline::deadline_after;
use futures::FutureExt;
use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::{Id, JoinSet};
use tokio::time::Instant;

/// A slot under the supervisor's concurrency limit, held by a task while it
/// runs (see [`Supervisor::try_permit`]).
#[derive(Debug)]
pub struct Permit {
    _slot: Option<OwnedSemaphorePermit>,
}

/// Why a task was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CancelReason {
    /// Its deadline ([`Supervisor::wind_down`]) passed before it returned.
    DeadlinePassed,
    /// [`Supervisor::cancel`] or [`Supervisor::cancel_all`].
    Cancelled,
}

/// How a task ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum TaskOutcome<O> {
    /// It returned this value.
    Returned(O),
    /// It panicked; the panic message (or a placeholder for a non-string payload).
    Panicked(String),
    /// It was cancelled before it returned.
    Cancelled(CancelReason),
}

/// A task that ended, with its key.
#[derive(Debug)]
#[non_exhaustive]
pub struct Finished<K, O> {
    /// The task's key.
    pub key: K,
    /// How it ended.
    pub outcome: TaskOutcome<O>,
}

/// What a running task has been told.
#[derive(Debug, Clone, Copy)]
enum Stop {
    Running,
    At(Instant),
    Now,
}

/// Runs one task per key. Poll [`Supervisor::join_next`] to learn when tasks end
/// (their bookkeeping is released then). Dropping the supervisor aborts every task.
#[derive(Debug)]
pub struct Supervisor<K, O> {
    set: JoinSet<(K, TaskOutcome<O>)>,
    stops: HashMap<K, watch::Sender<Stop>>,
    ids: HashMap<Id, K>,
    limit: Option<Arc<Semaphore>>,
}

impl<K, O> Supervisor<K, O>
where
    K: Clone + Eq + Hash + Send + 'static,
    O: Send + 'static,
{
    /// A supervisor running at most `max_tasks` tasks at once (`None`: no limit).
    pub fn new(max_tasks: Option<usize>) -> Self {
        Supervisor {
            set: JoinSet::new(),
            stops: HashMap::new(),
            ids: HashMap::new(),
            limit: max_tasks.map(|n| Arc::new(Semaphore::new(n))),
        }
    }

    /// A slot for one more task, or `None` when the limit is reached. A slot is
    /// free again once its task has ended.
    pub fn try_permit(&self) -> Option<Permit> {
        match &self.limit {
            None => Some(Permit { _slot: None }),
            Some(s) => Arc::clone(s)
                .try_acquire_owned()
                .ok()
                .map(|p| Permit { _slot: Some(p) }),
        }
    }

    /// Free slots under the limit (`None`: no limit).
    pub fn available(&self) -> Option<usize> {
        self.limit.as_ref().map(|s| s.available_permits())
    }

    /// Start `task` under `key`, holding `permit` until it ends. Gives `task`
    /// back when a task with that key is still running.
    pub fn spawn<F>(&mut self, key: K, permit: Permit, task: F) -> Result<(), F>
    where
        F: Future<Output = O> + Send + 'static,
    {
        if self.stops.contains_key(&key) {
            return Err(task);
        }
        let (stop_tx, stop_rx) = watch::channel(Stop::Running);
        let task_key = key.clone();
        let handle = self.set.spawn(async move {
            let _permit = permit;
            let outcome = tokio::select! {
                result = AssertUnwindSafe(task).catch_unwind() => match result {
                    Ok(value) => TaskOutcome::Returned(value),
                    Err(payload) => TaskOutcome::Panicked(panic_message(payload.as_ref())),
                },
                reason = stopped(stop_rx) => TaskOutcome::Cancelled(reason),
            };
            (task_key, outcome)
        });
        self.ids.insert(handle.id(), key.clone());
        self.stops.insert(key, stop_tx);
        Ok(())
    }

    /// Give the task of `key` until `grace` from now to return, then cancel it
    /// (an earlier deadline already set stays). A `grace` too large for an
    /// [`Instant`] (e.g. [`Duration::MAX`]) means decades ([`deadline_after`]).
    /// False when no such task runs.
    pub fn wind_down(&self, key: &K, grace: Duration) -> bool {
        self.wind_down_at(key, deadline_after(grace))
    }

    /// Give the task of `key` until `deadline` to return, then cancel it (an
    /// earlier deadline already set stays). False when no such task runs.
    pub fn wind_down_at(&self, key: &K, deadline: Instant) -> bool {
        self.stops
            .get(key)
            .map(|s| set_deadline(s, deadline))
            .is_some()
    }

    /// [`Supervisor::wind_down`] for every task, with one deadline.
    pub fn wind_down_all(&self, deadline: Instant) {
        for s in self.stops.values() {
            set_deadline(s, deadline);
        }
    }

    /// Cancel the task of `key` now. False when no such task runs.
    pub fn cancel(&self, key: &K) -> bool {
        self.stops
            .get(key)
            .map(|s| s.send_replace(Stop::Now))
            .is_some()
    }

    /// Cancel every task now.
    pub fn cancel_all(&self) {
        for s in self.stops.values() {
            s.send_replace(Stop::Now);
        }
    }

    /// Whether a task runs under `key`.
    pub fn contains(&self, key: &K) -> bool {
        self.stops.contains_key(key)
    }

    /// How many tasks run.
    pub fn len(&self) -> usize {
        self.stops.len()
    }

    /// Whether no task runs.
    pub fn is_empty(&self) -> bool {
        self.stops.is_empty()
    }

    /// The next task to end; `None` when none runs. Cancel-safe.
    pub async fn join_next(&mut self) -> Option<Finished<K, O>> {
        let joined = self.set.join_next_with_id().await?;
        let (id, key, outcome) = match joined {
            Ok((id, (key, outcome))) => (id, Some(key), outcome),
            // Only when the runtime itself shuts down (tasks are never aborted
            // through the set, and panics are caught inside).
            Err(e) => (
                e.id(),
                None,
                TaskOutcome::Cancelled(CancelReason::Cancelled),
            ),
        };
        let key = match key {
            Some(key) => {
                self.ids.remove(&id);
                key
            }
            None => self.ids.remove(&id)?,
        };
        self.stops.remove(&key);
        Some(Finished { key, outcome })
    }
}

fn set_deadline(stop: &watch::Sender<Stop>, at: Instant) {
    stop.send_if_modified(|s| match *s {
        Stop::Running => {
            *s = Stop::At(at);
            true
        }
        Stop::At(earlier) if at < earlier => {
            *s = Stop::At(at);
            true
        }
        _ => false,
    });
}

/// Resolves when the task is told to stop (now, or at a deadline that passed).
async fn stopped(mut rx: watch::Receiver<Stop>) -> CancelReason {
    loop {
        let stop = *rx.borrow_and_update();
        let changed = match stop {
            Stop::Now => return CancelReason::Cancelled,
            Stop::At(at) => tokio::select! {
                _ = tokio::time::sleep_until(at) => return CancelReason::DeadlinePassed,
                changed = rx.changed() => changed,
            },
            Stop::Running => rx.changed().await,
        };
        if changed.is_err() {
            // The supervisor is gone; dropping its set aborts this task.
            std::future::pending::<()>().await;
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(panic payload is not a string)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn finish_all(s: &mut Supervisor<u32, u32>) -> Vec<(u32, String)> {
        let mut out = Vec::new();
        while let Some(f) = s.join_next().await {
            let what = match f.outcome {
                TaskOutcome::Returned(v) => format!("returned {v}"),
                TaskOutcome::Panicked(m) => format!("panicked: {m}"),
                TaskOutcome::Cancelled(r) => format!("cancelled: {r:?}"),
            };
            out.push((f.key, what));
        }
        out.sort();
        out
    }

    #[tokio::test]
    async fn a_panic_ends_only_its_own_task() {
        let mut s = Supervisor::<u32, u32>::new(None);
        for k in 0..4 {
            let permit = s.try_permit().expect("no limit");
            s.spawn(k, permit, async move {
                tokio::task::yield_now().await;
                if k == 2 {
                    panic!("task {k} failed");
                }
                k * 10
            })
            .unwrap_or_else(|_| panic!("new key"));
        }
        let got = finish_all(&mut s).await;
        assert_eq!(
            got,
            [
                (0, "returned 0".to_string()),
                (1, "returned 10".to_string()),
                (2, "panicked: task 2 failed".to_string()),
                (3, "returned 30".to_string()),
            ]
        );
        assert!(s.is_empty());
    }

    #[tokio::test]
    async fn the_limit_frees_a_slot_when_a_task_ends() {
        let mut s = Supervisor::<u32, u32>::new(Some(2));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let first = s.try_permit().expect("slot 1");
        s.spawn(1, first, async move {
            let _ = rx.await;
            1
        })
        .unwrap_or_else(|_| panic!("new key"));
        let second = s.try_permit().expect("slot 2");
        s.spawn(2, second, std::future::pending())
            .unwrap_or_else(|_| panic!("new key"));
        assert!(s.try_permit().is_none(), "limit of 2 reached");
        assert_eq!(s.available(), Some(0));
        let dup = s.try_permit();
        assert!(dup.is_none());
        tx.send(()).expect("task waits");
        let f = s.join_next().await.expect("task 1 ends");
        assert_eq!(f.key, 1);
        assert!(s.try_permit().is_some(), "a slot is free again");
        assert!(s.cancel(&2));
        let f = s.join_next().await.expect("task 2 cancelled");
        assert!(matches!(
            f.outcome,
            TaskOutcome::Cancelled(CancelReason::Cancelled)
        ));
    }

    #[tokio::test]
    async fn wind_down_gives_a_bounded_grace() {
        let grace = Duration::from_millis(200);
        let mut s = Supervisor::<u32, u32>::new(None);
        let p = s.try_permit().expect("slot");
        s.spawn(1, p, async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            1
        })
        .unwrap_or_else(|_| panic!("new key"));
        let p = s.try_permit().expect("slot");
        s.spawn(2, p, std::future::pending())
            .unwrap_or_else(|_| panic!("new key"));
        let started = Instant::now();
        assert!(s.wind_down(&1, grace));
        assert!(s.wind_down(&2, grace));
        // A later deadline does not extend an earlier one.
        s.wind_down_all(Instant::now() + Duration::from_secs(3600));
        let got = finish_all(&mut s).await;
        assert_eq!(
            got,
            [
                (1, "returned 1".to_string()),
                (2, "cancelled: DeadlinePassed".to_string()),
            ]
        );
        assert!(started.elapsed() >= grace, "cancelled only after the grace");
    }

    #[tokio::test]
    async fn wind_down_with_the_largest_duration_does_not_panic() {
        let mut s = Supervisor::<u32, u32>::new(None);
        let p = s.try_permit().expect("slot");
        s.spawn(1, p, std::future::pending())
            .unwrap_or_else(|_| panic!("new key"));
        assert!(s.wind_down(&1, Duration::MAX));
        // The far deadline leaves the task running until it is cancelled.
        tokio::task::yield_now().await;
        assert!(s.contains(&1));
        s.cancel_all();
        let got = finish_all(&mut s).await;
        assert_eq!(got, [(1, "cancelled: Cancelled".to_string())]);
    }

    #[tokio::test]
    async fn a_key_runs_once_at_a_time() {
        let mut s = Supervisor::<u32, u32>::new(None);
        let p = s.try_permit().expect("slot");
        s.spawn(7, p, std::future::pending())
            .unwrap_or_else(|_| panic!("new key"));
        let p = s.try_permit().expect("slot");
        assert!(s.spawn(7, p, async { 1 }).is_err());
        s.cancel_all();
        assert_eq!(finish_all(&mut s).await.len(), 1);
        assert!(!s.contains(&7));
    }
}
