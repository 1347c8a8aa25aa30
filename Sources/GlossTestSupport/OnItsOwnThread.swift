import Testing

/// Runs each test of a suite (or one test) on a `DedicatedExecutor` of its own, so that what it
/// awaits resumes at once rather than behind the whole suite's queue on the cooperative pool.
///
///     @Suite(.onItsOwnThread) struct SilentPeerTests { ... }
public struct OnItsOwnThread: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // Recursive, so Swift Testing asks only for each test case's scope (a suite's would run
        // all its tests as children of one thread).
        let executor = DedicatedExecutor(label: "gloss-test.\(test.name)")
        try await withTaskExecutorPreference(executor) { try await function() }
    }
}

extension Trait where Self == OnItsOwnThread {
    /// Each test runs on a thread of its own: see `OnItsOwnThread`.
    public static var onItsOwnThread: Self { OnItsOwnThread() }
}
