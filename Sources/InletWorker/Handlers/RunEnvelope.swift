import Inlet
import InletStore

/// The JSON body an `http` job receives:
/// `{"run_id","event_id","project_id","source","attempt","payload"}`.
///
/// Written directly from the stored bytes: the payload is embedded exactly as PostgreSQL returned it, not parsed
/// and re-serialised.
enum RunEnvelope {
    static func body(for run: ClaimedRun) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(run.payloadJSON.count + 200)
        output.append(contentsOf: #"{"run_id":""#.utf8)
        output.append(contentsOf: run.runID.lowercasedString.utf8)
        output.append(contentsOf: #"","event_id":""#.utf8)
        output.append(contentsOf: run.eventID.lowercasedString.utf8)
        output.append(contentsOf: #"","project_id":""#.utf8)
        output.append(contentsOf: run.projectID.lowercasedString.utf8)
        output.append(contentsOf: #"","source":"#.utf8)
        JSONValue.writeString(run.sourceName, to: &output)
        output.append(contentsOf: #","attempt":"#.utf8)
        output.append(contentsOf: String(run.attempt).utf8)
        output.append(contentsOf: #","payload":"#.utf8)
        output.append(contentsOf: run.payloadJSON.isEmpty ? Array("null".utf8) : run.payloadJSON)
        output.append(UInt8(ascii: "}"))
        return output
    }
}
