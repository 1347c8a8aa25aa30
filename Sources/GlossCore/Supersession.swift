/// Something written by a change and named by its dot: a register value, a presence mark.
protocol DotNamed {
    var dot: Dot { get }
}

extension Array where Element: DotNamed {
    /// The one rule both registers follow: a write by `change` removes every entry the change
    /// covers, then adds its own entry (once, however many of the change's operations write it),
    /// keeping the entries sorted by dot so equal registers are equal values.
    mutating func write(_ entry: @autoclosure () -> Element, by change: Change) {
        removeAll { change.covers($0.dot) }
        guard !contains(where: { $0.dot == change.id }) else { return }
        append(entry())
        sort { $0.dot < $1.dot }
    }
}
