import GlossCore

/// Foundation also declares an `Operation`; inside this module the name means GlossCore's.
typealias Operation = GlossCore.Operation
