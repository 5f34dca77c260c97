import Testing

@testable import Micrograd

/// Pow, exp, log, tanh, sigmoid, relu, comparisons and select against PyTorch and finite differences.
@Suite struct ElementwiseOpsTests {
  static let ops: OpTable = [
    "pow_2": { $0[0].pow(2) },
    "pow_3": { pow($0[0], 3) },
    "pow_half": { $0[0].pow(0.5) },
    "pow_minus_1": { $0[0].pow(-1) },
    "pow_1_5": { $0[0].pow(1.5) },
    "pow_0d": { $0[0].pow(3) },
    "pow_odd": { $0[0].pow(2) },
    "pow_broadcast": { $0[0].pow(2) * $0[1] },
    "exp": { exp($0[0]) },
    "exp_0d": { exp($0[0]) },
    "exp_broadcast": { exp($0[0] + $0[1]) },
    "log": { log($0[0]) },
    "log_0d": { log($0[0]) },
    "log_odd": { log($0[0]) },
    "log_of_exp": { log(exp($0[0]) + 1) },
    "tanh": { tanh($0[0]) },
    "tanh_0d": { tanh($0[0]) },
    "tanh_tails": { tanh($0[0]) },
    "sigmoid": { sigmoid($0[0]) },
    "sigmoid_0d": { sigmoid($0[0]) },
    "sigmoid_odd": { sigmoid($0[0]) },
    "sigmoid_tails": { sigmoid($0[0]) },
    "relu_0d": { relu($0[0]) },
    "relu_odd": { relu($0[0]) },
    "relu_broadcast": { relu($0[0] - $0[1]) },
    "gt_mask": { $0[0] .> $0[1] },
    "ge_mask": { $0[0] .>= 0.5 },
    "lt_mask": { $0[0] .< $0[1] },
    "le_mask": { $0[0] .<= -0.5 },
    "eq_mask": { $0[0] .== $0[1] },
    "ne_mask": { $0[0] .!= $0[1] },
    "mul_by_mask": { $0[0] * ($0[0] .> $0[1]) },
    "select_gt": { select($0[0] .> $0[1], $0[0] * 2, $0[1]) },
    "select_broadcast": { select($0[0] .> 0, $0[0], $0[1] * $0[1]) },
    "select_0d_condition": { select($0[0] .> 0, $0[1], $0[2]) },
    "select_odd": { select($0[0] .<= $0[1], exp($0[0]), tanh($0[1])) },
    "select_clamp": { a in select(a[0] .< -1, -1 + 0 * a[0], select(a[0] .> 1, 1 + 0 * a[0], a[0])) },
    "chain": { sigmoid(tanh($0[0]) * exp($0[1]).pow(0.5)) + log($0[1] * $0[1] + 1) },
  ]

  @Test func tableCoversFixtures() { expectCovers("elementwise", Self.ops) }

  @Test(arguments: fixtureCases("elementwise"))
  func matchesPyTorch(_ fixture: FixtureCase) throws {
    let op = try #require(Self.ops[fixture.name])
    checkFixture(fixture, op)
  }

  @Test func powFiniteDifferences() {
    var random = TestRandom(seed: 2)
    for p: Float in [2, 3, -1, 0.5, 1.5, 1] {
      let x = random.tensor([3, 4], 0.5, 2)
      expectGradientsMatchFiniteDifferences([x]) { $0[0].pow(p) }
    }
    let signed = random.tensor([2, 3])
    expectGradientsMatchFiniteDifferences([signed]) { pow($0[0], 3) }
    let scalar = random.tensor([])
    let row = random.tensor([5])
    expectGradientsMatchFiniteDifferences([scalar, row]) { $0[0].pow(2) * $0[1] }
  }

  @Test func powZeroHasZeroGradient() {
    let x = Tensor([0, 1, -2], requiresGrad: true)
    let y = x.pow(0)
    #expect(y.scalars == [1, 1, 1])
    y.sum().backward()
    #expect(x.grad?.scalars ?? [] == [0, 0, 0])
  }

  @Test func expAndLogFiniteDifferences() {
    var random = TestRandom(seed: 3)
    let x = random.tensor([2, 3, 4])
    let b = random.tensor([4, 1])
    expectGradientsMatchFiniteDifferences([x]) { exp($0[0]) }
    expectGradientsMatchFiniteDifferences([random.tensor([3]), b]) { exp($0[0] * $0[1]) }
    expectGradientsMatchFiniteDifferences([random.tensor([3, 4], 0.5, 3)]) { log($0[0]) }
    expectGradientsMatchFiniteDifferences([random.tensor([])]) { log(exp($0[0]) + 1) }
  }

