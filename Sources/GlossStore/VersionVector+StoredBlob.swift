import Foundation
import GlossCore

extension VersionVector {
    /// The store's private blob form: 16-byte id and 8-byte big-endian count per entry, sorted.
    var storedBlob: Data {
        var data = Data()
        for (replica, seq) in sortedEntries {
            data.append(contentsOf: replica.bytes)
            for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: seq >> UInt64(shift))) }
        }
        return data
    }

    init(storedBlob data: Data) {
        let bytes = [UInt8](data)
        var entries: [ReplicaID: UInt64] = [:]
        var offset = 0
        while offset + 24 <= bytes.count {
            let replica = ID128(bytes: bytes[offset..<offset + 16])!
            let seq = bytes[offset + 16..<offset + 24].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            entries[replica] = seq
            offset += 24
        }
        self.init(entries)
    }
}
