// libFuzzer target: the device id parser, `DeviceID(parsing:)`, which reads what a person types
// or pastes (`gloss trust`, `--expect`), and the device id printer.
//
// Properties, besides not crashing under AddressSanitizer:
// - parsing: the input (as UTF-8, invalid bytes replaced) either is refused, or gives an id whose
//   printed form parses back to it, and which is the input itself once dashes and spaces are
//   dropped, ASCII letters upper-cased and 0, 1, 8 read as O, I, B (the only liberties the
//   parser may take); the printed form is four groups of 7 base32 characters joined by dashes;
// - printing: the first 16 input bytes as a replica id print a device id that parses back to
//   it (also in lower case and without dashes), and changing any one character of it to another
//   base32 character is refused: a Luhn mod 32 check catches every single substitution.
import FuzzSupport
import GlossCore

private let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".unicodeScalars)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = inputBytes(start, count)
    let text = String(decoding: bytes, as: UTF8.self)
    if let device = DeviceID(parsing: text) {
        let printed = device.description
        requirePrintedForm(printed)
        require(DeviceID(parsing: printed) == device, "\(printed) does not parse back to the id it prints")
        require(
            normalized(text) == printed.replacing("-", with: ""),
            "\(text.debugDescription) parses as \(printed), which is not what it says")
    }
    if bytes.count >= 16, let id = ID128(bytes: bytes[0..<16]) {
        let printed = DeviceID(id).description
        requirePrintedForm(printed)
        for form in [printed, printed.lowercased(), printed.replacing("-", with: "")] {
            require(DeviceID(parsing: form)?.replicaID == id, "\(form) does not parse to \(id.hex)")
        }
        // One substitution, chosen by the next two input bytes (or the first two).
        var scalars = Array(printed.unicodeScalars)
        let positions = scalars.indices.filter { scalars[$0] != "-" }
        let position = positions[Int(bytes[16 % bytes.count]) % positions.count]
        let replacement = alphabet[Int(bytes[17 % bytes.count]) % alphabet.count]
        if replacement != scalars[position] {
            scalars[position] = replacement
            let typo = String(String.UnicodeScalarView(scalars))
            require(DeviceID(parsing: typo) == nil, "\(typo), one character off \(printed), parses as \(DeviceID(parsing: typo)!)")
        }
    }
    return 0
}

private func requirePrintedForm(_ printed: String) {
    let groups = printed.split(separator: "-", omittingEmptySubsequences: false)
    require(
        groups.count == 4 && groups.allSatisfy { $0.unicodeScalars.count == 7 && $0.unicodeScalars.allSatisfy(alphabet.contains) },
        "\(printed) is not four groups of 7 base32 characters")
}

/// What the input says once the liberties the parser takes are undone.
private func normalized(_ text: String) -> String {
    var scalars = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        switch scalar {
        case "-", " ": continue
        case "0": scalars.append("O")
        case "1": scalars.append("I")
        case "8": scalars.append("B")
        case "a"..."z": scalars.append(Unicode.Scalar(scalar.value - 32)!)
        default: scalars.append(scalar)
        }
    }
    return String(scalars)
}
