import Testing

@testable import Micrograd

/// Plain SGD folded into the product that makes its gradient.
@Suite struct SGDProductFoldingTests {
  /// One MLP and its data, made the same way twice (eager and compiled).
  struct Setup {
    let model: MLP
    let x: Tensor
    let y: Tensor

    init() {
      var generator = RandomGenerator(seed: 41)
      model = MLP(6, [16, 3], generator: &generator)
      x = Tensor.normal([32, 6], generator: &generator)
      y = Tensor((0..<32).map { Float($0 % 3) })
    }

    func loss(_ x: Tensor, _ y: Tensor) -> Tensor { crossEntropy(model(x), y) }
  }

  /// Each weight matrix's update becomes one `sgd+matmul`; biases keep
  /// their `sgd` (their gradient is a sum, not a product).
  @Test func weightUpdatesFoldIntoTheirProducts() throws {
    let setup = Setup()
    let step = try compile(setup.model, optimizer: SGD(setup.model.parameters(), lr: 0.1)) { x, y in
      setup.loss(x, y)
    }
    let program = try step.program(for: [setup.x.shape, setup.y.shape])
    expectWellFormed(program)
    let folded = program.instructions.filter { $0.operation.name == "sgd+matmul" }
    #expect(folded.count == 2)
    #expect(program.count("sgd") == 2)
    for instruction in folded {
      #expect(instruction.section == .update)
      #expect(instruction.notes.first?.hasSuffix("+sgd: the gradient is never stored") == true)
      #expect(!instruction.notes.contains { $0.hasPrefix("no epilogue") })
      #expect(program.values[instruction.inputs[0]].role == .parameter)
    }
    // No product is left whose only reader is an update.
    let text = program.description
    #expect(!text.contains("no epilogue: its reader sgd"))
    #expect(text.contains("sgd+matmul.tn"))
  }

  /// One folded step against the update written out: `w − lr·g` with `g`
  /// the eager gradient. The folded update rounds once where eager rounds
  /// three times (g, lr·g, the difference), so each weight may differ by
  /// the rounding of those: at most 2 ulp of the largest of |w|, |lr·g| and
  /// the result (4 ulp allowed); biases, not folded, are equal bit for bit.
  @Test func oneStepEqualsTheUpdateWrittenOut() throws {
    let (eager, compiled) = (Setup(), Setup())
    let lr: Float = 0.1
    let eagerLoss = eager.loss(eager.x, eager.y)
    eagerLoss.backward()
    let expected = eager.model.parameters().map { p in
      zip(p.scalars, p.grad!.scalars).map { w, g in (w + -lr * g, max(abs(w), abs(lr * g))) }
    }
    let step = try compile(compiled.model, optimizer: SGD(compiled.model.parameters(), lr: Double(lr))) { x, y in
      compiled.loss(x, y)
    }
    // The loss is computed before the update: the same bits as eager's.
    #expect(try step(compiled.x, compiled.y).item() == eagerLoss.item())
    for (k, (parameter, reference)) in zip(compiled.model.parameters(), expected).enumerated() {
      let isMatrix = parameter.shape.rank == 2
      for (i, (value, (want, scale))) in zip(parameter.scalars, reference).enumerated() {
        let allowed = isMatrix ? 4 * max(scale, abs(want)).ulp : 0
        #expect(abs(value - want) <= allowed, "parameter \(k)[\(i)]: \(value) vs \(want)")
      }
    }
  }

  /// Several steps stay with eager training (the difference does not grow
  /// past float32 noise: 1e-5 relative, as for every optimizer).
  @Test func trainingFollowsEager() throws {
    let (eager, compiled) = (Setup(), Setup())
    let eagerOptimizer = SGD(eager.model.parameters(), lr: 0.1)
    let step = try compile(compiled.model, optimizer: SGD(compiled.model.parameters(), lr: 0.1)) { x, y in
      compiled.loss(x, y)
    }
    for k in 0..<5 {
      eagerOptimizer.zeroGrad()
      let eagerLoss = eager.loss(eager.x, eager.y)
      eagerLoss.backward()
      eagerOptimizer.step()
      let compiledLoss = try step(compiled.x, compiled.y)
      #expect(abs(compiledLoss.item() - eagerLoss.item()) <= 1e-5 * (1 + abs(eagerLoss.item())), "loss at step \(k)")
    }
    for (e, c) in zip(eager.model.parameters(), compiled.model.parameters()) {
      let gap = zip(e.scalars, c.scalars).map { abs($0 - $1) / (1 + abs($0)) }.max() ?? 0
      #expect(gap <= 1e-5, "parameter gap \(gap)")
    }
  }

  /// Momentum, weight decay and Nesterov are more than `p − lr·g`: no fold.
  @Test(arguments: [
    SGDRule(momentum: 0.9, weightDecay: 0, nesterov: false),
    SGDRule(momentum: 0, weightDecay: 1e-3, nesterov: false),
    SGDRule(momentum: 0.9, weightDecay: 0, nesterov: true),
  ])
  func otherRulesStay(_ rule: SGDRule) throws {
    let setup = Setup()
    let optimizer = SGD(
      setup.model.parameters(), lr: 0.1, momentum: rule.momentum, weightDecay: rule.weightDecay,
      nesterov: rule.nesterov)
    let step = try compile(setup.model, optimizer: optimizer) { x, y in setup.loss(x, y) }
    let program = try step.program(for: [setup.x.shape, setup.y.shape])
    #expect(program.count("sgd+matmul") == 0)
    #expect(program.count("sgd") == 4)
  }

