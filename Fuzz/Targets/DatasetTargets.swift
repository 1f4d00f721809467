import PromptExperiments

extension FuzzTarget {
    /// A CSV dataset.
    public static let datasetCSV = FuzzTarget(name: "dataset-csv", summary: "a CSV dataset") { bytes in
        _ = try? Dataset.parse(bytes, path: "cases.csv", displayPath: "cases.csv")
    }

    /// A JSONL dataset.
    public static let datasetJSONL = FuzzTarget(name: "dataset-jsonl", summary: "a JSONL dataset") { bytes in
        _ = try? Dataset.parse(bytes, path: "cases.jsonl", displayPath: "cases.jsonl")
    }
}
