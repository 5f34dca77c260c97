import Foundation
import Testing

@testable import Micrograd

/// A PyTorch optimizer trajectory from Fixtures/optim.json (tools/fixtures/optim_fixtures.py).
struct OptimizerTrajectory: Decodable, Sendable, CustomTestStringConvertible {
  struct Step: Decodable, Sendable {
    var learningRate: Double
    var grads: [[Float]?]
    var params: [[Float]]
  }

  var name: String
  var steps: [Step]
  var testDescription: String { name }
}

/// The starting parameters shared by every trajectory.
struct OptimizerFixture: Decodable, Sendable {
  var shapes: [[Int]]
  var initial: [[Float]]
  var configs: [OptimizerTrajectory]

  static let file: OptimizerFixture? = {
    guard let url = Bundle.module.url(forResource: "optim", withExtension: "json", subdirectory: "Fixtures"),
      let data = try? Data(contentsOf: url)
    else { return nil }
    return try? JSONDecoder().decode(OptimizerFixture.self, from: data)
  }()
}

@Suite struct OptimizerTests {
  /// Each fixture configuration's optimizer, built the way optim_fixtures.py builds it in PyTorch.
  static let optimizers: [String: @Sendable ([Tensor]) -> Optimizer] = [
    "sgd_plain": { SGD($0, lr: 0.1) },
    "sgd_defaults": { SGD($0) },
    "sgd_momentum_weight_decay": { SGD($0, lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.05) },
    "sgd_nesterov": { SGD($0, lr: 0.05, momentum: 0.8, weightDecay: 0.01, nesterov: true) },
    "adam": { Adam($0, lr: 0.01) },
    "adam_defaults": { Adam($0) },
    "adam_weight_decay": { Adam($0, lr: 0.02, betas: (0.8, 0.99), eps: 1e-6, weightDecay: 0.1) },
    "adamw": { AdamW($0, lr: 0.01, weightDecay: 0.1) },
    "adamw_defaults": { AdamW($0) },
  ]

  @Test func tableCoversFixtures() throws {
    let fixture = try #require(OptimizerFixture.file, "missing or unreadable Fixtures/optim.json")
    #expect(Set(fixture.configs.map(\.name)) == Set(Self.optimizers.keys))
  }

  /// Runs the same steps as PyTorch (same start, gradients and learning-rate
  /// schedule, same parameters left without a gradient) and compares the
  /// parameters after every step.
  ///
  /// The reference is PyTorch's own float32 run, so only rounding separates
  /// the two: we compute each element in PyTorch's order, but its vector loops
  /// fuse some multiply-adds (one rounding where we make two). Each step
  /// rounds about six times per element, a half ulp each, and momentum and the
  /// moments carry errors into later steps. Errors scale with the O(1) terms
  /// of the update, not with a parameter that happens to be near 0, so the
  /// bound is 4 ulps of `max(1, |p|)` (4.8e-7 at 1); the worst gap measured is
  /// 6e-8, half an ulp at 1. Any formula difference moves parameters by far
  /// more (a skipped bias correction, a damped first momentum or coupled
  /// instead of decoupled decay: 1e-4 or more here).
  @Test(arguments: OptimizerFixture.file?.configs ?? [])
  func matchesPyTorch(_ trajectory: OptimizerTrajectory) throws {
    let fixture = try #require(OptimizerFixture.file)
    let make = try #require(Self.optimizers[trajectory.name])
    let parameters = zip(fixture.initial, fixture.shapes).map {
      Tensor($0.0, shape: Shape($0.1), requiresGrad: true)
    }
    let optimizer = make(parameters)
    for (k, step) in trajectory.steps.enumerated() {
      optimizer.learningRate = step.learningRate
      for (parameter, grad) in zip(parameters, step.grads) {
        parameter.grad = grad.map { Tensor($0, shape: parameter.shape) }
      }
      optimizer.step()
      for (i, (parameter, expected)) in zip(parameters, step.params).enumerated() {
        let values = parameter.scalars
        for j in values.indices where !(abs(values[j] - expected[j]) <= 4 * max(1, abs(expected[j])).ulp) {
          Issue.record("step \(k + 1), parameter \(i)[\(j)]: \(values[j]) vs PyTorch \(expected[j])")
          return
        }
      }
    }
  }

  @Test func parametersWithoutGradientsStayPutAndGetNoState() {
    let a = Tensor([1, 2], requiresGrad: true)
    let b = Tensor([3, 4], requiresGrad: true)
    let adam = Adam([a, b], lr: 0.1)
    a.grad = Tensor([1, -1])
    adam.step()
    #expect(b.scalars == [3, 4])
    #expect(adam.stepCount(0) == 1 && !adam.hasState(1))
    #expect(a.scalars != [1, 2])
    adam.zeroGrad()
    #expect(a.grad == nil)
  }

  @Test func trainsAnMLPOnALine() {
    // y = 2x - 1 on a few points: loss must fall by orders of magnitude.
    var generator = RandomGenerator(seed: 6)
    let model = MLP(1, [8, 1], generator: &generator)
    let x = Tensor([-1, -0.5, 0, 0.5, 1], shape: [5, 1])
    let y = 2 * x - 1
    let optimizer = AdamW(model.parameters(), lr: 0.05)
    var losses: [Float] = []
    for _ in 0..<300 {
      let loss = mseLoss(model(x), y)
      losses.append(loss.item())
      optimizer.zeroGrad()
      loss.backward()
      optimizer.step()
    }
    #expect(losses.last! < 1e-3 * losses.first!)
  }

  @Test func nesterovWithoutMomentumStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = SGD([Tensor([1], requiresGrad: true)], lr: 0.1, nesterov: true)
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("SGD: Nesterov momentum requires a momentum and zero dampening"))
  }

  @Test func nonLeafParameterStops() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let a = Tensor([1, 2], requiresGrad: true)
      _ = Adam([a, a * 2])
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("optimizer: parameter 1 (mul of shape [2]) is not a leaf"))
  }
}