  @Test func tanhAndSigmoidFiniteDifferences() {
    var random = TestRandom(seed: 4)
    expectGradientsMatchFiniteDifferences([random.tensor([4, 5], -3, 3)]) { tanh($0[0]) }
    expectGradientsMatchFiniteDifferences([random.tensor([4, 5], -4, 4)]) { sigmoid($0[0]) }
    let a = random.tensor([1, 7])
    let b = random.tensor([7, 1])
    expectGradientsMatchFiniteDifferences([a, b]) { sigmoid(tanh($0[0]) * $0[1]) }
  }

  @Test func sigmoidAndTanhDoNotOverflowInTheTails() {
    let x = Tensor([-1000, -100, -88.8, 88.8, 100, 1000], requiresGrad: true)
    let s = sigmoid(x).scalars
    #expect(!s.contains { $0.isNaN })
    #expect(s[0] == 0 && s[1] == 0 && s[4] == 1 && s[5] == 1)
    #expect(s[2] >= 0 && s[2] < 1e-30 && s[3] == 1)
    #expect(sigmoid(Tensor(-100)).item() == 0)
    #expect(sigmoid(Tensor(100)).item() == 1)
    let t = tanh(x).scalars
    #expect(t == [-1, -1, -1, 1, 1, 1])
    sigmoid(x).sum().backward()
    let gs = x.grad?.scalars ?? [.nan]
    #expect(!gs.contains { $0.isNaN } && gs.allSatisfy { $0 >= 0 && $0 < 1e-30 })
    x.zeroGrad()
    tanh(x).sum().backward()
    #expect(x.grad?.scalars ?? [.nan] == [0, 0, 0, 0, 0, 0])
  }

  @Test func masksAndSelectFiniteDifferences() {
    // Inputs are drawn so that no element lies within the step (1e-2) of a
    // comparison's threshold: the masks are then constant under the nudges.
    let a = Tensor([[-1.5, 0.7, 1.9, -0.3], [0.2, -1.1, 1.3, 0.6], [-0.8, 1.6, -1.7, 0.4]], requiresGrad: true)
    let b = Tensor([[0.9, -0.4, 1.2, -1.3], [1.0, -1.8, 0.5, 1.4], [0.1, 0.8, -0.2, -0.9]], requiresGrad: true)
    expectGradientsMatchFiniteDifferences([a, b]) { select($0[0] .> $0[1], $0[0] * 2, $0[1]) }
    expectGradientsMatchFiniteDifferences([a, b]) { $0[0] * ($0[0] .> $0[1]) + $0[1] * ($0[0] .<= $0[1]) }
    expectGradientsMatchFiniteDifferences([a, b]) { $0[0] * ($0[1] .>= 0.3) - $0[1] * ($0[0] .< -0.5) }
    // Equality masks jump at every tie, so they compare constants here.
    let c = Tensor([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]])
    let d = Tensor([1, 0, 3, 0])
    expectGradientsMatchFiniteDifferences([a, b]) { $0[0].pow(2) * (c .!= d) + $0[1] * (c .== d) }
    let row = Tensor([0.5, -0.6, 1.1, -1.4], requiresGrad: true)
    expectGradientsMatchFiniteDifferences([a, row]) { select($0[0] .< $0[1], exp($0[0]), tanh($0[1])) }
    let flag = Tensor(1, requiresGrad: false)
    expectGradientsMatchFiniteDifferences([a, row]) { select(flag, $0[0], $0[1]) + select(1 - flag, $0[0], $0[1]) }
    expectGradientsMatchFiniteDifferences([a]) { a in
      select(a[0] .< -1, -1 + 0 * a[0], select(a[0] .> 1, 1 + 0 * a[0], a[0]))
    }
  }

  @Test func masksCarryNoGradient() {
    let a = Tensor([1, -2, 3], requiresGrad: true)
    let b = Tensor([0, 0, 5], requiresGrad: true)
    for mask in [a .> b, a .>= b, a .< b, a .<= b, a .== b, a .!= b, a .> 0] {
      #expect(!mask.requiresGrad)
      #expect(mask.inputs.isEmpty)
    }
    #expect((a .> b).scalars == [1, 0, 0])
    #expect((a .== 3).scalars == [0, 0, 1])
  }
}
