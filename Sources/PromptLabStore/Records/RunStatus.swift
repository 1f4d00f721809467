/// Where a run is in its life.
///
/// A run starts as ``running``. It ends as ``completed`` when every cell has a
/// recorded response, as ``interrupted`` when the user stopped it (it can be
/// resumed), or as ``failed`` when something other than a provider response
/// stopped it (for example a configuration error discovered mid-run).
///
/// The allowed changes are checked by ``canChange(to:)``: a ``completed``
/// run is final, and a run in any other status may move to any status. A
/// resumed run should be set back to ``running`` while it works, so that
/// `promptlab runs` in another terminal shows it as such, but a resume that
/// finds nothing left to do may go straight from ``interrupted`` or
/// ``failed`` to ``completed``.
public enum RunStatus: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Cells are being sent to providers, or the process died while they were.
    case running
    /// Every cell has a recorded response (successful or not).
    case completed
    /// Stopped on purpose (for example Ctrl-C) before every cell was recorded; resumable.
    case interrupted
    /// Stopped by an error that is not a provider response; resumable once fixed.
    case failed

    /// Whether the run has stopped (any status but ``running``).
    public var isFinished: Bool { self != .running }

    /// Whether a run in this status may be moved to `next`.
    ///
    /// - Parameter next: The status the caller wants to set.
    /// - Returns: `false` only for leaving ``completed``, which is final.
    public func canChange(to next: RunStatus) -> Bool {
        self != .completed || next == .completed
    }

    public var description: String { rawValue }
}
