import Testing

@testable import Micrograd

/// Arithmetic, sum, reshape/expand, matmul and relu against PyTorch and finite differences.
@Suite struct CoreOpsTests {
  static let ops: OpTable = [
    "add_same": { $0[0] + $0[1] },
    "add_broadcast_row": { $0[0] + $0[1] },
    "add_broadcast_both": { $0[0] + $0[1] },
    "add_scalar_tensor": { $0[0] + $0[1] },
    "add_0d": { $0[0] + $0[1] },
    "add_reused": { $0[0] + $0[0] },
    "sub_broadcast": { $0[0] - $0[1] },
    "sub_no_grad_rhs": { $0[0] - $0[1] },
    "mul_broadcast": { $0[0] * $0[1] },
    "mul_reused": { $0[0] * $0[0] * $0[0] },
    "mul_odd": { $0[0] * $0[1] },
    "div_broadcast": { $0[0] / $0[1] },
    "div_0d": { $0[0] / $0[1] },
    "neg": { -$0[0] },
    "scalar_left": { 2 * $0[0] - (1 - $0[0]) / 4 + 3 },
    "sum_all": { $0[0].sum() },
    "sum_axis0": { $0[0].sum(axis: 0) },
    "sum_axis_neg_keepdims": { $0[0].sum(axis: -1, keepdims: true) },
    "sum_axes_0_2": { $0[0].sum(axes: [0, 2]) },
    "sum_0d": { $0[0].sum() },
    "reshape": { $0[0].reshape([4, 3]) * Tensor((0..<12).map(Float.init), shape: [4, 3]) },
    "reshape_infer": { $0[0].reshape([-1, 2]) },
    "expand": { $0[0].expand(to: [2, 3, 4]) },
    "matmul_2d": { matmul($0[0], $0[1]) },
    "matmul_batched": { matmul($0[0], $0[1]) },
    "matmul_batch_broadcast": { matmul($0[0], $0[1]) },
    "matmul_vector_right": { matmul($0[0], $0[1]) },
    "matmul_vector_left": { matmul($0[0], $0[1]) },
    "matmul_odd": { matmul($0[0], $0[1]) },
    "relu": { relu($0[0]) },
  ]

  @Test func tableCoversFixtures() { expectCovers("core", Self.ops) }

  @Test(arguments: fixtureCases("core"))
  func matchesPyTorch(_ fixture: FixtureCase) throws {
    let op = try #require(Self.ops[fixture.name])
    checkFixture(fixture, op)
  }

  @Test func finiteDifferences() {
    var random = TestRandom(seed: 1)
    let a = random.tensor([3, 4])
    let b = random.tensor([4])
    expectGradientsMatchFiniteDifferences([a, b]) { $0[0] * $0[1] + $0[0] - $0[1] }
    let d = random.tensor([3, 4])
    let e = random.tensor([3, 1], 0.5, 2)
    expectGradientsMatchFiniteDifferences([d, e]) { $0[0] / $0[1] }
    let m = random.tensor([2, 3, 4])
    let n = random.tensor([4, 5])
    expectGradientsMatchFiniteDifferences([m, n]) { matmul($0[0], $0[1]) }
    let s = random.tensor([2, 3, 4])
    expectGradientsMatchFiniteDifferences([s]) {
      $0[0].sum(axes: [0, 2], keepdims: true).expand(to: [2, 3, 4]).reshape([4, 6])
    }
    let r = Tensor([-1.5, -0.5, 0.5, 1.5], requiresGrad: true)
    expectGradientsMatchFiniteDifferences([r]) { relu($0[0]) }
  }
}
