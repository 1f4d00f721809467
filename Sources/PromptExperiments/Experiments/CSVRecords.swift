import PromptLabCore

/// A strict RFC 4180 reader for dataset files, reporting the line of every
/// malformation.
///
/// A lenient reader (CSV.swift's) reads an unterminated quote as a field that
/// runs to the end of the file, silently swallowing every row after it. Here
/// that, a quote inside an unquoted field and text after a closing quote are
/// errors, so a dataset is read as written or not at all.
struct CSVRecords {
    /// One row: its fields and the line it starts on (1-based).
    struct Record {
        var fields: [String]
        var line: Int
    }

    private(set) var records: [Record] = []

    /// A malformation, with the line it is on.
    struct Malformed: Error {
        var line: Int
        var message: String
    }

    /// Reads `text` (with `\n` line endings; see `PromptFile.normalizedLineEndings`).
    init(_ text: String) throws(Malformed) {
        let bytes = Array(text.utf8)
        let quote = UInt8(ascii: "\"")
        let comma = UInt8(ascii: ",")
        let newline = UInt8(ascii: "\n")
        var line = 1
        var index = 0
        while index < bytes.count {
            var fields = [String]()
            let recordLine = line
            // One record: fields separated by commas, ended by a newline or the end of the text.
            while true {
                var field = [UInt8]()
                if index < bytes.count, bytes[index] == quote {
                    let fieldLine = line
                    index += 1
                    while true {
                        guard index < bytes.count else {
                            throw Malformed(line: fieldLine, message: "a quoted field is never closed (missing '\"')")
                        }
                        let byte = bytes[index]
                        if byte == quote {
                            if index + 1 < bytes.count, bytes[index + 1] == quote {
                                field.append(quote)
                                index += 2
                                continue
                            }
                            index += 1
                            break
                        }
                        if byte == newline { line += 1 }
                        field.append(byte)
                        index += 1
                    }
                    if index < bytes.count, bytes[index] != comma, bytes[index] != newline {
                        throw Malformed(
                            line: line, message: "text after a closing quote (write a quote inside a quoted field as \"\")")
                    }
                } else {
                    while index < bytes.count, bytes[index] != comma, bytes[index] != newline {
                        if bytes[index] == quote {
                            throw Malformed(
                                line: line,
                                message: "a quote inside an unquoted field (quote the whole field and double the quote: \"a \"\"b\"\"\")")
                        }
                        field.append(bytes[index])
                        index += 1
                    }
                }
                fields.append(String(decoding: field, as: UTF8.self))
                if index < bytes.count, bytes[index] == comma {
                    index += 1
                    continue
                }
                if index < bytes.count {  // a newline
                    index += 1
                    line += 1
                }
                break
            }
            records.append(Record(fields: fields, line: recordLine))
        }
    }
}
