import Foundation
import Testing

@testable import Micrograd

/// Large kernels: fused kernels split across cores, large outputs handed to
/// the caller instead of copied, and large blocks recycled. None of it may
/// change a bit of any result.
@Suite struct LargeKernelTests {
  // 515 × 513 = 264,195 elements: past Parallel.minimumElements (lanes) and
  // past LargeBlocks.smallest (hand-over), and no multiple of the block size.
  static let (rows, columns) = (515, 513)

  static func tensor(_ shape: Shape, seed: UInt64) -> Tensor {
    var random = TestRandom(seed: seed)
    return Tensor((0..<shape.count).map { _ in random.uniform(-3, 3) }, shape: shape)
  }

  /// Every kind of fused input: in place (`x`), tiled (the row `b`) and gathered (the column `c`).
  static func expression(_ x: Tensor, _ b: Tensor, _ c: Tensor) -> Tensor {
    tanh(1.5 * x + b) * sigmoid(x - c) + x * x
  }

  static func bits(_ tensor: Tensor) -> [UInt32] { tensor.scalars.map(\.bitPattern) }

  @Test func fusedKernelSplitAcrossCoresEqualsEagerBitForBit() throws {
    let b = Self.tensor([Self.columns], seed: 2)
    let c = Self.tensor([Self.rows, 1], seed: 3)
    let f = compile { xs in [Self.expression(xs[0], b, c)] }
    let program = try f.program(for: [[Self.rows, Self.columns]])
    #expect(program.instructions.contains { if case .fused = $0.operation { true } else { false } })
    for seed: UInt64 in [4, 5] {
      let x = Self.tensor([Self.rows, Self.columns], seed: seed)
      let compiled = try f(x)[0]
      let eager = noGrad { Self.expression(x, b, c) }
      #expect(Self.bits(compiled) == Self.bits(eager))
    }
  }

  @Test func handedOverOutputsSurviveLaterRuns() throws {
    let b = Self.tensor([Self.columns], seed: 2)
    let c = Self.tensor([Self.rows, 1], seed: 3)
    let f = compile { xs in [Self.expression(xs[0], b, c), xs[0] * 2] }
    let first = Self.tensor([Self.rows, Self.columns], seed: 6)
    let second = Self.tensor([Self.rows, Self.columns], seed: 7)
    let firstResults = try f(first)
    let secondResults = try f(second)
    // The second run must not write into the tensors the first one returned.
    #expect(Self.bits(firstResults[0]) == Self.bits(noGrad { Self.expression(first, b, c) }))
    #expect(Self.bits(firstResults[1]) == Self.bits(first * 2))
    #expect(Self.bits(secondResults[0]) == Self.bits(noGrad { Self.expression(second, b, c) }))
    #expect(Self.bits(secondResults[1]) == Self.bits(second * 2))
  }

  @Test func gradientOfLargeExpressionEqualsEagerBitForBit() throws {
    let x = Self.tensor([Self.rows, Self.columns], seed: 8)
    x.requiresGrad = true
    let b = Self.tensor([Self.columns], seed: 2)
    let c = Self.tensor([Self.rows, 1], seed: 3)
    let g = compileValueAndGrad(withRespectTo: [x]) { _ in Self.expression(x, b, c).sum() }
    let results = try g()
    let loss = Self.expression(x, b, c).sum()
    loss.backward()
    #expect(Self.bits(results[0]) == Self.bits(loss))
    #expect(Self.bits(results[1]) == Self.bits(try #require(x.grad)))
  }

  @Test func freedLargeBlocksAreReused() {
    let count = LargeBlocks.smallest / MemoryLayout<Float>.stride + 17
    var storage: Storage? = Storage(count: count)
    let address = storage!.base
    storage = nil
    let again = Storage(count: count)
    #expect(again.base == address)
    // Small blocks bypass the cache.
    #expect(Storage(count: 16).count == 16)
  }
}
