import GlossCore
import Testing

@Suite struct CountedTests {
    @Test func aCountAgreesWithItsNoun() {
        #expect(counted(0, "change") == "0 changes")
        #expect(counted(1, "change") == "1 change")
        #expect(counted(2, "change") == "2 changes")
        #expect(counted(UInt64(1), "byte") == "1 byte")
        #expect(counted(1, "entry", plural: "entries") == "1 entry")
        #expect(counted(3, "entry", plural: "entries") == "3 entries")
    }
}