  struct SGDRule: Sendable, CustomTestStringConvertible {
    let momentum: Double, weightDecay: Double, nesterov: Bool
    var testDescription: String { "momentum \(momentum), decay \(weightDecay), nesterov \(nesterov)" }
  }

  /// A gradient someone else reads (here: returned) is kept, and the step
  /// says why; a product that reads the parameter it would overwrite too.
  @Test func productsReadElsewhereOrReadingTheParameterStay() {
    for returned in [true, false] {
      var builder = ProgramBuilder()
      let w = builder.parameter([3, 4], "w")
      let a = builder.input([5, 3], "a")
      let b = builder.input(returned ? [5, 4] : [3, 3], "b")
      let (lr, count) = (builder.input([], "lr"), builder.value([], .state, "w.step"))
      // Returned: g = aᵀ·b. Not returned: g = b·w, which reads w itself.
      let g =
        returned
        ? builder.add(.matmul(transposeA: true, transposeB: false), [a, b], [3, 4], section: .backward)
        : builder.add(.matmul(transposeA: false, transposeB: false), [b, w], [3, 4], section: .backward)
      builder.program.instructions.append(
        Instruction(
          .optimizerStep(.sgd(momentum: 0, dampening: 0, weightDecay: 0, nesterov: false)), inputs: [w, g, lr, count],
          outputs: [], section: .update))
      var program = builder.returning(returned ? [g] : [])
      SGDProductFolding().run(&program)
      #expect(program.count("sgd+matmul") == 0)
      #expect(program.count("matmul") == 1)
      let reason = returned ? "%\(g) is a program output" : "the product reads the parameter %\(w)"
      #expect(program.instructions.last!.notes == ["gradient not folded into %\(g) (matmul): " + reason])
    }
  }

  /// `w ← w − lr·aᵀ·b` alone: w [3,4], a [5,3], b [5,4], values %0 to %4.
  static var foldedProgram: Program {
    var builder = ProgramBuilder()
    let w = builder.parameter([3, 4], "w")
    let (a, b) = (builder.input([5, 3], "a"), builder.input([5, 4], "b"))
    let (lr, count) = (builder.input([], "lr"), builder.value([], .state, "w.step"))
    builder.program.instructions.append(
      Instruction(
        .sgdProduct(transposeA: true, transposeB: false), inputs: [w, a, b, lr, count], outputs: [], section: .update))
    return builder.returning([])
  }

  /// The IR spells the fold `sgd+matmul.tn`, reads it back, and checks it:
  /// two matrices whose product has the parameter's shape.
  @Test func irSpellingParsesAndIsChecked() throws {
    let text = Self.foldedProgram.description
    #expect(text.contains("sgd+matmul.tn %0, %1, %2, %3, %4"))
    let parsed = try IRParser.parse(text)
    try validate(parsed.program, lines: parsed.lines)
    let program = parsed.program
    #expect(program.instructions[0].operation == .sgdProduct(transposeA: true, transposeB: false))
    #expect(try Program(parsing: program.description) == program)
    // Untransposed, a [5,3] by [5,4] product does not exist.
    let wrong = try IRParser.parse(text.replacingOccurrences(of: "sgd+matmul.tn", with: "sgd+matmul"))
    #expect(throws: IRValidationError.self) { try validate(wrong.program, lines: wrong.lines) }
    let misspelt = text.replacingOccurrences(of: "sgd+matmul.tn", with: "sgd+matmul.xx")
    #expect(throws: IRParseError.self) { try Program(parsing: misspelt) }
  }

  /// `sgd+matmul` came with IR version 2: a program using it says so on its
  /// first line, a version-1 file using it is an error at the operation,
  /// and a program without it still says version 1 (older builds read it).
  @Test func foldedProgramsAreVersionTwo() throws {
    let folded = Self.foldedProgram
    #expect(folded.requiredFormatVersion == 2)
    let text = folded.description
    #expect(text.hasPrefix("micrograd-ir 2\n"))
    let old = "micrograd-ir 1" + text.dropFirst("micrograd-ir 2".count)
    do {
      _ = try Program(parsing: old)
      Issue.record("a version-1 file with sgd+matmul parsed")
    } catch {
      #expect(error.message.contains("sgd+matmul needs micrograd-ir 2; this file is version 1"))
      let line = old.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("sgd+") }
      #expect(error.line == line.map { $0 + 1 })
    }
    var plain = ProgramBuilder()
    let x = plain.input([2], "x")
    let y = plain.add(.unary(.negate), [x], [2])
    #expect(plain.returning([y]).description.hasPrefix("micrograd-ir 1\n"))
    #expect(try Program(parsing: plain.returning([y]).description) == plain.returning([y]))
  }
}
