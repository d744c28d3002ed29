import Testing

@testable import CofferStorage

/// The group-commit queue both SQLite's and PostgreSQL's writers keep: one drain at a time, batches in arrival
/// order, and a close that waits for the drain.
@Suite struct GroupCommitStateTests {
    @Test func theFirstWriteStartsTheDrainAndLaterOnesQueueBehindIt() {
        var queue = GroupCommitState<Int>()
        #expect(queue.admit(1) == .startDraining)
        #expect(queue.admit(2) == .queued)
        #expect(queue.admit(3) == .queued)
        #expect(queue.takeBatch(max: 2).batch == [1, 2])
        #expect(queue.takeBatch(max: 2).batch == [3])
        #expect(queue.isDraining)
        #expect(queue.takeBatch(max: 2).batch.isEmpty)
        #expect(!queue.isDraining)
        #expect(queue.admit(4) == .startDraining)
    }

    @Test func closingRefusesNewWritesAndHandsItsWaiterBackWhenTheDrainEnds() async {
        var queue = GroupCommitState<Int>()
        #expect(queue.admit(1) == .startDraining)
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let closedAtOnce = queue.close(waiter: waiter)
            #expect(!closedAtOnce)
            #expect(queue.admit(2) == .rejected)
            #expect(queue.takeBatch(max: 8).batch == [1])
            let last = queue.takeBatch(max: 8)
            #expect(last.batch.isEmpty)
            #expect(last.idleWaiters.count == 1)
            for idle in last.idleWaiters { idle.resume() }
            if last.idleWaiters.isEmpty { waiter.resume() }  // (already failed above; do not hang)
        }
        var idle = GroupCommitState<Int>()
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let closedAtOnce = idle.close(waiter: waiter)
            #expect(closedAtOnce)  // no drain running: closed at once, the waiter is not kept
            waiter.resume()
        }
        #expect(idle.admit(1) == .rejected)
    }

    @Test func aQueuedWriteCanBeChangedOrTakenOut() {
        var queue = GroupCommitState<[Int]>()
        _ = queue.admit([1])
        _ = queue.admit([2])
        let changedQueued = queue.update(firstWhere: { $0.first == 2 }) { $0.append(20) }
        let changedMissing = queue.update(firstWhere: { $0.first == 9 }) { $0.append(90) }
        #expect(changedQueued)
        #expect(!changedMissing)
        #expect(queue.remove(firstWhere: { $0.first == 1 }) == [1])
        #expect(queue.remove(firstWhere: { $0.first == 1 }) == nil)
        #expect(queue.takeBatch(max: 0).batch == [[2, 20]])
    }
}
