import CofferTesting
import Testing

/// The strict exposition-format parser the metrics tests rely on refuses what Prometheus would.
@Suite struct PrometheusTextParserTests {
    @Test func acceptsFamiliesHistogramsAndEscapes() throws {
        let text = """
            # HELP requests_total Requests.
            # TYPE requests_total counter
            requests_total{path="a\\\\b",quote="say \\"hi\\"",nl="x\\ny"} 3
            requests_total{path="c"} 1 1700000000000
            # TYPE latency histogram
            latency_bucket{le="0.5"} 1
            latency_bucket{le="+Inf"} 2
            latency_sum 0.75
            latency_count 2
            # TYPE up gauge
            up +Inf

            """
        let exposition = try PrometheusTextParser.parse(text)
        #expect(exposition.value("requests_total") == 4)
        #expect(exposition.matching("requests_total", ["path": "a\\b"]).first?.labels["quote"] == "say \"hi\"")
        #expect(exposition.matching("requests_total", ["path": "a\\b"]).first?.labels["nl"] == "x\ny")
        #expect(exposition.value("latency_count") == 2)
        #expect(exposition.value("up") == .infinity)
    }

    @Test(arguments: [
        "requests_total 1\n",  // no TYPE
        "# TYPE a counter\na 1\na 2\n",  // duplicate series
        "# TYPE a counter\na{x=\"\\t\"} 1\n",  // bad escape
        "# TYPE a counter\na{x=\"1\",x=\"2\"} 1\n",  // label twice
        "# TYPE a counter\na one\n",  // not a number
        "# TYPE a counter\n# TYPE a gauge\n",  // declared twice
        "# TYPE h histogram\nh_bucket 1\n",  // bucket without le
        "# TYPE a counter\na 1",  // no final newline
        "# TYPE a counter\n\na 1\n",  // empty line
        "# TYPE a counter\n1a 1\n",  // bad name
        "# TYPE a widget\n",  // unknown type
        "# TYPE a counter\na 1\n# TYPE a counter\n",  // TYPE after samples
    ])
    func refusesMalformedText(_ text: String) {
        #expect(throws: PrometheusTextParser.Failure.self) { try PrometheusTextParser.parse(text) }
    }
}
