import Testing

@testable import Micrograd

/// Valid IR texts damaged at random, byte by byte: parsing and validating
/// never stop the process. Each mutant is either refused with a typed error
/// or is a program that prints back to itself, validates, and (when small)
/// runs in the interpreter.
@Suite struct IRMutationTests {
  static let hostileNumbers = [
    "99999999999999999999", "9223372036854775807", "-9223372036854775808", "4294967296", "0", "-1", "1000000",
    "2147483648",
  ]
  static let operationNames = [
    "add", "mul", "sub", "div", "neg", "exp", "relu", "select", "reshape", "expand", "matmul", "matmul.nt", "matmul.tn",
    "sum[axes=0]", "max[axes=1]", "sum[axes=]", "permute[1,0]", "gt", "tanh", "one_hot[classes=2]",
    "slice[axis=0,start=1,step=2]", "slice_scatter[axis=0,start=0,step=1]", "concatenate[axis=0]", "logsumexp[axes=0]",
    "embedding", "embedding_backward[rows=3]", "custom[test.square]", "custom[unregistered]",
  ]
  static let interestingBytes = Array("%$,[](){}\"\\#:;=@-+.0123456789 \nx".utf8) + [0, 0xff, 0xc3, 0xbc, 0x7f]

  /// Valid texts to damage: a compiled training step with a memory plan,
  /// and random programs full of awkward strings.
  static func bases() throws -> [String] {
    var generator = RandomGenerator(seed: 2)
    let model = MLP(2, [4, 1], generator: &generator)
    let step = try compile(model, optimizer: Adam(model.parameters(), lr: 0.01)) { x, y in
      hingeLoss(model(x).reshape([-1]), y)
    }
    var program = try step.program(for: [[5, 2], [5]])
    program.memoryPlan = RandomProgram.plan(for: program)
    return [program.text()] + [7, 11, 19].map { RandomProgram(seed: $0).program.text() }
  }

  struct Outcome {
    var parseErrors = 0
    var validationErrors = 0
    var valid = 0
    var ran = 0
  }

  @Test func randomMutationsNeverCrash() throws {
    let bases = try Self.bases()
    var random = TestRandom(seed: 2024)
    var outcome = Outcome()
    for trial in 0..<1500 {
      var bytes = Array(bases[trial % bases.count].utf8)
      for _ in 0..<(1 + Int(random.next() % 6)) { Self.mutate(&bytes, &random) }
      try check(String(decoding: bytes, as: UTF8.self), trial, &outcome)
    }
    // The mutants cover every outcome (a test of the test).
    #expect(outcome.parseErrors > 300, "\(outcome)")
    #expect(outcome.validationErrors > 20, "\(outcome)")
    #expect(outcome.valid > 100, "\(outcome)")
    #expect(outcome.ran > 50, "\(outcome)")
  }

  /// Programs damaged in their structure (an operand, a shape, an
  /// attribute, a register, the order): what the validator lets through,
  /// the interpreter runs without stopping.
  @Test func structuralMutationsThatValidateRun() throws {
    var random = TestRandom(seed: 55)
    var (refused, ran) = (0, 0)
    for trial in 0..<3000 {
      var program = RandomProgram(seed: UInt64(trial % 300)).program
      for _ in 0..<(1 + Int(random.next() % 2)) { Self.mutate(&program, &random) }
      do {
        try validate(program)
      } catch {
        refused += 1
        continue
      }
      let inputs = randomInputs(for: program, seed: UInt64(trial))
      _ = try Interpreter(LoweredProgram(program: program, bindings: randomBindings(for: program, seed: 3))).run(inputs)
      ran += 1
    }
    #expect(refused > 1000 && ran > 300, "refused \(refused), ran \(ran)")
  }

