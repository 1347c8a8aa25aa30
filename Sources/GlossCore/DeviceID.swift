/// A replica id in the form people read aloud and compare: `THDPCHQ-K46HFTW-US27BTM-DWEFJ4E`.
///
/// The 16 bytes of the replica id in base32 (RFC 4648, `A`–`Z` and `2`–`7`, no padding) make 26
/// characters. They are split into two halves of 13, and each half gets a Luhn mod 32 check
/// character, which catches every single mistyped character and almost every swap of two
/// neighbours. The 28 characters are shown as four groups of seven (SPEC §4.1.1), as Syncthing
/// shows its device ids, at half the length.
///
///     let device = DeviceID(replicaID)
///     device.description                          // "THDPCHQ-K46HFTW-US27BTM-DWEFJ4E"
///     DeviceID(parsing: "thdpchq k46hftw us27btm dwefj4e")?.replicaID == replicaID
public struct DeviceID: Hashable, Sendable, CustomStringConvertible {
    public let replicaID: ReplicaID

    public init(_ replicaID: ReplicaID) { self.replicaID = replicaID }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".unicodeScalars)

    public var description: String {
        let digits = Self.base32(replicaID.bytes)
        let first = Array(digits[0..<13])
        let second = Array(digits[13..<26])
        let checked = first + [Self.luhnCheck(first)] + second + [Self.luhnCheck(second)]
        let groups = stride(from: 0, to: 28, by: 7).map { start in
            String(String.UnicodeScalarView(checked[start..<start + 7].map { Self.alphabet[Int($0)] }))
        }
        return groups.joined(separator: "-")
    }

    /// Reads a device id as a person may type it: any case, with or without dashes and spaces,
    /// and with `0`, `1` and `8` read as the letters `O`, `I` and `B` they are mistaken for.
    /// Nil unless it is 28 base32 characters whose two check characters match and whose last
    /// character carries no bits beyond the 128 of the id.
    public init?(parsing text: String) {
        var digits: [UInt8] = []
        for scalar in text.unicodeScalars {
            switch scalar {
            case "-", " ": continue
            case "0": digits.append(14)  // O
            case "1": digits.append(8)  // I
            case "8": digits.append(1)  // B
            default:
                // ASCII case only: Unicode case mapping would take "ı" for "I" and "ſ" for "S".
                let upper = ("a"..."z").contains(scalar) ? Unicode.Scalar(scalar.value - 32)! : scalar
                guard let value = Self.alphabet.firstIndex(of: upper) else { return nil }
                digits.append(UInt8(value))
            }
            if digits.count > 28 { return nil }
        }
        guard digits.count == 28 else { return nil }
        let first = Array(digits[0..<13])
        let second = Array(digits[14..<27])
        guard Self.luhnCheck(first) == digits[13], Self.luhnCheck(second) == digits[27] else { return nil }
        guard let bytes = Self.bytes(fromBase32: first + second), let id = ID128(bytes: bytes) else { return nil }
        replicaID = id
    }

    /// The Luhn mod 32 check digit of `digits` (values 0..<32): doubling every second digit
    /// from the right, as the check digit will be appended.
    static func luhnCheck(_ digits: [UInt8]) -> UInt8 {
        var factor = 2
        var sum = 0
        for digit in digits.reversed() {
            let addend = factor * Int(digit)
            factor = factor == 2 ? 1 : 2
            sum += addend / 32 + addend % 32
        }
        return UInt8((32 - sum % 32) % 32)
    }

    /// 16 bytes as 26 base32 digits, most significant bits first; the last digit's low 2 bits are 0.
    static func base32(_ bytes: [UInt8]) -> [UInt8] {
        var digits: [UInt8] = []
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                digits.append(UInt8(buffer >> bits & 31))
            }
        }
        if bits > 0 { digits.append(UInt8(buffer << (5 - bits) & 31)) }
        return digits
    }

    /// The 16 bytes of 26 base32 digits; nil if the 2 bits past the 128th are not zero.
    static func bytes(fromBase32 digits: [UInt8]) -> [UInt8]? {
        var bytes: [UInt8] = []
        var buffer = 0
        var bits = 0
        for digit in digits {
            buffer = buffer << 5 | Int(digit)
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(buffer >> bits & 0xFF))
                buffer &= (1 << bits) - 1
            }
        }
        guard bytes.count == 16, buffer == 0 else { return nil }
        return bytes
    }
}
