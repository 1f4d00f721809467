import Foundation
import Testing

@testable import PromptLabWeb

#if canImport(FoundationXML)
    import FoundationXML
#endif

// MARK: - Reading charts back

/// A chart parsed back with XMLParser: every element in document order with its attributes and
/// its own text (a `<title>` child's text belongs to the title, not to its parent).
private final class ParsedSVG: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
    }

    private(set) var elements: [Element] = []
    private var open: [Int] = []

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        open.append(elements.count)
        elements.append(Element(name: elementName, attributes: attributes, text: ""))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        _ = open.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let index = open.last {
            elements[index].text += string
        }
    }

    /// The elements whose `class` attribute lists `name`.
    func elements(withClass name: String) -> [Element] {
        elements.filter { ($0.attributes["class"] ?? "").split(separator: " ").contains { $0 == name } }
    }

    /// The root's viewBox as (width, height).
    var size: (width: Double, height: Double)? {
        guard let viewBox = elements.first?.attributes["viewBox"] else { return nil }
        let parts = viewBox.split(separator: " ").compactMap { Double($0) }
        return parts.count == 4 ? (parts[2], parts[3]) : nil
    }
}

/// Parses `svg`, recording an issue (and returning nil) when it is not well-formed XML.
private func parse(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> ParsedSVG? {
    let tree = ParsedSVG()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = tree
    let parsed = parser.parse()
    #expect(parsed, "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "?")", sourceLocation: sourceLocation)
    return parsed ? tree : nil
}

private let allowedElements: Set<String> = ["svg", "title", "g", "line", "rect", "circle", "text", "path", "polyline", "desc", "tspan"]

/// Checks the rules every chart keeps: well-formed, the chart root, only allowed elements, no
/// script hooks, links or inline styles. Returns the parsed chart for further checks.
@discardableResult
private func expectSafeChart(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) -> ParsedSVG? {
    #expect(
        svg.hasPrefix("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "), sourceLocation: sourceLocation)
    let lowered = svg.lowercased()
    for forbidden in ["<script", "<img", "</textarea", "<foreignobject", "<a ", "<style", "<use"] {
        #expect(!lowered.contains(forbidden), "raw \(forbidden) in chart", sourceLocation: sourceLocation)
    }
    guard let tree = parse(svg, sourceLocation: sourceLocation) else { return nil }
    #expect(tree.elements.first?.name == "svg", sourceLocation: sourceLocation)
    #expect(tree.elements.dropFirst().first?.name == "title", sourceLocation: sourceLocation)
    let labelledBy = tree.elements.first?.attributes["aria-labelledby"]
    #expect(labelledBy != nil && labelledBy == tree.elements.dropFirst().first?.attributes["id"], sourceLocation: sourceLocation)
    for element in tree.elements {
        #expect(allowedElements.contains(element.name), "element <\(element.name)>", sourceLocation: sourceLocation)
        for (name, value) in element.attributes {
            let name = name.lowercased()
            #expect(!name.hasPrefix("on"), "attribute \(name)", sourceLocation: sourceLocation)
            #expect(!name.contains("href"), "attribute \(name)", sourceLocation: sourceLocation)
            #expect(name != "style", "style attribute", sourceLocation: sourceLocation)
            #expect(!value.lowercased().contains("javascript:"), "attribute \(name)=\(value)", sourceLocation: sourceLocation)
        }
    }
    return tree
}

/// One chart of every kind, each showing `label` as title, row label, series name and marker name.
private func everyChart(label: String) -> [String] {
    [
        SVGCharts.intervals(
            title: label,
            rows: [
                .init(label: label, estimate: 0.7, low: 0.6, high: 0.8, emphasized: true),
                .init(label: "b", estimate: nil),
            ],
            format: .percent, domain: 0...1),
        SVGCharts.intervals(
            title: label, rows: [.init(label: label, estimate: -0.05, low: -0.1, high: 0.02)], format: .percent, referenceLine: 0),
        SVGCharts.bars(
            title: label, rows: [.init(label: label, value: 120, marker: 300), .init(label: "x", value: nil)], format: .milliseconds,
            markerName: label),
        SVGCharts.confusionMatrix(title: label, labels: [label, "other"], counts: [[3, 1], [0, 4]]),
        SVGCharts.history(
            title: label,
            series: [(name: label, points: [.init(label: label, estimate: 0.5, low: 0.4, high: 0.6), .init(label: "v2", estimate: 0.6)])],
            format: .percent),
    ]
}

