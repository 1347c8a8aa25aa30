/// A count and its noun, agreeing: "1 change", "0 changes", "3 changes". Every message that
/// counts something says it this way (a noun whose plural is not its singular plus "s" passes
/// its own `plural`).
public func counted(_ count: some BinaryInteger, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
