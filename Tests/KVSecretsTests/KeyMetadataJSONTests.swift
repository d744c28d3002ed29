import CofferFramework
import Foundation
import Testing

@testable import KVSecrets

@Suite struct KeyMetadataJSONTests {
    private func sample() -> KeyMetadata {
        var meta = KeyMetadata()
        _ = meta.addVersion(
            created: KVTimestamp(nanoseconds: 1_700_000_000_123_456_789), deletionTime: nil, configMaxVersions: 2)
        _ = meta.addVersion(
            created: KVTimestamp(nanoseconds: 1_700_000_001_000_000_000),
            deletionTime: KVTimestamp(nanoseconds: 1_700_000_900_000_000_000), configMaxVersions: 2)
        _ = meta.addVersion(
            created: KVTimestamp(nanoseconds: 1_700_000_002_000_000_000), deletionTime: nil, configMaxVersions: 2)
        meta.versions["3"]?.destroyed = true
        meta.maxVersions = 7
        meta.casRequired = true
        meta.deleteVersionAfter = 3600
        meta.customMetadata = ["owner": "ops", "quote": "a\"b"]
        return meta
    }

    @Test func theHandWrittenFormRoundTrips() throws {
        let meta = sample()
        #expect(try KeyMetadata(json: meta.json()) == meta)
        #expect(try KeyMetadata(json: KeyMetadata().json()) == KeyMetadata())
    }

    /// Metadata stored by earlier versions (Foundation's coder) reads back, and the new form still decodes
    /// with that coder: the stored format did not change.
    @Test func theStoredFormIsTheOneCodableWrote() throws {
        let meta = sample()
        let codable = try JSONEncoder().encode(meta)
        #expect(try KeyMetadata(json: Array(codable)) == meta)
        #expect(try JSONDecoder().decode(KeyMetadata.self, from: Data(meta.json())) == meta)
    }

    @Test func corruptMetadataIsAnErrorNamingTheMember() {
        #expect(throws: JSONObjectReader.Failure(key: "current_version", expected: "an unsigned integer")) {
            try KeyMetadata(
                json: Array(
                    #"{"current_version":-1,"oldest_version":0,"max_versions":0,"cas_required":false,"delete_version_after":0,"versions":{}}"#
                        .utf8))
        }
        #expect(throws: JSONObjectReader.Failure(key: "max_versions", expected: "a 32-bit unsigned integer")) {
            try KeyMetadata(
                json: Array(
                    #"{"current_version":1,"oldest_version":0,"max_versions":4294967296,"cas_required":false,"delete_version_after":0,"versions":{}}"#
                        .utf8))
        }
    }
}
