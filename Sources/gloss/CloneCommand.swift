import ArgumentParser
import Foundation
import GlossStore

struct Clone: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new replica of a bundle's store and apply the bundle. Prints the new replica id."
    )

    @OptionGroup var storeOptions: StoreOptions
    @Argument(help: "The bundle file.") var bundle: String
    @Option(help: "A name for the new replica.") var name: String?

    func run() async throws {
        let decoded = try readBundle(bundle)
        let path = storeOptions.path
        let store = try reportingErrors { try GlossStore.create(at: path, storeID: decoded.storeID, name: name) }
        do {
            let report = try applyBundle(decoded, to: store, file: bundle)
            print(store.identity.replicaID.hex)
            Terminal.note("Cloned store \(decoded.storeID.hex) into \(Terminal.singleLine(path)): \(report.applied) changes.")
        } catch {
            // Nothing half-made: the new store goes if its first bundle does not apply.
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            throw error
        }
    }
}
