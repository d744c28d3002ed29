import CofferCore
import Testing

@Suite struct TokenTTLTests {
    let limits = TokenTTL.Limits(mountDefault: 2_764_800, mountMax: 2_764_800)

    @Test func renewalNearTheMaxReportsTheTruncatedRemainderAndEndsExactlyAtTheCap() {
        let (ttl, warning, hardExpiry) = TokenTTL.renewal(
            increment: 0, baseTTL: 3, period: 0, explicitMax: 8, methodMax: 0, creationTime: 1000, now: 1006.5,
            limits: limits)
        #expect(ttl == 1)
        #expect(warning != nil)
        #expect(hardExpiry == 1008)
        let (late, _, _) = TokenTTL.renewal(
            increment: 0, baseTTL: 3, period: 0, explicitMax: 8, methodMax: 0, creationTime: 1000, now: 1007.9,
            limits: limits)
        #expect(late == 0)
    }

    @Test func renewalFarFromTheMaxIsTheBaseTTLAndUncapped() {
        let (ttl, warning, hardExpiry) = TokenTTL.renewal(
            increment: 0, baseTTL: 3, period: 0, explicitMax: 100, methodMax: 0, creationTime: 1000, now: 1010,
            limits: limits)
        #expect(ttl == 3 && warning == nil && hardExpiry == nil)
        let (periodic, _, end) = TokenTTL.renewal(
            increment: 0, baseTTL: 0, period: 60, explicitMax: 90, methodMax: 0, creationTime: 1000, now: 1045,
            limits: limits)
        #expect(periodic == 45 && end == 1090)
    }
}
