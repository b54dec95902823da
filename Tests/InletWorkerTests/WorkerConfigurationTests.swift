import Inlet
import InletWorker
import Testing

@Suite struct WorkerConfigurationTests {
    let required = [
        "DATABASE_URL": "postgres://localhost/inlet", "INLET_SECRET_KEY": SecretKey.generate().unredactedBase64,
    ]

    @Test func defaultsApplyWhenOnlyTheRequiredVariablesAreSet() throws {
        let configuration = try WorkerConfiguration(environment: required)
        #expect(configuration.concurrency == 64)
        #expect(configuration.batchSize == WorkerConfiguration.defaultBatchSize)
        #expect(configuration.leaseSeconds == 30)
        #expect(configuration.pollInterval == .seconds(1))
        #expect(configuration.shutdownGrace == .seconds(25))
        #expect(configuration.retentionDays == 7)
        #expect(configuration.allowPrivateTargets == false)
        #expect(configuration.logLevel == .info)
        #expect(configuration.workerID.hasSuffix("-\(getpid())"))
        #expect(configuration.heartbeatInterval == .seconds(10))
    }

    @Test func valuesAreRead() throws {
        var environment = required
        environment["INLET_WORKER_CONCURRENCY"] = "8"
        environment["INLET_WORKER_BATCH_SIZE"] = "250"
        environment["INLET_WORKER_ID"] = "blue-1"
        environment["INLET_WORKER_POLL_INTERVAL_MS"] = "250"
        environment["INLET_ALLOW_PRIVATE_TARGETS"] = "true"
        environment["INLET_LOG_LEVEL"] = "DEBUG"
        let configuration = try WorkerConfiguration(environment: environment)
        #expect(configuration.concurrency == 8)
        #expect(configuration.batchSize == 250)
        #expect(configuration.workerID == "blue-1")
        #expect(configuration.pollInterval == .milliseconds(250))
        #expect(configuration.allowPrivateTargets)
        #expect(configuration.logLevel == .debug)
    }

    @Test(arguments: [
        ("INLET_WORKER_CONCURRENCY", "lots"), ("INLET_WORKER_CONCURRENCY", "0"), ("INLET_WORKER_BATCH_SIZE", "-5"),
        ("INLET_WORKER_LEASE_SECONDS", "1.5"), ("INLET_WORKER_POLL_INTERVAL_MS", "5"),
        ("INLET_WORKER_SHUTDOWN_GRACE_SECONDS", "forever"), ("INLET_RETENTION_DAYS", "0"),
        ("INLET_ALLOW_PRIVATE_TARGETS", "maybe"), ("INLET_DATABASE_POOL_SIZE", "1"), ("INLET_LOG_LEVEL", "loud"),
        ("INLET_SECRET_KEY", "too-short"), ("DATABASE_URL", ""),
    ])
    func aBadValueNamesItsVariable(variable: String, value: String) {
        var environment = required
        environment[variable] = value
        #expect {
            try WorkerConfiguration(environment: environment)
        } throws: { error in
            guard let error = error as? WorkerConfigurationError else { return false }
            return error.variable == variable && error.description.hasPrefix("\(variable): ")
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
