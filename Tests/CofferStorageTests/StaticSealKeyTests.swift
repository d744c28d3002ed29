import Crypto
import Foundation
import Testing

@testable import CofferStorage

@Suite struct StaticSealKeyTests {
    private func bytes(_ key: SymmetricKey) -> [UInt8] { key.withUnsafeBytes { Array($0) } }

    @Test func parsesHexInEitherCaseWithSurroundingWhitespace() throws {
        let hex = String(repeating: "0123456789abcdef", count: 4)
        let expected = (0..<32).map { UInt8([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef][$0 % 8]) }
        #expect(bytes(try StaticSealKey.parse(hex)) == expected)
        #expect(bytes(try StaticSealKey.parse("  \(hex.uppercased())\n")) == expected)
    }

    @Test func parsesBase64OfThirtyTwoBytes() throws {
        let raw = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let text = Data(raw).base64EncodedString()
        #expect(bytes(try StaticSealKey.parse(text + "\n")) == raw)
    }

    @Test func generatedKeysParseAndDiffer() throws {
        let first = StaticSealKey.generate()
        let second = StaticSealKey.generate()
        #expect(first != second)
        #expect(try StaticSealKey.parse(first).bitCount == 256)
    }

    @Test(arguments: [
        "",
        "   ",
        String(repeating: "ab", count: 31),  // 31 bytes of hex
        String(repeating: "ab", count: 33),  // 33 bytes of hex
        Data(repeating: 1, count: 16).base64EncodedString(),
        Data(repeating: 1, count: 33).base64EncodedString(),
        "not a key at all!",
        String(repeating: "zz", count: 32),
    ])
    func rejectsMalformedKeysWithoutEchoingThem(text: String) throws {
        do {
            _ = try StaticSealKey.parse(text)
            Issue.record("accepted \(text.count) characters")
        } catch StorageError.invalidSealKey(let why) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.count >= 8 { #expect(!why.contains(trimmed)) }
            #expect(!why.isEmpty)
        }
    }

    @Test func loadsFromAFileAndReportsUnreadableFiles() async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("seal.key")
            let text = StaticSealKey.generate()
            try (text + "\n").write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            #expect(bytes(try StaticSealKey.load(file: file.path)) == bytes(try StaticSealKey.parse(text)))

            let missing = directory.appendingPathComponent("missing.key").path
            #expect(throws: StorageError.invalidSealKey("cannot read seal key file \(missing)")) {
                _ = try StaticSealKey.load(file: missing)
            }
            let bad = directory.appendingPathComponent("bad.key")
            try "secret-looking-garbage".write(to: bad, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: bad.path)
            do {
                _ = try StaticSealKey.load(file: bad.path)
                Issue.record("accepted a malformed key file")
            } catch StorageError.invalidSealKey(let why) {
                #expect(why.hasPrefix(bad.path))
                #expect(!why.contains("secret-looking-garbage"))
            }
        }
    }

    /// Issue 10, "At rest": a key file others can read is refused, saying why.
    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o700 | 0o007])
    func refusesAKeyFileReadableByGroupOrOthers(mode: Int) async throws {
        try await withTemporaryDirectory { directory in
            let file = directory.appendingPathComponent("seal.key")
            try StaticSealKey.generate().write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
            do {
                _ = try StaticSealKey.load(file: file.path)
                Issue.record("accepted a key file with mode \(String(mode, radix: 8))")
            } catch StorageError.invalidSealKey(let why) {
                #expect(why.contains("accessible by group or others"))
                #expect(why.contains("chmod 600"))
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: file.path)
            _ = try StaticSealKey.load(file: file.path)
        }
    }

    @Test func parsedKeyUnsealsTheBarrier() async throws {
        let text = StaticSealKey.generate()
        let physical = MemoryPhysical()
        try await Barrier(physical: physical).initialize(sealKey: try StaticSealKey.parse(text))
        let barrier = Barrier(physical: physical)
        try await barrier.unseal(sealKey: try StaticSealKey.parse(" \(text) "))
        #expect(!barrier.isSealed)
    }
}
