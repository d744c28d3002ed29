import CofferCore
import CofferFramework
import CofferTesting
import Testing

/// Issue 10 ("Hardening"), found by Tests/compat/test_hostile_input.py: hostile cubbyhole paths are answered as
/// the client's error or as the no-op they are, never as a storage failure (500).
@Suite("cubbyhole hostile paths")
struct CubbyholeTests {
    @Test("a NUL in the path is a 400 for every operation (the core refuses it before the backend)")
    func nulInPath() async throws {
        let harness = try await CoreHarness.make()
        for operation in [LogicalOperation.update, .delete, .read] {
            let answer = await harness.request(operation, "cubbyhole/a\u{0}b", ["v": "1"])
            #expect(answer.status == 400)
            #expect(answer.errors == ["path cannot contain a NUL byte"])
        }
    }

    @Test("deleting a folder (the mount root included) deletes nothing and answers 204")
    func deleteFolder() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "cubbyhole/dir/x", ["v": "1"]).status == 204)
        #expect(await harness.request(.delete, "cubbyhole/").status == 204)
        #expect(await harness.request(.delete, "cubbyhole/dir/").status == 204)
        #expect(await harness.request(.read, "cubbyhole/dir/x").data == ["v": "1"])
        #expect(await harness.request(.delete, "cubbyhole/dir/x").status == 204)
        #expect(await harness.request(.read, "cubbyhole/dir/x").status == 404)
    }
}
