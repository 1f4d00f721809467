import GitKit
import PromptLabCore

extension PromptLabError {
    /// Wraps an unexpected libgit2 failure, keeping libgit2's own words for `--verbose`.
    static func git(_ error: any Error, while action: String) -> PromptLabError {
        if let error = error as? PromptLabError { return error }
        guard let gitError = error as? GitError else {
            return PromptLabError(.failure, "error while \(action): \(error)")
        }
        return PromptLabError(
            .failure, "git error while \(action): \(gitError.message)", hint: "run with --verbose for libgit2's details",
            detail: "libgit2 error \(gitError.code.rawValue) (class \(gitError.errorClass)) while \(action): \(gitError.message)")
    }
}
