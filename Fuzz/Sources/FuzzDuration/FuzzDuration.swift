import CofferFramework
import CofferJSON
import FuzzSupport

// Input: a duration as a client would send it: the text of a string field (`"1h30m"`, `"90"`, `"-1s"`), and,
// when the bytes are a JSON document, that value too (numbers take the integer and float paths). Every
// accepted duration must lie within `DurationParser.maxSeconds`, and Go's spelling of it (which Coffer
// prints in responses) must parse back to the same number of seconds.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDuration(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let bytes = input.rest()
    let text = String(decoding: bytes, as: UTF8.self)
    if let seconds = try? DurationParser.seconds(text) {
        checkAccepted(seconds, from: text)
    }
    if let value = try? JSONParser.parse(bytes), let seconds = try? DurationParser.seconds(value) {
        checkAccepted(seconds, from: text)
    }
    return 0
}

/// Where the spelling must read back exactly: everywhere, since DurationParser sums whole units as integers.
let exactRoundTripLimit = UInt64(DurationParser.maxSeconds)

func checkAccepted(_ seconds: Int64, from text: String) {
    fuzzCheck(
        seconds >= -DurationParser.maxSeconds && seconds <= DurationParser.maxSeconds,
        "\(text.debugDescription) gave \(seconds) s, outside ±\(DurationParser.maxSeconds)")
    guard seconds.magnitude <= exactRoundTripLimit else { return }
    for spelling in [DurationParser.goString(seconds), DurationParser.shortGoString(seconds)] {
        let reparsed = try? DurationParser.seconds(spelling)
        fuzzCheck(
            reparsed == seconds,
            "\(text.debugDescription) gave \(seconds) s, spelled \(spelling), which parses to \(String(describing: reparsed))"
        )
    }
}
