internal import CYaml
import Foundation
import PromptLabCore

/// The bounds every YAML document PromptLab reads must stay within, checked
/// on libyaml's event stream before Yams builds a node tree.
///
/// Yams resolves an alias to the node its anchor names, sharing it, so a
/// 511-byte "billion laughs" document composes cheaply; it explodes when the
/// tree is walked (hashed as a mapping key, converted to values). Counting
/// what each alias stands for while the events stream past stops such a
/// document before anything walks it, and names the line of the alias.
public struct YAMLLimits: Sendable {
    /// The largest YAML text read, in bytes.
    public var maximumBytes: Int
    /// The deepest nesting of lists and mappings.
    public var maximumDepth: Int
    /// How many values all aliases together may stand for (an alias to a list
    /// of three scalars counts four: the list and its items).
    public var maximumAliasedValues: Int

    /// The limits for front matter, experiment files, datasets and `--vars` files.
    public static let standard = YAMLLimits(maximumBytes: 16 << 20, maximumDepth: 100, maximumAliasedValues: 100_000)

    public init(maximumBytes: Int, maximumDepth: Int, maximumAliasedValues: Int) {
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
        self.maximumAliasedValues = maximumAliasedValues
    }

    /// A limit exceeded, with the 1-based line and column where it was.
    struct Violation: Error {
        var line: Int
        var column: Int
        var message: String
        var hint: String
    }

    /// Reads `yaml`'s events and throws the first limit it exceeds. A syntax
    /// error ends the check quietly: Yams reports it when it parses the text.
    func check(_ yaml: String) throws(Violation) {
        let bytes = Array(yaml.utf8)
        guard bytes.count <= maximumBytes else {
            throw Violation(
                line: 1, column: 1,
                message: "the YAML is \(bytes.count) bytes; PromptLab reads at most \(maximumBytes) bytes of YAML",
                hint: "split the file, or use a JSONL or CSV dataset")
        }
        guard !bytes.isEmpty else { return }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        try bytes.withUnsafeBufferPointer { (buffer) throws(Violation) in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            try walk(&parser)
        }
    }

    private func walk(_ parser: inout yaml_parser_t) throws(Violation) {
        /// Values counted so far in each open list or mapping, with its anchor.
        var open: [(anchor: String?, values: Int)] = []
        var anchored = [String: Int]()
        var aliased = 0
        var event = yaml_event_t()
        func anchorName(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: $0) }
        }
        /// Adds a finished value of `size` values to its container, or to nothing at the top.
        func add(_ size: Int) {
            if !open.isEmpty { open[open.count - 1].values += size }
        }
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else { return }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1
            let column = Int(event.start_mark.column) + 1
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return
            case YAML_SCALAR_EVENT:
                if let anchor = anchorName(event.data.scalar.anchor) { anchored[anchor] = 1 }
                add(1)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let anchor =
                    event.type == YAML_SEQUENCE_START_EVENT
                    ? anchorName(event.data.sequence_start.anchor) : anchorName(event.data.mapping_start.anchor)
                guard open.count < maximumDepth else {
                    throw Violation(
                        line: line, column: column, message: "lists and mappings nest more than \(maximumDepth) deep",
                        hint: "flatten the data")
                }
                open.append((anchor, 1))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let finished = open.popLast() else { continue }
                if let anchor = finished.anchor { anchored[anchor] = finished.values }
                add(finished.values)
            case YAML_ALIAS_EVENT:
                // An alias to an unknown or unfinished anchor is an error Yams reports.
                let size = anchorName(event.data.alias.anchor).flatMap { anchored[$0] } ?? 1
                aliased += size
                guard aliased <= maximumAliasedValues else {
                    throw Violation(
                        line: line, column: column,
                        message: "aliases stand for more than \(maximumAliasedValues) values (an alias bomb?)",
                        hint: "write the values out instead of repeating aliases")
                }
                add(size)
            default:
                continue
            }
        }
    }
}
