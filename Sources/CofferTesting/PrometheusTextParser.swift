/// A strict reader of the Prometheus text exposition format (0.0.4), for tests that check what `sys/metrics`
/// serves: `# HELP` / `# TYPE` lines, samples `name{label="value",…} value [timestamp]` with the format's label
/// escapes (`\\`, `\"`, `\n`), every sample belonging to a family declared by `# TYPE` before it (histograms and
/// summaries through their `_bucket`, `_sum`, `_count` series), each family declared once, no series twice, and
/// `le` on every histogram bucket. Anything else is a ``Failure`` naming the line.
///
/// ```swift
/// let exposition = try PrometheusTextParser.parse(text)
/// exposition.value("vault_core_handle_request_count")          // 12
/// exposition.value("vault_token_creation", ["auth_method": "azure"])
/// ```
public enum PrometheusTextParser {
    /// Why the text is not valid exposition format, and on which line (1-based).
    public struct Failure: Error, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// One family's declared type and help text.
    public struct Family: Sendable, Equatable {
        public var type: String
        public var help: String?
    }

    /// One sample line.
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    /// A parsed document.
    public struct Exposition: Sendable {
        public var families: [String: Family] = [:]
        public var samples: [Sample] = []

        /// The sum of the samples named `name` whose labels include every pair of `labels` (0 when none).
        public func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
            matching(name, labels).reduce(0) { $0 + $1.value }
        }

        public func matching(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
            samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        }

        /// Every label value in the document.
        public var labelValues: [String] { samples.flatMap { $0.labels.values } }
    }

    static let types: Set<String> = ["counter", "gauge", "histogram", "summary", "untyped"]

    public static func parse(_ text: String) throws -> Exposition {
        guard text.isEmpty || text.hasSuffix("\n") else { throw Failure(line: 0, reason: "no final newline") }
        var parser = State()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().enumerated() {
            do {
                try parser.consume(line)
            } catch let reason as Reason {
                throw Failure(line: index + 1, reason: reason.text)
            }
        }
        return parser.exposition
    }

    struct Reason: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    struct State {
        var exposition = Exposition()
        var seenSeries: Set<[String]> = []
        var sampledFamilies: Set<String> = []

        mutating func consume(_ line: Substring) throws {
            if line.isEmpty { throw Reason("empty line") }
            if line.hasPrefix("#") { return try comment(line) }
            var scanner = LineScanner(line)
            let name = try scanner.name(allowColon: true)
            let labels = scanner.peek == "{" ? try scanner.labels() : [:]
            let value = try scanner.value()
            try scanner.optionalTimestamp()
            let family = try familyOf(name, labels: labels)
            sampledFamilies.insert(family)
            let series = [name] + labels.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
            guard seenSeries.insert(series).inserted else { throw Reason("duplicate series \(series)") }
            exposition.samples.append(Sample(name: name, labels: labels, value: value))
        }

        mutating func comment(_ line: Substring) throws {
            let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3, parts[0] == "#", parts[1] == "HELP" || parts[1] == "TYPE" else {
                throw Reason("comment other than HELP or TYPE")
            }
            var scanner = LineScanner(parts[2])
            let name = try scanner.name(allowColon: true)
            guard scanner.atEnd else { throw Reason("bad metric name in \(parts[1])") }
            let rest = parts.count > 3 ? String(parts[3]) : ""
            if parts[1] == "TYPE" {
                guard Self.isType(rest) else { throw Reason("unknown type \"\(rest)\"") }
                guard exposition.families[name]?.type == nil || exposition.families[name]?.type == "" else {
                    throw Reason("second TYPE for \(name)")
                }
                guard !sampledFamilies.contains(name) else { throw Reason("TYPE for \(name) after its samples") }
                exposition.families[name, default: Family(type: "", help: nil)].type = rest
            } else {
                guard exposition.families[name]?.help == nil else { throw Reason("second HELP for \(name)") }
                exposition.families[name, default: Family(type: "", help: nil)].help = rest
            }
        }

        static func isType(_ text: String) -> Bool { PrometheusTextParser.types.contains(text) }

        /// The declared family a sample belongs to.
        func familyOf(_ name: String, labels: [String: String]) throws -> String {
            if let family = exposition.families[name], !family.type.isEmpty, family.type != "histogram" {
                return name
            }
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
                let base = String(name.dropLast(suffix.count))
                guard let family = exposition.families[base] else { continue }
                if family.type == "histogram" {
                    if suffix == "_bucket", labels["le"] == nil { throw Reason("histogram bucket without le") }
                    return base
                }
                if family.type == "summary", suffix != "_bucket" { return base }
            }
            if exposition.families[name]?.type == "summary" { return name }
            throw Reason("sample \(name) of no declared family")
        }
    }
}
