import Foundation

/// Micro-benchmarks behind the speed claims in the code's comments: each of Coffer's own implementations
/// beside the obvious alternative, on the same input in the same run, reported as a Markdown table.
///
/// ```text
/// $ COFFER_BENCHMARKS=1 swift run -c release CofferMicroBenchmarks [seconds per case, default 1]
/// | Case | Coffer (ns/op) | baseline (ns/op) | baseline ÷ Coffer |
/// ```
/// `Benchmarks/Micro/run.sh` builds it in release mode and runs it while holding the build lock.
@main
enum MicroBenchmarks {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.count <= 1, let seconds = Double(arguments.first ?? "1"), seconds > 0, seconds <= 600 else {
            FileHandle.standardError.write(Data("usage: CofferMicroBenchmarks [seconds per case, 0-600]\n".utf8))
            exit(1)
        }
        let pairs = try JSONCases.pairs() + TimestampCases.pairs() + (try await RouterCases.pairs())
        print("\nEach case runs alone for \(seconds) s per side, Coffer and baseline alternating in four rounds;")
        print("ns/op is the mean of the middle two rounds. A ratio above 1 means Coffer's implementation is faster.\n")
        print("| Case | Coffer | ns/op | Baseline | ns/op | baseline ÷ Coffer |")
        print("|---|---|---:|---|---:|---:|")
        var checksum = 0
        for pair in pairs {
            try pair.check()
            let (ours, theirs, sum) = measure(pair, seconds: seconds)
            checksum &+= sum
            print(
                "| \(pair.name) | \(pair.ours.label) | \(format(ours)) | \(pair.baseline.label) | \(format(theirs)) | "
                    + "\(String(format: "%.2f", theirs / ours)) |")
        }
        print("\n(checksum \(checksum))")
    }

    /// Median ns/op of each side over four alternating rounds, so a burst of outside load hits both.
    static func measure(_ pair: BenchmarkPair, seconds: Double) -> (ours: Double, baseline: Double, checksum: Int) {
        var ours: [Double] = []
        var theirs: [Double] = []
        var checksum = 0
        for _ in 0..<4 {
            let mine = pair.ours.nanosecondsPerOperation(for: seconds / 4)
            let other = pair.baseline.nanosecondsPerOperation(for: seconds / 4)
            ours.append(mine.nanoseconds)
            theirs.append(other.nanoseconds)
            checksum &+= mine.checksum &+ other.checksum
        }
        // The middle two of four rounds, averaged.
        return (ours.sorted()[1...2].reduce(0, +) / 2, theirs.sorted()[1...2].reduce(0, +) / 2, checksum)
    }

    static func format(_ nanoseconds: Double) -> String {
        nanoseconds >= 100 ? String(format: "%.0f", nanoseconds) : String(format: "%.1f", nanoseconds)
    }
}
