import Foundation
import Testing

/// The `inlet` command-line client, run as a process against the real `inlet-server` and `inlet-worker`.
@Suite(.serialized) struct CLITests {
    @Test func createDispatchAndSeeTheRunSucceed() async throws {
        let receiver = HookReceiver()
        try await receiver.serve { hook in
            try await InletStack.with(worker: true) { stack in
                let cli = CLI(stack: stack)
                let source = try await cli.succeed("sources", "create", "--name", "orders", "--json").object()
                let sourceID = try #require(source["id"] as? String)
                let job = try await cli.succeed("jobs", "create", "--name", "hook", "--target-url", hook, "--json")
                    .object()
                let jobID = try #require(job["id"] as? String)
                #expect((job["signing_secret"] as? String)?.hasPrefix("whsec_") == true)
                let subscription = try await cli.succeed(
                    "subscriptions", "create", "--source", sourceID, "--job", jobID, "--filter",
                    #"{"type": ["order.created"]}"#, "--json"
                ).object()
                let subscriptionID = try #require(subscription["id"] as? String)

                // Tables for people, with the rows just made.
                let sources = try await cli.succeed("sources", "list").output
                #expect(sources.hasPrefix("ID") && sources.contains("NAME") && sources.contains("orders"))
                let subscriptions = try await cli.succeed("subscriptions", "list", "--source", sourceID).output
                #expect(
                    subscriptions.contains(subscriptionID) && subscriptions.contains(#"{"type":["order.created"]}"#))
                #expect(try await cli.succeed("jobs", "get", jobID).output.contains("hook"))
                let listed = try await cli.succeed("jobs", "list", "--json").json() as? [[String: Any]]
                #expect(listed?.compactMap { $0["id"] as? String } == [jobID])

                let dispatched = try await cli.succeed(
                    "events", "dispatch", "--source", "orders", "--payload", #"{"type": "order.created", "n": 7}"#,
                    "--json"
                ).object()
                #expect(dispatched["dispatched"] as? Int == 1)
                let eventID = try #require(dispatched["event_id"] as? String)
                let event = try await cli.succeed("events", "get", eventID, "--json").object()
                #expect((event["payload"] as? [String: Any])?["n"] as? Int == 7)
                #expect(try await cli.succeed("events", "list").output.contains(eventID))

                var runs: [[String: Any]] = []
                try await waitUntil("the run succeeded") {
                    runs =
                        try await cli.succeed("runs", "list", "--event", eventID, "--json").json() as? [[String: Any]]
                        ?? []
                    return runs.first?["status"] as? String == "succeeded"
                }
                let runID = try #require(runs.first?["id"] as? String)
                // --json is the API's own JSON: members that are null are there too.
                let runJSON = try await cli.succeed("runs", "get", runID, "--json").object()
                #expect(runJSON["last_error"] is NSNull && runJSON["status"] as? String == "succeeded")
                let run = try await cli.succeed("runs", "get", runID).output
                #expect(run.contains("succeeded") && run.contains("ATTEMPT"))
                #expect(receiver.deliveries == 1)

                // A run that succeeded cannot be cancelled: the API's 409, and a failed command.
                let cancel = try await cli.run("runs", "cancel", runID)
                #expect(cancel.status != 0)
                #expect(cancel.errors.contains("conflict (HTTP 409)"), "\(cancel.errors)")

                let replay = try await cli.succeed("events", "replay", eventID, "--dry-run", "--json").object()
                #expect(replay["dry_run"] as? Bool == true)
            }
        }
    }

    @Test func errorsNameTheAPIsCodeAndFail() async throws {
        try await InletStack.with { stack in
            let cli = CLI(stack: stack)
            let unauthorized = try await cli.run("sources", "list", "--api-key", "inl_wrong")
            #expect(unauthorized.status != 0)
            #expect(unauthorized.errors.contains("unauthorized (HTTP 401)"), "\(unauthorized.errors)")
            #expect(unauthorized.output.isEmpty)

            let invalid = try await cli.run("sources", "create", "--name", "bad", "--schema", #"{"type": 12}"#)
            #expect(invalid.status != 0)
            #expect(invalid.errors.contains("validation_failed (HTTP 422)") && invalid.errors.contains("/schema"))

            let missing = try await cli.run("runs", "get", UUID().uuidString.lowercased())
            #expect(missing.status != 0 && missing.errors.contains("not_found"))

            let unreachable = try await cli.run("jobs", "list", "--url", "http://127.0.0.1:\(try freePort())")
            #expect(unreachable.status != 0 && unreachable.errors.contains("listJobs"))
        }
    }

    @Test func tailPrintsNewEventsAndOutcomesUntilTerminated() async throws {
        let receiver = HookReceiver()
        try await receiver.serve { hook in
            try await InletStack.with(worker: true) { stack in
                let cli = CLI(stack: stack)
                let source = try await cli.succeed("sources", "create", "--name", "orders", "--json").object()
                let sourceID = try #require(source["id"] as? String)
                let job = try await cli.succeed("jobs", "create", "--name", "hook", "--target-url", hook, "--json")
                    .object()
                let jobID = try #require(job["id"] as? String)
                _ = try await cli.succeed("subscriptions", "create", "--source", sourceID, "--job", jobID)
                // An event from before the tail: not printed.
                let before = try await cli.succeed("events", "dispatch", "--source", "orders", "--json").object()
                let beforeID = try #require(before["event_id"] as? String)
                try await waitUntil("the earlier event's run succeeded") {
                    let runs = try await cli.succeed("runs", "list", "--event", beforeID, "--json").json()
                    return (runs as? [[String: Any]])?.first?["status"] as? String == "succeeded"
                }

                let tail = try cli.start(["tail", "--json", "--interval", "0.2"])
                defer { if tail.process.isRunning { tail.process.terminate() } }
                try await waitUntil("tail started following") { tail.errors.contains("following") }
                let after = try await cli.succeed(
                    "events", "dispatch", "--source", "orders", "--payload", #"{"n": 2}"#, "--json"
                ).object()
                let afterID = try #require(after["event_id"] as? String)

                func lines() -> [[String: Any]] {
                    tail.output.split(separator: "\n").compactMap {
                        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                    }
                }
                try await waitUntil("tail printed the event and its run's outcome") {
                    let entries = lines()
                    let events = entries.compactMap { $0["event"] as? [String: Any] }
                    let runs = entries.compactMap { $0["run"] as? [String: Any] }
                    return events.contains { $0["id"] as? String == afterID }
                        && runs.contains {
                            $0["event_id"] as? String == afterID && $0["status"] as? String == "succeeded"
                        }
                }
                let entries = lines()
                #expect(entries.allSatisfy { ["event", "run"].contains($0["type"] as? String) })
                #expect(!tail.output.contains(beforeID), "the event from before the tail was printed")
                #expect(await tail.terminate() == 0)
            }
        }
    }
}
