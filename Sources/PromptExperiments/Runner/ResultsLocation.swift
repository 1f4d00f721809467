import Foundation
import PromptFormat
import PromptLabCore
import PromptVersioning

extension PromptRepository {
    /// The results database path: `override` (from `--db`), else `PROMPTLAB_DB`,
    /// else `.promptlab/results.sqlite` at the prompt root (ignored by git).
    public func resultsDatabasePath(override: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        -> String
    {
        if let override, !override.isEmpty { return Self.absolutePath(override) }
        if let fromEnvironment = environment["PROMPTLAB_DB"], !fromEnvironment.isEmpty {
            return Self.absolutePath(fromEnvironment)
        }
        return rootPath + ".promptlab/results.sqlite"
    }
}
