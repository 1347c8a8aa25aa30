import Foundation

/// Where the built `gloss` executable and the package's files are, found from this source file:
/// `Tests/GlossCLITests/Support/GlossBinary.swift` → package root → `.build/debug/gloss`.
///
/// The end-to-end tests run the binary `swift build --build-tests` made; they never build it
/// themselves, so a missing binary is a clear failure, not a slow surprise.
enum GlossBinary {
    /// The package root: three folders above this file's folder.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The sample article shipped with the CLI (the one `gloss demo` uses).
    static var sampleArticle: String { packageRoot + "/Sources/gloss/Resources/sample-article.txt" }

    /// `.build/debug/gloss`, else the first `.build/<triple>/debug/gloss`; nil when neither exists.
    static let path: String? = {
        let fileManager = FileManager.default
        let build = packageRoot + "/.build"
        let preferred = build + "/debug/gloss"
        if fileManager.isExecutableFile(atPath: preferred) { return preferred }
        let triples = (try? fileManager.contentsOfDirectory(atPath: build))?.sorted() ?? []
        return triples.map { build + "/" + $0 + "/debug/gloss" }.first(where: fileManager.isExecutableFile(atPath:))
    }()

    /// The binary's path, or an error that says how to make it.
    static func require() throws -> String {
        guard let path else { throw MissingBinary(packageRoot: packageRoot) }
        return path
    }

    struct MissingBinary: Error, CustomStringConvertible {
        let packageRoot: String
        var description: String {
            "the gloss binary is missing: neither \(packageRoot)/.build/debug/gloss nor .build/*/debug/gloss exists. "
                + "Run 'swift build --build-tests' in \(packageRoot) first."
        }
    }
}
