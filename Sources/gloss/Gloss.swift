import ArgumentParser

/// The `gloss` command line: annotate articles offline and merge notes safely between people.
@main
struct Gloss: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gloss",
        abstract: "Annotate news articles offline and merge the notes safely between replicas.",
        discussion: """
            Every command works on one store: --store PATH, else $GLOSS_STORE, else
            $XDG_DATA_HOME/gloss/store.sqlite (~/.local/share/gloss/store.sqlite).
            Ids print in full; any unique prefix of at least 4 hex digits is accepted.
            Try 'gloss demo' for a guided tour.
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, Import.self, Articles.self, Show.self, Annotate.self, Annotations.self, Edit.self,
            Delete.self, Conflicts.self, Resolve.self, Log.self, Status.self, BundleCommand.self, Clone.self, Demo.self,
        ]
    )

}
