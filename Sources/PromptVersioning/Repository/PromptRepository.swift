import Foundation
import GitKit
import PromptFormat
import PromptLabCore

/// A folder of prompt files inside a git repository, managed through libgit2.
///
/// The *prompt root* is the folder holding `promptlab.yaml`; prompt names are
/// paths relative to it. It may be the repository's top folder or a subfolder
/// of an application's repository.
public final class PromptRepository {
    /// The file that marks a prompt root.
    public static let configFileName = "promptlab.yaml"

    /// The underlying git repository.
    let git: Repository
    /// The work tree's absolute path, ending in `/`.
    public let workTree: String
    /// The prompt root relative to the work tree: empty, or a path ending in `/`.
    public let rootPrefix: String

    /// The prompt root's absolute path, ending in `/`.
    public var rootPath: String { workTree + rootPrefix }

    /// The current time; tests inject a fixed one to age lock files without waiting.
    public var now: () -> Date = { Date() }

    /// The version index last loaded, reused while `HEAD` does not move.
    var indexCache: (only: String?, index: VersionIndex)?

    /// Template hashes of committed versions by `commit|name`: a commit never changes, so a
    /// long-lived process (the web app) computes each once.
    var templateHashes: [String: String] = [:]

    init(git: Repository, workTree: String, rootPrefix: String) {
        self.git = git
        self.workTree = workTree
        self.rootPrefix = rootPrefix
    }

    // MARK: - Opening

    /// Opens the prompt repository containing `path`.
    ///
    /// The prompt root is the nearest folder at or above `path` holding
    /// `promptlab.yaml`. Outside every prompt root (at the top of an
    /// application's repository whose prompts live in `prompts/`, say), it is
    /// the repository's one prompt root: the folder of the only tracked
    /// `promptlab.yaml`, or of the one `promptlab init` adopted. Failing both,
    /// it is the work tree's top folder. Prompt names therefore mean the same
    /// thing whichever folder a command starts in.
    ///
    /// - Throws: ``PromptLabError`` `notARepository` when `path` is not inside a
    ///   git work tree, or when it lies outside every prompt root of a
    ///   repository that has several.
    public static func open(at path: String) throws(PromptLabError) -> PromptRepository {
        let absolute = absolutePath(path)
        let git: Repository
        do {
            git = try Repository.discover(from: absolute)
        } catch  where error.code == .notOwned || error.message.contains("safe.directory") {
            // git refuses repositories of another user unless they are marked safe; saying "not a
            // repository" here sent people to `promptlab init` inside an existing one. (libgit2 1.5
            // reports the refusal as a missing `safe.directory` setting when none is configured.)
            throw PromptLabError(
                .notARepository, "the git repository enclosing '\(absolute)' belongs to another user",
                hint: "if you trust it, mark it safe: git config --global --add safe.directory PATH-OF-ITS-WORK-TREE",
                detail: error.message)
        } catch {
            throw PromptLabError(
                .notARepository, "'\(absolute)' is not inside a git repository",
                hint: "run 'promptlab init' to create one, or pass --repo PATH",
                detail: "libgit2 error \(error.code.rawValue): \(error.message)")
        }
        guard let workTree = git.workingDirectory else {
            throw PromptLabError(
                .notARepository, "'\(git.gitDirectory)' is a bare repository; PromptLab needs a work tree",
                hint: "clone it with a work tree and run promptlab there")
        }
        let realWorkTree = canonical(workTree)
        var directory = canonical(absolute)
        if !isDirectory(directory) { directory = (directory as NSString).deletingLastPathComponent + "/" }
        var rootPrefix: String?
        var candidate = directory
        while candidate.hasPrefix(realWorkTree) {
            if FileManager.default.fileExists(atPath: candidate + configFileName) {
                rootPrefix = String(candidate.dropFirst(realWorkTree.count))
                break
            }
            if candidate == realWorkTree { break }
            candidate = (String(candidate.dropLast()) as NSString).deletingLastPathComponent + "/"
        }
        let root: String
        if let rootPrefix { root = rootPrefix } else { root = try repositoryRoot(git, workTree: realWorkTree) }
        return PromptRepository(git: git, workTree: realWorkTree, rootPrefix: root)
    }

    /// Opens the prompt repository a file (such as an experiment) belongs to,
    /// found from the file's own folder, so the prompt names in it mean the same
    /// from any working directory.
    ///
    /// - Parameter fallback: the folder to open instead when the file is not inside a git work tree.
    public static func open(forFileAt file: String, otherwise fallback: String) throws(PromptLabError) -> PromptRepository {
        let folder = (absolutePath(file) as NSString).deletingLastPathComponent
        if isDirectory(folder), (try? Repository.discover(from: folder)) != nil { return try open(at: folder) }
        return try open(at: fallback)
    }

