import Foundation

/// Charts as SVG text made on the server: no script, no external reference, every text XML-escaped.
///
/// The markup uses `class` attributes for the app's CSS to theme (the Content-Security-Policy
/// forbids inline styles) plus presentation attributes (`fill`, `stroke`, …) so a chart also looks
/// right on its own, as in the one-file HTML report. Output is deterministic: the same input gives
/// the same string, with numbers written without locale.
public enum SVGCharts {
    /// How numbers on an axis and in labels are written.
    public enum ValueFormat: Sendable, Equatable {
        /// 0.734 -> "73.4%".
        case percent
        /// Fixed decimals (clamped to 0...12).
        case number(digits: Int)
        /// "$0.0123" below one dollar (four decimals), "$12.34" above.
        case dollars
        /// "123 ms", "1.2 s" from one second on.
        case milliseconds
    }

    /// One row of an interval chart: a point estimate with an optional interval.
    public struct IntervalRow: Sendable, Equatable {
        public var label: String
        /// nil: row drawn with "no data" text.
        public var estimate: Double?
        public var low: Double?
        public var high: Double?
        /// The control variant, or a significant difference: drawn bolder/coloured.
        public var emphasized: Bool

        public init(label: String, estimate: Double?, low: Double? = nil, high: Double? = nil, emphasized: Bool = false) {
            self.label = label
            self.estimate = estimate
            self.low = low
            self.high = high
            self.emphasized = emphasized
        }
    }

    /// One row of a bar chart: a value and an optional second marker (such as p95 beside p50).
    public struct BarRow: Sendable, Equatable {
        public var label: String
        public var value: Double?
        public var marker: Double?

        public init(label: String, value: Double?, marker: Double? = nil) {
            self.label = label
            self.value = value
            self.marker = marker
        }
    }

    /// One point of a history line: a run (x, in order) with an estimate and interval.
    public struct HistoryPoint: Sendable, Equatable {
        /// x-axis label, such as "v3 · 12-01".
        public var label: String
        public var estimate: Double?
        public var low: Double?
        public var high: Double?

        public init(label: String, estimate: Double?, low: Double? = nil, high: Double? = nil) {
            self.label = label
            self.estimate = estimate
            self.low = low
            self.high = high
        }
    }
}

// MARK: - Shared pieces

extension SVGCharts {
    /// Horizontal layout shared by the interval and bar charts: labels on the left, the plot in
    /// the middle, the values written out on the right.
    enum RowLayout {
        static let width = 720.0
        static let labelRight = 170.0
        static let plotLeft = 180.0
        static let plotRight = 540.0
        static let valueLeft = 552.0
        static let top = 44.0
        static let rowHeight = 26.0
        static let axisHeight = 34.0
        /// Characters of a row label that fit left of the plot.
        static let labelCharacters = 24

        static func x(_ value: Double, on axis: ChartAxis) -> Double {
            plotLeft + axis.fraction(value) * (plotRight - plotLeft)
        }

        static func rowCenter(_ index: Int) -> Double {
            top + Double(index) * rowHeight + rowHeight / 2
        }

        static func height(rows: Int) -> Double {
            top + Double(rows) * rowHeight + axisHeight
        }
    }

