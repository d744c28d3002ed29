import ArgumentParser
import CofferClient
import Foundation

/// `-wrap-ttl=<duration>` (default `VAULT_WRAP_TTL`) on `read`, `write` and `token create`: asks the server to
/// response-wrap the answer (docs/response-wrapping.md). Sent as `X-Vault-Wrap-TTL` in Go's duration spelling
/// (`5m0s`), as the `vault` CLI sends it.
///
/// ```swift
/// @OptionGroup var wrap: WrapTTLOption
/// let response = try await cli.client.request("PUT", path, body: data, headers: try wrap.headers())
/// ```
struct WrapTTLOption: ParsableArguments {
    @Option(
        name: .vault("wrap-ttl"), help: "Wrap the response in a single-use token living this long (VAULT_WRAP_TTL).")
    var wrapTTL: String?

    /// The wrap header, or none when no positive TTL was asked for.
    func headers(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String: String] {
        let text = wrapTTL ?? environment["VAULT_WRAP_TTL"] ?? ""
        guard !text.isEmpty else { return [:] }
        let seconds: Int64
        do {
            seconds = try DurationParser.seconds(text)
        } catch {
            throw fail("invalid value \(GoQuote.quote(text)) for flag -wrap-ttl: \(error)", code: ExitStatus.usage)
        }
        guard seconds > 0 else { return [:] }
        return ["X-Vault-Wrap-TTL": Self.goDuration(seconds)]
    }

    /// Go's `time.Duration.String()` for whole seconds: `30s`, `5m0s`, `1h0m0s`.
    static func goDuration(_ seconds: Int64) -> String {
        let hours = seconds / 3600
        let minutes = (seconds % 3600) / 60
        let rest = seconds % 60
        if hours > 0 { return "\(hours)h\(minutes)m\(rest)s" }
        if minutes > 0 { return "\(minutes)m\(rest)s" }
        return "\(rest)s"
    }
}
