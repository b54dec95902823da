import Testing

@testable import Inlet

@Suite struct SignatureVectorTests {
    static let vectors: [SignatureVector] = (try? SignatureVector.all()) ?? []

    @Test func allVectorsAreLoaded() {
        #expect(Self.vectors.count == 309)
        #expect(Set(Self.vectors.map(\.name)).count == Self.vectors.count)
    }

    @Test(arguments: vectors)
    func vectorVerdict(_ vector: SignatureVector) throws {
        let verifier = try vector.verifier()
        let verdict = verifier.verify(body: Array(vector.body.utf8), headers: vector.headers, now: vector.now)
        #expect(verdict.isAccepted == vector.valid, "\(vector.reason): \(verdict)")
        if let expected = vector.expectedRejection {
            #expect(verdict.reason == expected, "\(vector.reason)")
        }
        if vector.valid && vector.scheme == "standard-webhooks" {
            #expect(verdict.idempotencyKey == vector.headers["webhook-id"])
        }
    }

    /// Header names are case-insensitive: the same request with upper-cased names gets the same verdict.
    @Test(arguments: vectors.filter { $0.valid }.prefix(40))
    func headerNamesIgnoreCase(_ vector: SignatureVector) throws {
        let shouted = Dictionary(uniqueKeysWithValues: vector.headers.map { ($0.key.uppercased(), $0.value) })
        let verdict = try vector.verifier().verify(body: Array(vector.body.utf8), headers: shouted, now: vector.now)
        #expect(verdict.isAccepted)
    }
}
