import Foundation
import GitKit
import PromptLab
import PromptLabCore
import PromptLabTestSupport

@testable import PromptExperiments
@testable import PromptFormat
@testable import PromptVersioning

/// A throwaway prompt repository on disk, isolated from the machine's git config.
struct TestRepository {
    static let isolation: Void = {
        // libgit2 must not read ~/.gitconfig or /etc/gitconfig during tests.
        let empty = TestFolders.root + "promptlab-empty-config-\(getpid())"
        try? FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try? GitLibrary.setConfigSearchPath(.global, to: empty)
        try? GitLibrary.setConfigSearchPath(.xdg, to: empty)
        try? GitLibrary.setConfigSearchPath(.system, to: empty)
    }()

    static let author = Signature(name: "Ada Tester", email: "ada@example.com", time: 0)

    let path: String

    /// Creates a repository with `user.name`/`user.email` set locally (unless `configureAuthor` is false).
    init(configureAuthor: Bool = true) throws {
        _ = Self.isolation
        path = TestFolders.root + "promptlab-test-\(UUID().uuidString)/"
        _ = try PromptRepository.initialize(at: path, author: Self.author)
        if configureAuthor {
            let repo = try Repository.open(at: path)
            try repo.setConfigString("user.name", "Ada Tester")
            try repo.setConfigString("user.email", "ada@example.com")
        }
    }

    func open() throws -> PromptRepository { try PromptRepository.open(at: path) }

    /// Deletes the repository's folder; call it in a `defer`.
    func remove() { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relativePath: String, _ text: String) throws {
        let full = path + relativePath
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }

    func read(_ relativePath: String) throws -> String {
        try String(contentsOfFile: path + relativePath, encoding: .utf8)
    }

    /// Writes and commits a prompt, returning the new version number.
    @discardableResult
    func commit(_ name: String, _ text: String, message: String = "edit") throws -> Int {
        try write(name + ".prompt", text)
        let result = try open().commit(names: [try PromptName(name)], message: message, author: nil)
        return result!.prompts[0].version!  // a changed file always yields a version.
    }

    /// Runs the git CLI here, isolated from global configuration.
    @discardableResult
    func git(_ arguments: String...) throws -> String {
        try runGit(arguments, in: path)
    }
}

@discardableResult
func runGit(_ arguments: [String], in directory: String) throws -> String {
    // Tests expect PromptLab's error type from a failing git command (a refused merge, say).
    do {
        return try GitCLI.run(
            arguments, in: directory,
            environment: [
                "GIT_AUTHOR_NAME": "Git User", "GIT_AUTHOR_EMAIL": "git@example.com", "GIT_COMMITTER_NAME": "Git User",
                "GIT_COMMITTER_EMAIL": "git@example.com",
            ])
    } catch let failure as GitCLI.Failure {
        throw PromptLabError(.failure, failure.description)
    }
}

/// A small valid prompt with a temperature and a body line.
func samplePrompt(temperature: Double = 0.2, line: String = "Classify the ticket.", examples: Int = 0) -> String {
    var text = "---\nmodel: openai/gpt-4o-mini\nconfig:\n  temperature: \(temperature)\ninput:\n  schema:\n    ticket: string\n"
    if examples > 0 {
        text += "examples:\n"
        for i in 0..<examples { text += "  - input: {ticket: \"t\(i)\"}\n    output: billing\n" }
    }
    text += "---\n{{role \"system\"}}\n\(line)\n{{role \"user\"}}\n{{ticket}}\n"
    return text
}

/// `"text"` as a `PromptValue` in test literals.
extension PromptValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

/// The ``PromptLabError`` that `body` throws; nil when it returns, or throws anything else.
func thrownPromptLabError(_ body: () throws -> Any) -> PromptLabError? {
    do {
        _ = try body()
        return nil
    } catch let error as PromptLabError {
        return error
    } catch {
        return nil
    }
}
