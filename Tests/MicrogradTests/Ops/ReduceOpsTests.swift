import Testing

@testable import Micrograd

/// Mean, max, logsumexp, softmax, log-softmax, one-hot and cross-entropy against
/// PyTorch, finite differences (first and second order), and their error messages.
@Suite struct ReduceOpsTests {
  static let ops: OpTable = [
    "mean_all": { $0[0].mean() },
    "mean_axis0": { $0[0].mean(axis: 0) },
    "mean_axis_neg_keepdims": { $0[0].mean(axis: -1, keepdims: true) },
    "mean_axes_0_2": { $0[0].mean(axes: [0, 2]) },
    "mean_axes_neg_keepdims": { $0[0].mean(axes: [0, -1], keepdims: true) },
    "mean_0d": { $0[0].mean() },
    "mean_odd": { $0[0].mean(axis: 1) },
    "max_all": { $0[0].max() },
    "max_axis1": { $0[0].max(axis: 1) },
    "max_axis_neg_keepdims": { $0[0].max(axis: -1, keepdims: true) },
    "max_axes_0_2": { $0[0].max(axes: [0, 2]) },
    "max_0d": { $0[0].max() },
    "max_odd": { $0[0].max(axis: 0) },
    "max_ties_rows": { $0[0].max(axis: 1) },
    "max_ties_all": { $0[0].max() },
    "max_ties_axis0_keepdims": { $0[0].max(axis: 0, keepdims: true) },
    "logsumexp_axis1": { $0[0].logsumexp(axis: 1) },
    "logsumexp_axis_neg_keepdims": { $0[0].logsumexp(axis: -1, keepdims: true) },
    "logsumexp_axes_0_2": { $0[0].logsumexp(axes: [0, 2]) },
    "logsumexp_all": { $0[0].logsumexp() },
    "logsumexp_0d": { $0[0].logsumexp() },
    "logsumexp_free_function": { logsumexp($0[0], axis: 0) },
    "logsumexp_large": { $0[0].logsumexp(axis: 1) },
    "softmax_last": { softmax($0[0]) },
    "softmax_axis0": { softmax($0[0], axis: 0) },
    "softmax_3d_middle": { softmax($0[0], axis: 1) },
    "softmax_1d": { softmax($0[0]) },
    "softmax_single_class": { softmax($0[0], axis: -1) },
    "softmax_large": { softmax($0[0]) },
    "log_softmax_last": { logSoftmax($0[0]) },
    "log_softmax_axis0": { logSoftmax($0[0], axis: 0) },
    "log_softmax_3d_neg": { logSoftmax($0[0], axis: -2) },
    "log_softmax_large": { logSoftmax($0[0]) },
    "one_hot": { oneHot($0[0], classes: 4) },
    "one_hot_2d": { oneHot($0[0], classes: 3) },
    "cross_entropy": { crossEntropy($0[0], $0[1]) },
    "cross_entropy_one_row": { crossEntropy($0[0], $0[1]) },
    "cross_entropy_one_class": { crossEntropy($0[0], $0[1]) },
    "cross_entropy_large_logits": { crossEntropy($0[0], $0[1]) },
    "cross_entropy_many_classes": { crossEntropy($0[0], $0[1]) },
  ]

  @Test func tableCoversFixtures() { expectCovers("reduce", Self.ops) }

  @Test(arguments: fixtureCases("reduce"))
  func matchesPyTorch(_ fixture: FixtureCase) throws {
    let op = try #require(Self.ops[fixture.name])
    checkFixture(fixture, op)
  }

  /// Distinct values 0.3 apart in a shuffled order, so no two are within the
  /// finite-difference step of each other (max has kinks at ties).
  static func spacedValues(_ shape: Shape, seed: UInt64) -> Tensor {
    var random = TestRandom(seed: seed)
    var values = (0..<shape.count).map { Float($0) * 0.3 - 1.5 }
    for i in stride(from: values.count - 1, to: 0, by: -1) { values.swapAt(i, Int(random.next() % UInt64(i + 1))) }
    return Tensor(values, shape: shape, requiresGrad: true)
  }

  @Test func finiteDifferences() {
    var random = TestRandom(seed: 4)
    let m = random.tensor([2, 3, 4])
    expectGradientsMatchFiniteDifferences([m]) { $0[0].mean(axes: [0, -1], keepdims: true) }
    let x = Self.spacedValues([3, 4], seed: 5)
    expectGradientsMatchFiniteDifferences([x]) { $0[0].max(axis: 1) }
    expectGradientsMatchFiniteDifferences([x]) { $0[0].max(axes: [0, 1], keepdims: true) }
    let l = random.tensor([3, 5])
    expectGradientsMatchFiniteDifferences([l]) { $0[0].logsumexp(axis: 1, keepdims: true) }
    expectGradientsMatchFiniteDifferences([l]) { $0[0].logsumexp() }
    expectGradientsMatchFiniteDifferences([l]) { exp($0[0]) }
    let s = random.tensor([4, 5])
    expectGradientsMatchFiniteDifferences([s]) { softmax($0[0]) }
    expectGradientsMatchFiniteDifferences([s]) { logSoftmax($0[0], axis: 0) }
    let logits = random.tensor([5, 4])
    let targets = Tensor([0, 3, 1, 1, 2])
    expectGradientsMatchFiniteDifferences([logits, targets]) { crossEntropy($0[0], $0[1]) }
  }