    static let textColor = "#1f2937"
    static let mutedColor = "#6b7280"
    static let gridColor = "#e5e7eb"
    static let axisColor = "#9ca3af"
    static let emphasisColor = "#c2410c"
    static let barColor = "#4f7cac"
    static let markerColor = "#b91c1c"
    /// Series colours of the history chart, distinguishable by most colour-blind readers.
    static let seriesColors = ["#1f77b4", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#525252"]

    /// A finite value or nil: NaN and ±infinity count as missing everywhere.
    static func finite(_ value: Double?) -> Double? {
        guard let value, value.isFinite else { return nil }
        return value
    }

    /// "73.4% [65.0%, 80.1%]", or the estimate alone without a usable interval.
    static func estimateText(_ estimate: Double?, low: Double?, high: Double?, format: ValueFormat) -> String {
        let value = formatted(finite(estimate), format)
        guard let low = finite(low), let high = finite(high) else { return value }
        return "\(value) [\(formatted(min(low, high), format)), \(formatted(max(low, high), format))]"
    }

    /// Vertical grid lines with their tick labels under a row chart.
    static func drawVerticalAxis(_ axis: ChartAxis, rows: Int, format: ValueFormat, into writer: inout SVGWriter) {
        let top = RowLayout.top - 4
        let bottom = RowLayout.top + Double(rows) * RowLayout.rowHeight
        writer.open("g", [("class", "chart-axis")])
        for tick in axis.ticks {
            let x = coordinate(RowLayout.x(tick, on: axis))
            writer.element(
                "line",
                [
                    ("class", "chart-grid"), ("x1", x), ("y1", coordinate(top)), ("x2", x), ("y2", coordinate(bottom)),
                    ("stroke", gridColor), ("stroke-width", "1"),
                ])
            writer.element(
                "text",
                [("x", x), ("y", coordinate(bottom + 16)), ("text-anchor", "middle"), ("font-size", "11"), ("fill", mutedColor)],
                text: tickLabel(tick, step: axis.step, format: format))
        }
        writer.element(
            "line",
            [
                ("x1", coordinate(RowLayout.plotLeft)), ("y1", coordinate(bottom)), ("x2", coordinate(RowLayout.plotRight)),
                ("y2", coordinate(bottom)), ("stroke", axisColor), ("stroke-width", "1"),
            ])
        writer.close("g")
    }

    /// A row's label, cut to fit, with the whole label as its tooltip.
    static func drawRowLabel(_ label: String, center: Double, into writer: inout SVGWriter) {
        writer.element(
            "text",
            [("class", "chart-label"), ("x", coordinate(RowLayout.labelRight)), ("y", coordinate(center + 4)), ("text-anchor", "end")],
            tooltip: truncated(label, to: tooltipLimit), text: truncated(label, to: RowLayout.labelCharacters))
    }

    /// A horizontal whisker with end caps from `from` to `to` (pixels) at height `center`.
    static func whiskerPath(from: Double, to: Double, center: Double) -> String {
        let left = coordinate(min(from, to))
        let right = coordinate(max(from, to))
        let capTop = coordinate(center - 5)
        let capBottom = coordinate(center + 5)
        let middle = coordinate(center)
        return "M\(left) \(capTop)V\(capBottom)M\(left) \(middle)H\(right)M\(right) \(capTop)V\(capBottom)"
    }
}

// MARK: - Interval chart

extension SVGCharts {
    /// Horizontal dot-and-whisker chart, one row per label: each variant's rate with its interval
    /// (domain 0...1 for rates), or a forest plot of differences against the control (referenceLine: 0).
    /// The domain is `domain` if given, else computed from the finite values (padded, never empty,
    /// including the reference line). Non-finite numbers (NaN, ±inf) are treated as missing, never trap.
    public static func intervals(
        title: String, rows: [IntervalRow], format: ValueFormat, domain: ClosedRange<Double>? = nil,
        referenceLine: Double? = nil
    ) -> String {
        let kind = "intervals"
        guard !rows.isEmpty else { return noData(kind: kind, title: title) }
        var values: [Double] = []
        for row in rows {
            values += [row.estimate, row.low, row.high].compactMap { finite($0) }
        }
        if let reference = finite(referenceLine) { values.append(reference) }
        let axis = ChartAxis.make(domain: domain, values: values)

        var writer = SVGWriter()
        drawVerticalAxis(axis, rows: rows.count, format: format, into: &writer)
        if let reference = finite(referenceLine), axis.contains(reference) {
            let x = coordinate(RowLayout.x(reference, on: axis))
            writer.element(
                "line",
                [
                    ("class", "chart-ref"), ("x1", x), ("y1", coordinate(RowLayout.top - 4)), ("x2", x),
                    ("y2", coordinate(RowLayout.top + Double(rows.count) * RowLayout.rowHeight)),
                    ("stroke", textColor), ("stroke-width", "1.5"), ("stroke-dasharray", "4 3"),
                ],
                tooltip: "reference: \(formatted(reference, format))")
        }
        for (index, row) in rows.enumerated() {
            drawIntervalRow(row, center: RowLayout.rowCenter(index), axis: axis, format: format, into: &writer)
        }
        return document(
            kind: kind, title: title, width: RowLayout.width, height: RowLayout.height(rows: rows.count), body: writer.lines)
    }

