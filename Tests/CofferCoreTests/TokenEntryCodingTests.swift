import CofferFramework
import CofferJSON
import Testing

@testable import CofferCore

/// The stored token form leaves defaults and repeated metadata out; reading it back must give the same entry.
@Suite struct TokenEntryCodingTests {
    static func entry(full: Bool) -> TokenEntry {
        var auth = Auth(
            policies: full ? ["dev"] : [], metadata: ["role": "r"], displayName: "oid",
            alias: Alias(name: "oid", metadata: full ? ["k": "v"] : [:]),
            groupAliases: full ? [Alias(name: "group")] : [], internalData: full ? ["role": "r"] : [:])
        if full {
            auth.ttl = 60
            auth.maxTTL = 120
            auth.period = 30
            auth.explicitMaxTTL = 90
            auth.numUses = 3
            auth.boundCIDRs = ["10.0.0.0/8"]
            auth.tokenType = .service
            auth.noDefaultPolicy = true
        }
        var entry = TokenEntry(
            idHash: "h", accessor: "a", parentHash: full ? "p" : nil, policies: ["default"], path: "auth/azure/login",
            meta: full ? ["role": "other"] : ["role": "r"], displayName: "azure-oid", numUses: full ? 2 : 0,
            creationTime: 1_700_000_000.25, ttl: 60, explicitMaxTTL: full ? 90 : 0, period: full ? 30 : 0,
            maxTTL: full ? 120 : 0, renewable: true, type: .service, boundCIDRs: full ? ["10.0.0.0/8"] : [],
            entityID: "e")
        entry.authMountAccessor = "auth_azure_1"
        entry.auth = auth
        entry.createdByID = full
        entry.expireTime = 1_700_000_060.25
        return entry
    }

    @Test(arguments: [false, true])
    func storedEntriesReadBackUnchanged(full: Bool) throws {
        let entry = Self.entry(full: full)
        let bytes = entry.json()
        var read = try TokenEntry(json: try JSONParser.parse(bytes))
        // The id hash is the entry's storage key; the store supplies it on read.
        #expect(read.idHash == "")
        read.idHash = entry.idHash
        #expect(read == entry)
        let object = try #require(try JSONParser.parse(bytes).objectValue)
        // What the reader derives is left out: the hash, creationTTL = ttl, expireTime = creation + ttl, service.
        for derived in ["idHash", "creationTTL", "expireTime", "type"] { #expect(object[derived] == nil, "\(derived)") }
        #expect(object["entityID"] == .string("e"))
        // Defaults are absent, and so is auth metadata equal to `meta`; differing metadata is kept.
        #expect((object["numUses"] == nil) == !full)
        #expect((object["auth"]?.objectValue?["metadata"] == nil) == !full)
    }

    /// An expiry that is not creation + TTL (a renewed token), a missing expiry, another TTL at creation, a batch
    /// type and an empty entity are all kept.
    @Test func valuesThatDifferFromTheDerivedOnesAreStored() throws {
        var entry = Self.entry(full: false)
        entry.idHash = ""
        for change in 0..<4 {
            var changed = entry
            switch change {
            case 0: changed.expireTime = 1_700_000_500
            case 1: changed.expireTime = nil
            case 2: changed.creationTTL = 3600
            default:
                changed.type = .batch
                changed.entityID = ""
            }
            #expect(try TokenEntry(json: try JSONParser.parse(changed.json())) == changed, "change \(change)")
        }
    }

    /// Entries written before defaults were left out (every member present) still read.
    @Test func entriesWithEveryMemberStillRead() throws {
        let entry = Self.entry(full: false)
        var object = try #require(try JSONParser.parse(entry.json()).objectValue)
        object["idHash"] = "h"
        object["creationTTL"] = 60
        object["expireTime"] = .double(1_700_000_060.25)
        object["type"] = "service"
        for (key, value) in [("numUses", 0), ("explicitMaxTTL", 0), ("period", 0), ("maxTTL", 0)] as [(String, Int64)] {
            object[key] = .int(value)
        }
        object["boundCIDRs"] = []
        object["createdByID"] = false
        var auth = try #require(object["auth"]?.objectValue)
        auth["metadata"] = ["role": "r"]
        auth["tokenType"] = ""
        auth["noDefaultPolicy"] = false
        object["auth"] = .object(auth)
        #expect(try TokenEntry(json: .object(object)) == entry)
    }
}
