extension Task where Success == Void, Failure == Never {
    /// Waits until this task ends or `limit` passes, whichever comes first; true if the task ended. The task itself
    /// goes on either way. (Awaiting `value` in a task group does not do this: the group waits for every child, and
    /// cancelling the child does not end a wait on another task's value.)
    ///
    /// ```swift
    /// if await commit.ends(within: .seconds(1)) { … }   // else still running, answered after 1 s
    /// ```
    public func ends(within limit: Duration) async -> Bool {
        let answer = FirstAnswer<Bool>()
        return await withCheckedContinuation { continuation in
            answer.start(continuation)
            let timer = Task<Void, Never> {
                try? await Task<Never, Never>.sleep(for: limit)
                answer.give(false)
            }
            Task<Void, Never> {
                await self.value
                answer.give(true)
                timer.cancel()
            }
        }
    }
}
