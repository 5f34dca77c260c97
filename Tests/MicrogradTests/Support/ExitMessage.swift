import Testing

/// Expects a finished exit test (one that observed `\.standardErrorContent`)
/// to have written every one of `fragments` to standard error: the op's name,
/// the shapes or values involved, and the user's `file:line`.
func expectStandardError(
  _ result: ExitTest.Result?, contains fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
) {
  let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
  for fragment in fragments {
    #expect(text.contains(fragment), "missing \"\(fragment)\" in: \(text)", sourceLocation: sourceLocation)
  }
}
