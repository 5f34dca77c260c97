import Testing

@testable import Micrograd

/// A compiled training step equals the eager loop: same losses, same
/// parameters after every step, for each built-in optimizer.
@Suite struct TrainingStepTests {
  enum Kind: String, CaseIterable, Sendable { case sgd, momentum, nesterov, adam, adamW }

  static func optimizer(_ kind: Kind, _ parameters: [Tensor]) -> Optimizer {
    switch kind {
    case .sgd: SGD(parameters, lr: 0.1)
    case .momentum: SGD(parameters, lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-3)
    case .nesterov: SGD(parameters, lr: 0.1, momentum: 0.9, nesterov: true)
    case .adam: Adam(parameters, lr: 0.01, weightDecay: 1e-3)
    case .adamW: AdamW(parameters, lr: 0.01)
    }
  }

  /// Identical kernels in the same order: the compiled loop should match the
  /// eager loop to float32 rounding of reordered sums (fusion may reorder a
  /// reduction), |compiled - eager| <= 1e-5 * (1 + |eager|) after 5 steps.
  @Test(arguments: Kind.allCases)
  func compiledStepMatchesEager(_ kind: Kind) throws {
    var generator = RandomGenerator(seed: 11)
    let x = Tensor.normal([8, 3], generator: &generator)
    let y = Tensor.uniform([8, 1], low: -1, high: 1, generator: &generator)
    var g1 = RandomGenerator(seed: 5)
    var g2 = RandomGenerator(seed: 5)
    let eagerModel = MLP(3, [6, 1], generator: &g1)
    let compiledModel = MLP(3, [6, 1], generator: &g2)
    let eagerOptimizer = Self.optimizer(kind, eagerModel.parameters())
    let compiledOptimizer = Self.optimizer(kind, compiledModel.parameters())
    let step = try compile(compiledModel, optimizer: compiledOptimizer) { x, y in
      mseLoss(tanh(compiledModel(x)), y)
    }
    for k in 0..<5 {
      let lr = 0.1 - 0.01 * Double(k)
      eagerOptimizer.learningRate = lr
      eagerOptimizer.zeroGrad()
      let eagerLoss = mseLoss(tanh(eagerModel(x)), y)
      eagerLoss.backward()
      eagerOptimizer.step()
      let compiledLoss = try step(x, y, lr: lr)
      #expect(abs(compiledLoss.item() - eagerLoss.item()) <= 1e-5 * (1 + abs(eagerLoss.item())), "loss at step \(k)")
    }
    for (e, c) in zip(eagerModel.parameters(), compiledModel.parameters()) {
      let gap = zip(e.scalars, c.scalars).map { abs($0 - $1) / (1 + abs($0)) }.max() ?? 0
      #expect(gap <= 1e-5, "parameter gap \(gap)")
    }
    #expect(step.traceCount == 1)
  }

  @Test func programHasThreeSections() throws {
    var generator = RandomGenerator(seed: 1)
    let model = MLP(2, [4, 1], generator: &generator)
    let step = try compile(model, optimizer: SGD(model.parameters(), lr: 0.1, momentum: 0.9)) { x, y in
      hingeLoss(model(x).reshape([-1]), y)
    }
    let text = try step.program(for: [[5, 2], [5]]).description
    #expect(text.contains("## forward"))
    #expect(text.contains("## backward"))
    #expect(text.contains("## update"))
    #expect(text.contains("param \"layers.0.weight\""))
    #expect(text.contains("state \"layers.0.weight.momentum_buffer\""))
    #expect(text.contains("state \"layers.0.weight.step\""))
    #expect(text.contains("sgd[momentum=0.9,dampening=0.0,weight_decay=0.0,nesterov=false]"))
    #expect(text.contains("input \"lr\""))
  }
}
