// The claim/execute loop.