private let tickDomains: [(Double, Double)] = [
    (0, 1), (-0.3, 0.1), (0.05, 0.61), (0.11, 0.19), (0, 7), (3, 3), (-1e300, 1e300), (0, 1e-9), (1e15, 1e15 + 3), (123.4, 98_765.4),
    (-5e-7, 2e-7), (0.999, 1.001), (0, 0), (-2, -2), (-.greatestFiniteMagnitude, .greatestFiniteMagnitude),
]

private let hostileLabels = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "</textarea>",
    "javascript:alert(1)",
    "' onmouseover='alert(1)",
    "]]><![CDATA[<script>",
    "&amp; &lt; &#x3C;",
]

// MARK: - Safety

@Suite("SVG charts")
struct SVGChartsTests {
    @Test("hostile labels appear only escaped and add no element or attribute", arguments: hostileLabels)
    func hostileLabelsStayText(label: String) throws {
        for svg in everyChart(label: label) {
            let tree = try #require(expectSafeChart(svg))
            // The parsed text gives back the label exactly: it was escaped, not dropped or mangled.
            #expect(tree.elements.contains { $0.name == "title" && $0.text.contains(label) })
            #expect(svg.contains(SVGCharts.escape(label)))
        }
    }

    @Test("any Unicode label parses: empty, emoji, control characters, right-to-left, very long")
    func unicodeLabels() throws {
        let labels = [
            "", " ", "👩‍👩‍👧‍👦 family", "é\u{301}\u{301}\u{301}", "\u{0}\u{1}\u{8}\u{1B}[31m\u{FFFE}\u{FFFF}", "שלום עולם", "line\nbreak\r\ttab",
            String(repeating: "a", count: 10_000), String(repeating: "\u{301}", count: 5_000), "\u{10FFFF}",
        ]
        for label in labels {
            for svg in everyChart(label: label) {
                try #require(expectSafeChart(svg) != nil)
            }
        }
    }

    @Test("long labels are cut with an ellipsis for display and kept in the tooltip")
    func longLabelsAreTruncated() throws {
        let label = String(repeating: "x", count: 10_000)
        let svg = SVGCharts.intervals(title: "t", rows: [.init(label: label, estimate: 0.5)], format: .percent)
        let tree = try #require(expectSafeChart(svg))
        let shown = try #require(tree.elements(withClass: "chart-label").first)
        #expect(shown.text.hasSuffix("…"))
        #expect(shown.text.count == SVGCharts.RowLayout.labelCharacters)
        let tooltip = try #require(tree.elements.first { $0.name == "title" && $0.text.hasPrefix("xxxx") })
        #expect(tooltip.text.count == SVGCharts.tooltipLimit)
        #expect(SVGCharts.truncated("short", to: 24) == "short")
        #expect(SVGCharts.truncated("abcdef", to: 4) == "abc…")
        #expect(SVGCharts.truncated("👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦", to: 3) == "👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦")
        // One character stacked with thousands of combining marks stays short too.
        let stacked = "e" + String(repeating: "\u{301}", count: 5_000)
        #expect(SVGCharts.truncated(stacked, to: 10).unicodeScalars.count <= 80)
    }

    @Test("escape covers the five XML specials and replaces characters XML forbids")
    func escaping() {
        #expect(SVGCharts.escape("a & b < c > d \" e ' f") == "a &amp; b &lt; c &gt; d &quot; e &#39; f")
        #expect(SVGCharts.escape("\u{0}x\u{FFFF}") == "\u{FFFD}x\u{FFFD}")
        #expect(SVGCharts.escape("tab\tnew\nline") == "tab\tnew\nline")
        #expect(SVGCharts.escape("😀 ü") == "😀 ü")
    }

    // MARK: - Odd numbers

