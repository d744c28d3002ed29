import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

/// Devices at work: the socket device, fail-closed refusals, log rotation and whole lines under concurrency.
@Suite struct AuditDeviceTests {
    static let internalError = "1 error occurred:\n\t* internal error\n\n"

    @Test func socketDeviceSendsEntriesToATCPListener() async throws {
        let collector = try LoopbackCollector()
        defer { collector.stop() }
        let harness = try await CoreHarness.make()
        let enabled = await harness.request(
            .update, "sys/audit/socket",
            ["type": "socket", "options": ["address": .string("127.0.0.1:\(collector.port)"), "write_timeout": "1s"]])
        #expect(enabled.status == 204, "\(enabled.text)")
        #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.update, "secret/data/s", ["data": ["password": "hunter2"]]).status == 200)
        // Both entries were sent before the request returned, but the collector's reader thread may not have read
        // the second yet: wait for the request and the response entry of the write.
        let text = try await collector.wait {
            $0.components(separatedBy: "\"path\":\"secret/data/s\"").count == 3 && $0.hasSuffix("\n")
        }
        let lines = text.split(separator: "\n")
        let entries = try lines.map { try #require(try JSONParser.parse(Array($0.utf8)).objectValue) }
        #expect(entries.first?["request"]?["path"] == "sys/audit/test")
        let secret = entries.filter { $0["request"]?["path"] == "secret/data/s" }
        #expect(secret.map { $0["type"] } == ["request", "response"])
        #expect(!text.contains("hunter2"))
        #expect(
            secret.first?["request"]?["data"]?["data"]?["password"]
                == .string(await harness.auditHash("hunter2", device: "socket") ?? ""))
    }

    @Test func udpSocketDeviceSendsOneDatagramPerEntry() async throws {
        let collector = try LoopbackDatagramCollector()
        defer { collector.stop() }
        let harness = try await CoreHarness.make()
        let enabled = await harness.request(
            .update, "sys/audit/udp",
            ["type": "socket", "options": ["address": .string("127.0.0.1:\(collector.port)"), "socket_type": "udp"]])
        #expect(enabled.status == 204, "\(enabled.text)")
        #expect(await harness.request(.read, "sys/mounts").status == 200)
        let deadline = Date().addingTimeInterval(5)
        while !collector.text.contains("\"type\":\"response\""), Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let entries = try collector.text.split(separator: "\n").map {
            try #require(try JSONParser.parse(Array($0.utf8)).objectValue)
        }
        #expect(entries.first?["request"]?["path"] == "sys/audit/test")
        let mounts = entries.filter { $0["request"]?["path"] == "sys/mounts" }
        #expect(mounts.map { $0["type"] } == ["request", "response"])
        #expect(!collector.text.contains(harness.rootToken))
    }

