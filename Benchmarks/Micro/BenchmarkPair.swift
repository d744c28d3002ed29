import Dispatch

/// One of Coffer's implementations and the alternative it is measured against, on the same input.
///
/// ```swift
/// BenchmarkPair(name: "parse token entry",
///     ours: .init("JSONParser.parse") { try JSONParser.parse(bytes) },
///     baseline: .init("JSONSerialization.jsonObject") { try JSONSerialization.jsonObject(with: data) })
/// ```
struct BenchmarkPair {
    /// One side: a label and the operation, which returns a number that is summed and printed, so the
    /// optimiser cannot drop the work.
    struct Side {
        let label: String
        let operation: () throws -> Int

        init(_ label: String, _ operation: @escaping () throws -> Int) {
            self.label = label
            self.operation = operation
        }

        /// Runs the operation in batches until `seconds` have passed; returns ns per operation and the sum of
        /// what the operations returned (a failure counts -1; ``BenchmarkPair/check()`` ran each side first).
        func nanosecondsPerOperation(for seconds: Double) -> (nanoseconds: Double, checksum: Int) {
            let budget = UInt64(seconds * 1e9)
            let start = DispatchTime.now().uptimeNanoseconds
            var operations = 0
            var checksum = 0
            var elapsed: UInt64 = 0
            repeat {
                for _ in 0..<64 { checksum &+= (try? operation()) ?? -1 }
                operations += 64
                elapsed = DispatchTime.now().uptimeNanoseconds - start
            } while elapsed < budget
            return (Double(elapsed) / Double(operations), checksum)
        }
    }

    let name: String
    let ours: Side
    let baseline: Side
    /// Both sides must give the same answer, so the comparison is between equals.
    let agree: Bool

    init(name: String, ours: Side, baseline: Side, agree: Bool = true) {
        self.name = name
        self.ours = ours
        self.baseline = baseline
        self.agree = agree
    }

    /// Runs each side once: a throwing side, or sides that disagree on the checksum, stop the benchmark.
    func check() throws {
        let (a, b) = (try ours.operation(), try baseline.operation())
        if agree && a != b { throw BenchmarkFailure("\(name): Coffer gave \(a), the baseline \(b)") }
    }
}

/// Why a benchmark could not run.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
