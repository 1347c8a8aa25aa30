import GlossCore
import GlossStore

/// Gloss's annotations as a W3C Web Annotation `AnnotationCollection` (JSON-LD, the Web
/// Annotation Data Model, https://www.w3.org/TR/annotation-model/), one `Annotation` per live
/// annotation:
/// - the note as a `TextualBody` with purpose `commenting` (every value, when a conflict keeps
///   several), each tag as a `TextualBody` with purpose `tagging`;
/// - the target: its `source` is the article's source when that is an http(s) URL, else
///   `urn:gloss:article:ID:revision:ID` (an article's first revision is its own id); a
///   `TextQuoteSelector` and a `TextPositionSelector` (offsets in Unicode code points, as the
///   model and Gloss count them);
/// - `created` and `modified` (the first and last change naming it) and `creator` (the replica
///   that made it, as a device URN and its name).
///
/// Extension properties, under the prefix `gloss` (`urn:gloss:terms:`): `gloss:color`, the
/// highlight color; `gloss:article`, the article's URN on the target.
enum W3CExport {
    static let context = "http://www.w3.org/ns/anno.jsonld"
    static let termsPrefix = "urn:gloss:terms:"

    struct Collection: Encodable {
        let context = Context()
        let id: String
        let type = "AnnotationCollection"
        let label: String
        let total: Int
        let first: Page?

        enum CodingKeys: String, CodingKey {
            case context = "@context"
            case id, type, label, total, first
        }
    }

    /// The annotation model's context and Gloss's prefix for its extension properties.
    struct Context: Encodable {
        func encode(to encoder: any Encoder) throws {
            var list = encoder.unkeyedContainer()
            try list.encode(W3CExport.context)
            try list.encode(["gloss": W3CExport.termsPrefix])
        }
    }

    struct Page: Encodable {
        let id: String
        let type = "AnnotationPage"
        let startIndex = 0
        let items: [Annotation]
    }

    struct Annotation: Encodable {
        let context = Context()
        let id: String
        let type = "Annotation"
        let motivation: String
        let created: String?
        let modified: String?
        let creator: Agent?
        let body: [Body]?
        let target: Target
        let color: String?

        enum CodingKeys: String, CodingKey {
            case context = "@context"
            case id, type, motivation, created, modified, creator, body, target
            case color = "gloss:color"
        }
    }

    struct Agent: Encodable {
        let id: String
        let type = "Software"
        let name: String?
    }

    struct Body: Encodable {
        let type = "TextualBody"
        let value: String
        let purpose: String
        let format = "text/plain"
    }

    struct Target: Encodable {
        let source: String
        let selector: [Selector]
        let article: String

        enum CodingKeys: String, CodingKey {
            case source, selector
            case article = "gloss:article"
        }
    }

    enum Selector: Encodable {
        case quote(exact: String, prefix: String, suffix: String)
        case position(start: UInt64, end: UInt64)

        func encode(to encoder: any Encoder) throws {
            var object = encoder.container(keyedBy: Key.self)
            switch self {
            case .quote(let exact, let prefix, let suffix):
                try object.encode("TextQuoteSelector", forKey: .type)
                try object.encode(exact, forKey: .exact)
                try object.encode(prefix, forKey: .prefix)
                try object.encode(suffix, forKey: .suffix)
            case .position(let start, let end):
                try object.encode("TextPositionSelector", forKey: .type)
                try object.encode(start, forKey: .start)
                try object.encode(end, forKey: .end)
            }
        }

        enum Key: String, CodingKey { case type, exact, prefix, suffix, start, end }
    }

    /// The URN of an article at one revision (by default its first, whose id is the article's).
    static func urn(of article: EntityID, revision: EntityID? = nil) -> String {
        "urn:gloss:article:\(article.hex):revision:\((revision ?? article).hex)"
    }

    /// One exported annotation of `article`. `names` are the replicas' names where known.
    static func annotation(
        _ annotation: AnnotationState, of article: ArticleState, provenance: Provenance?, names: [ReplicaID: String]
    ) -> Annotation {
        let notes = annotation.notes
        let bodies =
            notes.map { Body(value: $0, purpose: "commenting") } + annotation.tags.elements.map { Body(value: $0, purpose: "tagging") }
        let anchor = annotation.anchor
        let source = article.value(of: .source).flatMap(webAddress) ?? urn(of: article.id, revision: anchor.revision)
        return Annotation(
            id: "urn:gloss:annotation:\(annotation.id.hex)", motivation: notes.isEmpty ? "highlighting" : "commenting",
            created: provenance.map { formatTime($0.created) }, modified: provenance.map { formatTime($0.modified) },
            creator: provenance.map { Agent(id: "urn:gloss:device:\(DeviceID($0.createdBy))", name: names[$0.createdBy]) },
            body: bodies.isEmpty ? nil : bodies,
            target: Target(
                source: source,
                selector: [
                    .quote(exact: anchor.exact, prefix: anchor.prefix, suffix: anchor.suffix),
                    .position(start: anchor.start, end: anchor.end),
                ], article: urn(of: article.id, revision: anchor.revision)),
            color: annotation.shownColor)
    }

    /// `text` when it is an http or https URL with a host, in the characters a URI may hold
    /// (RFC 3986: printable ASCII but for space and `"<>\^`{|}`), else nil: only such a source
    /// names the web page the annotation targets.
    static func webAddress(_ text: String) -> String? {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"),
            text.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) && !"\"<>\\^`{|}".unicodeScalars.contains($0) }),
            let host = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).first, !host.isEmpty
        else { return nil }
        return text
    }
}
