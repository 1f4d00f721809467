import Foundation
import PromptFormat
import PromptLabCore

// The documents the version-control services return. Each is what `--format json` prints
// (snake_case keys, see docs/json-output.md) and what the web app and API serve.

/// `promptlab status`: prompts that differ from HEAD.
public struct StatusOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    /// Changed prompts, by name.
    public var changes: [Change]
    /// Committed prompts whose staging-area entry differs from HEAD while the working file
    /// equals HEAD: a later plain `git commit` would revert them. `status --repair-staging` fixes it.
    public var staleStaged: [String] = []
    /// The prompts `--repair-staging` restaged from HEAD.
    public var repaired: [String] = []

    public struct Change: Codable, Sendable, Equatable {
        public var name: String
        /// `new`, `modified`, `deleted`, or `invalid` for a file that cannot be committed.
        public var status: String
        /// Why an `invalid` file cannot be committed (over 1 MiB, a symbolic link).
        public var problem: String?
    }
}

/// `promptlab commit`: the commit made, or none when nothing changed.
public struct CommitOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    /// The new commit's SHA; nil when there was nothing to commit.
    public var commit: String?
    /// The branch moved, such as `main`; nil when there was nothing to commit.
    public var branch: String?
    /// The commit message's first line.
    public var summary: String
    public var prompts: [Prompt]
    /// A problem noticed after the commit landed (it did land).
    public var warning: String?
    /// Stale git lock files removed first, with `--remove-stale-lock`.
    public var removedLocks: [String] = []

    public struct Prompt: Codable, Sendable, Equatable {
        public var name: String
        /// `new`, `modified` or `deleted`.
        public var change: String
        /// The version the commit made; nil for a deletion.
        public var version: Int?
    }
}

/// One version of a prompt, as `log`, `list` and `label --history` show it.
public struct VersionOutput: Codable, Sendable, Equatable {
    public var version: Int?
    public var commit: String
    /// SHA-256 of the prompt and every partial it includes at this version (`log` only).
    public var templateHash: String?
    /// Included partials this commit changed (a version made by a partial's change).
    public var changedPartials: [String]
    /// ISO 8601 in the author's own offset.
    public var date: String
    public var author: String
    public var email: String
    public var message: String
    public var labels: [String]
}

/// `promptlab log NAME`: a prompt's versions, newest first.
public struct PromptLogOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var prompt: String
    /// Whether the latest commit that touched the prompt deleted it.
    public var deleted: Bool
    public var versions: [VersionOutput]
    /// A shallow clone: versions are counted within the history it holds, so older ones are missing.
    public var shallow = false
}

/// `promptlab log`: the repository's commits, newest first, with the prompt versions each made.
public struct RepositoryLogOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var commits: [Commit]
    /// A shallow clone: the log stops where the clone's history does.
    public var shallow = false

    public struct Commit: Codable, Sendable, Equatable {
        public var commit: String
        public var date: String
        public var author: String
        public var email: String
        public var message: String
        public var prompts: [PromptVersionRef]
    }

    public struct PromptVersionRef: Codable, Sendable, Equatable {
        public var name: String
        /// nil when the commit deleted the prompt.
        public var version: Int?
    }
}

/// `promptlab show`: a prompt file as it was at a version.
public struct ShowOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var prompt: String
    /// nil for the working file.
    public var version: Int?
    public var commit: String?
    /// SHA-256 of the prompt and every partial it includes.
    public var templateHash: String
    public var content: String
}

/// A version as `diff` and `rollback` name it.
public struct VersionRefOutput: Codable, Sendable, Equatable {
    public var version: Int?
    public var commit: String?
    /// `v3`, `working` or a label.
    public var label: String
    /// SHA-256 of the prompt and every partial it includes (`diff` only).
    public var templateHash: String?
}

