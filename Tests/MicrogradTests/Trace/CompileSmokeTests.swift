import Testing

@testable import Micrograd

@Suite struct CompileSmokeTests {
  @Test func forwardMatchesEager() throws {
    var random = TestRandom(seed: 3)
    let w = random.tensor([4, 3])
    let b = random.tensor([3])
    let f = compile { xs in [relu(matmul(xs[0], w) + b).sum(axis: 0) * 2] }
    let x = random.tensor([5, 4], requiresGrad: false)
    let compiled = try f(x)[0]
    let eager = (relu(matmul(x, w) + b).sum(axis: 0) * 2)
    #expect(compiled.shape == eager.shape)
    #expect(compiled.scalars == eager.scalars)
    _ = try f(random.tensor([5, 4], requiresGrad: false))
    #expect(f.traceCount == 1)
    _ = try f(random.tensor([2, 4], requiresGrad: false))
    #expect(f.traceCount == 2)
  }

  @Test func valueAndGradMatchesEager() throws {
    var random = TestRandom(seed: 4)
    let w = random.tensor([4, 3])
    let b = random.tensor([3])
    let step = compileValueAndGrad(withRespectTo: [w, b]) { xs in
      (relu(matmul(xs[0], w) + b) * xs[1]).sum()
    }
    let x = random.tensor([5, 4], requiresGrad: false)
    let y = random.tensor([5, 3], requiresGrad: false)
    let results = try step(x, y)
    let loss = (relu(matmul(x, w) + b) * y).sum()
    loss.backward()
    #expect(abs(results[0].item() - loss.item()) <= 1e-5 * abs(loss.item()))
    #expect(results[1].scalars == w.grad!.scalars)
    #expect(results[2].scalars == b.grad!.scalars)
  }
}
