/// At most `count` holders at a time; the others wait their turn, first come first served.
///
/// The CLI tests take one for each short `gloss` command they run. Started all at once, the
/// suite's tests would otherwise run dozens of `gloss` processes on two cores, and every
/// deadline in the suite (a TLS handshake, an idle timeout) would be measured on a machine
/// loaded ten times over.
public actor AsyncPermits {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(count: Int) {
        precondition(count > 0, "a permit count must be positive")
        free = count
    }

    /// Runs `body` while holding a permit.
    public func whileHolding<T: Sendable>(_ body: @Sendable () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            // Handed straight on: the permit never becomes free in between.
            waiting.removeFirst().resume()
        }
    }
}
