import Foundation

/// The CLI's token store: a single file, `$HOME/.vault-token` by default, readable only by its owner.
///
/// ```swift
/// let helper = TokenHelper()                  // $HOME/.vault-token
/// try helper.store("hvs.abc")                 // written with mode 0600
/// let token = try helper.get()                // "hvs.abc" (whitespace trimmed), nil if absent
/// try helper.erase()
/// ```
public struct TokenHelper: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// `~/.vault-token`, taking `HOME` from `environment`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        self.path = (home as NSString).appendingPathComponent(".vault-token")
    }

    /// The stored token, or `nil` when the file does not exist or is empty.
    public func get() throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VaultClientError.tokenHelper("error reading token helper file \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }

    /// Replaces the stored token. The file is created with mode 0600 before any byte is written.
    public func store(_ token: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw VaultClientError.tokenHelper("error opening token file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // An existing file keeps its old mode through O_CREAT, so tighten it explicitly.
        fchmod(descriptor, 0o600)
        let bytes = Array(token.utf8)
        var written = 0
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard result > 0 else {
                throw VaultClientError.tokenHelper(
                    "error writing token file \(path): \(String(cString: strerror(errno)))")
            }
            written += result
        }
    }

    /// Removes the stored token; a missing file is not an error.
    public func erase() throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw VaultClientError.tokenHelper("error removing token file \(path): \(error)")
        }
    }
}
