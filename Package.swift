// swift-tools-version:6.0
import PackageDescription

// The layering (see shared STYLE): GlossCore <- GlossStore, GlossProtocol <- GlossNetwork <- gloss.
// Each target lists only what it may import, so a wrong edge fails the build.
let package = Package(
    name: "Gloss",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gloss", targets: ["gloss"]),
        .executable(name: "gloss-bench", targets: ["GlossBench"]),
        .library(name: "GlossCore", targets: ["GlossCore"]),
        .library(name: "GlossStore", targets: ["GlossStore"]),
        .library(name: "GlossProtocol", targets: ["GlossProtocol"]),
        .library(name: "GlossNetwork", targets: ["GlossNetwork"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        // Protocol version 3 runs inside mutual TLS 1.3 (SPEC §11.2): swift-nio-ssl carries it,
        // swift-certificates makes the in-memory self-signed certificate for the replica's key.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.0"),
        // CHANGES frames are compressed with raw DEFLATE when both sides announce it (SPEC §11.7):
        // compress-nio wraps the system zlib for NIO's ByteBuffer, which GlossProtocol already
        // uses, rather than a hand-written binding.
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        // Only for documentation: builds the DocC catalogs (Sources/*/*.docc) with
        // `swift package generate-documentation`. No target depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Pure model and merge rules. Crypto is used only for SHA-256 (ids and the state digest):
        // hashing is pure computation, so GlossCore still has no I/O, clock or randomness.
        .target(
            name: "GlossCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "GlossStore",
            dependencies: [
                "GlossCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "GlossProtocol",
            dependencies: [
                "GlossCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        // The transport: drives GlossProtocol's sans-I/O session over SwiftNIO, inside mutual
        // TLS 1.3 with pinned device keys.
        .target(
            name: "GlossNetwork",
            dependencies: [
                "GlossCore", "GlossStore", "GlossProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "gloss",
            dependencies: [
                "GlossCore", "GlossStore", "GlossProtocol", "GlossNetwork",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("Resources/sample-article.txt")]
        ),
        // The peer benchmark (shared/bench/PEERS.md) run through Gloss: a measurement, not a test.
        .executableTarget(
            name: "GlossBench",
            dependencies: [
                "GlossCore", "GlossStore", "GlossProtocol", "GlossNetwork", "GlossTestSupport",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Seeded generators and simulated replicas shared by the test targets; not shipped.
        .target(
            name: "GlossTestSupport",
            dependencies: ["GlossCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(
            name: "GlossCoreTests", dependencies: ["GlossCore", "GlossTestSupport", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Fixtures"]  // read by path: Wikinews articles for the re-anchoring corpus
        ),
        .testTarget(
            name: "GlossStoreTests",
            dependencies: [
                "GlossStore", "GlossCore", "GlossTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"]  // read by path (#filePath), so an upgrade test copies the exact bytes
        ),
        .testTarget(
            name: "GlossProtocolTests",
            dependencies: [
                "GlossProtocol", "GlossCore", "GlossTestSupport", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "GlossNetworkTests",
            dependencies: [
                "GlossNetwork", "GlossStore", "GlossProtocol", "GlossCore", "GlossTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "GlossCLITests",
            dependencies: [
                "GlossCore", "GlossStore", "GlossProtocol", "GlossTestSupport", .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"]  // read by path: W3C schemas, their validator, Wikinews articles
        ),
    ],
    swiftLanguageModes: [.v6]
)
