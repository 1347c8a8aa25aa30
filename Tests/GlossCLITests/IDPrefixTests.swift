import Foundation
import GlossCore
import Testing

/// Ids print in full; any unique prefix of at least 4 hex digits is accepted, in either case.
@Suite struct IDPrefixTests {
    @Test func everyUniquePrefixOfFourOrMoreDigitsWorks() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let annotation = try await sandbox.annotate(article, quote: "three generals", ["--note", "n"])
        let fullShow = try await sandbox.ok("show", article, "--json").stdout
        for length in 4...32 {
            let prefix = String(article.prefix(length))
            for spelled in [prefix, prefix.uppercased()] {
                let shown = try await sandbox.gloss("show", spelled, "--json")
                #expect(shown.succeeded && shown.stdout == fullShow, "prefix \(spelled): \(shown)")
            }
        }
        for length in [4, 7, 31] {
            let log = try jsonArray(try await sandbox.ok("log", String(annotation.prefix(length)), "--json"))
            #expect(log.map { $0["seq"] as? Int } == [2], "prefix of \(length)")
        }
        for length in [4, 7, 31] {
            let prefix = String(annotation.prefix(length))
            let edited = try await sandbox.ok("edit", prefix.uppercased(), "--note", "n\(length)")
            #expect(edited.stdoutLines == ["Edited annotation \(annotation)."])
        }
        #expect(try jsonArray(try await sandbox.ok("annotations", String(article.prefix(4)), "--json")).count == 1)
    }

    // Full-width digits ("０１２３") pass `Character.isHexDigit`; they once reached a force unwrap.
    @Test(arguments: ["abc", "1", "", "wxyz", "12 34", String(repeating: "a", count: 33), "０１２３", "ａｂｃｄｅ"])
    func aPrefixThatIsNotFourOrMoreHexDigitsIsRefused(prefix: String) async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        _ = try await sandbox.importArticle(try sandbox.copySample())
        let before = try await sandbox.snapshot()
        expectCleanFailure(try await sandbox.gloss("show", prefix), mentioning: ["is not an id: give at least 4 of its hex digits"])
        #expect(try await sandbox.snapshot() == before)
    }

    @Test func anUnknownPrefixIsRefused() async throws {
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let article = try await sandbox.importArticle(try sandbox.copySample())
        let annotation = try await sandbox.annotate(article, quote: "three generals")
        let unknown = Self.prefix(notStarting: [article, annotation])
        let before = try await sandbox.snapshot()
        for command in [["show", unknown], ["edit", unknown + "0", "--note", "x"], ["delete", unknown], ["log", unknown]] {
            expectCleanFailure(
                try await sandbox.run(command + ["--store", sandbox.store]),
                mentioning: ["no article or annotation has an id starting with \(unknown)"])
        }
        #expect(try await sandbox.snapshot() == before)
    }

    @Test func anAmbiguousPrefixIsRefusedAndMoreDigitsSettleIt() async throws {
        let (first, second) = Self.textsWhoseIDsShareFourDigits()
        let sandbox = try Sandbox()
        try await sandbox.initStore()
        let one = try await sandbox.importArticle(try sandbox.write("one.txt", first))
        let two = try await sandbox.importArticle(try sandbox.write("two.txt", second))
        #expect(one.prefix(4) == two.prefix(4) && one.prefix(5) != two.prefix(5), "\(one) \(two)")
        let shared = String(one.prefix(4))

        let before = try await sandbox.snapshot()
        for command in [["show", shared], ["edit", shared, "--title", "x"], ["annotate", shared.uppercased(), "--quote", "Probe"]] {
            expectCleanFailure(
                try await sandbox.run(command + ["--store", sandbox.store]),
                mentioning: ["the id prefix \(shared) is ambiguous", one, two, "give more digits"])
        }
        #expect(try await sandbox.snapshot() == before)

        let shownOne = try jsonObject(try await sandbox.ok("show", String(one.prefix(5)), "--json"))
        let shownTwo = try jsonObject(try await sandbox.ok("show", String(two.prefix(5)), "--json"))
        #expect(string(shownOne, "id") == one && string(shownOne, "body") == first)
        #expect(string(shownTwo, "id") == two && string(shownTwo, "body") == second)
    }

    /// Two short texts whose article ids (a hash of the text) agree on 4 hex digits but not 5:
    /// found by hashing numbered texts (bounded; with 65,536 four-digit prefixes a pair turns up
    /// within a few hundred).
    static func textsWhoseIDsShareFourDigits() -> (String, String) {
        var seen: [Substring: String] = [:]
        for number in 0..<20_000 {
            let text = "Probe article number \(number)."
            let id = ArticleText.id(of: text).hex
            if let earlier = seen[id.prefix(4)], ArticleText.id(of: earlier).hex.prefix(5) != id.prefix(5) {
                return (earlier, text)
            }
            seen[id.prefix(4)] = text
        }
        preconditionFailure("no two of 20,000 texts share a 4-digit id prefix: the hash is broken")
    }

    /// A 4-digit prefix none of `ids` starts with.
    static func prefix(notStarting ids: [String]) -> String {
        (0..<0x10000).lazy.map { String(format: "%04x", $0) }.first { candidate in !ids.contains { $0.hasPrefix(candidate) } }!
    }
}
