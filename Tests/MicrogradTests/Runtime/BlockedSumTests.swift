import Testing

@testable import Micrograd

/// The order sums add in (``BlockedSum``): eager, the stored-tensor kernel and
/// the fused reduction (on one core or split across the cores by blocks) all
/// give exactly what a plain loop written from the order's definition gives.
@Suite struct BlockedSumTests {
  /// The definition, one element at a time: blocks of 4096 from the run's
  /// start, element `i` of a block into lane `i % 16`, lanes added pairwise,
  /// block sums added in order onto `total`.
  static func reference(_ run: ArraySlice<Float>, onto total: Float) -> Float {
    var total = total
    var start = run.startIndex
    while start < run.endIndex {
      let end = min(start + 4096, run.endIndex)
      var lanes = [Float](repeating: 0, count: 16)
      for i in start..<end { lanes[(i - start) % 16] += run[i] }
      for width in [8, 4, 2, 1] {
        for l in 0..<width { lanes[l] += lanes[l + width] }
      }
      total += lanes[0]
      start = end
    }
    return total
  }

  static func values(_ count: Int, seed: UInt64) -> [Float] {
    var random = TestRandom(seed: seed)
    return (0..<count).map { _ in random.uniform(-1000, 1000) }
  }

  /// Sizes around the block, the lanes, the core split's threshold (2^16).
  static let sizes = [1, 15, 17, 4095, 4097, 65_536 + 7, 70_001]

  @Test(arguments: sizes) func eagerSumFollowsTheOrder(count: Int) {
    let values = Self.values(count, seed: UInt64(count))
    let eager = Tensor(values, shape: [count]).sum().item()
    #expect(eager.bitPattern == Self.reference(values[...], onto: 0).bitPattern)
  }

  /// `sum(x + 0.5)` fuses into one kernel whose reduction, at 2^16 elements
  /// and more, splits across the cores (on a machine with more than one).
  @Test(arguments: sizes) func fusedSumFollowsTheOrder(count: Int) throws {
    let values = Self.values(count, seed: UInt64(count) + 1)
    let f = compile { xs in [(xs[0] + 0.5).sum()] }
    let x = Tensor(values, shape: [count])
    let program = try f.program(for: [[count]])
    #expect(program.instructions.map(\.operation.name) == ["fused+sum"])
    let compiled = try f(x)[0].item()
    let expected = Self.reference(values.map { $0 + 0.5 }[...], onto: 0)
    #expect(compiled.bitPattern == expected.bitPattern)
    #expect(compiled.bitPattern == noGrad { (x + 0.5).sum() }.item().bitPattern)
  }

  /// Reduced axes around a kept one (`[4, 3, 6000]` over axes 0 and 2): each
  /// output adds its four runs of 6,000 (two blocks each) in order; the
  /// stored-tensor walk and the fused reducer cut the same runs. With two
  /// trailing reduced axes (`[2, 3, 50, 90]` over 0, 2, 3) a run is the
  /// merged 4,500 elements in both.
  @Test(arguments: [([4, 3, 6000], [0, 2]), ([2, 3, 50, 90], [0, 2, 3])])
  func runsAroundKeptAxes(dims: [Int], axes: [Int]) throws {
    let shape = Shape(dims)
    let values = Self.values(shape.count, seed: 7)
    let x = Tensor(values, shape: shape)
    let run = dims[2...].reduce(1, *)
    var expected: [Float] = []
    for j in 0..<dims[1] {
      var total: Float = 0
      for i in 0..<dims[0] {
        let start = (i * dims[1] + j) * run
        total = Self.reference(values[start..<start + run].map { $0 * 2 }[...], onto: total)
      }
      expected.append(total)
    }
    let eager = noGrad { (x * 2).sum(axes: axes) }.scalars
    #expect(eager.map(\.bitPattern) == expected.map(\.bitPattern))
    let f = compile { xs in [(xs[0] * 2).sum(axes: axes)] }
    #expect(try f.program(for: [shape]).instructions.map(\.operation.name) == ["fused+sum"])
    #expect(try f(x)[0].scalars.map(\.bitPattern) == expected.map(\.bitPattern))
  }

  /// More accurate than one running total: 2^24 + 8,192 ones sum exactly
  /// (a float running total stops at 2^24, where adding 1 rounds back).
  @Test func onesPastTwoToTheTwentyFourSumExactly() throws {
    let count = (1 << 24) + 8192
    let ones = Tensor.ones([count])
    #expect(ones.sum().item() == Float(count))
    let f = compile { xs in [(xs[0] * 0.5).sum()] }
    #expect(try f(ones)[0].item() == Float(count) / 2)
  }
}
