import Foundation
import GlossCore
import GlossProtocol
import Testing

/// What Protocol/SPEC.md §11 states, checked against the code, so the document cannot drift.
@Suite("SPEC.md §11")
struct SyncSpecTests {
    static func spec() throws -> String {
        try String(contentsOf: GoldenVectors.folder.deletingLastPathComponent().appendingPathComponent("SPEC.md"), encoding: .utf8)
    }

    /// The lines of a section: from its heading to the next heading of the same or a higher level.
    static func section(_ heading: String, of spec: String) throws -> [Substring] {
        let lines = spec.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix(heading) }, "no heading \(heading)")
        let level = heading.prefix { $0 == "#" }.count
        let end =
            lines[(start + 1)...].firstIndex { line in
                let hashes = line.prefix { $0 == "#" }.count
                return hashes > 0 && hashes <= level && line.dropFirst(hashes).hasPrefix(" ")
            } ?? lines.endIndex
        return Array(lines[(start + 1)..<end])
    }

    /// The bytes of an annotated hex dump: in each indented line, the hex pairs before the first
    /// run of two spaces; lines that do not start with hex pairs are headings.
    static func dumpBytes(_ lines: [Substring]) -> [UInt8] {
        lines.filter { $0.hasPrefix("    ") }.flatMap { line -> [UInt8] in
            let content = line.dropFirst(4)
            let hexPart = content.components(separatedBy: "  ").first ?? ""
            let pairs = hexPart.split(separator: " ")
            guard !pairs.isEmpty, pairs.allSatisfy({ $0.count == 2 && UInt8($0, radix: 16) != nil }) else { return [] }
            return pairs.map { UInt8($0, radix: 16)! }
        }
    }

    @Test("§11.12: the example dump is exchange-two-replicas.txt, byte for byte and in the same order")
    func exampleExchange() throws {
        let dump = Self.dumpBytes(try Self.section("### 11.12 Example exchange", of: Self.spec()))
        let exchange = try #require(SyncGoldenVectors.load().exchanges.first { $0.file == "exchange-two-replicas.txt" })
        let frames = try SyncGoldenVectors.lines(of: exchange).flatMap(\.bytes)
        #expect(dump.count == frames.count)
        #expect(dump == frames)
    }

    @Test("§9: the sync error codes 32–41 are listed with the names and numbers the code uses")
    func errorTable() throws {
        let rows = try Self.section("## 9. Errors", of: Self.spec()).filter { $0.hasPrefix("| ") }
        var listed: [UInt16: String] = [:]
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, let number = UInt16(cells[0]) else { continue }
            listed[number] = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
        }
        for code in ProtocolError.Code.all {
            #expect(listed[code.rawValue] == code.name, "code \(code.rawValue)")
        }
        #expect(listed.count == ProtocolError.Code.all.count)
        // And §11.9 says what follows each sync code.
        let followUps = try Self.section("### 11.9 Errors", of: Self.spec()).filter { $0.hasPrefix("| ") }
        for code in ProtocolError.Code.all where code.rawValue >= 32 {
            #expect(followUps.contains { $0.hasPrefix("| \(code.rawValue) | `\(code.name)` |") }, "§11.9 lacks \(code.name)")
        }
    }

    @Test("§11: the constants the text states are the code's")
    func constants() throws {
        #expect(SyncProtocol.magic == Array("GLOSSYNC".utf8))
        #expect(SyncProtocol.magic == [0x47, 0x4c, 0x4f, 0x53, 0x53, 0x59, 0x4e, 0x43])
        #expect(SyncProtocol.defaultPort == 7456)
        #expect(SyncProtocol.maximumFrameSize == 16_777_216)
        #expect(SyncProtocol.versions == 3...3)
        #expect(SyncProtocol.batchChangeLimit == 1000)
        #expect(SyncProtocol.batchByteLimit == 1 << 20)
        #expect(SyncMessage.anyStore.bytes == [UInt8](repeating: 0, count: 16))
        let kinds: [(SyncMessage.Kind, UInt8)] = [(.hello, 1), (.changes, 2), (.ack, 3), (.end, 4), (.summary, 5), (.error, 6)]
        for (kind, code) in kinds { #expect(kind.rawValue == code) }
        let catalogue = try Self.section("### 11.4 Messages", of: Self.spec())
        for (kind, code) in kinds {
            #expect(catalogue.contains { $0.hasPrefix("| `0x0\(code)` | \("\(kind)".uppercased()) |") }, "\(kind)")
        }
    }
}