    @Test("NaN, infinities, nil, huge and negative values never trap and still parse")
    func oddNumbers() throws {
        let odd: [Double?] = [
            nil, .nan, .infinity, -.infinity, 1e300, -1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0, -0.0,
            .leastNonzeroMagnitude,
        ]
        for first in odd {
            for second in odd {
                let rows = [
                    SVGCharts.IntervalRow(label: "a", estimate: first, low: second, high: first),
                    SVGCharts.IntervalRow(label: "b", estimate: second, low: nil, high: first, emphasized: true),
                ]
                try #require(expectSafeChart(SVGCharts.intervals(title: "t", rows: rows, format: .percent)) != nil)
                try #require(expectSafeChart(SVGCharts.intervals(title: "t", rows: rows, format: .dollars, referenceLine: first)) != nil)
                try #require(
                    expectSafeChart(
                        SVGCharts.intervals(title: "t", rows: rows, format: .number(digits: 3), domain: -.infinity...(.infinity)))
                        != nil)
                let bars = [SVGCharts.BarRow(label: "a", value: first, marker: second), .init(label: "b", value: second)]
                try #require(expectSafeChart(SVGCharts.bars(title: "t", rows: bars, format: .milliseconds, markerName: "p95")) != nil)
                let points = [
                    SVGCharts.HistoryPoint(label: "1", estimate: first, low: second, high: first), .init(label: "2", estimate: second),
                ]
                try #require(expectSafeChart(SVGCharts.history(title: "t", series: [(name: "s", points: points)], format: .percent)) != nil)
            }
        }
        let extremes = [[Int.max, Int.min], [0, -5]]
        try #require(expectSafeChart(SVGCharts.confusionMatrix(title: "t", labels: ["a", "b"], counts: extremes)) != nil)
    }

    @Test("empty input gives a small chart saying no data")
    func emptyInput() throws {
        let charts = [
            SVGCharts.intervals(title: "Pass rate", rows: [], format: .percent),
            SVGCharts.bars(title: "Cost", rows: [], format: .dollars),
            SVGCharts.confusionMatrix(title: "Labels", labels: [], counts: [[1]]),
            SVGCharts.history(title: "History", series: [], format: .percent),
            SVGCharts.history(title: "History", series: [(name: "a", points: [])], format: .percent),
        ]
        for svg in charts {
            let tree = try #require(expectSafeChart(svg))
            #expect(tree.elements(withClass: "chart-missing").map(\.text) == ["no data"])
        }
        let missingRow = SVGCharts.intervals(title: "t", rows: [.init(label: "a", estimate: .nan)], format: .percent)
        let tree = try #require(expectSafeChart(missingRow))
        #expect(tree.elements(withClass: "chart-missing").map(\.text) == ["no data"])
        #expect(tree.elements(withClass: "chart-point").isEmpty)
    }

    // MARK: - Layout

    @Test("height grows with the number of rows")
    func heightGrows() throws {
        func height(_ count: Int) throws -> Double {
            let rows = (0..<count).map { SVGCharts.IntervalRow(label: "v\($0)", estimate: 0.5) }
            return try #require(parse(SVGCharts.intervals(title: "t", rows: rows, format: .percent))?.size?.height)
        }
        let one = try height(1)
        let five = try height(5)
        #expect(five - one == 4 * SVGCharts.RowLayout.rowHeight)
    }

    @Test("the forest plot draws its reference line at the right x", arguments: [(-0.5, 0.5, 0.5), (-0.1, 0.3, 0.25), (-1.0, 0.0, 1.0)])
    func referenceLine(lower: Double, upper: Double, fraction: Double) throws {
        let rows = [SVGCharts.IntervalRow(label: "B − A", estimate: -0.02, low: -0.08, high: 0.04, emphasized: true)]
        let svg = SVGCharts.intervals(title: "Difference", rows: rows, format: .percent, domain: lower...upper, referenceLine: 0)
        let tree = try #require(expectSafeChart(svg))
        let line = try #require(tree.elements(withClass: "chart-ref").first)
        let expected = SVGCharts.RowLayout.plotLeft + fraction * (SVGCharts.RowLayout.plotRight - SVGCharts.RowLayout.plotLeft)
        #expect(Double(line.attributes["x1"] ?? "") == expected)
        #expect(line.attributes["x1"] == line.attributes["x2"])
    }

    @Test("a reference line outside a given domain is not drawn; a computed domain includes it")
    func referenceLineDomain() throws {
        let rows = [SVGCharts.IntervalRow(label: "a", estimate: 0.4, low: 0.3, high: 0.5)]
        let outside = try #require(
            parse(SVGCharts.intervals(title: "t", rows: rows, format: .percent, domain: 0.2...0.6, referenceLine: 0)))
        #expect(outside.elements(withClass: "chart-ref").isEmpty)
        let computed = try #require(parse(SVGCharts.intervals(title: "t", rows: rows, format: .percent, referenceLine: 0)))
        let line = try #require(computed.elements(withClass: "chart-ref").first)
        #expect(Double(line.attributes["x1"] ?? "") == SVGCharts.RowLayout.plotLeft)
    }

    @Test("points, whiskers and tooltips carry label, estimate and interval")
    func intervalContent() throws {
        let rows = [
            SVGCharts.IntervalRow(label: "control", estimate: 0.734, low: 0.65, high: 0.801, emphasized: true),
            SVGCharts.IntervalRow(label: "candidate", estimate: 0.5, low: 0.6, high: 0.4),
        ]
        let tree = try #require(expectSafeChart(SVGCharts.intervals(title: "Pass rate", rows: rows, format: .percent, domain: 0...1)))
        let points = tree.elements(withClass: "chart-point")
        #expect(points.count == 2)
        #expect(points.first?.attributes["class"] == "chart-point emphasized")
        let pointX = try #require(Double(points.first?.attributes["cx"] ?? ""))
        let expectedX: Double = 180 + 0.734 * 360
        #expect(abs(pointX - expectedX) <= 0.05)
        #expect(tree.elements(withClass: "chart-whisker").count == 2)
        let titles = tree.elements.filter { $0.name == "title" }.map(\.text)
        #expect(titles.contains("control: 73.4% [65.0%, 80.1%]"))
        #expect(titles.contains("candidate: 50.0% [40.0%, 60.0%]"))  // a reversed interval is read low to high
        #expect(!tree.elements(withClass: "chart-axis").isEmpty)
        let tickTexts = tree.elements.filter { $0.name == "text" && $0.attributes["text-anchor"] == "middle" }.map(\.text)
        #expect(tickTexts == ["0%", "20%", "40%", "60%", "80%", "100%"])
    }

    @Test("bars start at the zero baseline, negative ones to its left")
    func barsBaseline() throws {
        let rows = [
            SVGCharts.BarRow(label: "cheap", value: 3, marker: 5),
            SVGCharts.BarRow(label: "refund", value: -2),
        ]
        let tree = try #require(expectSafeChart(SVGCharts.bars(title: "Cost", rows: rows, format: .dollars, markerName: "p95")))
        let baseline = try #require(Double(tree.elements(withClass: "chart-baseline").first?.attributes["x1"] ?? ""))
        let bars = tree.elements(withClass: "chart-bar")
        #expect(bars.count == 2)
        let positive = try #require(bars.first)
        let negative = try #require(bars.last)
        #expect(Double(positive.attributes["x"] ?? "") == baseline)
        let negativeX = try #require(Double(negative.attributes["x"] ?? ""))
        let negativeWidth = try #require(Double(negative.attributes["width"] ?? ""))
        #expect(negativeX < baseline)
        #expect(abs(negativeX + negativeWidth - baseline) < 0.11)
        // One marker in the legend, one on the row.
        #expect(tree.elements(withClass: "chart-marker").count == 2)
        #expect(tree.elements.contains { $0.name == "text" && $0.text == "p95" })
        #expect(tree.elements.contains { $0.name == "title" && $0.text == "cheap: $3.00 · p95 $5.00" })
    }

    @Test("the confusion matrix tolerates ragged counts and caps its size")
    func confusionMatrix() throws {
        let tree = try #require(
            expectSafeChart(SVGCharts.confusionMatrix(title: "Labels", labels: ["yes", "no", "maybe"], counts: [[5], [1, 7, 2, 99], []])))
        let cells = tree.elements.filter { $0.name == "rect" && $0.attributes["class"] == "chart-cell" }
        #expect(cells.count == 9)
        let counts = tree.elements.filter { $0.name == "text" && $0.attributes["class"] == nil && Int($0.text) != nil }.map(\.text)
        #expect(counts == ["5", "0", "0", "1", "7", "2", "0", "0", "0"])
        #expect(tree.elements.contains { $0.name == "title" && $0.text == "expected no, predicted maybe: 2" })
        #expect(tree.elements(withClass: "diagonal").count == 3)

        let many = (0..<55).map { "label \($0)" }
        let big = try #require(expectSafeChart(SVGCharts.confusionMatrix(title: "Many", labels: many, counts: [])))
        #expect(big.elements.filter { $0.name == "rect" }.count == 40 * 40)
        #expect(big.elements(withClass: "chart-note").first?.text == "showing the first 40 of 55 labels")
    }

    @Test("history lines break at missing runs and follow first-appearance order")
    func historySeries() throws {
        let control: [SVGCharts.HistoryPoint] = [
            .init(label: "v1 · 11-30", estimate: 0.6, low: 0.5, high: 0.7),
            .init(label: "v2 · 12-01", estimate: .nan),
            .init(label: "v3 · 12-02", estimate: 0.7, low: 0.6, high: 0.8),
            .init(label: "v4 · 12-03", estimate: 0.72),
        ]
        let candidate: [SVGCharts.HistoryPoint] = [
            .init(label: "v3 · 12-02", estimate: 0.75, low: 0.65, high: 0.85),
            .init(label: "v5 · 12-04", estimate: 0.8, low: 0.7, high: 0.9),
        ]
        let svg = SVGCharts.history(
            title: "Pass rate", series: [(name: "control", points: control), (name: "candidate", points: candidate)], format: .percent,
            domain: 0...1)
        let tree = try #require(expectSafeChart(svg))
        #expect(tree.elements.filter { $0.name == "polyline" }.count == 2)  // control's second segment, and candidate
        #expect(tree.elements(withClass: "chart-point").count == 5)
        #expect(tree.elements(withClass: "chart-whisker").count == 4)
        let runLabels = tree.elements(withClass: "chart-label").map(\.text)
        #expect(runLabels == ["v1 · 11-30", "v2 · 12-01", "v3 · 12-02", "v4 · 12-03", "v5 · 12-04"])
        #expect(tree.elements.contains { $0.name == "title" && $0.text == "candidate · v3 · 12-02: 75.0% [65.0%, 85.0%]" })
    }

    // MARK: - Determinism and ids

    @Test("the same input gives the same string; different charts get different ids")
    func determinism() throws {
        let first = everyChart(label: "same")
        let second = everyChart(label: "same")
        #expect(first == second)
        let ids = first.compactMap { parse($0)?.elements.dropFirst().first?.attributes["id"] }
        #expect(Set(ids).count == first.count)
        let other = SVGCharts.intervals(title: "same", rows: [.init(label: "same", estimate: 0.71)], format: .percent)
        let another = SVGCharts.intervals(title: "same", rows: [.init(label: "same", estimate: 0.72)], format: .percent)
        #expect(
            parse(other)?.elements.first?.attributes["aria-labelledby"] != parse(another)?.elements.first?.attributes["aria-labelledby"])
    }

    // MARK: - Axis

    @Test("ticks of a given domain fall on round steps inside it")
    func givenDomainTicks() {
        let unit = ChartAxis.make(domain: 0...1, values: [])
        #expect(unit.lower == 0 && unit.upper == 1)
        expectClose(unit.ticks, [0, 0.2, 0.4, 0.6, 0.8, 1])

        let forest = ChartAxis.make(domain: -0.3...0.1, values: [])
        #expect(forest.ticks.contains(0))
        expectClose(forest.ticks, [-0.3, -0.2, -0.1, 0, 0.1])

        let latency = ChartAxis.make(domain: 0...1000, values: [])
        expectClose(latency.ticks, [0, 200, 400, 600, 800, 1000])
    }

    @Test("computed domains are padded, extended to ticks and include every value")
    func computedDomainTicks() {
        let rates = ChartAxis.make(domain: nil, values: [0.62, 0.71, 0.8])
        #expect(rates.lower <= 0.62 && rates.upper >= 0.8)
        #expect(rates.lower >= 0.5 && rates.upper <= 0.9)
        #expect(rates.ticks.first == rates.lower && rates.ticks.last == rates.upper)

        let differences = ChartAxis.make(domain: nil, values: [-0.12, 0.03, 0])
        #expect(differences.ticks.contains(0))
        #expect(differences.lower <= -0.12 && differences.upper >= 0.03)

        // Non-negative values never get a negative axis.
        #expect(ChartAxis.make(domain: nil, values: [0, 0.001]).lower == 0)
        // Nothing finite: the unit interval.
        #expect(ChartAxis.make(domain: nil, values: [.nan, .infinity]).lower == 0)
        #expect(ChartAxis.make(domain: nil, values: []).upper == 1)
    }

    @Test("every domain gets 3 to 6 ticks at 1, 2 or 5 (or 2.5) × 10^k", arguments: tickDomains)
    func tickCounts(lower: Double, upper: Double) {
        for axis in [ChartAxis.make(domain: lower...upper, values: []), ChartAxis.make(domain: nil, values: [lower, upper])] {
            #expect(axis.lower < axis.upper)
            #expect((3...6).contains(axis.ticks.count), "\(axis)")
            #expect(axis.ticks.allSatisfy { $0.isFinite && $0 >= axis.lower - axis.step * 1e-6 && $0 <= axis.upper + axis.step * 1e-6 })
            let exponent = log10(axis.step).rounded(.down)
            let mantissa = axis.step / pow(10, exponent)
            #expect([1, 2, 2.5, 5, 10].contains { abs(mantissa - $0) < 1e-6 }, "step \(axis.step)")
        }
    }

    @Test("a domain with equal bounds is widened")
    func widenedDomain() {
        let axis = ChartAxis.make(domain: 0.5...0.5, values: [])
        #expect(axis.lower < 0.5 && axis.upper > 0.5)
        let zero = ChartAxis.make(domain: 0...0, values: [])
        #expect(zero.lower < 0 && zero.upper > 0)
    }

    // MARK: - Formatting

    @Test("formatted writes each format without locale")
    func formatting() {
        #expect(SVGCharts.formatted(0.734, .percent) == "73.4%")
        #expect(SVGCharts.formatted(1, .percent) == "100.0%")
        #expect(SVGCharts.formatted(-0.0001, .percent) == "0.0%")
        #expect(SVGCharts.formatted(-0.052, .percent) == "-5.2%")
        #expect(SVGCharts.formatted(3.14159, .number(digits: 2)) == "3.14")
        #expect(SVGCharts.formatted(3.14159, .number(digits: -3)) == "3")
        #expect(SVGCharts.formatted(2, .number(digits: 0)) == "2")
        #expect(SVGCharts.formatted(0.0123, .dollars) == "$0.0123")
        #expect(SVGCharts.formatted(12.5, .dollars) == "$12.50")
        #expect(SVGCharts.formatted(0, .dollars) == "$0.0000")
        #expect(SVGCharts.formatted(-0.5, .dollars) == "-$0.5000")
        #expect(SVGCharts.formatted(0.000_012_34, .dollars) == "$0.0000123")
        #expect(SVGCharts.formatted(123.4, .milliseconds) == "123 ms")
        #expect(SVGCharts.formatted(999.4, .milliseconds) == "999 ms")
        #expect(SVGCharts.formatted(1234, .milliseconds) == "1.2 s")
        for missing: Double? in [nil, .nan, .infinity, -.infinity] {
            for format in [SVGCharts.ValueFormat.percent, .number(digits: 2), .dollars, .milliseconds] {
                #expect(SVGCharts.formatted(missing, format) == "–")
            }
        }
        #expect(SVGCharts.formatted(1e300, .number(digits: 2)) == "1.000e+300")
        #expect(SVGCharts.formatted(1e300, .milliseconds) == "1.000e+297 s")
        #expect(SVGCharts.formatted(.greatestFiniteMagnitude, .percent) == "–")  // × 100 overflows
        #expect(SVGCharts.formatted(.leastNonzeroMagnitude, .dollars) == "$0.000000000000")
    }

    @Test("tick labels keep just enough decimals")
    func tickLabels() {
        #expect(SVGCharts.tickLabel(0.2, step: 0.2, format: .percent) == "20%")
        #expect(SVGCharts.tickLabel(0.025, step: 0.025, format: .percent) == "2.5%")
        #expect(SVGCharts.tickLabel(0.5, step: 0.5, format: .number(digits: 0)) == "0.5")
        #expect(SVGCharts.tickLabel(400, step: 200, format: .milliseconds) == "400 ms")
    }

    @Test("coordinates are written with one decimal, without locale or negative zero")
    func coordinates() {
        #expect(SVGCharts.coordinate(180) == "180")
        #expect(SVGCharts.coordinate(180.25) == "180.2" || SVGCharts.coordinate(180.25) == "180.3")
        #expect(SVGCharts.coordinate(-0.01) == "0")
        #expect(SVGCharts.coordinate(.nan) == "0")
        #expect(SVGCharts.coordinate(1e300) == "1000000")
    }
}

private func expectClose(_ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "\(actual)", sourceLocation: sourceLocation)
    for (value, wanted) in zip(actual, expected) {
        #expect(abs(value - wanted) < 1e-9, "\(actual)", sourceLocation: sourceLocation)
    }
}
