import CofferCore
import CofferFramework
import CofferTesting
import Testing

/// Tune rules for `default_lease_ttl` / `max_lease_ttl` as Vault applies them (system max 768h = 2764800 s).
@Suite(.serialized) struct TuneRuleTests {
    @Test func maxAboveTheSystemMaxIsAcceptedAndApplies() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        #expect(await harness.request(.update, "sys/auth/test/tune", ["max_lease_ttl": "9000h"]).status == 204)
        let tune = await harness.request(.read, "sys/auth/test/tune")
        #expect(tune.data["max_lease_ttl"] == .int(32_400_000))
        #expect(tune.data["default_lease_ttl"] == .int(2_764_800))
        let login = await harness.request(.update, "auth/test/login", ["user": "a", "ttl": "1000h"], token: "")
        #expect(login.auth["lease_duration"] == .int(3_600_000))
        // Enabling with such a max is accepted too.
        let enable = await harness.request(
            .update, "sys/mounts/long", ["type": "kv-v2", "config": ["max_lease_ttl": "10000h"]])
        #expect(enable.status == 204)
        #expect(await harness.request(.read, "sys/mounts/long/tune").data["max_lease_ttl"] == .int(36_000_000))
    }

    @Test func defaultAboveMaxIsRefusedWithTheTuneWording() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/k", ["type": "kv-v2"]).status == 204)
        let both = await harness.request(
            .update, "sys/mounts/k/tune", ["default_lease_ttl": "2h", "max_lease_ttl": "1h"])
        #expect(both.status == 400)
        #expect(both.errors == ["backend max lease TTL of 3600 would be less than backend default lease TTL of 7200"])
        let overSystem = await harness.request(.update, "sys/mounts/k/tune", ["default_lease_ttl": "1000h"])
        #expect(
            overSystem.errors == [
                "new backend default lease TTL of 3600000 greater than system max lease TTL of 2764800"
            ])
        // Against the mount's stored max: tuning only the default checks it against the max already set.
        #expect(await harness.request(.update, "sys/mounts/k/tune", ["max_lease_ttl": "1h"]).status == 204)
        let overMount = await harness.request(.update, "sys/mounts/k/tune", ["default_lease_ttl": "90m"])
        #expect(
            overMount.errors == ["backend max lease TTL of 3600 would be less than backend default lease TTL of 5400"])
        #expect(
            await harness.request(
                .update, "sys/mounts/k/tune", ["default_lease_ttl": "1000h", "max_lease_ttl": "2000h"]
            ).status == 204)
        #expect(
            await harness.request(
                .update, "sys/mounts/k/tune", ["max_lease_ttl": "system", "default_lease_ttl": "system"]
            ).status == 204)
        let tune = await harness.request(.read, "sys/mounts/k/tune")
        #expect(tune.data["max_lease_ttl"] == .int(2_764_800) && tune.data["default_lease_ttl"] == .int(2_764_800))
    }
}
