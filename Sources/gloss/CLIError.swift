import GlossCore
import GlossProtocol
import GlossStore

/// An error the command line reports as one line on stderr, with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    /// Set when a sync server refused this device (`notTrusted`): `clone` then keeps its key.
    var refusedByServer = false
    /// Set when a sync gave up on the network (its last failure, in a few words): `sync --every`
    /// then waits for the link instead of stopping.
    var networkFailure: String?

    init(_ message: String, refusedByServer: Bool = false, networkFailure: String? = nil) {
        self.message = message
        self.refusedByServer = refusedByServer
        self.networkFailure = networkFailure
    }

    var description: String { Terminal.singleLine(message) }
}

/// Runs `body`, turning every library error into a `CLIError` with its plain message.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as GlossStoreError {
        throw CLIError(error.message)
    } catch let error as GlossCoreError {
        throw CLIError(error.message)
    } catch let error as IntentError {
        throw CLIError(error.message)
    } catch let error as ProtocolError {
        throw CLIError(error.message)
    }
}
