import Testing

@testable import Micrograd

/// How gradients add up: across backward calls, over a node used twice, and
/// over the dimensions an input was broadcast along.
@Suite struct GradientAccumulationTests {
  @Test func twoBackwardPassesAddAndZeroGradResets() {
    let x = Tensor([1, -2, 3], requiresGrad: true)
    let w = Tensor([0.5, 4, -1], requiresGrad: true)
    (x * w).sum().backward()
    #expect(x.grad?.scalars == [0.5, 4, -1])
    #expect(w.grad?.scalars == [1, -2, 3])
    (x * x).sum().backward()  // adds 2x to x's gradient; w is not involved
    #expect(x.grad?.scalars == [2.5, 0, 5])
    #expect(w.grad?.scalars == [1, -2, 3])
    x.zeroGrad()
    #expect(x.grad == nil)
    (x * w).sum().backward()
    #expect(x.grad?.scalars == [0.5, 4, -1])
    #expect(w.grad?.scalars == [2, -4, 6])
  }

  @Test func backwardTwiceThroughTheSameGraphAddsTwice() {
    let x = Tensor([1.5, -0.5], requiresGrad: true)
    let y = (tanh(x) * 3).sum()
    y.backward()
    let once = x.grad?.scalars ?? []
    y.backward()
    #expect(x.grad?.scalars == once.map { $0 + $0 })
  }

  @Test func nodeUsedTwiceAccumulates() {
    // micrograd issue #2: `b = a + a` must give a.grad = 2, not 1.
    let a = Tensor(3, requiresGrad: true)
    let b = a + a
    b.backward()
    #expect(a.grad?.item() == 2)
    // An intermediate used twice: c = a·a, d = c + c → dd/da = 4a.
    let fresh = Tensor(3, requiresGrad: true)
    let c = fresh * fresh
    (c + c).backward()
    #expect(fresh.grad?.item() == 12)
    // A diamond: the shared node's gradient is complete before its own rule runs.
    let x = Tensor(0.5, requiresGrad: true)
    let shared = exp(x)
    (shared * 2 + shared.pow(2)).backward()
    let e = shared.item()
    #expect(abs((x.grad?.item() ?? 0) - (2 * e + 2 * e * e)) <= 1e-6)
  }

  @Test func broadcastInputsGetGradientSummedToTheirShape() {
    let matrix = Tensor([[1, 2, 3], [4, 5, 6]], requiresGrad: true)
    let row = Tensor([10, 20, 30], requiresGrad: true)
    let column = Tensor([[1], [-1]], requiresGrad: true)
    let scalar = Tensor(2, requiresGrad: true)
    let y = (matrix * row + column) * scalar
    y.sum().backward()
    #expect(matrix.grad?.shape == [2, 3])
    #expect(matrix.grad?.scalars == [20, 40, 60, 20, 40, 60])
    #expect(row.grad?.shape == [3])
    #expect(row.grad?.scalars == [10, 14, 18])
    #expect(column.grad?.shape == [2, 1])
    #expect(column.grad?.scalars == [6, 6])
    #expect(scalar.grad?.shape == [])
    #expect(scalar.grad?.scalars == [(10 + 40 + 90 + 40 + 100 + 180 + 3 - 3)])
  }

  @Test func gradientsOfSeveralLeavesAreIndependentTensors() {
    // `a + b` hands the same gradient to both inputs; changing one leaf's
    // gradient in place must not change the other's.
    let a = Tensor([1, 2], requiresGrad: true)
    let b = Tensor([3, 4], requiresGrad: true)
    let seed = Tensor([1, 1])
    (a + b).backward(seed)
    a.grad?.updateValues { $0[0] = 100 }
    #expect(b.grad?.scalars == [1, 1])
    #expect(seed.scalars == [1, 1])
  }
}
