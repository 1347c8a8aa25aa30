import ArgumentParser
import Foundation
import GlossCore
import GlossStore

struct ImportAnnotations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-annotations",
        abstract: "Import W3C Web Annotations or Hypothesis annotations onto the articles they quote.",
        discussion: """
            FILE (or - for standard input) holds W3C Web Annotation JSON-LD (an annotation, a \
            collection with its first page, a page, or a list) or Hypothesis's API JSON (a search \
            result's rows). Each annotation goes to the article its target names (a Gloss article \
            URN, else an article whose source is the target's URL, else the one article holding \
            its quote), at its quote: exactly where its position says, or, moved, where its quote \
            (told apart by its context) is found once. What cannot be placed with confidence is \
            skipped with the reason, never put at a guessed place; an annotation already here is \
            skipped too, so importing a file twice adds nothing. A malformed file changes nothing. \
            Prints each new annotation's id; the summary goes to standard error.
            """
    )

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The file, or - for standard input.", completion: .file()) var file: String

    /// 64 MiB: far more than any newsroom's annotations, and a bound on what is read.
    static let largestFile = 64 << 20

    struct Outcome: Encodable {
        struct Imported: Encodable {
            let id: String
            let label: String
            let article: String
            let state: String
        }
        struct Skipped: Encodable {
            let label: String
            let reason: String
        }
        var imported: [Imported] = []
        var skipped: [Skipped] = []
    }

    func run() async throws {
        let store = try storeOptions.open()
        let parsed: AnnotationFile
        do {
            parsed = try AnnotationFile(json: try Self.read(file))
        } catch let error as AnnotationFile.Malformed {
            throw CLIError("\(Terminal.singleLine(file == "-" ? "standard input" : file)): \(error.message); nothing was imported")
        }
        let articleIDs = try reportingErrors { try store.articleIDs().ids }
        let articles = try reportingErrors { try store.state(of: Set(articleIDs)) }.articles
        var outcome = Outcome()
        // What each article holds already (place and note), read once per article and kept up
        // to date as entries are imported: the test for "already here". Deleted annotations count
        // too, by id: a file imported again must not bring back what a person deleted (they can
        // restore it).
        var held: [EntityID: [Placed: Held]] = [:]
        for entry in parsed.entries {
            let label = Terminal.singleLine(entry.label)
            switch Self.choose(entry, among: articles) {
            case .skip(let reason):
                outcome.skipped.append(.init(label: label, reason: reason))
            case .place(let article, let placement, let range):
                if let exported = entry.glossID, try reportingErrors({ try store.state(of: [exported]) }).annotations[exported] != nil {
                    outcome.skipped.append(.init(label: label, reason: "already here"))  // exported from this store or a replica of it
                    continue
                }
                if held[article] == nil {
                    let state = try reportingErrors { try store.state(ofArticle: article) }
                    // Where each is shown in the current revision, which is where this one is placed.
                    var placer = AnchorPlacer(article: state.articles[article]!)
                    var found: [Placed: Held] = [:]
                    for annotation in state.annotations.values.sorted(by: { $0.id < $1.id }) where annotation.article == article {
                        guard let range = placer.place(annotation).range else { continue }
                        let key = Placed(range: range, note: annotation.value(of: .note))
                        // A live one wins over a deleted one at the same place.
                        if annotation.presence.isAlive {
                            found[key] = .live
                        } else if found[key] == nil {
                            found[key] = .deleted(annotation.id)
                        }
                    }
                    held[article] = found
                }
                let placed = Placed(range: range, note: entry.note)
                switch held[article]![placed] {
                case .live?:
                    outcome.skipped.append(.init(label: label, reason: "already here"))
                    continue
                case .deleted(let id)?:
                    outcome.skipped.append(.init(label: label, reason: "deleted here ('gloss restore \(id.hex)' brings it back)"))
                    continue
                case nil:
                    break
                }
                let body = articles[article]!.currentBody
                let quote = String(String.UnicodeScalarView(Array(body.unicodeScalars)[range]))
                let occurrence = QuoteAnchoring.occurrences(of: quote, in: body).firstIndex(of: range.lowerBound).map { $0 + 1 }
                let intent = AnnotateIntent(
                    article: article, quote: quote, occurrence: occurrence, note: entry.note, color: entry.color, tags: entry.tags)
                do {
                    guard let change = try store.perform(intent, time: currentTime()) else { continue }
                    let id = AnnotateIntent.annotationID(createdBy: change.id)
                    held[article]![placed] = .live
                    outcome.imported.append(.init(id: id.hex, label: label, article: article.hex, state: placement))
                    if !output.json { print(id.hex) }
                } catch let error as IntentError {
                    outcome.skipped.append(.init(label: label, reason: error.message))
                } catch let error as GlossStoreError {
                    throw CLIError(error.message + " (\(counted(outcome.imported.count, "annotation")) imported before it)")
                }
            }
        }
        if output.json { return try printJSON(outcome) }
        Terminal.note(Self.summary(outcome))
        if parsed.morePages {
            Terminal.note("  the collection has more pages than the one in the file; only that page was read")
        }
        for skipped in outcome.skipped { Terminal.note("  skipped \(skipped.label): \(skipped.reason)") }
    }

    /// An annotation's place and note: two alike are one annotation imported twice.
    struct Placed: Hashable {
        let range: Range<Int>
        let note: String?
    }

    /// What an article holds at a place with a note: a live annotation, or only a deleted one,
    /// which a file imported again must not bring back (`gloss restore` does).
    enum Held {
        case live
        case deleted(EntityID)
    }

    enum Choice {
        case place(EntityID, String, Range<Int>)
        case skip(String)
    }

    /// The article and place for `entry`: the article its target names, else those whose
    /// source is its target's, else any; placed there by `SelectorPlacement`.
    static func choose(_ entry: AnnotationFile.Entry, among articles: [EntityID: ArticleState]) -> Choice {
        guard let selector = entry.selector else { return .skip("no quote to place (it has no TextQuoteSelector)") }
        var candidates: [ArticleState]
        var how: String
        if let id = entry.article, let article = articles[id] {
            (candidates, how) = ([article], "its article")
        } else if let source = entry.source, case let same = articles.values.filter({ $0.value(of: .source) == source }), !same.isEmpty {
            (candidates, how) = (same, "the articles from \(Terminal.singleLine(source))")
        } else {
            // An article it does not name: only a quote its context confirms is placed there.
            guard !selector.prefix.isEmpty || !selector.suffix.isEmpty else {
                return .skip("it names no article held here and has no context to confirm its quote in another")
            }
            (candidates, how) = (Array(articles.values), "any article")
        }
        var placed: [(ArticleState, SelectorPlacement.Placement)] = []
        var orphans: [SelectorPlacement.Orphan] = []
        for article in candidates.sorted(by: { $0.id < $1.id }) {
            let placement = SelectorPlacement.place(selector, in: article.currentBody)
            if placement.range != nil { placed.append((article, placement)) }
            if case .orphaned(let why) = placement { orphans.append(why) }
        }
        guard placed.count == 1, let (article, placement) = placed.first, let range = placement.range else {
            if placed.count > 1 { return .skip("its quote is in \(placed.count) articles; import it with a Gloss article URN or a source") }
            if candidates.count == 1, let why = orphans.first { return .skip(describe(why, in: how)) }
            return .skip("its quote is not in \(how)")
        }
        if case .exact = placement { return .place(article.id, "exact", range) }
        return .place(article.id, "moved", range)
    }

    static func describe(_ orphan: SelectorPlacement.Orphan, in how: String) -> String {
        switch orphan {
        case .emptyQuote: "its quote is empty"
        case .notFound: "its quote is not in \(how)"
        case .ambiguous(let count): "its quote occurs \(count) times in \(how) and its context does not tell which"
        case .contextDiffers(let count):
            "its quote is in \(how) (\(counted(count, "time"))), but not with its context: another passage"
        }
    }

    static func summary(_ outcome: Outcome) -> String {
        let exact = outcome.imported.count { $0.state == "exact" }
        let moved = outcome.imported.count - exact
        var line = "Imported \(counted(outcome.imported.count, "annotation"))"
        if !outcome.imported.isEmpty { line += " (at the position given: \(exact); found by quote: \(moved))" }
        if !outcome.skipped.isEmpty { line += "; skipped \(outcome.skipped.count):" } else { line += "." }
        return line
    }

    static func read(_ file: String) throws -> Data {
        let shown = file == "-" ? "standard input" : Terminal.singleLine(file)
        let handle: FileHandle
        if file == "-" {
            handle = FileHandle.standardInput
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else { throw CLIError("no such file: \(shown)") }
            guard !isDirectory.boolValue else { throw CLIError("\(shown) is a directory; name the annotations file") }
            guard let opened = FileHandle(forReadingAtPath: file) else { throw CLIError("cannot read \(shown) (permissions?)") }
            handle = opened
        }
        // A chunk at a time, never past the limit (a pipe or a FIFO has no size to check first).
        var data = Data()
        do {
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                data += chunk
                guard data.count <= largestFile else { throw CLIError("\(shown) holds over 64 MiB; import it in parts") }
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("cannot read \(shown): \(error.localizedDescription)")
        }
        return data
    }

}
