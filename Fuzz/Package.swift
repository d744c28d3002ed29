// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for Coffer's parsers. A separate package so that `swift build` in the repository root
// never compiles fuzz code; `scripts/fuzz` builds it with `--sanitize=fuzzer` (see README, "Fuzzing").
//
// Each target exports `LLVMFuzzerTestOneInput` and is compiled with `-parse-as-library`, so the module has no
// `main` of its own and libFuzzer's is linked in. The targets reach internal parsers (`ListMethodRewriter`,
// `CompactJWT`, `Core.normalize`, the HCL parser) with `@testable import`, which is why scripts/fuzz builds
// with `-enable-testing`.

let fuzzSettings: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + dependencies, swiftSettings: fuzzSettings)
}

let package = Package(
    name: "CofferFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Coffer", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // Reading fuzzer bytes as several values, and the failure report every target uses.
        .target(name: "FuzzSupport"),
        fuzzTarget(
            "FuzzHTTPRewriter",
            [
                .product(name: "CofferHTTP", package: "Coffer"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]),
        fuzzTarget(
            "FuzzHTTPPipeline",
            [
                .product(name: "CofferHTTP", package: "Coffer"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        fuzzTarget("FuzzJSON", [.product(name: "CofferJSON", package: "Coffer")]),
        fuzzTarget(
            "FuzzPolicy",
            [.product(name: "CofferPolicy", package: "Coffer"), .product(name: "CofferJSON", package: "Coffer")]),
        fuzzTarget("FuzzJWT", [.product(name: "AzureKit", package: "Coffer")]),
        fuzzTarget(
            "FuzzDuration",
            [.product(name: "CofferFramework", package: "Coffer"), .product(name: "CofferJSON", package: "Coffer")]),
        fuzzTarget(
            "FuzzRouting",
            [
                .product(name: "CofferCore", package: "Coffer"), .product(name: "CofferFramework", package: "Coffer"),
                .product(name: "CofferStorage", package: "Coffer"),
            ]),
        fuzzTarget("FuzzShamir", [.product(name: "CofferStorage", package: "Coffer")]),
        fuzzTarget("FuzzServerConfig", [.product(name: "CofferConfig", package: "Coffer")]),
    ]
)