    private static func drawIntervalRow(
        _ row: IntervalRow, center: Double, axis: ChartAxis, format: ValueFormat, into writer: inout SVGWriter
    ) {
        let emphasis = row.emphasized ? " emphasized" : ""
        let color = row.emphasized ? emphasisColor : textColor
        let description = estimateText(row.estimate, low: row.low, high: row.high, format: format)
        let tooltip = "\(truncated(row.label, to: tooltipLimit)): \(description)"
        writer.open("g", [("class", "chart-row" + emphasis)])
        drawRowLabel(row.label, center: center, into: &writer)
        let estimate = finite(row.estimate)
        let bounds = [finite(row.low), finite(row.high)].compactMap { $0 }
        let ends = bounds + (estimate.map { [$0] } ?? [])
        if !bounds.isEmpty, let lowest = ends.min(), let highest = ends.max(), lowest < highest {
            writer.element(
                "path",
                [
                    ("class", "chart-whisker" + emphasis),
                    ("d", whiskerPath(from: RowLayout.x(lowest, on: axis), to: RowLayout.x(highest, on: axis), center: center)),
                    ("fill", "none"), ("stroke", row.emphasized ? emphasisColor : mutedColor),
                    ("stroke-width", row.emphasized ? "2.5" : "1.5"),
                ],
                tooltip: tooltip)
        }
        if let estimate {
            writer.element(
                "circle",
                [
                    ("class", "chart-point" + emphasis), ("cx", coordinate(RowLayout.x(estimate, on: axis))), ("cy", coordinate(center)),
                    ("r", row.emphasized ? "5.5" : "4.5"), ("fill", color),
                ],
                tooltip: tooltip)
            writer.element(
                "text",
                [
                    ("class", "chart-value" + emphasis), ("x", coordinate(RowLayout.valueLeft)), ("y", coordinate(center + 4)),
                    ("font-size", "11"), ("font-weight", row.emphasized ? "600" : "400"),
                ],
                text: description)
        } else {
            writer.element(
                "text",
                [
                    ("class", "chart-missing"), ("x", coordinate(RowLayout.plotLeft + 6)), ("y", coordinate(center + 4)),
                    ("fill", mutedColor), ("font-style", "italic"),
                ],
                tooltip: "\(truncated(row.label, to: tooltipLimit)): no data", text: "no data")
        }
        writer.close("g")
    }
}

// MARK: - Bar chart

extension SVGCharts {
    /// Horizontal bars from zero (cost, latency per variant); `markerName` labels the marker in the legend ("p95").
    public static func bars(title: String, rows: [BarRow], format: ValueFormat, markerName: String? = nil) -> String {
        let kind = "bars"
        guard !rows.isEmpty else { return noData(kind: kind, title: title) }
        var values: [Double] = [0]
        for row in rows {
            values += [row.value, row.marker].compactMap { finite($0) }
        }
        let axis = ChartAxis.make(domain: nil, values: values)
        let markerLabel = markerName ?? "marker"

        var writer = SVGWriter()
        if let markerName {
            drawMarkerLegend(name: markerName, into: &writer)
        }
        drawVerticalAxis(axis, rows: rows.count, format: format, into: &writer)
        // Bars start at zero, which the axis always includes; negative values extend left of it.
        let baseline = RowLayout.x(0, on: axis)
        writer.element(
            "line",
            [
                ("class", "chart-baseline"), ("x1", coordinate(baseline)), ("y1", coordinate(RowLayout.top - 4)),
                ("x2", coordinate(baseline)), ("y2", coordinate(RowLayout.top + Double(rows.count) * RowLayout.rowHeight)),
                ("stroke", axisColor), ("stroke-width", "1"),
            ])
        for (index, row) in rows.enumerated() {
            let center = RowLayout.rowCenter(index)
            let value = finite(row.value)
            let marker = finite(row.marker)
            var description = formatted(value, format)
            if let marker {
                description += " · \(markerLabel) \(formatted(marker, format))"
            }
            let tooltip = "\(truncated(row.label, to: tooltipLimit)): \(description)"
            writer.open("g", [("class", "chart-row")])
            drawRowLabel(row.label, center: center, into: &writer)
            if let value {
                let end = RowLayout.x(value, on: axis)
                writer.element(
                    "rect",
                    [
                        ("class", "chart-bar"), ("x", coordinate(min(baseline, end))), ("y", coordinate(center - 8)),
                        ("width", coordinate(abs(end - baseline))), ("height", "16"), ("fill", barColor),
                    ],
                    tooltip: tooltip)
            }
            if let marker {
                let x = coordinate(RowLayout.x(marker, on: axis))
                writer.element(
                    "path",
                    [
                        ("class", "chart-marker"), ("d", "M\(x) \(coordinate(center - 11))V\(coordinate(center + 11))"),
                        ("stroke", markerColor), ("stroke-width", "2.5"), ("fill", "none"),
                    ],
                    tooltip: tooltip)
            }
            if value == nil, marker == nil {
                writer.element(
                    "text",
                    [
                        ("class", "chart-missing"), ("x", coordinate(RowLayout.plotLeft + 6)), ("y", coordinate(center + 4)),
                        ("fill", mutedColor), ("font-style", "italic"),
                    ],
                    tooltip: "\(truncated(row.label, to: tooltipLimit)): no data", text: "no data")
            } else {
                writer.element(
                    "text",
                    [("class", "chart-value"), ("x", coordinate(RowLayout.valueLeft)), ("y", coordinate(center + 4)), ("font-size", "11")],
                    text: description)
            }
            writer.close("g")
        }
        return document(
            kind: kind, title: title, width: RowLayout.width, height: RowLayout.height(rows: rows.count), body: writer.lines)
    }

