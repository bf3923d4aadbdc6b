import EventCore

/// A loop is the task executor of the request handlers it dispatches (`HTTP2Connection.dispatch`): their jobs run
/// on the loop's thread between two epoll waits, so a short call is decoded, queued and answered on the thread
/// that read it, without waking a thread of the global pool at its start and again at every resumption, and what
/// the handler allocates is freed on the thread that allocated it.
///
/// A job is queued in the shared inbox and the loop woken as for response parts. Once the loop stopped taking work
/// (`stop()`), jobs go to the global executor instead, so a handler that outlives its server still finishes. A
/// handler must not block its thread: it would hold up every connection of its loop.
extension EventLoop: TaskExecutor {
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let (queued, signals) = owner.withLock { state -> (Bool, Bool) in
            guard state.acceptsWork else { return (false, false) }
            state.jobs.append(job)
            defer { state.signaled = true }
            return (true, !state.signaled)
        }
        guard queued else {
            globalConcurrentExecutor.enqueue(job)
            return
        }
        if signals { writeWakeByte() }
    }

    /// Runs jobs taken from the inbox (loop thread).
    func runJobs(_ jobs: [UnownedJob]) {
        guard !jobs.isEmpty else { return }
        owner.assertOnOwnerThread()
        let executor = asUnownedTaskExecutor()
        for job in jobs { job.runSynchronously(on: executor) }
    }
}
