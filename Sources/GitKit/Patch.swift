internal import CGit2

/// Unified diffs of two texts, produced by libgit2's diff engine.
public enum Patch {
    /// A unified diff (`--- a/…`, `+++ b/…`, `@@` hunks) of `old` against `new`,
    /// or an empty string when they are equal.
    ///
    /// - Parameters:
    ///   - contextLines: unchanged lines shown around each change, 3 like `git diff`.
    public static func unified(
        old: [UInt8], new: [UInt8], oldPath: String, newPath: String, contextLines: UInt32 = 3
    ) throws(GitError) -> String {
        GitLibrary.ensureInitialized()
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)))
        options.context_lines = contextLines
        var patch: OpaquePointer? = nil
        let result = old.withUnsafeBytes { oldBuffer in
            new.withUnsafeBytes { newBuffer in
                git_patch_from_buffers(
                    &patch, oldBuffer.baseAddress, oldBuffer.count, oldPath,
                    newBuffer.baseAddress, newBuffer.count, newPath, &options)
            }
        }
        try check(result)
        defer { git_patch_free(patch) }
        guard git_patch_num_hunks(patch) > 0 else { return "" }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try check(git_patch_to_buf(&buffer, patch))
        return String(decoding: UnsafeRawBufferPointer(start: buffer.ptr, count: buffer.size), as: UTF8.self)
    }
}
