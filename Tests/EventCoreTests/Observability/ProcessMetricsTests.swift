import Testing

@testable import EventCore

@Suite struct ProcessMetricsTests {
    @Test func exportsTheStandardProcessMetricsBuildInfoAndDroppedLogLines() {
        let registry = MetricsRegistry()
        registry.registerProcessMetrics()
        let text = registry.render()
        for (name, type) in [
            ("process_cpu_seconds_total", "counter"), ("process_resident_memory_bytes", "gauge"),
            ("process_virtual_memory_bytes", "gauge"), ("process_open_fds", "gauge"), ("process_max_fds", "gauge"),
            ("process_start_time_seconds", "gauge"), ("process_threads", "gauge"), ("eventgrpc_build_info", "gauge"),
            ("eventgrpc_log_lines_dropped_total", "counter"),
        ] {
            #expect(text.contains("# TYPE \(name) \(type)\n"), "\(name)")
            #expect(text.contains("\n\(name) ") || text.contains("\n\(name){"), "\(name) has a sample")
        }
        #expect(
            text.contains(
                "eventgrpc_build_info{revision=\"\(BuildInfo.revision)\",version=\"\(BuildInfo.version)\"} 1\n"
            )
        )
    }

    @Test func computedValuesRenderInfinityAndSkipMissingReadings() {
        let registry = MetricsRegistry()
        registry.computedGauge("a_limit", help: "A.") { .infinity }
        registry.computedGauge("b_missing", help: "B.") { nil }
        registry.computedCounter("c_seconds_total", help: "C.") { 1.25 }
        #expect(
            registry.render()
                == """
                # HELP a_limit A.
                # TYPE a_limit gauge
                a_limit +Inf
                # HELP b_missing B.
                # TYPE b_missing gauge
                # HELP c_seconds_total C.
                # TYPE c_seconds_total counter
                c_seconds_total 1.25

                """
        )
    }
}
