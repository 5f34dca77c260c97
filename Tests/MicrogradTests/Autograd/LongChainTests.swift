import Foundation
import Testing

@testable import Micrograd

/// A graph a million ops deep must build, backpropagate and free without
/// recursion: tests run on secondary threads with small stacks, in debug.
@Suite struct LongChainTests {
  @Test func millionOpChainBuildsBackpropagatesAndFrees() {
    let depth = 1_000_000
    let factor: Float = 1.000_000_1
    // dy/dx = factor^depth. Backward multiplies the seed 1 by `factor` once per
    // op, in float32, so the reference is that same product (equal only if all
    // million ops ran); the inputs are powers of two, so the forward value is
    // exactly x times it.
    var power: Float = 1
    for _ in 0..<depth { power *= factor }
    #expect(abs(Double(power) - pow(Double(factor), Double(depth))) < 1e-2, "float32 drift is small")

    let x = Tensor([0.5, -2], requiresGrad: true)
    let constant = Tensor(factor)
    weak var first: Tensor?
    do {
      var y = x * constant
      first = y
      for _ in 1..<depth { y = y * constant }
      #expect(y.scalars == [0.5 * power, -2 * power])
      y.sum().backward()
      #expect(x.grad?.scalars == [power, power])
      #expect(first != nil)
    }
    #expect(first == nil, "the chain was not freed")
  }
}
