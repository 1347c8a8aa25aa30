import GlossProtocol

/// Stops the fuzz run when a property does not hold. libFuzzer catches the trap, saves the input
/// as `crash-<sha1>` and prints it, so a wrong result is reported exactly as a crash is.
public func require(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID,
    line: UInt = #line
) {
    if !condition() { fatalError("fuzz property failed: \(message())", file: file, line: line) }
}

/// The fuzzer's input as an array.
public func inputBytes(_ start: UnsafeRawPointer, _ count: Int) -> [UInt8] {
    Array(UnsafeRawBufferPointer(start: start, count: count))
}

/// The checks every decoder's error must pass: a code the SPEC lists, and an offset inside the
/// input (`0...inputEnd`, where `inputEnd` is the end index of the bytes decoded).
public func requireWellFormed(_ error: ProtocolError, inputEnd: Int, _ what: String) {
    require(ProtocolError.Code.all.contains(error.code), "\(what): error code \(error.code.rawValue) is not in the SPEC table: \(error)")
    require(
        error.offset >= 0 && error.offset <= inputEnd,
        "\(what): error offset \(error.offset) is outside the input (0...\(inputEnd)): \(error)")
}

/// A tiny deterministic generator (SplitMix64), so an input always replays the same way.
public struct SplitMix64 {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `1...upper` (upper ≥ 1).
    public mutating func upTo(_ upper: Int) -> Int { 1 + Int(next() % UInt64(upper)) }
}
