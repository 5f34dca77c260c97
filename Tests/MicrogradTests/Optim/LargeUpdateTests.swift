import Testing

@testable import Micrograd

/// A parameter of 2^16 elements or more is updated in slices across the
/// cores; each element's arithmetic is the same, so the result equals the
/// update run over the whole parameter on one thread, bit for bit.
@Suite struct LargeUpdateTests {
  static let rules: [OptimizerRule] = [
    .sgd(momentum: 0, dampening: 0, weightDecay: 0, nesterov: false),
    .sgd(momentum: 0.9, dampening: 0.1, weightDecay: 1e-4, nesterov: true),
    .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2, decoupled: true),
  ]

  @Test(arguments: 0..<rules.count) func slicedUpdateEqualsOneThread(_ index: Int) {
    let rule = Self.rules[index]
    let count = 70_001
    var random = TestRandom(seed: 90 + UInt64(index))
    let start = (0..<count).map { _ in random.uniform(-1, 1) }
    let gradient = (0..<count).map { _ in random.uniform(-1, 1) }
    func buffers() -> [UnsafeMutablePointer<Float>] {
      (0..<2).map { _ in
        let b = UnsafeMutablePointer<Float>.allocate(capacity: count)
        b.initialize(repeating: 0.25, count: count)
        return b
      }
    }
    let split = UnsafeMutablePointer<Float>.allocate(capacity: count)
    split.initialize(from: start, count: count)
    let (splitBuffers, singleBuffers) = (buffers(), buffers())
    defer {
      split.deallocate()
      for b in splitBuffers + singleBuffers { b.deallocate() }
    }
    var (splitStep, singleStep): (Float, Float) = (0, 0)
    var expected = start
    for _ in 0..<3 {
      gradient.withUnsafeBufferPointer { g in
        OptimizerUpdate.apply(
          rule, split, g.baseAddress!, learningRate: 0.01, step: &splitStep, splitBuffers, count: count)
        expected.withUnsafeMutableBufferPointer { p in
          // One thread: each element on its own, as a slice of one.
          for i in 0..<count {
            var step = singleStep
            OptimizerUpdate.apply(
              rule, p.baseAddress! + i, g.baseAddress! + i, learningRate: 0.01, step: &step,
              singleBuffers.map { $0 + i }, count: 1)
          }
        }
      }
      singleStep += 1
    }
    #expect(splitStep == 3)
    #expect((0..<count).allSatisfy { split[$0].bitPattern == expected[$0].bitPattern })
  }
}
