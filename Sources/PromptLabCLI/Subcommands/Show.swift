import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab show NAME[@REF]`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print a prompt file as it was at a version.")

        @Argument(help: "NAME, NAME@vN, NAME@LABEL, NAME@SHA or NAME@working.")
        var reference: String

        @OptionGroup var repository: RepositoryOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let repo = try repository.open()
            let version = try repo.resolve(try PromptReference(parsing: reference))
            if output.isJSON {
                print(JSON.object([
                    ("prompt", .string(version.name.rawValue)), ("version", .number(version.number)),
                    ("commit", .text(version.record?.commit.hex)),
                    ("template_hash", .string(try repo.templateClosure(of: version).hash)),
                    ("content", .string(String(decoding: version.bytes, as: UTF8.self))),
                ]).jsonText(pretty: true))
                return
            }
            FileHandle.standardOutput.write(Data(version.bytes))
        }
    }
}

import Foundation
