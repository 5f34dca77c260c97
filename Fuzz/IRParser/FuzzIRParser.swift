import Micrograd

/// libFuzzer's entry point: parses the bytes as IR text, validates what parses, checks that printing is canonical
/// (`print(parse(print(p))) == print(p)`), and runs small valid programs on zeros. Any crash is a bug: no input may
/// stop the parser, the validator or (for a valid program) the interpreter.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  guard let parsed = try? IRParser.parse(text) else { return 0 }
  let printed = parsed.program.text()
  guard let reparsed = try? IRParser.parse(printed) else { fatalError("printed program does not parse:\n\(printed)") }
  guard reparsed.program.text() == printed else { fatalError("printing is not canonical:\n\(printed)") }
  // Small limits: a valid program is run, and must not ask for much memory.
  let limits = IRValidationLimits(elementsPerValue: 1 << 12, totalElements: 1 << 14, rank: 8)
  guard (try? validate(parsed.program, lines: parsed.lines, limits: limits)) != nil else { return 0 }
  var weights: [String: Tensor] = [:]
  var inputs: [String: Tensor] = [:]
  for value in parsed.program.values {
    let zeros = Tensor.zeros(value.shape)
    switch value.role {
    case .parameter, .captured, .state: weights[value.name] = zeros
    case .input: inputs[value.name] = zeros
    default: break
    }
  }
  guard let runner = try? ProgramRunner(program: parsed.program, weights: weights, limits: limits) else { return 0 }
  _ = try? runner.run(inputs: inputs)
  return 0
}
