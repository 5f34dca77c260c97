import Testing

@testable import Micrograd

/// Gemm's matrix-vector route (n = 1 goes to sgemv) and batch plans.
@Suite struct GemmTests {
  /// `op(a)·op(b)` by the definition, in double.
  static func reference(
    _ a: [Float], transposeA: Bool, _ b: [Float], transposeB: Bool, m: Int, n: Int, k: Int
  ) -> [Float] {
    (0..<m * n).map { index in
      let (i, j) = (index / n, index % n)
      var sum = 0.0
      for p in 0..<k {
        let x = transposeA ? a[p * m + i] : a[i * k + p]
        let y = transposeB ? b[j * k + p] : b[p * n + j]
        sum += Double(x) * Double(y)
      }
      return Float(sum)
    }
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func matrixVectorProductsMatchTheDefinition(transposeA: Bool, transposeB: Bool) {
    var random = TestRandom(seed: 31)
    for (m, n, k) in [(7, 1, 5), (1, 1, 9), (64, 1, 100), (5, 3, 4), (1, 6, 3)] {
      let a = (0..<m * k).map { _ in random.uniform(-1, 1) }
      let b = (0..<k * n).map { _ in random.uniform(-1, 1) }
      let expected = Self.reference(a, transposeA: transposeA, b, transposeB: transposeB, m: m, n: n, k: k)
      var c = [Float](repeating: 0.5, count: m * n)
      Gemm.multiply(a, transposeA: transposeA, b, transposeB: transposeB, &c, m: m, n: n, k: k)
      // Summation order differs from the double reference: a few float ulps of k terms.
      #expect(zip(c, expected).allSatisfy { abs($0 - $1) <= 1e-5 * Float(k) })
      Gemm.multiply(a, transposeA: transposeA, b, transposeB: transposeB, &c, m: m, n: n, k: k, accumulate: true)
      #expect(zip(c, expected).allSatisfy { abs($0 - 2 * $1) <= 2e-5 * Float(k) })
    }
  }

  @Test func batchPlansBroadcastLeadingAxes() {
    let plan = Gemm.BatchPlan([2, 1, 4, 3], transposeA: false, [5, 3, 6], transposeB: false, [2, 5, 4, 6])
    #expect((plan.m, plan.n, plan.k) == (4, 6, 3))
    #expect(plan.aOffsets == (0..<10).map { ($0 / 5) * 12 })
    #expect(plan.bOffsets == (0..<10).map { ($0 % 5) * 18 })
  }
}