    /// The prompt root of a repository opened from outside every prompt root:
    /// the folder of the one `promptlab.yaml` that is tracked or was adopted by
    /// `promptlab init`, or the top folder when there is none.
    private static func repositoryRoot(_ git: Repository, workTree: String) throws(PromptLabError) -> String {
        var candidates = Set<String>()
        for path in (try? git.stagedPaths(named: configFileName)) ?? [] {
            candidates.insert(String(path.dropLast(configFileName.count)))
        }
        for line in adoptedRoots(git) { candidates.insert(line) }
        let roots = candidates.filter { FileManager.default.fileExists(atPath: workTree + $0 + configFileName) }.sorted()
        guard roots.count > 1 else { return roots.first ?? "" }
        throw PromptLabError(
            .notARepository,
            "this repository has \(roots.count) prompt roots (\(roots.map { $0.isEmpty ? "./" : $0 }.joined(separator: ", "))) and the command started outside all of them",
            hint: "run promptlab inside one of them, or pass --repo FOLDER")
    }

    /// Where `promptlab init` records the prompt roots it adopted, one per line,
    /// so they are found before `promptlab.yaml` is committed.
    private static func adoptedRootsPath(_ git: Repository) -> String { git.gitDirectory + "promptlab/roots" }

    private static func adoptedRoots(_ git: Repository) -> [String] {
        guard let data = FileManager.default.contents(atPath: adoptedRootsPath(git)) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { $0.isEmpty || $0.hasSuffix("/") }
    }

    private func recordAdoptedRoot() throws(PromptLabError) {
        var roots = Self.adoptedRoots(git)
        guard !rootPrefix.isEmpty, !roots.contains(rootPrefix) else { return }
        roots.append(rootPrefix)
        try? FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        try writeFileAtomically(Array((roots.joined(separator: "\n") + "\n").utf8), to: Self.adoptedRootsPath(git))
    }

    /// The outcome of ``initialize(at:)``.
    public struct InitResult: Sendable {
        /// Whether a new git repository was created (rather than an existing one adopted).
        public var createdRepository: Bool
        /// Whether `promptlab.yaml` was written.
        public var wroteConfig: Bool
        /// The prompt root's absolute path.
        public var rootPath: String
    }

    /// Creates a repository at `path`, or adopts the one enclosing it, and marks
    /// `path` as a prompt root with `promptlab.yaml`. The results database folder
    /// `.promptlab/` is added to the root's `.gitignore`.
    ///
    /// A new repository also gets a first commit holding those two files, so it starts clean.
    public static func initialize(at path: String, author: Signature?) throws(PromptLabError) -> InitResult {
        var existingFolder = absolutePath(path)
        while !isDirectory(existingFolder), existingFolder != "/" {
            existingFolder = (existingFolder as NSString).deletingLastPathComponent
        }
        if let existing = try? Repository.discover(from: existingFolder), existing.isBare || existing.workingDirectory == nil {
            // Checked before writing anything: files written into a bare repository belong to no work tree.
            throw PromptLabError(
                .notARepository, "'\(existing.gitDirectory)' is a bare repository; PromptLab needs a work tree",
                hint: "clone it (git clone \(existing.gitDirectory) FOLDER) and run promptlab init in the clone")
        }
        do {
            try FileManager.default.createDirectory(atPath: absolutePath(path), withIntermediateDirectories: true)
        } catch {
            throw PromptLabError(.failure, "cannot create '\(path)': \(error.localizedDescription)")
        }
        let absolute = canonical(absolutePath(path))
        var created = false
        if (try? Repository.discover(from: absolute)) == nil {
            do {
                _ = try Repository.create(at: absolute)
            } catch {
                throw PromptLabError.git(error, while: "creating a repository at '\(absolute)'")
            }
            created = true
        }
        let configPath = absolute + configFileName
        var wroteConfig = false
        if !FileManager.default.fileExists(atPath: configPath) {
            try writeFileAtomically(
                Array(
                    """
                    # PromptLab prompt root: prompt names are paths relative to this folder.
                    version: 1

                    """.utf8), to: configPath)
            wroteConfig = true
        }
        try ensureIgnored(".promptlab/", in: absolute + ".gitignore")
        let repository = try open(at: absolute)
        try repository.recordAdoptedRoot()
        if created {
            let files = [configFileName, ".gitignore"]
            _ = try repository.commitFiles(
                files.map { repository.rootPrefix + $0 }, message: "Initialise PromptLab prompt repository",
                author: author)
        }
        return InitResult(createdRepository: created, wroteConfig: wroteConfig, rootPath: repository.rootPath)
    }

