import CofferStorage
import FuzzSupport

// Input: one mode byte, then shares for `Shamir.combine` as an unseal request would hand them over.
// Even modes cut the rest into pieces of any length (`pieces(of:cutAt:)`, the next mode/2 % 8 bytes are the
// cuts), which mostly exercises the refusals; odd modes read a length byte and cut the rest into shares of
// that length, so duplicates, long parts and large part counts reach the interpolation. Combine must never
// crash, and what it returns is one byte shorter than a share. When the shares are accepted, they are also
// split again as a secret and combined back from a threshold taken from the input, which must round-trip.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzShamir(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let mode = input.byte()
    let parts: [[UInt8]]
    if mode % 2 == 0 {
        let plan = (0..<Int(mode / 2 % 8)).map { _ in input.byte() }
        parts = pieces(of: input.rest(), cutAt: plan)
    } else {
        let length = max(1, Int(input.byte()))
        let stream = input.rest()
        parts = stride(from: 0, to: stream.count, by: length).map { Array(stream[$0..<min($0 + length, stream.count)]) }
    }
    guard let secret = try? Shamir.combine(parts) else { return 0 }
    fuzzCheck(
        secret.count == parts[0].count - 1, "combine gave \(secret.count) bytes from \(parts[0].count)-byte parts")
    checkRoundTrip(secret, threshold: Int(mode / 16) + 2)
    return 0
}

/// Splits `secret` into `threshold + 1` shares and combines the last `threshold` of them.
func checkRoundTrip(_ secret: [UInt8], threshold: Int) {
    do {
        let shares = try Shamir.split(secret, parts: threshold + 1, threshold: threshold)
        let combined = try Shamir.combine(Array(shares.suffix(threshold)))
        fuzzCheck(combined == secret, "round trip of \(describe(secret)) with threshold \(threshold) failed")
    } catch {
        fuzzCheck(false, "split/combine of \(describe(secret)) refused: \(error)")
    }
}
