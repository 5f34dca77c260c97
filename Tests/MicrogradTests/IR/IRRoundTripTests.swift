import Testing

@testable import Micrograd

/// parse(print(p)) == p and print(parse(print(p))) == print(p), and the
/// parsed program validates, on every kind of program the compiler makes
/// and on random programs built in the IR directly.
@Suite struct IRRoundTripTests {
  /// Value and gradients of random graphs, after all passes and after
  /// lowering alone.
  @Test(arguments: (0..<200).map { RandomGraph(seed: UInt64($0)) })
  func randomGraphValueAndGrad(_ graph: RandomGraph) throws {
    var random = TestRandom(seed: graph.seed &+ 1000)
    let leaves = graph.leafShapes.map { random.tensor($0) }
    let parameterCount = max(1, leaves.count / 2)
    let parameters = Array(leaves[..<parameterCount])
    let inputShapes = Array(graph.leafShapes[parameterCount...])
    let f = compileValueAndGrad(withRespectTo: parameters) { xs in graph.apply(parameters + xs) }
    expectRoundTrip(try f.program(for: inputShapes), "compiled \(graph.seed)")
    let lowered = try lowerValueAndGrad(inputShapes, withRespectTo: parameters) { graph.apply(parameters + $0) }
    expectRoundTrip(lowered.program, "lowered \(graph.seed)")
  }

  /// Forward-only programs: the leaves not given as inputs are captured.
  @Test(arguments: (200..<300).map { RandomGraph(seed: UInt64($0)) })
  func randomGraphForward(_ graph: RandomGraph) throws {
    var random = TestRandom(seed: graph.seed)
    let captured = graph.leafShapes.prefix(1).map { random.tensor($0, requiresGrad: false) }
    let f = compile { xs in
      let loss = graph.apply(captured + xs)
      return [loss, xs[0] * 2]
    }
    let program = try f.program(for: Array(graph.leafShapes.dropFirst()))
    #expect(program.values.contains { $0.role == .captured })
    expectRoundTrip(program, "forward \(graph.seed)")
  }

  /// Programs built directly in the IR: every operation, awkward strings,
  /// constants, dropped values, memory plans.
  @Test func randomPrograms() {
    var sawPlan = 0
    var operations: Set<String> = []
    for seed in 0..<400 {
      let program = RandomProgram(seed: UInt64(seed)).program
      if program.memoryPlan != nil { sawPlan += 1 }
      operations.formUnion(program.instructions.map(\.operation.name))
      expectRoundTrip(program, "random program \(seed)")
    }
    // The generator reaches every operation family (a test of the test).
    for name in [
      "neg", "add", "select", "sum", "max", "logsumexp", "reshape", "expand", "permute", "slice", "slice_scatter",
      "concatenate", "one_hot", "matmul", "matmul+fused", "fused", "fused+sum", "fused+max", "assign", "adam",
      "sgd", "sgd+matmul", "adamw", "embedding", "embedding_backward", "custom",
    ] {
      #expect(operations.contains(name), "no \(name) in 400 programs")
    }
    #expect(sawPlan > 100)
  }

  enum Optimizers: String, CaseIterable, Sendable { case sgd, momentum, nesterov, adam, adamW }

  static func optimizer(_ kind: Optimizers, _ parameters: [Tensor]) -> Optimizer {
    switch kind {
    case .sgd: SGD(parameters, lr: 0.1)
    case .momentum: SGD(parameters, lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3)
    case .nesterov: SGD(parameters, lr: 0.1, momentum: 0.9, nesterov: true)
    case .adam: Adam(parameters, lr: 0.01, weightDecay: 1e-3)
    case .adamW: AdamW(parameters, lr: 0.01)
    }
  }

  /// Compiled training steps: regression, hinge and cross-entropy losses.
  @Test(arguments: Optimizers.allCases)
  func trainingSteps(_ kind: Optimizers) throws {
    var generator = RandomGenerator(seed: 3)
    let regression = MLP(3, [8, 1], generator: &generator)
    let regressionStep = try compile(regression, optimizer: Self.optimizer(kind, regression.parameters())) { x, y in
      mseLoss(tanh(regression(x)), y)
    }
    expectRoundTrip(try regressionStep.program(for: [[8, 3], [8, 1]]), "mse \(kind)")
    let hinge = MLP(2, [16, 16, 1], generator: &generator)
    let hingeStep = try compile(hinge, optimizer: Self.optimizer(kind, hinge.parameters())) { x, y in
      hingeLoss(hinge(x).reshape([-1]), y)
    }
    expectRoundTrip(try hingeStep.program(for: [[10, 2], [10]]), "hinge \(kind)")
    let classifier = MLP(4, [5, 3], generator: &generator)
    let classifierStep = try compile(classifier, optimizer: Self.optimizer(kind, classifier.parameters())) { x, y in
      crossEntropy(classifier(x), y)
    }
    expectRoundTrip(try classifierStep.program(for: [[6, 4], [6]]), "cross entropy \(kind)")
  }
}