/// `promptlab diff`: front matter changes field by field, then the body.
public struct DiffOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var prompt: String
    public var old: VersionRefOutput
    public var new: VersionRefOutput
    public var frontMatter: [FieldChangeOutput]
    /// A unified diff of the whole file.
    public var unified: String
    /// The body's word diff, with `--word`.
    public var words: [WordOutput]?
    /// Included partials whose content differs between the two versions, by name.
    public var partials: [PartialChangeOutput]
    /// True when the two versions render the same (file and partials).
    public var identical: Bool

    public struct PartialChangeOutput: Codable, Sendable, Equatable {
        public var name: String
        /// Whether the old and the new version include the partial (and it exists).
        public var oldPresent: Bool
        public var newPresent: Bool
        public var unified: String
        public var words: [WordOutput]?
    }

    public struct FieldChangeOutput: Codable, Sendable, Equatable {
        /// The field, such as `config.temperature`.
        public var path: String
        /// The change in words, such as `config.temperature: 0.2 → 0.7`.
        public var change: String
    }

    public struct WordOutput: Codable, Sendable, Equatable {
        /// `same`, `removed` or `added`.
        public var op: String
        public var text: String
    }
}

/// `promptlab render`: the messages and settings a version produces.
public struct RenderOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var prompt: String
    public var version: Int?
    public var commit: String?
    /// SHA-256 of the prompt and every partial it includes.
    public var templateHash: String
    public var model: String?
    /// Generation settings as written in the front matter (keys kept verbatim).
    public var config: PromptValue
    public var output: OutputSpec
    public var messages: [Message]

    public struct OutputSpec: Codable, Sendable, Equatable {
        /// `text` or `json`.
        public var format: String
        public var schema: PromptValue?
    }

    /// A rendered message: `content` is its text parts joined; `parts` lists every part (text, media,
    /// section) when the message is more than one text part; `metadata` is Dotprompt's message metadata
    /// (`purpose: history`…), when there is any.
    public struct Message: Codable, Sendable, Equatable {
        public var role: String
        public var content: String
        public var parts: [MessagePart]?
        public var metadata: PromptValue?

        public init(_ message: PromptMessage) {
            role = message.role.rawValue
            content = message.content
            let plain = message.parts.count == 1 && { if case .text = message.parts[0] { true } else { false } }()
            parts = plain ? nil : message.parts
            metadata = message.metadata.isEmpty ? nil : .object(message.metadata)
        }
    }
}

/// A label and the version it points at.
public struct LabelOutput: Codable, Sendable, Equatable {
    public var prompt: String
    public var label: String
    public var version: Int?
    public var commit: String
    /// The git reference, such as `refs/promptlab/labels/support/triage.prompt/production`.
    public var ref: String
}

/// `promptlab label --list`.
public struct LabelListOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var labels: [LabelOutput]
}

/// `promptlab label NAME@REF LABEL` and `--delete`.
public struct LabelChangeOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    /// `created`, `moved`, `unchanged` or `deleted`.
    public var action: String
    public var label: LabelOutput
    /// Where the label pointed before, if anywhere.
    public var previousCommit: String?
}

/// `promptlab label --history NAME@LABEL`: where a label pointed over time, newest first.
public struct LabelHistoryOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var prompt: String
    public var label: String
    public var moves: [Move]

    public struct Move: Codable, Sendable, Equatable {
        public var version: Int?
        public var commit: String
        public var previousVersion: Int?
        public var previousCommit: String?
        /// Who moved the label (the reflog's committer).
        public var name: String
        public var email: String
        public var date: String
        public var message: String
    }
}

/// `promptlab list`: every prompt with its latest version and labels.
public struct PromptListOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var prompts: [Prompt]
    /// A shallow clone: version numbers count only the history it holds.
    public var shallow = false

    public struct Prompt: Codable, Sendable, Equatable {
        public var name: String
        /// The latest committed version; nil when never committed.
        public var latest: VersionOutput?
        public var labels: [LabelOutput]
        /// `new`, `modified`, `deleted` or `invalid` when the working file differs from HEAD.
        public var working: String?
        public var deleted: Bool
    }
}

/// `promptlab rollback`.
public struct RollbackOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    public var prompt: String
    /// The version whose content was current before.
    public var from: VersionRefOutput
    /// The version whose content was restored.
    public var to: VersionRefOutput
    /// The new commit.
    public var commit: String
    /// The new version number.
    public var version: Int?
    /// The label moved to the new version, if asked.
    public var label: LabelOutput?
}

/// `promptlab init`.
public struct InitOutput: Codable, Sendable, Equatable {
    public var schemaVersion = JSONOutput.schemaVersion
    /// The prompt root folder.
    public var root: String
    /// True when a new git repository was created.
    public var createdRepository: Bool
    /// True when `promptlab.yaml` was written in an existing repository.
    public var adoptedRepository: Bool
}
