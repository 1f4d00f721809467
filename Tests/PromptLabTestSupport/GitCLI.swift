import Foundation

/// The `git` CLI, for tests that check what PromptLab wrote the way users' tools read it.
public enum GitCLI {
    /// A git command that exited non-zero.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs `git ARGUMENTS` in `directory`, away from the machine's configuration (no system
    /// config, `HOME` is the directory), with `environment` added, and returns its trimmed stdout.
    @discardableResult
    public static func run(_ arguments: [String], in directory: String, environment extra: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["HOME"] = directory
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(
                description:
                    "git \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: message, as: UTF8.self))"
            )
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
