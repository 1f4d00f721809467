internal import GRDB

extension StoreError {
    /// Translates an error thrown while working on the database at `path`.
    ///
    /// ``StoreError`` and `CancellationError` pass through unchanged. GRDB's
    /// `DatabaseError` is mapped by its SQLite result code to a ``Kind`` with a
    /// one-line message; its SQL and raw message go to ``detail`` only.
    ///
    /// - Parameters:
    ///   - error: The error to translate.
    ///   - path: The database file, named in the message.
    ///   - action: What was being done, as a verb phrase ("record responses").
    /// - Returns: The error to throw.
    static func translating(_ error: any Error, path: String, while action: String) -> any Error {
        switch error {
        case is StoreError, is CancellationError:
            return error
        case let error as DatabaseError:
            return StoreError(error, path: path, action: action)
        case is RowDecodingError:
            return StoreError(
                .corrupt,
                "could not \(action): results database at \(path) holds a value of an unexpected type",
                hint: "the file may have been edited by hand; restore it from a backup or start a new results file",
                detail: String(describing: error))
        default:
            return StoreError(.failure, "could not \(action) in \(path)", detail: String(describing: error))
        }
    }

    /// Maps a SQLite result code to an error a person can act on.
    ///
    /// Related SQLite documentation: <https://www.sqlite.org/rescode.html>
    private init(_ error: DatabaseError, path: String, action: String) {
        let detail = "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "no message")"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            self = .locked(path: path, detail: detail)
        case .SQLITE_NOTADB:
            self = .notAPromptLabDatabase(path: path, detail: detail)
        case .SQLITE_CORRUPT:
            self.init(
                .corrupt, "results database at \(path) is damaged",
                hint: "restore it from a backup, or move it aside so that a new one is created",
                detail: detail)
        case .SQLITE_FULL:
            self.init(
                .diskFull, "could not \(action): the disk holding \(path) is full",
                hint: "free some disk space and try again; what was already recorded is kept",
                detail: detail)
        case .SQLITE_READONLY:
            self.init(
                .readOnly, "could not \(action): results database at \(path) is read-only",
                hint: "check the permissions of the file and its folder",
                detail: detail)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            self.init(
                .cannotOpen, "cannot open results database at \(path)",
                hint: "check that the path is a file (not a folder) and that its folder is writable",
                detail: detail)
        case .SQLITE_CONSTRAINT:
            self.init(
                .invalidRecord, "could not \(action): a record contradicts the data already stored in \(path)",
                hint: "this is a bug in promptlab; please report it with the detail below",
                detail: detail)
        case .SQLITE_IOERR:
            self.init(
                .failure, "could not \(action): disk I/O error on \(path)",
                hint: "check the disk and file system, then try again",
                detail: detail)
        default:
            self.init(
                .failure, "could not \(action) in \(path) (SQLite error \(error.resultCode.rawValue))",
                detail: detail)
        }
    }
}
