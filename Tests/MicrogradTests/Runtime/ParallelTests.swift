import Foundation
import Testing

@testable import Micrograd

/// Splitting kernels across cores changes no result: elementwise outputs are
/// independent, and reductions split only across outputs.
@Suite struct ParallelTests {
  static func values(_ count: Int, seed: UInt64) -> [Float] {
    var random = TestRandom(seed: seed)
    return (0..<count).map { _ in random.uniform(-3, 3) }
  }

  @Test func rangesCoverEveryIndexExactlyOnce() {
    for count in [0, 1, 1000, 70_000, 1 << 20] {
      // Each chunk counts its indices, and notes which chunk started where.
      let visits = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
      visits.initialize(repeating: 0, count: max(count, 1))
      defer { visits.deallocate() }
      Parallel.forRange(count, minimumChunk: 1 << 15, context: visits) { context, start, end in
        let visits = context.load(as: UnsafeMutablePointer<Int32>.self)
        for i in start..<end { visits[i] += 1 }
        visits[start] += Int32(end - start) << 8  // chunk length, in the high bits
      }
      let counts = (0..<count).map { visits[$0] & 0xFF }
      let chunkStarts = (0..<count).filter { visits[$0] >> 8 != 0 }
      #expect(counts.allSatisfy { $0 == 1 })
      #expect(chunkStarts.first ?? 0 == 0)
      #expect(chunkStarts.count <= max(1, Parallel.threadCount))
      if count < 1 << 16 { #expect(chunkStarts.count <= 1) }
    }
  }

  @Test func largeWorkIsSplitWhenThePoolIsFree() {
    guard Parallel.threadCount > 1 else { return }
    // Other tests may hold the workers for a while (a busy pool runs the
    // work on the caller): try until a split is seen, for up to 20 seconds
    // (a loaded machine can keep another test's split running for seconds).
    let laterChunks = UnsafeMutablePointer<Int>.allocate(capacity: Parallel.threadCount)
    defer { laterChunks.deallocate() }
    var split = false
    let deadline = ContinuousClock.now + .seconds(20)
    var attempts = 0
    while !split && ContinuousClock.now < deadline {
      if attempts > 100 { usleep(1000) }
      attempts += 1
      laterChunks.initialize(repeating: 0, count: Parallel.threadCount)
      Parallel.forRange(1 << 20, minimumChunk: 1 << 15, context: laterChunks) { context, start, end in
        // Chunk k of n starts at k/n of the range: each chunk marks its own slot.
        let slots = context.load(as: UnsafeMutablePointer<Int>.self)
        slots[start * Parallel.threadCount / (1 << 20)] = end - start
      }
      split = (1..<Parallel.threadCount).contains { laterChunks[$0] > 0 }
    }
    #expect(split)
  }

  @Test func nestedSplitsRunInOneRange() {
    // A split started inside a chunk finds the workers busy and runs alone.
    let visits = UnsafeMutablePointer<Int32>.allocate(capacity: 1 << 17)
    visits.initialize(repeating: 0, count: 1 << 17)
    defer { visits.deallocate() }
    Parallel.forRange(1 << 17, minimumChunk: 1 << 15, context: visits) { context, start, end in
      let visits = context.load(as: UnsafeMutablePointer<Int32>.self)
      Parallel.forRange(end - start, minimumChunk: 1 << 10, context: visits + start) { context, start, end in
        let visits = context.load(as: UnsafeMutablePointer<Int32>.self)
        for i in start..<end { visits[i] += 1 }
      }
    }
    #expect((0..<1 << 17).allSatisfy { visits[$0] == 1 })
  }

  @Test func largeElementwiseKernelsMatchOneThread() {
    let count = (1 << 18) + 3
    let x = Self.values(count, seed: 1)
    let b = Self.values(count, seed: 2)
    var split = [Float](repeating: 0, count: count)
    var serial = [Float](repeating: 0, count: count)
    for f in [UnaryFunction.exp, .tanh, .sigmoid, .negate] {
      Elementwise.unary(f, x, &split, count: count)
      Elementwise.unaryChunk(f, x, &serial, count: count)
      #expect(split == serial)
    }
    let shape = Shape([count])
    for (f, reference) in [
      (BinaryFunction.add, { $0 + $1 }), (.multiply, { $0 * $1 }), (.greater, { $0 > $1 ? 1 : 0 }),
    ]
      as [(BinaryFunction, (Float, Float) -> Float)]
    {
      Elementwise.binary(f, x, shape, b, shape, &split, shape)
      #expect(split == zip(x, b).map(reference))
      Elementwise.binary(f, x, shape, b, [], &split, shape)
      #expect(split == x.map { reference($0, b[0]) })
    }
  }

  @Test(arguments: [[0], [1], [0, 1], [0, 2], [1, 2], [2]])
  func largeReductionsMatchASequentialSum(axes: [Int]) {
    let shape: Shape = [64, 33, 40]
    let x = Self.values(shape.count, seed: 3)
    let kept = Shape(shape.dims.enumerated().map { axes.contains($0.offset) ? 1 : $0.element })
    // Reference: every output takes its elements in increasing input order,
    // a sum adding each run (consecutive elements going to that output) in
    // BlockedSum's order.
    var expected = [Float](repeating: 0, count: kept.count)
    var maxima = [Float](repeating: -.infinity, count: kept.count)
    let keptStrides = kept.broadcastStrides(to: shape)
    func output(_ i: Int) -> Int {
      var rest = i
      var o = 0
      for axis in stride(from: 2, through: 0, by: -1) {
        o += (rest % shape[axis]) * keptStrides[axis]
        rest /= shape[axis]
      }
      return o
    }
    var start = 0
    while start < shape.count {
      let o = output(start)
      var end = start + 1
      while end < shape.count && output(end) == o { end += 1 }
      expected[o] = BlockedSumTests.reference(x[start..<end], onto: expected[o])
      for i in start..<end { maxima[o] = max(maxima[o], x[i]) }
      start = end
    }
    var sums = [Float](repeating: .nan, count: kept.count)
    Reduction.reduce(.sum, x, shape, axes: axes, &sums)
    #expect(sums == expected)
    Reduction.reduce(.max, x, shape, axes: axes, &sums)
    #expect(sums == maxima)
  }

  @Test func reductionWalksAreChosenByLayout() {
    #expect(Reduction.Plan([4, 5], axes: [1]).walk == .rows(length: 5))
    #expect(Reduction.Plan([4, 5], axes: [0]).walk == .columns(rows: 4))
    #expect(Reduction.Plan([4, 1, 5], axes: [1, 2]).walk == .rows(length: 5))
    #expect(Reduction.Plan([4, 5], axes: [0, 1]).walk == .rows(length: 20))
    #expect(Reduction.Plan([4, 1], axes: [1]).walk == .copy)
    #expect(Reduction.Plan([4, 0], axes: [1]).walk == .empty)
    if case .strided = Reduction.Plan([2, 3, 4], axes: [0, 2]).walk {
    } else {
      Issue.record("[0, 2] of rank 3 walks strided")
    }
  }
}
