import Foundation
import Logging
import PromptLabCore

/// Watches the guardrails of active rollouts from a serving process: each check reads every running
/// rollout out and pauses a treatment whose guardrail is breached (recorded as an `auto_pause` event by
/// `auto`, with the guardrail as the reason), so a regression stops reaching users without anyone watching.
public struct RolloutMonitor: Sendable {
    let pool: WorkspacePool
    let directory: RolloutDirectory
    let logger: Logger

    public init(pool: WorkspacePool, directory: RolloutDirectory, logger: Logger) {
        self.pool = pool
        self.directory = directory
        self.logger = logger
    }

    /// Checks every running rollout once.
    ///
    /// - Returns: The arms paused, as `rollout/arm`.
    @discardableResult
    public func checkOnce() async -> [String] {
        var paused = [String]()
        guard let rollouts = try? await directory.activeRollouts() else { return [] }
        for rollout in rollouts where rollout.status == .running {
            do {
                let readout = try await pool.withWorkspace { try await RolloutService(workspace: $0).status(rollout.name) }
                let arms = try await pool.withWorkspace {
                    try await RolloutService(workspace: $0).pauseBreachedArms(rollout.name, readout: readout)
                }
                for arm in arms {
                    logger.warning("paused an arm whose guardrail is breached", metadata: ["rollout": "\(rollout.name)", "arm": "\(arm)"])
                    paused.append("\(rollout.name)/\(arm)")
                }
            } catch {
                logger.error("could not check a rollout's guardrails", metadata: ["rollout": "\(rollout.name)", "error": "\(error)"])
            }
        }
        if !paused.isEmpty { try? await directory.refresh() }
        return paused
    }

    /// Checks every `interval` until the task is cancelled.
    public func run(every interval: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            await checkOnce()
        }
    }
}
