import Testing

@testable import Micrograd

/// micrograd's own engine tests (karpathy/micrograd test/test_engine.py), written
/// in this API on 0-d tensors and checked against the values PyTorch gives
/// (Fixtures/micrograd.json, from tools/fixtures/cases_micrograd.py).
@Suite struct MicrogradEngineTests {
  /// The PyTorch result of the case `name`: output and input gradients.
  func reference(_ name: String) throws -> FixtureCase {
    try #require(fixtureCases("micrograd").first { $0.name == name }, "no case \(name) in micrograd.json")
  }

  @Test func fixturesAreTheTwoTests() {
    #expect(fixtureCases("micrograd").map(\.name).sorted() == ["more_ops", "sanity_check"])
  }

  @Test func sanityCheck() throws {
    let expected = try reference("sanity_check")
    let x = Tensor(-4.0, requiresGrad: true)
    let z = 2 * x + 2 + x
    let q = relu(z) + z * x
    let h = relu(z * z)
    let y = h + q + q * x
    y.backward()
    #expect(expected.inputs[0].data == x.scalars)
    expectClose(y, expected.output, "y")
    expectClose(try #require(x.grad), try #require(expected.grads[0]), "x.grad")
  }

  @Test func moreOps() throws {
    let expected = try reference("more_ops")
    let a = Tensor(-4.0, requiresGrad: true)
    let b = Tensor(2.0, requiresGrad: true)
    var c = a + b
    var d = a * b + b.pow(3)
    c = c + (c + 1)
    c = c + (1 + c + (-a))
    d = d + (d * 2 + relu(b + a))
    d = d + (3 * d + relu(b - a))
    let e = c - d
    let f = e.pow(2)
    var g = f / 2.0
    g = g + 10.0 / f
    g.backward()
    #expect(expected.inputs.map(\.data) == [a.scalars, b.scalars])
    expectClose(g, expected.output, "g")
    expectClose(try #require(a.grad), try #require(expected.grads[0]), "a.grad")
    expectClose(try #require(b.grad), try #require(expected.grads[1]), "b.grad")
  }
}