    @Test func anUnreachableSocketDeviceRefusesRequestsAndChangesNothing() async throws {
        let probe = try LoopbackCollector()
        let port = probe.port
        probe.stop()
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.update, "secret/data/s", ["data": ["v": "before"]]).status == 200)
        let enabled = await harness.request(
            .update, "sys/audit/socket",
            ["type": "socket", "options": ["address": .string("127.0.0.1:\(port)"), "skip_test": "true"]])
        #expect(enabled.status == 204, "\(enabled.text)")
        let refused = await harness.request(.update, "secret/data/s", ["data": ["v": "after"]])
        #expect(refused.status == 500)
        guard case .errors(let error) = refused.body else { Issue.record("no error body"); return }
        #expect(error == .internalError)
        // Bring a listener up on the device's port: requests are recorded again and the refused write never happened.
        let collector = try LoopbackCollector(port: port)
        defer { collector.stop() }
        let read = await harness.request(.read, "secret/data/s")
        #expect(read.status == 200)
        #expect(read.data["data"]?["v"] == "before")
    }

    @Test func anUnwritableFileRefusesRequestsAndChangesNothing() async throws {
        try await TemporaryDirectory.with { directory in
            let harness = try await CoreHarness.make()
            #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv-v2"]).status == 204)
            #expect(await harness.request(.update, "secret/data/s", ["data": ["v": "before"]]).status == 200)
            let file = directory.appendingPathComponent("audit.log")
            try await harness.enableFileAudit(file: file)
            // The path becomes a directory and the device reopens (as after logrotate + SIGHUP): nothing can be written.
            try FileManager.default.removeItem(at: file)
            try FileManager.default.createDirectory(at: file, withIntermediateDirectories: false)
            await harness.core.reloadAuditDevices()
            let refused = await harness.request(.update, "secret/data/s", ["data": ["v": "after"]])
            #expect(refused.status == 500)
            #expect(refused.body.isInternalError)
            #expect(await harness.request(.read, "sys/mounts").status == 500)
            try FileManager.default.removeItem(at: file)
            let read = await harness.request(.read, "secret/data/s")
            #expect(read.status == 200)
            #expect(read.data["data"]?["v"] == "before")
        }
    }

    @Test func aDeviceThatFailsEveryWriteRefusesRequests() async throws {
        // /dev/full accepts the open and fails every write with ENOSPC.
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv-v2"]).status == 204)
        let failing = await harness.request(
            .update, "sys/audit/full", ["type": "file", "options": ["file_path": "/dev/full", "mode": "0"]])
        #expect(failing.status == 400)
        #expect(((failing.errors ?? []).first ?? "").hasPrefix("audit backend failed test message: "))
        let enabled = await harness.request(
            .update, "sys/audit/full",
            ["type": "file", "options": ["file_path": "/dev/full", "mode": "0", "skip_test": "true"]])
        #expect(enabled.status == 204, "\(enabled.text)")
        #expect(await harness.request(.update, "secret/data/s", ["data": ["v": "x"]]).status == 500)
        // Even enabling another device is refused: its own request cannot be recorded.
        #expect(
            await harness.request(.update, "sys/audit/ok", ["type": "file", "options": ["file_path": "discard"]])
                .status == 500)
    }

    @Test func oneWorkingDeviceIsEnough() async throws {
        try await TemporaryDirectory.with { directory in
            let harness = try await CoreHarness.make()
            let good = directory.appendingPathComponent("good.log")
            try await harness.enableFileAudit("good", file: good)
            let bad = directory.appendingPathComponent("bad.log")
            try await harness.enableFileAudit("bad", file: bad)
            try FileManager.default.removeItem(at: bad)
            try FileManager.default.createDirectory(at: bad, withIntermediateDirectories: false)
            await harness.core.reloadAuditDevices()
            #expect(await harness.request(.read, "sys/mounts").status == 200)
            #expect(try AuditLog(url: good).pair("sys/mounts").response["type"] == "response")
        }
    }

    @Test func reloadReopensAFileMovedAway() async throws {
        try await TemporaryDirectory.with { directory in
            let harness = try await CoreHarness.make()
            let file = directory.appendingPathComponent("audit.log")
            try await harness.enableFileAudit(file: file)
            #expect(await harness.request(.read, "sys/mounts").status == 200)
            let rotated = directory.appendingPathComponent("audit.log.1")
            try FileManager.default.moveItem(at: file, to: rotated)
            await harness.core.reloadAuditDevices()
            #expect(await harness.request(.read, "sys/auth").status == 200)
            #expect(try AuditLog(url: rotated).entries().contains { $0["request"]?["path"] == "sys/mounts" })
            #expect(!(try AuditLog(url: rotated).entries().contains { $0["request"]?["path"] == "sys/auth" }))
            #expect(try AuditLog(url: file).pair("sys/auth").request["type"] == "request")
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
    }

    @Test func auditWritesAreTimedInMetrics() async throws {
        let metered = try await MetricsTests.MeteredCore.make()
        let enabled = await metered.request(
            .update, "sys/audit/d", ["type": "file", "options": ["file_path": "discard"]])
        #expect(enabled.status == 204)
        let before = try await metered.prometheus()
        for _ in 0..<3 { #expect(await metered.request(.read, "sys/mounts").status == 200) }
        let after = try await metered.prometheus()
        // Each request (the first scrape included) wrote one request and one response entry.
        #expect(after.value("vault_audit_log_request_count") >= before.value("vault_audit_log_request_count") + 4)
        #expect(after.value("vault_audit_log_response_count") >= before.value("vault_audit_log_response_count") + 4)
        #expect(after.value("vault_audit_log_request_failure") == 0)
    }

    @Test func parallelRequestsEachWriteWholeLines() async throws {
        try await TemporaryDirectory.with { directory in
            let harness = try await CoreHarness.make()
            #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv-v2"]).status == 204)
            let file = directory.appendingPathComponent("audit.log")
            try await harness.enableFileAudit(file: file, options: ["skip_test": "true"])
            let count = 200
            let big = String(repeating: "x", count: 5000)
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        await harness.request(.update, "secret/data/k\(index % 10)", ["data": ["v": .string(big)]])
                    }
                }
            }
            let entries = try AuditLog(url: file).entries()
            #expect(entries.count == 2 * count)
            #expect(entries.filter { $0["type"] == "request" }.count == count)
        }
    }
}

extension CoreResponse.Body {
    var isInternalError: Bool {
        if case .errors(let error) = self { return error == .internalError }
        return false
    }
}
