import Testing

@testable import Inlet

@Suite struct SecretBoxTests {
    let current = SecretKey.generate()
    let previous = SecretKey.generate()
    let secret = SigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")

    @Test func roundTripsASigningSecret() throws {
        let box = try SecretBox(keys: [current])
        let sealed = try box.seal(secret, context: "source:42")
        #expect(sealed.first == 1)
        #expect(sealed.count == 1 + 12 + secret.unredactedText.utf8.count + 16)
        #expect(try box.openSigningSecret(sealed, context: "source:42") == secret)
    }

    @Test func usesAFreshNonceEachTime() throws {
        let box = try SecretBox(keys: [current])
        let first = try box.seal(secret)
        let second = try box.seal(secret)
        #expect(first != second)
        #expect(try box.open(first) == box.open(second))
    }

    @Test func roundTripsEmptyAndBinaryPlaintext() throws {
        let box = try SecretBox(keys: [current])
        #expect(try box.open(box.seal([UInt8]())) == [])
        let binary = (0...255).map { UInt8($0) }
        #expect(try box.open(box.seal(binary)) == binary)
    }

    @Test func wrongKeyIsAnErrorNotACrash() throws {
        let sealed = try SecretBox(keys: [previous]).seal(secret)
        #expect(
            throws: SecretBoxError(
                code: .authenticationFailed, message: "the sealed secret does not open with any configured key")
        ) {
            try SecretBox(keys: [current]).open(sealed)
        }
    }

    @Test func wrongContextFails() throws {
        let box = try SecretBox(keys: [current])
        let sealed = try box.seal(secret, context: "source:1")
        #expect(throws: SecretBoxError.self) { try box.open(sealed, context: "source:2") }
        #expect(throws: SecretBoxError.self) { try box.open(sealed) }
    }

    @Test func everyTamperedByteIsDetected() throws {
        let box = try SecretBox(keys: [current])
        let sealed = try box.seal(secret)
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(throws: SecretBoxError.self, "byte \(index)") { try box.open(tampered) }
        }
        #expect(throws: SecretBoxError.self) { try box.open(sealed.dropLast()) }
        #expect(throws: SecretBoxError.self) { try box.open(sealed + [0]) }
    }

    @Test(arguments: [[], [1], [UInt8](repeating: 1, count: 28), [2] + [UInt8](repeating: 0, count: 40)])
    func malformedBytesAreRefused(_ bytes: [UInt8]) throws {
        #expect {
            try SecretBox(keys: [current]).open(bytes)
        } throws: { error in
            (error as? SecretBoxError)?.code == .malformed
        }
    }

    @Test func rotationSealsWithTheFirstKeyAndOpensWithAny() throws {
        let old = try SecretBox(keys: [previous])
        let rotated = try SecretBox(keys: [current, previous])
        let sealedBefore = try old.seal(secret)
        #expect(try rotated.openSigningSecret(sealedBefore) == secret)

        let sealedAfter = try rotated.seal(secret)
        #expect(try SecretBox(keys: [current]).openSigningSecret(sealedAfter) == secret)
        #expect(throws: SecretBoxError.self) { try old.open(sealedAfter) }
    }

    @Test func configurationListsKeysCurrentFirst() throws {
        let box = try SecretBox(configuration: "\(current.unredactedBase64), \(previous.unredactedBase64)")
        #expect(try box.openSigningSecret(SecretBox(keys: [previous]).seal(secret)) == secret)
        #expect(try SecretBox(keys: [current]).openSigningSecret(box.seal(secret)) == secret)
        #expect(throws: SecretBoxError.self) { try SecretBox(configuration: "\(current.unredactedBase64),") }
        #expect(throws: SecretBoxError.self) { try SecretBox(configuration: "") }
        #expect(throws: SecretBoxError.self) { try SecretBox(keys: []) }
    }
}
