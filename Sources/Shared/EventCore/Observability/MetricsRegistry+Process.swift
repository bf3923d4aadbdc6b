extension MetricsRegistry {
    /// What every process of the project exports besides its own metrics: the standard `process_*` metrics read
    /// from `/proc/self` at each scrape (as the Prometheus client libraries name them),
    /// `eventgrpc_build_info{version,revision} 1`, `eventgrpc_deadline_timers_armed`, and `eventgrpc_log_lines_dropped_total` (log lines standard
    /// error refused).
    public func registerProcessMetrics() {
        computedCounter("process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.") {
            ProcessStatistics.read()?.cpuSeconds
        }
        computedGauge("process_resident_memory_bytes", help: "Resident memory size in bytes.") {
            ProcessStatistics.read()?.residentMemoryBytes
        }
        computedGauge("process_virtual_memory_bytes", help: "Virtual memory size in bytes.") {
            ProcessStatistics.read()?.virtualMemoryBytes
        }
        computedGauge(
            "process_start_time_seconds",
            help: "Start time of the process since unix epoch in seconds."
        ) { ProcessStatistics.read()?.startTimeSeconds }
        computedGauge("process_threads", help: "Number of OS threads in the process.") {
            ProcessStatistics.read()?.threads
        }
        computedGauge("process_open_fds", help: "Number of open file descriptors.") {
            ProcessStatistics.openDescriptors()
        }
        computedGauge("process_max_fds", help: "Maximum number of open file descriptors.") {
            ProcessStatistics.maxDescriptors()
        }
        computedGauge(
            "eventgrpc_build_info",
            help: "Always 1; the labels give the version and git revision the binary was built from.",
            labels: ["version": BuildInfo.version, "revision": BuildInfo.revision]
        ) { 1 }
        gauge(
            "eventgrpc_deadline_timers_armed",
            help: "Deadline timers (withDeadline: grpc-timeout, admission and queue waits) armed now; each is "
                + "cancelled when its call ends, so this falls back to 0 when the process is idle."
        ) { CancellableSleeper.armed }
        computedCounter(
            "eventgrpc_log_lines_dropped_total",
            help: "Log lines standard error refused (full disk, closed pipe); the process goes on without them."
        ) { Double(Logger.droppedLines) }
    }
}
