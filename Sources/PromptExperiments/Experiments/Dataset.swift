import Foundation
import PromptFormat
import PromptLabCore
import PromptVersioning

/// The test cases of an experiment, loaded from inline `cases:` or a file.
public struct Dataset: Sendable {
    public var cases: [TestCase]
    /// Where the cases came from: `inline` or the file path.
    public var source: String
    /// A fingerprint of every case's id, variables, expected value and metadata.
    public var hash: String

    init(cases: [TestCase], source: String) throws(PromptLabError) {
        var seen = [String: String]()
        for testCase in cases {
            if let first = seen[testCase.id] {
                throw PromptLabError(
                    .invalidInput, "\(testCase.location): duplicate case id '\(testCase.id)' (first at \(first))",
                    hint: "give each case a unique 'id', or remove the duplicate")
            }
            seen[testCase.id] = testCase.location
        }
        self.cases = cases
        self.source = source
        hash = ContentHash.hex(of: cases.map(\.canonicalText).joined(separator: "\n"))
    }

    /// Loads a dataset file: `.jsonl` (one JSON object per line), `.csv` (a
    /// header row naming the variables, plus optional `id`, `expected` and
    /// `metadata` columns) or `.yaml`/`.yml` (a list of cases, or `cases:`).
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) naming the file and line of a malformed case.
    public static func load(path: String, displayPath: String) throws(PromptLabError) -> Dataset {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PromptLabError(
                .invalidInput, "cannot read dataset '\(displayPath)'",
                hint: "check the 'dataset:' path; it is relative to the experiment file")
        }
        return try parse(Array(data), path: path, displayPath: displayPath)
    }

    /// Reads a dataset file's bytes, in the format its `path`'s extension names (see ``load(path:displayPath:)``).
    ///
    /// - Throws: ``PromptLabError`` (`invalidInput`) naming the file and line of a malformed case.
    public static func parse(_ data: [UInt8], path: String, displayPath: String) throws(PromptLabError) -> Dataset {
        // Spreadsheets save CSV with a byte order mark and CRLF; Windows editors save JSONL with CRLF.
        // Read them as the LF files they stand for (see `PromptFile.normalizedLineEndings`).
        guard let text = String(validating: PromptFile.normalizedLineEndings(data), as: UTF8.self) else {
            throw PromptLabError(.invalidInput, "dataset '\(displayPath)' is not UTF-8 text")
        }
        let lowered = path.lowercased()
        let cases: [TestCase]
        if lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") {
            cases = try jsonLines(text, displayPath: displayPath)
        } else if lowered.hasSuffix(".csv") {
            cases = try csv(text, displayPath: displayPath)
        } else if lowered.hasSuffix(".yaml") || lowered.hasSuffix(".yml") || lowered.hasSuffix(".json") {
            cases = try yaml(text, displayPath: displayPath)
        } else {
            throw PromptLabError(
                .invalidInput, "dataset '\(displayPath)' has an unknown format",
                hint: "use a .jsonl, .csv, .yaml or .json file")
        }
        return try Dataset(cases: cases, source: displayPath)
    }

    /// Builds a dataset from an inline list of cases.
    static func inline(_ value: PromptValue, displayPath: String) throws(PromptLabError) -> Dataset {
        guard case .array(let items) = value else {
            throw PromptLabError(.invalidInput, "\(displayPath): 'cases' must be a list of cases")
        }
        var cases = [TestCase]()
        for (index, item) in items.enumerated() {
            cases.append(try TestCase.from(item, location: "\(displayPath): case \(index + 1)"))
        }
        return try Dataset(cases: cases, source: "inline")
    }

    private static func jsonLines(_ text: String, displayPath: String) throws(PromptLabError) -> [TestCase] {
        var cases = [TestCase]()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let location = "\(displayPath):\(index + 1)"
            let value: PromptValue
            do {
                value = try PromptValue.parseJSON(trimmed)
            } catch let error as PromptLabError {
                throw PromptLabError(.invalidInput, "\(location): \(error.message)", hint: error.hint)
            } catch {
                throw PromptLabError(
                    .invalidInput, "\(location): malformed JSON line", hint: "each line must be one JSON object")
            }
            cases.append(try TestCase.from(value, location: location))
        }
        return cases
    }

    private static func csv(_ text: String, displayPath: String) throws(PromptLabError) -> [TestCase] {
        let rows: [CSVRecords.Record]
        do {
            rows = try CSVRecords(text).records
        } catch {
            throw PromptLabError(
                .invalidInput, "\(displayPath):\(error.line): malformed CSV: \(error.message)",
                hint: "fix the CSV (fields with commas, quotes or newlines go in double quotes)")
        }
        guard let header = rows.first?.fields, header != [""] else {
            throw PromptLabError(.invalidInput, "\(displayPath):1: the CSV file has no header row")
        }
        var cases = [TestCase]()
        for row in rows.dropFirst() {
            let location = "\(displayPath):\(row.line)"
            if row.fields == [""] { continue }
            guard row.fields.count == header.count else {
                throw PromptLabError(
                    .invalidInput, "\(location): row has \(row.fields.count) fields but the header has \(header.count)",
                    hint: "quote fields that contain commas or newlines")
            }
            var pairs = [(key: String, value: PromptValue)]()
            for (name, field) in zip(header, row.fields) {
                if name == "metadata", !field.isEmpty {
                    pairs.append((name, (try? PromptValue.parseJSON(field)) ?? .string(field)))
                } else {
                    pairs.append((name, .string(field)))
                }
            }
            cases.append(try TestCase.from(.object(pairs), location: location))
        }
        return cases
    }

    private static func yaml(_ text: String, displayPath: String) throws(PromptLabError) -> [TestCase] {
        let reader = YAMLReader(displayPath: displayPath, hint: "fix the dataset and try again")
        guard let node = try reader.compose(text) else { return [] }
        var listNode = node
        if case .mapping(let mapping) = node {
            guard let cases = mapping["cases"] else {
                throw reader.problem(node, "expected a list of cases, or a mapping with 'cases:'")
            }
            listNode = cases
        }
        guard case .sequence(let items) = listNode else { throw reader.problem(listNode, "expected a list of cases") }
        var cases = [TestCase]()
        for item in items {
            let location = "\(displayPath):\((item.mark?.line ?? 0))"
            cases.append(try TestCase.from(try reader.value(item), location: location))
        }
        return cases
    }
}
