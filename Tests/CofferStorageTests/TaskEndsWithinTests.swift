import Testing

@testable import CofferStorage

/// `Task.ends(within:)` answers at the limit even while the task runs on, and at once when it ended.
@Suite struct TaskEndsWithinTests {
    @Test func aTaskStillRunningAtTheLimitIsReportedWithoutWaitingForIt() async {
        let (release, releaser) = AsyncStream<Void>.makeStream()
        let running = Task<Void, Never> { for await _ in release { break } }
        // Were the wait tied to the task, this would never return: the task ends only after it.
        let ended = await running.ends(within: .milliseconds(50))
        #expect(!ended)
        releaser.yield()
        await running.value
    }

    @Test func aTaskThatEndsIsReportedEnded() async {
        let quick = Task<Void, Never> {}
        let ended = await quick.ends(within: .seconds(600))
        #expect(ended)
    }
}