    private static func drawMarkerLegend(name: String, into writer: inout SVGWriter) {
        let x = RowLayout.plotRight - 60
        writer.open("g", [("class", "chart-legend")])
        writer.element(
            "path",
            [
                ("class", "chart-marker"), ("d", "M\(coordinate(x)) 10V24"), ("stroke", markerColor), ("stroke-width", "2.5"),
                ("fill", "none"),
            ])
        writer.element(
            "text", [("x", coordinate(x + 8)), ("y", "21"), ("font-size", "11")],
            text: truncated(name, to: 24))
        writer.close("g")
    }
}

// MARK: - Confusion matrix

extension SVGCharts {
    /// Labels drawn at most; a classifier with more would be unreadable as a grid anyway.
    static let confusionLabelLimit = 40

    /// A confusion matrix as a shaded grid: rows are expected labels, columns predicted labels,
    /// cell text the count. counts[r][c]; ragged input is tolerated (missing cells = 0).
    public static func confusionMatrix(title: String, labels: [String], counts: [[Int]]) -> String {
        let kind = "confusion"
        guard !labels.isEmpty else { return noData(kind: kind, title: title) }
        let shown = Array(labels.prefix(confusionLabelLimit))
        let size = shown.count
        func count(_ row: Int, _ column: Int) -> Int {
            guard row < counts.count, column < counts[row].count else { return 0 }
            return counts[row][column]
        }
        var largest = 0
        for row in 0..<size {
            for column in 0..<size {
                largest = max(largest, count(row, column))
            }
        }

        let labelWidth = 150.0
        let cellWidth = 56.0
        let cellHeight = 30.0
        let top = 60.0
        let left = labelWidth + 10
        let gridBottom = top + Double(size) * cellHeight
        let hiddenNote = labels.count > size ? 20.0 : 0
        let width = max(360, left + Double(size) * cellWidth + 16)
        let height = gridBottom + 16 + hiddenNote

        var writer = SVGWriter()
        writer.element(
            "text",
            [
                ("class", "chart-axis-title"), ("x", coordinate(labelWidth)), ("y", coordinate(top - 10)), ("text-anchor", "end"),
                ("fill", mutedColor),
            ],
            text: "expected ↓ predicted →")
        writer.open("g", [("class", "chart-axis")])
        for (index, label) in shown.enumerated() {
            let columnCenter = left + (Double(index) + 0.5) * cellWidth
            writer.element(
                "text",
                [
                    ("class", "chart-label"), ("x", coordinate(columnCenter)), ("y", coordinate(top - 10)), ("text-anchor", "middle"),
                    ("font-size", "11"),
                ],
                tooltip: "predicted \(truncated(label, to: tooltipLimit))", text: truncated(label, to: 8))
            writer.element(
                "text",
                [
                    ("class", "chart-label"), ("x", coordinate(labelWidth)),
                    ("y", coordinate(top + (Double(index) + 0.5) * cellHeight + 4)), ("text-anchor", "end"),
                ],
                tooltip: "expected \(truncated(label, to: tooltipLimit))", text: truncated(label, to: 22))
        }
        writer.close("g")
        for row in 0..<size {
            for column in 0..<size {
                let value = count(row, column)
                let share = largest > 0 ? min(max(Double(value) / Double(largest), 0), 1) : 0
                let x = left + Double(column) * cellWidth
                let y = top + Double(row) * cellHeight
                writer.open("g", [("class", row == column ? "chart-cell diagonal" : "chart-cell")])
                writer.element(
                    "rect",
                    [
                        ("class", "chart-cell"), ("x", coordinate(x)), ("y", coordinate(y)), ("width", coordinate(cellWidth)),
                        ("height", coordinate(cellHeight)), ("fill", "#2563eb"),
                        ("fill-opacity", String(format: "%.2f", 0.05 + 0.85 * share)),
                        ("stroke", "#ffffff"), ("stroke-width", "1"),
                    ],
                    tooltip:
                        "expected \(truncated(shown[row], to: tooltipLimit)), predicted \(truncated(shown[column], to: tooltipLimit)): \(value)"
                )
                writer.element(
                    "text",
                    [
                        ("x", coordinate(x + cellWidth / 2)), ("y", coordinate(y + cellHeight / 2 + 4)), ("text-anchor", "middle"),
                        ("fill", share > 0.55 ? "#ffffff" : textColor), ("font-weight", row == column ? "600" : "400"),
                    ],
                    text: String(value))
                writer.close("g")
            }
        }
        if labels.count > size {
            writer.element(
                "text", [("class", "chart-note"), ("x", "8"), ("y", coordinate(gridBottom + 22)), ("fill", mutedColor)],
                text: "showing the first \(size) of \(labels.count) labels")
        }
        return document(kind: kind, title: title, width: width, height: height, body: writer.lines)
    }
}

// MARK: - History chart

extension SVGCharts {
    /// One series per variant across runs, oldest first, with the interval as whiskers.
    ///
    /// The x axis is every run label in order of first appearance across the series, so a variant
    /// added later starts further right; a label repeated within one series is a separate run.
    public static func history(
        title: String, series: [(name: String, points: [HistoryPoint])], format: ValueFormat, domain: ClosedRange<Double>? = nil
    ) -> String {
        let kind = "history"
        guard series.contains(where: { !$0.points.isEmpty }) else { return noData(kind: kind, title: title) }

        // Runs on the x axis: (label, occurrence within its series) in first-appearance order.
        var runKeys: [String] = []
        var runLabels: [String] = []
        var runIndex: [String: Int] = [:]
        var pointColumns: [[Int]] = []
        var values: [Double] = []
        for entry in series {
            var occurrences: [String: Int] = [:]
            var columns: [Int] = []
            for point in entry.points {
                let occurrence = occurrences[point.label, default: 0]
                occurrences[point.label] = occurrence + 1
                let key = "\(occurrence)\u{0}\(point.label)"
                if let column = runIndex[key] {
                    columns.append(column)
                } else {
                    runIndex[key] = runKeys.count
                    columns.append(runKeys.count)
                    runKeys.append(key)
                    runLabels.append(point.label)
                }
                values += [point.estimate, point.low, point.high].compactMap { finite($0) }
            }
            pointColumns.append(columns)
        }
        let axis = ChartAxis.make(domain: domain, values: values)

        let runCount = runLabels.count
        let columnWidth = Double(max(48, min(96, 560 / max(runCount, 1))))
        let plotLeft = 64.0
        let width = max(480, plotLeft + Double(runCount) * columnWidth + 16)
        let legendPerLine = max(1, Int(exactly: ((width - 16) / 150).rounded(.down)) ?? 1)
        let legendLines = (series.count + legendPerLine - 1) / legendPerLine
        let plotTop = 36.0 + Double(legendLines) * 18 + 8
        let plotHeight = 220.0
        let plotBottom = plotTop + plotHeight
        let height = plotBottom + 40
        func y(_ value: Double) -> Double { plotBottom - axis.fraction(value) * plotHeight }
        func x(_ column: Int) -> Double { plotLeft + (Double(column) + 0.5) * columnWidth }

        var writer = SVGWriter()
        writer.open("g", [("class", "chart-legend")])
        for (index, entry) in series.enumerated() {
            let color = seriesColors[index % seriesColors.count]
            let legendX = 8 + Double(index % legendPerLine) * 150
            let legendY = 36 + Double(index / legendPerLine) * 18
            writer.element(
                "rect",
                [
                    ("class", "chart-swatch chart-series-\(index % seriesColors.count)"), ("x", coordinate(legendX)),
                    ("y", coordinate(legendY - 9)), ("width", "12"), ("height", "12"), ("fill", color),
                ])
            writer.element(
                "text", [("x", coordinate(legendX + 18)), ("y", coordinate(legendY + 1)), ("font-size", "11")],
                tooltip: truncated(entry.name, to: tooltipLimit), text: truncated(entry.name, to: 18))
        }
        writer.close("g")

        writer.open("g", [("class", "chart-axis")])
        for tick in axis.ticks {
            let tickY = coordinate(y(tick))
            writer.element(
                "line",
                [
                    ("class", "chart-grid"), ("x1", coordinate(plotLeft)), ("y1", tickY), ("x2", coordinate(width - 16)), ("y2", tickY),
                    ("stroke", gridColor), ("stroke-width", "1"),
                ])
            writer.element(
                "text",
                [
                    ("x", coordinate(plotLeft - 6)), ("y", coordinate(y(tick) + 4)), ("text-anchor", "end"), ("font-size", "11"),
                    ("fill", mutedColor),
                ],
                text: tickLabel(tick, step: axis.step, format: format))
        }
        let labelCharacters = Int(exactly: (columnWidth / 6.5).rounded(.down)) ?? 7
        for (column, label) in runLabels.enumerated() {
            writer.element(
                "text",
                [
                    ("class", "chart-label"), ("x", coordinate(x(column))), ("y", coordinate(plotBottom + 16)), ("text-anchor", "middle"),
                    ("font-size", "10"),
                ],
                tooltip: truncated(label, to: tooltipLimit), text: truncated(label, to: labelCharacters))
        }
        writer.element(
            "line",
            [
                ("x1", coordinate(plotLeft)), ("y1", coordinate(plotBottom)), ("x2", coordinate(width - 16)),
                ("y2", coordinate(plotBottom)),
                ("stroke", axisColor), ("stroke-width", "1"),
            ])
        writer.close("g")

        // Series sit side by side within a run's column so their whiskers do not hide each other.
        let spread = min(6, columnWidth * 0.6 / Double(max(series.count, 1)))
        for (index, entry) in series.enumerated() {
            let colorClass = "chart-series-\(index % seriesColors.count)"
            let color = seriesColors[index % seriesColors.count]
            let offset = (Double(index) - Double(series.count - 1) / 2) * spread
            writer.open("g", [("class", "chart-series \(colorClass)")])
            // The line breaks at a run without an estimate rather than bridging it.
            var segment: [String] = []
            func flushSegment() {
                if segment.count > 1 {
                    writer.element(
                        "polyline",
                        [
                            ("class", "chart-line"), ("points", segment.joined(separator: " ")), ("fill", "none"), ("stroke", color),
                            ("stroke-width", "2"),
                        ])
                }
                segment = []
            }
            for (pointIndex, point) in entry.points.enumerated() {
                let pointX = x(pointColumns[index][pointIndex]) + offset
                guard let estimate = finite(point.estimate) else {
                    flushSegment()
                    continue
                }
                segment.append("\(coordinate(pointX)),\(coordinate(y(estimate)))")
            }
            flushSegment()
            for (pointIndex, point) in entry.points.enumerated() {
                let pointX = x(pointColumns[index][pointIndex]) + offset
                let description = estimateText(point.estimate, low: point.low, high: point.high, format: format)
                let tooltip = "\(truncated(entry.name, to: tooltipLimit)) · \(truncated(point.label, to: tooltipLimit)): \(description)"
                let ends = [finite(point.low), finite(point.high), finite(point.estimate)].compactMap { $0 }
                if let lowest = ends.min(), let highest = ends.max(), lowest < highest,
                    finite(point.low) != nil || finite(point.high) != nil
                {
                    let top = coordinate(y(highest))
                    let bottom = coordinate(y(lowest))
                    let capLeft = coordinate(pointX - 4)
                    let capRight = coordinate(pointX + 4)
                    let middle = coordinate(pointX)
                    writer.element(
                        "path",
                        [
                            ("class", "chart-whisker"),
                            ("d", "M\(capLeft) \(top)H\(capRight)M\(middle) \(top)V\(bottom)M\(capLeft) \(bottom)H\(capRight)"),
                            ("fill", "none"), ("stroke", color), ("stroke-width", "1.5"), ("opacity", "0.7"),
                        ],
                        tooltip: tooltip)
                }
                if let estimate = finite(point.estimate) {
                    writer.element(
                        "circle",
                        [
                            ("class", "chart-point"), ("cx", coordinate(pointX)), ("cy", coordinate(y(estimate))), ("r", "4"),
                            ("fill", color),
                        ],
                        tooltip: tooltip)
                }
            }
            writer.close("g")
        }
        return document(kind: kind, title: title, width: width, height: height, body: writer.lines)
    }
}