  static func mutate(_ program: inout Program, _ random: inout TestRandom) {
    func pick(_ n: Int) -> Int { n <= 0 ? 0 : Int(random.next() % UInt64(n)) }
    func small() -> Int { pick(7) - 2 }
    guard !program.instructions.isEmpty else { return }
    let i = pick(program.instructions.count)
    var instruction = program.instructions[i]
    switch pick(6) {
    case 0 where !instruction.inputs.isEmpty:
      instruction.inputs[pick(instruction.inputs.count)] = pick(program.values.count)
    case 1:
      let id = pick(program.values.count)
      program.values[id].shape = Shape((0..<pick(4)).map { _ in pick(4) })
    case 2:
      program.instructions.swapAt(i, pick(program.instructions.count))
      return
    case 3 where !instruction.outputs.isEmpty:
      instruction.outputs[pick(instruction.outputs.count)] = pick(program.values.count)
    default:
      switch instruction.operation {
      case .reduce(let f, let axes): instruction.operation = .reduce(f, axes: axes + [small()])
      case .logsumexp: instruction.operation = .logsumexp(axes: [small()])
      case .permute(let axes): instruction.operation = .permute(axes.map { _ in small() })
      case .slice: instruction.operation = .slice(axis: small(), start: small(), step: small())
      case .sliceScatter: instruction.operation = .sliceScatter(axis: small(), start: small(), step: small())
      case .concatenate: instruction.operation = .concatenate(axis: small())
      case .oneHot: instruction.operation = .oneHot(classes: small())
      case .embeddingBackward: instruction.operation = .embeddingBackward(rows: small())
      case .optimizerStep(.sgd(let momentum, let dampening, let weightDecay, let nesterov)):
        instruction.operation = .optimizerStep(
          .sgd(momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: !nesterov))
      case .optimizerStep(.adam(let beta1, let beta2, let epsilon, let weightDecay, let decoupled)):
        instruction.operation = .optimizerStep(
          .adam(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: !decoupled))
      case .fused(var kernel):
        kernel.outputs[0] = small()
        instruction.operation = .fused(kernel)
      case .fusedReduce(var kernel, let f, let axes):
        kernel.steps[0].arguments[0] = small()
        instruction.operation = .fusedReduce(kernel, f, axes: pick(2) == 0 ? axes : [small()])
      case .matmulEpilogue(let ta, let tb, var kernel):
        kernel.inputCount += small()
        instruction.operation = .matmulEpilogue(transposeA: !ta, transposeB: tb, kernel)
      case .matmul(let ta, let tb): instruction.operation = .matmul(transposeA: tb, transposeB: !ta)
      default: instruction.operation = .binary(.add)
      }
    }
    program.instructions[i] = instruction
  }

  /// Parses and validates `text`; a program that passes must print back to
  /// itself and, when small, run.
  func check(_ text: String, _ trial: Int, _ outcome: inout Outcome) throws {
    let parsed: ParsedProgram
    do {
      parsed = try IRParser.parse(text)
    } catch {
      outcome.parseErrors += 1
      #expect(error.line >= 1 && error.column >= 1)
      return
    }
    do {
      try validate(parsed.program, lines: parsed.lines)
    } catch {
      outcome.validationErrors += 1
      return
    }
    outcome.valid += 1
    let printed = parsed.program.text()
    let reparsed = try Program(parsing: printed)
    #expect(reparsed.text() == printed, "trial \(trial)")
    let elements = parsed.program.values.reduce(0) { $0 + $1.shape.count }
    if elements < 100_000 {
      let program = parsed.program
      let inputs = randomInputs(for: program, seed: UInt64(trial))
      _ = try Interpreter(LoweredProgram(program: program, bindings: randomBindings(for: program, seed: 1))).run(inputs)
      outcome.ran += 1
    }
  }

  static func mutate(_ bytes: inout [UInt8], _ random: inout TestRandom) {
    func pick(_ n: Int) -> Int { n <= 0 ? 0 : Int(random.next() % UInt64(n)) }
    guard !bytes.isEmpty else {
      bytes = [interestingBytes[pick(interestingBytes.count)]]
      return
    }
    let at = pick(bytes.count)
    switch pick(11) {
    case 8, 9:
      // A value, register or dimension renumbered within a small range:
      // these mostly still parse, so the validator is what must refuse them.
      guard let digit = bytes[at...].firstIndex(where: { (48...57).contains($0) }) else { return }
      let end = bytes[digit...].firstIndex { !(48...57).contains($0) } ?? bytes.count
      bytes.replaceSubrange(digit..<end, with: Array(String(pick(40)).utf8))
    case 10:
      // One operation exchanged for another.
      let text = String(decoding: bytes, as: UTF8.self)
      let (from, to) = (operationNames[pick(operationNames.count)], operationNames[pick(operationNames.count)])
      guard let range = text.range(of: " = " + from + " ") ?? text.range(of: "(" + from + "(") else { return }
      bytes = Array(
        text.replacingCharacters(in: range, with: String(text[range]).replacingOccurrences(of: from, with: to)).utf8)
    case 0: bytes[at] = interestingBytes[pick(interestingBytes.count)]
    case 1: bytes.insert(interestingBytes[pick(interestingBytes.count)], at: at)
    case 2: bytes.removeSubrange(at..<min(bytes.count, at + 1 + pick(10)))
    case 3:
      let chunk = Array(bytes[at..<min(bytes.count, at + 1 + pick(40))])
      bytes.insert(contentsOf: chunk, at: pick(bytes.count))
    case 4, 5:
      // A number made hostile (huge, negative, zero).
      guard let digit = bytes[at...].firstIndex(where: { (48...57).contains($0) }) else { return }
      let end = bytes[digit...].firstIndex { !(48...57).contains($0) } ?? bytes.count
      bytes.replaceSubrange(digit..<end, with: Array(hostileNumbers[pick(hostileNumbers.count)].utf8))
    default:
      // Whole lines deleted, duplicated or swapped.
      var lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)
      let (i, j) = (pick(lines.count), pick(lines.count))
      switch pick(3) {
      case 0: lines.remove(at: i)
      case 1: lines.insert(lines[i], at: j)
      default: lines.swapAt(i, j)
      }
      bytes = Array(lines.joined(separator: [10]))
    }
  }
}
