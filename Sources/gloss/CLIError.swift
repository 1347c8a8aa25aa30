import GlossCore
import GlossProtocol
import GlossStore

/// An error the command line reports as one line on stderr, with a non-zero exit.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    /// Set when a sync server refused this device (`notTrusted`): `clone` then keeps its key.
    var refusedByServer = false

    init(_ message: String, refusedByServer: Bool = false) {
        self.message = message
        self.refusedByServer = refusedByServer
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