  /// Second derivatives: each op's backward rule differentiated again.
  @Test func secondOrderFiniteDifferences() {
    var random = TestRandom(seed: 6)
    let m = random.tensor([3, 4])
    expectGradientsMatchFiniteDifferences([m], gradientOfFirstInput { ($0[0] * $0[0]).mean(axis: 0) })
    let x = Self.spacedValues([3, 4], seed: 8)
    expectGradientsMatchFiniteDifferences(
      [x],
      gradientOfFirstInput { x in
        let largest = x[0].max(axis: 1)
        return largest * largest
      })
    let l = random.tensor([3, 5])
    expectGradientsMatchFiniteDifferences([l], gradientOfFirstInput { $0[0].logsumexp(axis: 1) })
    expectGradientsMatchFiniteDifferences([l], gradientOfFirstInput { exp($0[0]) })
    expectGradientsMatchFiniteDifferences([l], gradientOfFirstInput { softmax($0[0], axis: 0) })
    expectGradientsMatchFiniteDifferences([l], gradientOfFirstInput { logSoftmax($0[0]) })
    let targets = Tensor([4, 0, 2])
    expectGradientsMatchFiniteDifferences([l, targets], gradientOfFirstInput { crossEntropy($0[0], $0[1]) })
  }

  @Test func softmaxOfExtremeLogitsIsFinite() {
    let logits = Tensor([[1000, -1000, 0], [-1e30, -1e30, -1e30], [Float.infinity, 0, 0]], requiresGrad: true)
    let probabilities = softmax(logits.slice(axis: 0, start: 0, end: 2))
    #expect(probabilities.scalars.allSatisfy { $0.isFinite })
    #expect(logits.logsumexp(axis: 1).scalars[2] == .infinity)
    #expect(Tensor([-Float.infinity, -.infinity]).logsumexp().item() == -.infinity)
  }

  @Test func meanOverEmptyAxisIsNaNLikePyTorch() {
    let means = Tensor.zeros([2, 0]).mean(axis: 1)
    #expect(means.shape == [2])
    #expect(means.scalars.allSatisfy { $0.isNaN })
  }

  // Error messages, from a child process (exit tests). Inside an exit test's
  // body, `#line` default arguments resolve to the line of the `#expect` macro
  // (its expansion moves the body), so that is the line the message names.

  @Test func meanBadAxisStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).mean(axis: 2)
    }
    expectStandardError(result, contains: ["mean", "axis 2", "[2, 3]", "ReduceOpsTests.swift:\(line)"])
  }

  @Test func maxBadAxisStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 3]).max(axes: [0, -2])
    }
    expectStandardError(result, contains: ["max", "axis -2", "[2, 3]", "ReduceOpsTests.swift:\(line)"])
  }

  @Test func maxOfEmptyAxisStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = Tensor.zeros([2, 0]).max(axis: 1)
    }
    expectStandardError(result, contains: ["max", "size 0", "[2, 0]", "ReduceOpsTests.swift:\(line)"])
  }

  @Test func logsumexpBadAxisStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = logsumexp(Tensor.zeros([4]), axis: 1)
    }
    expectStandardError(result, contains: ["logsumexp", "axis 1", "[4]", "ReduceOpsTests.swift:\(line)"])
  }

  @Test func softmaxBadAxisNamesSoftmax() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = softmax(Tensor.zeros([2, 3]), axis: -3)
    }
    expectStandardError(result, contains: ["softmax:", "axis -3", "[2, 3]", "ReduceOpsTests.swift:\(line)"])
  }

  @Test func logSoftmaxOfScalarStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = logSoftmax(Tensor(1))
    }
    expectStandardError(result, contains: ["log_softmax", "axis -1", "[]", "ReduceOpsTests.swift:\(line)"])
  }

  @Test func oneHotOutOfRangeNamesTheValue() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = oneHot(Tensor([0, 5, 1]), classes: 3)
    }
    expectStandardError(result, contains: ["one_hot", "5.0", "position 1", "0..<3", "ReduceOpsTests.swift:\(line)"])
  }

  @Test func oneHotNonIntegerNamesTheValue() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = crossEntropy(Tensor.zeros([3, 4]), Tensor([1, 2.5, 0]))
    }
    expectStandardError(result, contains: ["one_hot", "2.5", "position 1", "ReduceOpsTests.swift:\(line)"])
  }

  @Test func crossEntropyShapeMismatchStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = crossEntropy(Tensor.zeros([4, 3]), Tensor.zeros([5]))
    }
    expectStandardError(result, contains: ["cross_entropy", "[4, 3]", "[5]", "ReduceOpsTests.swift:\(line)"])
  }
}
