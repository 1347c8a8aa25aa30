// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for every Gloss decoder a stranger can reach (README.md here). A package of
// its own, so the main package stays as it is: build it with `swift build --sanitize=fuzzer
// --sanitize=address` (run.sh does), and each executable's main comes from libFuzzer.
let package = Package(
    name: "GlossFuzz",
    dependencies: [
        .package(name: "Gloss", path: "../.."),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "GlossCore", package: "Gloss"),
                .product(name: "GlossProtocol", package: "Gloss"),
            ]
        ),
        .executableTarget(
            name: "FuzzSyncFrameDecoder",
            dependencies: [
                "FuzzSupport",
                .product(name: "GlossProtocol", package: "Gloss"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzSyncMessage",
            dependencies: [
                "FuzzSupport", .product(name: "GlossCore", package: "Gloss"), .product(name: "GlossProtocol", package: "Gloss"),
            ]
        ),
        .executableTarget(
            name: "FuzzChangeBatch",
            dependencies: [
                "FuzzSupport",
                .product(name: "GlossCore", package: "Gloss"),
                .product(name: "GlossProtocol", package: "Gloss"),
            ]
        ),
        .executableTarget(
            name: "FuzzChangeBundle",
            dependencies: [
                "FuzzSupport",
                .product(name: "GlossCore", package: "Gloss"),
                .product(name: "GlossProtocol", package: "Gloss"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "FuzzDeviceID",
            dependencies: ["FuzzSupport", .product(name: "GlossCore", package: "Gloss")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