    private static func ensureIgnored(_ pattern: String, in path: String) throws(PromptLabError) {
        let existing = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let lines = existing.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        if lines.contains(pattern) || lines.contains(String(pattern.dropLast())) { return }
        var text = existing
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        text += "# PromptLab results database\n\(pattern)\n"
        try writeFileAtomically(Array(text.utf8), to: path)
    }

    // MARK: - Paths

    /// Whether the repository is a shallow clone, whose history stops before the first commit:
    /// versions are then counted within the history it holds.
    public var isShallow: Bool { git.isShallow }

    /// The absolute path of a prompt's working file.
    /// git's `user.name`, as configured for this repository; nil when unset.
    public func configuredUserName() -> String? {
        (try? git.configString("user.name")) ?? nil
    }

    public func workingPath(of name: PromptName) -> String { rootPath + name.relativePath }

    /// The path of a prompt file relative to the work tree, as stored in git.
    public func repositoryPath(of name: PromptName) -> String { rootPrefix + name.relativePath }

    /// The prompt a repository-relative path belongs to, if it is a prompt file under the root.
    func promptName(forRepositoryPath path: String) -> PromptName? {
        guard path.hasPrefix(rootPrefix) else { return nil }
        return PromptName.fromRelativePath(String(path.dropFirst(rootPrefix.count)))
    }

    /// PromptLab's own folder inside `.git`, for caches that must never be committed.
    var stateDirectory: String { git.gitDirectory + "promptlab/" }

    /// Reads a prompt's working file, or nil when it does not exist.
    ///
    /// - Throws: ``PromptLabError`` `invalidInput` for a file over 1 MiB, a
    ///   symbolic link, or a file reached through a linked folder outside the work tree.
    public func readWorkingFile(_ name: PromptName) throws(PromptLabError) -> [UInt8]? {
        let path = workingPath(of: name)
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        try refuseLink(path, shownAs: name.relativePath)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = attributes[.size] as? Int
        else {
            throw PromptLabError(.failure, "cannot read '\(path)'")
        }
        if size > PromptFile.maximumSize {
            throw PromptLabError(
                .invalidInput,
                "\(name.relativePath): file is \(size) bytes; prompt files are limited to 1 MiB (\(PromptFile.maximumSize) bytes)",
                hint: "split the prompt into smaller prompts and include them as partials")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PromptLabError(.failure, "cannot read '\(path)'")
        }
        return Array(data)
    }

    /// Every prompt file under the root on disk, skipping hidden folders.
    public func workingPromptNames() -> [PromptName] {
        var names = [PromptName]()
        let root = URL(fileURLWithPath: rootPath)
        guard
            let enumerator = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        let rootLength = root.standardizedFileURL.path.count + 1
        for case let url as URL in enumerator where url.pathExtension == "prompt" {
            let relative = String(url.standardizedFileURL.path.dropFirst(rootLength))
            if let name = PromptName.fromRelativePath(relative) { names.append(name) }
        }
        return names.sorted()
    }

    /// Refuses a symbolic link, and a file whose real path leaves the work
    /// tree (through a linked folder): git would record the link itself, and
    /// following it would commit content from outside the repository.
    func refuseLink(_ path: String, shownAs display: String) throws(PromptLabError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & mode_t(S_IFMT) == mode_t(S_IFLNK) {
            throw PromptLabError(
                .invalidInput, "\(display): is a symbolic link; PromptLab reads and commits prompt files only as regular files",
                hint: "replace the link with a copy of the file it points at")
        }
        guard let real = realpath(path, nil) else { return }
        defer { free(real) }
        if !String(cString: real).hasPrefix(workTree) {
            throw PromptLabError(
                .invalidInput, "\(display): lies outside the repository (through a linked folder)",
                hint: "move the prompt into the repository instead of linking to it")
        }
    }

    // MARK: - Helpers

    public static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The path with symlinks resolved and a trailing `/` when it is a folder.
    static func canonical(_ path: String) -> String {
        var resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        if isDirectory(resolved), !resolved.hasSuffix("/") { resolved += "/" }
        return resolved
    }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// Writes `bytes` to a temporary file beside `path` and renames it into place,
/// so readers never see a half-written file.
func writeFileAtomically(_ bytes: [UInt8], to path: String) throws(PromptLabError) {
    let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
        throw PromptLabError(.failure, "cannot write '\(path)'")
    }
    if rename(temporary, path) != 0 {
        let reason = String(cString: strerror(errno))
        unlink(temporary)
        throw PromptLabError(.failure, "cannot write '\(path)': \(reason)")
    }
}
