import CofferFramework
import CofferStorage
import Logging

/// `auth/token/tidy`: removes index entries left without their token (by a crash between two writes, or by
/// versions that wrote them separately) and revokes tokens whose parent is gone. Works through storage in
/// batches of ``indexBatchSize``, a few tokens at a time, so serving continues while it runs.
extension TokenStore {
    /// Counts of what one tidy pass removed; logged when it ends.
    struct TidyReport: Sendable, Equatable {
        var accessors = 0
        var parentEntries = 0
        var mountEntries = 0
        var expiryEntries = 0
        var revoked = 0
    }

    /// Starts a tidy pass in the background unless one is running; false when one is.
    ///
    /// ```swift
    /// if tokens.startTidy(clock: { Date().timeIntervalSince1970 }, logger: logger) { /* 202 */ }
    /// ```
    public func startTidy(clock: @escaping @Sendable () -> Double, logger: Logger) -> Bool {
        let started = tidyRunning.withLock { running in
            if running { return false }
            running = true
            return true
        }
        guard started else { return false }
        Task {
            defer { tidyRunning.withLock { $0 = false } }
            do {
                let report = try await tidy(clock: clock)
                logger.info(
                    "finished tidy operation on token store",
                    metadata: [
                        "accessors_removed": "\(report.accessors)", "parent_entries_removed": "\(report.parentEntries)",
                        "mount_entries_removed": "\(report.mountEntries)",
                        "expiry_entries_removed": "\(report.expiryEntries)", "tokens_revoked": "\(report.revoked)",
                    ])
            } catch {
                logger.error("token tidy failed", metadata: ["error": "\(error)"])
            }
        }
        return true
    }

    /// One full pass, in the caller's task.
    func tidy(clock: @Sendable () -> Double) async throws -> TidyReport {
        var report = TidyReport()
        try await tidyAccessors(clock: clock, &report)
        try await tidyTree(prefix: "parent/", &report)
        try await tidyTree(prefix: "mount/", &report)
        try await tidyExpiryIndex(clock: clock, &report)
        return report
    }

    /// Accessor entries without a live token go; tokens that are stored but dead (expired, spent) or whose
    /// parent is gone are revoked, which removes their accessor with them.
    private func tidyAccessors(clock: @Sendable () -> Double, _ report: inout TidyReport) async throws {
        let keys = try await storage.list(prefix: "accessor/").filter { !$0.hasSuffix("/") }
        for batch in Self.batches(keys) {
            for key in batch {
                guard let bytes = try await storage.get("accessor/" + key),
                    let record = Self.accessorRecord(bytes),
                    let entry = try await storedEntry(hash: record.tokenHash)
                else {
                    try await storage.delete("accessor/" + key)
                    report.accessors += 1
                    continue
                }
                let parentGone: Bool
                if let parent = entry.parentHash {
                    parentGone = try await storedEntry(hash: parent) == nil
                } else {
                    parentGone = false
                }
                if parentGone || entry.isExpired(now: clock()) || entry.numUses < 0 {
                    try await revokeTree(hash: record.tokenHash)
                    report.revoked += 1
                }
            }
        }
    }

    /// `parent/<parent>/<child>` and `mount/<accessor>/<token>`: entries whose token is gone are deleted; a
    /// child whose parent is gone is revoked.
    private func tidyTree(prefix: String, _ report: inout TidyReport) async throws {
        for folder in try await storage.list(prefix: prefix) where folder.hasSuffix("/") {
            let owner = String(folder.dropLast())
            let parentGone = prefix == "parent/" ? try await storedEntry(hash: owner) == nil : false
            let members = try await storage.list(prefix: prefix + folder).compactMap(TokenIndexMember.init(listed:))
            for batch in Self.batches(members) {
                for member in batch {
                    if try await storedEntry(hash: member.hash) == nil {
                        try await storage.delete(prefix + folder + member.name)
                        if prefix == "parent/" { report.parentEntries += 1 } else { report.mountEntries += 1 }
                    } else if parentGone {
                        try await revokeTree(hash: member.hash)
                        report.revoked += 1
                    }
                }
            }
        }
    }

    /// Index entries whose token is gone or moved are deleted; a bucket with entries but no marker gets one back
    /// (so the manager finds it), and a marker without entries of a past bucket goes.
    private func tidyExpiryIndex(clock: @Sendable () -> Double, _ report: inout TidyReport) async throws {
        let markers = Set(try await expiryBuckets())
        var folders: Set<Int64> = []
        for name in try await storage.list(prefix: ExpiryIndexKey.entryPrefix) {
            guard let bucket = ExpiryIndexKey.bucket(named: name), name.hasSuffix("/") else { continue }
            folders.insert(bucket)
            var remaining = 0
            for batch in Self.batches(try await expiryIndex(bucket: bucket)) {
                for index in batch {
                    if let entry = try await storedEntry(hash: index.hash), ExpiryIndexKey(entry) == index {
                        remaining += 1
                    } else {
                        try await storage.delete(index.key)
                        report.expiryEntries += 1
                    }
                }
            }
            if remaining > 0, !markers.contains(bucket) {
                try await storage.put(ExpiryIndexKey.markerKey(bucket), value: [])
            }
        }
        for bucket in markers.subtracting(folders) where Double(bucket) < clock() {
            try await deleteExpiryMarker(bucket: bucket)
        }
    }

    static func batches<Element>(_ items: [Element]) -> [ArraySlice<Element>] {
        stride(from: 0, to: items.count, by: indexBatchSize).map {
            items[$0..<min($0 + indexBatchSize, items.count)]
        }
    }
}
