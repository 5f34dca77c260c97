import Testing

@testable import Micrograd

/// Expects `program` to print, parse back to itself, print the same text
/// again and validate (with the parsed line table).
func expectRoundTrip(_ program: Program, _ what: String = "", sourceLocation: Testing.SourceLocation = #_sourceLocation)
{
  let text = program.text()
  let parsed: ParsedProgram
  do {
    parsed = try IRParser.parse(text)
  } catch {
    Issue.record("\(what): \(error)\n\(numbered(text))", sourceLocation: sourceLocation)
    return
  }
  #expect(parsed.program == program, "\(what): parse(print(p)) != p\n\(text)", sourceLocation: sourceLocation)
  #expect(parsed.program.text() == text, "\(what): print(parse(print(p))) != print(p)", sourceLocation: sourceLocation)
  #expect(parsed.lines.instructions.count == program.instructions.count, sourceLocation: sourceLocation)
  do {
    try validate(parsed.program, lines: parsed.lines)
  } catch {
    Issue.record("\(what): \(error)\n\(numbered(text))", sourceLocation: sourceLocation)
  }
}

/// The text with line numbers, for failure messages.
func numbered(_ text: String) -> String {
  text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { "\($0.offset + 1)\t\($0.element)" }
    .joined(separator: "\n")
}

/// Tensors for the parameter, state and captured values of `program`,
/// filled from `seed` (the same seed gives equal, separate tensors).
func randomBindings(for program: Program, seed: UInt64) -> [ValueID: Tensor] {
  var random = TestRandom(seed: seed)
  var bindings: [ValueID: Tensor] = [:]
  for (id, value) in program.values.enumerated() {
    switch value.role {
    case .parameter, .state, .captured: bindings[id] = random.tensor(value.shape, -1, 1, requiresGrad: false)
    default: break
    }
  }
  return bindings
}

/// Inputs for `program`, filled from `seed`, with values in [lowest, 0.9)
/// (optimizer coefficients in (0.1, 0.9) keep every update finite).
func randomInputs(for program: Program, seed: UInt64) -> [Tensor] {
  var random = TestRandom(seed: seed)
  return program.values(where: { $0 == .input }).map { id in
    let shape = program.values[id].shape
    let optimizer = program.values[id].name == "optimizer"
    return random.tensor(shape, optimizer ? 0.1 : -1, 0.9, requiresGrad: false)
  }
}

/// Whether two tensors hold the same shape and bits.
func identical(_ a: Tensor, _ b: Tensor) -> Bool {
  a.shape == b.shape && a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern)
}
