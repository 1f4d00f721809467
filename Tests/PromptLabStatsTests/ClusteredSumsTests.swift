import Testing

@testable import PromptLabStats

/// The clustered standard error from per-case sums, against statsmodels and the raw-data form.
@Suite("Clustered standard error from cluster sums")
struct ClusteredSumsTests {
    @Test func matchesStatsmodels() throws {
        // statsmodels OLS(y, ones).fit(cov_type='cluster', cov_kwds={'groups': g}): params[0], bse[0].
        let passes = [2, 1, 1, 1, 2, 1, 2]  // y = [1,0,1 | 1,0 | 1,0,0 | 1 | 1,1 | 0,1 | 1,1]
        let counts = [3, 2, 3, 1, 2, 2, 2]
        let binary = try ClusteredStandardError.mean(clusterSums: passes.map(Double.init), clusterCounts: counts)
        #expect(isClose(binary.mean, 0.6666666666666666, rel: 1e-14))
        #expect(isClose(binary.standardError, 0.1073435314532551, rel: 1e-12))
        #expect(binary.clusters == 7 && binary.observations == 15)

        // y = [7,5 | 6,9,3 | 4 | 8,8 | 2,6.5]
        let scores = try ClusteredStandardError.mean(clusterSums: [12, 18, 4, 16, 8.5], clusterCounts: [2, 3, 1, 2, 2])
        #expect(isClose(scores.mean, 5.85, rel: 1e-14))
        #expect(isClose(scores.standardError, 0.6368378914606132, rel: 1e-12))
    }

    @Test func equalsTheRawDataForm() throws {
        var generator = Xoshiro256StarStar(seed: 9)
        var values: [Double] = []
        var clusters: [Int] = []
        var sums = [Double](repeating: 0, count: 40)
        var counts = [Int](repeating: 0, count: 40)
        for cluster in 0..<40 {
            for _ in 0..<(1 + generator.nextInt(below: 4)) {
                let value = Double(generator.nextInt(below: 2))
                values.append(value)
                clusters.append(cluster)
                sums[cluster] += value
                counts[cluster] += 1
            }
        }
        let raw = try ClusteredStandardError.wilsonInterval(values: values, clusters: clusters)
        let fromSums = try ClusteredStandardError.wilsonInterval(clusterPasses: sums.map { Int($0) }, clusterCounts: counts)
        #expect(isClose(raw.rate.mean, fromSums.rate.mean, rel: 1e-14))
        #expect(isClose(raw.rate.standardError, fromSums.rate.standardError, rel: 1e-12))
        #expect(isClose(raw.interval.lower, fromSums.interval.lower, rel: 1e-12))
        #expect(isClose(raw.interval.upper, fromSums.interval.upper, rel: 1e-12))
    }

    @Test func withoutRepeatsTheIntervalIsTheTInterval() throws {
        let data: [Double] = [3, 5, 4, 8, 6, 7, 2]
        let clustered = try ClusteredStandardError.mean(clusterSums: data, clusterCounts: [Int](repeating: 1, count: 7))
        let t = try PairedT.test(differences: data)
        #expect(isClose(clustered.standardError, t.standardError, rel: 1e-12))
        #expect(isClose(clustered.interval().lower, t.interval.lower, rel: 1e-12))
        #expect(throws: StatsError.tooFewObservations(needed: 2, got: 1)) {
            try ClusteredStandardError.mean(clusterSums: [1, 0], clusterCounts: [1, 0])
        }
    }
}
