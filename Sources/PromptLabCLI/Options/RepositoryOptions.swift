import ArgumentParser
import PromptLab

/// Where to find the prompt repository.
struct RepositoryOptions: ParsableArguments {
    @Option(name: [.customShort("C"), .customLong("repo")], help: "Run as if started in this folder.")
    var path: String = "."

    /// Opens the prompt repository enclosing `path`.
    func open() throws -> PromptRepository {
        try PromptRepository.open(at: path)
    }

    /// Opens the prompt repository a file such as an experiment belongs to, or
    /// the one enclosing `path` when the file is outside every git work tree.
    func open(forFileAt file: String) throws -> PromptRepository {
        try PromptRepository.open(forFileAt: file, otherwise: path)
    }
}
