import Testing

@testable import Micrograd

/// The interpreter with and without a memory plan, and its prepared kernels
/// against eager mode.
@Suite struct InterpreterTests {
  /// Runs `lowered` as planned and unplanned interpreters on `inputs`.
  static func runBothWays(_ lowered: LoweredProgram, _ inputs: [Tensor]) throws -> (planned: [Tensor], naive: [Tensor])
  {
    var naive = lowered
    naive.program.memoryPlan = nil
    let planned = RuntimePrograms.planned(lowered)
    #expect(planned.program.memoryPlan != nil)
    return (try Interpreter(planned).run(inputs), try Interpreter(naive).run(inputs))
  }

  @Test func mlpValueAndGradWithPlanEqualsWithoutBitForBit() throws {
    let parameters = RuntimePrograms.mlp(hidden: 32)
    let lowered = try RuntimePrograms.valueAndGrad(parameters, inputShapes: [[50, 2], [50, 1]]) { xs in
      RuntimePrograms.mlpLoss(parameters, xs[0], xs[1])
    }
    var random = TestRandom(seed: 11)
    let inputs = [random.tensor([50, 2], requiresGrad: false), random.tensor([50, 1], requiresGrad: false)]
    let (planned, naive) = try Self.runBothWays(lowered, inputs)
    #expect(planned.map(\.scalars) == naive.map(\.scalars))
    // And both equal eager mode.
    let loss = RuntimePrograms.mlpLoss(parameters, inputs[0], inputs[1])
    loss.backward()
    #expect(planned[0].scalars == loss.scalars)
    #expect(Array(planned.dropFirst().map(\.scalars)) == parameters.map { $0.grad!.scalars })
  }

  @Test func plannedInterpreterOwnsLessMemory() throws {
    let parameters = RuntimePrograms.mlp(hidden: 32)
    let lowered = try RuntimePrograms.valueAndGrad(parameters, inputShapes: [[50, 2], [50, 1]]) { xs in
      RuntimePrograms.mlpLoss(parameters, xs[0], xs[1])
    }
    var naive = lowered
    naive.program.memoryPlan = nil
    let planned = RuntimePrograms.planned(lowered)
    let plan = try #require(planned.program.memoryPlan)
    let inputBytes = (50 * 2 + 50 * 1) * 4
    #expect(Interpreter(planned).ownedBytes == plan.peakBytes + inputBytes)
    #expect(Interpreter(naive).ownedBytes == plan.naiveBytes + inputBytes)
  }

  @Test func sgdUpdateWithPlanMatchesEager() throws {
    // The assigns read values planned among the temporaries: the plan must
    // keep them alive until copied into the parameters.
    func run(planned: Bool) throws -> ([Float], [[Float]]) {
      let parameters = RuntimePrograms.mlp(hidden: 8, seed: 5)
      var lowered = try RuntimePrograms.valueAndGrad(parameters, inputShapes: [[20, 2], [20, 1]], learningRate: 0.5) {
        xs in RuntimePrograms.mlpLoss(parameters, xs[0], xs[1])
      }
      lowered = planned ? RuntimePrograms.planned(lowered) : lowered
      var random = TestRandom(seed: 12)
      let inputs = [random.tensor([20, 2], requiresGrad: false), random.tensor([20, 1], requiresGrad: false)]
      let interpreter = Interpreter(lowered)
      var losses: [Float] = []
      for _ in 0..<3 { losses.append(try interpreter.run(inputs)[0].item()) }
      return (losses, parameters.map(\.scalars))
    }
    let (plannedLosses, plannedParameters) = try run(planned: true)
    let (naiveLosses, naiveParameters) = try run(planned: false)
    #expect(plannedLosses == naiveLosses)
    #expect(plannedParameters == naiveParameters)
    // Eager: the same three steps by hand.
    let parameters = RuntimePrograms.mlp(hidden: 8, seed: 5)
    var random = TestRandom(seed: 12)
    let x = random.tensor([20, 2], requiresGrad: false)
    let y = random.tensor([20, 1], requiresGrad: false)
    var eagerLosses: [Float] = []
    for _ in 0..<3 {
      let loss = RuntimePrograms.mlpLoss(parameters, x, y)
      eagerLosses.append(loss.item())
      let grads = grad(of: loss, withRespectTo: parameters)
      for (p, g) in zip(parameters, grads) {
        p.updateValues { values in
          for i in values.indices { values[i] = values[i] - 0.5 * g.scalars[i] }
        }
      }
    }
    #expect(plannedLosses == eagerLosses)
    #expect(plannedParameters == parameters.map(\.scalars))
  }

  @Test func preparedKernelsMatchEagerOnBroadcastsAndReductions() throws {
    var random = TestRandom(seed: 21)
    let a = random.tensor([3, 1, 5], requiresGrad: false)
    let b = random.tensor([4, 1], requiresGrad: false)
    let c = random.tensor([2, 3, 4, 5], requiresGrad: false)
    let m = random.tensor([2, 1, 5, 3], requiresGrad: false)
    func f(_ xs: [Tensor]) -> [Tensor] {
      let (a, b, c, m) = (xs[0], xs[1], xs[2], xs[3])
      let sum = a + b  // [3, 4, 5]
      let masked = select(c .> 0, c, sum)  // [2, 3, 4, 5]
      return [
        sum * 2 - b, masked.sum(axes: [0, 2]), masked.sum(axes: [1], keepdims: true), masked.sum(axes: [3]),
        (1 - masked).sum(axes: [0]), a.expand(to: [2, 3, 4, 5]).reshape([6, 20]), relu(masked / (a + 3)),
        matmul(masked, m),  // batched: [2, 3, 4, 5] · [2, 1, 5, 3]
        masked.sum(),
      ]
    }
    let inputs = [a, b, c, m]
    let lowered = try RuntimePrograms.forward(inputShapes: inputs.map(\.shape), f)
    let (planned, naive) = try Self.runBothWays(lowered, inputs)
    let eager = f(inputs)
    #expect(planned.map(\.shape) == eager.map(\.shape))
    #expect(planned.map(\.scalars) == eager.map(\.scalars))
    #expect(naive.map(\.scalars) == eager.map(\.scalars))
  }

  @Test func largeProgramsSplitAcrossCoresStillMatchEager() throws {
    var random = TestRandom(seed: 22)
    let x = random.tensor([300, 400], requiresGrad: false)
    func f(_ xs: [Tensor]) -> [Tensor] {
      let h = relu(xs[0] * 3 - 1)
      return [h.sum(axes: [1]), h.sum(axes: [0]), (h + xs[0]).sum()]
    }
    let lowered = try RuntimePrograms.forward(inputShapes: [x.shape], f)
    let (planned, _) = try Self.runBothWays(lowered, [x])
    #expect(planned.map(\.scalars) == f([x]).map(\.scalars))
  }
}

extension InterpreterTests {
  @Test func unusedInputsStillTakeTheirValues() throws {
    let lowered = try RuntimePrograms.forward(inputShapes: [[3], [1000]]) { xs in [xs[0] * 2] }
    var random = TestRandom(seed: 23)
    let x = random.tensor([3], requiresGrad: false)
    let (planned, naive) = try Self.runBothWays(lowered, [x, random.tensor([1000], requiresGrad: false)])
    #expect(planned[0].scalars == x.scalars.map { $0 * 2 })
    #expect(naive[0].scalars == planned[0].scalars)
  }
}
