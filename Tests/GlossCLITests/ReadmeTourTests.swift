import Foundation
import Testing

/// README.md's tour, run as printed: every command it shows works (issue 11).
@Suite struct ReadmeTourTests {
    /// The first `sh` block after "## A tour of the command line".
    static func tour() throws -> String {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let section = try #require(text.range(of: "## A tour of the command line"))
        let open = try #require(text.range(of: "```sh\n", range: section.upperBound..<text.endIndex))
        let close = try #require(text.range(of: "```\n", range: open.upperBound..<text.endIndex))
        return String(text[open.upperBound..<close.lowerBound])
    }

    @Test func theTourRunsAsPrinted() async throws {
        let sandbox = try Sandbox()
        let article = try String(contentsOfFile: try sandbox.copySample(as: "article.txt"), encoding: .utf8)
        _ = try sandbox.write("corrected.txt", article.replacingOccurrences(of: "Some 8,000", with: "Some 10,000"))
        _ = try sandbox.write("transcript.txt", "Call with the HUR contact, 14:05.\nThey confirmed the date.\n")
        let tour = try Self.tour()
        #expect(tour.contains("gloss init") && tour.contains("gloss backup"))
        let binary = URL(fileURLWithPath: try GlossBinary.require()).deletingLastPathComponent().path
        let script = try sandbox.write("tour.sh", "set -euo pipefail\n" + tour)
        var environment = sandbox.environment
        environment["PATH"] = binary + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let result = try await sandbox.finish(try sandbox.start(executable: "/bin/bash", [script], environment: environment))
        #expect(result.succeeded, "\(result)")
        #expect(result.stdout.contains("Restored annotation") && result.stdout.contains("ok: the file is sound"), "\(result.stdout)")
        #expect(result.stdout.contains("Recorded revision 2") && result.stdout.contains("revision 2 of 2"), "\(result.stdout)")
        #expect(sandbox.exists("gloss-backup.sqlite"))
    }
}
