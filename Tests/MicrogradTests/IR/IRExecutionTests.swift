import Testing

@testable import Micrograd

/// A parsed program runs like the program it was printed from: the same
/// outputs, bit for bit, and the same in-place updates of parameters and
/// optimizer state.
@Suite struct IRExecutionTests {
  /// Runs `program` and its parsed text on the same inputs and equal,
  /// separate bindings; expects identical outputs and bound tensors.
  func expectParsedRunsAlike(_ program: Program, seed: UInt64, _ what: String) throws {
    let parsed = try Program(parsing: program.text())
    let inputs = randomInputs(for: program, seed: seed)
    let original = randomBindings(for: program, seed: seed &+ 1)
    let reread = randomBindings(for: parsed, seed: seed &+ 1)
    let expected = try Interpreter(LoweredProgram(program: program, bindings: original)).run(inputs)
    let actual = try Interpreter(LoweredProgram(program: parsed, bindings: reread)).run(inputs)
    #expect(expected.count == actual.count, "\(what)")
    for (k, (a, e)) in zip(actual, expected).enumerated() {
      #expect(identical(a, e), "\(what): output \(k): \(a.scalars) vs \(e.scalars)")
    }
    for (id, tensor) in original {
      #expect(reread[id].map { identical($0, tensor) } == true, "\(what): bound value %\(id) after the run")
    }
  }

  @Test(arguments: Array(0..<60))
  func randomGraphs(_ seed: Int) throws {
    let graph = RandomGraph(seed: UInt64(seed))
    var random = TestRandom(seed: graph.seed &+ 1000)
    let leaves = graph.leafShapes.map { random.tensor($0) }
    let parameterCount = max(1, leaves.count / 2)
    let parameters = Array(leaves[..<parameterCount])
    let f = compileValueAndGrad(withRespectTo: parameters) { xs in graph.apply(parameters + xs) }
    let program = try f.program(for: Array(graph.leafShapes[parameterCount...]))
    try expectParsedRunsAlike(program, seed: UInt64(seed), "graph \(seed)")
  }

  @Test(arguments: IRRoundTripTests.Optimizers.allCases)
  func trainingSteps(_ kind: IRRoundTripTests.Optimizers) throws {
    var generator = RandomGenerator(seed: 4)
    let model = MLP(3, [8, 4], generator: &generator)
    let step = try compile(model, optimizer: IRRoundTripTests.optimizer(kind, model.parameters())) { x, y in
      crossEntropy(model(x), y)
    }
    let program = try step.program(for: [[6, 3], [6]])
    #expect(program.instructions.contains { if case .optimizerStep = $0.operation { true } else { false } })
    try expectParsedRunsAlike(program, seed: 9, "\(kind)")
  }

  /// Random IR programs (valid by construction) run without stopping, and
  /// alike once parsed: what the validator accepts, the interpreter runs.
  @Test func randomPrograms() throws {
    for seed in 0..<200 {
      let program = RandomProgram(seed: UInt64(seed)).program
      try expectParsedRunsAlike(program, seed: UInt64(seed), "random program \(seed)")
    }
  }

  /// The interpreter runs a training step read from text and the model's
  /// parameters move exactly as with the compiled step itself.
  @Test func trainingStepFromTextUpdatesLikeCompiledStep() throws {
    var g1 = RandomGenerator(seed: 21)
    var g2 = RandomGenerator(seed: 21)
    let compiledModel = MLP(2, [4, 1], generator: &g1)
    let textModel = MLP(2, [4, 1], generator: &g2)
    let optimizer = SGD(compiledModel.parameters(), lr: 0.1, momentum: 0.9)
    let step = try compile(compiledModel, optimizer: optimizer) { x, y in hingeLoss(compiledModel(x).reshape([-1]), y) }
    let program = try Program(parsing: try step.program(for: [[5, 2], [5]]).text())
    // Bind the text's parameters (and fresh momentum buffers) by name.
    let parameters = Dictionary(uniqueKeysWithValues: textModel.namedParameters().map { ($0.name, $0.parameter) })
    var bindings: [ValueID: Tensor] = [:]
    for (id, value) in program.values.enumerated() {
      if value.role == .parameter { bindings[id] = parameters[value.name] }
      if value.role == .state { bindings[id] = Tensor.zeros(value.shape) }
    }
    #expect(bindings.count == 12)  // 4 parameters, their step counts and momentum buffers
    let interpreter = Interpreter(LoweredProgram(program: program, bindings: bindings))
    var random = TestRandom(seed: 22)
    let x = random.tensor([5, 2], requiresGrad: false)
    let y = Tensor([1, -1, 1, -1, 1])
    // The learning rate is the only per-step input; step counts are state.
    let loss = try interpreter.run([x, y, Tensor(0.1)])[0]
    let compiledLoss = try step(x, y)
    #expect(identical(loss, compiledLoss))
    for (a, b) in zip(compiledModel.parameters(), textModel.parameters()) {
      #expect(identical(a, b), "\(a.scalars) vs \(b.scalars)")
    }
  }
}
