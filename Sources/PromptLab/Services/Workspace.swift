import Foundation
import Logging
import PromptExperiments
import PromptLabCore
import PromptLabStore
import PromptVersioning

/// The prompt repository and results database that one front end works on.
///
/// Every service takes a workspace instead of opening things itself, so the CLI, the web app
/// and the serving API find the repository, the database and the environment the same way.
/// The database is opened on first use: version-control commands never create it.
public final class Workspace {
    /// The prompt repository.
    public let repository: PromptRepository
    /// Where API keys, base URLs and `PROMPTLAB_DB` come from; tests inject a dictionary.
    public let environment: [String: String]
    /// Receives the lower layers' diagnostics; silent unless `PROMPTLAB_LOG` sets a level.
    public let logger: Logger
    /// The results database path: `--db`, else `PROMPTLAB_DB`, else `.promptlab/results.sqlite`.
    public let resultsPath: String
    private var store: SQLiteResultsStore?

    /// Opens the prompt repository enclosing `path`, or the one `file` belongs to.
    ///
    /// - Parameters:
    ///   - path: A folder inside the repository.
    ///   - file: A file whose repository wins over `path`'s, such as an experiment: prompt names
    ///     in it are relative to its own prompt root, never to the working directory.
    ///   - database: The results database path, overriding the environment and the default.
    ///   - environment: Where keys, base URLs and `PROMPTLAB_DB`/`PROMPTLAB_LOG` are read.
    /// - Throws: ``PromptLabError`` `notARepository`.
    public init(
        at path: String = ".", forFileAt file: String? = nil, database: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger? = nil
    ) throws(PromptLabError) {
        if let file {
            repository = try PromptRepository.open(forFileAt: file, otherwise: path)
        } else {
            repository = try PromptRepository.open(at: path)
        }
        self.environment = environment
        resultsPath = repository.resultsDatabasePath(override: database, environment: environment)
        if let logger {
            self.logger = logger
        } else {
            var logger = Logger(label: "promptlab")
            logger.logLevel = environment["PROMPTLAB_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .error
            self.logger = logger
        }
    }

    /// The results database, opened (and created) on first use.
    public func results() throws -> any ResultsStore {
        try sqliteResults()
    }

    /// Where live A/B traffic is recorded: the same database as the results.
    public func rollouts() throws -> any RolloutStore {
        try sqliteResults()
    }

    func sqliteResults() throws -> SQLiteResultsStore {
        if let store { return store }
        do {
            let opened = try SQLiteResultsStore(path: resultsPath)
            store = opened
            return opened
        } catch {
            throw ErrorCatalogue.map(error)
        }
    }

    /// Closes the results database if it was opened.
    public func close() {
        try? store?.close()
        store = nil
    }

    deinit {
        try? store?.close()
    }
}
